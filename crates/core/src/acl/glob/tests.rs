//! Tests: a line-by-line port of Redis' matcher serves as the oracle for `matches`, and brute
//! force over all short strings serves as the oracle for `intersects`, `witness` and `subsumes`.

use super::*;

/// Port of `stringmatchlen_impl` (Redis `src/util.c`, Dragonfly `src/core/glob_matcher.cc`),
/// `nocase = 0`, kept as close to the C as Rust allows: same control flow, same pointer moves,
/// reads past the end see the NUL terminator, ranges compare as signed `char` (x86-64).
/// Deliberately independent of the tokenizer, so the two can disagree.
mod reference {
    pub(super) fn stringmatchlen(pattern: &[u8], string: &[u8]) -> bool {
        let mut skip = false;
        imp(
            pattern,
            0,
            pattern.len() as isize,
            string,
            0,
            string.len() as isize,
            &mut skip,
        )
    }

    fn imp(
        p: &[u8],
        mut pi: usize,
        mut plen: isize,
        s: &[u8],
        mut si: usize,
        mut slen: isize,
        skip: &mut bool,
    ) -> bool {
        let pat = |k: usize| p.get(k).copied().unwrap_or(0);
        let signed = |b: u8| i32::from(b as i8);
        while plen != 0 && slen != 0 {
            match pat(pi) {
                b'*' => {
                    while plen != 0 && pat(pi + 1) == b'*' {
                        pi += 1;
                        plen -= 1;
                    }
                    if plen == 1 {
                        return true;
                    }
                    while slen != 0 {
                        if imp(p, pi + 1, plen - 1, s, si, slen, skip) {
                            return true;
                        }
                        if *skip {
                            return false;
                        }
                        si += 1;
                        slen -= 1;
                    }
                    *skip = true;
                    return false;
                }
                b'?' => {
                    si += 1;
                    slen -= 1;
                }
                b'[' => {
                    pi += 1;
                    plen -= 1;
                    let not = pat(pi) == b'^';
                    if not {
                        pi += 1;
                        plen -= 1;
                    }
                    let mut matched = false;
                    loop {
                        if pat(pi) == b'\\' && plen >= 2 {
                            pi += 1;
                            plen -= 1;
                            if pat(pi) == s[si] {
                                matched = true;
                            }
                        } else if pat(pi) == b']' {
                            break;
                        } else if plen == 0 {
                            pi -= 1;
                            plen += 1;
                            break;
                        } else if plen >= 3 && pat(pi + 1) == b'-' {
                            let (mut start, mut end) = (signed(pat(pi)), signed(pat(pi + 2)));
                            let c = signed(s[si]);
                            if start > end {
                                std::mem::swap(&mut start, &mut end);
                            }
                            pi += 2;
                            plen -= 2;
                            if c >= start && c <= end {
                                matched = true;
                            }
                        } else if pat(pi) == s[si] {
                            matched = true;
                        }
                        pi += 1;
                        plen -= 1;
                    }
                    if not {
                        matched = !matched;
                    }
                    if !matched {
                        return false;
                    }
                    si += 1;
                    slen -= 1;
                }
                c => {
                    if c == b'\\' && plen >= 2 {
                        pi += 1;
                        plen -= 1;
                    }
                    if pat(pi) != s[si] {
                        return false;
                    }
                    si += 1;
                    slen -= 1;
                }
            }
            pi += 1;
            plen -= 1;
            if slen == 0 {
                while pat(pi) == b'*' {
                    pi += 1;
                    plen -= 1;
                }
                break;
            }
        }
        plen == 0 && slen == 0
    }
}

/// xorshift64*: deterministic, dependency-free randomness for the differential tests.
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

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

// ---------------------------------------------------------------------------------------------
// Redis semantics of `matches`.

