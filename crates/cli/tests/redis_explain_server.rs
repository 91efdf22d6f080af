//! `dflint acl explain --dialect redis` against a real `redis-server`: every claim explain
//! makes about a user is checked on the server.
//!
//! The test starts `redis-server` (Debian's Redis 7.0.15, the version dflint's Redis tables
//! come from; a missing server is a failure, never a skip), reads its command table
//! (`COMMAND`), and then, in rounds of [`USERS_PER_FILE`] users:
//!
//! * generates random rule lines from the seeded vocabulary of `support/vocab.rs` (the one of
//!   `redis_differential.rs`: selectors `( … )`, first-argument rules such as `+select|0`,
//!   `-@all`, `+@cat`, `-cmd`, `%R~`/`%W~`/`%RW~` key patterns, `&` channels, `allkeys`,
//!   `resetkeys`, passwords, odd and invalid rules), plus rules that remove the `no_auth`
//!   commands (AUTH, HELLO, QUIT, RESET) at the top level and inside selectors;
//! * sends each line with `ACL SETUSER u<N> …`. A line the server rejects is written alone to
//!   an ACL file, and `dflint acl explain` must say on stderr that Redis rejects the whole
//!   file. The lines the server accepts are written to one ACL file, one `user u<N> …` line
//!   each, and `dflint acl explain FILE --dialect redis --format json` must not say so;
//! * checks every claim of explain's JSON for these users (and, once, for the built-in
//!   `default` user it lists, against the server's untouched `default`):
//!   - with `ACL DRYRUN` (pipelined), for the root permissions and every selector together,
//!     as Redis does: Redis allows a command when one permission set (the root, then each
//!     selector) allows it, and otherwise reports a channel over a key over a command
//!     denial. A *command* claim (`commands` / `denied_commands`, the root's and every
//!     selector's) is checked by running every command of the server with a valid number
//!     of arguments (first argument chosen to match no `first_args` entry): the server
//!     denies it on the command exactly when no permission set allows it, and allows it
//!     outright when a set that allows it also has all keys and all channels. A
//!     `first_args` claim runs the command with that first argument. A *key* claim (`keys`,
//!     `all_keys`) runs GET (read), SET (write), INCR (read and write), EXISTS (neither) and
//!     a few more one-key commands of [`KEY_COMMANDS`] that the user may run (the read/write
//!     needs come from `COMMAND GETKEYSANDFLAGS`) on a key built from each pattern (`*` and
//!     `?` filled in, classes resolved, checked with `dflint_core::acl::glob`), on keys of
//!     the vocabulary, on a key that matches no pattern of the vocabulary and on the empty
//!     key (which Redis' `*` does not match). A *channel* claim (`channels`,
//!     `all_channels`) runs PUBLISH, SUBSCRIBE, SPUBLISH and SSUBSCRIBE on a channel built
//!     from each pattern (and on vocabulary, unmatched and empty channels), and PSUBSCRIBE
//!     on the pattern itself (which Redis compares literally). The expected reply is
//!     computed from explain's JSON alone, plus glob matching; never from dflint's
//!     `acl can`;
//!   - with `ACL GETUSER`: `enabled` (`on`), `nopass`, the number of `passwords` and of
//!     `selectors`;
//!   - with the server's `COMMAND` table: each permission set lists every command exactly
//!     once (in `commands` or `denied_commands`) and no other name; `always_allowed` only on
//!     `no_auth` commands; `dangerous` ⇔ the command is in `@dangerous` or `@admin`;
//!     `dangerous_commands` are the allowed dangerous commands; `all_commands` ⇔ nothing is
//!     denied; a category in `categories` has all its commands allowed, and a category left
//!     out has one that only `always_allowed` lets through or that is denied.
//!
//! The number of claims checked with DRYRUN is at least `DFLINT_EXPLAIN_CLAIMS` (default
//! [`DEFAULT_CLAIMS`]); `DFLINT_EXPLAIN_SEED` (decimal or `0x…`) sets the seed. Every wrong
//! claim is listed (user line, claim, query, expected and server reply) and the test fails
//! once with their number.
//!
//! Not checked, because the server cannot show them:
//! * DRYRUN of the 15 container commands themselves (`acl`, `client`, `config`, `object`,
//!   `xinfo`, … — read from the server): without a subcommand DRYRUN answers "wrong number
//!   of arguments", with an unknown one "Command not found", and Redis checks only the
//!   subcommand's permission. Their entries are checked against the command table only
//!   (listed once; `dangerous`; category claims); each of their subcommands is run;
//! * `granted_by`, `decided_by`, `all_keys_granted_by` (which rule decided is not visible),
//!   `hashed_passwords` (the server keeps hashes only), `lines`, and the Dragonfly-only
//!   `db`, `db_granted_by` and `namespace`;
//! * `enabled` through DRYRUN (which ignores `on`/`off`): it is read with ACL GETUSER.
//!
//! Left out of the vocabulary: as in `redis_differential.rs` (module commands, the
//! `default` user's own rules, `acl-pubsub-default allchannels`, tokens with whitespace or
//! quotes). Every command of the server except the containers above is run.

mod support;

use dflint_core::acl::glob;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use support::resp::{Reply, Resp};
use support::server::start_redis_7_0;
use support::vocab::{
    acl_line, env_number, instance, key_rule, rule_line, setuser_args, Rng, CHANNELS, KEYS,
};

