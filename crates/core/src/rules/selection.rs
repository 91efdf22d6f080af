//! Which rules a configuration runs, at which severity, where — and whether the
//! configuration makes sense at all. Questions about rules, answered beside them, so the
//! settings model does not depend on the rule declarations.

use super::{registry, RuleMeta};
use crate::config::{InvalidSetting, LintConfig, SettingKey};
use crate::diagnostic::Severity;
use crate::path_glob::PathGlob;
use SettingKey::{Entry, Field, Index};

/// How specifically `pattern` names the rule: `None` when it does not name it at all; `all`
/// least, a code prefix by its length, the rule's name or full code most.
fn specificity(pattern: &str, meta: &RuleMeta) -> Option<usize> {
    if pattern.eq_ignore_ascii_case("all") {
        Some(0)
    } else if meta.name == pattern {
        Some(usize::MAX)
    } else if meta.code.starts_with(pattern) {
        Some(pattern.len())
    } else {
        None
    }
}

fn most_specific<'p>(
    patterns: impl IntoIterator<Item = &'p String>,
    meta: &RuleMeta,
) -> Option<usize> {
    patterns
        .into_iter()
        .filter_map(|p| specificity(p, meta))
        .max()
}

/// Whether a select/ignore pattern names at least one rule.
pub fn names_a_rule(pattern: &str) -> bool {
    registry()
        .iter()
        .any(|rule| specificity(pattern, rule.meta()).is_some())
}

impl LintConfig {
    /// Whether the rule runs: selected (by `select`, all when it is empty, or by
    /// `extend-select`) more specifically than it is ignored.
    pub fn enables(&self, meta: &RuleMeta) -> bool {
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            most_specific(&self.select, meta)
        };
        let selected = selected.max(most_specific(&self.extend_select, meta));
        match (selected, most_specific(&self.ignore, meta)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(selected), Some(ignored)) => selected > ignored,
        }
    }

    /// The severity the rule's findings get: the most specific `severity` override, else
    /// the rule's own.
    pub fn severity_of(&self, meta: &RuleMeta) -> Severity {
        self.severity_override(meta).unwrap_or(meta.severity)
    }

    /// The most specific `severity` override for the rule, if any: it replaces whatever
    /// severity the rule gave each of its findings.
    pub fn severity_override(&self, meta: &RuleMeta) -> Option<Severity> {
        self.severity
            .iter()
            .filter_map(|(pattern, severity)| specificity(pattern, meta).map(|s| (s, *severity)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, severity)| severity)
    }

    /// Whether `per-file-ignores` drops this rule's findings in the file named `file`.
    pub fn ignores_in_file(&self, file: &str, meta: &RuleMeta) -> bool {
        self.file_ignores(meta).ignores(file)
    }

    /// The `per-file-ignores` globs that drop this rule's findings, compiled once for all of
    /// them (a rule can report tens of thousands of findings).
    pub fn file_ignores(&self, meta: &RuleMeta) -> FileIgnores<'_> {
        FileIgnores {
            globs: self
                .per_file_ignores
                .iter()
                .filter(|(_, patterns)| patterns.iter().any(|p| specificity(p, meta).is_some()))
                .filter_map(|(glob, _)| PathGlob::new(glob).ok())
                .collect(),
            names_from: self.names_from.trim_end_matches('/'),
        }
    }

    /// Checks what the types alone cannot: every rule pattern names a rule, globs parse,
    /// lists that must not be empty are not, limits are within their bounds. The first
    /// problem is returned with its place.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        for (field, patterns) in [
            ("select", &self.select),
            ("extend-select", &self.extend_select),
            ("ignore", &self.ignore),
        ] {
            for (index, pattern) in patterns.iter().enumerate() {
                check_pattern(pattern, &[Field(field), Index(index)])?;
            }
        }
        for pattern in self.severity.keys() {
            check_pattern(pattern, &[Field("severity"), Entry(pattern.clone())])?;
        }
        for (glob, patterns) in &self.per_file_ignores {
            let at = [Field("per-file-ignores"), Entry(glob.clone())];
            PathGlob::new(glob).map_err(|e| InvalidSetting::new(&at, e))?;
            for (index, pattern) in patterns.iter().enumerate() {
                let mut place = at.to_vec();
                place.push(Index(index));
                check_pattern(pattern, &place)?;
            }
        }
        for (field, globs) in [
            ("exclude", &self.exclude),
            ("extend-exclude", &self.extend_exclude),
        ] {
            for (index, glob) in globs.iter().enumerate() {
                PathGlob::new(glob)
                    .map_err(|e| InvalidSetting::new(&[Field(field), Index(index)], e))?;
            }
        }
        if let Some(version) = &self.dragonfly_version {
            check_dragonfly_version(version)
                .map_err(|message| InvalidSetting::new(&[Field("dragonfly-version")], message))?;
        }
        for (index, pattern) in self.dragonfly_images.iter().enumerate() {
            crate::dragonfly::workload::check_image_pattern(pattern).map_err(|message| {
                InvalidSetting::new(&[Field("dragonfly-images"), Index(index)], message)
            })?;
        }
        for name in self.vars.keys() {
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(InvalidSetting::new(
                    &[Field("vars"), Entry(name.clone())],
                    "a variable name is letters, digits and `_`, not starting with a digit",
                ));
            }
        }
        if let Some(users) = &self.acl.admin_users {
            if let Some(index) = users.iter().position(|u| u.trim().is_empty()) {
                return Err(InvalidSetting::new(
                    &[Field("acl"), Field("admin-users"), Index(index)],
                    "user names must not be empty",
                ));
            }
        }
        for (index, entry) in self.acl.ignore.iter().enumerate() {
            let at = |field| vec![Field("acl"), Field("ignore"), Index(index), Field(field)];
            if entry.user.trim().is_empty() {
                return Err(InvalidSetting::new(&at("user"), "name the ACL user"));
            }
            if crate::rules::find(&entry.code).is_none() {
                let hint = crate::rules::nearest(&entry.code)
                    .map(|m| format!(" (did you mean {} `{}`?)", m.code, m.name))
                    .unwrap_or_default();
                return Err(InvalidSetting::new(
                    &at("code"),
                    format!(
                        "`{}` names no rule{hint}; give one rule's code or name",
                        entry.code
                    ),
                ));
            }
            if entry.reason.trim().is_empty() {
                return Err(InvalidSetting::new(
                    &at("reason"),
                    "say why the finding is accepted: a suppression needs a reason",
                ));
            }
        }
        for (index, scraper) in self.network.metrics_scrapers.iter().enumerate() {
            if scraper.match_labels.is_empty() {
                return Err(InvalidSetting::new(
                    &[
                        Field("network"),
                        Field("metrics-scrapers"),
                        Index(index),
                        Field("match-labels"),
                    ],
                    "give at least one label; a scraper without labels would be every pod",
                ));
            }
        }
        self.limits.validate().map_err(|invalid| {
            InvalidSetting::new(
                &[Field("limits"), Field(invalid.limit.file_key())],
                invalid.to_string(),
            )
        })
    }
}

