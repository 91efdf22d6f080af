//! Secrets never leak through the admission policy: every object in
//! `crates/cli/tests/data/secrets/policy` (ACL Secrets and ConfigMaps with passwords in every
//! form, Dragonfly CRs with credentials in args and env, raw JSON with duplicate keys or nested
//! too deeply) is sent to the compiled policy — CREATE and UPDATE, with several settings, in
//! single-object and context-aware mode (the ACL Secret of `policy/cluster` read through the
//! host) — and its answer (reject message, warnings, audit annotations), any guest error and
//! every log line the guest sends to the host are searched for the secrets catalogued in
//! `markers.txt`, as `crates/cli/tests/redaction.rs` does for the command line (same rules:
//! see there). The test lists every leak it found once.

use dflint_policy_harness::{workspace_root, Host, Policy};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

#[path = "../../cli/tests/support/secret_scanner.rs"]
mod secret_scanner;
use secret_scanner::*;

/// The redaction fixtures and their catalogue of secrets.
fn data_dir() -> PathBuf {
    workspace_root().join("crates/cli/tests/data/secrets")
}

// ----------------------------------------------------------------------------------------------
// Requests

/// Every object sent to the policy: (fixture name, raw JSON text).
fn objects(under: &str) -> Vec<(String, String)> {
    let dir = data_dir().join(under);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = format!("{under}/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The first `"field": "value"` of a raw object (the fixtures put `apiVersion` and `kind`
/// first), read without parsing: some fixtures are too deep for serde_json.
fn first_field<'t>(raw: &'t str, field: &str) -> &'t str {
    let key = format!("\"{field}\"");
    let at = raw
        .find(&key)
        .unwrap_or_else(|| panic!("no {key} in {raw}"))
        + key.len();
    let rest = raw[at..].trim_start().trim_start_matches(':').trim_start();
    let rest = rest.strip_prefix('"').expect("a string value");
    &rest[..rest.find('"').unwrap()]
}

/// A bare AdmissionRequest for `raw` (and `old`), both spliced in as raw text so duplicate
/// keys and deep nesting reach the policy as written.
fn request(raw: &str, operation: &str, old: Option<&str>) -> String {
    let api_version = first_field(raw, "apiVersion");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = first_field(raw, "kind");
    let name = first_field(raw, "name");
    let gvk = json!({"group": group, "version": version, "kind": kind});
    let resource = json!({"group": group, "version": version,
                          "resource": format!("{}s", kind.to_ascii_lowercase())});
    format!(
        r#"{{"uid": "00000000-0000-4000-8000-000000000013", "kind": {gvk}, "resource": {resource},
            "requestKind": {gvk}, "requestResource": {resource}, "name": "{name}",
            "namespace": "cache", "operation": "{operation}",
            "userInfo": {{"username": "redaction-test"}}, "object": {raw},
            "oldObject": {old}, "dryRun": false, "options": {{}}}}"#,
        old = old.unwrap_or("null"),
    )
}

