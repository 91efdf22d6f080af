//! Dragonfly outside the operator's CR, through the real binary: Pods and workloads running
//! the Dragonfly image. Each fixture's findings are pinned by code and line, and no secret of
//! a fixture appears in any output format.

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

/// `(code, line)` of every finding of one file, in report order.
fn findings(path: &str) -> Vec<(String, u64)> {
    findings_with(path, &[])
}

/// What a run printed, on both streams.
fn both(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected.iter().map(|(c, l)| (c.to_string(), *l)).collect()
}

const WORKLOADS: &str = "crates/cli/tests/data/workloads";

#[test]
fn a_statefulset_running_dragonfly_gets_the_rules_a_cr_gets() {
    let path = format!("{WORKLOADS}/statefulset-mistakes.yaml");
    assert_eq!(
        findings(&path),
        pairs(&[
            ("DF030", 19), // --maxmemory=8gb over the 4Gi limit
            ("DF013", 20), // --requirepass with a literal
            ("DF101", 21), // --maxmemroy
            ("DF016", 23), // DFLY_PASSWORD is no flag: fatal at startup
            ("DF014", 24), // and it holds a literal credential
        ])
    );
    let output = dflint(&["check", &path]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = both(&output);
    assert!(
        stderr.contains("(1 document: 1 StatefulSet running Dragonfly)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("StatefulSet/cache (container `dragonfly`)"));
    // Help speaks of what a plain container has, not of the operator's fields.
    assert!(stdout.contains("set `DFLY_requirepass` with `valueFrom.secretKeyRef`"));
    assert!(!stdout.contains("spec.authentication"), "{stdout}");
}

#[test]
fn no_output_format_shows_a_workloads_secrets() {
    let path = format!("{WORKLOADS}/statefulset-mistakes.yaml");
    assert_no_format_shows(&path, &["literal-password-123", "Env-Secret-4417"]);
}

/// Every output format reports the literal password (DF013) and shows none of `secrets`.
fn assert_no_format_shows(path: &str, secrets: &[&str]) {
    for format in ["pretty", "json", "concise", "github", "sarif", "junit"] {
        let output = dflint(&["check", path, "--format", format, "--color", "never"]);
        let text = both(&output);
        assert!(text.contains("DF013"), "{format}: {text}");
        for secret in secrets {
            assert!(!text.contains(secret), "{format} shows {secret}");
        }
    }
}

#[test]
fn a_workload_done_right_is_linted_and_clean() {
    let path = format!("{WORKLOADS}/deployment-clean.yaml");
    assert_eq!(findings(&path), vec![]);
    let output = dflint(&["check", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        json(&output)["summary"]["dragonfly_workloads"],
        serde_json::json!({"Deployment": 1})
    );
    let pretty = dflint(&["check", &path]);
    let stderr = both(&pretty);
    assert!(
        stderr.contains("1 Deployment running Dragonfly)") && !stderr.contains("nothing to lint"),
        "{stderr}"
    );
}

#[test]
fn a_pod_whose_command_is_the_binary_is_read_through_it() {
    assert_eq!(
        findings(&format!("{WORKLOADS}/pod-command.yaml")),
        pairs(&[
            ("DF012", 8),  // no password at all
            ("DF103", 11), // --port=abc
        ])
    );
}

#[test]
fn workloads_that_do_not_run_the_server_are_said_not_linted() {
    let path = format!("{WORKLOADS}/not-the-server.yaml");
    // The Redis Deployment is not Dragonfly: its `--maxmemroy` is none of dflint's business.
    // The Job runs the Dragonfly image through a shell: said, not passed silently.
    assert_eq!(findings(&path), pairs(&[("DF017", 25)]));
    let output = dflint(&["check", &path]);
    let stderr = both(&output);
    assert!(
        stderr.contains("not linted: 1 Deployment, 1 Job"),
        "{stderr}"
    );
}

/// Every workload kind: the pod spec is found where that kind keeps it.
#[test]
fn every_workload_kind_is_read() {
    let dir = std::env::temp_dir().join(format!("dflint-workload-kinds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let container = "- name: df\n  image: dragonflydb/dragonfly:v1.36.0\n  args: [--maxmemroy=1gb]\n  env: [{name: DFLY_requirepass, valueFrom: {secretKeyRef: {name: a, key: b}}}]\n  resources: {limits: {memory: 1Gi}}\n";
    let indent = |text: &str, by: usize| -> String {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(by)))
            .collect()
    };
    let kinds: &[(&str, &str, &str)] = &[
        ("v1", "Pod", "spec:\n  containers:\n"),
        (
            "apps/v1",
            "Deployment",
            "spec:\n  template:\n    spec:\n      containers:\n",
        ),
        (
            "apps/v1",
            "StatefulSet",
            "spec:\n  template:\n    spec:\n      containers:\n",
        ),
        (
            "apps/v1",
            "DaemonSet",
            "spec:\n  template:\n    spec:\n      containers:\n",
        ),
        (
            "apps/v1",
            "ReplicaSet",
            "spec:\n  template:\n    spec:\n      containers:\n",
        ),
        (
            "batch/v1",
            "Job",
            "spec:\n  template:\n    spec:\n      containers:\n",
        ),
        (
            "batch/v1",
            "CronJob",
            "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n",
        ),
    ];
    for (api_version, kind, spec) in kinds {
        let depth = spec.lines().count() * 2 - 2;
        let text = format!(
            "apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n{spec}{}",
            indent(container, depth + 2)
        );
        let path = dir.join(format!("{kind}.yaml"));
        std::fs::write(&path, &text).unwrap();
        let line = text
            .lines()
            .position(|l| l.contains("--maxmemroy"))
            .unwrap() as u64
            + 1;
        assert_eq!(
            findings(path.to_str().unwrap()),
            pairs(&[("DF101", line)]),
            "{kind}:\n{text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

const COMPOSE: &str = "crates/cli/tests/data/compose";

#[test]
fn the_seed_compose_example_gets_its_real_findings() {
    assert_eq!(
        findings("examples/compose/docker-compose.yml"),
        pairs(&[
            ("DF013", 35), // --requirepass=${DRAGONFLY_PASSWORD}: on the command line
            ("DF061", 55), // network_mode: host with --bind=0.0.0.0
            ("DF065", 69), // Traefik routes HTTP to the data port 6379 (console on)
            ("DF060", 77), // redis-cli -a ${DRAGONFLY_PASSWORD} in the healthcheck
            ("DF061", 88), // the replica: host network, no --bind
            ("DF013", 98), // the replica's --requirepass
        ])
    );
    let output = dflint(&["check", "examples/compose/docker-compose.yml"]);
    assert!(
        both(&output).contains("(1 document: 2 compose services running Dragonfly)"),
        "{}",
        both(&output)
    );
}

#[test]
fn compose_forms_are_read_with_exact_spans() {
    let path = format!("{COMPOSE}/mixed.yml");
    assert_eq!(
        findings(&path),
        pairs(&[
            ("DF030", 6),  // ${CACHE_MEMORY:-3gb} takes its default, over mem_limit 2g
            ("DF013", 6),  // a literal --requirepass in a command string
            ("DF016", 10), // DFLY_maxmemroy in an environment map
            ("DF060", 12), // redis-cli -a in a string healthcheck
            ("DF062", 15), // the replica of a password-protected primary, no masterauth
            ("DF017", 23), // sh -c: not read, and said so
        ])
    );
    // Columns point into the command string: the word, not the whole string.
    let output = dflint(&["check", &path, "--format", "json"]);
    let diagnostics = json(&output)["diagnostics"].clone();
    let column = |code: &str| {
        diagnostics
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .map(|d| d["column"].as_u64().unwrap())
    };
    assert_eq!(column("DF030"), Some(24));
    assert_eq!(column("DF013"), Some(72));
    // `${REPLICA_MEMORY}` has no default and no value: unknown, so no finding on it.
    for format in ["pretty", "json", "concise", "github", "sarif", "junit"] {
        let output = dflint(&["check", &path, "--format", format, "--color", "never"]);
        let text = both(&output);
        assert!(text.contains("DF060"), "{format}");
        for secret in ["Compose-Literal-77", "Health-Literal-55"] {
            assert!(!text.contains(secret), "{format} shows {secret}");
        }
    }
}

#[test]
fn a_flag_file_is_read_line_by_line_as_abseil_does() {
    assert_eq!(
        findings("examples/flagfile/dragonfly.flags"),
        pairs(&[
            ("DF101", 10), // --max_clients
            ("DF111", 11), // a line without `-`: fatal in a flag file
        ])
    );
    let dir = std::env::temp_dir().join(format!("dflint-flagfile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("server.flagfile");
    std::fs::write(
        &path,
        "  --requirepass=Flag-File-Secret-1\n# --maxmemroy=1gb is a comment\n--port=abc\n--\nnot read after `--`\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    assert_eq!(
        findings(path),
        pairs(&[("DF013", 1), ("DF103", 3), ("DF111", 4)])
    );
    for format in ["pretty", "json", "sarif"] {
        let text = both(&dflint(&["check", path, "--format", format]));
        assert!(!text.contains("Flag-File-Secret-1"), "{format}: {text}");
    }
    // A directory walk picks flag files up by name.
    let walked = dflint(&["check", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        json(&walked)["summary"]["dragonfly_workloads"],
        serde_json::json!({"Dragonfly flag file": 1})
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const FLUX: &str = "crates/cli/tests/data/flux";

/// `(code, line)` of every finding of one file, with extra arguments.
fn findings_with(path: &str, extra: &[&str]) -> Vec<(String, u64)> {
    let mut args = vec!["check", path, "--format", "json"];
    args.extend_from_slice(extra);
    let output = dflint(&args);
    json(&output)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn flux_substitutions_take_their_defaults_and_unknowns_are_not_judged() {
    let path = format!("{FLUX}/dragonfly.yaml");
    // `replicas: ${REPLICAS:=2}` is the number 2 (no schema error), the limit is 2Gi and
    // maxmemory 3gb from their defaults; `${THREADS}` and `${NAMESPACE}` are unknown: said
    // once, and nothing is judged from them.
    assert_eq!(
        findings(&path),
        pairs(&[("DF009", 5), ("DF040", 7), ("DF030", 10)])
    );
    // Values given with --var win over the defaults and fill the unknowns in.
    assert_eq!(
        findings_with(
            &path,
            &[
                "--var",
                "MEMORY_LIMIT=8Gi",
                "--var",
                "THREADS=abc",
                "--var",
                "NAMESPACE=cache"
            ]
        ),
        pairs(&[("DF040", 7), ("DF103", 11)])
    );
    let bad = dflint(&["check", &path, "--var", "NOT A NAME"]);
    assert_eq!(bad.status.code(), Some(2), "{}", both(&bad));
}

#[test]
fn a_policy_is_not_dangling_while_the_instance_name_is_a_variable() {
    let path = format!("{FLUX}/policy-for-unnamed.yaml");
    let codes: Vec<String> = findings(&path).into_iter().map(|(c, _)| c).collect();
    assert!(!codes.contains(&"DF309".to_string()), "{codes:?}");
    // Named, the same instance is not the one the policy selects: dangling.
    let named = findings_with(&path, &["--var", "APP=other"]);
    assert!(named.iter().any(|(c, _)| c == "DF309"), "{named:?}");
}

const HELM: &str = "crates/cli/tests/data/helm";

#[test]
fn a_helmrelease_of_the_official_chart_is_linted_from_its_values() {
    let path = format!("{HELM}/helmrelease-mistakes.yaml");
    assert_eq!(
        findings(&path),
        pairs(&[
            ("DF013", 18), // --requirepass with a literal, in `extraArgs`
            ("DF101", 19), // --maxmemroy
            ("DF080", 21), // passwordFromSecret.enabled: the chart reads `enable`
            ("DF016", 23), // DFLY_PASSWORD is no flag
            ("DF014", 24), // and holds a literal credential
            ("DF042", 29), // service.type: LoadBalancer
            ("DF080", 30), // `cluster` is read from chart v1.40.0; this is v1.30.0
        ])
    );
    let output = dflint(&["check", &path]);
    let text = both(&output);
    assert!(
        text.contains("(1 document: 1 HelmRelease running Dragonfly)"),
        "{text}"
    );
    assert!(
        text.contains("did you mean `passwordFromSecret.enable`?"),
        "{text}"
    );
    // Help names the chart's own setting for a password.
    assert!(
        text.contains("set `passwordFromSecret.enable: true`"),
        "{text}"
    );
    // `cluster.mode` of an older chart makes no `--cluster_mode` flag: nothing repeats.
    assert!(!text.contains("DF104"), "{text}");
    assert_no_format_shows(&path, &["Chart-Plain-9931", "Chart-Env-5521"]);
}

#[test]
fn a_helmrelease_done_right_is_clean_and_counted() {
    let path = format!("{HELM}/helmrelease-clean.yaml");
    assert_eq!(findings(&path), vec![]);
    let output = dflint(&["check", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        json(&output)["summary"]["dragonfly_workloads"],
        serde_json::json!({"HelmRelease": 1})
    );
}

#[test]
fn charts_of_the_same_name_from_elsewhere_are_not_taken_for_dragonflys() {
    let path = format!("{HELM}/other-charts.yaml");
    assert_eq!(findings(&path), vec![]);
    let output = dflint(&["check", &path]);
    let text = both(&output);
    assert!(
        text.contains("nothing to lint") && text.contains("(seen: 1 Application, 3 HelmRelease)"),
        "{text}"
    );
}

#[test]
fn an_argo_application_values_string_is_read_with_exact_places() {
    let path = format!("{HELM}/argo-application.yaml");
    let output = dflint(&["check", &path, "--format", "json"]);
    let report = json(&output);
    let places: Vec<(String, u64, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["json_path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        ("DF081", 20, 25, "spec.sources[1].helm.values.replicaCount"),
        ("DF013", 22, 29, "spec.sources[1].helm.values.extraArgs[0]"),
        ("DF103", 24, 15, "spec.sources[1].helm.values.extraArgs[1]"),
        ("DF061", 25, 24, "spec.sources[1].helm.values.hostNetwork"),
    ];
    assert_eq!(
        places,
        expected
            .iter()
            .map(|(c, l, col, p)| (c.to_string(), *l, *col, p.to_string()))
            .collect::<Vec<_>>()
    );
    let pretty = both(&dflint(&["check", &path, "--color", "never"]));
    assert!(!pretty.contains("Argo-Plain-7719"), "{pretty}");
    // An invalid port is not shown as a port number.
    assert!(pretty.contains("port 6379 is open"), "{pretty}");
}

#[test]
fn values_from_elsewhere_silence_what_is_missing_and_an_unpinned_chart_is_said() {
    let path = format!("{HELM}/partial-and-unpinned.yaml");
    // The partial release: only what its values say (a bad boolean). No DF012, DF032, DF011.
    // The unpinned one: its version range runs whatever the newest chart ships.
    assert_eq!(findings(&path), pairs(&[("DF103", 22), ("DF011", 36)]));
}

#[test]
fn a_values_file_is_read_with_helm_values_and_judged_by_its_image_tag() {
    let path = format!("{HELM}/values.yaml");
    // Without the flag a values file is no manifest: said, not linted.
    let plain = dflint(&["check", &path]);
    assert_eq!(plain.status.code(), Some(0));
    assert!(both(&plain).contains("nothing to lint"));
    let output = dflint(&["check", "--helm-values", &path, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    let codes: Vec<(&str, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(codes, [("DF012", 2), ("DF030", 5), ("DF101", 6)]);
    // `image.tag: v1.34.0` is the release the flags are judged against.
    let messages = report["diagnostics"].to_string();
    assert!(messages.contains("Helm values file"), "{messages}");
    assert_eq!(
        report["summary"]["dragonfly_workloads"],
        serde_json::json!({"Helm values file": 1})
    );
    let missing = dflint(&["check", "--helm-values", "no-such-values.yaml"]);
    assert_eq!(missing.status.code(), Some(2), "{}", both(&missing));
    assert!(both(&missing).contains("no-such-values.yaml"));
}

#[test]
fn rendered_chart_output_points_each_finding_at_its_template() {
    let path = format!("{HELM}/rendered.yaml");
    assert_eq!(findings(&path), pairs(&[("DF012", 32), ("DF101", 39)]));
    let output = dflint(&["check", &path, "--format", "json"]);
    for diagnostic in json(&output)["diagnostics"].as_array().unwrap() {
        let related = diagnostic["related"].to_string();
        assert!(
            related
                .contains("rendered from the chart template `dragonfly/templates/deployment.yaml`")
                && related.contains("\"line\":16"),
            "{related}"
        );
    }
    // Through standard input, as `helm template … | dflint check -` runs it.
    let text = std::fs::read_to_string(repo_root().join(&path)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["check", "-", "--format", "concise"])
        .current_dir(repo_root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("<stdin>:39:15: DF101"), "{stdout}");
}

#[test]
fn a_flux_kustomization_in_the_input_gives_its_substitutions() {
    let dir = "crates/cli/tests/data/flux-kustomization";
    let output = dflint(&["check", dir, "--format", "json"]);
    let report = json(&output);
    let found: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // NAMESPACE and MEMORY_LIMIT come from the Kustomizations (8Gi: maxmemory 3gb fits);
    // the two disagree about THREADS, so it stays unknown and DF009 says so.
    assert_eq!(found, pairs(&[("DF040", 7), ("DF009", 11)]));
    let messages = report["diagnostics"].to_string();
    assert!(
        messages.contains("THREADS") && !messages.contains("NAMESPACE"),
        "{messages}"
    );
    // `--var` wins over a Kustomization.
    assert_eq!(
        findings_with(dir, &["--var", "THREADS=abc", "--var", "MEMORY_LIMIT=1Gi"]),
        pairs(&[("DF040", 7), ("DF030", 10), ("DF103", 11)])
    );
}

#[test]
fn argo_values_that_are_not_yaml_are_said_with_their_place_and_no_secret() {
    let path = format!("{HELM}/argo-bad-values.yaml");
    // Said at the string, as an error Helm would hit too; nothing judged from it (a partial
    // install: no "no authentication" built on values dflint could not read).
    assert_eq!(findings(&path), pairs(&[("DF001", 11)]));
    for format in ["pretty", "json", "concise", "github", "sarif", "junit"] {
        let text = both(&dflint(&[
            "check", &path, "--format", format, "--color", "never",
        ]));
        assert!(text.contains("DF001"), "{format}: {text}");
        assert!(
            !text.contains("Secret-Bad-Yaml-1"),
            "{format} shows the password"
        );
    }
}
