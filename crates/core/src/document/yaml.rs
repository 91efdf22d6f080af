//! YAML streams → span-aware node trees, on top of `saphyr-parser`'s event stream.
//!
//! The builder is iterative (no recursion on input depth), bounds nesting, alias expansion
//! and the number of documents by [`Limits`], reports duplicate keys, applies `<<` merge keys
//! like Kubernetes' YAML 1.1 decoder, and after a syntax error resumes at the next `---` so
//! the remaining documents of a multi-document file are still linted.

use super::keys::{key_text, KeyIndex};
use super::scalar::resolve_plain;
use super::{Entry, Node, Parsed, ScalarStyle, SyntaxProblem, SyntaxProblemKind, Value};
use crate::limits::{Limit, Limits};
use crate::source::Span;
use saphyr_parser::{Event, Parser, ScalarStyle as YamlStyle};
use std::collections::HashMap;

/// [`parse_yaml_with`] the default limits.
pub fn parse_yaml(text: &str) -> Parsed {
    parse_yaml_with(text, &Limits::default())
}

/// Reads every document of a YAML stream within `limits`: what exceeds them is reported as a
/// [`SyntaxProblemKind::TooLarge`] problem where it happens, and left out.
pub fn parse_yaml_with(text: &str, limits: &Limits) -> Parsed {
    let mut roots = Vec::new();
    let problems = parse_yaml_each(text, limits, &mut |root| roots.push(root));
    Parsed { roots, problems }
}

/// Like [`parse_yaml_with`], handing each document's root to `sink` as soon as the document
/// ends (null for an empty document), so a caller can judge it and let it go before the next
/// one is built: the trees of a large stream need not all be held at once.
pub fn parse_yaml_each(
    text: &str,
    limits: &Limits,
    sink: &mut dyn FnMut(Node),
) -> Vec<SyntaxProblem> {
    let mut problems = Vec::new();
    let mut budget = Budget::new(limits);
    let offsets = Offsets::new(text);
    let mut base = 0;
    while base < text.len() {
        let mut out = Out {
            sink: &mut *sink,
            problems: &mut problems,
        };
        match parse_stream(text, base, &offsets, &mut out, &mut budget, limits) {
            None => break,
            Some(error_at) => match next_document_start(text, error_at, base) {
                Some(next) => base = next,
                None => break,
            },
        }
    }
    problems
}

/// Where the builder puts what it reads: finished documents, and problems.
struct Out<'o> {
    sink: &'o mut dyn FnMut(Node),
    problems: &'o mut Vec<SyntaxProblem>,
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

/// Characters per checkpoint in [`Offsets`].
const CHUNK: usize = 64;

/// Converts the parser's character indexes into byte offsets of the whole text. Built once
/// per source (restarts after a syntax error reuse it), in 1/64 of the text's size.
struct Offsets<'t> {
    text: &'t str,
    /// Byte offset of every `CHUNK`-th character, when the text is not pure ASCII.
    checkpoints: Option<Vec<usize>>,
}

impl<'t> Offsets<'t> {
    fn new(text: &'t str) -> Self {
        let checkpoints = (!text.is_ascii())
            .then(|| text.char_indices().step_by(CHUNK).map(|(b, _)| b).collect());
        Offsets { text, checkpoints }
    }

    /// Byte offset of the character at `char_index` of the whole text (its length past the end).
    fn byte(&self, char_index: usize) -> usize {
        let len = self.text.len();
        match &self.checkpoints {
            None => char_index.min(len),
            Some(table) => {
                let Some(&start) = table.get(char_index / CHUNK) else {
                    return len;
                };
                self.text[start..]
                    .char_indices()
                    .nth(char_index % CHUNK)
                    .map_or(len, |(b, _)| start + b)
            }
        }
    }

    /// Character index of `byte`, which starts a character (or is the text's length).
    fn char_index(&self, byte: usize) -> usize {
        match &self.checkpoints {
            None => byte,
            Some(table) => {
                let chunk = table.partition_point(|&b| b <= byte).saturating_sub(1);
                let start = table.get(chunk).copied().unwrap_or(0);
                chunk * CHUNK + self.text.get(start..byte).map_or(0, |s| s.chars().count())
            }
        }
    }
}

/// Where the parser of one stream (starting at character `base_char`) points in the text.
struct StreamOffsets<'o, 't> {
    offsets: &'o Offsets<'t>,
    base_char: usize,
}

