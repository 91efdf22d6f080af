//! A string one pattern matches and none of several others match: what a new key pattern adds
//! to the keys a user already had (`acl diff`), with an example to show.
//!
//! Pairwise subsumption is not enough here: `~a* ~b*` together cover `[ab]*` although neither
//! does alone. So the others are run together as one automaton: the state is, for every
//! pattern, the set of token boundaries it can be at (a pattern's automaton is small and
//! nondeterministic; the set is the usual subset construction, built lazily). A breadth-first
//! walk from the start finds the shortest string the first pattern accepts while every other
//! rejects it.
//!
//! Bytes are walked by class, not one by one: two bytes that every class of every pattern
//! treats alike lead to the same state, so one readable member per class stands for all.

use super::parse::{ByteSet, Token};
use super::Glob;
use std::collections::{HashMap, VecDeque};

/// What [`Glob::outside`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outside {
    /// A shortest string the pattern matches and none of the others does.
    Witness(Vec<u8>),
    /// Every string the pattern matches is matched by one of the others.
    Covered,
    /// The walk needed more states than allowed (adversarial patterns only).
    Unknown,
}

/// States [`Glob::outside`] may visit before answering [`Outside::Unknown`]. Ordinary ACL
/// patterns need a few dozen.
pub const OUTSIDE_BUDGET: usize = 20_000;

impl Glob {
    /// A string `self` matches that none of `others` matches (Redis semantics: a non-empty
    /// pattern never matches the empty string), or that there is none.
    pub fn outside(&self, others: &[&Glob]) -> Outside {
        self.outside_within(&[], others)
    }

    /// [`Glob::outside`] among the strings every pattern of `within` matches too: what a new
    /// pattern adds inside another user's key space.
    pub fn outside_within(&self, within: &[&Glob], others: &[&Glob]) -> Outside {
        let mut required = vec![self];
        required.extend_from_slice(within);
        if required.iter().any(|g| g.tokens.is_empty()) {
            // Only "" can match them all, and only an empty pattern matches "" too.
            let all_empty = required.iter().all(|g| g.tokens.is_empty());
            return if !all_empty || others.iter().any(|o| o.tokens.is_empty()) {
                Outside::Covered
            } else {
                Outside::Witness(Vec::new())
            };
        }
        if required.iter().any(|g| !g.satisfiable) {
            return Outside::Covered;
        }
        // Empty and impossible patterns match no non-empty string: they cover nothing here.
        let others: Vec<&[Token]> = others
            .iter()
            .filter(|o| !o.tokens.is_empty() && o.satisfiable)
            .map(|o| &*o.tokens)
            .collect();
        if others.iter().any(|o| matches!(o, [Token::Star])) {
            return Outside::Covered;
        }
        let required: Vec<&[Token]> = required.iter().map(|g| &*g.tokens).collect();
        walk(&required, &others, OUTSIDE_BUDGET)
    }
}

/// One string for each way the patterns can match together: for every set of patterns that
/// some string matches exactly (and no other), a shortest such string. The empty string is
/// included when one of the patterns is empty. `None` past the budget. Deciding a query for
/// one of these strings decides it for every string of its region, which is what lets
/// `acl diff` search for a changed verdict exhaustively.
pub fn regions(patterns: &[&Glob]) -> Option<Vec<Vec<u8>>> {
    let mut found: Vec<Vec<u8>> = Vec::new();
    if patterns.iter().any(|g| g.tokens.is_empty()) {
        found.push(Vec::new());
    }
    let usable: Vec<&[Token]> = patterns
        .iter()
        .filter(|g| !g.tokens.is_empty() && g.satisfiable)
        .map(|g| &*g.tokens)
        .collect();
    let layout = Layout::new(usable);
    let bytes = byte_classes(&layout.patterns);
    let mut seen: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut texts: Vec<Vec<u8>> = Vec::new();
    let mut order: Vec<Vec<u64>> = Vec::new();
    let mut vectors: Vec<Vec<bool>> = Vec::new();
    let start = layout.start();
    seen.insert(start.clone(), 0);
    order.push(start);
    texts.push(Vec::new());
    let mut at = 0;
    while at < order.len() {
        for &byte in &bytes {
            let next = layout.step(&order[at], byte);
            if seen.contains_key(&next) {
                continue;
            }
            if order.len() >= OUTSIDE_BUDGET {
                return None;
            }
            let mut text = texts[at].clone();
            text.push(byte);
            let vector: Vec<bool> = (0..layout.patterns.len())
                .map(|k| layout.accepts(&next, k))
                .collect();
            if !vectors.contains(&vector) {
                vectors.push(vector);
                found.push(text.clone());
            }
            seen.insert(next.clone(), order.len());
            order.push(next);
            texts.push(text);
        }
        at += 1;
    }
    Some(found)
}

