//! `acl diff`: what an ACL change means, user by user, rather than which tokens moved.
//!
//! Every change in effect the diff reports carries an example query whose dry-run verdict
//! really differs between the old and the new text (checked here with [`dry_run`], the engine
//! behind `acl can`), so a rewording — other token order, `allcommands` for `+@all`, repeated
//! tokens, `~a* ~b*` for `~[ab]*` — is reported as no change in effect. Conversely the search
//! for such queries is exhaustive for the queries that matter: every command either version
//! allows, with one key (and channel) from each region of the users' patterns (see
//! [`glob::regions`]): two keys of one region get the same verdict from every pattern, so
//! deciding one decides them all. (Redis selectors are searched with one key repeated in every
//! key position; a change only visible with two keys from two selectors at once is missed.)
//!
//! On/off, passwords, the database and the namespace do not enter a dry-run; they are compared
//! directly and reported as login changes. Passwords are compared by their SHA-256 only and
//! never shown.

use super::classify::{dangerous_categories, is_dangerous, keys_unchecked};
use super::commands::{self, Command, Dialect};
use super::dryrun::dry_run;
use super::eval::{command_index, EffectiveUser, Permissions, TokenRef};
use super::glob::{self, Glob, Outside};
use super::parse::{AclFile, KeyPerm};
use crate::source::Span;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// What `dflint explain acl-diff` shows.
#[cfg(feature = "docs")]
pub const DOCS: &str = include_str!("diff.md");
#[cfg(not(feature = "docs"))]
pub const DOCS: &str = "";

/// The documentation of `acl-diff`, or of one of its risk kinds (`dangerous-commands`…).
pub fn explain(topic: &str) -> Option<&'static str> {
    if topic == "acl-diff" {
        return Some(DOCS);
    }
    let heading = format!("### `{topic}`\n");
    let start = DOCS.find(&heading)?;
    let rest = &DOCS[start..];
    let end = rest[heading.len()..]
        .find("\n### ")
        .map_or(rest.len(), |e| e + heading.len() + 1);
    Some(&rest[..end])
}

/// One version of the ACL: the parsed text and its evaluated users.
#[derive(Clone, Copy)]
pub struct Version<'a> {
    pub file: &'a AclFile,
    pub users: &'a [EffectiveUser],
}

/// Which version a token is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

/// A token responsible for a change, as it may be shown (passwords masked), and where it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TokenAt {
    pub token: String,
    pub side: Side,
    /// In the ACL text of that side; `None` for the built-in `default` user.
    #[serde(skip)]
    pub span: Option<Span>,
    /// Where the token is, filled in by the front end that knows the files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Added,
    Removed,
    Changed,
    /// The user's lines differ but nothing it can do, or how it logs in, does.
    NoChangeInEffect,
    Unchanged,
}

/// On/off, nopass, passwords, database, namespace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginChange {
    pub what: String,
    pub token: Option<TokenAt>,
}

/// Commands one token grants (or takes away), with a query whose verdict flips.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommandGroup {
    pub token: Option<TokenAt>,
    /// Full command names, lower-case (`config|get`, `acl setuser`).
    pub commands: Vec<String>,
    /// How many of them are `@dangerous` or `@admin`.
    pub dangerous: usize,
    /// A query allowed by one version and denied by the other; `None` for dormant grants.
    pub example: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Granted,
    Revoked,
}

/// A key or channel pattern that reaches strings the other version did not.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatternChange {
    pub direction: Direction,
    /// `read`, `write`, `read/write` or `channel`.
    pub access: &'static str,
    pub pattern: String,
    pub token: Option<TokenAt>,
    /// A key or channel this pattern adds (or drops), that no pattern of the other version
    /// matches with this access.
    pub example: String,
    /// A query on `example` whose verdict flips; `None` when no command the user can run
    /// uses it (the change has no effect yet).
    pub query: Option<String>,
    /// Other users (of the new version) whose keys or channels this grant now reaches.
    pub reaches: Vec<Reach>,
}

/// Another user's key (or channel) that a grant now reaches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reach {
    pub user: String,
    /// A key of theirs this user could not reach before.
    pub example: String,
}

