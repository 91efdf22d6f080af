//! `dflint acl explain` and `dflint acl can`, end to end through the binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn dflint(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dflint runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("dflint finishes")
}

fn acl_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-acl-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("users.acl");
    std::fs::write(&path, text).unwrap();
    path
}

const SEED_ACL: &str = "user default on >DefaultTopSecret ~* +@all\n\
user langfuse on >LangfuseTopSecret ~* +@all -@dangerous +INFO +CONFIG\n\
user app on >AppTopSecret ~app:* +@read +@write -@dangerous\n";

#[test]
fn can_answers_with_the_deciding_token_and_exit_code() {
    let path = acl_file("can", SEED_ACL);
    let file = path.to_str().unwrap();
    let allowed = dflint(
        &[
            "acl", "can", file, "langfuse", "CONFIG", "SET", "dir", "/tmp", "--format", "json",
        ],
        b"",
    );
    assert_eq!(allowed.status.code(), Some(0));
    let verdict: serde_json::Value = serde_json::from_slice(&allowed.stdout).unwrap();
    assert_eq!(verdict["allowed"], true);
    assert_eq!(
        verdict["token"], "+CONFIG",
        "the token that re-granted it after -@dangerous"
    );

    let denied = dflint(
        &[
            "acl", "can", file, "app", "GET", "other:1", "--format", "json",
        ],
        b"",
    );
    assert_eq!(denied.status.code(), Some(1));
    let verdict: serde_json::Value = serde_json::from_slice(&denied.stdout).unwrap();
    assert_eq!(verdict["denied_on"], "key");
    assert_eq!(verdict["item"], "other:1");

    let flush = dflint(
        &["acl", "can", file, "app", "FLUSHALL", "--format", "json"],
        b"",
    );
    let verdict: serde_json::Value = serde_json::from_slice(&flush.stdout).unwrap();
    assert_eq!(verdict["denied_on"], "command");
    assert_eq!(verdict["token"], "-@dangerous");

    let pretty = dflint(&["acl", "can", file, "app", "GET", "app:1"], b"");
    assert_eq!(pretty.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&pretty.stdout).starts_with("allowed"));

    let unknown = dflint(&["acl", "can", file, "app", "NOSUCHCMD"], b"");
    assert_eq!(unknown.status.code(), Some(2));
    let missing_user = dflint(&["acl", "can", file, "nobody", "GET", "k"], b"");
    assert_eq!(missing_user.status.code(), Some(2));
}

#[test]
fn cases_answer_one_json_line_per_query_in_order() {
    let cases = [
        serde_json::json!({"acl": "user u0 on nopass ~k* +get", "dialect": "dragonfly", "user": "u0", "command": "GET", "args": ["k1"]}),
        serde_json::json!({"acl": "user u0 on nopass ~k* +get", "dialect": "dragonfly", "user": "u0", "command": "SET", "args": ["k1", "v"]}),
        serde_json::json!({"acl": "user u0 on nopass ~k* +get +@dangerus", "dialect": "dragonfly", "user": "u0", "command": "GET", "args": ["k1"]}),
        serde_json::json!({"acl": "user u0 off nopass ~k* (~x* +set) +get", "dialect": "redis", "user": "u0", "command": "SET", "args": ["x1", "v"]}),
    ];
    let input: String = cases.iter().map(|c| format!("{c}\n")).collect();
    let output = dflint(&["acl", "can", "--cases", "-"], input.as_bytes());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 4);
    assert_eq!(answers[0]["allowed"], true);
    assert_eq!(answers[0]["user_enabled"], true);
    assert_eq!(answers[1]["allowed"], false);
    assert_eq!(answers[1]["denied_on"], "command");
    let error = answers[2]["error"].as_str().unwrap();
    assert!(
        error.contains("ACL rejected") && error.contains("@dangerous"),
        "{error}"
    );
    assert_eq!(answers[3]["allowed"], true, "the selector allows it");
    assert_eq!(answers[3]["user_enabled"], false);
}

#[test]
fn explain_lists_permissions_with_provenance_and_never_passwords() {
    let path = acl_file("explain", SEED_ACL);
    let file = path.to_str().unwrap();
    let output = dflint(
        &[
            "acl", "explain", file, "--user", "langfuse", "--format", "json",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let users: serde_json::Value = serde_json::from_str(&text).unwrap();
    let langfuse = &users[0];
    assert_eq!(langfuse["user"], "langfuse");
    assert!(langfuse["dangerous_commands"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "config"));
    let config = langfuse["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == "config")
        .unwrap();
    assert_eq!(config["granted_by"], "+CONFIG");
    assert_eq!(langfuse["all_keys"], true);

    let pretty = dflint(&["acl", "explain", file], b"");
    let shown = String::from_utf8_lossy(&pretty.stdout);
    assert!(shown.contains("user app: on"), "{shown}");
    assert!(shown.contains("keys: app:* (read/write)"), "{shown}");
    for secret in ["DefaultTopSecret", "LangfuseTopSecret", "AppTopSecret"] {
        assert!(!text.contains(secret) && !shown.contains(secret));
    }
}

#[test]
fn check_finds_acl_files_in_directories_and_by_flag() {
    let path = acl_file("check", SEED_ACL);
    let dir = path.parent().unwrap().to_str().unwrap();
    let output = dflint(&["check", dir, "--format", "json"], b"");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"DF210"), "{codes:?}");
    let other = path.with_file_name("tenants.txt");
    std::fs::write(&other, SEED_ACL).unwrap();
    let output = dflint(
        &[
            "check",
            "--acl-file",
            other.to_str().unwrap(),
            "--format",
            "json",
        ],
        b"",
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "DF210"));
}
