use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DefaultUnrestricted;

static META: RuleMeta = RuleMeta {
    code: "DF204",
    name: "acl-default-unrestricted",
    severity: Severity::Warning,
    summary:
        "Tenants get their own users but `default` is left on with every command on every key.",
    docs: rule_docs!("default_unrestricted.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for DefaultUnrestricted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            if acl.users.iter().filter(|u| u.name != "default").count() == 0 {
                continue;
            }
            let Some(user) = acl
                .users
                .iter()
                .find(|u| u.name == "default" && !u.implicit)
            else {
                continue;
            };
            if !user.enabled || !user.root.all_commands || user.root.all_keys.is_none() {
                continue;
            }
            // `default` as the designated admin, with a password nobody else has, is an admin
            // account like any other: nothing to report (nopass is DF203's).
            let own_password = !user.passwords.is_empty()
                && user.nopass.is_none()
                && user.passwords.iter().all(|p| {
                    acl.users
                        .iter()
                        .filter(|o| o.name != "default")
                        .all(|o| o.passwords.iter().all(|q| q.fingerprint != p.fingerprint))
                });
            if own_password && bundle.is_acl_admin("default") {
                continue;
            }
            out.report(
                &acl.user_target(user),
                format!(
                    "`default` keeps `+@all ~*` while the file defines tenant users, and {}: any client with the default password bypasses every tenant restriction",
                    if own_password {
                        "it is not among the admin users"
                    } else {
                        "its password is also another user's"
                    }
                ),
            )
            .with_help("create a named admin user for administration and restrict `default` (`user default off -@all +auth +hello`), or list it among the admin users deliberately");
        }
    }
}
