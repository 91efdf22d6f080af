//! The ACL engine's answers as typed values with one serialised form: what `dflint acl
//! explain` and `dflint acl can` print as JSON and render as text, and what the browser
//! playground shows. Tokens appear as their text, passwords masked ([`token_text`]).

use super::commands;
use super::dryrun::Verdict;
use super::eval::{EffectiveUser, Permissions, TokenRef};
use super::parse::AclFile;
use super::Dialect;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The text of a token for output (passwords masked), or what the built-in user stands for.
pub fn token_text(file: &AclFile, token: Option<TokenRef>) -> Option<String> {
    let token = token?;
    Some(
        file.token(token)
            .map_or_else(|| "(built-in default user)".to_string(), |t| t.shown()),
    )
}

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

/// Which users' patterns meet: the key-isolation view.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IsolationReport {
    /// Enabled users that may use every key (`~*`, `allkeys`): isolated from nobody.
    pub all_keys: Vec<String>,
    /// Enabled users that may use every Pub/Sub channel.
    pub all_channels: Vec<String>,
    /// Pairs of enabled users whose key or channel patterns match a common name.
    pub overlaps: Vec<OverlapReport>,
    /// More pairs overlap than the limit lets through (see `Limits::max_acl_overlap_pairs`).
    pub truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverlapReport {
    /// `keys` or `channels`.
    pub on: String,
    pub first_user: String,
    pub first_pattern: String,
    pub second_user: String,
    pub second_pattern: String,
    /// A key (or channel) both patterns match.
    pub example: String,
}

impl IsolationReport {
    /// Users in different Dragonfly namespaces never share keys or channels; disabled users
    /// cannot log in. At most `max_pairs` pairs of each kind.
    pub fn of(users: &[EffectiveUser], max_pairs: usize) -> IsolationReport {
        use super::overlap::{overlapping_pairs, Granted};
        let enabled = || users.iter().enumerate().filter(|(_, u)| u.enabled);
        let mut report = IsolationReport {
            all_keys: enabled()
                .filter(|(_, u)| u.permission_sets().any(|p| p.all_keys.is_some()))
                .map(|(_, u)| u.name.clone())
                .collect(),
            all_channels: enabled()
                .filter(|(_, u)| u.permission_sets().any(|p| p.all_channels.is_some()))
                .map(|(_, u)| u.name.clone())
                .collect(),
            ..IsolationReport::default()
        };
        for on in ["keys", "channels"] {
            let mut by_space: std::collections::BTreeMap<&str, Vec<Granted<'_>>> =
                std::collections::BTreeMap::new();
            for (index, user) in enabled() {
                let space = by_space
                    .entry(user.namespace.as_deref().unwrap_or(""))
                    .or_default();
                for perms in user.permission_sets() {
                    let patterns: Vec<(&[u8], super::eval::TokenRef)> = if on == "keys" {
                        perms
                            .keys
                            .iter()
                            .map(|k| (&k.pattern[..], k.token))
                            .collect()
                    } else {
                        perms
                            .channels
                            .iter()
                            .map(|c| (&c.pattern[..], c.token))
                            .collect()
                    };
                    space.extend(patterns.into_iter().map(|(pattern, token)| Granted {
                        user: index,
                        pattern,
                        token,
                    }));
                }
            }
            for grants in by_space.values() {
                let pairs = overlapping_pairs(grants, max_pairs.saturating_add(1));
                report.truncated |= pairs.len() > max_pairs;
                for (a, b, example) in pairs.into_iter().take(max_pairs) {
                    report.overlaps.push(OverlapReport {
                        on: on.to_string(),
                        first_user: users[a.user].name.clone(),
                        first_pattern: String::from_utf8_lossy(a.pattern).into_owned(),
                        second_user: users[b.user].name.clone(),
                        second_pattern: String::from_utf8_lossy(b.pattern).into_owned(),
                        example: String::from_utf8_lossy(&example).into_owned(),
                    });
                }
            }
        }
        report
    }
}