/// The globs of `per-file-ignores` that apply to one rule.
pub struct FileIgnores<'c> {
    globs: Vec<PathGlob>,
    names_from: &'c str,
}

impl FileIgnores<'_> {
    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// Whether the findings in the file named `file` are dropped.
    pub fn ignores(&self, file: &str) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        let relative = file.strip_prefix("./").unwrap_or(file);
        let name = if self.names_from.is_empty() || relative.starts_with('/') {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.names_from)
        };
        self.globs.iter().any(|glob| glob.matches(&name))
    }
}

/// The `dragonfly-version` setting must name a release the flag table covers.
fn check_dragonfly_version(version: &str) -> Result<(), String> {
    use crate::flags::{newest_release, oldest_release, releases, Release};
    let range = format!("{} to {}", oldest_release(), newest_release());
    match Release::parse(version.trim()) {
        Some(release) if release.is_known() => Ok(()),
        Some(release) => {
            // The nearest known release at or below it, as a hint.
            let hint = releases()
                .iter()
                .rev()
                .find(|r| **r <= release)
                .map(|r| format!("; the nearest one before it is {r}"))
                .unwrap_or_default();
            Err(format!(
                "`{version}` is not a Dragonfly release dflint has flag facts for ({range}){hint}"
            ))
        }
        None => Err(format!(
            "`{version}` is not a Dragonfly version: write it as `v1.39.0` or `1.39.0` (a release from {range})"
        )),
    }
}

