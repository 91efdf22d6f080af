//! ACL engine benchmarks (run by `scripts/bench`; release mode):
//! 1. effective permissions of 1,000 users over the full command table (target ≤ 20 ms);
//! 2. dry-run throughput (target ≥ 1,000,000 queries/s);
//! 3. pairwise intersection of 1,000 key patterns (target ≤ 200 ms).

use dflint_core::acl::dryrun::dry_run;
use dflint_core::acl::eval::evaluate;
use dflint_core::acl::glob::Glob;
use dflint_core::acl::parse::parse_file;
use dflint_core::acl::Dialect;
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const CATEGORIES: &[&str] = &[
    "+@read",
    "+@write",
    "+@connection",
    "-@dangerous",
    "+@all",
    "-@admin",
    "+@string",
    "+@hash",
    "+@list",
    "-@keyspace",
    "+@pubsub",
    "+@json",
];
const COMMANDS: &[&str] = &[
    "+get",
    "+set",
    "-flushall",
    "+info",
    "-keys",
    "+client",
    "-scan",
    "+hset",
    "+config",
    "-debug",
];
const QUERIES: &[&[&str]] = &[
    &["get", "app:1"],
    &["set", "cache:x", "v"],
    &["hset", "app:h", "f", "v"],
    &["mget", "app:1", "cache:2", "other"],
    &["flushall"],
    &["keys", "*"],
    &["publish", "news.1", "hi"],
    &["config", "get", "maxmemory"],
    &["client", "list"],
    &["lpush", "queue:1", "x"],
];

fn acl_text(users: usize, rng: &mut Rng) -> String {
    let mut text = String::from("user default off -@all\n");
    for i in 0..users {
        let mut line = format!("user u{i} on #9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ~tenant{i}:* ~shared:{}*", i % 7);
        for _ in 0..4 {
            line.push(' ');
            line.push_str(rng.pick(CATEGORIES));
        }
        for _ in 0..3 {
            line.push(' ');
            line.push_str(rng.pick(COMMANDS));
        }
        line.push_str(&format!(" &chan{}.*\n", i % 11));
        text.push_str(&line);
    }
    text
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn main() {
    let mut rng = Rng(0xACE5_u64);
    let text = acl_text(1_000, &mut rng);

    let parse = best_of(20, || parse_file(&text, Dialect::Dragonfly));
    let file = parse_file(&text, Dialect::Dragonfly);
    assert!(!file.rejected(), "the benchmark ACL must load");
    let effective = best_of(20, || evaluate(&file));
    println!(
        "1,000 users: parse {:.2} ms, effective permissions {:.2} ms (target <= 20 ms for the permissions)",
        parse.as_secs_f64() * 1e3,
        effective.as_secs_f64() * 1e3
    );

    let (users, _) = evaluate(&file);
    let argvs: Vec<Vec<&[u8]>> = QUERIES
        .iter()
        .map(|q| q.iter().map(|a| a.as_bytes()).collect())
        .collect();
    let queries = 1_000_000usize;
    let start = Instant::now();
    let mut allowed = 0usize;
    for i in 0..queries {
        let user = &users[i % users.len()];
        let argv = &argvs[i % argvs.len()];
        if dry_run(user, Dialect::Dragonfly, argv).is_ok_and(|v| v.allowed) {
            allowed += 1;
        }
    }
    let elapsed = start.elapsed();
    println!(
        "dry-run: {queries} queries in {:.0} ms = {:.2} M queries/s ({allowed} allowed) (target >= 1 M/s)",
        elapsed.as_secs_f64() * 1e3,
        queries as f64 / elapsed.as_secs_f64() / 1e6
    );

    let patterns: Vec<String> = (0..1_000)
        .map(|i| match i % 5 {
            0 => format!("tenant{i}:*"),
            1 => format!("shared:{}*", i % 13),
            2 => format!("*:{i}"),
            3 => format!("app:[a-f]{i}?*"),
            _ => format!("cache:{}:*:x", i % 17),
        })
        .collect();
    let mut overlapping = 0usize;
    let intersect = best_of(3, || {
        let globs: Vec<Glob> = patterns.iter().map(|p| Glob::new(p.as_bytes())).collect();
        overlapping = 0;
        for (i, a) in globs.iter().enumerate() {
            for b in &globs[i + 1..] {
                if a.intersects(b) {
                    overlapping += 1;
                }
            }
        }
        overlapping
    });
    println!(
        "pairwise intersection of 1,000 key patterns (499,500 pairs, {overlapping} overlap): {:.1} ms (target <= 200 ms)",
        intersect.as_secs_f64() * 1e3
    );

    // Worst cases of the matcher, moved here from a timing test: a 2,200-token pattern
    // against 100 KB, and `*a{500}ba{500}*` against 100 KB of `a` (the naive segment search
    // would be quadratic).
    let text = b"tenant123:".repeat(10_000);
    let long = Glob::new(&[&b"*t*e*n*a*n*t*:*1*2*3*:"[..]; 100].concat());
    let mut hit = false;
    let elapsed = best_of(3, || {
        hit = long.matches(&text);
        hit
    });
    println!(
        "2,200-token pattern against 100 KB: {:.2} ms (match: {hit})",
        elapsed.as_secs_f64() * 1e3
    );
    let many_a = vec![b'a'; 100_000];
    let needle = Glob::new(&[&b"*"[..], &[b'a'; 500], b"b", &[b'a'; 500], b"*"].concat());
    let elapsed = best_of(3, || {
        hit = needle.matches(&many_a);
        hit
    });
    println!(
        "`*a{{500}}ba{{500}}*` against 100 KB of `a`: {:.2} ms (match: {hit})",
        elapsed.as_secs_f64() * 1e3
    );
}
