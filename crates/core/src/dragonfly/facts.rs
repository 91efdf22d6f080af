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
use std::borrow::Cow;
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
    // The operator passes `--admin_nopass`; `spec.args` comes after it and may turn it off.
    "admin_nopass",
];

/// One Dragonfly CR, as the bundle-wide rules see it. Lists are boxed slices (no spare
/// room) and what most CRs lack is kept apart ([`Uncommon`]): a file of 10,000 CRs holds
/// 10,000 of these for the whole run.
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
    /// A password is set (`passwordFromSecret`, `--requirepass`, `DFLY_requirepass`): the
    /// built-in `default` user, and the admin port without `--admin_nopass`, ask for it.
    pub password: bool,
    /// TLS is on and checks client certificates against a CA: a peer without one is turned
    /// away by every TLS listener (the data and memcached ports).
    pub client_certs: bool,
    /// `spec.aclFromSecret` is there (whatever it holds).
    pub has_acl_secret: bool,
    /// `--primary_port_http_enabled` is set to a true value on the command line.
    pub http_on_main_port: bool,
    /// Every Secret the pod cannot start without.
    pub secret_refs: Box<[SecretRef]>,
    /// The [`SETTINGS`] that are set: value (`None` when it comes from elsewhere) and where.
    settings: Box<[Setting]>,
    /// The [`ARGS`] used on the command line, with the value of their last use.
    args: Box<[ArgValue]>,
    /// `spec.labels`, string values only.
    pub labels: Box<[(String, String)]>,
    uncommon: Option<Box<Uncommon>>,
}

