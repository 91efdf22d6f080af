//! Glob engine for ACL key (`~app:*`, `%R~cache:[a-f]*`) and channel (`&news.*`) patterns.
//!
//! ACL rules are only as good as our reading of their patterns, so the semantics here are
//! exactly those of Redis' `stringmatchlen` (case-sensitive), which Dragonfly copies verbatim
//! into `src/core/glob_matcher.cc` and uses for ACL keys and channels. The `parse` submodule
//! documents how a pattern is read (classes, ranges, escapes and their edge cases). Two
//! behaviours of the whole match are worth knowing:
//!
//! * **A non-empty pattern never matches the empty string**, not even `*`: Redis' main loop runs
//!   only while both pattern and text are non-empty (redis/redis#15643, still open). The empty
//!   pattern matches only the empty string.
//! * Otherwise `*` matches any byte sequence, including an empty one (`a*` matches `a`).
//!
//! Matching is over bytes, since keys are binary-safe. Unlike Redis' backtracking matcher, every
//! operation here has a polynomial bound (matching is O(|pattern| × |text|), intersection
//! O(|a| × |b|)), so hostile patterns cannot stall the linter; the answers are Redis' answers.
//! (Current Redis also gives up after 1,000 nested `*`s and answers "no match"; Dragonfly's copy
//! has no such limit and neither do we.)
//!
//! Besides matching, the linter needs to reason about *pairs* of patterns: do two tenants' key
//! patterns overlap ([`intersects`], with an example from [`witness`]), does one grant cover
//! another ([`subsumes`]). Those work on the token form: a pattern is a sequence of `*` and
//! "one byte out of a set" positions, and the product of two such sequences is a small grid.

mod difference;
mod parse;
mod product;
mod subsume;
#[cfg(test)]
mod tests;

pub use difference::{regions, Outside, OUTSIDE_BUDGET};
use parse::{ByteSet, Token};

/// Product states [`subsumes`] may explore before giving up. Ordinary ACL patterns need a few
/// dozen; only adversarial ones (`*a????????????????`, whose deterministic form is exponential)
/// get near it.
pub const SUBSUME_BUDGET: usize = 4096;

/// A compiled pattern. Cheap to build (one pass over the pattern), so that a linter can compile
/// every pattern of every user once and compare them pairwise.
#[derive(Clone)]
pub struct Glob {
    pattern: Box<[u8]>,
    tokens: Box<[Token]>,
    /// Tokens before the first `*` (all of them when there is no `*`).
    head: usize,
    /// Tokens after the last `*` (all of them when there is no `*`).
    tail: usize,
    has_star: bool,
    /// Number of byte-consuming tokens: the length of the shortest match (of the longest, too,
    /// when there is no `*`).
    min_len: usize,
    /// False when some position is an empty class (`[]`): nothing matches at all.
    satisfiable: bool,
    prefix: Box<[u8]>,
}

impl std::fmt::Debug for Glob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Glob({})", self.pattern.escape_ascii())
    }
}

impl Glob {
    /// Compiles `pattern`. Every byte string is a valid pattern (Redis never rejects one).
    pub fn new(pattern: &[u8]) -> Glob {
        let tokens = parse::tokenize(pattern);
        let first_star = tokens.iter().position(|t| t.is_star());
        let last_star = tokens.iter().rposition(|t| t.is_star());
        let head = first_star.unwrap_or(tokens.len());
        let tail = last_star.map_or(tokens.len(), |p| tokens.len() - p - 1);
        let min_len = tokens.iter().filter(|t| !t.is_star()).count();
        let satisfiable = !tokens
            .iter()
            .any(|t| matches!(t, Token::Set(s) if s.is_empty()));
        let prefix: Vec<u8> = tokens
            .iter()
            .map_while(|t| match t {
                Token::Set(s) => s.single_byte(),
                Token::Star => None,
            })
            .collect();
        Glob {
            pattern: pattern.into(),
            tokens: tokens.into(),
            head,
            tail,
            has_star: first_star.is_some(),
            min_len,
            satisfiable,
            prefix: prefix.into(),
        }
    }

    /// The pattern this was compiled from.
    pub fn pattern(&self) -> &[u8] {
        &self.pattern
    }

