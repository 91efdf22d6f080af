//! Regression tests for the Dragonfly- and Redis-dialect defects found by reading Dragonfly's
//! v1.40.1 source (and checked against redis-server 7.0.15): each reproducer runs through the
//! `dflint` binary in an empty folder, as a new user would run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .output()
        .expect("dflint runs")
}

/// A fresh folder holding one file.
fn file(case: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-i12-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn can(path: &Path, extra: &[&str], query: &[&str]) -> serde_json::Value {
    let mut args = vec!["acl", "can", path.to_str().unwrap()];
    args.extend(query);
    args.extend(["--format", "json"]);
    args.extend(extra);
    let out = dflint(&args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn explain(path: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["acl", "explain", path.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    let out = dflint(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check(path: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", path.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    serde_json::from_slice(&dflint(&args).stdout).unwrap()
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
fn d1_builtin_default_has_every_key_and_channel_in_both_dialects() {
    let path = file("d1", "r1.acl", "user u on >p ~a* +get\n");
    for dialect in [&[][..], &["--dialect", "redis"][..]] {
        let verdict = can(&path, dialect, &["default", "get", "k"]);
        assert_eq!(verdict["allowed"], true, "{verdict}");
        let verdict = can(&path, dialect, &["default", "publish", "any", "m"]);
        assert_eq!(verdict["allowed"], true, "{verdict}");
    }
    let users = explain(&path, &[]);
    let default = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == "default")
        .unwrap();
    assert_eq!(default["implicit"], true);
    assert_eq!(default["all_keys"], true);
    assert_eq!(default["all_channels"], true);
    assert_eq!(default["nopass"], true);
}

#[test]
fn d2_a_file_of_blank_lines_loads_and_leaves_default_open() {
    let path = file("d2", "r2.acl", "\n");
    let report = check(&path, &[]);
    let found = codes(&report);
    assert!(!found.contains(&"DF201".to_string()), "{report:#}");
    assert!(found.contains(&"DF202".to_string()), "{report:#}");
    assert_eq!(can(&path, &[], &["default", "flushall"])["allowed"], true);
    // Only a 0-byte file is "Empty file".
    let empty = file("d2-empty", "r2.acl", "");
    assert!(codes(&check(&empty, &[])).contains(&"DF201".to_string()));
    assert!(can(&empty, &[], &["default", "get", "k"])["error"]
        .as_str()
        .unwrap()
        .contains("Empty file"));
}

#[test]
fn d3_a_later_line_replaces_commands_and_keeps_keys_and_passwords() {
    let path = file(
        "d3",
        "r3.acl",
        "user default off -@all +auth +hello\nuser u on >a ~k* +@all\nuser u on >b ~j* +get\n",
    );
    let verdict = can(&path, &[], &["u", "config", "get", "x"]);
    assert_eq!(verdict["allowed"], false, "{verdict}");
    assert_eq!(can(&path, &[], &["u", "get", "k1"])["allowed"], true);
    assert_eq!(
        can(&path, &[], &["u", "get", "j1"])["allowed"],
        true,
        "keys add up"
    );
    let users = explain(&path, &["--user", "u"]);
    assert_eq!(users[0]["passwords"], 2, "passwords add up");
    let report = check(&path, &[]);
    assert!(codes(&report).contains(&"DF222".to_string()), "{report:#}");
    // NAMESPACE: is set again by every line.
    let ns = file(
        "d3-ns",
        "r3.acl",
        "user default off -@all +auth +hello\nuser u on >a ~k* NAMESPACE:t1 +get\nuser u on >a ~k* +get\n",
    );
    assert_eq!(
        explain(&ns, &["--user", "u"])[0]["namespace"],
        serde_json::Value::Null
    );
}

#[test]
fn d4_a_password_after_nopass_clears_it() {
    let path = file(
        "d4",
        "r4.acl",
        "user default off -@all +auth +hello\nuser u on nopass >a ~k* +get\n",
    );
    assert_eq!(explain(&path, &["--user", "u"])[0]["nopass"], false);
    assert!(!codes(&check(&path, &[])).contains(&"DF206".to_string()));
    // Even an invalid hash clears it.
    let hash = file(
        "d4-hash",
        "r4.acl",
        "user default off -@all +auth +hello\nuser u on nopass #abc ~k* +get\n",
    );
    assert_eq!(explain(&hash, &["--user", "u"])[0]["nopass"], false);
}

#[test]
fn d5_empty_patterns_reject_the_file() {
    for (case, token) in [("tilde", "~"), ("read", "%R~"), ("channel", "&")] {
        let path = file(
            &format!("d5-{case}"),
            "r5.acl",
            &format!("user default off -@all +auth +hello\nuser u on >a {token} +get\n"),
        );
        assert!(
            can(&path, &[], &["u", "get", "k"])["error"]
                .as_str()
                .is_some_and(|e| e.contains("ACL rejected")),
            "{token}"
        );
    }
}

#[test]
fn d6_only_literal_star_means_all_keys() {
    let path = file(
        "d6",
        "r6.acl",
        "user default off -@all +auth +hello\nuser u on >a %R~* ~a +get +set\nuser v on >b %RW~* ~a +get\n",
    );
    assert!(!codes(&check(&path, &[])).contains(&"DF201".to_string()));
    // `%R~*` reads every key but writes only `a`.
    assert_eq!(can(&path, &[], &["u", "get", "zzz"])["allowed"], true);
    assert_eq!(can(&path, &[], &["u", "set", "zzz", "v"])["allowed"], false);
    assert_eq!(can(&path, &[], &["u", "set", "a", "v"])["allowed"], true);
    // `~* ~a` is still refused, `~* ~*` and `allkeys allkeys` are not.
    let bad = file(
        "d6-bad",
        "r6.acl",
        "user default off -@all +auth +hello\nuser u on >a ~* ~a +get\n",
    );
    assert!(codes(&check(&bad, &[])).contains(&"DF201".to_string()));
    let twice = file(
        "d6-twice",
        "r6.acl",
        "user default off -@all +auth +hello\nuser u on >a ~* ~* allkeys &* &* +get\n",
    );
    assert!(!codes(&check(&twice, &[])).contains(&"DF201".to_string()));
}

#[test]
fn d7_store_destinations_are_key_checked() {
    let path = file(
        "d7",
        "r7.acl",
        "user default off -@all +auth +hello\nuser u on >a ~a* +sort +georadius +georadiusbymember\n",
    );
    let sort = can(&path, &[], &["u", "sort", "a1", "STORE", "b"]);
    assert_eq!(
        (sort["allowed"].clone(), sort["item"].clone()),
        (false.into(), "b".into())
    );
    let geo = can(
        &path,
        &[],
        &["u", "georadius", "a1", "0", "0", "1", "km", "STORE", "b"],
    );
    assert_eq!(geo["denied_on"], "key", "{geo}");
    assert_eq!(geo["item"], "b");
    let ok = can(&path, &[], &["u", "sort", "a1", "STORE", "a2"]);
    assert_eq!(ok["allowed"], true, "{ok}");
}

#[test]
fn d8_db_must_be_below_dbnum_and_zero_in_cluster_mode() {
    let path = file(
        "d8",
        "r8.acl",
        "user default off -@all +auth +hello\nuser u on >a ~* $16 +get\n",
    );
    assert!(can(&path, &[], &["u", "get", "k"])["error"].is_string());
    assert_eq!(
        can(&path, &["--dbnum", "32"], &["u", "get", "k"])["allowed"],
        true
    );
    let one = file(
        "d8-one",
        "r8.acl",
        "user default off -@all +auth +hello\nuser u on >a ~* $1 +get\n",
    );
    assert_eq!(can(&one, &[], &["u", "get", "k"])["allowed"], true);
    assert!(can(&one, &["--cluster-mode"], &["u", "get", "k"])["error"].is_string());
}

#[test]
fn d9_db_users_cannot_move_or_select_another_db() {
    let path = file(
        "d9",
        "r9.acl",
        "user default off -@all +auth +hello\nuser u on >a ~* $0 +select +move\n",
    );
    let select = can(&path, &[], &["u", "select", "1"]);
    assert_eq!(select["denied_on"], "database", "{select}");
    assert_eq!(can(&path, &[], &["u", "select", "0"])["allowed"], true);
    let moved = can(&path, &[], &["u", "move", "k", "1"]);
    assert_eq!(moved["denied_on"], "database", "{moved}");
}

#[test]
fn d10_redis_no_auth_commands_and_first_args_in_explain_and_can() {
    let path = file("d10", "r10.acl", "user u on nopass -@all -quit +select|0\n");
    let users = explain(&path, &["--dialect", "redis", "--user", "u"]);
    let listed = |name: &str| {
        users[0]["commands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["command"] == name)
            .cloned()
    };
    for name in ["auth", "hello", "quit", "reset"] {
        let entry = listed(name).unwrap_or_else(|| panic!("{name} listed allowed"));
        assert!(entry["always_allowed"].is_string(), "{entry}");
    }
    assert_eq!(users[0]["first_args"][0]["command"], "select");
    assert_eq!(users[0]["first_args"][0]["arg"], "0");
    let quit = can(&path, &["--dialect", "redis"], &["u", "quit"]);
    assert_eq!(quit["allowed"], true);
    assert!(
        quit["token"].is_null() && quit["always_allowed"].is_string(),
        "{quit}"
    );
    let select = can(&path, &["--dialect", "redis"], &["u", "select", "0"]);
    assert_eq!(select["token"], "+select|0", "{select}");
    // Dragonfly has no such exemption.
    let df = file(
        "d10-df",
        "r10.acl",
        "user default off -@all\nuser u on >a -@all +get\n",
    );
    assert_eq!(can(&df, &[], &["u", "auth", "u", "a"])["allowed"], false);
    assert!(codes(&check(&df, &[])).contains(&"DF221".to_string()));
}

#[test]
fn d11_every_rejection_is_reported_in_one_finding() {
    for dialect in [&[][..], &["--acl-dialect", "redis"][..]] {
        let path = file(
            "d11",
            "r11.acl",
            "user default on >x ~* +@all\nuser u on >a +nosuch1 ~k* +nosuch2\nuser v on >b +nosuch3\n",
        );
        let report = check(&path, dialect);
        let rejected: Vec<&serde_json::Value> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "DF201")
            .collect();
        assert_eq!(rejected.len(), 1, "{report:#}");
        assert_eq!(
            rejected[0]["related"].as_array().unwrap().len(),
            2,
            "{report:#}"
        );
        assert!(rejected[0]["message"]
            .as_str()
            .unwrap()
            .contains("2 more problems"));
    }
}

#[test]
fn d12_redis_unmatched_parenthesis_mentions_the_crash() {
    let path = file("d12", "r12.acl", "user c on nopass -@all (~a* +get\n");
    let report = check(&path, &["--acl-dialect", "redis"]);
    let message = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DF201")
        .expect("DF201")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("SIGSEGV"), "{message}");
}

#[test]
fn explain_and_can_read_acl_text_from_a_secret() {
    let path = file(
        "secret",
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: acl\nstringData:\n  users.acl: |\n    user default off -@all +auth +hello\n    user app on >TopSecretPw ~app:* -@all +get\n",
    );
    let users = explain(&path, &["--user", "app"]);
    assert_eq!(users[0]["keys"][0]["pattern"], "app:*");
    assert_eq!(can(&path, &[], &["app", "get", "app:1"])["allowed"], true);
    let out = dflint(&["acl", "explain", path.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("TopSecretPw"));
}

#[test]
fn empty_password_for_default_is_no_authentication() {
    let path = file("empty-pw", "r.acl", "user default on > ~* +@all\n");
    assert!(codes(&check(&path, &[])).contains(&"DF203".to_string()));
}

/// The findings of one code in a report.
fn findings<'r>(report: &'r serde_json::Value, code: &str) -> Vec<&'r serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

#[test]
fn admin_accounts_are_inferred_said_and_overridable() {
    let path = file(
        "admins",
        "users.acl",
        "user default off -@all +auth +hello\n\
         user admin on >Adm1nPassw0rdLong ~* &* +@all\n\
         user redis_admin on >Adm1nPassw0rdLong2 ~* &* +@all\n\
         user half_admin on >Adm1nPassw0rdLong3 ~app:* +@all\n\
         user app on >AppPassw0rdLong ~app:* -@all +get\n",
    );
    let report = check(&path, &[]);
    for code in ["DF210", "DF211", "DF213"] {
        let named: Vec<_> = findings(&report, code)
            .into_iter()
            .filter(|d| {
                let m = d["message"].as_str().unwrap();
                m.contains("`admin`") || m.contains("`redis_admin`")
            })
            .collect();
        assert!(named.is_empty(), "{code} on an inferred admin: {named:#?}");
    }
    // Without full access the name proves nothing.
    assert!(findings(&report, "DF210")
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("`half_admin`")));
    let said = findings(&report, "DF226");
    assert_eq!(said.len(), 1, "{report:#}");
    let message = said[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`admin`") && message.contains("`redis_admin`"),
        "{message}"
    );
    assert!(!message.contains("half_admin"));
    // An explicit list is complete: no inference.
    let explicit = check(&path, &["--acl-admin", "default"]);
    assert!(findings(&explicit, "DF226").is_empty());
    assert!(findings(&explicit, "DF210")
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("`redis_admin`")));
}

#[test]
fn default_with_its_own_password_as_the_designated_admin_is_not_reported() {
    let own = file(
        "default-admin",
        "users.acl",
        "user default on >DefaultPassw0rdLong ~* &* +@all\nuser app on >AppPassw0rdLong ~app:* -@all +get\n",
    );
    assert!(findings(&check(&own, &[]), "DF204").is_empty());
    let shared = file(
        "default-shared",
        "users.acl",
        "user default on >SamePassw0rdLong ~* +@all\nuser app on >SamePassw0rdLong ~app:* -@all +get\n",
    );
    assert_eq!(findings(&check(&shared, &[]), "DF204").len(), 1);
}

#[test]
fn a_monitoring_user_with_info_gets_a_warning_that_says_what_info_shows() {
    let path = file(
        "monitor",
        "users.acl",
        "user default off -@all +auth +hello\nuser healthcheck on >M0nitorPassw0rd -@all +ping +info\nuser app on >AppPassw0rdLong ~app:* -@all +get +info +set\n",
    );
    let report = check(&path, &[]);
    let dangerous = findings(&report, "DF210");
    let monitor = dangerous
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("`healthcheck`"))
        .expect("INFO is still reported");
    assert_eq!(monitor["severity"], "warning");
    assert!(monitor["message"]
        .as_str()
        .unwrap()
        .contains("no key names or values"));
    let app = dangerous
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("`app`"))
        .expect("a user with data commands keeps the error");
    assert_eq!(app["severity"], "error");
}

#[test]
fn namespaces_isolate_keyspaces_in_the_tenant_rules() {
    let apart = file(
        "ns-apart",
        "users.acl",
        "user default off -@all +auth +hello\n\
         user t1 on >T1Passw0rdLong NAMESPACE:t1 ~* -@all +get +set +scan\n\
         user t2 on >T2Passw0rdLong NAMESPACE:t2 ~* -@all +get +set +scan\n\
         user a on >APassw0rdLong NAMESPACE:t3 ~x:* -@all +get\n\
         user b on >BPassw0rdLong NAMESPACE:t4 ~x:* -@all +get\n",
    );
    let report = check(&apart, &[]);
    for code in ["DF212", "DF213", "DF214"] {
        assert!(findings(&report, code).is_empty(), "{code}: {report:#}");
    }
    assert!(
        !findings(&report, "DF219").is_empty(),
        "namespaces stay reported as experimental"
    );
    let shared = file(
        "ns-shared",
        "users.acl",
        "user default off -@all +auth +hello\n\
         user t1 on >T1Passw0rdLong NAMESPACE:team ~* -@all +get +set\n\
         user t2 on >T2Passw0rdLong NAMESPACE:team ~t2:* -@all +get +scan\n\
         user t3 on >T3Passw0rdLong NAMESPACE:team ~t2:x* -@all +get\n",
    );
    let report = check(&shared, &[]);
    let all_keys = findings(&report, "DF213");
    assert_eq!(all_keys.len(), 1, "{report:#}");
    assert!(all_keys[0]["message"]
        .as_str()
        .unwrap()
        .contains("namespace `TEAM`"));
    assert_eq!(findings(&report, "DF212").len(), 1, "{report:#}");
    assert_eq!(findings(&report, "DF214").len(), 1, "{report:#}");
}

#[test]
fn risky_commands_follow_the_dialect() {
    let path = file(
        "risky",
        "users.acl",
        "user default on >DefaultPassw0rdLong ~* +@all\nuser app on >AppPassw0rdLong ~app:* +@all -@dangerous\n",
    );
    let redis = check(&path, &["--acl-dialect", "redis"]);
    let message = findings(&redis, "DF211")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("Redis does not put"), "{message}");
    assert!(message.contains("`SCRIPT FLUSH`"), "{message}");
    assert!(
        !message.contains("CLIENT"),
        "CLIENT KILL is @dangerous on Redis: {message}"
    );
    let dragonfly = check(&path, &[]);
    let message = findings(&dragonfly, "DF211")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("Dragonfly does not put") && message.contains("`CLIENT`"),
        "{message}"
    );
}

