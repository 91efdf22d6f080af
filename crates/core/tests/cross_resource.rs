//! The DF4xx rules, which look at several resources of one run together, and how ACLs found
//! through a CR's `aclFromSecret` are located inside their Secret.

use dflint_core::{lint, Diagnostic, LintConfig, Source};

fn run(text: &str) -> Vec<Diagnostic> {
    lint(&[Source::new("bundle.yaml", text)], &LintConfig::default()).diagnostics
}

/// Lints the files of a hand-made parity case (tests/parity/cases/NAME) as one bundle.
fn run_case(name: &str) -> Vec<Diagnostic> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/parity/cases")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let sources: Vec<Source> = files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            Source::new(name, std::fs::read_to_string(path).unwrap())
        })
        .collect();
    lint(&sources, &LintConfig::default()).diagnostics
}

fn with_code<'a>(diagnostics: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

/// 1-based line and column of the first occurrence of `needle` after `after` in `text`.
fn position(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let start = text.find(after).expect("anchor")
        + text[text.find(after).unwrap()..]
            .find(needle)
            .expect("needle");
    let line = text[..start].matches('\n').count() + 1;
    let column = text[..start].rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column)
}

const CR: &str = "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: cache\n  namespace: data\n";

// ---------------------------------------------------------------- ACLs inside Secrets

#[test]
fn an_acl_in_the_secret_named_by_acl_from_secret_is_located_inside_the_secret() {
    let text = format!(
        "{CR}spec:\n  aclFromSecret:\n    name: cache-acl\n    key: users.acl\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-acl\n  namespace: data\nstringData:\n  users.acl: |\n    user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* +@read\n    user default on nopass ~* +@all\n"
    );
    let diagnostics = run(&text);
    let nopass = with_code(&diagnostics, "DF203");
    assert_eq!(nopass.len(), 1, "{diagnostics:#?}");
    let (line, column) = position(&text, "user default on", "nopass");
    assert_eq!(
        (nopass[0].location.line, nopass[0].location.column),
        (line, column)
    );
    assert_eq!(nopass[0].location.end_column, column + "nopass".len());
    assert_eq!(
        nopass[0].location.json_path.as_deref(),
        Some(r#"stringData["users.acl"]"#)
    );
}

#[test]
fn an_acl_is_parsed_with_the_dbnum_and_cluster_mode_of_the_cr_that_loads_it() {
    let bundle = |args: &str| {
        format!(
            "{CR}spec:\n  args: [{args}]\n  aclFromSecret:\n    name: cache-acl\n    key: users.acl\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-acl\n  namespace: data\nstringData:\n  users.acl: |\n    user default off -@all +auth +hello\n    user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* $20 -@all +get\n"
        )
    };
    // $20 needs more than the default 16 databases.
    assert_eq!(with_code(&run(&bundle("")), "DF201").len(), 1);
    assert!(with_code(&run(&bundle("\"--dbnum=32\"")), "DF201").is_empty());
    // In cluster mode only $0 loads; `emulated` is not cluster mode for $<db>.
    let rejected = run(&bundle("\"--dbnum=32\", \"--cluster_mode=yes\""));
    assert_eq!(with_code(&rejected, "DF201").len(), 1, "{rejected:#?}");
    assert!(with_code(
        &run(&bundle("\"--dbnum=32\", \"--cluster_mode=emulated\"")),
        "DF201"
    )
    .is_empty());
}

// ---------------------------------------------------------------- DF401 missing-secret

const AUTH_SECRET: &str = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-auth\n  namespace: data\nstringData:\n  password: x\n";

#[test]
fn an_absent_secret_is_reported_only_when_the_input_has_secrets() {
    let cr = format!("{CR}spec:\n  authentication:\n    passwordFromSecret:\n      name: nowhere\n      key: password\n");
    assert!(
        with_code(&run(&cr), "DF401").is_empty(),
        "a lone CR says nothing about the cluster"
    );

    let text = format!("{cr}{AUTH_SECRET}");
    let diagnostics = run(&text);
    let found = with_code(&diagnostics, "DF401");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert!(found[0].message.contains("`nowhere`"));
    assert!(found[0].message.contains("may exist in the cluster"));
    assert_eq!(
        found[0].location.line,
        position(&text, "passwordFromSecret", "nowhere").0
    );
    assert_eq!(
        found[0].location.json_path.as_deref(),
        Some("spec.authentication.passwordFromSecret.name")
    );
}

#[test]
fn a_missing_key_is_reported_at_the_key_with_the_secret_as_related() {
    let text = format!(
        "{CR}spec:\n  aclFromSecret:\n    name: cache-auth\n    key: users.acl\n{AUTH_SECRET}"
    );
    let diagnostics = run(&text);
    let found = with_code(&diagnostics, "DF401");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert!(found[0].message.contains("no key `users.acl`"));
    assert_eq!(
        found[0].location.json_path.as_deref(),
        Some("spec.aclFromSecret.key")
    );
    assert_eq!(found[0].related.len(), 1);
    assert!(found[0].help.as_deref().unwrap().contains("`password`"));
    // the secret value never appears
    assert!(!format!("{found:?}").contains("password: x"));
}

#[test]
fn a_secret_in_another_namespace_is_named_in_the_help() {
    // Which bundles report DF401 at all is in the parity table (tests/parity/cases:
    // secret-key-in-data, secret-in-other-namespace, secret-without-namespace); this is what
    // the finding says.
    let diagnostics = run_case("secret-in-other-namespace");
    let found = with_code(&diagnostics, "DF401");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert!(found[0]
        .help
        .as_deref()
        .unwrap()
        .contains("namespace `other`"));
}

#[test]
fn env_secret_refs_and_tls_refs_are_checked_and_optional_ones_skipped() {
    let text = format!(
        "{CR}spec:\n  tlsSecretRef:\n    name: no-tls\n  env:\n    - name: AWS_SECRET_ACCESS_KEY\n      valueFrom:\n        secretKeyRef: {{name: cache-auth, key: aws}}\n    - name: OPTIONAL\n      valueFrom:\n        secretKeyRef: {{name: cache-auth, key: other, optional: true}}\n{AUTH_SECRET}"
    );
    let diagnostics = run(&text);
    let mut messages: Vec<&str> = with_code(&diagnostics, "DF401")
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    messages.sort();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].contains("Secret `cache-auth` has no key `aws`"));
    assert!(messages[1].contains("Secret `no-tls`") && messages[1].contains("`tlsSecretRef`"));
}

