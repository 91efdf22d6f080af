//! Suppressions: the ways a user says "this finding is known and accepted here, because…".
//!
//! - a YAML comment, `# dflint: ignore[DF011] pinned by the release pipeline`, at the end of
//!   the line a finding starts on, or alone on the line above it (the next line that is not
//!   blank or a comment); `# dflint: ignore-file[DF011] reason` anywhere covers the file;
//! - a resource annotation, `dflint.io/ignore: "DF011, DF013: reason; DF301: reason"`, which
//!   covers the resource's document and also works at admission (where YAML comments do not
//!   exist); `allow-ignore-annotation = false` turns it off, so tenants cannot exempt their own
//!   objects;
//! - `[[acl.ignore]]` in the settings (`user`, `code`, `reason`): ACL files cannot hold comments
//!   on Dragonfly, so a user's findings are accepted from outside.
//!
//! Each names rules by code or name and must give a reason. One without a reason, one that
//! cannot be read, or one naming no rule is itself a finding (DF006), and so is one that
//! suppresses nothing (DF007). A name that is no rule simply matches no finding.

use crate::acl::found::FoundAcl;
use crate::config::LintConfig;
use crate::diagnostic::Diagnostic;
use crate::document::Node;
use crate::dragonfly::facts::CrFacts;
use crate::resource::Resource;
use crate::source::{Source, Span};

/// The annotation key read on every resource.
pub use crate::resource::IGNORE_ANNOTATION as ANNOTATION;

/// What a suppression covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Covers {
    /// Findings that start on this 1-based line of the source.
    Line { source: usize, line: usize },
    /// Every finding in the source.
    File { source: usize },
    /// Findings inside this span of the source (a resource's document).
    Span { source: usize, span: Span },
    /// Findings on the lines of an ACL user.
    AclUser { user: String },
    /// Nothing: a suppression that cannot be read (reported by DF006) silences no finding.
    Nothing,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Comment,
    Annotation,
    /// The index of the `[[acl.ignore]]` entry in the settings.
    AclIgnore(usize),
}

#[derive(Clone, Debug)]
pub struct Suppression {
    pub origin: Origin,
    /// Rule codes or names, as written.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub covers: Covers,
    /// Where it is written (the comment, the annotation's value); `None` for settings.
    pub written_at: Option<(usize, Span)>,
    /// Why it cannot be read, when it cannot. A rule name that names no rule is not found
    /// here but by the rule that reports it (DF006): this model sits below the rules.
    pub problem: Option<String>,
}

impl Suppression {
    fn matches(&self, d: &Diagnostic) -> bool {
        self.problem.is_none()
            && self
                .rules
                .iter()
                .any(|r| r.eq_ignore_ascii_case(d.code) || r == d.rule)
    }
}

