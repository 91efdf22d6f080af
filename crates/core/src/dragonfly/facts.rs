//! What the rules that look beyond one Dragonfly CR need of it: its identity, the Secrets it
//! names, the settings the network and ACL checks read, its labels and ports. They are read
//! while the CR's tree is at hand, as each document is parsed, and are all that is kept of
//! the CR afterwards: a few hundred bytes instead of its node tree and its typed view, so the
//! memory of a run grows with the facts of its CRs, not with their text.

use super::DragonflyCr;
use crate::args::ExpansionLimit;
use crate::document::{JsonPath, Node};
use crate::k8s::{container_ports, Port};
use crate::source::Span;
use crate::target::Target;
use std::collections::HashMap;

/// Settings the rules after the per-CR pass ask for: `DragonflyCr::setting` (command line,
/// then `DFLY_<flag>`).
const SETTINGS: &[&str] = &[
    "aclfile",
    "memcached_port",
    "default_lua_flags",
    "lua_undeclared_keys_shas",
    "port",
    "dir",
    "s3_use_https",
    "s3_endpoint",
];

/// Flags whose last command-line use they read (an env var does not count for these).
const ARGS: &[&str] = &[
    "port",
    "admin_port",
    "memcached_port",
    "dbnum",
    "cluster_mode",
];