const DEFAULT_SEED: u64 = 0x00D1_F11E_E7A1_7015;
/// Claims checked with ACL DRYRUN, at least.
const DEFAULT_CLAIMS: usize = 50_000;
/// Users generated per round (the rejected ones are left out of the file).
const USERS_PER_FILE: usize = 48;
/// DRYRUN commands per pipelined batch.
const PIPELINE: usize = 4096;
/// Commands run on one key (the key is the first argument; then these arguments). Which
/// key permissions each needs is read from the server (`COMMAND GETKEYSANDFLAGS`).
const KEY_COMMANDS: &[(&str, &[&str])] = &[
    ("get", &[]),
    ("set", &["v"]),
    ("incr", &[]),
    ("exists", &[]),
    ("strlen", &[]),
    ("type", &[]),
    ("ttl", &[]),
    ("decr", &[]),
    ("llen", &[]),
    ("lpop", &[]),
    ("lpush", &["x"]),
    ("scard", &[]),
    ("sadd", &["m"]),
    ("hlen", &[]),
    ("hset", &["f", "v"]),
    ("zcard", &[]),
    ("del", &[]),
    ("unlink", &[]),
    ("persist", &[]),
    ("getdel", &[]),
    ("dump", &[]),
    ("smembers", &[]),
    ("xlen", &[]),
    ("pfcount", &[]),
    ("pfadd", &["e"]),
    ("bitcount", &[]),
    ("touch", &[]),
    ("append", &["x"]),
    ("expire", &["10"]),
    ("getset", &["v"]),
    ("setnx", &["v"]),
];
/// [`KEY_COMMANDS`] always run on each key; then [`EXTRA_KEY_PROBES`] of the others that
/// some permission set of the user allows.
const ALWAYS_KEY_PROBES: usize = 4;
const EXTRA_KEY_PROBES: usize = 4;
/// Wrong claims listed in full; all are counted.
const MAX_LISTED: usize = 1000;

// ---------------------------------------------------------------------------------------------
// The server's command table
// ---------------------------------------------------------------------------------------------

struct ServerCommand {
    /// Lower case; a subcommand is `container|sub`.
    name: String,
    arity: i64,
    no_auth: bool,
    categories: BTreeSet<String>,
    /// Has subcommands: cannot be run by itself.
    container: bool,
}

fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(Some(b)) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) | Reply::Error(s) => s.clone(),
        other => panic!("expected a string, got {other}"),
    }
}

fn items(reply: &Reply) -> &[Reply] {
    match reply {
        Reply::Array(Some(items)) => items,
        other => panic!("expected an array, got {other}"),
    }
}

fn parse_command(entry: &Reply, out: &mut Vec<ServerCommand>) {
    let fields = items(entry);
    let subcommands = items(&fields[9]);
    out.push(ServerCommand {
        name: text(&fields[0]).to_ascii_lowercase(),
        arity: match fields[1] {
            Reply::Int(n) => n,
            ref other => panic!("COMMAND arity {other}"),
        },
        no_auth: items(&fields[2]).iter().any(|f| text(f) == "no_auth"),
        categories: items(&fields[6]).iter().map(text).collect(),
        container: !subcommands.is_empty(),
    });
    for sub in subcommands {
        parse_command(sub, out);
    }
}

fn server_commands(conn: &mut Resp) -> Vec<ServerCommand> {
    let reply = conn.call(&["COMMAND"]).expect("COMMAND");
    let mut out = Vec::new();
    for entry in items(&reply) {
        parse_command(entry, &mut out);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The key flags Redis' ACL derives from `COMMAND GETKEYSANDFLAGS` (`ACLSelectorCheckKey`):
/// `access` needs read, `insert`/`update`/`delete` need write.
fn key_need(conn: &mut Resp, args: &[&str]) -> (bool, bool) {
    let mut query = vec!["COMMAND", "GETKEYSANDFLAGS"];
    query.extend_from_slice(args);
    let reply = conn.call(&query).expect("COMMAND GETKEYSANDFLAGS");
    let keys = items(&reply);
    assert_eq!(keys.len(), 1, "{args:?}: one key, {reply}");
    let flags: Vec<String> = items(&items(&keys[0])[1]).iter().map(text).collect();
    let has = |f: &str| flags.iter().any(|x| x == f);
    (
        has("access"),
        has("insert") || has("update") || has("delete"),
    )
}

// ---------------------------------------------------------------------------------------------
// explain's JSON
// ---------------------------------------------------------------------------------------------

struct KeyPattern {
    pattern: String,
    read: bool,
    write: bool,
}

/// One permission set of explain's JSON: the root (the user object itself) or a selector.
struct Perms {
    label: String,
    /// command → (dangerous, always_allowed is set)
    allowed: BTreeMap<String, (bool, bool)>,
    denied: Vec<String>,
    first_args: Vec<(String, String)>,
    all_keys: bool,
    keys: Vec<KeyPattern>,
    all_channels: bool,
    channels: Vec<String>,
    categories: Vec<String>,
    dangerous_commands: Vec<String>,
    all_commands: bool,
}

struct Explained {
    name: String,
    /// The ACL-file line, or a description of the built-in user.
    line: String,
    enabled: bool,
    nopass: bool,
    passwords: u64,
    /// The root first, then the selectors in order.
    sets: Vec<Perms>,
}

fn field<'a>(value: &'a Value, name: &str, context: &str) -> &'a Value {
    value
        .get(name)
        .unwrap_or_else(|| panic!("explain JSON ({context}) has no `{name}`: {value:.300}"))
}

