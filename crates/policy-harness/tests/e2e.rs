//! End-to-end tests of the compiled policy: `dflint_policy.wasm` (built for wasm32-wasip1 with
//! the `release-wasm` profile) runs in wasmtime through waPC, a fresh instance per call, as
//! policy-server runs it. Fixtures are the bare AdmissionRequests in `crates/policy/test_data`.

use dflint_policy_harness::{workspace_root, Host, Policy};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::Duration;

fn policy() -> &'static Policy {
    Policy::shared()
}

fn test_data(name: &str) -> Value {
    let path = workspace_root().join("crates/policy/test_data").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `validate` of a fixture request with fixture settings, no host capability used.
fn validate(request: &str, settings: &str) -> Value {
    policy().validate(&test_data(request), &test_data(settings), &Host::new())
}

fn validate_with(request: &Value, settings: &Value) -> Value {
    policy().validate(request, settings, &Host::new())
}

/// Runs `f` on another thread and fails the test when it takes longer than `limit` (the
/// module runs without epoch interruption, so a runaway guest would otherwise hang the suite).
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} took longer than {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

fn message(resp: &Value) -> &str {
    resp["message"].as_str().unwrap_or("")
}

fn warnings(resp: &Value) -> Vec<String> {
    resp["warnings"]
        .as_array()
        .map(|w| w.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn is_code(token: &str) -> bool {
    token.len() == 5 && token.starts_with("DF") && token[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Codes listed in a reject message (`dflint: CODE message; CODE message; (and N more)`).
fn message_codes(resp: &Value) -> BTreeSet<String> {
    let text = message(resp);
    let text = text.strip_prefix("dflint: ").unwrap_or(text);
    text.split("; ")
        .filter_map(|piece| piece.split(' ').next())
        .filter(|t| is_code(t))
        .map(str::to_string)
        .collect()
}

/// Codes of the `CODE: message` warnings.
fn warning_codes(resp: &Value) -> BTreeSet<String> {
    warnings(resp)
        .iter()
        .filter_map(|w| w.split(':').next())
        .filter(|t| is_code(t))
        .map(str::to_string)
        .collect()
}

/// Codes in the `dflint-codes` audit annotation.
fn annotation_codes(resp: &Value) -> BTreeSet<String> {
    resp["audit_annotations"]["dflint-codes"]
        .as_str()
        .unwrap_or("")
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn all_codes(resp: &Value) -> BTreeSet<String> {
    let mut codes = message_codes(resp);
    codes.extend(warning_codes(resp));
    codes
}

fn set(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

/// The response's full shape: every key of the contract present, nothing else.
fn assert_shape(resp: &Value) {
    let keys: BTreeSet<&str> = resp
        .as_object()
        .unwrap_or_else(|| panic!("response is not an object: {resp}"))
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        "accepted",
        "message",
        "code",
        "mutated_object",
        "audit_annotations",
        "warnings",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, expected, "response keys: {resp}");
    assert!(resp["accepted"].is_boolean(), "{resp}");
    assert!(
        resp["mutated_object"].is_null(),
        "policy never mutates: {resp}"
    );
    assert!(
        message(resp).len() <= 2048,
        "message longer than 2048 bytes: {}",
        message(resp).len()
    );
    let warnings = warnings(resp);
    assert!(warnings.len() <= 21, "{} warnings", warnings.len());
    for w in &warnings {
        assert!(
            w.chars().count() <= 256,
            "warning longer than 256 chars: {w}"
        );
    }
}

fn assert_accepted_silently(resp: &Value) {
    assert_shape(resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    assert!(resp["message"].is_null(), "{resp}");
    assert!(resp["code"].is_null(), "{resp}");
    assert!(warnings(resp).is_empty(), "{resp}");
}

fn assert_rejected(resp: &Value, code: u64) {
    assert_shape(resp);
    assert_eq!(resp["accepted"], false, "{resp}");
    assert_eq!(resp["code"], code, "{resp}");
    assert!(message(resp).starts_with("dflint: "), "{resp}");
}

fn assert_no_secret(resp: &Value, secrets: &[&str]) {
    let text = resp.to_string();
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "the response leaks secret material `{secret}`: {text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// protocol and settings

#[test]
fn protocol_version_is_v1() {
    assert_eq!(policy().protocol_version().unwrap(), json!("v1"));
}

fn settings_answer(name: &str) -> Value {
    let bytes = serde_json::to_vec(&test_data(name)).unwrap();
    let answer = policy().validate_settings(&bytes);
    assert!(answer["valid"].is_boolean(), "{answer}");
    answer
}

#[test]
fn settings_defaults_are_valid() {
    let answer = settings_answer("settings_default.json");
    assert_eq!(answer["valid"], true, "{answer}");
}

#[test]
fn settings_full_are_valid() {
    for name in [
        "settings_full.json",
        "settings_strict.json",
        "settings_context_aware.json",
    ] {
        let answer = settings_answer(name);
        assert_eq!(answer["valid"], true, "{name}: {answer}");
    }
}

#[test]
fn settings_unknown_key_is_invalid() {
    let answer = settings_answer("settings_unknown_key.json");
    assert_eq!(answer["valid"], false, "{answer}");
    let msg = answer["message"].as_str().unwrap_or("");
    assert!(msg.contains("unknown field `foo`"), "{answer}");
}

#[test]
fn settings_wrong_type_names_the_field() {
    let answer = settings_answer("settings_wrong_type.json");
    assert_eq!(answer["valid"], false, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap_or("")
            .contains("maxObjectBytes"),
        "{answer}"
    );
}

#[test]
fn settings_bad_severity_is_invalid() {
    let answer = settings_answer("settings_bad_severity.json");
    assert_eq!(answer["valid"], false, "{answer}");
    let msg = answer["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("rejectSeverity") || msg.contains("critical"),
        "{answer}"
    );
}

#[test]
fn settings_unknown_rule_codes_are_named() {
    let answer = settings_answer("settings_unknown_rule.json");
    assert_eq!(answer["valid"], false, "{answer}");
    let msg = answer["message"].as_str().unwrap_or("");
    // The first unknown pattern is named with its place, as dflint.toml's are.
    assert!(
        msg.contains("`ignore[0]`: `DF999` matches no rule"),
        "{answer}"
    );
}

#[test]
fn settings_that_are_not_json_are_invalid_not_a_guest_error() {
    let answer = policy()
        .try_validate_settings(b"this is not json")
        .expect("validate_settings must answer, not fail in the guest");
    assert_eq!(answer["valid"], false, "{answer}");
}

#[test]
fn invalid_settings_in_validate_reject_the_request() {
    let resp = validate_with(
        &test_data("dragonfly_clean.json"),
        &test_data("settings_unknown_key.json"),
    );
    assert_shape(&resp);
    assert_eq!(resp["accepted"], false, "{resp}");
    assert!(message(&resp).contains("foo"), "{resp}");
}

// ---------------------------------------------------------------------------------------
// Dragonfly CRs

#[test]
fn clean_dragonfly_is_accepted() {
    let resp = validate("dragonfly_clean.json", "settings_default.json");
    assert_accepted_silently(&resp);
}

#[test]
fn bad_dragonfly_is_rejected_with_codes() {
    let resp = validate("dragonfly_bad.json", "settings_default.json");
    assert_rejected(&resp, 422);
    assert_eq!(message_codes(&resp), set(&["DF010", "DF050"]), "{resp}");
    // The warnings come back as admission warnings: DF052, and DF113 for the seed's
    // `--s3_use_https=false`.
    assert_eq!(warning_codes(&resp), set(&["DF052", "DF113"]), "{resp}");
    for w in warnings(&resp) {
        assert!(w.starts_with("DF052: ") || w.starts_with("DF113: "), "{w}");
    }
    let annotations = &resp["audit_annotations"];
    assert!(
        annotation_codes(&resp).is_superset(&set(&["DF010", "DF050"])),
        "{resp}"
    );
    let count: usize = annotations["dflint-findings"]
        .as_str()
        .expect("dflint-findings is a string")
        .parse()
        .expect("dflint-findings is a count");
    assert!(count >= 3, "{resp}");
}

#[test]
fn warnings_only_dragonfly_is_accepted_with_warnings() {
    let resp = validate("dragonfly_warnings.json", "settings_default.json");
    assert_shape(&resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    assert!(resp["code"].is_null(), "{resp}");
    assert_eq!(
        warning_codes(&resp),
        set(&["DF011", "DF032", "DF107"]),
        "{resp}"
    );
    for w in warnings(&resp) {
        let (code, text) = w.split_once(": ").expect("`CODE: message`");
        assert!(is_code(code) && !text.is_empty(), "{w}");
    }
    assert_eq!(
        annotation_codes(&resp),
        set(&["DF011", "DF032", "DF107"]),
        "{resp}"
    );
}

#[test]
fn reject_severity_warning_rejects_warnings() {
    let resp = validate("dragonfly_warnings.json", "settings_strict.json");
    assert_rejected(&resp, 422);
    assert_eq!(
        message_codes(&resp),
        set(&["DF011", "DF032", "DF107"]),
        "{resp}"
    );
}

#[test]
fn warn_severity_none_drops_warnings() {
    let resp = validate_with(
        &test_data("dragonfly_warnings.json"),
        &json!({"warnSeverity": "none"}),
    );
    assert_accepted_silently(&resp);
}

#[test]
fn ignore_and_select_are_applied() {
    let resp = validate_with(
        &test_data("dragonfly_bad.json"),
        &json!({"ignore": ["DF010", "snapshot-cron-without-storage"]}),
    );
    assert_shape(&resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    assert_eq!(warning_codes(&resp), set(&["DF052", "DF113"]), "{resp}");

    let resp = validate_with(
        &test_data("dragonfly_bad.json"),
        &json!({"select": ["DF05"]}),
    );
    assert_rejected(&resp, 422);
    assert_eq!(all_codes(&resp), set(&["DF050", "DF052"]), "{resp}");
}

#[test]
fn message_lists_most_severe_first() {
    // rejectSeverity warning: the errors DF010/DF050 and the warning DF052 are all rejected.
    let resp = validate_with(
        &test_data("dragonfly_bad.json"),
        &json!({"rejectSeverity": "warning"}),
    );
    assert_rejected(&resp, 422);
    let text = message(&resp);
    let last_error = text.rfind("DF050").max(text.rfind("DF010")).unwrap();
    let first_warning = text.find("DF052").expect("DF052 listed");
    assert!(last_error < first_warning, "{text}");
}

#[test]
fn password_in_args_is_never_echoed() {
    let resp = validate("dragonfly_update_new_error.json", "settings_default.json");
    assert_no_secret(&resp, &["hunter2-literal"]);
}

#[test]
fn update_rejects_only_new_findings() {
    let resp = validate("dragonfly_update_new_error.json", "settings_default.json");
    assert_rejected(&resp, 422);
    assert_eq!(message_codes(&resp), set(&["DF013"]), "{resp}");
    let ws = warnings(&resp);
    assert!(
        ws.iter()
            .any(|w| w.starts_with("DF010: (already present) ")),
        "{resp}"
    );
    assert!(
        ws.iter()
            .any(|w| w.starts_with("DF050: (already present) ")),
        "{resp}"
    );
}

#[test]
fn update_with_only_preexisting_findings_is_accepted() {
    let resp = validate("dragonfly_update_preexisting.json", "settings_default.json");
    assert_shape(&resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    let ws = warnings(&resp);
    assert!(
        ws.iter()
            .any(|w| w.starts_with("DF010: (already present) ")),
        "{resp}"
    );
    assert!(
        ws.iter()
            .any(|w| w.starts_with("DF050: (already present) ")),
        "{resp}"
    );
}

#[test]
fn dry_run_is_answered_like_the_real_request() {
    let real = validate("dragonfly_bad.json", "settings_default.json");
    let dry = validate("dragonfly_bad_dry_run.json", "settings_default.json");
    assert_eq!(test_data("dragonfly_bad_dry_run.json")["dryRun"], true);
    assert_eq!(real, dry);
}

#[test]
fn delete_is_accepted() {
    let resp = validate("dragonfly_delete.json", "settings_default.json");
    assert_accepted_silently(&resp);
}

#[test]
fn connect_is_accepted() {
    let mut request = test_data("dragonfly_bad.json");
    request["operation"] = json!("CONNECT");
    assert_accepted_silently(&validate_with(&request, &json!({})));
}

#[test]
fn unknown_kind_is_accepted() {
    let resp = validate("pod_creation.json", "settings_default.json");
    assert_accepted_silently(&resp);
}

#[test]
fn dragonfly_under_another_version_is_not_linted() {
    let mut request = test_data("dragonfly_bad.json");
    request["kind"]["version"] = json!("v1beta1");
    request["object"]["apiVersion"] = json!("dragonflydb.io/v1beta1");
    assert_accepted_silently(&validate_with(&request, &json!({})));
}

// ---------------------------------------------------------------------------------------
// malformed and hostile input

#[test]
fn payload_that_is_not_json_is_a_bad_request() {
    let resp = policy()
        .try_validate_raw(b"{\"request\": this is not json", &Host::new())
        .expect("validate must answer, not fail in the guest");
    assert_rejected(&resp, 400);
    assert!(
        message(&resp).starts_with("dflint: cannot read the admission request"),
        "{resp}"
    );
}

#[test]
fn payload_without_request_is_a_bad_request() {
    let resp = policy()
        .try_validate_raw(br#"{"settings": {}}"#, &Host::new())
        .expect("validate must answer");
    assert_rejected(&resp, 400);
    assert!(
        message(&resp).starts_with("dflint: cannot read the admission request"),
        "{resp}"
    );
}

#[test]
fn request_without_object_is_a_bad_request() {
    let resp = validate("request_missing_object.json", "settings_default.json");
    assert_rejected(&resp, 400);
    assert!(
        message(&resp).starts_with("dflint: cannot read the admission request"),
        "{resp}"
    );
}

#[test]
fn empty_payload_is_a_bad_request() {
    let resp = policy()
        .try_validate_raw(b"", &Host::new())
        .expect("validate must answer");
    assert_rejected(&resp, 400);
}

#[test]
fn object_over_the_size_limit_is_rejected() {
    let resp = validate_with(
        &test_data("dragonfly_bad.json"),
        &json!({"maxObjectBytes": 1024}),
    );
    assert_rejected(&resp, 413);
    assert!(message(&resp).contains("1024"), "{resp}");
}

fn dragonfly_with_annotation(bytes: usize) -> Value {
    let mut request = test_data("dragonfly_clean.json");
    request["object"]["metadata"]["annotations"] = json!({"example.com/blob": "x".repeat(bytes)});
    request
}

#[test]
fn object_over_the_default_limit_is_rejected() {
    let resp = validate_with(&dragonfly_with_annotation(4 * 1024 * 1024), &json!({}));
    assert_rejected(&resp, 413);
    assert!(message(&resp).contains("2097152"), "{resp}");
}

fn secret_request(name: &str, data: Value) -> Value {
    let mut request = test_data("secret_acl_stringdata.json");
    request["name"] = json!(name);
    request["object"]["metadata"]["name"] = json!(name);
    let object = request["object"].as_object_mut().unwrap();
    object.remove("stringData");
    object.insert("data".into(), data);
    request
}

/// About `bytes` of ACL text: tenants with their own keys and hashed passwords.
fn big_acl(bytes: usize) -> String {
    let mut text = String::from("user default on >an-admin-password-nobody-should-see ~* +@all\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "user tenant{i:07} on #{:064x} ~tenant{i:07}:* +@read +@write -@dangerous\n",
            i as u128 * 0x9e37_79b9_7f4a_7c15
        ));
        i += 1;
    }
    text
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn ten_megabyte_acl_secret_is_rejected_by_size() {
    let acl = big_acl(10 * 1024 * 1024);
    let request = secret_request("huge-acl", json!({"acl.conf": base64(acl.as_bytes())}));
    let resp = within(Duration::from_secs(60), "10 MB ACL Secret", move || {
        validate_with(&request, &json!({}))
    });
    assert_rejected(&resp, 413);
    assert_no_secret(&resp, &["an-admin-password-nobody-should-see"]);
}

#[test]
fn deeply_nested_object_gets_a_clean_answer() {
    // Built as text: a Value this deep would overflow the host's stack when dropped.
    for depth in [100usize, 1_000, 100_000] {
        let nested = format!(
            "{}{}",
            "{\"a\":".repeat(depth),
            "1".to_string() + &"}".repeat(depth)
        );
        let request = test_data("dragonfly_clean.json");
        let mut text = serde_json::to_string(&json!({"request": request, "settings": {}})).unwrap();
        let marker = "\"replicas\":2";
        let at = text.find(marker).expect("replicas in the fixture");
        text.insert_str(at, &format!("\"deep\":{nested},"));
        let resp = within(Duration::from_secs(60), "deeply nested object", move || {
            policy().try_validate_raw(text.as_bytes(), &Host::new())
        })
        .unwrap_or_else(|e| panic!("depth {depth}: guest error instead of an answer: {e}"));
        assert_shape(&resp);
        assert_eq!(resp["accepted"], false, "depth {depth}: {resp}");
    }
}

#[test]
fn huge_args_array_gets_a_bounded_answer() {
    let mut request = test_data("dragonfly_clean.json");
    let args: Vec<Value> = (0..50_000)
        .map(|i| json!(format!("--no_such_flag_{i}=1")))
        .collect();
    request["object"]["spec"]["args"] = Value::Array(args);
    let resp = within(Duration::from_secs(60), "50 000 args", move || {
        validate_with(&request, &json!({}))
    });
    assert_rejected(&resp, 422);
    assert!(message_codes(&resp).contains("DF101"), "{resp}");
    let text = message(&resp);
    assert!(text.contains("more)"), "no `(and N more)`: {text}");
    assert!(text.split("; ").count() <= 11, "{text}");
}

#[test]
fn huge_warning_list_is_bounded() {
    let mut request = test_data("dragonfly_clean.json");
    let mut args = vec![json!("--maxmemory=1536mb")];
    args.extend((0..5_000).map(|_| json!("--hz=100")));
    request["object"]["spec"]["args"] = Value::Array(args);
    let resp = validate_with(&request, &json!({}));
    assert_shape(&resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    let ws = warnings(&resp);
    // At most 20 warnings, the last one `… and N more`; together they account for all 4 999
    // repeated `--hz` (the first occurrence is not a finding).
    assert!(ws.len() <= 21, "{ws:?}");
    let (last, listed) = ws.split_last().unwrap();
    assert!(listed.iter().all(|w| w.starts_with("DF104: ")), "{ws:?}");
    let more: usize = last
        .split_whitespace()
        .find_map(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no count in the last warning: {last}"));
    assert_eq!(listed.len() + more, 4_999, "{ws:?}");
}

#[test]
fn huge_tolerations_array_gets_a_clean_answer() {
    let mut request = test_data("dragonfly_clean.json");
    request["object"]["spec"]["tolerations"] = Value::Array(
        (0..100_000)
            .map(|i| json!({"key": format!("k{i}"), "operator": "Exists"}))
            .collect(),
    );
    let resp = within(Duration::from_secs(60), "100 000 tolerations", move || {
        validate_with(&request, &json!({}))
    });
    assert_shape(&resp);
}

// ---------------------------------------------------------------------------------------
// Secrets and ConfigMaps

#[test]
fn acl_secret_string_data_is_rejected_without_leaking() {
    let resp = validate("secret_acl_stringdata.json", "settings_default.json");
    assert_rejected(&resp, 422);
    let codes = all_codes(&resp);
    assert!(codes.contains("DF210"), "{resp}");
    assert!(codes.iter().all(|c| c.starts_with("DF2")), "{resp}");
    assert_no_secret(&resp, &["example-shared-password", "+INFO +CONFIG"]);
}

#[test]
fn acl_secret_base64_data_is_rejected_without_leaking() {
    let request = test_data("secret_acl_base64.json");
    let encoded = request["object"]["data"]["acl.conf"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = validate_with(&request, &json!({}));
    assert_rejected(&resp, 422);
    let codes = all_codes(&resp);
    assert!(codes.contains("DF203"), "{resp}");
    assert!(codes.iter().all(|c| c.starts_with("DF2")), "{resp}");
    assert_no_secret(&resp, &["s3cr3t-app-password", &encoded, &encoded[..24]]);
}

#[test]
fn acl_secret_with_info_warnings_does_not_leak() {
    let resp = validate_with(
        &test_data("secret_acl_stringdata.json"),
        &json!({"warnSeverity": "info"}),
    );
    assert_shape(&resp);
    assert!(warning_codes(&resp).contains("DF208"), "{resp}");
    assert_no_secret(&resp, &["example-shared-password"]);
}

#[test]
fn invalid_base64_in_a_secret_gets_a_clean_answer() {
    let request = test_data("secret_invalid_base64.json");
    let resp = validate_with(&request, &json!({}));
    assert_shape(&resp);
    let codes = all_codes(&resp);
    assert!(
        codes.iter().all(|c| c.starts_with("DF2")),
        "only ACL findings expected: {resp}"
    );
    assert!(codes.contains("DF201"), "{resp}");
    assert_no_secret(&resp, &["dXNlciBkZWZhdWx0IG9u"]);
}

#[test]
fn acl_label_skips_unlabelled_secrets() {
    let settings = json!({"aclLabel": "dflint.io/acl"});
    let resp = validate_with(&test_data("secret_acl_stringdata.json"), &settings);
    assert_accepted_silently(&resp);
    let resp = validate_with(&test_data("configmap_acl.json"), &settings);
    assert_accepted_silently(&resp);

    let mut labelled = test_data("secret_acl_stringdata.json");
    labelled["object"]["metadata"]["labels"] = json!({"dflint.io/acl": "true"});
    let resp = validate_with(&labelled, &settings);
    assert_rejected(&resp, 422);
}

#[test]
fn secret_without_acl_is_accepted() {
    let request = secret_request(
        "dragonfly-auth",
        json!({"password": base64(b"example-shared-password")}),
    );
    let resp = validate_with(&request, &json!({}));
    assert_accepted_silently(&resp);
}

#[test]
fn acl_in_configmap_is_rejected_without_leaking() {
    let resp = validate("configmap_acl.json", "settings_default.json");
    assert_rejected(&resp, 422);
    assert!(message_codes(&resp).contains("DF220"), "{resp}");
    assert_no_secret(&resp, &["configmap-password"]);
}

#[test]
fn acl_dialect_redis_is_accepted_as_a_setting() {
    let resp = validate_with(
        &test_data("secret_acl_stringdata.json"),
        &json!({"acl": {"dialect": "redis", "adminUsers": ["default", "langfuse"]}}),
    );
    assert_shape(&resp);
    assert!(
        !all_codes(&resp).contains("DF210"),
        "langfuse is an admin now: {resp}"
    );
}

// ---------------------------------------------------------------------------------------
// network policies

#[test]
fn networkpolicy_admin_port_for_monitoring_is_rejected() {
    let resp = validate(
        "networkpolicy_monitoring_admin.json",
        "settings_default.json",
    );
    assert_rejected(&resp, 422);
    assert_eq!(message_codes(&resp), set(&["DF301"]), "{resp}");
    assert!(message(&resp).contains("monitoring"), "{resp}");
}

#[test]
fn cilium_admin_port_for_monitoring_is_rejected() {
    let resp = validate(
        "ciliumnetworkpolicy_monitoring_admin.json",
        "settings_default.json",
    );
    assert_rejected(&resp, 422);
    assert_eq!(message_codes(&resp), set(&["DF301"]), "{resp}");
}

#[test]
fn metrics_scraper_setting_allows_the_admin_port() {
    // Only pods labelled app=metrics-agent in monitoring may reach the admin port.
    let mut request = test_data("networkpolicy_monitoring_admin.json");
    request["object"]["spec"]["ingress"][1]["from"][0]["podSelector"] =
        json!({"matchLabels": {"app": "metrics-agent"}});
    let resp = validate_with(&request, &json!({}));
    assert_shape(&resp);
    // DF312: the policy's first rule also opens 6379 to every pod of namespace identity.
    assert_eq!(all_codes(&resp), set(&["DF301", "DF312"]), "{resp}");

    let settings = json!({"network": {"metricsScrapers": [
        {"namespace": "monitoring", "matchLabels": {"app": "metrics-agent"}}
    ]}});
    assert_eq!(
        policy().validate_settings(settings.to_string().as_bytes())["valid"],
        true
    );
    let resp = validate_with(&request, &settings);
    assert_shape(&resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    // The scraper is no finding any more; the data port opened to all of identity still is.
    assert_eq!(all_codes(&resp), set(&["DF312"]), "{resp}");
}

#[test]
fn cilium_seed_policy_warns_and_skips_bundle_rules() {
    let resp = validate("ciliumnetworkpolicy_seed.json", "settings_default.json");
    assert_shape(&resp);
    // DF305 (no policy protects the instance) needs the whole bundle: skipped here.
    assert_eq!(resp["accepted"], true, "{resp}");
    assert_eq!(warning_codes(&resp), set(&["DF304"]), "{resp}");
}

#[test]
fn clusterwide_cilium_policy_is_linted() {
    let mut request = test_data("ciliumnetworkpolicy_monitoring_admin.json");
    request["kind"]["kind"] = json!("CiliumClusterwideNetworkPolicy");
    request["requestKind"]["kind"] = json!("CiliumClusterwideNetworkPolicy");
    request["resource"]["resource"] = json!("ciliumclusterwidenetworkpolicies");
    request["namespace"] = Value::Null;
    let object = &mut request["object"];
    object["kind"] = json!("CiliumClusterwideNetworkPolicy");
    object["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    object["spec"]["endpointSelector"]["matchLabels"]["io.kubernetes.pod.namespace"] =
        json!("cache");
    let resp = validate_with(&request, &json!({}));
    assert_shape(&resp);
    assert!(all_codes(&resp).contains("DF301"), "{resp}");
}

// ---------------------------------------------------------------------------------------
// context-aware mode

fn acl_secret_object() -> Value {
    let mut secret = test_data("secret_acl_base64.json")["object"].clone();
    secret["metadata"]["name"] = json!("tenants-acl");
    secret
}

#[test]
fn context_aware_lints_the_named_acl_secret() {
    let host = Host::with_objects(vec![acl_secret_object()]);
    let resp = policy().validate(
        &test_data("dragonfly_acl_from_secret.json"),
        &test_data("settings_context_aware.json"),
        &host,
    );
    assert_shape(&resp);
    let calls = host.non_log_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].name(), "kubewarden/kubernetes/get_resource");
    assert_eq!(
        calls[0].json(),
        json!({"api_version": "v1", "kind": "Secret", "name": "tenants-acl",
               "namespace": "cache", "disable_cache": false}),
        "{}",
        String::from_utf8_lossy(&calls[0].payload)
    );
    assert_rejected(&resp, 422);
    assert!(all_codes(&resp).contains("DF203"), "{resp}");
    let encoded = acl_secret_object()["data"]["acl.conf"]
        .as_str()
        .unwrap()
        .to_string();
    assert_no_secret(&resp, &["s3cr3t-app-password", &encoded]);
}

#[test]
fn context_aware_missing_secret_is_not_a_reject() {
    let host = Host::new();
    let resp = policy().validate(
        &test_data("dragonfly_acl_from_secret.json"),
        &json!({"contextAware": true}),
        &host,
    );
    assert_shape(&resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    assert_eq!(host.non_log_calls().len(), 1);
}

#[test]
fn context_aware_failing_host_call_is_a_warning() {
    let host =
        Host::failing("Policy has not been granted access to Kubernetes v1/Secret resources");
    let resp = policy().validate(
        &test_data("dragonfly_acl_from_secret.json"),
        &json!({"contextAware": true}),
        &host,
    );
    assert_shape(&resp);
    assert_eq!(resp["accepted"], true, "{resp}");
    let ws = warnings(&resp);
    assert!(
        ws.iter().any(|w| w.contains("get_resource")),
        "no warning names the failed call: {resp}"
    );
}

#[test]
fn without_context_awareness_no_host_call_is_made() {
    let host = Host::with_objects(vec![
        acl_secret_object(),
        test_data("dragonfly_clean.json")["object"].clone(),
    ]);
    for fixture in [
        "dragonfly_acl_from_secret.json",
        "dragonfly_bad.json",
        "networkpolicy_monitoring_admin.json",
        "ciliumnetworkpolicy_seed.json",
        "secret_acl_stringdata.json",
    ] {
        let resp = policy().validate(&test_data(fixture), &json!({}), &host);
        assert_shape(&resp);
        let calls = host.non_log_calls();
        assert!(calls.is_empty(), "{fixture}: host calls {calls:?}");
    }
    let resp = policy().validate(
        &test_data("dragonfly_acl_from_secret.json"),
        &json!({"contextAware": false}),
        &host,
    );
    assert_accepted_silently(&resp);
    assert!(host.non_log_calls().is_empty());
}

#[test]
fn context_aware_network_policy_lists_the_namespace_dragonflies() {
    let host = Host::with_objects(vec![test_data("dragonfly_clean.json")["object"].clone()]);
    let resp = policy().validate(
        &test_data("networkpolicy_monitoring_admin.json"),
        &json!({"contextAware": true}),
        &host,
    );
    assert_shape(&resp);
    let calls = host.non_log_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].name(),
        "kubewarden/kubernetes/list_resources_by_namespace"
    );
    let payload = calls[0].json();
    assert_eq!(
        payload["api_version"], "dragonflydb.io/v1alpha1",
        "{payload}"
    );
    assert_eq!(payload["kind"], "Dragonfly", "{payload}");
    assert_eq!(payload["namespace"], "cache", "{payload}");
    assert_rejected(&resp, 422);
    assert!(message_codes(&resp).contains("DF301"), "{resp}");
}

#[test]
fn context_aware_clusterwide_policy_lists_all_dragonflies() {
    let mut request = test_data("ciliumnetworkpolicy_monitoring_admin.json");
    request["kind"]["kind"] = json!("CiliumClusterwideNetworkPolicy");
    request["namespace"] = Value::Null;
    request["object"]["kind"] = json!("CiliumClusterwideNetworkPolicy");
    request["object"]["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    let host = Host::with_objects(vec![test_data("dragonfly_clean.json")["object"].clone()]);
    let resp = policy().validate(&request, &json!({"contextAware": true}), &host);
    assert_shape(&resp);
    let calls = host.non_log_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].name(), "kubewarden/kubernetes/list_resources_all");
    assert_eq!(calls[0].json()["kind"], "Dragonfly");
}

#[test]
fn context_aware_failing_list_is_a_warning() {
    let host = Host::failing("forbidden");
    let resp = policy().validate(
        &test_data("ciliumnetworkpolicy_seed.json"),
        &json!({"contextAware": true}),
        &host,
    );
    assert_shape(&resp);
    assert!(
        warnings(&resp)
            .iter()
            .any(|w| w.contains("list_resources_by_namespace")),
        "{resp}"
    );
}

// ---------------------------------------------------------------------------------------
// parity with dflint-core

fn core_codes(object: &Value, settings: &Value) -> BTreeSet<String> {
    if let Some(label) = settings["aclLabel"].as_str() {
        let kind = object["kind"].as_str().unwrap_or("");
        if matches!(kind, "Secret" | "ConfigMap") && object["metadata"]["labels"][label].is_null() {
            return BTreeSet::new();
        }
    }
    use dflint_core::{LintConfig, Severity, Source};
    // The lint settings are the shared model: every key but admission's own deserializes
    // into it, as dflint.toml does.
    let mut lint_settings = settings.as_object().cloned().unwrap_or_default();
    for own in ["warnSeverity", "maxObjectBytes", "aclLabel", "contextAware"] {
        lint_settings.remove(own);
    }
    let config: LintConfig = serde_json::from_value(Value::Object(lint_settings)).unwrap();
    let lowest = match settings["warnSeverity"].as_str().unwrap_or("warning") {
        "info" => Some(Severity::Info),
        "warning" => Some(Severity::Warning),
        "error" => Some(Severity::Error),
        _ => None,
    };
    let reject = Severity::parse(settings["rejectSeverity"].as_str().unwrap_or("error")).unwrap();
    let lowest = lowest.map_or(reject, |w| w.min(reject));
    let text = serde_json::to_string_pretty(object).unwrap();
    let report = dflint_core::lint(&[Source::new("object.json", text)], &config);
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= lowest)
        .map(|d| d.code.to_string())
        .filter(|c| !dflint_policy::bundle_only_codes().contains(&c.as_str()))
        .collect()
}

#[test]
fn codes_match_dflint_core() {
    let fixtures = [
        "dragonfly_clean.json",
        "dragonfly_bad.json",
        "dragonfly_warnings.json",
        "dragonfly_acl_from_secret.json",
        "secret_acl_stringdata.json",
        "secret_acl_base64.json",
        "secret_invalid_base64.json",
        "networkpolicy_monitoring_admin.json",
        "ciliumnetworkpolicy_monitoring_admin.json",
        "ciliumnetworkpolicy_seed.json",
        "configmap_acl.json",
    ];
    let settings_list = [
        json!({}),
        test_data("settings_full.json"),
        test_data("settings_strict.json"),
        json!({"select": ["DF2", "DF3"], "ignore": ["acl-shared-password"], "warnSeverity": "info"}),
        json!({"acl": {"adminUsers": ["default", "langfuse"], "dialect": "redis"}}),
    ];
    let mut failures = Vec::new();
    for settings in &settings_list {
        for fixture in fixtures {
            let request = test_data(fixture);
            let resp = validate_with(&request, settings);
            assert_shape(&resp);
            let policy_codes = all_codes(&resp);
            let expected = core_codes(&request["object"], settings);
            if policy_codes != expected {
                failures.push(format!(
                    "{fixture} with {settings}: policy {policy_codes:?}, dflint-core {expected:?}"
                ));
            }
            // The audit annotation names at least the rejected codes, and only reported ones.
            let annotated = annotation_codes(&resp);
            assert!(annotated.is_subset(&policy_codes), "{fixture}: {resp}");
            assert!(
                annotated.is_superset(&message_codes(&resp)),
                "{fixture}: {resp}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
