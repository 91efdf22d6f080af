//! "May USER run CMD ARGS…?" — the same answer as the server's `ACL DRYRUN`, with the token
//! that decided it. Like `ACL DRYRUN`, on/off and passwords do not matter (the answer reports
//! whether the user is enabled separately).

use super::commands::{self, Command, Dialect};
use super::eval::{command_index, EffectiveUser, Permissions, TokenRef};
use super::glob;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeniedOn {
    // Ordered like Redis ranks the reasons when no selector allows a command.
    Command,
    Key,
    Channel,
    /// Dragonfly `$<db>` users: `MOVE`, and `SELECT` of another database.
    Database,
}

impl DeniedOn {
    pub fn as_str(self) -> &'static str {
        match self {
            DeniedOn::Command => "command",
            DeniedOn::Key => "key",
            DeniedOn::Channel => "channel",
            DeniedOn::Database => "database",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub allowed: bool,
    pub denied_on: Option<DeniedOn>,
    /// The command (full name), key or channel the answer is about.
    pub item: String,
    /// The token that decided: what allowed the command, or what last denied it.
    pub token: Option<TokenRef>,
    pub user_enabled: bool,
    /// Allowed whatever the rules say: a Redis `no_auth` command (AUTH, HELLO, QUIT, RESET),
    /// which `ACLSelectorCheckCmd` never checks.
    pub always_allowed: bool,
}

/// Why a query cannot be answered (what the server would reply instead of a verdict).
#[derive(Clone, Debug, PartialEq)]
pub enum QueryError {
    UnknownCommand(String),
    WrongArity(String),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::UnknownCommand(name) => write!(f, "unknown command '{name}'"),
            QueryError::WrongArity(name) => {
                write!(f, "wrong number of arguments for '{name}' command")
            }
        }
    }
}

/// Finds the command an invocation names (with its subcommand, for Redis containers).
pub fn resolve(dialect: Dialect, argv: &[&[u8]]) -> Result<(&'static Command, usize), QueryError> {
    let name =
        String::from_utf8_lossy(argv.first().copied().unwrap_or_default()).to_ascii_lowercase();
    let command = commands::lookup(dialect, &name)
        .filter(|c| c.parent.is_none() || dialect == Dialect::Dragonfly)
        .ok_or_else(|| QueryError::UnknownCommand(name.clone()))?;
    // Dragonfly registers ACL subcommands as their own entries named "acl <sub>".
    if dialect == Dialect::Dragonfly && argv.len() >= 2 {
        let sub = String::from_utf8_lossy(argv[1]).to_ascii_lowercase();
        if let Some(full) = commands::lookup(dialect, &format!("{name} {sub}")) {
            return Ok((full, 2));
        }
    }
    if dialect == Dialect::Redis
        && commands::subcommands(dialect, command.name)
            .next()
            .is_some()
        && argv.len() >= 2
    {
        let sub = String::from_utf8_lossy(argv[1]).to_ascii_lowercase();
        let full = format!("{name}|{sub}");
        return commands::lookup(dialect, &full)
            .map(|c| (c, 1))
            .ok_or(QueryError::UnknownCommand(full));
    }
    Ok((command, 1))
}

fn arity_ok(command: &Command, argc: usize) -> bool {
    let arity = command.arity;
    if arity >= 0 {
        argc == arity as usize
    } else {
        argc >= arity.unsigned_abs() as usize
    }
}

/// Answers one query. `argv[0]` is the command name.
pub fn dry_run(
    user: &EffectiveUser,
    dialect: Dialect,
    argv: &[&[u8]],
) -> Result<Verdict, QueryError> {
    let (command, consumed) = resolve(dialect, argv)?;
    if dialect == Dialect::Redis && !arity_ok(command, argv.len()) {
        return Err(QueryError::WrongArity(command.name.to_string()));
    }
    if dialect == Dialect::Dragonfly {
        if let Some(verdict) = database_denial(user, command, &argv[consumed..]) {
            return Ok(verdict);
        }
    }
    // Redis (`ACLCheckAllUserCommandPerm`) reports the most specific reason (channel > key >
    // command); between selectors denying for the same reason, the one whose key or channel
    // comes later in argv wins (`local_idxptr > last_idx`), else the first.
    let mut best: Option<(Verdict, usize)> = None;
    for perms in user.permission_sets() {
        let (verdict, position) = check(perms, dialect, command, argv, user.enabled);
        if verdict.allowed {
            return Ok(verdict);
        }
        let better = best.as_ref().is_none_or(|(b, at)| {
            verdict.denied_on > b.denied_on
                || (verdict.denied_on == b.denied_on
                    && verdict.denied_on != Some(DeniedOn::Command)
                    && position > *at)
        });
        if better {
            best = Some((verdict, position));
        }
    }
    Ok(best.expect("the root permissions always give a verdict").0)
}

/// A `$<db>` user is refused `MOVE`, and `SELECT m` for another database, before its command
/// bits are looked at (src/server/acl/validator.cc:119-129@v1.40.1; `ACL DRYRUN` runs the same
/// check with the user's database as the current one, acl_family.cc:617-620). A `SELECT`
/// whose argument is not a number is left to the command check.
fn database_denial(user: &EffectiveUser, command: &Command, tail: &[&[u8]]) -> Option<Verdict> {
    let db = user.db?;
    let selects_other = command.name == "select"
        && tail.len() == 1
        && std::str::from_utf8(tail[0])
            .ok()
            .and_then(|t| t.trim_ascii().parse::<u64>().ok())
            .is_some_and(|m| m != u64::from(db));
    if command.name != "move" && !selects_other {
        return None;
    }
    Some(Verdict {
        allowed: false,
        denied_on: Some(DeniedOn::Database),
        item: if command.name == "move" {
            "move".to_string()
        } else {
            String::from_utf8_lossy(tail[0]).into_owned()
        },
        token: user.db_token,
        user_enabled: user.enabled,
        always_allowed: false,
    })
}

