//! Intersection of two patterns as a walk over their product.
//!
//! A pattern's automaton has one state per token boundary: state `i` means "tokens `..i` are
//! done". A byte token moves `i → i+1` on a byte of its set; a `*` loops on any byte and may be
//! left without consuming (`i → i+1` for free). Pairing two patterns gives the grid of states
//! `(i, j)`. Every move goes right, down or diagonally, so the grid is a DAG (apart from the
//! `*`×`*` self-loop, which a shortest path never needs) and one row-major sweep decides
//! reachability of the corner, or computes shortest distances for a witness. The byte alphabet
//! never appears explicitly: a diagonal move only asks whether two 256-bit sets intersect.
//!
//! These functions use plain glob semantics, where `*` also matches the empty string; the caller
//! applies Redis' empty-string rule (see the module docs of `glob`).

use super::parse::{ByteSet, Token};

/// Move `(i, j) → (i+1, j)`: `a[i]` is done while `b` stays at `j`. Free if `a[i]` is a `*`
/// left behind; one byte if `b[j]` is a `*` that eats a byte of `a[i]`'s set.
#[inline]
fn down(a: &[Token], b: &[Token], i: usize, j: usize) -> Option<u32> {
    match a[i] {
        Token::Star => Some(0),
        Token::Set(s) => (b.get(j).is_some_and(Token::is_star) && !s.is_empty()).then_some(1),
    }
}

/// Move `(i, j) → (i, j+1)`, the mirror image of [`down`].
#[inline]
fn right(a: &[Token], b: &[Token], i: usize, j: usize) -> Option<u32> {
    match b[j] {
        Token::Star => Some(0),
        Token::Set(s) => (a.get(i).is_some_and(Token::is_star) && !s.is_empty()).then_some(1),
    }
}

/// Move `(i, j) → (i+1, j+1)`: one byte in both sets. (`*`×`*` diagonals are covered by two
/// free moves.)
#[inline]
fn diagonal(a: &[Token], b: &[Token], i: usize, j: usize) -> Option<ByteSet> {
    match (a[i], b[j]) {
        (Token::Set(x), Token::Set(y)) if x.intersects(&y) => Some(x.and(y)),
        _ => None,
    }
}

/// Is some string matched by both (plain glob semantics)? O(|a| × |b|) time at worst. This runs
/// for up to ~500,000 pairs, so the common case (|b| < 64) keeps a grid row in one `u64`.
pub(crate) fn reachable(a: &[Token], b: &[Token]) -> bool {
    if b.len() < 64 {
        reachable_narrow(a, b)
    } else {
        reachable_wide(a, b)
    }
}

/// [`reachable`] with row `i` of the grid as a bitmask over `j`. Entering row `i` from row
/// `i-1` is a mask operation plus one set test per live diagonal; moving right within a row is a
/// run fill, done with one addition: for seeds `S` and "may move right" bits `R`,
/// `S | ((S & R) + R) ^ R` sets every bit reachable from a seed through a run of `R`.
pub(crate) fn reachable_narrow(a: &[Token], b: &[Token]) -> bool {
    debug_assert!(b.len() < 64);
    let (mut star_b, mut byte_b) = (0u64, 0u64);
    for (j, token) in b.iter().enumerate() {
        match token {
            Token::Star => star_b |= 1 << j,
            Token::Set(s) if !s.is_empty() => byte_b |= 1 << j,
            Token::Set(_) => {}
        }
    }
    let fill = |seed: u64, right: u64| seed | (((seed & right).wrapping_add(right)) ^ right);
    let mut row = 0u64;
    for i in 0..=a.len() {
        let seed = match i.checked_sub(1).map(|k| a[k]) {
            None => 1,
            Some(Token::Star) => row,
            Some(Token::Set(s)) => {
                let mut seed = if s.is_empty() { 0 } else { row & star_b };
                let mut live = row & byte_b;
                while live != 0 {
                    let j = live.trailing_zeros();
                    live &= live - 1;
                    if matches!(b[j as usize], Token::Set(t) if t.intersects(&s)) {
                        seed |= 1 << (j + 1);
                    }
                }
                seed
            }
        };
        // In row i, `b`'s stars move right for free; a `*` at a[i] also eats b's bytes.
        let right = if a.get(i).is_some_and(Token::is_star) {
            star_b | byte_b
        } else {
            star_b
        };
        row = fill(seed, right);
        if row == 0 {
            return false;
        }
    }
    (row >> b.len()) & 1 == 1
}

