//! SARIF and JUnit output, and several formats in one run, through the real binary. The SARIF
//! logs are validated against the SARIF 2.1.0 JSON schema with ajv (tests/sarif/, installed by
//! scripts/test); without the validator the test fails and says how to get it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dflint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(dir)
        .env_remove("DFLINT_OUTPUT_FORMAT")
        .env_remove("DFLINT_OUTPUT_FILE")
        .output()
        .expect("dflint runs")
}

/// Asserts the run found something (exit 1), showing its stderr otherwise.
fn assert_found(run: &Output) {
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs the schema validator on `files`: (exit code, what it printed).
fn validate_sarif(files: &[&Path]) -> (i32, String) {
    let Some(home) = std::env::var_os("DFLINT_SARIF_VALIDATOR") else {
        panic!(
            "DFLINT_SARIF_VALIDATOR is not set: scripts/test installs the SARIF schema validator \
             (tests/sarif/package.json) and sets it; run scripts/test, or install it with \
             `npm install` in a directory and point the variable there"
        );
    };
    let output = Command::new("node")
        .arg(repo_root().join("tests/sarif/validate.mjs"))
        .args(files)
        .env("DFLINT_SARIF_VALIDATOR", home)
        .output()
        .expect("node runs (Node.js is needed for the SARIF schema check)");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), printed)
}

/// A tree with findings of many kinds: the examples, an ACL file, a syntax error, a file whose
/// name needs percent-encoding, and a finding past column 100 on a non-ASCII line.
fn corpus(dir: &Path) {
    let copy = |from: &str, to: &str| {
        std::fs::copy(repo_root().join(from), dir.join(to)).expect("copy example");
    };
    copy("examples/seed-cluster/dragonfly.yaml", "dragonfly.yaml");
    copy(
        "examples/seed-cluster/networkpolicy.yaml",
        "network policy ü.yaml",
    );
    copy("examples/seed-cluster/secrets.yaml", "secrets.yaml");
    std::fs::write(
        dir.join("users.acl"),
        "user default on nopass ~* +@all\nuser app on >pw ~app:* +@all\n",
    )
    .unwrap();
    std::fs::write(dir.join("broken.yaml"), "kind: [\n").unwrap();
    std::fs::write(
        dir.join("wide.yaml"),
        format!(
            "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: wide\nspec:\n  image: dragonfly:latest\n  args: [\"--dir={}\", \"--maxmemroy=1gb\"]\n",
            "é".repeat(150)
        ),
    )
    .unwrap();
}

