use super::credential_in_env::S3_CREDENTIAL_VARS;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct S3CredentialsInEnv;

static META: RuleMeta = RuleMeta {
    code: "DF053",
    name: "s3-credentials-in-env",
    severity: Severity::Error,
    summary: "S3 credentials for snapshots are literal env values in the CR.",
    docs: rule_docs!("s3_credentials_in_env.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for S3CredentialsInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            for var in &cr.env {
                let Some(value) = var.value else { continue };
                if !S3_CREDENTIAL_VARS.contains(&var.name)
                    || value.scalar_text().is_none_or(|t| t.is_empty())
                {
                    continue;
                }
                out.report(
                    &cr.target(value),
                    format!("env `{}` of {} holds a literal S3 credential", var.name, cr.name()),
                )
                .with_help("use `valueFrom.secretKeyRef`; on EKS prefer IRSA/pod identity (`--s3_ec2_metadata`) over static keys");
            }
        }
    }
}
