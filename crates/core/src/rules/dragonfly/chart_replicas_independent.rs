use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ChartReplicasIndependent;

static META: RuleMeta = RuleMeta {
    code: "DF081",
    name: "chart-replicas-independent",
    severity: Severity::Error,
    summary: "`replicaCount` above 1 in Dragonfly's Helm chart starts unrelated servers behind one Service: each connection sees different data.",
    docs: rule_docs!("chart_replicas_independent.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for ChartReplicasIndependent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in bundle.dragonflies.iter().filter(|s| s.is_helm_chart()) {
            let Some(count) = server.spec_at(&["replicaCount"]) else {
                continue;
            };
            let Some(replicas) = count.as_i64().filter(|n| *n > 1) else {
                continue;
            };
            // With `--cluster_mode=yes` each pod is a cluster node; something outside the
            // chart must still assign slots, but the pods are meant to differ.
            if server
                .setting("cluster_mode")
                .is_some_and(|(mode, _)| mode.as_deref() == Some("yes"))
            {
                continue;
            }
            out.report(
                &server.target(count),
                format!("`replicaCount: {replicas}` starts {replicas} independent Dragonfly servers behind one Service: nothing replicates between them, so each client connection reads and writes a different dataset"),
            )
            .with_help("keep `replicaCount: 1`; for a primary with replicas use dragonfly-operator (or `--replicaof` on a second release), and for more capacity scale the one server up");
        }
    }
}
