//! Issue 16 item 9, "found on real CRs": one reproducer per problem, each the shape it was
//! found in.

use dflint_core::{lint, Diagnostic, LintConfig, Source};

fn run(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source::new(*name, *text))
        .collect();
    lint(&sources, &LintConfig::default()).diagnostics
}

fn codes_at(diagnostics: &[Diagnostic], line: usize) -> Vec<&'static str> {
    let mut codes: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.location.line == line && matches!(d.code, "DF041" | "DF305"))
        .map(|d| d.code)
        .collect();
    codes.sort_unstable();
    codes
}

fn with_code<'a>(diagnostics: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

const POLICY_OFF: &str = "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: cache\n  namespace: data\nspec:\n  networkPolicyEnabled: false\n";

// ------------------------------------------------------------ DF041 / DF305: one finding

#[test]
fn network_policy_disabled_on_a_lone_cr_is_one_warning() {
    let diagnostics = run(&[("dragonfly.yaml", POLICY_OFF)]);
    assert_eq!(codes_at(&diagnostics, 7), ["DF041"], "{diagnostics:#?}");
}

#[test]
fn network_policy_disabled_with_policies_that_do_not_protect_is_one_error() {
    let egress_only = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: egress\n  namespace: data\nspec:\n  podSelector:\n    matchLabels:\n      app: cache\n  policyTypes: [Egress]\n  egress:\n    - {}\n";
    let diagnostics = run(&[("dragonfly.yaml", POLICY_OFF), ("policy.yaml", egress_only)]);
    let at_setting: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.location.file.as_ref() == "dragonfly.yaml" && d.location.line == 7)
        .filter(|d| matches!(d.code, "DF041" | "DF305"))
        .map(|d| d.code)
        .collect();
    assert_eq!(at_setting, ["DF305"], "{diagnostics:#?}");
    // Disabled, DF305 no longer stands for DF041: the warning comes back.
    let mut config = LintConfig::default();
    config.ignore.push("DF305".into());
    let sources = [
        Source::new("dragonfly.yaml", POLICY_OFF),
        Source::new("policy.yaml", egress_only),
    ];
    let report = lint(&sources, &config);
    assert_eq!(with_code(&report.diagnostics, "DF041").len(), 1);
}

// ------------------------------------------------------------ DF114 operator defaults

#[test]
fn operator_defaults_repeated_in_spec_args_are_info() {
    let cr = "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: cache\nspec:\n  args:\n    - --admin_port=9999\n    - --primary_port_http_enabled=false\n    - --admin_nopass=1\n    - --alsologtostderr\n    - --break_replication_on_master_restart=true\n    - --maxmemory=1gb\n";
    let diagnostics = run(&[("dragonfly.yaml", cr)]);
    let found = with_code(&diagnostics, "DF114");
    let lines: Vec<usize> = found.iter().map(|d| d.location.line).collect();
    assert_eq!(lines, [7, 8, 9, 10, 11], "{diagnostics:#?}");
    assert!(found
        .iter()
        .all(|d| d.severity == dflint_core::Severity::Info));
    // A changed value is another rule's, and a workload has no operator before its flags.
    let changed = cr.replace("--admin_port=9999", "--admin_port=9998");
    let diagnostics = run(&[("dragonfly.yaml", &changed)]);
    assert!(!with_code(&diagnostics, "DF114")
        .iter()
        .any(|d| d.location.line == 7));
    let workload = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\nspec:\n  template:\n    spec:\n      containers:\n        - name: dragonfly\n          image: docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1\n          args: [--admin_port=9999, --primary_port_http_enabled=false]\n";
    assert!(with_code(&run(&[("deploy.yaml", workload)]), "DF114").is_empty());
}

// ------------------------------------------------------------ DF115 cache mode and queues

