//! What a lint run should report.

use crate::acl::Dialect;
use crate::diagnostic::Severity;
pub use crate::limits::Limits;

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
    /// Also treat as admins the users whose name says so (`admin`, `root`, `*_admin`…) and
    /// who hold every command on every key. On unless the admin list was given explicitly.
    pub infer_acl_admins: bool,
    /// The namespace dragonfly-operator runs in, when known: its pods may reach the admin port.
    pub operator_namespace: Option<String>,
    /// Pods allowed to reach the admin port for `/metrics` (empty: well-known scrapers).
    pub metrics_scrapers: Vec<ScraperSelector>,
    /// How much of the input is read; front ends check it with [`Limits::validate`].
    pub limits: Limits,
}

/// A metrics scraper: pods with these labels, in this namespace (any when `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScraperSelector {
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            select: Vec::new(),
            ignore: Vec::new(),
            min_severity: None,
            acl_dialect: Dialect::Dragonfly,
            acl_admin_users: vec!["default".to_string()],
            infer_acl_admins: true,
            operator_namespace: None,
            metrics_scrapers: Vec::new(),
            limits: Limits::default(),
        }
    }
}