/// A flag of [`SETTINGS`]: its value (`None` when it comes from elsewhere) and where it is set.
type Setting = (&'static str, Option<Box<str>>, Target);

/// A flag of [`ARGS`] and the value of its last use (`None` when unknown).
type ArgValue = (&'static str, Option<Box<str>>);

/// What most CRs do not have.
#[derive(Clone, Debug, Default)]
struct Uncommon {
    memcached_port_field: Option<(Option<i64>, Target)>,
    network_policy_enabled: Option<(Option<bool>, Target)>,
    snapshot_dir: Option<Box<str>>,
    acl_secret: Option<(Box<str>, Box<str>)>,
    tls_secret: Option<(Option<Box<str>>, Target)>,
    pod_metadata_labels: Box<[(String, String)]>,
    owned_objects_labels: Box<[(String, String)]>,
    service_labels: Box<[(String, String)]>,
    sidecar_ports: Box<[Port]>,
    expansion_limit: Option<(Target, ExpansionLimit)>,
    ignore_annotation: Option<(Result<Box<str>, &'static str>, Span)>,
    secret_spans: Box<[Span]>,
}

impl Uncommon {
    fn is_empty(&self) -> bool {
        self.memcached_port_field.is_none()
            && self.network_policy_enabled.is_none()
            && self.snapshot_dir.is_none()
            && self.acl_secret.is_none()
            && self.tls_secret.is_none()
            && self.pod_metadata_labels.is_empty()
            && self.owned_objects_labels.is_empty()
            && self.service_labels.is_empty()
            && self.sidecar_ports.is_empty()
            && self.expansion_limit.is_none()
            && self.ignore_annotation.is_none()
            && self.secret_spans.is_empty()
    }
}

/// A Secret (and maybe one key of it) a CR names.
#[derive(Clone, Debug)]
pub struct SecretRef {
    /// Where it is written, for messages (`` `aclFromSecret` ``, `` env `AWS_KEY` ``): the
    /// fixed fields are not copied for every CR.
    pub field: Cow<'static, str>,
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
        let labels = |keys: &[&str]| -> Box<[(String, String)]> {
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
        let uncommon = Uncommon {
            memcached_port_field,
            network_policy_enabled,
            snapshot_dir: cr.spec_at(&["snapshot", "dir"]).and_then(text),
            acl_secret,
            tls_secret,
            pod_metadata_labels: labels(&["podMetadata", "labels"]),
            owned_objects_labels: labels(&["ownedObjectsMetadata", "labels"]),
            service_labels: labels(&["serviceSpec", "labels"]),
            sidecar_ports,
            expansion_limit,
            ignore_annotation,
            secret_spans: if secret_spans {
                cr.secret_spans().into()
            } else {
                Box::default()
            },
        };
        CrFacts {
            source: cr.doc().source,
            span: root.span,
            name: cr.resource.name().map(Box::from),
            namespace: cr.resource.namespace().map(Box::from),
            name_target,
            replicas,
            password: cr.has_password(),
            client_certs: cr.has_client_ca()
                && ((cr.is_operator() && cr.spec_at(&["tlsSecretRef"]).is_some())
                    || cr.setting_is_on("tls")),
            has_acl_secret: acl.is_some(),
            http_on_main_port: cr
                .command_line
                .enabled_bool("primary_port_http_enabled")
                .is_some(),
            secret_refs: secret_refs.into(),
            settings,
            args,
            labels: labels(&["labels"]),
            uncommon: (!uncommon.is_empty()).then(|| Box::new(uncommon)),
        }
    }

    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    fn uncommon(&self) -> Option<&Uncommon> {
        self.uncommon.as_deref()
    }

    /// `spec.memcachedPort` as written, and where.
    pub fn memcached_port_field(&self) -> Option<&(Option<i64>, Target)> {
        self.uncommon()?.memcached_port_field.as_ref()
    }

    /// `spec.networkPolicyEnabled` as written, and where.
    pub fn network_policy_enabled(&self) -> Option<&(Option<bool>, Target)> {
        self.uncommon()?.network_policy_enabled.as_ref()
    }

    /// `spec.snapshot.dir`, when a string.
    pub fn snapshot_dir(&self) -> Option<&str> {
        self.uncommon()?.snapshot_dir.as_deref()
    }

    /// `spec.aclFromSecret`'s `name` and `key`, when both are strings.
    pub fn acl_secret(&self) -> Option<(&str, &str)> {
        let (name, key) = self.uncommon()?.acl_secret.as_ref()?;
        Some((name, key))
    }

    /// `spec.tlsSecretRef.name`: the name when it is a string, and where it is written.
    pub fn tls_secret(&self) -> Option<&(Option<Box<str>>, Target)> {
        self.uncommon()?.tls_secret.as_ref()
    }

    /// `spec.podMetadata.labels`, string values only.
    pub fn pod_metadata_labels(&self) -> &[(String, String)] {
        self.uncommon().map_or(&[], |u| &u.pod_metadata_labels)
    }

    /// `spec.ownedObjectsMetadata.labels`, string values only.
    pub fn owned_objects_labels(&self) -> &[(String, String)] {
        self.uncommon().map_or(&[], |u| &u.owned_objects_labels)
    }

    /// `spec.serviceSpec.labels`, string values only.
    pub fn service_labels(&self) -> &[(String, String)] {
        self.uncommon().map_or(&[], |u| &u.service_labels)
    }

    /// Container ports of `spec.additionalContainers`.
    pub fn sidecar_ports(&self) -> &[Port] {
        self.uncommon().map_or(&[], |u| &u.sidecar_ports)
    }

    /// Where `$(VAR)` expansion ran out of budget, if it did.
    pub fn expansion_limit(&self) -> Option<&(Target, ExpansionLimit)> {
        self.uncommon()?.expansion_limit.as_ref()
    }

    /// The `dflint.io/ignore` annotation: its text (or the type it has instead) and where.
    pub fn ignore_annotation(&self) -> Option<&(Result<Box<str>, &'static str>, Span)> {
        self.uncommon()?.ignore_annotation.as_ref()
    }

    /// Spans of credentials to mask wherever source text is shown (read only when the output
    /// shows source text).
    pub fn secret_spans(&self) -> &[Span] {
        self.uncommon().map_or(&[], |u| &u.secret_spans)
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
    let selectors: [(&'static str, Keys, Keys, Keys); 3] = [
        (
            "`aclFromSecret`",
            &["spec", "aclFromSecret"],
            &["spec", "aclFromSecret", "name"],
            &["spec", "aclFromSecret", "key"],
        ),
        (
            "`authentication.passwordFromSecret`",
            &["spec", "authentication", "passwordFromSecret"],
            &["spec", "authentication", "passwordFromSecret", "name"],
            &["spec", "authentication", "passwordFromSecret", "key"],
        ),
        (
            "`authentication.clientCaCertSecret`",
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
            field: Cow::Borrowed(field),
            name: name_node.as_str().map(Box::from),
            name_target,
            key: key.as_ref().and_then(|(n, _)| n.as_str()).map(Box::from),
            key_target: key.map(|(_, at)| at),
        });
    }
    // A string `tlsSecretRef` is a schema error reported elsewhere.
    if let Some((name_node, name_target)) = fields.at(&["spec", "tlsSecretRef", "name"], paths) {
        found.push(SecretRef {
            field: Cow::Borrowed("`tlsSecretRef`"),
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
                field: Cow::Owned(format!("env `{}`", var.name)),
                name: name.as_str().map(Box::from),
                name_target: paths.share(cr.target(name)),
                key: key.and_then(Node::as_str).map(Box::from),
                key_target: key.map(|k| paths.share(cr.target(k))),
            });
        }
    }
    found
}
