//! `dflint acl explain` and `dflint acl can` must never disagree on the Dragonfly dialect.
//!
//! There is no Dragonfly server to test against, so this test holds dflint to its own word:
//! it generates random Dragonfly v1.40.1 ACL files from a seeded PRNG, runs
//! `dflint acl explain FILE --format json` (dialect `dragonfly`, the default) on each, derives
//! claims from explain's JSON **only** (plus glob matching with `dflint_core::acl::glob` and
//! the command table `crates/core/data/dragonfly-commands.tsv` for arities, key positions and
//! whether a command reads or writes its keys), and checks every claim with ONE
//! `dflint acl can --cases FILE.jsonl` process. The claims, per user of each file:
//!
//! * *commands*: every command explain lists (`commands` and `denied_commands`) is queried with
//!   a valid number of arguments, its keys a key the user's patterns allow (any key with
//!   `all_keys`), its channel one the user's patterns allow. An allowed command must answer
//!   `allowed` with `token` = explain's `granted_by`; a denied one `denied_on: "command"` with
//!   `token` = explain's `decided_by` and `item` = the command. When the user has no pattern
//!   with the permission the command needs (or no channel), the answer must be a denial on
//!   that key (or channel). A `$<db>` user (explain's `db` is a number) is refused `MOVE` and
//!   `SELECT <another db>` before its commands are looked at: `denied_on: "database"`,
//!   `token` = explain's `db_granted_by`; its `SELECT` claims use its own database;
//! * *keys*: for each key pattern a key it matches (and, where the PRNG finds one, no other
//!   pattern of the user), a key of the shared vocabulary, a key of no pattern and sometimes
//!   the empty key, read by a random read-only one-key command and written by a random write
//!   one-key command the user may run; allowed iff `all_keys` or a pattern with the needed
//!   flag matches, else `denied_on: "key"` with `item` = the key. Several keys at once (up to
//!   six of the commands of [`MULTI_KEY`] the user may run, among them `MSET`, `BITOP`,
//!   `SORT … STORE`, `GEORADIUS … STORE`, `ZUNIONSTORE`, `LMPOP`, `EVAL_RO`, `XREAD`), keys
//!   drawn from the same ones: allowed iff each is, else denied on one of the refused keys;
//! * *channels*: `PUBLISH`, `SPUBLISH`, `SUBSCRIBE` (one and two channels) and `SSUBSCRIBE` on
//!   a channel each pattern matches, one of the vocabulary, one of no pattern and sometimes the
//!   empty channel: allowed iff `all_channels` or a pattern glob-matches; `PSUBSCRIBE` of each
//!   pattern, of a vocabulary pattern and of an unlisted one: allowed iff `all_channels` or the
//!   pattern equals a listed one (Dragonfly compares PSUBSCRIBE patterns literally);
//! * every answer's `user_enabled` equals explain's `enabled`, and `always_allowed` is null
//!   (Dragonfly checks every command; explain must mark none `always_allowed` either);
//! * files: a generated file must load (explain's stderr does not say Dragonfly rejects it);
//!   each deliberately bad file (the 0-byte file, and a twin of [`BAD_TWINS`] % of the
//!   generated files with one bad token or line of [`BAD_TOKENS`] / [`BAD_LINES`]) must be
//!   refused by explain, and whenever explain refuses a file, `acl can` must answer an
//!   `ACL rejected` error (`GET k` and `PING`) for every user explain lists and `default`.
//!
//! Explain's listing is also checked against the command table: every command exactly once.
//!
//! Not checked, because `acl can` does not show it or explain does not claim it: `nopass`,
//! `passwords`, `hashed_passwords`, `namespace`, `lines`, `categories`, `dangerous*`,
//! `all_keys_granted_by`; the `token` of a key or channel denial (the last `resetkeys` /
//! `resetchannels`, which explain does not name); which key is reported when several are
//! refused (one of them is expected).
//!
//! `DFLINT_DF_EXPLAIN_SEED` (decimal or `0x…`) sets the seed; `DFLINT_DF_EXPLAIN_CLAIMS` the
//! number of claims checked with `acl can`, at least (default [`DEFAULT_CLAIMS`]). Every
//! disagreement is listed (file, user, claim, query, expected and `acl can`'s answer) and the
//! test fails once with their number.
//!
//! The vocabulary (valid `--aclfile` syntax of Dragonfly v1.40.1, see `classify_dragonfly` in
//! `crates/core/src/acl/parse.rs`): `user`/`USER` lines of 2 to 11 rules split on single
//! spaces, several users per file, a user sometimes on two lines (the later line's commands
//! replace the earlier ones, keys and passwords add up), sometimes a `user default` line and
//! sometimes none (the built-in `on nopass ~* &* +@all`, whose claims are checked in some
//! files), sometimes no line at all (a file of one newline); `on`/`off` (any case, at most one
//! per line), `>pw`, `>`, `<pw`, `nopass`, `resetpass`, `#<64 hex>` (lower and upper case),
//! short and odd `#hex`; `~pat`, `%R~pat`, `%W~pat`, `%RW~pat` (`%RW~*` is a glob, only the
//! literal `~*` is every key), `allkeys`/`~*`, `resetkeys` (no pattern after every-key on one
//! line); `&pat`, `&*`, `allchannels`, `resetchannels` (the same); `+@cat`/`-@cat` of every
//! Dragonfly category (any case), `+@all`, `-@all`, `allcommands`, `nocommands`; `+cmd`/`-cmd`
//! of every command of the table whose name has no space (any case); `$0`..`$15`, `$all` (at
//! most one per line); `NAMESPACE:x`. Left out: `ACL SETUSER`-only syntax (no `#hash` there),
//! `--dbnum`/cluster-mode limits (the defaults apply: `$0`..`$15`), CRLF files (the `\r`
//! stays in the last token, which then is another token or a refusal: the conformance table
//! covers it), and the ACL subcommands as `+acl setuser` (a space cannot be in a token).

#[allow(dead_code)]
#[path = "support/vocab.rs"]
mod vocab;

use dflint_core::acl::glob;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use vocab::{env_number, instance, Rng, CHANNELS, CHANNEL_PATTERNS, KEYS, KEY_PATTERNS};

