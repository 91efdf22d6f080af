use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};
use sha2::{Digest, Sha256};

pub struct DefaultNopass;

static META: RuleMeta = RuleMeta {
    code: "DF203",
    name: "acl-default-nopass",
    severity: Severity::Error,
    summary: "The `default` user is enabled with `nopass`: every unauthenticated connection gets its permissions.",
    docs: rule_docs!("default_nopass.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for DefaultNopass {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let Some(user) = acl
                .users
                .iter()
                .find(|u| u.name == "default" && !u.implicit)
            else {
                continue;
            };
            if !user.enabled || user.root.allowed.iter().next().is_none() {
                continue;
            }
            // An empty password is no password: the server logs every new connection in as
            // `default` when `default` accepts "" (`AuthUser("default", "")`,
            // src/server/main_service.cc:1885@v1.40.1).
            let empty: [u8; 32] = Sha256::digest(b"").into();
            let (token, message) = match (user.nopass, user.passwords.iter().find(|p| p.fingerprint == empty)) {
                (Some(token), _) => (token, "the `default` user is on with `nopass`: clients that never AUTH run with its permissions"),
                (None, Some(grant)) => (grant.token, "the `default` user is on with an empty password (`>`): the server logs every connection in as `default` without AUTH, exactly as with `nopass`"),
                (None, None) => continue,
            };
            out.report(&acl.token_target(token), message)
                .with_help("give `default` a real password (`#<sha256>`), or shut it with `off -@all +auth +hello` (keeping AUTH and HELLO, which Dragonfly checks against `default` before login)");
        }
    }
}
