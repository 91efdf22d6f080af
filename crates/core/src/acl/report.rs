//! The ACL engine's answers as typed values with one serialised form: what `dflint acl
//! explain` and `dflint acl can` print as JSON and render as text, and what the browser
//! playground shows. Tokens appear as their text, passwords masked ([`token_text`]).

use super::commands;
use super::dryrun::Verdict;
use super::eval::{EffectiveUser, Permissions};
use super::parse::AclFile;
use super::queries::token_text;
use super::Dialect;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a command is allowed whatever the rules say.
const NO_AUTH_NOTE: &str = "no_auth command: Redis never checks it";

/// One user's effective permissions: what `acl explain` gives for each user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserReport {
    pub user: String,
    /// The ACL text the user is in, when the input holds several (`path: Secret ns/name
    /// key `k``); set by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<String>,
    pub enabled: bool,
    /// No line defines the user: the server's built-in `default`.
    pub implicit: bool,
    pub nopass: bool,
    /// How many passwords the user has (never what they are).
    pub passwords: usize,
    pub hashed_passwords: usize,
    /// Dragonfly `$<db>`: the one database the user may use (`None`: all).
    pub db: Option<u32>,
    pub db_granted_by: Option<String>,
    /// Dragonfly `NAMESPACE`.
    pub namespace: Option<String>,
    /// How many lines define the user (they are merged).
    pub lines: usize,
    /// The user's own permissions.
    #[serde(flatten)]
    pub permissions: PermissionsReport,
    /// Redis selectors: alternative sets of permissions, each enough on its own.
    pub selectors: Vec<PermissionsReport>,
}