/// Every suppression written in the sources, the resources and the settings.
/// `not_yaml` lists the sources that hold no YAML to read comments from (ACL files, text
/// that is not UTF-8, files too large to read).
pub fn collect(
    sources: &[Source],
    not_yaml: &[usize],
    resources: &[Resource<'_>],
    crs: &[CrFacts],
    acls: &[FoundAcl<'_>],
    config: &LintConfig,
) -> Vec<Suppression> {
    let mut found = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        if !not_yaml.contains(&index) && has_yaml_comments(source) {
            comments(index, source, &mut found);
        }
    }
    if config.allow_ignore_annotation {
        for resource in resources {
            annotation(resource, &mut found);
        }
        for cr in crs {
            if let Some((value, written)) = cr.ignore_annotation() {
                let value = value.as_deref().map_err(|type_name| *type_name);
                annotation_text(cr.source, cr.span, value, *written, &mut found);
            }
        }
    }
    for (index, entry) in config.acl.ignore.iter().enumerate() {
        if acls.is_empty() {
            break;
        }
        found.push(Suppression {
            origin: Origin::AclIgnore(index),
            rules: vec![entry.code.clone()],
            reason: Some(entry.reason.clone()).filter(|r| !r.trim().is_empty()),
            covers: Covers::AclUser {
                user: entry.user.clone(),
            },
            written_at: None,
            problem: None,
        });
    }
    found
}

/// YAML text that mentions `dflint:` at all (JSON has no comments).
fn has_yaml_comments(source: &Source) -> bool {
    !source.name().to_ascii_lowercase().ends_with(".json") && source.text().contains("dflint:")
}

/// `# dflint: ignore[...]` and `# dflint: ignore-file[...]` comments. A `#` starts a comment
/// at the start of a line or after a space or tab, as in YAML.
/// Lines are the source's own (a lone `\r` ends one too), so a comment's line is the line
/// findings report; only the lines that mention `dflint:` are looked at.
fn comments(index: usize, text_source: &Source, found: &mut Vec<Suppression>) {
    let source = index;
    let text = text_source.text();
    // 1-based line `n` without its line break, and where it starts.
    let line_at = |n: usize| {
        let start = text_source.line_start(n);
        let end = text_source.line_start(n + 1);
        (start, text[start..end].trim_end_matches(['\n', '\r']))
    };
    let mut previous_line = 0;
    for (at, _) in text.match_indices("dflint:") {
        let (number, _) = text_source.line_col(at);
        if number == previous_line {
            continue;
        }
        previous_line = number;
        let (start, line) = line_at(number);
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let body = line[hash + 1..].trim_start();
        let Some(directive) = body.strip_prefix("dflint:") else {
            continue;
        };
        let directive = directive.trim_start();
        let span = Span::new(start + hash, start + line.trim_end().len());
        let standalone = line[..hash].trim().is_empty();
        let (file_wide, rest) = if let Some(rest) = directive.strip_prefix("ignore-file") {
            (true, rest)
        } else if let Some(rest) = directive.strip_prefix("ignore") {
            (false, rest)
        } else {
            found.push(unreadable(
                source,
                span,
                "a `dflint:` comment must be `ignore[CODES] reason` or `ignore-file[CODES] reason`",
            ));
            continue;
        };
        let Some((rules, reason)) = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(codes, reason)| (split_rules(codes), clean_reason(reason)))
        else {
            found.push(unreadable(
                source,
                span,
                "the rules of a `dflint:` comment go in brackets: `ignore[DF011] reason`",
            ));
            continue;
        };
        let covers = if file_wide {
            Covers::File { source }
        } else if standalone {
            // The next line with content: comments and blank lines between are skipped.
            let next = (number + 1..=text_source.line_count())
                .find(|&n| {
                    let t = line_at(n).1.trim_start();
                    !t.is_empty() && !t.starts_with('#')
                })
                .unwrap_or(number + 1);
            Covers::Line { source, line: next }
        } else {
            Covers::Line {
                source,
                line: number,
            }
        };
        let problem = rules
            .is_empty()
            .then(|| "no rule is named between the brackets".to_string());
        found.push(Suppression {
            origin: Origin::Comment,
            rules,
            reason,
            covers,
            written_at: Some((source, span)),
            problem,
        });
    }
}

/// Where a YAML comment starts on a line, if one does: a `#` at the start or after a blank,
/// outside quotes (a simple scan: quotes that span lines are rare in manifests).
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut previous = b' ';
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        match quote {
            // `''` inside single quotes is an escaped quote, not the end.
            Some(b'\'') if c == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 1,
            // `\"` inside double quotes is escaped.
            Some(b'"') if c == b'\\' => at += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'#' && (previous == b' ' || previous == b'\t') => return Some(at),
            None if (c == b'"' || c == b'\'')
                && matches!(previous, b' ' | b'\t' | b':' | b'[' | b',' | b'-' | b'{') =>
            {
                quote = Some(c)
            }
            None => {}
        }
        previous = c;
        at += 1;
    }
    None
}

fn unreadable(source: usize, span: Span, problem: &str) -> Suppression {
    Suppression {
        origin: Origin::Comment,
        rules: Vec::new(),
        reason: None,
        covers: Covers::Nothing,
        written_at: Some((source, span)),
        problem: Some(problem.to_string()),
    }
}

