use super::support::{enforced_paths, path_target, Grants};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::peer::classify;
use crate::netpol::ports::Coverage;
use crate::netpol::{Grant, PeerClass, PortKind};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct AdminPortReachable;

static META: RuleMeta = RuleMeta {
    code: "DF301",
    name: "admin-port-reachable",
    severity: Severity::Error,
    summary: "A policy lets peers other than the operator, the instance's pods and a metrics scraper reach the admin port (unauthenticated superuser).",
    docs: rule_docs!("admin_port_reachable.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for AdminPortReachable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        let mut grants = Grants::new(bundle, PortKind::Admin);
        for (instance, number, path) in enforced_paths(bundle, PortKind::Admin) {
            let rule = model.rule(path, true, false);
            let peer = model.peer(path, true);
            let class = classify(&peer.kind, instance, &bundle.config.network);
            if matches!(
                class,
                PeerClass::Operator | PeerClass::OwnPods | PeerClass::Scraper
            ) {
                continue;
            }
            // Cilium's HTTP proxy only passes matching HTTP requests: RESP cannot get through,
            // so an L7 rule limited to /metrics is the one safe way to share the port.
            if let Some(paths) = rule
                .ports
                .entry(path.coverage)
                .and_then(|e| e.http_paths.as_ref())
            {
                if paths
                    .iter()
                    .all(|p| p.starts_with("/metrics") || p == "/healthz")
                {
                    continue;
                }
            }
            let all_ports = if path.coverage == Coverage::AllPorts {
                "; the rule lists no ports, so it opens every port, the admin port included"
            } else {
                ""
            };
            let grant = grants.of(instance);
            let open = "a superuser port where ACLs never apply and no password is asked";
            let (severity, what) = match (&grant, class) {
                // The port still runs every command unchecked once the password is given.
                (Grant::Nothing(why), _) => (
                    Severity::Warning,
                    format!("a superuser port where ACLs never apply; {why}"),
                ),
                (_, PeerClass::SelectedPods { .. }) => (Severity::Warning, open.to_string()),
                _ => (Severity::Error, open.to_string()),
            };
            let related = out.related(&instance.site.target(), "the Dragonfly instance");
            out.report(
                &path_target(bundle, path),
                format!(
                    "{} can reach the admin port {number} of {}: {what}{all_ports}",
                    peer.kind.describe(),
                    instance.display()
                ),
            )
            .with_severity(severity)
            .with_related(related)
            .with_help("allow the admin port only from dragonfly-operator, the instance's own pods and one metrics scraper selected by pod labels; with Cilium, an L7 `rules.http` limited to /metrics keeps RESP out");
        }
    }
}
