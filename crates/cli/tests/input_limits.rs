//! The input-limit flags of the `dflint` binary (`--max-file-bytes`, `--max-documents-per-file`,
//! `--max-findings-per-rule`, `--max-depth`): each limit exceeded is a located finding and the
//! rest is still linted; files over the size limit are not read into memory, nor is standard
//! input past it; bad values are usage errors naming the flag.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("dflint runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("dflint-input-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().to_string()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// (code, file name, line, column, message) of each finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64, u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                file.rsplit('/').next().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn of_code(report: &serde_json::Value, code: &str) -> Vec<(String, u64, u64, String)> {
    findings(report)
        .into_iter()
        .filter(|f| f.0 == code)
        .map(|(_, file, line, column, message)| (file, line, column, message))
        .collect()
}

/// One duplicate key (DF002) per `count`, on lines 2, 4, 6…
fn duplicates(count: usize) -> String {
    (0..count).map(|i| format!("k{i}: 1\nk{i}: 2\n")).collect()
}

#[test]
fn check_help_documents_the_limit_flags() {
    let output = dflint(&["check", "--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for text in [
        "--max-file-bytes <SIZE>",
        "[default: 64MiB, at most 1GiB]",
        "--max-documents-per-file <COUNT>",
        "[default: 100000]",
        "--max-findings-per-rule <COUNT>",
        "[default: 10000]",
        "--max-depth <LEVELS>",
        "[default: 256, at most 1024]",
    ] {
        assert!(
            help.contains(text),
            "`check --help` lacks {text:?}:\n{help}"
        );
    }
}

#[test]
fn a_file_over_max_file_bytes_is_one_finding_at_line_1_and_the_others_are_linted() {
    let dir = temp_dir("file-bytes");
    let big = write(&dir, "big.yaml", &duplicates(100));
    let small = write(&dir, "small.yaml", &duplicates(1));
    let output = dflint(&[
        "check",
        &big,
        &small,
        "--format",
        "json",
        "--max-file-bytes",
        "1KiB",
    ]);
    assert_eq!(output.status.code(), Some(1), "DF003 is an error");
    let report = json(&output);
    let too_large = of_code(&report, "DF003");
    assert_eq!(too_large.len(), 1, "{too_large:?}");
    let (file, line, column, message) = &too_large[0];
    assert_eq!((file.as_str(), *line, *column), ("big.yaml", 1, 1));
    assert_eq!(duplicates(100).len(), 1380);
    assert!(
        message.starts_with(
            "this file is 1380 bytes (1.3 KiB), more than the 1024 bytes (1 KiB) a file may have; it is not linted"
        ),
        "{message}"
    );
    assert!(message.contains("limit `maxFileBytes` = 1024"), "{message}");
    assert!(message.contains("`--max-file-bytes`"), "{message}");
    assert!(message.contains("`limits.maxFileBytes`"), "{message}");
    let duplicates: Vec<(String, u64)> = of_code(&report, "DF002")
        .into_iter()
        .map(|(file, line, _, _)| (file, line))
        .collect();
    assert_eq!(duplicates, [("small.yaml".to_string(), 2)]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_file_over_the_limit_is_judged_by_its_size_without_being_read() {
    // 100 MiB of holes: reading it would take 100 MiB of memory and time; its size is
    // enough. The default limit (64 MiB) applies.
    let dir = temp_dir("sparse");
    let path = dir.join("huge.yaml");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    let output = dflint(&["check", path.to_str().unwrap(), "--format", "json"]);
    let report = json(&output);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].2, found[0].3),
        ("DF003", 1, 1)
    );
    assert!(
        found[0].4.starts_with(
            "this file is 104857600 bytes (100 MiB), more than the 67108864 bytes (64 MiB)"
        ),
        "{}",
        found[0].4
    );
    assert_eq!(report["summary"]["documents"], 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn standard_input_is_read_no_further_than_the_limit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["check", "-", "--format", "json", "--max-file-bytes", "1000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dflint runs");
    let mut stdin = child.stdin.take().unwrap();
    // Written until dflint stops reading (the pipe breaks), at most 256 MiB: a dflint that
    // read standard input to its end would take it all.
    let writer = std::thread::spawn(move || {
        let chunk = "k: v\n".repeat(13_108).into_bytes();
        let mut written = 0usize;
        while written < 256 << 20 {
            match stdin.write_all(&chunk) {
                Ok(()) => written += chunk.len(),
                Err(_) => break,
            }
        }
        written
    });
    let output = child.wait_with_output().expect("dflint finishes");
    let written = writer.join().unwrap();
    assert!(
        written < 16 << 20,
        "{written} bytes went into standard input before dflint stopped reading"
    );
    let report = json(&output);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, file, line, column, message) = &found[0];
    assert_eq!(
        (code.as_str(), file.as_str(), *line, *column),
        ("DF003", "<stdin>", 1, 1)
    );
    assert!(
        message.starts_with("this file is larger than the 1000 bytes a file may have"),
        "{message}"
    );
}

