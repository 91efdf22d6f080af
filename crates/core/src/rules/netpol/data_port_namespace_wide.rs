use super::support::{enforced_paths, is_other_namespaces_whole, is_wide, path_target, Grants};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::PortKind;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DataPortNamespaceWide;

static META: RuleMeta = RuleMeta {
    code: "DF312",
    name: "data-port-namespace-wide",
    severity: Severity::Warning,
    summary: "Every pod of namespaces other than the instance's own may reach its data port (an error when it asks for no password).",
    docs: rule_docs!("data_port_namespace_wide.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for DataPortNamespaceWide {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        let mut grants = Grants::new(bundle, PortKind::Data);
        for (instance, number, path) in enforced_paths(bundle, PortKind::Data) {
            let peer = model.peer(path, true);
            // Every namespace at once is data-port-open's.
            if is_wide(&peer.kind) || !is_other_namespaces_whole(&peer.kind, instance) {
                continue;
            }
            let grant = grants.of(instance);
            let unauthenticated = grant.is_privileged();
            let related = out.related(&instance.site.target(), "the Dragonfly instance");
            let diagnostic = out
                .report(
                    &path_target(bundle, path),
                    format!(
                        "{} can reach the data port {number} of {}: any workload started there, now or later, is a client{}",
                        peer.kind.describe(),
                        instance.display(),
                        if unauthenticated {
                            format!(", and without a password it gets {}", grant.describe())
                        } else {
                            String::new()
                        }
                    ),
                )
                .with_related(related)
                .with_help("add a `podSelector` (Cilium: pod labels beside the namespace label) naming the client pods");
            if unauthenticated {
                diagnostic.with_severity(Severity::Error);
            }
        }
    }
}
