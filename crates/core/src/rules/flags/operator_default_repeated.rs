use crate::args::CommandLineKind;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::operator::DEFAULT_ARGS;
use crate::flags::{FlagType, FlagValue};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OperatorDefaultRepeated;

static META: RuleMeta = RuleMeta {
    code: "DF114",
    name: "operator-default-repeated",
    severity: Severity::Info,
    summary: "A flag in `spec.args` repeats a value the operator already passes to every pod, and pins it.",
    docs: rule_docs!("operator_default_repeated.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for OperatorDefaultRepeated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // Outside the operator nothing is passed before the user's flags: only `spec.args`
        // of a CR repeats the operator.
        let operator_lines = bundle
            .command_lines()
            .filter(|line| line.kind == CommandLineKind::OperatorArgs);
        for line in operator_lines {
            for (name, operator_value) in DEFAULT_ARGS {
                let Some(flag) = line.last_use(name) else {
                    continue;
                };
                if !line.value_is_known(flag) {
                    continue;
                }
                // A bare boolean (`--admin_nopass`) is on.
                let value = flag.effective_value().unwrap_or_else(|| "true".into());
                if !same_value(&value, operator_value) {
                    continue; // a different value: the rules on changed defaults judge it
                }
                out.report(
                    &line.flag_target(flag),
                    format!(
                        "`--{name}={operator_value}` is already among the arguments the operator gives every Dragonfly pod: repeated in `spec.args` it changes nothing today, and it keeps this value even if an operator upgrade changes its default"
                    ),
                )
                .with_help(format!("remove `--{name}` from `spec.args` and leave it to the operator"));
            }
        }
    }
}

/// Whether a flag value means the operator's: booleans and numbers by what Dragonfly parses
/// them to (`--admin_nopass=1`, `--admin_port=09999`), anything else as written.
fn same_value(value: &str, operator_value: &str) -> bool {
    let as_bool = |v: &str| match FlagType::Bool.parse(v) {
        Ok(FlagValue::Bool(b)) => Some(b),
        _ => None,
    };
    if let (Some(a), Some(b)) = (as_bool(operator_value), as_bool(value)) {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (
        operator_value.trim().parse::<i64>(),
        value.trim().parse::<i64>(),
    ) {
        return a == b;
    }
    value == operator_value
}
