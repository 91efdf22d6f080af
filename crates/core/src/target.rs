//! Where a finding points: a node of a document, or a raw span of a source. Everything that
//! locates things (documents, ACL text, command lines, network policies) builds targets, and
//! rules report at them; so the type sits below all of them, not with the rules.

use crate::diagnostic::Location;
use crate::document::{Document, JsonPath, Node};
use crate::source::{Source, Span};

/// A place in a source: a node of a document, or a raw span.
#[derive(Clone, Debug)]
pub struct Target {
    pub source: usize,
    pub span: Span,
    pub path: Option<JsonPath>,
}

impl Target {
    pub fn node(doc: &Document, node: &Node) -> Target {
        Target {
            source: doc.source,
            span: node.span,
            path: (doc.syntax != crate::document::Syntax::FlagFile).then(|| doc.path_of(node)),
        }
    }

    /// The key of a mapping entry (for "unknown field" style findings).
    pub fn key(doc: &Document, key: &Node, value: &Node) -> Target {
        Target {
            source: doc.source,
            span: key.span,
            path: Some(doc.path_of(value)),
        }
    }

    pub fn span(source: usize, span: Span) -> Target {
        Target {
            source,
            span,
            path: None,
        }
    }

    /// A narrower span inside this target (same path).
    pub fn with_span(mut self, span: Span) -> Target {
        self.span = span;
        self
    }
}

/// The file, line and column of a target (for reports other than diagnostics).
pub fn locate(sources: &[Source], target: &Target) -> Location {
    locate_from(sources, target, 1)
}

/// Like [`locate`], its line search starting at 1-based line `hint` of the target's source
/// when the target is there or later (see [`Source::line_col_from`]).
pub fn locate_from(sources: &[Source], target: &Target, hint: usize) -> Location {
    let source = &sources[target.source];
    let (line, column) = source.line_col_from(hint, target.span.start);
    let (end_line, end_column) = source.line_col_from(line, target.span.end);
    Location {
        file: source.shared_name(),
        span: target.span,
        line,
        column,
        end_line,
        end_column,
        json_path: target.path.as_ref().and_then(JsonPath::shared),
    }
}
