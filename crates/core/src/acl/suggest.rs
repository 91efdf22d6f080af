//! `acl suggest`: the least-privilege ACL rule for what an application sends, proven with the
//! dry-run engine before it is shown.
//!
//! The input is what the application runs: command lines, `MONITOR` output or an `ACL LOG`
//! dump (see [`read_commands`]). The rule grants exactly the commands seen (`-@all` then one
//! `+command` each), key patterns from the keys seen (each key's first segment: `cache:user:42`
//! gives `~cache:*`; read-only prefixes get `%R~`), and no channel unless a pub/sub command
//! names one. `KEYS` is never granted: it is `@dangerous` on both servers and walks the whole
//! keyspace at once; `SCAN … MATCH` in its place walks it in steps.

use super::classify::{dangerous_categories, is_dangerous, keys_unchecked};
use super::commands::{self, Command, Dialect};
use super::dryrun::{dry_run, resolve};
use super::eval::{command_index, evaluate, EffectiveUser};
use super::glob::{Glob, Outside};
use super::parse::parse_file;

/// One command line the application sends, with where it came from (1-based input line).
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub argv: Vec<Vec<u8>>,
    pub line: usize,
}

/// Reads command lines (`GET app:1`), `MONITOR` lines (`1700000000.1 [0 1.2.3.4:5] "get"
/// "app:1"`) and `ACL LOG` entries as redis-cli prints them (the `object` of an entry whose
/// `reason` is `command` is a command; `key`/`channel` entries name keys for the entry's
/// `context`-less command, so they are kept as `EXISTS key` reads). Blank lines and `#`
/// comments are skipped.
pub fn read_commands(text: &str) -> Vec<Observed> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let acl_log = text.contains("\"reason\"") && text.contains("\"object\"");
    if acl_log {
        return read_acl_log(&lines);
    }
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // MONITOR: `<time> [<db> <client>] "cmd" "arg" …`.
        let words = match line.find("] \"") {
            Some(at) if line.as_bytes()[0].is_ascii_digit() => quoted(&line[at + 2..]),
            _ => split(line),
        };
        if !words.is_empty() {
            out.push(Observed {
                argv: words,
                line: i + 1,
            });
        }
    }
    out
}

/// The `"…"`-quoted words of a line, with redis-cli's `\"` and `\\` escapes.
fn quoted(text: &str) -> Vec<Vec<u8>> {
    let mut words = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                }
                '"' => break,
                c => word.push(c),
            }
        }
        words.push(word.into_bytes());
    }
    words
}

/// Splits a command line on whitespace, keeping `"quoted words"` whole (also how `acl test`
/// reads the command lines of a spec).
pub(crate) fn split(line: &str) -> Vec<Vec<u8>> {
    let mut words = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut current).into_bytes());
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(current.into_bytes());
    }
    words
}

/// `ACL LOG` as redis-cli prints it: numbered `"field"` / value pairs per entry.
fn read_acl_log(lines: &[&str]) -> Vec<Observed> {
    let mut out = Vec::new();
    let values: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let words = quoted(l);
            words
                .last()
                .map(|w| (i + 1, String::from_utf8_lossy(w).into_owned()))
        })
        .collect();
    let mut reason = String::new();
    for pair in values.windows(2) {
        let ((_, field), (line, value)) = (&pair[0], &pair[1]);
        match field.as_str() {
            "reason" => reason = value.clone(),
            "object" if reason == "command" => out.push(Observed {
                argv: value
                    .split(['|', ' '])
                    .map(|w| w.as_bytes().to_vec())
                    .collect(),
                line: *line,
            }),
            "object" if reason == "key" => out.push(Observed {
                argv: vec![b"exists".to_vec(), value.as_bytes().to_vec()],
                line: *line,
            }),
            _ => {}
        }
    }
    out
}

/// One token of the suggested rule and why it is there.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reasoned {
    pub token: String,
    pub why: String,
}

/// One check of the proof.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Proof {
    pub check: String,
    pub holds: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Suggestion {
    pub user: String,
    /// The whole `user …` line, the password as a placeholder.
    pub rule: String,
    pub tokens: Vec<Reasoned>,
    /// Input lines that were not granted as they are, and why.
    pub notes: Vec<String>,
    pub proof: Vec<Proof>,
    /// Input lines that name no command the dialect knows.
    pub unknown: Vec<String>,
}

impl Suggestion {
    pub fn proven(&self) -> bool {
        self.proof.iter().all(|p| p.holds)
    }
}

/// The password placeholder of the rule: never a real password.
pub const PASSWORD_PLACEHOLDER: &str = ">${PASSWORD}";

