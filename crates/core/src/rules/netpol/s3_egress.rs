use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::{Namespaces, PeerKind, PortQuery, Protocol};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct S3Egress;

static META: RuleMeta = RuleMeta {
    code: "DF308",
    name: "s3-egress",
    severity: Severity::Warning,
    summary: "Snapshots go to S3 but egress does not allow the endpoint (or egress allows S3 the instance never uses).",
    docs: rule_docs!("s3_egress.md"),
    scope: crate::rules::Scope::Object,
};

/// Where snapshots go: `--s3_endpoint` as (host, port), in-cluster namespace when the host
/// is a Service name.
struct Endpoint {
    host: String,
    port: u16,
    namespace: Option<String>,
}

fn endpoint(value: Option<String>, https: bool) -> Endpoint {
    let default_port = if https { 443 } else { 80 };
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Endpoint {
            host: "the AWS regional endpoint".into(),
            port: default_port,
            namespace: None,
        };
    };
    let bare = value
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let (host, port) = match bare.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().unwrap_or(default_port)),
        None => (bare, default_port),
    };
    let labels: Vec<&str> = host.split('.').collect();
    let namespace = match labels.as_slice() {
        [_, ns, "svc", ..] => Some(ns.to_string()),
        _ => None,
    };
    Endpoint {
        host: host.to_string(),
        port,
        namespace,
    }
}

impl Rule for S3Egress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        for (index, instance) in model.instances.iter().enumerate() {
            let Some(cr) = instance.cr.map(|c| &bundle.crs[c]) else {
                continue;
            };
            let dir = cr
                .snapshot_dir()
                .or_else(|| cr.setting("dir").and_then(|(v, _)| v));
            let to_s3 = dir.is_some_and(|d| d.starts_with("s3://"));
            let https = cr
                .setting("s3_use_https")
                .and_then(|(v, _)| v)
                .is_none_or(|v| v != "false" && v != "0");
            let endpoint = endpoint(
                cr.setting("s3_endpoint")
                    .and_then(|(v, _)| v)
                    .map(str::to_string),
                https,
            );
            let query = PortQuery {
                number: endpoint.port,
                name: None,
                protocol: Protocol::Tcp,
            };
            let role = instance.roles()[0];
            if to_s3 {
                let reaches = |kind: &PeerKind| match (&endpoint.namespace, kind) {
                    (_, PeerKind::Anyone | PeerKind::Other(_) | PeerKind::Cidr { .. }) => true,
                    (Some(_), PeerKind::Entity(e)) => matches!(*e, "all" | "cluster"),
                    (None, PeerKind::Entity(e)) => {
                        matches!(*e, "all" | "world" | "world-ipv4" | "world-ipv6")
                    }
                    (None, PeerKind::Fqdn(_)) => true,
                    (Some(ns), PeerKind::Pods { namespaces, .. }) => match namespaces {
                        Namespaces::Names(names) => names.iter().any(|n| n == ns),
                        Namespaces::All | Namespaces::Selector(_) => true,
                        Namespaces::OperatorNamespace => false,
                    },
                    _ => false,
                };
                let egress = model.egress(index, role, query, reaches);
                if egress.enforced && egress.allowed.is_empty() {
                    let policy = model.policy(egress.enforced_by[0]);
                    out.report(
                        &policy.site.target(),
                        format!(
                            "{} backs up to S3 ({}, port {}), but {} restricts egress and allows no path there: snapshots will fail",
                            instance.display(),
                            endpoint.host,
                            endpoint.port,
                            policy.name
                        ),
                    )
                    .with_help(match &endpoint.namespace {
                        Some(ns) => format!("allow egress on TCP {} to the S3 service's pods in namespace {ns}", endpoint.port),
                        None => format!("allow egress on TCP {} to the endpoint (Cilium: toFQDNs with a DNS rule)", endpoint.port),
                    });
                }
            } else {
                // The operator's policies restrict ingress only.
                let input_policies = model
                    .selecting(index, role)
                    .filter(|p| model.operator_instance(*p).is_none());
                for p in input_policies {
                    for rule in &model.policies[p].egress.allow {
                        for peer in &rule.peers {
                            if let PeerKind::Fqdn(name) = &peer.kind {
                                if name.contains("s3") && name.contains("amazonaws.com") {
                                    out.report(
                                        &peer.site.target(),
                                        format!("egress to {name} looks like S3, but {} does not back up to S3: drop the rule", instance.display()),
                                    )
                                    .with_severity(Severity::Info);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
