//! JUnit XML, for CI systems that show test reports but not code-scanning results (GitLab's
//! test report, Jenkins, Azure Pipelines).
//!
//! The shape CI systems read: a `testsuite` per file with findings, a failing `testcase` per
//! finding (named by rule and position, `failure type` = severity, the help and documentation
//! link in its text). A run without findings is one passing test case, so the report is never
//! empty and a CI system shows the linter ran.

use crate::diagnostic::Diagnostic;
use crate::lint::Report;
use std::io::Write;

/// Writes `report` as a JUnit XML document.
pub fn write<W: Write>(report: &Report, mut out: W) -> std::io::Result<()> {
    let total = report.diagnostics.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="dflint" tests="{}" failures="{total}">"#,
        total.max(1)
    )?;
    if total == 0 {
        writeln!(out, r#"  <testsuite name="dflint" tests="1" failures="0">"#)?;
        writeln!(
            out,
            r#"    <testcase name="no findings" classname="dflint"/>"#
        )?;
        writeln!(out, "  </testsuite>")?;
    }
    // Findings are sorted by file: each run of one file is one suite.
    let mut rest = &report.diagnostics[..];
    while let Some(first) = rest.first() {
        let same_file = rest
            .iter()
            .take_while(|d| d.location.file == first.location.file)
            .count();
        let (suite, next) = rest.split_at(same_file);
        write_suite(&mut out, suite)?;
        rest = next;
    }
    writeln!(out, "</testsuites>")
}

fn write_suite<W: Write>(out: &mut W, findings: &[Diagnostic]) -> std::io::Result<()> {
    let file = escape(&findings[0].location.file);
    writeln!(
        out,
        r#"  <testsuite name="{file}" tests="{0}" failures="{0}">"#,
        findings.len()
    )?;
    for d in findings {
        let l = &d.location;
        writeln!(
            out,
            r#"    <testcase name="{} {} ({}:{})" classname="{file}" file="{file}" line="{}">"#,
            d.code, d.rule, l.line, l.column, l.line
        )?;
        let mut text = format!("{}:{}:{}: {}", l.file, l.line, l.column, d.message);
        if let Some(help) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        text.push_str(&format!("\ndocs: {}", d.doc_url()));
        writeln!(
            out,
            r#"      <failure type="{}" message="{}">{}</failure>"#,
            d.severity.as_str(),
            escape(&d.message),
            escape(&text)
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")
}

/// Text safe inside an XML 1.0 attribute or element: the five markup characters escaped, and
/// the control characters XML 1.0 cannot carry at all (every one below U+0020 but tab, line
/// feed and carriage return) replaced by U+FFFD.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => escaped.push('\u{FFFD}'),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_forbidden_characters_are_escaped() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}\te"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}\te"
        );
    }
}
