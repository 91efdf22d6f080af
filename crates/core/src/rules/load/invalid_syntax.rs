use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::SyntaxProblemKind;
use crate::rules::{Emitter, Rule, RuleMeta, Target};
use crate::source::Span;

pub struct InvalidSyntax;

static META: RuleMeta = RuleMeta {
    code: "DF001",
    name: "invalid-syntax",
    severity: Severity::Error,
    summary:
        "The file is not valid YAML or JSON (or not UTF-8 text); the broken document is not linted.",
    docs: rule_docs!("invalid_syntax.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for InvalidSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for &(source, at) in &bundle.loaded.not_text {
            out.report(
                &Target::span(source, Span::new(at, at + 1)),
                "the file is not UTF-8 text (binary data?); it is not linted",
            )
            .with_help("Kubernetes manifests, ACL files and flag files must be UTF-8 text");
        }
        for (source, problem) in &bundle.loaded.syntax_problems {
            match problem.kind {
                SyntaxProblemKind::Invalid => {
                    out.report(&Target::span(*source, problem.span), problem.message.clone())
                        .with_help("kubectl and the API server reject this document; the other documents of the file are still linted");
                }
                SyntaxProblemKind::InvalidEmbedded => {
                    out.report(&Target::span(*source, problem.span), problem.message.clone())
                        .with_help("the API server stores the string as it is, but Helm cannot read it as values, so Argo CD fails to render the chart");
                }
                _ => {}
            }
        }
    }
}
