use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct RetiredFlag;

static META: RuleMeta = RuleMeta {
    code: "DF110",
    name: "retired-flag",
    severity: Severity::Info,
    summary: "A retired flag: Dragonfly still accepts it but ignores it.",
    docs: rule_docs!("retired_flag.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for RetiredFlag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            let judged = super::judged_release(line, bundle.config);
            for flag in line.flag_uses() {
                let Some(spec) = flags::lookup(&flag.name).filter(|f| f.retired_in(judged.release))
                else {
                    continue;
                };
                // The start of the run of retired releases this one is in (a mis-numbered tag
                // can make an earlier, separate run).
                let release = judged.release;
                let since = spec
                    .retired_in
                    .iter()
                    .find(|&&(first, last)| first <= release && release <= last)
                    .map(|(first, _)| format!(" (since {first})"))
                    .unwrap_or_default();
                out.report(
                    &line.flag_target(flag),
                    format!(
                        "`--{}` is retired{since}: Dragonfly {release} accepts it and ignores it; {}",
                        flag.name,
                        judged.describe(line.image.as_deref())
                    ),
                )
                .with_help("remove it; it no longer changes anything");
            }
        }
    }
}
