//! Structured documents (from YAML or JSON) whose every node knows its span and JSON path.

mod json;
mod keys;
mod path;
mod scalar;
pub mod substitute;
mod yaml;

pub use json::{parse_json, parse_json_with};
pub(crate) use keys::key_text;
pub use path::{path_to, JsonPath};
pub(crate) use scalar::resolve_plain;
pub use yaml::{parse_yaml, parse_yaml_each, parse_yaml_with};

use crate::source::Span;

/// How a scalar was written: quoted scalars are always strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    Quoted,
    /// A YAML literal (`|`) block: the text lines map one-to-one to source lines.
    Literal,
    /// A YAML folded (`>`) block.
    Folded,
    /// A scalar holding a `${VAR}` substitution (Flux `postBuild`, envsubst) whose value
    /// dflint was not given: its text is kept as written, and its value is unknown.
    Unsubstituted,
}

/// Boxed strings and slices (not `String`/`Vec`) keep nodes small and exactly sized: large
/// inputs hold hundreds of thousands of them.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    Seq(Box<[Node]>),
    Map(Box<[Entry]>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub style: ScalarStyle,
}

impl Node {
    pub fn new(value: Value, span: Span, style: ScalarStyle) -> Self {
        Node { value, span, style }
    }

    /// The entry for `key`, to change, when this node is a mapping.
    pub fn entry_mut(&mut self, key: &str) -> Option<&mut Entry> {
        match &mut self.value {
            Value::Map(entries) => entries.iter_mut().find(|e| e.key.as_str() == Some(key)),
            _ => None,
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key.as_str() == Some(key)),
            _ => None,
        }
    }

    /// Follows a chain of mapping keys.
    pub fn at(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A scalar rendered as text the way Kubernetes would turn it into a string
    /// (for args, env values, label values); `None` for collections and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    /// A short name of this node's type, as a schema would say it.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// A node for a plain JSON value, with empty spans (for checks written against nodes that
    /// are also given JSON, as the schema tests are).
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value as J;
        let (value, style) = match value {
            J::Null => (Value::Null, ScalarStyle::Plain),
            J::Bool(b) => (Value::Bool(*b), ScalarStyle::Plain),
            J::Number(n) => match n.as_i64() {
                Some(i) => (Value::Int(i), ScalarStyle::Plain),
                None => (
                    Value::Float(n.as_f64().unwrap_or(f64::NAN)),
                    ScalarStyle::Plain,
                ),
            },
            J::String(s) => (Value::Str(s.as_str().into()), ScalarStyle::Quoted),
            J::Array(items) => (
                Value::Seq(items.iter().map(Node::from_json).collect()),
                ScalarStyle::Plain,
            ),
            J::Object(map) => (
                Value::Map(
                    map.iter()
                        .map(|(key, value)| Entry {
                            key: Node::new(
                                Value::Str(key.as_str().into()),
                                Span::default(),
                                ScalarStyle::Quoted,
                            ),
                            value: Node::from_json(value),
                        })
                        .collect(),
                ),
                ScalarStyle::Plain,
            ),
        };
        Node::new(value, Span::default(), style)
    }

    /// Converts to a plain JSON value (for schema validation).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.key_text(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// A mapping key as text (non-string keys rendered as their scalar text).
    pub fn key_text(&self) -> String {
        self.scalar_text().unwrap_or_else(|| "null".to_string())
    }

    /// Finds the node at a JSON-pointer-like list of segments (object keys / array indexes).
    pub fn find<'a, I: IntoIterator<Item = &'a str>>(&self, segments: I) -> Option<&Node> {
        let mut node = self;
        for seg in segments {
            node = match &node.value {
                Value::Map(entries) => {
                    &entries
                        .iter()
                        .find(|e| keys::key_text(&e.key) == seg)?
                        .value
                }
                Value::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

/// Which syntax a document was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Json,
    /// A Dragonfly flag file (`--flagfile`): one flag per line. Its document is a sequence
    /// of the lines that hold flags; its nodes have no JSON path worth showing.
    FlagFile,
}

/// One document of a source (YAML streams hold several).
///
/// Nodes do not store their JSON path (that would cost more memory than the tree itself);
/// [`Document::path_of`] finds it when a diagnostic needs it.
#[derive(Clone, Debug)]
pub struct Document {
    /// Index of the source in the linter's source list.
    pub source: usize,
    /// 0-based position of the document in its source.
    pub index: usize,
    pub root: Node,
    pub syntax: Syntax,
    /// The document is the values of Dragonfly's Helm chart (`--helm-values`), not a
    /// manifest.
    pub helm_values: bool,
}

impl Document {
    /// The JSON path of a node of this document (root when the node is not in it).
    pub fn path_of(&self, node: &Node) -> JsonPath {
        path_to(&self.root, node).unwrap_or_default()
    }
}

/// A syntax problem found while reading a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxProblem {
    pub kind: SyntaxProblemKind,
    pub message: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxProblemKind {
    /// The text is not valid YAML/JSON; the document it is in is lost.
    Invalid,
    /// A string meant to hold YAML (Argo CD's `helm.values`) does not: the document is read,
    /// the string is not.
    InvalidEmbedded,
    /// A mapping repeats a key; the later value wins.
    DuplicateKey,
    /// Nesting, alias expansion or the number of documents beyond the configured
    /// [`crate::limits::Limits`].
    TooLarge,
}

/// The result of parsing one source text.
#[derive(Debug, Default)]
pub struct Parsed {
    pub roots: Vec<Node>,
    pub problems: Vec<SyntaxProblem>,
}
