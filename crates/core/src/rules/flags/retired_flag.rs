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
            for flag in line.flag_uses() {
                if !flags::lookup(&flag.name).is_some_and(|f| f.retired) {
                    continue;
                }
                out.report(
                    &line.flag_target(flag),
                    format!(
                        "`--{}` is retired: Dragonfly {} accepts it and ignores it",
                        flag.name,
                        flags::DRAGONFLY_VERSION
                    ),
                )
                .with_help("remove it; it no longer changes anything");
            }
        }
    }
}
