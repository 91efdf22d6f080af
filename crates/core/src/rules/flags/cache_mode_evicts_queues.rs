use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct CacheModeEvictsQueues;

static META: RuleMeta = RuleMeta {
    code: "DF115",
    name: "cache-mode-evicts-queues",
    severity: Severity::Warning,
    summary: "`--cache_mode=true` next to flags that queue and lock clients need: under memory pressure their keys are evicted.",
    docs: rule_docs!("cache_mode_evicts_queues.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for CacheModeEvictsQueues {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            let Some(cache) = line.enabled_bool("cache_mode") else {
                continue;
            };
            if !line.value_is_known(cache) {
                continue;
            }
            let mut signs = Vec::new();
            if let Some(flag) = line.enabled_bool("lock_on_hashtags") {
                if line.value_is_known(flag) {
                    signs.push((flag, "`--lock_on_hashtags`"));
                }
            }
            if let Some(flag) = line.last_use("default_lua_flags") {
                let undeclared = flag.value.as_deref().is_some_and(|v| {
                    // Dragonfly separates the flags with spaces; commas are accepted here too.
                    v.split([' ', ','])
                        .any(|f| f.trim() == "allow-undeclared-keys")
                });
                if undeclared && line.value_is_known(flag) {
                    signs.push((flag, "`--default_lua_flags=allow-undeclared-keys`"));
                }
            }
            if signs.is_empty() {
                continue;
            }
            let names: Vec<&str> = signs.iter().map(|(_, name)| *name).collect();
            let related: Vec<_> = signs
                .iter()
                .map(|(flag, _)| {
                    out.related(
                        &line.flag_target(flag),
                        "a flag queue and lock clients (BullMQ, Sidekiq) are configured with",
                    )
                })
                .collect();
            out.report(
                &line.flag_target(cache),
                format!(
                    "`--cache_mode=true` evicts keys, with or without a TTL, whenever memory nears `maxmemory`, while {} {} this instance serves queue or lock clients: their jobs, queue state and locks can vanish without an error",
                    names.join(" and "),
                    if names.len() == 1 { "says" } else { "say" }
                ),
            )
            .with_related_all(related)
            .with_help("run queues and locks on an instance without `--cache_mode`, or keep the cache apart from them; if the instance really is only a cache, drop the queue flags");
        }
    }
}