fn bool_field(value: &Value, name: &str, context: &str) -> bool {
    field(value, name, context)
        .as_bool()
        .unwrap_or_else(|| panic!("explain JSON ({context}): `{name}` is not a boolean"))
}

fn str_field(value: &Value, name: &str, context: &str) -> String {
    field(value, name, context)
        .as_str()
        .unwrap_or_else(|| panic!("explain JSON ({context}): `{name}` is not a string"))
        .to_string()
}

fn array_field<'a>(value: &'a Value, name: &str, context: &str) -> &'a Vec<Value> {
    field(value, name, context)
        .as_array()
        .unwrap_or_else(|| panic!("explain JSON ({context}): `{name}` is not an array"))
}

fn strings(value: &Value, name: &str, context: &str) -> Vec<String> {
    array_field(value, name, context)
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("explain JSON ({context}): `{name}` holds {v}"))
                .to_string()
        })
        .collect()
}

fn parse_perms(value: &Value, label: String) -> Perms {
    let ctx = label.as_str();
    let allowed = array_field(value, "commands", ctx)
        .iter()
        .map(|c| {
            let always = field(c, "always_allowed", ctx);
            assert!(
                always.is_null() || always.is_string(),
                "explain JSON ({ctx}): always_allowed is {always}"
            );
            (
                str_field(c, "command", ctx),
                (bool_field(c, "dangerous", ctx), always.is_string()),
            )
        })
        .collect();
    Perms {
        allowed,
        denied: array_field(value, "denied_commands", ctx)
            .iter()
            .map(|c| str_field(c, "command", ctx))
            .collect(),
        first_args: array_field(value, "first_args", ctx)
            .iter()
            .map(|f| (str_field(f, "command", ctx), str_field(f, "arg", ctx)))
            .collect(),
        all_keys: bool_field(value, "all_keys", ctx),
        keys: array_field(value, "keys", ctx)
            .iter()
            .map(|k| KeyPattern {
                pattern: str_field(k, "pattern", ctx),
                read: bool_field(k, "read", ctx),
                write: bool_field(k, "write", ctx),
            })
            .collect(),
        all_channels: bool_field(value, "all_channels", ctx),
        channels: strings(value, "channels", ctx),
        categories: strings(value, "categories", ctx),
        dangerous_commands: strings(value, "dangerous_commands", ctx),
        all_commands: bool_field(value, "all_commands", ctx),
        label,
    }
}

fn parse_user(value: &Value, line: String) -> Explained {
    let name = str_field(value, "user", "user");
    let mut sets = vec![parse_perms(value, "root".into())];
    for (i, selector) in array_field(value, "selectors", &name).iter().enumerate() {
        sets.push(parse_perms(selector, format!("selector {}", i + 1)));
    }
    Explained {
        enabled: bool_field(value, "enabled", &name),
        nopass: bool_field(value, "nopass", &name),
        passwords: field(value, "passwords", &name)
            .as_u64()
            .unwrap_or_else(|| panic!("explain JSON ({name}): `passwords` is not a count")),
        name,
        line,
        sets,
    }
}

impl Perms {
    /// Does this set let `command` run with this first argument (`first_args` compare
    /// without case, like Redis' `strcasecmp`)?
    fn runs(&self, command: &str, first_arg: Option<&str>) -> bool {
        self.allowed.contains_key(command)
            || first_arg.is_some_and(|arg| {
                self.first_args
                    .iter()
                    .any(|(c, a)| c == command && a.eq_ignore_ascii_case(arg))
            })
    }

    fn key_ok(&self, key: &str, (read, write): (bool, bool)) -> bool {
        self.all_keys
            || self.keys.iter().any(|p| {
                (p.read || !read)
                    && (p.write || !write)
                    && glob::matches(p.pattern.as_bytes(), key.as_bytes())
            })
    }

    /// Channels are globs, except for pattern subscriptions, which Redis compares literally.
    fn channel_ok(&self, channel: &str, literal: bool) -> bool {
        self.all_channels
            || self.channels.iter().any(|p| {
                if literal {
                    p == channel
                } else {
                    glob::matches(p.as_bytes(), channel.as_bytes())
                }
            })
    }

    fn describe_keys(&self) -> String {
        if self.all_keys {
            return "all keys".into();
        }
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                let flags = match (k.read, k.write) {
                    (true, true) => "RW",
                    (true, false) => "R",
                    (false, true) => "W",
                    (false, false) => "-",
                };
                format!("{}({flags})", k.pattern)
            })
            .collect();
        format!("keys [{}]", keys.join(" "))
    }

    fn describe_channels(&self) -> String {
        if self.all_channels {
            "all channels".into()
        } else {
            format!("channels [{}]", self.channels.join(" "))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Claims and what the server says
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Allowed,
    Command(String),
    Key(String),
    Channel(String),
    Other(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Allowed => write!(f, "OK"),
            Outcome::Command(c) => write!(f, "denied on the command {c:?}"),
            Outcome::Key(k) => write!(f, "denied on the key {k:?}"),
            Outcome::Channel(c) => write!(f, "denied on the channel {c:?}"),
            Outcome::Other(o) => write!(f, "{o}"),
        }
    }
}

