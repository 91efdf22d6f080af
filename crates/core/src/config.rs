//! What a lint run should report.

use crate::acl::Dialect;
use crate::diagnostic::Severity;
use crate::rules::RuleMeta;

#[derive(Clone, Debug)]
pub struct LintConfig {
    /// Only rules whose code or name starts with one of these run (empty = all).
    pub select: Vec<String>,
    /// Rules whose code or name starts with one of these never run.
    pub ignore: Vec<String>,
    /// Diagnostics below this severity are dropped.
    pub min_severity: Option<Severity>,
    /// Which server's ACL rules apply to ACL text.
    pub acl_dialect: Dialect,
    /// ACL users allowed to hold dangerous and admin permissions.
    pub acl_admin_users: Vec<String>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            select: Vec::new(),
            ignore: Vec::new(),
            min_severity: None,
            acl_dialect: Dialect::Dragonfly,
            acl_admin_users: vec!["default".to_string()],
        }
    }
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
