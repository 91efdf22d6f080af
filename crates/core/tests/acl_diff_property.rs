//! `acl diff` checked against the dry-run engine on thousands of generated ACL pairs of both
//! dialects: every (user, query) whose verdict differs between OLD and NEW is reported by the
//! diff (the user is added, removed or changed, and the entry names the command or a key,
//! channel or other change), and everything the diff reports as a change in effect comes with
//! a query whose verdict really differs. NEW is mostly OLD with a few edits (the shape of a
//! pull request), sometimes a reordering, sometimes unrelated.

use dflint_core::acl::commands::Dialect;
use dflint_core::acl::diff::{diff, AclDiff, Status, Version};
use dflint_core::acl::dryrun::{dry_run, resolve};
use dflint_core::acl::eval::{evaluate, EffectiveUser};
use dflint_core::acl::parse::parse_file;

/// xorshift64*: deterministic, so a failure names a seed that reproduces it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SHARED: &[&str] = &[
    "on",
    "off",
    "nopass",
    ">pw1",
    ">pw2",
    "~app:*",
    "~other:*",
    "~a*",
    "~b?",
    "~[ab]*",
    "~*",
    "allkeys",
    "resetkeys",
    "&news*",
    "&*",
    "resetchannels",
    "+@all",
    "-@all",
    "allcommands",
    "nocommands",
    "+@read",
    "-@read",
    "+@write",
    "-@write",
    "+@dangerous",
    "-@dangerous",
    "+@keyspace",
    "-@keyspace",
    "+@pubsub",
    "-@pubsub",
    "+get",
    "-get",
    "+set",
    "-set",
    "+keys",
    "-keys",
    "+flushall",
    "+publish",
    "+subscribe",
    "+select",
    "+info",
    "-info",
    "+config",
];

const REDIS_ONLY: &[&str] = &[
    "%R~app:*",
    "%W~other:*",
    "%R~*",
    "+config|get",
    "-config|set",
    "+select|1",
    "(~b* +get)",
    "(%R~other:* +@read)",
    "clearselectors",
];

const DRAGONFLY_ONLY: &[&str] = &["$1", "$all"];

fn line(rng: &mut Rng, name: &str, dialect: Dialect) -> Vec<String> {
    let mut tokens = vec!["user".to_string(), name.to_string()];
    let count = 2 + rng.below(6);
    for _ in 0..count {
        let extra = match dialect {
            Dialect::Redis => REDIS_ONLY,
            Dialect::Dragonfly => DRAGONFLY_ONLY,
        };
        let token = if rng.below(5) == 0 {
            rng.pick(extra)
        } else {
            rng.pick(SHARED)
        };
        tokens.push(token.to_string());
    }
    tokens
}

fn text(lines: &[Vec<String>]) -> String {
    lines.iter().map(|l| l.join(" ") + "\n").collect()
}

/// A pull-request-like edit: change, add or remove tokens, reorder a line, add or drop a
/// user.
fn edit(rng: &mut Rng, lines: &[Vec<String>], dialect: Dialect) -> Vec<Vec<String>> {
    let mut out = lines.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(7) {
            0 if out.len() > 1 => {
                let i = rng.below(out.len());
                out.remove(i);
            }
            1 => {
                let name = ["u4", "u5"][rng.below(2)];
                if !out.iter().any(|l| l[1] == name) {
                    out.push(line(rng, name, dialect));
                }
            }
            2 => {
                // Same tokens, other order after the name.
                let i = rng.below(out.len());
                let rules = &mut out[i][2..];
                for k in (1..rules.len()).rev() {
                    let j = rng.below(k + 1);
                    rules.swap(k, j);
                }
            }
            3 => {
                let i = rng.below(out.len());
                let at = 2 + rng.below(out[i].len() - 1);
                let token = rng.pick(SHARED).to_string();
                out[i].insert(at, token);
            }
            4 => {
                let i = rng.below(out.len());
                if out[i].len() > 4 {
                    let at = 2 + rng.below(out[i].len() - 2);
                    out[i].remove(at);
                }
            }
            _ => {
                let i = rng.below(out.len());
                let at = 2 + rng.below(out[i].len() - 2);
                out[i][at] = rng.pick(SHARED).to_string();
            }
        }
    }
    out
}

const QUERIES: &[&str] = &[
    "GET app:1",
    "GET other:1",
    "GET a",
    "GET b1",
    "GET x",
    "SET app:1 v",
    "SET other:1 v",
    "SET ab v",
    "DEL app:1",
    "DEL zz",
    "KEYS *",
    "SCAN 0",
    "FLUSHALL",
    "FLUSHDB",
    "PUBLISH news1 m",
    "PUBLISH x m",
    "SUBSCRIBE news",
    "INFO",
    "CONFIG GET maxmemory",
    "CONFIG SET maxmemory 1",
    "SELECT 1",
    "SELECT 0",
    "EXISTS app:1 other:1",
    "MSET app:1 v app:2 v",
    "HGET app:h f",
    "PING",
];

