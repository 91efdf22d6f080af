//! `dflint.toml` through the binary: found above the linted paths, overridden by flags,
//! every setting applied (selection, severities, per-file ignores, excludes, fail-on, ACL
//! dialect), every mistake in it located, and `dflint config --show` naming where each
//! setting came from.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Dragonfly CR with DF011 and DF032 (warnings), DF012 and DF101 (errors).
const CR: &str = "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: cache
spec:
  image: docker.dragonflydb.io/dragonflydb/dragonfly:latest
  args: [\"--maxmemroy=1gb\"]
";

fn project(case: &str, config: Option<&str>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-cfg-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("deploy/legacy")).unwrap();
    std::fs::write(dir.join("deploy/cr.yaml"), CR).unwrap();
    // Another instance, not a second copy of the first (that would be a duplicate, DF018).
    let old = CR.replace("name: cache", "name: old-cache");
    std::fs::write(dir.join("deploy/legacy/old.yaml"), old).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.join("dflint.toml"), config).unwrap();
    }
    dir
}

fn dflint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("dflint runs")
}

/// `(file, code, severity)` of every finding of a JSON report.
fn findings(out: &Output) -> Vec<(String, String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn codes(out: &Output) -> Vec<String> {
    let mut codes: Vec<String> = findings(out).into_iter().map(|f| f.1).collect();
    codes.sort();
    codes.dedup();
    codes
}

/// Asserts that the run's stderr says `text`, showing all of it when it does not.
fn assert_stderr_has(out: &Output, text: &str) {
    let said = stderr(out);
    assert!(said.contains(text), "{said}");
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_file_above_the_linted_path_selects_and_flags_override_it() {
    let dir = project("select", Some("select = [\"DF01\"]\n"));
    // Linted from a subdirectory: the file two levels up still applies.
    let out = dflint_in(
        &dir.join("deploy/legacy"),
        &["check", ".", "--format", "json"],
    );
    assert_eq!(codes(&out), ["DF011", "DF012"], "{}", stderr(&out));
    let out = dflint_in(
        &dir,
        &["check", "deploy", "--format", "json", "--select", "DF1"],
    );
    assert_eq!(codes(&out), ["DF101"]);
    let out = dflint_in(
        &dir,
        &[
            "check",
            "deploy",
            "--format",
            "json",
            "--extend-select",
            "DF032",
        ],
    );
    assert_eq!(codes(&out), ["DF011", "DF012", "DF032"]);
    let out = dflint_in(
        &dir,
        &["check", "deploy", "--format", "json", "--no-config"],
    );
    assert_eq!(codes(&out), ["DF011", "DF012", "DF032", "DF101"]);
    let other = dir.join("other.toml");
    std::fs::write(&other, "ignore = [\"DF0\"]\n").unwrap();
    let out = dflint_in(
        &dir,
        &[
            "check",
            "deploy",
            "--format",
            "json",
            "--config",
            "other.toml",
        ],
    );
    assert_eq!(codes(&out), ["DF101"]);
}

#[test]
fn severities_per_file_ignores_and_fail_on_apply() {
    let dir = project(
        "severity",
        Some(
            "fail-on = \"warning\"\n\n[severity]\nDF1 = \"info\"\nDF012 = \"warning\"\n\n[per-file-ignores]\n\"deploy/legacy/*\" = [\"DF0\"]\n",
        ),
    );
    let out = dflint_in(&dir, &["check", "deploy", "--format", "json"]);
    let found = findings(&out);
    let legacy: Vec<&str> = found
        .iter()
        .filter(|f| f.0.contains("legacy"))
        .map(|f| f.1.as_str())
        .collect();
    assert_eq!(legacy, ["DF101"], "{found:?}");
    assert!(found
        .iter()
        .all(|f| f.2 != "error" && (f.1 != "DF101" || f.2 == "info")));
    assert!(found.iter().any(|f| f.1 == "DF012" && f.2 == "warning"));
    // Linted from a subdirectory, the glob is still relative to the file's directory.
    let out = dflint_in(&dir.join("deploy"), &["check", ".", "--format", "json"]);
    let legacy: Vec<(String, String, String)> = findings(&out)
        .into_iter()
        .filter(|f| f.0.contains("legacy"))
        .collect();
    assert_eq!(legacy.len(), 1, "{legacy:?}");
    // No errors are left, but fail-on = warning fails the run on the warnings.
    assert_eq!(out.status.code(), Some(1));
    let out = dflint_in(
        &dir,
        &["check", "deploy", "--format", "json", "--fail-on", "error"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn excludes_skip_what_a_walk_finds_but_not_a_named_file() {
    let dir = project("exclude", Some("extend-exclude = [\"deploy/legacy\"]\n"));
    let out = dflint_in(&dir, &["check", ".", "--format", "json"]);
    assert!(findings(&out).iter().all(|f| !f.0.contains("legacy")));
    assert!(!findings(&out).is_empty());
    let out = dflint_in(
        &dir,
        &["check", "deploy/legacy/old.yaml", "--format", "json"],
    );
    assert!(findings(&out).iter().all(|f| f.0.contains("legacy")));
    assert!(!findings(&out).is_empty());
    // A pattern without a slash matches a name anywhere.
    let out = dflint_in(
        &dir,
        &["check", ".", "--format", "json", "--exclude", "*.yaml"],
    );
    assert!(findings(&out).is_empty());
}

#[test]
fn mistakes_in_the_file_are_located_and_stop_the_run() {
    for (config, expected) in [
        (
            "selct = [\"DF0\"]\n",
            "dflint.toml:1:1: unknown field `selct`",
        ),
        (
            "[acl]\ndialect = \"valkey\"\n",
            "dflint.toml:2:11: unknown variant `valkey`",
        ),
        (
            "ignore = [\"DF011\", \"DF999\"]\n",
            "dflint.toml:1:20: `ignore[1]`: `DF999` matches no rule",
        ),
        (
            "[limits]\nmax-depth = 0\n",
            "dflint.toml:2:13: `limits.max-depth`: must be between 1",
        ),
        (
            "[per-file-ignores]\n\"a/[b\" = [\"DF0\"]\n",
            "dflint.toml:2:1: `per-file-ignores.a/[b`: `[` in `[b` is never closed",
        ),
        (
            "fail-on = \"warning\"\nfail-on = \"error\"\n",
            "dflint.toml:2:1:",
        ),
    ] {
        let dir = project("mistake", Some(config));
        let out = dflint_in(&dir, &["check", "deploy"]);
        assert_eq!(out.status.code(), Some(2), "{config}");
        assert!(
            stderr(&out).contains(expected),
            "{config}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{config}: nothing is linted");
    }
}

/// A CR on v1.30.0 with a flag that came in v1.34.0.
const NEWER_FLAG_CR: &str = "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: cache
spec:
  image: dragonflydb/dragonfly:v1.30.0
  args: [\"--enable_heartbeat_rss_eviction=true\"]
";

#[test]
fn the_dragonfly_version_comes_from_the_image_the_file_or_the_flag() {
    let dir = project("version", Some("dragonfly-version = \"v1.34.0\"\n"));
    std::fs::write(dir.join("deploy/newer.yaml"), NEWER_FLAG_CR).unwrap();
    let df101 = |out: &Output| -> Vec<String> {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "DF101")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    let args = ["check", "deploy/newer.yaml", "--format", "json"];
    // The image's v1.30.0 lacks the flag.
    let out = dflint_in(&dir, &[&args[..], &["--no-config"]].concat());
    assert_eq!(
        df101(&out),
        ["`--enable_heartbeat_rss_eviction` was added in v1.34.0; this image is v1.30.0 (tag `v1.30.0`): the server exits with \"unknown command line flag\""]
    );
    // The file says v1.34.0.
    let out = dflint_in(&dir, &args);
    assert_eq!(df101(&out), Vec::<String>::new(), "{}", stderr(&out));
    // The flag overrides the file.
    let out = dflint_in(
        &dir,
        &[&args[..], &["--dragonfly-version", "1.33.1"]].concat(),
    );
    assert_eq!(
        df101(&out),
        ["`--enable_heartbeat_rss_eviction` was added in v1.34.0; the `dragonfly-version` setting says v1.33.1: the server exits with \"unknown command line flag\""]
    );
    let out = dflint_in(
        &dir,
        &["config", "--show", "--dragonfly-version", "v1.33.1"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("dragonfly-version = \"v1.33.1\"")
                && l.ends_with("# --dragonfly-version")),
        "{text}"
    );
    // A release dflint has no facts for is refused, with where it is written.
    let out = dflint_in(
        &dir,
        &[&args[..], &["--dragonfly-version", "v1.19.0"]].concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(
        &out,
        "`dragonfly-version`: `v1.19.0` is not a Dragonfly release dflint has flag facts for (v1.20.0 to v1.40.1)",
    );
    std::fs::write(dir.join("dflint.toml"), "dragonfly-version = \"latest\"\n").unwrap();
    let out = dflint_in(&dir, &args);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(
        &out,
        "dflint.toml:1:21: `dragonfly-version`: `latest` is not a Dragonfly version",
    );
}

#[test]
fn paths_under_two_configuration_files_are_refused() {
    let dir = project("two", Some("select = [\"DF0\"]\n"));
    std::fs::write(
        dir.join("deploy/legacy/dflint.toml"),
        "select = [\"DF1\"]\n",
    )
    .unwrap();
    let out = dflint_in(&dir, &["check", "deploy/cr.yaml", "deploy/legacy/old.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "under two configuration files");
}

#[test]
fn config_show_names_where_each_setting_comes_from() {
    let dir = project(
        "show",
        Some("select = [\"DF0\"]\n\n[acl]\ndialect = \"redis\"\n\n[limits]\nmaxDepth = 64\n"),
    );
    let out = dflint_in(&dir, &["config", "--show", "--ignore", "DF011"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let line_of = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in\n{text}"))
            .to_string()
    };
    assert!(
        line_of("select = [\"DF0\"]").ends_with("dflint.toml:1"),
        "{text}"
    );
    assert!(
        line_of("ignore = [\"DF011\"]").ends_with("# --ignore"),
        "{text}"
    );
    assert!(
        line_of("dialect = \"redis\"").ends_with("dflint.toml:4"),
        "{text}"
    );
    assert!(
        line_of("max-depth = 64").ends_with("dflint.toml:7"),
        "{text}"
    );
    assert!(
        line_of("fail-on = \"error\"").ends_with("# default"),
        "{text}"
    );
    // What it prints is itself a valid configuration with the same settings.
    std::fs::write(dir.join("shown.toml"), &text).unwrap();
    let again = dflint_in(&dir, &["config", "--show", "--config", "shown.toml"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let again = String::from_utf8(again.stdout).unwrap();
    let settings = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split(" #").next().unwrap().trim_end().to_string())
            .collect()
    };
    assert_eq!(settings(&text), settings(&again));
}

#[test]
fn acl_commands_read_the_dialect_from_the_file() {
    let dir = project("acl", Some("[acl]\ndialect = \"redis\"\n"));
    // LCS is a Redis 7 command Dragonfly does not have: the answer shows the dialect.
    std::fs::write(dir.join("users.acl"), "user app on nopass ~* +@all\n").unwrap();
    let redis = dflint_in(&dir, &["acl", "can", "users.acl", "app", "LCS", "a", "b"]);
    assert_eq!(redis.status.code(), Some(0), "{}", stderr(&redis));
    let dragonfly = dflint_in(
        &dir,
        &[
            "acl",
            "can",
            "users.acl",
            "app",
            "LCS",
            "a",
            "b",
            "--dialect",
            "dragonfly",
        ],
    );
    assert_eq!(dragonfly.status.code(), Some(2));
    assert_stderr_has(&dragonfly, "unknown command");
    // check reads it too: a Redis-only token is fine under the file's dialect.
    let check = dflint_in(
        &dir,
        &[
            "check",
            "users.acl",
            "--format",
            "json",
            "--select",
            "DF201",
        ],
    );
    assert_eq!(codes(&check), Vec::<String>::new(), "{}", stderr(&check));
}

#[test]
fn acl_ignores_in_the_file_suppress_one_users_findings_and_need_a_reason() {
    let acl = "user default on >adminpass0123456789 ~* +@all\nuser app on >apppass0123456789x ~app:* +@all\n";
    let config =
        "[[acl.ignore]]\nuser = \"app\"\ncode = \"DF210\"\nreason = \"the operations console\"\n";
    let dir = project("acl-ignore", Some(config));
    std::fs::write(dir.join("deploy/users.acl"), acl).unwrap();
    let out = dflint_in(&dir, &["check", "deploy/users.acl", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !codes(&out).contains(&"DF210".to_string()),
        "{:?}",
        codes(&out)
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    let out = dflint_in(
        &dir,
        &[
            "check",
            "deploy/users.acl",
            "--no-config",
            "--format",
            "json",
        ],
    );
    assert!(codes(&out).contains(&"DF210".to_string()));

    let without_reason = "[[acl.ignore]]\nuser = \"app\"\ncode = \"DF210\"\nreason = \"\"\n";
    std::fs::write(dir.join("dflint.toml"), without_reason).unwrap();
    let out = dflint_in(&dir, &["check", "deploy/users.acl"]);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "dflint.toml:4:10: `acl.ignore[0].reason`: say why");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gitignore_files_of_the_tree_and_its_repository_are_honoured_in_walks() {
    let dir = project("gitignore", None);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("deploy/generated")).unwrap();
    std::fs::write(dir.join(".gitignore"), "deploy/generated/\n*.local.yaml\n").unwrap();
    std::fs::write(dir.join("deploy/.gitignore"), "!keep.local.yaml\n").unwrap();
    for file in [
        "deploy/generated/g.yaml",
        "deploy/x.local.yaml",
        "deploy/keep.local.yaml",
    ] {
        std::fs::write(dir.join(file), CR).unwrap();
    }
    let files = |out: &Output| -> std::collections::BTreeSet<String> {
        findings(out).into_iter().map(|(file, _, _)| file).collect()
    };
    let walked = |args: &[&str]| files(&dflint_in(&dir, args));
    let expected = |names: &[&str]| -> std::collections::BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    };
    // From the repository's top, and from below it (the top's .gitignore still applies).
    assert_eq!(
        walked(&["check", "deploy", "--format", "json"]),
        expected(&[
            "deploy/cr.yaml",
            "deploy/keep.local.yaml",
            "deploy/legacy/old.yaml"
        ])
    );
    let below = files(&dflint_in(
        &dir.join("deploy"),
        &["check", ".", "--format", "json"],
    ));
    assert_eq!(
        below,
        expected(&["cr.yaml", "keep.local.yaml", "legacy/old.yaml"])
    );
    // Turned off by flag or by the file; a file named on the command line is always read.
    let all = expected(&[
        "deploy/cr.yaml",
        "deploy/generated/g.yaml",
        "deploy/keep.local.yaml",
        "deploy/legacy/old.yaml",
        "deploy/x.local.yaml",
    ]);
    assert_eq!(
        walked(&[
            "check",
            "deploy",
            "--format",
            "json",
            "--no-respect-gitignore"
        ]),
        all
    );
    std::fs::write(dir.join("dflint.toml"), "respect-gitignore = false\n").unwrap();
    assert_eq!(walked(&["check", "deploy", "--format", "json"]), all);
    std::fs::remove_file(dir.join("dflint.toml")).unwrap();
    assert_eq!(
        walked(&["check", "deploy/x.local.yaml", "--format", "json"]),
        expected(&["deploy/x.local.yaml"])
    );
    // A pattern the matcher cannot read is a warning, not a failed run; the rest applies.
    std::fs::write(dir.join("deploy/.gitignore"), "!keep.local.yaml\na{b\n").unwrap();
    let out = dflint_in(&dir, &["check", "deploy", "--format", "json"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("deploy/.gitignore: line 2") && stderr(&out).contains("not applied"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        files(&out),
        expected(&[
            "deploy/cr.yaml",
            "deploy/keep.local.yaml",
            "deploy/legacy/old.yaml"
        ])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_not_utf8_is_located_too() {
    let dir = project("not-utf8", None);
    std::fs::write(
        dir.join("dflint.toml"),
        b"select = [\"DF0\"]\nfail-on = \"err\xff\"\n",
    )
    .unwrap();
    let out = dflint_in(&dir, &["check", "deploy"]);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_has(&out, "dflint.toml:2:15: the file is not UTF-8 text");
    let _ = std::fs::remove_dir_all(&dir);
}
