//! `dflint acl suggest`, end to end through the binary: seed 004's cache service (its pattern
//! invalidation gets SCAN, not KEYS, with the reason and what SCAN still exposes), joining the
//! seed cluster's ACL, MONITOR input from standard input, and bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dflint(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dflint runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const SEED_004: &str = "crates/cli/tests/data/acl-suggest/seed-004-cache.txt";

#[test]
fn the_seed_cache_service_gets_a_proven_rule_with_scan_instead_of_keys() {
    let out = dflint(&["acl", "suggest", SEED_004, "--user", "cache"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "user cache on >${PASSWORD} ~cache:* resetchannels -@all +get +set +del +exists +scan\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("+scan          in place of `KEYS cache:user:*` (line 7)"),
        "{text}"
    );
    assert!(text.contains("KEYS is @dangerous"), "{text}");
    assert!(
        text.contains(
            "SCAN still lists the name of every key in the database, other tenants' included"
        ),
        "{text}"
    );
    assert!(
        text.contains("ok   no @dangerous or @admin command is allowed"),
        "{text}"
    );
    assert!(!text.contains("FAIL"), "{text}");

    // The rule really loads and behaves as proven, through `acl can`.
    let rule = text
        .lines()
        .next()
        .unwrap()
        .replace(">${PASSWORD}", ">Cache-Passw0rd-Long");
    let dir = std::env::temp_dir().join(format!("dflint-suggest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let acl = dir.join("users.acl");
    std::fs::write(
        &acl,
        format!("user default on >Admin-Passw0rd-Long ~* +@all\n{rule}\n"),
    )
    .unwrap();
    let acl = acl.to_str().unwrap();
    let can = |words: &[&str]| {
        let mut args = vec!["acl", "can", acl, "cache"];
        args.extend_from_slice(words);
        dflint(&args, b"").status.code()
    };
    assert_eq!(can(&["SCAN", "0", "MATCH", "cache:user:*"]), Some(0));
    assert_eq!(can(&["KEYS", "cache:user:*"]), Some(1));
    assert_eq!(can(&["GET", "billing:1"]), Some(1));
    assert_eq!(can(&["FLUSHALL"]), Some(1));
}

#[test]
fn joining_an_acl_keeps_the_other_tenants_keys_out_of_reach() {
    let out = dflint(
        &[
            "acl",
            "suggest",
            SEED_004,
            "--user",
            "cache",
            "--acl",
            "examples/seed-cluster/secrets.yaml",
            "--format",
            "json",
        ],
        b"",
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["proven"], true);
    let checks: Vec<&str> = json["suggestion"]["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["check"].as_str().unwrap())
        .collect();
    assert!(
        checks.contains(&"`GET keycloak:` is denied (a key of `keycloak`)"),
        "{checks:#?}"
    );
    // Seed passwords never appear.
    assert!(!stdout(&out).contains("example-shared-password"));
}

#[test]
fn monitor_output_on_standard_input() {
    let monitor = b"1700000000.123456 [0 10.0.0.5:51234] \"get\" \"reports:1\"\n1700000000.2 [0 10.0.0.5:51234] \"mget\" \"reports:2\" \"reports:3\"\n";
    let out = dflint(&["acl", "suggest", "-", "--user", "reports"], monitor);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with(
            "user reports on >${PASSWORD} %R~reports:* resetchannels -@all +get +mget\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn input_it_cannot_read_is_an_error() {
    let empty = dflint(&["acl", "suggest", "-", "--user", "x"], b"# nothing\n");
    assert_eq!(empty.status.code(), Some(2));
    let unknown = dflint(
        &["acl", "suggest", "-", "--user", "x"],
        b"GET a:1\nNOSUCHCMD x\n",
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("NOSUCHCMD"));
}
