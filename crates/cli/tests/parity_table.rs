//! The parity table (`tests/parity/expected.json`), front end 1: the `dflint` binary. Every
//! case directory is checked on its own (`dflint check --format json .` inside it: the files
//! of one case form one bundle, so cross-resource rules see exactly that case) and its
//! findings must equal the table's. The other front ends (the compiled admission policy, the
//! browser facade) are held to the same table; see tests/parity/README.md.
//!
//! `DFLINT_PARITY_BLESS=1` rewrites the table from what the binary reports; the invariants
//! below (a documented failing example fires its rule, a passing one does not) hold in both
//! modes, so a wrong bless cannot hide a broken rule.

#[path = "../../../tests/parity/table.rs"]
mod table;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use table::{case_files, case_names, cases_dir, doc_case, Finding, Table};

const BLESS_ENV: &str = "DFLINT_PARITY_BLESS";

/// What `dflint check --format json .` reports inside a case directory.
struct Checked {
    findings: Vec<Finding>,
    files: u64,
}

fn check(case: &str) -> Checked {
    let output = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["check", "--format", "json", "."])
        .current_dir(cases_dir().join(case))
        .env_remove("NO_COLOR")
        .output()
        .expect("dflint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{case}: dflint exited with {:?}\n{}\n{stdout}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{case}: not JSON ({e}): {stdout}"));
    Checked {
        findings: table::findings_of_report(&stdout),
        files: report["summary"]["files"].as_u64().expect("summary.files"),
    }
}

/// Every case, checked on as many threads as there are cores (one process per case).
fn check_all(cases: &[String]) -> BTreeMap<String, Checked> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(BTreeMap::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let checked = check(case);
                results.lock().unwrap().insert(case.clone(), checked);
            });
        }
    });
    results.into_inner().unwrap()
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("\n    {} {}:{}", f.code, f.file, f.line))
        .collect()
}

#[test]
fn the_cli_reports_exactly_the_table() {
    let cases = case_names();
    assert!(!cases.is_empty(), "no parity cases");
    let checked = check_all(&cases);
    let mut failures = Vec::new();

    for (case, result) in &checked {
        // Every file of a case is an input the CLI reads (a file it skips would be compared
        // by the other front ends only).
        let files = case_files(case);
        if result.files != files.len() as u64 {
            failures.push(format!(
                "{case}: the CLI read {} of its {} files {:?}; give them names it lints (*.yaml, *.yml, *.json, *.acl, acl.conf)",
                result.files,
                files.len(),
                files.iter().map(|f| &f.0).collect::<Vec<_>>()
            ));
        }
        // The documented examples behave as documented, whatever the table says.
        if let Some((code, failing)) = doc_case(case) {
            let fired = result.findings.iter().any(|f| f.code == code);
            if fired != failing {
                failures.push(format!(
                    "{case}: the documented {} example {} {code}; findings:{}",
                    if failing { "failing" } else { "passing" },
                    if fired {
                        "triggers"
                    } else {
                        "does not trigger"
                    },
                    show(&result.findings)
                ));
            }
        }
    }

    let actual: Table = checked
        .into_iter()
        .map(|(case, result)| (case, result.findings))
        .collect();
    if std::env::var_os(BLESS_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(table::table_path(), table::render_table(&actual))
            .expect("write tests/parity/expected.json");
        eprintln!(
            "blessed {} cases into {}",
            actual.len(),
            table::table_path().display()
        );
    } else {
        let expected = table::load_table();
        for case in expected.keys().filter(|c| !actual.contains_key(*c)) {
            failures.push(format!(
                "{case}: in the table but there is no case directory (remove it, or bless)"
            ));
        }
        for (case, found) in &actual {
            match expected.get(case) {
                None => failures.push(format!(
                    "{case}: a case directory without a table entry (bless: {BLESS_ENV}=1)"
                )),
                Some(wanted) if wanted != found => {
                    let missing: Vec<Finding> = wanted
                        .iter()
                        .filter(|f| !found.contains(f))
                        .cloned()
                        .collect();
                    let extra: Vec<Finding> = found
                        .iter()
                        .filter(|f| !wanted.contains(f))
                        .cloned()
                        .collect();
                    let note = if missing.is_empty() && extra.is_empty() {
                        "\n  (the same findings, a different number of times)"
                    } else {
                        ""
                    };
                    failures.push(format!(
                        "{case}: the CLI differs from the table\n  expected, not reported:{}\n  reported, not expected:{}{note}",
                        show(&missing),
                        show(&extra)
                    ));
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The doc-derived cases are the rule docs' examples as they are now: a doc changed without
/// `scripts/gen-parity-cases` would leave the table testing an old example.
#[test]
fn the_doc_derived_cases_are_the_documented_examples() {
    let mut wanted: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for rule in dflint_core::rules::registry() {
        let meta = rule.meta();
        let mut counts = [0usize; 2];
        for (failing, info, body) in dflint_core::rules::doc_examples(meta.docs) {
            let count = &mut counts[usize::from(failing)];
            *count += 1;
            let mut name = format!(
                "{}-{}",
                meta.code,
                if failing { "failing" } else { "passing" }
            );
            if *count > 1 {
                name.push_str(&format!("-{count}"));
            }
            wanted.insert(
                name,
                vec![(dflint_core::rules::doc_example_file_name(&info), body)],
            );
        }
    }
    let on_disk: BTreeMap<String, Vec<(String, String)>> = case_names()
        .into_iter()
        .filter(|case| doc_case(case).is_some())
        .map(|case| {
            let files = case_files(&case);
            (case, files)
        })
        .collect();
    let stale: Vec<&String> = wanted
        .keys()
        .chain(on_disk.keys())
        .filter(|case| wanted.get(*case) != on_disk.get(*case))
        .collect();
    assert!(
        stale.is_empty(),
        "doc-derived parity cases differ from the rule docs: {stale:?}; run scripts/gen-parity-cases, then bless ({BLESS_ENV}=1 cargo test -p dflint --test parity_table)"
    );
}

/// The `seed-cluster` case is a copy of examples/seed-cluster (a real cluster's manifests).
#[test]
fn the_seed_cluster_case_is_the_example() {
    let example = table::parity_dir().join("../../examples/seed-cluster");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&example)
        .expect("examples/seed-cluster")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("readable"))
        })
        .collect();
    files.sort();
    assert!(
        case_files("seed-cluster") == files,
        "tests/parity/cases/seed-cluster differs from examples/seed-cluster: copy the example's *.yaml over it and bless ({BLESS_ENV}=1)"
    );
}