/// One set of permissions: a user's own, or one of its selectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PermissionsReport {
    /// Every command is allowed.
    pub all_commands: bool,
    /// The categories every member of which is allowed (`@read`).
    pub categories: Vec<String>,
    /// Every command allowed, in the command table's order.
    pub commands: Vec<AllowedCommand>,
    /// Every command denied, with the token that last denied it.
    pub denied_commands: Vec<DeniedCommand>,
    /// The allowed commands in `@dangerous` or `@admin`.
    pub dangerous_commands: Vec<String>,
    /// `+cmd|arg` grants (Redis).
    pub first_args: Vec<FirstArgGrant>,
    pub all_keys: bool,
    pub all_keys_granted_by: Option<String>,
    pub keys: Vec<KeyPatternGrant>,
    pub all_channels: bool,
    pub channels: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllowedCommand {
    /// Lower case, subcommands after a space (`acl setuser`).
    pub command: String,
    /// In `@dangerous` or `@admin`.
    pub dangerous: bool,
    /// The token that allowed it (`None`: allowed without a rule, see `always_allowed`).
    pub granted_by: Option<String>,
    /// Why it is allowed whatever the rules say, when it is.
    pub always_allowed: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeniedCommand {
    pub command: String,
    /// The token that last denied it (`None`: never allowed).
    pub decided_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstArgGrant {
    pub command: String,
    pub arg: String,
    pub granted_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyPatternGrant {
    pub pattern: String,
    pub read: bool,
    pub write: bool,
    pub granted_by: Option<String>,
}

impl UserReport {
    /// Every claim in it is one `acl can` confirms for the same file.
    pub fn of(file: &AclFile, user: &EffectiveUser) -> UserReport {
        UserReport {
            user: user.name.clone(),
            acl: None,
            enabled: user.enabled,
            implicit: user.implicit,
            nopass: user.is_nopass(),
            passwords: user.passwords.len(),
            hashed_passwords: user.passwords.iter().filter(|p| p.hashed).count(),
            db: user.db,
            db_granted_by: token_text(file, user.db_token),
            namespace: user.namespace.clone(),
            lines: user.lines.len(),
            permissions: PermissionsReport::of(file, &user.root),
            selectors: user
                .selectors
                .iter()
                .map(|p| PermissionsReport::of(file, p))
                .collect(),
        }
    }
}

impl PermissionsReport {
    pub fn of(file: &AclFile, perms: &Permissions) -> PermissionsReport {
        let dialect = file.dialect;
        let table = commands::all(dialect);
        let bits = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| commands::category(dialect, n))
                .fold(0u64, |mask, cat| mask | (1u64 << cat.bit))
        };
        let risky = bits(&["dangerous", "admin"]);
        let dangerous = |c: &commands::Command| c.categories & risky != 0;
        // Redis runs `no_auth` commands whatever the rules say (`ACLSelectorCheckCmd`);
        // Dragonfly checks them like any other command.
        let always = |c: &commands::Command| dialect == Dialect::Redis && c.no_auth;
        let allowed = |i: usize| perms.allows(i) || always(&table[i]);
        let categories = commands::categories(dialect)
            .iter()
            .filter(|cat| {
                let members = commands::category_member_indexes(dialect, cat.bit);
                !members.is_empty() && members.iter().all(|&i| perms.allows(usize::from(i)))
            })
            .map(|cat| format!("@{}", cat.name))
            .collect();
        let mut commands = Vec::new();
        let mut denied_commands = Vec::new();
        for (i, command) in table.iter().enumerate() {
            if !allowed(i) {
                denied_commands.push(DeniedCommand {
                    command: command.name.to_string(),
                    decided_by: token_text(file, perms.decided_by.get(i)),
                });
                continue;
            }
            let by_rule = perms.allows(i);
            commands.push(AllowedCommand {
                command: command.name.to_string(),
                dangerous: dangerous(command),
                granted_by: by_rule
                    .then(|| token_text(file, perms.decided_by.get(i)))
                    .flatten(),
                always_allowed: (!by_rule).then(|| NO_AUTH_NOTE.to_string()),
            });
        }
        PermissionsReport {
            all_commands: commands.len() == table.len(),
            categories,
            dangerous_commands: commands
                .iter()
                .filter(|c| c.dangerous)
                .map(|c| c.command.clone())
                .collect(),
            commands,
            denied_commands,
            first_args: perms
                .first_args
                .iter()
                .map(|(i, arg, token)| FirstArgGrant {
                    command: table[*i].name.to_string(),
                    arg: String::from_utf8_lossy(arg).into_owned(),
                    granted_by: token_text(file, Some(*token)),
                })
                .collect(),
            all_keys: perms.all_keys.is_some(),
            all_keys_granted_by: token_text(file, perms.all_keys),
            keys: perms
                .keys
                .iter()
                .map(|k| KeyPatternGrant {
                    pattern: String::from_utf8_lossy(&k.pattern).into_owned(),
                    read: k.perm.allows_read(),
                    write: k.perm.allows_write(),
                    granted_by: token_text(file, Some(k.token)),
                })
                .collect(),
            all_channels: perms.all_channels.is_some(),
            channels: perms
                .channels
                .iter()
                .map(|c| String::from_utf8_lossy(&c.pattern).into_owned())
                .collect(),
        }
    }
}

/// The answer to "may this user run this command line?": a verdict, or what the server
/// would answer instead (the file refused, no such user, a malformed command). One line of
/// compact JSON as text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CanAnswer {
    Verdict(VerdictReport),
    Error { error: String },
}

/// A dry-run verdict. Fields in alphabetical order: the order `acl can` has always printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerdictReport {
    pub allowed: bool,
    /// Why the command is allowed whatever the rules say, when it is.
    pub always_allowed: Option<String>,
    /// What was refused: `command`, `key`, `channel` or `database`.
    pub denied_on: Option<String>,
    /// The command (full name), key or channel the answer is about.
    pub item: String,
    /// The token that decided: what allowed the command, or what last denied it.
    pub token: Option<String>,
    pub user_enabled: bool,
}

impl VerdictReport {
    pub fn of(file: &AclFile, verdict: &Verdict) -> VerdictReport {
        VerdictReport {
            allowed: verdict.allowed,
            always_allowed: verdict.always_allowed.then(|| NO_AUTH_NOTE.to_string()),
            denied_on: verdict.denied_on.map(|d| d.as_str().to_string()),
            item: verdict.item.clone(),
            token: token_text(file, verdict.token),
            user_enabled: verdict.user_enabled,
        }
    }
}

impl CanAnswer {
    pub fn error(message: impl Into<String>) -> CanAnswer {
        CanAnswer::Error {
            error: message.into(),
        }
    }

    /// The verdict's `allowed`; `None` for an error.
    pub fn allowed(&self) -> Option<bool> {
        match self {
            CanAnswer::Verdict(v) => Some(v.allowed),
            CanAnswer::Error { .. } => None,
        }
    }
}

impl fmt::Display for CanAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}