#[test]
fn cache_mode_with_queue_flags_warns() {
    let cr = |args: &str| {
        format!("apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: jobs\nspec:\n  args: [{args}]\n")
    };
    let found = |args: &str| {
        with_code(&run(&[("dragonfly.yaml", &cr(args))]), "DF115")
            .iter()
            .map(|d| (d.message.clone(), d.related.len()))
            .collect::<Vec<_>>()
    };
    let both =
        found("--cache_mode=true, --lock_on_hashtags, '--default_lua_flags=allow-undeclared-keys'");
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].1, 2, "both queue flags are related places");
    assert_eq!(found("--cache_mode, --lock_on_hashtags").len(), 1);
    assert!(found("--cache_mode=false, --lock_on_hashtags").is_empty());
    assert!(found("--cache_mode=true, --lock_on_hashtags=false").is_empty());
    assert!(found("--cache_mode=true").is_empty());
    // Compose and workloads too: the flags mean the same there.
    let compose = "services:\n  dragonfly:\n    image: docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1\n    command: [dragonfly, --cache_mode=true, --default_lua_flags=allow-undeclared-keys]\n";
    assert_eq!(
        with_code(&run(&[("docker-compose.yml", compose)]), "DF115").len(),
        1
    );
}

// ------------------------------------------------------------ DF018 duplicate resources

#[test]
fn duplicate_resources_are_an_error_on_the_later_one() {
    let secret = |ns: &str| {
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: acl\n{ns}stringData:\n  k: v\n")
    };
    let cr = |ns: &str| {
        format!("apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: cache\n{ns}spec:\n  replicas: 1\n")
    };
    let a = format!(
        "{}---\n{}---\n{}",
        secret("  namespace: data\n"),
        cr("  namespace: data\n"),
        secret("")
    );
    let b = format!(
        "{}---\n{}---\n{}---\n{}",
        secret("  namespace: data\n"),
        cr("  namespace: data\n"),
        secret("  namespace: default\n"),
        cr("")
    );
    let diagnostics = run(&[("a.yaml", &a), ("b.yaml", &b)]);
    let found: Vec<_> = with_code(&diagnostics, "DF018")
        .iter()
        .map(|d| {
            (
                d.location.file.to_string(),
                d.location.line,
                d.related[0].location.file.to_string(),
                d.related[0].location.line,
            )
        })
        .collect();
    // The Secret and the CR in `data` are repeated; no namespace is not `default`, and a
    // CR without one is not the CR in `data`.
    assert_eq!(
        found,
        [
            ("b.yaml".to_string(), 4, "a.yaml".to_string(), 4),
            ("b.yaml".to_string(), 12, "a.yaml".to_string(), 12),
        ],
        "{:#?}",
        with_code(&diagnostics, "DF018")
    );
    // Another group or kind is another object; the version is not.
    let deploy =
        |api: &str| format!("apiVersion: {api}\nkind: Deployment\nmetadata:\n  name: web\n");
    let text = format!("{}---\n{}", deploy("apps/v1"), deploy("apps/v1beta2"));
    assert_eq!(with_code(&run(&[("d.yaml", &text)]), "DF018").len(), 1);
    let text = format!(
        "{}---\napiVersion: example.com/v1\nkind: Secret\nmetadata:\n  name: acl\n  namespace: data\n",
        secret("  namespace: data\n")
    );
    assert!(with_code(&run(&[("s.yaml", &text)]), "DF018").is_empty());
}

#[test]
fn duplicate_resources_are_found_in_a_large_input() {
    // 100,000 resources, one name repeated at the end: the pairs are found by key, so this
    // runs in a moment (`scripts/bench` times it); comparing every resource with every other
    // would be 10^10 comparisons, which no test run would wait for.
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{}\n  namespace: data\ndata:\n  k: v\n",
            i % 99_999
        ));
    }
    let diagnostics = run(&[("big.yaml", &text)]);
    assert_eq!(with_code(&diagnostics, "DF018").len(), 1);
}
