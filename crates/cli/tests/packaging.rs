//! The packaging files run dflint with arguments of their own: the pre-commit hook's entry and
//! the GitHub Action's lint command are read from the files and run here against the real
//! binary, so a renamed flag breaks this test, not a user's CI.

use dflint_core::document::{parse_yaml, Node};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn yaml(file: &str) -> Node {
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    let parsed = parse_yaml(&text);
    assert!(parsed.problems.is_empty(), "{file}: {:?}", parsed.problems);
    parsed.roots.into_iter().next().expect("a document")
}

fn dflint(args: &[String], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dflint"));
    command
        .args(args)
        .current_dir(repo_root())
        .env_remove("DFLINT_OUTPUT_FORMAT")
        .env_remove("DFLINT_OUTPUT_FILE");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("dflint runs")
}

#[test]
fn the_pre_commit_hook_runs_dflint_with_valid_arguments() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = &hooks.as_seq().expect("a list of hooks")[0];
    assert_eq!(hook.get("id").and_then(Node::as_str), Some("dflint"));
    let entry = hook.get("entry").and_then(Node::as_str).unwrap();
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("dflint"));
    let mut args: Vec<String> = words.map(str::to_string).collect();
    args.push("examples".into());
    let out = dflint(&args, &[]);
    // The examples have errors: exit 1 with findings, not 2 (a usage error).
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(": DF"));
}

#[test]
fn the_action_lint_command_runs_and_writes_annotations_and_sarif() {
    let action = yaml("action.yml");
    let steps = action
        .at(&["runs", "steps"])
        .and_then(Node::as_seq)
        .unwrap();
    let lint = steps
        .iter()
        .find(|s| s.get("id").and_then(Node::as_str) == Some("lint"))
        .expect("a step with id `lint`");
    let script = lint.get("run").and_then(Node::as_str).unwrap();
    // The command after the binary's path, with line continuations joined.
    let command = script
        .replace("\\\n", " ")
        .lines()
        .find(|l| l.contains("/dflint/bin/dflint\" check"))
        .expect("the dflint command line")
        .split_once("/dflint/bin/dflint\"")
        .unwrap()
        .1
        .to_string();
    let sarif = std::env::temp_dir().join(format!("dflint-action-{}.sarif", std::process::id()));
    let args: Vec<String> = command
        .split_whitespace()
        .map(|word| match word {
            "$DFLINT_PATHS" => "examples".to_string(),
            "\"$DFLINT_FAIL_ON\"" => "error".to_string(),
            "\"$sarif\"" => sarif.to_string_lossy().into_owned(),
            "$DFLINT_ARGS" => "--no-config".to_string(),
            other => {
                assert!(
                    !other.contains('$'),
                    "an unexpected variable in the action: {other}"
                );
                other.to_string()
            }
        })
        .collect();
    let out = dflint(&args, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("::error file="));
    let log = std::fs::read_to_string(&sarif).expect("the action's SARIF file");
    assert!(log.contains("\"version\": \"2.1.0\""));
    let _ = std::fs::remove_file(&sarif);
}

#[test]
fn the_license_is_the_one_the_workspace_declares() {
    let license = std::fs::read_to_string(repo_root().join("LICENSE")).unwrap();
    assert!(license.contains("Apache License") && license.contains("Version 2.0, January 2004"));
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"Apache-2.0\""));
}
