use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct NoAuthentication;

static META: RuleMeta = RuleMeta {
    code: "DF012",
    name: "no-authentication",
    severity: Severity::Error,
    summary: "The Dragonfly CR configures no password, ACL file or client certificates.",
    docs: rule_docs!("no_authentication.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for NoAuthentication {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            if cr.has_authentication() || cr.is_partial() {
                continue;
            }
            out.report(
                &cr.spec_or_root_target(),
                format!(
                    "{} has no authentication: the `default` user is `nopass` with every command on every key",
                    cr.name()
                ),
            )
            .with_help(if cr.is_operator() {
                "set `spec.authentication.passwordFromSecret` (a Secret key), or `spec.aclFromSecret` with a `user default` line, or require client certificates with `spec.authentication.clientCaCertSecret`"
            } else {
                "set `DFLY_requirepass` from a Secret (`valueFrom.secretKeyRef`), or `--aclfile` with a `user default` line, or require client certificates with `--tls` and `--tls_ca_cert_file`"
            });
        }
    }
}
