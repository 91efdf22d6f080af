use super::maxmemory_exceeds_limit::maxmemory;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::k8s::format_bytes;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct MaxmemoryBelowThreadMinimum;

static META: RuleMeta = RuleMeta {
    code: "DF031",
    name: "maxmemory-below-thread-minimum",
    severity: Severity::Error,
    summary: "`--maxmemory` is below 256 MiB per proactor thread: Dragonfly refuses to start.",
    docs: rule_docs!("maxmemory_below_thread_minimum.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

const MIN_BYTES_PER_THREAD: u64 = 256 * 1024 * 1024;

impl Rule for MaxmemoryBelowThreadMinimum {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            let Some((bytes, target)) = maxmemory(cr) else {
                continue;
            };
            if bytes == 0 {
                continue; // 0 = size from the machine/container
            }
            // Without an explicit thread count Dragonfly uses one per CPU: at least one.
            let threads_setting = cr.setting("proactor_threads");
            let threads = threads_setting
                .as_ref()
                .and_then(|(v, _)| v.as_deref()?.trim().parse::<u64>().ok())
                .filter(|&t| t > 0)
                .unwrap_or(1);
            let needed = threads.saturating_mul(MIN_BYTES_PER_THREAD);
            if bytes >= needed {
                continue;
            }
            let thread_note = if threads_setting.is_some() {
                format!(
                    "{threads} proactor thread{}",
                    if threads == 1 { "" } else { "s" }
                )
            } else {
                "even one proactor thread".to_string()
            };
            let related = threads_setting
                .as_ref()
                .map(|(_, t)| out.related(t, "the thread count"));
            let diagnostic = out.report(
                &target,
                format!(
                    "`--maxmemory` ({}) of {} is below the {} that {thread_note} need: Dragonfly exits at startup",
                    format_bytes(bytes as f64),
                    cr.name(),
                    format_bytes(needed as f64)
                ),
            );
            if let Some(related) = related {
                diagnostic.with_related(related);
            }
            diagnostic.with_help("raise `--maxmemory` to at least 256MiB × `--proactor_threads`, or lower the thread count");
        }
    }
}
