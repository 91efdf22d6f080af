use super::support::inferred_admin;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct AdminInferred;

static META: RuleMeta = RuleMeta {
    code: "DF226",
    name: "acl-admin-inferred",
    severity: Severity::Info,
    summary: "Users whose name says admin and who hold every command on every key were treated as admins, not tenants.",
    docs: rule_docs!("admin_inferred.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for AdminInferred {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let admins: Vec<_> = acl
                .users
                .iter()
                .filter(|u| inferred_admin(bundle, u))
                .collect();
            let Some(first) = admins.first() else {
                continue;
            };
            let names: Vec<String> = admins.iter().map(|u| format!("`{}`", u.name)).collect();
            let related: Vec<_> = admins[1..]
                .iter()
                .map(|u| out.related(&acl.user_target(u), "also treated as an admin"))
                .collect();
            out.report(
                &acl.user_target(first),
                format!(
                    "{} {} treated as admin (the name says admin and every command on every key is allowed), so the tenant rules DF210-DF215 skip {}",
                    names.join(", "),
                    if names.len() == 1 { "is" } else { "are" },
                    if names.len() == 1 { "it" } else { "them" },
                ),
            )
            .with_related_all(related)
            .with_help("to choose the admins yourself, list them with `--acl-admin` (policy setting `aclAdminUsers`); an explicit list turns this inference off");
        }
    }
}
