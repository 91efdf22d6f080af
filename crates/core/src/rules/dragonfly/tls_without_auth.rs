use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct TlsWithoutAuth;

static META: RuleMeta = RuleMeta {
    code: "DF020",
    name: "tls-without-auth",
    severity: Severity::Error,
    summary: "TLS is enabled without a password or client CA: Dragonfly exits at startup.",
    docs: rule_docs!("tls_without_auth.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for TlsWithoutAuth {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let Some(tls) = cr.spec_at(&["tlsSecretRef"]) else {
                continue;
            };
            if cr.has_password() || cr.has_client_ca() {
                continue;
            }
            let diagnostic = out.report(
                &cr.target(tls),
                format!("{} enables TLS but sets no password and no client CA: Dragonfly refuses to start with TLS and no authentication", cr.name()),
            );
            let help = if cr.has_acl_file() {
                "an ACL file does not count: add `spec.authentication.passwordFromSecret` or `spec.authentication.clientCaCertSecret`"
            } else {
                "add `spec.authentication.passwordFromSecret` or `spec.authentication.clientCaCertSecret`"
            };
            diagnostic.with_help(help);
        }
    }
}
