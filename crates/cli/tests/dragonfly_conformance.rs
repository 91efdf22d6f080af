//! Conformance of dflint's Dragonfly dialect with Dragonfly v1.40.1's ACL code.
//!
//! `tests/data/dragonfly-conformance.jsonl` holds one case per line, each written from a reading
//! of Dragonfly's source at tag `v1.40.1` (commit 434478e00c36) and citing the lines it relies on
//! as `src/<path>.cc:N[-M]@v1.40.1`. Every case has `id` (unique, `<area>-<NNN>`), `kind`,
//! `acl` (the whole ACL file text, byte for byte — CRLF cases included), `source` and `why`
//! (one sentence, in our own words). The kinds:
//!
//! * `can` — `user`, `argv` (command and arguments), optional `dbnum` and `cluster_mode`
//!   (server flags `--dbnum` / cluster mode), optional `user_enabled` (bool); `expect` is one of
//!   `allowed`, `denied:command`, `denied:key`, `denied:channel`, `denied:database` (the `$db`
//!   refusals), `rejected` (the server refuses the whole file), `no-user` (the file does not
//!   define that user) or `unknown-command`. All `can` cases go to ONE
//!   `dflint acl can --cases FILE.jsonl` process.
//! * `explain` — `user` and one of: `pointer` + `expect` (a JSON pointer into that user's object
//!   of `dflint acl explain FILE --format json`, and the value it must hold); `contains` or
//!   `excludes` = `{"pointer": "/commands", "where": {"command": "get"}}` (some / no element of
//!   the array has all the fields of `where`) or `{"pointer": "/channels", "value": "a*"}`
//!   (some / no element equals `value`). One explain process per distinct ACL text.
//! * `check` — `expect_codes` (must all be reported) and `absent_codes` (must not be reported)
//!   by `dflint check DIR --format json`, with the text written to `DIR/users.acl`. One check
//!   process per distinct ACL text.
//!
//! The test first validates the table (unique ids, a well-formed `source` on every case, at
//! least [`MIN_CASES`] cases, every kind present, the fields each kind needs), then runs every
//! case, collects every disagreement and fails once, listing each with its id, source, expected
//! and actual answer. Nothing is skipped.

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TABLE: &str = "tests/data/dragonfly-conformance.jsonl";
const MIN_CASES: usize = 200;
const KINDS: [&str; 3] = ["can", "explain", "check"];
const CAN_EXPECT: [&str; 8] = [
    "allowed",
    "denied:command",
    "denied:key",
    "denied:channel",
    "denied:database",
    "rejected",
    "no-user",
    "unknown-command",
];

/// A scratch directory under the system temp dir, removed when dropped (also on panic).
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "dflint-dragonfly-conformance-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }

    /// A fresh sub-directory holding `users.acl` with exactly `text`.
    fn acl_dir(&self, name: &str, text: &str) -> PathBuf {
        let dir = self.0.join(name);
        std::fs::create_dir_all(&dir).expect("case directory");
        std::fs::write(dir.join("users.acl"), text.as_bytes()).expect("ACL file written");
        dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Mismatch {
    id: String,
    source: String,
    expected: String,
    got: String,
}

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .output()
        .expect("dflint runs")
}

fn str_field<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field].as_str().unwrap_or("")
}

/// `src/<path>.cc:N` or `src/<path>.cc:N-M` (N ≤ M, N ≥ 1), followed by `@v1.40.1`.
fn source_ok(source: &str) -> bool {
    let Some(rest) = source.strip_suffix("@v1.40.1") else {
        return false;
    };
    let Some((path, lines)) = rest.rsplit_once(':') else {
        return false;
    };
    let path_ok = path.starts_with("src/")
        && path.ends_with(".cc")
        && path.len() > "src/.cc".len()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !path.contains("..");
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
            .filter(|&n| n >= 1)
    };
    let lines_ok = match lines.split_once('-') {
        None => number(lines).is_some(),
        Some((a, b)) => matches!((number(a), number(b)), (Some(a), Some(b)) if a <= b),
    };
    path_ok && lines_ok
}

fn id_ok(id: &str) -> bool {
    match id.split_once('-') {
        Some((area, n)) => {
            !area.is_empty()
                && area.chars().all(|c| c.is_ascii_lowercase())
                && n.len() == 3
                && n.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn load_table() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{TABLE}:{}: not JSON: {e}", n + 1))
        })
        .collect()
}

