use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::looks_like_credential;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct CredentialInEnv;

static META: RuleMeta = RuleMeta {
    code: "DF014",
    name: "credential-in-env",
    severity: Severity::Error,
    summary: "A password or other credential is set as a literal `value:` in the container env.",
    docs: rule_docs!("credential_in_env.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// S3 credentials have their own rule (DF053).
pub(crate) const S3_CREDENTIAL_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

impl Rule for CredentialInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            for var in &cr.env {
                let Some(value) = var.value else { continue };
                let is_secret = matches!(var.name, "DFLY_requirepass" | "DFLY_masterauth")
                    || (looks_like_credential(var.name) && !S3_CREDENTIAL_VARS.contains(&var.name));
                let empty = value.scalar_text().is_none_or(|t| t.is_empty());
                if !is_secret || empty {
                    continue;
                }
                out.report(
                    &cr.target(value),
                    format!(
                        "env `{}` holds a literal credential in {}",
                        var.name,
                        cr.name()
                    ),
                )
                .with_help(if var.name == "DFLY_requirepass" {
                    cr.password_advice()
                } else {
                    "use `valueFrom.secretKeyRef` instead of `value:`"
                });
            }
        }
    }
}
