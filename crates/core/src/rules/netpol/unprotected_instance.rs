use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::{Access, PortKind, Role};
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
        let access = Access {
            crs: bundle.crs,
            acls: &bundle.acls,
            dialect: bundle.config.acl.dialect,
        };
        for (index, instance) in model.instances.iter().enumerate() {
            // A CR that turned the operator's policy off, in an input without any policy:
            // there is nothing here to confirm or refute that another policy protects it,
            // and network-policy-disabled (DF041) already reports the setting, in every
            // front end (the admission policy sees one CR and never runs this rule).
            if instance.cr.is_some() && !instance.operator_policy && model.policies.is_empty() {
                continue;
            }
            // A workload is judged only where the input shows the namespace's policies: most
            // plain Deployments are linted without theirs, and "no policy in the input" would
            // then be said of nearly every one.
            if instance.standalone.is_some()
                && !model.policies.iter().any(|p| {
                    p.pod_namespaces
                        .admits(&instance.namespace, &model.namespaces)
                })
            {
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
            // Without the operator, what a port gives depends on the server's own flags.
            let mut privileged = instance.standalone.is_none();
            let mut ports: Vec<String> = instance
                .ports
                .iter()
                .map(|p| match (p.kind, &instance.standalone) {
                    (PortKind::Admin, None) => {
                        format!("admin port {} (superuser, no password)", p.number)
                    }
                    (PortKind::Memcached, None) => {
                        format!("memcached port {} (never authenticates)", p.number)
                    }
                    (PortKind::Data, None) => format!("data port {}", p.number),
                    (kind, Some(_)) => {
                        let grant = access.without_password(instance, kind);
                        privileged |= grant.is_privileged();
                        format!(
                            "{} port {} (without a password a peer gets {})",
                            kind.name(),
                            p.number,
                            grant.describe()
                        )
                    }
                })
                .collect();
            ports.sort();
            let why = if instance.cr.is_some() && !instance.operator_policy {
                "`networkPolicyEnabled: false` removed the operator's policy and no policy in the input"
            } else if instance.standalone.is_some() {
                "the input holds network policies for its namespace, but none"
            } else {
                "no policy in the input"
            };
            let target = instance
                .cr
                .and_then(|cr| bundle.crs[cr].network_policy_enabled())
                .map_or_else(|| instance.site.target(), |(_, at)| at.clone());
            let help = if instance.standalone.is_some() {
                "add a NetworkPolicy that selects the pods by their template's labels and allows only what clients need on each port"
            } else {
                "keep the operator's NetworkPolicy, or add one that selects the pods (app, app.kubernetes.io/name, app.kubernetes.io/part-of) and allows only what clients need"
            };
            let diagnostic = out
                .report(
                    &target,
                    format!(
                        "{why} enforces ingress on {pods} of {}: {} {} reachable from every pod and address",
                        instance.display(),
                        ports.join(", "),
                        if ports.len() == 1 { "is" } else { "are" }
                    ),
                )
                .with_help(help);
            // Every port asks for a password (or a certificate): open, but not for free.
            if !privileged {
                diagnostic.with_severity(Severity::Warning);
            }
        }
    }
}
