//! The same manifests give the same codes through every front end: the CLI's JSON contract
//! (rendered by dflint-core), the browser facade (dflint-web) and the admission policy's
//! `validate` (dflint-policy, natively; crates/policy-harness checks the compiled .wasm).

#[path = "../parity/table.rs"]
mod table;

use std::collections::BTreeSet;
use std::path::Path;

/// The browser facade's `lint` on named texts, with the default settings.
fn web_lint(files: &[(String, String)]) -> String {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|(name, text)| serde_json::json!({ "name": name, "text": text }))
        .collect();
    dflint_web::lint(&serde_json::Value::Array(files).to_string(), "")
}

fn codes_of_json(report: &str) -> BTreeSet<String> {
    let value: serde_json::Value = serde_json::from_str(report).expect("JSON report");
    value["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect()
}

#[test]
fn dragonfly_cr_gives_the_same_codes_everywhere() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/seed-cluster/dragonfly.yaml");
    let text = std::fs::read_to_string(&path).expect("seed CR");
    let source = dflint_core::Source::new("dragonfly.yaml", text.clone());
    let cli = dflint_core::output::json::render(&dflint_core::lint(
        &[source],
        &dflint_core::LintConfig::default(),
    ));
    let web = web_lint(&[("dragonfly.yaml".to_string(), text.clone())]);

    // The policy receives the object as JSON, the way the API server sends it, inside an
    // AdmissionRequest; with every severity reported, its audit annotation lists the codes.
    let parsed = dflint_core::document::parse_yaml(&text);
    let object = parsed.roots[0].to_json();
    let payload = serde_json::json!({
        "request": {
            "uid": "parity", "operation": "CREATE", "namespace": "cache",
            "kind": {"group": "dragonflydb.io", "version": "v1alpha1", "kind": "Dragonfly"},
            "resource": {"group": "dragonflydb.io", "version": "v1alpha1", "resource": "dragonflies"},
            "userInfo": {"username": "parity"},
            "object": object,
        },
        "settings": {"warnSeverity": "info"},
    });
    let answer: serde_json::Value = serde_json::from_slice(&dflint_policy::validate(
        &serde_json::to_vec(&payload).unwrap(),
        &dflint_policy::cluster::NoCluster,
    ))
    .expect("the policy answers JSON");
    let policy: BTreeSet<String> = answer["audit_annotations"]["dflint-codes"]
        .as_str()
        .expect("codes annotated")
        .split(',')
        .map(str::to_string)
        .collect();

    let expected: BTreeSet<String> = ["DF010", "DF050", "DF052", "DF113", "DF114"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(codes_of_json(&cli), expected);
    assert_eq!(codes_of_json(&web), expected);
    assert_eq!(policy, expected);
}

/// The findings the browser facade cannot give, each with its reason
/// (tests/parity/web-exceptions.json): `(case, file, code)`.
fn web_exceptions() -> BTreeSet<(String, String, String)> {
    let path = table::parity_dir().join("web-exceptions.json");
    let text = std::fs::read_to_string(&path).expect("tests/parity/web-exceptions.json");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON");
    entries
        .iter()
        .map(|e| {
            let field = |name: &str| {
                e[name]
                    .as_str()
                    .unwrap_or_else(|| panic!("`{name}` missing in {e}"))
                    .to_string()
            };
            assert!(field("reason").len() > 20, "an exception says why: {e}");
            (field("case"), field("file"), field("code"))
        })
        .collect()
}

/// The parity table (tests/parity/expected.json, see tests/parity/README.md) through the
/// browser facade: every case, its files linted as one bundle, gives exactly the table's
/// findings, codes and lines, except the findings listed in web-exceptions.json, which it
/// must not give (an exception no longer needed fails too).
#[test]
fn the_browser_facade_reports_the_parity_table() {
    let exceptions = web_exceptions();
    let mut unused = exceptions.clone();
    let table = table::load_table();
    assert_eq!(
        table.keys().cloned().collect::<Vec<_>>(),
        table::case_names(),
        "the table and the case directories differ: bless it (tests/parity/README.md)"
    );
    let mut failures = Vec::new();
    for (case, expected) in &table {
        let files = table::case_files(case);
        let found = table::findings_of_report(&web_lint(&files));
        let expected: Vec<table::Finding> = expected
            .iter()
            .filter(|f| {
                let key = (case.clone(), f.file.clone(), f.code.clone());
                !(exceptions.contains(&key) && unused.remove(&key))
            })
            .cloned()
            .collect();
        if found != expected {
            failures.push(format!(
                "{case}: the facade reports {found:?}, the table {expected:?}"
            ));
        }
    }
    assert!(!table.is_empty(), "the parity table is empty");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        unused.is_empty(),
        "web exceptions no longer needed (remove them from tests/parity/web-exceptions.json): {unused:?}"
    );
}
