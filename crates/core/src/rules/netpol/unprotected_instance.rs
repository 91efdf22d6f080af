use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::{PortKind, Role};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct UnprotectedInstance;

static META: RuleMeta = RuleMeta {
    code: "DF305",
    name: "unprotected-instance",
    severity: Severity::Error,
    summary: "No policy enforces ingress on a Dragonfly instance's pods: the admin port is open to every pod and address.",
    docs: rule_docs!("unprotected_instance.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::NetworkPolicies]),
};

impl Rule for UnprotectedInstance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        for (index, instance) in model.instances.iter().enumerate() {
            // A CR that turned the operator's policy off, in an input without any policy:
            // there is nothing here to confirm or refute that another policy protects it,
            // and network-policy-disabled (DF041) already reports the setting, in every
            // front end (the admission policy sees one CR and never runs this rule).
            if instance.cr.is_some() && !instance.operator_policy && model.policies.is_empty() {
                continue;
            }
            let open: Vec<Role> = instance
                .roles()
                .iter()
                .copied()
                .filter(|role| {
                    !model
                        .selecting(index, *role)
                        .any(|p| model.enforces(p, true))
                })
                .collect();
            if open.is_empty() {
                continue;
            }
            let pods = if open.len() == instance.roles().len() {
                "the pods".to_string()
            } else {
                format!(
                    "the {} pods (the policies select only some roles)",
                    open.iter()
                        .map(|r| r.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let mut ports: Vec<String> = instance
                .ports
                .iter()
                .map(|p| match p.kind {
                    PortKind::Admin => format!("admin port {} (superuser, no password)", p.number),
                    PortKind::Memcached => {
                        format!("memcached port {} (never authenticates)", p.number)
                    }
                    PortKind::Data => format!("data port {}", p.number),
                })
                .collect();
            ports.sort();
            let why = if instance.cr.is_some() && !instance.operator_policy {
                "`networkPolicyEnabled: false` removed the operator's policy and no policy in the input"
            } else {
                "no policy in the input"
            };
            let target = instance
                .cr
                .and_then(|cr| bundle.crs[cr].network_policy_enabled())
                .map_or_else(|| instance.site.target(), |(_, at)| at.clone());
            out.report(
                &target,
                format!(
                    "{why} enforces ingress on {pods} of {}: {} are reachable from every pod and address",
                    instance.display(),
                    ports.join(", ")
                ),
            )
            .with_help("keep the operator's NetworkPolicy, or add one that selects the pods (app, app.kubernetes.io/name, app.kubernetes.io/part-of) and allows only what clients need");
        }
    }
}
