//! The policy's settings: the lint settings every front end shares (`LintConfig`, the model
//! behind `dflint.toml`, in camelCase here) plus the few that only admission has.
//!
//! policy-server validates them once at start-up through `validate_settings`. Anything that
//! does not deserialize — an unknown key, a wrong type, an unknown severity — gives
//! `valid: false` with the offending field named, never a guest error.

use dflint_core::config::{LintConfig, Spelling};
use serde::{Deserialize, Serialize};

/// Objects above this size (JSON text) are rejected unread: a little more than the 1.5 MiB
/// the API server stores by default, so real objects never hit it.
pub const DEFAULT_MAX_OBJECT_BYTES: u64 = 2 * 1024 * 1024;
/// The limit cannot be raised beyond this: linting must stay well inside policy-server's
/// default 2 s evaluation timeout. An ACL Secret of 12,700 tenants this large takes under
/// half of it in the compiled policy (crates/policy-harness/tests/hostile_inputs.rs proves
/// the margin); 32 MiB, the ceiling before, took about 10 s, and 4 MiB 2.3 s.
pub const MAX_OBJECT_BYTES_CEILING: u64 = 2 * 1024 * 1024;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// Which rules run, at which severity, with which ACL and network settings and limits:
    /// the model `dflint.toml` and the command line use. Its `failOn` (also read under the
    /// name `rejectSeverity`) is the least severity that rejects a request.
    pub lint: LintConfig,
    /// Admission's own settings.
    pub admission: AdmissionSettings,
}

/// What only admission has.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AdmissionSettings {
    /// Findings at or above this severity (and below `failOn`) are returned as admission
    /// warnings.
    pub warn_severity: WarnLevel,
    /// Objects whose JSON text is larger are rejected without being linted.
    pub max_object_bytes: u64,
    /// When set, Secrets and ConfigMaps without this label are accepted without being read.
    pub acl_label: Option<String>,
    /// Read the Secret a CR's `aclFromSecret` names, and the Dragonfly CRs a network policy's
    /// namespace holds, through the `kubernetes` host capability.
    pub context_aware: bool,
}

/// The keys of [`AdmissionSettings`]: the rest of the settings object is the lint model.
const ADMISSION_KEYS: [&str; 4] = ["warnSeverity", "maxObjectBytes", "aclLabel", "contextAware"];

/// Settings of earlier releases that now live in a section, and where.
const MOVED_KEYS: [(&str, &str); 4] = [
    ("aclAdminUsers", "acl.adminUsers"),
    ("aclDialect", "acl.dialect"),
    ("operatorNamespace", "network.operatorNamespace"),
    ("metricsScrapers", "network.metricsScrapers"),
];

/// Settings that choose files, which admission does not have: accepted by the model, refused
/// here rather than ignored.
const FILE_KEYS: [&str; 4] = [
    "perFileIgnores",
    "exclude",
    "extendExclude",
    "respectGitignore",
];

