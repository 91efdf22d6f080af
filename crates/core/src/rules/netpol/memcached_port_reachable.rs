use super::support::{enforced_paths, path_target, Grants};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::peer::classify;
use crate::netpol::{Grant, PortKind};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct MemcachedPortReachable;

static META: RuleMeta = RuleMeta {
    code: "DF302",
    name: "memcached-port-reachable",
    severity: Severity::Error,
    summary: "A policy lets peers outside the instance's namespace reach the memcached port, which never authenticates and gives them the `default` user's memcache commands.",
    docs: rule_docs!("memcached_port_reachable.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for MemcachedPortReachable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        let mut grants = Grants::new(bundle, PortKind::Memcached);
        for (instance, number, path) in enforced_paths(bundle, PortKind::Memcached) {
            let peer = model.peer(path, true);
            if classify(&peer.kind, instance, &bundle.config.network).stays_in_namespace() {
                continue;
            }
            // A `default` that may run no memcache command (or a client CA) leaves the port
            // giving nothing: reaching it is harmless.
            let grant = grants.of(instance);
            let gets = match &grant {
                Grant::Nothing(_) => continue,
                Grant::Unknown(_) => {
                    "memcached connections never authenticate and act as the ACL `default` user"
                        .to_string()
                }
                _ => format!(
                    "memcached connections never authenticate, and each gets {}",
                    grant.describe()
                ),
            };
            let related = out.related(&instance.site.target(), "the Dragonfly instance");
            out.report(
                &path_target(bundle, path),
                format!(
                    "{} can reach the memcached port {number} of {}: {gets}",
                    peer.kind.describe(),
                    instance.display()
                ),
            )
            .with_related(related)
            .with_help("allow the memcached port only from the application pods that need it, in the instance's namespace");
        }
    }
}
