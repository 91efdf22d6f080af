//! Pods and workloads running the Dragonfly image as instances of the network model: each
//! test states what Dragonfly does without the operator (its own flag defaults) or what
//! Kubernetes does with the pods, and checks the instance, the grant or the findings.

use dflint_core::diagnostic::Severity;
use dflint_core::lint::{load, Bundle};
use dflint_core::netpol::{Access, Grant, PortKind, Role};
use dflint_core::{lint, LintConfig, Source};

/// A workload of `kind` named `queue` in namespace `jobs`, whose Dragonfly container has
/// these args (a YAML flow list), env entries (YAML list items indented for `env:`) and
/// extra container lines.
fn workload(kind: &str, args: &str, env: &str, extra: &str) -> String {
    let pod = format!(
        "      containers:\n        - name: dragonfly\n          image: ghcr.io/dragonflydb/dragonfly:v1.36.0\n          args: {args}\n          env:\n{env}          resources:\n            limits: {{memory: 4Gi}}\n{extra}"
    );
    match kind {
        "Pod" => format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: queue\n  namespace: jobs\n  labels: {{app: queue}}\nspec:\n{}",
            pod.lines()
                .map(|l| format!("{}\n", &l[4..]))
                .collect::<String>()
        ),
        "CronJob" => format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: queue\n  namespace: jobs\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {{app: queue}}\n        spec:\n{}",
            pod.lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        ),
        _ => format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: queue\n  namespace: jobs\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: queue}}\n  template:\n    metadata:\n      labels: {{app: queue}}\n    spec:\n{pod}"
        ),
    }
}

const SECRET_PASSWORD: &str =
    "            - name: DFLY_requirepass\n              valueFrom:\n                secretKeyRef: {name: auth, key: password}\n";

fn policy(spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: jobs\nspec:\n  podSelector:\n    matchLabels: {{app: queue}}\n{spec}")
}

/// What a client without a password gets on `kind` of the first instance.
fn grant(docs: &[String], kind: PortKind) -> Grant {
    let sources = [Source::new("t.yaml", docs.join("---\n"))];
    let config = LintConfig::default();
    let loaded = load(&sources);
    let bundle = Bundle::new(&sources, &loaded, &config);
    let access = Access {
        crs: bundle.crs,
        acls: &bundle.acls,
        dialect: config.acl.dialect,
    };
    access.without_password(&bundle.network.instances[0], kind)
}

fn findings(docs: &[String]) -> Vec<(&'static str, Severity, String)> {
    let report = lint(
        &[Source::new("t.yaml", docs.join("---\n"))],
        &LintConfig::default(),
    );
    report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.severity, d.message.clone()))
        .collect()
}

#[test]
fn every_workload_kind_becomes_one_instance_with_its_template_labels() {
    for kind in [
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
    ] {
        let docs = [workload(kind, "[--port=7000]", "", "")];
        let sources = [Source::new("t.yaml", docs.join("---\n"))];
        let config = LintConfig::default();
        let loaded = load(&sources);
        let bundle = Bundle::new(&sources, &loaded, &config);
        let instances = &bundle.network.instances;
        assert_eq!(instances.len(), 1, "{kind}");
        let instance = &instances[0];
        assert_eq!(
            (instance.name.as_ref(), instance.namespace.as_ref()),
            ("queue", "jobs")
        );
        assert_eq!(instance.labels.get("app"), Some("queue"), "{kind}");
        // No operator labels its pods: no `role`, no `app.kubernetes.io/name`.
        assert_eq!(instance.roles(), [Role::Standalone]);
        let labels = instance.pod_labels(Role::Standalone);
        assert_eq!(labels.len(), 1, "{kind}: {labels:?}");
        // `--port` moves the data port; there is no admin or memcached port by default.
        let ports: Vec<(PortKind, u16)> =
            instance.ports.iter().map(|p| (p.kind, p.number)).collect();
        assert_eq!(ports, [(PortKind::Data, 7000)], "{kind}");
        let replicas = if matches!(kind, "Deployment" | "StatefulSet" | "ReplicaSet") {
            3
        } else {
            1
        };
        assert_eq!(instance.replicas, replicas, "{kind}");
    }
}