fn check_pattern(pattern: &str, at: &[SettingKey]) -> Result<(), InvalidSetting> {
    if names_a_rule(pattern) {
        Ok(())
    } else {
        let hint = super::nearest(pattern)
            .map(|near| format!("; did you mean `{}` ({})?", near.code, near.name))
            .unwrap_or_default();
        Err(InvalidSetting::new(
            at,
            format!("`{pattern}` matches no rule code, code prefix or rule name{hint}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Spelling;

    fn config(select: &[&str], extend: &[&str], ignore: &[&str]) -> LintConfig {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        LintConfig {
            select: strings(select),
            extend_select: strings(extend),
            ignore: strings(ignore),
            ..LintConfig::default()
        }
    }

    fn meta(code: &str) -> &'static RuleMeta {
        crate::rules::find(code).unwrap().meta()
    }

    #[test]
    fn the_more_specific_pattern_wins() {
        assert!(config(&[], &[], &[]).enables(meta("DF201")));
        assert!(!config(&[], &[], &["DF2"]).enables(meta("DF201")));
        assert!(config(&[], &["DF201"], &["DF2"]).enables(meta("DF201")));
        assert!(!config(&[], &["DF201"], &["DF2"]).enables(meta("DF202")));
        assert!(!config(&["DF201"], &[], &["DF201"]).enables(meta("DF201")));
        assert!(config(&["DF0"], &["DF2"], &[]).enables(meta("DF201")));
        assert!(!config(&["DF0"], &[], &[]).enables(meta("DF201")));
        assert!(config(&["all"], &[], &["DF0"]).enables(meta("DF201")));
        let name = meta("DF011").name;
        assert!(!config(&[], &[], &["DF0"]).enables(meta("DF011")));
        assert!(config(&[], &[name], &["DF0"]).enables(meta("DF011")));
    }

    #[test]
    fn severity_overrides_pick_the_most_specific_key() {
        let mut c = LintConfig::default();
        c.severity.insert("DF2".into(), Severity::Info);
        c.severity.insert("DF201".into(), Severity::Error);
        assert_eq!(c.severity_of(meta("DF201")), Severity::Error);
        assert_eq!(c.severity_of(meta("DF202")), Severity::Info);
        assert_eq!(c.severity_of(meta("DF011")), meta("DF011").severity);
    }

    #[test]
    fn the_dragonfly_version_must_be_a_known_release() {
        let with = |v: &str| LintConfig {
            dragonfly_version: Some(v.to_string()),
            ..LintConfig::default()
        };
        assert_eq!(with("v1.30.0").validate(), Ok(()));
        assert_eq!(with("1.39.0").validate(), Ok(()));
        let error = with("v1.31.5").validate().unwrap_err();
        assert_eq!(error.dotted_path(Spelling::Kebab), "dragonfly-version");
        assert_eq!(error.dotted_path(Spelling::Camel), "dragonflyVersion");
        assert_eq!(
            error.message,
            "`v1.31.5` is not a Dragonfly release dflint has flag facts for (v1.20.0 to v1.40.1); the nearest one before it is v1.31.2"
        );
        assert!(with("v1.19.0").validate().unwrap_err().message.starts_with(
            "`v1.19.0` is not a Dragonfly release dflint has flag facts for (v1.20.0 to v1.40.1)"
        ));
        assert_eq!(
            with("latest").validate().unwrap_err().message,
            "`latest` is not a Dragonfly version: write it as `v1.39.0` or `1.39.0` (a release from v1.20.0 to v1.40.1)"
        );
    }

    #[test]
    fn validation_names_the_place_of_the_problem() {
        let mut c = config(&["DF011"], &["DF9"], &[]);
        let error = c.validate().unwrap_err();
        assert_eq!(error.dotted_path(Spelling::Kebab), "extend-select[0]");
        c.extend_select.clear();
        c.per_file_ignores
            .insert("legacy/[x".into(), vec!["DF011".into()]);
        assert_eq!(
            c.validate().unwrap_err().dotted_path(Spelling::Kebab),
            "per-file-ignores.legacy/[x"
        );
        c.per_file_ignores.clear();
        c.ignore = vec!["image-not-pined".into()];
        let error = c.validate().unwrap_err();
        assert!(
            error
                .message
                .ends_with("did you mean `DF011` (image-not-pinned)?"),
            "{}",
            error.message
        );
        c.ignore.clear();
        c.limits.max_depth = 0;
        assert_eq!(
            c.validate().unwrap_err().dotted_path(Spelling::Kebab),
            "limits.max-depth"
        );
    }

    #[test]
    fn per_file_ignores_match_glob_and_rule() {
        let mut c = LintConfig::default();
        c.per_file_ignores
            .insert("legacy/**".into(), vec!["DF01".into()]);
        assert!(c.ignores_in_file("legacy/a/cr.yaml", meta("DF011")));
        assert!(!c.ignores_in_file("legacy/a/cr.yaml", meta("DF201")));
        assert!(!c.ignores_in_file("current/cr.yaml", meta("DF011")));
        c.names_from = "legacy".into();
        assert!(c.ignores_in_file("a/cr.yaml", meta("DF011")));
    }
}
