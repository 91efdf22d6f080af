use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct NetworkPolicyDisabled;

static META: RuleMeta = RuleMeta {
    code: "DF041",
    name: "network-policy-disabled",
    severity: Severity::Warning,
    summary: "`networkPolicyEnabled: false` removes the operator's NetworkPolicy around the unauthenticated admin port.",
    docs: rule_docs!("network_policy_disabled.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for NetworkPolicyDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let Some(flag) = cr.spec_at(&["networkPolicyEnabled"]) else {
                continue;
            };
            if flag.as_bool() != Some(false) {
                continue;
            }
            out.report(
                &cr.target(flag),
                format!("{} turns off the operator's NetworkPolicy: admin port 9999 (no password, no ACL) is reachable from every pod unless another policy restricts it", cr.name()),
            )
            .with_help("keep the operator's policy, or ship your own that allows 9999 only from the operator and the instance's pods");
        }
    }
}
