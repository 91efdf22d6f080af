//! End-to-end tests of the `dflint` binary: inputs, formats, exit codes, bad input, secrets.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn dflint(args: &[&str]) -> Output {
    dflint_with(args, None, &[])
}

fn dflint_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dflint"));
    cmd.args(args)
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("dflint runs");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or_default())
        .expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("dflint finishes")
}

/// Asserts the exit code, showing what the run printed on stderr when it differs.
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// (code, file, line, json_path) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["json_path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn seed_cluster_reports_its_real_problems_and_nothing_else() {
    let output = dflint(&["check", "examples/seed-cluster", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "errors exist, so exit 1");
    let report = json(&output);
    let cr = "examples/seed-cluster/dragonfly.yaml";
    let acl = "examples/seed-cluster/secrets.yaml";
    let netpol = "examples/seed-cluster/networkpolicy.yaml";
    const ACL_PATH: &str = r#"stringData["acl.conf"]"#;
    // Every finding, reviewed: the CR's pruned fields, the operator overriding `--dir` and
    // `--aclfile`, snapshots sent to S3 over plain HTTP (`--s3_use_https=false`), a snapshot
    // schedule without storage; in the ACL the shared password, the
    // unrestricted `default`, the commands -@dangerous does not cover, keyless commands
    // that leak other tenants' key names, and langfuse's `+INFO +CONFIG` after `-@dangerous`;
    // Lua scripts allowed undeclared keys while key patterns keep tenants apart; the
    // operator's `--admin_port=9999 --primary_port_http_enabled=false` repeated; the network policy's "audit mode" (default deny
    // off in both directions), every pod of three application namespaces let in to the data
    // port and every pod of `monitoring` to the admin port.
    let expected: Vec<(String, String, u64, String)> = [
        ("DF114", cr, 30, "spec.args[2]"),
        ("DF114", cr, 31, "spec.args[3]"),
        ("DF052", cr, 34, "spec.args[6]"),
        ("DF052", cr, 35, "spec.args[7]"),
        ("DF113", cr, 37, "spec.args[9]"),
        ("DF403", cr, 39, "spec.args[11]"),
        ("DF010", cr, 40, "spec.volumes"),
        ("DF010", cr, 44, "spec.volumeMounts"),
        ("DF050", cr, 49, "spec.snapshot.cron"),
        ("DF304", netpol, 14, "spec.enableDefaultDeny.ingress"),
        ("DF304", netpol, 15, "spec.enableDefaultDeny.egress"),
        ("DF312", netpol, 18, "spec.ingress[0].fromEndpoints[0]"),
        ("DF312", netpol, 25, "spec.ingress[1].fromEndpoints[0]"),
        ("DF312", netpol, 32, "spec.ingress[2].fromEndpoints[0]"),
        ("DF301", netpol, 39, "spec.ingress[3].fromEndpoints[0]"),
        ("DF204", acl, 24, ACL_PATH),
        ("DF208", acl, 24, ACL_PATH),
        ("DF205", acl, 25, ACL_PATH),
        ("DF208", acl, 25, ACL_PATH),
        ("DF211", acl, 25, ACL_PATH),
        ("DF214", acl, 25, ACL_PATH),
        ("DF217", acl, 25, ACL_PATH),
        ("DF211", acl, 25, ACL_PATH),
        ("DF205", acl, 26, ACL_PATH),
        ("DF208", acl, 26, ACL_PATH),
        ("DF211", acl, 26, ACL_PATH),
        ("DF214", acl, 26, ACL_PATH),
        ("DF217", acl, 26, ACL_PATH),
        ("DF211", acl, 26, ACL_PATH),
        ("DF205", acl, 27, ACL_PATH),
        ("DF208", acl, 27, ACL_PATH),
        ("DF211", acl, 27, ACL_PATH),
        ("DF214", acl, 27, ACL_PATH),
        ("DF217", acl, 27, ACL_PATH),
        ("DF211", acl, 27, ACL_PATH),
        ("DF205", acl, 28, ACL_PATH),
        ("DF208", acl, 28, ACL_PATH),
        ("DF213", acl, 28, ACL_PATH),
        ("DF210", acl, 28, ACL_PATH),
        ("DF211", acl, 28, ACL_PATH),
        ("DF210", acl, 28, ACL_PATH),
        ("DF210", acl, 28, ACL_PATH),
    ]
    .iter()
    .map(|(c, f, l, p)| (c.to_string(), f.to_string(), *l, p.to_string()))
    .collect();
    assert_eq!(findings(&report), expected, "{report:#}");
    let summary = &report["summary"];
    assert_eq!(summary["files"], 4);
    assert_eq!(summary["documents"], 5);
    assert_eq!(summary["resources"]["Dragonfly"], 1);
    assert_eq!(summary["resources"]["Secret"], 2);
    assert_eq!(summary["resources"]["CiliumNetworkPolicy"], 1);
    assert_eq!(summary["resources"]["PodMonitor"], 1);
}

