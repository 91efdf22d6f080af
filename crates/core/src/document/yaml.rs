//! YAML streams → span-aware node trees, on top of `saphyr-parser`'s event stream.
//!
//! The builder is iterative (no recursion on input depth), bounds nesting and alias
//! expansion, reports duplicate keys, applies `<<` merge keys like Kubernetes' YAML 1.1
//! decoder, and after a syntax error resumes at the next `---` so the remaining documents
//! of a multi-document file are still linted.

use super::scalar::resolve_plain;
use super::{
    Entry, Node, Parsed, ScalarStyle, SyntaxProblem, SyntaxProblemKind, Value, MAX_ALIAS_NODES,
    MAX_DEPTH,
};
use crate::source::Span;
use saphyr_parser::{Event, Parser, ScalarStyle as YamlStyle};
use std::collections::HashMap;

pub fn parse_yaml(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut alias_budget = MAX_ALIAS_NODES;
    let mut base = 0;
    while base < text.len() {
        match parse_stream(&text[base..], base, &mut parsed, &mut alias_budget) {
            None => break,
            Some(error_at) => match next_document_start(text, error_at, base) {
                Some(next) => base = next,
                None => break,
            },
        }
    }
    parsed
}

/// Byte offset of the first line starting with `---` at or after the line holding `offset`,
/// past `base` (so parsing always makes progress).
fn next_document_start(text: &str, offset: usize, base: usize) -> Option<usize> {
    let mut line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    while line_start < text.len() {
        if line_start > base && text[line_start..].starts_with("---") {
            return Some(line_start);
        }
        line_start += text[line_start..].find('\n')? + 1;
    }
    None
}

/// Converts the parser's character indexes into byte offsets of the whole text.
struct Offsets {
    base: usize,
    /// Byte offset of every character, when the text is not pure ASCII.
    char_bytes: Option<Vec<usize>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str, base: usize) -> Self {
        let char_bytes = (!text.is_ascii()).then(|| text.char_indices().map(|(b, _)| b).collect());
        Offsets {
            base,
            char_bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let local = match &self.char_bytes {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        };
        self.base + local
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<Node>,
        start: usize,
        anchor: usize,
    },
}

struct Builder<'p> {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    parsed: &'p mut Parsed,
    alias_budget: &'p mut usize,
    /// Set when the current document was abandoned (too deep / too large).
    skipping: bool,
}