const DEFAULT_SEED: u64 = 0x00DF_E7A1_0CA0_2026;
/// Claims checked with `acl can`, at least.
const DEFAULT_CLAIMS: usize = 25_000;
/// Commands on several keys (`A`, `B`, `C`; the other words as written), among them the
/// destinations of `SORT … STORE`, `GEORADIUS … STORE` and `*STORE` commands and the counted
/// keys of variadic commands.
const MULTI_KEY: &[&[&str]] = &[
    &["mget", "A", "B"],
    &["del", "A", "B"],
    &["mset", "A", "v", "B", "v"],
    &["msetnx", "A", "v", "B", "v"],
    &["exists", "A", "B"],
    &["touch", "A", "B", "C"],
    &["pfcount", "A", "B"],
    &["pfmerge", "A", "B"],
    &["sunion", "A", "B"],
    &["sdiffstore", "A", "B", "C"],
    &["rename", "A", "B"],
    &["copy", "A", "B"],
    &["smove", "A", "B", "m"],
    &["lmove", "A", "B", "LEFT", "RIGHT"],
    &["bitop", "AND", "A", "B", "C"],
    &["blpop", "A", "B", "0"],
    &["json.mget", "A", "B", "$"],
    &["sort", "A", "STORE", "B"],
    &["georadius", "A", "0", "0", "1", "km", "STORE", "B"],
    &["zunionstore", "A", "2", "B", "C"],
    &["sintercard", "2", "A", "B"],
    &["lmpop", "2", "A", "B", "LEFT"],
    &["eval_ro", "return 1", "2", "A", "B"],
    &["xread", "STREAMS", "A", "B", "0", "0"],
    &["zinter", "2", "A", "B"],
];
/// [`MULTI_KEY`] queries per user, at most.
const MULTI_KEY_PROBES: usize = 6;
/// Read-only (and write) commands run on each key.
const KEY_COMMANDS_PER_KEY: usize = 2;
/// Percentage of the generated files that also get a refused twin (one bad token or line).
const BAD_TWINS: usize = 30;
/// Disagreements listed in full; all are counted.
const MAX_LISTED: usize = 200;

const COMMANDS_TSV: &str = include_str!("../../core/data/dragonfly-commands.tsv");
const CATEGORIES_TSV: &str = include_str!("../../core/data/dragonfly-categories.tsv");

// ---------------------------------------------------------------------------------------------
// The command table
// ---------------------------------------------------------------------------------------------

struct TableCommand {
    /// Lower case; the ACL subcommands are `acl <sub>`.
    name: String,
    arity: i64,
    first_key: i64,
    flags: Vec<String>,
    /// Whether the server compares the command's keys with the key patterns at all.
    key_acl_checked: bool,
}

impl TableCommand {
    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// (needs read, needs write): `READONLY` commands read their keys, `JOURNALED` (`write`)
    /// ones write them.
    fn need(&self) -> (bool, bool) {
        (self.has("readonly"), self.has("write"))
    }

    /// Whether a query's keys are compared with the patterns: `key_acl_checked`, and the
    /// server extracts keys at all (`DetermineKeys` gives none for `global_trans` and
    /// `no_key_transactional` commands, e.g. MOVE).
    fn keys_checked(&self) -> bool {
        self.key_acl_checked
            && self.first_key > 0
            && !self.has("global_trans")
            && !self.has("no_key_transactional")
    }

    /// The pub/sub commands whose channels are checked; `Some(true)` when the argument is a
    /// pattern compared literally (PSUBSCRIBE).
    fn channel_check(&self) -> Option<bool> {
        match self.name.as_str() {
            "publish" | "spublish" | "subscribe" | "ssubscribe" => Some(false),
            "psubscribe" => Some(true),
            _ => None,
        }
    }
}

fn data_rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("name\t") && !l.is_empty())
        .map(|l| l.split('\t').collect())
}

fn command_table() -> Vec<TableCommand> {
    data_rows(COMMANDS_TSV)
        .map(|row| {
            assert_eq!(row.len(), 8, "dragonfly-commands.tsv row {row:?}");
            let number = |i: usize| -> i64 {
                row[i]
                    .parse()
                    .unwrap_or_else(|_| panic!("dragonfly-commands.tsv {row:?}: column {i}"))
            };
            TableCommand {
                name: row[0].to_string(),
                arity: number(1),
                first_key: number(2),
                flags: row[5].split(' ').map(str::to_string).collect(),
                key_acl_checked: row[7] == "yes",
            }
        })
        .collect()
}

fn category_names() -> Vec<String> {
    data_rows(CATEGORIES_TSV)
        .map(|row| row[0].to_string())
        .collect()
}

/// One-key commands that only read their key: (name, arguments after the key).
const READ_COMMANDS: &[(&str, &[&str])] = &[
    ("get", &[]),
    ("strlen", &[]),
    ("exists", &[]),
    ("type", &[]),
    ("ttl", &[]),
    ("pttl", &[]),
    ("llen", &[]),
    ("scard", &[]),
    ("hlen", &[]),
    ("zcard", &[]),
    ("dump", &[]),
    ("bitcount", &[]),
    ("hgetall", &[]),
    ("smembers", &[]),
    ("xlen", &[]),
    ("pfcount", &[]),
    ("touch", &[]),
    ("getrange", &["0", "1"]),
    ("hget", &["f"]),
    ("sismember", &["m"]),
    ("lrange", &["0", "-1"]),
    ("getbit", &["3"]),
];
/// One-key commands that only write their key.
const WRITE_COMMANDS: &[(&str, &[&str])] = &[
    ("set", &["v"]),
    ("incr", &[]),
    ("decr", &[]),
    ("del", &[]),
    ("unlink", &[]),
    ("append", &["x"]),
    ("lpush", &["x"]),
    ("rpush", &["x"]),
    ("sadd", &["m"]),
    ("hset", &["f", "v"]),
    ("expire", &["10"]),
    ("persist", &[]),
    ("getdel", &[]),
    ("setnx", &["v"]),
    ("getset", &["v"]),
    ("pfadd", &["e"]),
    ("lpop", &[]),
    ("incrby", &["2"]),
    ("zadd", &["1", "m"]),
    ("setrange", &["0", "x"]),
];

/// Whether `argc` words (the command's included) fit the arity; the table's few arity-0
/// entries (`acl`, `acl help`, `acl log`) take any number.
fn arity_ok(arity: i64, argc: usize) -> bool {
    if arity == 0 {
        true
    } else if arity > 0 {
        argc as i64 == arity
    } else {
        argc as i64 >= -arity
    }
}

// ---------------------------------------------------------------------------------------------
// The ACL vocabulary
// ---------------------------------------------------------------------------------------------