fn outcome(reply: &Reply) -> Outcome {
    match reply {
        Reply::Status(s) if s == "OK" => Outcome::Allowed,
        Reply::Bulk(Some(bytes)) => {
            let text = String::from_utf8_lossy(bytes);
            let item = |prefix: &str, suffix: &str| {
                text.strip_prefix(prefix)
                    .and_then(|t| t.strip_suffix(suffix))
                    .map(str::to_string)
            };
            if let Some(c) = item("This user has no permissions to run the '", "' command") {
                Outcome::Command(c)
            } else if let Some(k) = item("This user has no permissions to access the '", "' key") {
                Outcome::Key(k)
            } else if let Some(c) =
                item("This user has no permissions to access the '", "' channel")
            {
                Outcome::Channel(c)
            } else {
                Outcome::Other(format!("{text:?}"))
            }
        }
        other => Outcome::Other(other.to_string()),
    }
}

#[derive(Clone, Debug)]
enum Expect {
    Exactly(Outcome),
    /// Allowed, or denied on a key or channel: some permission set allows the command.
    NotOnCommand,
}

impl Expect {
    fn holds(&self, got: &Outcome) -> bool {
        match self {
            Expect::Exactly(o) => o == got,
            Expect::NotOnCommand => {
                matches!(
                    got,
                    Outcome::Allowed | Outcome::Key(_) | Outcome::Channel(_)
                )
            }
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Exactly(o) => write!(f, "{o}"),
            Expect::NotOnCommand => write!(f, "not denied on the command"),
        }
    }
}

/// One claim checked with ACL DRYRUN.
struct Probe {
    user: usize,
    /// command, first_args, keys or channels
    kind: &'static str,
    claim: String,
    args: Vec<String>,
    expect: Expect,
}

struct Wrong {
    user_line: String,
    claim: String,
    query: String,
    expected: String,
    server: String,
}

/// The permission sets that let `command` run as `args` (by the command, or by its first
/// argument). Redis denies on the command when there is none; otherwise the check passes if
/// one of them passes its key and channel checks, else the key (or channel) is reported.
fn expect_run<'a>(user: &'a Explained, command: &str, args: &[String]) -> Vec<&'a Perms> {
    let first = if command.contains('|') {
        None
    } else {
        args.get(1).map(String::as_str)
    };
    user.sets
        .iter()
        .filter(|p| p.runs(command, first))
        .collect()
}

/// The command's words and arguments up to a valid arity; the first argument avoids every
/// `first_args` entry of the user for the command.
fn invocation(user: &Explained, command: &ServerCommand) -> Vec<String> {
    let mut args: Vec<String> = command.name.split('|').map(str::to_string).collect();
    let wanted = command.arity.unsigned_abs() as usize;
    let taken: Vec<&str> = user
        .sets
        .iter()
        .flat_map(|p| &p.first_args)
        .filter(|(c, _)| *c == command.name)
        .map(|(_, a)| a.as_str())
        .collect();
    let mut first = true;
    while args.len() < wanted {
        if first {
            let free = (7..)
                .map(|n| n.to_string())
                .find(|n| !taken.iter().any(|t| t.eq_ignore_ascii_case(n)))
                .expect("a free first argument");
            args.push(free);
            first = false;
        } else {
            args.push("0".into());
        }
    }
    args
}

fn allows_text(user: &Explained, command: &str) -> String {
    user.sets
        .iter()
        .map(|p| {
            let verdict = match p.allowed.get(command) {
                Some((_, true)) => "allows (always_allowed)",
                Some(_) => "allows",
                None => "denies",
            };
            format!("{} {verdict}", p.label)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The DRYRUN-checked claims about one user.
struct ProbeBuilder<'a> {
    commands: &'a [ServerCommand],
    /// Commands run on one key: (name, arguments after the key, (needs read, needs write)).
    key_probes: &'a [(&'static str, &'static [&'static str], (bool, bool))],
    probes: Vec<Probe>,
    /// Patterns no string could be built for (reported).
    unbuildable: Vec<String>,
}

