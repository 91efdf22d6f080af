use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags::{FlagType, FlagValue};
use crate::k8s::format_bytes;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct MaxmemoryExceedsLimit;

static META: RuleMeta = RuleMeta {
    code: "DF030",
    name: "maxmemory-exceeds-limit",
    severity: Severity::Error,
    summary: "`--maxmemory` is at or above the container's memory limit, so the pod is OOM-killed before Dragonfly evicts.",
    docs: rule_docs!("maxmemory_exceeds_limit.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// The effective `--maxmemory` in bytes, with where it is set; `None` when not set or unknown.
pub(crate) fn maxmemory(
    cr: &crate::dragonfly::DragonflyCr<'_>,
) -> Option<(u64, crate::rules::Target)> {
    let (value, target) = cr.setting("maxmemory")?;
    match FlagType::MemoryBytes.parse(&value?) {
        Ok(FlagValue::Bytes(bytes)) => Some((bytes, target)),
        Ok(FlagValue::Int(i)) if i >= 0 => Some((u64::try_from(i).unwrap_or(u64::MAX), target)),
        _ => None,
    }
}

impl Rule for MaxmemoryExceedsLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            let (Some((bytes, target)), Some((limit, limit_node))) =
                (maxmemory(cr), cr.memory_limit())
            else {
                continue;
            };
            if bytes == 0 || (bytes as f64) < limit {
                continue;
            }
            let related = out.related(&cr.target(limit_node), "the container memory limit");
            out.report(
                &target,
                format!(
                    "`--maxmemory` ({}) is not below the memory limit ({}) of {}: the kernel kills the {} before Dragonfly starts evicting or refusing writes",
                    format_bytes(bytes as f64),
                    format_bytes(limit),
                    cr.name(),
                    if matches!(cr.runner, crate::dragonfly::Runner::Compose { .. }) { "container" } else { "pod" }
                ),
            )
            .with_related(related)
            .with_help("keep `--maxmemory` at about 80–90% of `resources.limits.memory`, leaving room for connections, replication buffers and snapshots");
        }
    }
}
