//! ACL text found inside other sources (a YAML block scalar, base64 Secret data), with a map
//! from offsets in the ACL text back to byte spans of the source, so findings point at the
//! token where the user wrote it.

use crate::document::{Node, ScalarStyle, Value};
use crate::source::Span;
use base64::Engine;

/// One run of ACL text that appears verbatim in the source.
#[derive(Clone, Debug, PartialEq)]
struct Segment {
    text_start: usize,
    source_start: usize,
    len: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AclText {
    pub text: String,
    /// The source and span the text came from (a file, a scalar).
    pub source: usize,
    pub whole: Span,
    segments: Vec<Segment>,
    /// Base64: decoded byte `i` is encoded by the 4 characters starting at these offsets.
    base64_chars: Option<Vec<usize>>,
}

impl AclText {
    /// A whole source that is an ACL file.
    pub fn from_file(source: usize, text: &str) -> Self {
        AclText {
            text: text.to_string(),
            source,
            whole: Span::new(0, text.len()),
            segments: vec![Segment {
                text_start: 0,
                source_start: 0,
                len: text.len(),
            }],
            base64_chars: None,
        }
    }

    /// The string value of a YAML/JSON scalar (`stringData`, ConfigMap `data`).
    pub fn from_scalar(source: usize, source_text: &str, node: &Node) -> Option<Self> {
        let Value::Str(text) = &node.value else {
            return None;
        };
        let region = source_text
            .get(node.span.start..node.span.end)
            .unwrap_or("");
        let mut segments = Vec::new();
        // Each line of the value appears verbatim in the source unless it was written with
        // escapes or folded: find the lines in order and map them; others fall back to the
        // scalar's start.
        if matches!(
            node.style,
            ScalarStyle::Literal | ScalarStyle::Plain | ScalarStyle::Quoted
        ) {
            let mut cursor = 0;
            let mut text_start = 0;
            let floor = |mut at: usize| {
                at = at.min(region.len());
                while !region.is_char_boundary(at) {
                    at -= 1;
                }
                at
            };
            for line in text.split('\n') {
                if !line.is_empty() {
                    // A line starts after the line break and indentation: within a bounded
                    // window of the cursor. Searching the whole rest for every line written
                    // with escapes (so never found verbatim) made a 2 MB JSON Secret take 18 s.
                    let window_end = floor(cursor + 8 * line.len() + 4096);
                    let found = next_line_at(region, cursor, line)
                        .or_else(|| region.get(cursor..window_end).and_then(|r| r.find(line)));
                    match found {
                        Some(found) => {
                            let at = cursor + found;
                            segments.push(Segment {
                                text_start,
                                source_start: node.span.start + at,
                                len: line.len(),
                            });
                            cursor = at + line.len();
                        }
                        // Escaped text is never shorter than the line: skip at least that.
                        None => cursor = floor(cursor + line.len()),
                    }
                }
                text_start += line.len() + 1;
            }
        }
        Some(AclText {
            text: text.to_string(),
            source,
            whole: node.span,
            segments,
            base64_chars: None,
        })
    }

    /// A base64 Secret `data` value; `Err` with a message when it does not decode.
    pub fn from_base64(source: usize, source_text: &str, node: &Node) -> Result<Self, String> {
        let Value::Str(encoded) = &node.value else {
            return Err("the value is not a string".into());
        };
        let region = source_text
            .get(node.span.start..node.span.end)
            .unwrap_or("");
        // Source offsets of the base64 alphabet characters, in order (quotes, folding and
        // whitespace skipped).
        let char_offsets: Vec<usize> = region
            .char_indices()
            .filter(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .map(|(i, _)| node.span.start + i)
            .collect();
        let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            // The decoder's own message quotes the offending byte, which may belong to a
            // password: say where, never what.
            .map_err(|e| {
                use base64::DecodeError;
                let what = match e {
                    DecodeError::InvalidByte(at, _) => {
                        format!("a character that is not base64 at offset {at}")
                    }
                    DecodeError::InvalidLastSymbol(at, _) => {
                        format!("an invalid last character at offset {at}")
                    }
                    DecodeError::InvalidLength(len) => {
                        format!("{len} characters, a length base64 cannot have")
                    }
                    DecodeError::InvalidPadding => "invalid padding".to_string(),
                };
                format!("the value is not valid base64 ({what})")
            })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| "the decoded value is not UTF-8 text".to_string())?;
        let usable = char_offsets.len() == compact.len();
        Ok(AclText {
            text,
            source,
            whole: node.span,
            segments: Vec::new(),
            base64_chars: usable.then_some(char_offsets),
        })
    }