impl Builder<'_> {
    fn problem(&mut self, kind: SyntaxProblemKind, message: String, span: Span) {
        self.parsed.problems.push(SyntaxProblem {
            kind,
            message,
            span,
        });
    }

    fn push_node(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.parsed.roots.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let text = k.key_text();
                    let is_merge = k.style == ScalarStyle::Plain && text == "<<";
                    if !is_merge {
                        if let Some(pos) = entries.iter().position(|e| {
                            e.key.key_text() == text
                                && !(e.key.style == ScalarStyle::Plain && text == "<<")
                        }) {
                            let span = k.span;
                            entries[pos] = Entry {
                                key: k,
                                value: node,
                            };
                            self.problem(
                                SyntaxProblemKind::DuplicateKey,
                                format!("duplicate key `{text}`; the later value replaces the earlier one"),
                                span,
                            );
                            return;
                        }
                    }
                    entries.push(Entry {
                        key: k,
                        value: node,
                    });
                }
            },
        }
    }

    fn open(&mut self, frame: Frame, span: Span) {
        if self.stack.len() >= MAX_DEPTH {
            self.problem(
                SyntaxProblemKind::TooLarge,
                format!("document nests deeper than {MAX_DEPTH} levels; it is not linted"),
                span,
            );
            self.skipping = true;
            return;
        }
        self.stack.push(frame);
    }

    fn close(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Seq {
                items,
                start,
                anchor,
            } => {
                let end = items.last().map_or(end, |n| n.span.end.max(start));
                let node = Node::new(
                    Value::Seq(items.into_boxed_slice()),
                    Span::new(start, end),
                    ScalarStyle::Plain,
                );
                self.push_node(node, anchor);
            }
            Frame::Map {
                entries,
                start,
                anchor,
                ..
            } => {
                let end = entries.last().map_or(end, |e| e.value.span.end.max(start));
                let entries = self.apply_merge_keys(entries);
                let node = Node::new(
                    Value::Map(entries.into_boxed_slice()),
                    Span::new(start, end),
                    ScalarStyle::Plain,
                );
                self.push_node(node, anchor);
            }
        }
    }

    /// `<<: *base` (or a list of them) adds the keys the mapping does not set itself.
    fn apply_merge_keys(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        if !entries
            .iter()
            .any(|e| e.key.style == ScalarStyle::Plain && e.key.as_str() == Some("<<"))
        {
            return entries;
        }
        let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries
            .into_iter()
            .partition(|e| e.key.style == ScalarStyle::Plain && e.key.as_str() == Some("<<"));
        for merge in merges {
            let sources: Vec<Node> = match merge.value.value {
                Value::Map(_) => vec![merge.value],
                Value::Seq(items) => items.into_vec(),
                _ => {
                    self.problem(
                        SyntaxProblemKind::Invalid,
                        "a `<<` merge key needs a mapping or a list of mappings".into(),
                        merge.key.span,
                    );
                    continue;
                }
            };
            for source in sources {
                let Value::Map(extra) = source.value else {
                    continue;
                };
                for entry in extra.into_vec() {
                    let text = entry.key.key_text();
                    if own.iter().all(|e| e.key.key_text() != text) {
                        own.push(entry);
                    }
                }
            }
        }
        own
    }

    fn alias(&mut self, id: usize, span: Span) {
        let Some(target) = self.anchors.get(&id).cloned() else {
            self.problem(
                SyntaxProblemKind::Invalid,
                "alias refers to an unknown anchor".into(),
                span,
            );
            return;
        };
        let size = count_nodes(&target);
        if size > *self.alias_budget {
            self.problem(
                SyntaxProblemKind::TooLarge,
                format!(
                    "alias expansion exceeds {MAX_ALIAS_NODES} nodes (a \"billion laughs\" document?); the document is not linted"
                ),
                span,
            );
            self.skipping = true;
            return;
        }
        *self.alias_budget -= size;
        self.push_node(target, 0);
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => pending.extend(items),
            Value::Map(entries) => pending.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

/// Parses `text` (which starts at byte `base` of the whole source) until the end, or until
/// a syntax error, whose byte offset is returned.
fn parse_stream(
    text: &str,
    base: usize,
    parsed: &mut Parsed,
    alias_budget: &mut usize,
) -> Option<usize> {
    let offsets = Offsets::new(text, base);
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        parsed,
        alias_budget,
        skipping: false,
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ok) => ok,
            Err(error) => {
                let at = offsets.byte(error.marker().index());
                // The parser has its own nesting limit for flow collections.
                let (kind, message) = if error.info().contains("recursion limit") {
                    (
                        SyntaxProblemKind::TooLarge,
                        "document nests too deeply; it is not linted".to_string(),
                    )
                } else {
                    (
                        SyntaxProblemKind::Invalid,
                        format!("invalid YAML: {}", error.info()),
                    )
                };
                builder.problem(
                    kind,
                    message,
                    Span::new(at, (at + 1).min(base + text.len())),
                );
                return Some(at);
            }
        };
        let span = offsets.span(span);
        match event {
            Event::DocumentStart(_) => {
                builder.stack.clear();
                builder.anchors.clear();
                builder.skipping = false;
            }
            Event::DocumentEnd => {
                builder.stack.clear();
                builder.skipping = false;
            }
            _ if builder.skipping => {}
            Event::Scalar(value, style, anchor, tag) => {
                let explicit_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let (value, style) = match style {
                    YamlStyle::Plain if !explicit_str => {
                        (resolve_plain(&value), ScalarStyle::Plain)
                    }
                    YamlStyle::Plain => (Value::Str(value.into()), ScalarStyle::Plain),
                    YamlStyle::SingleQuoted | YamlStyle::DoubleQuoted => {
                        (Value::Str(value.into()), ScalarStyle::Quoted)
                    }
                    YamlStyle::Literal => (Value::Str(value.into()), ScalarStyle::Literal),
                    YamlStyle::Folded => (Value::Str(value.into()), ScalarStyle::Folded),
                };
                builder.push_node(Node::new(value, span, style), anchor);
            }
            Event::Alias(id) => builder.alias(id, span),
            Event::SequenceStart(anchor, _) => {
                builder.open(
                    Frame::Seq {
                        items: Vec::new(),
                        start: span.start,
                        anchor,
                    },
                    span,
                );
            }
            Event::MappingStart(anchor, _) => {
                builder.open(
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        start: span.start,
                        anchor,
                    },
                    span,
                );
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(span.end),
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'a>(src: &'a str, node: &Node) -> &'a str {
        &src[node.span.start..node.span.end]
    }

    #[test]
    fn nodes_carry_spans_and_paths() {
        let src = "kind: Dragonfly\nspec:\n  args:\n    - --port=1\n    - \"--bind=x\"\n";
        let parsed = parse_yaml(src);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let root = &parsed.roots[0];
        let arg = &root.at(&["spec", "args"]).unwrap().as_seq().unwrap()[1];
        assert_eq!(
            crate::document::path_to(root, arg).unwrap().as_str(),
            "spec.args[1]"
        );
        assert_eq!(arg.as_str(), Some("--bind=x"));
        assert!(text_of(src, arg).contains("--bind=x"));
        let kind = root.get("kind").unwrap();
        assert_eq!(text_of(src, kind), "Dragonfly");
    }

    #[test]
    fn multi_document_anchors_merge_keys_and_unicode_offsets() {
        let src = "# é comment\na: &x {k: 1}\nb: *x\nc:\n  <<: *x\n  z: ü\n---\nsecond: true\n";
        let parsed = parse_yaml(src);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert_eq!(parsed.roots.len(), 2);
        let first = &parsed.roots[0];
        let aliased = first.at(&["b", "k"]).unwrap();
        assert_eq!(
            crate::document::path_to(first, aliased).unwrap().as_str(),
            "b.k"
        );
        assert_eq!(first.at(&["c", "k"]).unwrap().as_i64(), Some(1));
        let z = first.at(&["c", "z"]).unwrap();
        assert_eq!(text_of(src, z), "ü");
        assert_eq!(parsed.roots[1].get("second").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn duplicate_keys_are_reported_and_last_wins() {
        let parsed = parse_yaml("a: 1\na: 2\n");
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].kind, SyntaxProblemKind::DuplicateKey);
        assert_eq!(parsed.roots[0].get("a").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn a_syntax_error_loses_only_its_document() {
        let src = "a: 1\n---\nb: [1, 2\nc: {\n---\nd: 4\n";
        let parsed = parse_yaml(src);
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        assert_eq!(parsed.problems[0].kind, SyntaxProblemKind::Invalid);
        let keys: Vec<String> = parsed
            .roots
            .iter()
            .map(|r| r.as_map().unwrap()[0].key.key_text())
            .collect();
        assert_eq!(keys, vec!["a", "d"]);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_bounded() {
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let parsed = parse_yaml(&deep);
        assert!(parsed
            .problems
            .iter()
            .any(|p| p.kind == SyntaxProblemKind::TooLarge));

        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in 'b'..='k' {
            bomb.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = name;
        }
        let parsed = parse_yaml(&bomb);
        assert!(parsed
            .problems
            .iter()
            .any(|p| p.kind == SyntaxProblemKind::TooLarge));
    }
}
