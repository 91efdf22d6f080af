use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};
use crate::source::Span;

pub struct EmptySource;

static META: RuleMeta = RuleMeta {
    code: "DF004",
    name: "empty-source",
    severity: Severity::Info,
    summary: "The file contains no document.",
    docs: rule_docs!("empty_source.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for EmptySource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for &source in &bundle.loaded.empty_sources {
            out.report(
                &Target::span(source, Span::empty(0)),
                "the file is empty; nothing to lint",
            );
        }
    }
}
