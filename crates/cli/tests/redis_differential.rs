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
//! * asks `ACL DRYRUN u<N> <command> <args…>` for several random queries; about one query in
//!   ten ([`DEFAULT_USER_PERCENT`]) asks `ACL DRYRUN default …` instead, about the built-in
//!   `default` user, which the test never touches (`on nopass ~* &* +@all`, checked at start);
//! * deletes the user (`ACL DELUSER`), so no state leaks from one line to the next.
//!
//! All of this is pipelined. Every (rule line, query) pair is one case; all cases go to one
//! `dflint acl can --cases FILE.jsonl` process, whose answers are compared with the server:
//! SETUSER rejected ⇔ `{"error": "ACL rejected…"}`; DRYRUN `OK` ⇔ `allowed`; "no permissions
//! to run the 'x' command" / "access the 'k' key" / "access the 'c' channel" ⇔ `denied_on`
//! command/key/channel with that `item`; "Command 'x' not found" ⇔ an `unknown command`
//! error; "wrong number of arguments for 'x' command" ⇔ the same error; and `user_enabled`
//! ⇔ the `on`/`off` flag of ACL GETUSER (of `default` for the queries about it).
//!
//! The ACL text given to dflint is the ACL-file line `user u<N> <tokens joined by one space>`,
//! also for the queries about `default` (`"user": "default"`; the text has no `user default`
//! line, so dflint must answer for the built-in user, and reject the query when Redis rejects
//! the line, as it would reject the whole file).
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
//! * users other than fresh `u<N>` and the untouched built-in `default` (`ACL SETUSER` on
//!   existing users, a `user default` line: rules only ever start from a fresh user, as in an
//!   ACL file; the ACL-file test below loads files without `default` only);
//! * `acl-pubsub-default allchannels` (the server runs with the Redis 7 default,
//!   `resetchannels`, which is what dflint's Redis dialect models);
//! * tokens with whitespace, quotes or NUL bytes (an ACL file splits on spaces, so such
//!   tokens cannot be written the same way to both sides).

mod support;

use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use support::resp::{Reply, Resp};
use support::server::{start_redis_7_0, start_server};
use support::vocab::{
    acl_line, env_number, quote, rule_line, setuser_args, Rng, CHANNELS, KEYS, KEY_PATTERNS,
};

/// The default seed; any other seed can be given with `DFLINT_DIFF_SEED`.
const DEFAULT_SEED: u64 = 0x00D1_F11E_5EED_7015;
const DEFAULT_CASES: usize = 10_000;
const QUERIES_PER_LINE: usize = 4;
/// Queries about the built-in `default` user instead of the rule line's user, in percent.
const DEFAULT_USER_PERCENT: usize = 10;
/// Rule lines per pipelined batch.
const BATCH: usize = 256;
/// Rule lines whose (first) disagreement is shown in detail and shrunk (all are counted).
const MAX_REPORTED: usize = 12;

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

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
    /// The query is about the built-in `default` user, not about `u<line>`.
    on_default: bool,
    query: Vec<String>,
}

impl Case {
    /// The user the query is about.
    fn target(&self) -> String {
        if self.on_default {
            "default".into()
        } else {
            format!("u{}", self.line)
        }
    }
}

