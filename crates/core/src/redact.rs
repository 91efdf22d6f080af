//! Secret material (passwords, Secret data, credential env values) is never shown. Loading and
//! rules record the byte spans that hold it; front ends mask them before showing source text.

use crate::source::Span;

/// Replaces every byte of each span with `*`, keeping byte offsets (and so all spans) valid.
/// Multi-byte characters inside a span become several `*`.
pub fn mask(text: &str, spans: &[Span]) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let end = span.end.min(bytes.len());
        let start = span.start.min(end);
        for b in &mut bytes[start..end] {
            // keep line structure so line/column numbers stay right
            if *b != b'\n' {
                *b = b'*';
            }
        }
    }
    // Masking whole multi-byte sequences can split one at a span edge: repair lossily.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Every word of ACL text that looks like a password or hash, whether or not its line parsed
/// (a rejected line still holds secrets): from a password sigil to the end of the word (`>pw`,
/// and `on>pw` glued to the token before), and a whole bare word that is no rule (a password
/// written without its `>`). The first two words of a line are `user` and the name.
pub fn acl_word_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let mut offset = line_start;
        let mut nth = 0;
        for word in line.split([' ', '\t', '\r']) {
            if !word.is_empty() {
                nth += 1;
            }
            let from = match word.find(['>', '<', '#', '!']) {
                Some(at) => Some(at),
                None if nth > 2 && crate::acl::parse::may_be_password(word) => Some(0),
                None => None,
            };
            if let Some(at) = from.filter(|_| !word.is_empty()) {
                spans.push(Span::new(offset + at, offset + word.len()));
            }
            offset += word.len() + 1;
        }
        line_start += line.len() + 1;
    }
    spans
}

/// Spans that may hold secrets, found from the text alone, for input whose structure could
/// not be read (a syntax error, a duplicate key, bytes that are not UTF-8, ACL text read as
/// YAML or YAML read as ACL): what is secret is decided by position, not by a parse that
/// failed. It errs on the side of masking:
///
/// * everything below a `data:` or `stringData:` key (by indentation, until a `key:` line
///   indented no more than it), and inside a
///   `data`/`stringData` flow object wherever it sits (`{"kind":"Secret","data":{…}}`);
/// * the value of a key, or of the `value:` after a `name:`, that names a credential;
/// * the value of a `--flag=value` (or `"--flag value"`) whose flag may hold a secret;
/// * ACL password and hash words: `>pw`, `<pw`, `on>pw`, `#<hex>`, `!<hex>`.
pub fn textual_secret_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut block: Option<usize> = None;
    // A secret flag without `=` was the last word: its value is the next word, which may be
    // on the next line (`- --requirepass` / `- VALUE`).
    let mut mask_next = false;
    // Indentation of a `name:` that named a credential, whose `value:` follows.
    let mut credential_entry: Option<usize> = None;
    let mut offset = 0;
    let lines: Vec<&str> = text.split('\n').collect();
    for (line_no, line) in lines.iter().enumerate() {
        let line = *line;
        let start = offset;
        offset += line.len() + 1;
        let content = line.trim_start_matches([' ', '\t', '-']);
        let indent = line.len() - content.len();
        if content.trim().is_empty() {
            continue;
        }
        if let Some(block_indent) = block {
            // Only a `key:` line ends the block: a stray line that is not one (an ACL line
            // pasted without indentation) no longer uncovers the values below it (found by
            // fuzzing: tests/data/fuzz-regressions/secret_base64-unindented-line-in-data).
            if indent > block_indent || key_of(content).0.is_empty() {
                spans.push(Span::new(start + indent, start + line.len()));
                continue;
            }
            block = None;
        }
        let (key, value_at) = key_of(content);
        let key_lower = key.to_ascii_lowercase();
        if key_lower == "data" || key_lower == "stringdata" {
            let rest = content[value_at..].trim();
            if rest.is_empty() || rest == "{" {
                block = Some(indent);
            } else {
                spans.push(Span::new(start + indent + value_at, start + line.len()));
            }
            continue;
        }
        if !key.is_empty() && value_at < content.len() {
            let named_credential = crate::args::may_hold_secret(&key_lower)
                || crate::dragonfly::looks_like_credential(key);
            let value = &content[value_at..];
            let value_credential = key_lower == "name"
                && (crate::args::may_hold_secret(value.trim().trim_matches(['"', '\'', ',']))
                    || crate::dragonfly::looks_like_credential(value));
            let credential_value = key_lower == "value"
                && (credential_entry.is_some_and(|i| i <= indent + 2)
                    || credential_name_near(&lines, line_no, indent));
            if credential_value || (named_credential && key_lower != "name") {
                spans.push(Span::new(start + indent + value_at, start + line.len()));
            }
            if value_credential {
                credential_entry = Some(indent);
            } else if key_lower == "name" {
                credential_entry = None;
            }
        }
        words(line, start, &mut spans, &mut mask_next);
    }
    // The scan above reads one key per line, so it missed `data`/`stringData` objects that
    // do not start a line (minified JSON, YAML flow style): a one-line Secret with a
    // duplicate data key showed the earlier value, which the parse drops (found by fuzzing:
    // crates/core/tests/data/fuzz-regressions/secret_base64-minified-json-duplicate-key).
    inline_data_objects(text, &mut spans);
    spans
}

