//! Hostile and large inputs through the binary: output stays bounded and readable, nothing
//! blocks, nothing outside the linted tree is read, and `acl can --cases` evaluates each ACL
//! once.

use std::path::PathBuf;
use std::process::{Command, Output};

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .output()
        .expect("dflint runs")
}

fn dir(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-hard-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_finding_past_column_65536_is_printed_with_its_location() {
    let d = dir("wide");
    let path = d.join("minified.json");
    let json = format!(
        r#"{{"apiVersion":"dragonflydb.io/v1alpha1","kind":"Dragonfly","metadata":{{"name":"x","annotations":{{"a":"{}"}}}},"spec":{{"bogusField":1}}}}"#,
        "b".repeat(100_000)
    );
    std::fs::write(&path, json).unwrap();
    let out = dflint(&["check", path.to_str().unwrap(), "--color", "never"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DF010"), "{text}");
    assert!(
        text.contains("minified.json:1:"),
        "the location replaces the snippet: {text}"
    );
    assert!(
        text.len() < 20_000,
        "the 100 KB line is not echoed ({} bytes)",
        text.len()
    );
}

#[test]
fn a_finding_on_a_huge_multi_line_span_shows_only_where_it_starts() {
    let d = dir("tall");
    let path = d.join("tall.yaml");
    let mut text = String::from(
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: x\nspec:\n  bogusField:\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!("    - item{i}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let out = dflint(&["check", path.to_str().unwrap(), "--color", "never"]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("DF010"), "{shown}");
    assert!(shown.len() < 50_000, "{} bytes printed", shown.len());
}

#[cfg(unix)]
#[test]
fn named_pipes_and_links_out_of_the_tree_are_skipped_and_said() {
    let d = dir("special");
    let outside = dir("special-outside").join("secret.acl");
    std::fs::write(&outside, "user a on >OutsideSecret1 ~x +get\n").unwrap();
    std::os::unix::fs::symlink(&outside, d.join("link.acl")).unwrap();
    let fifo = d.join("pipe.yaml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::fs::write(
        d.join("inside.acl"),
        "user default on >InsideSecret1 ~* +@all\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(d.join("inside.acl"), d.join("inside-link.acl")).unwrap();
    let out = dflint(&["check", d.to_str().unwrap(), "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "skipped inputs are an I/O error: {stderr}"
    );
    assert!(
        stderr.contains("link.acl: skipped: a symbolic link to a file outside"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pipe.yaml: skipped: not a regular file"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("OutsideSecret1") && !stdout.contains("/link.acl\""),
        "{stdout}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["summary"]["files"], 2,
        "inside.acl and the link to it: {report:#}"
    );
}

#[test]
fn acl_can_cases_share_one_evaluated_file_and_cache_texts() {
    let d = dir("cases");
    let acl = d.join("users.acl");
    let mut text = String::from("user default off -@all +auth +hello\n");
    for i in 0..200 {
        text.push_str(&format!(
            "user u{i} on >pw{i}-long-enough ~t{i}:* -@all +get\n"
        ));
    }
    std::fs::write(&acl, &text).unwrap();
    let mut cases = String::new();
    for q in 0..2_000 {
        let i = q % 200;
        let key = if q % 2 == 0 {
            format!("t{i}:k")
        } else {
            "other".to_string()
        };
        cases.push_str(&format!(
            "{}\n",
            serde_json::json!({"user": format!("u{i}"), "command": "GET", "args": [key]})
        ));
        // Interleaved queries that carry their own ACL text.
        if q % 100 == 0 {
            cases.push_str(&format!(
                "{}\n",
                serde_json::json!({"acl": "user x on nopass ~a* -@all +get\n", "user": "x", "command": "GET", "args": ["a1"]})
            ));
        }
    }
    let queries = d.join("q.jsonl");
    std::fs::write(&queries, cases).unwrap();
    let out = dflint(&[
        "acl",
        "can",
        "--cases",
        queries.to_str().unwrap(),
        acl.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 2_020);
    let allowed = answers.iter().filter(|a| a["allowed"] == true).count();
    assert_eq!(
        allowed,
        1_000 + 20,
        "half the file's queries and every inline one"
    );
    assert!(answers.iter().all(|a| a.get("error").is_none()));
}

#[test]
fn acl_commands_on_unreadable_manifests_say_where_and_never_show_the_value() {
    let d = dir("unreadable");
    let base64 = d.join("bad-base64.yaml");
    std::fs::write(
        &base64,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\ndata:\n  users.acl: \"!!!Sekr1tzz\"\n",
    )
    .unwrap();
    let syntax = d.join("bad-syntax.yaml");
    std::fs::write(&syntax, "apiVersion: v1\nkind: Secret\n  bad: [\n").unwrap();
    for (path, place) in [
        (&base64, "bad-base64.yaml:6:14"),
        (&syntax, "bad-syntax.yaml:3:"),
    ] {
        for args in [
            vec!["acl", "explain", path.to_str().unwrap()],
            vec!["acl", "can", path.to_str().unwrap(), "u", "get", "k"],
        ] {
            let out = dflint(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains(place), "{stderr}");
            assert!(!stderr.contains("Sekr1tzz"), "{stderr}");
        }
    }
}
