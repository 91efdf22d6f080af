//! Keeps the policy's packaging consistent with its code: `metadata.yml`, `artifacthub-pkg.yml`,
//! `questions-ui.yml`, `README.md` and the example manifests in `manifests/`.
//!
//! Facts are taken from the code wherever it can answer: the setting names from the
//! deserializer's own list of fields, the kinds the policy reads and the resources it fetches
//! by running `validate` on probe requests, the version from Cargo. The YAML files are read
//! with dflint-core's loader, so a duplicate key or a syntax error fails here too.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use dflint_core::document::parse_yaml;
use dflint_core::resource::Kind;
use dflint_policy::cluster::Cluster;
use dflint_policy::settings::Settings;
use dflint_policy::validate::{bundle_only_codes, context_aware_codes, validate};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// reading the packaging files

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(path(relative))
        .unwrap_or_else(|e| panic!("cannot read crates/policy/{relative}: {e}"))
}

/// Every document of a YAML text, as JSON. Syntax problems (duplicate keys included) fail.
fn yaml_documents(name: &str, text: &str) -> Vec<Value> {
    // The YAML reader itself: the linter's loader keeps only documents its rules read.
    let parsed = parse_yaml(text);
    assert!(
        parsed.problems.is_empty(),
        "{name} does not read cleanly: {:?}",
        parsed.problems
    );
    parsed
        .roots
        .iter()
        .filter(|root| !root.is_null())
        .map(|root| root.to_json())
        .collect()
}

fn yaml_document(name: &str, text: &str) -> Value {
    let mut documents = yaml_documents(name, text);
    assert_eq!(documents.len(), 1, "{name} must hold exactly one document");
    documents.remove(0)
}

fn yaml_file(relative: &str) -> Value {
    yaml_document(relative, &read(relative))
}

fn metadata() -> Value {
    yaml_file("metadata.yml")
}

fn artifacthub() -> Value {
    yaml_file("artifacthub-pkg.yml")
}

fn annotation(metadata: &Value, key: &str) -> String {
    metadata["annotations"][key]
        .as_str()
        .unwrap_or_else(|| panic!("metadata.yml has no string annotation `{key}`"))
        .to_string()
}

/// The example manifests: (file name, documents).
fn manifests() -> Vec<(String, Vec<Value>)> {
    let mut files: Vec<(String, Vec<Value>)> = std::fs::read_dir(path("manifests"))
        .expect("crates/policy/manifests/ is missing")
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            let documents = yaml_documents(&name, &text);
            (name, documents)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn manifest(name: &str) -> Vec<Value> {
    manifests()
        .into_iter()
        .find(|(file, _)| file == name)
        .unwrap_or_else(|| panic!("manifests/{name} is missing"))
        .1
}

fn is_policy(document: &Value) -> bool {
    matches!(
        document["kind"].as_str(),
        Some("ClusterAdmissionPolicy" | "AdmissionPolicy")
    )
}

fn the_policy(name: &str) -> Value {
    let policies: Vec<Value> = manifest(name).into_iter().filter(is_policy).collect();
    assert_eq!(policies.len(), 1, "manifests/{name}: one policy expected");
    policies.into_iter().next().unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected a list of strings, found {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("expected a string, found {v}"))
                .to_string()
        })
        .collect()
}

/// The `(group, version, resource, operation)` tuples a list of admission rules matches.
fn rule_tuples(rules: &Value) -> BTreeSet<(String, String, String, String)> {
    let mut tuples = BTreeSet::new();
    for rule in rules.as_array().expect("`rules` must be a list") {
        for group in strings(&rule["apiGroups"]) {
            for version in strings(&rule["apiVersions"]) {
                for resource in strings(&rule["resources"]) {
                    for operation in strings(&rule["operations"]) {
                        tuples.insert((
                            group.clone(),
                            version.clone(),
                            resource.clone(),
                            operation,
                        ));
                    }
                }
            }
        }
    }
    tuples
}