#[test]
fn weak_passwords_and_placeholders() {
    let path = file(
        "weak",
        "users.acl",
        "user default off -@all +auth +hello\n\
         user app on >12345678 ~app:* -@all +get\n\
         user bob on >bob ~bob:* -@all +get\n\
         user tmpl on >${TMPL_PASSWORD} ~t:* -@all +get\n\
         user tmpl2 on >${TMPL_PASSWORD} ~u:* -@all +get\n\
         user hashed on #8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918 ~h:* -@all +get\n",
    );
    let report = check(&path, &[]);
    let weak: Vec<String> = findings(&report, "DF223")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(weak.len(), 3, "{weak:#?}");
    assert!(weak
        .iter()
        .any(|m| m.contains("`hashed`") && m.contains("SHA-256")));
    let text = report.to_string();
    assert!(!text.contains("12345678"), "a password in the output");
    assert_eq!(findings(&report, "DF225").len(), 1);
    // Two users with the same placeholder do not share a password.
    assert!(findings(&report, "DF205").is_empty(), "{report:#}");
}

#[test]
fn refused_tokens_that_may_be_passwords_are_never_printed() {
    let path = file(
        "glued",
        "users.acl",
        "user default on>TopSecret1 ~* +@all\nuser app on MyPassword99 ~k +get offf\n",
    );
    for dialect in [&[][..], &["--acl-dialect", "redis"][..]] {
        for format in ["pretty", "json"] {
            let mut args = vec!["check", path.to_str().unwrap(), "--format", format];
            args.extend(dialect);
            let out = dflint(&args);
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(text.contains("DF201"), "{text}");
            assert!(
                !text.contains("TopSecret1") && !text.contains("MyPassword99"),
                "{format} {dialect:?}: {text}"
            );
            // A near-miss of a keyword is still shown, so typos stay findable.
            assert!(text.contains("offf"), "{text}");
        }
    }
    for args in [
        vec!["acl", "can", path.to_str().unwrap(), "app", "get", "k"],
        vec!["acl", "explain", path.to_str().unwrap()],
    ] {
        let out = dflint(&args);
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            !text.contains("TopSecret1") && !text.contains("MyPassword99"),
            "{text}"
        );
    }
}