    /// Bytes every matching string starts with (`app:` for `app:*`, `a*b` for `a\*b?`).
    pub fn literal_prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// Length of the shortest string the pattern can match (ignoring the empty-string rule).
    pub fn min_len(&self) -> usize {
        self.min_len
    }

    /// Length of the longest string the pattern can match; `None` when unbounded (has a `*`).
    pub fn max_len(&self) -> Option<usize> {
        (!self.has_star).then_some(self.min_len)
    }

    /// True when the pattern matches nothing at all (it contains an empty class `[]`).
    pub fn matches_nothing(&self) -> bool {
        !self.satisfiable
    }

    /// True when the pattern matches exactly what `*` matches: every non-empty string. Besides
    /// `*` itself that is `?*`, `*?`, `*[^]*` and the like: one any-byte position plus a `*`.
    pub fn is_match_all(&self) -> bool {
        match &*self.tokens {
            [Token::Star] => true,
            tokens => {
                self.has_star
                    && self.min_len == 1
                    && tokens
                        .iter()
                        .any(|t| matches!(t, Token::Set(s) if s.is_full()))
            }
        }
    }

    /// Does `text` match, with exactly Redis' answer? O(|pattern| × |text|) worst case, linear
    /// for the usual `prefix*` shapes.
    pub fn matches(&self, text: &[u8]) -> bool {
        let tokens = &*self.tokens;
        if tokens.is_empty() || text.is_empty() {
            // Redis: the empty pattern matches only "", and "" matches no other pattern.
            return tokens.is_empty() && text.is_empty();
        }
        if !self.satisfiable || text.len() < self.min_len {
            return false;
        }
        if !self.has_star {
            return text.len() == self.min_len && fits(tokens, text);
        }
        // tokens = head * middle * tail. head and tail are anchored; each star-free segment of
        // the middle is placed at its leftmost occurrence, which is optimal: an earlier end
        // leaves every later segment at least as much room.
        let (head, tail) = (&tokens[..self.head], &tokens[tokens.len() - self.tail..]);
        let end = text.len() - tail.len();
        if !fits(head, &text[..head.len()]) || !fits(tail, &text[end..]) {
            return false;
        }
        let mut pos = head.len();
        let last_star = tokens.len() - self.tail - 1;
        let middle = if self.head < last_star {
            &tokens[self.head + 1..last_star]
        } else {
            &[]
        };
        for segment in middle.split(|t| t.is_star()).filter(|s| !s.is_empty()) {
            match find(segment, &text[pos..end]) {
                Some(at) => pos += at + segment.len(),
                None => return false,
            }
        }
        true
    }

    /// Is there a string both patterns match? Exact, not a prefix heuristic.
    pub fn intersects(&self, other: &Glob) -> bool {
        match self.trivial_overlap(other) {
            Some(answer) => answer,
            None => product::reachable(&self.tokens, &other.tokens),
        }
    }

    /// A shortest string both patterns match, preferring readable bytes (`app:x` rather than
    /// `app:\x00`), for messages; `None` when they do not intersect.
    pub fn witness(&self, other: &Glob) -> Option<Vec<u8>> {
        if self.tokens.is_empty() || other.tokens.is_empty() {
            return (self.tokens.is_empty() && other.tokens.is_empty()).then(Vec::new);
        }
        if self.trivial_overlap(other) == Some(false) {
            return None;
        }
        let found = product::shortest(&self.tokens, &other.tokens)?;
        if found.is_empty() {
            // Only `*` and `*` share nothing shorter, and "" does not count (see module docs).
            return Some(vec![ByteSet::FULL.pick().unwrap_or(b'a')]);
        }
        Some(found)
    }

    /// Does `self` match every string `other` matches? `None` when the answer would take more
    /// than [`SUBSUME_BUDGET`] product states (adversarial patterns only); otherwise exact.
    pub fn subsumes(&self, other: &Glob) -> Option<bool> {
        if other.tokens.is_empty() {
            // `other` matches only "", which only the empty pattern matches.
            return Some(self.tokens.is_empty());
        }
        if !other.satisfiable || self.is_match_all() || self.tokens == other.tokens {
            return Some(true);
        }
        if !self.intersects(other) {
            return Some(false);
        }
        // Both non-empty: compare on non-empty strings only, as Redis does.
        subsume::nonempty_subset(&other.tokens, &self.tokens, SUBSUME_BUDGET)
    }

