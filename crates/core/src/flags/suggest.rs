//! "Did you mean": the closest real flag for a misspelt or unknown one.
//!
//! Only flags of one release are candidates (the newest, or the one an image runs). The query
//! is normalised (leading dashes dropped, ASCII lower-case, `-` → `_`). A flag whose
//! name matches it exactly, or once underscores are removed from both (`max-memory` →
//! `maxmemory`), wins outright — retired flags included, since they are still accepted.
//! Otherwise a non-retired flag is a candidate when
//! * its optimal-string-alignment distance (Levenshtein plus adjacent transpositions) is within
//!   a budget that grows with the query length (0 up to 2 chars, 1 up to 5, 2 up to 9, else 3), or
//! * one name contains the other, the contained one has at least 4 characters and covers at
//!   least half of the longer one (`oom_deny_ratio` → `rss_oom_deny_ratio`, `maxmem` →
//!   `maxmemory`, `requirepassword` → `requirepass`).
//!
//! The candidate with the smallest distance wins; ties go to the smaller length difference,
//! then to the name that sorts first. No candidate → `None`.

use super::{all, newest_release, Release};

/// The closest flag of the newest release to `name`, or `None` when nothing is reasonably
/// close.
pub fn suggest(name: &str) -> Option<&'static str> {
    suggest_for(name, newest_release())
}

/// Remembered answers, by query and release.
type Answers = std::collections::HashMap<(Box<str>, Release), Option<&'static str>>;

/// The closest flag that `release` accepts to `name`, or `None` when nothing is reasonably
/// close.
pub fn suggest_for(name: &str, release: Release) -> Option<&'static str> {
    // The same misspelling recurs in CR after CR, and the rules that ask judge one CR at a
    // time: remember the answers (a bounded number, so hostile input cannot grow it).
    const REMEMBERED: usize = 4096;
    thread_local! {
        static ANSWERS: std::cell::RefCell<Answers> =
            std::cell::RefCell::default();
    }
    let key: (Box<str>, Release) = (name.into(), release);
    if let Some(answer) = ANSWERS.with(|a| a.borrow().get(&key).copied()) {
        return answer;
    }
    let answer = closest(name, release);
    ANSWERS.with(|a| {
        let mut answers = a.borrow_mut();
        if answers.len() >= REMEMBERED {
            answers.clear();
        }
        answers.insert(key, answer);
    });
    answer
}

fn closest(name: &str, release: Release) -> Option<&'static str> {
    let query: Vec<u8> = name
        .trim_start_matches('-')
        .bytes()
        .map(|b| {
            if b == b'-' {
                b'_'
            } else {
                b.to_ascii_lowercase()
            }
        })
        .collect();
    if query.is_empty() {
        return None;
    }
    let squashed_query: Vec<u8> = query.iter().copied().filter(|&b| b != b'_').collect();
    let query_letters = letter_counts(&query);

    let mut best: Option<(usize, usize, &'static str)> = None;
    let mut candidate = Vec::with_capacity(64);
    let mut scratch = Vec::new();
    for flag in all().iter().filter(|f| f.in_release(release)) {
        candidate.clear();
        candidate.extend(flag.name.bytes().map(|b| b.to_ascii_lowercase()));
        if candidate == query
            || candidate
                .iter()
                .copied()
                .filter(|&b| b != b'_')
                .eq(squashed_query.iter().copied())
        {
            return Some(flag.name);
        }
        if flag.retired_in(release) {
            continue;
        }
        let budget = budget(query.len());
        let covered = covers(&query, &candidate);
        // The distance is at least the length difference: skip hopeless candidates early.
        if !covered
            && (query.len().abs_diff(candidate.len()) > budget
                || bag_distance(&query_letters, &candidate) > budget)
        {
            continue;
        }
        let distance = osa_distance(&query, &candidate, &mut scratch);
        if distance > budget && !covered {
            continue;
        }
        let key = (distance, query.len().abs_diff(candidate.len()), flag.name);
        if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
            best = Some(key);
        }
    }
    best.map(|(_, _, name)| name)
}

/// Edit budget for a query of `len` characters.
fn budget(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=5 => 1,
        6..=9 => 2,
        _ => 3,
    }
}

/// How often each byte occurs, bytes past ASCII folded onto it (flag names are ASCII; a
/// fold only makes the bound below looser, never wrong).
fn letter_counts(name: &[u8]) -> [i16; 128] {
    let mut counts = [0i16; 128];
    for &b in name {
        counts[usize::from(b & 127)] += 1;
    }
    counts
}

/// A lower bound of the edit distance, from the letters alone: each edit adds, removes or
/// swaps out at most one letter of either side, and a transposition none. Most flags are
/// ruled out by it for the price of counting letters, where the distance itself costs a
/// table of length × length (the rules ask for a suggestion per unknown flag of every CR).
fn bag_distance(query: &[i16; 128], candidate: &[u8]) -> usize {
    let mut counts = *query;
    for &b in candidate {
        counts[usize::from(b & 127)] -= 1;
    }
    let (mut surplus, mut missing) = (0usize, 0usize);
    for count in counts {
        if count > 0 {
            surplus += count as usize;
        } else {
            missing += count.unsigned_abs() as usize;
        }
    }
    surplus.max(missing)
}

