//! Reads `tests/hostile/cases.json` and builds each case's input text. Shared by the CLI's and
//! the policy harness's hostile-input tests (`#[path]`-included), so both run the same cases;
//! the expansion rules are written down in the file's `about` so a browser test can do the same.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// What the admission policy must answer for a case.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyExpectation {
    /// The case cannot reach the policy, for the reason given.
    Skip(String),
    /// Admitted and linted: these codes are among its findings.
    Codes(Vec<String>),
    /// Refused unread: larger than `maxObjectBytes`.
    TooLarge,
    /// Refused as a request the policy cannot read.
    BadRequest,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub why: String,
    /// The file name the CLI reads it under (its extension decides how it is read).
    pub file: String,
    parts: Vec<Value>,
    /// Codes `dflint check` must report (at least these).
    pub cli_codes: Vec<String>,
    /// `acl explain` runs on the whole file, or only for this user when the whole description
    /// would be gigabytes (it lists every command of every user).
    pub explain_user: Option<String>,
    /// `acl can` arguments (user, command, args), for ACL cases.
    pub can: Option<Vec<String>>,
    /// How the policy receives it: the file as the object, or wrapped in a Secret.
    pub wrap_in_secret: bool,
    /// The kind of the object sent as is (`Dragonfly` unless the case says otherwise).
    pub policy_kind: String,
    /// The ACL dialect the case is read in (`dragonfly` unless it says `redis`): the CLI's
    /// `--acl-dialect`/`--dialect`, the policy's `aclDialect`.
    pub dialect: String,
    pub policy: PolicyExpectation,
}

pub fn cases_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile/cases.json")
}

pub fn load() -> Vec<Case> {
    let path = cases_file();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    doc["cases"]
        .as_array()
        .expect("cases.json has `cases`")
        .iter()
        .map(case)
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().expect("a string").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn case(value: &Value) -> Case {
    let field = |name: &str| -> String {
        value[name]
            .as_str()
            .unwrap_or_else(|| panic!("case without `{name}`: {value}"))
            .to_string()
    };
    let policy = &value["policy"];
    let expectation = if let Some(reason) = policy["skip"].as_str() {
        PolicyExpectation::Skip(reason.to_string())
    } else {
        match policy["expect"].as_str() {
            Some("codes") => PolicyExpectation::Codes(strings(&policy["codes"])),
            Some("too-large") => PolicyExpectation::TooLarge,
            Some("bad-request") => PolicyExpectation::BadRequest,
            other => panic!(
                "case {}: unknown policy expectation {other:?}",
                field("name")
            ),
        }
    };
    Case {
        name: field("name"),
        why: field("why"),
        file: field("file"),
        parts: value["parts"].as_array().expect("parts").clone(),
        cli_codes: strings(&value["cli"]["codes"]),
        explain_user: value["cli"]["explainUser"].as_str().map(str::to_string),
        can: value["cli"]["can"]
            .as_array()
            .map(|_| strings(&value["cli"]["can"])),
        wrap_in_secret: policy["object"].as_str() == Some("secret"),
        policy_kind: policy["kind"].as_str().unwrap_or("Dragonfly").to_string(),
        dialect: value["dialect"].as_str().unwrap_or("dragonfly").to_string(),
        policy: expectation,
    }
}

impl Case {
    /// The input, built on demand: the largest is 50 MB, and a test that keeps every case's
    /// text resident would lend that size to each process it starts.
    pub fn text(&self) -> String {
        expand(&self.parts)
    }
}

/// Each part's text `repeat` times, `{i}` the index from `from`, `{prev}` the index minus one,
/// `{i:064}` the index zero-padded to 64 digits.
fn expand(parts: &[Value]) -> String {
    let mut out = String::new();
    for part in parts {
        let text = part["text"].as_str().expect("part text");
        let repeat = part["repeat"].as_u64().unwrap_or(1);
        let from = part["from"].as_u64().unwrap_or(0);
        if !text.contains('{') {
            for _ in 0..repeat {
                out.push_str(text);
            }
            continue;
        }
        for i in from..from + repeat {
            out.push_str(
                &text
                    .replace("{i:064}", &format!("{i:064}"))
                    .replace("{i}", &i.to_string())
                    .replace("{prev}", &i.wrapping_sub(1).to_string()),
            );
        }
    }
    out
}
