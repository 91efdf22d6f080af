//! `dflint acl test SPEC` and the specs `dflint check` runs, end to end through the binary:
//! a spec that passes, one that fails (with the deciding tokens), one whose ACL is missing,
//! one that cannot be read, and a spec holding its ACL inline (passwords never shown).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("dflint runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const DATA: &str = "crates/cli/tests/data/acl-test";

fn position(path: &str, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {path}"));
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    (line, column)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-acl-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_spec_the_acl_meets_passes() {
    let spec = format!("{DATA}/tenants.acl-test.yaml");
    let out = dflint(&["acl", "test", &spec]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("9 expectation(s): 9 passed, 0 failed"),
        "{text}"
    );
    let (line, column) = position(&spec, "GET billing:invoice:1");
    assert!(
        text.contains(&format!(
            "pass {spec}:{line}:{column} `billing` may run `GET billing:invoice:1`"
        )),
        "{text}"
    );
}

#[test]
fn a_failing_spec_names_the_deciding_token() {
    let spec = format!("{DATA}/failing.acl-test.yaml");
    let acl = format!("{DATA}/tenants.acl");
    let out = dflint(&["acl", "test", &spec]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("5 expectation(s): 2 passed, 3 failed"),
        "{text}"
    );
    let (line, column) = position(&acl, "+@read +@connection -@dangerous\n");
    let scan = position(&spec, "SCAN 0");
    assert!(
        text.contains(&format!(
            "FAIL {spec}:{}:{} `reports` may not run `SCAN 0`: `SCAN 0` is allowed — `+@read` at {acl}:{line}:{column}",
            scan.0, scan.1
        )),
        "{text}"
    );
    assert!(
        text.contains("writes nothing: 1 command(s) that write are allowed: SHRINK"),
        "{text}"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&dflint(&["acl", "test", &spec, "--format", "json"]).stdout)
            .unwrap();
    let failed: Vec<&serde_json::Value> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 3);
    assert_eq!(failed[0]["token"]["token"], "+@read");
    assert_eq!(failed[0]["token"]["line"], line);
    assert_eq!(failed[0]["spec"]["line"], scan.0);
}

#[test]
fn check_runs_the_specs_beside_their_acl() {
    let out = dflint(&["check", DATA, "--format", "json", "--select", "DF227"]);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    let findings: Vec<&serde_json::Value> =
        report["diagnostics"].as_array().unwrap().iter().collect();
    assert_eq!(findings.len(), 3, "{report:#}");
    for finding in &findings {
        assert_eq!(finding["code"], "DF227");
        assert!(
            finding["file"]
                .as_str()
                .unwrap()
                .ends_with("failing.acl-test.yaml"),
            "{finding:#}"
        );
    }
    let scan = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("SCAN 0"))
        .unwrap();
    let related = &scan["related"][0];
    assert!(
        related["file"].as_str().unwrap().ends_with("tenants.acl"),
        "{scan:#}"
    );
    // The passing spec beside the same ACL adds nothing.
    assert!(!stdout(&out).contains("tenants.acl-test.yaml"));
}

#[test]
fn a_spec_that_cannot_run_is_never_silent() {
    let dir = temp_dir("missing");
    std::fs::write(
        dir.join("orphan.acl-test.yaml"),
        "users:\n  app:\n    allow: [GET app:1]\n",
    )
    .unwrap();
    std::fs::write(dir.join("bad.acl-test.yaml"), "acl: x.acl\nuser: {}\n").unwrap();
    let out = dflint(&["check", dir.to_str().unwrap()]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("this ACL spec was not run: `") && text.contains("orphan.acl` or `"),
        "{text}"
    );
    assert!(
        text.contains("`user` is not a key of an ACL spec"),
        "{text}"
    );
    let alone = dflint(&[
        "acl",
        "test",
        dir.join("orphan.acl-test.yaml").to_str().unwrap(),
    ]);
    assert_eq!(alone.status.code(), Some(2));
    assert!(
        stderr(&alone).contains("no ACL beside it"),
        "{}",
        stderr(&alone)
    );
    let bad = dflint(&[
        "acl",
        "test",
        dir.join("bad.acl-test.yaml").to_str().unwrap(),
        "--acl",
        &root().join(DATA).join("tenants.acl").to_string_lossy(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("bad.acl-test.yaml:2:1: `user` is not a key"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn an_inline_acl_is_tested_and_its_passwords_masked() {
    let dir = temp_dir("inline");
    let spec = "acl: |\n  user default on >Admin-Passw0rd-Long ~* +@all\n  user app on >App-Passw0rd-Long ~app:* -@all +get\nusers:\n  app:\n    allow: [GET app:1]\n    deny: [GET other:1, SET app:1 v]\nisolated: [app, default]\n";
    std::fs::write(dir.join("inline.acl-test.yaml"), spec).unwrap();
    let out = dflint(&["check", &dir.to_string_lossy()]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("`app`, `default` share no key: `app` (`app:*`) and `default` (`*`) may both touch `app:`"), "{text}");
    assert!(!text.contains("Passw0rd"), "{text}");
    assert!(text.contains("1 error"), "{text}");
    assert_eq!(out.status.code(), Some(1));
    let _ = Path::new(&dir);
}
