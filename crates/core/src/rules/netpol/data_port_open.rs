use super::support::{enforced_paths, path_target};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::{Namespaces, PeerKind, PortKind};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DataPortOpen;

static META: RuleMeta = RuleMeta {
    code: "DF303",
    name: "data-port-open",
    severity: Severity::Warning,
    summary: "The data port is open to the world, the whole cluster, every address or a rule without peers.",
    docs: rule_docs!("data_port_open.md"),
    scope: crate::rules::Scope::Object,
};

/// Peers that mean "everything" or "every pod of the cluster" rather than named clients.
fn is_wide(kind: &PeerKind) -> bool {
    match kind {
        PeerKind::Anyone => true,
        PeerKind::Entity(e) => matches!(
            *e,
            "world" | "world-ipv4" | "world-ipv6" | "all" | "cluster" | "host" | "remote-node"
        ),
        PeerKind::Pods {
            namespaces: Namespaces::All,
            pods,
        } => pods.is_empty(),
        PeerKind::Cidr { block, .. } => block.is_everything(),
        _ => false,
    }
}

impl Rule for DataPortOpen {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        for (instance, number, path) in enforced_paths(bundle, PortKind::Data) {
            let peer = model.peer(path, true);
            if !is_wide(&peer.kind) {
                continue;
            }
            let unauthenticated = instance.authenticated == Some(false);
            let related = out.related(&instance.site.target(), "the Dragonfly instance");
            let diagnostic = out
                .report(
                    &path_target(bundle, path),
                    format!(
                        "{} can reach the data port {number} of {}{}",
                        peer.kind.describe(),
                        instance.display(),
                        if unauthenticated {
                            ", and the instance asks for no password: anyone there can read and write every key"
                        } else {
                            ""
                        }
                    ),
                )
                .with_related(related)
                .with_help("list the client namespaces or pods that need Dragonfly instead");
            if unauthenticated {
                diagnostic.with_severity(Severity::Error);
            }
        }
    }
}
