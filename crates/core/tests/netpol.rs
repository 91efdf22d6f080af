//! The reachability model against the semantics of NetworkPolicy and CiliumNetworkPolicy:
//! each test states a fact of the API and checks who the model lets through.

use dflint_core::lint::{load, Bundle};
use dflint_core::netpol::{PeerKind, PortKind, Role};
use dflint_core::{lint, LintConfig, Source};

const CR: &str = "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: dragonfly
  namespace: cache
spec:
  networkPolicyEnabled: false
";

/// Peers (described) that may reach `port` of the first instance's master pods, or `None`
/// when ingress is not enforced at all.
fn reach(yaml: &str, port: PortKind) -> Option<Vec<String>> {
    let sources = [Source::new("t.yaml", format!("{CR}---\n{yaml}"))];
    let config = LintConfig::default();
    let loaded = load(&sources);
    let bundle = Bundle::new(&sources, &loaded, &config);
    let model = &bundle.network;
    assert!(!model.instances.is_empty(), "no instance");
    let port = model.instances[0].port(port).expect("port");
    let r = model.ingress(0, Role::Master, port);
    r.enforced.then(|| {
        r.allowed
            .iter()
            .map(|p| model.peer(*p, true).kind.describe())
            .collect()
    })
}

fn codes(yaml: &str) -> Vec<&'static str> {
    let report = lint(
        &[Source::new("t.yaml", yaml.to_string())],
        &LintConfig::default(),
    );
    report.diagnostics.iter().map(|d| d.code).collect()
}

fn np(spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: cache\nspec:\n{spec}")
}

fn cnp(spec: &str) -> String {
    format!("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: cache\nspec:\n{spec}")
}

#[test]
fn no_policy_means_open() {
    assert_eq!(reach("", PortKind::Admin), None);
}

#[test]
fn networkpolicy_defaults_to_ingress_and_an_empty_rule_list_denies_all() {
    let r = reach(&np("  podSelector: {}\n"), PortKind::Data);
    assert_eq!(r, Some(vec![]));
    // Egress only: ingress stays open.
    let r = reach(
        &np("  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n    - {}\n"),
        PortKind::Data,
    );
    assert_eq!(r, None);
}

#[test]
fn networkpolicy_rule_without_from_admits_anyone_and_without_ports_every_port() {
    let r = reach(
        &np("  podSelector: {}\n  ingress:\n    - {}\n"),
        PortKind::Admin,
    )
    .unwrap();
    assert_eq!(r, vec!["any source (the rule names no peers)"]);
}

#[test]
fn networkpolicy_peers_and_ports() {
    let spec = "  podSelector:
    matchLabels:
      app: dragonfly
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              team: web
          podSelector:
            matchLabels:
              app: api
        - podSelector:
            matchLabels:
              app: worker
        - ipBlock:
            cidr: 10.0.0.0/8
            except: [10.1.0.0/16]
      ports:
        - port: 6000
          endPort: 6400
        - port: admin
";
    let data = reach(&np(spec), PortKind::Data).unwrap();
    assert_eq!(
        data,
        vec![
            "pods labelled app=api in namespaces labelled team=web",
            "pods labelled app=worker in namespace cache",
            "addresses 10.0.0.0/8 except 10.1.0.0/16",
        ]
    );
    // The named port `admin` resolves to the operator's container port 9999.
    assert_eq!(reach(&np(spec), PortKind::Admin).unwrap().len(), 3);
    // A selector on another app selects nothing: ingress stays open.
    assert_eq!(
        reach(
            &np(&spec.replace("app: dragonfly", "app: other")),
            PortKind::Data
        ),
        None
    );
}

#[test]
fn networkpolicy_in_another_namespace_does_not_apply() {
    let policy = np("  podSelector: {}\n").replace("namespace: cache", "namespace: web");
    assert_eq!(reach(&policy, PortKind::Data), None);
}