#[test]
fn documents_past_max_documents_per_file_are_one_finding_at_the_first_of_them() {
    let dir = temp_dir("documents");
    let text: String = (0..4).map(|i| format!("---\nd{i}: 1\nd{i}: 2\n")).collect();
    let many = write(&dir, "many.yaml", &text);
    let output = dflint(&[
        "check",
        &many,
        "--format",
        "json",
        "--max-documents-per-file",
        "2",
    ]);
    let report = json(&output);
    let too_many = of_code(&report, "DF003");
    assert_eq!(too_many.len(), 1, "{too_many:?}");
    assert_eq!((too_many[0].1, too_many[0].2), (7, 1));
    assert!(too_many[0].3.starts_with(
        "this file holds more than 2 documents; this one and the ones after it are not linted"
    ));
    assert!(too_many[0].3.contains("`--max-documents-per-file`"));
    let lines: Vec<u64> = of_code(&report, "DF002").iter().map(|f| f.1).collect();
    assert_eq!(lines, [3, 6]);
    assert_eq!(report["summary"]["documents"], 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn findings_past_max_findings_per_rule_end_with_one_that_counts_the_rest() {
    let dir = temp_dir("findings");
    let dups = write(&dir, "dups.yaml", &duplicates(5));
    let output = dflint(&[
        "check",
        &dups,
        "--format",
        "json",
        "--max-findings-per-rule",
        "2",
    ]);
    let report = json(&output);
    let found = of_code(&report, "DF002");
    let lines: Vec<u64> = found.iter().map(|f| f.1).collect();
    assert_eq!(lines, [2, 4, 6]);
    assert!(
        found[2].3.starts_with(
            "3 more `duplicate-key` findings are not shown (the first of them is here): at most 2 findings are reported per rule"
        ),
        "{}",
        found[2].3
    );
    assert!(found[2].3.contains("`--max-findings-per-rule`"));
    // The pretty output shows it like any finding.
    let pretty = dflint(&[
        "check",
        &dups,
        "--color",
        "never",
        "--max-findings-per-rule",
        "2",
    ]);
    let text = String::from_utf8(pretty.stdout).unwrap();
    assert!(
        text.contains("3 more `duplicate-key` findings are not shown"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn max_depth_lowers_and_raises_the_nesting_limit() {
    let dir = temp_dir("depth");
    let mut text = String::new();
    for level in 0..300 {
        text.push_str(&format!("{}k{level}:\n", "  ".repeat(level)));
    }
    text.push_str(&format!("{}leaf: 1\n", "  ".repeat(300)));
    let deep = write(&dir, "deep.yaml", &text);
    let by_default = json(&dflint(&["check", &deep, "--format", "json"]));
    let found = of_code(&by_default, "DF003");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]
        .3
        .contains("limit `maxDepth` = 256; raise it with `--max-depth`"));
    let raised = json(&dflint(&[
        "check",
        &deep,
        "--format",
        "json",
        "--max-depth",
        "301",
    ]));
    assert!(of_code(&raised, "DF003").is_empty());
    assert_eq!(raised["summary"]["documents"], 1);
    let lowered = json(&dflint(&[
        "check",
        &deep,
        "--format",
        "json",
        "--max-depth",
        "3",
    ]));
    let found = of_code(&lowered, "DF003");
    assert_eq!((found[0].1, found[0].2), (4, 7));
    assert!(found[0]
        .3
        .starts_with("document nests deeper than 3 levels"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn invalid_limit_values_are_usage_errors_naming_the_flag() {
    for (args, expected) in [
        (["--max-depth", "0"], "must be between 1 and 1024, not 0"),
        (
            ["--max-file-bytes", "2GiB"],
            "must be between 1 and 1073741824, not 2147483648",
        ),
        (
            ["--max-findings-per-rule", "lots"],
            "`lots` is not an amount",
        ),
        (
            ["--max-documents-per-file", "5 parsecs"],
            "unknown unit `parsecs`",
        ),
    ] {
        let output = dflint(&["check", "-", args[0], args[1]]);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(args[0]), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn netpol_reach_and_acl_commands_take_the_limits_too() {
    let dir = temp_dir("other-commands");
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: cache\nspec:\n  podSelector: {}\n";
    let np = write(&dir, "np.yaml", policy);
    let output = dflint(&[
        "netpol",
        "reach",
        &np,
        "--format",
        "json",
        "--max-file-bytes",
        "50",
    ]);
    let report = json(&output);
    let found = of_code(&report, "DF003");
    assert_eq!(found.len(), 1, "{report}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].2),
        ("np.yaml", 1, 1)
    );

    let acl = write(
        &dir,
        "users.acl",
        &"user default on nopass +@all ~*\n".repeat(100),
    );
    let output = dflint(&["acl", "explain", &acl, "--max-file-bytes", "100"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "users.acl: this file is 3200 bytes (3.1 KiB), more than the 100 bytes a file may have"
        ),
        "{stderr}"
    );
    let output = dflint(&[
        "acl",
        "can",
        &acl,
        "default",
        "GET",
        "k",
        "--max-file-bytes",
        "100",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let output = dflint(&["acl", "can", &acl, "default", "GET", "k"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}
