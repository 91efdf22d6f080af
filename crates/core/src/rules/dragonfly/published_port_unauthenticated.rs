use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::compose::{published_ports, service_key, PublishedPort};
use crate::dragonfly::{DragonflyCr, Runner};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PublishedPortUnauthenticated;

static META: RuleMeta = RuleMeta {
    code: "DF063",
    name: "published-port-unauthenticated",
    severity: Severity::Error,
    summary: "A compose service publishes a Dragonfly port on every host interface where a client needs no password: the admin port (superuser), the memcached port, or a data port without a password.",
    docs: rule_docs!("published_port_unauthenticated.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// A listener of the server and what a client gets on it without a password.
struct Listener {
    port: u16,
    what: &'static str,
    /// Why a client gets in without a password, and how much: `None` when it does not.
    grant: Option<(Severity, String)>,
}

/// A port the server listens on, from a flag: `None` when it is not set, is 0 (off), or its
/// value is not known.
fn flag_port(server: &DragonflyCr<'_>, flag: &str) -> Option<u16> {
    let (value, _) = server.setting(flag)?;
    value?.trim().parse().ok().filter(|port| *port != 0)
}

/// Whether a bind address keeps the listener inside the container (published ports then
/// reach nothing); an address not known is not judged either.
fn unreachable_bind(server: &DragonflyCr<'_>, flag: &str) -> bool {
    match server.setting(flag) {
        None => false,
        Some((None, _)) => true,
        Some((Some(address), _)) => {
            let address = address.trim();
            address == "localhost" || address.starts_with("127.") || address == "::1"
        }
    }
}

/// The listeners of a server a published port can reach (dfly_main.cc:340-357, 422-457
/// @v1.40.1: the data and memcached listeners on `--bind`, the admin one on `--admin_bind`),
/// and what a client gets on each without a password (see `crate::netpol::privilege`).
fn listeners(server: &DragonflyCr<'_>) -> Vec<Listener> {
    let mut listeners = Vec::new();
    let http = !server
        .command_line
        .last_use("primary_port_http_enabled")
        .is_some_and(|f| f.turns_off());
    if !unreachable_bind(server, "bind") {
        // A `--port` whose value is not known is not guessed.
        let data_port = match server.setting("port") {
            None => Some(6379),
            Some((value, _)) => value.and_then(|v| v.trim().parse().ok()),
        };
        if let Some(port) = data_port.filter(|p| *p != 0) {
            let grant = (!server.has_authentication()).then(|| {
                (
                    Severity::Error,
                    format!(
                        "no password is set, so whoever reaches the host gets every command{}",
                        if http {
                            " (and the HTTP console with `/metrics` on the same port)"
                        } else {
                            ""
                        }
                    ),
                )
            });
            listeners.push(Listener {
                port,
                what: "data port",
                grant,
            });
        }
        if let Some(port) = flag_port(server, "memcached_port") {
            // A memcache connection is logged in as `default` at once
            // (main_service.cc:1881-1883@v1.40.1), password or not.
            let grant = if server.has_acl_file() {
                (Severity::Warning, "a memcache connection is never asked for a password and gets whatever the ACL file gives the `default` user".to_string())
            } else {
                (Severity::Error, "a memcache connection is never asked for a password and gets the `default` user's permissions (reading, writing and flushing keys)".to_string())
            };
            listeners.push(Listener {
                port,
                what: "memcached port",
                grant: Some(grant),
            });
        }
    }
    if !unreachable_bind(server, "admin_bind") {
        if let Some(port) = flag_port(server, "admin_port") {
            // The admin port skips ACL checks and asks for a password only when
            // `--admin_nopass` is off and one is set (main_service.cc:1877-1878@v1.40.1); a
            // required client certificate covers it unless `--no_tls_on_admin_port`.
            let nopass = server.setting_is_on("admin_nopass");
            let certificate =
                server.has_client_ca() && !server.setting_is_on("no_tls_on_admin_port");
            let grant = (!certificate && (nopass || !server.has_password())).then(|| {
                (
                    Severity::Error,
                    format!(
                        "{}, so whoever reaches the host gets superuser rights: every command, with no ACL check",
                        if nopass { "`--admin_nopass` turns its password off" } else { "no password is set" }
                    ),
                )
            });
            listeners.push(Listener {
                port,
                what: "admin port",
                grant,
            });
        }
    }
    listeners
}

impl Rule for PublishedPortUnauthenticated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            let (Runner::Compose { .. }, Some(service)) = (server.runner, server.spec) else {
                continue;
            };
            // On the host's network `ports:` is ignored: DF061 judges that.
            if service.get("network_mode").and_then(|m| m.as_str()) == Some("host") {
                continue;
            }
            let ports = published_ports(service, &|name| server.compose_var(name));
            if ports.is_empty() {
                continue;
            }
            let listeners = listeners(server);
            let key = service_key(&server.doc().root, service);
            for port in ports.iter().filter(|p| p.host_ip.is_none()) {
                for listener in listeners.iter().filter(|l| port.covers(l.port)) {
                    let Some((severity, why)) = &listener.grant else {
                        continue;
                    };
                    report(server, port, listener, *severity, why, key, out);
                }
            }
        }
    }
}

fn report(
    server: &DragonflyCr<'_>,
    port: &PublishedPort<'_>,
    listener: &Listener,
    severity: Severity,
    why: &str,
    key: Option<&crate::document::Node>,
    out: &mut Emitter<'_>,
) {
    // The long syntax's `target`, the short syntax's whole entry.
    let at = port.entry.get("target").unwrap_or(port.entry);
    let related = key.map(|key| {
        out.related(
            &crate::target::Target::key(server.doc(), key, server.resource.root),
            "the service",
        )
    });
    let diagnostic = out
        .report(
            &server.target(at),
            format!(
                "{} publishes its {} {} on every interface of the host: {why}",
                server.name(),
                listener.what,
                listener.port,
            ),
        )
        .with_severity(severity)
        .with_help(format!(
            "publish it on the address its clients use (`\"127.0.0.1:{0}:{0}\"` when only this host connects), or drop it from `ports:` and let other services reach it over the compose network{1}",
            listener.port,
            match listener.what {
                "admin port" => "; keep `--admin_nopass` off and set a password",
                "memcached port" => "; leave `--memcached_port` off unless memcache clients need it",
                _ => "; and set a password: `DFLY_requirepass=${VAR}` in `environment` with the value in an `.env` file kept out of Git",
            }
        ));
    if let Some(related) = related {
        diagnostic.with_related(related);
    }
}
