use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct CrdCelNotEvaluated;

static META: RuleMeta = RuleMeta {
    code: "DF070",
    name: "crd-cel-not-evaluated",
    severity: Severity::Info,
    summary: "A CRD's schema has CEL rules (`x-kubernetes-validations`) that dflint does not evaluate; the API server still does.",
    docs: rule_docs!("crd_cel_not_evaluated.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::WholeInput]),
};

impl Rule for CrdCelNotEvaluated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // Once per definition, at its first rule: the custom resources are still checked
        // against everything else in the schema.
        for definition in &bundle.schemas.definitions {
            let Some(first) = definition.notes.first_cel else {
                continue;
            };
            let count = definition.notes.cel_rules;
            let rules = if count == 1 {
                "a CEL rule"
            } else {
                "CEL rules"
            };
            out.report(
                &Target::span(definition.source, first),
                format!(
                    "the {} has {rules} (`x-kubernetes-validations`, {count} in all) that dflint does not evaluate: its custom resources are checked against the rest of the schema only",
                    definition.title()
                ),
            )
            .with_help("the API server evaluates them on apply; `kubectl apply --dry-run=server` checks them before merge");
        }
    }
}