/// Structural problems of the table itself; any one of them fails the test before running.
fn validate(cases: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    if cases.len() < MIN_CASES {
        problems.push(format!(
            "only {} cases, at least {MIN_CASES} expected",
            cases.len()
        ));
    }
    for kind in KINDS {
        if !cases.iter().any(|c| c["kind"] == kind) {
            problems.push(format!("no `{kind}` case"));
        }
    }
    for (n, case) in cases.iter().enumerate() {
        let id = str_field(case, "id");
        let at = format!("case {} (`{id}`)", n + 1);
        if !id_ok(id) {
            problems.push(format!("{at}: id must look like `area-NNN`"));
        }
        if !ids.insert(id.to_string()) {
            problems.push(format!("{at}: duplicate id"));
        }
        if !source_ok(str_field(case, "source")) {
            problems.push(format!(
                "{at}: source `{}` is not `src/….cc:N[-M]@v1.40.1`",
                str_field(case, "source")
            ));
        }
        if str_field(case, "why").trim().is_empty() {
            problems.push(format!("{at}: no `why`"));
        }
        if !case["acl"].is_string() {
            problems.push(format!("{at}: `acl` must be a string"));
        }
        match str_field(case, "kind") {
            "can" => {
                let argv_ok = case["argv"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
                if !argv_ok || !case["user"].is_string() {
                    problems.push(format!("{at}: `can` needs `user` and a non-empty `argv`"));
                }
                if !CAN_EXPECT.contains(&str_field(case, "expect")) {
                    problems.push(format!("{at}: `expect` must be one of {CAN_EXPECT:?}"));
                }
                if !(case["dbnum"].is_null() || case["dbnum"].is_u64())
                    || !(case["cluster_mode"].is_null() || case["cluster_mode"].is_boolean())
                    || !(case["user_enabled"].is_null() || case["user_enabled"].is_boolean())
                {
                    problems.push(format!(
                        "{at}: `dbnum` must be a number, `cluster_mode`/`user_enabled` booleans"
                    ));
                }
            }
            "explain" => {
                let forms = [
                    case["pointer"].is_string() && case.get("expect").is_some(),
                    spec_ok(&case["contains"]),
                    spec_ok(&case["excludes"]),
                ];
                if !case["user"].is_string() || forms.iter().filter(|&&f| f).count() != 1 {
                    problems.push(format!(
                        "{at}: `explain` needs `user` and exactly one of `pointer`+`expect`, \
                         `contains`, `excludes`"
                    ));
                }
            }
            "check" => {
                let codes = |f: &str| {
                    case[f]
                        .as_array()
                        .is_some_and(|a| a.iter().all(Value::is_string))
                };
                if !codes("expect_codes") || !codes("absent_codes") {
                    problems.push(format!(
                        "{at}: `check` needs `expect_codes` and `absent_codes` arrays"
                    ));
                }
                if case["expect_codes"].as_array().map_or(0, Vec::len)
                    + case["absent_codes"].as_array().map_or(0, Vec::len)
                    == 0
                {
                    problems.push(format!("{at}: `check` asserts nothing"));
                }
            }
            other => problems.push(format!("{at}: unknown kind `{other}`")),
        }
    }
    problems
}

fn spec_ok(spec: &Value) -> bool {
    spec["pointer"].is_string() && (spec["where"].is_object() ^ spec.get("value").is_some())
}

fn mismatch(case: &Value, expected: impl Into<String>, got: impl Into<String>) -> Mismatch {
    Mismatch {
        id: str_field(case, "id").to_string(),
        source: str_field(case, "source").to_string(),
        expected: expected.into(),
        got: got.into(),
    }
}

/// The answer of `acl can --cases`, in the vocabulary of the table's `expect`.
fn classify(answer: &Value) -> String {
    if let Some(error) = answer["error"].as_str() {
        return if error.starts_with("ACL rejected") {
            "rejected".to_string()
        } else if error.starts_with("user ") && error.ends_with("not found") {
            "no-user".to_string()
        } else if error.starts_with("unknown command") {
            "unknown-command".to_string()
        } else {
            format!("error: {error}")
        };
    }
    match answer["allowed"].as_bool() {
        Some(true) => "allowed".to_string(),
        Some(false) => format!(
            "denied:{}",
            answer["denied_on"].as_str().unwrap_or("<no denied_on>")
        ),
        None => format!("unreadable answer {answer}"),
    }
}

fn run_can(cases: &[&Value], scratch: &Scratch, out: &mut Vec<Mismatch>) {
    let mut queries = String::new();
    for case in cases {
        let argv: Vec<&str> = case["argv"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut query = json!({
            "acl": case["acl"],
            "user": case["user"],
            "command": argv[0],
            "args": &argv[1..],
            "dialect": "dragonfly",
        });
        for field in ["dbnum", "cluster_mode"] {
            if !case[field].is_null() {
                query[field] = case[field].clone();
            }
        }
        queries.push_str(&query.to_string());
        queries.push('\n');
    }
    let path = scratch.0.join("can-cases.jsonl");
    std::fs::write(&path, queries).expect("queries written");
    let output = dflint(&[
        "acl",
        "can",
        "--cases",
        path.to_str().expect("UTF-8 path"),
        "--dialect",
        "dragonfly",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answers: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    if answers.len() != cases.len() {
        let why = format!(
            "`acl can --cases` gave {} answers for {} queries (status {}, stderr: {})",
            answers.len(),
            cases.len(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        for case in cases {
            out.push(mismatch(case, str_field(case, "expect"), why.clone()));
        }
        return;
    }
    for (case, line) in cases.iter().zip(answers) {
        let answer: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                out.push(mismatch(
                    case,
                    str_field(case, "expect"),
                    format!("not JSON ({e}): {line}"),
                ));
                continue;
            }
        };
        let got = classify(&answer);
        if got != str_field(case, "expect") {
            out.push(mismatch(
                case,
                str_field(case, "expect"),
                format!("{got}   {answer}"),
            ));
            continue;
        }
        if let Some(enabled) = case["user_enabled"].as_bool() {
            if answer["user_enabled"].as_bool() != Some(enabled) {
                out.push(mismatch(
                    case,
                    format!("{} with user_enabled={enabled}", str_field(case, "expect")),
                    format!("user_enabled={}   {answer}", answer["user_enabled"]),
                ));
            }
        }
    }
}

/// Groups cases by their ACL text, keeping the table's order of first appearance.
fn by_text<'a>(cases: &[&'a Value]) -> Vec<(String, Vec<&'a Value>)> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for case in cases {
        let text = str_field(case, "acl").to_string();
        if !groups.contains_key(&text) {
            order.push(text.clone());
        }
        groups.entry(text).or_default().push(case);
    }
    order
        .into_iter()
        .map(|t| {
            let g = groups.remove(&t).unwrap_or_default();
            (t, g)
        })
        .collect()
}

fn element_matches(element: &Value, spec: &Value) -> bool {
    match spec["where"].as_object() {
        Some(fields) => fields.iter().all(|(k, v)| element.get(k) == Some(v)),
        None => Some(element) == spec.get("value"),
    }
}

fn describe_spec(spec: &Value) -> String {
    match spec["where"].as_object() {
        Some(fields) => format!("{}", Value::Object(fields.clone())),
        None => format!("{}", spec["value"]),
    }
}

fn judge_explain(case: &Value, user: &Map<String, Value>, out: &mut Vec<Mismatch>) {
    let object = Value::Object(user.clone());
    if let Some(pointer) = case["pointer"].as_str() {
        let expected = &case["expect"];
        match object.pointer(pointer) {
            Some(got) if got == expected => {}
            Some(got) => out.push(mismatch(
                case,
                format!("{pointer} = {expected}"),
                format!("{pointer} = {got}"),
            )),
            None => out.push(mismatch(
                case,
                format!("{pointer} = {expected}"),
                format!("{pointer} absent"),
            )),
        }
        return;
    }
    let (spec, present) = if case["contains"].is_object() {
        (&case["contains"], true)
    } else {
        (&case["excludes"], false)
    };
    let pointer = str_field(spec, "pointer");
    let wanted = format!(
        "{pointer} {} an element {}",
        if present { "has" } else { "has no" },
        describe_spec(spec)
    );
    let Some(array) = object.pointer(pointer).and_then(Value::as_array) else {
        out.push(mismatch(case, wanted, format!("{pointer} is not an array")));
        return;
    };
    let found: Vec<&Value> = array.iter().filter(|e| element_matches(e, spec)).collect();
    if found.is_empty() == present {
        let got = if present {
            let near: Vec<String> = array
                .iter()
                .filter(|e| {
                    spec["where"]
                        .as_object()
                        .and_then(|w| w.iter().next())
                        .is_some_and(|(k, v)| e.get(k) == Some(v))
                })
                .map(Value::to_string)
                .collect();
            if near.is_empty() {
                format!("no such element among {} ", array.len())
            } else {
                format!("only {}", near.join(", "))
            }
        } else {
            format!(
                "found {}",
                found
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        out.push(mismatch(case, wanted, got));
    }
}

fn run_explain(cases: &[&Value], scratch: &Scratch, out: &mut Vec<Mismatch>) {
    for (n, (text, group)) in by_text(cases).into_iter().enumerate() {
        let dir = scratch.acl_dir(&format!("explain-{n}"), &text);
        let file = dir.join("users.acl");
        let output = dflint(&[
            "acl",
            "explain",
            file.to_str().expect("UTF-8 path"),
            "--format",
            "json",
            "--dialect",
            "dragonfly",
        ]);
        let parsed: Result<Value, _> = serde_json::from_slice(&output.stdout);
        let users = match parsed {
            Ok(Value::Array(users)) => users,
            other => {
                let why = format!(
                    "`acl explain` gave no JSON array (status {}, {:?}, stderr: {})",
                    output.status,
                    other.map(|v| v.to_string()).map_err(|e| e.to_string()),
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                for case in group {
                    out.push(mismatch(case, "explain output", why.clone()));
                }
                continue;
            }
        };
        for case in group {
            let name = str_field(case, "user");
            match users
                .iter()
                .filter_map(Value::as_object)
                .find(|u| u.get("user").and_then(Value::as_str) == Some(name))
            {
                Some(user) => judge_explain(case, user, out),
                None => out.push(mismatch(
                    case,
                    format!("a user object for `{name}`"),
                    format!(
                        "users {:?}",
                        users.iter().map(|u| u["user"].clone()).collect::<Vec<_>>()
                    ),
                )),
            }
        }
    }
}

fn run_check(cases: &[&Value], scratch: &Scratch, out: &mut Vec<Mismatch>) {
    for (n, (text, group)) in by_text(cases).into_iter().enumerate() {
        let dir = scratch.acl_dir(&format!("check-{n}"), &text);
        let output = dflint(&[
            "check",
            dir.to_str().expect("UTF-8 path"),
            "--format",
            "json",
        ]);
        let parsed: Result<Value, _> = serde_json::from_slice(&output.stdout);
        let codes: Vec<String> = match parsed
            .as_ref()
            .ok()
            .and_then(|v| v["diagnostics"].as_array())
        {
            Some(diagnostics) => diagnostics
                .iter()
                .filter_map(|d| d["code"].as_str().map(str::to_string))
                .collect(),
            None => {
                let why = format!(
                    "`check` gave no diagnostics array (status {}, stderr: {})",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                for case in group {
                    out.push(mismatch(case, "check output", why.clone()));
                }
                continue;
            }
        };
        for case in group {
            let list = |f: &str| -> Vec<String> {
                case[f]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            };
            let missing: Vec<String> = list("expect_codes")
                .into_iter()
                .filter(|c| !codes.contains(c))
                .collect();
            let unwanted: Vec<String> = list("absent_codes")
                .into_iter()
                .filter(|c| codes.contains(c))
                .collect();
            if !missing.is_empty() || !unwanted.is_empty() {
                let mut reported = codes.clone();
                reported.sort();
                reported.dedup();
                out.push(mismatch(
                    case,
                    format!(
                        "codes {:?} reported, {:?} not",
                        list("expect_codes"),
                        list("absent_codes")
                    ),
                    format!("reported {reported:?} (missing {missing:?}, unwanted {unwanted:?})"),
                ));
            }
        }
    }
}

#[test]
fn dragonfly_v1_40_1_acl_conformance() {
    let cases = load_table();
    let problems = validate(&cases);
    assert!(
        problems.is_empty(),
        "{TABLE} is malformed:\n  {}",
        problems.join("\n  ")
    );

    let of_kind = |k: &str| -> Vec<&Value> { cases.iter().filter(|c| c["kind"] == k).collect() };
    let (can, explain, check) = (of_kind("can"), of_kind("explain"), of_kind("check"));

    let scratch = Scratch::new();
    let mut mismatches = Vec::new();
    run_can(&can, &scratch, &mut mismatches);
    run_explain(&explain, &scratch, &mut mismatches);
    run_check(&check, &scratch, &mut mismatches);
    drop(scratch);

    println!(
        "dragonfly conformance: {} cases checked ({} can, {} explain, {} check), {} mismatches",
        cases.len(),
        can.len(),
        explain.len(),
        check.len(),
        mismatches.len()
    );
    if !mismatches.is_empty() {
        let mut report = String::new();
        for m in &mismatches {
            report.push_str(&format!(
                "\n{} [{}]\n    expected: {}\n    got:      {}",
                m.id, m.source, m.expected, m.got
            ));
        }
        panic!(
            "{} of {} Dragonfly v1.40.1 conformance cases disagree:{report}",
            mismatches.len(),
            cases.len()
        );
    }
}
