//! The parity table (`tests/parity/expected.json`), front end 2: the compiled admission
//! policy (`dflint_policy.wasm` in wasmtime), single-object mode, every severity reported.
//!
//! Every document of an admitted kind in a case is sent on its own, as JSON, the way the API
//! server sends it (a CREATE AdmissionRequest); an ACL file, which is no object, is sent as
//! a Secret holding it under its file name. The codes the policy annotates
//! (`dflint-codes`) must be the codes of the table's findings inside that document (the
//! whole file for an ACL file), minus the rules declared `Scope::Bundle`, which single-object mode skips.
//!
//! Every finding of the table is accounted for: compared in a sent object, bundle-only, or
//! listed with its reason in `tests/parity/policy-exceptions.json` (a finding in a document
//! the policy never receives, YAML-only syntax the API server never sends…). An exception
//! that is no longer needed fails the test too.

#[path = "../../../tests/parity/table.rs"]
mod table;

use dflint_core::document::{parse_json, parse_yaml, Node};
use dflint_core::source::is_acl_file_name;
use dflint_core::Source;
use dflint_policy::bundle_only_codes;
use dflint_policy_harness::{Host, Policy};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use table::{case_files, Finding};

/// A difference between the table and the policy: `(case, file, code, only_in)`, where
/// `only_in` is `cli` (in the table, not reported by the policy) or `policy`.
type Difference = (String, String, String, String);

/// The kinds the policy admits (`Admitted::of` in crates/policy/src/validate.rs):
/// `(apiVersion, kind)` → resource name.
const ADMITTED: &[(&str, &str, &str)] = &[
    ("dragonflydb.io/v1alpha1", "Dragonfly", "dragonflies"),
    ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies"),
    (
        "cilium.io/v2",
        "CiliumNetworkPolicy",
        "ciliumnetworkpolicies",
    ),
    (
        "cilium.io/v2",
        "CiliumClusterwideNetworkPolicy",
        "ciliumclusterwidenetworkpolicies",
    ),
    ("v1", "Secret", "secrets"),
    ("v1", "ConfigMap", "configmaps"),
];

/// One object sent to the policy.
struct Sent {
    case: String,
    file: String,
    /// What the log shows: `example.yaml#1 Dragonfly/cache`.
    label: String,
    object: Value,
    /// Codes of the table's findings inside the object, bundle-only codes left out.
    expected: BTreeSet<String>,
}

fn request(object: &Value) -> Value {
    let api_version = object["apiVersion"].as_str().unwrap_or("");
    let kind = object["kind"].as_str().unwrap_or("");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let resource = ADMITTED
        .iter()
        .find(|(a, k, _)| *a == api_version && *k == kind)
        .map_or("", |(_, _, r)| r);
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("parity");
    json!({
        "uid": "parity-table",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource},
        "requestKind": {"group": group, "version": version, "kind": kind},
        "requestResource": {"group": group, "version": version, "resource": resource},
        "name": object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or(""),
        "namespace": namespace,
        "operation": "CREATE",
        "userInfo": {"username": "parity-table"},
        "object": object,
        "oldObject": null,
        "dryRun": false,
    })
}

fn is_admitted(root: &Node) -> bool {
    let api_version = root.get("apiVersion").and_then(Node::as_str);
    let kind = root.get("kind").and_then(Node::as_str);
    ADMITTED
        .iter()
        .any(|(a, k, _)| Some(*a) == api_version && Some(*k) == kind)
}

fn codes(findings: &[&Finding]) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| !bundle_only_codes().contains(&f.code.as_str()))
        .map(|f| f.code.clone())
        .collect()
}

/// Splits a case into the objects the policy receives; findings of the table that fall in
/// no sent object (and are not bundle-only) are differences.
fn objects_of_case(
    case: &str,
    findings: &[Finding],
    sent: &mut Vec<Sent>,
    unsent: &mut BTreeSet<Difference>,
) {
    for (file, text) in case_files(case) {
        let in_file: Vec<&Finding> = findings.iter().filter(|f| f.file == file).collect();
        let mut covered = vec![false; in_file.len()];
        if is_acl_file_name(&file) {
            covered.iter_mut().for_each(|c| *c = true);
            sent.push(Sent {
                case: case.to_string(),
                label: format!("{file} (as a Secret's stringData)"),
                object: json!({
                    "apiVersion": "v1", "kind": "Secret",
                    "metadata": {"name": "parity-acl", "namespace": "parity"},
                    "stringData": {file.as_str(): text.as_str()},
                }),
                expected: codes(&in_file),
                file: file.clone(),
            });
        } else {
            let parsed = if file.ends_with(".json") {
                parse_json(&text)
            } else {
                parse_yaml(&text)
            };
            let source = Source::new(file.as_str(), text.as_str());
            for (index, root) in parsed.roots.iter().enumerate() {
                if !is_admitted(root) {
                    continue;
                }
                let first = source.line_col(root.span.start).0 as u64;
                let last = source.line_col(root.span.end).0 as u64;
                let mut inside = Vec::new();
                for (i, finding) in in_file.iter().enumerate() {
                    if (first..=last).contains(&finding.line) {
                        covered[i] = true;
                        inside.push(*finding);
                    }
                }
                let object = root.to_json();
                sent.push(Sent {
                    case: case.to_string(),
                    label: format!(
                        "{file}#{index} {}/{}",
                        object["kind"].as_str().unwrap_or("?"),
                        object
                            .pointer("/metadata/name")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                    ),
                    object,
                    expected: codes(&inside),
                    file: file.clone(),
                });
            }
        }
        for (finding, covered) in in_file.iter().zip(covered) {
            if !covered && !bundle_only_codes().contains(&finding.code.as_str()) {
                unsent.insert((
                    case.to_string(),
                    file.clone(),
                    finding.code.clone(),
                    "cli".to_string(),
                ));
            }
        }
    }
}

