//! The network model around Dragonfly pods: NetworkPolicy, CiliumNetworkPolicy and
//! CiliumClusterwideNetworkPolicy read into one shape, the Dragonfly instances and their
//! ports, and who may connect to what ([`reach`]).
//!
//! Everything keeps the document node it came from, so every allowed path can be explained
//! with a location; locations are turned into [`Target`]s only when a rule reports.

pub mod cidr;
pub mod instance;
mod parse;
pub mod peer;
pub mod ports;
pub mod privilege;
pub mod reach;
pub mod selector;

use std::collections::HashMap;

use crate::config::LintConfig;
use crate::document::{Document, Node};
use crate::dragonfly::facts::CrFacts;
use crate::resource::Resource;
use crate::target::Target;

pub use instance::{Instance, InstancePort, PortKind, Role, Standalone};
pub use peer::{Namespaces, Peer, PeerClass, PeerKind};
pub use ports::{PortMatch, PortQuery, PortSpec, Ports, Protocol};
pub use privilege::{Access, Grant};
pub use selector::{Labels, Selector};

/// Where a part of the model comes from: a node in a document, kept instead of a [`Target`]
/// because computing a JSON path is only worth it for the few nodes a finding points at; or,
/// for what is made from a Dragonfly CR, a place kept from it (its tree is gone by then).
#[derive(Clone, Copy, Debug)]
pub enum Site<'d> {
    Node { doc: &'d Document, node: &'d Node },
    Fixed(&'d Target),
}

/// What [`Site::node`] gives for a kept place: nothing to read.
static NO_NODE: Node = Node {
    value: crate::document::Value::Null,
    span: crate::source::Span { start: 0, end: 0 },
    style: crate::document::ScalarStyle::Plain,
};

impl<'d> Site<'d> {
    pub fn new(doc: &'d Document, node: &'d Node) -> Self {
        Site::Node { doc, node }
    }

    /// The node to read. Only the policy readers read sites, and theirs are all nodes; a
    /// kept place reads as an empty (null) node.
    pub fn node(&self) -> &'d Node {
        match self {
            Site::Node { node, .. } => node,
            Site::Fixed(_) => &NO_NODE,
        }
    }

    /// Another node of the same document (a kept place has no document: it stays).
    pub fn at(&self, node: &'d Node) -> Site<'d> {
        match self {
            Site::Node { doc, .. } => Site::Node { doc, node },
            Site::Fixed(_) => *self,
        }
    }

    pub fn target(&self) -> Target {
        match self {
            Site::Node { doc, node } => Target::node(doc, node),
            Site::Fixed(target) => (*target).clone(),
        }
    }
}

/// Something in a policy dflint could not read; the rest of the policy is still modelled.
#[derive(Clone, Debug)]
pub struct Problem<'d> {
    pub site: Site<'d>,
    pub message: String,
}

/// What the policy readers could not read. It also carries the list limit, because every
/// reader that reads a list reports its problems here.
#[derive(Debug)]
pub struct Problems<'d> {
    pub found: Vec<Problem<'d>>,
    /// Lists longer than this are read only this far (and reported), so a generated policy
    /// with millions of peers cannot stall a run (`Limits::max_network_policy_list_entries`).
    pub max_list_entries: usize,
}

impl Default for Problems<'_> {
    fn default() -> Self {
        Problems::new(crate::limits::Limits::default().max_network_policy_list_entries)
    }
}

impl<'d> Problems<'d> {
    pub fn new(max_list_entries: usize) -> Self {
        Problems {
            found: Vec::new(),
            max_list_entries,
        }
    }

