//! A small JSON reader that keeps byte spans (serde_json does not expose them).
//!
//! Recursion is bounded by `Limits::max_depth`, duplicate keys are reported like in YAML,
//! and the first syntax error ends the document with a precise location.

use super::keys::KeyIndex;
use super::{Entry, Node, Parsed, ScalarStyle, SyntaxProblem, SyntaxProblemKind, Value};
use crate::limits::{Limit, Limits};
use crate::source::Span;

/// [`parse_json_with`] the default limits.
pub fn parse_json(text: &str) -> Parsed {
    parse_json_with(text, &Limits::default())
}

/// Reads one JSON value, nesting at most `limits.max_depth` levels (a JSON text holds one
/// document, so the document limit never applies).
pub fn parse_json_with(text: &str, limits: &Limits) -> Parsed {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        problems: Vec::new(),
        max_depth: limits.max_depth,
    };
    let mut parsed = Parsed::default();
    reader.skip_ws();
    if reader.pos == reader.bytes.len() {
        return parsed;
    }
    match reader.value(0) {
        Ok(root) => {
            reader.skip_ws();
            if reader.pos < reader.bytes.len() {
                reader.problems.push(SyntaxProblem {
                    kind: SyntaxProblemKind::Invalid,
                    message: "invalid JSON: unexpected text after the top-level value".into(),
                    span: Span::new(reader.pos, reader.pos + 1),
                });
            } else {
                parsed.roots.push(root);
            }
        }
        Err(problem) => reader.problems.push(problem),
    }
    parsed.problems = reader.problems;
    parsed
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    problems: Vec<SyntaxProblem>,
    max_depth: usize,
}

type Result<T> = std::result::Result<T, SyntaxProblem>;

