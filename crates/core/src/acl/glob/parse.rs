//! Reading a pattern the way Redis' `stringmatchlen` reads it.
//!
//! Redis never builds a token list: it re-reads the pattern while matching. But how it reads a
//! pattern position never depends on the text (the text byte is only compared), so the pattern
//! can be cut into tokens once, up front. Everything else in this module (matching,
//! intersection, subsumption) then works on tokens and cannot disagree with Redis about syntax.
//!
//! The reading rules below mirror `stringmatchlen_impl` in Redis `src/util.c` (identical copy in
//! Dragonfly `src/core/glob_matcher.cc`), including its accidents:
//!
//! * `[` … `]` is a byte class; `^` right after `[` negates it. `]` right after `[` or `[^`
//!   closes the class at once: `[]` matches nothing, `[^]` matches any byte.
//! * A class with no closing `]` runs to the end of the pattern (`[ab` ≡ `[ab]`); a lone `[` at
//!   the end matches nothing and `[^` at the end matches any byte.
//! * `x-y` is a range whenever a `-` follows an item and at least one byte follows the `-`, even
//!   if that byte is `]` or `\`: `[a-]` is the range `]`..=`a` (and leaves the class unclosed).
//!   A reversed range matches the same as the forward one. `-` first or last is literal.
//! * Range bounds compare as C `char`, which is signed on x86-64: bytes ≥ 0x80 sort *below* 0x00,
//!   so `[a-\xff]` holds 0xFF and 0x00..=`a`. (On aarch64, where `char` is unsigned, Redis
//!   behaves differently for such ranges; we model the x86-64 build, the common one.)
//! * `\x` escapes any byte, inside or outside a class; a `\` that is the pattern's last byte is
//!   a literal backslash (also inside an unterminated class).
//! * Runs of `*` are one `*`.

/// A set of bytes as a 256-bit mask.
///
/// Literals, `?` and classes all become one representation, so that two pattern positions can
/// be compared with four ANDs, which is what keeps pairwise intersection cheap.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    pub(crate) const EMPTY: Self = Self([0; 4]);
    pub(crate) const FULL: Self = Self([u64::MAX; 4]);

    pub(crate) fn single(b: u8) -> Self {
        let mut set = Self::EMPTY;
        set.insert(b);
        set
    }

    pub(crate) fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1u64 << (b & 63);
    }

    pub(crate) fn contains(&self, b: u8) -> bool {
        (self.0[usize::from(b >> 6)] >> (b & 63)) & 1 == 1
    }

    pub(crate) fn and(self, other: Self) -> Self {
        Self([
            self.0[0] & other.0[0],
            self.0[1] & other.0[1],
            self.0[2] & other.0[2],
            self.0[3] & other.0[3],
        ])
    }

    pub(crate) fn or(self, other: Self) -> Self {
        Self([
            self.0[0] | other.0[0],
            self.0[1] | other.0[1],
            self.0[2] | other.0[2],
            self.0[3] | other.0[3],
        ])
    }

    pub(crate) fn complement(self) -> Self {
        Self([!self.0[0], !self.0[1], !self.0[2], !self.0[3]])
    }

    pub(crate) fn is_empty(&self) -> bool {
        (self.0[0] | self.0[1] | self.0[2] | self.0[3]) == 0
    }

    pub(crate) fn is_full(&self) -> bool {
        (self.0[0] & self.0[1] & self.0[2] & self.0[3]) == u64::MAX
    }

    pub(crate) fn intersects(&self, other: &Self) -> bool {
        (self.0[0] & other.0[0])
            | (self.0[1] & other.0[1])
            | (self.0[2] & other.0[2])
            | (self.0[3] & other.0[3])
            != 0
    }

    /// The byte, if the set holds exactly one.
    pub(crate) fn single_byte(&self) -> Option<u8> {
        let count: u32 = self.0.iter().map(|w| w.count_ones()).sum();
        if count != 1 {
            return None;
        }
        let word = self.0.iter().position(|&w| w != 0)?;
        // word < 4 and trailing_zeros < 64, so this is < 256.
        u8::try_from(word * 64 + self.0[word].trailing_zeros() as usize).ok()
    }

    /// A member that reads well in a message: letters, then digits, then other printable ASCII,
    /// then anything. Witness strings are shown to users, so `app:a` beats `app:\x00`.
    pub(crate) fn pick(&self) -> Option<u8> {
        const ORDER: [(u8, u8); 7] = [
            (b'a', b'z'),
            (b'0', b'9'),
            (b'A', b'Z'),
            (b'_', b'_'),
            (b'!', b'~'),
            (b' ', b' '),
            (0, 255),
        ];
        ORDER
            .iter()
            .find_map(|&(lo, hi)| (lo..=hi).find(|&b| self.contains(b)))
    }
}