// ---------------------------------------------------------------- DF402 memcached-default-user

fn acl_secret(acl: &str) -> String {
    let body: String = acl.lines().map(|l| format!("    {l}\n")).collect();
    format!("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-acl\n  namespace: data\nstringData:\n  users.acl: |\n{body}")
}

const APP: &str = "user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* +@read +@write";

#[test]
fn memcached_without_an_acl_runs_as_the_builtin_default_user() {
    let text = format!("{CR}spec:\n  memcachedPort: 11211\n  authentication:\n    passwordFromSecret: {{name: cache-auth, key: password}}\n");
    let diagnostics = run(&text);
    let found = with_code(&diagnostics, "DF402");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert!(
        found[0].message.contains("has no ACL"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("FLUSHDB"));
    assert_eq!(
        found[0].location.json_path.as_deref(),
        Some("spec.memcachedPort")
    );
}

#[test]
fn an_off_default_user_still_serves_memcached_but_minus_all_does_not() {
    let spec = format!(
        "{CR}spec:\n  memcachedPort: 11211\n  aclFromSecret: {{name: cache-acl, key: users.acl}}\n"
    );
    let off = format!(
        "{spec}{}",
        acl_secret(&format!("user default off ~* +@read +@write\n{APP}"))
    );
    let diagnostics = run(&off);
    let found = with_code(&diagnostics, "DF402");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert!(found[0].message.contains("`off`"));
    assert!(found[0].message.contains("SET") && found[0].message.contains("MGET"));
    assert_eq!(
        found[0].related.len(),
        1,
        "points at the default user's line"
    );

    let closed = format!(
        "{spec}{}",
        acl_secret(&format!("user default off -@all\n{APP}"))
    );
    assert!(with_code(&run(&closed), "DF402").is_empty());

    // no `user default` line: the built-in default with every command
    let implicit = format!("{spec}{}", acl_secret(APP));
    let diagnostics = run(&implicit);
    let found = with_code(&diagnostics, "DF402");
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("no `user default` line"));

    // a rejected file: Dragonfly falls back to the built-in default
    let rejected = format!(
        "{spec}{}",
        acl_secret(&format!("user default off -@all +@hyperloglog\n{APP}"))
    );
    let diagnostics = run(&rejected);
    let found = with_code(&diagnostics, "DF402");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert!(found[0].message.contains("rejected"));
}

