use crate::acl::spec::{check, SpecTarget};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct SpecFailed;

static META: RuleMeta = RuleMeta {
    code: "DF227",
    name: "acl-spec-failed",
    severity: Severity::Error,
    summary: "An expectation of an ACL spec (`*.acl-test.yaml`) does not hold: a user may run what it must not, or may not run what it must (a warning when the spec cannot be run).",
    docs: rule_docs!("spec_failed.md"),
    // Specs are files of the repository; an admission request never carries one.
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::WholeInput]),
};

impl Rule for SpecFailed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for found in &bundle.acl_specs {
            let at = |span| Target::span(found.source, span);
            for problem in found.syntax.iter().chain(&found.spec.problems) {
                out.report(&at(problem.span), problem.message.clone())
                    .with_severity(Severity::Warning)
                    .with_help("`dflint explain acl-spec-failed` shows what a spec holds");
            }
            let (file, users, acl) = match &found.target {
                SpecTarget::Found(index) => {
                    let acl = &bundle.acls[*index];
                    (&acl.file, &acl.users, Some(acl))
                }
                SpecTarget::Inline { file, users, .. } => (file, users, None),
                SpecTarget::Missing(wanted) => {
                    let span = found
                        .spec
                        .acl
                        .as_ref()
                        .map_or(crate::source::Span::new(0, 0), |(_, s)| *s);
                    let names = if wanted.is_empty() {
                        "no ACL is named".to_string()
                    } else {
                        format!(
                            "{} is not in the input",
                            wanted
                                .iter()
                                .map(|w| format!("`{w}`"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    };
                    out.report(
                        &at(span),
                        format!("this ACL spec was not run: {names}"),
                    )
                    .with_severity(Severity::Warning)
                    .with_help("lint the ACL together with its spec, or name it with `acl: PATH` (relative to the spec)");
                    continue;
                }
            };
            for outcome in check(&found.spec, file, users) {
                if outcome.passed {
                    continue;
                }
                let related = outcome.token.and_then(|token| {
                    let target = match (&found.target, acl) {
                        (_, Some(acl)) => acl.token_target(token),
                        (SpecTarget::Inline { text, file, .. }, None) => {
                            let span = file.token(token)?.span;
                            Target::span(found.source, text.source_span(span))
                        }
                        _ => return None,
                    };
                    Some(out.related(&target, "the ACL token that decides it"))
                });
                let diagnostic = out.report(
                    &at(outcome.expectation.span),
                    format!(
                        "{}: {}",
                        outcome.expectation.kind.describe(),
                        outcome.message
                    ),
                );
                if let Some(related) = related {
                    diagnostic.with_related(related);
                }
            }
        }
    }
}