    pub fn push(&mut self, site: Site<'d>, message: impl Into<String>) {
        self.found.push(Problem {
            site,
            message: message.into(),
        });
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    NetworkPolicy,
    CiliumNetworkPolicy,
    CiliumClusterwideNetworkPolicy,
    /// The NetworkPolicy dragonfly-operator creates for a CR (not in the input).
    Operator,
}

impl PolicyKind {
    pub fn is_cilium(self) -> bool {
        matches!(
            self,
            PolicyKind::CiliumNetworkPolicy | PolicyKind::CiliumClusterwideNetworkPolicy
        )
    }
}

/// One allow or deny rule of a policy direction.
#[derive(Clone, Debug)]
pub struct PolicyRule<'d> {
    pub site: Site<'d>,
    /// Position in its list (`ingress[2]`), for explanations.
    pub index: usize,
    /// Who the rule admits; empty admits nobody.
    pub peers: Vec<Peer<'d>>,
    pub ports: Ports<'d>,
}

#[derive(Clone, Debug, Default)]
pub struct Direction<'d> {
    /// Selecting a pod with this policy puts the pod into default deny for this direction.
    pub enforces: bool,
    pub allow: Vec<PolicyRule<'d>>,
    /// Cilium `ingressDeny` / `egressDeny`: win over every allow.
    pub deny: Vec<PolicyRule<'d>>,
    /// Cilium `enableDefaultDeny.<direction>: false`, when the policy still lists rules.
    pub default_deny_off: Option<Site<'d>>,
    /// The list's field name (`ingress`, `egress`), for explanations.
    pub field: &'static str,
}

#[derive(Clone, Debug)]
pub struct Policy<'d> {
    pub kind: PolicyKind,
    /// `NetworkPolicy/name` or, for the operator's, a description.
    pub name: String,
    /// "" when the policy has no namespace (applied to the current namespace) or is clusterwide.
    pub namespace: String,
    /// The pods the policy applies to; `None` when the selector could not be read.
    pub pods: Option<Selector>,
    /// The namespaces of the selected pods.
    pub pod_namespaces: Namespaces,
    pub site: Site<'d>,
    pub ingress: Direction<'d>,
    pub egress: Direction<'d>,
    /// The resource, for policies from the input.
    pub resource: Option<Resource<'d>>,
    /// The CR whose operator-generated policy this is.
    pub operator_for: Option<usize>,
}

impl<'d> Policy<'d> {
    pub fn direction(&self, ingress: bool) -> &Direction<'d> {
        if ingress {
            &self.ingress
        } else {
            &self.egress
        }
    }

    /// Whether the policy applies to the pods of `instance` in `role`.
    pub fn selects(
        &self,
        instance: &Instance<'_>,
        role: Role,
        namespaces: &NamespaceLabels,
    ) -> bool {
        self.selects_pods(&instance.namespace, &instance.pod_labels(role), namespaces)
    }

    /// Whether the policy applies to pods with these labels in this namespace.
    pub fn selects_pods(
        &self,
        namespace: &str,
        labels: &Labels,
        namespaces: &NamespaceLabels,
    ) -> bool {
        let Some(pods) = &self.pods else {
            return false;
        };
        pods.matches(labels) && self.pod_namespaces.admits(namespace, namespaces)
    }
}

/// Labels of the namespaces seen in the input, beyond `kubernetes.io/metadata.name`.
#[derive(Clone, Debug, Default)]
pub struct NamespaceLabels {
    known: Vec<(String, Labels)>,
}

impl NamespaceLabels {
    pub fn labels_of(&self, namespace: &str) -> Labels {
        let mut labels = self
            .known
            .iter()
            .find(|(n, _)| n == namespace)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        labels.insert(
            "kubernetes.io/metadata.name".to_string(),
            namespace.to_string(),
        );
        labels
    }

    pub fn add(&mut self, namespace: String, labels: Labels) {
        self.known.push((namespace, labels));
    }