impl Default for AdmissionSettings {
    fn default() -> Self {
        AdmissionSettings {
            warn_severity: WarnLevel::Warning,
            max_object_bytes: DEFAULT_MAX_OBJECT_BYTES,
            acl_label: None,
            context_aware: false,
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WarnLevel {
    Error,
    Warning,
    Info,
    None,
}

impl WarnLevel {
    pub fn severity(self) -> Option<dflint_core::Severity> {
        use dflint_core::Severity;
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
        let serde_json::Value::Object(mut fields) = value else {
            return Err("settings: must be a JSON object".to_string());
        };
        for (old, new) in MOVED_KEYS {
            if fields.contains_key(old) {
                return Err(format!("settings `{old}`: moved to `{new}`"));
            }
        }
        for key in FILE_KEYS {
            if fields.contains_key(key) {
                return Err(format!(
                    "settings `{key}`: admission reads one object, not files; use `ignore` or a resource's `dflint.io/ignore` annotation"
                ));
            }
        }
        let mut own = serde_json::Map::new();
        for key in ADMISSION_KEYS {
            if let Some(value) = fields.remove(key) {
                own.insert(key.to_string(), value);
            }
        }
        let admission: AdmissionSettings =
            deserialize(serde_json::Value::Object(own)).map_err(|(_, message)| message)?;
        let lint: LintConfig =
            deserialize(serde_json::Value::Object(fields)).map_err(|(top_level, message)| {
                // An unknown key at the top may be meant for admission's own settings.
                if top_level && message.contains("unknown field") {
                    format!(
                        "{message}, or one of admission's own: `{}`",
                        ADMISSION_KEYS.join("`, `")
                    )
                } else {
                    message
                }
            })?;
        let settings = Settings { lint, admission }.without_empty_strings();
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
        blank(&mut self.admission.acl_label);
        // An empty admin list is a form field left empty too: the default, not "nobody".
        if self
            .lint
            .acl
            .admin_users
            .as_ref()
            .is_some_and(|users| users.is_empty())
        {
            self.lint.acl.admin_users = None;
        }
        blank(&mut self.lint.network.operator_namespace);
        blank(&mut self.lint.dragonfly_version);
        for scraper in &mut self.lint.network.metrics_scrapers {
            blank(&mut scraper.namespace);
        }
        self
    }

    /// Checks what the types alone cannot.
    pub fn check(&self) -> Result<(), String> {
        self.lint.validate().map_err(|invalid| {
            format!(
                "settings `{}`: {}",
                invalid.dotted_path(Spelling::Camel),
                invalid.message
            )
        })?;
        let max = self.admission.max_object_bytes;
        if max == 0 || max > MAX_OBJECT_BYTES_CEILING {
            return Err(format!(
                "settings `maxObjectBytes`: must be between 1 and {MAX_OBJECT_BYTES_CEILING}"
            ));
        }
        let selects = !self.lint.select.is_empty() || !self.lint.extend_select.is_empty();
        if !self.admission.context_aware && selects {
            let runs_something = dflint_core::rules::registry().iter().any(|rule| {
                let meta = rule.meta();
                !meta.scope.is_bundle() && self.lint.enables(meta)
            });
            if !runs_something {
                return Err(format!(
                    "settings `select`: {:?} selects only rules that need other resources, which single-object admission skips; turn on `contextAware` or select other rules",
                    self.lint.select
                ));
            }
        }
        Ok(())
    }

    /// The least severity that rejects a request (`None`: never reject, only warn).
    pub fn reject_severity(&self) -> Option<dflint_core::Severity> {
        self.lint.fail_on.threshold()
    }

    /// The core configuration. Severity filtering is the policy's own (reject vs warn), so
    /// every finding is collected.
    pub fn lint_config(&self) -> LintConfig {
        LintConfig {
            min_severity: None,
            ..self.lint.clone()
        }
    }
}

/// Deserializes one part of the settings, naming the field at fault as the user wrote it;
/// the error says whether that field is at the top of the settings.
fn deserialize<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, (bool, String)> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let top_level = error.path().iter().count() <= 1;
        let message = if path == "." {
            format!("settings: {}", error.into_inner())
        } else {
            format!("settings `{path}`: {}", error.into_inner())
        };
        (top_level, message)
    })
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
    use dflint_core::acl::Dialect;
    use dflint_core::limits::Limits;
    use dflint_core::Severity;
    use std::collections::BTreeMap;

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
            br#"{"failOn":"warning","warnSeverity":"info","select":["DF3","admin-port-reachable"],
                "extendSelect":["DF201"],"ignore":["DF303"],"severity":{"DF011":"info"},
                "acl":{"adminUsers":["admin"],"dialect":"redis"},
                "network":{"operatorNamespace":"dragonfly-operator-system",
                  "metricsScrapers":[{"namespace":"monitoring","matchLabels":{"app":"vmagent"}}]},
                "maxObjectBytes":1000000,"aclLabel":"dflint.io/acl","contextAware":true}"#,
        )
        .unwrap();
        assert_eq!(settings.reject_severity(), Some(Severity::Warning));
        assert_eq!(settings.admission.warn_severity, WarnLevel::Info);
        assert!(settings.admission.context_aware);
        assert_eq!(settings.admission.max_object_bytes, 1_000_000);
        let config = settings.lint_config();
        assert_eq!(config.acl.dialect, Dialect::Redis);
        assert_eq!(config.acl.admin_users(), ["admin".to_string()]);
        assert!(!config.acl.infers_admins());
        assert_eq!(config.extend_select, ["DF201"]);
        assert_eq!(config.severity["DF011"], Severity::Info);
        assert_eq!(
            config.network.metrics_scrapers[0].match_labels,
            BTreeMap::from([("app".to_string(), "vmagent".to_string())])
        );
        assert_eq!(
            config.network.operator_namespace.as_deref(),
            Some("dragonfly-operator-system")
        );
    }

    #[test]
    fn reject_severity_is_fail_on_under_its_earlier_name() {
        let settings = Settings::from_json(br#"{"rejectSeverity":"info"}"#).unwrap();
        assert_eq!(settings.reject_severity(), Some(Severity::Info));
        let never = Settings::from_json(br#"{"failOn":"none"}"#).unwrap();
        assert_eq!(never.reject_severity(), None);
        // The dflint.toml spelling is read too.
        let kebab = Settings::from_json(br#"{"fail-on":"warning"}"#).unwrap();
        assert_eq!(kebab.reject_severity(), Some(Severity::Warning));
    }

    #[test]
    fn errors_name_the_field() {
        assert!(error(r#"{"failOn":"fatal"}"#).contains("`failOn`"));
        assert!(error(r#"{"contextAware":"yes"}"#).contains("`contextAware`"));
        let unknown = error(r#"{"rejectseverity":"error"}"#);
        assert!(
            unknown.contains("unknown field `rejectseverity`")
                && unknown.contains("`warnSeverity`, `maxObjectBytes`"),
            "{unknown}"
        );
        let nested = error(r#"{"network":{"metricsScrapers":[{"matchLabels":{"app":1}}]}}"#);
        assert!(
            nested.contains("network.metricsScrapers[0].matchLabels"),
            "{nested}"
        );
        assert_eq!(
            error(r#"{"network":{"metricsScrapers":[{"matchLabels":{}}]}}"#),
            "settings `network.metricsScrapers[0].matchLabels`: give at least one label; a scraper without labels would be every pod"
        );
        assert_eq!(
            error(r#"{"select":["DF999"],"ignore":["nope"]}"#),
            "settings `select[0]`: `DF999` matches no rule code, code prefix or rule name"
        );
        assert_eq!(
            error(r#"{"ignore":["DF2","nope"]}"#),
            "settings `ignore[1]`: `nope` matches no rule code, code prefix or rule name"
        );
        assert_eq!(
            error(r#"{"severity":{"DF9":"info"}}"#),
            "settings `severity.DF9`: `DF9` matches no rule code, code prefix or rule name"
        );
        assert!(error(r#"{"maxObjectBytes":0}"#).contains("maxObjectBytes"));
        assert!(error(r#"{"select":["DF305"]}"#).contains("only rules that need other resources"));
        assert!(Settings::from_json(br#"{"select":["DF305"],"contextAware":true}"#).is_ok());
        assert_eq!(error("[1]"), "settings: must be a JSON object");
        assert!(error("{").starts_with("settings: not JSON"));
    }

    #[test]
    fn settings_of_earlier_releases_say_where_they_moved() {
        assert_eq!(
            error(r#"{"aclAdminUsers":["ops"]}"#),
            "settings `aclAdminUsers`: moved to `acl.adminUsers`"
        );
        assert_eq!(
            error(r#"{"metricsScrapers":[]}"#),
            "settings `metricsScrapers`: moved to `network.metricsScrapers`"
        );
    }

    #[test]
    fn file_settings_are_refused_not_ignored() {
        for key in ["perFileIgnores", "exclude", "extendExclude"] {
            let message = error(&format!(r#"{{"{key}":[]}}"#));
            assert!(message.contains("admission reads one object"), "{message}");
        }
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
        assert_eq!(settings.lint.limits, expected);
        assert_eq!(settings.lint_config().limits, expected);
        // Keys left out keep their defaults; so does `maxObjectBytes`, which is no limit of
        // the linter's but the policy's own.
        let partial = Settings::from_json(br#"{"limits":{"maxDepth":100}}"#).unwrap();
        assert_eq!(
            partial.lint.limits,
            Limits {
                max_depth: 100,
                ..Limits::default()
            }
        );
        assert_eq!(partial.admission.max_object_bytes, DEFAULT_MAX_OBJECT_BYTES);
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
            unknown.starts_with("settings `limits.maxDeep`: unknown field `maxDeep`, expected one of `max-file-bytes`, `maxFileBytes`")
                && !unknown.contains("admission's own"),
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
            br#"{"aclLabel":"","network":{"operatorNamespace":" ","metricsScrapers":[{"namespace":"","matchLabels":{"app":"x"}}]}}"#,
        )
        .unwrap();
        assert_eq!(settings.admission.acl_label, None);
        assert_eq!(settings.lint.network.operator_namespace, None);
        assert_eq!(settings.lint.network.metrics_scrapers[0].namespace, None);
    }

    #[test]
    fn the_dragonfly_version_is_a_known_release() {
        let settings = Settings::from_json(br#"{"dragonflyVersion":"v1.30.0"}"#).unwrap();
        assert_eq!(settings.lint.dragonfly_version.as_deref(), Some("v1.30.0"));
        let blank = Settings::from_json(br#"{"dragonflyVersion":""}"#).unwrap();
        assert_eq!(blank.lint.dragonfly_version, None);
        let error = Settings::from_json(br#"{"dragonflyVersion":"v1.99.0"}"#).unwrap_err();
        assert!(
            error.starts_with("settings `dragonflyVersion`: `v1.99.0` is not a Dragonfly release dflint has flag facts for (v1.20.0 to v1.40.1)"),
            "{error}"
        );
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
