//! Recognising Kubernetes resources by apiVersion/kind.

use crate::document::{Document, Node};

/// The resource kinds dflint lints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Dragonfly,
    Secret,
    ConfigMap,
    NetworkPolicy,
    CiliumNetworkPolicy,
    CiliumClusterwideNetworkPolicy,
    /// Prometheus Operator scrape configs: checked against the ports Dragonfly pods serve.
    PodMonitor,
    ServiceMonitor,
    /// Not a kind of its own: a Pod or workload (or a compose service, or a flag file) that
    /// runs the Dragonfly server without the operator. Never recognised from `kind:`, so not
    /// in [`Kind::ALL`]; the resource's own `kind` names it in messages.
    DragonflyWorkload,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Dragonfly,
        Kind::Secret,
        Kind::ConfigMap,
        Kind::NetworkPolicy,
        Kind::CiliumNetworkPolicy,
        Kind::CiliumClusterwideNetworkPolicy,
        Kind::PodMonitor,
        Kind::ServiceMonitor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Dragonfly => "Dragonfly",
            Kind::Secret => "Secret",
            Kind::ConfigMap => "ConfigMap",
            Kind::NetworkPolicy => "NetworkPolicy",
            Kind::CiliumNetworkPolicy => "CiliumNetworkPolicy",
            Kind::CiliumClusterwideNetworkPolicy => "CiliumClusterwideNetworkPolicy",
            Kind::PodMonitor => "PodMonitor",
            Kind::ServiceMonitor => "ServiceMonitor",
            Kind::DragonflyWorkload => "workload",
        }
    }

    /// The apiVersion dflint understands for this kind.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Dragonfly => "dragonflydb.io/v1alpha1",
            Kind::Secret | Kind::ConfigMap => "v1",
            Kind::NetworkPolicy => "networking.k8s.io/v1",
            Kind::CiliumNetworkPolicy | Kind::CiliumClusterwideNetworkPolicy => "cilium.io/v2",
            Kind::PodMonitor | Kind::ServiceMonitor => "monitoring.coreos.com/v1",
            Kind::DragonflyWorkload => "",
        }
    }

    /// The kind named `kind`, if dflint lints it.
    pub fn by_name(kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == kind)
    }
}

/// What a document is, by its apiVersion and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recognition {
    Known(Kind),
    /// A kind dflint knows, under an apiVersion it does not (e.g. `dragonflydb.io/v1beta1`).
    UnknownApiVersion {
        kind: Kind,
        api_version: String,
    },
    /// Some other Kubernetes resource: counted and skipped.
    Other {
        kind: String,
    },
    /// Not a Kubernetes resource at all (no kind).
    NotAResource,
}

pub fn recognize(root: &Node) -> Recognition {
    let Some(kind) = root.get("kind").and_then(Node::as_str) else {
        return Recognition::NotAResource;
    };
    let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    match Kind::by_name(kind) {
        Some(known) if known.api_version() == api_version => Recognition::Known(known),
        Some(known) => Recognition::UnknownApiVersion {
            kind: known,
            api_version: api_version.to_string(),
        },
        None => Recognition::Other {
            kind: kind.to_string(),
        },
    }
}

/// One recognised resource: a document root, or an item of a `kind: List`.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'d> {
    pub kind: Kind,
    pub doc: &'d Document,
    pub root: &'d Node,
}

impl<'d> Resource<'d> {
    pub fn name(&self) -> Option<&'d str> {
        self.root.at(&["metadata", "name"]).and_then(Node::as_str)
    }

    pub fn namespace(&self) -> Option<&'d str> {
        self.root
            .at(&["metadata", "namespace"])
            .and_then(Node::as_str)
    }

    /// `kind/name` (or `kind` when unnamed), for messages. A workload is named by the
    /// `kind` it declares (`StatefulSet/cache`).
    pub fn display_name(&self) -> String {
        let kind = match self.kind {
            Kind::DragonflyWorkload => self
                .root
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or("workload"),
            kind => kind.name(),
        };
        match self.name() {
            Some(name) => format!("{kind}/{name}"),
            None => kind.to_string(),
        }
    }
}

/// The annotation that suppresses findings in the resource carrying it.
pub const IGNORE_ANNOTATION: &str = "dflint.io/ignore";