/// Users × ACL categories: how much of each category each user may run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixReport {
    pub categories: Vec<CategoryColumn>,
    pub users: Vec<MatrixRow>,
    /// Users past the first `max_users` asked for: counted, not shown (a page cannot hold
    /// a row for each of 100,000 users).
    pub more_users: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryColumn {
    /// With its `@`.
    pub name: String,
    /// `@dangerous` or `@admin`.
    pub risky: bool,
    /// Its commands, lower case, in the command table's order.
    pub commands: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub user: String,
    pub enabled: bool,
    /// One per category, in [`MatrixReport::categories`]' order.
    pub cells: Vec<MatrixCell>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// `allowed` (every command of the category), `partly` or `denied` (none).
    pub state: String,
    /// How many of the category's commands the user may run (by its own permissions or any
    /// selector; keys and channels aside).
    pub allowed: usize,
    pub total: usize,
    /// The tokens that allowed the category's allowed commands, each once, passwords masked
    /// (none when no rule did: the default, or Redis' `no_auth` commands).
    pub granted_by: Vec<String>,
    /// The tokens that last denied the others, each once.
    pub denied_by: Vec<String>,
}

impl MatrixReport {
    /// The rows of the first `max_users` users.
    pub fn of(file: &AclFile, users: &[EffectiveUser], max_users: usize) -> MatrixReport {
        let dialect = file.dialect;
        let more_users = users.len().saturating_sub(max_users);
        let users = &users[..users.len() - more_users];
        let table = commands::all(dialect);
        let columns: Vec<(&commands::Category, &[u16])> = commands::categories(dialect)
            .iter()
            .map(|cat| (cat, commands::category_member_indexes(dialect, cat.bit)))
            .filter(|(_, members)| !members.is_empty())
            .collect();
        // Redis runs `no_auth` commands whatever the rules say.
        let always = |i: usize| dialect == Dialect::Redis && table[i].no_auth;
        MatrixReport {
            categories: columns
                .iter()
                .map(|(cat, members)| CategoryColumn {
                    name: format!("@{}", cat.name),
                    risky: matches!(cat.name, "dangerous" | "admin"),
                    commands: members
                        .iter()
                        .map(|&i| table[usize::from(i)].name.to_string())
                        .collect(),
                })
                .collect(),
            users: users
                .iter()
                .map(|user| MatrixRow {
                    user: user.name.clone(),
                    enabled: user.enabled,
                    cells: columns
                        .iter()
                        .map(|(_, members)| {
                            let mut cell = MatrixCell {
                                state: String::new(),
                                allowed: 0,
                                total: members.len(),
                                granted_by: Vec::new(),
                                denied_by: Vec::new(),
                            };
                            // Tokens first, their text once each: a cell covers dozens of
                            // commands, most decided by the same one or two tokens.
                            let (mut granted, mut denied) = (Vec::new(), Vec::new());
                            for i in members.iter().map(|&i| usize::from(i)) {
                                let deciding = user.permission_sets().find(|p| p.allows(i));
                                if deciding.is_some() || always(i) {
                                    cell.allowed += 1;
                                }
                                let (list, perms) = match deciding {
                                    Some(perms) => (&mut granted, perms),
                                    None if always(i) => continue,
                                    None => (&mut denied, &user.root),
                                };
                                if let Some(token) = perms.decided_by.get(i) {
                                    if !list.contains(&token) {
                                        list.push(token);
                                    }
                                }
                            }
                            for (tokens, texts) in [
                                (granted, &mut cell.granted_by),
                                (denied, &mut cell.denied_by),
                            ] {
                                for text in
                                    tokens.into_iter().filter_map(|t| token_text(file, Some(t)))
                                {
                                    if !texts.contains(&text) {
                                        texts.push(text);
                                    }
                                }
                            }
                            cell.state = match cell.allowed {
                                0 => "denied",
                                n if n == members.len() => "allowed",
                                _ => "partly",
                            }
                            .to_string();
                            cell
                        })
                        .collect(),
                })
                .collect(),
            more_users,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::eval::evaluate;
    use crate::acl::glob;
    use crate::acl::parse::{parse_file_with, ServerLimits};

    fn users(text: &str, dialect: Dialect) -> (AclFile, Vec<EffectiveUser>) {
        let file = parse_file_with(text, dialect, ServerLimits::default());
        let (users, errors) = evaluate(&file);
        assert!(errors.is_empty() && file.problems.is_empty(), "{text}");
        (file, users)
    }

    #[test]
    fn isolation_pairs_enabled_users_whose_patterns_meet_with_a_key_both_match() {
        let (_, users) = users(
            "user a on nopass ~app:* +get\nuser b on nopass ~app:1* +get\n\
             user c on nopass ~other:* +get\nuser d off nopass ~app:* +get\n\
             user e on nopass ~* +get\n",
            Dialect::Dragonfly,
        );
        let report = IsolationReport::of(&users, 10);
        // The built-in `default` (no `user default` line) may use every key too.
        assert_eq!(report.all_keys, ["default", "e"]);
        let pairs: Vec<(&str, &str)> = report
            .overlaps
            .iter()
            .map(|o| (o.first_user.as_str(), o.second_user.as_str()))
            .collect();
        // `~*` is listed as all keys, not paired with every pattern.
        assert_eq!(pairs, [("a", "b")]);
        assert!(
            !pairs.iter().any(|(x, y)| *x == "d" || *y == "d"),
            "{pairs:?}"
        );
        assert!(!pairs.contains(&("a", "c")) && !pairs.contains(&("b", "c")));
        for o in &report.overlaps {
            let key = o.example.as_bytes();
            assert!(glob::matches(o.first_pattern.as_bytes(), key), "{o:?}");
            assert!(glob::matches(o.second_pattern.as_bytes(), key), "{o:?}");
        }
        assert!(!report.truncated);
        assert!(IsolationReport::of(&users, 0).truncated);
    }

    #[test]
    fn matrix_cells_count_the_commands_the_engine_allows() {
        let (file, users) = users(
            "user t on >x ~t:* +@all -@dangerous +config\nuser r on nopass ~* -@all +get\n",
            Dialect::Dragonfly,
        );
        let matrix = MatrixReport::of(&file, &users, 10);
        assert_eq!(matrix.more_users, 0);
        let first = MatrixReport::of(&file, &users, 1);
        assert_eq!((first.users.len(), first.more_users), (1, users.len() - 1));
        let column = |name: &str| {
            matrix
                .categories
                .iter()
                .position(|c| c.name == name)
                .expect(name)
        };
        let t = matrix.users.iter().find(|u| u.user == "t").unwrap();
        let dangerous = &t.cells[column("@dangerous")];
        assert_eq!(dangerous.state, "partly");
        assert_eq!(dangerous.granted_by, ["+config"]);
        assert_eq!(dangerous.denied_by, ["-@dangerous"]);
        assert!(matrix.categories[column("@dangerous")].risky);
        let r = matrix.users.iter().find(|u| u.user == "r").unwrap();
        assert_eq!(r.cells[column("@dangerous")].state, "denied");
        assert_eq!(r.cells[column("@string")].state, "partly");
        let table = commands::all(Dialect::Dragonfly);
        for (row, user) in matrix.users.iter().zip(&users) {
            for (cell, category) in row.cells.iter().zip(&matrix.categories) {
                let allowed = category
                    .commands
                    .iter()
                    .filter(|name| {
                        let command = table.iter().find(|c| c.name == name.as_str()).unwrap();
                        user.allows_command(Dialect::Dragonfly, command)
                    })
                    .count();
                assert_eq!(cell.allowed, allowed, "{} {}", row.user, category.name);
                assert_eq!(cell.total, category.commands.len());
            }
        }
    }

    #[test]
    fn a_can_answer_is_one_line_of_json_in_the_order_acl_can_prints() {
        let answer = CanAnswer::Verdict(VerdictReport {
            allowed: false,
            always_allowed: None,
            denied_on: Some("key".into()),
            item: "other:1".into(),
            token: Some("~app:*".into()),
            user_enabled: true,
        });
        assert_eq!(
            answer.to_string(),
            r#"{"allowed":false,"always_allowed":null,"denied_on":"key","item":"other:1","token":"~app:*","user_enabled":true}"#
        );
        let back: CanAnswer = serde_json::from_str(&answer.to_string()).unwrap();
        assert_eq!(back, answer);
        assert_eq!(CanAnswer::error("no").to_string(), r#"{"error":"no"}"#);
    }
}