#[test]
fn redis_semantics_table() {
    #[rustfmt::skip]
    let cases: &[(&[u8], &[u8], bool)] = &[
        // empty pattern / empty text: a non-empty pattern never matches "" (redis#15643)
        (b"", b"", true), (b"", b"a", false), (b"*", b"", false), (b"**", b"", false),
        (b"?", b"", false), (b"[^a]", b"", false),
        // stars
        (b"*", b"a", true), (b"*", b"abc", true), (b"a*", b"a", true), (b"a**", b"a", true),
        (b"*a", b"a", true), (b"*a", b"ba", true), (b"*a", b"ab", false), (b"a*b", b"ab", true),
        (b"a*b", b"axxb", true), (b"a*b", b"axxbc", false), (b"*a*", b"bab", true),
        (b"*a*", b"bbb", false), (b"a*a", b"a", false), (b"a*a", b"aa", true),
        (b"***a***", b"xa", true), (b"a*b*c", b"abbbc", true), (b"a*b*c", b"acb", false),
        // `?`, literals, case
        (b"?", b"a", true), (b"?", b"ab", false), (b"??", b"ab", true), (b"a?c", b"abc", true),
        (b"a?c", b"ac", false), (b"A", b"a", false), (b"abc", b"abc", true), (b"abc", b"abd", false),
        // escapes, trailing backslash
        (b"\\*", b"*", true), (b"\\*", b"a", false), (b"\\?", b"?", true), (b"\\?", b"a", false),
        (b"a\\", b"a\\", true), (b"a\\", b"a", false), (b"\\", b"\\", true), (b"\\\\", b"\\", true),
        (b"\\a", b"a", true), (b"\\[a]", b"[a]", true), (b"\\[a]", b"a", false),
        // classes, negation, ranges (reversed ranges = forward ones)
        (b"[abc]", b"b", true), (b"[abc]", b"d", false), (b"[^abc]", b"d", true),
        (b"[^abc]", b"a", false), (b"[a-c]", b"b", true), (b"[c-a]", b"b", true),
        (b"[c-a]", b"d", false), (b"[a-c]x", b"bx", true), (b"[a^]", b"^", true),
        (b"[?]", b"?", true), (b"[?]", b"a", false), (b"[*]", b"*", true), (b"[*]", b"a", false),
        // `]` right after `[`/`[^` closes the class
        (b"[]", b"a", false), (b"[]", b"]", false), (b"[]a]", b"a]", false), (b"[]a]", b"]a]", false),
        (b"[^]", b"x", true), (b"[^]", b"]", true), (b"[^]a", b"xa", true),
        // unterminated class runs to the end of the pattern
        (b"[ab", b"a", true), (b"[ab", b"b", true), (b"[ab", b"[", false), (b"x[ab", b"xb", true),
        (b"[", b"[", false), (b"[^", b"z", true), (b"[^", b"zz", false),
        (b"[a-", b"-", true), (b"[a-", b"a", true), (b"[a-", b"b", false),
        // `-` first or last is literal; `x-]` is a range ending at `]`
        (b"[-a]", b"-", true), (b"[-a]", b"a", true), (b"[-a]", b"b", false),
        (b"[a-c-e]", b"d", false), (b"[a-c-e]", b"-", true), (b"[a-c-e]", b"e", true),
        (b"[a-]", b"a", true), (b"[a-]", b"]", true), (b"[a-]", b"^", true), (b"[a-]", b"-", false),
        (b"[a-]b", b"b", true), (b"[a-]b", b"ab", false),
        // escapes inside classes; `\` as a range bound is not an escape
        (b"[\\]]", b"]", true), (b"[\\]]", b"\\", false), (b"[a\\-z]", b"-", true),
        (b"[a\\-z]", b"b", false), (b"[+-\\]", b"A", true), (b"[+-\\]", b"]", false),
        (b"[a\\", b"\\", true), (b"[a\\", b"a", true), (b"[\\", b"\\", true),
        // ranges compare as signed char: 0x80..=0xFF sort below 0x00
        (b"[a-\xff]", b"\xff", true), (b"[a-\xff]", b"\x00", true), (b"[a-\xff]", b"b", false),
        (b"[a-\xff]", b"\x80", false), (b"[\x80-\xff]", b"\x90", true), (b"[\x00-\xff]", b"a", false),
        (b"[\x00-\xff]", b"\xff", true), (b"[\x00-\x7f]", b"a", true),
        // binary-safe
        (b"a\x00b", b"a\x00b", true), (b"a?b", b"a\x00b", true), (b"*\x00", b"xx\x00", true),
    ];
    for &(pattern, text, expected) in cases {
        assert_eq!(
            reference::stringmatchlen(pattern, text),
            expected,
            "reference port disagrees with the table on {} ~ {}",
            show(pattern),
            show(text)
        );
        assert_eq!(
            matches(pattern, text),
            expected,
            "{} ~ {}",
            show(pattern),
            show(text)
        );
    }
}