impl StreamOffsets<'_, '_> {
    fn byte(&self, char_index: usize) -> usize {
        self.offsets.byte(self.base_char + char_index)
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

/// What one source may still use: copies by aliases and anchors, and documents. Shared by
/// the restarts after syntax errors, so a broken document cannot reset it.
struct Budget {
    alias_nodes: usize,
    alias_bytes: usize,
    anchor_nodes: usize,
    anchor_bytes: usize,
    documents: usize,
}

impl Budget {
    fn new(limits: &Limits) -> Self {
        Budget {
            alias_nodes: limits.max_alias_nodes,
            alias_bytes: limits.max_alias_bytes,
            anchor_nodes: limits.max_anchor_nodes,
            anchor_bytes: limits.max_anchor_bytes,
            documents: limits.max_documents_per_file,
        }
    }
}

/// What copying a node costs, and how deep it is.
#[derive(Clone, Copy, Debug)]
struct Cost {
    /// The node, its sequence items and mapping values, and collection keys, recursively
    /// (scalar keys are counted in `bytes` only).
    nodes: usize,
    /// Bytes of every string, keys included.
    bytes: usize,
    /// Levels of nesting, 1 for a scalar.
    height: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exceeded {
    Nodes,
    Bytes,
}

/// Measures `node`, giving up as soon as it holds more than `max_nodes` nodes or
/// `max_bytes` bytes of text (so the work is bounded by the limits, not by the node).
fn measure(node: &Node, max_nodes: usize, max_bytes: usize) -> Result<Cost, Exceeded> {
    let mut cost = Cost {
        nodes: 0,
        bytes: 0,
        height: 0,
    };
    let mut pending = vec![(node, 1usize)];
    while let Some((n, depth)) = pending.pop() {
        cost.nodes += 1;
        cost.height = cost.height.max(depth);
        if cost.nodes > max_nodes {
            return Err(Exceeded::Nodes);
        }
        match &n.value {
            Value::Str(s) => cost.bytes += s.len(),
            Value::Seq(items) => pending.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Map(entries) => {
                for e in entries.iter() {
                    match &e.key.value {
                        Value::Seq(_) | Value::Map(_) => pending.push((&e.key, depth + 1)),
                        Value::Str(s) => cost.bytes += s.len(),
                        _ => {}
                    }
                    pending.push((&e.value, depth + 1));
                }
            }
            _ => {}
        }
        if cost.bytes > max_bytes {
            return Err(Exceeded::Bytes);
        }
    }
    Ok(cost)
}

/// Which limit stops an alias.
#[derive(Clone, Copy, Debug)]
enum CopyLimit {
    AliasNodes,
    AliasBytes,
    AnchorCopies,
    Depth,
}

impl CopyLimit {
    fn message(self, limits: &Limits) -> String {
        match self {
            CopyLimit::AliasNodes => format!(
                "alias expansion exceeds {} nodes (a \"billion laughs\" document?); the document is not linted ({})",
                limits.max_alias_nodes,
                Limit::AliasNodes.hint(limits.max_alias_nodes)
            ),
            CopyLimit::AliasBytes => format!(
                "alias expansion exceeds {} of text (a \"billion laughs\" document?); the document is not linted ({})",
                mebibytes(limits.max_alias_bytes),
                Limit::AliasBytes.hint(limits.max_alias_bytes)
            ),
            CopyLimit::AnchorCopies => format!(
                "the anchors of this file hold more than {} nodes or {} of text, so this alias cannot be expanded; the document is not linted ({}; {})",
                limits.max_anchor_nodes,
                mebibytes(limits.max_anchor_bytes),
                Limit::AnchorNodes.hint(limits.max_anchor_nodes),
                Limit::AnchorBytes.hint(limits.max_anchor_bytes)
            ),
            CopyLimit::Depth => format!(
                "alias expansion nests deeper than {} levels; the document is not linted ({})",
                limits.max_depth,
                Limit::Depth.hint(limits.max_depth)
            ),
        }
    }
}

/// A byte count in MiB when it is a whole number of them (the defaults are), else in bytes.
fn mebibytes(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// An anchored value kept for later aliases, or why it could not be kept.
enum Anchor {
    Copy(Node, Cost),
    TooLarge(CopyLimit),
}

/// An open collection. Its items or entries so far sit at the end of the builder's shared
/// `items`/`entries` stacks, from `base` on: collected there, each collection is allocated
/// once, at its exact size, when it closes (a vector per collection, grown and then shrunk,
/// cost a fifth of the time of a large file).
enum Frame {
    Seq {
        base: usize,
        start: usize,
        anchor: usize,
    },
    Map {
        base: usize,
        key: Option<Node>,
        /// Finds an earlier entry with the same key in O(1).
        index: KeyIndex,
        start: usize,
        anchor: usize,
    },
}

/// A plain `<<` key: a merge, never a duplicate.
fn is_merge_key(key: &Node) -> bool {
    key.style == ScalarStyle::Plain && key_text(key) == "<<"
}

fn not_merge_entry(entry: &Entry) -> bool {
    !is_merge_key(&entry.key)
}

struct Builder<'p, 'o> {
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, Anchor>,
    out: &'p mut Out<'o>,
    budget: &'p mut Budget,
    limits: &'p Limits,
    /// Set when the current document was abandoned (too deep / too large).
    skipping: bool,
}

impl Builder<'_, '_> {
    fn problem(&mut self, kind: SyntaxProblemKind, message: String, span: Span) {
        self.out.problems.push(SyntaxProblem {
            kind,
            message,
            span,
        });
    }

    /// Keeps a copy of an anchored value, within the anchor budget (and never larger than an
    /// alias could copy: such an alias fails anyway).
    fn remember_anchor(&mut self, anchor: usize, node: &Node) {
        let budget = &mut *self.budget;
        let max_nodes = budget.anchor_nodes.min(budget.alias_nodes);
        let max_bytes = budget.anchor_bytes.min(budget.alias_bytes);
        let kept = match measure(node, max_nodes, max_bytes) {
            Ok(cost) => {
                budget.anchor_nodes -= cost.nodes;
                budget.anchor_bytes -= cost.bytes;
                Anchor::Copy(node.clone(), cost)
            }
            Err(Exceeded::Nodes) if budget.alias_nodes <= budget.anchor_nodes => {
                Anchor::TooLarge(CopyLimit::AliasNodes)
            }
            Err(Exceeded::Bytes) if budget.alias_bytes <= budget.anchor_bytes => {
                Anchor::TooLarge(CopyLimit::AliasBytes)
            }
            Err(_) => Anchor::TooLarge(CopyLimit::AnchorCopies),
        };
        self.anchors.insert(anchor, kept);
    }

    fn push_node(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.remember_anchor(anchor, &node);
        }
        match self.stack.last_mut() {
            None => (self.out.sink)(node),
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map {
                base, key, index, ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let entries = &mut self.entries;
                    if !is_merge_key(&k) {
                        if let Some(pos) = index.find(&entries[*base..], &key_text(&k)) {
                            let span = k.span;
                            let message = format!(
                                "duplicate key `{}`; the later value replaces the earlier one",
                                key_text(&k)
                            );
                            entries[*base + pos] = Entry {
                                key: k,
                                value: node,
                            };
                            self.problem(SyntaxProblemKind::DuplicateKey, message, span);
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

    /// Forgets the collections left open (a document that ended early or was abandoned).
    fn clear_open(&mut self) {
        self.stack.clear();
        self.items.clear();
        self.entries.clear();
    }

    fn open(&mut self, frame: Frame, span: Span) {
        let max = self.limits.max_depth;
        if self.stack.len() >= max {
            self.problem(
                SyntaxProblemKind::TooLarge,
                format!(
                    "document nests deeper than {max} levels; it is not linted ({})",
                    Limit::Depth.hint(max)
                ),
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
                base,
                start,
                anchor,
            } => {
                // Collected from an exact-size iterator: no spare capacity to shed.
                let items: Vec<Node> = self.items.drain(base..).collect();
                let end = items.last().map_or(end, |n| n.span.end.max(start));
                let node = Node::new(
                    Value::Seq(items.into_boxed_slice()),
                    Span::new(start, end),
                    ScalarStyle::Plain,
                );
                self.push_node(node, anchor);
            }
            Frame::Map {
                base,
                start,
                anchor,
                ..
            } => {
                let entries: Vec<Entry> = self.entries.drain(base..).collect();
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
        let mut index = KeyIndex::all();
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
                    if index.find(&own, &key_text(&entry.key)).is_none() {
                        own.push(entry);
                    }
                }
            }
        }
        own
    }

    fn alias(&mut self, id: usize, span: Span) {
        let (target, cost) = match self.anchors.get(&id) {
            None => {
                self.problem(
                    SyntaxProblemKind::Invalid,
                    "alias refers to an unknown anchor".into(),
                    span,
                );
                return;
            }
            Some(Anchor::TooLarge(limit)) => {
                let limit = *limit;
                return self.refuse_alias(limit, span);
            }
            Some(Anchor::Copy(target, cost)) => (target, *cost),
        };
        let limit = if cost.nodes > self.budget.alias_nodes {
            Some(CopyLimit::AliasNodes)
        } else if cost.bytes > self.budget.alias_bytes {
            Some(CopyLimit::AliasBytes)
        } else if self.stack.len() + cost.height > self.limits.max_depth + 1 {
            // Literal nesting stops at `max_depth` open collections, so no node lies deeper
            // than `max_depth + 1` levels; copies obey the same bound.
            Some(CopyLimit::Depth)
        } else {
            None
        };
        if let Some(limit) = limit {
            return self.refuse_alias(limit, span);
        }
        let node = target.clone();
        self.budget.alias_nodes -= cost.nodes;
        self.budget.alias_bytes -= cost.bytes;
        self.push_node(node, 0);
    }

    fn refuse_alias(&mut self, limit: CopyLimit, span: Span) {
        let message = limit.message(self.limits);
        self.problem(SyntaxProblemKind::TooLarge, message, span);
        self.skipping = true;
    }
}

/// Parses the whole source `text` from byte `base` until the end, or until a syntax error,
/// whose byte offset is returned. A document beyond `limits.max_documents_per_file` ends
/// the source as its end would (the rest is not read at all).
fn parse_stream(
    text: &str,
    base: usize,
    offsets: &Offsets<'_>,
    out: &mut Out<'_>,
    budget: &mut Budget,
    limits: &Limits,
) -> Option<usize> {
    let offsets = StreamOffsets {
        offsets,
        base_char: offsets.char_index(base),
    };
    let mut parser = Parser::new_from_str(&text[base..]);
    let mut builder = Builder {
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        anchors: HashMap::new(),
        out,
        budget,
        limits,
        skipping: false,
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ok) => ok,
            Err(error) => {
                let at = offsets.byte(error.marker().index());
                // The parser has its own nesting limit for flow collections, below the
                // highest `maxDepth`: say which one stopped it.
                let (kind, message) = if error.info().contains("recursion limit") {
                    (
                        SyntaxProblemKind::TooLarge,
                        "document nests more than 255 levels of flow collections (`[…]`, `{…}`), the most dflint's YAML parser reads: a fixed bound, which `--max-depth` and `limits.maxDepth` do not raise; it is not linted".to_string(),
                    )
                } else {
                    (
                        SyntaxProblemKind::Invalid,
                        format!("invalid YAML: {}", error.info()),
                    )
                };
                builder.problem(kind, message, Span::new(at, (at + 1).min(text.len())));
                return Some(at);
            }
        };
        let span = offsets.span(span);
        match event {
            Event::DocumentStart(_) => {
                if builder.budget.documents == 0 {
                    let max = limits.max_documents_per_file;
                    builder.problem(
                        SyntaxProblemKind::TooLarge,
                        format!(
                            "this file holds more than {max} documents; this one and the ones after it are not linted ({})",
                            Limit::DocumentsPerFile.hint(max)
                        ),
                        span,
                    );
                    return None;
                }
                builder.budget.documents -= 1;
                builder.clear_open();
                builder.anchors.clear();
                builder.skipping = false;
            }
            Event::DocumentEnd => {
                builder.clear_open();
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
                        base: builder.items.len(),
                        start: span.start,
                        anchor,
                    },
                    span,
                );
            }
            Event::MappingStart(anchor, _) => {
                builder.open(
                    Frame::Map {
                        base: builder.entries.len(),
                        key: None,
                        index: KeyIndex::new(not_merge_entry),
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
    #[test]
    fn offsets_convert_both_ways_across_multibyte_text() {
        let text = "aé€😀b".repeat(50);
        let offsets = Offsets::new(&text);
        for (i, (b, _)) in text.char_indices().enumerate() {
            assert_eq!(offsets.byte(i), b);
            assert_eq!(offsets.char_index(b), i);
        }
        let chars = text.chars().count();
        assert_eq!(offsets.byte(chars), text.len());
        assert_eq!(offsets.byte(chars + 100), text.len());
        assert_eq!(offsets.char_index(text.len()), chars);
    }

    #[test]
    fn spans_stay_exact_after_a_syntax_error_in_unicode_text() {
        let src = "é: [1\n---\nkey: ünïcode\n";
        let parsed = parse_yaml(src);
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        let value = parsed.roots.last().unwrap().get("key").unwrap();
        assert_eq!(text_of(src, value), "ünïcode");
    }

    #[test]
    fn duplicates_in_large_mappings_match_a_linear_search() {
        let mut src = String::new();
        for i in 0..200 {
            src.push_str(&format!("k{}: {i}\n", i % 150));
        }
        src.push_str("'<<': a\n\"<<\": b\n1: x\n\"1\": y\n");
        let parsed = parse_yaml(&src);
        let dups: Vec<&str> = parsed
            .problems
            .iter()
            .map(|p| &src[p.span.start..p.span.end])
            .collect();
        let mut expected: Vec<String> = (150..200).map(|i| format!("k{}", i % 150)).collect();
        expected.extend(["\"<<\"".to_string(), "\"1\"".to_string()]);
        assert_eq!(dups, expected);
        let root = &parsed.roots[0];
        assert_eq!(root.as_map().unwrap().len(), 152);
        assert_eq!(root.get("k0").unwrap().as_i64(), Some(150));
        assert!(parsed.problems[0]
            .message
            .starts_with("duplicate key `k0`;"));
    }

    #[test]
    fn merges_into_large_mappings() {
        let mut src = String::from("base: &b {");
        for i in 0..100 {
            src.push_str(&format!("m{i}: {i}, "));
        }
        src.push_str("}\nuse:\n  <<: *b\n");
        for i in 50..150 {
            src.push_str(&format!("  m{i}: own\n"));
        }
        let parsed = parse_yaml(&src);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let merged = parsed.roots[0].get("use").unwrap();
        assert_eq!(merged.as_map().unwrap().len(), 150);
        assert_eq!(merged.get("m0").unwrap().as_i64(), Some(0));
        assert_eq!(merged.get("m60").unwrap().as_str(), Some("own"));
    }

    #[test]
    fn long_scalars_aliased_many_times_are_bounded() {
        let mut src = format!("x: &x \"{}\"\nl:\n", "y".repeat(1 << 20));
        for _ in 0..100 {
            src.push_str("  - *x\n");
        }
        let parsed = parse_yaml(&src);
        let problem = parsed
            .problems
            .iter()
            .find(|p| p.kind == SyntaxProblemKind::TooLarge)
            .expect("a TooLarge problem");
        assert!(
            problem.message.contains("MiB of text"),
            "{}",
            problem.message
        );
        assert!(parsed.roots.is_empty());
    }

    #[test]
    fn aliases_cannot_nest_deeper_than_literal_text() {
        let mut src = String::from("a0: &a0 1\n");
        for i in 1..5 {
            src.push_str(&format!(
                "a{i}: &a{i} {}*a{}{}\n",
                "[".repeat(100),
                i - 1,
                "]".repeat(100)
            ));
        }
        let parsed = parse_yaml(&src);
        let problem = parsed
            .problems
            .iter()
            .find(|p| p.kind == SyntaxProblemKind::TooLarge)
            .expect("a TooLarge problem");
        assert!(
            problem.message.contains("nests deeper"),
            "{}",
            problem.message
        );
        // Two levels (201 deep) are fine.
        let ok = "a0: &a0 1\na1: &a1 [[[*a0]]]\na2: [[[[*a1]]]]\n";
        assert!(parse_yaml(ok).problems.is_empty());
    }

    #[test]
    fn nested_anchors_copy_within_their_budget() {
        // 60 nested anchored sequences around 20,000 items: copying every level would keep
        // 1.2 million nodes; the anchor budget stops at 1 million and aliases to the
        // outermost anchors are refused.
        let mut src = String::from("a:\n");
        let mut indent = String::from("  ");
        for d in 0..60 {
            src.push_str(&format!("{indent}- &n{d}\n"));
            indent.push_str("  ");
        }
        for i in 0..20_000 {
            src.push_str(&format!("{indent}- {i}\n"));
        }
        let parsed = parse_yaml(&src);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let with_alias = format!("{src}b: *n0\n");
        let parsed = parse_yaml(&with_alias);
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].kind, SyntaxProblemKind::TooLarge);
        let inner = format!("{src}b: *n59\n");
        assert!(parse_yaml(&inner).problems.is_empty());
    }
}