impl Reader<'_> {
    fn error(&self, message: impl Into<String>) -> SyntaxProblem {
        let end = (self.pos + 1).min(self.bytes.len()).max(self.pos);
        SyntaxProblem {
            kind: SyntaxProblemKind::Invalid,
            message: format!("invalid JSON: {}", message.into()),
            span: Span::new(self.pos, end),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node> {
        // Collections count, as in YAML: `max_depth` open collections may hold a scalar.
        let opens_collection = matches!(self.bytes.get(self.pos), Some(b'{' | b'['));
        if opens_collection && depth >= self.max_depth {
            let max = self.max_depth;
            return Err(SyntaxProblem {
                kind: SyntaxProblemKind::TooLarge,
                message: format!(
                    "document nests deeper than {max} levels; it is not linted ({})",
                    Limit::Depth.hint(max)
                ),
                span: self.error("").span,
            });
        }
        let start = self.pos;
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::new(
                    Value::Str(s.into()),
                    Span::new(start, self.pos),
                    ScalarStyle::Quoted,
                ))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            let start = self.pos;
            self.pos += word.len();
            Ok(Node::new(
                value,
                Span::new(start, self.pos),
                ScalarStyle::Plain,
            ))
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Node> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |r: &mut Self| {
            let from = r.pos;
            while r.bytes.get(r.pos).is_some_and(u8::is_ascii_digit) {
                r.pos += 1;
            }
            r.pos - from
        };
        if digits(self) == 0 {
            return Err(self.error("expected digits"));
        }
        let mut float = false;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            float = true;
            if digits(self) == 0 {
                return Err(self.error("expected digits after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            float = true;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("expected digits in the exponent"));
            }
        }
        let text = &self.text[start..self.pos];
        let value = match (float, text.parse::<i64>()) {
            (false, Ok(i)) => Value::Int(i),
            _ => Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
        };
        Ok(Node::new(
            value,
            Span::new(start, self.pos),
            ScalarStyle::Plain,
        ))
    }

    fn string(&mut self) -> Result<String> {
        // Past the opening quote. Most strings have no escape: one scan finds the closing
        // quote, and the string is copied at its exact size.
        self.pos += 1;
        let first_run = self.plain_run();
        if self.bytes.get(self.pos + first_run) == Some(&b'"') {
            let out = self.text[self.pos..self.pos + first_run].to_string();
            self.pos += first_run + 1;
            return Ok(out);
        }
        // Sized once: the decoded text is never longer than its escaped form, so the raw
        // length up to the closing quote is enough (an ACL held in a Secret's `stringData` is
        // one long string with an escape per line, and grew a dozen times).
        let mut out = String::with_capacity(self.raw_string_len());
        loop {
            let run_start = self.pos;
            self.pos += self.plain_run();
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }

    /// Bytes from here up to the next quote, backslash or control character.
    fn plain_run(&self) -> usize {
        let rest = &self.bytes[self.pos.min(self.bytes.len())..];
        rest.iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len())
    }

    /// Bytes from here to the closing quote (or to the end of the text), escapes included.
    fn raw_string_len(&self) -> usize {
        let rest = &self.bytes[self.pos.min(self.bytes.len())..];
        let mut at = 0;
        while let Some(&b) = rest.get(at) {
            match b {
                b'"' => break,
                b'\\' => at += 2,
                _ => at += 1,
            }
        }
        at.min(rest.len())
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))
    }

    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(self.error("unpaired surrogate"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("unpaired surrogate"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn array(&mut self, depth: usize) -> Result<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                items.push(self.value(depth + 1)?);
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected `,` or `]`")),
                }
            }
        }
        Ok(Node::new(
            Value::Seq(items.into_boxed_slice()),
            Span::new(start, self.pos),
            ScalarStyle::Plain,
        ))
    }

    fn object(&mut self, depth: usize) -> Result<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut entries: Vec<Entry> = Vec::new();
        let mut index = KeyIndex::all();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b'"') {
                    return Err(self.error("expected a string key"));
                }
                let key_start = self.pos;
                let key_text = self.string()?;
                let key_span = Span::new(key_start, self.pos);
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b':') {
                    return Err(self.error("expected `:`"));
                }
                self.pos += 1;
                self.skip_ws();
                let value = self.value(depth + 1)?;
                let key = Node::new(
                    Value::Str(key_text.as_str().into()),
                    key_span,
                    ScalarStyle::Quoted,
                );
                if let Some(existing) = index
                    .find(&entries, &key_text)
                    .and_then(|pos| entries.get_mut(pos))
                {
                    self.problems.push(SyntaxProblem {
                        kind: SyntaxProblemKind::DuplicateKey,
                        message: format!(
                            "duplicate key `{key_text}`; the later value replaces the earlier one"
                        ),
                        span: key_span,
                    });
                    *existing = Entry { key, value };
                } else {
                    entries.push(Entry { key, value });
                }
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected `,` or `}`")),
                }
            }
        }
        Ok(Node::new(
            Value::Map(entries.into_boxed_slice()),
            Span::new(start, self.pos),
            ScalarStyle::Plain,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nodes_have_spans_and_paths() {
        let src = r#"{"spec": {"args": ["--a", "--b=\u00e9"], "replicas": 3, "x": 1.5e2}}"#;
        let parsed = parse_json(src);
        assert!(parsed.problems.is_empty());
        let root = &parsed.roots[0];
        let arg = &root.at(&["spec", "args"]).unwrap().as_seq().unwrap()[1];
        assert_eq!(arg.as_str(), Some("--b=é"));
        assert_eq!(
            crate::document::path_to(root, arg).unwrap().as_str(),
            "spec.args[1]"
        );
        assert_eq!(&src[arg.span.start..arg.span.end], r#""--b=\u00e9""#);
        assert_eq!(root.at(&["spec", "replicas"]).unwrap().as_i64(), Some(3));
    }

    #[test]
    fn errors_are_located_and_depth_is_bounded() {
        let parsed = parse_json("{\"a\": [1, 2,, 3]}");
        assert_eq!(parsed.problems[0].span.start, 12);
        let deep = "[".repeat(100_000);
        let parsed = parse_json(&deep);
        assert_eq!(parsed.problems[0].kind, SyntaxProblemKind::TooLarge);
    }
}
