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

    /// `kind/name` (or `kind` when unnamed), for messages.
    pub fn display_name(&self) -> String {
        match self.name() {
            Some(name) => format!("{}/{name}", self.kind.name()),
            None => self.kind.name().to_string(),
        }
    }
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