#[test]
fn matches_agrees_with_reference_port_on_random_inputs() {
    const PATTERN_BYTES: &[u8] = b"ab*?[]^-\\z\x80\xff";
    const TEXT_BYTES: &[u8] = b"ab*?[]^-\\zc\x80\xff\x00";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..200_000 {
        let pattern: Vec<u8> = (0..rng.below(11))
            .map(|_| *rng.pick(PATTERN_BYTES))
            .collect();
        let text: Vec<u8> = (0..rng.below(9)).map(|_| *rng.pick(TEXT_BYTES)).collect();
        assert_eq!(
            matches(&pattern, &text),
            reference::stringmatchlen(&pattern, &text),
            "{} ~ {}",
            show(&pattern),
            show(&text)
        );
    }
}

#[test]
fn matches_agrees_with_reference_port_on_matching_texts() {
    // Random texts rarely match; build texts from the patterns' own witnesses, then mutate them.
    const PATTERN_BYTES: &[u8] = b"ab*?[]^-\\c";
    let mut rng = Rng(42);
    for _ in 0..50_000 {
        let pattern: Vec<u8> = (0..rng.below(12))
            .map(|_| *rng.pick(PATTERN_BYTES))
            .collect();
        let glob = Glob::new(&pattern);
        let Some(mut text) = glob.witness(&Glob::new(b"*")) else {
            continue;
        };
        for _ in 0..rng.below(3) {
            let at = rng.below(text.len() + 1);
            text.insert(at, *rng.pick(b"abc*"));
        }
        assert_eq!(
            glob.matches(&text),
            reference::stringmatchlen(&pattern, &text),
            "{} ~ {}",
            show(&pattern),
            show(&text)
        );
    }
}

#[test]
fn match_all_and_literal_prefix() {
    for all in [&b"*"[..], b"**", b"?*", b"*?", b"*?*", b"*[^]", b"[^]*"] {
        assert!(Glob::new(all).is_match_all(), "{}", show(all));
    }
    for not in [
        &b""[..],
        b"?",
        b"??*",
        b"*a",
        b"a*",
        b"*[^a]",
        b"*[\x00-\xff]",
        b"\\*",
        b"[*]",
    ] {
        assert!(!Glob::new(not).is_match_all(), "{}", show(not));
    }
    assert_eq!(Glob::new(b"app:*").literal_prefix(), b"app:");
    assert_eq!(Glob::new(b"a\\*b?").literal_prefix(), b"a*b");
    assert_eq!(Glob::new(b"[x]y[^a]").literal_prefix(), b"xy");
    assert_eq!(Glob::new(b"abc").literal_prefix(), b"abc");
    assert_eq!(Glob::new(b"*abc").literal_prefix(), b"");
    assert_eq!(Glob::new(b"a*").min_len(), 1);
    assert_eq!(Glob::new(b"a*").max_len(), None);
    assert_eq!(Glob::new(b"a[bc]\\?").max_len(), Some(3));
    assert!(Glob::new(b"x[]").matches_nothing());
    assert!(!Glob::new(b"x[^]").matches_nothing());
}

// ---------------------------------------------------------------------------------------------
// Intersection, witness, subsumption.

