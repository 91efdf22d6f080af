use super::support::{enforced_paths, is_wide, path_target, Grants};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::PortKind;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DataPortOpen;

static META: RuleMeta = RuleMeta {
    code: "DF303",
    name: "data-port-open",
    severity: Severity::Warning,
    summary: "The data port is open to the world, the whole cluster, every address or a rule without peers (an error when it needs no password).",
    docs: rule_docs!("data_port_open.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for DataPortOpen {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        let mut grants = Grants::new(bundle, PortKind::Data);
        for (instance, number, path) in enforced_paths(bundle, PortKind::Data) {
            let peer = model.peer(path, true);
            if !is_wide(&peer.kind) {
                continue;
            }
            let grant = grants.of(instance);
            let unauthenticated = grant.is_privileged();
            let related = out.related(&instance.site.target(), "the Dragonfly instance");
            let diagnostic = out
                .report(
                    &path_target(bundle, path),
                    format!(
                        "{} can reach the data port {number} of {}{}",
                        peer.kind.describe(),
                        instance.display(),
                        if unauthenticated {
                            format!(
                                ", and without a password every one of them gets {}",
                                grant.describe()
                            )
                        } else {
                            String::new()
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
