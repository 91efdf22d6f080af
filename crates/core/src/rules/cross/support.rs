//! What the cross-resource rules share: namespaces, Secrets (and what generates them), the ACL
//! a CR runs with, label selectors and the pod templates of other workloads.

use crate::acl::commands::{self, Dialect};
use crate::acl::eval::{command_index, EffectiveUser};
use crate::acl::found::FoundAcl;
use crate::bundle::Bundle;
use crate::document::Node;
use crate::netpol::selector::{self, Selector};
use crate::netpol::{Problems, Site};
use crate::resource::{resource_roots, Resource};

/// Two namespaces are the same when equal, or when either is not written (`kubectl apply -n`
/// or kustomize decides it, and the files of one directory usually share it).
pub fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// A map node's keys, as text.
fn map_keys(node: Option<&Node>) -> impl Iterator<Item = String> + '_ {
    node.and_then(Node::as_map)
        .into_iter()
        .flatten()
        .map(|e| e.key.key_text())
}

/// Whether a Secret holds a key, in `data` or `stringData`.
pub fn secret_has_key(secret: &Resource<'_>, key: &str) -> bool {
    ["data", "stringData"]
        .iter()
        .any(|field| map_keys(secret.root.get(field)).any(|k| k == key))
}

/// The Secrets named `name` in the namespace of `namespace`.
pub fn secrets_named<'b, 'd>(
    bundle: &'b Bundle<'d>,
    name: &'b str,
    namespace: Option<&'b str>,
) -> impl Iterator<Item = &'b Resource<'d>> + 'b {
    bundle
        .secrets_named(name)
        .filter(move |s| same_namespace(s.namespace(), namespace))
}

/// A resource that makes a Secret in the cluster: a Bitnami SealedSecret or an
/// external-secrets ExternalSecret. Linting the Secrets of a GitOps repository means linting
/// these, since plain Secrets rarely live in Git.
pub struct SecretGenerator {
    pub name: String,
    pub namespace: Option<String>,
    /// The keys the generated Secret will have; `None` when they cannot be known
    /// (`dataFrom`, templates).
    pub keys: Option<Vec<String>>,
}

/// (Reads kinds that are in `resource::CONTEXT_KINDS`: a kind read from the documents here
/// must be there, or the loader lets its documents go before any rule sees them.)
pub fn secret_generators(bundle: &Bundle<'_>) -> Vec<SecretGenerator> {
    let mut found = Vec::new();
    for doc in &bundle.loaded.documents {
        for root in resource_roots(&doc.root) {
            let kind = root.get("kind").and_then(Node::as_str);
            let group = root
                .get("apiVersion")
                .and_then(Node::as_str)
                .and_then(|v| v.split('/').next())
                .unwrap_or("");
            let own_name = root.at(&["metadata", "name"]).and_then(Node::as_str);
            let namespace = root
                .at(&["metadata", "namespace"])
                .and_then(Node::as_str)
                .map(str::to_string);
            let (name, keys) = match (kind, group) {
                (Some("SealedSecret"), "bitnami.com") => {
                    let template = root.at(&["spec", "template"]);
                    let name = template
                        .and_then(|t| t.at(&["metadata", "name"]))
                        .and_then(Node::as_str)
                        .or(own_name);
                    let keys = map_keys(root.at(&["spec", "encryptedData"]))
                        .chain(map_keys(template.and_then(|t| t.get("data"))))
                        .collect();
                    (name, Some(keys))
                }
                (Some("ExternalSecret"), "external-secrets.io") => {
                    let name = root
                        .at(&["spec", "target", "name"])
                        .and_then(Node::as_str)
                        .or(own_name);
                    (name, None)
                }
                _ => continue,
            };
            if let Some(name) = name {
                found.push(SecretGenerator {
                    name: name.to_string(),
                    namespace,
                    keys,
                });
            }
        }
    }
    found
}

pub use crate::acl::found::CrAcl;

pub fn cr_acl<'a, 'd>(bundle: &'a Bundle<'d>, cr_index: usize) -> CrAcl<'a, 'd> {
    crate::acl::found::acl_of_cr(&bundle.acls, &bundle.crs[cr_index], cr_index)
}

/// Users that can connect and run a command the predicate accepts. A rejected ACL file does
/// not stop Dragonfly at startup: it runs with the built-in `default` user instead.
pub fn users_allowing(acl: Option<&FoundAcl<'_>>, dialect: Dialect, names: &[&str]) -> Vec<String> {
    let allows = |user: &EffectiveUser, dialect: Dialect| {
        names.iter().any(|n| {
            commands::lookup(dialect, n).is_some_and(|c| {
                let index = command_index(dialect, c);
                user.permission_sets().any(|p| p.allows(index))
            })
        })
    };
    match acl {
        Some(acl) if !acl.file.rejected() => acl
            .users
            .iter()
            .filter(|u| u.enabled && allows(u, acl.file.dialect))
            .map(|u| u.name.clone())
            .collect(),
        _ => {
            let builtin = EffectiveUser::builtin_default(dialect);
            if allows(&builtin, dialect) {
                vec![builtin.name]
            } else {
                Vec::new()
            }
        }
    }
}

/// `a, b, c` — at most `max` names, then `and N more`.
pub fn name_list(names: &[String], max: usize) -> String {
    let shown: Vec<String> = names.iter().take(max).map(|n| format!("`{n}`")).collect();
    let mut text = shown.join(", ");
    if names.len() > max {
        text.push_str(&format!(" and {} more", names.len() - max));
    }
    text
}

/// A set of labels; `role` stands for the label the operator's controller switches between
/// `master` and `replica`.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    pub fixed: Vec<(String, String)>,
    pub roles: Vec<&'static str>,
}

