//! Dragonfly flag files (`--flagfile=PATH`), read the way Abseil reads them
//! (`absl/flags/parse.cc`, `ArgsList::ReadFromFlagfile`, abseil 20240116.2 as pinned by
//! Dragonfly v1.20–v1.40): each line loses its leading whitespace — only its leading
//! whitespace, so a trailing space or a `\r` stays part of the value —; empty lines and lines
//! starting with `#` are skipped; every other line must start with `-` and is one argument,
//! and a line that does not (or a bare `--`) stops the server at startup.

use crate::document::{Node, ScalarStyle, Value};
use crate::source::Span;

/// The document of a flag file: a sequence of its argument lines, each a string node
/// spanning exactly the text Abseil takes as the argument.
pub fn document_root(text: &str) -> Node {
    let mut lines = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let line = line.strip_suffix('\n').unwrap_or(line);
        let stripped = line.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if !stripped.is_empty() && !stripped.starts_with('#') {
            let at = start + (line.len() - stripped.len());
            lines.push(Node::new(
                Value::Str(stripped.into()),
                Span::new(at, at + stripped.len()),
                ScalarStyle::Plain,
            ));
        }
        start = end;
    }
    Node::new(
        Value::Seq(lines.into()),
        Span::new(0, text.len()),
        ScalarStyle::Plain,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_as_abseil_reads_them() {
        let text = "# comment\n  --port=6380\n\n\t--maxmemory=1gb \r\n   # indented comment\nnot-a-flag\n--dir=/data";
        let root = document_root(text);
        let lines: Vec<(&str, &str)> = root
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| (n.as_str().unwrap(), &text[n.span.start..n.span.end]))
            .collect();
        assert_eq!(
            lines,
            [
                ("--port=6380", "--port=6380"),
                ("--maxmemory=1gb \r", "--maxmemory=1gb \r"),
                ("not-a-flag", "not-a-flag"),
                ("--dir=/data", "--dir=/data"),
            ]
        );
    }
}
