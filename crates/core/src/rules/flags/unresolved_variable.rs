use crate::args::CommandLineKind;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct UnresolvedVariable;

static META: RuleMeta = RuleMeta {
    code: "DF112",
    name: "unresolved-variable",
    severity: Severity::Warning,
    summary: "An argument references `$(NAME)` but the container has no such env var, so it is passed literally.",
    docs: rule_docs!("unresolved_variable.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for UnresolvedVariable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            for (index, arg) in line.args.iter().enumerate() {
                for name in &arg.unresolved {
                    out.report(
                        &line.arg_target(index),
                        format!("`$({name})` refers to no env var of the container; Kubernetes passes the text `$({name})` unchanged"),
                    )
                    .with_help(format!(
                        "define `{name}` in {}, or write `$$({name})` if you mean the literal text",
                        if line.kind == CommandLineKind::OperatorArgs { "`spec.env`" } else { "the container's `env`" }
                    ));
                }
            }
        }
    }
}
