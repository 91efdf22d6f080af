//! Source texts and the mapping from byte offsets to 1-based line/column positions.

use crate::limits::UnreadSize;
use std::sync::Arc;

/// A byte range `[start, end)` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// A sub-span given as offsets relative to this span's start, clamped to this span.
    pub fn sub(self, from: usize, to: usize) -> Span {
        let start = (self.start + from).min(self.end);
        let end = (self.start + to).clamp(start, self.end);
        Span::new(start, end)
    }
}

/// One input: a file, stdin, or a text given by a front end.
#[derive(Debug)]
pub struct Source {
    name: Arc<str>,
    text: String,
    line_starts: LineStarts,
    /// Start offsets of the multi-byte characters, each with the number of continuation bytes
    /// up to and including it, and how many more bytes than UTF-16 code units they take up
    /// to and including it (empty for ASCII text): columns and editor offsets in O(log n)
    /// even on one huge line, such as a compact JSON object or a base64 Secret value.
    multibyte: Vec<(usize, usize, usize)>,
    invalid_utf8_at: Option<usize>,
    acl: bool,
    /// The values of Dragonfly's Helm chart (`--helm-values`).
    helm_values: bool,
    /// A schema file (`--crd`): read for its CustomResourceDefinitions, not linted.
    schema: bool,
    /// A file another input names and Dragonfly reads through it (a compose `env_file` or
    /// `.env`): read for what it gives that input, not linted itself.
    companion: bool,
    /// The front end read the files this input names from beside it (see
    /// [`Source::companions_read`]): one it names that is not among the sources does not exist.
    companions_read: bool,
    /// Set when the front end left the input unread because it is larger than
    /// `Limits::max_file_bytes`; the text is then empty.
    unread: Option<UnreadSize>,
}

