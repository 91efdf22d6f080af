use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct CrdNotUsable;

static META: RuleMeta = RuleMeta {
    code: "DF019",
    name: "crd-not-usable",
    severity: Severity::Error,
    summary: "A `--crd` file holds something other than a CustomResourceDefinition or Crossplane XRD, or a definition has no usable schema: its custom resources are not checked.",
    docs: rule_docs!("crd_not_usable.md"),
    // Definitions come from schema files and the input as a whole; an admission request
    // carries neither.
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::WholeInput]),
};

impl Rule for CrdNotUsable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for problem in &bundle.schemas.problems {
            out.report(&Target::span(problem.source, problem.span), problem.message.clone())
                .with_help("`--crd` takes `apiextensions.k8s.io/v1` CustomResourceDefinitions (`kubectl get crd NAME -o yaml`) and Crossplane CompositeResourceDefinitions; every served version needs `schema.openAPIV3Schema`");
        }
    }
}
