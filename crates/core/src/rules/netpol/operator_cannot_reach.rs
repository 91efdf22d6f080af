use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::peer::may_be_operator;
use crate::netpol::{PeerKind, PortKind, PortQuery, Protocol, Role};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OperatorCannotReach;

static META: RuleMeta = RuleMeta {
    code: "DF307",
    name: "operator-cannot-reach",
    severity: Severity::Error,
    summary: "Policies keep dragonfly-operator or the replicas from the admin port: failover and replication break.",
    docs: rule_docs!("operator_cannot_reach.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::Dragonflies]),
};

impl Rule for OperatorCannotReach {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        for (index, instance) in model.instances.iter().enumerate() {
            if instance.cr.is_none() {
                continue;
            }
            let Some(admin) = instance.port(PortKind::Admin) else {
                continue;
            };
            let mut problems = Vec::new();
            for role in instance.roles() {
                let reach = model.ingress(index, *role, admin);
                if !reach.admits(model, true, |k| {
                    may_be_operator(k, &model.namespaces, &bundle.config.network)
                }) {
                    problems.push(format!(
                        "dragonfly-operator cannot reach the admin port {} of the {} pods (it promotes masters, points replicas at them and kills stale clients there)",
                        admin.number,
                        role.label()
                    ));
                    break;
                }
            }
            if instance.replicas > 1 {
                let replica_labels = instance.pod_labels(Role::Replica);
                let master_labels = instance.pod_labels(Role::Master);
                let namespaces = &model.namespaces;
                let from_replica = |kind: &PeerKind| match kind {
                    PeerKind::Pods {
                        namespaces: ns,
                        pods,
                    } => {
                        ns.admits(&instance.namespace, namespaces) && pods.matches(&replica_labels)
                    }
                    PeerKind::Anyone | PeerKind::Cidr { .. } => true,
                    PeerKind::Entity(e) => matches!(*e, "all" | "cluster"),
                    _ => false,
                };
                if !model
                    .ingress(index, Role::Master, admin)
                    .admits(model, true, from_replica)
                {
                    problems.push(format!(
                        "replicas cannot reach the master's admin port {} (they replicate from it)",
                        admin.number
                    ));
                }
                let to_master = |kind: &PeerKind| match kind {
                    PeerKind::Pods {
                        namespaces: ns,
                        pods,
                    } => ns.admits(&instance.namespace, namespaces) && pods.matches(&master_labels),
                    PeerKind::Anyone | PeerKind::Cidr { .. } => true,
                    PeerKind::Entity(e) => matches!(*e, "all" | "cluster"),
                    _ => false,
                };
                let query = PortQuery {
                    number: admin.number,
                    name: admin.container_name(),
                    protocol: Protocol::Tcp,
                };
                let egress = model.egress(index, Role::Replica, query, to_master);
                if egress.enforced && egress.allowed.is_empty() {
                    problems.push(format!(
                        "egress from the replicas does not allow the master's admin port {}",
                        admin.number
                    ));
                }
            }
            if problems.is_empty() {
                continue;
            }
            let target = instance
                .cr
                .and_then(|cr| bundle.crs[cr].replicas.as_ref())
                .map_or_else(|| instance.site.target(), |(_, at)| at.clone());
            out.report(
                &target,
                format!("{}: {}", instance.display(), problems.join("; ")),
            )
            .with_help("allow TCP to the admin port from pods labelled control-plane=controller-manager in the operator's namespace and from the instance's own pods (app=<name>)");
        }
    }
}
