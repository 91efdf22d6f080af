//! The one diagnostic model every front end renders.

use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
/// The JSON path is shared with every other finding at the same node (a report of a large
/// input holds hundreds of thousands of locations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: Arc<str>,
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub json_path: Option<Arc<str>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

/// The resource a finding is in: its kind, namespace and name as written (`None` when the
/// manifest leaves them out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    pub kind: &'static str,
    pub namespace: Option<Box<str>>,
    pub name: Option<Box<str>>,
}

impl fmt::Display for ResourceRef {
    /// `Dragonfly/cache/main`, `Secret/acl` (no namespace), `Dragonfly` (no name).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind)?;
        for part in [&self.namespace, &self.name].into_iter().flatten() {
            write!(f, "/{part}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    /// One sentence naming the thing; never contains secret material.
    pub message: String,
    /// Most rules' help is a fixed sentence: borrowed, it costs no allocation per finding.
    pub help: Option<Cow<'static, str>>,
    pub location: Location,
    pub related: Vec<Related>,
    /// The resource the finding is in, when it is in one (not in an ACL file): shared by
    /// every finding of that resource.
    pub resource: Option<Arc<ResourceRef>>,
}

impl Diagnostic {
    /// The link to the rule's documentation. Made when shown, not stored: a report of a large
    /// input holds tens of thousands of findings, and the link follows from the code.
    pub fn doc_url(&self) -> DocUrl<'static> {
        DocUrl {
            code: self.code,
            rule: self.rule,
        }
    }
}

/// The project's home, from the workspace's `repository` (Cargo.toml is the one place it is
/// written).
pub const REPOSITORY_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// Base of the per-rule documentation links.
pub const DOC_BASE_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules.md");

pub fn doc_url(code: &str, rule: &str) -> String {
    DocUrl { code, rule }.to_string()
}

/// A rule's documentation link, written out without an intermediate string.
#[derive(Clone, Copy, Debug)]
pub struct DocUrl<'a> {
    code: &'a str,
    rule: &'a str,
}

impl<'a> DocUrl<'a> {
    pub fn of(code: &'a str, rule: &'a str) -> Self {
        DocUrl { code, rule }
    }
}

impl fmt::Display for DocUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DOC_BASE_URL)?;
        f.write_str("#")?;
        for part in [self.code, "-", self.rule] {
            for c in part.chars() {
                fmt::Write::write_char(f, c.to_ascii_lowercase())?;
            }
        }
        Ok(())
    }
}

impl Serialize for DocUrl<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A DF011 finding in `file` at `line`, for the tests of what is computed from findings
/// (fingerprints, baselines).
#[cfg(test)]
pub(crate) fn sample_finding(
    file: &str,
    line: usize,
    path: Option<&str>,
    message: &str,
) -> Diagnostic {
    Diagnostic {
        code: "DF011",
        rule: "image-not-pinned",
        severity: Severity::Warning,
        message: message.into(),
        help: None,
        location: Location {
            file: file.into(),
            span: Span::new(line * 10, line * 10 + 4),
            line,
            column: 3,
            end_line: line,
            end_column: 7,
            json_path: path.map(Arc::from),
        },
        related: Vec::new(),
        resource: None,
    }
}
