use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct NoMemoryLimit;

static META: RuleMeta = RuleMeta {
    code: "DF032",
    name: "no-memory-limit",
    severity: Severity::Warning,
    summary: "The Dragonfly container has no memory limit.",
    docs: rule_docs!("no_memory_limit.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for NoMemoryLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // A compose service on a host of its own commonly has no limit, and then no kernel
        // kills it at a limit either: only Kubernetes pods are judged.
        let pods = bundle
            .dragonflies
            .iter()
            .filter(|cr| !matches!(cr.runner, crate::dragonfly::Runner::Compose { .. }))
            .filter(|cr| !cr.is_partial());
        for cr in pods {
            if cr.spec_at(&["resources", "limits", "memory"]).is_some() {
                continue;
            }
            let target = cr
                .spec_at(&["resources"])
                .map_or_else(|| cr.spec_or_root_target(), |n| cr.target(n));
            out.report(
                &target,
                format!("{} sets no `resources.limits.memory`", cr.name()),
            )
            .with_help("set a memory limit and keep `--maxmemory` below it; without one Dragonfly sizes itself from the node's memory");
        }
    }
}
