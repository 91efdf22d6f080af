//! Inputs found by fuzzing (`scripts/fuzz`, the cargo-fuzz targets in fuzz/), replayed on
//! every test run. A file `<target>-<name>` in tests/data/fuzz-regressions/ is the raw input
//! of that fuzz target; it runs through the target's own code (fuzz/src/lib.rs, included
//! below, is what the fuzz targets call), whose assertions say what a sensible result is:
//! no panic, spans inside their sources, a JSON report that is JSON, every Secret value
//! masked, and so on.

use std::path::Path;

use dflint_core::{lint, LintConfig, Source};

#[allow(dead_code)]
#[path = "../../../fuzz/src/lib.rs"]
mod fuzz;

/// The fuzz targets whose code is in dflint-core's reach (`policy_validate` needs
/// dflint-policy: its reproducers belong to that crate's tests).
fn target(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "lint_bundle" => fuzz::lint_bundle,
        "acl_engine" => fuzz::acl_engine,
        "secret_base64" => fuzz::secret_base64,
        "network_model" => fuzz::network_model,
        "acl_can_cases" => fuzz::acl_can_cases,
        _ => return None,
    })
}

#[test]
fn every_reproducer_passes_its_fuzz_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/fuzz-regressions")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no reproducers in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(run) = name.split_once('-').and_then(|(t, _)| target(t)) else {
            failures.push(format!(
                "{name}: not named `<target>-<name>` after a core target"
            ));
            continue;
        };
        let data = std::fs::read(path).expect("a reproducer");
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failures.push(format!(
                "{name}: the target's checks failed (message above)"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// secret_base64-minified-json-duplicate-key, as a Secret: in a one-line JSON Secret with a
/// duplicate `data` key, the parse keeps only the later value, and the text-based masking
/// for unreadable input looked for `data:` at the start of a line only, so the earlier value
/// (and any other on that line) was shown in `dflint check` output.
#[test]
fn a_minified_json_secret_with_a_duplicate_key_shows_no_value() {
    // `user app on >hunter2 ~*`, and `user default off`.
    let first = "dXNlciBhcHAgb24gPmh1bnRlcjIgfioK";
    let second = "dXNlciBkZWZhdWx0IG9mZgo=";
    for text in [
        format!(
            r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"acl"}},"data":{{"users.acl":"{first}","users.acl":"{second}"}}}}"#
        ),
        format!(
            r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"acl"}},"stringData":{{"password":"{first}","password":"{second}"}}}}"#
        ),
    ] {
        for name in ["secret.json", "secret.yaml"] {
            let sources = [Source::new(name, text.as_str())];
            let report = lint(&sources, &LintConfig::default());
            assert!(
                report.diagnostics.iter().any(|d| d.code == "DF002"),
                "{name}: the duplicate key is reported"
            );
            let spans = report.redactions.get(name).cloned().unwrap_or_default();
            let masked = dflint_core::redact::mask(&text, &spans);
            assert_eq!(masked.len(), text.len());
            for value in [first, second] {
                assert!(!masked.contains(value), "{name}: {value} shown: {masked}");
            }
            assert!(masked.contains(r#""kind":"Secret""#), "{name}: {masked}");
        }
    }
}

/// secret_base64-unindented-line-in-data, as a Secret: a line pasted into `data` without
/// indentation breaks the YAML, and the text-based masking ended the `data` block at it, so
/// the values below it were shown.
#[test]
fn a_stray_unindented_line_in_secret_data_uncovers_no_value() {
    let secret = "dXNlciBhcHAgb24gPmh1bnRlcjIgfioK";
    let text = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: acl\ndata:\n  acl.conf: dXNlciBkZWZhdWx0IG9mZgo=\nuser app on >app\n  users.acl: {secret}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shown\n"
    );
    let sources = [Source::new("secret.yaml", text.as_str())];
    let report = lint(&sources, &LintConfig::default());
    assert!(
        report.diagnostics.iter().any(|d| d.code == "DF001"),
        "the broken YAML is reported"
    );
    let spans = report
        .redactions
        .get("secret.yaml")
        .cloned()
        .unwrap_or_default();
    let masked = dflint_core::redact::mask(&text, &spans);
    assert!(!masked.contains(secret), "{masked}");
    assert!(!masked.contains(">app"), "{masked}");
    // A `key:` line at the block's indentation still ends it.
    assert!(masked.contains("name: shown"), "{masked}");
}