impl Source {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = LineStarts::of(&text);
        let mut multibyte = Vec::new();
        if !text.is_ascii() {
            let (mut continuation, mut over_utf16) = (0, 0);
            for (at, c) in text.char_indices().filter(|(_, c)| !c.is_ascii()) {
                continuation += c.len_utf8() - 1;
                over_utf16 += c.len_utf8() - c.len_utf16();
                multibyte.push((at, continuation, over_utf16));
            }
        }
        Source {
            name: name.into(),
            text,
            line_starts,
            multibyte,
            invalid_utf8_at: None,
            acl: false,
            helm_values: false,
            schema: false,
            companion: false,
            companions_read: false,
            unread: None,
        }
        .detect_acl()
    }

    /// An input the front end did not read because it is larger than
    /// `Limits::max_file_bytes` (checked from its size before reading): it holds no text,
    /// and the linter reports its size instead of linting it.
    pub fn unread(name: impl Into<Arc<str>>, size: UnreadSize) -> Self {
        let mut source = Source::new(name, String::new());
        source.unread = Some(size);
        source
    }

    /// The size of an input left unread ([`Source::unread`]).
    pub fn unread_size(&self) -> Option<UnreadSize> {
        self.unread
    }

    fn detect_acl(mut self) -> Self {
        self.acl = is_acl_file_name(&self.name);
        self
    }

    /// Treats the source as an ACL file whatever its name (`--acl-file`).
    pub fn as_acl(mut self) -> Self {
        self.acl = true;
        self
    }

    /// Treats the source as the values of Dragonfly's official Helm chart (`--helm-values`):
    /// a values file has no `kind` that says so.
    pub fn as_helm_values(mut self) -> Self {
        self.helm_values = true;
        self
    }

    /// Whether the source was marked with [`Source::as_helm_values`].
    pub fn is_helm_values(&self) -> bool {
        self.helm_values
    }

    /// Marks the source as a schema file (`--crd`): its CustomResourceDefinitions and
    /// Crossplane CompositeResourceDefinitions describe the custom resources of the other
    /// sources; it is not linted itself, and whatever in it is no definition is reported.
    pub fn as_schema(mut self) -> Self {
        self.schema = true;
        self
    }

    /// Whether the source is a schema file ([`Source::as_schema`]).
    pub fn is_schema(&self) -> bool {
        self.schema
    }

    /// Marks the source as a file another input reads (a compose `env_file`, the `.env`
    /// beside a compose file): its values serve that input; it is not linted itself.
    pub fn as_companion(mut self) -> Self {
        self.companion = true;
        self
    }

    /// Whether the source was marked with [`Source::as_companion`].
    pub fn is_companion(&self) -> bool {
        self.companion
    }

    /// Says that the front end looked for the files this input names (its compose `env_file`s
    /// and `.env`, see `dragonfly::compose::companions`) and added those that exist: a named
    /// file missing from the sources is then known not to exist, rather than not given.
    pub fn companions_read(mut self) -> Self {
        self.companions_read = true;
        self
    }

    /// Whether [`Source::companions_read`] was said of this source.
    pub fn has_companions_read(&self) -> bool {
        self.companions_read
    }

    /// Whether the source is an ACL file (by name, or marked with [`Source::as_acl`]).
    pub fn is_acl(&self) -> bool {
        self.acl
    }

    /// Reads raw bytes; text that is not UTF-8 is kept (lossily) so it can be shown, and the
    /// offset of the first invalid byte is remembered so the linter can report it.
    pub fn from_bytes(name: impl Into<Arc<str>>, bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) => Source::new(name, text),
            Err(error) => {
                let mut source = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
                // The valid prefix is byte-identical in the lossy text.
                source.invalid_utf8_at = Some(error.valid_up_to());
                source
            }
        }
    }

    /// Like [`Source::from_bytes`], taking the bytes it is given: valid UTF-8 (the usual
    /// case) becomes the text without a copy.
    pub fn from_vec(name: impl Into<Arc<str>>, bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => Source::new(name, text),
            Err(error) => Source::from_bytes(name, error.as_bytes()),
        }
    }

    /// Byte offset of the first byte that is not UTF-8, when the source was not valid text.
    pub fn invalid_utf8_at(&self) -> Option<usize> {
        self.invalid_utf8_at
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn shared_name(&self) -> Arc<str> {
        self.name.clone()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and 1-based column (counted in characters) of a byte offset.
    /// Offsets past the end or inside a multi-byte character are clamped.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.line_col_from(1, offset)
    }

    /// Like [`Source::line_col`], searching from 1-based line `hint` on when the offset is
    /// there or later: the end of a span, or the next finding of a rule going through a file
    /// in order, is usually a few lines on, and a search among hundreds of thousands of line
    /// starts was a sixteenth of the time of a large report.
    pub fn line_col_from(&self, hint: usize, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index_from(hint.saturating_sub(1), offset);
        let line_start = self.line_starts.get(line).unwrap_or(0);
        let column = (offset - line_start)
            - (self.continuation_bytes_before(offset) - self.continuation_bytes_before(line_start))
            + 1;
        (line + 1, column)
    }

    /// The 0-based line of `offset`, galloping forward from line `from` when it starts at or
    /// before the offset.
    fn line_index_from(&self, from: usize, offset: usize) -> usize {
        let starts = &self.line_starts;
        if from == 0 || starts.get(from).is_none_or(|s| s > offset) {
            return starts.partition_point(0, starts.len(), offset) - 1;
        }
        // starts[low] <= offset; widen the step until a start past the offset (or the end).
        let mut low = from;
        let mut step = 1;
        loop {
            let probe = low + step;
            match starts.get(probe) {
                Some(s) if s <= offset => {
                    low = probe;
                    step *= 2;
                }
                _ => break,
            }
        }
        let high = (low + step).min(starts.len());
        starts.partition_point(low, high, offset) - 1
    }

    /// Continuation bytes of the multi-byte characters that start before `offset` (a
    /// character boundary).
    fn continuation_bytes_before(&self, offset: usize) -> usize {
        match self.multibyte.partition_point(|&(at, ..)| at < offset) {
            0 => 0,
            i => self.multibyte[i - 1].1,
        }
    }

    /// The offset in UTF-16 code units of a byte offset (a character boundary): what editors
    /// in the browser count, where an emoji is two units and a CJK character one.
    pub fn utf16_offset(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.multibyte.partition_point(|&(at, ..)| at < offset) {
            0 => offset,
            i => offset - self.multibyte[i - 1].2,
        }
    }

    /// Byte offset of the start of a 1-based line (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Where each line starts. Offsets of texts under 4 GiB (every text the limits let through)
/// are kept in 32 bits: a file of 100,000 CRs has 2.5 million lines, and 64-bit offsets
/// made this index half the size of the text itself.
#[derive(Debug)]
enum LineStarts {
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

impl LineStarts {
    /// Lines end at `\n`, `\r\n`, and a lone `\r` (old Mac files, which YAML reads as line
    /// breaks too): without the last, every position of such a file would be on line 1.
    fn of(text: &str) -> LineStarts {
        let bytes = text.as_bytes();
        let starts = bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .map(|(i, _)| i + 1);
        match u32::try_from(text.len()) {
            Ok(_) => {
                let mut narrow = vec![0u32];
                narrow.extend(starts.map(|s| s as u32));
                narrow.shrink_to_fit();
                LineStarts::Narrow(narrow)
            }
            Err(_) => {
                let mut wide = vec![0usize];
                wide.extend(starts);
                wide.shrink_to_fit();
                LineStarts::Wide(wide)
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            LineStarts::Narrow(starts) => starts.len(),
            LineStarts::Wide(starts) => starts.len(),
        }
    }

    fn get(&self, line: usize) -> Option<usize> {
        match self {
            LineStarts::Narrow(starts) => starts.get(line).map(|&s| s as usize),
            LineStarts::Wide(starts) => starts.get(line).copied(),
        }
    }

    /// `low` plus the number of lines in `low..high` that start at or before `offset`.
    fn partition_point(&self, low: usize, high: usize, offset: usize) -> usize {
        low + match self {
            LineStarts::Narrow(starts) => {
                starts[low..high].partition_point(|&s| s as usize <= offset)
            }
            LineStarts::Wide(starts) => starts[low..high].partition_point(|&s| s <= offset),
        }
    }
}

/// Whether a file name is a Dragonfly flag file by convention: `*.flags`, `*.flagfile`,
/// `flagfile`, or `dragonfly.conf` (the name Dragonfly's Debian package gives it).
pub fn is_flag_file_name(name: &str) -> bool {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    base.ends_with(".flags")
        || base.ends_with(".flagfile")
        || base == "flagfile"
        || base == "dragonfly.conf"
}

/// Whether a file name is an ACL file by convention (`*.acl`, `acl.conf`, `users.acl`).
pub fn is_acl_file_name(name: &str) -> bool {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    base.ends_with(".acl") || base == "acl.conf" || base == "users.acl"
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let src = Source::new("t", "ab\nçd\n\nx");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(1), (1, 2));
        assert_eq!(src.line_col(3), (2, 1));
        // 'd' follows the two-byte 'ç'
        assert_eq!(src.line_col(5), (2, 2));
        assert_eq!(src.line_col(7), (3, 1));
        assert_eq!(src.line_col(8), (4, 1));
        assert_eq!(src.line_col(999), (4, 2));
    }

    #[test]
    fn utf16_offsets_count_an_emoji_as_two_units_and_a_cjk_character_as_one() {
        let text = "a 密码 😀 é>x";
        let src = Source::new("t", text);
        for (byte, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(
                src.utf16_offset(byte),
                text[..byte].encode_utf16().count(),
                "at byte {byte}"
            );
        }
        assert_eq!(src.utf16_offset(usize::MAX), text.encode_utf16().count());
    }

    #[test]
    fn a_search_from_a_hint_finds_the_same_position() {
        let text = "a\n\nbb\nçç\r\nx\ry\n".repeat(40);
        let src = Source::new("t", text.as_str());
        for offset in 0..=text.len() + 2 {
            for hint in [0, 1, 2, 3, 7, 50, 159, 160, 161, 400, usize::MAX] {
                assert_eq!(
                    src.line_col_from(hint, offset),
                    src.line_col(offset),
                    "offset {offset}, hint {hint}"
                );
            }
        }
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let src = Source::new("t", "a: 1\rb: 2\r\nc: 3\nd");
        assert_eq!(src.line_col(5), (2, 1));
        assert_eq!(src.line_col(11), (3, 1));
        assert_eq!(src.line_col(16), (4, 1));
        assert_eq!(src.line_count(), 4);
    }

    #[test]
    fn bytes_given_by_value_read_like_borrowed_ones() {
        for bytes in [&b"a: 1\nb: \xc3\xa7\n"[..], &b"a: 1\n\xff\xfeb: 2\n"[..]] {
            let owned = Source::from_vec("t", bytes.to_vec());
            let borrowed = Source::from_bytes("t", bytes);
            assert_eq!(owned.text(), borrowed.text());
            assert_eq!(owned.invalid_utf8_at(), borrowed.invalid_utf8_at());
            assert_eq!(owned.line_col(8), borrowed.line_col(8));
        }
        assert_eq!(
            Source::from_vec("t", b"\xffx".to_vec()).invalid_utf8_at(),
            Some(0)
        );
    }

    #[test]
    fn columns_match_character_counts_on_mixed_text() {
        let text = "é1\n€x😀y\n\nabc ç ü 😀 z\n".repeat(3);
        let src = Source::new("t", text.as_str());
        for (offset, _) in text.char_indices() {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let expected = text[line_start..offset].chars().count() + 1;
            assert_eq!(src.line_col(offset).1, expected, "offset {offset}");
        }
    }
}
