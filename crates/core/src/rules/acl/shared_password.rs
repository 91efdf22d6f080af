use crate::diagnostic::Severity;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct SharedPassword;

static META: RuleMeta = RuleMeta {
    code: "DF205",
    name: "acl-shared-password",
    severity: Severity::Warning,
    summary: "Several users share one password, so each can log in as the others.",
    docs: include_str!("shared_password.md"),
};

impl Rule for SharedPassword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for (i, user) in acl.users.iter().enumerate() {
                for grant in &user.passwords {
                    // Report each shared password once, at the later user.
                    let Some(first) = acl.users[..i].iter().find(|other| {
                        other
                            .passwords
                            .iter()
                            .any(|p| p.fingerprint == grant.fingerprint)
                    }) else {
                        continue;
                    };
                    let first_token = first
                        .passwords
                        .iter()
                        .find(|p| p.fingerprint == grant.fingerprint)
                        .map(|p| p.token)
                        .expect("found above");
                    let related = out.related(
                        &acl.token_target(first_token),
                        format!("the same password for `{}`", first.name),
                    );
                    out.report(
                        &acl.token_target(grant.token),
                        format!("`{}` has the same password as `{}`: either can authenticate as the other, so their permissions are effectively merged", user.name, first.name),
                    )
                    .with_related(related)
                    .with_help("give every user its own random password (and store only `#<sha256>` hashes)");
                }
            }
        }
    }
}
