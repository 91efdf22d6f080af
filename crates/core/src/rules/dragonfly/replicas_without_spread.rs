use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::workload;
use crate::rules::dragonfly::replicas_independent::{pods_share_data, several_pods};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ReplicasWithoutSpread;

static META: RuleMeta = RuleMeta {
    code: "DF040",
    name: "replicas-without-spread",
    severity: Severity::Warning,
    summary: "Several replicas without pod anti-affinity or topology spread may land on one node.",
    docs: rule_docs!("replicas_without_spread.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for ReplicasWithoutSpread {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            // A workload whose pods share no data is replicas-independent's (DF045): spreading
            // independent servers protects nothing.
            let Some((node, count)) = several_pods(server).filter(|_| pods_share_data(server))
            else {
                continue;
            };
            let pod = workload::pod_spec(server.resource.root);
            let spread = pod
                .and_then(|p| p.at(&["affinity", "podAntiAffinity"]))
                .is_some()
                || pod
                    .and_then(|p| p.get("topologySpreadConstraints"))
                    .and_then(|n| n.as_seq())
                    .is_some_and(|s| !s.is_empty());
            if spread {
                continue;
            }
            out.report(
                &server.target(node),
                format!("{} runs {count} Dragonfly pods but nothing keeps them on different nodes", server.name()),
            )
            .with_help("add `affinity.podAntiAffinity` to the pod template on its own labels with `topologyKey: kubernetes.io/hostname`, or `topologySpreadConstraints`");
        }
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let Some(replicas) = cr.spec_at(&["replicas"]) else {
                continue;
            };
            if replicas.as_i64().is_none_or(|n| n <= 1) {
                continue;
            }
            let spread = cr.spec_at(&["affinity", "podAntiAffinity"]).is_some()
                || cr
                    .spec_at(&["topologySpreadConstraints"])
                    .and_then(|n| n.as_seq())
                    .is_some_and(|s| !s.is_empty());
            if spread {
                continue;
            }
            out.report(
                &cr.target(replicas),
                format!("{} runs several replicas but nothing keeps them on different nodes", cr.name()),
            )
            .with_help("add `affinity.podAntiAffinity` on `app: <name>` with `topologyKey: kubernetes.io/hostname`, or `topologySpreadConstraints`");
        }
    }
}
