//! The `dragonfly-images` setting, through the real binary: images from a mirror that renames
//! Dragonfly's are linted as Dragonfly when `dflint.toml` (or `--dragonfly-image`) lists
//! them, and only then.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Deployment running Dragonfly from a mirror under another name, with a literal password
/// on its command line (DF013) and no policy.
const MIRRORED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
  namespace: apps
spec:
  replicas: 1
  selector:
    matchLabels: {app: cache}
  template:
    metadata:
      labels: {app: cache}
    spec:
      containers:
        - name: cache
          image: registry.corp.example/mirror/df-server:v1.36.0
          args: [--requirepass=Mirror-Secret-2291, --maxmemory=3gb, --proactor_threads=2]
          resources:
            limits: {memory: 4Gi}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: cache
  namespace: apps
spec:
  podSelector:
    matchLabels: {app: cache}
  ingress:
    - ports:
        - port: 6379
";

fn project(case: &str, config: Option<&str>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-images-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cache.yaml"), MIRRORED).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.join("dflint.toml"), config).unwrap();
    }
    dir
}

fn dflint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("dflint runs")
}

/// `(code, line)` of every finding of a JSON report.
fn findings(out: &Output) -> Vec<(String, u64)> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected.iter().map(|(c, l)| (c.to_string(), *l)).collect()
}

#[test]
fn a_mirrored_image_is_dragonfly_only_when_the_settings_say_so() {
    // Without the setting, `df-server` is some other program: nothing runs Dragonfly, and
    // the policy opening 6379 is said not to be judged (DF314, an info).
    let plain = project("plain", None);
    let out = dflint_in(&plain, &["check", "cache.yaml", "--format", "json"]);
    assert_eq!(findings(&out), pairs(&[("DF314", 24)]));
    assert_eq!(out.status.code(), Some(0));

    let configured = project(
        "configured",
        Some("dragonfly-images = [\"registry.corp.example/mirror/df-*\"]\n"),
    );
    let out = dflint_in(&configured, &["check", "cache.yaml", "--format", "json"]);
    assert_eq!(
        findings(&out),
        pairs(&[
            ("DF013", 17), // --requirepass with a literal
            ("DF303", 30), // the data port, open to everyone
        ])
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["summary"]["dragonfly_workloads"],
        serde_json::json!({"Deployment": 1})
    );
    // The password never shows, in the pretty output either.
    let pretty = dflint_in(&configured, &["check", "cache.yaml"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&pretty.stdout),
        String::from_utf8_lossy(&pretty.stderr)
    );
    assert!(text.contains("DF013"), "{text}");
    assert!(!text.contains("Mirror-Secret-2291"), "{text}");

    // `netpol reach` reads the same setting.
    let reach = dflint_in(
        &configured,
        &["netpol", "reach", "cache.yaml", "--format", "json"],
    );
    let table: serde_json::Value = serde_json::from_slice(&reach.stdout).unwrap();
    assert_eq!(table["instances"][0]["origin"], "workload");
    assert_eq!(table["instances"][0]["name"], "cache");
}

#[test]
fn the_flag_adds_a_pattern_and_config_show_says_where_it_comes_from() {
    let plain = project("flag", None);
    let out = dflint_in(
        &plain,
        &[
            "check",
            "cache.yaml",
            "--format",
            "json",
            "--dragonfly-image",
            "registry.corp.example/mirror/df-server",
        ],
    );
    assert!(findings(&out).contains(&("DF013".to_string(), 17)));
    let show = dflint_in(
        &plain,
        &["config", "--show", "--dragonfly-image", "corp/dragonfly*"],
    );
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(
        text.lines().any(
            |l| l.starts_with("dragonfly-images = [\"corp/dragonfly*\"]")
                && l.ends_with("# --dragonfly-image")
        ),
        "{text}"
    );
}

#[test]
fn a_pattern_that_takes_every_image_is_refused_with_its_place() {
    let dir = project("star", Some("dragonfly-images = [\"*\"]\n"));
    let out = dflint_in(&dir, &["check", "cache.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dflint.toml:1:")
            && stderr.contains("`dragonfly-images[0]`: `*` would take every image for Dragonfly"),
        "{stderr}"
    );
}
