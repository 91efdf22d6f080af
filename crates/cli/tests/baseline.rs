//! `--write-baseline` and `--baseline` through the binary: adopting dflint on a setup that
//! already has findings, and failing only on new ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CR: &str = "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: cache
spec:
  image: dragonfly:latest
  args: [\"--maxmemroy=1gb\"]
";

fn project(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-baseline-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cr.yaml"), CR).unwrap();
    dir
}

fn dflint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(dir)
        .env_remove("DFLINT_OUTPUT_FORMAT")
        .env_remove("DFLINT_OUTPUT_FILE")
        .output()
        .expect("dflint runs")
}

/// `check .` with the baseline file `dflint-baseline.json`, as JSON.
fn check_with_baseline(dir: &Path) -> Output {
    dflint(
        dir,
        &[
            "check",
            ".",
            "--baseline",
            "dflint-baseline.json",
            "--format",
            "json",
        ],
    )
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn only_findings_the_baseline_does_not_hold_are_reported() {
    let dir = project("adopt");
    let before = report(&dflint(&dir, &["check", ".", "--format", "json"]));
    let total = codes(&before).len();
    assert!(total >= 3, "{before}");

    let written = dflint(
        &dir,
        &["check", ".", "--write-baseline", "dflint-baseline.json"],
    );
    assert_eq!(written.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&written.stderr);
    assert!(
        stderr.contains(&format!("wrote {total} findings")),
        "{stderr}"
    );
    let file = std::fs::read_to_string(dir.join("dflint-baseline.json")).unwrap();
    assert!(file.contains("\"fingerprint\"") && file.contains("maxmemroy"));

    // Nothing new: exit 0, every finding counted as baselined, the baseline itself not linted.
    let out = check_with_baseline(&dir);
    assert_eq!(out.status.code(), Some(0));
    let now = report(&out);
    assert_eq!(codes(&now), Vec::<String>::new());
    assert_eq!(now["summary"]["baselined"], total);
    assert_eq!(now["summary"]["files"], before["summary"]["files"]);

    // Lines added above and a new problem: the old findings stay known, the new one fails.
    let edited = CR
        .replace("metadata:\n", "metadata:\n  labels: {team: cache}\n")
        .replace(
            "args: [",
            "args: [\"--maxmemory=1gb\", \"--proactor_thread=2\", ",
        );
    std::fs::write(
        dir.join("cr.yaml"),
        format!("# cache for the shop\n{edited}"),
    )
    .unwrap();
    let out = check_with_baseline(&dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let now = report(&out);
    let messages: Vec<&str> = now["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("--proactor_thread"), "{messages:?}");
    assert_eq!(now["summary"]["baselined"], total);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_or_missing_baseline_stops_the_run() {
    let dir = project("broken");
    std::fs::write(
        dir.join("base.json"),
        "{\"version\": 1, \"findings\": [{}]}",
    )
    .unwrap();
    for (file, says) in [
        ("base.json", "missing field"),
        ("nope.json", "cannot use the baseline nope.json"),
    ] {
        let out = dflint(&dir, &["check", "cr.yaml", "--baseline", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{file}: {stderr}");
    }
    let both = dflint(
        &dir,
        &["check", ".", "--baseline", "a", "--write-baseline", "b"],
    );
    assert_eq!(both.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
