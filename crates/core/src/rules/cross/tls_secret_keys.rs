use super::support::{secret_has_key, secrets_named};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct TlsSecretKeys;

static META: RuleMeta = RuleMeta {
    code: "DF405",
    name: "tls-secret-keys",
    severity: Severity::Error,
    summary: "The Secret named by `tlsSecretRef` lacks `tls.crt` or `tls.key`, the files the operator points Dragonfly at.",
    docs: rule_docs!("tls_secret_keys.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::Secrets]),
};

/// The operator mounts the whole Secret at `/etc/dragonfly-tls` and passes these two files.
const TLS_KEYS: [&str; 2] = ["tls.crt", "tls.key"];

impl Rule for TlsSecretKeys {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.crs {
            // Only the object form `{name: …}` is read by the operator; a string is a schema
            // error reported by the CRD check.
            let Some((Some(name), name_target)) = cr.tls_secret() else {
                continue;
            };
            for secret in secrets_named(bundle, name, cr.namespace()) {
                let missing: Vec<&str> = TLS_KEYS
                    .into_iter()
                    .filter(|k| !secret_has_key(secret, k))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let related = out.related(
                    name_target,
                    format!("`tlsSecretRef` of {}", cr.display_name()),
                );
                let shown: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
                let node = secret.root.at(&["metadata", "name"]).unwrap_or(secret.root);
                out.report(
                    &Target::node(secret.doc, node),
                    format!(
                        "Secret `{name}` is the TLS Secret of {} but has no {}: the operator starts Dragonfly with `--tls_cert_file=/etc/dragonfly-tls/tls.crt --tls_key_file=/etc/dragonfly-tls/tls.key`, so it cannot set up TLS",
                        cr.display_name(),
                        shown.join(" and no ")
                    ),
                )
                .with_related(related)
                .with_help("store the certificate as `tls.crt` and the private key as `tls.key` (a `kubernetes.io/tls` Secret, as cert-manager writes it, has both)");
            }
        }
    }
}