/// `{apiVersion, kind}` lists as a set.
fn api_kinds(list: &Value) -> BTreeSet<(String, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list of {{apiVersion, kind}}, found {list}"))
        .iter()
        .map(|item| {
            (
                item["apiVersion"].as_str().unwrap().to_string(),
                item["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn csv(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_string()).collect()
}

/// The resource name Kubernetes derives for a kind (`Dragonfly` → `dragonflies`).
fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    match lower.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ if lower.ends_with('s') => format!("{lower}es"),
        _ => format!("{lower}s"),
    }
}

fn split_api_version(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((group, version)) => (group.to_string(), version.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}

// ---------------------------------------------------------------------------------------
// asking the code

/// The field names a serde "unknown field" error lists as expected.
fn expected_fields(settings_json: &str) -> BTreeSet<String> {
    let error = Settings::from_json(settings_json.as_bytes())
        .expect_err("the probe key must be refused as an unknown field");
    let (_, expected) = error
        .split_once("expected")
        .unwrap_or_else(|| panic!("the settings error no longer lists the fields: {error}"));
    let fields: BTreeSet<String> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert!(!fields.is_empty(), "no field names in: {error}");
    fields
}

/// The camelCase names among serde's expected fields: the model reads both spellings
/// (`extend-select`, `extendSelect`), the policy documents the camelCase one.
fn camel_names(fields: BTreeSet<String>) -> BTreeSet<String> {
    fields.into_iter().filter(|f| !f.contains('-')).collect()
}

/// Settings the shared model has that the policy refuses (admission reads no files).
const FILE_SETTINGS: [&str; 4] = [
    "perFileIgnores",
    "exclude",
    "extendExclude",
    "respectGitignore",
];

/// Every setting, as the policy spells it in JSON: the sections `acl` and `network` by
/// their fields (`acl.dialect`); `limits` as one setting. `failOn` is documented under the
/// policy's name for it, `rejectSeverity`.
fn setting_names() -> BTreeSet<String> {
    let mut names = camel_names(expected_fields(r#"{"dflintPackagingProbe": 1}"#));
    for refused in FILE_SETTINGS.iter().chain(&["failOn"]) {
        assert!(names.remove(*refused), "no `{refused}` in {names:?}");
    }
    for section in ["acl", "network"] {
        assert!(names.remove(section), "no `{section}` in {names:?}");
        let probe = json!({ section: {"dflintPackagingProbe": 1} }).to_string();
        names.extend(
            camel_names(expected_fields(&probe))
                .into_iter()
                .map(|field| format!("{section}.{field}")),
        );
    }
    assert!(names.contains("contextAware"), "{names:?}");
    names
}

/// A settings object setting one (dotted) setting: `acl.dialect` → `{"acl": {"dialect": …}}`.
fn nested(name: &str, value: Value) -> Value {
    match name.split_once('.') {
        Some((section, rest)) => json!({ section: nested(rest, value) }),
        None => json!({ name: value }),
    }
}

/// The settings that are lists of objects, by their dotted names.
const SEQUENCE_SETTINGS: [&str; 2] = ["network.metricsScrapers", "acl.ignore"];

/// The fields of one entry of a list-of-objects setting (`network.metricsScrapers`).
fn item_field_names(sequence: &str) -> BTreeSet<String> {
    let probe = nested(sequence, json!([{"dflintPackagingProbe": 1}]));
    camel_names(expected_fields(&probe.to_string()))
}

/// The fields of the entries of every list-of-objects setting.
fn all_item_field_names() -> BTreeSet<String> {
    SEQUENCE_SETTINGS
        .iter()
        .flat_map(|s| item_field_names(s))
        .collect()
}

/// The values an enum setting accepts, from the deserializer's "unknown variant" error.
fn enum_values(setting: &str) -> BTreeSet<String> {
    expected_fields(&nested(setting, json!("dflintPackagingProbe")).to_string())
}

fn settings_of(value: &Value) -> Result<Settings, String> {
    Settings::from_json(value.to_string().as_bytes())
}

/// A CREATE request for `kind`, as policy-server passes it to `validate`.
fn request(api_version: &str, kind: &str, object: Value) -> Value {
    let (group, version) = split_api_version(api_version);
    json!({
        "uid": "packaging-probe",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": plural(kind)},
        "operation": "CREATE",
        "namespace": "cache",
        "userInfo": {"username": "packaging-probe"},
        "object": object,
    })
}

fn answer(request: &Value, settings: &Value, cluster: &dyn Cluster) -> Value {
    let payload = json!({"request": request, "settings": settings});
    serde_json::from_slice(&validate(&serde_json::to_vec(&payload).unwrap(), cluster))
        .expect("validate must answer with JSON")
}

/// Whether the policy reads objects of this kind: with a one-byte size limit, a kind it reads
/// is refused (too large), a kind it ignores is accepted untouched.
fn policy_reads(api_version: &str, kind: &str) -> bool {
    let object = json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": "probe", "namespace": "cache"},
    });
    let response = answer(
        &request(api_version, kind, object),
        &json!({"maxObjectBytes": 1}),
        &dflint_policy::cluster::NoCluster,
    );
    match response["accepted"].as_bool() {
        Some(false) => true,
        Some(true) => {
            assert!(
                response["warnings"].is_null() && response["audit_annotations"].is_null(),
                "{api_version} {kind} is accepted, but not untouched: {response}"
            );
            false
        }
        None => panic!("no `accepted` in {response}"),
    }
}

/// Candidate kinds: everything dflint-core recognises plus a few common kinds it does not.
fn candidate_kinds() -> BTreeSet<(String, String)> {
    let mut kinds: BTreeSet<(String, String)> = Kind::ALL
        .iter()
        .map(|k| (k.api_version().to_string(), k.name().to_string()))
        .collect();
    for (api_version, kind) in [
        ("v1", "Pod"),
        ("v1", "Service"),
        ("v1", "Namespace"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "Deployment"),
    ] {
        kinds.insert((api_version.to_string(), kind.to_string()));
    }
    kinds
}

/// The `(apiVersion, kind)` of every kind the policy reads.
fn kinds_the_policy_reads() -> BTreeSet<(String, String)> {
    let kinds: BTreeSet<(String, String)> = candidate_kinds()
        .into_iter()
        .filter(|(api_version, kind)| policy_reads(api_version, kind))
        .collect();
    assert!(
        kinds.contains(&(
            "dragonflydb.io/v1alpha1".to_string(),
            "Dragonfly".to_string()
        )),
        "the probe no longer works: {kinds:?}"
    );
    kinds
}

/// A cluster that records every read and grants none.
#[derive(Default)]
struct Recording {
    /// `(apiVersion, kind, host capability)`.
    calls: RefCell<BTreeSet<(String, String, String)>>,
}

impl Cluster for Recording {
    fn get(
        &self,
        api_version: &str,
        kind: &str,
        _: &str,
        _: Option<&str>,
    ) -> Result<Value, String> {
        self.calls.borrow_mut().insert((
            api_version.to_string(),
            kind.to_string(),
            "kubernetes/get_resource".to_string(),
        ));
        Err("not granted in this test".to_string())
    }

    fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
    ) -> Result<Vec<Value>, String> {
        let capability = match namespace {
            Some(_) => "kubernetes/list_resources_by_namespace",
            None => "kubernetes/list_resources_all",
        };
        self.calls.borrow_mut().insert((
            api_version.to_string(),
            kind.to_string(),
            capability.to_string(),
        ));
        Err("not granted in this test".to_string())
    }
}

/// An object of `kind` that refers to everything context-aware mode can read for it.
fn referring_object(api_version: &str, kind: &str) -> Value {
    let mut object = json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": "probe", "namespace": "cache", "labels": {"dflint.io/acl": "true"}},
    });
    match kind {
        // Where the operator's CRD (v1.6) puts the ACL Secret.
        "Dragonfly" => {
            object["spec"] = json!({
                "authentication": {"passwordFromSecret": {"name": "auth", "key": "password"}},
                "aclFromSecret": {"name": "dragonfly-acl", "key": "acl.conf"},
            })
        }
        "NetworkPolicy" => {
            object["spec"] = json!({"podSelector": {"matchLabels": {"app": "cache"}}})
        }
        "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy" => {
            object["spec"] = json!({"endpointSelector": {"matchLabels": {"app": "cache"}}})
        }
        _ => {}
    }
    if kind == "CiliumClusterwideNetworkPolicy" {
        object["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("namespace");
    }
    object
}

/// What context-aware mode reads, over one referring object of every kind the policy reads:
/// `(apiVersion, kind, host capability)`.
fn context_reads(settings: &Value) -> BTreeSet<(String, String, String)> {
    let cluster = Recording::default();
    for (api_version, kind) in kinds_the_policy_reads() {
        let object = referring_object(&api_version, &kind);
        let response = answer(&request(&api_version, &kind, object), settings, &cluster);
        assert!(
            response["code"] != 500 && response["code"] != 400,
            "{kind}: a refused read must not break the answer: {response}"
        );
    }
    cluster.calls.into_inner()
}

fn fetched_resources() -> BTreeSet<(String, String)> {
    context_reads(&json!({"contextAware": true}))
        .into_iter()
        .map(|(api_version, kind, _)| (api_version, kind))
        .collect()
}

// ---------------------------------------------------------------------------------------
// settings: questions-ui.yml and README.md

fn questions() -> Vec<Value> {
    yaml_file("questions-ui.yml")["questions"]
        .as_array()
        .expect("questions-ui.yml: `questions` must be a list")
        .clone()
}

fn variable(question: &Value) -> String {
    question["variable"]
        .as_str()
        .unwrap_or_else(|| panic!("a question without `variable`: {question}"))
        .to_string()
}

/// The default's JSON type must fit the question's UI type.
fn assert_type_fits(question: &Value) {
    let name = variable(question);
    let default = &question["default"];
    let fits = match question["type"].as_str() {
        Some("string" | "enum") => default.is_string() || default.is_null(),
        Some("boolean") => default.is_boolean(),
        Some("int") => default.is_i64() || default.is_u64(),
        Some("array[" | "sequence[") => default.is_array(),
        Some("map[") => default.is_object(),
        other => panic!("question `{name}`: unexpected type {other:?}"),
    };
    assert!(
        fits,
        "question `{name}`: default {default} does not fit type {}",
        question["type"]
    );
}

#[test]
fn every_setting_has_a_question_and_every_question_is_a_setting() {
    let questions = questions();
    let variables: BTreeSet<String> = questions.iter().map(variable).collect();
    assert_eq!(variables.len(), questions.len(), "a setting is asked twice");
    assert_eq!(
        variables,
        setting_names(),
        "questions-ui.yml variables (left) and the policy's settings (right) differ"
    );

    for question in &questions {
        let name = variable(question);
        assert_type_fits(question);
        assert!(
            question["label"].is_string()
                && (question["tooltip"].is_string() || question["description"].is_string()),
            "question `{name}` needs a label and a tooltip"
        );
        // The default, given on its own, reads back as the policy's own default.
        assert_eq!(
            settings_of(&nested(&name, question["default"].clone())),
            Ok(Settings::default()),
            "question `{name}`: its default is not the policy's default"
        );
        if question["type"] == "enum" {
            let options: BTreeSet<String> = strings(&question["options"]).into_iter().collect();
            assert_eq!(
                options,
                enum_values(&name),
                "question `{name}`: the options (left) are not the values the policy accepts (right)"
            );
        }
        for bound in ["min", "max"] {
            if let Some(limit) = question[bound].as_i64() {
                assert!(
                    settings_of(&nested(&name, json!(limit))).is_ok(),
                    "question `{name}`: the policy refuses its own {bound} {limit}"
                );
                let beyond = if bound == "min" { limit - 1 } else { limit + 1 };
                assert!(
                    settings_of(&nested(&name, json!(beyond))).is_err(),
                    "question `{name}`: the policy accepts {beyond}, beyond the question's {bound}"
                );
            }
        }
        if let Some(items) = question["sequence_questions"].as_array() {
            let fields: BTreeSet<String> = items.iter().map(variable).collect();
            assert_eq!(
                fields,
                item_field_names(&name),
                "question `{name}`: the item questions (left) are not the item fields (right)"
            );
            // One item built from the item questions must be accepted.
            let mut item = serde_json::Map::new();
            for sub in items {
                assert_type_fits(sub);
                let sample = match (sub["type"].as_str(), variable(sub).as_str()) {
                    (Some("map["), _) => json!({"app.kubernetes.io/name": "vmagent"}),
                    // `acl.ignore` names a rule.
                    (_, "code") => json!("DF210"),
                    _ => json!("monitoring"),
                };
                item.insert(variable(sub), sample);
            }
            let with_item = nested(&name, json!([Value::Object(item)]));
            assert!(
                settings_of(&with_item).is_ok(),
                "question `{name}`: an item made from its questions is refused: {:?}",
                settings_of(&with_item)
            );
        }
    }
}

fn readme() -> String {
    read("README.md")
}

/// The text of a `## ` section of the README, up to the next one.
fn readme_section(readme: &str, heading: &str) -> String {
    let start = readme
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no `## {heading}` section"));
    let body = &readme[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 3);
    body[..end].to_string()
}

#[test]
fn every_setting_is_documented_in_the_readme() {
    let readme = readme();
    let section = readme_section(&readme, "Settings");
    let mut missing: Vec<String> = setting_names()
        .into_iter()
        .chain(all_item_field_names())
        .filter(|name| !section.contains(&format!("`{name}`")))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "README.md `## Settings` does not document {missing:?}"
    );
    // Every setting the README's table names is real.
    let documented: BTreeSet<String> = section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| line.split('`').nth(1).map(str::to_string))
        .collect();
    let known: BTreeSet<String> = setting_names()
        .into_iter()
        .chain(all_item_field_names())
        .collect();
    let unknown: Vec<&String> = documented.difference(&known).collect();
    assert!(
        unknown.is_empty(),
        "README.md documents settings the policy does not have: {unknown:?}"
    );
    // The section's YAML example is accepted as it stands.
    let example = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md `## Settings` has no ```yaml example");
    let example = yaml_document("README.md settings example", example);
    assert!(example["settings"].is_object(), "{example}");
    if let Err(error) = settings_of(&example["settings"]) {
        panic!("README.md's settings example is invalid: {error}");
    }
}

#[test]
fn readme_lists_the_rules_each_mode_skips() {
    let readme = readme();
    let start = readme
        .find("<!-- bundle-only:start -->")
        .expect("README.md has no `<!-- bundle-only:start -->` marker");
    let end = readme
        .find("<!-- bundle-only:end -->")
        .expect("README.md has no `<!-- bundle-only:end -->` marker");
    let mut listed = BTreeMap::new();
    for line in readme[start..end].lines().filter(|l| l.starts_with("| DF")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let code = cells[1].to_string();
        let rule = cells[2].trim_matches('`').to_string();
        let rerun = cells[cells.len() - 2].contains("runs");
        let meta = dflint_core::rules::registry()
            .iter()
            .map(|r| r.meta())
            .find(|m| m.code == code)
            .unwrap_or_else(|| panic!("README.md lists {code}, which is no rule"));
        assert_eq!(meta.name, rule, "README.md names {code} wrongly");
        listed.insert(code, rerun);
    }
    let skipped: BTreeSet<&str> = listed.keys().map(String::as_str).collect();
    assert_eq!(
        skipped,
        bundle_only_codes().into_iter().collect::<BTreeSet<_>>(),
        "README.md's skipped rules (left) are not the rules declared `Scope::Bundle` (right)"
    );
    let rerun: BTreeSet<&str> = listed
        .iter()
        .filter(|(_, rerun)| **rerun)
        .map(|(code, _)| code.as_str())
        .collect();
    assert_eq!(
        rerun,
        context_aware_codes().into_iter().collect::<BTreeSet<_>>(),
        "README.md's context-aware rules (left) are not the ones context-aware mode can feed (right)"
    );
}