fn assert_witness(a: &[u8], b: &[u8], expected: Option<&[u8]>) {
    let found = witness(a, b);
    assert_eq!(
        found.as_deref(),
        expected,
        "witness({}, {})",
        show(a),
        show(b)
    );
    assert_eq!(
        intersects(a, b),
        expected.is_some(),
        "intersects({}, {})",
        show(a),
        show(b)
    );
    assert_eq!(
        intersects(b, a),
        expected.is_some(),
        "intersects({}, {})",
        show(b),
        show(a)
    );
}

#[test]
fn intersection_cases() {
    assert_witness(b"app:*", b"app:x*", Some(b"app:x"));
    assert_witness(b"a*", b"b*", None);
    assert_witness(b"*x", b"y*", Some(b"yx"));
    assert_witness(b"a?c", b"ab", None);
    assert_witness(b"*:session", b"cache:*", Some(b"cache:session"));
    assert_witness(b"*.json", b"*.xml", None);
    assert_witness(b"user:?", b"user:??", None);
    assert_witness(b"", b"", Some(b""));
    assert_witness(b"", b"*", None);
    assert_witness(b"*", b"*", Some(b"a"));
    assert_witness(b"x[]", b"*", None);
    assert_witness(b"[ab", b"*b", Some(b"b"));
    assert_witness(b"\\*", b"[*]", Some(b"*"));
    assert_witness(b"app:[0-9]*", b"app:x*", None);

    // `[a-c]?` vs `?[^a-z]`: two bytes, the first in a..c, the second not a lowercase letter.
    let w = witness(b"[a-c]?", b"?[^a-z]").expect("they overlap");
    assert_eq!(w.len(), 2);
    assert!(
        matches(b"[a-c]?", &w) && matches(b"?[^a-z]", &w),
        "{}",
        show(&w)
    );

    let w = witness(b"*a*", b"*b*").expect("they overlap");
    assert!(w == b"ab" || w == b"ba", "{}", show(&w));
}

#[test]
fn subsumption_cases() {
    let yes: &[(&[u8], &[u8])] = &[
        (b"app:*", b"app:x*"),
        (b"*", b"anything"),
        (b"*", b"?"),
        (b"?*", b"*"),
        (b"a*", b"a"),
        (b"[a-c]", b"b"),
        (b"*x*", b"*x"),
        (b"", b""),
        (b"abc", b"x[]"),
        (b"*a*", b"*a*a*"),
    ];
    for &(a, b) in yes {
        assert_eq!(subsumes(a, b), Some(true), "{} ⊇ {}", show(a), show(b));
    }
    let no: &[(&[u8], &[u8])] = &[
        (b"app:x*", b"app:*"),
        (b"a*", b"b*"),
        (b"", b"*"),
        (b"*", b""),
        (b"*a", b"*"),
        (b"[ab]", b"?"),
        (b"*a*a*", b"*a*"),
        (b"a*b", b"a*"),
    ];
    for &(a, b) in no {
        assert_eq!(subsumes(a, b), Some(false), "{} ⊇ {}", show(a), show(b));
    }
    // `*a?…?` needs a state per combination of recent `a`s: when the answer depends on all of
    // them, the budget answers None rather than guessing.
    let hard = [&b"*a"[..], &[b'?'; 16]].concat();
    let harder = [&b"*a[ab]"[..], &[b'?'; 15]].concat();
    assert_eq!(subsumes(&hard, b"*"), Some(false)); // "a" is a counterexample
    assert_eq!(subsumes(&hard, &hard), Some(true)); // same tokens
    assert_eq!(subsumes(&hard, &harder), None);
}

/// Token vocabulary for the exhaustive checks. The byte classes it can tell apart are `a`, `b`,
/// `*` and everything else, so strings over `{a, b, *, c}` cover every behaviour.
const VOCABULARY: [&[u8]; 7] = [b"a", b"b", b"*", b"?", b"[ab]", b"[^a]", b"\\*"];
const STRING_ALPHABET: [u8; 4] = *b"ab*c";
const MAX_STRING: usize = 6;

/// All strings over [`STRING_ALPHABET`] up to [`MAX_STRING`] bytes, shortest first.
fn all_strings() -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    let mut start = 0;
    for _ in 0..MAX_STRING {
        let end = out.len();
        for i in start..end {
            for &c in &STRING_ALPHABET {
                let mut s = out[i].clone();
                s.push(c);
                out.push(s);
            }
        }
        start = end;
    }
    out
}

