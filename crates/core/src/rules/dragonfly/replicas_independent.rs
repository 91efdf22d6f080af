use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::workload;
use crate::dragonfly::DragonflyCr;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ReplicasIndependent;

static META: RuleMeta = RuleMeta {
    code: "DF045",
    name: "replicas-independent",
    severity: Severity::Warning,
    summary: "A Deployment or StatefulSet runs several Dragonfly pods without `--replicaof` or cluster mode: independent servers, each with its own data.",
    docs: rule_docs!("replicas_independent.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// The pods of a workload replicate or form a cluster: `--replicaof` (or `DFLY_replicaof`)
/// points them at a primary, or `--cluster_mode=yes` makes each a node of one cluster
/// (`emulated` is a one-node cluster per server, as independent as none).
pub fn pods_share_data(server: &DragonflyCr<'_>) -> bool {
    server
        .setting("replicaof")
        .is_some_and(|(value, _)| value.is_none_or(|v| !v.trim().is_empty()))
        || server
            .setting("cluster_mode")
            .is_some_and(|(mode, _)| mode.is_none_or(|m| m == "yes"))
}

/// `spec.replicas` above 1 of a workload running Dragonfly itself, and its count.
pub fn several_pods<'d>(server: &DragonflyCr<'d>) -> Option<(&'d crate::document::Node, i64)> {
    if !matches!(server.runner, crate::dragonfly::Runner::Container { .. }) {
        return None;
    }
    let node = workload::replicas(server.resource.root)?;
    let count = node.as_i64().filter(|n| *n > 1)?;
    Some((node, count))
}

impl Rule for ReplicasIndependent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            let Some((node, count)) = several_pods(server) else {
                continue;
            };
            if pods_share_data(server) {
                continue;
            }
            out.report(
                &server.target(node),
                format!(
                    "{} runs {count} Dragonfly pods that neither replicate (`--replicaof`) nor form a cluster (`--cluster_mode=yes`): {count} independent servers, so clients behind one Service read and write a different dataset on each connection",
                    server.name()
                ),
            )
            .with_help("run one pod and scale it up; for a primary with replicas use dragonfly-operator, which promotes a replica when the primary fails; if clients shard keys over the pods themselves (a headless Service), suppress this finding");
        }
    }
}