/// sha256("pw1"), in lower and upper case (Dragonfly decodes either).
const HASH_PW1: &str = "#c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8";
const HASH_PW1_UPPER: &str = "#C592DF4A86933B92ADDC9842402DDF198C638EA9BE58916EE6E3734E1E3152F8";
const PASSWORD_RULES: &[&str] = &[
    ">pw1",
    ">pw2",
    ">",
    "<pw1",
    "<never-set",
    "nopass",
    "resetpass",
    HASH_PW1,
    HASH_PW1_UPPER,
    // even-length hex of the wrong size: kept, matches nothing; odd length: dropped
    "#abcd",
    "#abc",
];
/// Key patterns beyond the shared vocabulary's.
const DF_KEY_PATTERNS: &[&str] = &["user:*", "*:meta", "k?", "{t}*", "x[0-9]y", "*", "*b*"];
const DF_CHANNEL_PATTERNS: &[&str] = &["*.sport", "c?", "alerts"];
const ON_OFF: &[&str] = &["on", "on", "off", "ON", "Off"];
const ALL_KEYS: &[&str] = &["allkeys", "~*", "ALLKEYS", "AllKeys"];
const RESET_KEYS: &[&str] = &["resetkeys", "RESETKEYS"];
const ALL_CHANNELS: &[&str] = &["allchannels", "&*", "ALLCHANNELS"];
const RESET_CHANNELS: &[&str] = &["resetchannels", "ResetChannels"];
const ALL_OR_NONE: &[&str] = &[
    "+@all",
    "-@all",
    "allcommands",
    "nocommands",
    "ALLCOMMANDS",
    "NoCommands",
    "+@ALL",
];
const NAMESPACES: &[&str] = &["NAMESPACE:x", "NAMESPACE:team1", "namespace:y"];
/// Broad grants, one of which goes on many lines so that queries get past the command check.
const BROAD: &[&str] = &[
    "+@all",
    "allcommands",
    "+@read",
    "+@write",
    "+@string",
    "+@keyspace",
    "+@pubsub",
    "+@fast",
    "+@slow",
    "+@list",
    "+@hash",
    "+@json",
    "+@bloom",
];
/// Tokens (or token pairs) each of which makes Dragonfly refuse the whole file.
const BAD_TOKENS: &[&str] = &[
    "~",
    "%R~",
    "%RW~",
    "&",
    "NOPASS",
    "RESETPASS",
    "reset",
    "clearselectors",
    "+config|get",
    "-client|kill",
    "+@nope",
    "-@hyperloglog",
    "+nosuchcmd",
    "-@",
    "!c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8",
    "(~a)",
    "$16",
    "$-1",
    "$x",
    "%r~a",
    "%WR~a",
    "sanitize-payload",
    "allkeys ~a",
    "~* %R~b",
    "&* &news.*",
    "allchannels &c",
    "on off",
    "off ON",
    "$1 $2",
    "$all $0",
];
/// Lines each of which makes Dragonfly refuse the whole file.
const BAD_LINES: &[&str] = &[
    "user bad on",
    "user bad",
    "USER",
    "# a comment",
    "usr bad on +@all",
    "user default off",
];

fn with_case(rng: &mut Rng, word: &str) -> String {
    match rng.below(6) {
        0 => word.to_ascii_uppercase(),
        1 => {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
        _ => word.to_string(),
    }
}

#[derive(Default)]
struct LineState {
    on_off: bool,
    db: bool,
    all_keys: bool,
    all_channels: bool,
}

struct Vocabulary {
    /// Commands that may follow `+`/`-` (no space in the name).
    commands: Vec<String>,
    categories: Vec<String>,
}

impl Vocabulary {
    fn key_rule(&self, rng: &mut Rng, state: &mut LineState) -> String {
        let token = match rng.below(10) {
            0 => rng.pick(ALL_KEYS).to_string(),
            1 => rng.pick(RESET_KEYS).to_string(),
            2 => rng.pick(&["%RW~*", "%R~*", "%W~*"]).to_string(),
            _ => {
                let prefix = rng.pick(&["~", "~", "~", "%R~", "%W~", "%RW~"]);
                let pattern = if rng.chance(70) {
                    rng.pick(KEY_PATTERNS)
                } else {
                    rng.pick(DF_KEY_PATTERNS)
                };
                format!("{prefix}{pattern}")
            }
        };
        let upper = token.to_ascii_uppercase();
        if upper == "ALLKEYS" || token == "~*" {
            state.all_keys = true;
        } else if upper != "RESETKEYS" && state.all_keys {
            // No pattern after every-key on the same line ("Adding a pattern after the *
            // pattern … is not valid"), even after a `resetkeys`.
            return rng.pick(ALL_KEYS).to_string();
        }
        token
    }

    fn channel_rule(&self, rng: &mut Rng, state: &mut LineState) -> String {
        let token = match rng.below(10) {
            0 => rng.pick(ALL_CHANNELS).to_string(),
            1 => rng.pick(RESET_CHANNELS).to_string(),
            _ => {
                let pattern = if rng.chance(75) {
                    rng.pick(CHANNEL_PATTERNS)
                } else {
                    rng.pick(DF_CHANNEL_PATTERNS)
                };
                format!("&{pattern}")
            }
        };
        let upper = token.to_ascii_uppercase();
        if upper == "ALLCHANNELS" || token == "&*" {
            state.all_channels = true;
        } else if upper != "RESETCHANNELS" && state.all_channels {
            // No pattern after every-channel on the same line.
            return rng.pick(ALL_CHANNELS).to_string();
        }
        token
    }

    fn token(&self, rng: &mut Rng, state: &mut LineState) -> String {
        let sign = |rng: &mut Rng| if rng.chance(70) { "+" } else { "-" };
        match rng.below(100) {
            0..=5 if !state.on_off => {
                state.on_off = true;
                rng.pick(ON_OFF).to_string()
            }
            6..=12 => rng.pick(PASSWORD_RULES).to_string(),
            13..=36 => self.key_rule(rng, state),
            37..=46 => self.channel_rule(rng, state),
            47..=66 => {
                let category = &self.categories[rng.below(self.categories.len())];
                format!("{}@{}", sign(rng), with_case(rng, category))
            }
            67..=86 => {
                let command = &self.commands[rng.below(self.commands.len())];
                format!("{}{}", sign(rng), with_case(rng, command))
            }
            87..=91 => rng.pick(ALL_OR_NONE).to_string(),
            92..=95 if !state.db => {
                state.db = true;
                if rng.chance(15) {
                    rng.pick(&["$all", "$ALL"]).to_string()
                } else {
                    format!("${}", rng.below(16))
                }
            }
            96..=99 => rng.pick(NAMESPACES).to_string(),
            _ => format!("+@{}", rng.pick(&["read", "write", "fast", "keyspace"])),
        }
    }

    /// The rules of one line (at least two).
    fn line(&self, rng: &mut Rng) -> Vec<String> {
        let mut state = LineState::default();
        let n = 2 + rng.below(5) + rng.below(5);
        let mut tokens: Vec<String> = (0..n).map(|_| self.token(rng, &mut state)).collect();
        if rng.chance(50) {
            let at = rng.below(tokens.len() + 1);
            tokens.insert(at, rng.pick(BROAD).to_string());
        }
        tokens
    }
}

struct GeneratedFile {
    text: String,
    /// Deliberately refused (a bad token or line, or the 0-byte file).
    bad: bool,
    /// The user names of the lines.
    users: Vec<String>,
    /// Check the claims about the built-in `default` user (when the file has no line for it).
    builtin_default: bool,
}

/// The first files: the 0-byte file (refused: "Empty file") and a file of one newline (no
/// users: only the built-in `default`).
fn fixed_files() -> Vec<GeneratedFile> {
    vec![
        GeneratedFile {
            text: String::new(),
            bad: true,
            users: Vec::new(),
            builtin_default: false,
        },
        GeneratedFile {
            text: "\n".into(),
            bad: false,
            users: Vec::new(),
            builtin_default: true,
        },
    ]
}

/// A random file that loads.
fn generate_file(rng: &mut Rng, vocabulary: &Vocabulary) -> GeneratedFile {
    let count = 1 + rng.below(5);
    let mut names: Vec<String> = (1..=count).map(|i| format!("u{i}")).collect();
    if rng.chance(25) {
        names.push("default".into());
    }
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    for name in &names {
        lines.push((name.clone(), vocabulary.line(rng)));
        if rng.chance(25) {
            lines.push((name.clone(), vocabulary.line(rng)));
        }
    }
    // Random order: which line of a user comes last matters.
    for i in (1..lines.len()).rev() {
        lines.swap(i, rng.below(i + 1));
    }
    let text_lines: Vec<String> = lines
        .iter()
        .map(|(name, tokens)| {
            let user = if rng.chance(10) { "USER" } else { "user" };
            format!("{user} {name} {}", tokens.join(" "))
        })
        .collect();
    let mut text = text_lines.join("\n");
    if rng.chance(80) {
        text.push('\n');
    }
    let has_default = names.iter().any(|n| n == "default");
    GeneratedFile {
        text,
        bad: false,
        users: names,
        builtin_default: !has_default && rng.chance(20),
    }
}

/// The file with one bad token put into one of its lines, or one bad line added.
fn spoil(rng: &mut Rng, good: &GeneratedFile) -> GeneratedFile {
    let mut lines: Vec<String> = good.text.split('\n').map(str::to_string).collect();
    let user_lines: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].is_empty()).collect();
    if !user_lines.is_empty() && rng.chance(70) {
        let at = user_lines[rng.below(user_lines.len())];
        let mut tokens: Vec<&str> = lines[at].split(' ').collect();
        let place = 2 + rng.below(tokens.len() - 1);
        tokens.insert(place, rng.pick(BAD_TOKENS));
        lines[at] = tokens.join(" ");
    } else {
        let at = rng.below(lines.len() + 1);
        lines.insert(at, rng.pick(BAD_LINES).to_string());
    }
    GeneratedFile {
        text: lines.join("\n"),
        bad: true,
        users: good.users.clone(),
        builtin_default: false,
    }
}

