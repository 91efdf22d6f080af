use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ClientCaWithoutTls;

static META: RuleMeta = RuleMeta {
    code: "DF021",
    name: "client-ca-without-tls",
    severity: Severity::Warning,
    summary: "`clientCaCertSecret` is set without `tlsSecretRef`, so no client certificate is ever checked.",
    docs: rule_docs!("client_ca_without_tls.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for ClientCaWithoutTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let Some(ca) = cr.spec_at(&["authentication", "clientCaCertSecret"]) else {
                continue;
            };
            if cr.spec_at(&["tlsSecretRef"]).is_some() {
                continue;
            }
            out.report(
                &cr.target(ca),
                format!("{} requires client certificates but does not enable TLS, so connections are plaintext and unauthenticated", cr.name()),
            )
            .with_help("add `spec.tlsSecretRef: {name: <secret with tls.crt and tls.key>}`");
        }
    }
}