#[test]
fn the_admin_and_memcached_ports_exist_only_when_flags_ask_for_them() {
    let docs = [workload(
        "StatefulSet",
        "[--admin_port=9999, --memcached_port=11211]",
        "            - {name: DFLY_port, value: '6380'}\n",
        "",
    )];
    let sources = [Source::new("t.yaml", docs.join("---\n"))];
    let config = LintConfig::default();
    let loaded = load(&sources);
    let bundle = Bundle::new(&sources, &loaded, &config);
    let ports: Vec<(PortKind, u16)> = bundle.network.instances[0]
        .ports
        .iter()
        .map(|p| (p.kind, p.number))
        .collect();
    // `DFLY_port` sets the flag as `--port` would.
    assert_eq!(
        ports,
        [
            (PortKind::Data, 6380),
            (PortKind::Admin, 9999),
            (PortKind::Memcached, 11211)
        ]
    );
}

#[test]
fn without_the_operator_the_admin_port_asks_for_requirepass_unless_admin_nopass() {
    // No `--admin_nopass`: Dragonfly asks for `requirepass` there (main_service.cc:1877).
    let with_password = [workload(
        "Deployment",
        "[--admin_port=9999]",
        SECRET_PASSWORD,
        "",
    )];
    assert!(matches!(
        grant(&with_password, PortKind::Admin),
        Grant::Nothing(_)
    ));
    let nopass = [workload(
        "Deployment",
        "[--admin_port=9999, --admin_nopass]",
        SECRET_PASSWORD,
        "",
    )];
    assert_eq!(grant(&nopass, PortKind::Admin), Grant::Superuser);
    // No password to ask for: the admin port lets everyone in.
    let no_password = [workload("Deployment", "[--admin_port=9999]", "", "")];
    assert_eq!(grant(&no_password, PortKind::Admin), Grant::Superuser);
    // With TLS and a client CA, the admin port asks for a certificate too, unless it is
    // left without TLS.
    let mtls =
        "--tls, --tls_cert_file=/tls/crt, --tls_key_file=/tls/key, --tls_ca_cert_file=/tls/ca";
    let with_ca = [workload(
        "Deployment",
        &format!("[--admin_port=9999, --admin_nopass, {mtls}]"),
        "",
        "",
    )];
    assert!(matches!(
        grant(&with_ca, PortKind::Admin),
        Grant::Nothing(_)
    ));
    let plain_admin = [workload(
        "Deployment",
        &format!("[--admin_port=9999, --admin_nopass, --no_tls_on_admin_port, {mtls}]"),
        "",
        "",
    )];
    assert_eq!(grant(&plain_admin, PortKind::Admin), Grant::Superuser);
}