// ---------------------------------------------------------------------------------------------
// explain's JSON
// ---------------------------------------------------------------------------------------------

struct KeyPattern {
    pattern: String,
    read: bool,
    write: bool,
}

struct Explained {
    name: String,
    implicit: bool,
    enabled: bool,
    /// `$<db>`: a number; `None` for every database (`$all` or no `$`).
    db: Option<u64>,
    db_granted_by: Value,
    all_keys: bool,
    keys: Vec<KeyPattern>,
    all_channels: bool,
    channels: Vec<String>,
    /// command → `granted_by`
    allowed: BTreeMap<String, Value>,
    /// command → `decided_by`
    denied: BTreeMap<String, Value>,
    /// Commands explain marks `always_allowed` (Dragonfly has none), and other listing faults.
    listing_faults: Vec<String>,
}

fn field<'a>(value: &'a Value, name: &str, user: &str) -> &'a Value {
    value
        .get(name)
        .unwrap_or_else(|| panic!("explain JSON ({user}) has no `{name}`: {value:.300}"))
}

fn str_of(value: &Value, name: &str, user: &str) -> String {
    field(value, name, user)
        .as_str()
        .unwrap_or_else(|| panic!("explain JSON ({user}): `{name}` is not a string"))
        .to_string()
}

fn bool_of(value: &Value, name: &str, user: &str) -> bool {
    field(value, name, user)
        .as_bool()
        .unwrap_or_else(|| panic!("explain JSON ({user}): `{name}` is not a boolean"))
}

fn array_of<'a>(value: &'a Value, name: &str, user: &str) -> &'a Vec<Value> {
    field(value, name, user)
        .as_array()
        .unwrap_or_else(|| panic!("explain JSON ({user}): `{name}` is not an array"))
}

fn parse_user(value: &Value) -> Explained {
    let name = str_of(value, "user", "?");
    let user = name.as_str();
    let mut listing_faults = Vec::new();
    let mut allowed = BTreeMap::new();
    for c in array_of(value, "commands", user) {
        let command = str_of(c, "command", user);
        if !field(c, "always_allowed", user).is_null() {
            listing_faults.push(format!(
                "`{command}` is always_allowed: {}",
                c["always_allowed"]
            ));
        }
        if allowed
            .insert(command.clone(), field(c, "granted_by", user).clone())
            .is_some()
        {
            listing_faults.push(format!("`{command}` is listed twice in commands"));
        }
    }
    let mut denied = BTreeMap::new();
    for c in array_of(value, "denied_commands", user) {
        let command = str_of(c, "command", user);
        if allowed.contains_key(&command) {
            listing_faults.push(format!("`{command}` is both allowed and denied"));
        }
        if denied
            .insert(command.clone(), field(c, "decided_by", user).clone())
            .is_some()
        {
            listing_faults.push(format!("`{command}` is listed twice in denied_commands"));
        }
    }
    let db = field(value, "db", user);
    Explained {
        implicit: bool_of(value, "implicit", user),
        enabled: bool_of(value, "enabled", user),
        db: if db.is_null() {
            None
        } else {
            Some(
                db.as_u64()
                    .unwrap_or_else(|| panic!("explain JSON ({user}): `db` is {db}")),
            )
        },
        db_granted_by: field(value, "db_granted_by", user).clone(),
        all_keys: bool_of(value, "all_keys", user),
        keys: array_of(value, "keys", user)
            .iter()
            .map(|k| KeyPattern {
                pattern: str_of(k, "pattern", user),
                read: bool_of(k, "read", user),
                write: bool_of(k, "write", user),
            })
            .collect(),
        all_channels: bool_of(value, "all_channels", user),
        channels: array_of(value, "channels", user)
            .iter()
            .map(|c| {
                c.as_str()
                    .unwrap_or_else(|| panic!("explain JSON ({user}): channel {c}"))
                    .to_string()
            })
            .collect(),
        allowed,
        denied,
        listing_faults,
        name,
    }
}

impl Explained {
    fn key_ok(&self, key: &str, (read, write): (bool, bool)) -> bool {
        self.all_keys
            || self.keys.iter().any(|p| {
                (!read || p.read)
                    && (!write || p.write)
                    && glob::matches(p.pattern.as_bytes(), key.as_bytes())
            })
    }

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