impl ProbeBuilder<'_> {
    fn add(
        &mut self,
        user: usize,
        kind: &'static str,
        claim: String,
        args: Vec<String>,
        expect: Expect,
    ) {
        self.probes.push(Probe {
            user,
            kind,
            claim,
            args,
            expect,
        });
    }

    fn commands(&mut self, index: usize, user: &Explained) {
        for command in self.commands.iter().filter(|c| !c.container) {
            let args = invocation(user, command);
            let sets = expect_run(user, &command.name, &args);
            let expect = if sets.is_empty() {
                Expect::Exactly(Outcome::Command(command.name.clone()))
            } else if sets.iter().any(|p| p.all_keys && p.all_channels) {
                Expect::Exactly(Outcome::Allowed)
            } else {
                Expect::NotOnCommand
            };
            let claim = format!("`{}`: {}", command.name, allows_text(user, &command.name));
            self.add(index, "commands", claim, args, expect);
        }
        for set in &user.sets {
            for (command, arg) in &set.first_args {
                let Some(table) = self.commands.iter().find(|c| c.name == *command) else {
                    continue; // reported by the listing check
                };
                if table.container || command.contains('|') {
                    continue; // reported by the listing check
                }
                if table.arity == 1 {
                    // No invocation has a first argument.
                    self.unbuildable.push(format!("{command}|{arg}"));
                    continue;
                }
                let mut args = vec![command.clone(), arg.clone()];
                while args.len() < table.arity.unsigned_abs() as usize {
                    args.push("0".into());
                }
                let sets = expect_run(user, command, &args);
                let expect = if sets.iter().any(|p| p.all_keys && p.all_channels) {
                    Expect::Exactly(Outcome::Allowed)
                } else {
                    Expect::NotOnCommand
                };
                let claim = format!("{}: first_args `{command}` `{arg}` may run", set.label);
                self.add(index, "first_args", claim, args, expect);
            }
        }
    }

    fn keys(&mut self, index: usize, user: &Explained, rng: &mut Rng) {
        let mut keys: Vec<(String, String)> = Vec::new();
        for set in &user.sets {
            for pattern in &set.keys {
                match instance(&pattern.pattern, rng) {
                    Some(key) => keys.push((key, format!("{}'s key pattern", set.label))),
                    None => self.unbuildable.push(pattern.pattern.clone()),
                }
            }
        }
        for _ in 0..2 {
            keys.push((rng.pick(KEYS).to_string(), "a key of the vocabulary".into()));
        }
        keys.push((
            format!("nomatch:{}", rng.below(1000)),
            "a key of no pattern".into(),
        ));
        // Redis' `*` does not match the empty string (only `~*`/`allkeys` grant it).
        keys.push((String::new(), "the empty key".into()));
        // The first few always; some of the others that a permission set allows.
        let runnable: Vec<_> = self.key_probes[ALWAYS_KEY_PROBES..]
            .iter()
            .filter(|(name, _, _)| user.sets.iter().any(|p| p.allowed.contains_key(*name)))
            .collect();
        for (key, origin) in keys {
            let mut probes: Vec<_> = self.key_probes[..ALWAYS_KEY_PROBES].iter().collect();
            let mut others = runnable.clone();
            for _ in 0..EXTRA_KEY_PROBES.min(others.len()) {
                probes.push(others.swap_remove(rng.below(others.len())));
            }
            for &&(command, extra, need) in &probes {
                let mut args = vec![command.to_string(), key.clone()];
                args.extend(extra.iter().map(|a| a.to_string()));
                let sets = expect_run(user, command, &args);
                let expect = Expect::Exactly(if sets.is_empty() {
                    Outcome::Command(command.into())
                } else if sets.iter().any(|p| p.key_ok(&key, need)) {
                    Outcome::Allowed
                } else {
                    Outcome::Key(key.clone())
                });
                let sets_text: Vec<String> = user
                    .sets
                    .iter()
                    .map(|p| format!("{}: {}", p.label, p.describe_keys()))
                    .collect();
                let claim = format!(
                    "`{command}` on {key:?} ({origin}; needs {}{}): {}; {}",
                    if need.0 { "R" } else { "" },
                    if need.1 { "W" } else { "" },
                    allows_text(user, command),
                    sets_text.join("; ")
                );
                self.add(index, "keys", claim, args, expect);
            }
        }
    }

    fn channels(&mut self, index: usize, user: &Explained, rng: &mut Rng) {
        let mut channels: Vec<(String, bool, String)> = Vec::new();
        for set in &user.sets {
            for pattern in &set.channels {
                match instance(pattern, rng) {
                    Some(c) => {
                        channels.push((c, false, format!("{}'s channel pattern", set.label)))
                    }
                    None => self.unbuildable.push(pattern.clone()),
                }
                channels.push((
                    pattern.clone(),
                    true,
                    format!("{}'s channel pattern", set.label),
                ));
            }
        }
        let vocabulary = rng.pick(CHANNELS).to_string();
        channels.push((
            vocabulary.clone(),
            false,
            "a channel of the vocabulary".into(),
        ));
        channels.push((vocabulary, true, "a channel of the vocabulary".into()));
        channels.push((
            format!("nomatch.{}", rng.below(1000)),
            false,
            "a channel of no pattern".into(),
        ));
        channels.push((String::new(), false, "the empty channel".into()));
        for (channel, literal, origin) in channels {
            let commands: &[&str] = if literal {
                &["psubscribe"]
            } else {
                &["publish", "subscribe", "spublish", "ssubscribe"]
            };
            for &command in commands {
                let mut args = vec![command.to_string(), channel.clone()];
                if command.ends_with("publish") {
                    args.push("m".into());
                }
                let sets = expect_run(user, command, &args);
                let expect = Expect::Exactly(if sets.is_empty() {
                    Outcome::Command(command.into())
                } else if sets.iter().any(|p| p.channel_ok(&channel, literal)) {
                    Outcome::Allowed
                } else {
                    Outcome::Channel(channel.clone())
                });
                let sets_text: Vec<String> = user
                    .sets
                    .iter()
                    .map(|p| format!("{}: {}", p.label, p.describe_channels()))
                    .collect();
                let claim = format!(
                    "`{command}` {channel:?} ({origin}): {}; {}",
                    allows_text(user, command),
                    sets_text.join("; ")
                );
                self.add(index, "channels", claim, args, expect);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Claims checked against the command table and ACL GETUSER
// ---------------------------------------------------------------------------------------------

/// Checks the claims that need no DRYRUN; returns how many were checked.
fn static_claims(
    user: &Explained,
    getuser: &Reply,
    commands: &[ServerCommand],
    wrong: &mut Vec<Wrong>,
) -> usize {
    let mut checked = 0;
    let mut check = |ok: bool, claim: String, server: String| {
        checked += 1;
        if !ok {
            wrong.push(Wrong {
                user_line: user.line.clone(),
                claim,
                query: String::new(),
                expected: String::new(),
                server,
            });
        }
    };

    // ACL GETUSER
    let fields = items(getuser);
    let get = |name: &str| {
        fields
            .iter()
            .position(|f| matches!(f, Reply::Bulk(Some(b)) if b == name.as_bytes()))
            .map(|i| &fields[i + 1])
            .unwrap_or_else(|| panic!("ACL GETUSER {}: no {name}: {getuser}", user.name))
    };
    let flags: Vec<String> = items(get("flags")).iter().map(text).collect();
    let passwords = items(get("passwords")).len() as u64;
    let selectors = items(get("selectors")).len();
    let shown =
        format!("ACL GETUSER: flags {flags:?}, {passwords} passwords, {selectors} selectors");
    let on = flags.iter().any(|f| f == "on");
    check(
        on == user.enabled,
        format!("enabled: {}", user.enabled),
        shown.clone(),
    );
    let nopass = flags.iter().any(|f| f == "nopass");
    check(
        nopass == user.nopass,
        format!("nopass: {}", user.nopass),
        shown.clone(),
    );
    check(
        passwords == user.passwords,
        format!("passwords: {}", user.passwords),
        shown.clone(),
    );
    check(
        selectors + 1 == user.sets.len(),
        format!("selectors: {}", user.sets.len() - 1),
        shown,
    );

    // The command table
    let by_name: BTreeMap<&str, &ServerCommand> =
        commands.iter().map(|c| (c.name.as_str(), c)).collect();
    let all_categories: BTreeSet<&str> = commands
        .iter()
        .flat_map(|c| c.categories.iter().map(String::as_str))
        .collect();
    for set in &user.sets {
        let label = &set.label;
        let mut listed: BTreeMap<&str, usize> = BTreeMap::new();
        for name in set.allowed.keys().chain(&set.denied) {
            *listed.entry(name.as_str()).or_default() += 1;
        }
        for command in commands {
            let times = listed.get(command.name.as_str()).copied().unwrap_or(0);
            check(
                times == 1,
                format!(
                    "{label} lists `{}` once in commands + denied_commands (listed {times} times)",
                    command.name
                ),
                "COMMAND has it".into(),
            );
        }
        for name in listed.keys().filter(|n| !by_name.contains_key(*n)) {
            check(
                false,
                format!("{label} lists the command `{name}`"),
                "COMMAND has no such command".into(),
            );
        }
        for (command, arg) in &set.first_args {
            let table = by_name.get(command.as_str());
            check(
                table.is_some_and(|c| !c.container && !c.name.contains('|')),
                format!("{label}: first_args `{command}` `{arg}`"),
                "COMMAND: first arguments exist only for commands without subcommands".into(),
            );
        }
        for (name, &(dangerous, always)) in &set.allowed {
            let Some(command) = by_name.get(name.as_str()) else {
                continue;
            };
            let server_dangerous =
                command.categories.contains("@dangerous") || command.categories.contains("@admin");
            check(
                dangerous == server_dangerous,
                format!("{label}: `{name}` dangerous = {dangerous}"),
                format!("COMMAND categories {:?}", command.categories),
            );
            if always {
                check(
                    command.no_auth,
                    format!("{label}: `{name}` is always allowed (no_auth)"),
                    "COMMAND: not a no_auth command".into(),
                );
            }
        }
        let mut dangerous: Vec<&str> = set
            .allowed
            .iter()
            .filter(|(_, (d, _))| *d)
            .map(|(n, _)| n.as_str())
            .collect();
        let mut claimed: Vec<&str> = set.dangerous_commands.iter().map(String::as_str).collect();
        dangerous.sort_unstable();
        claimed.sort_unstable();
        check(
            dangerous == claimed,
            format!("{label}: dangerous_commands {claimed:?}"),
            format!("the allowed commands marked dangerous: {dangerous:?}"),
        );
        check(
            set.all_commands == set.denied.is_empty(),
            format!(
                "{label}: all_commands = {} with {} denied",
                set.all_commands,
                set.denied.len()
            ),
            String::new(),
        );
        let granted: BTreeSet<&str> = set.categories.iter().map(String::as_str).collect();
        for name in granted.difference(&all_categories) {
            check(
                false,
                format!("{label}: category {name} granted"),
                "COMMAND has no command in it".into(),
            );
        }
        for category in &all_categories {
            let members: Vec<&ServerCommand> = commands
                .iter()
                .filter(|c| c.categories.contains(*category))
                .collect();
            let allowed = |c: &&ServerCommand| set.allowed.contains_key(&c.name);
            let by_rule = |c: &&ServerCommand| set.allowed.get(&c.name).is_some_and(|a| !a.1);
            let ok = if granted.contains(category) {
                members.iter().all(allowed)
            } else {
                !members.iter().all(by_rule)
            };
            let missing: Vec<&str> = members
                .iter()
                .filter(|c| !allowed(c))
                .map(|c| c.name.as_str())
                .take(5)
                .collect();
            check(
                ok,
                format!(
                    "{label}: {category} {}",
                    if granted.contains(category) {
                        "is wholly granted"
                    } else {
                        "is not wholly granted"
                    }
                ),
                format!(
                    "COMMAND: {} members; not allowed: {missing:?}",
                    members.len()
                ),
            );
        }
    }
    checked
}

// ---------------------------------------------------------------------------------------------
// Running dflint
// ---------------------------------------------------------------------------------------------

struct ExplainRun {
    users: Vec<Value>,
    stderr: String,
}

fn explain(text: &str, tag: &str) -> ExplainRun {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("redis-explain-{}-{tag}.acl", std::process::id()));
    std::fs::write(&path, text).expect("ACL file");
    let output = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["acl", "explain"])
        .arg(&path)
        .args(["--dialect", "redis", "--format", "json"])
        .output()
        .expect("dflint runs");
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "dflint acl explain failed on {text:?}: {stderr}"
    );
    let users: Vec<Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("dflint acl explain printed no JSON array ({e}): {stderr}"));
    ExplainRun { users, stderr }
}

