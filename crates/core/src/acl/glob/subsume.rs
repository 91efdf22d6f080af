//! Pattern containment ("does grant `a` already cover grant `b`?") by on-the-fly subset
//! construction.
//!
//! Containment needs the complement of `a`, hence a deterministic automaton, and determinizing a
//! glob can blow up (`*a?????` must remember which of the last six bytes were `a`). So we never
//! build it: starting from both initial state sets, we follow one representative byte per
//! alphabet class and stop at the first product state where `b` accepts and `a` does not, or when
//! every reachable state has been seen. Real ACL patterns reach a handful of states; a budget
//! keeps adversarial ones bounded, and the caller gets `None` rather than a guess.

use std::collections::{HashSet, VecDeque};

use super::parse::{ByteSet, Token};

/// A pattern's automaton over token boundaries (see `product`), with state sets as bitsets.
struct Nfa<'t> {
    tokens: &'t [Token],
    words: usize,
}

impl<'t> Nfa<'t> {
    fn new(tokens: &'t [Token]) -> Self {
        Nfa {
            tokens,
            words: (tokens.len() + 1).div_ceil(64),
        }
    }

    fn has(set: &[u64], i: usize) -> bool {
        (set[i / 64] >> (i % 64)) & 1 == 1
    }

    fn add(set: &mut [u64], i: usize) {
        set[i / 64] |= 1 << (i % 64);
    }

    /// Adds the free moves out of `*`s. Runs of `*` are collapsed, so one ascending pass is a
    /// closure.
    fn close(&self, set: &mut [u64]) {
        for i in 0..self.tokens.len() {
            if self.tokens[i].is_star() && Self::has(set, i) {
                Self::add(set, i + 1);
            }
        }
    }

    fn start(&self, out: &mut Vec<u64>) {
        let from = out.len();
        out.resize(from + self.words, 0);
        Self::add(&mut out[from..], 0);
        self.close(&mut out[from..]);
    }

    /// Appends the state set reached from `set` on byte `c`.
    fn step(&self, set: &[u64], c: u8, out: &mut Vec<u64>) {
        let from = out.len();
        out.resize(from + self.words, 0);
        let next = &mut out[from..];
        for (i, token) in self.tokens.iter().enumerate() {
            if Self::has(set, i) {
                match token {
                    Token::Star => Self::add(next, i),
                    Token::Set(s) if s.contains(c) => Self::add(next, i + 1),
                    Token::Set(_) => {}
                }
            }
        }
        self.close(next);
    }

    fn accepts(&self, set: &[u64]) -> bool {
        Self::has(set, self.tokens.len())
    }
}

/// One representative byte per class of bytes that no token of either pattern tells apart.
fn alphabet(a: &[Token], b: &[Token]) -> Vec<u8> {
    let mut classes = vec![ByteSet::FULL];
    let mut seen: Vec<ByteSet> = Vec::new();
    for token in a.iter().chain(b) {
        let Token::Set(s) = token else { continue };
        if s.is_empty() || s.is_full() || seen.contains(s) {
            continue;
        }
        seen.push(*s);
        let mut next = Vec::with_capacity(classes.len() * 2);
        for class in classes {
            for part in [class.and(*s), class.and(s.complement())] {
                if !part.is_empty() {
                    next.push(part);
                }
            }
        }
        classes = next;
    }
    classes.iter().filter_map(ByteSet::pick).collect()
}

/// Is every non-empty string matched by `inner` also matched by `outer` (plain glob semantics)?
/// `None` when more than `budget` product states would be needed.
pub(crate) fn nonempty_subset(inner: &[Token], outer: &[Token], budget: usize) -> Option<bool> {
    let (nfa_in, nfa_out) = (Nfa::new(inner), Nfa::new(outer));
    let split = nfa_in.words;
    let bytes = alphabet(inner, outer);
    let mut first = Vec::new();
    nfa_in.start(&mut first);
    nfa_out.start(&mut first);
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    seen.insert(first.clone());
    let mut queue = VecDeque::from([first]);
    while let Some(state) = queue.pop_front() {
        let (set_in, set_out) = state.split_at(split);
        for &c in &bytes {
            let mut next = Vec::with_capacity(state.len());
            nfa_in.step(set_in, c, &mut next);
            if next.iter().all(|&w| w == 0) {
                continue; // `inner` is dead: nothing more to compare.
            }
            nfa_out.step(set_out, c, &mut next);
            // Checked for every successor, so the initial state (the empty string, which does
            // not count) is only judged if some non-empty string leads back to it.
            let (next_in, next_out) = next.split_at(split);
            if nfa_in.accepts(next_in) && !nfa_out.accepts(next_out) {
                return Some(false);
            }
            if !seen.contains(&next) {
                if seen.len() >= budget {
                    return None;
                }
                seen.insert(next.clone());
                queue.push_back(next);
            }
        }
    }
    Some(true)
}
