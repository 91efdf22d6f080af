use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};
use crate::suppression::Origin;

pub struct UnusedSuppression;

static META: RuleMeta = RuleMeta {
    code: "DF007",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "A suppression covers no finding: the problem is gone, or it sits on the wrong line.",
    docs: rule_docs!("unused_suppression.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Runs after every other rule and after the suppressions were applied (the driver,
    /// lint.rs, holds it back until then): only then is it known which ones covered nothing.
    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let Some(used) = bundle.suppressions_used.get() else {
            return;
        };
        for (suppression, used) in bundle.suppressions.iter().zip(used) {
            let (Some((source, span)), false, None) =
                (suppression.written_at, *used, &suppression.problem)
            else {
                continue;
            };
            // A rule this run does not check cannot be expected to have findings.
            let all_run = suppression.rules.iter().all(|r| {
                crate::rules::find(r).is_some_and(|rule| bundle.config.enables(rule.meta()))
            });
            if !all_run {
                continue;
            }
            let what = match suppression.origin {
                Origin::Annotation => "the `dflint.io/ignore` annotation",
                _ => "this `dflint:` comment",
            };
            out.report(
                &Target::span(source, span),
                format!(
                    "{what} suppresses {} but there is no such finding {}",
                    suppression.rules.join(", "),
                    match suppression.origin {
                        Origin::Annotation => "in this resource",
                        _ => "where it applies",
                    }
                ),
            )
            .with_help("remove it if the problem was fixed; a comment applies to its own line, or alone on a line to the next line with content");
        }
    }
}
