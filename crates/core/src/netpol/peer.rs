//! The peers a rule admits, and what they mean for a Dragonfly instance.

use super::cidr::Cidr;
use super::selector::Selector;
use super::{Instance, NamespaceLabels, Site};
use crate::config::NetworkSettings;

/// Cilium entities dflint knows (Cilium 1.14–1.16).
pub const ENTITIES: &[&str] = &[
    "all",
    "world",
    "world-ipv4",
    "world-ipv6",
    "cluster",
    "host",
    "remote-node",
    "kube-apiserver",
    "ingress",
    "init",
    "health",
    "unmanaged",
    "none",
];

/// Which namespaces a pod peer's pods may live in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Namespaces {
    /// These namespaces; "" is the policy's own namespace when the policy names none.
    Names(Vec<String>),
    /// Namespaces whose labels match.
    Selector(Selector),
    All,
    /// The namespace dragonfly-operator runs in, when the configuration does not name it.
    OperatorNamespace,
}

impl Namespaces {
    pub fn admits(&self, namespace: &str, labels: &NamespaceLabels) -> bool {
        match self {
            Namespaces::Names(names) => names
                .iter()
                .any(|n| n == namespace || n.is_empty() || namespace.is_empty()),
            Namespaces::Selector(selector) => selector.matches(&labels.labels_of(namespace)),
            Namespaces::All => true,
            Namespaces::OperatorNamespace => false,
        }
    }

    /// Exactly the one namespace `namespace` (or the unnamed policy namespace).
    fn is_only(&self, namespace: &str) -> bool {
        matches!(self, Namespaces::Names(names)
            if !names.is_empty() && names.iter().all(|n| n == namespace || n.is_empty() || namespace.is_empty()))
    }

