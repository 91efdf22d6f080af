use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ExternalExposure;

static META: RuleMeta = RuleMeta {
    code: "DF042",
    name: "external-exposure",
    severity: Severity::Warning,
    summary: "The Dragonfly Service is a LoadBalancer or NodePort (an error when there is no authentication).",
    docs: rule_docs!("external_exposure.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for ExternalExposure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle
            .dragonflies
            .iter()
            .filter(|cr| cr.is_operator() || cr.is_helm_chart())
        {
            // The operator's `serviceSpec.type`; the Helm chart's `service.type`.
            let path: &[&str] = if cr.is_operator() {
                &["serviceSpec", "type"]
            } else {
                &["service", "type"]
            };
            let Some(kind) = cr.spec_at(path) else {
                continue;
            };
            let Some(kind_text @ ("LoadBalancer" | "NodePort")) = kind.as_str() else {
                continue;
            };
            let memcached = if cr.spec_at(&["memcachedPort"]).is_some() {
                " and the memcached port (which never authenticates)"
            } else {
                ""
            };
            if cr.has_authentication() {
                out.report(
                    &cr.target(kind),
                    format!("{} exposes port 6379{memcached} outside the cluster through a {kind_text} Service", cr.name()),
                )
                .with_help("prefer `ClusterIP`; if clients outside the cluster need it, restrict sources (`loadBalancerSourceRanges`, firewall) and enable TLS");
            } else {
                out.report(
                    &cr.target(kind),
                    format!("{} exposes port 6379{memcached} outside the cluster through a {kind_text} Service with no authentication", cr.name()),
                )
                .with_severity(Severity::Error)
                .with_help(if cr.is_operator() {
                    "configure `authentication.passwordFromSecret` or an ACL, or keep the Service `ClusterIP`"
                } else {
                    "set `passwordFromSecret` (or an ACL with `--aclfile`), or keep the Service `ClusterIP`"
                });
            }
        }
    }
}
