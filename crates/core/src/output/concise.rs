//! One finding a line, `file:line:column: CODE message`, as compilers and ruff print them:
//! for editors' error lists and for `grep`. A message of several lines is joined into one.

use crate::lint::Report;
use std::io::Write;

/// Writes every finding of `report` as one line.
pub fn write<W: Write>(report: &Report, mut out: W) -> std::io::Result<()> {
    for d in &report.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            d.location.file,
            d.location.line,
            d.location.column,
            d.code,
            d.severity.as_str(),
            one_line(&d.message)
        )?;
    }
    Ok(())
}

/// The lines of `text` joined with single spaces.
pub fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