fn rejects(run: &ExplainRun) -> bool {
    run.stderr.contains(dflint_core::acl::parse::rejection(
        dflint_core::acl::Dialect::Redis,
    ))
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// Rules that remove the `no_auth` commands, which Redis runs whatever the rules say.
const NO_AUTH_REMOVALS: &[&str] = &[
    "-auth",
    "-hello",
    "-quit",
    "-reset",
    "-@connection",
    "-@fast",
    "-AUTH",
];

/// A rule line of the shared vocabulary, sometimes with rules removing `no_auth` commands
/// (at the top level, or in a selector that grants much).
fn explain_rule_line(rng: &mut Rng) -> Vec<String> {
    let mut tokens = rule_line(rng);
    if rng.chance(35) {
        let at = rng.below(tokens.len() + 1);
        tokens.insert(at, rng.pick(NO_AUTH_REMOVALS).to_string());
    }
    if rng.chance(25) {
        let at = rng.below(tokens.len() + 1);
        let grant = rng.pick(&["+@pubsub", "+publish", "+subscribe", "+@all", "+spublish"]);
        tokens.insert(at, grant.to_string());
    }
    if rng.chance(20) {
        let grant = rng.pick(&["+@all", "allcommands", "+@connection", "+@read", "+@fast"]);
        let selector = format!("({} {grant} {})", key_rule(rng), rng.pick(NO_AUTH_REMOVALS));
        tokens.push(selector);
    }
    tokens
}

fn getuser_all(conn: &mut Resp, names: &[String]) -> Vec<Reply> {
    for name in names {
        conn.send(&["ACL", "GETUSER", name]).unwrap();
    }
    conn.flush().unwrap();
    names
        .iter()
        .map(|_| conn.read().expect("GETUSER reply"))
        .collect()
}

#[test]
fn explain_claims_hold_on_redis_server() {
    let started = Instant::now();
    let seed = env_number("DFLINT_EXPLAIN_SEED").unwrap_or(DEFAULT_SEED);
    let wanted = env_number("DFLINT_EXPLAIN_CLAIMS").unwrap_or(DEFAULT_CLAIMS as u64) as usize;
    let (server, mut conn, version) = start_redis_7_0();
    let commands = server_commands(&mut conn);
    let containers: Vec<&str> = commands
        .iter()
        .filter(|c| c.container)
        .map(|c| c.name.as_str())
        .collect();
    let key_probes: Vec<(&str, &[&str], (bool, bool))> = KEY_COMMANDS
        .iter()
        .map(|&(name, extra)| {
            let mut args = vec![name, "k"];
            args.extend_from_slice(extra);
            (name, extra, key_need(&mut conn, &args))
        })
        .collect();

    let mut rng = Rng::new(seed);
    let mut wrong: Vec<Wrong> = Vec::new();
    let mut dryrun_claims = 0;
    let mut static_checked = 0;
    let mut users_checked = 0;
    let mut rejected_lines = 0;
    let mut unbuildable: Vec<String> = Vec::new();
    let mut next_user = 0;
    let mut round = 0;
    let mut stats: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    while dryrun_claims < wanted {
        // Lines, through ACL SETUSER.
        let lines: Vec<(String, Vec<String>)> = (0..USERS_PER_FILE)
            .map(|_| {
                next_user += 1;
                (format!("u{next_user}"), explain_rule_line(&mut rng))
            })
            .collect();
        for (name, tokens) in &lines {
            conn.send(&setuser_args(name, tokens)).unwrap();
        }
        conn.flush().unwrap();
        let mut accepted: Vec<(String, Vec<String>)> = Vec::new();
        for (name, tokens) in lines {
            match conn.read().expect("SETUSER reply") {
                Reply::Status(_) => accepted.push((name, tokens)),
                error => {
                    // Redis rejects the line: dflint must reject a file holding it.
                    rejected_lines += 1;
                    let line = acl_line(&name, &tokens);
                    let run = explain(&format!("{line}\n"), "rejected");
                    if !rejects(&run) {
                        wrong.push(Wrong {
                            user_line: line,
                            claim: "the file loads: explain's stderr does not say Redis rejects it"
                                .into(),
                            query: format!("ACL SETUSER {name} …"),
                            expected: "OK".into(),
                            server: error.to_string(),
                        });
                    }
                }
            }
        }

        // explain, once for the accepted lines.
        let file_lines: Vec<String> = accepted
            .iter()
            .map(|(name, tokens)| acl_line(name, tokens))
            .collect();
        let run = explain(&(file_lines.join("\n") + "\n"), "accepted");
        if rejects(&run) {
            // Find the lines dflint rejects.
            for line in &file_lines {
                if rejects(&explain(&format!("{line}\n"), "one")) {
                    wrong.push(Wrong {
                        user_line: line.clone(),
                        claim: "Redis rejects the file (explain's stderr says so)".into(),
                        query: "ACL SETUSER (the line's user) …".into(),
                        expected: "an error".into(),
                        server: "OK".into(),
                    });
                }
            }
        }
        let mut explained: Vec<Explained> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for ((name, _), line) in accepted.iter().zip(&file_lines) {
            let value = run
                .users
                .iter()
                .find(|u| u["user"] == name.as_str())
                .unwrap_or_else(|| panic!("explain does not list {name}"));
            explained.push(parse_user(value, line.clone()));
            names.push(name.clone());
        }
        if round == 0 {
            // The built-in user, which the server never had touched.
            let value = run
                .users
                .iter()
                .find(|u| u["user"] == "default")
                .expect("explain lists the built-in default user");
            assert_eq!(value["implicit"], true, "default is implicit: {value:.200}");
            explained.push(parse_user(
                value,
                "(built-in default user: no `user default` line)".into(),
            ));
            names.push("default".into());
        }
        round += 1;

        // Claims against the command table and ACL GETUSER.
        let getusers = getuser_all(&mut conn, &names);
        for (user, getuser) in explained.iter().zip(&getusers) {
            static_checked += static_claims(user, getuser, &commands, &mut wrong);
        }

        // Claims checked with ACL DRYRUN.
        let mut builder = ProbeBuilder {
            commands: &commands,
            key_probes: &key_probes,
            probes: Vec::new(),
            unbuildable: Vec::new(),
        };
        for (index, user) in explained.iter().enumerate() {
            builder.commands(index, user);
            builder.keys(index, user, &mut rng);
            builder.channels(index, user, &mut rng);
        }
        unbuildable.append(&mut builder.unbuildable);
        for chunk in builder.probes.chunks(PIPELINE) {
            for probe in chunk {
                let mut args = vec!["ACL", "DRYRUN", names[probe.user].as_str()];
                args.extend(probe.args.iter().map(String::as_str));
                conn.send(&args).unwrap();
            }
            conn.flush().unwrap();
            for probe in chunk {
                let got = outcome(&conn.read().expect("DRYRUN reply"));
                let reply = match got {
                    Outcome::Allowed => "OK",
                    Outcome::Command(_) => "denied on command",
                    Outcome::Key(_) => "denied on key",
                    Outcome::Channel(_) => "denied on channel",
                    Outcome::Other(_) => "other",
                };
                *stats.entry((probe.kind, reply)).or_default() += 1;
                if !probe.expect.holds(&got) {
                    wrong.push(Wrong {
                        user_line: explained[probe.user].line.clone(),
                        claim: probe.claim.clone(),
                        query: format!("ACL DRYRUN {} {}", names[probe.user], probe.args.join(" ")),
                        expected: probe.expect.to_string(),
                        server: got.to_string(),
                    });
                }
            }
        }
        dryrun_claims += builder.probes.len();
        users_checked += explained.len();

        for name in names.iter().filter(|n| *n != "default") {
            conn.send(&["ACL", "DELUSER", name]).unwrap();
        }
        conn.flush().unwrap();
        for _ in names.iter().filter(|n| *n != "default") {
            let _ = conn.read().expect("DELUSER reply");
        }
    }
    drop(server);

    for (i, w) in wrong.iter().take(MAX_LISTED).enumerate() {
        eprintln!(
            "\nWRONG CLAIM #{} (seed {seed:#x})\n  user:     {}\n  claim:    {}\n  query:    {}\n  \
             expected: {}\n  server:   {}",
            i + 1,
            w.user_line,
            w.claim,
            w.query,
            w.expected,
            w.server
        );
    }
    if wrong.len() > MAX_LISTED {
        eprintln!("\n… and {} more wrong claims", wrong.len() - MAX_LISTED);
    }
    unbuildable.sort();
    unbuildable.dedup();
    let mut by_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for ((kind, reply), n) in &stats {
        by_kind
            .entry(kind)
            .or_default()
            .push(format!("{n} {reply}"));
    }
    let by_kind: Vec<String> = by_kind
        .iter()
        .map(|(kind, replies)| format!("{kind}: {}", replies.join(", ")))
        .collect();
    println!(
        "redis explain vs server: {dryrun_claims} claims checked with ACL DRYRUN and \
         {static_checked} with ACL GETUSER / COMMAND, {} wrong (DRYRUN replies by claim: {}; \
         seed {seed:#x}; redis-server \
         {version}; {users_checked} users in {round} files; {rejected_lines} lines the server \
         rejected, checked as rejected; containers not run: {}; patterns without a built \
         string: {unbuildable:?}; {:.1} s)",
        wrong.len(),
        by_kind.join("; "),
        containers.join(" "),
        started.elapsed().as_secs_f64()
    );
    assert!(
        unbuildable.is_empty(),
        "no matching string could be built for {unbuildable:?}: extend `instance`"
    );
    assert_eq!(
        wrong.len(),
        0,
        "{} of explain's claims do not hold on redis-server {version} (seed {seed:#x}; rerun \
         with DFLINT_EXPLAIN_SEED={seed:#x})",
        wrong.len()
    );
}
