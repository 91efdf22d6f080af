use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct InvalidNetworkPolicy;

static META: RuleMeta = RuleMeta {
    code: "DF310",
    name: "invalid-network-policy",
    severity: Severity::Error,
    summary: "A network policy has a part the API server or Cilium rejects or that cannot mean what it says.",
    docs: rule_docs!("invalid_network_policy.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for InvalidNetworkPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for problem in &bundle.network.problems {
            out.report(&problem.site.target(), problem.message.clone());
        }
    }
}
