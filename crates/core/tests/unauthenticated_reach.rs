//! What a peer gets from a Dragonfly port without a password (issue 16, item 8), and the
//! rules built on it: each test states what the server does and checks the grant or the
//! findings dflint gives.

use dflint_core::diagnostic::Severity;
use dflint_core::lint::{load, Bundle};
use dflint_core::netpol::{Access, Grant, PortKind};
use dflint_core::{lint, LintConfig, Source};

const SECRET_PASSWORD: &str = "correct-horse-battery";

fn cr(spec: &str) -> String {
    format!(
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: sessions\n  namespace: cache\nspec:\n  replicas: 1\n{spec}"
    )
}

fn acl_secret(acl: &str) -> String {
    let lines: String = acl.lines().map(|l| format!("    {l}\n")).collect();
    format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: acl\n  namespace: cache\nstringData:\n  users.acl: |\n{lines}")
}

const WITH_ACL: &str = "  aclFromSecret:\n    name: acl\n    key: users.acl\n";

fn np(name: &str, namespace: &str, spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n{spec}")
}

/// A policy letting `peer` (a YAML list item, indented for `from:`) reach the data and
/// memcached ports of the `sessions` instance.
fn clients(peer: &str) -> String {
    np(
        "clients",
        "cache",
        &format!("  podSelector:\n    matchLabels:\n      app: sessions\n  ingress:\n    - from:\n{peer}      ports:\n        - port: 6379\n        - port: 11211\n"),
    )
}

fn bundle_yaml(docs: &[String]) -> String {
    docs.join("---\n")
}