impl std::fmt::Debug for ByteSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_full() {
            return f.write_str("ANY");
        }
        let bytes: Vec<u8> = (0..=255u8).filter(|&b| self.contains(b)).collect();
        write!(f, "{{{}}}", bytes.escape_ascii())
    }
}

/// One pattern position: `*`, or exactly one byte out of a set (literal, `?`, class).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Token {
    Star,
    Set(ByteSet),
}

impl Token {
    pub(crate) fn is_star(&self) -> bool {
        matches!(self, Token::Star)
    }
}

/// The bytes `lo`..=`hi` in C signed-`char` order, bounds swapped if reversed (see module docs).
fn signed_range(lo: u8, hi: u8) -> ByteSet {
    // Reinterpreting the byte as C's signed `char` is the point here.
    #[allow(clippy::cast_possible_wrap)]
    let (mut lo, mut hi) = (lo as i8, hi as i8);
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    let mut set = ByteSet::EMPTY;
    for c in lo..=hi {
        #[allow(clippy::cast_sign_loss)]
        set.insert(c as u8);
    }
    set
}

/// Cuts `pattern` into tokens exactly as `stringmatchlen` reads it.
pub(crate) fn tokenize(pattern: &[u8]) -> Vec<Token> {
    let n = pattern.len();
    let mut tokens = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        match pattern[i] {
            b'*' => {
                if !tokens.last().is_some_and(Token::is_star) {
                    tokens.push(Token::Star);
                }
                i += 1;
            }
            b'?' => {
                tokens.push(Token::Set(ByteSet::FULL));
                i += 1;
            }
            b'[' => {
                let (set, next) = class(pattern, i + 1);
                tokens.push(Token::Set(set));
                i = next;
            }
            b'\\' if i + 1 < n => {
                tokens.push(Token::Set(ByteSet::single(pattern[i + 1])));
                i += 2;
            }
            // Includes a `\` that is the last byte: Redis compares it literally.
            b => {
                tokens.push(Token::Set(ByteSet::single(b)));
                i += 1;
            }
        }
    }
    tokens
}

/// Reads a class whose body starts at `i` (just past `[`); returns the set and the index just
/// past the class. Mirrors Redis' loop test order: escape, `]`, end of pattern, range, byte.
fn class(pattern: &[u8], mut i: usize) -> (ByteSet, usize) {
    let n = pattern.len();
    let negated = i < n && pattern[i] == b'^';
    if negated {
        i += 1;
    }
    let mut set = ByteSet::EMPTY;
    loop {
        let left = n - i;
        if left >= 2 && pattern[i] == b'\\' {
            set.insert(pattern[i + 1]);
            i += 2;
        } else if left >= 1 && pattern[i] == b']' {
            i += 1;
            break;
        } else if left == 0 {
            // Unterminated: the class is everything up to the end of the pattern.
            break;
        } else if left >= 3 && pattern[i + 1] == b'-' {
            set = set.or(signed_range(pattern[i], pattern[i + 2]));
            i += 3;
        } else {
            set.insert(pattern[i]);
            i += 1;
        }
    }
    (if negated { set.complement() } else { set }, i)
}