// ---------------------------------------------------------------------------------------
// metadata.yml

#[test]
fn metadata_rules_cover_exactly_the_kinds_the_policy_reads() {
    let metadata = metadata();
    let tuples = rule_tuples(&metadata["rules"]);
    let mut expected = BTreeSet::new();
    let read = kinds_the_policy_reads();
    for (api_version, kind) in &read {
        let (group, version) = split_api_version(api_version);
        // DELETE and CONNECT are accepted unread, so only these two are worth a webhook call.
        for operation in ["CREATE", "UPDATE"] {
            expected.insert((
                group.clone(),
                version.clone(),
                plural(kind),
                operation.to_string(),
            ));
        }
    }
    assert_eq!(
        tuples, expected,
        "metadata.yml rules (left) and the kinds the policy reads (right) differ"
    );
    let resources: BTreeSet<String> = csv(&annotation(&metadata, "io.artifacthub.resources"))
        .into_iter()
        .collect();
    let kinds: BTreeSet<String> = read.into_iter().map(|(_, kind)| kind).collect();
    assert_eq!(resources, kinds, "io.artifacthub.resources (left) differs");
}

#[test]
fn context_aware_resources_match_what_the_policy_fetches() {
    let reads = context_reads(&json!({"contextAware": true}));
    let fetched = fetched_resources();
    assert!(
        context_reads(&json!({})).is_empty(),
        "the policy reads the cluster although contextAware is off"
    );

    let metadata = metadata();
    assert_eq!(
        api_kinds(&metadata["contextAwareResources"]),
        fetched,
        "metadata.yml contextAwareResources (left) and what the policy fetches (right) differ"
    );
    let capabilities: BTreeSet<String> =
        strings(&metadata["hostCapabilities"]).into_iter().collect();
    let used: BTreeSet<String> = reads.iter().map(|(_, _, c)| c.clone()).collect();
    assert_eq!(
        capabilities, used,
        "metadata.yml hostCapabilities (left) and the capabilities the policy calls (right) differ"
    );

    let policy = the_policy("dflint-context-aware.yaml");
    assert_eq!(
        policy["spec"]["settings"]["contextAware"], true,
        "dflint-context-aware.yaml must turn contextAware on"
    );
    assert_eq!(
        api_kinds(&policy["spec"]["contextAwareResources"]),
        fetched,
        "dflint-context-aware.yaml spec.contextAwareResources (left) differs from what the policy fetches (right)"
    );

    // The RBAC shipped with it grants exactly the verbs the reads need.
    let roles: Vec<Value> = manifest("dflint-context-aware.yaml")
        .into_iter()
        .filter(|d| d["kind"] == "ClusterRole")
        .collect();
    assert_eq!(roles.len(), 1, "dflint-context-aware.yaml: one ClusterRole");
    let mut granted: BTreeSet<(String, String, String)> = BTreeSet::new();
    for rule in roles[0]["rules"].as_array().unwrap() {
        for group in strings(&rule["apiGroups"]) {
            for resource in strings(&rule["resources"]) {
                for verb in strings(&rule["verbs"]) {
                    granted.insert((group.clone(), resource.clone(), verb));
                }
            }
        }
    }
    let mut needed = BTreeSet::new();
    for (api_version, kind, capability) in &reads {
        let (group, _) = split_api_version(api_version);
        // policy-server fetches one object directly and serves lists from a watch.
        let verbs: &[&str] = if capability.ends_with("get_resource") {
            &["get"]
        } else {
            &["list", "watch"]
        };
        for verb in verbs {
            needed.insert((group.clone(), plural(kind), verb.to_string()));
        }
    }
    assert_eq!(
        granted, needed,
        "the ClusterRole (left) does not grant exactly what the reads need (right)"
    );
    let bindings: Vec<Value> = manifest("dflint-context-aware.yaml")
        .into_iter()
        .filter(|d| d["kind"] == "ClusterRoleBinding")
        .collect();
    assert_eq!(bindings.len(), 1, "dflint-context-aware.yaml: one binding");
    assert_eq!(bindings[0]["roleRef"]["name"], roles[0]["metadata"]["name"]);
    assert_eq!(bindings[0]["subjects"][0]["kind"], "ServiceAccount");
}

