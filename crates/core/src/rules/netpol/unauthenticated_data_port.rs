use super::support::{enforced_paths, is_other_namespaces_whole, is_wide, path_target, Grants};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::netpol::peer::classify;
use crate::netpol::{PeerClass, PortKind};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct UnauthenticatedDataPort;

static META: RuleMeta = RuleMeta {
    code: "DF311",
    name: "unauthenticated-data-port",
    severity: Severity::Error,
    summary: "Peers outside the instance's namespace reach a data port that asks for no password, and get the ACL `default` user's permissions.",
    docs: rule_docs!("unauthenticated_data_port.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for UnauthenticatedDataPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        let mut grants = Grants::new(bundle, PortKind::Data);
        for (instance, number, path) in enforced_paths(bundle, PortKind::Data) {
            let peer = model.peer(path, true);
            // Wide peers are data-port-open's, whole other namespaces data-port-namespace-wide's
            // (both errors when no password is needed): one finding per peer.
            if is_wide(&peer.kind) || is_other_namespaces_whole(&peer.kind, instance) {
                continue;
            }
            // The instance's own namespace is what the operator's policy opens the data port
            // to; an instance without a password is no-authentication's (DF012) to report.
            let class = classify(&peer.kind, instance, &bundle.config.network);
            if class.stays_in_namespace()
                || matches!(class, PeerClass::Operator | PeerClass::Scraper)
            {
                continue;
            }
            let grant = grants.of(instance);
            if !grant.is_privileged() {
                continue;
            }
            // Pods picked by labels are named clients; anything wider is anyone who can get in.
            let severity = match class {
                PeerClass::SelectedPods { .. } => Severity::Warning,
                PeerClass::ManyNamespaces => match &peer.kind {
                    crate::netpol::PeerKind::Pods { pods, .. } if !pods.is_empty() => {
                        Severity::Warning
                    }
                    _ => Severity::Error,
                },
                _ => Severity::Error,
            };
            let related = out.related(&instance.site.target(), "the Dragonfly instance");
            out.report(
                &path_target(bundle, path),
                format!(
                    "{} can reach the data port {number} of {} without a password, and gets {}",
                    peer.kind.describe(),
                    instance.display(),
                    grant.describe()
                ),
            )
            .with_severity(severity)
            .with_related(related)
            .with_help("give `default` a password (`authentication.passwordFromSecret`, or a `user default` line with `#<sha256>` in the ACL) or take its commands away (`off -@all +auth +hello`); clients then log in as their own users");
        }
    }
}
