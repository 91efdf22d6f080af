//! Pods and workloads running the Dragonfly image are instances of the network model,
//! through the real binary: the network rules judge the policies that select them with
//! Dragonfly's own defaults (no operator, no admin port unless `--admin_port`, the HTTP
//! console on the data port), and `netpol reach` shows them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .output()
        .expect("dflint runs")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `(code, severity, line, message)` of every finding of the files, in report order.
fn findings(paths: &[&str]) -> Vec<(String, String, u64, String)> {
    let mut args = vec!["check"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["--format", "json"]);
    let output = dflint(&args);
    json(&output)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn codes(found: &[(String, String, u64, String)]) -> Vec<(&str, &str, u64)> {
    found
        .iter()
        .map(|(c, s, l, _)| (c.as_str(), s.as_str(), *l))
        .collect()
}

const WORKLOADS: &str = "crates/cli/tests/data/workloads";

#[test]
fn a_data_port_opened_to_other_namespaces_is_judged_on_a_statefulset() {
    let path = format!("{WORKLOADS}/netpol-data-port-namespaces.yaml");
    let found = findings(&[&path]);
    assert_eq!(
        codes(&found),
        [
            ("DF012", "error", 18), // no password at all
            // Every pod of the team=web namespaces, and no password: an error.
            ("DF312", "error", 34),
        ]
    );
    let message = &found[1].3;
    assert!(
        message.contains("namespaces labelled team=web")
            && message.contains("data port 6379 of cache/sessions")
            && message.contains("the built-in `default`")
            && message.contains("HTTP console"),
        "{message}"
    );
}

#[test]
fn an_admin_port_opened_to_everyone_by_its_container_port_name_is_an_error() {
    let path = format!("{WORKLOADS}/netpol-admin-port-open.yaml");
    let found = findings(&[&path]);
    // The data port asks for the password and is open to named pods only: nothing there.
    assert_eq!(codes(&found), [("DF301", "error", 48)]);
    assert!(
        found[0].3.contains("admin port 9999 of jobs/queue")
            && found[0].3.contains("no password is asked"),
        "{}",
        found[0].3
    );
    // No operator runs it: nothing says the operator cannot reach it.
    assert!(!found.iter().any(|f| f.0 == "DF307"));
}

#[test]
fn netpol_reach_shows_a_workload_with_its_own_defaults() {
    let path = format!("{WORKLOADS}/netpol-admin-port-open.yaml");
    let output = dflint(&["netpol", "reach", &path, "--format", "json"]);
    let table = json(&output);
    let instance = &table["instances"][0];
    assert_eq!(instance["name"], "queue");
    assert_eq!(instance["namespace"], "jobs");
    assert_eq!(instance["origin"], "workload");
    let role = &instance["roles"][0];
    assert_eq!(role["role"], "standalone");
    assert_eq!(
        role["selected_by"],
        serde_json::json!(["NetworkPolicy/queue"])
    );
    let ports = role["ports"].as_array().expect("ports");
    let kinds: Vec<(&str, u64, &str)> = ports
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap(),
                p["port"].as_u64().unwrap(),
                p["container_port_name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // The container's own port names, not the operator's.
    assert_eq!(kinds, [("data", 6379, "resp"), ("admin", 9999, "admin")]);
    assert_eq!(ports[0]["without_password"]["gets"], "nothing");
    assert_eq!(ports[1]["without_password"]["gets"], "superuser");
    assert_eq!(ports[1]["allowed"][0]["unauthenticated_privilege"], true);

    let pretty = dflint(&["netpol", "reach", &path]);
    let text = String::from_utf8_lossy(&pretty.stdout);
    assert!(
        text.contains("jobs/queue  (workload running the image, no operator"),
        "{text}"
    );
}

#[test]
fn a_workload_behind_its_policies_is_clean() {
    let path = format!("{WORKLOADS}/netpol-workload-clean.yaml");
    assert_eq!(findings(&[&path]), vec![]);
    let output = dflint(&["check", &path]);
    assert_eq!(output.status.code(), Some(0));
    // Its admin port exists only because `--admin_port` asks for it, and asks for the
    // password without `--admin_nopass`.
    let table = json(&dflint(&["netpol", "reach", &path, "--format", "json"]));
    let ports = &table["instances"][0]["roles"][0]["ports"];
    assert_eq!(ports[1]["kind"], "admin");
    assert_eq!(ports[1]["without_password"]["gets"], "nothing");
}

#[test]
fn an_unselected_workload_is_unprotected_only_where_the_namespaces_policies_are_given() {
    let path = format!("{WORKLOADS}/netpol-unselected.yaml");
    let found = findings(&[&path]);
    assert_eq!(
        codes(&found),
        [("DF305", "error", 6), ("DF012", "error", 17)]
    );
    assert!(
        found[0]
            .3
            .contains("admin port 9999 (without a password a peer gets superuser"),
        "{}",
        found[0].3
    );
    // Linted without any policy, a plain workload is not called unprotected: nothing in the
    // input says how its namespace is guarded.
    let alone = findings(&[&format!("{WORKLOADS}/deployment-clean.yaml")]);
    assert!(alone.is_empty(), "{alone:?}");
    let unlabelled = findings(&[&format!("{WORKLOADS}/netpol-data-port-namespaces.yaml")]);
    assert!(!unlabelled.iter().any(|f| f.0 == "DF305"));
}

#[test]
fn a_policy_selecting_a_workload_is_not_dangling_and_one_selecting_nothing_is() {
    // Selects the StatefulSet's pods by their template's labels.
    let selected = findings(&[&format!("{WORKLOADS}/netpol-data-port-namespaces.yaml")]);
    assert!(!selected.iter().any(|f| f.0 == "DF309"), "{selected:?}");
    assert!(!selected.iter().any(|f| f.0 == "DF314"), "{selected:?}");
    // A policy aimed at Dragonfly pods no workload of the input has.
    let dangling = findings(&[
        &format!("{WORKLOADS}/deployment-clean.yaml"),
        "crates/cli/tests/data/workloads/netpol-dangling.yaml",
    ]);
    let df309: Vec<_> = dangling.iter().filter(|f| f.0 == "DF309").collect();
    assert_eq!(df309.len(), 1, "{dangling:?}");
    assert!(df309[0].3.contains("app=sessions-old"), "{}", df309[0].3);
}
