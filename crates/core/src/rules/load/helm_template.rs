use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};
use crate::source::Span;

pub struct HelmTemplate;

static META: RuleMeta = RuleMeta {
    code: "DF008",
    name: "helm-template",
    severity: Severity::Info,
    summary: "The file is a Helm chart template: dflint lints it once rendered.",
    docs: rule_docs!("helm_template.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for HelmTemplate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for &(source, at) in &bundle.loaded.helm_templates {
            out.report(
                &Target::span(source, Span::new(at, at + 2)),
                "this is a Helm chart template, not YAML yet: it was not linted",
            )
            .with_help("lint what the chart renders: `helm template RELEASE CHART -f values.yaml | dflint check -`");
        }
    }
}