fn show(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key pattern for a key: its first segment (through the first `:`, `/`, `.` or `|`)
/// then `*`; a key without a separator stands for itself (glob characters escaped).
fn pattern_of_key(key: &[u8]) -> Vec<u8> {
    match key.iter().position(|b| b":/.|".contains(b)) {
        Some(at) if at > 0 => {
            let mut p = escape(&key[..=at]);
            p.push(b'*');
            p
        }
        _ => escape(key),
    }
}

fn escape(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if b"*?[]\\".contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// Suggests the rule for `user` from what it sends; `others` are the users of the ACL it
/// joins (their keys must stay out of reach), if any.
pub fn suggest(
    dialect: Dialect,
    user: &str,
    observed: &[Observed],
    others: &[EffectiveUser],
) -> Suggestion {
    // (command, first line, why)
    let mut commands_used: Vec<(&'static Command, usize, String)> = Vec::new();
    // (pattern, read, write, first line)
    let mut patterns: Vec<(Vec<u8>, bool, bool, usize)> = Vec::new();
    let mut channels: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut notes = Vec::new();
    let mut unknown = Vec::new();
    let mut proven_queries: Vec<(Vec<Vec<u8>>, String)> = Vec::new();
    let keys_index = commands::lookup(dialect, "keys").map(|c| command_index(dialect, c));
    for seen in observed {
        let refs: Vec<&[u8]> = seen.argv.iter().map(Vec::as_slice).collect();
        let Ok((command, consumed)) = resolve(dialect, &refs) else {
            unknown.push(format!("line {}: `{}`", seen.line, show(&seen.argv)));
            continue;
        };
        let mut argv = seen.argv.clone();
        let mut command = command;
        let mut why = format!("`{}` (line {})", show(&seen.argv), seen.line);
        if Some(command_index(dialect, command)) == keys_index {
            // KEYS pattern → SCAN 0 MATCH pattern: same keys, found in steps.
            let pattern = argv.get(1).cloned().unwrap_or_else(|| b"*".to_vec());
            notes.push(format!(
                "line {}: `{}` becomes `SCAN 0 MATCH {} COUNT 100` (looped until the cursor is 0): KEYS is @dangerous (src/server/generic_family.cc:2705@v1.40.1) and walks every key of the database in one call, stalling every other client; SCAN (generic_family.cc:2712) returns a page per call. Neither is limited by key patterns (both are registered without key positions, generic_family.cc:2750,2761): SCAN still lists the name of every key in the database, other tenants' included, though not their values — keep tenants in their own NAMESPACE or `$<db>` if key names are sensitive",
                seen.line,
                show(&seen.argv),
                String::from_utf8_lossy(&pattern)
            ));
            let Some(scan) = commands::lookup(dialect, "scan") else {
                continue;
            };
            command = scan;
            why = format!(
                "in place of `{}` (line {}): see the note below",
                show(&seen.argv),
                seen.line
            );
            argv = vec![
                b"SCAN".to_vec(),
                b"0".to_vec(),
                b"MATCH".to_vec(),
                pattern.clone(),
                b"COUNT".to_vec(),
                b"100".to_vec(),
            ];
            patterns_add(
                &mut patterns,
                pattern_of_glob(&pattern),
                true,
                false,
                seen.line,
            );
        }
        if !commands_used
            .iter()
            .any(|(c, _, _)| std::ptr::eq(*c, command))
        {
            commands_used.push((command, seen.line, why));
        }
        let args: Vec<&[u8]> = argv.iter().skip(consumed).map(Vec::as_slice).collect();
        for (position, flags) in commands::keys_of(dialect, command, &args) {
            let (read, write) = commands::required_key_permissions(flags);
            let key = args[position];
            patterns_add(&mut patterns, pattern_of_key(key), read, write, seen.line);
        }
        if command.pubsub {
            for channel in args.iter().take(1) {
                if !channels.iter().any(|(c, _)| c.as_slice() == *channel) {
                    channels.push((channel.to_vec(), seen.line));
                }
            }
        }
        // SCAN's MATCH pattern is where its keys are meant to be.
        if command.name == "scan" {
            if let Some(at) = args.iter().position(|a| a.eq_ignore_ascii_case(b"match")) {
                if let Some(p) = args.get(at + 1) {
                    patterns_add(&mut patterns, pattern_of_glob(p), true, false, seen.line);
                }
            }
        }
        proven_queries.push((argv, format!("line {}", seen.line)));
    }
    // The rule: placeholder password, keys, channels, -@all, commands.
    let mut tokens = vec![Reasoned {
        token: PASSWORD_PLACEHOLDER.to_string(),
        why: "a password the application is given from a Secret; better written as `#<sha256>` in the file".to_string(),
    }];
    for (pattern, read, write, line) in &patterns {
        let prefix = match (read, write) {
            (true, false) => "%R~",
            (false, true) => "%W~",
            _ => "~",
        };
        tokens.push(Reasoned {
            token: format!("{prefix}{}", String::from_utf8_lossy(pattern)),
            why: format!(
                "the keys it {} (first at line {line})",
                match (read, write) {
                    (true, false) => "reads",
                    (false, true) => "writes",
                    _ => "reads and writes",
                }
            ),
        });
    }
    if channels.is_empty() {
        tokens.push(Reasoned {
            token: "resetchannels".to_string(),
            why: "no pub/sub channel".to_string(),
        });
    }
    for (channel, line) in &channels {
        tokens.push(Reasoned {
            token: format!("&{}", String::from_utf8_lossy(&escape(channel))),
            why: format!("the channel of line {line}"),
        });
    }
    tokens.push(Reasoned {
        token: "-@all".to_string(),
        why: "nothing but the commands below".to_string(),
    });
    for (command, _, why) in &commands_used {
        let name = match dialect {
            Dialect::Redis => command.name.to_string(),
            Dialect::Dragonfly => command.name.replace(' ', "|"),
        };
        tokens.push(Reasoned {
            token: format!("+{name}"),
            why: why.clone(),
        });
    }
    let rule = format!(
        "user {user} on {}",
        tokens
            .iter()
            .map(|t| t.token.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let proof = prove(dialect, user, &rule, &proven_queries, others);
    Suggestion {
        user: user.to_string(),
        rule,
        tokens,
        notes,
        proof,
        unknown,
    }
}

/// The pattern of a `KEYS`/`SCAN MATCH` glob: through the first separator of its literal
/// prefix, then `*`; the glob itself when it has no such prefix.
fn pattern_of_glob(glob: &[u8]) -> Vec<u8> {
    let compiled = Glob::new(glob);
    let prefix = compiled.literal_prefix();
    match prefix.iter().position(|b| b":/.|".contains(b)) {
        Some(at) if at > 0 => {
            let mut p = escape(&prefix[..=at]);
            p.push(b'*');
            p
        }
        _ => glob.to_vec(),
    }
}

fn patterns_add(
    patterns: &mut Vec<(Vec<u8>, bool, bool, usize)>,
    pattern: Vec<u8>,
    read: bool,
    write: bool,
    line: usize,
) {
    match patterns.iter_mut().find(|(p, _, _, _)| *p == pattern) {
        Some(found) => {
            found.1 |= read;
            found.2 |= write;
        }
        None => patterns.push((pattern, read, write, line)),
    }
}

/// Loads the rule (with a stand-in password) and checks it: every input query allowed;
/// every `@dangerous`/`@admin` command denied; the other users' keys, and keys outside the
/// rule's patterns, out of reach.
fn prove(
    dialect: Dialect,
    user: &str,
    rule: &str,
    queries: &[(Vec<Vec<u8>>, String)],
    others: &[EffectiveUser],
) -> Vec<Proof> {
    let text = format!(
        "{}\n",
        rule.replace(PASSWORD_PLACEHOLDER, ">a-stand-in-password-for-the-proof")
    );
    let file = parse_file(&text, dialect);
    let mut proof = Vec::new();
    if let Some(problem) = file.problems.first() {
        proof.push(Proof {
            check: format!("the server loads the rule ({})", problem.message),
            holds: false,
        });
        return proof;
    }
    let (users, _) = evaluate(&file);
    let Some(me) = users.iter().find(|u| u.name == user) else {
        return proof;
    };
    for (argv, from) in queries {
        let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let allowed = dry_run(me, dialect, &refs).is_ok_and(|v| v.allowed);
        proof.push(Proof {
            check: format!("`{}` is allowed ({from})", show(argv)),
            holds: allowed,
        });
    }
    let dangerous = dangerous_categories(dialect);
    let runs = |c: &Command| {
        me.permission_sets()
            .any(|p| p.allows(command_index(dialect, c)))
    };
    let risky: Vec<&str> = commands::all(dialect)
        .iter()
        .filter(|c| is_dangerous(dangerous, c) && runs(c))
        .map(|c| c.name)
        .collect();
    proof.push(Proof {
        check: if risky.is_empty() {
            "no @dangerous or @admin command is allowed (FLUSHALL, FLUSHDB, CONFIG, KEYS…)"
                .to_string()
        } else {
            format!(
                "@dangerous/@admin commands are allowed: {}",
                risky.join(", ")
            )
        },
        holds: risky.is_empty(),
    });
    let keyless: Vec<&str> = keys_unchecked(dialect)
        .into_iter()
        .filter(|(_, c)| runs(c))
        .map(|(_, c)| c.name)
        .collect();
    let wipes: Vec<&str> = keyless
        .iter()
        .copied()
        .filter(|n| matches!(*n, "flushall" | "flushdb" | "rm" | "move" | "swapdb"))
        .collect();
    proof.push(Proof {
        check: if wipes.is_empty() {
            "no command that wipes or moves keys regardless of patterns is allowed".to_string()
        } else {
            format!(
                "commands that wipe keys regardless of patterns are allowed: {}",
                wipes.join(", ")
            )
        },
        holds: wipes.is_empty(),
    });
    // Keys that are not this user's: one outside its patterns, and one of each other user.
    let mine: Vec<Glob> = me.root.keys.iter().map(|k| Glob::new(&k.pattern)).collect();
    let mine_refs: Vec<&Glob> = mine.iter().collect();
    let mut foreign: Vec<(Vec<u8>, String)> = Vec::new();
    if let Outside::Witness(key) = Glob::new(b"*").outside(&mine_refs) {
        foreign.push((key, "a key outside its patterns".to_string()));
    }
    for other in others.iter().filter(|o| o.name != user) {
        for grant in &other.root.keys {
            if let Outside::Witness(key) = Glob::new(&grant.pattern).outside(&mine_refs) {
                foreign.push((key, format!("a key of `{}`", other.name)));
                break;
            }
        }
    }
    let reader = commands_readable(dialect, me);
    for (key, whose) in foreign {
        let Some(reader) = reader else { break };
        let argv: Vec<&[u8]> = vec![reader.as_bytes(), &key];
        let denied = dry_run(me, dialect, &argv).is_ok_and(|v| !v.allowed);
        proof.push(Proof {
            check: format!(
                "`{} {}` is denied ({whose})",
                reader.to_ascii_uppercase(),
                key.escape_ascii()
            ),
            holds: denied,
        });
    }
    proof
}

/// A one-key command the user may run, to try keys with (GET, else EXISTS, else SET…).
fn commands_readable(dialect: Dialect, user: &EffectiveUser) -> Option<&'static str> {
    ["get", "exists", "del", "set", "strlen", "hget"]
        .into_iter()
        .find(|name| {
            commands::lookup(dialect, name).is_some_and(|c| {
                user.permission_sets()
                    .any(|p| p.allows(command_index(dialect, c)))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_004: &str = "GET cache:user:42\nSET cache:user:42 payload PX 3600000\nDEL cache:user:42\nEXISTS cache:user:42\nKEYS cache:user:*\n";

    #[test]
    fn the_seed_cache_service_gets_scan_not_keys() {
        let s = suggest(Dialect::Dragonfly, "cache", &read_commands(SEED_004), &[]);
        assert_eq!(
            s.rule,
            "user cache on >${PASSWORD} ~cache:* resetchannels -@all +get +set +del +exists +scan"
        );
        assert!(s.proven(), "{:#?}", s.proof);
        assert!(
            s.notes[0].contains("SCAN still lists the name of every key"),
            "{}",
            s.notes[0]
        );
        assert!(
            s.proof.iter().any(|p| p.check.starts_with("`GET ")
                && p.check.ends_with("is denied (a key outside its patterns)")),
            "{:#?}",
            s.proof
        );
        assert!(s
            .proof
            .iter()
            .any(|p| p.check == "`SCAN 0 MATCH cache:user:* COUNT 100` is allowed (line 5)"));
    }

    #[test]
    fn monitor_and_acl_log_inputs() {
        let monitor = "1700000000.123456 [0 10.0.0.5:51234] \"get\" \"app:1\"\n1700000000.2 [0 10.0.0.5:51234] \"hset\" \"app:h\" \"f\" \"v\"\n";
        let seen = read_commands(monitor);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].argv[0], b"hset");
        let log = "1)  1) \"count\"\n    2) (integer) 1\n    3) \"reason\"\n    4) \"command\"\n    5) \"context\"\n    6) \"toplevel\"\n    7) \"object\"\n    8) \"get\"\n";
        let seen = read_commands(log);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].argv, vec![b"get".to_vec()]);
    }

    #[test]
    fn read_only_keys_and_other_users() {
        let others = {
            let file = parse_file("user billing on >x ~billing:* +@all\n", Dialect::Dragonfly);
            evaluate(&file).0
        };
        let s = suggest(
            Dialect::Dragonfly,
            "reports",
            &read_commands("GET reports:1\nMGET reports:2 reports:3\n"),
            &others,
        );
        assert!(s.rule.contains(" %R~reports:* "), "{}", s.rule);
        assert!(s.proven(), "{:#?}", s.proof);
        assert!(
            s.proof
                .iter()
                .any(|p| p.check.contains("(a key of `billing`)")),
            "{:#?}",
            s.proof
        );
    }
}