/// Every `cluster.get(` / `cluster.list(` call in validate.rs names its apiVersion and kind
/// literally, and each of them was reached by the probes above (so a new read cannot hide
/// behind an object shape the probes do not build).
#[test]
fn every_read_in_the_source_is_probed() {
    let source = read("src/validate.rs");
    let fetched = fetched_resources();
    let mut seen = 0;
    for call in ["cluster.get(", "cluster.list("] {
        for (at, _) in source.match_indices(call) {
            let arguments = &source[at + call.len()..];
            let arguments = &arguments[..arguments.find(')').unwrap_or(arguments.len())];
            let literals: Vec<&str> = arguments.split('"').skip(1).step_by(2).collect();
            assert!(
                literals.len() >= 2,
                "validate.rs: `{call}{arguments})` does not name apiVersion and kind literally; update this test"
            );
            let read = (literals[0].to_string(), literals[1].to_string());
            assert!(
                fetched.contains(&read),
                "validate.rs reads {read:?}, but no probe request reached that read"
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no cluster read found in validate.rs");
}

#[test]
fn metadata_declares_a_validating_wapc_policy() {
    let metadata = metadata();
    assert_eq!(metadata["mutating"], false);
    assert_eq!(metadata["backgroundAudit"], true);
    assert_eq!(metadata["executionMode"], "kubewarden-wapc");
    assert!(
        metadata["annotations"]["hostCapabilities"].is_null(),
        "hostCapabilities is a top-level key, not an annotation"
    );
    for key in [
        "io.kubewarden.policy.title",
        "io.kubewarden.policy.version",
        "io.kubewarden.policy.description",
        "io.kubewarden.policy.author",
        "io.kubewarden.policy.url",
        "io.kubewarden.policy.source",
        "io.kubewarden.policy.ociUrl",
        "io.kubewarden.policy.license",
        "io.kubewarden.policy.severity",
        "io.kubewarden.policy.category",
        "io.artifacthub.displayName",
        "io.artifacthub.resources",
        "io.artifacthub.keywords",
    ] {
        assert!(
            !annotation(&metadata, key).trim().is_empty(),
            "{key} is empty"
        );
    }
    assert!(
        metadata["annotations"]["io.kubewarden.policy.usage"].is_null(),
        "io.kubewarden.policy.usage is filled in by `kwctl annotate -u README.md`"
    );
    assert_eq!(
        annotation(&metadata, "io.kubewarden.policy.license"),
        env!("CARGO_PKG_LICENSE")
    );
    let severity = annotation(&metadata, "io.kubewarden.policy.severity");
    assert!(
        ["info", "low", "medium", "high", "critical"].contains(&severity.as_str()),
        "severity {severity}"
    );
    // `Name <email>[, Name <email>…]`, as `kwctl scaffold artifacthub` requires.
    for author in csv(&annotation(&metadata, "io.kubewarden.policy.author")) {
        let (name, rest) = author
            .split_once(" <")
            .unwrap_or_else(|| panic!("author `{author}` is not `Name <email>`"));
        assert!(
            !name.trim().is_empty() && rest.ends_with('>') && rest.contains('@'),
            "author `{author}` is not `Name <email>`"
        );
    }
    assert!(csv(&annotation(&metadata, "io.artifacthub.keywords"))
        .iter()
        .all(|k| !k.is_empty()));
}

// ---------------------------------------------------------------------------------------
// versions and artifacthub-pkg.yml

#[test]
fn every_version_is_the_crate_version() {
    let version = env!("CARGO_PKG_VERSION");
    let metadata = metadata();
    assert_eq!(
        annotation(&metadata, "io.kubewarden.policy.version"),
        version,
        "metadata.yml io.kubewarden.policy.version is not the crate version"
    );
    let image = format!(
        "{}:v{version}",
        annotation(&metadata, "io.kubewarden.policy.ociUrl")
    );
    let package = artifacthub();
    assert_eq!(package["version"], version, "artifacthub-pkg.yml version");
    assert_eq!(package["containersImages"][0]["name"], "policy");
    assert_eq!(package["containersImages"][0]["image"], image.as_str());
    let policy_link = package["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "policy")
        .expect("artifacthub-pkg.yml has no policy link");
    assert!(
        policy_link["url"]
            .as_str()
            .unwrap()
            .contains(&format!("/v{version}/")),
        "the policy link is not for v{version}"
    );
    let module = format!("registry://{image}");
    for (file, documents) in manifests() {
        for policy in documents.iter().filter(|d| is_policy(d)) {
            assert_eq!(
                policy["spec"]["module"],
                module.as_str(),
                "manifests/{file}: module"
            );
        }
    }
}

#[test]
fn artifacthub_package_mirrors_metadata() {
    let metadata = metadata();
    let package = artifacthub();
    let a = |key: &str| annotation(&metadata, key);
    assert_eq!(package["name"], a("io.kubewarden.policy.title").as_str());
    assert_eq!(
        package["displayName"],
        a("io.artifacthub.displayName").as_str()
    );
    assert_eq!(
        package["description"],
        a("io.kubewarden.policy.description").as_str()
    );
    assert_eq!(
        package["license"],
        a("io.kubewarden.policy.license").as_str()
    );
    assert_eq!(package["homeURL"], a("io.kubewarden.policy.url").as_str());
    assert_eq!(
        strings(&package["keywords"]),
        csv(&a("io.artifacthub.keywords"))
    );
    let maintainers: Vec<Value> = csv(&a("io.kubewarden.policy.author"))
        .iter()
        .map(|author| {
            let (name, email) = author.split_once(" <").unwrap();
            json!({"name": name.trim(), "email": email.trim_end_matches('>')})
        })
        .collect();
    assert_eq!(package["maintainers"], Value::Array(maintainers));
    let source = package["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "source")
        .expect("artifacthub-pkg.yml has no source link");
    assert_eq!(source["url"], a("io.kubewarden.policy.source").as_str());

    let annotations = &package["annotations"];
    assert_eq!(
        annotations["kubewarden/mutation"],
        metadata["mutating"].as_bool().unwrap().to_string().as_str()
    );
    assert_eq!(
        annotations["kubewarden/resources"],
        a("io.artifacthub.resources").as_str()
    );
    let embedded = |key: &str| {
        let text = annotations[key]
            .as_str()
            .unwrap_or_else(|| panic!("artifacthub-pkg.yml has no `{key}` annotation"));
        yaml_document(key, text)
    };
    assert_eq!(
        embedded("kubewarden/rules"),
        metadata["rules"],
        "kubewarden/rules differs from metadata.yml rules"
    );
    assert_eq!(
        embedded("kubewarden/contextAwareResources"),
        metadata["contextAwareResources"],
        "kubewarden/contextAwareResources differs from metadata.yml"
    );
    assert_eq!(
        embedded("kubewarden/questions-ui"),
        yaml_file("questions-ui.yml"),
        "kubewarden/questions-ui differs from questions-ui.yml"
    );
}

// ---------------------------------------------------------------------------------------
// manifests/

#[test]
fn every_manifest_is_a_valid_policy_of_this_module() {
    let metadata = metadata();
    let allowed = rule_tuples(&metadata["rules"]);
    let fetched = fetched_resources();
    let files = manifests();
    for expected in [
        "dflint-strict.yaml",
        "dflint-context-aware.yaml",
        "dflint-acl-secrets.yaml",
    ] {
        assert!(
            files.iter().any(|(f, _)| f == expected),
            "manifests/{expected} is missing"
        );
    }
    for (file, documents) in &files {
        let policies: Vec<&Value> = documents.iter().filter(|d| is_policy(d)).collect();
        assert_eq!(policies.len(), 1, "manifests/{file}: one policy per file");
        let policy = policies[0];
        assert_eq!(policy["apiVersion"], "policies.kubewarden.io/v1", "{file}");
        let spec = &policy["spec"];
        assert_eq!(spec["mode"], "protect", "manifests/{file}: mode");
        assert_eq!(
            spec["mutating"], metadata["mutating"],
            "manifests/{file}: mutating"
        );
        assert!(spec["settings"].is_object(), "manifests/{file}: settings");
        let settings = settings_of(&spec["settings"])
            .unwrap_or_else(|e| panic!("manifests/{file}: settings are invalid: {e}"));

        let rules = rule_tuples(&spec["rules"]);
        assert!(!rules.is_empty(), "manifests/{file}: no rules");
        let extra: Vec<_> = rules.difference(&allowed).collect();
        assert!(
            extra.is_empty(),
            "manifests/{file}: rules outside metadata.yml: {extra:?}"
        );

        let granted = if spec["contextAwareResources"].is_null() {
            BTreeSet::new()
        } else {
            api_kinds(&spec["contextAwareResources"])
        };
        if settings.admission.context_aware {
            assert_eq!(granted, fetched, "manifests/{file}: contextAwareResources");
        } else {
            assert!(
                granted.is_empty(),
                "manifests/{file}: grants cluster reads the policy never makes"
            );
        }

        // An objectSelector applies to every kind of the policy: it only fits the ACL kinds,
        // and must select on the label the policy itself looks for.
        let selector = &spec["objectSelector"];
        if !selector.is_null() {
            let mut keys: BTreeSet<String> = selector["matchLabels"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for expression in selector["matchExpressions"]
                .as_array()
                .into_iter()
                .flatten()
            {
                assert!(
                    matches!(expression["operator"].as_str(), Some("Exists" | "In")),
                    "manifests/{file}: {expression}"
                );
                keys.insert(expression["key"].as_str().unwrap().to_string());
            }
            let label = settings.admission.acl_label.clone().unwrap_or_else(|| {
                panic!("manifests/{file}: an objectSelector without the `aclLabel` setting")
            });
            assert!(
                keys.contains(&label),
                "manifests/{file}: the objectSelector does not select on `{label}`"
            );
            assert!(
                rules
                    .iter()
                    .all(|(_, _, resource, _)| resource == "secrets" || resource == "configmaps"),
                "manifests/{file}: an objectSelector on ACL labels would skip unlabelled Dragonfly resources and network policies"
            );
        }
    }

    let strict = the_policy("dflint-strict.yaml");
    assert_eq!(
        rule_tuples(&strict["spec"]["rules"]),
        allowed,
        "dflint-strict.yaml covers every kind of metadata.yml"
    );
    assert_eq!(
        settings_of(&strict["spec"]["settings"]),
        Ok(Settings::default()),
        "dflint-strict.yaml uses the default settings"
    );
    let acl = the_policy("dflint-acl-secrets.yaml");
    assert!(
        !acl["spec"]["objectSelector"].is_null(),
        "dflint-acl-secrets.yaml needs an objectSelector"
    );
}