    fn describe(&self) -> String {
        let keys = if self.all_keys {
            "all keys".to_string()
        } else {
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
        };
        let channels = if self.all_channels {
            "all channels".to_string()
        } else {
            format!("channels [{}]", self.channels.join(" "))
        };
        format!(
            "explain: enabled {}, db {:?}, {keys}, {channels}",
            self.enabled, self.db
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Expect {
    Allowed {
        token: Value,
    },
    Denied {
        on: &'static str,
        item: String,
        /// Checked when explain says which token decides (command and database denials).
        token: Option<Value>,
    },
    /// Denied on one of several keys or channels, when the claims do not say which one the
    /// server reports.
    DeniedOnOneOf {
        on: &'static str,
        items: Vec<String>,
    },
    /// The file is refused: an `ACL rejected: …` error.
    Rejected,
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Allowed { token } => write!(f, "allowed, token {token}"),
            Expect::Denied { on, item, token } => {
                write!(f, "denied on the {on} {item:?}")?;
                if let Some(token) = token {
                    write!(f, ", token {token}")?;
                }
                Ok(())
            }
            Expect::DeniedOnOneOf { on, items } => write!(f, "denied on the {on} one of {items:?}"),
            Expect::Rejected => write!(f, "an `ACL rejected` error"),
        }
    }
}

struct Probe {
    file: usize,
    user: String,
    /// explain's `enabled` (not checked for refused files).
    enabled: bool,
    kind: &'static str,
    claim: String,
    command: String,
    args: Vec<String>,
    expect: Expect,
}

impl Probe {
    /// What is wrong with the answer, if anything.
    fn fault(&self, answer: &Value) -> Option<String> {
        let mut faults: Vec<String> = Vec::new();
        match &self.expect {
            Expect::Rejected => {
                let ok = answer["error"]
                    .as_str()
                    .is_some_and(|e| e.starts_with("ACL rejected"));
                if !ok {
                    faults.push("not an `ACL rejected` error".into());
                }
                return (!faults.is_empty()).then(|| faults.join("; "));
            }
            Expect::Allowed { token } => {
                if answer["allowed"] != true {
                    faults.push("not allowed".into());
                }
                if !answer["denied_on"].is_null() {
                    faults.push("denied_on is set".into());
                }
                if answer["token"] != *token {
                    faults.push("token differs".into());
                }
            }
            Expect::Denied { on, item, token } => {
                if answer["allowed"] != false {
                    faults.push("not denied".into());
                }
                if answer["denied_on"] != *on {
                    faults.push("denied_on differs".into());
                }
                if answer["item"] != item.as_str() {
                    faults.push("item differs".into());
                }
                if let Some(token) = token {
                    if answer["token"] != *token {
                        faults.push("token differs".into());
                    }
                }
            }
            Expect::DeniedOnOneOf { on, items } => {
                if answer["allowed"] != false {
                    faults.push("not denied".into());
                }
                if answer["denied_on"] != *on {
                    faults.push("denied_on differs".into());
                }
                if !items.iter().any(|i| answer["item"] == i.as_str()) {
                    faults.push("item is none of them".into());
                }
            }
        }
        if answer.get("error").is_some() {
            faults.push("an error".into());
        }
        if answer["user_enabled"] != self.enabled {
            faults.push(format!("user_enabled is not {}", self.enabled));
        }
        if !answer["always_allowed"].is_null() {
            faults.push("always_allowed is set".into());
        }
        (!faults.is_empty()).then(|| faults.join("; "))
    }
}

struct Wrong {
    file: String,
    user: String,
    claim: String,
    query: String,
    expected: String,
    answer: String,
}

/// A string `pattern` matches and, of the tries, the one that matches the fewest `others`.
fn lone_instance(pattern: &str, others: &[&str], rng: &mut Rng) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for _ in 0..6 {
        let Some(candidate) = instance(pattern, rng) else {
            continue;
        };
        let hits = others
            .iter()
            .filter(|o| glob::matches(o.as_bytes(), candidate.as_bytes()))
            .count();
        if best.as_ref().is_none_or(|(h, _)| hits < *h) {
            best = Some((hits, candidate));
        }
    }
    best.map(|(_, s)| s)
}

struct Builder<'a> {
    table: &'a [TableCommand],
    by_name: BTreeMap<&'a str, &'a TableCommand>,
    probes: Vec<Probe>,
    /// Patterns no matching string could be built for (reported; the test fails on them).
    unbuildable: BTreeSet<String>,
    /// Key/channel claims left out because the user may run no suitable command.
    no_runnable: usize,
}

