use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::SyntaxProblemKind;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct DuplicateKey;

static META: RuleMeta = RuleMeta {
    code: "DF002",
    name: "duplicate-key",
    severity: Severity::Error,
    summary: "A mapping sets the same key twice; one of the values is lost.",
    docs: rule_docs!("duplicate_key.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for (source, problem) in &bundle.loaded.syntax_problems {
            if problem.kind == SyntaxProblemKind::DuplicateKey {
                out.report(&Target::span(*source, problem.span), problem.message.clone())
                    .with_help("merge the two entries; with strict field validation the API server rejects the object");
            }
        }
    }
}