struct Oracle {
    strings: Vec<Vec<u8>>,
}

impl Oracle {
    /// Which of the strings the pattern matches, by the reference port.
    fn row(&self, pattern: &[u8]) -> Vec<u64> {
        let mut bits = vec![0u64; self.strings.len().div_ceil(64)];
        for (k, s) in self.strings.iter().enumerate() {
            if reference::stringmatchlen(pattern, s) {
                bits[k / 64] |= 1 << (k % 64);
            }
        }
        bits
    }

    /// Checks intersects/witness (and, optionally, subsumes) of one pair against brute force.
    fn check(&self, (a, row_a): (&[u8], &[u64]), (b, row_b): (&[u8], &[u64]), subsumption: bool) {
        let (ga, gb) = (Glob::new(a), Glob::new(b));
        let first_common = row_a.iter().zip(row_b).enumerate().find_map(|(w, (x, y))| {
            let both = x & y;
            (both != 0).then(|| w * 64 + both.trailing_zeros() as usize)
        });
        let ctx = || format!("{} vs {}", show(a), show(b));
        assert_eq!(
            ga.intersects(&gb),
            first_common.is_some(),
            "intersects: {}",
            ctx()
        );
        let w = ga.witness(&gb);
        assert_eq!(w.is_some(), first_common.is_some(), "witness: {}", ctx());
        if let (Some(w), Some(k)) = (w, first_common) {
            assert!(
                reference::stringmatchlen(a, &w) && reference::stringmatchlen(b, &w),
                "witness {} does not match both: {}",
                show(&w),
                ctx()
            );
            assert_eq!(
                w.len(),
                self.strings[k].len(),
                "witness {} is not shortest: {}",
                show(&w),
                ctx()
            );
        }
        if subsumption {
            let brute = row_b.iter().zip(row_a).all(|(y, x)| y & !x == 0);
            assert_eq!(ga.subsumes(&gb), Some(brute), "subsumes: {}", ctx());
        }
    }
}

#[test]
fn intersection_is_exact_on_all_small_patterns() {
    // Every pattern of up to 3 tokens: a shortest common string then has at most 6 bytes (each
    // consuming move of the product advances a byte position of at least one side), so brute
    // force over all strings up to 6 bytes is an exact oracle.
    let mut patterns: Vec<Vec<u8>> = vec![Vec::new()];
    let mut layer = vec![Vec::new()];
    for _ in 0..3 {
        let mut next = Vec::new();
        for p in &layer {
            for t in VOCABULARY {
                next.push([p.as_slice(), t].concat());
            }
        }
        patterns.extend(next.iter().cloned());
        layer = next;
    }
    assert_eq!(patterns.len(), 1 + 7 + 49 + 343);
    let oracle = Oracle {
        strings: all_strings(),
    };
    let rows: Vec<Vec<u64>> = patterns.iter().map(|p| oracle.row(p)).collect();
    for (i, a) in patterns.iter().enumerate() {
        for (j, b) in patterns.iter().enumerate() {
            oracle.check((a, &rows[i]), (b, &rows[j]), true);
        }
    }
}

#[test]
fn intersection_is_exact_on_random_longer_patterns() {
    // Longer patterns, still with at most 6 byte positions between the two sides, so that the
    // brute-force oracle stays exact for intersection (subsumption counterexamples may be
    // longer, so it is not checked here).
    let oracle = Oracle {
        strings: all_strings(),
    };
    let mut rng = Rng(7);
    fn pattern(rng: &mut Rng, positions: usize) -> Vec<u8> {
        let mut p = Vec::new();
        let mut left = positions;
        while left > 0 {
            let t = *rng.pick(&VOCABULARY);
            if t != b"*" {
                left -= 1;
            }
            p.extend_from_slice(t);
        }
        if rng.below(2) == 0 {
            p.push(b'*');
        }
        p
    }
    let mut rows = std::collections::HashMap::new();
    for _ in 0..2_500 {
        let na = rng.below(7);
        let nb = rng.below(7 - na);
        let (a, b) = (pattern(&mut rng, na), pattern(&mut rng, nb));
        for p in [&a, &b] {
            rows.entry(p.clone()).or_insert_with(|| oracle.row(p));
        }
        oracle.check((&a, &rows[&a]), (&b, &rows[&b]), false);
    }
}

