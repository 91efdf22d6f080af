use super::support::{is_tenant, keyspace, namespace_note, shares_keyspace};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct AllKeysTenant;

static META: RuleMeta = RuleMeta {
    code: "DF213",
    name: "acl-all-keys-tenant",
    severity: Severity::Warning,
    summary: "A non-admin user may access every key (`~*`, `allkeys`, `%R~*`, `%W~*`).",
    docs: rule_docs!("all_keys_tenant.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for AllKeysTenant {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for user in acl
                .users
                .iter()
                .filter(|u| u.enabled && is_tenant(bundle, u))
            {
                let token = user.root.all_keys.or_else(|| {
                    user.root
                        .keys
                        .iter()
                        .find(|k| k.pattern == b"*")
                        .map(|k| k.token)
                });
                let Some(token) = token else { continue };
                // In a namespace of its own, every key is only the tenant's own keys.
                if !keyspace(user).is_empty() && !shares_keyspace(bundle, &acl.users, user) {
                    continue;
                }
                out.report(
                    &acl.token_target(token),
                    format!("non-admin user `{}`{} may access every key (`{}`), including other tenants' keys", user.name, namespace_note(user), acl.token_text(token)),
                )
                .with_help("restrict it to its own prefix, e.g. `~<tenant>:*`");
            }
        }
    }
}