    /// The source span of a span of the ACL text.
    pub fn source_span(&self, span: Span) -> Span {
        if let Some(chars) = &self.base64_chars {
            // Bytes i..j are encoded by characters 4*(i/3) .. 4*ceil(j/3).
            let first = (span.start / 3) * 4;
            let last = span.end.div_ceil(3) * 4;
            let start = chars.get(first).copied().unwrap_or(self.whole.start);
            let end = chars
                .get(last.saturating_sub(1).min(chars.len().saturating_sub(1)))
                .map_or(self.whole.end, |&e| e + 1);
            return Span::new(start, end.max(start));
        }
        // Segments are disjoint and in text order: the candidate is the last one starting at
        // or before the span (a binary search; ACL texts can have tens of thousands of lines).
        let candidate = self
            .segments
            .partition_point(|s| s.text_start <= span.start)
            .checked_sub(1)
            .map(|i| &self.segments[i]);
        if let Some(segment) = candidate {
            let end = segment.text_start + segment.len;
            if span.start <= end {
                let start = segment.source_start + (span.start - segment.text_start);
                let stop = segment.source_start + (span.end.min(end) - segment.text_start);
                return Span::new(start, stop.max(start));
            }
        }
        Span::new(self.whole.start, self.whole.start)
    }
}

/// Where `line` starts when it follows `cursor` after nothing but line breaks, indentation
/// and `\n` escapes: the usual case, found without building a substring searcher per line (a
/// twentieth of an ACL Secret's lint). A line that starts with one of those characters is left
/// to the search, which finds its first occurrence; otherwise no occurrence can start before
/// the first other character, so the answer is the same.
fn next_line_at(region: &str, cursor: usize, line: &str) -> Option<usize> {
    let separator = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let first = *line.as_bytes().first()?;
    if separator(first) || first == b'\\' {
        return None;
    }
    let bytes = region.as_bytes();
    let mut at = cursor;
    loop {
        match bytes.get(at..)? {
            [b, ..] if separator(*b) => at += 1,
            [b'\\', b'n', ..] => at += 2,
            _ => break,
        }
    }
    region.get(at..)?.starts_with(line).then_some(at - cursor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_yaml;

    #[test]
    fn the_next_line_is_found_after_breaks_indentation_and_escapes() {
        let region = r#""user a on\n  user b off\n""#;
        assert_eq!(next_line_at(region, 1, "user a on"), Some(0));
        assert_eq!(next_line_at(region, 10, "user b off"), Some(4));
        assert_eq!(next_line_at(region, 10, "user c"), None);
        // A line starting with a space or a backslash is left to the full search.
        assert_eq!(next_line_at(region, 10, " user b off"), None);
        assert_eq!(next_line_at(region, 10, "\\x"), None);
        assert_eq!(next_line_at("ab", 5, "x"), None);
    }

    #[test]
    fn literal_block_tokens_map_back_to_their_source_position() {
        let src = "stringData:\n  users.acl: |\n    user default off -@all\n    user app on ~app:* +get\n";
        let root = &parse_yaml(src).roots[0];
        let node = root.at(&["stringData", "users.acl"]).unwrap();
        let acl = AclText::from_scalar(0, src, node).unwrap();
        let at = acl.text.find("~app:*").unwrap();
        let span = acl.source_span(Span::new(at, at + 6));
        assert_eq!(&src[span.start..span.end], "~app:*");
    }

    #[test]
    fn base64_spans_cover_the_encoding_characters() {
        let plain = "user default off -@all\n";
        let encoded = base64::engine::general_purpose::STANDARD.encode(plain);
        let src = format!("data:\n  users.acl: {encoded}\n");
        let root = &parse_yaml(&src).roots[0];
        let node = root.at(&["data", "users.acl"]).unwrap();
        let acl = AclText::from_base64(0, &src, node).unwrap();
        assert_eq!(acl.text, plain);
        let span = acl.source_span(Span::new(0, 4));
        assert_eq!(&src[span.start..span.end], &encoded[..8]);
        assert!(AclText::from_base64(
            0,
            "x: '%%%'",
            &parse_yaml("x: '%%%'").roots[0].get("x").unwrap().clone()
        )
        .is_err());
    }
}
