use crate::args::SECRET_FLAGS;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags::{self, FlagType};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct InvalidFlagValue;

static META: RuleMeta = RuleMeta {
    code: "DF103",
    name: "invalid-flag-value",
    severity: Severity::Error,
    summary: "A flag's value does not parse for its type (bool, integer, memory size, cron…): the server refuses to start.",
    docs: rule_docs!("invalid_flag_value.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for InvalidFlagValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            for flag in line.flag_uses() {
                let Some(spec) = flags::lookup(&flag.name) else {
                    continue;
                };
                if !line.value_is_known(flag) {
                    continue;
                }
                let value = match flag.effective_value() {
                    Some(v) => v,
                    None if spec.ty == FlagType::Bool => continue,
                    None => {
                        out.report(
                            &line.flag_target(flag),
                            format!("`--{}` needs a value and none follows it: the server refuses to start", flag.name),
                        )
                        .with_help(format!("write `--{}=<value>`", flag.name));
                        continue;
                    }
                };
                if let Err(why) = flags::parse_flag_value(spec, &value) {
                    let shown = if SECRET_FLAGS.contains(&spec.name) {
                        String::new()
                    } else {
                        format!(" `{value}`")
                    };
                    out.report(
                        &line.flag_target(flag),
                        format!("`--{}` cannot take the value{shown}: {why}; the server refuses to start", flag.name),
                    )
                    .with_help(format!("`--{}` expects {}; its default is `{}`", flag.name, flags::type_description(spec), spec.default));
                }
            }
        }
    }
}
