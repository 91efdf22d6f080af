use crate::acl::eval::TokenRef;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};
use std::collections::HashMap;

pub struct SharedPassword;

static META: RuleMeta = RuleMeta {
    code: "DF205",
    name: "acl-shared-password",
    severity: Severity::Warning,
    summary: "Several users share one password, so each can log in as the others.",
    docs: rule_docs!("shared_password.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for SharedPassword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            // First user (and token) seen with each password fingerprint: one pass, so files
            // with 100,000 users stay linear.
            let mut first_with: HashMap<[u8; 32], (usize, TokenRef)> = HashMap::new();
            for (i, user) in acl.users.iter().enumerate() {
                for grant in &user.passwords {
                    // Two users with the same placeholder share a template, not a password
                    // (DF225).
                    let placeholder = acl
                        .token(grant.token)
                        .and_then(|t| super::support::password_text(&t.text))
                        .is_some_and(super::support::is_placeholder);
                    if placeholder {
                        continue;
                    }
                    match first_with.get(&grant.fingerprint) {
                        None => {
                            first_with.insert(grant.fingerprint, (i, grant.token));
                        }
                        Some(&(first, _)) if first == i => {}
                        Some(&(first, first_token)) => {
                            let first = &acl.users[first];
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
    }
}
