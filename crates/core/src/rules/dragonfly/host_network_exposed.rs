use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::Runner;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct HostNetworkExposed;

static META: RuleMeta = RuleMeta {
    code: "DF061",
    name: "host-network-exposed",
    severity: Severity::Warning,
    summary: "Dragonfly runs on the host's network (compose `network_mode: host`, the Helm chart's `hostNetwork`) listening on every interface: its ports are open on all of the host's networks.",
    docs: rule_docs!("host_network_exposed.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// Whether a bind address listens on every interface (Dragonfly's default is empty: all).
fn all_interfaces(address: &str) -> bool {
    matches!(address.trim(), "" | "0.0.0.0" | "::" | "[::]" | "*")
}

impl Rule for HostNetworkExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            // Compose's `network_mode: host`, or the Helm chart's `hostNetwork: true` (the
            // pod shares the node's network).
            let host_network = match (server.runner, server.spec) {
                (Runner::Compose { .. }, Some(service)) => service
                    .get("network_mode")
                    .filter(|mode| mode.as_str() == Some("host")),
                (Runner::HelmChart { .. }, Some(values)) => values
                    .get("hostNetwork")
                    .filter(|on| on.as_bool() == Some(true)),
                _ => None,
            };
            let Some(mode) = host_network else {
                continue;
            };
            let bind = server.setting("bind");
            // A bind from a variable dflint does not know is not judged.
            let (open, bind_target) = match &bind {
                None => (true, None),
                Some((Some(address), target)) => (all_interfaces(address), Some(target.clone())),
                Some((None, _)) => (false, None),
            };
            if !open {
                continue;
            }
            // A port that is no number makes the server refuse to start (DF103 says so).
            let mut ports = vec![server
                .setting("port")
                .and_then(|(v, _)| v)
                .filter(|p| p.parse::<u16>().is_ok())
                .unwrap_or_else(|| "6379".into())];
            let http_off = server
                .command_line
                .last_use("primary_port_http_enabled")
                .is_some_and(|f| f.turns_off());
            for extra in ["admin_port", "memcached_port"] {
                if let Some((Some(port), _)) = server.setting(extra) {
                    if port != "0" {
                        ports.push(port);
                    }
                }
            }
            let authenticated = server.has_authentication();
            let target = bind_target.unwrap_or_else(|| server.target(mode));
            let diagnostic = out.report(
                &target,
                format!(
                    "{} uses the host's network and listens on every interface: port{} {} {} open on all of the host's networks{}{}",
                    server.name(),
                    if ports.len() == 1 { "" } else { "s" },
                    ports.join(", "),
                    if ports.len() == 1 { "is" } else { "are" },
                    if http_off { "" } else { " (the data port answers HTTP too: the console and `/metrics`)" },
                    if authenticated { "" } else { ", and no password is needed" },
                ),
            );
            if !authenticated {
                diagnostic.with_severity(Severity::Error);
            }
            if server.is_helm_chart() {
                diagnostic.with_help("drop `hostNetwork` and reach Dragonfly through its Service; if the node's network is needed, bind to the node address clients use (`--bind=…` in `extraArgs`) and firewall the rest");
                continue;
            }
            diagnostic.with_help("bind to the address clients use (`--bind=10.0.0.5`, or `127.0.0.1` when only this host connects), or drop `network_mode: host` and publish the data port with `ports:` on a chosen address");
        }
    }
}
