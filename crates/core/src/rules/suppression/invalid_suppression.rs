use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};
use crate::suppression::Origin;

pub struct InvalidSuppression;

static META: RuleMeta = RuleMeta {
    code: "DF006",
    name: "invalid-suppression",
    severity: Severity::Warning,
    summary: "A suppression gives no reason, cannot be read, or names no rule.",
    docs: rule_docs!("invalid_suppression.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for InvalidSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for suppression in &bundle.suppressions {
            // `[[acl.ignore]]` entries are checked with the settings, where their line is known.
            let Some((source, span)) = suppression.written_at else {
                continue;
            };
            let what = match suppression.origin {
                Origin::Annotation => "the `dflint.io/ignore` annotation",
                _ => "this `dflint:` comment",
            };
            let target = Target::span(source, span);
            let unknown = suppression
                .rules
                .iter()
                .find(|r| crate::rules::find(r).is_none())
                .map(|unknown| match crate::rules::nearest(unknown) {
                    Some(meta) => format!(
                        "`{unknown}` names no rule (did you mean {} `{}`?)",
                        meta.code, meta.name
                    ),
                    None => format!("`{unknown}` names no rule"),
                });
            if let Some(problem) = suppression.problem.as_ref().or(unknown.as_ref()) {
                out.report(&target, format!("{what} suppresses nothing: {problem}"))
                    .with_help("write `# dflint: ignore[DF011] reason` (a comment) or `dflint.io/ignore: \"DF011: reason\"` (an annotation)");
            } else if suppression.reason.is_none() {
                out.report(
                    &target,
                    format!(
                        "{what} suppresses {} without saying why",
                        suppression.rules.join(", ")
                    ),
                )
                .with_help("add the reason after the rules (`ignore[DF011] pinned by the release pipeline`): a reviewer reads it, and the finding stays suppressed");
            }
        }
    }
}
