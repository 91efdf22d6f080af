//! Who may connect to what: the union of the allow rules of every policy that selects a pod
//! (allows are additive), minus Cilium deny rules (deny wins), or everyone when no selecting
//! policy enforces the direction.

use super::parse::{operator_rule, operator_rule_count, operator_rule_port};
use super::peer::PeerKind;
use super::ports::{Coverage, PortQuery, Protocol};
use super::{InstancePort, NetworkModel, Peer, PolicyRule, Role};
use std::borrow::Cow;

/// One way through: a peer of a rule of a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Path {
    pub policy: usize,
    /// Index into the direction's `allow` (or `deny`, for a deny path).
    pub rule: usize,
    pub peer: usize,
    pub coverage: Coverage,
}

#[derive(Clone, Debug, Default)]
pub struct Reach {
    /// Some selecting policy puts the pods into default deny for this direction; when false,
    /// every peer gets through and `allowed` only lists what the policies would allow.
    pub enforced: bool,
    /// The policies that enforce (for explanations).
    pub enforced_by: Vec<usize>,
    pub allowed: Vec<Path>,
    /// Allowed paths removed by a deny rule: `(allowed, deny)`.
    pub denied: Vec<(Path, Path)>,
}

impl Reach {
    /// Whether any path admits a peer that satisfies `wanted` (everyone passes when the
    /// direction is not enforced).
    pub fn admits(
        &self,
        model: &NetworkModel<'_>,
        ingress: bool,
        wanted: impl Fn(&PeerKind) -> bool,
    ) -> bool {
        !self.enforced
            || self
                .allowed
                .iter()
                .any(|p| wanted(&model.peer(*p, ingress).kind))
    }
}

impl<'d> NetworkModel<'d> {
    /// The rule a path goes through (an operator policy's is made for the caller).
    pub fn rule(&self, path: Path, ingress: bool, deny: bool) -> Cow<'_, PolicyRule<'d>> {
        if let Some(instance) = self.operator_instance(path.policy) {
            let instance = &self.instances[instance];
            return Cow::Owned(operator_rule(
                instance,
                path.rule,
                self.operator_namespace.as_deref(),
            ));
        }
        let direction = self.policies[path.policy].direction(ingress);
        Cow::Borrowed(if deny {
            &direction.deny[path.rule]
        } else {
            &direction.allow[path.rule]
        })
    }

    pub fn peer(&self, path: Path, ingress: bool) -> Cow<'_, Peer<'d>> {
        match self.rule(path, ingress, false) {
            Cow::Borrowed(rule) => Cow::Borrowed(&rule.peers[path.peer]),
            Cow::Owned(mut rule) => Cow::Owned(rule.peers.swap_remove(path.peer)),
        }
    }

    /// Who may open connections to `port` on the instance's pods in `role`.
    pub fn ingress(&self, instance: usize, role: Role, port: InstancePort) -> Reach {
        let query = PortQuery {
            number: port.number,
            name: self.instances[instance].port_name(port),
            protocol: Protocol::Tcp,
        };
        self.reach(instance, role, true, query, |_| true)
    }

    /// Where the instance's pods in `role` may connect on `query`, among peers that satisfy
    /// `destination`.
    pub fn egress(
        &self,
        instance: usize,
        role: Role,
        query: PortQuery<'_>,
        destination: impl Fn(&PeerKind) -> bool,
    ) -> Reach {
        self.reach(instance, role, false, query, destination)
    }

    fn reach(
        &self,
        instance: usize,
        role: Role,
        ingress: bool,
        query: PortQuery<'_>,
        keep: impl Fn(&PeerKind) -> bool,
    ) -> Reach {
        let mut reach = Reach::default();
        let mut denies = Vec::new();
        for index in self.selecting(instance, role) {
            if let Some(owner) = self.operator_instance(index) {
                self.operator_reach(owner, index, ingress, query, &keep, &mut reach);
                continue;
            }
            let direction = self.policies[index].direction(ingress);
            if direction.enforces {
                reach.enforced = true;
                reach.enforced_by.push(index);
            }
            for (list, out) in [
                (&direction.allow, &mut reach.allowed),
                (&direction.deny, &mut denies),
            ] {
                for (r, rule) in list.iter().enumerate() {
                    let Some(coverage) = rule.ports.covers(query) else {
                        continue;
                    };
                    for (p, peer) in rule.peers.iter().enumerate() {
                        if keep(&peer.kind) || std::ptr::eq(list, &direction.deny) {
                            out.push(Path {
                                policy: index,
                                rule: r,
                                peer: p,
                                coverage,
                            });
                        }
                    }
                }
            }
        }
        if !denies.is_empty() {
            let mut kept = Vec::with_capacity(reach.allowed.len());
            for path in reach.allowed.drain(..) {
                let kind = &self.peer(path, ingress).kind;
                let by = denies.iter().find(|d| {
                    let deny_rule = self.rule(**d, ingress, true);
                    kind.is_within(&deny_rule.peers[d.peer].kind)
                });
                match by {
                    Some(by) => reach.denied.push((path, *by)),
                    None => kept.push(path),
                }
            }
            reach.allowed = kept;
        }
        reach
    }

    /// What the operator's policy for `owner` adds to a reach: it enforces ingress, and
    /// opens one port per rule. Only the rule covering the port is made.
    fn operator_reach(
        &self,
        owner: usize,
        index: usize,
        ingress: bool,
        query: PortQuery<'_>,
        keep: &impl Fn(&PeerKind) -> bool,
        reach: &mut Reach,
    ) {
        if !ingress {
            return;
        }
        reach.enforced = true;
        reach.enforced_by.push(index);
        let instance = &self.instances[owner];
        for rule in 0..operator_rule_count(instance) {
            let covered = operator_rule_port(instance, rule)
                .is_some_and(|port| port == query.number && Protocol::Tcp.covers(query.protocol));
            if !covered {
                continue;
            }
            let made = operator_rule(instance, rule, self.operator_namespace.as_deref());
            for (p, peer) in made.peers.iter().enumerate() {
                if keep(&peer.kind) {
                    reach.allowed.push(Path {
                        policy: index,
                        rule,
                        peer: p,
                        coverage: Coverage::Entry(0),
                    });
                }
            }
        }
    }

    /// Which policy rule opens a path: "CiliumNetworkPolicy/x ingress[2] on port 9999/TCP".
    pub fn explain(&self, path: Path, ingress: bool) -> String {
        let policy = self.policy(path.policy);
        let direction = policy.direction(ingress);
        let rule = &direction.allow[path.rule];
        let ports = match rule.ports.entry(path.coverage) {
            Some(entry) => entry.describe(),
            None => "every port (the rule lists none)".to_string(),
        };
        if policy.operator_for.is_some() {
            return format!("{} on {ports}", policy.name);
        }
        format!(
            "{} {}[{}] on {ports}",
            policy.name, direction.field, rule.index
        )
    }
}