/// What a peer gets on `kind` of the first instance.
fn grant(docs: &[String], kind: PortKind) -> Grant {
    let sources = [Source::new("t.yaml", bundle_yaml(docs))];
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

/// `(code, severity, message)` of the findings with these codes.
fn findings(docs: &[String], codes: &[&str]) -> Vec<(&'static str, Severity, String)> {
    let report = lint(
        &[Source::new("t.yaml", bundle_yaml(docs))],
        &LintConfig::default(),
    );
    report
        .diagnostics
        .iter()
        .filter(|d| codes.contains(&d.code))
        .map(|d| (d.code, d.severity, d.message.clone()))
        .collect()
}

const REACH_CODES: &[&str] = &[
    "DF301", "DF302", "DF303", "DF311", "DF312", "DF313", "DF314",
];

#[test]
fn the_admin_port_of_an_operator_instance_is_a_superuser_without_a_password() {
    let password =
        "  authentication:\n    passwordFromSecret:\n      name: pw\n      key: password\n";
    // The operator's `--admin_nopass` wins over any password.
    assert_eq!(grant(&[cr(password)], PortKind::Admin), Grant::Superuser);
    // Turned off in spec.args, the admin port asks for `requirepass`...
    let off = format!("{password}  args:\n    - --admin_nopass=false\n");
    assert!(matches!(
        grant(&[cr(&off)], PortKind::Admin),
        Grant::Nothing(_)
    ));
    let negated = format!("{password}  args: [\"--noadmin_nopass\"]\n");
    assert!(matches!(
        grant(&[cr(&negated)], PortKind::Admin),
        Grant::Nothing(_)
    ));
    // ... and without one there is nothing to ask for.
    assert_eq!(
        grant(
            &[cr("  args:\n    - --admin_nopass=false\n")],
            PortKind::Admin
        ),
        Grant::Superuser
    );
}

#[test]
fn the_data_port_gives_default_only_when_it_accepts_the_empty_password() {
    // No password, no ACL: the built-in `default`, every command on every key.
    match grant(&[cr("")], PortKind::Data) {
        Grant::DefaultUser(what) => {
            assert!(what.contains("every command on every key"), "{what}")
        }
        other => panic!("{other:?}"),
    }
    // A password gives the built-in `default` one.
    let password =
        "  authentication:\n    passwordFromSecret:\n      name: pw\n      key: password\n";
    assert!(matches!(
        grant(&[cr(password)], PortKind::Data),
        Grant::Nothing(_)
    ));
    // An ACL `default` with nopass is passwordless whatever `requirepass` says, and gives
    // exactly its own permissions.
    let docs = [
        cr(&format!("{password}{WITH_ACL}")),
        acl_secret("user default on nopass ~app:* +@string\n"),
    ];
    match grant(&docs, PortKind::Data) {
        Grant::DefaultUser(what) => {
            assert!(what.contains("@string"), "{what}");
            assert!(what.contains("on keys ~app:*"), "{what}");
            assert!(!what.contains("every command"), "{what}");
        }
        other => panic!("{other:?}"),
    }
    // An empty password (`>`) is no password either.
    let docs = [cr(WITH_ACL), acl_secret("user default on > ~* +@read\n")];
    assert!(grant(&docs, PortKind::Data).is_privileged());
    // `off`, a real password, or nothing but logging in: nothing.
    for line in [
        "user default off ~* +@all\n",
        &format!("user default on >{SECRET_PASSWORD} ~* +@all\n"),
        "user default on nopass -@all +auth +hello\n",
    ] {
        let docs = [cr(WITH_ACL), acl_secret(line)];
        assert!(
            matches!(grant(&docs, PortKind::Data), Grant::Nothing(_)),
            "{line}"
        );
    }
    // An ACL without a `user default` line keeps the built-in one, and `requirepass` still
    // gives it a password.
    let no_default = format!("user app on >{SECRET_PASSWORD} ~app:* +@all\n");
    let docs = [cr(WITH_ACL), acl_secret(&no_default)];
    assert!(grant(&docs, PortKind::Data).is_privileged());
    let docs = [
        cr(&format!("{password}{WITH_ACL}")),
        acl_secret(&no_default),
    ];
    assert!(matches!(grant(&docs, PortKind::Data), Grant::Nothing(_)));
    // A file Dragonfly rejects (`user default off` alone) leaves the built-in `default`.
    let docs = [cr(WITH_ACL), acl_secret("user default off\n")];
    match grant(&docs, PortKind::Data) {
        Grant::DefaultUser(what) => assert!(what.contains("the ACL is rejected"), "{what}"),
        other => panic!("{other:?}"),
    }
    // The ACL is not in the input: unknown, never a guess.
    assert!(matches!(
        grant(&[cr(WITH_ACL)], PortKind::Data),
        Grant::Unknown(_)
    ));
}

#[test]
fn client_certificates_close_the_data_and_memcached_ports_but_not_the_admin_port() {
    let spec = "  memcachedPort: 11211\n  tlsSecretRef:\n    name: tls\n  authentication:\n    clientCaCertSecret:\n      name: ca\n      key: ca.crt\n";
    assert!(matches!(
        grant(&[cr(spec)], PortKind::Data),
        Grant::Nothing(_)
    ));
    assert!(matches!(
        grant(&[cr(spec)], PortKind::Memcached),
        Grant::Nothing(_)
    ));
    assert_eq!(grant(&[cr(spec)], PortKind::Admin), Grant::Superuser);
    // Without TLS no certificate is ever checked.
    let no_tls = "  authentication:\n    clientCaCertSecret:\n      name: ca\n      key: ca.crt\n";
    assert!(grant(&[cr(no_tls)], PortKind::Data).is_privileged());
}

#[test]
fn memcached_ignores_passwords_and_off_and_gives_defaults_memcache_commands() {
    let spec = format!("  memcachedPort: 11211\n{WITH_ACL}");
    let docs = [
        cr(&spec),
        acl_secret("user default off ~* +get +set +mget\n"),
    ];
    match grant(&docs, PortKind::Memcached) {
        Grant::DefaultUser(what) => {
            assert!(what.contains("SET, MGET"), "{what}");
            assert!(what.contains("on every key"), "{what}");
        }
        other => panic!("{other:?}"),
    }
    let docs = [
        cr(&spec),
        acl_secret("user default on nopass -@all +auth +hello +ping\n"),
    ];
    assert!(matches!(
        grant(&docs, PortKind::Memcached),
        Grant::Nothing(_)
    ));
}

#[test]
fn df311_reports_named_pods_elsewhere_as_a_warning_and_addresses_as_an_error() {
    let peers = "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: web\n          podSelector:\n            matchLabels:\n              app: storefront\n        - ipBlock:\n            cidr: 10.0.0.0/8\n        - podSelector:\n            matchLabels:\n              app: api\n";
    let found = findings(&[cr(""), clients(peers)], &["DF311"]);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].1, Severity::Warning);
    assert!(
        found[0].2.starts_with("pods labelled app=storefront in namespace web can reach the data port 6379 of cache/sessions without a password, and gets the ACL `default` user's permissions: every command on every key"),
        "{}",
        found[0].2
    );
    assert_eq!(found[1].1, Severity::Error);
    assert!(
        found[1].2.starts_with("addresses 10.0.0.0/8"),
        "{}",
        found[1].2
    );
    // Pods of the instance's own namespace (api) are the operator policy's clients anyway.

    // A password, an ACL `default` that is off, or an ACL out of sight: silent. (A bare
    // `user default off` is a line Dragonfly rejects, and then runs the built-in `default`.)
    let password =
        cr("  authentication:\n    passwordFromSecret:\n      name: pw\n      key: password\n");
    assert!(findings(&[password, clients(peers)], &["DF311"]).is_empty());
    let off = [
        cr(WITH_ACL),
        acl_secret("user default off ~* +@all\n"),
        clients(peers),
    ];
    assert!(findings(&off, &["DF311"]).is_empty());
    assert!(findings(&[cr(WITH_ACL), clients(peers)], &["DF311"]).is_empty());
}