/// One name contains the other, and the contained part is substantial.
fn covers(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 4
        && short.len() * 2 >= long.len()
        && long.windows(short.len()).any(|w| w == short)
}

/// Optimal string alignment distance (insert, delete, substitute, swap adjacent), keeping
/// only the three rows the recurrence needs, in a reused buffer.
pub(crate) fn osa_distance(a: &[u8], b: &[u8], scratch: &mut Vec<usize>) -> usize {
    let width = b.len() + 1;
    scratch.clear();
    scratch.resize(3 * width, 0);
    let (mut before, mut previous, mut current) = (0, width, 2 * width);
    for (j, cell) in scratch[previous..previous + width].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        scratch[current] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (scratch[previous + j] + 1)
                .min(scratch[current + j - 1] + 1)
                .min(scratch[previous + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(scratch[before + j - 2] + 1);
            }
            scratch[current + j] = d;
        }
        (before, previous, current) = (previous, current, before);
    }
    scratch[previous + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_examples() {
        assert_eq!(suggest("oom_deny_ratio"), Some("rss_oom_deny_ratio"));
        assert_eq!(suggest("maxmem"), Some("maxmemory"));
        assert_eq!(suggest("requirepas"), Some("requirepass"));
    }

    #[test]
    fn typos_case_and_separators() {
        assert_eq!(suggest("requirepassword"), Some("requirepass"));
        assert_eq!(suggest("max-memory"), Some("maxmemory"));
        assert_eq!(suggest("max_memory"), Some("maxmemory"));
        assert_eq!(suggest("MAXMEMORY"), Some("maxmemory"));
        assert_eq!(suggest("--maxmemroy"), Some("maxmemory"));
        assert_eq!(suggest("maxsearchresults"), Some("MAXSEARCHRESULTS"));
        assert_eq!(suggest("snapshot-cron"), Some("snapshot_cron"));
        assert_eq!(suggest("snapshot_corn"), Some("snapshot_cron"));
        assert_eq!(suggest("memcache_port"), Some("memcached_port"));
        assert_eq!(suggest("prot"), Some("port"));
        assert_eq!(suggest("admin-port"), Some("admin_port"));
        assert_eq!(suggest("proactor_thread"), Some("proactor_threads"));
        assert_eq!(suggest("dbfilname"), Some("dbfilename"));
        assert_eq!(suggest("tls_cert"), Some("tls_cert_file"));
    }

    #[test]
    fn exact_names_suggest_themselves() {
        assert_eq!(suggest("maxmemory"), Some("maxmemory"));
        assert_eq!(
            suggest("tiered_storage_write_depth"),
            Some("tiered_storage_write_depth")
        );
    }

    #[test]
    fn nonsense_gets_nothing() {
        for q in [
            "",
            "-",
            "--",
            "x",
            "zz",
            "xyzzy",
            "foobar",
            "hello_world",
            "qwertyuiop",
            "appendonly",
            "save",
            "kubernetes",
        ] {
            assert_eq!(suggest(q), None, "{q}");
        }
    }

    #[test]
    fn retired_flags_are_not_fuzzy_suggestions() {
        // Closer to the retired `tiered_storage_write_depth` by spelling, but that one is
        // ignored by v1.40.1.
        assert_ne!(
            suggest("tiered_storage_write_depths"),
            Some("tiered_storage_write_depth")
        );
        // `shard_repl_backlog_len` is live in v1.40.1 (journal_slice.cc:20@v1.40.1).
        assert_eq!(
            suggest("shard_repl_backlog_lens"),
            Some("shard_repl_backlog_len")
        );
    }

    #[test]
    fn suggestions_are_flags_of_the_release() {
        let r = |t: &str| Release::parse(t).unwrap();
        // Removed in v1.40.0: not suggested for the newest release, itself before.
        assert_eq!(
            suggest_for("oom_deny_ratio", r("v1.40.1")),
            Some("rss_oom_deny_ratio")
        );
        assert_eq!(
            suggest_for("oom-deny-ratio", r("v1.25.0")),
            Some("oom_deny_ratio")
        );
        // `rename_command` exists up to v1.39.0 only.
        assert_eq!(
            suggest_for("rename_comand", r("v1.39.0")),
            Some("rename_command")
        );
        assert_ne!(
            suggest_for("rename_comand", r("v1.40.1")),
            Some("rename_command")
        );
    }

    #[test]
    fn distance() {
        assert_eq!(osa_distance(b"abc", b"abc", &mut Vec::new()), 0);
        assert_eq!(osa_distance(b"abc", b"acb", &mut Vec::new()), 1);
        assert_eq!(osa_distance(b"", b"abc", &mut Vec::new()), 3);
        assert_eq!(osa_distance(b"kitten", b"sitting", &mut Vec::new()), 3);
    }
}