/// dflint's case: the ACL text is the file line of `user` (the rule line); the query is about
/// `target`, which is `user` or the built-in `default` (no `user default` line).
fn dflint_case(user: &str, tokens: &[String], query: &[String], target: &str) -> Value {
    json!({
        "acl": acl_line(user, tokens),
        "dialect": "redis",
        "user": target,
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

fn dryrun_args(user: &str, query: &[String]) -> Vec<String> {
    let mut args = vec!["ACL".to_string(), "DRYRUN".into(), user.into()];
    args.extend(query.iter().cloned());
    args
}

/// Both sides for one rule line and one query (used while shrinking); the query is about
/// the rule line's user, or about `default` when `on_default`.
fn run_one(
    conn: &mut Resp,
    tokens: &[String],
    query: &[String],
    on_default: bool,
) -> (ServerAnswer, Value) {
    let user = "shrink";
    let target = if on_default { "default" } else { user };
    conn.send(&["ACL", "DELUSER", user]).unwrap();
    conn.send(&setuser_args(user, tokens)).unwrap();
    conn.send(&["ACL", "GETUSER", target]).unwrap();
    conn.send(&dryrun_args(target, query)).unwrap();
    conn.flush().unwrap();
    let _ = conn.read().unwrap();
    let server = ServerAnswer {
        setuser: conn.read().unwrap(),
        getuser: conn.read().unwrap(),
        dryrun: conn.read().unwrap(),
    };
    let dflint = run_dflint(&[dflint_case(user, tokens, query, target)], "shrink").remove(0);
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

fn shrink(conn: &mut Resp, tokens: &[String], query: &[String], on_default: bool) -> Vec<String> {
    let mut current = tokens.to_vec();
    'outer: loop {
        for candidate in shrink_candidates(&current) {
            let (server, dflint) = run_one(conn, &candidate, query, on_default);
            if disagreement(&server, &dflint).is_some() {
                current = candidate;
                continue 'outer;
            }
        }
        return current;
    }
}

#[test]
fn acl_engine_agrees_with_redis_server() {
    let started = Instant::now();
    let seed = env_number("DFLINT_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let wanted = env_number("DFLINT_DIFF_CASES").unwrap_or(DEFAULT_CASES as u64) as usize;
    let lines = wanted.div_ceil(QUERIES_PER_LINE).max(1);

    let (server, mut conn, version) = start_redis_7_0();
    // The built-in `default` user, never touched by the test.
    let default_getuser = conn.call(&["ACL", "GETUSER", "default"]).expect("GETUSER");
    assert_eq!(
        default_getuser.to_string(),
        "[\"flags\", [\"on\", \"nopass\"], \"passwords\", [], \"commands\", \"+@all\", \"keys\", \
         \"~*\", \"channels\", \"&*\", \"selectors\", []]",
        "a fresh redis-server's default user is `on nopass ~* &* +@all`"
    );

    // Generate everything first, so the cases depend on the seed only.
    let mut rng = Rng::new(seed);
    let rule_lines: Vec<Vec<String>> = (0..lines).map(|_| rule_line(&mut rng)).collect();
    let cases: Vec<Case> = (0..lines)
        .flat_map(|line| (0..QUERIES_PER_LINE).map(move |_| line))
        .map(|line| Case {
            line,
            on_default: rng.chance(DEFAULT_USER_PERCENT),
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
                conn.send(&dryrun_args(&case.target(), &case.query))
                    .unwrap();
            }
            conn.send(&["ACL", "DELUSER", &user]).unwrap();
        }
        conn.flush().unwrap();
        for &line in batch {
            let setuser = conn.read().expect("SETUSER reply");
            let getuser = conn.read().expect("GETUSER reply");
            for case in &cases[line * QUERIES_PER_LINE..(line + 1) * QUERIES_PER_LINE] {
                answers.push(ServerAnswer {
                    setuser: setuser.clone(),
                    getuser: if case.on_default {
                        default_getuser.clone()
                    } else {
                        getuser.clone()
                    },
                    dryrun: conn.read().expect("DRYRUN reply"),
                });
            }
            let _ = conn.read().expect("DELUSER reply");
        }
    }

    // dflint, once for everything.
    let inputs: Vec<Value> = cases
        .iter()
        .map(|c| {
            let user = format!("u{}", c.line);
            dflint_case(&user, &rule_lines[c.line], &c.query, &c.target())
        })
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
        if case.on_default {
            *stats.entry("about the default user").or_default() += 1;
        }
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
             rules:  ACL SETUSER u{} {}\n  query:  ACL DRYRUN {} {}\n  server: {}\n  dflint: {dflint}",
            disagreements,
            case.line,
            quote(tokens),
            case.target(),
            quote(&case.query),
            server.show(),
        );
        let minimal = shrink(&mut conn, tokens, &case.query, case.on_default);
        let (server, dflint) = run_one(&mut conn, &minimal, &case.query, case.on_default);
        eprintln!(
            "  minimal case: ACL SETUSER x {}\n                ACL DRYRUN {} {}\n  server: {}\n  \
             dflint: {dflint}\n  ({})",
            quote(&minimal),
            if case.on_default { "default" } else { "x" },
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