#[test]
fn df312_reports_whole_namespaces_other_than_the_instances_own() {
    let password =
        cr("  authentication:\n    passwordFromSecret:\n      name: pw\n      key: password\n");
    let by_label =
        "        - namespaceSelector:\n            matchLabels:\n              team: shop\n";
    let found = findings(&[password.clone(), clients(by_label)], REACH_CODES);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "DF312");
    assert_eq!(found[0].1, Severity::Warning);
    // Without a password: an error that says what every pod there gets, and no DF311 beside.
    let found = findings(&[cr(""), clients(by_label)], REACH_CODES);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].0, found[0].1), ("DF312", Severity::Error));
    assert!(
        found[0].2.contains("without a password it gets the ACL `default` user's permissions: every command on every key"),
        "{}",
        found[0].2
    );
    // A namespace named by its name.
    let named = "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: web\n";
    assert_eq!(
        findings(&[password.clone(), clients(named)], REACH_CODES)
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["DF312"]
    );
    // The instance's own namespace, by name or as the policy's: not another namespace.
    let own = "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: cache\n        - podSelector: {}\n";
    assert!(findings(&[password.clone(), clients(own)], REACH_CODES).is_empty());
    // Client pods named beside the namespace: not the whole namespace.
    let pods = "        - namespaceSelector:\n            matchLabels:\n              team: shop\n          podSelector:\n            matchLabels:\n              app: storefront\n";
    assert!(findings(&[password.clone(), clients(pods)], &["DF312"]).is_empty());
    // Cilium: an endpoint selector with the namespace label alone.
    let cnp = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: clients\n  namespace: cache\nspec:\n  endpointSelector:\n    matchLabels:\n      app: sessions\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: web\n      toPorts:\n        - ports:\n            - port: \"6379\"\n".to_string();
    let found = findings(&[password, cnp], REACH_CODES);
    assert_eq!(
        found.iter().map(|f| f.0).collect::<Vec<_>>(),
        ["DF312"],
        "{found:#?}"
    );
}

#[test]
fn df303_is_an_error_when_the_acl_default_user_needs_no_password() {
    let everyone = "        - namespaceSelector: {}\n";
    let docs = [
        cr(WITH_ACL),
        acl_secret("user default on nopass ~* +@read\n"),
        clients(everyone),
    ];
    let found = findings(&docs, &["DF303", "DF311", "DF312"]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].0, found[0].1), ("DF303", Severity::Error));
    assert!(found[0].2.contains("@read"), "{}", found[0].2);
    // With a password on `default`, the same path is the warning it was.
    let docs = [
        cr(WITH_ACL),
        acl_secret(&format!("user default on >{SECRET_PASSWORD} ~* +@read\n")),
        clients(everyone),
    ];
    let found = findings(&docs, &["DF303"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, Severity::Warning);
}

