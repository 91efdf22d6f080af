//! Share links never carry a secret, and still reproduce the findings: every redaction fixture
//! of the command line (`crates/cli/tests/data/secrets`, catalogued in its `markers.txt`) goes
//! through `share_redact`, alone and as one bundle; the secret scanner the CLI's and the
//! policy's redaction tests use must find nothing in the texts a link would hold, and linting
//! those texts must give the findings of the originals (codes and lines), except where the
//! placeholders are documented not to carry a fact.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

#[path = "../../crates/cli/tests/support/secret_scanner.rs"]
mod secret_scanner;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/cli/tests/data/secrets")
}

/// Every fixture file (the ACLs of `cases.jsonl` as files of their own), by name.
fn fixtures() -> Vec<(String, String)> {
    let dir = fixtures_dir();
    let mut files = Vec::new();
    let mut pending = vec![dir.clone()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("fixture folder") {
            let path = entry.expect("entry").path();
            let name = path
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                pending.push(path);
            } else if name == "cases.jsonl" {
                let text = std::fs::read_to_string(&path).unwrap();
                // Some lines are broken on purpose (for `acl can --cases`): only the ACLs count.
                for (i, line) in text.lines().enumerate() {
                    let Ok(case) = serde_json::from_str::<Value>(line) else {
                        continue;
                    };
                    files.push((
                        format!("case-{i}.acl"),
                        case["acl"].as_str().unwrap().to_string(),
                    ));
                }
            } else if name != "markers.txt" {
                let bytes = std::fs::read(&path).unwrap();
                files.push((name, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    files.sort();
    files
}

fn as_json(files: &[(String, String)]) -> String {
    Value::Array(
        files
            .iter()
            .map(|(n, t)| json!({ "name": n, "text": t }))
            .collect(),
    )
    .to_string()
}

fn shared(files: &[(String, String)]) -> Vec<(String, String)> {
    let answer: Value =
        serde_json::from_str(&dflint_web::share_redact(&as_json(files), "")).unwrap();
    assert!(answer.get("error").is_none(), "{answer}");
    answer["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (file, line, code) of every finding of `files` linted as one bundle.
fn findings(files: &[(String, String)]) -> BTreeMap<(String, u64, String), usize> {
    let report: Value = serde_json::from_str(&dflint_web::lint(&as_json(files), "")).unwrap();
    let mut found = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let key = (
            d["file"].as_str().unwrap().to_string(),
            d["line"].as_u64().unwrap_or(0),
            d["code"].as_str().unwrap().to_string(),
        );
        *found.entry(key).or_insert(0) += 1;
    }
    found
}

#[test]
fn no_secret_of_the_redaction_fixtures_reaches_a_share_link() {
    let scanner = secret_scanner::Scanner::new(secret_scanner::secrets(&fixtures_dir()));
    let files = fixtures();
    assert!(
        files.len() > 30,
        "the fixtures were not found: {}",
        files.len()
    );
    let mut leaks = Vec::new();
    let mut runs: Vec<Vec<(String, String)>> = files.iter().map(|f| vec![f.clone()]).collect();
    runs.push(files.clone());
    for run in &runs {
        for (name, text) in shared(run) {
            for line in text.lines() {
                if let Some((_, shown)) = scanner.scan(line) {
                    leaks.push(format!("{name}: {shown}"));
                }
            }
        }
    }
    leaks.sort();
    leaks.dedup();
    assert!(
        leaks.is_empty(),
        "secrets in share links:\n{}",
        leaks.join("\n")
    );
}

/// Findings a link does not reproduce, by design (see `dflint_core::share`): file, line, code.
const NOT_KEPT: &[(&str, u64, &str, &str)] = &[
    (
        "acl-data.yaml",
        28,
        "DF208",
        "base64 ACL whose password is a user name: the value is opaque",
    ),
    (
        "acl-data.yaml",
        28,
        "DF223",
        "base64 ACL whose password is a user name: the value is opaque",
    ),
    (
        "acl-data.yaml",
        28,
        "DF201",
        "base64 ACL whose password is a user name: the value is opaque",
    ),
    (
        "collision.acl",
        4,
        "DF223",
        "a password that is one user's name, shared: both weak",
    ),
    (
        "collision.acl",
        5,
        "DF223",
        "a hash of the user's name becomes a neutral hash",
    ),
];

#[test]
fn a_shared_bundle_gives_the_findings_of_the_original() {
    let files = fixtures();
    let mut differences = Vec::new();
    for file in &files {
        let kept = |found: BTreeMap<(String, u64, String), usize>| -> BTreeMap<_, usize> {
            found
                .into_iter()
                .filter(|((f, l, c), _)| !NOT_KEPT.iter().any(|n| (n.0, n.1, n.2) == (f, *l, c)))
                .collect()
        };
        let original = kept(findings(std::slice::from_ref(file)));
        let link = kept(findings(&shared(std::slice::from_ref(file))));
        if original != link {
            let only = |a: &BTreeMap<_, usize>, b: &BTreeMap<_, usize>| -> Vec<String> {
                a.iter()
                    .filter(|(k, n)| b.get(*k) != Some(n))
                    .map(|((f, l, c), n)| format!("{f}:{l} {c}×{n}"))
                    .collect()
            };
            differences.push(format!(
                "{}: only before {:?}, only after {:?}",
                file.0,
                only(&original, &link),
                only(&link, &original)
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