/// Kinds dflint does not lint but reads for context: the pods workloads create (whose ports
/// a monitor may scrape, whose labels a policy may select), Services, Namespaces (their labels
/// decide namespace selectors) and the objects that generate Secrets.
pub const WORKLOAD_KINDS: [&str; 7] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
];
/// Kinds that may install Dragonfly's Helm chart (Flux, Argo CD): read for the chart's
/// values.
pub const CHART_INSTALL_KINDS: [&str; 2] = ["HelmRelease", "Application"];
pub const CONTEXT_KINDS: [&str; 4] = ["Service", "Namespace", "SealedSecret", "ExternalSecret"];

/// The kinds of a document's resources when nothing in dflint reads the document beyond
/// counting them: every resource in it is of a kind dflint neither lints nor reads for
/// context (RBAC, Ingresses, other products' custom resources…), or no resource at all.
/// `None` when something reads it. Such a document is counted and let go as soon as it is
/// parsed: in a cluster dump most documents are of this sort.
pub fn unread_kinds(root: &Node) -> Option<Vec<String>> {
    let mut kinds = Vec::new();
    for resource in resource_roots(root) {
        match recognize(resource) {
            Recognition::Other { kind }
                if !WORKLOAD_KINDS.contains(&kind.as_str())
                    && !CHART_INSTALL_KINDS.contains(&kind.as_str())
                    && !CONTEXT_KINDS.contains(&kind.as_str()) =>
            {
                kinds.push(kind)
            }
            Recognition::NotAResource => {}
            _ => return None,
        }
    }
    Some(kinds)
}

/// The resource roots of a document: itself, or the items of a `v1 List`.
pub fn resource_roots(root: &Node) -> Vec<&Node> {
    let is_list = root.get("kind").and_then(Node::as_str) == Some("List")
        && root.get("apiVersion").and_then(Node::as_str) == Some("v1");
    match root.get("items").and_then(Node::as_seq) {
        Some(items) if is_list => items.iter().collect(),
        _ => vec![root],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_yaml;

    fn kinds_of(yaml: &str) -> Option<Vec<String>> {
        unread_kinds(&parse_yaml(yaml).roots[0])
    }

    #[test]
    fn only_documents_nothing_reads_are_unread() {
        let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n";
        assert_eq!(kinds_of(role), Some(vec!["Role".to_string()]));
        assert_eq!(kinds_of("just: values\n"), Some(vec![]));
        // Linted kinds, kinds read for context, and known kinds under another version are read.
        for read in [
            "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\n",
            "apiVersion: dragonflydb.io/v1beta1\nkind: Dragonfly\n",
            "apiVersion: v1\nkind: Secret\n",
            "apiVersion: apps/v1\nkind: StatefulSet\n",
            "apiVersion: v1\nkind: Service\n",
            "apiVersion: v1\nkind: Namespace\n",
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n",
        ] {
            assert_eq!(kinds_of(read), None, "{read}");
        }
        // A List is unread only when all of its items are.
        let list = |second: &str| {
            format!("apiVersion: v1\nkind: List\nitems:\n  - {{apiVersion: v1, kind: ServiceAccount}}\n  - {{apiVersion: v1, kind: {second}}}\n")
        };
        assert_eq!(
            kinds_of(&list("ServiceAccount")),
            Some(vec!["ServiceAccount".to_string(); 2])
        );
        assert_eq!(kinds_of(&list("Secret")), None);
    }

    #[test]
    fn unread_documents_are_counted_not_kept() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n---\napiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: c}\n---\n# nothing\n";
        let sources = [crate::source::Source::new("dump.yaml", text)];
        let loaded = crate::bundle::load(&sources);
        assert_eq!(loaded.documents.len(), 1);
        assert_eq!(
            loaded.documents[0].index, 1,
            "positions count every document"
        );
        assert_eq!(loaded.unread_documents, 1);
        let report = crate::lint(&sources, &crate::LintConfig::default());
        assert_eq!(report.summary.documents, 2);
        assert_eq!(report.summary.resources.get("Role"), Some(&1));
        assert_eq!(report.summary.resources.get("Dragonfly"), Some(&1));
    }
}