#[test]
fn narrow_and_wide_products_agree() {
    // The bitmask product (|b| < 64) against the cell-by-cell one, on random token sequences
    // including empty classes, which patterns rejected early never bring to the product.
    let vocabulary: [&[u8]; 9] = [
        b"a", b"b", b"*", b"?", b"[ab]", b"[^a]", b"[]", b"c", b"[a-c]",
    ];
    let mut rng = Rng(99);
    for _ in 0..100_000 {
        let side = |rng: &mut Rng, max: usize| -> Vec<u8> {
            (0..rng.below(max))
                .flat_map(|_| rng.pick(&vocabulary).to_vec())
                .collect()
        };
        let (a, b) = (side(&mut rng, 10), side(&mut rng, 64));
        let (ta, tb) = (parse::tokenize(&a), parse::tokenize(&b));
        if tb.len() >= 64 {
            continue;
        }
        assert_eq!(
            product::reachable_narrow(&ta, &tb),
            product::reachable_wide(&ta, &tb),
            "{} vs {}",
            show(&a),
            show(&b)
        );
        assert_eq!(
            product::reachable_narrow(&ta, &tb),
            product::shortest(&ta, &tb).is_some()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs: results only (timing is the perf smoke's business).

#[test]
fn pathological_inputs() {
    let many_a = vec![b'a'; 100_000];
    let mut many_a_then_b = many_a.clone();
    many_a_then_b.push(b'b');

    let mut stars_a = vec![b'*'; 1000];
    stars_a.push(b'a');
    assert!(matches(&stars_a, &many_a));
    assert!(!matches(&stars_a, &many_a_then_b));
    assert!(matches(&vec![b'*'; 1000], &many_a));

    let mut a_star_b: Vec<u8> = b"a*".repeat(1000);
    a_star_b.push(b'b');
    assert!(!matches(&a_star_b, &many_a));
    assert!(matches(&a_star_b, &many_a_then_b));

    let mut star_run_b = b"*".to_vec();
    star_run_b.extend([b'a'; 1000]);
    star_run_b.push(b'b');
    assert!(!matches(&star_run_b, &many_a));
    assert!(matches(&star_run_b, &many_a_then_b));

    let mut star_run_star_b = star_run_b.clone();
    star_run_star_b.insert(star_run_b.len() - 1, b'*');
    assert!(matches(&star_run_star_b, &many_a_then_b));
    assert!(!matches(&star_run_star_b, &many_a));

    let questions = vec![b'?'; 100_000];
    assert!(matches(&questions, &many_a));
    assert!(!matches(&questions, &many_a_then_b));
    assert!(matches(&b"[a-z]".repeat(2000), &many_a[..2000]));
    assert!(!matches(&b"[^a]*".repeat(1000), &many_a));

    // Big products: 2,001 × 2,001 states.
    let a_stars = b"a*".repeat(1000);
    assert!(intersects(&a_star_b, &a_stars));
    assert!(!intersects(&a_star_b, b"a*c"));
    let w = witness(&a_star_b, &a_stars).expect("overlap");
    assert_eq!(w.len(), 1001);
    assert!(matches(&a_star_b, &w) && matches(&a_stars, &w));
    assert!(!intersects(&b"*a".repeat(1000), &b"*b".repeat(1000)));
    let (a_then_star, b_then_star) = (
        [b"*a".repeat(1000), b"*".to_vec()].concat(),
        [b"*b".repeat(1000), b"*".to_vec()].concat(),
    );
    assert!(intersects(&a_then_star, &b_then_star));
    assert_eq!(subsumes(&vec![b'*'; 1000], &a_star_b), Some(true));
}
