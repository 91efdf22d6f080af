//! What a lint run should report.

use crate::diagnostic::Severity;
use crate::rules::RuleMeta;

#[derive(Clone, Debug, Default)]
pub struct LintConfig {
    /// Only rules whose code or name starts with one of these run (empty = all).
    pub select: Vec<String>,
    /// Rules whose code or name starts with one of these never run.
    pub ignore: Vec<String>,
    /// Diagnostics below this severity are dropped.
    pub min_severity: Option<Severity>,
}

impl LintConfig {
    pub fn enables(&self, meta: &RuleMeta) -> bool {
        let matches = |pattern: &String| {
            let p = pattern.as_str();
            meta.code.starts_with(p) || meta.name == p || p.eq_ignore_ascii_case("all")
        };
        (self.select.is_empty() || self.select.iter().any(matches))
            && !self.ignore.iter().any(matches)
    }
}
