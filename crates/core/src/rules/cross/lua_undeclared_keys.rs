use super::support::{cr_acl, name_list, users_allowing, CrAcl};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct LuaUndeclaredKeys;

static META: RuleMeta = RuleMeta {
    code: "DF403",
    name: "lua-undeclared-keys",
    severity: Severity::Info,
    summary: "Lua scripts may touch keys they do not declare while ACL users can run scripts: such scripts take a global lock, and EVAL's key arguments are not matched against key patterns.",
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
            let (users, whose) = match cr_acl(bundle, index) {
                CrAcl::Unknown => continue,
                CrAcl::None => (
                    users_allowing(None, bundle.config.acl.dialect, SCRIPT_COMMANDS),
                    format!(
                        "{} has no ACL, so every client may run scripts as",
                        cr.display_name()
                    ),
                ),
                CrAcl::Found(acl) if acl.file.rejected() => (
                    users_allowing(None, acl.file.dialect, SCRIPT_COMMANDS),
                    format!(
                        "Dragonfly rejects {}, so every client may run scripts as",
                        acl.describe()
                    ),
                ),
                CrAcl::Found(acl) => (
                    users_allowing(Some(acl), acl.file.dialect, SCRIPT_COMMANDS),
                    format!("Users who may run scripts in {}:", acl.describe()),
                ),
            };
            if users.is_empty() {
                continue;
            }
            for (target, what) in settings {
                out.report(
                    &target,
                    format!(
                        "{what} access undeclared keys, and an atomic script that does so locks the whole instance while it runs; every command a script calls is still ACL-checked, but EVAL's own key arguments are never matched against key patterns. {whose} {}",
                        name_list(&users, MAX_NAMES)
                    ),
                )
                .with_help("keep it only for scripts that need it (declare keys, or mark single scripts with a `--!df flags=allow-undeclared-keys` first line), and give the users running them narrow key patterns");
            }
        }
    }
}
