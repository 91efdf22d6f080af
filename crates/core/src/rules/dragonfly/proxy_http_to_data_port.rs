use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::Node;
use crate::dragonfly::{DragonflyCr, Runner};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ProxyHttpToDataPort;

static META: RuleMeta = RuleMeta {
    code: "DF065",
    name: "proxy-http-to-data-port",
    severity: Severity::Warning,
    summary: "A reverse proxy's labels route HTTP to a compose service's Dragonfly data port while the HTTP console is on there: `/metrics` goes out without a password.",
    docs: rule_docs!("proxy_http_to_data_port.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// The labels of a service, as (node to point at, key, value): a mapping, or a list of
/// `key=value` items (the item is the node of both).
fn labels(service: &Node) -> Vec<(&Node, String, String)> {
    let Some(labels) = service.get("labels") else {
        return Vec::new();
    };
    if let Some(entries) = labels.as_map() {
        return entries
            .iter()
            .filter_map(|e| {
                let value = e.value.scalar_text()?;
                Some((
                    &e.value,
                    e.key.as_str()?.to_string(),
                    value.trim().to_string(),
                ))
            })
            .collect();
    }
    labels
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| {
            let (key, value) = item.as_str()?.split_once('=')?;
            Some((item, key.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

/// Which proxy a label routes HTTP to a port with, and the port: Traefik's HTTP service port,
/// or caddy-docker-proxy's `reverse_proxy {{upstreams PORT}}`.
fn routed_port(key: &str, value: &str) -> Option<(&'static str, Vec<String>)> {
    let parts: Vec<&str> = key.split('.').collect();
    // traefik.http.services.<name>.loadbalancer.server.port; `traefik.tcp.…` carries RESP,
    // not HTTP, and is left alone.
    if let ["traefik", "http", "services", _, "loadbalancer", "server", "port"] = parts.as_slice() {
        return Some(("Traefik", vec![value.to_string()]));
    }
    // caddy, caddy_0, caddy_1…: `caddy.reverse_proxy: "{{upstreams 6379}}"` (or with a scheme:
    // `{{upstreams http 6379}}`).
    let caddy = parts.first().is_some_and(|first| {
        *first == "caddy"
            || first
                .strip_prefix("caddy_")
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
    });
    if caddy && parts.last() == Some(&"reverse_proxy") {
        let mut ports = Vec::new();
        let mut rest = value;
        while let Some(at) = rest.find("{{upstreams") {
            let after = &rest[at + "{{upstreams".len()..];
            let end = after.find("}}").unwrap_or(after.len());
            ports.extend(
                after[..end]
                    .split_whitespace()
                    .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
                    .map(str::to_string),
            );
            rest = &after[end..];
        }
        return (!ports.is_empty()).then_some(("caddy-docker-proxy", ports));
    }
    None
}

/// The data port, when known: `--port`, else 6379.
fn data_port(server: &DragonflyCr<'_>) -> Option<u16> {
    match server.setting("port") {
        None => Some(6379),
        Some((value, _)) => value?.trim().parse().ok(),
    }
}

/// Whether the HTTP console answers on the data port: outside the operator it does unless
/// `--primary_port_http_enabled=false` (dragonfly_connection.cc:1323-1331@v1.40.1). A value
/// not known is not judged.
fn console_on_data_port(server: &DragonflyCr<'_>) -> bool {
    match server.setting("primary_port_http_enabled") {
        None => true,
        Some((None, _)) => false,
        Some((Some(value), _)) => {
            crate::flags::FlagType::Bool.parse(&value) == Ok(crate::flags::FlagValue::Bool(true))
        }
    }
}

impl Rule for ProxyHttpToDataPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            let (Runner::Compose { .. }, Some(service)) = (server.runner, server.spec) else {
                continue;
            };
            if !console_on_data_port(server) {
                continue;
            }
            let Some(port) = data_port(server) else {
                continue;
            };
            let port_text = port.to_string();
            let interpolate = |text: &str| {
                let expanded = crate::interpolate::compose(text, &|name| server.compose_var(name));
                (!expanded.opaque).then_some(expanded.text)
            };
            let mut routes: Vec<(&Node, &'static str)> = Vec::new();
            for (node, key, value) in labels(service) {
                let Some(value) = interpolate(&value) else {
                    continue;
                };
                if let Some((proxy, ports)) = routed_port(&key, &value) {
                    if ports.iter().any(|p| p.trim() == port_text) {
                        routes.push((node, proxy));
                    }
                }
            }
            // nginx-proxy reads the container's `VIRTUAL_PORT` (with `VIRTUAL_HOST`).
            if let (Some(port_var), Some(_)) = (
                server.env_var("VIRTUAL_PORT"),
                server.env_var("VIRTUAL_HOST"),
            ) {
                let known = matches!(&port_var.resolved, crate::args::EnvValue::Known(v) if v.trim() == port_text);
                if known {
                    routes.push((port_var.value.unwrap_or(port_var.entry), "nginx-proxy"));
                }
            }
            let open = !server.has_password();
            for (node, proxy) in routes {
                let diagnostic = out.report(
                    &server.target(node),
                    format!(
                        "{proxy} routes HTTP to {}'s data port {port}, where Dragonfly answers HTTP too: `/metrics` and `/healthz` need no password{}",
                        server.name(),
                        if open {
                            ", and with no password set neither does the console"
                        } else {
                            " (the console asks for the `default` user's password)"
                        }
                    ),
                );
                if open {
                    diagnostic.with_severity(Severity::Error);
                }
                diagnostic.with_help("turn the console off on the data port with `--primary_port_http_enabled=false` and scrape `/metrics` over the compose network, not through the proxy; to carry Redis clients through Traefik, use a `traefik.tcp` router");
            }
        }
    }
}