#[test]
fn memcached_from_args_counts_and_unknown_acls_are_not_guessed() {
    let args = format!("{CR}spec:\n  args: [\"--memcached_port=11211\"]\n");
    let diagnostics = run(&args);
    let found = with_code(&diagnostics, "DF402");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].location.json_path.as_deref(), Some("spec.args[0]"));
    assert!(with_code(
        &run(&format!("{CR}spec:\n  args: [\"--memcached_port=0\"]\n")),
        "DF402"
    )
    .is_empty());
    // `memcachedPort: 0` adds no flag, so the one in `spec.args` stays
    let zero = format!("{CR}spec:\n  memcachedPort: 0\n  args: [\"--memcached_port=11211\"]\n");
    let diagnostics = run(&zero);
    let found = with_code(&diagnostics, "DF402");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert_eq!(found[0].location.json_path.as_deref(), Some("spec.args[0]"));
    // the ACL's Secret is not in the input: DF401's business, not a guess here
    let unknown = format!(
        "{CR}spec:\n  memcachedPort: 11211\n  aclFromSecret: {{name: elsewhere, key: users.acl}}\n"
    );
    assert!(with_code(&run(&unknown), "DF402").is_empty());
}

// ---------------------------------------------------------------- DF403 lua-undeclared-keys

#[test]
fn undeclared_keys_names_the_users_that_can_script() {
    let mut acl = String::from("user default off -@all\n");
    for i in 0..7 {
        acl.push_str(&format!(
            "user s{i} on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~s{i}:* +@read +@write +@scripting\n"
        ));
    }
    acl.push_str(APP);
    let text = format!(
        "{CR}spec:\n  args:\n    - --default_lua_flags=allow-undeclared-keys disable-atomicity\n    - --lua_undeclared_keys_shas=0123abcd\n  aclFromSecret: {{name: cache-acl, key: users.acl}}\n{}",
        acl_secret(&acl)
    );
    let diagnostics = run(&text);
    let found = with_code(&diagnostics, "DF403");
    assert_eq!(found.len(), 2, "{diagnostics:#?}");
    for d in &found {
        assert!(
            d.message
                .contains("`s0`, `s1`, `s2`, `s3`, `s4` and 2 more"),
            "{}",
            d.message
        );
        assert!(!d.message.contains("`app`"));
    }
    assert_eq!(found[0].location.json_path.as_deref(), Some("spec.args[0]"));
    assert_eq!(found[1].location.json_path.as_deref(), Some("spec.args[1]"));
}

#[test]
fn undeclared_keys_without_scripting_users_is_quiet() {
    let text = format!(
        "{CR}spec:\n  args: [--default_lua_flags=allow-undeclared-keys]\n  aclFromSecret: {{name: cache-acl, key: users.acl}}\n{}",
        acl_secret(&format!("user default off -@all\n{APP}"))
    );
    assert!(with_code(&run(&text), "DF403").is_empty());
    let other = format!("{CR}spec:\n  args: [--default_lua_flags=legacy-float]\n");
    assert!(with_code(&run(&other), "DF403").is_empty());
}

/// Issue 16: the flag BullMQ and Immich need fired on most real CRs. It only matters where an
/// ACL keeps tenants apart by key patterns: without an ACL, or when every user reaches every
/// key, or when the queue's own user is the only tenant, the instance is the queue's.
#[test]
fn undeclared_keys_is_quiet_unless_key_patterns_keep_tenants_apart() {
    let flag = "args: [--default_lua_flags=allow-undeclared-keys]";
    let bare = format!("{CR}spec:\n  {flag}\n");
    assert!(with_code(&run(&bare), "DF403").is_empty());
    let env = format!("{CR}spec:\n  env:\n    - name: DFLY_default_lua_flags\n      value: allow-undeclared-keys\n");
    assert!(with_code(&run(&env), "DF403").is_empty());

    let with_acl = |acl: &str| {
        let text = format!(
            "{CR}spec:\n  {flag}\n  aclFromSecret: {{name: cache-acl, key: users.acl}}\n{}",
            acl_secret(acl)
        );
        with_code(&run(&text), "DF403")
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    const HASH: &str = "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
    // Every user reaches every key: no tenant to stall.
    let open = format!("user default off -@all\nuser queue on {HASH} ~* +@all\nuser web on {HASH} allkeys +@read\n");
    assert!(with_acl(&open).is_empty());
    // The queue's user is the only one with key patterns, and the only one: its own choice.
    let alone = format!("user default off -@all\nuser queue on {HASH} ~bull:* +@all\n");
    assert!(with_acl(&alone).is_empty());
    // A rejected ACL leaves the built-in default user: no tenants either.
    assert!(with_acl("user default on nopass +@hyperloglog\n").is_empty());

    let shared = format!("user default off -@all\nuser queue on {HASH} ~bull:* +@all\n{APP}\n");
    let found = with_acl(&shared);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("Key patterns keep users apart") && found[0].contains("`app`"),
        "{}",
        found[0]
    );
    assert!(found[0].contains("a script run by `queue`"), "{}", found[0]);
}

