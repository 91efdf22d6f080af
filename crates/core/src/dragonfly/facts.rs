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
    /// Paths of fixed fields, by their keys: made without searching the tree for the node.
    fixed: HashMap<&'static [&'static str], JsonPath>,
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

    fn fixed(&mut self, keys: &'static [&'static str]) -> JsonPath {
        self.fixed
            .entry(keys)
            .or_insert_with(|| {
                keys.iter()
                    .fold(JsonPath::root(), |path, key| path.key(key))
            })
            .clone()
    }
}

/// Where CR fields are found, for their targets.
struct Fields<'c, 'd> {
    cr: &'c DragonflyCr<'d>,
    /// The CR is its document's root (not an item of a `List`): its fields' paths are known
    /// without a search.
    at_root: bool,
}

impl Fields<'_, '_> {
    /// The node at `keys` from the CR's root, with its target.
    fn at(&self, keys: &'static [&'static str], paths: &mut PathTexts) -> Option<(&Node, Target)> {
        let node = self.cr.resource.root.at(keys)?;
        let target = if self.at_root {
            Target {
                source: self.cr.doc().source,
                span: node.span,
                path: Some(paths.fixed(keys)),
            }
        } else {
            paths.share(self.cr.target(node))
        };
        Some((node, target))
    }
}

impl CrFacts {
    /// The facts of a CR; its credentials' spans only when `secret_spans` (they cost a scan of
    /// its env and args, and output that never shows source text does not need them).
    pub fn of(cr: &DragonflyCr<'_>, paths: &mut PathTexts, secret_spans: bool) -> CrFacts {
        let root = cr.resource.root;
        let fields = Fields {
            cr,
            at_root: std::ptr::eq(root, &cr.doc().root),
        };
        let text = |node: &Node| node.as_str().map(Box::from);
        let labels = |keys: &[&str]| -> Vec<(String, String)> {
            cr.spec_at(keys)
                .and_then(Node::as_map)
                .into_iter()
                .flatten()
                .filter_map(|e| Some((e.key.key_text(), e.value.scalar_text()?)))
                .collect()
        };
        let name_target = match fields.at(&["metadata", "name"], paths) {
            Some((_, target)) => target,
            None => paths.share(cr.target(root)),
        };
        let replicas = fields
            .at(&["spec", "replicas"], paths)
            .map(|(n, at)| (n.as_i64(), at));
        let memcached_port_field = fields
            .at(&["spec", "memcachedPort"], paths)
            .map(|(n, at)| (n.as_i64(), at));
        let network_policy_enabled = fields
            .at(&["spec", "networkPolicyEnabled"], paths)
            .map(|(n, at)| (n.as_bool(), at));
        let acl = cr.spec_at(&["aclFromSecret"]);
        let acl_secret = acl.and_then(|a| Some((text(a.get("name")?)?, text(a.get("key")?)?)));
        let tls_secret = fields
            .at(&["spec", "tlsSecretRef", "name"], paths)
            .map(|(n, at)| (text(n), at));
        let secret_refs = secret_refs(&fields, paths);
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
        let sidecar_ports = cr
            .spec_at(&["additionalContainers"])
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
                let value = node.as_str().map(Box::from).ok_or(node.type_name());
                (value, node.span)
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
            snapshot_dir: cr.spec_at(&["snapshot", "dir"]).and_then(text),
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
            secret_spans: if secret_spans {
                cr.secret_spans()
            } else {
                Vec::new()
            },
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

fn secret_refs(fields: &Fields<'_, '_>, paths: &mut PathTexts) -> Vec<SecretRef> {
    let cr = fields.cr;
    let mut found = Vec::new();
    // `optional: true` lets the pod start without the Secret or key.
    let optional = |node: &Node| node.get("optional").and_then(Node::as_bool) == Some(true);
    type Keys = &'static [&'static str];
    let selectors: [(&str, Keys, Keys, Keys); 3] = [
        (
            "aclFromSecret",
            &["spec", "aclFromSecret"],
            &["spec", "aclFromSecret", "name"],
            &["spec", "aclFromSecret", "key"],
        ),
        (
            "authentication.passwordFromSecret",
            &["spec", "authentication", "passwordFromSecret"],
            &["spec", "authentication", "passwordFromSecret", "name"],
            &["spec", "authentication", "passwordFromSecret", "key"],
        ),
        (
            "authentication.clientCaCertSecret",
            &["spec", "authentication", "clientCaCertSecret"],
            &["spec", "authentication", "clientCaCertSecret", "name"],
            &["spec", "authentication", "clientCaCertSecret", "key"],
        ),
    ];
    for (field, selector, name, key) in selectors {
        let Some((selector, _)) = fields.at(selector, paths) else {
            continue;
        };
        if optional(selector) {
            continue;
        }
        let Some((name_node, name_target)) = fields.at(name, paths) else {
            continue;
        };
        let key = fields.at(key, paths);
        found.push(SecretRef {
            field: format!("`{field}`"),
            name: name_node.as_str().map(Box::from),
            name_target,
            key: key.as_ref().and_then(|(n, _)| n.as_str()).map(Box::from),
            key_target: key.map(|(_, at)| at),
        });
    }
    // A string `tlsSecretRef` is a schema error reported elsewhere.
    if let Some((name_node, name_target)) = fields.at(&["spec", "tlsSecretRef", "name"], paths) {
        found.push(SecretRef {
            field: "`tlsSecretRef`".into(),
            name: name_node.as_str().map(Box::from),
            name_target,
            key: None,
            key_target: None,
        });
    }
    for var in &cr.env {
        let Some(selector) = var.value_from.and_then(|f| f.get("secretKeyRef")) else {
            continue;
        };
        if optional(selector) {
            continue;
        }
        if let Some(name) = selector.get("name") {
            let key = selector.get("key");
            found.push(SecretRef {
                field: format!("env `{}`", var.name),
                name: name.as_str().map(Box::from),
                name_target: paths.share(cr.target(name)),
                key: key.and_then(Node::as_str).map(Box::from),
                key_target: key.map(|k| paths.share(cr.target(k))),
            });
        }
    }
    found
}
