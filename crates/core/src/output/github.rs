//! GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per finding,
//! which the runner turns into annotations on the pull request's diff.
//!
//! The runner reads `%`, CR and LF as escapes in the message, and also `:` and `,` in the
//! properties (`file=`, `title=`); they are written as `%25`, `%0D`, `%0A`, `%3A`, `%2C`.

use crate::diagnostic::Severity;
use crate::lint::Report;
use std::io::Write;

/// Writes every finding of `report` as a workflow command.
pub fn write<W: Write>(report: &Report, mut out: W) -> std::io::Result<()> {
    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let l = &d.location;
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&l.file),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            property(&format!("{} ({})", d.code, d.rule)),
            message(&d.message)
        )?;
    }
    Ok(())
}

fn message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(text: &str) -> String {
    message(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_the_runner_would_read_as_syntax() {
        assert_eq!(message("50% of\nkeys"), "50%25 of%0Akeys");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
