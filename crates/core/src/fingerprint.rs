//! Fingerprints of findings that survive unrelated edits: what a finding is about, not where
//! its line happens to be. SARIF's `partialFingerprints` carry them, so code scanning keeps an
//! alert open across commits that only move it.
//!
//! A fingerprint is made of the rule, the file, the resource the finding is in (kind,
//! namespace, name) and the message (which names the thing at fault). Line numbers and JSON paths are left out: adding an arg in front of a
//! bad one moves its path (`spec.args[2]` → `[3]`) without making it a new finding. The
//! offending source text is left out on purpose: it may be a password, and a short hash of a
//! short password is a password. Messages never hold secret material (the diagnostic
//! contract), so hashing them is safe. Findings that agree on all of that are told apart by
//! their order, as GitHub does for its own line hashes; a baseline counts them.

use crate::diagnostic::Diagnostic;
use std::collections::HashMap;

/// The fingerprint of every finding, in report order: 16 hex digits of the hash, a colon and
/// the occurrence (`3f…a1:1` for the first finding with that hash).
pub fn fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let hash = hash(d);
            let occurrence = seen.entry(hash).or_insert(0);
            *occurrence += 1;
            format!("{hash:016x}:{occurrence}")
        })
        .collect()
}

/// FNV-1a over the identifying fields, each ended by a NUL byte so that no two field lists
/// run together into the same bytes. FNV is fixed by its definition, so a fingerprint stays
/// the same across builds, platforms and Rust releases (the standard library's hashers do
/// not promise that).
pub fn hash(d: &Diagnostic) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let resource = d
        .resource
        .as_ref()
        .map(|r| r.to_string())
        .unwrap_or_default();
    let fields = [d.code, &*d.location.file, &resource, &*d.message];
    for field in fields {
        for byte in field.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: usize, path: Option<&str>, message: &str) -> Diagnostic {
        crate::diagnostic::sample_finding("cr.yaml", line, path, message)
    }

    #[test]
    fn moving_a_finding_to_another_line_keeps_its_fingerprint() {
        let before = fingerprints(&[finding(4, Some("spec.image"), "not pinned")]);
        let after = fingerprints(&[finding(40, Some("spec.image"), "not pinned")]);
        assert_eq!(before, after);
    }

    #[test]
    fn another_message_is_another_fingerprint_another_path_is_not() {
        let base = fingerprints(&[finding(4, Some("spec.args[2]"), "not pinned")]);
        assert_eq!(
            base,
            fingerprints(&[finding(4, Some("spec.args[3]"), "not pinned")])
        );
        assert_ne!(
            base,
            fingerprints(&[finding(4, Some("spec.image"), "pinned to latest")])
        );
    }

    #[test]
    fn equal_findings_are_numbered_in_order() {
        let both = fingerprints(&[
            finding(4, Some("spec.image"), "not pinned"),
            finding(30, Some("spec.image"), "not pinned"),
        ]);
        assert!(
            both[0].ends_with(":1") && both[1].ends_with(":2"),
            "{both:?}"
        );
        assert_eq!(both[0].split(':').next(), both[1].split(':').next());
    }

    #[test]
    fn the_hash_is_fixed_by_definition() {
        // FNV-1a of "DF011\0cr.yaml\0\0not pinned\0" (no resource), worked out apart from this
        // code: a change here would reopen every alert a code-scanning service holds.
        assert_eq!(
            fingerprints(&[finding(4, Some("spec.image"), "not pinned")])[0],
            "b140b85529a30c5c:1"
        );
    }
}