fn annotated_codes(answer: &Value) -> BTreeSet<String> {
    answer["audit_annotations"]["dflint-codes"]
        .as_str()
        .unwrap_or("")
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn load_exceptions() -> BTreeMap<Difference, String> {
    let path = table::parity_dir().join("policy-exceptions.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut exceptions = BTreeMap::new();
    for entry in value.as_array().expect("a list of exceptions") {
        let field = |name: &str| {
            entry[name]
                .as_str()
                .unwrap_or_else(|| panic!("exception without `{name}`: {entry}"))
                .to_string()
        };
        let only_in = field("only_in");
        assert!(
            only_in == "cli" || only_in == "policy",
            "`only_in` is `cli` or `policy`: {entry}"
        );
        let reason = field("reason");
        assert!(
            !reason.trim().is_empty(),
            "an exception needs a reason: {entry}"
        );
        let key = (field("case"), field("file"), field("code"), only_in);
        assert!(
            exceptions.insert(key.clone(), reason).is_none(),
            "listed twice: {key:?}"
        );
    }
    exceptions
}

#[test]
fn the_policy_reports_the_table_minus_the_bundle_only_rules() {
    let table = table::load_table();
    let cases = table::case_names();
    assert_eq!(
        table.keys().collect::<Vec<_>>(),
        cases.iter().collect::<Vec<_>>(),
        "the table and the case directories differ: bless it (tests/parity/README.md)"
    );

    let mut sent = Vec::new();
    let mut differences = BTreeSet::new();
    for (case, findings) in &table {
        objects_of_case(case, findings, &mut sent, &mut differences);
    }
    // The bundle-only skip is exercised: some sent object holds a bundle-only finding in
    // the table, which the policy must leave out.
    let skipped = table
        .iter()
        .flat_map(|(case, findings)| findings.iter().map(move |f| (case, f)))
        .filter(|(_, f)| bundle_only_codes().contains(&f.code.as_str()))
        .count();
    assert!(skipped > 0, "no case has a bundle-only finding");

    let settings = json!({"warnSeverity": "info"});
    let started = std::time::Instant::now();
    let policy = Policy::shared();
    let loaded = started.elapsed();
    let mut failures = Vec::new();
    for object in &sent {
        let answer = policy.validate(&request(&object.object), &settings, &Host::new());
        if answer["accepted"] == false && answer["code"] != 422 {
            failures.push(format!(
                "{} {}: the policy did not lint it: {answer}",
                object.case, object.label
            ));
            continue;
        }
        let actual = annotated_codes(&answer);
        for code in actual.iter().filter(|c| c.starts_with("DF")) {
            assert!(
                !bundle_only_codes().contains(&code.as_str()),
                "{} {}: the policy ran bundle-only rule {code} in single-object mode",
                object.case,
                object.label
            );
        }
        for (codes, only_in) in [
            (object.expected.difference(&actual), "cli"),
            (actual.difference(&object.expected), "policy"),
        ] {
            for code in codes {
                differences.insert((
                    object.case.clone(),
                    object.file.clone(),
                    code.clone(),
                    only_in.to_string(),
                ));
            }
        }
    }
    eprintln!(
        "{} cases, {} objects sent to the policy in {:?} (building and loading it: {loaded:?}), {} differences",
        table.len(),
        sent.len(),
        started.elapsed() - loaded,
        differences.len()
    );

    let exceptions = load_exceptions();
    let unexplained: Vec<&Difference> = differences
        .iter()
        .filter(|d| !exceptions.contains_key(*d))
        .collect();
    if !unexplained.is_empty() {
        let listed: Vec<String> = unexplained
            .iter()
            .map(|(case, file, code, only_in)| {
                format!(
                    "  {}",
                    json!({"case": case, "file": file, "code": code, "only_in": only_in, "reason": "?"})
                )
            })
            .collect();
        failures.push(format!(
            "{} differences between the table and the policy are not in tests/parity/policy-exceptions.json (`only_in: cli`: the table has it, the policy does not report it):\n{}",
            unexplained.len(),
            listed.join(",\n")
        ));
    }
    let stale: Vec<String> = exceptions
        .keys()
        .filter(|e| !differences.contains(*e))
        .map(|(case, file, code, only_in)| format!("  {case} {file} {code} only_in={only_in}"))
        .collect();
    if !stale.is_empty() {
        failures.push(format!(
            "exceptions no longer needed (the policy and the table agree now): remove them from tests/parity/policy-exceptions.json\n{}",
            stale.join("\n")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
