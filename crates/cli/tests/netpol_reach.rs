//! End-to-end tests of `dflint netpol reach`: the reachability table, its explanations,
//! the findings beside it, options and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env_remove("NO_COLOR")
        .output()
        .expect("dflint runs")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-reach-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bundle.yaml");
    std::fs::write(&file, text).unwrap();
    file
}

/// The port entry of `kind` (data, admin, memcached) for the master role of instance 0.
fn port<'a>(report: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    let roles = report["instances"][0]["roles"].as_array().expect("roles");
    let master = roles
        .iter()
        .find(|r| r["role"] == "master")
        .expect("master role");
    master["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} port in {master:#}"))
}

fn peers(port: &serde_json::Value) -> Vec<(String, String)> {
    port["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["peer"].as_str().unwrap().to_string(),
                p["because"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn seed_cluster_table_explains_every_path() {
    let output = dflint(&[
        "netpol",
        "reach",
        "examples/seed-cluster",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "--fail-on defaults to none");
    let report = json(&output);
    let instance = &report["instances"][0];
    assert_eq!(instance["namespace"], "cache");
    assert_eq!(instance["name"], "dragonfly");
    assert_eq!(instance["origin"], "dragonfly-cr");

    let data = port(&report, "data");
    assert_eq!(data["port"], 6379);
    assert_eq!(data["enforced"], true);
    let data_peers = peers(data);
    for ns in ["identity", "ai-system", "default", "cache"] {
        assert!(
            data_peers
                .iter()
                .any(|(peer, _)| peer == &format!("every pod in namespace {ns}")),
            "{ns} missing from {data_peers:#?}"
        );
    }
    assert!(data_peers
        .iter()
        .any(|(_, why)| why == "CiliumNetworkPolicy/dragonfly ingress[0] on port 6379/TCP"));

    let admin = port(&report, "admin");
    assert_eq!(admin["port"], 9999);
    let admin_peers = peers(admin);
    let monitoring = admin_peers
        .iter()
        .find(|(peer, _)| peer == "every pod in namespace monitoring")
        .expect("the seed lets monitoring in");
    assert_eq!(
        monitoring.1,
        "CiliumNetworkPolicy/dragonfly ingress[3] on port 9999/TCP"
    );
    let explained = &admin["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["peer"] == "every pod in namespace monitoring")
        .unwrap();
    assert_eq!(
        explained["file"],
        "examples/seed-cluster/networkpolicy.yaml"
    );
    assert_eq!(explained["line"], 39);
    assert_eq!(explained["class"], "whole-namespace");
    // The operator's `--admin_nopass`: a superuser without a password, and the monitoring
    // namespace is neither the operator, the instance nor a scraper.
    assert_eq!(admin["without_password"]["gets"], "superuser");
    assert_eq!(explained["unauthenticated_privilege"], true);
    // The seed's CR takes its password from a Secret: the data port gives nothing without it.
    assert_eq!(data["without_password"]["gets"], "nothing");
    assert!(data["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["unauthenticated_privilege"] == false));

    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // The seed's policy opens 6379 to three whole application namespaces.
    assert_eq!(
        codes,
        ["DF403", "DF304", "DF304", "DF312", "DF312", "DF312", "DF301"]
    );
    assert!(
        codes
            .iter()
            .all(|c| c.starts_with("DF3") || c.starts_with("DF4")),
        "reach reports only the network and cross-resource families"
    );
}

#[test]
fn pretty_table_names_policy_rule_and_location() {
    let output = dflint(&["netpol", "reach", "examples/seed-cluster"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("cache/dragonfly"), "{text}");
    assert!(text.contains("admin port 9999"), "{text}");
    assert!(
        text.contains("! every pod in namespace monitoring [whole-namespace]"),
        "the monitoring namespace gets the superuser without a password: {text}"
    );
    assert!(
        text.contains(
            "CiliumNetworkPolicy/dragonfly ingress[3] on port 9999/TCP  (examples/seed-cluster/networkpolicy.yaml:39:11)"
        ),
        "{text}"
    );
    assert!(text.contains("DF301(admin-port-reachable)"), "{text}");
}

#[test]
fn fail_on_turns_findings_into_an_exit_code() {
    assert_eq!(
        dflint(&[
            "netpol",
            "reach",
            "examples/seed-cluster",
            "--fail-on",
            "error"
        ])
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        dflint(&[
            "netpol",
            "reach",
            "examples/seed-cluster",
            "--fail-on",
            "none"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        dflint(&["netpol", "reach", "does/not/exist"]).status.code(),
        Some(2)
    );
    assert_eq!(dflint(&["netpol", "reach"]).status.code(), Some(2));
}

const OPEN_ADMIN: &str = "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata: {name: cache, namespace: apps}
spec:
  replicas: 2
  args: [--admin_port=7000]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: scrape, namespace: apps}
spec:
  podSelector:
    matchLabels: {app: cache}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: observability}
          podSelector:
            matchLabels: {app: collector}
      ports:
        - port: 7000
    - from:
        - ipBlock: {cidr: 0.0.0.0/0}
";

#[test]
fn moved_admin_port_ip_blocks_and_configured_scrapers() {
    let file = write_temp("admin", OPEN_ADMIN);
    let path = file.to_str().unwrap();
    let report = json(&dflint(&["netpol", "reach", path, "--format", "json"]));
    let admin = port(&report, "admin");
    assert_eq!(admin["port"], 7000, "--admin_port moves the admin port");
    let admin_peers = peers(admin);
    assert!(
        admin_peers
            .iter()
            .any(|(peer, why)| peer.contains("0.0.0.0/0")
                && why == "NetworkPolicy/scrape ingress[1] on every port (the rule lists none)"),
        "{admin_peers:#?}"
    );
    let codes = |report: &serde_json::Value| -> Vec<String> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{}:{}", d["code"].as_str().unwrap(), d["line"]))
            .collect()
    };
    let found = codes(&report);
    // 0.0.0.0/0 on every port: the admin port (error) and the data port (error, no auth).
    assert!(found.contains(&"DF301:23".to_string()), "{found:?}");
    assert!(found.contains(&"DF303:23".to_string()), "{found:?}");
    // a collector in `observability` is a scraper only when configured as one.
    assert!(found.contains(&"DF301:16".to_string()), "{found:?}");
    let configured = json(&dflint(&[
        "netpol",
        "reach",
        path,
        "--format",
        "json",
        "--metrics-scraper",
        "observability/app=collector",
    ]));
    let found = codes(&configured);
    assert!(!found.contains(&"DF301:16".to_string()), "{found:?}");
    assert!(found.contains(&"DF301:23".to_string()), "{found:?}");
    assert_eq!(
        dflint(&[
            "netpol",
            "reach",
            path,
            "--metrics-scraper",
            "not a selector"
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn malformed_policies_get_located_findings_not_a_crash() {
    let file = write_temp(
        "bad",
        "apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: broken, namespace: apps}
spec:
  endpointSelector: {matchLabels: [1, 2]}
  ingress:
    - fromCIDR: [300.1.1.1/8]
      fromEntities: [galaxy]
      toPorts: [{ports: [{port: not-a-port-name!}]}]
---
: : not yaml
",
    );
    let output = dflint(&[
        "netpol",
        "reach",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{:?}",
        output.status
    );
    let report = json(&output);
    let located: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "DF310")
        .map(|d| {
            assert!(d["column"].as_u64().unwrap() >= 1);
            (
                d["message"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let lines: Vec<u64> = located.iter().map(|(_, l)| *l).collect();
    for line in [5, 7, 8, 9] {
        assert!(
            lines.contains(&line),
            "no DF310 on line {line}: {located:#?}"
        );
    }
}

#[test]
fn the_table_says_what_a_peer_gets_without_a_password() {
    let file = write_temp(
        "unauthenticated",
        "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: sessions
  namespace: cache
spec:
  memcachedPort: 11211
  aclFromSecret:
    name: acl
    key: users.acl
---
apiVersion: v1
kind: Secret
metadata:
  name: acl
  namespace: cache
stringData:
  users.acl: |
    user default on nopass ~app:* +@string
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: clients
  namespace: cache
spec:
  podSelector:
    matchLabels:
      app: sessions
  ingress:
    - from:
        - ipBlock:
            cidr: 10.0.0.0/8
      ports:
        - port: 6379
        - port: 11211
",
    );
    let path = file.to_str().unwrap();
    let report = json(&dflint(&["netpol", "reach", path, "--format", "json"]));
    let data = port(&report, "data");
    assert_eq!(data["without_password"]["gets"], "default-user");
    let detail = data["without_password"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("@string") && detail.contains("~app:*"),
        "{detail}"
    );
    let memcached = port(&report, "memcached");
    assert_eq!(memcached["without_password"]["gets"], "default-user");
    assert_eq!(
        port(&report, "admin")["without_password"]["gets"],
        "superuser"
    );
    // Per peer: the address block gets it; the operator's own paths are not counted.
    let by_peer = |port: &serde_json::Value, peer: &str| {
        port["allowed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["peer"] == peer)
            .unwrap_or_else(|| panic!("no {peer} in {port:#}"))["unauthenticated_privilege"]
            .clone()
    };
    assert_eq!(by_peer(data, "addresses 10.0.0.0/8"), true);
    assert_eq!(by_peer(memcached, "addresses 10.0.0.0/8"), true);
    let admin = port(&report, "admin");
    for path in admin["allowed"].as_array().unwrap() {
        assert_eq!(path["unauthenticated_privilege"], false, "{path:#}");
    }
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"DF311"), "{codes:?}");
    assert!(codes.contains(&"DF302"), "{codes:?}");

    let output = dflint(&["netpol", "reach", path, "--color", "never"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("without a password a peer gets the ACL `default` user's permissions: @string on keys ~app:*"),
        "{text}"
    );
    assert!(
        text.contains("without a password a peer gets superuser rights"),
        "{text}"
    );
    assert!(
        text.contains("      ! addresses 10.0.0.0/8 [addresses]"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

#[test]
fn a_policy_alone_says_what_could_not_be_judged() {
    let file = write_temp(
        "no-instance",
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: cache
  namespace: cache
spec:
  podSelector:
    matchLabels:
      app: cache
  ingress:
    - ports:
        - port: 6379
",
    );
    let path = file.to_str().unwrap();
    let output = dflint(&["check", path, "--format", "concise"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("DF314 [info] NetworkPolicy/cache opens port 6379, which Dragonfly uses for its data port, but the input holds no Dragonfly instance"),
        "{text}"
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "an info fails nothing: {text}"
    );
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}