    /// Namespaces of the input that a namespace selector picks, for explanations.
    pub fn matching(&self, selector: &Selector) -> Vec<&str> {
        self.known
            .iter()
            .filter(|(n, _)| selector.matches(&self.labels_of(n)))
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

/// Every policy and Dragonfly instance of a bundle.
///
/// Policies are numbered: first those of the input (`policies`), then one per instance for
/// the NetworkPolicy dragonfly-operator creates for it (`policies.len() + instance`). The
/// operator's are not kept: each follows from its instance, [`NetworkModel::policy`] makes
/// one when asked, and reachability reads them without making them (materialised, they took
/// 1.8 KB per CR, most of the model of a file of 10,000 CRs).
#[derive(Debug, Default)]
pub struct NetworkModel<'d> {
    /// The policies of the input.
    pub policies: Vec<Policy<'d>>,
    pub instances: Vec<Instance<'d>>,
    pub problems: Vec<Problem<'d>>,
    pub namespaces: NamespaceLabels,
    /// For each instance and role (`instance_roles[i][r]`): the input's policies selecting
    /// its pods.
    selecting: Vec<Vec<Vec<usize>>>,
    /// The instances whose operator policy selects an instance, where that is not just the
    /// instance itself (another CR of the same name; a CR without a namespace). Absent: the
    /// instance's own, when it has one.
    operator_selecting: HashMap<usize, Vec<usize>>,
    /// `network.operatorNamespace` of the settings.
    operator_namespace: Option<String>,
    /// For each policy: whether it selects the pods of any instance.
    selects_any: Vec<bool>,
}

impl<'d> NetworkModel<'d> {
    pub fn build(
        resources: &[Resource<'d>],
        documents: &'d [Document],
        crs: &'d [CrFacts],
        config: &LintConfig,
    ) -> NetworkModel<'d> {
        let mut problems = Problems::new(config.limits.max_network_policy_list_entries);
        let mut policies = Vec::new();
        for resource in resources {
            parse::read_policies(*resource, &mut policies, &mut problems);
        }
        let namespaces = parse::namespace_labels(documents);
        let mut instances = instance::from_crs(crs);
        // Pods and workloads running the image themselves are instances too; only an input
        // with neither falls back on the operator's label conventions.
        instances.extend(instance::from_workloads(documents, config));
        if instances.is_empty() {
            instances = instance::from_label_conventions(&policies);
        }

        // A policy only selects pods in the namespaces it names, and a selector pinning `app`
        // only pods of that instance: index them, so a bundle of thousands of CRs (each
        // with its operator policy) is not quadratic.
        type Key<'k> = (&'k str, Option<&'k str>);
        let mut indexed: HashMap<Key<'_>, Vec<usize>> = HashMap::new();
        let mut wide = Vec::new();
        for (index, policy) in policies.iter().enumerate() {
            match &policy.pod_namespaces {
                Namespaces::Names(names) if names.iter().all(|n| !n.is_empty()) => {
                    let app = policy.pods.as_ref().and_then(|p| p.pinned("app"));
                    for name in names {
                        indexed.entry((name.as_str(), app)).or_default().push(index);
                    }
                }
                _ => wide.push(index),
            }
        }
        let all: Vec<usize> = (0..policies.len()).collect();
        let selecting: Vec<Vec<Vec<usize>>> = instances
            .iter()
            .map(|inst| {
                let candidates = if inst.namespace.is_empty() {
                    all.clone()
                } else {
                    let namespace = inst.namespace.as_ref();
                    let app = inst.labels.get("app");
                    let mut named = indexed.get(&(namespace, None)).cloned().unwrap_or_default();
                    if app.is_some() {
                        named.extend(indexed.get(&(namespace, app)).into_iter().flatten());
                    }
                    named.extend(&wide);
                    // Policy order, as without the index (explanations list policies in it).
                    named.sort_unstable();
                    named.dedup();
                    named
                };
                inst.roles()
                    .iter()
                    .map(|role| {
                        let labels = inst.pod_labels(*role);
                        candidates
                            .iter()
                            .copied()
                            .filter(|&i| {
                                policies[i].selects_pods(&inst.namespace, &labels, &namespaces)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut selects_any = vec![false; policies.len()];
        for index in selecting.iter().flatten().flatten() {
            selects_any[*index] = true;
        }
        let operator_selecting = operator_selecting(&instances);
        NetworkModel {
            policies,
            instances,
            problems: problems.found,
            namespaces,
            selecting,
            operator_selecting,
            operator_namespace: config.network.operator_namespace.clone(),
            selects_any,
        }
    }

    /// The policies that select the pods of `instance` in `role`, in order: the input's,
    /// then the operator's.
    pub fn selecting(&self, instance: usize, role: Role) -> impl Iterator<Item = usize> + '_ {
        let inst = &self.instances[instance];
        let r = inst.roles().iter().position(|x| *x == role).unwrap_or(0);
        let listed = self.operator_selecting.get(&instance);
        let own = (inst.operator_policy && listed.is_none()).then_some(instance);
        let owners = own.into_iter().chain(listed.into_iter().flatten().copied());
        self.selecting[instance][r]
            .iter()
            .copied()
            .chain(owners.map(|owner| self.policies.len() + owner))
    }

    /// The instance whose operator policy `index` is, if it is one.
    pub fn operator_instance(&self, index: usize) -> Option<usize> {
        index
            .checked_sub(self.policies.len())
            .filter(|i| *i < self.instances.len())
    }

    /// Policy `index`: the input's, or the operator's for an instance, made for the caller.
    pub fn policy(&self, index: usize) -> std::borrow::Cow<'_, Policy<'d>> {
        match self.operator_instance(index) {
            Some(instance) => std::borrow::Cow::Owned(parse::operator_policy(
                instance,
                &self.instances[instance],
                self.operator_namespace.as_deref(),
            )),
            None => std::borrow::Cow::Borrowed(&self.policies[index]),
        }
    }

    /// Whether policy `index` puts the pods it selects into default deny for a direction.
    pub fn enforces(&self, index: usize, ingress: bool) -> bool {
        match self.operator_instance(index) {
            Some(_) => ingress,
            None => self.policies[index].direction(ingress).enforces,
        }
    }

    /// The name of policy `index`, for messages.
    pub fn policy_name(&self, index: usize) -> std::borrow::Cow<'_, str> {
        match self.operator_instance(index) {
            Some(instance) => parse::operator_policy_name(&self.instances[instance]).into(),
            None => self.policies[index].name.as_str().into(),
        }
    }

    /// Whether any instance's pods are selected by the policy.
    pub fn policy_selects_any(&self, policy: usize) -> bool {
        self.selects_any.get(policy).copied().unwrap_or(false)
    }
}

/// Which instances' operator policies select each instance, where that is not just its own
/// (see `NetworkModel::operator_selecting`). The operator's policy selects the pods labelled
/// `app=<name>` (and its two fixed labels) in its namespace; a CR without a namespace
/// matches any.
fn operator_selecting(instances: &[Instance<'_>]) -> HashMap<usize, Vec<usize>> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, instance) in instances.iter().enumerate() {
        if instance.cr.is_some() {
            by_name
                .entry(instance.name.as_ref())
                .or_default()
                .push(index);
        }
    }
    let mut unusual = HashMap::new();
    for (index, instance) in instances.iter().enumerate() {
        let Some(same_name) = by_name.get(instance.name.as_ref()) else {
            continue;
        };
        let owners: Vec<usize> = same_name
            .iter()
            .copied()
            .filter(|&owner| {
                let other = &instances[owner];
                other.operator_policy
                    && (other.namespace == instance.namespace
                        || other.namespace.is_empty()
                        || instance.namespace.is_empty())
            })
            .collect();
        let usual = if instance.operator_policy {
            owners == [index]
        } else {
            owners.is_empty()
        };
        if !usual {
            unusual.insert(index, owners);
        }
    }
    unusual
}
