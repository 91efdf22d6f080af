use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::{Namespaces, PeerKind, PolicyKind, Ports};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct AllowAllIngress;

static META: RuleMeta = RuleMeta {
    code: "DF313",
    name: "allow-all-ingress",
    severity: Severity::Warning,
    summary: "A policy selects every pod of its namespace (or the cluster) and allows all ingress from everywhere: no other policy there keeps anything out.",
    docs: rule_docs!("allow_all_ingress.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for AllowAllIngress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for policy in &bundle.network.policies {
            let Some(pods) = &policy.pods else { continue };
            let ingress = &policy.ingress;
            // Cilium deny rules still win over this allow: the policy then is not allow-all.
            if policy.resource.is_none()
                || !pods.is_empty()
                || !ingress.enforces
                || !ingress.deny.is_empty()
            {
                continue;
            }
            let Some(rule) = ingress.allow.iter().find(|rule| {
                matches!(rule.ports, Ports::All)
                    && rule
                        .peers
                        .iter()
                        .any(|p| matches!(p.kind, PeerKind::Anyone | PeerKind::Entity("all")))
            }) else {
                continue;
            };
            let scope = match (&policy.pod_namespaces, policy.kind) {
                (_, PolicyKind::CiliumClusterwideNetworkPolicy) | (Namespaces::All, _) => {
                    "every pod of the cluster".to_string()
                }
                _ if policy.namespace.is_empty() => {
                    "every pod of the namespace it is applied in".to_string()
                }
                _ => format!("every pod of namespace {}", policy.namespace),
            };
            let related = out.related(&rule.site.target(), "the rule that allows everything");
            out.report(
                &policy.site.target(),
                format!(
                    "{} selects {scope} and lets every pod and address connect to any port: allows add up, so it undoes every other policy's default deny there, Dragonfly's admin port included",
                    policy.name
                ),
            )
            .with_related(related)
            .with_help("allow only the peers and ports the workloads need, or select only the pods that really serve everyone");
        }
    }
}