    fn single_name(&self) -> Option<&str> {
        match self {
            Namespaces::Names(names) if names.len() == 1 => Some(&names[0]),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Namespaces::Names(names) if names.iter().all(String::is_empty) => {
                "the policy's namespace".to_string()
            }
            Namespaces::Names(names) if names.len() == 1 => format!("namespace {}", names[0]),
            Namespaces::Names(names) => format!("namespaces {}", names.join(", ")),
            Namespaces::Selector(s) => format!("namespaces labelled {s}"),
            Namespaces::All => "every namespace".to_string(),
            Namespaces::OperatorNamespace => "the operator's namespace".to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerKind {
    /// The rule does not restrict peers (NetworkPolicy without `from`/`to`, a Cilium rule with
    /// only `toPorts`): every pod and every address.
    Anyone,
    Pods {
        namespaces: Namespaces,
        pods: Selector,
    },
    Cidr {
        block: Cidr,
        except: Vec<Cidr>,
    },
    /// A Cilium entity (`world`, `cluster`, …), one of [`ENTITIES`].
    Entity(&'static str),
    /// Cilium `toFQDNs`: `matchName` or `matchPattern`.
    Fqdn(String),
    /// Peers dflint does not resolve (`toServices`, `toGroups`, `fromNodes`, …), described.
    Other(String),
}

#[derive(Clone, Debug)]
pub struct Peer<'d> {
    pub kind: PeerKind,
    pub site: Site<'d>,
}

impl PeerKind {
    pub fn describe(&self) -> String {
        match self {
            PeerKind::Anyone => "any source (the rule names no peers)".to_string(),
            PeerKind::Pods { namespaces, pods } if pods.is_empty() => {
                format!("every pod in {}", namespaces.describe())
            }
            PeerKind::Pods { namespaces, pods } => {
                format!("pods labelled {pods} in {}", namespaces.describe())
            }
            PeerKind::Cidr { block, except } if except.is_empty() => format!("addresses {block}"),
            PeerKind::Cidr { block, except } => format!(
                "addresses {block} except {}",
                except
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            PeerKind::Entity(e) => format!("entity `{e}`"),
            PeerKind::Fqdn(name) => format!("DNS name {name}"),
            PeerKind::Other(text) => text.clone(),
        }
    }

    /// Every peer `self` admits is admitted by `broader` (decided conservatively: `false`
    /// when unsure, so a deny rule only removes paths it certainly covers).
    pub fn is_within(&self, broader: &PeerKind) -> bool {
        use PeerKind::*;
        match (self, broader) {
            (_, Anyone) | (_, Entity("all")) => true,
            (Entity(a), Entity(b)) => {
                a == b
                    || (*b == "world" && a.starts_with("world-"))
                    || (*b == "cluster"
                        && matches!(
                            *a,
                            "host"
                                | "remote-node"
                                | "kube-apiserver"
                                | "init"
                                | "health"
                                | "ingress"
                        ))
            }
            (Pods { .. }, Entity("cluster")) => true,
            (
                Pods {
                    namespaces: na,
                    pods: pa,
                },
                Pods {
                    namespaces: nb,
                    pods: pb,
                },
            ) => pa.is_within(pb) && namespaces_within(na, nb),
            (Cidr { block: a, .. }, Cidr { block: b, except }) => {
                b.contains(a) && !except.iter().any(|x| x.contains(a) || a.contains(x))
            }
            (Cidr { .. }, Entity("world")) => true,
            (a, b) => a == b,
        }
    }
}

fn namespaces_within(narrow: &Namespaces, broad: &Namespaces) -> bool {
    match (narrow, broad) {
        (_, Namespaces::All) => true,
        (Namespaces::Names(a), Namespaces::Names(b)) => a.iter().all(|n| b.contains(n)),
        (a, b) => a == b,
    }
}

/// What a peer is, seen from one Dragonfly instance: the port-separation rules allow the
/// admin port only to the first three.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerClass {
    /// dragonfly-operator's pods.
    Operator,
    /// The instance's own pods (replication).
    OwnPods,
    /// A metrics scraper (configured, or a well-known scraper's labels).
    Scraper,
    /// Labelled pods of one or more namespaces.
    SelectedPods {
        same_namespace: bool,
    },
    /// Every pod of one namespace or a list of them.
    WholeNamespace {
        same_namespace: bool,
    },
    /// Pods of namespaces picked by labels, or of every namespace.
    ManyNamespaces,
    /// An IP block.
    Addresses,
    /// A Cilium entity.
    Entity,
    /// No restriction at all.
    Anyone,
    Other,
}

impl PeerClass {
    /// Only inside the instance's namespace.
    pub fn stays_in_namespace(self) -> bool {
        matches!(
            self,
            PeerClass::OwnPods
                | PeerClass::SelectedPods {
                    same_namespace: true
                }
                | PeerClass::WholeNamespace {
                    same_namespace: true
                }
        )
    }
}

/// Label values of well-known Prometheus-compatible scrapers, accepted on the admin port when
/// the configuration lists no scrapers.
const KNOWN_SCRAPERS: &[&str] = &[
    "prometheus",
    "vmagent",
    "victoria-metrics-agent",
    "grafana-agent",
    "alloy",
    "opentelemetry-collector",
    "otel-collector",
    "datadog-agent",
];
const SCRAPER_LABEL_KEYS: &[&str] = &["app.kubernetes.io/name", "app", "k8s-app", "name"];

/// Labels dragonfly-operator's controller pods carry (the kubebuilder convention it keeps).
pub const OPERATOR_POD_LABEL: (&str, &str) = ("control-plane", "controller-manager");

pub fn classify(kind: &PeerKind, instance: &Instance<'_>, network: &NetworkSettings) -> PeerClass {
    match kind {
        PeerKind::Anyone => PeerClass::Anyone,
        PeerKind::Entity(_) => PeerClass::Entity,
        PeerKind::Cidr { .. } => PeerClass::Addresses,
        PeerKind::Fqdn(_) | PeerKind::Other(_) => PeerClass::Other,
        PeerKind::Pods {
            namespaces: ns,
            pods,
        } => {
            let same_namespace = ns.is_only(&instance.namespace);
            if is_operator(ns, pods, network) {
                return PeerClass::Operator;
            }
            if same_namespace
                && !pods.is_empty()
                && instance
                    .roles()
                    .iter()
                    .all(|r| pods.matches(&instance.pod_labels(*r)))
            {
                return PeerClass::OwnPods;
            }
            if is_scraper(ns, pods, network) {
                return PeerClass::Scraper;
            }
            match ns {
                Namespaces::Names(_) if pods.is_empty() => {
                    PeerClass::WholeNamespace { same_namespace }
                }
                Namespaces::Names(_) | Namespaces::OperatorNamespace => {
                    PeerClass::SelectedPods { same_namespace }
                }
                Namespaces::Selector(_) | Namespaces::All => PeerClass::ManyNamespaces,
            }
        }
    }
}

fn is_operator(namespaces: &Namespaces, pods: &Selector, network: &NetworkSettings) -> bool {
    let labelled = pods.pinned(OPERATOR_POD_LABEL.0) == Some(OPERATOR_POD_LABEL.1)
        || SCRAPER_LABEL_KEYS
            .iter()
            .any(|k| pods.pinned(k) == Some("dragonfly-operator"));
    let in_operator_namespace = match (namespaces, &network.operator_namespace) {
        (Namespaces::OperatorNamespace, _) => true,
        (ns, Some(op)) => ns.single_name() == Some(op.as_str()),
        // Unknown operator namespace: one named namespace is the best evidence there is.
        (ns, None) => ns.single_name().is_some(),
    };
    labelled && in_operator_namespace
}

fn is_scraper(namespaces: &Namespaces, pods: &Selector, network: &NetworkSettings) -> bool {
    if pods.is_empty() {
        return false;
    }
    if !network.metrics_scrapers.is_empty() {
        return network.metrics_scrapers.iter().any(|s| {
            let ns_ok = match &s.namespace {
                Some(n) => namespaces.single_name() == Some(n.as_str()),
                None => true,
            };
            ns_ok
                && !s.match_labels.is_empty()
                && s.match_labels
                    .iter()
                    .all(|(k, v)| pods.pinned(k) == Some(v.as_str()))
        });
    }
    namespaces.single_name().is_some()
        && SCRAPER_LABEL_KEYS.iter().any(|k| {
            pods.pinned(k).is_some_and(|v| {
                KNOWN_SCRAPERS
                    .iter()
                    .any(|s| v == *s || v.starts_with(&format!("{s}-")))
            })
        })
}

/// Whether a peer could be dragonfly-operator's pod (used to decide whether the operator can
/// still reach the admin port): `false` only when the peer certainly excludes it.
pub fn may_be_operator(
    kind: &PeerKind,
    namespaces: &NamespaceLabels,
    network: &NetworkSettings,
) -> bool {
    match kind {
        PeerKind::Anyone | PeerKind::Cidr { .. } => true,
        PeerKind::Entity(e) => matches!(*e, "all" | "cluster"),
        PeerKind::Fqdn(_) | PeerKind::Other(_) => false,
        PeerKind::Pods {
            namespaces: ns,
            pods,
        } => {
            let ns_ok = match (&network.operator_namespace, ns) {
                (_, Namespaces::OperatorNamespace | Namespaces::All) => true,
                (Some(op), ns) => ns.admits(op, namespaces),
                (None, _) => true,
            };
            ns_ok && (pods.is_empty() || is_operator(&Namespaces::OperatorNamespace, pods, network))
        }
    }
}