/// The verdict of one set of permissions, with the argv index of the denied key or channel
/// (0 for a command denial or an allowed command).
fn check(
    perms: &Permissions,
    dialect: Dialect,
    command: &'static Command,
    argv: &[&[u8]],
    enabled: bool,
) -> (Verdict, usize) {
    let index = command_index(dialect, command);
    let deny = |on: DeniedOn, item: String, token: Option<TokenRef>, position: usize| {
        (
            Verdict {
                allowed: false,
                denied_on: Some(on),
                item,
                token,
                user_enabled: enabled,
                always_allowed: false,
            },
            position,
        )
    };
    // Redis never checks the bits of a `no_auth` command (`ACLSelectorCheckCmd`); Dragonfly
    // has no such exemption (AUTH and HELLO go through the ACL check like any command,
    // src/server/main_service.cc:1403-1407 and 1461@v1.40.1).
    let no_auth = dialect == Dialect::Redis && command.no_auth && !perms.allows(index);
    // A first-argument grant decides only when the command bit does not already allow it.
    let first_arg = perms
        .first_args
        .iter()
        .find(|(i, arg, _)| *i == index && argv.get(1).is_some_and(|a| a.eq_ignore_ascii_case(arg)))
        .map(|(_, _, token)| *token);
    let granted_by = if perms.allows(index) {
        perms.decided_by.get(index)
    } else if no_auth {
        None
    } else if let Some(token) = first_arg {
        Some(token)
    } else {
        return deny(
            DeniedOn::Command,
            command.name.to_string(),
            perms.decided_by.get(index),
            0,
        );
    };

    // Keys. Dragonfly's `ACL DRYRUN` skips the key check when the simulated call has the
    // wrong number of arguments (acl_family.cc:621-624@v1.40.1).
    let check_keys = match dialect {
        Dialect::Redis => perms.all_keys.is_none(),
        Dialect::Dragonfly => {
            perms.all_keys.is_none() && command.key_acl_checked && arity_ok(command, argv.len())
        }
    };
    if check_keys {
        let args: Vec<&[u8]> = argv[1..].to_vec();
        // Dragonfly refuses the command (reason KEY) when its keys cannot be extracted
        // (src/server/acl/validator.cc:160-161@v1.40.1).
        let extracted = match dialect {
            Dialect::Dragonfly => match commands::try_keys_of(dialect, command, &args) {
                Ok(keys) => keys,
                Err(_) => {
                    return deny(
                        DeniedOn::Key,
                        command.name.to_string(),
                        perms.keys_reset_by,
                        0,
                    )
                }
            },
            Dialect::Redis => commands::keys_of(dialect, command, &args),
        };
        for (position, flags) in extracted {
            let Some(key) = args.get(position) else {
                continue;
            };
            let (need_read, need_write) = match dialect {
                Dialect::Redis => (
                    flags & commands::KEY_ACCESS != 0,
                    flags & (commands::KEY_INSERT | commands::KEY_DELETE | commands::KEY_UPDATE)
                        != 0,
                ),
                Dialect::Dragonfly => (command.readonly, command.write),
            };
            let ok = perms.keys.iter().any(|grant| {
                (!need_read || grant.perm.allows_read())
                    && (!need_write || grant.perm.allows_write())
                    && glob::matches(&grant.pattern, key)
            });
            if !ok {
                return deny(
                    DeniedOn::Key,
                    String::from_utf8_lossy(key).into_owned(),
                    perms.keys_reset_by,
                    position + 1,
                );
            }
        }
    }

    // Channels.
    if perms.all_channels.is_none() {
        for (position, channel, literal) in channels_of(dialect, command, argv) {
            let ok = perms.channels.iter().any(|grant| {
                if literal {
                    grant.pattern == channel
                } else {
                    glob::matches(&grant.pattern, channel)
                }
            });
            if !ok {
                return deny(
                    DeniedOn::Channel,
                    String::from_utf8_lossy(channel).into_owned(),
                    perms.channels_reset_by,
                    position,
                );
            }
        }
    }
    (
        Verdict {
            allowed: true,
            denied_on: None,
            item: command.name.to_string(),
            token: granted_by,
            user_enabled: enabled,
            always_allowed: no_auth,
        },
        0,
    )
}

/// The channels a pub/sub invocation names (with their argv index), and whether each must
/// equal a granted pattern literally (PSUBSCRIBE) instead of matching it.
fn channels_of<'a>(
    _dialect: Dialect,
    command: &Command,
    argv: &[&'a [u8]],
) -> Vec<(usize, &'a [u8], bool)> {
    let from_first = |literal: bool| {
        argv.iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| (i, *c, literal))
            .collect()
    };
    match command.name {
        "publish" | "spublish" => argv
            .get(1)
            .map(|c| vec![(1, *c, false)])
            .unwrap_or_default(),
        "subscribe" | "ssubscribe" => from_first(false),
        "psubscribe" => from_first(true),
        _ => Vec::new(),
    }
}
