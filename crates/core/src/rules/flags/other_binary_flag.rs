use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OtherBinaryFlag;

static META: RuleMeta = RuleMeta {
    code: "DF102",
    name: "other-binary-flag",
    severity: Severity::Error,
    summary: "A flag of another program in the Dragonfly repository (e.g. dfly_bench), not of the server.",
    docs: rule_docs!("other_binary_flag.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for OtherBinaryFlag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            for flag in line.flag_uses() {
                if flags::lookup(&flag.name).is_some() {
                    continue;
                }
                let Some(binary) = flags::other_binary(&flag.name) else {
                    continue;
                };
                out.report(
                    &line.flag_target(flag),
                    format!("`--{}` belongs to `{binary}`, not to the `dragonfly` server, which refuses to start with it", flag.name),
                )
                .with_help("remove it from the server's arguments");
            }
        }
    }
}
