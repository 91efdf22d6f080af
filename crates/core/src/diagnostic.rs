//! The one diagnostic model every front end renders.

use crate::source::Span;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a diagnostic points: a byte span in a named source, with its line/column
/// range resolved and, inside a structured document, the JSON path of the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: Arc<str>,
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub json_path: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    /// One sentence naming the thing; never contains secret material.
    pub message: String,
    pub help: Option<String>,
    pub location: Location,
    pub related: Vec<Related>,
    pub doc_url: String,
}

/// Base of the per-rule documentation links.
pub const DOC_BASE_URL: &str = "https://github.com/dflint/dflint/blob/main/docs/rules.md";

pub fn doc_url(code: &str, rule: &str) -> String {
    format!(
        "{DOC_BASE_URL}#{}-{}",
        code.to_ascii_lowercase(),
        rule.to_ascii_lowercase()
    )
}
