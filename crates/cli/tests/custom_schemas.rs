//! Custom resources checked against user-supplied schemas (`--crd`, and CRDs or Crossplane
//! XRDs in the input), through the real binary: the Crossplane example's claims, every
//! schema keyword, bad schema files, CEL rules, and the operator's own CRD replacing the
//! built-in Dragonfly schema.

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

/// `(code, file, line, column, message)` of every finding, in report order.
fn findings(output: &Output) -> Vec<(String, String, u64, u64, String)> {
    json(output)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `(line, message)` of the findings of one code in one file.
fn lines_of(output: &Output, code: &str, file: &str) -> Vec<(u64, String)> {
    findings(output)
        .into_iter()
        .filter(|f| f.0 == code && f.1 == file)
        .map(|f| (f.2, f.4))
        .collect()
}

const DATA: &str = "crates/cli/tests/data/custom_schemas";

#[test]
fn the_crossplane_example_lints_its_claims_from_the_xrd_in_the_input() {
    let output = dflint(&["check", "examples/crossplane", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let found = findings(&output);
    let places: Vec<_> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.2, f.3))
        .collect();
    assert_eq!(
        places,
        [
            (
                "DF010",
                "examples/crossplane/claim-with-mistakes.yaml",
                10,
                9
            ),
            (
                "DF010",
                "examples/crossplane/claim-with-mistakes.yaml",
                11,
                3
            ),
        ],
        "{found:#?}"
    );
    assert_eq!(
        found[0].4,
        "`spec.size` must be one of `small`, `medium`, `large` (schema of database.bizmatters.io/v1alpha1 DragonflyInstance in examples/crossplane/xrd.yaml)"
    );
    assert!(
        found[1].4.starts_with("`spec.storageGb` is not a field of database.bizmatters.io/v1alpha1 DragonflyInstance as defined in examples/crossplane/xrd.yaml")
            && found[1].4.ends_with("(did you mean `storageGB`?)"),
        "{}",
        found[1].4
    );
    // The claims count as linted; the XRD was read as their schema.
    let summary = &json(&output)["summary"];
    assert_eq!(summary["custom_resources"]["DragonflyInstance"], 3);
    let pretty = dflint(&["check", "examples/crossplane"]);
    let text = String::from_utf8_lossy(&pretty.stdout);
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        "dflint: 2 errors, 0 warnings, 0 infos in 3 files (4 documents: 1 CompositeResourceDefinition, 3 DragonflyInstance)"
    );
}