impl Labels {
    pub fn add_map(&mut self, node: Option<&Node>) {
        // The keys already set, in a set: a scan of them for every label made a CR with
        // 100,000 pod labels and a monitor take 28 s.
        let mut present: std::collections::HashSet<String> =
            self.fixed.iter().map(|(k, _)| k.clone()).collect();
        for entry in node.and_then(Node::as_map).into_iter().flatten() {
            if let Some(value) = entry.value.scalar_text() {
                let key = entry.key.key_text();
                // The operator keeps its own labels when a user label has the same key.
                if present.insert(key.clone()) {
                    self.fixed.push((key, value));
                }
            }
        }
    }

    /// As [`Labels::add_map`], for label pairs read beforehand.
    pub fn add_pairs(&mut self, pairs: &[(String, String)]) {
        let mut present: std::collections::HashSet<&str> =
            self.fixed.iter().map(|(k, _)| k.as_str()).collect();
        let mut added = Vec::new();
        for (key, value) in pairs {
            if present.insert(key) {
                added.push((key.clone(), value.clone()));
            }
        }
        self.fixed.extend(added);
    }

    pub fn add(&mut self, key: &str, value: &str) {
        self.fixed.retain(|(k, _)| k != key);
        self.fixed.push((key.to_string(), value.to_string()));
    }

    /// The concrete label sets these stand for (one per role). Checks that match many
    /// selectors against the same labels make them once.
    pub fn label_sets(&self) -> Vec<crate::netpol::Labels> {
        let base: crate::netpol::Labels = self.fixed.iter().cloned().collect();
        if self.roles.is_empty() {
            return vec![base];
        }
        self.roles
            .iter()
            .map(|role| {
                let mut set = base.clone();
                set.insert("role".to_string(), role.to_string());
                set
            })
            .collect()
    }
}

/// Reads a Kubernetes label selector (`matchLabels`, `matchExpressions`) of a resource with
/// the network model's reader. `None` when it is malformed: it then selects nothing (the
/// reader's problems are for the network-policy rules; here they only mean "no match").
pub fn read_selector(resource: &Resource<'_>, node: &Node) -> Option<Selector> {
    let mut ignored = Problems::default();
    selector::read(Site::new(resource.doc, node), &mut ignored)
}

/// Whether a monitor's `namespaceSelector` (`any`, `matchNames`; absent = the monitor's own
/// namespace) includes a namespace.
pub fn namespace_selected(monitor: &Resource<'_>, namespace: Option<&str>) -> bool {
    let Some(selector) = monitor.root.at(&["spec", "namespaceSelector"]) else {
        return same_namespace(monitor.namespace(), namespace);
    };
    if selector.get("any").and_then(Node::as_bool) == Some(true) {
        return true;
    }
    match selector.get("matchNames").and_then(Node::as_seq) {
        Some(names) if !names.is_empty() => {
            namespace.is_none() || names.iter().any(|n| n.as_str() == namespace)
        }
        _ => same_namespace(monitor.namespace(), namespace),
    }
}

pub use crate::k8s::Port;

/// A pod template or Service of another workload in the input, with its labels and ports.
pub struct OtherWorkload {
    pub namespace: Option<String>,
    pub labels: Labels,
    pub ports: Vec<Port>,
}

/// The pods other workloads in the input would create (`Pod`, `Deployment`, `StatefulSet`,
/// `DaemonSet`, `ReplicaSet`, `Job`, `CronJob`: `resource::WORKLOAD_KINDS`, which the loader
/// keeps) and their container ports.
pub fn other_pods(bundle: &Bundle<'_>) -> Vec<OtherWorkload> {
    let mut found = Vec::new();
    for doc in &bundle.loaded.documents {
        for root in resource_roots(&doc.root) {
            let template = match root.get("kind").and_then(Node::as_str) {
                Some("Pod") => Some(root),
                Some("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job") => {
                    root.at(&["spec", "template"])
                }
                Some("CronJob") => root.at(&["spec", "jobTemplate", "spec", "template"]),
                _ => None,
            };
            let Some(template) = template else { continue };
            let mut labels = Labels::default();
            labels.add_map(template.at(&["metadata", "labels"]));
            let mut ports = Vec::new();
            for field in ["containers", "initContainers"] {
                let containers = template.at(&["spec", field]).and_then(Node::as_seq);
                ports.extend(containers.into_iter().flatten().flat_map(container_ports));
            }
            found.push(OtherWorkload {
                namespace: namespace_of(root),
                labels,
                ports,
            });
        }
    }
    found
}

/// The Services in the input (they are not linted themselves, but kept for this:
/// `resource::CONTEXT_KINDS`) with their labels and ports.
pub fn services(bundle: &Bundle<'_>) -> Vec<OtherWorkload> {
    let mut found = Vec::new();
    for doc in &bundle.loaded.documents {
        for root in resource_roots(&doc.root) {
            if root.get("kind").and_then(Node::as_str) != Some("Service")
                || root.get("apiVersion").and_then(Node::as_str) != Some("v1")
            {
                continue;
            }
            let mut labels = Labels::default();
            labels.add_map(root.at(&["metadata", "labels"]));
            let ports = root
                .at(&["spec", "ports"])
                .and_then(Node::as_seq)
                .into_iter()
                .flatten()
                .map(|p| Port {
                    name: p.get("name").and_then(Node::as_str).map(str::to_string),
                    number: p.get("port").and_then(Node::as_i64),
                    target: p.get("targetPort").and_then(Node::scalar_text),
                })
                .collect();
            found.push(OtherWorkload {
                namespace: namespace_of(root),
                labels,
                ports,
            });
        }
    }
    found
}

fn namespace_of(root: &Node) -> Option<String> {
    root.at(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .map(str::to_string)
}

pub use crate::k8s::container_ports;