fn payload(request: &str, settings: &Value) -> Vec<u8> {
    format!(r#"{{"request": {request}, "settings": {settings}}}"#).into_bytes()
}

/// A clean object of the same kind, as the old object of an UPDATE that adds every finding.
fn clean_like(raw: &str) -> String {
    match first_field(raw, "kind") {
        "Dragonfly" => json!({"apiVersion": "dragonflydb.io/v1alpha1", "kind": "Dragonfly",
            "metadata": {"name": "clean", "namespace": "cache"}, "spec": {}})
        .to_string(),
        kind => json!({"apiVersion": "v1", "kind": kind,
            "metadata": {"name": "clean", "namespace": "cache"}, "data": {}})
        .to_string(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Leak {
    marker: String,
    path: String,
    place: String,
    text: String,
}

#[test]
fn the_policy_never_answers_or_logs_a_secret() {
    let scanner = Scanner::new(secrets(&data_dir()));
    let policy = Policy::shared();
    let cluster: Vec<Value> = objects("policy/cluster")
        .into_iter()
        .chain(objects("policy"))
        .filter_map(|(_, raw)| serde_json::from_str(&raw).ok())
        .collect();
    let settings = [
        json!({}),
        json!({"warnSeverity": "info"}),
        json!({"rejectSeverity": "info", "warnSeverity": "info"}),
        json!({"rejectSeverity": "warning", "warnSeverity": "info", "acl": {"dialect": "redis"}}),
        json!({"contextAware": true, "warnSeverity": "info"}),
        json!({"contextAware": true, "rejectSeverity": "info", "acl": {"adminUsers": ["nobody"]}}),
        json!({"maxObjectBytes": 64}),
    ];
    let mut leaks: Vec<Leak> = Vec::new();
    let mut calls = 0;
    let mut check = |path: String, answer: Result<Value, String>, host: &Host| {
        let mut record = |place: String, found: BTreeSet<usize>, shown: String| {
            let markers: Vec<&str> = found
                .iter()
                .map(|i| scanner.secrets[*i].value.as_str())
                .collect();
            leaks.push(Leak {
                marker: markers.join(" "),
                path: path.clone(),
                place,
                text: shorten(&shown),
            });
        };
        match &answer {
            Ok(value) => walk_json(value, "", &mut |pointer, s| {
                if let Some((found, shown)) = scanner.scan(s) {
                    record(format!("answer {pointer}"), found, shown);
                }
            }),
            Err(error) => {
                if let Some((found, shown)) = scanner.scan(error) {
                    record("guest error".to_string(), found, shown);
                }
            }
        }
        for call in host.calls() {
            let text = String::from_utf8_lossy(&call.payload).into_owned();
            if let Some((found, shown)) = scanner.scan(&text) {
                record(format!("host call {}", call.name()), found, shown);
            }
        }
    };
    for (fixture, raw) in objects("policy") {
        for setting in &settings {
            let context_aware = setting["contextAware"] == true;
            let clean = clean_like(&raw);
            for (operation, old) in [
                ("CREATE", None),
                ("UPDATE", Some(raw.as_str())),
                ("UPDATE", Some(clean.as_str())),
            ] {
                let host = if context_aware {
                    Host::with_objects(cluster.clone())
                } else {
                    Host::new()
                };
                let request = request(&raw, operation, old);
                let answer = policy.try_validate_raw(&payload(&request, setting), &host);
                calls += 1;
                let old = match old {
                    None => String::new(),
                    Some(o) if o == raw => " (old object: itself)".to_string(),
                    Some(_) => " (old object: clean)".to_string(),
                };
                check(
                    format!("validate {fixture} {operation}{old} settings {setting}"),
                    answer,
                    &host,
                );
            }
        }
        // The object cut inside its text (the request is not JSON), and the object as a
        // string where an object belongs.
        let cut = &raw[..raw.len() * 2 / 3];
        let broken = format!(r#"{{"request": {{"operation": "CREATE", "object": {cut}"#);
        let host = Host::new();
        let answer = policy.try_validate_raw(broken.as_bytes(), &host);
        calls += 1;
        check(format!("validate {fixture}, cut short"), answer, &host);
        let as_string = request(&raw, "CREATE", None).replacen(
            &format!(r#""object": {raw}"#),
            &format!(r#""object": {}"#, Value::String(raw.clone())),
            1,
        );
        let host = Host::new();
        let answer = policy.try_validate_raw(&payload(&as_string, &json!({})), &host);
        calls += 1;
        check(
            format!("validate {fixture}, object as a string"),
            answer,
            &host,
        );
    }
    leaks.sort();
    leaks.dedup();
    let origin: HashMap<&str, &str> = scanner
        .secrets
        .iter()
        .map(|s| (s.value.as_str(), s.origin.as_str()))
        .collect();
    let mut by_marker: BTreeMap<&str, usize> = BTreeMap::new();
    let mut report = String::new();
    for leak in &leaks {
        let from: Vec<&str> = leak
            .marker
            .split(' ')
            .map(|m| origin.get(m).copied().unwrap_or("?"))
            .collect();
        for marker in leak.marker.split(' ') {
            *by_marker.entry(marker).or_default() += 1;
        }
        report.push_str(&format!(
            "- {} | {} | {} ({})\n    {}\n",
            leak.path,
            leak.place,
            leak.marker,
            from.join("; "),
            leak.text
        ));
    }
    eprintln!(
        "policy: {calls} calls, {} leaks of {} secrets",
        leaks.len(),
        by_marker.len()
    );
    if !leaks.is_empty() {
        let summary: Vec<String> = by_marker
            .iter()
            .map(|(m, n)| format!("{m} ×{n} ({})", origin.get(m).copied().unwrap_or("?")))
            .collect();
        panic!(
            "policy: {} leaks of {} secrets in {calls} calls\n{report}\nsecrets leaked:\n  {}",
            leaks.len(),
            by_marker.len(),
            summary.join("\n  ")
        );
    }
}

#[test]
fn the_policy_fixtures_reach_the_rules_that_see_secrets() {
    let policy = Policy::shared();
    let mut codes = BTreeSet::new();
    for (_, raw) in objects("policy") {
        let request = request(&raw, "CREATE", None);
        let settings = json!({"rejectSeverity": "info"});
        let answer = policy
            .try_validate_raw(&payload(&request, &settings), &Host::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let text = answer["message"].as_str().unwrap_or("").to_string();
        codes.extend(
            text.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| t.len() == 5 && t.starts_with("DF"))
                .map(str::to_string),
        );
    }
    for code in [
        "DF002", "DF003", "DF013", "DF014", "DF201", "DF220", "DF223",
    ] {
        assert!(codes.contains(code), "no {code} in {codes:?}");
    }
}
