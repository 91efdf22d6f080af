use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct NopassUser;

static META: RuleMeta = RuleMeta {
    code: "DF206",
    name: "acl-nopass-user",
    severity: Severity::Error,
    summary: "A user other than `default` is enabled with `nopass`: any password logs in as it.",
    docs: rule_docs!("nopass_user.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for NopassUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for user in acl
                .users
                .iter()
                .filter(|u| u.name != "default" && u.enabled)
            {
                let Some(token) = user.nopass else { continue };
                out.report(
                    &acl.token_target(token),
                    format!(
                        "user `{}` is on with `nopass`: `AUTH {} <anything>` succeeds",
                        user.name, user.name
                    ),
                )
                .with_help("replace `nopass` with a password (`#<sha256>` in files)");
            }
        }
    }
}