/// The contents of every `data: {…}` and `stringData: {…}` flow object, anywhere in the text,
/// from its `{` to the matching `}` (to the end of the text when it is not closed). Linear:
/// the text inside an object found is not searched again.
fn inline_data_objects(text: &str, spans: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = bytes[from..]
        .windows(4)
        .position(|w| w.eq_ignore_ascii_case(b"data"))
    {
        let at = from + found;
        from = at + 4;
        // The key `data` or `stringData`, quoted or not, after a delimiter.
        let key_start = match at.checked_sub(6) {
            Some(s) if bytes[s..at].eq_ignore_ascii_case(b"string") => s,
            _ => at,
        };
        let before = key_start.checked_sub(1).map(|i| bytes[i]);
        if !matches!(
            before,
            None | Some(b'"' | b'\'' | b'{' | b',' | b' ' | b'\t' | b'\n' | b'\r')
        ) {
            continue;
        }
        let mut i = at + 4;
        if matches!(bytes.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if bytes.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'{') {
            continue;
        }
        let close = matching_brace(bytes, i);
        spans.push(Span::new(i + 1, close));
        from = close;
    }
}

/// The offset of the `}` that closes the `{` at `open`, or the end of the text. Braces in
/// quoted strings do not count (`\` escapes in double quotes; `''` in single quotes needs
/// no special case).
fn matching_brace(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open;
    while i < bytes.len() {
        match (bytes[i], quote) {
            (b'\\', Some(b'"')) => i += 1,
            (q @ (b'"' | b'\''), None) => quote = Some(q),
            (q, Some(open_quote)) if q == open_quote => quote = None,
            (b'{', None) => depth += 1,
            (b'}', None) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Whether a `name:` naming a credential sits within three lines of a `value:`: the `value`
/// may come first in its entry, twice (a duplicate key), or the `name` may share its line
/// with other keys (`{"name": "DFLY_requirepass",` in JSON).
fn credential_name_near(lines: &[&str], at: usize, _indent: usize) -> bool {
    let from = at.saturating_sub(3);
    let to = (at + 4).min(lines.len());
    lines[from..to].iter().any(|line| {
        let mut rest = *line;
        while let Some(found) = rest.find("name") {
            rest = &rest[found + 4..];
            let after = rest.trim_start_matches(['"', '\'']).trim_start();
            let Some(value) = after.strip_prefix(':') else {
                continue;
            };
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            let end = value
                .find(|c: char| c == '"' || c == '\'' || c == ',' || c == '}' || c.is_whitespace())
                .unwrap_or(value.len());
            if crate::args::may_hold_secret(&value[..end]) {
                return true;
            }
        }
        false
    })
}

/// The key of a `key: value` (or `"key": value`) line, and where its value starts.
fn key_of(content: &str) -> (&str, usize) {
    let trimmed = content.trim_start_matches(['"', '\'']);
    let lead = content.len() - trimmed.len();
    let Some(colon) = trimmed.find(':') else {
        return ("", content.len());
    };
    let key = trimmed[..colon].trim_end_matches(['"', '\'']);
    if key.contains(char::is_whitespace) || key.is_empty() {
        return ("", content.len());
    }
    let after = &trimmed[colon + 1..];
    let value_lead = after.len() - after.trim_start().len();
    (key, lead + colon + 1 + value_lead)
}

/// Password-like words of one line: secret flag values and ACL password/hash tokens.
fn words(line: &str, start: usize, spans: &mut Vec<Span>, mask_next: &mut bool) {
    let bytes = line.as_bytes();
    let is_sep = |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b',' | b'[' | b']');
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && is_sep(bytes[i]) {
            i += 1;
        }
        let word_start = i;
        while i < bytes.len() && !is_sep(bytes[i]) {
            i += 1;
        }
        let word = &line[word_start..i];
        // A YAML list marker is no word.
        if word.is_empty() || word == "-" {
            continue;
        }
        if *mask_next {
            spans.push(Span::new(start + word_start, start + i));
            *mask_next = false;
            continue;
        }
        // `--requirepass=value`, `--requirepass value` inside one quoted argument, and
        // `--requirepass` followed by its value as the next argument.
        // (Abseil also reads `-flag`.)
        if let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) {
            let name = flag.split('=').next().unwrap_or("");
            if crate::args::may_hold_secret(name) {
                let quoted_end = line[i..].find(['"', '\'']).map_or(line.len(), |q| i + q);
                let from = word_start + (word.len() - flag.len()) + name.len();
                if from < quoted_end.max(i) {
                    spans.push(Span::new(start + from, start + quoted_end.max(i)));
                }
                // `--requirepass` alone, or `--requirepass="VALUE"` whose value is quoted.
                *mask_next = !flag.contains('=') || flag.ends_with('=');
            }
            continue;
        }
        // ACL passwords: a sigil then something that is not YAML syntax (`>-`, `|`), also
        // glued to the word before (`on>pw`); hashes: `#`/`!` and 16+ hex digits.
        if let Some(at) = word.find(['>', '<']) {
            let rest = &word[at + 1..];
            if !rest.is_empty() && !rest.starts_with(['-', '+', '=', '>', '<']) {
                spans.push(Span::new(start + word_start + at, start + i));
                continue;
            }
        }
        if let Some(hex) = word.strip_prefix(['#', '!']) {
            if hex.len() >= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                spans.push(Span::new(start + word_start, start + i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textual_spans_cover_secrets_of_broken_input() {
        let text = "kind: Secret\nstringData:\n  password: hunter2\n  bad: [\nspec:\n  args: [\"--requirepass=abc\", \"--requirepass xyz\"]\n  env:\n  - name: DFLY_requirepass\n    value: s3cr3t\nuser a on>glued #0123456789abcdef0123 ~k: >-\n";
        let masked = mask(text, &textual_secret_spans(text));
        for secret in [
            "hunter2",
            "abc",
            "xyz",
            "s3cr3t",
            "glued",
            "0123456789abcdef",
        ] {
            assert!(!masked.contains(secret), "{secret}: {masked}");
        }
        assert!(masked.contains(">-"), "YAML folding stays: {masked}");
        assert!(masked.contains("DFLY_requirepass"), "{masked}");
    }

    #[test]
    fn masks_in_place() {
        let text = "--requirepass=hunter2\nnext";
        let masked = mask(text, &[Span::new(14, 21)]);
        assert_eq!(masked, "--requirepass=*******\nnext");
        assert_eq!(masked.len(), text.len());
    }
}