fn split_rules(codes: &str) -> Vec<String> {
    codes
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The reason after the rules, without the separator people put before it (`: `, `- `, `— `).
fn clean_reason(text: &str) -> Option<String> {
    let reason = text.trim().trim_start_matches([':', '-', '—', '–']).trim();
    (!reason.is_empty()).then(|| reason.to_string())
}

/// `dflint.io/ignore: "DF011, DF013: reason; DF301: other reason"` (entries also split by
/// new lines).
fn annotation(resource: &Resource<'_>, found: &mut Vec<Suppression>) {
    let Some(node) = resource
        .root
        .at(&["metadata", "annotations"])
        .and_then(|a| a.get(ANNOTATION))
    else {
        return;
    };
    let value = node.as_str().ok_or(Node::type_name(node));
    annotation_text(
        resource.doc.source,
        resource.root.span,
        value,
        node.span,
        found,
    );
}

/// The suppressions of one annotation: its text (or the type it has instead of text) at
/// `written` in `source`, covering the resource at `covered`.
fn annotation_text(
    source: usize,
    covered: Span,
    value: Result<&str, &'static str>,
    written: Span,
    found: &mut Vec<Suppression>,
) {
    let covers = Covers::Span {
        source,
        span: covered,
    };
    let value = match value {
        Ok(value) => value,
        Err(type_name) => {
            found.push(Suppression {
                origin: Origin::Annotation,
                rules: Vec::new(),
                reason: None,
                covers,
                written_at: Some((source, written)),
                problem: Some(format!(
                    "the `{ANNOTATION}` annotation must be a string (`\"DF011: reason\"`), not {type_name}"
                )),
            });
            return;
        }
    };
    for entry in value.split([';', '\n']).filter(|e| !e.trim().is_empty()) {
        let (rules, reason) = match entry.split_once(':') {
            Some((codes, reason)) => (split_rules(codes), clean_reason(reason)),
            None => (split_rules(entry), None),
        };
        let problem = rules
            .is_empty()
            .then(|| "an entry names no rule: write `DF011: reason`".to_string());
        found.push(Suppression {
            origin: Origin::Annotation,
            rules,
            reason,
            covers: covers.clone(),
            written_at: Some((source, written)),
            problem,
        });
    }
}

/// Removes the findings a suppression covers; returns, per suppression, whether it covered
/// any, and how many findings were removed.
/// `source_of` gives the index of the source a finding's file name names.
pub fn apply(
    suppressions: &[Suppression],
    source_of: impl Fn(&str) -> Option<usize>,
    acls: &[FoundAcl<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<bool>, usize) {
    let mut used = vec![false; suppressions.len()];
    if suppressions.is_empty() {
        return (used, 0);
    }
    let acl_user_lines = acl_user_lines(acls);
    let before = diagnostics.len();
    diagnostics.retain(|d| {
        let source = source_of(&d.location.file);
        let mut suppressed = false;
        for (index, suppression) in suppressions.iter().enumerate() {
            if !suppression.matches(d) {
                continue;
            }
            let covered = match &suppression.covers {
                Covers::Line { source: s, line } => source == Some(*s) && d.location.line == *line,
                Covers::File { source: s } => source == Some(*s),
                Covers::Span { source: s, span } => {
                    source == Some(*s)
                        && span.start <= d.location.span.start
                        && d.location.span.start < span.end.max(span.start + 1)
                }
                Covers::AclUser { user } => acl_user_lines.iter().any(|(s, span, name)| {
                    name == user
                        && source == Some(*s)
                        && span.start <= d.location.span.start
                        && d.location.span.start <= span.end
                }),
                Covers::Nothing => false,
            };
            if covered {
                used[index] = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    (used, before - diagnostics.len())
}

/// For every ACL line of a user: its source, its span there and the user's name.
fn acl_user_lines(acls: &[FoundAcl<'_>]) -> Vec<(usize, Span, String)> {
    let mut lines = Vec::new();
    for acl in acls {
        for line in &acl.file.users {
            let (Some(first), Some(last)) = (line.tokens.first(), line.tokens.last()) else {
                continue;
            };
            let Some(name) = line.tokens.get(line.name_token) else {
                continue;
            };
            let span = acl
                .text
                .source_span(Span::new(first.span.start, last.span.end));
            lines.push((
                acl.text.source,
                span,
                acl.text.text[name.span.start..name.span.end].to_string(),
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_start_after_a_blank_outside_quotes() {
        assert_eq!(
            comment_start("  image: x # dflint: ignore[DF011] r"),
            Some(11)
        );
        assert_eq!(comment_start("# dflint: ignore[DF011] r"), Some(0));
        assert_eq!(comment_start("  url: http://x/#frag"), None);
        assert_eq!(comment_start("  note: \"a # b\""), None);
        assert_eq!(comment_start("  note: 'it''s # x' # real"), Some(20));
    }

    #[test]
    fn reasons_lose_their_separator() {
        assert_eq!(
            clean_reason(" - pinned upstream"),
            Some("pinned upstream".into())
        );
        assert_eq!(clean_reason(": ok"), Some("ok".into()));
        assert_eq!(clean_reason("   "), None);
    }
}
