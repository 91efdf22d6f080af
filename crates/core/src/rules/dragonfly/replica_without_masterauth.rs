use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::Runner;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ReplicaWithoutMasterauth;

static META: RuleMeta = RuleMeta {
    code: "DF062",
    name: "replica-without-masterauth",
    severity: Severity::Error,
    summary: "A compose service replicates from another service that requires a password, without `--masterauth`: replication fails with NOAUTH.",
    docs: rule_docs!("replica_without_masterauth.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// The host of a `--replicaof` value (`host:port`, `[v6]:port`, or `host port` as the
/// command `REPLICAOF` takes it).
fn replica_host(value: &str) -> Option<&str> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split_once(']').map(|(host, _)| host);
    }
    value
        .rsplit_once(':')
        .or_else(|| value.split_once(' '))
        .map(|(host, _)| host)
}

impl Rule for ReplicaWithoutMasterauth {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for replica in &bundle.dragonflies {
            let Runner::Compose { .. } = replica.runner else {
                continue;
            };
            let Some((Some(value), target)) = replica.setting("replicaof") else {
                continue;
            };
            let Some(host) = replica_host(&value) else {
                continue;
            };
            if replica.setting("masterauth").is_some() {
                continue;
            }
            // Services reach each other by service name on the compose network.
            let primary = bundle.dragonflies.iter().find(
                |other| matches!(other.runner, Runner::Compose { service } if service == host),
            );
            let Some(primary) = primary else { continue };
            if !primary.has_password() {
                continue;
            }
            let related = out.related(
                &primary.spec_or_root_target(),
                "the primary, which requires a password",
            );
            out.report(
                &target,
                format!("{} replicates from {}, which requires a password, but sets no `--masterauth`: the primary refuses the replica with NOAUTH and it never syncs", replica.name(), primary.name()),
            )
            .with_related(related)
            .with_help("give the replica the primary's password as `DFLY_masterauth=${VAR}` in `environment`");
        }
    }
}
