//! Differential test of dflint's ACL engine (Redis dialect) against a real `redis-server`.
//!
//! The test starts `redis-server` (the Debian package, Redis 7.0.15: the version the Redis
//! command tables of dflint-core were generated from) on 127.0.0.1 with a random port and no
//! persistence, generates random user rule lines from a realistic vocabulary with a seeded
//! PRNG, and for each line:
//!
//! * sends `ACL SETUSER u<N> <tokens…>` (one RESP argument per token; a selector is one
//!   argument `(…)`) and records OK or the error;
//! * reads `ACL GETUSER u<N>` to learn whether the user ended up `on` or `off`;
//! * asks `ACL DRYRUN u<N> <command> <args…>` for several random queries;
//! * deletes the user (`ACL DELUSER`), so no state leaks from one line to the next.
//!
//! All of this is pipelined. Every (rule line, query) pair is one case; all cases go to one
//! `dflint acl can --cases FILE.jsonl` process, whose answers are compared with the server:
//! SETUSER rejected ⇔ `{"error": "ACL rejected…"}`; DRYRUN `OK` ⇔ `allowed`; "no permissions
//! to run the 'x' command" / "access the 'k' key" / "access the 'c' channel" ⇔ `denied_on`
//! command/key/channel with that `item`; "Command 'x' not found" ⇔ an `unknown command`
//! error; "wrong number of arguments for 'x' command" ⇔ the same error; and `user_enabled`
//! ⇔ the `on`/`off` flag of ACL GETUSER.
//!
//! The ACL text given to dflint is the ACL-file line `user u<N> <tokens joined by one space>`.
//! No generated token contains whitespace or quotes except selectors, whose inner rules are
//! joined by single spaces: the file line splits a selector into space-separated pieces and
//! Redis' `ACLMergeSelectorArguments` (which dflint reproduces) joins them back with single
//! spaces, giving exactly the argument sent to ACL SETUSER. So the file line and the SETUSER
//! arguments denote the same rules, and no quoting is needed. One exception: when the line
//! also holds an unbalanced parenthesis (`(~a`, `+get)`), merging depends on how the rules
//! are cut into arguments (an argument `(~a` followed by `(+get +set)` appends it, while the
//! pieces `(+get` `+set)` reopen the selector), so such lines are sent to ACL SETUSER cut at
//! the spaces, exactly like the file line.
//!
//! On any disagreement the test prints the seed, the case index, the rule line, the query,
//! the server's replies and dflint's answer, then shrinks the rule line (dropping tokens, and
//! rules inside selectors, one at a time while the disagreement persists) and prints the
//! minimal case; it fails with the number of disagreements.
//!
//! Environment: `DFLINT_DIFF_SEED` (decimal or `0x…` hex; default [`DEFAULT_SEED`]) and
//! `DFLINT_DIFF_CASES` (default 10,000; rounded up to whole rule lines of
//! [`QUERIES_PER_LINE`] queries). A missing `redis-server` is a failure, never a skip.
//!
//! Left out of the vocabulary, on purpose:
//! * module commands (no modules are loaded; categories never include them) and commands
//!   that only exist in other Redis versions;
//! * users other than fresh `u<N>` (the built-in `default` user, `ACL SETUSER` on existing
//!   users — rules only ever start from a fresh user, as in an ACL file);
//! * `acl-pubsub-default allchannels` (the server runs with the Redis 7 default,
//!   `resetchannels`, which is what dflint's Redis dialect models);
//! * tokens with whitespace, quotes or NUL bytes (an ACL file splits on spaces, so such
//!   tokens cannot be written the same way to both sides).

#[path = "support/resp.rs"]
mod resp;