/// A query whose verdict flips that none of the other entries explains (Redis selectors
/// rearranged, first-argument grants, a `$<db>` change).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlippedQuery {
    pub query: String,
    pub now_allowed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskKind {
    DangerousCommands,
    KeylessCommands,
    KeysOfAnotherUser,
    ChannelsOfAnotherUser,
    PasswordRemoved,
    PasswordShared,
    DefaultOpened,
    NopassUser,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Risk {
    pub kind: RiskKind,
    pub message: String,
    pub token: Option<TokenAt>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UserDiff {
    pub user: String,
    pub status: Status,
    pub login: Vec<LoginChange>,
    pub granted: Vec<CommandGroup>,
    pub revoked: Vec<CommandGroup>,
    /// Commands granted on paper that no query can run yet (e.g. `+get` without any key
    /// pattern): not a change in effect, shown because a later key grant activates them.
    pub dormant: Vec<CommandGroup>,
    pub keys: Vec<PatternChange>,
    pub channels: Vec<PatternChange>,
    pub other: Vec<FlippedQuery>,
    pub risks: Vec<Risk>,
}

impl UserDiff {
    /// Whether anything the user can run changed (some query's verdict flips).
    pub fn permissions_changed(&self) -> bool {
        !self.granted.is_empty()
            || !self.revoked.is_empty()
            || self.keys.iter().any(|k| k.query.is_some())
            || self.channels.iter().any(|c| c.query.is_some())
            || !self.other.is_empty()
    }

    /// Every query this entry says flips, with whether it is now allowed.
    pub fn examples(&self) -> impl Iterator<Item = (&str, bool)> {
        let groups = self
            .granted
            .iter()
            .map(|g| (g, true))
            .chain(self.revoked.iter().map(|g| (g, false)));
        groups
            .filter_map(|(g, allowed)| g.example.as_deref().map(|e| (e, allowed)))
            .chain(self.keys.iter().chain(&self.channels).filter_map(|p| {
                p.query
                    .as_deref()
                    .map(|q| (q, p.direction == Direction::Granted))
            }))
            .chain(self.other.iter().map(|o| (o.query.as_str(), o.now_allowed)))
    }

    /// Whether the entry names this command (lower-case full name) as granted, revoked or
    /// dormant.
    pub fn names_command(&self, name: &str) -> bool {
        self.granted
            .iter()
            .chain(&self.revoked)
            .chain(&self.dormant)
            .any(|g| g.commands.iter().any(|c| c == name))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AclDiff {
    pub users: Vec<UserDiff>,
}

impl AclDiff {
    pub fn risks(&self) -> impl Iterator<Item = (&UserDiff, &Risk)> {
        self.users
            .iter()
            .flat_map(|u| u.risks.iter().map(move |r| (u, r)))
    }

    /// Whether any user changed in effect (added, removed or changed).
    pub fn changed(&self) -> bool {
        self.users
            .iter()
            .any(|u| matches!(u.status, Status::Added | Status::Removed | Status::Changed))
    }

    pub fn user(&self, name: &str) -> Option<&UserDiff> {
        self.users.iter().find(|u| u.user == name)
    }

    /// Every token the diff points at, for a front end to say where each one is.
    pub fn tokens_mut(&mut self) -> impl Iterator<Item = &mut TokenAt> {
        self.users.iter_mut().flat_map(|u| {
            let groups = u
                .granted
                .iter_mut()
                .chain(u.revoked.iter_mut())
                .chain(u.dormant.iter_mut())
                .filter_map(|g| g.token.as_mut());
            let patterns = u
                .keys
                .iter_mut()
                .chain(u.channels.iter_mut())
                .filter_map(|p| p.token.as_mut());
            let login = u.login.iter_mut().filter_map(|l| l.token.as_mut());
            let risks = u.risks.iter_mut().filter_map(|r| r.token.as_mut());
            groups.chain(patterns).chain(login).chain(risks)
        })
    }
}

/// Compares two versions of an ACL of one dialect, user by user (the new version's order,
/// then the removed users).
pub fn diff(old: Version<'_>, new: Version<'_>) -> AclDiff {
    let dialect = new.file.dialect;
    let mut names: Vec<&str> = new.users.iter().map(|u| u.name.as_str()).collect();
    for u in old.users {
        if !names.contains(&u.name.as_str()) {
            names.push(&u.name);
        }
    }
    let context = Context {
        old,
        new,
        dialect,
        dangerous: dangerous_categories(dialect),
        keyless: keys_unchecked(dialect)
            .into_iter()
            .map(|(i, _)| i)
            .collect(),
    };
    let users = names
        .into_iter()
        .map(|name| {
            let before = old.users.iter().find(|u| u.name == name);
            let after = new.users.iter().find(|u| u.name == name);
            context.user(name, before, after)
        })
        .collect();
    AclDiff { users }
}

struct Context<'a> {
    old: Version<'a>,
    new: Version<'a>,
    dialect: Dialect,
    dangerous: commands::CategorySet,
    keyless: HashSet<usize>,
}

/// A query found to flip: the command, the argument string used, and the new verdict.
struct Flip {
    index: usize,
    query: String,
    argument: Vec<u8>,
    now_allowed: bool,
    /// The token that decided the verdict of the version that allows it.
    token: Option<TokenRef>,
}

impl<'a> Context<'a> {
    fn at(&self, side: Side, token: Option<TokenRef>) -> Option<TokenAt> {
        let token = token?;
        let file = match side {
            Side::Old => self.old.file,
            Side::New => self.new.file,
        };
        Some(match file.token(token) {
            Some(t) => TokenAt {
                token: t.shown(),
                side,
                span: Some(t.span),
                file: None,
                line: None,
                column: None,
            },
            None => TokenAt {
                token: "(built-in default user)".to_string(),
                side,
                span: None,
                file: None,
                line: None,
                column: None,
            },
        })
    }

    fn user(
        &self,
        name: &str,
        before: Option<&EffectiveUser>,
        after: Option<&EffectiveUser>,
    ) -> UserDiff {
        let absent = EffectiveUser::fresh(name, self.dialect);
        let (old, new) = (before.unwrap_or(&absent), after.unwrap_or(&absent));
        let mut out = UserDiff {
            user: name.to_string(),
            status: Status::Unchanged,
            login: self.login(before, after),
            granted: Vec::new(),
            revoked: Vec::new(),
            dormant: Vec::new(),
            keys: Vec::new(),
            channels: Vec::new(),
            other: Vec::new(),
            risks: Vec::new(),
        };
        if !(old.same_permissions(new) && old.db == new.db) {
            self.permissions(old, new, &mut out);
        }
        out.status = match (before, after) {
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
            _ if out.permissions_changed() || !out.login.is_empty() => Status::Changed,
            (Some(b), Some(a)) if self.text_of(Side::Old, b) != self.text_of(Side::New, a) => {
                Status::NoChangeInEffect
            }
            _ => Status::Unchanged,
        };
        self.risks(before, after, new, &mut out);
        out
    }

    /// The user's lines, for telling a rewording from an untouched user.
    fn text_of(&self, side: Side, user: &EffectiveUser) -> Vec<Vec<String>> {
        let file = match side {
            Side::Old => self.old.file,
            Side::New => self.new.file,
        };
        user.lines
            .iter()
            .filter_map(|&l| file.users.get(l as usize))
            .map(|line| line.tokens.iter().map(|t| t.text.clone()).collect())
            .collect()
    }

    fn login(
        &self,
        before: Option<&EffectiveUser>,
        after: Option<&EffectiveUser>,
    ) -> Vec<LoginChange> {
        let mut out = Vec::new();
        let mut say = |what: String, token: Option<TokenAt>| out.push(LoginChange { what, token });
        match (before, after) {
            (None, Some(new)) => {
                say(
                    format!(
                        "added: {}, {}",
                        if new.enabled { "on" } else { "off" },
                        login_summary(new)
                    ),
                    self.at(Side::New, first_token(new)),
                );
            }
            (Some(old), None) => {
                say(
                    format!("removed (was {})", if old.enabled { "on" } else { "off" }),
                    None,
                );
            }
            (Some(old), Some(new)) => {
                if old.enabled != new.enabled {
                    say(
                        if new.enabled {
                            "enabled: can now log in".to_string()
                        } else {
                            "disabled: can no longer log in".to_string()
                        },
                        self.at(Side::New, new.enabled_by),
                    );
                }
                match (old.is_nopass(), new.is_nopass()) {
                    (false, true) => say(
                        "nopass: any password, or none, now logs in".to_string(),
                        self.at(Side::New, new.nopass),
                    ),
                    (true, false) => say(
                        "no longer nopass: a password is now required".to_string(),
                        None,
                    ),
                    _ => {}
                }
                let old_prints: HashSet<[u8; 32]> =
                    old.passwords.iter().map(|p| p.fingerprint).collect();
                let new_prints: HashSet<[u8; 32]> =
                    new.passwords.iter().map(|p| p.fingerprint).collect();
                let added: Vec<_> = new
                    .passwords
                    .iter()
                    .filter(|p| !old_prints.contains(&p.fingerprint))
                    .collect();
                let removed = old_prints.difference(&new_prints).count();
                if let Some(first) = added.first() {
                    say(
                        format!("{} password(s) added", added.len()),
                        self.at(Side::New, Some(first.token)),
                    );
                }
                if removed > 0 {
                    say(
                        format!(
                            "{removed} password(s) removed{}",
                            if new_prints.is_empty() && !new.is_nopass() {
                                ": none is left, so nobody can log in as this user"
                            } else {
                                ""
                            }
                        ),
                        None,
                    );
                }
                if old.db != new.db {
                    say(
                        format!("database: {} → {}", db_text(old.db), db_text(new.db)),
                        self.at(Side::New, new.db_token.or(old.db_token)),
                    );
                }
                if old.namespace != new.namespace {
                    say(
                        format!(
                            "namespace: {} → {}",
                            namespace_text(&old.namespace),
                            namespace_text(&new.namespace)
                        ),
                        None,
                    );
                }
            }
            (None, None) => {}
        }
        out
    }

    /// Finds every flipping query and sorts the changes into grants, revocations, pattern
    /// changes and the rest.
    fn permissions(&self, old: &EffectiveUser, new: &EffectiveUser, out: &mut UserDiff) {
        let flips = self.flips(old, new);
        let allowed_old = allowed_any(old);
        let allowed_new = allowed_any(new);
        let table = commands::all(self.dialect);
        // Commands granted or revoked as commands, grouped by the deciding token.
        let mut granted: BTreeMap<Option<TokenKey>, CommandGroup> = BTreeMap::new();
        let mut revoked: BTreeMap<Option<TokenKey>, CommandGroup> = BTreeMap::new();
        let mut dormant: BTreeMap<Option<TokenKey>, CommandGroup> = BTreeMap::new();
        let mut example_rank: std::collections::HashMap<Option<TokenKey>, usize> =
            std::collections::HashMap::new();
        let group_key =
            |side, token: Option<TokenRef>| token.map(|t| TokenKey(side, t.line, t.token));
        for (index, command) in table.iter().enumerate() {
            let (was, is) = (allowed_old.contains(&index), allowed_new.contains(&index));
            if was == is {
                continue;
            }
            let flip = flips
                .iter()
                .find(|f| f.index == index && f.now_allowed == is);
            let (groups, side, token) = match (is, flip) {
                (true, Some(f)) => (&mut granted, Side::New, f.token),
                (true, None) => (&mut dormant, Side::New, deciding(new, index)),
                // Taken away: the new token that denies it, else the old grant that is gone.
                (false, Some(f)) => match deciding(new, index) {
                    Some(t) => (&mut revoked, Side::New, Some(t)),
                    None => (&mut revoked, Side::Old, f.token),
                },
                (false, None) => continue,
            };
            let group = groups
                .entry(group_key(side, token))
                .or_insert_with(|| CommandGroup {
                    token: self.at(side, token),
                    commands: Vec::new(),
                    dangerous: 0,
                    example: None,
                });
            group.commands.push(command.name.to_string());
            group.dangerous += usize::from(is_dangerous(self.dangerous, command));
            // The example a reviewer should see: the worst command of the group.
            let rank = |name: &str| WORST_FIRST.iter().position(|w| *w == name);
            let better = match (&group.example, flip) {
                (None, Some(_)) => true,
                (Some(_), Some(_)) => rank(command.name).is_some_and(|r| {
                    example_rank
                        .get(&group_key(side, token))
                        .is_none_or(|&b| r < b)
                }),
                _ => false,
            };
            if better {
                group.example = flip.map(|f| f.query.clone());
                if let Some(r) = rank(command.name) {
                    example_rank.insert(group_key(side, token), r);
                }
            }
        }
        // The worst first, then by name: a list cut short still shows what matters.
        let order = |groups: BTreeMap<Option<TokenKey>, CommandGroup>| -> Vec<CommandGroup> {
            groups
                .into_values()
                .map(|mut g| {
                    g.commands.sort_by_cached_key(|name| {
                        let dangerous = commands::lookup(self.dialect, name)
                            .is_some_and(|c| is_dangerous(self.dangerous, c));
                        (!dangerous, worst_rank(name), name.clone())
                    });
                    g
                })
                .collect()
        };
        out.granted = order(granted);
        out.revoked = order(revoked);
        out.dormant = order(dormant);
        for (direction, from, to, side) in [
            (Direction::Granted, old, new, Side::New),
            (Direction::Revoked, new, old, Side::Old),
        ] {
            for perm in [KeyPerm::Read, KeyPerm::Write] {
                self.pattern_changes(direction, perm, from, to, side, &mut out.keys);
            }
            self.channel_changes(direction, from, to, side, &mut out.channels);
        }
        // One entry per (pattern, access) even when read and write were found separately.
        merge_read_write(&mut out.keys);
        // Flips of commands allowed by both versions that no pattern change explains.
        let explained = |f: &Flip| {
            let patterns = out.keys.iter().chain(&out.channels).filter(|p| {
                (p.direction == Direction::Granted) == f.now_allowed && p.query.is_some()
            });
            patterns
                .clone()
                .any(|p| glob::matches(p.pattern.as_bytes(), &f.argument))
                || (allowed_old.contains(&f.index) != allowed_new.contains(&f.index))
        };
        for flip in flips.iter().filter(|f| !explained(f)) {
            if out.other.len() >= 5 {
                break;
            }
            if out.other.iter().any(|o| o.query == flip.query) {
                continue;
            }
            out.other.push(FlippedQuery {
                query: flip.query.clone(),
                now_allowed: flip.now_allowed,
            });
        }
    }

    /// Every command either version allows, tried with one argument string per region of
    /// the patterns both versions use: the queries whose verdicts differ.
    fn flips(&self, old: &EffectiveUser, new: &EffectiveUser) -> Vec<Flip> {
        let arguments = argument_strings(old, new);
        let mut candidates: Vec<usize> =
            allowed_any(old).union(&allowed_any(new)).copied().collect();
        candidates.sort_unstable();
        let table = commands::all(self.dialect);
        let mut flips = Vec::new();
        for index in candidates {
            let command = &table[index];
            let mut tried: HashSet<Vec<Vec<u8>>> = HashSet::new();
            for argument in &arguments {
                for argv in queries_for(self.dialect, command, argument) {
                    if !tried.insert(argv.clone()) {
                        continue;
                    }
                    let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                    let (Ok(before), Ok(after)) = (
                        dry_run(old, self.dialect, &refs),
                        dry_run(new, self.dialect, &refs),
                    ) else {
                        continue;
                    };
                    if before.allowed != after.allowed {
                        flips.push(Flip {
                            index,
                            query: show_query(&argv),
                            argument: argument.clone(),
                            now_allowed: after.allowed,
                            token: if after.allowed {
                                after.token
                            } else {
                                before.token
                            },
                        });
                        break;
                    }
                }
            }
        }
        flips
    }

    /// Key patterns of `to` with access `perm` that reach keys no pattern of `from` with that
    /// access does, with a query that proves it.
    fn pattern_changes(
        &self,
        direction: Direction,
        perm: KeyPerm,
        from: &EffectiveUser,
        to: &EffectiveUser,
        side: Side,
        out: &mut Vec<PatternChange>,
    ) {
        let wants = |g: KeyPerm| match perm {
            KeyPerm::Read => g.allows_read(),
            _ => g.allows_write(),
        };
        let before: Vec<Glob> = key_patterns(from)
            .filter(|(p, _, _)| wants(*p))
            .map(|(_, pattern, _)| Glob::new(pattern))
            .collect();
        let before_refs: Vec<&Glob> = before.iter().collect();
        let mut seen: Vec<&[u8]> = Vec::new();
        for (_, pattern, token) in key_patterns(to).filter(|(p, _, _)| wants(*p)) {
            if seen.contains(&pattern) {
                continue;
            }
            seen.push(pattern);
            let glob = Glob::new(pattern);
            let Outside::Witness(example) = glob.outside(&before_refs) else {
                continue;
            };
            let query = self.key_query(perm, from, to, &example);
            let reaches = if direction == Direction::Granted && query.is_some() {
                self.reached_users(to, &glob, &before_refs, true)
            } else {
                Vec::new()
            };
            out.push(PatternChange {
                direction,
                access: if perm == KeyPerm::Read {
                    "read"
                } else {
                    "write"
                },
                pattern: String::from_utf8_lossy(pattern).into_owned(),
                token: self.at(side, token),
                example: show_bytes(&example),
                query,
                reaches,
            });
        }
    }

    fn channel_changes(
        &self,
        direction: Direction,
        from: &EffectiveUser,
        to: &EffectiveUser,
        side: Side,
        out: &mut Vec<PatternChange>,
    ) {
        let before: Vec<Glob> = channel_patterns(from)
            .map(|(pattern, _)| Glob::new(pattern))
            .collect();
        let before_refs: Vec<&Glob> = before.iter().collect();
        let mut seen: Vec<&[u8]> = Vec::new();
        for (pattern, token) in channel_patterns(to) {
            if seen.contains(&pattern) {
                continue;
            }
            seen.push(pattern);
            let glob = Glob::new(pattern);
            let Outside::Witness(example) = glob.outside(&before_refs) else {
                continue;
            };
            let query = ["publish", "subscribe", "spublish", "ssubscribe"]
                .iter()
                .filter_map(|name| commands::lookup(self.dialect, name))
                .find_map(|c| self.flipping_query(c, &example, from, to));
            let reaches = if direction == Direction::Granted && query.is_some() {
                self.reached_users(to, &glob, &before_refs, false)
            } else {
                Vec::new()
            };
            out.push(PatternChange {
                direction,
                access: "channel",
                pattern: String::from_utf8_lossy(pattern).into_owned(),
                token: self.at(side, token),
                example: show_bytes(&example),
                query,
                reaches,
            });
        }
    }

    /// A query on `key` that `to` allows and `from` denies (or the reverse, for revocations
    /// `from`/`to` are already swapped), trying common readers or writers first.
    fn key_query(
        &self,
        perm: KeyPerm,
        from: &EffectiveUser,
        to: &EffectiveUser,
        key: &[u8],
    ) -> Option<String> {
        let common: &[&str] = match perm {
            KeyPerm::Read => &["get", "exists", "strlen", "hgetall", "lrange", "smembers"],
            _ => &["set", "del", "incr", "hset", "lpush", "sadd"],
        };
        let table = commands::all(self.dialect);
        let to_allowed = allowed_any(to);
        let preferred = common
            .iter()
            .filter_map(|n| commands::lookup(self.dialect, n));
        // Only the order of the search depends on this; each candidate is checked exactly.
        let rest = to_allowed
            .iter()
            .map(|&i| &table[i])
            .filter(|c| match perm {
                KeyPerm::Read => c.readonly,
                _ => c.write,
            });
        let mut rest: Vec<&Command> = rest.collect();
        rest.sort_by_key(|c| c.name);
        preferred
            .chain(rest)
            .find_map(|c| self.flipping_query(c, key, from, to))
    }

    /// The query `command argument…` when its verdict is allowed by `to` and denied by
    /// `from`.
    fn flipping_query(
        &self,
        command: &Command,
        argument: &[u8],
        from: &EffectiveUser,
        to: &EffectiveUser,
    ) -> Option<String> {
        queries_for(self.dialect, command, argument)
            .into_iter()
            .find_map(|argv| {
                let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                let allowed_to = dry_run(to, self.dialect, &refs).ok()?.allowed;
                let allowed_from = dry_run(from, self.dialect, &refs).ok()?.allowed;
                (allowed_to && !allowed_from).then(|| show_query(&argv))
            })
    }

    /// Other enabled users of the new version whose keys (or channels) `grant` now reaches
    /// where the old patterns of this user did not.
    fn reached_users(
        &self,
        user: &EffectiveUser,
        grant: &Glob,
        before: &[&Glob],
        keys: bool,
    ) -> Vec<Reach> {
        let mut reached = Vec::new();
        for other in self
            .new
            .users
            .iter()
            .filter(|o| o.name != user.name && o.enabled)
        {
            let theirs: Vec<Glob> = if keys {
                key_patterns(other).map(|(_, p, _)| Glob::new(p)).collect()
            } else {
                channel_patterns(other).map(|(p, _)| Glob::new(p)).collect()
            };
            // Everyone's keys are nobody's own: `~*` users are admins or reported elsewhere.
            if theirs.iter().any(Glob::is_match_all) {
                continue;
            }
            let newly = theirs
                .iter()
                .find_map(|q| match grant.outside_within(&[q], before) {
                    Outside::Witness(w) => Some(w),
                    _ => None,
                });
            if let Some(example) = newly {
                reached.push(Reach {
                    user: other.name.clone(),
                    example: show_bytes(&example),
                });
            }
        }
        reached
    }

    fn risks(
        &self,
        before: Option<&EffectiveUser>,
        after: Option<&EffectiveUser>,
        new: &EffectiveUser,
        out: &mut UserDiff,
    ) {
        let Some(after) = after else { return };
        let mut risks = Vec::new();
        for group in &out.granted {
            let mut dangerous: Vec<&str> = group
                .commands
                .iter()
                .filter(|c| {
                    commands::lookup(self.dialect, c)
                        .is_some_and(|c| is_dangerous(self.dangerous, c))
                })
                .map(String::as_str)
                .collect();
            // The ones that wipe or take over the server first: they are what a reviewer
            // must see in a list cut short.
            dangerous.sort_by_key(|c| worst_rank(c));
            if !dangerous.is_empty() {
                risks.push(Risk {
                    kind: RiskKind::DangerousCommands,
                    message: format!(
                        "`{}` gains {} @dangerous/@admin command(s): {}{}",
                        out.user,
                        dangerous.len(),
                        short_list(&dangerous),
                        by_token(&group.token)
                    ),
                    token: group.token.clone(),
                });
            }
            let keyless: Vec<&str> = group
                .commands
                .iter()
                .filter(|c| {
                    commands::lookup(self.dialect, c)
                        .is_some_and(|c| self.keyless.contains(&command_index(self.dialect, c)))
                })
                .map(String::as_str)
                .collect();
            let mut keyless = keyless;
            keyless.sort_by_key(|c| worst_rank(c));
            let restricted = new.root.all_keys.is_none()
                && !new
                    .root
                    .keys
                    .iter()
                    .any(|k| Glob::new(&k.pattern).is_match_all());
            if !keyless.is_empty() && restricted {
                risks.push(Risk {
                    kind: RiskKind::KeylessCommands,
                    message: format!(
                        "`{}` is limited by key patterns but gains commands that ignore them and reach the whole keyspace: {}{}",
                        out.user,
                        short_list(&keyless),
                        by_token(&group.token)
                    ),
                    token: group.token.clone(),
                });
            }
        }
        for (change, kind) in out
            .keys
            .iter()
            .map(|k| (k, RiskKind::KeysOfAnotherUser))
            .chain(
                out.channels
                    .iter()
                    .map(|c| (c, RiskKind::ChannelsOfAnotherUser)),
            )
        {
            if change.reaches.is_empty() {
                continue;
            }
            risks.push(Risk {
                kind,
                message: format!(
                    "`{}` now reaches {} of {} through `{}`",
                    out.user,
                    if kind == RiskKind::KeysOfAnotherUser {
                        "keys"
                    } else {
                        "channels"
                    },
                    change
                        .reaches
                        .iter()
                        .map(|r| format!("`{}` (e.g. `{}`)", r.user, r.example))
                        .collect::<Vec<_>>()
                        .join(", "),
                    change.pattern,
                ),
                token: change.token.clone(),
            });
        }
        let required_password = |u: &EffectiveUser| u.enabled && !u.is_nopass();
        if after.enabled && after.is_nopass() {
            let opened = before.is_none_or(|b| required_password(b) || !b.enabled);
            let was_open = before.is_some_and(|b| b.enabled && b.is_nopass());
            if after.name == "default" && (opened || (was_open && !out.granted.is_empty())) {
                risks.push(Risk {
                    kind: RiskKind::DefaultOpened,
                    message: if opened {
                        "`default` now accepts every connection without a password: unauthenticated clients get its permissions".to_string()
                    } else {
                        "`default` needs no password and gains commands: every unauthenticated client gains them".to_string()
                    },
                    token: self.at(Side::New, after.nopass.or(after.enabled_by)),
                });
            } else if after.name != "default" && before.is_some_and(required_password) {
                risks.push(Risk {
                    kind: RiskKind::PasswordRemoved,
                    message: format!(
                        "`{}` loses its password: with `nopass` any password, or none, logs in as it",
                        out.user
                    ),
                    token: self.at(Side::New, after.nopass),
                });
            } else if after.name != "default" && opened {
                risks.push(Risk {
                    kind: RiskKind::NopassUser,
                    message: format!(
                        "`{}` is enabled with `nopass`: any password logs in as it",
                        out.user
                    ),
                    token: self.at(Side::New, after.nopass),
                });
            }
        }
        // Shared passwords: a fingerprint this user now has in common with another user.
        for password in &after.passwords {
            for other in self.new.users.iter().filter(|o| o.name != after.name) {
                if !other
                    .passwords
                    .iter()
                    .any(|p| p.fingerprint == password.fingerprint)
                {
                    continue;
                }
                let shared_before = before.is_some_and(|b| {
                    b.passwords
                        .iter()
                        .any(|p| p.fingerprint == password.fingerprint)
                        && self.old.users.iter().any(|o| {
                            o.name == other.name
                                && o.passwords
                                    .iter()
                                    .any(|p| p.fingerprint == password.fingerprint)
                        })
                });
                if !shared_before {
                    risks.push(Risk {
                        kind: RiskKind::PasswordShared,
                        message: format!(
                            "`{}` now has a password `{}` also has: each can log in as the other",
                            out.user, other.name
                        ),
                        token: self.at(Side::New, Some(password.token)),
                    });
                }
            }
        }
        out.risks = risks;
    }
}

/// `@dangerous` commands in the order a reviewer should hear of them.
const WORST_FIRST: &[&str] = &[
    "flushall",
    "flushdb",
    "config",
    "shutdown",
    "debug",
    "acl setuser",
    "acl load",
    "acl|setuser",
    "acl|load",
    "replicaof",
    "slaveof",
    "keys",
    "scan",
    "randomkey",
    "move",
    "monitor",
    "save",
    "bgsave",
    "client",
    "module",
];

fn worst_rank(name: &str) -> usize {
    WORST_FIRST
        .iter()
        .position(|w| *w == name)
        .unwrap_or(WORST_FIRST.len())
}

/// Orders grouped tokens by side and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct TokenKey(Side, u32, u32);

/// Commands some permission set of the user allows (first-argument grants included).
fn allowed_any(user: &EffectiveUser) -> HashSet<usize> {
    let mut set = HashSet::new();
    for perms in user.permission_sets() {
        set.extend(perms.allowed.iter());
        set.extend(perms.first_args.iter().map(|(i, _, _)| *i));
    }
    set
}

/// The token that last decided the command in the root permissions.
fn deciding(user: &EffectiveUser, index: usize) -> Option<TokenRef> {
    user.permission_sets()
        .find(|p| p.allows(index))
        .map_or(user.root.decided_by.get(index), |p| p.decided_by.get(index))
}

/// Every key pattern of every permission set, with its access and token (`~*`/`allkeys`
/// as `*`).
fn key_patterns(user: &EffectiveUser) -> impl Iterator<Item = (KeyPerm, &[u8], Option<TokenRef>)> {
    user.permission_sets().flat_map(|p: &Permissions| {
        let all = p
            .all_keys
            .map(|t| (KeyPerm::ReadWrite, b"*".as_slice(), Some(t)));
        all.into_iter().chain(
            p.keys
                .iter()
                .map(|k| (k.perm, k.pattern.as_slice(), Some(k.token))),
        )
    })
}

fn channel_patterns(user: &EffectiveUser) -> impl Iterator<Item = (&[u8], Option<TokenRef>)> {
    user.permission_sets().flat_map(|p: &Permissions| {
        let all = p.all_channels.map(|t| (b"*".as_slice(), Some(t)));
        all.into_iter().chain(
            p.channels
                .iter()
                .map(|c| (c.pattern.as_slice(), Some(c.token))),
        )
    })
}

/// The argument strings to try: one per region of all key and channel patterns of both
/// versions, the first-argument grants, and database numbers (for `$<db>` users).
fn argument_strings(old: &EffectiveUser, new: &EffectiveUser) -> Vec<Vec<u8>> {
    let mut patterns: Vec<Glob> = Vec::new();
    for user in [old, new] {
        patterns.extend(key_patterns(user).map(|(_, p, _)| Glob::new(p)));
        patterns.extend(channel_patterns(user).map(|(p, _)| Glob::new(p)));
    }
    let refs: Vec<&Glob> = patterns.iter().collect();
    let mut found = glob::regions(&refs).unwrap_or_else(|| {
        // Past the budget: one string per pattern, and one no pattern is likely to match.
        let mut some: Vec<Vec<u8>> = patterns.iter().filter_map(|g| g.witness(g)).collect();
        some.push(b"x".to_vec());
        some
    });
    for user in [old, new] {
        for perms in user.permission_sets() {
            found.extend(perms.first_args.iter().map(|(_, a, _)| a.clone()));
        }
        if let Some(db) = user.db {
            found.push(db.to_string().into_bytes());
        }
    }
    found.push(b"0".to_vec());
    let mut unique: Vec<Vec<u8>> = Vec::new();
    for f in found {
        if !unique.contains(&f) {
            unique.push(f);
        }
    }
    unique
}

/// `command argument…` with as many arguments as the command's arity asks for, and for a
/// command that takes more, also with one more (so that a key or channel is named).
fn queries_for(dialect: Dialect, command: &Command, argument: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let separator = match dialect {
        Dialect::Dragonfly => ' ',
        Dialect::Redis => '|',
    };
    let mut argv: Vec<Vec<u8>> = command
        .name
        .split(separator)
        .map(|p| p.as_bytes().to_vec())
        .collect();
    while argv.len() < command.arity.unsigned_abs() as usize {
        argv.push(argument.to_vec());
    }
    let mut queries = vec![argv.clone()];
    if command.arity < 0 {
        argv.push(argument.to_vec());
        queries.push(argv);
    }
    queries
}

fn show_bytes(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "\"\"".to_string();
    }
    bytes.escape_ascii().to_string()
}

fn show_query(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            let shown = show_bytes(a);
            if i == 0 {
                shown.to_ascii_uppercase()
            } else {
                shown
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn merge_read_write(changes: &mut Vec<PatternChange>) {
    let mut merged: Vec<PatternChange> = Vec::new();
    for change in changes.drain(..) {
        if let Some(same) = merged.iter_mut().find(|m| {
            m.direction == change.direction
                && m.pattern == change.pattern
                && m.access != change.access
                && m.query.is_some() == change.query.is_some()
        }) {
            same.access = "read/write";
            continue;
        }
        merged.push(change);
    }
    *changes = merged;
}

fn first_token(user: &EffectiveUser) -> Option<TokenRef> {
    user.lines.first().map(|&line| TokenRef { line, token: 0 })
}

fn login_summary(user: &EffectiveUser) -> String {
    if user.is_nopass() {
        "nopass".to_string()
    } else {
        format!("{} password(s)", user.passwords.len())
    }
}

fn db_text(db: Option<u32>) -> String {
    db.map_or("all".to_string(), |d| format!("${d}"))
}

fn namespace_text(ns: &Option<String>) -> String {
    match ns.as_deref() {
        None | Some("") => "none".to_string(),
        Some(n) => format!("`{n}`"),
    }
}

/// Up to eight names, upper-cased, then how many more.
pub fn short_list(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(8)
        .map(|n| n.replace('|', " ").to_ascii_uppercase())
        .collect();
    let more = names.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn by_token(token: &Option<TokenAt>) -> String {
    token
        .as_ref()
        .map_or(String::new(), |t| format!(" (from `{}`)", t.token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::eval::evaluate;
    use crate::acl::parse::parse_file;

    fn run(old: &str, new: &str, dialect: Dialect) -> AclDiff {
        let (a, b) = (parse_file(old, dialect), parse_file(new, dialect));
        let (ua, _) = evaluate(&a);
        let (ub, _) = evaluate(&b);
        diff(
            Version {
                file: &a,
                users: &ua,
            },
            Version {
                file: &b,
                users: &ub,
            },
        )
    }

    const SEED: &str = "user default on >pw0 ~* +@all\n\
        user keycloak on >pw1 ~keycloak:* +@read +@write +@connection -@dangerous\n\
        user appcache on >pw2 ~cache:* +@read +@write +@connection -@dangerous\n";

    #[test]
    fn every_risk_kind_is_documented() {
        for kind in [
            RiskKind::DangerousCommands,
            RiskKind::KeylessCommands,
            RiskKind::KeysOfAnotherUser,
            RiskKind::ChannelsOfAnotherUser,
            RiskKind::PasswordRemoved,
            RiskKind::PasswordShared,
            RiskKind::DefaultOpened,
            RiskKind::NopassUser,
        ] {
            let name = serde_json::to_value(kind).unwrap();
            let doc = explain(name.as_str().unwrap()).unwrap_or_else(|| panic!("{name}"));
            assert!(doc.len() > 60 && !doc.contains("\n### ",), "{doc}");
        }
        assert!(explain("acl-diff").unwrap().starts_with("# acl diff"));
        assert_eq!(explain("no-such-risk"), None);
    }

    #[test]
    fn a_tenant_gaining_everything_reaches_the_others() {
        let new = SEED.replace(
            "~cache:* +@read +@write +@connection -@dangerous",
            "~cache:* ~* +@all",
        );
        let d = run(SEED, &new, Dialect::Dragonfly);
        let appcache = d.user("appcache").unwrap();
        assert_eq!(appcache.status, Status::Changed);
        let kinds: Vec<RiskKind> = appcache.risks.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [RiskKind::DangerousCommands, RiskKind::KeysOfAnotherUser]
        );
        let reach = &appcache.keys[0].reaches[0];
        assert_eq!(
            (reach.user.as_str(), reach.example.as_str()),
            ("keycloak", "keycloak:")
        );
        assert_eq!(appcache.granted[0].example.as_deref(), Some("FLUSHALL"));
        // Publishing needs a channel pattern the user does not have: granted on paper only.
        assert!(appcache.dormant[0]
            .commands
            .contains(&"publish".to_string()));
        assert_eq!(d.user("keycloak").unwrap().status, Status::Unchanged);
    }

    #[test]
    fn default_opening_up_and_shared_passwords_are_risks() {
        let old = "user default on >adminpw ~* +@all\nuser app on >apppw ~app:* +get\n";
        let new = "user default on nopass ~* +@all\nuser app on >apppw >adminpw ~app:* +get\n";
        let d = run(old, new, Dialect::Dragonfly);
        assert_eq!(
            d.user("default").unwrap().risks[0].kind,
            RiskKind::DefaultOpened
        );
        let app = d.user("app").unwrap();
        assert_eq!(app.risks.len(), 0, "default no longer has adminpw: {app:?}");
        let new = "user default on >adminpw ~* +@all\nuser app on >apppw >adminpw ~app:* +get\n";
        let d = run(old, new, Dialect::Dragonfly);
        let app = d.user("app").unwrap();
        assert_eq!(app.risks[0].kind, RiskKind::PasswordShared);
        assert!(
            !format!("{d:?}").contains("adminpw"),
            "a password in the diff"
        );
    }
}
