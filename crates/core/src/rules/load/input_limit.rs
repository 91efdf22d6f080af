use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::SyntaxProblemKind;
use crate::limits::file_too_large_message;
use crate::rules::{Emitter, Rule, RuleMeta, Target};
use crate::source::Span;

pub struct InputLimit;

static META: RuleMeta = RuleMeta {
    code: "DF003",
    name: "input-limit-exceeded",
    severity: Severity::Error,
    summary: "A file is too large or holds too many documents, or a document nests too deeply or its aliases or `$(VAR)` references expand beyond dflint's limits; what exceeds them is not linted.",
    docs: rule_docs!("input_limit.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for InputLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // Nothing of an oversized file was read: its first position is all there is to point at.
        for &(source, size) in &bundle.loaded.oversized {
            out.report(
                &Target::span(source, Span::empty(0)),
                file_too_large_message(size, bundle.loaded.max_file_bytes),
            );
        }
        for (source, problem) in &bundle.loaded.syntax_problems {
            if problem.kind == SyntaxProblemKind::TooLarge {
                out.report(
                    &Target::span(*source, problem.span),
                    problem.message.clone(),
                );
            }
        }
        // `$(VAR)` expansion: where each CR's budget ran out (it stays out, so only there).
        for cr in bundle.crs {
            if let Some((target, limit)) = cr.expansion_limit() {
                out.report(target, limit.message());
            }
        }
    }
}