fn users_of(
    text: &str,
    dialect: Dialect,
) -> Option<(dflint_core::acl::parse::AclFile, Vec<EffectiveUser>)> {
    let file = parse_file(text, dialect);
    if file.rejected() {
        return None;
    }
    let (users, errors) = evaluate(&file);
    errors.is_empty().then_some((file, users))
}

fn verdict(user: Option<&EffectiveUser>, dialect: Dialect, query: &str) -> Option<bool> {
    let words: Vec<&[u8]> = query
        .split(' ')
        .map(|w| if w == "\"\"" { &b""[..] } else { w.as_bytes() })
        .collect();
    let user = user?;
    dry_run(user, dialect, &words).ok().map(|v| v.allowed)
}

fn check(seed: u64, dialect: Dialect, old: &str, new: &str) -> usize {
    let (Some((old_file, old_users)), Some((new_file, new_users))) =
        (users_of(old, dialect), users_of(new, dialect))
    else {
        return 0;
    };
    let result: AclDiff = diff(
        Version {
            file: &old_file,
            users: &old_users,
        },
        Version {
            file: &new_file,
            users: &new_users,
        },
    );
    let context = || format!("seed {seed} {dialect:?}\nOLD:\n{old}NEW:\n{new}");
    let find = |users: &[EffectiveUser], name: &str| users.iter().find(|u| u.name == name).cloned();
    let fresh = |name: &str| EffectiveUser::fresh(name, dialect);
    let mut differing = 0;
    for entry in &result.users {
        let before = find(&old_users, &entry.user).unwrap_or_else(|| fresh(&entry.user));
        let after = find(&new_users, &entry.user).unwrap_or_else(|| fresh(&entry.user));
        // Nothing the diff reports as changed in effect is unchanged.
        for (query, now_allowed) in entry.examples() {
            assert_eq!(
                verdict(Some(&before), dialect, query),
                Some(!now_allowed),
                "{}: example `{query}` of `{}` is not {} before\n{}",
                "diff claims a change",
                entry.user,
                if now_allowed { "denied" } else { "allowed" },
                context()
            );
            assert_eq!(
                verdict(Some(&after), dialect, query),
                Some(now_allowed),
                "example `{query}` of `{}`\n{}",
                entry.user,
                context()
            );
        }
        // Every query whose verdict differs is reported.
        for query in QUERIES {
            let (Some(was), Some(is)) = (
                verdict(Some(&before), dialect, query),
                verdict(Some(&after), dialect, query),
            ) else {
                continue;
            };
            if was == is {
                continue;
            }
            differing += 1;
            assert!(
                matches!(
                    entry.status,
                    Status::Added | Status::Removed | Status::Changed
                ),
                "`{query}` flips for `{}` but the diff says {:?}\n{}",
                entry.user,
                entry.status,
                context()
            );
            let words: Vec<&[u8]> = query.split(' ').map(str::as_bytes).collect();
            let name = resolve(dialect, &words).expect("known command").0.name;
            let explained = entry.names_command(name)
                || entry.keys.iter().any(|k| k.query.is_some())
                || entry.channels.iter().any(|c| c.query.is_some())
                || !entry.other.is_empty();
            assert!(
                explained,
                "`{query}` flips for `{}` but no entry of the diff explains it: {entry:#?}\n{}",
                entry.user,
                context()
            );
        }
        if entry.status == Status::NoChangeInEffect || entry.status == Status::Unchanged {
            assert!(entry.examples().next().is_none(), "{}", context());
        }
    }
    differing
}

fn run(dialect: Dialect, seed: u64, pairs: usize) {
    let mut rng = Rng(seed);
    let mut checked = 0;
    let mut differing = 0;
    for i in 0..pairs {
        let names = ["default", "u1", "u2", "u3"];
        let count = 1 + rng.below(names.len());
        let old: Vec<Vec<String>> = names[..count]
            .iter()
            .map(|n| line(&mut rng, n, dialect))
            .collect();
        let new = if rng.below(10) == 0 {
            names[..1 + rng.below(names.len())]
                .iter()
                .map(|n| line(&mut rng, n, dialect))
                .collect()
        } else {
            edit(&mut rng, &old, dialect)
        };
        let found = check(seed * 100_000 + i as u64, dialect, &text(&old), &text(&new));
        checked += usize::from(users_of(&text(&old), dialect).is_some());
        differing += found;
    }
    eprintln!("{dialect:?}: {checked} of {pairs} pairs load; {differing} differing verdicts");
    // The generator must produce loadable pairs whose verdicts really differ, or the test
    // checks nothing.
    assert!(checked > pairs / 3, "only {checked} of {pairs} pairs load");
    assert!(differing > pairs, "only {differing} differing verdicts");
}

#[test]
fn dragonfly_diff_reports_exactly_the_changed_verdicts() {
    run(Dialect::Dragonfly, 17, 2500);
}

#[test]
fn redis_diff_reports_exactly_the_changed_verdicts() {
    run(Dialect::Redis, 29, 1500);
}