// ---------------------------------------------------------------- DF404 monitor-port-missing

fn pod_monitor(port: &str) -> String {
    format!("---\napiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: m\n  namespace: data\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: dragonfly\n  podMetricsEndpoints:\n    - {port}\n")
}

fn service_monitor(port: &str) -> String {
    format!("---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: m\n  namespace: data\nspec:\n  selector:\n    matchExpressions:\n      - {{key: app, operator: In, values: [cache]}}\n      - {{key: app.kubernetes.io/managed-by, operator: Exists}}\n  endpoints:\n    - {port}\n")
}

fn df404(text: &str) -> Vec<String> {
    with_code(&run(text), "DF404")
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn pod_monitors_must_scrape_the_admin_port() {
    let cr = format!("{CR}spec:\n  memcachedPort: 11211\n");
    assert!(df404(&format!("{cr}{}", pod_monitor("port: admin"))).is_empty());
    assert!(df404(&format!("{cr}{}", pod_monitor("portNumber: 9999"))).is_empty());

    let redis = df404(&format!("{cr}{}", pod_monitor("port: redis")));
    assert_eq!(redis.len(), 1);
    assert!(
        redis[0].contains("--primary_port_http_enabled=false"),
        "{}",
        redis[0]
    );
    let memcached = df404(&format!("{cr}{}", pod_monitor("port: memcached")));
    assert!(memcached[0].contains("memcache"), "{memcached:?}");
    let unknown = df404(&format!("{cr}{}", pod_monitor("port: metrics")));
    assert!(unknown[0].contains("no such container port"), "{unknown:?}");
    let number = df404(&format!("{cr}{}", pod_monitor("targetPort: 6380")));
    assert_eq!(number.len(), 1, "{number:?}");

    // HTTP turned back on for the data port
    let http = format!("{CR}spec:\n  args: [--primary_port_http_enabled=true]\n");
    assert!(df404(&format!("{http}{}", pod_monitor("port: redis"))).is_empty());
    // the admin listener moved away from the container port
    let moved = format!("{CR}spec:\n  args: [--admin_port=9998]\n");
    let found = df404(&format!("{moved}{}", pod_monitor("port: admin")));
    assert!(found[0].contains("nothing listens on 9999"), "{found:?}");
}

#[test]
fn pod_monitors_that_select_nothing_of_dragonfly_or_an_exporter_are_quiet() {
    let other_ns = format!(
        "{}{}",
        CR.replace("namespace: data", "namespace: other"),
        "spec: {}\n"
    );
    assert!(df404(&format!("{other_ns}{}", pod_monitor("port: redis"))).is_empty());
    let any_ns =
        pod_monitor("port: redis").replace("spec:\n", "spec:\n  namespaceSelector: {any: true}\n");
    assert_eq!(df404(&format!("{other_ns}{any_ns}")).len(), 1);

    let sidecar = format!("{CR}spec:\n  additionalContainers:\n    - name: exporter\n      image: oliver006/redis_exporter\n      ports: [{{name: metrics, containerPort: 9121}}]\n");
    assert!(df404(&format!("{sidecar}{}", pod_monitor("port: metrics"))).is_empty());

    let exporter = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: exporter\n  namespace: data\nspec:\n  template:\n    metadata:\n      labels: {app.kubernetes.io/name: dragonfly}\n    spec:\n      containers:\n        - name: e\n          ports: [{name: metrics, containerPort: 9121}]\n";
    let cr = format!("{CR}spec: {{}}\n");
    assert!(df404(&format!("{cr}{exporter}{}", pod_monitor("port: metrics"))).is_empty());

    // custom pod labels are matched too
    let labelled = format!("{CR}spec:\n  podMetadata:\n    labels: {{team: cache}}\n");
    let mon =
        pod_monitor("port: redis").replace("app.kubernetes.io/name: dragonfly", "team: cache");
    assert_eq!(df404(&format!("{labelled}{mon}")).len(), 1);
    let mon = pod_monitor("port: redis").replace("app.kubernetes.io/name: dragonfly", "team: web");
    assert!(df404(&format!("{labelled}{mon}")).is_empty());
}

#[test]
fn service_monitors_cannot_reach_metrics_through_the_operator_service() {
    let cr = format!("{CR}spec: {{}}\n");
    let admin = df404(&format!("{cr}{}", service_monitor("port: admin")));
    assert_eq!(admin.len(), 1);
    assert!(admin[0].contains("no such port"), "{admin:?}");
    let redis = df404(&format!("{cr}{}", service_monitor("port: redis")));
    assert!(redis[0].contains("answers no HTTP"), "{redis:?}");
    let target = df404(&format!("{cr}{}", service_monitor("targetPort: 9999")));
    assert_eq!(target.len(), 1);

    // the user's own metrics Service, selected as well, carries the port
    let svc = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: cache-metrics\n  namespace: data\n  labels: {app: cache, app.kubernetes.io/managed-by: me}\nspec:\n  ports: [{name: admin, port: 9999}]\n";
    assert!(df404(&format!("{cr}{svc}{}", service_monitor("port: admin"))).is_empty());
}

// ---------------------------------------------------------------- DF405 tls-secret-keys

#[test]
fn tls_secrets_need_both_key_names() {
    let cr = format!("{CR}spec:\n  tlsSecretRef: {{name: cache-tls}}\n");
    let secret = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-tls\n  namespace: data\nstringData:\n  tls.crt: x\n  ca.crt: y\n";
    let text = format!("{cr}{secret}");
    let diagnostics = run(&text);
    let found = with_code(&diagnostics, "DF405");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert!(found[0].message.contains("`tls.key`") && !found[0].message.contains("`tls.crt`"));
    assert_eq!(
        found[0].location.json_path.as_deref(),
        Some("metadata.name")
    );
    assert_eq!(
        found[0].location.line,
        position(&text, "kind: Secret", "cache-tls").0
    );
    assert_eq!(
        found[0].related[0].location.json_path.as_deref(),
        Some("spec.tlsSecretRef.name")
    );

    let complete = secret.replace("ca.crt: y", "tls.key: y");
    assert!(with_code(&run(&format!("{cr}{complete}")), "DF405").is_empty());
    // the string form is the CRD check's business
    let string = format!("{CR}spec:\n  tlsSecretRef: cache-tls\n{secret}");
    assert!(with_code(&run(&string), "DF405").is_empty());
}

// ---------------------------------------------------------------- robustness

#[test]
fn wrong_types_everywhere_do_not_panic() {
    let texts = [
        format!("{CR}spec:\n  memcachedPort: [1]\n  aclFromSecret: 7\n  authentication: {{passwordFromSecret: {{name: [x], key: {{}}}}}}\n  tlsSecretRef: {{name: 3}}\n  args: {{a: b}}\n  env: [{{name: X, valueFrom: {{secretKeyRef: null}}}}]\n{AUTH_SECRET}"),
        format!("{CR}spec: 5\n---\napiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {{name: m}}\nspec:\n  selector: {{matchLabels: [1], matchExpressions: {{}}}}\n  namespaceSelector: {{matchNames: 3, any: yes}}\n  podMetricsEndpoints: [{{port: [1]}}, 7, {{targetPort: 1.5}}]\n"),
        format!("{CR}spec: {{}}\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {{name: m}}\nspec:\n  selector: {{matchExpressions: [{{key: app, operator: Bogus}}, 3]}}\n  endpoints: {{port: admin}}\n---\napiVersion: v1\nkind: Service\nmetadata: {{labels: 4}}\nspec: {{ports: [1, {{name: 2}}]}}\n---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {{name: [1]}}\nspec: {{encryptedData: 5}}\n"),
        format!("---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {{a: 1}}}}\ndata: [1, 2]\n---\n{CR}spec:\n  tlsSecretRef: {{name: \"\"}}\n  memcachedPort: -1\n  args: [--memcached_port=abc, --default_lua_flags]\n"),
    ];
    for text in &texts {
        let _ = run(text);
    }
}