#[test]
fn the_seed_claims_pass_with_the_xrd_given_by_flag_and_are_not_linted_without_it() {
    let output = dflint(&[
        "check",
        "--crd",
        "examples/crossplane/xrd.yaml",
        "examples/crossplane/claims.yaml",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    // The schema file is not counted as a linted file.
    assert_eq!(
        text.lines().last().unwrap(),
        "dflint: 0 errors, 0 warnings, 0 infos in 1 file (2 documents: 2 DragonflyInstance)"
    );
    // Without a schema, the claims are not linted, and the run says so.
    let alone = dflint(&["check", "examples/crossplane/claims.yaml"]);
    let stderr = String::from_utf8_lossy(&alone.stderr);
    assert!(
        stderr.contains("nothing to lint in 1 file(s)")
            && stderr.contains("(seen: 2 DragonflyInstance)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&alone.stdout);
    assert!(
        stdout.contains("not linted: 2 DragonflyInstance"),
        "{stdout}"
    );
}

#[test]
fn crossplane_adds_its_own_fields_to_claims_and_composites() {
    let output = dflint(&[
        "check",
        "--crd",
        "examples/crossplane/xrd.yaml",
        &format!("{DATA}/claim-crossplane-fields.yaml"),
        "--format",
        "json",
    ]);
    let file = format!("{DATA}/claim-crossplane-fields.yaml");
    assert_eq!(
        lines_of(&output, "DF010", &file),
        [
            (
                31,
                "`spec.compositeDeletePolicy` must be one of `Background`, `Foreground` (schema of database.bizmatters.io/v1alpha1 DragonflyInstance in examples/crossplane/xrd.yaml)".to_string()
            ),
            // A claim's connection Secret is in its own namespace: no `namespace` field.
            (
                32,
                "`spec.writeConnectionSecretToRef.namespace` is not a field of database.bizmatters.io/v1alpha1 DragonflyInstance as defined in examples/crossplane/xrd.yaml; the API server drops it silently".to_string()
            ),
        ]
    );
}

#[test]
fn every_schema_keyword_is_checked() {
    let crd = format!("{DATA}/widgets-crd.yaml");
    let valid = format!("{DATA}/widgets-valid.yaml");
    let invalid = format!("{DATA}/widgets-invalid.yaml");
    let output = dflint(&["check", "--crd", &crd, &valid, &invalid, "--format", "json"]);
    assert_eq!(lines_of(&output, "DF010", &valid), [], "int-or-string, preserve-unknown-fields, embedded resources, nullable, formats and maps accept valid values");
    let suffix = format!(" (schema of example.org/v1 Widget in {crd})");
    let expected: Vec<(u64, String)> = [
        (6, "`spec.name` may be at most 8 characters long"),
        (6, "`spec.name` must match the pattern `^[a-z][a-z0-9-]*$`"),
        (7, "`spec.replicas` must be at most 5"),
        (8, "`spec.ratio` must be less than 1"),
        (9, "`spec.tier` must be one of `gold`, `silver`"),
        (10, "`spec.zones` must have at least 1 item"),
        (11, "`spec.tags[1]` repeats an earlier element; the list is a set (`x-kubernetes-list-type: set`)"),
        (12, "`spec.labels.team` must be a string, not an integer"),
        (13, "`spec.port` must be an integer or a string, not a number"),
        (14, "`spec.created` must be an RFC 3339 date and time (`2024-05-01T12:00:00Z`) (format `date-time`)"),
        (15, "`spec.address` must be an IPv4 address (format `ipv4`)"),
        (16, "`spec.source` matches 2 of the alternatives the schema allows (`oneOf`); it must match exactly one"),
        (17, "`spec.mode` has a shape the schema rules out (`not`)"),
        (18, "`spec.limits.memory` must be a Kubernetes quantity (for example `512Mi`, `2Gi` or `500m`)"),
        (26, "`spec.replicas` must be an integer, not a string"),
        (27, "`spec.name` must be at least 3 characters long"),
        (28, "`spec.limits` must have at least 1 field"),
    ]
    .iter()
    .map(|(line, message)| (*line, format!("{message}{suffix}")))
    .collect();
    let mut got = lines_of(&output, "DF010", &invalid);
    let unknown = got
        .iter()
        .position(|(l, _)| *l == 19)
        .expect("the unknown field");
    assert_eq!(
        got.remove(unknown).1,
        format!("`spec.colour` is not a field of example.org/v1 Widget as defined in {crd}; the API server drops it silently")
    );
    let unserved = got
        .iter()
        .position(|(l, _)| *l == 30)
        .expect("the unserved version");
    assert_eq!(
        got.remove(unserved).1,
        format!("Widget is not served at this apiVersion: CustomResourceDefinition `widgets.example.org` in {crd} serves only `v1`; the API server rejects the resource")
    );
    assert_eq!(got, expected);
    // No value is quoted back.
    for (_, message) in lines_of(&output, "DF010", &invalid) {
        for value in [
            "Web_Service_1",
            "bronze",
            "yesterday",
            "10.0.0.300",
            "lots",
            "red",
        ] {
            assert!(!message.contains(value), "{message}");
        }
    }
}

#[test]
fn bad_schema_files_are_reported_and_the_run_goes_on() {
    let missing = dflint(&["check", "--crd", "no/such/crd.yaml", "examples/crossplane"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr).trim_end(),
        "dflint: --crd no/such/crd.yaml: No such file or directory (os error 2)"
    );
    assert!(missing.stdout.is_empty());

    let not_crd = format!("{DATA}/not-a-crd.yaml");
    let output = dflint(&[
        "check",
        "--crd",
        &not_crd,
        "--crd",
        &format!("{DATA}/widgets-crd.yaml"),
        &format!("{DATA}/widgets-valid.yaml"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let found = findings(&output);
    let df019: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "DF019")
        .map(|f| (f.1.as_str(), f.2, f.3, f.4.as_str()))
        .collect();
    assert_eq!(
        df019,
        [
            (not_crd.as_str(), 2, 7, "this document of a schema file is a `ConfigMap`, not a CustomResourceDefinition or a Crossplane CompositeResourceDefinition; it is not read"),
            (not_crd.as_str(), 9, 7, "a CustomResourceDefinition of `apiextensions.k8s.io/v1beta1` is not read: only `apiextensions.k8s.io/v1` is (`kubectl get crd NAME -o yaml` prints it)"),
        ]
    );
    // The other schema file still applies: the valid widgets pass.
    assert_eq!(
        found.iter().filter(|f| f.0 == "DF010").count(),
        0,
        "{found:#?}"
    );
    assert_eq!(json(&output)["summary"]["custom_resources"]["Widget"], 2);
}

#[test]
fn cel_rules_are_named_once_per_crd_and_not_evaluated() {
    let crd = format!("{DATA}/cel-crd.yaml");
    let output = dflint(&[
        "check",
        "--crd",
        &crd,
        &format!("{DATA}/range.yaml"),
        "--format",
        "json",
    ]);
    // `low > high` breaks a CEL rule, which dflint cannot evaluate: no error, one info.
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        lines_of(&output, "DF070", &crd),
        [(19, "the CustomResourceDefinition `ranges.example.org` has CEL rules (`x-kubernetes-validations`, 3 in all) that dflint does not evaluate: its custom resources are checked against the rest of the schema only".to_string())]
    );
    assert_eq!(findings(&output).len(), 1);
}

#[test]
fn the_operators_own_crd_replaces_the_built_in_schema() {
    let crd = repo_root().join("../shared/reference/dragonfly/dragonfly-crd.yaml");
    if !crd.is_file() {
        eprintln!("skipped: {} is not here", crd.display());
        return;
    }
    let crd = crd.to_string_lossy().into_owned();
    for example in ["examples/seed-cluster", "examples/"] {
        let built_in = dflint(&["check", example, "--format", "json"]);
        let supplied = dflint(&["check", "--crd", &crd, example, "--format", "json"]);
        let places = |output: &Output| -> Vec<(String, String, u64, u64)> {
            findings(output)
                .into_iter()
                .filter(|f| f.0 != "DF070")
                .map(|f| (f.0, f.1, f.2, f.3))
                .collect()
        };
        assert_eq!(places(&built_in), places(&supplied), "{example}");
        let df010 = |output: &Output| -> Vec<String> {
            findings(output)
                .into_iter()
                .filter(|f| f.0 == "DF010" && f.1.ends_with("dragonfly.yaml"))
                .map(|f| f.4)
                .collect()
        };
        assert!(!df010(&built_in).is_empty());
        for message in df010(&built_in) {
            assert!(message.contains("(operator v1.6.1)"), "{message}");
        }
        for message in df010(&supplied) {
            assert!(
                message.contains(&format!(
                    "dragonflydb.io/v1alpha1 Dragonfly as defined in {crd}"
                )),
                "{message}"
            );
        }
        // The v1.6.1 CRD has one CEL rule: said once.
        assert_eq!(
            findings(&supplied)
                .iter()
                .filter(|f| f.0 == "DF070")
                .count(),
            1
        );
    }
}
