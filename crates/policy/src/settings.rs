//! The policy's settings: how strict it is, which rules run, and what it may read.
//!
//! policy-server validates them once at start-up through `validate_settings`. Anything that
//! does not deserialize — an unknown key, a wrong type, an unknown severity — gives
//! `valid: false` with the offending field named, never a guest error.

use std::collections::BTreeMap;

use dflint_core::acl::Dialect;
use dflint_core::config::ScraperSelector;
use dflint_core::limits::Limits;
use dflint_core::{LintConfig, Severity};
use serde::{Deserialize, Serialize};

/// Objects above this size (JSON text) are rejected unread: a little more than the 1.5 MiB
/// the API server stores by default, so real objects never hit it.
pub const DEFAULT_MAX_OBJECT_BYTES: u64 = 2 * 1024 * 1024;
/// The limit cannot be raised beyond this: linting must stay well inside policy-server's
/// default 2 s evaluation timeout. An ACL Secret of 12,700 tenants this large takes under
/// half of it in the compiled policy (crates/policy-harness/tests/hostile_inputs.rs proves
/// the margin); 32 MiB, the ceiling before, took about 10 s, and 4 MiB 2.3 s.
pub const MAX_OBJECT_BYTES_CEILING: u64 = 2 * 1024 * 1024;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Settings {
    /// Findings at or above this severity reject the request.
    pub reject_severity: Level,
    /// Findings at or above this severity (and below `rejectSeverity`) are returned as
    /// admission warnings.
    pub warn_severity: WarnLevel,
    /// Rule codes, code prefixes or rule names to run (empty: all).
    pub select: Vec<String>,
    /// Rule codes, code prefixes or rule names not to run.
    pub ignore: Vec<String>,
    /// ACL users allowed to hold dangerous and admin permissions.
    pub acl_admin_users: Vec<String>,
    /// How ACL text is read: as Dragonfly or as Redis 7 reads it.
    pub acl_dialect: AclDialect,
    /// The namespace dragonfly-operator runs in (its pods may reach the admin port).
    pub operator_namespace: Option<String>,
    /// Pods allowed to reach the admin port for `/metrics`.
    pub metrics_scrapers: Vec<MetricsScraper>,
    /// Objects whose JSON text is larger are rejected without being linted.
    pub max_object_bytes: u64,
    /// When set, Secrets and ConfigMaps without this label are accepted without being read.
    pub acl_label: Option<String>,
    /// Read the Secret a CR's `aclFromSecret` names, and the Dragonfly CRs a network policy's
    /// namespace holds, through the `kubernetes` host capability.
    pub context_aware: bool,
    /// How much of an object the linter reads (nesting, aliases, findings per rule…), as
    /// the command line's `--max-*` flags set it; each one exceeded is a finding.
    pub limits: Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reject_severity: Level::Error,
            warn_severity: WarnLevel::Warning,
            select: Vec::new(),
            ignore: Vec::new(),
            acl_admin_users: vec!["default".to_string()],
            acl_dialect: AclDialect::Dragonfly,
            operator_namespace: None,
            metrics_scrapers: Vec::new(),
            max_object_bytes: DEFAULT_MAX_OBJECT_BYTES,
            acl_label: None,
            context_aware: false,
            limits: Limits::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WarnLevel {
    Error,
    Warning,
    Info,
    None,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AclDialect {
    Dragonfly,
    Redis,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsScraper {
    /// The scraper's namespace (any namespace when absent).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Labels the scraper pods carry; all must match.
    pub match_labels: BTreeMap<String, String>,
}

impl Level {
    pub fn severity(self) -> Severity {
        match self {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

impl WarnLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            WarnLevel::Error => Some(Severity::Error),
            WarnLevel::Warning => Some(Severity::Warning),
            WarnLevel::Info => Some(Severity::Info),
            WarnLevel::None => None,
        }
    }
}

impl Settings {
    /// Reads settings as policy-server passes them (a JSON object; `null` means defaults).
    pub fn from_json(bytes: &[u8]) -> Result<Settings, String> {
        let trimmed = bytes.trim_ascii();
        if trimmed.is_empty() || trimmed == b"null" {
            return Ok(Settings::default());
        }
        let value: serde_json::Value =
            serde_json::from_slice(trimmed).map_err(|e| format!("settings: not JSON: {e}"))?;
        if !value.is_object() {
            return Err("settings: must be a JSON object".to_string());
        }
        let settings: Settings = serde_path_to_error::deserialize(value).map_err(|error| {
            let path = error.path().to_string();
            if path == "." {
                format!("settings: {}", error.into_inner())
            } else {
                format!("settings `{path}`: {}", error.into_inner())
            }
        })?;
        let settings = settings.without_empty_strings();
        settings.check()?;
        Ok(settings)
    }

    /// Forms (Rancher's questions UI among them) send `""` for a field left blank: that means
    /// "not set", not "the namespace named nothing".
    fn without_empty_strings(mut self) -> Settings {
        let blank = |value: &mut Option<String>| {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *value = None;
            }
        };
        blank(&mut self.acl_label);
        blank(&mut self.operator_namespace);
        for scraper in &mut self.metrics_scrapers {
            blank(&mut scraper.namespace);
        }
        self
    }

    /// Checks what the types alone cannot.
    pub fn check(&self) -> Result<(), String> {
        let mut unknown = Vec::new();
        for (field, patterns) in [("select", &self.select), ("ignore", &self.ignore)] {
            let names: Vec<String> = patterns
                .iter()
                .filter(|p| !matches_any_rule(p))
                .map(|p| format!("`{p}`"))
                .collect();
            if !names.is_empty() {
                let verb = if names.len() == 1 { "matches" } else { "match" };
                unknown.push(format!(
                    "settings `{field}`: {} {verb} no rule code, code prefix or rule name",
                    names.join(", ")
                ));
            }
        }
        if !unknown.is_empty() {
            return Err(unknown.join("; "));
        }
        if self.acl_admin_users.iter().any(|u| u.trim().is_empty()) {
            return Err("settings `aclAdminUsers`: user names must not be empty".to_string());
        }
        for (index, scraper) in self.metrics_scrapers.iter().enumerate() {
            if scraper.match_labels.is_empty() {
                return Err(format!(
                    "settings `metricsScrapers[{index}].matchLabels`: give at least one label; a scraper without labels would be every pod"
                ));
            }
        }
        if self.max_object_bytes == 0 || self.max_object_bytes > MAX_OBJECT_BYTES_CEILING {
            return Err(format!(
                "settings `maxObjectBytes`: must be between 1 and {MAX_OBJECT_BYTES_CEILING}"
            ));
        }
        if let Err(invalid) = self.limits.validate() {
            return Err(format!(
                "settings `limits.{}`: {invalid}",
                invalid.limit.key()
            ));
        }
        if !self.context_aware && !self.select.is_empty() {
            let runs_something = dflint_core::rules::registry().iter().any(|rule| {
                let meta = rule.meta();
                !crate::BUNDLE_ONLY_CODES.contains(&meta.code) && self.lint_config().enables(meta)
            });
            if !runs_something {
                return Err(format!(
                    "settings `select`: {:?} selects only rules that need other resources, which single-object admission skips; turn on `contextAware` or select other rules",
                    self.select
                ));
            }
        }
        Ok(())
    }

    /// The core configuration these settings stand for. Severity filtering is the policy's
    /// own (reject vs warn), so every finding is collected.
    pub fn lint_config(&self) -> LintConfig {
        LintConfig {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            min_severity: None,
            acl_dialect: match self.acl_dialect {
                AclDialect::Dragonfly => Dialect::Dragonfly,
                AclDialect::Redis => Dialect::Redis,
            },
            acl_admin_users: self.acl_admin_users.clone(),
            // Left at its default, the admin list is extended by inference (users named
            // `admin`, `root`… with full access); a list given explicitly is taken as complete.
            infer_acl_admins: self.acl_admin_users == Settings::default().acl_admin_users,
            operator_namespace: self.operator_namespace.clone(),
            metrics_scrapers: self
                .metrics_scrapers
                .iter()
                .map(|s| ScraperSelector {
                    namespace: s.namespace.clone(),
                    labels: s
                        .match_labels
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                })
                .collect(),
            limits: self.limits.clone(),
        }
    }
}

/// Whether a select/ignore pattern names at least one rule.
fn matches_any_rule(pattern: &str) -> bool {
    let probe = LintConfig {
        select: vec![pattern.to_string()],
        ..LintConfig::default()
    };
    dflint_core::rules::registry()
        .iter()
        .any(|rule| probe.enables(rule.meta()))
}

#[derive(Serialize)]
struct SettingsValidation {
    valid: bool,
    message: Option<String>,
}

/// The `validate_settings` answer: `{"valid": bool, "message": …}`.
pub fn validate_settings_payload(payload: &[u8]) -> Vec<u8> {
    let answer = match Settings::from_json(payload) {
        Ok(_) => SettingsValidation {
            valid: true,
            message: None,
        },
        Err(message) => SettingsValidation {
            valid: false,
            message: Some(message),
        },
    };
    serde_json::to_vec(&answer).unwrap_or_else(|_| br#"{"valid":false}"#.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(json: &str) -> String {
        Settings::from_json(json.as_bytes()).unwrap_err()
    }

    #[test]
    fn defaults_from_null_empty_and_empty_object() {
        for text in ["", "null", "{}"] {
            assert_eq!(
                Settings::from_json(text.as_bytes()),
                Ok(Settings::default())
            );
        }
    }

    #[test]
    fn every_field_reads() {
        let settings = Settings::from_json(
            br#"{"rejectSeverity":"warning","warnSeverity":"info","select":["DF3","admin-port-reachable"],
                "ignore":["DF303"],"aclAdminUsers":["admin"],"aclDialect":"redis","operatorNamespace":"dragonfly-operator-system",
                "metricsScrapers":[{"namespace":"monitoring","matchLabels":{"app":"vmagent"}}],
                "maxObjectBytes":1000000,"aclLabel":"dflint.io/acl","contextAware":true}"#,
        )
        .unwrap();
        assert_eq!(settings.reject_severity, Level::Warning);
        assert_eq!(settings.warn_severity, WarnLevel::Info);
        assert!(settings.context_aware);
        let config = settings.lint_config();
        assert_eq!(config.acl_dialect, Dialect::Redis);
        assert_eq!(
            config.metrics_scrapers[0].labels,
            [("app".to_string(), "vmagent".to_string())]
        );
    }

    #[test]
    fn errors_name_the_field() {
        assert!(error(r#"{"rejectSeverity":"fatal"}"#).contains("`rejectSeverity`"));
        assert!(error(r#"{"contextAware":"yes"}"#).contains("`contextAware`"));
        let unknown = error(r#"{"rejectseverity":"error"}"#);
        assert!(
            unknown.contains("unknown field `rejectseverity`"),
            "{unknown}"
        );
        let nested = error(r#"{"metricsScrapers":[{"matchLabels":{"app":1}}]}"#);
        assert!(
            nested.contains("metricsScrapers[0].matchLabels"),
            "{nested}"
        );
        assert!(error(r#"{"metricsScrapers":[{"matchLabels":{}}]}"#).contains("at least one label"));
        let patterns = error(r#"{"select":["DF999"],"ignore":["DF2","nope","DF9"]}"#);
        assert_eq!(
            patterns,
            "settings `select`: `DF999` matches no rule code, code prefix or rule name; settings `ignore`: `nope`, `DF9` match no rule code, code prefix or rule name"
        );
        assert!(error(r#"{"maxObjectBytes":0}"#).contains("maxObjectBytes"));
        assert!(error(r#"{"select":["DF305"]}"#).contains("only rules that need other resources"));
        assert!(Settings::from_json(br#"{"select":["DF305"],"contextAware":true}"#).is_ok());
        assert_eq!(error("[1]"), "settings: must be a JSON object");
        assert!(error("{").starts_with("settings: not JSON"));
    }

    #[test]
    fn limits_read_with_camel_case_names_numbers_or_sizes() {
        let settings = Settings::from_json(
            br#"{"limits":{"maxFileBytes":"1MiB","maxDocumentsPerFile":10,"maxFindingsPerRule":"2k",
                "maxDepth":64,"maxAliasNodes":1000,"maxAliasBytes":"1Mi","maxAnchorNodes":2000,
                "maxAnchorBytes":4096,"maxExpansionReferences":50,"maxNetworkPolicyListEntries":500,
                "maxAclOverlapPairs":20}}"#,
        )
        .unwrap();
        let expected = Limits {
            max_file_bytes: 1 << 20,
            max_documents_per_file: 10,
            max_findings_per_rule: 2_000,
            max_depth: 64,
            max_alias_nodes: 1_000,
            max_alias_bytes: 1 << 20,
            max_anchor_nodes: 2_000,
            max_anchor_bytes: 4_096,
            max_expansion_references: 50,
            max_network_policy_list_entries: 500,
            max_acl_overlap_pairs: 20,
        };
        assert_eq!(settings.limits, expected);
        assert_eq!(settings.lint_config().limits, expected);
        // Keys left out keep their defaults; so does `maxObjectBytes`, which is no limit of
        // the linter's but the policy's own.
        let partial = Settings::from_json(br#"{"limits":{"maxDepth":100}}"#).unwrap();
        assert_eq!(
            partial.limits,
            Limits {
                max_depth: 100,
                ..Limits::default()
            }
        );
        assert_eq!(partial.max_object_bytes, DEFAULT_MAX_OBJECT_BYTES);
        assert_eq!(
            Settings::from_json(br#"{"limits":{}}"#),
            Ok(Settings::default())
        );
        assert_eq!(Settings::default().lint_config().limits, Limits::default());
    }

    #[test]
    fn invalid_limits_name_the_field() {
        assert_eq!(
            error(r#"{"limits":{"maxDepth":0}}"#),
            "settings `limits.maxDepth`: must be between 1 and 1024, not 0"
        );
        assert_eq!(
            error(r#"{"limits":{"maxFindingsPerRule":100000000}}"#),
            "settings `limits.maxFindingsPerRule`: must be between 1 and 10000000, not 100000000"
        );
        let wrong_type = error(r#"{"limits":{"maxFileBytes":true}}"#);
        assert!(
            wrong_type.starts_with("settings `limits.maxFileBytes`:"),
            "{wrong_type}"
        );
        let bad_unit = error(r#"{"limits":{"maxFileBytes":"3 parsecs"}}"#);
        assert!(
            bad_unit.starts_with("settings `limits.maxFileBytes`:")
                && bad_unit.contains("unknown unit `parsecs`"),
            "{bad_unit}"
        );
        let unknown = error(r#"{"limits":{"maxDeep":3}}"#);
        assert!(
            unknown.starts_with("settings `limits.maxDeep`: unknown field `maxDeep`, expected one of `maxFileBytes`"),
            "{unknown}"
        );
        let negative = error(r#"{"limits":{"maxDepth":-1}}"#);
        assert!(
            negative.starts_with("settings `limits.maxDepth`:"),
            "{negative}"
        );
        assert!(error(r#"{"limits":"big"}"#).starts_with("settings `limits`:"));
    }

    #[test]
    fn blank_strings_mean_unset() {
        let settings = Settings::from_json(
            br#"{"aclLabel":"","operatorNamespace":" ","metricsScrapers":[{"namespace":"","matchLabels":{"app":"x"}}]}"#,
        )
        .unwrap();
        assert_eq!(settings.acl_label, None);
        assert_eq!(settings.operator_namespace, None);
        assert_eq!(settings.metrics_scrapers[0].namespace, None);
    }

    #[test]
    fn the_answer_is_always_json() {
        let answer: serde_json::Value =
            serde_json::from_slice(&validate_settings_payload(b"\xff")).unwrap();
        assert_eq!(answer["valid"], false);
        let answer: serde_json::Value =
            serde_json::from_slice(&validate_settings_payload(b"{}")).unwrap();
        assert_eq!(answer, serde_json::json!({"valid": true, "message": null}));
    }
}