/// One Dragonfly CR, as the bundle-wide rules see it.
#[derive(Clone, Debug)]
pub struct CrFacts {
    /// The source the CR is in.
    pub source: usize,
    /// The CR's extent in its source: findings inside it belong to it.
    pub span: Span,
    pub name: Option<Box<str>>,
    pub namespace: Option<Box<str>>,
    /// `metadata.name`, or the whole CR when it has none: where findings about the instance
    /// point.
    pub name_target: Target,
    /// `spec.replicas` as written, and where.
    pub replicas: Option<(Option<i64>, Target)>,
    /// `spec.memcachedPort` as written, and where.
    pub memcached_port_field: Option<(Option<i64>, Target)>,
    /// `spec.networkPolicyEnabled` as written, and where.
    pub network_policy_enabled: Option<(Option<bool>, Target)>,
    /// `spec.snapshot.dir`, when a string.
    pub snapshot_dir: Option<Box<str>>,
    /// The default user needs a password, a client certificate or an ACL.
    pub authenticated: bool,
    /// `spec.aclFromSecret` is there (whatever it holds).
    pub has_acl_secret: bool,
    /// `spec.aclFromSecret`'s `name` and `key`, when both are strings.
    pub acl_secret: Option<(Box<str>, Box<str>)>,
    /// `spec.tlsSecretRef.name`: the name when it is a string, and where it is written.
    pub tls_secret: Option<(Option<Box<str>>, Target)>,
    /// Every Secret the pod cannot start without.
    pub secret_refs: Vec<SecretRef>,
    /// The [`SETTINGS`] that are set: value (`None` when it comes from elsewhere) and where.
    settings: Vec<(&'static str, Option<Box<str>>, Target)>,
    /// The [`ARGS`] used on the command line, with the value of their last use.
    args: Vec<(&'static str, Option<Box<str>>)>,
    /// `--primary_port_http_enabled` is set to a true value on the command line.
    pub http_on_main_port: bool,
    /// `spec.labels`, `spec.podMetadata.labels`, `spec.ownedObjectsMetadata.labels` and
    /// `spec.serviceSpec.labels`, in their order, string values only.
    pub labels: Vec<(String, String)>,
    pub pod_metadata_labels: Vec<(String, String)>,
    pub owned_objects_labels: Vec<(String, String)>,
    pub service_labels: Vec<(String, String)>,
    /// Container ports of `spec.additionalContainers`.
    pub sidecar_ports: Vec<Port>,
    /// Where `$(VAR)` expansion ran out of budget, if it did.
    pub expansion_limit: Option<(Target, ExpansionLimit)>,
    /// The `dflint.io/ignore` annotation: its text (or the type it has instead) and where.
    pub ignore_annotation: Option<(Result<Box<str>, &'static str>, Span)>,
    /// Spans of credentials to mask wherever source text is shown.
    pub secret_spans: Vec<Span>,
}

/// A Secret (and maybe one key of it) a CR names.
#[derive(Clone, Debug)]
pub struct SecretRef {
    /// Where it is written, for messages (`` `aclFromSecret` ``, `` env `AWS_KEY` ``).
    pub field: String,
    /// The Secret's name, when it is a string.
    pub name: Option<Box<str>>,
    pub name_target: Target,
    /// The key, when one is named and is a string (`tlsSecretRef` names none).
    pub key: Option<Box<str>>,
    pub key_target: Option<Target>,
}

/// Shares the text of the JSON paths many CRs have in common (`spec.replicas`).
#[derive(Default)]
pub struct PathTexts {
    known: HashMap<JsonPath, JsonPath>,
}

impl PathTexts {
    fn share(&mut self, target: Target) -> Target {
        let Some(path) = target.path else {
            return target;
        };
        let shared = self.known.entry(path.clone()).or_insert(path).clone();
        Target {
            path: Some(shared),
            ..target
        }
    }
}

impl CrFacts {
    pub fn of(cr: &DragonflyCr<'_>, paths: &mut PathTexts) -> CrFacts {
        let mut target = |node: &Node| paths.share(cr.target(node));
        let root = cr.resource.root;
        let text = |node: &Node| node.as_str().map(Box::from);
        let spec = |keys: &[&str]| cr.spec_at(keys);
        let labels = |keys: &[&str]| -> Vec<(String, String)> {
            spec(keys)
                .and_then(Node::as_map)
                .into_iter()
                .flatten()
                .filter_map(|e| Some((e.key.key_text(), e.value.scalar_text()?)))
                .collect()
        };
        let name_target = target(root.at(&["metadata", "name"]).unwrap_or(root));
        let replicas = spec(&["replicas"]).map(|n| (n.as_i64(), target(n)));
        let memcached_port_field = spec(&["memcachedPort"]).map(|n| (n.as_i64(), target(n)));
        let network_policy_enabled =
            spec(&["networkPolicyEnabled"]).map(|n| (n.as_bool(), target(n)));
        let acl = spec(&["aclFromSecret"]);
        let acl_secret = acl.and_then(|a| Some((text(a.get("name")?)?, text(a.get("key")?)?)));
        let tls_secret = spec(&["tlsSecretRef", "name"]).map(|n| (text(n), target(n)));
        let secret_refs = secret_refs(cr, &mut target);
        let settings = SETTINGS
            .iter()
            .filter_map(|&flag| {
                let (value, at) = cr.setting(flag)?;
                Some((flag, value.map(Box::from), paths.share(at)))
            })
            .collect();
        let args = ARGS
            .iter()
            .filter_map(|&flag| {
                let used = cr.command_line.last_use(flag)?;
                Some((flag, used.effective_value().map(Box::from)))
            })
            .collect();
        let sidecar_ports = spec(&["additionalContainers"])
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .flat_map(container_ports)
            .collect();
        let expansion_limit = cr
            .env
            .iter()
            .find_map(|var| Some((cr.target(var.value?), var.expansion_limit?)))
            .or_else(|| {
                let line = &cr.command_line;
                line.expansion_limit()
                    .map(|(arg, limit)| (line.arg_target(arg), limit))
            });
        let ignore_annotation = root
            .at(&["metadata", "annotations"])
            .and_then(|a| a.get(crate::resource::IGNORE_ANNOTATION))
            .map(|node| {
                (
                    node.as_str().map(Box::from).ok_or(node.type_name()),
                    node.span,
                )
            });
        CrFacts {
            source: cr.doc().source,
            span: root.span,
            name: cr.resource.name().map(Box::from),
            namespace: cr.resource.namespace().map(Box::from),
            name_target,
            replicas,
            memcached_port_field,
            network_policy_enabled,
            snapshot_dir: spec(&["snapshot", "dir"]).and_then(text),
            authenticated: cr.has_authentication(),
            has_acl_secret: acl.is_some(),
            acl_secret,
            tls_secret,
            secret_refs,
            settings,
            args,
            http_on_main_port: cr
                .command_line
                .enabled_bool("primary_port_http_enabled")
                .is_some(),
            labels: labels(&["labels"]),
            pod_metadata_labels: labels(&["podMetadata", "labels"]),
            owned_objects_labels: labels(&["ownedObjectsMetadata", "labels"]),
            service_labels: labels(&["serviceSpec", "labels"]),
            sidecar_ports,
            expansion_limit,
            ignore_annotation,
            secret_spans: cr.secret_spans(),
        }
    }

    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// `Dragonfly/<name>` (or `Dragonfly` when unnamed), for messages.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) => format!("Dragonfly/{name}"),
            None => "Dragonfly".to_string(),
        }
    }

    /// As [`DragonflyCr::setting`], for the flags in [`SETTINGS`].
    pub fn setting(&self, flag: &str) -> Option<(Option<&str>, &Target)> {
        debug_assert!(SETTINGS.contains(&flag), "`{flag}` is not kept");
        self.settings
            .iter()
            .rev()
            .find(|(name, ..)| *name == flag)
            .map(|(_, value, at)| (value.as_deref(), at))
    }

    /// The value of the flag's last use on the command line (`Some(None)`: used, value
    /// unknown), for the flags in [`ARGS`].
    pub fn arg(&self, flag: &str) -> Option<Option<&str>> {
        debug_assert!(ARGS.contains(&flag), "`{flag}` is not kept");
        self.args
            .iter()
            .find(|(name, _)| *name == flag)
            .map(|(_, value)| value.as_deref())
    }
}

fn secret_refs(cr: &DragonflyCr<'_>, target: &mut impl FnMut(&Node) -> Target) -> Vec<SecretRef> {
    let mut found = Vec::new();
    // `optional: true` lets the pod start without the Secret or key.
    let optional = |node: &Node| node.get("optional").and_then(Node::as_bool) == Some(true);
    let mut push = |field: String, name: &Node, key: Option<&Node>| {
        found.push(SecretRef {
            field,
            name: name.as_str().map(Box::from),
            name_target: target(name),
            key: key.and_then(Node::as_str).map(Box::from),
            key_target: key.map(&mut *target),
        })
    };
    for (field, path) in [
        ("aclFromSecret", &["aclFromSecret"][..]),
        (
            "authentication.passwordFromSecret",
            &["authentication", "passwordFromSecret"][..],
        ),
        (
            "authentication.clientCaCertSecret",
            &["authentication", "clientCaCertSecret"][..],
        ),
    ] {
        let Some(selector) = cr.spec_at(path) else {
            continue;
        };
        if optional(selector) {
            continue;
        }
        if let Some(name) = selector.get("name") {
            push(format!("`{field}`"), name, selector.get("key"));
        }
    }
    // A string `tlsSecretRef` is a schema error reported elsewhere.
    if let Some(name) = cr.spec_at(&["tlsSecretRef", "name"]) {
        push("`tlsSecretRef`".into(), name, None);
    }
    for var in &cr.env {
        let Some(selector) = var.value_from.and_then(|f| f.get("secretKeyRef")) else {
            continue;
        };
        if optional(selector) {
            continue;
        }
        if let Some(name) = selector.get("name") {
            push(format!("env `{}`", var.name), name, selector.get("key"));
        }
    }
    found
}
