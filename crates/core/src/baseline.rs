//! Baselines: the findings a project already has, recorded so that only new ones are reported
//! while the old ones are worked off (`dflint check --write-baseline FILE`, then `--baseline
//! FILE`). The admission policy's UPDATE ratchet asks the same question of an object's old
//! version, with the same comparison.
//!
//! Findings are compared by [`crate::fingerprint::hash`] (rule, file, resource, message: not
//! lines or JSON paths, so edits elsewhere do not make an old finding new) and counted: a baseline
//! holding a finding twice lets two such findings through as known, and a third is new.

use crate::diagnostic::Diagnostic;
use crate::fingerprint;
use crate::lint::Report;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The baseline file: a version, then one entry per recorded finding. Code, file and message
/// are there for the people reviewing the file (messages never hold secrets); the
/// fingerprint is what is compared.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    code: String,
    file: String,
    message: String,
}

const VERSION: u32 = 1;

/// Known findings, by fingerprint hash, with how many of each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: HashMap<u64, usize>,
}

impl Baseline {
    /// The findings of a report (or of an object's old version).
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut counts = HashMap::new();
        for d in diagnostics {
            *counts.entry(fingerprint::hash(d)).or_insert(0) += 1;
        }
        Baseline { counts }
    }

    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Reads a baseline file; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.version != VERSION {
            return Err(format!(
                "baseline version {} is not one this dflint reads ({VERSION})",
                file.version
            ));
        }
        let mut counts = HashMap::new();
        for (index, entry) in file.findings.iter().enumerate() {
            let hash = u64::from_str_radix(&entry.fingerprint, 16)
                .ok()
                .filter(|_| entry.fingerprint.len() == 16)
                .ok_or_else(|| {
                    format!(
                        "findings[{index}].fingerprint `{}` is not 16 hexadecimal digits",
                        entry.fingerprint
                    )
                })?;
            *counts.entry(hash).or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// The baseline file recording `diagnostics`.
    pub fn file_text(diagnostics: &[Diagnostic]) -> String {
        let file = File {
            version: VERSION,
            findings: diagnostics
                .iter()
                .map(|d| Entry {
                    fingerprint: format!("{:016x}", fingerprint::hash(d)),
                    code: d.code.to_string(),
                    file: d.location.file.to_string(),
                    message: d.message.clone(),
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a baseline serializes");
        text.push('\n');
        text
    }

    /// Per finding, in order, whether the baseline already holds it: each recorded finding
    /// accounts for one current finding, so extra copies of a known finding are new.
    pub fn known(&self, diagnostics: &[Diagnostic]) -> Vec<bool> {
        let mut left = self.counts.clone();
        diagnostics
            .iter()
            .map(|d| match left.get_mut(&fingerprint::hash(d)) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    true
                }
                _ => false,
            })
            .collect()
    }

    /// Drops the findings the baseline holds from `report`, recounting its summary; returns
    /// how many were dropped.
    pub fn remove_known(&self, report: &mut Report) -> usize {
        let known = self.known(&report.diagnostics);
        let mut flags = known.iter();
        report
            .diagnostics
            .retain(|_| !flags.next().copied().unwrap_or(false));
        let dropped = known.iter().filter(|k| **k).count();
        report.summary.baselined += dropped;
        report.recount();
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(file: &str, line: usize, message: &str) -> Diagnostic {
        crate::diagnostic::sample_finding(file, line, None, message)
    }

    #[test]
    fn a_written_baseline_reads_back_and_counts_copies() {
        let old = [finding("a.yaml", 3, "x"), finding("a.yaml", 9, "x")];
        let baseline = Baseline::parse(&Baseline::file_text(&old)).unwrap();
        assert_eq!(baseline, Baseline::of(&old));
        assert_eq!(baseline.len(), 2);
        // Moved lines stay known; a third copy and another file are new.
        let now = [
            finding("a.yaml", 5, "x"),
            finding("a.yaml", 12, "x"),
            finding("a.yaml", 20, "x"),
            finding("b.yaml", 3, "x"),
        ];
        assert_eq!(baseline.known(&now), [true, true, false, false]);
    }

    #[test]
    fn broken_files_say_what_is_wrong() {
        assert!(Baseline::parse("{").is_err());
        let wrong_version = r#"{"version": 2, "findings": []}"#;
        assert!(Baseline::parse(wrong_version)
            .unwrap_err()
            .contains("version 2"));
        let bad = r#"{"version": 1, "findings": [{"fingerprint": "xyz", "code": "DF011", "file": "a", "message": "m"}]}"#;
        assert!(Baseline::parse(bad)
            .unwrap_err()
            .contains("findings[0].fingerprint `xyz`"));
    }
}