#[test]
fn json_output_follows_the_contract_exactly() {
    let output = dflint(&["check", "examples/seed-cluster", "--format", "json"]);
    let report = json(&output);
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let mut top = keys(&report);
    top.sort();
    assert_eq!(top, ["diagnostics", "summary", "version"]);
    assert_eq!(report["version"], 1);
    // `related` is the one optional field: present only when a finding has related places.
    let mut diag = keys(&report["diagnostics"][0]);
    // `resource` (added in issue 15) is left out for findings in ACL files.
    diag.retain(|k| k != "related" && k != "resource");
    diag.sort();
    assert_eq!(
        diag,
        [
            "code",
            "column",
            "doc_url",
            "end_column",
            "end_line",
            "file",
            "help",
            "json_path",
            "line",
            "message",
            "rule",
            "severity"
        ]
    );
    let mut summary = keys(&report["summary"]);
    summary.sort();
    assert_eq!(
        summary,
        [
            // Added with baselines (issue 15): findings a `--baseline` file already holds.
            "baselined",
            "documents",
            "errors",
            "files",
            "infos",
            "resources",
            // Added for suppressions (issue 15): findings a suppression left out.
            "suppressed",
            "warnings"
        ]
    );
    let d = &report["diagnostics"][0];
    assert!(d["column"].as_u64().unwrap() >= 1);
    assert!(d["end_line"].as_u64() >= d["line"].as_u64());
    let related: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.get("related"))
        .flat_map(|r| r.as_array().unwrap())
        .collect();
    assert!(
        !related.is_empty(),
        "the seed cluster has findings with related places"
    );
    for r in related {
        let mut fields = keys(r);
        fields.sort();
        assert_eq!(
            fields,
            ["column", "end_column", "end_line", "file", "label", "line"]
        );
    }
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = temp_dir("exit");
    let warn_only = dir.join("warn.yaml");
    std::fs::write(
        &warn_only,
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: c}\nspec:\n  image: repo/dragonfly:v1.36.0\n  authentication: {passwordFromSecret: {name: a, key: b}}\n",
    )
    .unwrap();
    let path = warn_only.to_str().unwrap();
    // only a warning (no memory limit): passes the default `--fail-on error`
    assert_eq!(dflint(&["check", path]).status.code(), Some(0));
    assert_eq!(
        dflint(&["check", path, "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        dflint(&["check", path, "--fail-on", "none"]).status.code(),
        Some(0)
    );
    // usage and I/O errors
    assert_eq!(
        dflint(&["check", "--format", "xml", path]).status.code(),
        Some(2)
    );
    let missing = dflint(&["check", "does/not/exist.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does/not/exist.yaml"));
    assert_eq!(dflint(&["explain", "DF999"]).status.code(), Some(2));
    assert_eq!(
        dflint(&["check", path, "--select", "DF999"]).status.code(),
        Some(2)
    );
    // selecting by prefix or name narrows the run
    let only_flags = json(&dflint(&[
        "check",
        "examples/seed-cluster",
        "--format",
        "json",
        "--select",
        "DF1",
    ]));
    let codes: Vec<&str> = only_flags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["DF114", "DF114", "DF113"]);
    let ignored = json(&dflint(&[
        "check",
        "examples/seed-cluster",
        "--format",
        "json",
        "--ignore",
        "crd-schema,DF05,DF113,operator-default-repeated,DF2,DF3,DF4",
    ]));
    assert_eq!(ignored["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn reads_standard_input() {
    // Removed in v1.40.0 (retired, so still accepted, in v1.26.0 to v1.39.0).
    let doc = b"apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: c}\nspec:\n  image: dragonflydb/dragonfly:v1.40.1\n  args: [--oom_deny_ratio=1.1]\n";
    let output = dflint_with(&["check", "-", "--format", "json"], Some(doc), &[]);
    let report = json(&output);
    let unknown = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DF101")
        .expect("unknown flag reported");
    assert_eq!(unknown["file"], "<stdin>");
    assert_eq!(unknown["line"], 6);
    assert_eq!(unknown["json_path"], "spec.args[0]");
    assert!(unknown["help"]
        .as_str()
        .unwrap()
        .contains("--rss_oom_deny_ratio"));
}

#[test]
fn bad_input_is_reported_with_locations_and_the_rest_is_still_linted() {
    let dir = temp_dir("bad");
    std::fs::write(
        dir.join("a-invalid.yaml"),
        "kind: Dragonfly\nspec: [unclosed\n",
    )
    .unwrap();
    std::fs::write(dir.join("b-latin1.yaml"), b"kind: Secret\nname: caf\xe9\n").unwrap();
    std::fs::write(dir.join("c-empty.yaml"), "").unwrap();
    std::fs::write(dir.join("d-binary.json"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    std::fs::write(dir.join("e-broken.json"), "{\"kind\": \"Dragonfly\",}").unwrap();
    std::fs::write(dir.join("f-program.bin"), [0u8, 1, 2, 3]).unwrap();
    std::fs::write(
        dir.join("g-good.yaml"),
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: c}\nspec:\n  image: dragonfly:latest\n",
    )
    .unwrap();
    let output = dflint(&["check", dir.to_str().unwrap(), "--format", "json"]);
    assert_exit(&output, 1);
    let report = json(&output);
    let found = findings(&report);
    let at = |file: &str, code: &str| {
        found
            .iter()
            .find(|f| f.1.ends_with(file) && f.0 == code)
            .unwrap_or_else(|| panic!("{code} in {file}: {found:#?}"))
            .2
    };
    assert_eq!(at("a-invalid.yaml", "DF001"), 3);
    assert_eq!(at("b-latin1.yaml", "DF001"), 2);
    at("c-empty.yaml", "DF004");
    assert_eq!(at("d-binary.json", "DF001"), 1);
    assert_eq!(at("e-broken.json", "DF001"), 1);
    assert!(
        found.iter().all(|f| !f.1.ends_with("f-program.bin")),
        "non-manifest files are not read"
    );
    // the good file is still linted
    at("g-good.yaml", "DF011");
    at("g-good.yaml", "DF012");
    assert_eq!(report["summary"]["files"], 6);
    // the pretty renderer copes with the same input
    let pretty = dflint(&["check", dir.to_str().unwrap()]);
    assert_eq!(pretty.status.code(), Some(1));
    assert!(stdout(&pretty).contains("not UTF-8"));
}

#[test]
fn secrets_never_appear_in_any_output() {
    let dir = temp_dir("secrets");
    let file = dir.join("leaky.yaml");
    std::fs::write(
        &file,
        r#"apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata: {name: leaky}
spec:
  args:
    - --requirepass=TopSecretArgValue
    - --requirepass
    - "TopSecretSplitValue"
    - --masterauth=TopSecretMasterAuth
  env:
    - name: DFLY_requirepass
      value: TopSecretEnvValue
    - name: AWS_SECRET_ACCESS_KEY
      value: TopSecretAwsValue
---
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData:
  password: TopSecretStringData
data:
  token: VG9wU2VjcmV0QmFzZTY0
"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    for format in ["json", "pretty"] {
        let output = dflint(&["check", path, "--format", format]);
        let text = format!(
            "{}{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            text.contains("DF013"),
            "{format}: the literal password is reported: {text}"
        );
        for secret in [
            "TopSecretArgValue",
            "TopSecretSplitValue",
            "TopSecretMasterAuth",
            "TopSecretEnvValue",
            "TopSecretAwsValue",
            "TopSecretStringData",
            "VG9wU2VjcmV0QmFzZTY0",
        ] {
            assert!(
                !text.contains(secret),
                "{format} output leaks {secret}:\n{text}"
            );
        }
    }
}

#[test]
fn pretty_output_shows_the_snippet_span_and_summary() {
    let output = dflint(&["check", "examples/seed-cluster"]);
    let text = stdout(&output);
    assert!(text.contains("DF010"), "{text}");
    assert!(
        text.contains("volumes:"),
        "the snippet shows the source line: {text}"
    );
    assert!(
        text.contains("examples/seed-cluster/dragonfly.yaml:40:3"),
        "{text}"
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("dflint: 7 errors, 24 warnings, 11 infos in 4 files"),
        "{last}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn colour_follows_the_choice_and_no_color() {
    let colored = stdout(&dflint(&[
        "check",
        "examples/seed-cluster",
        "--color",
        "always",
    ]));
    assert!(colored.contains('\u{1b}'));
    let plain = stdout(&dflint_with(
        &["check", "examples/seed-cluster", "--color", "auto"],
        None,
        &[("NO_COLOR", "1")],
    ));
    assert!(!plain.contains('\u{1b}'));
}

#[test]
fn rules_and_explain_print_the_declarations() {
    let list = stdout(&dflint(&["rules"]));
    assert!(list
        .lines()
        .any(|l| l.starts_with("DF011") && l.contains("image-not-pinned")));
    // Aligned: every summary starts in the same column, after the widest name and severity.
    let summary_columns: std::collections::BTreeSet<usize> = list
        .lines()
        .map(|l| {
            let code = l.split_whitespace().next().unwrap();
            let summary = dflint_core::rules::find(code).unwrap().meta().summary;
            l.find(summary).unwrap()
        })
        .collect();
    assert_eq!(summary_columns.len(), 1, "{list}");
    let json_list: serde_json::Value =
        serde_json::from_slice(&dflint(&["rules", "--format", "json"]).stdout).unwrap();
    assert!(json_list.as_array().unwrap().len() >= 30);
    let explain = dflint(&["explain", "image-not-pinned"]);
    assert_eq!(explain.status.code(), Some(0));
    let text = stdout(&explain);
    assert!(text.starts_with("DF011 image-not-pinned (warning)"));
    assert!(text.contains("## Failing example"));
}

#[test]
fn generated_rule_reference_is_up_to_date() {
    let generated = stdout(&dflint(&["rules", "--format", "markdown"]));
    let committed =
        std::fs::read_to_string(repo_root().join("docs/rules.md")).expect("docs/rules.md exists");
    assert!(
        generated == committed,
        "docs/rules.md is stale: run `cargo run -p dflint -- rules --format markdown > docs/rules.md`"
    );
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let table = dflint_core::rules::docs::markdown_table();
    assert!(
        readme.contains(&table),
        "the rule table in README.md is stale: run scripts/update-docs"
    );
}

#[test]
fn concise_and_github_formats_give_one_line_per_finding() {
    let seed = "examples/seed-cluster";
    let json: serde_json::Value =
        serde_json::from_slice(&dflint(&["check", seed, "--format", "json"]).stdout).unwrap();
    let findings = json["diagnostics"].as_array().unwrap();
    assert!(!findings.is_empty());

    let concise = stdout(&dflint(&["check", seed, "--format", "concise"]));
    let lines: Vec<&str> = concise.lines().collect();
    assert_eq!(lines.len(), findings.len(), "{concise}");
    for (line, finding) in lines.iter().zip(findings) {
        let expected = format!(
            "{}:{}:{}: {} [{}] ",
            finding["file"].as_str().unwrap(),
            finding["line"],
            finding["column"],
            finding["code"].as_str().unwrap(),
            finding["severity"].as_str().unwrap()
        );
        assert!(line.starts_with(&expected), "{line} / {expected}");
    }

    // The same through the environment variable, as CI systems set it.
    let github = dflint_with(
        &["check", seed],
        None,
        &[("DFLINT_OUTPUT_FORMAT", "github")],
    );
    let github = String::from_utf8(github.stdout).unwrap();
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), findings.len(), "{github}");
    for (line, finding) in lines.iter().zip(findings) {
        let command = match finding["severity"].as_str().unwrap() {
            "error" => "::error ",
            "warning" => "::warning ",
            _ => "::notice ",
        };
        assert!(line.starts_with(command), "{line}");
        assert!(
            line.contains(&format!(
                ",line={},col={},endLine={},endColumn={},title={} ({})::",
                finding["line"],
                finding["column"],
                finding["end_line"],
                finding["end_column"],
                finding["code"].as_str().unwrap(),
                finding["rule"].as_str().unwrap()
            )),
            "{line}"
        );
    }
}

#[test]
fn version_names_the_upstream_releases_the_facts_are_pinned_to() {
    let version = stdout(&dflint(&["--version"]));
    assert!(version.starts_with("dflint "), "{version}");
    for pinned in [
        dflint_core::flags::DRAGONFLY_VERSION,
        dflint_core::dragonfly::operator::OPERATOR_VERSION,
        dflint_core::acl::commands::REDIS_VERSION,
    ] {
        assert!(version.contains(pinned), "{pinned} not in {version}");
    }
}

#[test]
fn explain_suggests_the_nearest_rule() {
    let out = dflint(&["explain", "image-not-pined"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean DF011 (image-not-pinned)?"),
        "{stderr}"
    );
    let out = dflint(&["explain", "DF0111"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean DF011"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dflint(&["explain", "something-else-entirely"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("did you mean"));
}

#[test]
fn kinds_and_files_not_linted_are_named_and_an_empty_run_says_so() {
    let dir = std::env::temp_dir().join(format!("dflint-unlinted-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("chart/templates")).unwrap();
    std::fs::write(
        dir.join("chart/templates/dragonfly.yaml"),
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"chart.labels\" . | nindent 4 }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("release.yaml"),
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: df\n",
    )
    .unwrap();
    let dir_arg = dir.to_str().unwrap();
    let out = dflint(&["check", dir_arg, "--format", "pretty", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let printed = stdout(&out);
    // The template is one info, not YAML errors; the summary says what was not linted.
    assert!(printed.contains("DF008(helm-template)"), "{printed}");
    assert!(!printed.contains("DF001"), "{printed}");
    assert!(printed.contains("not linted: 1 HelmRelease"), "{printed}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dflint: nothing to lint in 2 file(s)")
            && stderr.contains("seen: 1 HelmRelease"),
        "{stderr}"
    );
    // A run with something to lint does not say it.
    let out = dflint(&["check", "examples/seed-cluster", "--format", "json"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("nothing to lint"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_parse_as_shell_and_man_pages_render_without_warnings() {
    let bash = dflint(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    let script = stdout(&bash);
    for word in [
        "check",
        "--format",
        "sarif",
        "--baseline",
        "netpol",
        "--dialect",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
    // `bash -n` parses the script without running it.
    let mut parse = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    parse
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let parsed = parse.wait_with_output().unwrap();
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = dflint(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains("check"), "{shell}");
    }

    let dir = std::env::temp_dir().join(format!("dflint-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dflint(&["manpage", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "dflint.1",
        "dflint-check.1",
        "dflint-acl-can.1",
        "dflint-netpol-reach.1",
    ] {
        assert!(
            pages.iter().any(|p| p == page),
            "{page} missing from {pages:?}"
        );
    }
    for page in &pages {
        // groff with every warning on (-ww), output discarded (-z), UTF-8 input (-k).
        let rendered = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(dir.join(page))
            .output()
            .expect("groff runs (Debian: apt-get install -y groff-base)");
        assert!(
            rendered.status.success() && rendered.stderr.is_empty(),
            "{page}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
    }
    let single = dflint(&["manpage"]);
    assert!(stdout(&single).contains(".TH dflint 1"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn findings_name_the_resource_they_are_in() {
    let output = dflint(&["check", "examples/seed-cluster", "--format", "json"]);
    let report = json(&output);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    for d in diagnostics {
        let resource = &d["resource"];
        let file = d["file"].as_str().unwrap();
        let expected_kind = if file.ends_with("dragonfly.yaml") {
            "Dragonfly"
        } else if file.ends_with("secrets.yaml") {
            "Secret"
        } else if file.ends_with("networkpolicy.yaml") {
            "CiliumNetworkPolicy"
        } else {
            "PodMonitor"
        };
        assert_eq!(resource["kind"], expected_kind, "{d}");
        assert_eq!(resource["namespace"], "cache", "{d}");
        assert!(resource["name"].is_string(), "{d}");
    }
    // An ACL file is no resource: its findings carry none.
    let acl = dflint_with(
        &["check", "--acl-file", "-", "--format", "json"],
        Some(b"user default on nopass ~* +@all\n"),
        &[],
    );
    assert_exit(&acl, 1);
    let acl = json(&acl);
    let diagnostics = acl["diagnostics"].as_array().unwrap();
    assert!(diagnostics.iter().any(|d| d["code"] == "DF203"), "{acl}");
    assert!(
        diagnostics.iter().all(|d| d.get("resource").is_none()),
        "{acl}"
    );
    // Standard input is read once: given twice, the run says so.
    let twice = dflint(&["check", "-", "--acl-file", "-"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("read only once"));
}
