use crate::args::CommandLineKind;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::operator::{DEFAULT_SNAPSHOT_DIR, DERIVED_ARGS};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ArgOverriddenByOperator;

static META: RuleMeta = RuleMeta {
    code: "DF052",
    name: "arg-overridden-by-operator",
    severity: Severity::Warning,
    summary: "A flag in `spec.args` is silently replaced by the one the operator derives from a spec field.",
    docs: rule_docs!("arg_overridden_by_operator.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for ArgOverriddenByOperator {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let line = &cr.command_line;
            if line.kind != CommandLineKind::OperatorArgs {
                continue;
            }
            for flag in line.flag_uses() {
                let Some(derived) = DERIVED_ARGS.iter().find(|d| d.flag == flag.name) else {
                    continue;
                };
                let field_path: Vec<&str> = derived.spec_field.split('.').collect();
                let Some(field) = cr.spec_at(&field_path) else {
                    continue;
                };
                let replacement = match derived.flag {
                    "dir" => {
                        let dir = cr
                            .spec_at(&["snapshot", "dir"])
                            .and_then(|n| n.as_str())
                            .filter(|d| !d.is_empty())
                            .unwrap_or(DEFAULT_SNAPSHOT_DIR);
                        format!(" (`--dir={dir}`)")
                    }
                    _ => String::new(),
                };
                let related =
                    out.related(&cr.target(field), "the field the operator derives it from");
                let diagnostic = out.report(
                    &line.flag_target(flag),
                    format!(
                        "`--{}` in `spec.args` has no effect: the operator adds its own{replacement} after it because `spec.{}` is set",
                        flag.name, derived.spec_field
                    ),
                );
                diagnostic.with_related(related);
                let help = match derived.flag {
                    "dir" => "set the directory in `spec.snapshot.dir` (an `s3://bucket` works there) and remove `--dir` from `spec.args`".to_string(),
                    other => format!("configure it through `spec.{}` only and remove `--{other}` from `spec.args`", derived.spec_field),
                };
                diagnostic.with_help(help);
            }
        }
    }
}
