use super::support::{
    command_list, denial_list, is_tenant, keys_unchecked, keyspace, shares_keyspace,
};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct KeylessCommands;

static META: RuleMeta = RuleMeta {
    code: "DF214",
    name: "acl-keyless-commands",
    severity: Severity::Warning,
    summary: "A tenant restricted by key patterns can still run commands that ignore them (KEYS, SCAN, RM, FLUSHDB…).",
    docs: rule_docs!("keyless_commands.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for KeylessCommands {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let dialect = acl.file.dialect;
            // Looked up once per ACL, not per user.
            let keyless = keys_unchecked(dialect);
            for user in acl.users.iter().filter(|u| {
                u.enabled
                    && is_tenant(bundle, u)
                    && u.root.all_keys.is_none()
                    && !u.root.keys.is_empty()
            }) {
                let mut names: Vec<&str> = Vec::new();
                let mut first_token = None;
                for &(index, command) in &keyless {
                    if user.root.allows(index) {
                        names.push(command.name);
                        first_token = first_token.or(user.root.decided_by.get(index));
                    }
                }
                let Some(token) = first_token else { continue };
                // Alone in its namespace, KEYS and SCAN list only the tenant's own keys.
                if !keyspace(user).is_empty() && !shares_keyspace(bundle, &acl.users, user) {
                    continue;
                }
                out.report(
                    &acl.token_target(token),
                    format!(
                        "`{}` is limited to its key patterns but can run {}, which ignore key patterns: it can list, read, move or delete other tenants' keys",
                        user.name,
                        command_list(names.iter().copied(), false)
                    ),
                )
                .with_help(format!(
                    "deny them explicitly, e.g. `{}`",
                    denial_list(names.iter().copied())
                ));
            }
        }
    }
}
