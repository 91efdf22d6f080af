use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::{Namespaces, PeerKind, PortQuery, Protocol};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct EgressWithoutDns;

static META: RuleMeta = RuleMeta {
    code: "DF306",
    name: "egress-without-dns",
    severity: Severity::Warning,
    summary:
        "Egress from Dragonfly pods is restricted but DNS (port 53, UDP and TCP) is not allowed.",
    docs: rule_docs!("egress_without_dns.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::NetworkPolicies]),
};

/// A peer that may be the cluster DNS (kube-dns / CoreDNS in kube-system).
fn may_be_dns(kind: &PeerKind) -> bool {
    match kind {
        PeerKind::Anyone | PeerKind::Cidr { .. } | PeerKind::Other(_) => true,
        PeerKind::Entity(e) => matches!(*e, "all" | "cluster"),
        PeerKind::Fqdn(_) => false,
        PeerKind::Pods { namespaces, pods } => {
            let namespace_ok = match namespaces {
                Namespaces::Names(names) => names.iter().any(|n| n == "kube-system"),
                Namespaces::OperatorNamespace => false,
                Namespaces::All | Namespaces::Selector(_) => true,
            };
            let pods_ok = pods.is_empty()
                || pods.pinned("k8s-app") == Some("kube-dns")
                || ["app.kubernetes.io/name", "app", "k8s-app"]
                    .iter()
                    .any(|k| {
                        matches!(
                            pods.pinned(k),
                            Some("coredns" | "kube-dns" | "node-local-dns")
                        )
                    });
            namespace_ok && pods_ok
        }
    }
}

impl Rule for EgressWithoutDns {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        for (index, instance) in model.instances.iter().enumerate() {
            for role in instance.roles() {
                let query = |protocol| PortQuery {
                    number: 53,
                    name: Some("dns"),
                    protocol,
                };
                let udp = model.egress(index, *role, query(Protocol::Udp), may_be_dns);
                if !udp.enforced {
                    continue;
                }
                let tcp = model.egress(index, *role, query(Protocol::Tcp), may_be_dns);
                let missing: Vec<&str> = [("UDP", &udp), ("TCP", &tcp)]
                    .into_iter()
                    .filter(|(_, r)| r.allowed.is_empty())
                    .map(|(p, _)| p)
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let policy = model.policy(udp.enforced_by[0]);
                out.report(
                    &policy.site.target(),
                    format!(
                        "{} restricts egress from {} but allows no DNS over {} to kube-dns: host names (the S3 endpoint, a `replicaof` host) stop resolving{}",
                        policy.name,
                        instance.display(),
                        missing.join(" and "),
                        if missing == ["TCP"] { " once answers exceed one UDP packet" } else { "" }
                    ),
                )
                .with_help("allow port 53 over UDP and TCP to pods labelled k8s-app=kube-dns in kube-system");
                break;
            }
        }
    }
}