#[test]
fn cilium_default_deny_off_does_not_enforce_but_still_adds() {
    let audit = cnp("  endpointSelector:
    matchLabels:
      app: dragonfly
  enableDefaultDeny:
    ingress: false
  ingress:
    - fromEntities: [world]
");
    assert_eq!(reach(&audit, PortKind::Data), None);
    let with_other = format!(
        "{audit}---\n{}",
        np("  podSelector: {}\n").replace("name: p", "name: q")
    );
    assert_eq!(
        reach(&with_other, PortKind::Data).unwrap(),
        vec!["entity `world`"]
    );
}

#[test]
fn cilium_empty_rule_enforces_and_admits_nobody_while_ports_only_admits_everyone() {
    let deny_all = cnp("  endpointSelector: {}\n  ingress:\n    - {}\n");
    assert_eq!(reach(&deny_all, PortKind::Data), Some(vec![]));
    let l4 = cnp("  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: \"6379\"\n");
    assert_eq!(
        reach(&l4, PortKind::Data).unwrap(),
        vec!["any source (the rule names no peers)"]
    );
    assert_eq!(reach(&l4, PortKind::Admin), Some(vec![]));
}

#[test]
fn cilium_endpoints_namespace_and_prefixes() {
    let spec = cnp("  endpointSelector:
    matchLabels:
      k8s:app.kubernetes.io/name: dragonfly
  ingress:
    - fromEndpoints:
        - {}
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: monitoring
            app.kubernetes.io/name: prometheus
        - matchLabels:
            reserved:host: \"\"
");
    assert_eq!(
        reach(&spec, PortKind::Admin).unwrap(),
        vec![
            "every pod in namespace cache",
            "pods labelled app.kubernetes.io/name=prometheus in namespace monitoring",
            "entity `host`",
        ]
    );
}

#[test]
fn cilium_deny_wins_over_allow() {
    let spec = cnp("  endpointSelector: {}
  ingress:
    - fromEntities: [cluster]
    - fromEndpoints:
        - matchLabels:
            io.kubernetes.pod.namespace: web
  ingressDeny:
    - fromEndpoints:
        - matchLabels:
            io.kubernetes.pod.namespace: web
      toPorts:
        - ports:
            - port: \"9999\"
");
    assert_eq!(
        reach(&spec, PortKind::Admin).unwrap(),
        vec!["entity `cluster`"]
    );
    assert_eq!(reach(&spec, PortKind::Data).unwrap().len(), 2);
}

#[test]
fn clusterwide_policy_selects_across_namespaces() {
    let spec = "apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: all-dragonflies
spec:
  endpointSelector:
    matchLabels:
      app.kubernetes.io/part-of: dragonfly
  ingress:
    - fromEndpoints:
        - {}
";
    assert_eq!(
        reach(spec, PortKind::Data).unwrap(),
        vec!["every pod in every namespace"]
    );
    assert!(codes(&format!("{CR}---\n{spec}")).contains(&"DF303"));
}

#[test]
fn the_operator_policy_is_modelled_unless_disabled() {
    let enabled = CR.replace(
        "  networkPolicyEnabled: false\n",
        "  replicas: 2\n  memcachedPort: 11211\n",
    );
    let sources = [Source::new("t.yaml", enabled)];
    let config = LintConfig::default();
    let loaded = load(&sources);
    let bundle = Bundle::new(&sources, &loaded, &config);
    let model = &bundle.network;
    let instance = &model.instances[0];
    assert_eq!(instance.roles(), &[Role::Master, Role::Replica]);
    for role in [Role::Master, Role::Replica] {
        let admin = model.ingress(0, role, instance.port(PortKind::Admin).unwrap());
        assert!(admin.enforced);
        let peers: Vec<_> = admin
            .allowed
            .iter()
            .map(|p| model.peer(*p, true).kind.clone())
            .collect();
        assert_eq!(peers.len(), 2, "{peers:?}");
        assert!(
            matches!(&peers[0], PeerKind::Pods { pods, .. } if pods.pinned("control-plane") == Some("controller-manager"))
        );
        let memcached = model.ingress(0, role, instance.port(PortKind::Memcached).unwrap());
        assert_eq!(memcached.allowed.len(), 1);
    }
}

#[test]
fn a_policy_on_the_master_role_leaves_replicas_open() {
    let cr = CR.replace(
        "  networkPolicyEnabled: false\n",
        "  networkPolicyEnabled: false\n  replicas: 3\n",
    );
    let policy = np("  podSelector:\n    matchLabels:\n      app: dragonfly\n      role: master\n");
    let found = lint(
        &[Source::new("t.yaml", format!("{cr}---\n{policy}"))],
        &LintConfig::default(),
    );
    let unprotected: Vec<_> = found
        .diagnostics
        .iter()
        .filter(|d| d.code == "DF305")
        .collect();
    assert_eq!(unprotected.len(), 1);
    assert!(
        unprotected[0].message.contains("the replica pods"),
        "{}",
        unprotected[0].message
    );
}

#[test]
fn changed_ports_follow_the_flags_but_the_operator_policy_does_not() {
    let cr = CR.replace(
        "  networkPolicyEnabled: false\n",
        "  args: [\"--admin_port=7000\"]\n",
    );
    let found = lint(&[Source::new("t.yaml", cr)], &LintConfig::default());
    // The operator's policy still opens 9999 only: neither the operator nor anything else
    // reaches 7000.
    assert!(
        found.diagnostics.iter().any(|d| d.code == "DF307"),
        "{:#?}",
        found.diagnostics
    );
}

#[test]
fn scrapers_by_label_or_configuration_are_allowed_on_the_admin_port() {
    let policy = |labels: &str| {
        format!(
            "{CR}---\n{}",
            np(&format!("  podSelector: {{}}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: monitoring\n          podSelector:\n            matchLabels:\n{labels}      ports:\n        - port: 9999\n"))
        )
    };
    let well_known = policy("              app.kubernetes.io/name: prometheus\n");
    assert!(!codes(&well_known).contains(&"DF301"));
    let custom = policy("              app: my-collector\n");
    let report = lint(
        &[Source::new("t.yaml", custom.clone())],
        &LintConfig::default(),
    );
    let admin: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "DF301")
        .collect();
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0].severity, dflint_core::Severity::Warning);
    let mut config = LintConfig::default();
    config.network.metrics_scrapers = vec![dflint_core::config::ScraperSelector {
        namespace: Some("monitoring".into()),
        match_labels: [("app".into(), "my-collector".into())].into(),
    }];
    let report = lint(&[Source::new("t.yaml", custom)], &config);
    assert!(!report.diagnostics.iter().any(|d| d.code == "DF301"));
}