#[test]
fn the_http_console_on_the_data_port_is_protected_by_requirepass_alone() {
    // An ACL file may give `default` a password for RESP, but the console only checks
    // `requirepass` (main_service.cc:2956-2968): without it, the console is open.
    let acl_only = [workload(
        "StatefulSet",
        "[--aclfile=/etc/dragonfly/users.acl]",
        "",
        "",
    )];
    assert_eq!(grant(&acl_only, PortKind::Data), Grant::HttpConsole);
    assert!(Grant::HttpConsole.is_privileged());
    // With the console off, what RESP clients get depends on the ACL, not in the input.
    let console_off = [workload(
        "StatefulSet",
        "[--aclfile=/etc/dragonfly/users.acl, --primary_port_http_enabled=false]",
        "",
        "",
    )];
    assert!(matches!(
        grant(&console_off, PortKind::Data),
        Grant::Unknown(_)
    ));
    // `requirepass` protects both.
    let password = [workload("StatefulSet", "[]", SECRET_PASSWORD, "")];
    assert!(matches!(
        grant(&password, PortKind::Data),
        Grant::Nothing(_)
    ));
    // Neither: the built-in `default`, and the console too.
    let neither = [workload("StatefulSet", "[]", "", "")];
    match grant(&neither, PortKind::Data) {
        Grant::DefaultUser(what) => {
            assert!(what.contains("every command on every key"), "{what}");
            assert!(what.contains("HTTP console"), "{what}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_memcached_port_ignores_requirepass() {
    let docs = [workload(
        "Deployment",
        "[--memcached_port=11211]",
        SECRET_PASSWORD,
        "",
    )];
    assert!(matches!(
        grant(&docs, PortKind::Memcached),
        Grant::DefaultUser(_)
    ));
}

#[test]
fn a_named_port_in_a_policy_matches_the_containers_own_port_name() {
    let ports = "          ports:\n            - {name: admin-http, containerPort: 9999}\n";
    let docs = [
        workload(
            "Deployment",
            "[--admin_port=9999, --admin_nopass]",
            SECRET_PASSWORD,
            ports,
        ),
        policy("  ingress:\n    - ports:\n        - port: admin-http\n"),
    ];
    let found = findings(&docs);
    assert!(
        found
            .iter()
            .any(|(code, severity, _)| *code == "DF301" && *severity == Severity::Error),
        "{found:?}"
    );
    // The operator's name for the port means nothing on this container.
    let docs = [
        workload(
            "Deployment",
            "[--admin_port=9999, --admin_nopass]",
            SECRET_PASSWORD,
            ports,
        ),
        policy("  ingress:\n    - ports:\n        - port: admin\n"),
    ];
    assert!(!findings(&docs).iter().any(|f| f.0 == "DF301"));
}

#[test]
fn an_admin_port_asking_for_the_password_is_a_warning_when_open() {
    let docs = [
        workload("Deployment", "[--admin_port=9999]", SECRET_PASSWORD, ""),
        policy("  ingress:\n    - ports:\n        - port: 9999\n"),
    ];
    let df301: Vec<_> = findings(&docs)
        .into_iter()
        .filter(|f| f.0 == "DF301")
        .collect();
    assert_eq!(df301.len(), 1);
    assert_eq!(df301[0].1, Severity::Warning);
    assert!(df301[0].2.contains("`--admin_nopass`"), "{}", df301[0].2);
}

#[test]
fn a_workload_gets_no_operator_findings() {
    // The policy keeps everyone from the admin port: for a CR that breaks the operator
    // (DF307); a workload has no operator.
    let docs = [
        workload("StatefulSet", "[--admin_port=9999]", SECRET_PASSWORD, ""),
        policy("  ingress:\n    - from:\n        - podSelector: {matchLabels: {app: web}}\n      ports:\n        - port: 6379\n"),
    ];
    let found = findings(&docs);
    assert!(!found.iter().any(|f| f.0 == "DF307"), "{found:?}");
    assert!(!found.iter().any(|f| f.0.starts_with("DF3")), "{found:?}");
}

#[test]
fn an_unselected_workload_is_unprotected_only_beside_its_namespaces_policies() {
    let other = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: jobs\nspec:\n  podSelector:\n    matchLabels: {app: web}\n".to_string();
    let elsewhere = other.replace("namespace: jobs", "namespace: web");
    let guarded = workload("Deployment", "[]", SECRET_PASSWORD, "");
    let df305 = |docs: &[String]| -> Vec<(&'static str, Severity, String)> {
        findings(docs)
            .into_iter()
            .filter(|f| f.0 == "DF305")
            .collect()
    };
    // Every port asks for the password: open, but a warning.
    let found = df305(&[guarded.clone(), other]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, Severity::Warning);
    // Another namespace's policies say nothing about this one; nor does no policy at all.
    assert!(df305(&[guarded.clone(), elsewhere]).is_empty());
    assert!(df305(&[guarded]).is_empty());
}