/// Token boundaries of each pattern, concatenated: pattern `k` owns bits
/// `offsets[k]..offsets[k] + len_k + 1`.
struct Layout<'a> {
    patterns: Vec<&'a [Token]>,
    offsets: Vec<usize>,
    words: usize,
}

impl<'a> Layout<'a> {
    fn new(patterns: Vec<&'a [Token]>) -> Self {
        let mut offsets = Vec::with_capacity(patterns.len());
        let mut bits = 0;
        for p in &patterns {
            offsets.push(bits);
            bits += p.len() + 1;
        }
        Layout {
            patterns,
            offsets,
            words: bits.div_ceil(64).max(1),
        }
    }

    fn get(state: &[u64], bit: usize) -> bool {
        state[bit / 64] >> (bit % 64) & 1 == 1
    }

    fn set(state: &mut [u64], bit: usize) {
        state[bit / 64] |= 1 << (bit % 64);
    }

    /// Adds the boundaries a `*` may be left through without consuming anything.
    fn close(&self, state: &mut [u64]) {
        for (k, tokens) in self.patterns.iter().enumerate() {
            let base = self.offsets[k];
            for (i, token) in tokens.iter().enumerate() {
                if token.is_star() && Self::get(state, base + i) {
                    Self::set(state, base + i + 1);
                }
            }
        }
    }

    fn start(&self) -> Vec<u64> {
        let mut state = vec![0; self.words];
        for &base in &self.offsets {
            Self::set(&mut state, base);
        }
        self.close(&mut state);
        state
    }

    fn step(&self, state: &[u64], byte: u8) -> Vec<u64> {
        let mut next = vec![0; self.words];
        for (k, tokens) in self.patterns.iter().enumerate() {
            let base = self.offsets[k];
            for (i, token) in tokens.iter().enumerate() {
                if !Self::get(state, base + i) {
                    continue;
                }
                match token {
                    Token::Star => Self::set(&mut next, base + i),
                    Token::Set(s) if s.contains(byte) => Self::set(&mut next, base + i + 1),
                    Token::Set(_) => {}
                }
            }
        }
        self.close(&mut next);
        next
    }

    fn accepts(&self, state: &[u64], k: usize) -> bool {
        Self::get(state, self.offsets[k] + self.patterns[k].len())
    }

    /// Pattern `k` can still match some continuation.
    fn alive(&self, state: &[u64], k: usize) -> bool {
        let base = self.offsets[k];
        (base..=base + self.patterns[k].len()).any(|bit| Self::get(state, bit))
    }
}

/// One readable byte per class of bytes that every position of every pattern treats alike.
fn byte_classes(patterns: &[&[Token]]) -> Vec<u8> {
    let mut sets: Vec<ByteSet> = Vec::new();
    for token in patterns.iter().flat_map(|p| p.iter()) {
        if let Token::Set(s) = token {
            if !sets.contains(s) {
                sets.push(*s);
            }
        }
    }
    // Refine the partition {all bytes} by each set: every class splits into its part inside
    // and its part outside.
    let mut classes = vec![ByteSet::FULL];
    for set in &sets {
        let mut refined = Vec::with_capacity(classes.len() * 2);
        for class in classes {
            for part in [class.and(*set), class.and(set.complement())] {
                if !part.is_empty() {
                    refined.push(part);
                }
            }
        }
        classes = refined;
    }
    classes.iter().filter_map(ByteSet::pick).collect()
}