#[test]
fn sarif_is_valid_against_the_schema_and_matches_the_json_report() {
    let dir = scratch("sarif");
    corpus(&dir);
    let run = dflint(
        &[
            "check",
            ".",
            "--format",
            "sarif",
            "--output",
            "out.sarif",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_found(&run);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON on stdout");
    let sarif_path = dir.join("out.sarif");
    let (code, printed) = validate_sarif(&[&sarif_path]);
    assert_eq!(code, 0, "the SARIF log breaks the schema:\n{printed}");
    assert!(
        printed.contains("valid (Static Analysis Results Format"),
        "{printed}"
    );

    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics.len() > 10,
        "the corpus should have many findings"
    );
    assert_eq!(results.len(), diagnostics.len());
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let mut fingerprints = std::collections::BTreeSet::new();
    for (result, diagnostic) in results.iter().zip(diagnostics) {
        assert_eq!(result["ruleId"], diagnostic["code"]);
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], diagnostic["code"]);
        assert_eq!(rule["helpUri"], diagnostic["doc_url"]);
        let level = match diagnostic["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(result["level"], level);
        let location = &result["locations"][0]["physicalLocation"];
        let region = &location["region"];
        for (sarif_key, json_key) in [
            ("startLine", "line"),
            ("startColumn", "column"),
            ("endLine", "end_line"),
            ("endColumn", "end_column"),
        ] {
            assert_eq!(
                region[sarif_key], diagnostic[json_key],
                "{sarif_key} of {result}"
            );
        }
        let file = diagnostic["file"].as_str().unwrap();
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.contains(' ') && !uri.contains('ü'),
            "not percent-encoded: {uri}"
        );
        if file.ends_with(".yaml") {
            assert!(
                uri.ends_with(".yaml") && !uri.starts_with("file:"),
                "{uri} for {file}"
            );
        }
        assert!(result.get("snippet").is_none());
        assert!(fingerprints.insert(result["partialFingerprints"]["dflint/v1"].to_string()));
    }
    // A finding after 150 two-byte characters: its column counts characters, not bytes.
    let wide = results
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().contains("maxmemroy"))
        .expect("the misspelt flag is reported");
    let column = wide["locations"][0]["physicalLocation"]["region"]["startColumn"]
        .as_u64()
        .unwrap();
    assert!((150..200).contains(&column), "column {column}");
    // A file name outside URI characters is percent-encoded.
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "network%20policy%20%C3%BC.yaml"
    ));
    // The ACL password never reaches the log.
    let text = std::fs::read_to_string(&sarif_path).unwrap();
    assert!(!text.contains(">pw"), "a password is in the SARIF log");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_validator_rejects_a_broken_log() {
    // The check above could pass with a validator that accepts anything: this one may not.
    let dir = scratch("broken-sarif");
    corpus(&dir);
    dflint(
        &["check", ".", "--format", "sarif", "-o", "out.sarif"],
        &dir,
    );
    let mut log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.sarif")).unwrap()).unwrap();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    log["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    let broken = dir.join("broken.sarif");
    std::fs::write(&broken, log.to_string()).unwrap();
    let (code, printed) = validate_sarif(&[&broken]);
    assert_eq!(code, 1, "{printed}");
    assert!(printed.contains("startLine: must be >= 1"), "{printed}");
    assert!(
        printed.contains("level: must be equal to one of the allowed values"),
        "{printed}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fingerprints_survive_lines_added_above_a_finding() {
    let dir = scratch("fingerprints");
    let cr = "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: cache\nspec:\n  image: dragonfly:latest\n";
    std::fs::write(dir.join("cr.yaml"), cr).unwrap();
    let fingerprints = |dir: &Path| -> Vec<(String, u64, String)> {
        let out = dflint(&["check", "cr.yaml", "--format", "sarif"], dir);
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                    r["partialFingerprints"]["dflint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let before = fingerprints(&dir);
    std::fs::write(
        dir.join("cr.yaml"),
        format!("# a comment\n# and another\n{cr}"),
    )
    .unwrap();
    let after = fingerprints(&dir);
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            (&b.0, b.1 + 2, &b.2),
            (&a.0, a.1, &a.2),
            "moved two lines down"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn junit_has_a_failing_case_per_finding_and_a_passing_case_when_clean() {
    let dir = scratch("junit");
    corpus(&dir);
    let run = dflint(&["check", ".", "--format", "junit"], &dir);
    assert_eq!(run.status.code(), Some(1));
    let xml = String::from_utf8(run.stdout).unwrap();
    let json = dflint(&["check", ".", "--format", "json"], &dir);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = json["diagnostics"].as_array().unwrap().len();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert_eq!(xml.matches("<testcase ").count(), findings);
    assert_eq!(xml.matches("<failure ").count(), findings);
    assert!(xml.contains(&format!("tests=\"{findings}\" failures=\"{findings}\"")));
    // Every suite closes; escaped markup only.
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert!(!xml.contains(">pw"), "a password is in the JUnit report");

    let clean = scratch("junit-clean");
    std::fs::write(
        clean.join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let run = dflint(&["check", ".", "--format", "junit"], &clean);
    assert_eq!(run.status.code(), Some(0));
    let xml = String::from_utf8(run.stdout).unwrap();
    assert!(xml.contains("<testcase name=\"no findings\""), "{xml}");
    assert!(!xml.contains("<failure"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&clean);
}

#[test]
fn several_formats_in_one_run() {
    let dir = scratch("several");
    corpus(&dir);
    let run = dflint(
        &[
            "check", ".", "--format", "sarif", "--output", "a.sarif", "--format", "junit", "-o",
            "b.xml", "--format", "concise",
        ],
        &dir,
    );
    assert_found(&run);
    let concise = String::from_utf8(run.stdout).unwrap();
    let lines = concise.lines().count();
    assert!(lines > 10);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("a.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), lines);
    let junit = std::fs::read_to_string(dir.join("b.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), lines);

    // The environment names the format and the file, as flags would.
    let run = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["check", "."])
        .current_dir(&dir)
        .env("DFLINT_OUTPUT_FORMAT", "sarif")
        .env("DFLINT_OUTPUT_FILE", "env.sarif")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stdout.is_empty());
    assert!(std::fs::read_to_string(dir.join("env.sarif"))
        .unwrap()
        .contains("\"2.1.0\""));

    // Mistakes in pairing are usage errors that say what to do.
    for (args, says) in [
        (
            &["check", ".", "--output", "x", "--format", "json"][..],
            "before any `--format`",
        ),
        (
            &["check", ".", "--format", "json", "--format", "concise"][..],
            "standard output",
        ),
        (
            &["check", ".", "--format", "json", "-o", "a", "-o", "b"][..],
            "two outputs",
        ),
    ] {
        let run = dflint(args, &dir);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // An output that cannot be written is an I/O error, not a silent loss.
    let run = dflint(
        &[
            "check",
            ".",
            "--format",
            "sarif",
            "-o",
            "no/such/dir/x.sarif",
        ],
        &dir,
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("cannot write no/such/dir/x.sarif"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn netpol_reach_gives_its_findings_in_the_ci_formats() {
    // The reach table is for people; in CI the findings are what annotate a pull request,
    // so `reach` renders them as `check` does, and `--fail-on` still decides the exit.
    let dir = scratch("reach-formats");
    corpus(&dir);
    let json = dflint(&["netpol", "reach", ".", "--format", "json"], &dir);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("reach JSON");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"DF301"), "{codes:?}");

    let github = dflint(&["netpol", "reach", ".", "--format", "github"], &dir);
    let github = String::from_utf8(github.stdout).unwrap();
    let annotations: Vec<&str> = github.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), codes.len(), "{github}");
    assert!(
        github.contains("::error file=network policy ü.yaml,line=39,col=11")
            && github.contains("title=DF301 (admin-port-reachable)"),
        "{github}"
    );
    assert!(
        !github.contains("cache/dragonfly\n  "),
        "no table: {github}"
    );

    let concise = dflint(&["netpol", "reach", ".", "--format", "concise"], &dir);
    let concise = String::from_utf8(concise.stdout).unwrap();
    assert!(
        concise.contains("network policy ü.yaml:39:11: DF301 [error]"),
        "{concise}"
    );

    let sarif = dflint(
        &[
            "netpol",
            "reach",
            ".",
            "--format",
            "sarif",
            "--fail-on",
            "error",
        ],
        &dir,
    );
    assert_found(&sarif);
    let path = dir.join("reach.sarif");
    std::fs::write(&path, &sarif.stdout).unwrap();
    let (code, printed) = validate_sarif(&[&path]);
    assert_eq!(code, 0, "{printed}");
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["results"].as_array().unwrap().len(),
        codes.len()
    );

    let junit = dflint(&["netpol", "reach", ".", "--format", "junit"], &dir);
    let junit = String::from_utf8(junit.stdout).unwrap();
    assert!(
        junit.contains(&format!("failures=\"{}\"", codes.len())),
        "{junit}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