impl Builder<'_> {
    fn add(
        &mut self,
        file: usize,
        user: &Explained,
        kind: &'static str,
        claim: String,
        argv: Vec<String>,
        expect: Expect,
    ) {
        let mut argv = argv.into_iter();
        let command = argv.next().expect("a command");
        self.probes.push(Probe {
            file,
            user: user.name.clone(),
            enabled: user.enabled,
            kind,
            claim,
            command,
            args: argv.collect(),
            expect,
        });
    }

    /// A key for a command needing `need` that the user's patterns allow, when there is one.
    fn key_for(&mut self, user: &Explained, need: (bool, bool), rng: &mut Rng) -> String {
        if user.all_keys {
            return rng.pick(KEYS).to_string();
        }
        let fitting: Vec<&KeyPattern> = user
            .keys
            .iter()
            .filter(|p| (!need.0 || p.read) && (!need.1 || p.write))
            .collect();
        let pool: Vec<&KeyPattern> = if fitting.is_empty() {
            user.keys.iter().collect()
        } else {
            fitting
        };
        if pool.is_empty() {
            return format!("nokey:{}", rng.below(100));
        }
        let pattern = &pool[rng.below(pool.len())].pattern;
        instance(pattern, rng).unwrap_or_else(|| {
            self.unbuildable.insert(pattern.clone());
            format!("nokey:{}", rng.below(100))
        })
    }

    fn channel_for(&mut self, user: &Explained, literal: bool, rng: &mut Rng) -> String {
        if user.all_channels || user.channels.is_empty() {
            return if literal {
                rng.pick(CHANNEL_PATTERNS).to_string()
            } else {
                rng.pick(CHANNELS).to_string()
            };
        }
        let pattern = user.channels[rng.below(user.channels.len())].clone();
        if literal {
            return pattern;
        }
        instance(&pattern, rng).unwrap_or_else(|| {
            self.unbuildable.insert(pattern);
            "nochannel".into()
        })
    }

    /// The command's words and arguments, with a valid number of arguments; every key
    /// position holds `key`, the channel `channel`.
    fn invocation(cmd: &TableCommand, key: &str, channel: &str, select: &str) -> Vec<String> {
        let word = |upper: bool, w: &str| {
            if upper {
                w.to_ascii_uppercase()
            } else {
                w.to_string()
            }
        };
        let upper = cmd.name.len() % 2 == 0;
        if let Some((parent, sub)) = cmd.name.split_once(' ') {
            // `ACL SUB …`: the subcommand's arity counts from the subcommand.
            let mut argv = vec![word(upper, parent), word(!upper, sub)];
            while argv.len() - 1 < cmd.arity.unsigned_abs() as usize {
                argv.push("x".into());
            }
            return argv;
        }
        let mut argv = vec![word(upper, &cmd.name)];
        let wanted = (cmd.arity.unsigned_abs() as usize).max(1);
        match cmd.name.as_str() {
            "select" => argv.push(select.into()),
            "publish" | "spublish" => argv.extend([channel.to_string(), "m".into()]),
            "subscribe" | "ssubscribe" | "psubscribe" => argv.push(channel.into()),
            "xread" => argv.extend(["STREAMS", key, "0"].map(String::from)),
            "xreadgroup" => argv.extend(["GROUP", "g", "c", "STREAMS", key, "0"].map(String::from)),
            _ if cmd.has("variadic_keys") => {
                // The key count just before the first key (`first_key - 1` in argv), then
                // the key.
                let count_at = (cmd.first_key - 1) as usize;
                let len = wanted.max(count_at + 2);
                for i in 1..len {
                    argv.push(if i == count_at {
                        "1".into()
                    } else {
                        key.into()
                    });
                }
            }
            _ => {
                let filler = if cmd.first_key > 0 { key } else { "0" };
                while argv.len() < wanted {
                    argv.push(filler.into());
                }
            }
        }
        assert!(
            arity_ok(cmd.arity, argv.len()),
            "invocation {argv:?} of `{}` (arity {})",
            cmd.name,
            cmd.arity
        );
        argv
    }

    fn commands(&mut self, file: usize, user: &Explained, rng: &mut Rng) {
        let select = match user.db {
            Some(db) => db.to_string(),
            None => rng.pick(&["0", "3", "15"]).to_string(),
        };
        for cmd in self.table {
            let (granted, decided) = (user.allowed.get(&cmd.name), user.denied.get(&cmd.name));
            if granted.is_none() && decided.is_none() {
                continue; // a listing fault, reported separately
            }
            let need = cmd.need();
            let key = if cmd.keys_checked() {
                self.key_for(user, need, rng)
            } else {
                "k".to_string()
            };
            let literal = cmd.channel_check();
            let channel = match literal {
                Some(literal) => self.channel_for(user, literal, rng),
                None => "c".to_string(),
            };
            let argv = Self::invocation(cmd, &key, &channel, &select);
            let listed = match (granted, decided) {
                (Some(g), _) => format!("allowed, granted_by {g}"),
                (None, Some(d)) => format!("denied, decided_by {d}"),
                (None, None) => unreachable!(),
            };
            let claim = format!("`{}` {listed}; {}", cmd.name, user.describe());
            let expect = if user.db.is_some() && cmd.name == "move" {
                Expect::Denied {
                    on: "database",
                    item: "move".into(),
                    token: Some(user.db_granted_by.clone()),
                }
            } else if let Some(decided) = decided {
                Expect::Denied {
                    on: "command",
                    item: cmd.name.clone(),
                    token: Some(decided.clone()),
                }
            } else if cmd.keys_checked() && !user.key_ok(&key, need) {
                Expect::Denied {
                    on: "key",
                    item: key.clone(),
                    token: None,
                }
            } else if literal.is_some_and(|l| !user.channel_ok(&channel, l)) {
                Expect::Denied {
                    on: "channel",
                    item: channel.clone(),
                    token: None,
                }
            } else {
                Expect::Allowed {
                    token: granted.cloned().unwrap_or(Value::Null),
                }
            };
            self.add(file, user, "commands", claim, argv, expect);
        }
        if let Some(db) = user.db {
            let other = (db + 1 + rng.below(15) as u64) % 16;
            let claim = format!(
                "a `$<db>` user may not SELECT another database; {}",
                user.describe()
            );
            let argv = vec!["SELECT".to_string(), other.to_string()];
            let expect = Expect::Denied {
                on: "database",
                item: other.to_string(),
                token: Some(user.db_granted_by.clone()),
            };
            self.add(file, user, "database", claim, argv, expect);
        }
    }

    fn runnable(
        &self,
        user: &Explained,
        list: &[(&'static str, &'static [&'static str])],
    ) -> Vec<(&'static str, &'static [&'static str])> {
        list.iter()
            .filter(|(name, _)| user.allowed.contains_key(*name))
            .copied()
            .collect()
    }

    fn keys(&mut self, file: usize, user: &Explained, rng: &mut Rng) {
        let patterns: Vec<&str> = user.keys.iter().map(|k| k.pattern.as_str()).collect();
        let mut keys: Vec<(String, String)> = Vec::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let others: Vec<&str> = patterns
                .iter()
                .enumerate()
                .filter(|(j, p)| *j != i && *p != pattern)
                .map(|(_, p)| *p)
                .collect();
            match lone_instance(pattern, &others, rng) {
                Some(key) => keys.push((key, format!("a key of the pattern {pattern:?}"))),
                None => {
                    self.unbuildable.insert(pattern.to_string());
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
        if rng.chance(30) {
            keys.push((String::new(), "the empty key".into()));
        }
        let reads = self.runnable(user, READ_COMMANDS);
        let writes = self.runnable(user, WRITE_COMMANDS);
        for (key, origin) in &keys {
            for (list, need) in [(&reads, (true, false)), (&writes, (false, true))] {
                if list.is_empty() {
                    self.no_runnable += 1;
                    continue;
                }
                let mut list = list.clone();
                for _ in 0..KEY_COMMANDS_PER_KEY.min(list.len()) {
                    let (command, extra) = list.swap_remove(rng.below(list.len()));
                    let mut argv = vec![command.to_ascii_uppercase(), key.clone()];
                    argv.extend(extra.iter().map(|a| a.to_string()));
                    let expect = if user.key_ok(key, need) {
                        Expect::Allowed {
                            token: user.allowed[command].clone(),
                        }
                    } else {
                        Expect::Denied {
                            on: "key",
                            item: key.clone(),
                            token: None,
                        }
                    };
                    let claim = format!(
                        "`{command}` ({}) on {key:?} ({origin}); {}",
                        if need.0 { "reads" } else { "writes" },
                        user.describe()
                    );
                    self.add(file, user, "keys", claim, argv, expect);
                }
            }
        }
        // Several keys at once: allowed iff each is; else denied on one of the refused ones.
        let mut templates: Vec<&[&str]> = MULTI_KEY
            .iter()
            .copied()
            .filter(|t| user.allowed.contains_key(t[0]))
            .collect();
        if templates.is_empty() {
            self.no_runnable += 1;
        }
        for _ in 0..MULTI_KEY_PROBES.min(templates.len()) {
            let template = templates.swap_remove(rng.below(templates.len()));
            let need = self.by_name[template[0]].need();
            let mut placed: Vec<String> = Vec::new();
            let mut argv = vec![template[0].to_ascii_uppercase()];
            for word in &template[1..] {
                argv.push(match *word {
                    "A" | "B" | "C" => {
                        let key = keys[rng.below(keys.len())].0.clone();
                        placed.push(key.clone());
                        key
                    }
                    other => other.to_string(),
                });
            }
            let refused: Vec<String> = placed
                .iter()
                .filter(|k| !user.key_ok(k, need))
                .cloned()
                .collect();
            let expect = if refused.is_empty() {
                Expect::Allowed {
                    token: user.allowed[template[0]].clone(),
                }
            } else {
                Expect::DeniedOnOneOf {
                    on: "key",
                    items: refused,
                }
            };
            let claim = format!(
                "`{}` ({}) on the keys {placed:?}; {}",
                template[0],
                if need.0 { "reads" } else { "writes" },
                user.describe()
            );
            self.add(file, user, "several keys", claim, argv, expect);
        }
    }

    fn channels(&mut self, file: usize, user: &Explained, rng: &mut Rng) {
        let mut channels: Vec<(String, String)> = Vec::new();
        let patterns: Vec<&str> = user.channels.iter().map(String::as_str).collect();
        for (i, pattern) in patterns.iter().enumerate() {
            let others: Vec<&str> = patterns
                .iter()
                .enumerate()
                .filter(|(j, p)| *j != i && *p != pattern)
                .map(|(_, p)| *p)
                .collect();
            match lone_instance(pattern, &others, rng) {
                Some(c) => channels.push((c, format!("a channel of the pattern {pattern:?}"))),
                None => {
                    self.unbuildable.insert(pattern.to_string());
                }
            }
        }
        channels.push((
            rng.pick(CHANNELS).to_string(),
            "a channel of the vocabulary".into(),
        ));
        channels.push((
            format!("nomatch.{}", rng.below(1000)),
            "a channel of no pattern".into(),
        ));
        if rng.chance(30) {
            channels.push((String::new(), "the empty channel".into()));
        }
        let runs = |c: &str| user.allowed.contains_key(c);
        for (channel, origin) in &channels {
            for command in ["publish", "spublish", "subscribe", "ssubscribe"] {
                if !runs(command) {
                    self.no_runnable += 1;
                    continue;
                }
                let mut argv = vec![command.to_ascii_uppercase(), channel.clone()];
                if command.ends_with("publish") {
                    argv.push("m".into());
                }
                let expect = if user.channel_ok(channel, false) {
                    Expect::Allowed {
                        token: user.allowed[command].clone(),
                    }
                } else {
                    Expect::Denied {
                        on: "channel",
                        item: channel.clone(),
                        token: None,
                    }
                };
                let claim = format!("`{command}` {channel:?} ({origin}); {}", user.describe());
                self.add(file, user, "channels", claim, argv, expect);
            }
        }
        if runs("subscribe") {
            let a = &channels[rng.below(channels.len())].0;
            let b = &channels[rng.below(channels.len())].0;
            let argv = vec!["SUBSCRIBE".to_string(), a.clone(), b.clone()];
            let expect = match [a, b].into_iter().find(|c| !user.channel_ok(c, false)) {
                None => Expect::Allowed {
                    token: user.allowed["subscribe"].clone(),
                },
                Some(c) => Expect::Denied {
                    on: "channel",
                    item: c.clone(),
                    token: None,
                },
            };
            let claim = format!("`subscribe` {a:?} {b:?}; {}", user.describe());
            self.add(file, user, "channels", claim, argv, expect);
        }
        if runs("psubscribe") {
            let mut literals: Vec<(String, &str)> = user
                .channels
                .iter()
                .map(|p| (p.clone(), "a listed pattern"))
                .collect();
            literals.push((
                rng.pick(CHANNEL_PATTERNS).to_string(),
                "a pattern of the vocabulary",
            ));
            literals.push(("nomatch.*".into(), "an unlisted pattern"));
            if let Some((c, _)) = channels.first() {
                literals.push((c.clone(), "a channel built from a pattern"));
            }
            for (pattern, origin) in literals {
                let argv = vec!["PSUBSCRIBE".to_string(), pattern.clone()];
                let expect = if user.channel_ok(&pattern, true) {
                    Expect::Allowed {
                        token: user.allowed["psubscribe"].clone(),
                    }
                } else {
                    Expect::Denied {
                        on: "channel",
                        item: pattern.clone(),
                        token: None,
                    }
                };
                let claim = format!(
                    "`psubscribe` {pattern:?} ({origin}, compared literally); {}",
                    user.describe()
                );
                self.add(file, user, "channels", claim, argv, expect);
            }
        } else {
            self.no_runnable += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running dflint
// ---------------------------------------------------------------------------------------------

fn scratch_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "dragonfly-explain-can-{}-{name}",
        std::process::id()
    ))
}

struct ExplainRun {
    users: Vec<Value>,
    rejected: bool,
    stderr: String,
}

fn explain(text: &str) -> ExplainRun {
    let path = scratch_path("file.acl");
    std::fs::write(&path, text).expect("ACL file written");
    let output = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["acl", "explain"])
        .arg(&path)
        .args(["--format", "json"])
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
    let rejected = stderr.contains("rejects the whole file")
        || stderr.contains(dflint_core::acl::parse::rejection(
            dflint_core::acl::Dialect::Dragonfly,
        ));
    ExplainRun {
        users,
        rejected,
        stderr,
    }
}

/// Every query through one `acl can --cases` process; one answer per query, in order.
fn can_all(files: &[String], probes: &[Probe]) -> Vec<Value> {
    let mut queries = String::new();
    for probe in probes {
        let query = json!({
            "acl": files[probe.file],
            "user": probe.user,
            "command": probe.command,
            "args": probe.args,
        });
        queries.push_str(&query.to_string());
        queries.push('\n');
    }
    let path = scratch_path("queries.jsonl");
    std::fs::write(&path, queries).expect("queries written");
    let output = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["acl", "can", "--cases"])
        .arg(&path)
        .output()
        .expect("dflint runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "dflint acl can --cases failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("answer {l:?}: {e}")))
        .collect();
    assert_eq!(
        answers.len(),
        probes.len(),
        "`acl can --cases` gave {} answers for {} queries",
        answers.len(),
        probes.len()
    );
    answers
}

fn quote_argv(command: &str, args: &[String]) -> String {
    std::iter::once(command)
        .chain(args.iter().map(String::as_str))
        .map(|w| {
            if w.is_empty() || w.contains([' ', '"', '\\']) {
                format!("{w:?}")
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

#[test]
fn dragonfly_explain_and_can_agree() {
    let started = Instant::now();
    let seed = env_number("DFLINT_DF_EXPLAIN_SEED").unwrap_or(DEFAULT_SEED);
    let wanted = env_number("DFLINT_DF_EXPLAIN_CLAIMS").unwrap_or(DEFAULT_CLAIMS as u64) as usize;
    let table = command_table();
    let by_name: BTreeMap<&str, &TableCommand> =
        table.iter().map(|c| (c.name.as_str(), c)).collect();
    // The one-key commands really are one-key readers and writers of the table.
    for (list, need) in [
        (READ_COMMANDS, (true, false)),
        (WRITE_COMMANDS, (false, true)),
    ] {
        for (name, extra) in list {
            let cmd = by_name
                .get(name)
                .unwrap_or_else(|| panic!("`{name}` is not in the table"));
            assert!(
                cmd.keys_checked() && cmd.need() == need && cmd.first_key == 1,
                "`{name}` is not a one-key command with needs {need:?}"
            );
            assert!(
                arity_ok(cmd.arity, 2 + extra.len()),
                "`{name}` with {extra:?}: arity {}",
                cmd.arity
            );
        }
    }
    for template in MULTI_KEY {
        let cmd = by_name
            .get(template[0])
            .unwrap_or_else(|| panic!("`{}` is not in the table", template[0]));
        assert!(
            cmd.keys_checked() && cmd.need().0 != cmd.need().1,
            "`{}` does not check its keys as a reader or a writer",
            template[0]
        );
        assert!(
            arity_ok(cmd.arity, template.len()),
            "{template:?}: arity {}",
            cmd.arity
        );
    }
    let vocabulary = Vocabulary {
        commands: table
            .iter()
            .filter(|c| !c.name.contains(' '))
            .map(|c| c.name.clone())
            .collect(),
        categories: category_names(),
    };

    let mut rng = Rng::new(seed);
    let mut files: Vec<String> = Vec::new();
    let mut wrong: Vec<Wrong> = Vec::new();
    let mut builder = Builder {
        table: &table,
        by_name,
        probes: Vec::new(),
        unbuildable: BTreeSet::new(),
        no_runnable: 0,
    };
    let (mut bad_files, mut users_checked, mut listing_checks) = (0, 0, 0);
    let mut pending: Vec<GeneratedFile> = fixed_files();
    while builder.probes.len() < wanted || !pending.is_empty() {
        let generated = match pending.pop() {
            Some(file) => file,
            None => {
                let good = generate_file(&mut rng, &vocabulary);
                if rng.chance(BAD_TWINS) {
                    pending.push(spoil(&mut rng, &good));
                }
                good
            }
        };
        let index = files.len();
        files.push(generated.text.clone());
        let run = explain(&generated.text);
        if generated.bad {
            bad_files += 1;
        }
        if generated.bad != run.rejected {
            wrong.push(Wrong {
                file: generated.text.clone(),
                user: String::new(),
                claim: format!(
                    "explain {} the file",
                    if run.rejected { "refuses" } else { "loads" }
                ),
                query: String::new(),
                expected: if generated.bad {
                    "refused (a deliberately bad token or line)".into()
                } else {
                    "loads (valid Dragonfly syntax)".into()
                },
                answer: format!("explain's stderr: {}", run.stderr.trim()),
            });
        }
        let explained: Vec<Explained> = run.users.iter().map(parse_user).collect();
        for name in &generated.users {
            if !explained.iter().any(|u| u.name == *name) {
                wrong.push(Wrong {
                    file: generated.text.clone(),
                    user: name.clone(),
                    claim: "explain lists every user of the file".into(),
                    query: String::new(),
                    expected: "listed".into(),
                    answer: "not listed".into(),
                });
            }
        }
        if run.rejected {
            // Whatever the lines would grant, `acl can` must refuse to answer.
            let mut names: Vec<&str> = explained.iter().map(|u| u.name.as_str()).collect();
            names.extend(generated.users.iter().map(String::as_str));
            names.push("default");
            names.sort_unstable();
            names.dedup();
            for name in names {
                for argv in [&["GET", "k"][..], &["PING"][..]] {
                    builder.probes.push(Probe {
                        file: index,
                        user: name.to_string(),
                        enabled: false,
                        kind: "refused file",
                        claim: "explain says Dragonfly rejects the whole file".into(),
                        command: argv[0].into(),
                        args: argv[1..].iter().map(|a| a.to_string()).collect(),
                        expect: Expect::Rejected,
                    });
                }
            }
            continue;
        }
        for user in &explained {
            if user.implicit && !generated.builtin_default {
                continue;
            }
            users_checked += 1;
            // The listing: every command of the table exactly once, none always_allowed.
            let mut faults = user.listing_faults.clone();
            for cmd in &table {
                listing_checks += 1;
                if !user.allowed.contains_key(&cmd.name) && !user.denied.contains_key(&cmd.name) {
                    faults.push(format!("`{}` is not listed", cmd.name));
                }
            }
            for name in user.allowed.keys().chain(user.denied.keys()) {
                if !builder.by_name.contains_key(name.as_str()) {
                    faults.push(format!("`{name}` is not a command of the table"));
                }
            }
            for fault in faults {
                wrong.push(Wrong {
                    file: generated.text.clone(),
                    user: user.name.clone(),
                    claim: "explain lists every command once, none always_allowed".into(),
                    query: String::new(),
                    expected: String::new(),
                    answer: fault,
                });
            }
            builder.commands(index, user, &mut rng);
            builder.keys(index, user, &mut rng);
            builder.channels(index, user, &mut rng);
        }
    }

    let explained_in = started.elapsed().as_secs_f64();
    let answers = can_all(&files, &builder.probes);
    let answered_in = started.elapsed().as_secs_f64() - explained_in;
    let mut stats: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for (probe, answer) in builder.probes.iter().zip(&answers) {
        let outcome = if answer.get("error").is_some() {
            "error".to_string()
        } else if answer["allowed"] == true {
            "allowed".to_string()
        } else {
            format!("denied on {}", answer["denied_on"].as_str().unwrap_or("?"))
        };
        *stats.entry((probe.kind, outcome)).or_default() += 1;
        if let Some(fault) = probe.fault(answer) {
            wrong.push(Wrong {
                file: files[probe.file].clone(),
                user: probe.user.clone(),
                claim: probe.claim.clone(),
                query: quote_argv(&probe.command, &probe.args),
                expected: format!("{} (user_enabled {})", probe.expect, probe.enabled),
                answer: format!("{answer} ({fault})"),
            });
        }
    }

    for (i, w) in wrong.iter().take(MAX_LISTED).enumerate() {
        eprintln!(
            "\nDISAGREEMENT #{} (seed {seed:#x})\n  file:\n    {}\n  user:     {}\n  claim:    {}\n  \
             query:    {}\n  expected: {}\n  answer:   {}",
            i + 1,
            w.file.trim_end().replace('\n', "\n    "),
            w.user,
            w.claim,
            w.query,
            w.expected,
            w.answer
        );
    }
    if wrong.len() > MAX_LISTED {
        eprintln!("\n… and {} more disagreements", wrong.len() - MAX_LISTED);
    }
    let mut by_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for ((kind, outcome), n) in &stats {
        by_kind
            .entry(kind)
            .or_default()
            .push(format!("{n} {outcome}"));
    }
    let by_kind: Vec<String> = by_kind
        .iter()
        .map(|(kind, outcomes)| format!("{kind}: {}", outcomes.join(", ")))
        .collect();
    println!(
        "dragonfly explain vs can: {} claims checked with `acl can` and {listing_checks} \
         listing checks, {} disagreements (answers by claim: {}; seed {seed:#x}; {} files, \
         {bad_files} deliberately bad; {users_checked} users; {} key/channel claims without a \
         runnable command; patterns without a built string: {:?}; {:.1} s: generation and \
         explain {explained_in:.1} s, acl can {answered_in:.1} s)",
        builder.probes.len(),
        wrong.len(),
        by_kind.join("; "),
        files.len(),
        builder.no_runnable,
        builder.unbuildable,
        started.elapsed().as_secs_f64()
    );
    assert!(
        builder.unbuildable.is_empty(),
        "no matching string could be built for {:?}: extend `instance`",
        builder.unbuildable
    );
    assert_eq!(
        wrong.len(),
        0,
        "{} disagreements between `acl explain` and `acl can` (seed {seed:#x}; rerun with \
         DFLINT_DF_EXPLAIN_SEED={seed:#x})",
        wrong.len()
    );
}
