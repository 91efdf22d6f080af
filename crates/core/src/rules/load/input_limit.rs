use crate::diagnostic::Severity;
use crate::document::SyntaxProblemKind;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct InputLimit;

static META: RuleMeta = RuleMeta {
    code: "DF003",
    name: "input-limit-exceeded",
    severity: Severity::Error,
    summary:
        "A document nests too deeply or expands aliases beyond dflint's limits; it is not linted.",
    docs: include_str!("input_limit.md"),
};

impl Rule for InputLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for (source, problem) in &bundle.loaded.syntax_problems {
            if problem.kind == SyntaxProblemKind::TooLarge {
                out.report(
                    &Target::span(*source, problem.span),
                    problem.message.clone(),
                );
            }
        }
    }
}
