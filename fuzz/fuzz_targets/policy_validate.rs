//! `dflint_policy::validate`, the function the admission policy's wasm exports, on the host:
//! a well-formed Kubewarden ValidationRequest whose `object` is the input, and the input as
//! the whole payload. The cluster answers nothing (every read fails), as in single-object
//! mode or when the host capability is down.
//!
//! Input: the object's JSON text. Its `apiVersion`/`kind` choose the admitted kind when it
//! has them, else its length does; its byte sum chooses the settings and whether the request
//! is an UPDATE (with the object as its own `oldObject`).

#![no_main]

use dflint_policy::cluster::NoCluster;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// (group, version, kind) of every kind the policy reads, and one it does not.
const KINDS: [(&str, &str, &str); 7] = [
    ("dragonflydb.io", "v1alpha1", "Dragonfly"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("cilium.io", "v2", "CiliumNetworkPolicy"),
    ("cilium.io", "v2", "CiliumClusterwideNetworkPolicy"),
    ("", "v1", "Secret"),
    ("", "v1", "ConfigMap"),
    ("", "v1", "Pod"),
];

const SETTINGS: [&str; 5] = [
    "{}",
    r#"{"contextAware": true}"#,
    r#"{"rejectSeverity": "warning", "warnSeverity": "info"}"#,
    r#"{"rejectSeverity": "error", "warnSeverity": "info", "select": ["DF0", "DF1", "DF2", "DF3"], "ignore": ["DF110"], "aclAdminUsers": ["default", "ops"], "aclDialect": "redis", "operatorNamespace": "dragonfly-operator-system", "metricsScrapers": [{"namespace": "monitoring", "matchLabels": {"app.kubernetes.io/name": "prometheus"}}], "aclLabel": "dflint.io/acl", "contextAware": true}"#,
    r#"{"maxObjectBytes": 64}"#,
];

fuzz_target!(|data: &[u8]| {
    // The raw input as the whole payload.
    check_answer(&dflint_policy::validate(data, &NoCluster));

    let Ok(object) = std::str::from_utf8(data) else {
        return;
    };
    // Only JSON text can be the `object` of a well-formed envelope.
    let Ok(head) = serde_json::from_str::<Value>(object) else {
        return;
    };
    let (group, version, kind) = match (
        head.get("apiVersion").and_then(Value::as_str),
        head.get("kind").and_then(Value::as_str),
    ) {
        (Some(api_version), Some(kind)) => match api_version.split_once('/') {
            Some((group, version)) => (group, version, kind),
            None => ("", api_version, kind),
        },
        _ => KINDS[data.len() % KINDS.len()],
    };
    let sum = data.iter().map(|&b| usize::from(b)).sum::<usize>();
    let settings = SETTINGS[sum % SETTINGS.len()];
    let update = (sum / SETTINGS.len()) % 2 == 1;
    let kind_json = serde_json::json!({"group": group, "version": version, "kind": kind});
    // The object's text goes in unchanged: the policy lints the JSON text it was sent.
    let payload = format!(
        r#"{{"settings": {settings}, "request": {{"uid": "fuzz", "kind": {kind_json}, "requestKind": {kind_json}, "name": "x", "namespace": "cache", "operation": "{operation}", "userInfo": {{"username": "fuzz"}}, "object": {object}{old}, "dryRun": false}}}}"#,
        operation = if update { "UPDATE" } else { "CREATE" },
        old = if update {
            format!(r#", "oldObject": {object}"#)
        } else {
            String::new()
        },
    );
    check_answer(&dflint_policy::validate(payload.as_bytes(), &NoCluster));
});

/// Every answer is a ValidationResponse: JSON with a boolean `accepted`.
fn check_answer(answer: &[u8]) {
    let value: Value = serde_json::from_slice(answer).expect("the answer is JSON");
    assert!(
        value["accepted"].is_boolean(),
        "the answer has no `accepted`: {value}"
    );
}