/// Breadth-first search for a shortest non-empty string every `required` pattern matches and
/// no `excluded` one does.
fn walk(required: &[&[Token]], excluded: &[&[Token]], budget: usize) -> Outside {
    let mut patterns = required.to_vec();
    patterns.extend_from_slice(excluded);
    let layout = Layout::new(patterns);
    let bytes = byte_classes(&layout.patterns);
    let needed = required.len();
    // Each visited state, with the state and byte it was first reached from.
    let mut seen: HashMap<Vec<u64>, (usize, u8)> = HashMap::new();
    let mut order: Vec<Vec<u64>> = Vec::new();
    let start = layout.start();
    seen.insert(start.clone(), (usize::MAX, 0));
    order.push(start);
    let mut queue = VecDeque::from([0usize]);
    while let Some(at) = queue.pop_front() {
        for &byte in &bytes {
            let next = layout.step(&order[at], byte);
            if !(0..needed).all(|k| layout.alive(&next, k)) || seen.contains_key(&next) {
                continue;
            }
            let done = (0..needed).all(|k| layout.accepts(&next, k))
                && (needed..layout.patterns.len()).all(|k| !layout.accepts(&next, k));
            if done {
                let mut text = vec![byte];
                let mut back = at;
                while back != 0 {
                    let (from, b) = seen[&order[back]];
                    text.push(b);
                    back = from;
                }
                text.reverse();
                return Outside::Witness(text);
            }
            if order.len() >= budget {
                return Outside::Unknown;
            }
            seen.insert(next.clone(), (at, byte));
            order.push(next);
            queue.push_back(order.len() - 1);
        }
    }
    Outside::Covered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outside(pattern: &str, others: &[&str]) -> Outside {
        let others: Vec<Glob> = others.iter().map(|o| Glob::new(o.as_bytes())).collect();
        let refs: Vec<&Glob> = others.iter().collect();
        Glob::new(pattern.as_bytes()).outside(&refs)
    }

    fn witness(pattern: &str, others: &[&str]) -> String {
        match outside(pattern, others) {
            Outside::Witness(w) => String::from_utf8(w).unwrap(),
            other => panic!("{pattern} outside {others:?}: {other:?}"),
        }
    }

    #[test]
    fn a_union_covers_what_no_single_pattern_does() {
        assert_eq!(outside("[ab]*", &["a*", "b*"]), Outside::Covered);
        assert_eq!(outside("app:*", &["app:*"]), Outside::Covered);
        assert_eq!(outside("app:1", &["app:?", "x"]), Outside::Covered);
        assert_eq!(outside("x", &["*"]), Outside::Covered);
    }

    #[test]
    fn the_witness_is_a_shortest_string_outside_every_other_pattern() {
        assert_eq!(witness("[abc]*", &["a*", "b*"]), "c");
        assert_eq!(witness("*", &["app:*"]), "a");
        assert_eq!(witness("app*", &["app:*"]), "app");
        assert_eq!(witness("app:*", &[]), "app:");
        assert_eq!(witness("a*", &["a?*"]), "a");
    }

    #[test]
    fn witnesses_really_are_outside() {
        let cases: &[(&str, &[&str])] = &[
            ("*:*", &["a:*", "*:b", "??:*"]),
            ("[a-z]*[0-9]", &["a*", "*1", "b*", "*2"]),
            ("\\**", &["*a", "?b*"]),
        ];
        for (pattern, others) in cases {
            let w = witness(pattern, others);
            assert!(Glob::new(pattern.as_bytes()).matches(w.as_bytes()));
            for o in *others {
                assert!(
                    !Glob::new(o.as_bytes()).matches(w.as_bytes()),
                    "{w} matches {o}"
                );
            }
        }
    }

    #[test]
    fn within_keeps_the_witness_inside_another_pattern() {
        let (p, q, old) = (
            Glob::new(b"*"),
            Glob::new(b"billing:*"),
            Glob::new(b"app:*"),
        );
        assert_eq!(
            p.outside_within(&[&q], &[&old]),
            Outside::Witness(b"billing:".to_vec())
        );
        let cover = Glob::new(b"billing:*");
        assert_eq!(p.outside_within(&[&q], &[&cover]), Outside::Covered);
    }

    #[test]
    fn regions_give_one_string_per_combination_of_matches() {
        let globs: Vec<Glob> = ["a*", "*b"]
            .iter()
            .map(|p| Glob::new(p.as_bytes()))
            .collect();
        let refs: Vec<&Glob> = globs.iter().collect();
        let found = regions(&refs).unwrap();
        let vectors: std::collections::BTreeSet<(bool, bool)> = found
            .iter()
            .map(|t| (globs[0].matches(t), globs[1].matches(t)))
            .collect();
        // a…, …b, a…b and neither: all four combinations, each once.
        assert_eq!(vectors.len(), 4, "{found:?}");
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn redis_empty_string_rule() {
        // "" matches only the empty pattern; `*` does not cover it.
        assert_eq!(outside("", &["*"]), Outside::Witness(Vec::new()));
        assert_eq!(outside("", &[""]), Outside::Covered);
        // ...and the empty pattern covers no non-empty string.
        assert_eq!(witness("a", &[""]), "a");
        assert_eq!(outside("a[]", &[]), Outside::Covered);
    }
}
