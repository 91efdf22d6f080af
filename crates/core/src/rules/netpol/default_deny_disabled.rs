use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DefaultDenyDisabled;

static META: RuleMeta = RuleMeta {
    code: "DF304",
    name: "default-deny-disabled",
    severity: Severity::Warning,
    summary: "A Cilium policy lists rules for a direction whose `enableDefaultDeny` is false: its allow-list denies nothing.",
    docs: rule_docs!("default_deny_disabled.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for DefaultDenyDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        for (index, policy) in model.policies.iter().enumerate() {
            for ingress in [true, false] {
                let direction = policy.direction(ingress);
                let Some(site) = direction.default_deny_off else {
                    continue;
                };
                // Whether anything else puts the Dragonfly pods this policy selects into
                // default deny: if not, they are open in that direction.
                let mut open = Vec::new();
                for (i, instance) in model.instances.iter().enumerate() {
                    for role in instance.roles() {
                        let selecting: Vec<usize> = model.selecting(i, *role).collect();
                        if selecting.contains(&index)
                            && !selecting.iter().any(|p| model.enforces(*p, ingress))
                        {
                            open.push(instance.display());
                            break;
                        }
                    }
                }
                let consequence = if open.is_empty() {
                    "its rules only add to what other policies allow".to_string()
                } else {
                    format!(
                        "nothing else restricts {} of {}, so every peer gets through",
                        direction.field,
                        open.join(", ")
                    )
                };
                out.report(
                    &site.target(),
                    format!(
                        "{}: `enableDefaultDeny.{}: false` keeps the selected pods out of default deny, so its {} {} rule{} deny nothing; {consequence}",
                        policy.name,
                        direction.field,
                        direction.allow.len(),
                        direction.field,
                        if direction.allow.len() == 1 { "" } else { "s" }
                    ),
                )
                .with_help("set it to true (or remove it) once the allow-list is complete; audit mode belongs in Cilium's policy audit mode, not in the policy");
            }
        }
    }
}
