use std::collections::HashSet;

use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::operator::{ADMIN_PORT, DATA_PORT};
use crate::netpol::{instance, PortSpec, Ports};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PolicyWithoutInstance;

static META: RuleMeta = RuleMeta {
    code: "DF314",
    name: "policy-without-instance",
    severity: Severity::Info,
    summary: "A network policy about Dragonfly is linted without any Dragonfly instance in the input: what its ports give a peer could not be judged.",
    docs: rule_docs!("policy_without_instance.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::Dragonflies]),
};

/// Dragonfly's usual ports: the data port, the operator's admin port, memcached's own.
const MEMCACHED_PORT: u16 = 11211;

fn port_role(number: u16) -> Option<&'static str> {
    match number {
        DATA_PORT => Some("data"),
        ADMIN_PORT => Some("admin"),
        MEMCACHED_PORT => Some("memcached"),
        _ => None,
    }
}

impl Rule for PolicyWithoutInstance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // With an instance in the input a policy is judged against it (or is dangling, DF309);
        // a workload running Dragonfly outside the operator is an instance too.
        if !bundle.crs.is_empty() || !bundle.loaded.dragonfly_workloads.is_empty() {
            return;
        }
        let model = &bundle.network;
        // A Cilium policy's `specs` are read as several policies: one info per resource.
        let mut seen = HashSet::new();
        for policy in &model.policies {
            let Some(resource) = policy.resource else {
                continue;
            };
            // Only policies aimed at Dragonfly: pods with the operator's labels, or ingress
            // on one of its usual port numbers. A policy about other workloads stays silent.
            let inferred = policy
                .pods
                .as_ref()
                .is_some_and(instance::follows_label_conventions);
            let mut ports: Vec<u16> = policy
                .ingress
                .allow
                .iter()
                .filter_map(|rule| match &rule.ports {
                    Ports::Listed(entries) => Some(entries),
                    Ports::All => None,
                })
                .flatten()
                .filter_map(|entry| match entry.port {
                    PortSpec::Range(a, b) if a == b && port_role(a).is_some() => Some(a),
                    _ => None,
                })
                .collect();
            ports.sort_unstable();
            ports.dedup();
            if !inferred && ports.is_empty() {
                continue;
            }
            if !seen.insert((resource.doc.source, resource.root.span)) {
                continue;
            }
            let message = if inferred {
                format!(
                    "{} selects pods by the operator's Dragonfly labels, but the input holds no Dragonfly CR: its reach was judged with the operator's defaults (data port 6379, admin port 9999 without a password); whether the data port asks for a password, a moved `--port`/`--admin_port` and any memcached port could not be judged",
                    policy.name
                )
            } else {
                let numbers: Vec<String> = ports.iter().map(u16::to_string).collect();
                let roles: Vec<&str> = ports.iter().filter_map(|p| port_role(*p)).collect();
                format!(
                    "{} opens {} {}, which Dragonfly uses for its {} {}, but the input holds no Dragonfly instance: what a peer gets there without a password could not be judged",
                    policy.name,
                    if ports.len() == 1 { "port" } else { "ports" },
                    and_list(&numbers),
                    and_list(&roles),
                    if ports.len() == 1 { "port" } else { "ports" },
                )
            };
            out.report(&policy.site.target(), message)
                .with_help("lint the policy together with the Dragonfly CR it protects (and its ACL Secret): `dflint check` of both files, or of their directory");
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list<T: AsRef<str>>(items: &[T]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}
