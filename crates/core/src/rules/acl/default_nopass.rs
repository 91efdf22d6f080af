use crate::diagnostic::Severity;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DefaultNopass;

static META: RuleMeta = RuleMeta {
    code: "DF203",
    name: "acl-default-nopass",
    severity: Severity::Error,
    summary: "The `default` user is enabled with `nopass`: every unauthenticated connection gets its permissions.",
    docs: include_str!("default_nopass.md"),
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
            let Some(token) = user.nopass else { continue };
            if !user.enabled || user.root.allowed.iter().next().is_none() {
                continue;
            }
            out.report(
                &acl.token_target(token),
                "the `default` user is on with `nopass`: clients that never AUTH run with its permissions",
            )
            .with_help("give `default` a password (`#<sha256>`) or turn it `off -@all`");
        }
    }
}