use resp::{Reply, Resp};
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The default seed; any other seed can be given with `DFLINT_DIFF_SEED`.
const DEFAULT_SEED: u64 = 0x00D1_F11E_5EED_7015;
const DEFAULT_CASES: usize = 10_000;
const QUERIES_PER_LINE: usize = 4;
/// Rule lines per pipelined batch.
const BATCH: usize = 256;
/// Rule lines whose (first) disagreement is shown in detail and shrunk (all are counted).
const MAX_REPORTED: usize = 12;

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// A running `redis-server`, killed when dropped (also when the test panics).
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// Starts `redis-server`, optionally with `--aclfile` (which must exist).
fn start_server(acl_file: Option<&std::path::Path>) -> (Server, Resp) {
    let binary = find_on_path("redis-server").unwrap_or_else(|| {
        panic!(
            "redis-server is not on PATH: install redis-server: apt-get install -y redis-server; \
             scripts/test does this (this test never skips)"
        )
    });
    let mut last_error = String::new();
    for _ in 0..5 {
        let port = free_port();
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dflint-redis-differential-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let child = Command::new(&binary)
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--protected-mode", "yes"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&dir)
            .args(
                acl_file
                    .iter()
                    .flat_map(|f| [OsStr::new("--aclfile"), f.as_os_str()]),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = Server { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                last_error = format!("redis-server exited with {status} (port {port} taken?)");
                break;
            }
            if let Ok(mut conn) = Resp::connect(server.port) {
                match conn.call(&["PING"]) {
                    Ok(Reply::Status(s)) if s == "PONG" => return (server, conn),
                    other => last_error = format!("PING answered {other:?}"),
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        if last_error.is_empty() {
            last_error = "redis-server did not answer PING within 10 s".into();
        }
        drop(server);
    }
    panic!("cannot start redis-server: {last_error}");
}

fn redis_version(conn: &mut Resp) -> String {
    let info = match conn.call(&["INFO", "server"]).expect("INFO") {
        Reply::Bulk(Some(b)) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("INFO answered {other}"),
    };
    info.lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap_or("?")
        .trim()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Seeded generation
// ---------------------------------------------------------------------------------------------

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Never zero; mix the seed so that small seeds do not start with small states.
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(0xBF58_476D_1CE4_E5B9) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const KEY_PATTERNS: &[&str] = &[
    "app:*",
    "cache:?",
    "*",
    "[ab]*",
    "b\\*",
    "a",
    "b:c",
    "app:1",
    "cache:[xy]",
    "*:c",
    "a*",
    "[^a]*",
    "app:[0-9]",
    "B",
];
const KEYS: &[&str] = &[
    "app:1", "app:22", "cache:x", "cache:xy", "a", "b:c", "b*", "ab", "zz", "B",
];
const CHANNEL_PATTERNS: &[&str] = &["news.*", "chat", "chat*", "n?ws.*", "news.[st]*", "other"];
const CHANNELS: &[&str] = &["news.sport", "news.*", "chat", "chatroom", "other", "*"];
const CATEGORIES: &[&str] = &[
    "read",
    "write",
    "keyspace",
    "string",
    "hash",
    "list",
    "set",
    "sortedset",
    "stream",
    "pubsub",
    "admin",
    "dangerous",
    "fast",
    "slow",
    "connection",
    "scripting",
    "transaction",
    "hyperloglog",
    "bitmap",
    "geo",
    "blocking",
    "all",
    "READ",
    "Admin",
];
const COMMANDS: &[&str] = &[
    "get",
    "set",
    "del",
    "mget",
    "mset",
    "hset",
    "hget",
    "lpush",
    "lrange",
    "sadd",
    "smembers",
    "zadd",
    "zrange",
    "incr",
    "expire",
    "exists",
    "keys",
    "scan",
    "flushall",
    "flushdb",
    "config",
    "client",
    "info",
    "publish",
    "subscribe",
    "psubscribe",
    "ssubscribe",
    "eval",
    "evalsha",
    "xadd",
    "xread",
    "sort",
    "copy",
    "rename",
    "object",
    "debug",
    "ping",
    "echo",
    "auth",
    "hello",
    "acl",
    "select",
    "move",
    "GET",
    "Config",
];
const SUBCOMMANDS: &[&str] = &[
    "config|get",
    "config|set",
    "client|list",
    "client|kill",
    "client|setname",
    "object|encoding",
    "acl|whoami",
    "acl|list",
    "CONFIG|GET",
];
/// `+cmd|arg` for commands without subcommands (Redis' "first-arg" rules).
const FIRST_ARGS: &[&str] = &[
    "select|0",
    "select|1",
    "debug|object",
    "get|app:1",
    "SELECT|0",
    "eval|x",
];
const KEYWORDS: &[&str] = &[
    "on",
    "off",
    "nopass",
    "resetpass",
    "ON",
    "Off",
    "NoPass",
    "sanitize-payload",
    "skip-sanitize-payload",
];
const PASSWORDS: &[&str] = &[
    ">pw1",
    ">pw2",
    "<pw1",
    "<pw2",
    "<notset",
    ">",
    // sha256("pw1"), sha256("pw2")
    "#c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8",
    "!c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8",
    "#93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0",
    "!93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0",
    // invalid hashes: upper case, too short
    "#C592DF4A86933B92ADDC9842402DDF198C638EA9BE58916EE6E3734E1E3152F8",
    "#abc",
    "!abc",
];
/// Rules every selector also accepts, but that are wrong (or odd) in some way.
const ODD_SELECTOR_RULES: &[&str] = &[
    "%X~k",
    "%RR~k",
    "%~k",
    "%",
    "%R",
    "%W",
    "%RW",
    "%r~a",
    "%Wr~app:*",
    "~",
    "&",
    "+@nope",
    "-@nope",
    "+@",
    "+",
    "-",
    "+foo",
    "-foo",
    "+config|nope",
    "-select|0",
    "+config|get|x",
    "+select|0|1",
    "+client|",
    "-config|get",
    "-client|kill",
    "foo",
    "~*",
    "&*",
    "ALLKEYS",
];
/// Rules only the user (root) accepts: invalid inside a selector.
const ROOT_ONLY: &[&str] = &[
    "on",
    ">pw1",
    "reset",
    "clearselectors",
    "nopass",
    "(~a)",
    "sanitize-payload",
];

fn key_rule(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["~", "~", "~", "%R~", "%W~", "%RW~", "%WR~"]);
    format!("{prefix}{}", rng.pick(KEY_PATTERNS))
}

/// A rule valid both for the user and inside a selector (mostly).
fn selector_rule(rng: &mut Rng) -> String {
    // Grants are more frequent than denials, so that commands get past the command check.
    let sign = |rng: &mut Rng| if rng.chance(70) { "+" } else { "-" };
    match rng.below(100) {
        0..=21 => key_rule(rng),
        22..=26 => rng
            .pick(&["allkeys", "resetkeys", "~*", "%RW~*", "%R~*", "%W~*"])
            .to_string(),
        27..=35 => format!("&{}", rng.pick(CHANNEL_PATTERNS)),
        36..=39 => rng
            .pick(&["allchannels", "resetchannels", "&*"])
            .to_string(),
        40..=57 => format!("{}@{}", sign(rng), rng.pick(CATEGORIES)),
        58..=79 => format!("{}{}", sign(rng), rng.pick(COMMANDS)),
        80..=86 => format!("{}{}", sign(rng), rng.pick(SUBCOMMANDS)),
        87..=91 => format!("+{}", rng.pick(FIRST_ARGS)),
        92..=96 => rng
            .pick(&["allcommands", "nocommands", "+@all", "-@all", "NoCommands"])
            .to_string(),
        _ => rng.pick(ODD_SELECTOR_RULES).to_string(),
    }
}

fn rule_token(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=9 => rng.pick(KEYWORDS).to_string(),
        10..=11 => rng.pick(PASSWORDS).to_string(),
        12..=15 => rng.pick(&[">pw1", ">pw2", "resetpass"]).to_string(),
        16..=18 => rng.pick(&["reset", "clearselectors", "RESET"]).to_string(),
        // Unbalanced parentheses: ACLMergeSelectorArguments joins (and reopens) selectors.
        19 => rng
            .pick(&["(", "(~a", "(+get", "+get)", "~b)", "(%R~a*"])
            .to_string(),
        20..=30 => {
            // Often shaped like real selectors: some keys and some commands, then extras.
            let mut rules: Vec<String> = Vec::new();
            if rng.chance(60) {
                rules.push(key_rule(rng));
                rules.push(format!("+{}", rng.pick(COMMANDS)));
                if rng.chance(30) {
                    rules.push(format!("+@{}", rng.pick(CATEGORIES)));
                }
                if rng.chance(30) {
                    rules.push(format!("&{}", rng.pick(CHANNEL_PATTERNS)));
                }
            }
            for _ in 0..rng.below(3) + usize::from(rules.is_empty()) {
                rules.push(if rng.chance(3) {
                    rng.pick(ROOT_ONLY).to_string()
                } else {
                    selector_rule(rng)
                });
            }
            // Random order inside the selector too.
            for i in (1..rules.len()).rev() {
                rules.swap(i, rng.below(i + 1));
            }
            format!("({})", rules.join(" "))
        }
        _ => selector_rule(rng),
    }
}

/// Broad grants, one of which is added to many lines so that queries get past the command
/// check and exercise key and channel patterns.
const BROAD: &[&str] = &[
    "+@all",
    "allcommands",
    "+@read",
    "+@write",
    "+@keyspace",
    "+@pubsub",
    "+@string",
    "+@hash",
    "+@fast",
    "+@slow",
];

fn rule_line(rng: &mut Rng) -> Vec<String> {
    let n = 1 + rng.below(4) + rng.below(5);
    let mut tokens: Vec<String> = (0..n).map(|_| rule_token(rng)).collect();
    if rng.chance(45) {
        let at = rng.below(tokens.len() + 1);
        tokens.insert(at, rng.pick(BROAD).to_string());
    }
    tokens
}

/// The commands a rule line names (`+select|0` → `select`), lower-case.
fn named_commands(tokens: &[String]) -> Vec<String> {
    tokens
        .iter()
        .flat_map(|t| t.trim_start_matches('(').trim_end_matches(')').split(' '))
        .filter_map(|rule| rule.strip_prefix('+').or_else(|| rule.strip_prefix('-')))
        .filter(|name| !name.starts_with('@') && !name.is_empty())
        .map(|name| name.split('|').next().unwrap_or(name).to_ascii_lowercase())
        .collect()
}

/// A query, about a command the rule line names half of the time (so that rules such as
/// `+select|0` or `-config|set` meet the queries they decide).
fn query_for(rng: &mut Rng, tokens: &[String]) -> Vec<String> {
    let named = named_commands(tokens);
    if !named.is_empty() && rng.chance(50) {
        let wanted = &named[rng.below(named.len())];
        for _ in 0..400 {
            let q = query(rng);
            if q[0].eq_ignore_ascii_case(wanted) {
                return q;
            }
        }
    }
    query(rng)
}

fn query(rng: &mut Rng) -> Vec<String> {
    let k = |rng: &mut Rng| rng.pick(KEYS).to_string();
    let words: Vec<String> = match rng.below(68) {
        0 => vec!["GET".into(), k(rng)],
        1 => vec!["SET".into(), k(rng), "v".into()],
        2 => vec!["SET".into(), k(rng), "v".into(), "GET".into()],
        3 => vec!["DEL".into(), k(rng), k(rng)],
        4 => vec!["MGET".into(), k(rng), k(rng)],
        5 => vec!["MSET".into(), k(rng), "1".into(), k(rng), "2".into()],
        6 => vec!["HSET".into(), k(rng), "f".into(), "v".into()],
        7 => vec!["HGET".into(), k(rng), "f".into()],
        8 => vec!["LPUSH".into(), k(rng), "x".into()],
        9 => vec!["LRANGE".into(), k(rng), "0".into(), "-1".into()],
        10 => vec!["SADD".into(), k(rng), "m".into()],
        11 => vec!["SMEMBERS".into(), k(rng)],
        12 => vec!["ZADD".into(), k(rng), "1".into(), "m".into()],
        13 => vec!["ZRANGE".into(), k(rng), "0".into(), "-1".into()],
        14 => vec!["INCR".into(), k(rng)],
        15 => vec!["EXPIRE".into(), k(rng), "10".into()],
        16 => vec!["EXISTS".into(), k(rng), k(rng)],
        17 => vec!["KEYS".into(), rng.pick(KEY_PATTERNS).into()],
        18 => vec!["SCAN".into(), "0".into()],
        19 => vec!["FLUSHALL".into()],
        20 => vec!["FLUSHDB".into()],
        21 => vec!["CONFIG".into(), "GET".into(), "maxmemory".into()],
        22 => vec![
            "CONFIG".into(),
            "SET".into(),
            "maxmemory".into(),
            "1".into(),
        ],
        23 => vec!["CLIENT".into(), "LIST".into()],
        24 => vec!["CLIENT".into(), "KILL".into(), "127.0.0.1:1".into()],
        25 => vec!["CLIENT".into(), "SETNAME".into(), "n".into()],
        26 => vec!["INFO".into()],
        27 => vec!["PUBLISH".into(), rng.pick(CHANNELS).into(), "m".into()],
        28 => vec![
            "SUBSCRIBE".into(),
            rng.pick(CHANNELS).into(),
            rng.pick(CHANNELS).into(),
        ],
        29 => vec!["PSUBSCRIBE".into(), rng.pick(CHANNELS).into()],
        30 => vec!["SSUBSCRIBE".into(), rng.pick(CHANNELS).into()],
        31 => vec!["EVAL".into(), "return 1".into(), "1".into(), k(rng)],
        32 => vec!["EVALSHA".into(), "abc".into(), "0".into()],
        33 => vec!["EVALSHA".into(), "abc".into(), "2".into(), k(rng), k(rng)],
        34 => vec!["XADD".into(), k(rng), "*".into(), "f".into(), "v".into()],
        35 => vec!["XREAD".into(), "STREAMS".into(), k(rng), "0".into()],
        36 => vec![
            "XREAD".into(),
            "COUNT".into(),
            "1".into(),
            "STREAMS".into(),
            k(rng),
            k(rng),
            "0".into(),
            "0".into(),
        ],
        37 => vec!["SORT".into(), k(rng)],
        38 => vec!["SORT".into(), k(rng), "STORE".into(), k(rng)],
        39 => vec![
            "SORT".into(),
            k(rng),
            "LIMIT".into(),
            "0".into(),
            "1".into(),
            "STORE".into(),
            k(rng),
        ],
        40 => vec!["COPY".into(), k(rng), k(rng)],
        41 => vec!["RENAME".into(), k(rng), k(rng)],
        42 => vec!["OBJECT".into(), "ENCODING".into(), k(rng)],
        43 => vec!["DEBUG".into(), "OBJECT".into(), k(rng)],
        44 => vec!["PING".into()],
        45 => vec!["ECHO".into(), "x".into()],
        46 => vec!["AUTH".into(), "u".into(), "p".into()],
        47 => vec!["HELLO".into()],
        48 => vec!["ACL".into(), "WHOAMI".into()],
        49 => vec!["ACL".into(), "LIST".into()],
        50 => vec!["SELECT".into(), rng.pick(&["0", "1"]).into()],
        51 => vec!["MOVE".into(), k(rng), "1".into()],
        52 => vec!["EVAL".into(), "return 1".into(), "0".into()],
        // wrong arity, unknown commands and subcommands
        53 => vec!["GET".into()],
        54 => vec!["GET".into(), k(rng), k(rng)],
        55 => vec!["FOO".into(), k(rng)],
        56 => vec!["CONFIG".into(), "NOPE".into()],
        57 => vec!["CONFIG".into()],
        58 => vec!["SELECT".into(), "0".into(), "1".into()],
        59 => vec!["DEBUG".into(), "SLEEP".into(), "0".into()],
        60 => vec!["XADD".into(), k(rng)],
        61 | 62 => vec!["PUBLISH".into(), rng.pick(CHANNELS).into(), "m".into()],
        63 | 64 => vec![
            "SUBSCRIBE".into(),
            rng.pick(CHANNELS).into(),
            rng.pick(CHANNELS).into(),
        ],
        65 => vec![
            "PSUBSCRIBE".into(),
            rng.pick(CHANNELS).into(),
            rng.pick(CHANNELS).into(),
        ],
        _ => vec![
            "SSUBSCRIBE".into(),
            rng.pick(CHANNELS).into(),
            rng.pick(CHANNELS).into(),
        ],
    };
    let mut words = words;
    words[0] = match rng.below(10) {
        0..=4 => words[0].clone(),
        5..=7 => words[0].to_ascii_lowercase(),
        _ => words[0]
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect(),
    };
    words
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/// What the server says about one case.
#[derive(Clone, Debug)]
struct ServerAnswer {
    setuser: Reply,
    getuser: Reply,
    dryrun: Reply,
}

impl ServerAnswer {
    fn show(&self) -> String {
        match &self.setuser {
            Reply::Status(_) => format!(
                "SETUSER OK, enabled={:?}, DRYRUN {}",
                enabled_flag(&self.getuser),
                self.dryrun
            ),
            other => format!("SETUSER {other}"),
        }
    }
}

/// `on`/`off` from an ACL GETUSER reply.
fn enabled_flag(getuser: &Reply) -> Option<bool> {
    let Reply::Array(Some(fields)) = getuser else {
        return None;
    };
    let position = fields
        .iter()
        .position(|f| matches!(f, Reply::Bulk(Some(b)) if b == b"flags"))?;
    let Some(Reply::Array(Some(flags))) = fields.get(position + 1) else {
        return None;
    };
    let has = |name: &[u8]| flags.iter().any(|f| reply_bytes(f) == name);
    match (has(b"on"), has(b"off")) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn reply_bytes(reply: &Reply) -> &[u8] {
    match reply {
        Reply::Bulk(Some(b)) => b,
        Reply::Status(s) | Reply::Error(s) => s.as_bytes(),
        _ => b"",
    }
}

/// `None` when dflint agrees with the server; otherwise why not.
fn disagreement(server: &ServerAnswer, dflint: &Value) -> Option<String> {
    let error = dflint["error"].as_str();
    let rejected = error.is_some_and(|e| e.starts_with("ACL rejected"));
    match &server.setuser {
        Reply::Status(s) if s == "OK" => {
            if rejected {
                return Some("the server accepts the rules, dflint rejects them".into());
            }
        }
        Reply::Error(_) => {
            return (!rejected).then(|| "the server rejects the rules, dflint accepts them".into())
        }
        other => return Some(format!("unexpected SETUSER reply {other}")),
    }
    let check_enabled = || -> Option<String> {
        let server_on = enabled_flag(&server.getuser);
        let dflint_on = dflint["user_enabled"].as_bool();
        (server_on != dflint_on)
            .then(|| format!("user enabled: server {server_on:?}, dflint {dflint_on:?}"))
    };
    match &server.dryrun {
        Reply::Status(s) if s == "OK" => {
            if dflint["allowed"] != json!(true) {
                return Some("the server allows the command, dflint does not".into());
            }
            check_enabled()
        }
        Reply::Bulk(Some(bytes)) => {
            let text = String::from_utf8_lossy(bytes);
            let parsed = [
                (
                    "This user has no permissions to run the '",
                    "' command",
                    "command",
                ),
                (
                    "This user has no permissions to access the '",
                    "' key",
                    "key",
                ),
                (
                    "This user has no permissions to access the '",
                    "' channel",
                    "channel",
                ),
            ]
            .iter()
            .find_map(|(prefix, suffix, on)| {
                text.strip_prefix(prefix)
                    .and_then(|t| t.strip_suffix(suffix))
                    .map(|item| (*on, item.to_string()))
            });
            let Some((on, item)) = parsed else {
                return Some(format!("unexpected DRYRUN reply {text:?}"));
            };
            if dflint["allowed"] != json!(false)
                || dflint["denied_on"] != json!(on)
                || dflint["item"] != json!(item)
            {
                return Some(format!(
                    "the server denies on the {on} {item:?}, dflint answers otherwise"
                ));
            }
            check_enabled()
        }
        Reply::Error(e) if e.starts_with("ERR Command '") && e.ends_with("' not found") => {
            let agrees = error.is_some_and(|m| m.starts_with("unknown command"));
            (!agrees).then(|| "the server does not know the command, dflint does".into())
        }
        Reply::Error(e) if e.starts_with("ERR User '") && e.ends_with("' not found") => {
            let agrees = error.is_some_and(|m| m.starts_with("user '") && m.ends_with("not found"));
            (!agrees).then(|| "the server has no such user, dflint has".into())
        }
        Reply::Error(e) if e.starts_with("ERR wrong number of arguments") => {
            let agrees = error == e.strip_prefix("ERR ");
            (!agrees).then(|| "the server reports a wrong number of arguments, dflint not".into())
        }
        other => Some(format!("unexpected DRYRUN reply {other}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Running both sides
// ---------------------------------------------------------------------------------------------

struct Case {
    line: usize,
    query: Vec<String>,
}

fn dflint_case(user: &str, tokens: &[String], query: &[String]) -> Value {
    let mut acl = format!("user {user}");
    for token in tokens {
        acl.push(' ');
        acl.push_str(token);
    }
    json!({
        "acl": acl,
        "dialect": "redis",
        "user": user,
        "command": query[0],
        "args": &query[1..],
    })
}

/// Runs `dflint acl can --cases` once over all cases.
fn run_dflint(cases: &[Value], tag: &str) -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!(
        "redis-differential-{}-{tag}.jsonl",
        std::process::id()
    ));
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("cases file"));
        for case in cases {
            writeln!(file, "{case}").expect("write cases");
        }
        file.flush().expect("write cases");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["acl", "can", "--dialect", "redis", "--cases"])
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
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad dflint answer {l}: {e}")))
        .collect();
    assert_eq!(answers.len(), cases.len(), "one dflint answer per case");
    answers
}

/// `ACL SETUSER user tokens…`: a selector is one argument, unless the line also has an
/// unbalanced parenthesis (see the module documentation).
fn setuser_args(user: &str, tokens: &[String]) -> Vec<String> {
    let mut args = vec!["ACL".to_string(), "SETUSER".into(), user.into()];
    let unbalanced = tokens
        .iter()
        .any(|t| t.starts_with('(') != t.ends_with(')'));
    if unbalanced {
        args.extend(tokens.iter().flat_map(|t| t.split(' ')).map(str::to_string));
    } else {
        args.extend(tokens.iter().cloned());
    }
    args
}

fn dryrun_args(user: &str, query: &[String]) -> Vec<String> {
    let mut args = vec!["ACL".to_string(), "DRYRUN".into(), user.into()];
    args.extend(query.iter().cloned());
    args
}

/// Both sides for one rule line and one query (used while shrinking).
fn run_one(conn: &mut Resp, tokens: &[String], query: &[String]) -> (ServerAnswer, Value) {
    let user = "shrink";
    conn.send(&["ACL", "DELUSER", user]).unwrap();
    conn.send(&setuser_args(user, tokens)).unwrap();
    conn.send(&["ACL", "GETUSER", user]).unwrap();
    conn.send(&dryrun_args(user, query)).unwrap();
    conn.flush().unwrap();
    let _ = conn.read().unwrap();
    let server = ServerAnswer {
        setuser: conn.read().unwrap(),
        getuser: conn.read().unwrap(),
        dryrun: conn.read().unwrap(),
    };
    let dflint = run_dflint(&[dflint_case(user, tokens, query)], "shrink").remove(0);
    (server, dflint)
}

/// Smaller variants of a rule line: one token dropped, or one rule dropped from a selector.
fn shrink_candidates(tokens: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let mut fewer = tokens.to_vec();
        fewer.remove(i);
        out.push(fewer);
    }
    for (i, token) in tokens.iter().enumerate() {
        if let Some(inner) = token.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            let rules: Vec<&str> = inner.split(' ').filter(|r| !r.is_empty()).collect();
            for j in 0..rules.len() {
                let mut kept = rules.clone();
                kept.remove(j);
                let mut smaller = tokens.to_vec();
                smaller[i] = format!("({})", kept.join(" "));
                out.push(smaller);
            }
        }
    }
    out
}

fn shrink(conn: &mut Resp, tokens: &[String], query: &[String]) -> Vec<String> {
    let mut current = tokens.to_vec();
    'outer: loop {
        for candidate in shrink_candidates(&current) {
            let (server, dflint) = run_one(conn, &candidate, query);
            if disagreement(&server, &dflint).is_some() {
                current = candidate;
                continue 'outer;
            }
        }
        return current;
    }
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim().replace('_', "");
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
}

fn quote(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains([' ', '"', '\\']) {
                format!("{w:?}")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn acl_engine_agrees_with_redis_server() {
    let started = Instant::now();
    let seed = env_number("DFLINT_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let wanted = env_number("DFLINT_DIFF_CASES").unwrap_or(DEFAULT_CASES as u64) as usize;
    let lines = wanted.div_ceil(QUERIES_PER_LINE).max(1);

    let (server, mut conn) = start_server(None);
    let version = redis_version(&mut conn);
    assert!(
        version.starts_with("7.0."),
        "redis-server {version} found; dflint's Redis tables describe Redis 7.0.15 (Debian's \
         redis-server package): install that version (apt-get install -y redis-server)"
    );

    // Generate everything first, so the cases depend on the seed only.
    let mut rng = Rng::new(seed);
    let rule_lines: Vec<Vec<String>> = (0..lines).map(|_| rule_line(&mut rng)).collect();
    let cases: Vec<Case> = (0..lines)
        .flat_map(|line| (0..QUERIES_PER_LINE).map(move |_| line))
        .map(|line| Case {
            line,
            query: query_for(&mut rng, &rule_lines[line]),
        })
        .collect();

    // The server, pipelined in batches of rule lines.
    let mut answers: Vec<ServerAnswer> = Vec::with_capacity(cases.len());
    for batch in (0..lines).collect::<Vec<_>>().chunks(BATCH) {
        for &line in batch {
            let user = format!("u{line}");
            conn.send(&setuser_args(&user, &rule_lines[line])).unwrap();
            conn.send(&["ACL", "GETUSER", &user]).unwrap();
            for case in &cases[line * QUERIES_PER_LINE..(line + 1) * QUERIES_PER_LINE] {
                conn.send(&dryrun_args(&user, &case.query)).unwrap();
            }
            conn.send(&["ACL", "DELUSER", &user]).unwrap();
        }
        conn.flush().unwrap();
        for _ in batch {
            let setuser = conn.read().expect("SETUSER reply");
            let getuser = conn.read().expect("GETUSER reply");
            for _ in 0..QUERIES_PER_LINE {
                answers.push(ServerAnswer {
                    setuser: setuser.clone(),
                    getuser: getuser.clone(),
                    dryrun: conn.read().expect("DRYRUN reply"),
                });
            }
            let _ = conn.read().expect("DELUSER reply");
        }
    }

    // dflint, once for everything.
    let inputs: Vec<Value> = cases
        .iter()
        .map(|c| dflint_case(&format!("u{}", c.line), &rule_lines[c.line], &c.query))
        .collect();
    let verdicts = run_dflint(&inputs, "all");

    // Compare.
    let mut disagreements = 0;
    let mut reported = std::collections::BTreeSet::new();
    let mut stats = std::collections::BTreeMap::<&str, usize>::new();
    for (index, ((case, server), dflint)) in cases.iter().zip(&answers).zip(&verdicts).enumerate() {
        let kind = match (&server.setuser, &server.dryrun) {
            (Reply::Error(_), _) => "rules rejected",
            (_, Reply::Status(_)) => "allowed",
            (_, Reply::Bulk(Some(b))) if b.ends_with(b"command") => "denied on command",
            (_, Reply::Bulk(Some(b))) if b.ends_with(b"key") => "denied on key",
            (_, Reply::Bulk(Some(b))) if b.ends_with(b"channel") => "denied on channel",
            _ => "command error",
        };
        *stats.entry(kind).or_default() += 1;
        let Some(why) = disagreement(server, dflint) else {
            continue;
        };
        disagreements += 1;
        // Details (and shrinking) for the first disagreement of a rule line only.
        if reported.len() >= MAX_REPORTED || !reported.insert(case.line) {
            continue;
        }
        let tokens = &rule_lines[case.line];
        eprintln!(
            "\nDISAGREEMENT #{} (seed {seed:#x}, case {index}): {why}\n  \
             rules:  ACL SETUSER u{} {}\n  query:  ACL DRYRUN u{} {}\n  server: {}\n  dflint: {dflint}",
            disagreements,
            case.line,
            quote(tokens),
            case.line,
            quote(&case.query),
            server.show(),
        );
        let minimal = shrink(&mut conn, tokens, &case.query);
        let (server, dflint) = run_one(&mut conn, &minimal, &case.query);
        eprintln!(
            "  minimal case: ACL SETUSER x {}\n                ACL DRYRUN x {}\n  server: {}\n  \
             dflint: {dflint}\n  ({})",
            quote(&minimal),
            quote(&case.query),
            server.show(),
            disagreement(&server, &dflint).unwrap_or_else(|| "no longer disagrees".into()),
        );
    }
    drop(server);
    let summary: Vec<String> = stats.iter().map(|(k, v)| format!("{v} {k}")).collect();
    println!(
        "redis differential: {} cases, {disagreements} disagreements (seed {seed:#x}; redis-server \
         {version}; {lines} rule lines; {}; {:.1} s)",
        cases.len(),
        summary.join(", "),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        disagreements,
        0,
        "dflint disagrees with redis-server {version} on {disagreements} of {} cases (seed \
         {seed:#x}; rerun with DFLINT_DIFF_SEED={seed:#x})",
        cases.len()
    );
}

// ---------------------------------------------------------------------------------------------
// ACL files
// ---------------------------------------------------------------------------------------------

/// ACL files tried by [`acl_files_agree_with_redis_server`].
const FILE_CASES: usize = 400;

/// Tokens that only make sense in an ACL file: quotes are ordinary characters there (Redis
/// 7.0 splits a file line on single spaces, unlike `redis-cli`), tabs separate rules only
/// inside selectors, and a selector may be reopened before it is closed.
const FILE_ODD_TOKENS: &[&str] = &[
    "\">p w\"",
    "'~a'",
    "\"~a\"",
    "~a\t+get",
    "\t+get",
    "+get\t",
    "(~a\t+get)",
    "(\t~app:*\t+set\t)",
    "(\"~a\" +get)",
    "(\"~a +get)",
    "(~a (+get +set)",
    "(~a (+get) +set)",
];

/// One file line for `user`: generated rules, joined by one space mostly, sometimes by two
/// spaces or a tab, with file-only oddities, surrounding blanks and `\r`.
fn file_line(rng: &mut Rng, user: &str) -> (String, Vec<String>) {
    let mut tokens = rule_line(rng);
    if rng.chance(25) {
        let at = rng.below(tokens.len() + 1);
        tokens.insert(at, rng.pick(FILE_ODD_TOKENS).to_string());
    }
    let mut line = String::new();
    if rng.chance(10) {
        line.push_str(rng.pick(&[" ", "\t", "  "]));
    }
    line.push_str(if rng.chance(3) { "USER" } else { "user" });
    line.push_str(if rng.chance(3) { "  " } else { " " });
    line.push_str(user);
    for token in &tokens {
        line.push_str(match rng.below(100) {
            0..=5 => "  ",
            6..=8 => "\t",
            9..=10 => " \t",
            _ => " ",
        });
        line.push_str(token);
    }
    if rng.chance(10) {
        line.push_str(rng.pick(&[" ", "\t", "\r", " \r"]));
    }
    (line, tokens)
}

/// Whether a file line leaves a selector open. Redis 7.0.15 crashes (SIGSEGV in
/// `ACLLoadFromFile`: `ACLMergeSelectorArguments` returns NULL and the rules loop still reads
/// it) on `ACL LOAD` of such a line when a rule precedes the selector, so such files are not
/// sent to the server; dflint reports them as rejected, and the SETUSER test covers unmatched
/// parentheses.
fn leaves_selector_open(line: &str) -> bool {
    let mut open = false;
    for piece in line
        .trim_matches([' ', '\t', '\r', '\n'])
        .split(' ')
        .skip(2)
    {
        if piece.starts_with('(') && !piece.ends_with(')') {
            open = true;
        } else if open && piece.ends_with(')') {
            open = false;
        }
    }
    open
}

/// A whole file: a line for `u0`, sometimes another user, a second `u0` line (which Redis
/// 7.0 refuses) or blank lines.
fn acl_file(rng: &mut Rng) -> (String, Vec<String>) {
    loop {
        let (text, tokens) = any_acl_file(rng);
        if !text.split('\n').any(leaves_selector_open) {
            return (text, tokens);
        }
    }
}

fn any_acl_file(rng: &mut Rng) -> (String, Vec<String>) {
    let (first, tokens) = file_line(rng, "u0");
    let mut lines = vec![first];
    if rng.chance(15) {
        lines.push(file_line(rng, "u1").0);
    }
    if rng.chance(8) {
        lines.push(file_line(rng, "u0").0);
    }
    if rng.chance(8) {
        let at = rng.below(lines.len() + 1);
        lines.insert(at, String::new());
    }
    let mut text = lines.join("\n");
    if rng.chance(50) {
        text.push('\n');
    }
    (text, tokens)
}

/// The ACL-file path of the parser (splitting, trimming, selector merging, duplicate users)
/// against `ACL LOAD` of a real server: each generated file is loaded and, when the server
/// accepts it, `u0` is queried with ACL DRYRUN.
#[test]
fn acl_files_agree_with_redis_server() {
    let seed = env_number("DFLINT_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("redis-differential-{}.acl", std::process::id()));
    std::fs::write(&path, "").expect("ACL file");
    let (server, mut conn) = start_server(Some(&path));

    let mut rng = Rng::new(seed ^ 0xF11E);
    let mut files = Vec::new();
    let mut answers = Vec::new();
    let mut inputs = Vec::new();
    for _ in 0..FILE_CASES {
        let (text, tokens) = acl_file(&mut rng);
        std::fs::write(&path, &text).expect("ACL file");
        let load = conn.call(&["ACL", "LOAD"]).expect("ACL LOAD");
        let queries: Vec<Vec<String>> = (0..2).map(|_| query_for(&mut rng, &tokens)).collect();
        conn.send(&["ACL", "GETUSER", "u0"]).unwrap();
        for q in &queries {
            conn.send(&dryrun_args("u0", q)).unwrap();
        }
        conn.flush().unwrap();
        let getuser = conn.read().expect("GETUSER reply");
        for q in &queries {
            answers.push(ServerAnswer {
                setuser: load.clone(),
                getuser: getuser.clone(),
                dryrun: conn.read().expect("DRYRUN reply"),
            });
            inputs.push(json!({
                "acl": text,
                "dialect": "redis",
                "user": "u0",
                "command": q[0],
                "args": &q[1..],
            }));
            files.push((text.clone(), q.clone()));
        }
    }
    drop(server);
    let _ = std::fs::remove_file(&path);
    let verdicts = run_dflint(&inputs, "files");

    let mut disagreements = 0;
    let mut accepted = 0;
    for (index, (server, dflint)) in answers.iter().zip(&verdicts).enumerate() {
        accepted += usize::from(matches!(server.setuser, Reply::Status(_)));
        let Some(why) = disagreement(server, dflint) else {
            continue;
        };
        disagreements += 1;
        if disagreements <= MAX_REPORTED {
            let (text, query) = &files[index];
            eprintln!(
                "\nFILE DISAGREEMENT #{disagreements} (seed {seed:#x}, case {index}): {why}\n  \
                 file:   {text:?}\n  query:  ACL DRYRUN u0 {}\n  server: ACL LOAD {}; {}\n  \
                 dflint: {dflint}",
                quote(query),
                server.setuser,
                server.show(),
            );
        }
    }
    println!(
        "redis ACL files: {} cases over {FILE_CASES} files ({accepted} cases loaded by the \
         server), {disagreements} disagreements (seed {seed:#x})",
        answers.len(),
    );
    assert_eq!(
        disagreements, 0,
        "dflint disagrees with ACL LOAD of redis-server (seed {seed:#x})"
    );
}