#[test]
fn cilium_http_rule_on_metrics_keeps_resp_out() {
    let spec = cnp("  endpointSelector:
    matchLabels:
      app: dragonfly
  ingress:
    - fromEndpoints:
        - matchLabels:
            io.kubernetes.pod.namespace: monitoring
      toPorts:
        - ports:
            - port: \"9999\"
              protocol: TCP
          rules:
            http:
              - method: GET
                path: /metrics
");
    let all = codes(&format!("{CR}---\n{spec}"));
    assert!(!all.contains(&"DF301"), "{all:?}");
}

#[test]
fn label_conventions_stand_in_for_missing_crs() {
    let policy = np("  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: dragonfly\n  ingress:\n    - from:\n        - namespaceSelector: {}\n");
    let found = codes(&policy);
    assert!(found.contains(&"DF301"), "{found:?}");
    assert!(found.contains(&"DF303"), "{found:?}");
}

#[test]
fn malformed_policies_are_reported_with_locations_and_never_widen_access() {
    let yaml = format!(
        "{CR}---\n{}",
        np("  podSelector:
    matchExpressions:
      - key: app
        operator: Within
        values: [dragonfly]
  ingress:
    - from:
        - ipBlock:
            cidr: 10.0.0.0/40
        - {}
        - podSelector: 7
      ports:
        - port: 70000
        - port: \"6379\"
        - port: 6379
          endPort: 10
        - port: 6379
          protocol: ICMP
")
    );
    let report = lint(&[Source::new("t.yaml", yaml)], &LintConfig::default());
    let problems: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "DF310")
        .map(|d| (d.location.line, d.message.clone()))
        .collect();
    assert_eq!(problems.len(), 8, "{problems:#?}");
    assert!(problems.iter().all(|(line, _)| *line > 8));
    // The unreadable selector selects nothing, so the instance stays "open", not "allowed".
    assert!(report.diagnostics.iter().any(|d| d.code == "DF305"));
    assert!(!report.diagnostics.iter().any(|d| d.code == "DF301"));
}

#[test]
fn cilium_bad_entities_cidrs_and_ports_are_reported() {
    let yaml = cnp("  endpointSelector: {}
  enableDefaultDeny:
    ingress: maybe
  ingress:
    - fromEntities: [world, everything, 7]
      fromCIDR: [\"1.2.3.4/99\", 0.0.0.0/0]
      toPorts:
        - ports:
            - port: redis_port
            - port: \"99999\"
            - port: \"6379\"
              protocol: QUIC
");
    let report = lint(&[Source::new("t.yaml", yaml)], &LintConfig::default());
    let problems: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "DF310")
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(problems.len(), 7, "{problems:#?}");
    assert!(problems
        .iter()
        .any(|m| m.contains("unknown entity `everything`")));
}

#[test]
fn huge_and_deep_inputs_do_not_stall() {
    let mut yaml = String::from(CR);
    yaml.push_str("---\n");
    yaml.push_str(&np("  podSelector: {}\n  ingress:\n    - from:\n"));
    for i in 0..12_000 {
        yaml.push_str(&format!(
            "        - podSelector:\n            matchLabels:\n              app: a{i}\n"
        ));
    }
    let report = lint(&[Source::new("t.yaml", yaml)], &LintConfig::default());
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.code == "DF310" && d.message.contains("only the first 10000")));
}
