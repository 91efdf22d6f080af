use super::support::{cr_acl, name_list, users_allowing, CrAcl};
use crate::acl::eval::EffectiveUser;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct LuaUndeclaredKeys;

static META: RuleMeta = RuleMeta {
    code: "DF403",
    name: "lua-undeclared-keys",
    severity: Severity::Info,
    summary: "Lua scripts may touch keys they do not declare on an instance whose ACL keeps tenants apart by key patterns: one tenant's script locks the whole instance.",
    docs: rule_docs!("lua_undeclared_keys.md"),
    scope: crate::rules::Scope::Object,
};

/// Commands that run a Lua script (FCALL exists only in Redis).
const SCRIPT_COMMANDS: &[&str] = &[
    "eval",
    "evalsha",
    "eval_ro",
    "evalsha_ro",
    "fcall",
    "fcall_ro",
];

/// A user whose keys are limited to patterns: some key pattern, and neither `allkeys` nor
/// `~*` (users with no key pattern at all reach no key, and share nothing).
fn restricted_by_key_patterns(user: &EffectiveUser) -> bool {
    let root = &user.root;
    root.all_keys.is_none() && !root.keys.is_empty() && root.keys.iter().all(|k| k.pattern != b"*")
}

/// Most user names a message lists.
const MAX_NAMES: usize = 5;

impl Rule for LuaUndeclaredKeys {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for (index, cr) in bundle.crs.iter().enumerate() {
            let mut settings = Vec::new();
            if let Some((Some(value), target)) = cr.setting("default_lua_flags") {
                // Dragonfly separates the flags with spaces; commas are accepted here too.
                if value
                    .split([' ', ','])
                    .any(|f| f.trim() == "allow-undeclared-keys")
                {
                    settings.push((
                        target.clone(),
                        "`--default_lua_flags=allow-undeclared-keys` lets every Lua script",
                    ));
                }
            }
            if let Some((value, target)) = cr.setting("lua_undeclared_keys_shas") {
                if value.is_none_or(|v| !v.trim().is_empty()) {
                    settings.push((
                        target.clone(),
                        "`--lua_undeclared_keys_shas` lets the listed Lua scripts",
                    ));
                }
            }
            if settings.is_empty() {
                continue;
            }
            // Only an ACL that keeps tenants apart by key patterns makes the instance-wide
            // lock someone else's problem: without one (or with one Dragonfly rejects, which
            // leaves the built-in `default`), whoever runs the scripts owns the instance.
            let CrAcl::Found(acl) = cr_acl(bundle, index) else {
                continue;
            };
            if acl.file.rejected() {
                continue;
            }
            let tenants: Vec<String> = acl
                .users
                .iter()
                .filter(|u| u.enabled && restricted_by_key_patterns(u))
                .map(|u| u.name.clone())
                .collect();
            if tenants.is_empty() {
                continue;
            }
            let users = users_allowing(Some(acl), acl.file.dialect, SCRIPT_COMMANDS);
            // Someone must be able to run scripts, and a tenant other than that one user must
            // share the instance (a queue's own user stalling only itself is its choice).
            if !tenants.iter().any(|t| users.iter().any(|u| u != t)) {
                continue;
            }
            for (target, what) in settings {
                out.report(
                    &target,
                    format!(
                        "{what} access undeclared keys, and an atomic script that does so locks the whole instance while it runs. Key patterns keep users apart in {} ({}), so a script run by {} stalls all of them; the script's own commands are still checked against the caller's key patterns",
                        acl.describe(),
                        name_list(&tenants, MAX_NAMES),
                        name_list(&users, MAX_NAMES)
                    ),
                )
                .with_help("enable it only for the scripts that need it (a `--!df flags=allow-undeclared-keys` first line, or `--lua_undeclared_keys_shas`), or give the queue its own instance");
            }
        }
    }
}