#[test]
fn df302_is_silent_when_default_may_run_no_memcache_command() {
    let spec = format!("  memcachedPort: 11211\n{WITH_ACL}");
    let everyone = "        - namespaceSelector: {}\n";
    let docs = [
        cr(&spec),
        acl_secret("user default on nopass -@all +auth +hello\n"),
        clients(everyone),
    ];
    assert!(findings(&docs, &["DF302"]).is_empty());
    let docs = [
        cr(&spec),
        acl_secret("user default off ~cache:* +@all\n"),
        clients(everyone),
    ];
    let found = findings(&docs, &["DF302"]);
    assert_eq!(found.len(), 1);
    assert!(found[0].2.contains("on keys ~cache:*"), "{}", found[0].2);
}

#[test]
fn df313_flags_namespace_and_cluster_wide_allow_all() {
    let allow_all = np("open", "cache", "  podSelector: {}\n  ingress:\n    - {}\n");
    let found = findings(std::slice::from_ref(&allow_all), &["DF313"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, Severity::Warning);
    assert!(
        found[0]
            .2
            .starts_with("NetworkPolicy/open selects every pod of namespace cache"),
        "{}",
        found[0].2
    );
    // With instances in the input too.
    assert_eq!(findings(&[cr(""), allow_all], &["DF313"]).len(), 1);
    let ccnp = "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: open\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities: [all]\n".to_string();
    let found = findings(&[ccnp], &["DF313"]);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].2.contains("every pod of the cluster"),
        "{}",
        found[0].2
    );
    // Some pods, some peers, some ports, or a direction not enforced: not allow-all.
    for spec in [
        "  podSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - {}\n",
        "  podSelector: {}\n  ingress:\n    - from:\n        - podSelector: {}\n",
        "  podSelector: {}\n  ingress:\n    - ports:\n        - port: 80\n",
        "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - {}\n",
    ] {
        assert!(
            findings(&[np("p", "cache", spec)], &["DF313"]).is_empty(),
            "{spec}"
        );
    }
}

#[test]
fn df314_says_what_could_not_be_judged_without_an_instance() {
    let by_labels = np(
        "df",
        "cache",
        "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: dragonfly\n  ingress:\n    - from:\n        - podSelector: {}\n      ports:\n        - port: 6379\n",
    );
    let found = findings(std::slice::from_ref(&by_labels), &["DF314"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, Severity::Info);
    assert!(
        found[0]
            .2
            .contains("whether the data port asks for a password"),
        "{}",
        found[0].2
    );
    let by_port = np(
        "cache",
        "cache",
        "  podSelector:\n    matchLabels:\n      app: cache\n  ingress:\n    - ports:\n        - port: 6379\n        - port: 9999\n",
    );
    let found = findings(&[by_port], &["DF314"]);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].2.starts_with("NetworkPolicy/cache opens ports 6379 and 9999, which Dragonfly uses for its data and admin ports"),
        "{}",
        found[0].2
    );
    // A policy about other workloads, or an egress rule to 6379: nothing.
    let web = np(
        "web",
        "shop",
        "  podSelector:\n    matchLabels:\n      app: web\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - ports:\n        - port: 8080\n  egress:\n    - ports:\n        - port: 6379\n",
    );
    assert!(findings(&[web], &["DF314"]).is_empty());
    // With an instance in the input the policy is judged (or dangling, DF309).
    assert!(findings(&[cr(""), by_labels], &["DF314"]).is_empty());
    // One info per resource, for a Cilium policy with several `specs`.
    let specs = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: two\n  namespace: cache\nspecs:\n  - endpointSelector:\n      matchLabels:\n        app.kubernetes.io/name: dragonfly\n    ingress:\n      - {}\n  - endpointSelector:\n      matchLabels:\n        app.kubernetes.io/name: dragonfly\n    ingress:\n      - toPorts:\n          - ports:\n              - port: \"6379\"\n".to_string();
    assert_eq!(findings(&[specs], &["DF314"]).len(), 1);
}

#[test]
fn passwords_never_reach_a_message() {
    let docs = [
        cr(WITH_ACL),
        acl_secret(&format!(
            "user default on >{SECRET_PASSWORD} ~* +@all\nuser web on nopass ~* +@all\n"
        )),
        clients("        - namespaceSelector: {}\n"),
    ];
    let report = lint(
        &[Source::new("t.yaml", bundle_yaml(&docs))],
        &LintConfig::default(),
    );
    for d in &report.diagnostics {
        assert!(!d.message.contains(SECRET_PASSWORD), "{}", d.message);
    }
}