/// [`reachable`] cell by cell, for patterns of 64 tokens or more. Two grid rows of memory.
pub(crate) fn reachable_wide(a: &[Token], b: &[Token]) -> bool {
    let width = b.len() + 1;
    let (mut prev, mut cur) = (vec![false; width], vec![false; width]);
    for i in 0..=a.len() {
        let mut any = false;
        for j in 0..width {
            let here = (i == 0 && j == 0)
                || (i > 0 && prev[j] && down(a, b, i - 1, j).is_some())
                || (j > 0 && cur[j - 1] && right(a, b, i, j - 1).is_some())
                || (i > 0 && j > 0 && prev[j - 1] && diagonal(a, b, i - 1, j - 1).is_some());
            cur[j] = here;
            any |= here;
        }
        if !any {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[width - 1]
}

/// A shortest string matched by both (plain glob semantics; may be empty), bytes chosen with
/// [`ByteSet::pick`]. O(|a| × |b|) time and memory.
pub(crate) fn shortest(a: &[Token], b: &[Token]) -> Option<Vec<u8>> {
    const FAR: u32 = u32::MAX;
    let width = b.len() + 1;
    let mut dist = vec![FAR; (a.len() + 1) * width];
    dist[0] = 0;
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        for j in 0..width {
            let mut best = FAR;
            if i > 0 && dist[at(i - 1, j)] != FAR {
                if let Some(cost) = down(a, b, i - 1, j) {
                    best = best.min(dist[at(i - 1, j)] + cost);
                }
            }
            if j > 0 && dist[at(i, j - 1)] != FAR {
                if let Some(cost) = right(a, b, i, j - 1) {
                    best = best.min(dist[at(i, j - 1)] + cost);
                }
            }
            if i > 0
                && j > 0
                && dist[at(i - 1, j - 1)] != FAR
                && diagonal(a, b, i - 1, j - 1).is_some()
            {
                best = best.min(dist[at(i - 1, j - 1)] + 1);
            }
            if i > 0 || j > 0 {
                dist[at(i, j)] = best;
            }
        }
    }
    if dist[at(a.len(), b.len())] == FAR {
        return None;
    }
    // Walk back along moves that account for the distance, collecting the bytes they consume.
    let (mut i, mut j) = (a.len(), b.len());
    let mut out = Vec::with_capacity(dist[at(i, j)] as usize);
    while i > 0 || j > 0 {
        let here = dist[at(i, j)];
        if i > 0 && j > 0 && dist[at(i - 1, j - 1)] != FAR && dist[at(i - 1, j - 1)] + 1 == here {
            if let Some(both) = diagonal(a, b, i - 1, j - 1) {
                out.extend(both.pick());
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && dist[at(i - 1, j)] != FAR {
            if let Some(cost) = down(a, b, i - 1, j).filter(|c| dist[at(i - 1, j)] + c == here) {
                if cost == 1 {
                    out.extend(set_of(&a[i - 1]).pick());
                }
                i -= 1;
                continue;
            }
        }
        if j > 0 && dist[at(i, j - 1)] != FAR {
            if let Some(cost) = right(a, b, i, j - 1).filter(|c| dist[at(i, j - 1)] + c == here) {
                if cost == 1 {
                    out.extend(set_of(&b[j - 1]).pick());
                }
                j -= 1;
                continue;
            }
        }
        debug_assert!(
            false,
            "no predecessor accounts for distance {here} at ({i}, {j})"
        );
        return None;
    }
    out.reverse();
    Some(out)
}

fn set_of(token: &Token) -> ByteSet {
    match token {
        Token::Set(s) => *s,
        Token::Star => ByteSet::FULL,
    }
}