    /// Answers that need no product: empty patterns, impossible classes, length windows and
    /// conflicting fixed prefixes/suffixes. Disjoint tenants usually differ within a few leading
    /// bytes, so most pairs stop here.
    fn trivial_overlap(&self, other: &Glob) -> Option<bool> {
        if self.tokens.is_empty() || other.tokens.is_empty() {
            return Some(self.tokens.is_empty() && other.tokens.is_empty());
        }
        if !self.satisfiable || !other.satisfiable {
            return Some(false);
        }
        let common = self.prefix.len().min(other.prefix.len());
        if common > 0 && self.prefix[..common] != other.prefix[..common] {
            return Some(false);
        }
        if self.max_len().is_some_and(|max| max < other.min_len)
            || other.max_len().is_some_and(|max| max < self.min_len)
        {
            return Some(false);
        }
        let (a, b) = (&*self.tokens, &*other.tokens);
        let heads = a[..self.head].iter().zip(&b[..other.head]);
        let tails = a[a.len() - self.tail..]
            .iter()
            .rev()
            .zip(b[b.len() - other.tail..].iter().rev());
        if heads.chain(tails).any(|(x, y)| !position_overlap(x, y)) {
            return Some(false);
        }
        if self.is_match_all() || other.is_match_all() {
            // The other one is satisfiable and non-empty, so it matches some non-empty string.
            return Some(true);
        }
        // `…*` against `*…`: a string of the first followed by a string of the second matches
        // both (each side's outer `*` absorbs the other's part), e.g. `*x` and `y*` share `yx`.
        let (a_open_end, b_open_start) = (
            self.has_star && self.tail == 0,
            other.has_star && other.head == 0,
        );
        let (b_open_end, a_open_start) = (
            other.has_star && other.tail == 0,
            self.has_star && self.head == 0,
        );
        if (a_open_end && b_open_start) || (b_open_end && a_open_start) {
            return Some(true);
        }
        None
    }
}

/// Two byte positions (never `*` here) admit a common byte.
fn position_overlap(a: &Token, b: &Token) -> bool {
    match (a, b) {
        (Token::Set(x), Token::Set(y)) => x.intersects(y),
        _ => true,
    }
}

/// A star-free token run matches `text` of the same length.
fn fits(segment: &[Token], text: &[u8]) -> bool {
    segment.len() == text.len()
        && segment.iter().zip(text).all(|(t, &b)| match t {
            Token::Set(s) => s.contains(b),
            Token::Star => true,
        })
}

/// Leftmost start of a star-free run inside `haystack`. Naive search, O(|segment| × |haystack|);
/// the starts tried by successive segments are disjoint, which bounds the whole match by
/// O(|pattern| × |text|).
fn find(segment: &[Token], haystack: &[u8]) -> Option<usize> {
    let first = match segment.first()? {
        Token::Set(s) => *s,
        Token::Star => ByteSet::FULL,
    };
    let last = match segment[segment.len() - 1] {
        Token::Set(s) => s,
        Token::Star => ByteSet::FULL,
    };
    let last_start = haystack.len().checked_sub(segment.len())?;
    // Testing both ends first makes the usual near-misses (`*aaab` in a run of `a`) linear.
    (0..=last_start).find(|&at| {
        first.contains(haystack[at])
            && last.contains(haystack[at + segment.len() - 1])
            && fits(&segment[1..], &haystack[at + 1..at + segment.len()])
    })
}

/// Does `text` match `pattern`? Exactly Redis' `stringmatchlen(pattern, text, nocase=0)`.
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    Glob::new(pattern).matches(text)
}

/// Is there any byte string matched by both patterns?
pub fn intersects(a: &[u8], b: &[u8]) -> bool {
    Glob::new(a).intersects(&Glob::new(b))
}

/// A shortest byte string matched by both patterns, or `None` if there is none.
pub fn witness(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    Glob::new(a).witness(&Glob::new(b))
}

/// Does `a` match every string `b` matches? `None` only past [`SUBSUME_BUDGET`].
pub fn subsumes(a: &[u8], b: &[u8]) -> Option<bool> {
    Glob::new(a).subsumes(&Glob::new(b))
}
