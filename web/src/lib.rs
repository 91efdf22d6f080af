//! Browser facade for the playground: JSON text in, JSON text out. All logic is in
//! dflint-core; this crate only reads the arguments, calls the core and serialises its typed
//! results, giving every place in the input also in UTF-16 code units (what the browser's
//! editors count: an emoji is two units, a CJK character one).
//!
//! Every function answers with JSON; a request it cannot read gets `{"error": "…"}`.

use dflint_core::acl::parse::{parse_file_with, ServerLimits};
use dflint_core::acl::queries::EvaluatedAcl;
use dflint_core::acl::report::{CanAnswer, IsolationReport, MatrixReport, UserReport};
use dflint_core::acl::Dialect;
use dflint_core::config::{LintConfig, Spelling};
use dflint_core::{Source, Span};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;

/// Rows of the permission matrix: more is no longer a table anyone reads, and each row is
/// two dozen cells of JSON and DOM (100,000 users crashed the page's tab).
const MATRIX_USERS: usize = 500;

/// One file of the bundle, as the page holds it.
#[derive(Deserialize)]
struct FileInput {
    name: String,
    text: String,
}

/// A span in UTF-16 code units from the start of its text.
#[derive(Serialize)]
struct Utf16Span {
    start: usize,
    end: usize,
}

fn error(message: impl std::fmt::Display) -> String {
    serde_json::json!({ "error": message.to_string() }).to_string()
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(error)
}

fn sources(files: &str) -> Result<Vec<Source>, String> {
    let files: Vec<FileInput> = serde_json::from_str(files).map_err(|e| format!("files: {e}"))?;
    Ok(files
        .into_iter()
        .map(|f| Source::new(f.name, f.text))
        .collect())
}

/// The settings `dflint.toml` holds, as JSON (either spelling: `extend-select` or
/// `extendSelect`); empty for the defaults.
fn settings(settings: &str) -> Result<LintConfig, String> {
    if settings.trim().is_empty() {
        return Ok(LintConfig::default());
    }
    let config: LintConfig =
        serde_json::from_str(settings).map_err(|e| format!("settings: {e}"))?;
    config.validate().map_err(|invalid| {
        format!(
            "settings: {}: {}",
            invalid.dotted_path(Spelling::Kebab),
            invalid.message
        )
    })?;
    Ok(config)
}

fn dialect(name: &str) -> Result<Dialect, String> {
    match name {
        "dragonfly" => Ok(Dialect::Dragonfly),
        "redis" => Ok(Dialect::Redis),
        other => Err(format!("unknown dialect `{other}` (dragonfly or redis)")),
    }
}

fn evaluated(text: &str, dialect_name: &str) -> Result<EvaluatedAcl, String> {
    let dialect = dialect(dialect_name)?;
    Ok(EvaluatedAcl::new(parse_file_with(
        text,
        dialect,
        ServerLimits::default(),
    )))
}

/// Lints `files` (`[{"name", "text"}]`) as one bundle, as `dflint check` lints a directory,
/// with `settings`: the JSON report of `dflint check --format json`, each place also with
/// `utf16` offsets into its file.
#[wasm_bindgen]
pub fn lint(files: &str, settings_json: &str) -> String {
    let (sources, config) = match (sources(files), settings(settings_json)) {
        (Ok(sources), Ok(config)) => (sources, config),
        (Err(e), _) | (_, Err(e)) => return error(e),
    };
    // The page shows the text in its own editor: no snippet needs masking.
    let report = dflint_core::lint_without_redactions(&sources, &config);
    let mut out = Vec::new();
    match dflint_core::output::json::write_for_editors(&report, &sources, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_else(error),
        Err(e) => error(e),
    }
}

/// Every user's effective permissions (`dflint acl explain --format json`), and why the
/// server would refuse the text, when it would.
#[wasm_bindgen]
pub fn acl_explain(text: &str, dialect: &str) -> String {
    explain(text, dialect, None)
}

/// [`acl_explain`] for one user: what the page asks when a matrix cell is opened (every
/// user of a large file at once is megabytes of JSON).
#[wasm_bindgen]
pub fn acl_explain_user(text: &str, dialect: &str, user: &str) -> String {
    explain(text, dialect, Some(user))
}

fn explain(text: &str, dialect: &str, only: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Explained {
        users: Vec<UserReport>,
        rejected: Option<String>,
    }
    match evaluated(text, dialect) {
        Ok(acl) => to_json(&Explained {
            users: acl
                .users()
                .iter()
                .filter(|u| only.is_none_or(|name| u.name == name))
                .map(|u| UserReport::of(acl.file(), u))
                .collect(),
            rejected: acl.rejection().map(str::to_string),
        }),
        Err(e) => error(e),
    }
}

/// Users × ACL categories: allowed, partly or denied; the first 500 users, and how many more
/// there are.
#[wasm_bindgen]
pub fn acl_matrix(text: &str, dialect: &str) -> String {
    match evaluated(text, dialect) {
        Ok(acl) => to_json(&MatrixReport::of(acl.file(), acl.users(), MATRIX_USERS)),
        Err(e) => error(e),
    }
}

/// May `user` run `argv` (a JSON array of words: `["CONFIG", "SET", "x", "y"]`)? The answer
/// of `dflint acl can`, and where the deciding token is in `text`.
#[wasm_bindgen]
pub fn acl_can(text: &str, dialect: &str, user: &str, argv: &str) -> String {
    #[derive(Serialize)]
    struct Placed {
        answer: CanAnswer,
        token: Option<Utf16Span>,
    }
    let words: Vec<String> = match serde_json::from_str(argv) {
        Ok(words) => words,
        Err(e) => return error(format!("argv: {e}")),
    };
    if words.is_empty() {
        return error("argv: give a command");
    }
    let acl = match evaluated(text, dialect) {
        Ok(acl) => acl,
        Err(e) => return error(e),
    };
    let argv: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    let (answer, span) = acl.answer_placed(user, &argv);
    let source = Source::new("acl", text);
    to_json(&Placed {
        answer,
        token: span.map(|span: Span| Utf16Span {
            start: source.utf16_offset(span.start),
            end: source.utf16_offset(span.end),
        }),
    })
}

/// Pairs of users whose key or channel patterns match a common name, with such a name.
#[wasm_bindgen]
pub fn acl_overlaps(text: &str, dialect: &str) -> String {
    match evaluated(text, dialect) {
        Ok(acl) => to_json(&IsolationReport::of(
            acl.users(),
            dflint_core::limits::Limits::default().max_acl_overlap_pairs,
        )),
        Err(e) => error(e),
    }
}

/// Who can reach which port of each Dragonfly instance in `files`, and why: the JSON of
/// `dflint netpol reach --format json`.
#[wasm_bindgen]
pub fn netpol_reach(files: &str) -> String {
    let sources = match sources(files) {
        Ok(sources) => sources,
        Err(e) => return error(e),
    };
    let mut config = LintConfig::default();
    dflint_core::reach_report::select_reach_rules(&mut config);
    let (table, report) = dflint_core::reach_report::reach(&sources, &config);
    let mut out = Vec::new();
    match dflint_core::output::json::write_with_instances(&report, &table.instances, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_else(error),
        Err(e) => error(e),
    }
}

/// The texts of `files` made safe for a share link: every password, hash, Secret value and
/// credential replaced by a placeholder that keeps equality (see `dflint_core::share`).
/// Answers `{"files": [{"name", "text"}], "replaced": N}`, N counting distinct secrets.
#[wasm_bindgen]
pub fn share_redact(files: &str, settings_json: &str) -> String {
    let (sources, config) = match (sources(files), settings(settings_json)) {
        (Ok(sources), Ok(config)) => (sources, config),
        (Err(e), _) | (_, Err(e)) => return error(e),
    };
    let (texts, replaced) = dflint_core::share::redact_for_sharing(&sources, &config);
    let files: Vec<serde_json::Value> = sources
        .iter()
        .zip(texts)
        .map(|(source, text)| serde_json::json!({ "name": source.name(), "text": text }))
        .collect();
    serde_json::json!({ "files": files, "replaced": replaced }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).expect("JSON")
    }

    fn files(list: &[(&str, &str)]) -> String {
        let list: Vec<Value> = list
            .iter()
            .map(|(name, text)| serde_json::json!({ "name": name, "text": text }))
            .collect();
        Value::Array(list).to_string()
    }

    #[test]
    fn lint_gives_the_json_contract_with_utf16_offsets() {
        // An emoji and CJK characters before the finding: columns count characters, the
        // UTF-16 offsets count what the browser's editor counts.
        let acl = "# 密码 😀\nuser t on >x ~t:* +@all -@dangerous +config\n";
        let report = json(&lint(&files(&[("users.acl", acl)]), ""));
        assert_eq!(report["version"], 1);
        let finding = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "DF210" && d["message"].as_str().unwrap().contains("+config"))
            .unwrap_or_else(|| panic!("no DF210 on `+config` in {report}"));
        let start = finding["utf16"]["start"].as_u64().unwrap() as usize;
        let end = finding["utf16"]["end"].as_u64().unwrap() as usize;
        let units: Vec<u16> = acl.encode_utf16().collect();
        assert_eq!(String::from_utf16(&units[start..end]).unwrap(), "+config");
    }

    #[test]
    fn lint_reads_settings_in_either_spelling_and_refuses_bad_ones() {
        let cr = "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: a}\n";
        let all = json(&lint(&files(&[("x.yaml", cr)]), ""));
        assert!(all["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "DF012"));
        let ignored = json(&lint(&files(&[("x.yaml", cr)]), r#"{"ignore": ["DF012"]}"#));
        assert!(!ignored["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "DF012"));
        let camel = json(&lint(
            &files(&[("x.yaml", cr)]),
            r#"{"extendSelect": ["DF012"]}"#,
        ));
        assert!(camel.get("error").is_none(), "{camel}");
        let bad = json(&lint(&files(&[("x.yaml", cr)]), r#"{"select": ["DF999"]}"#));
        assert!(
            bad["error"].as_str().unwrap().contains("select[0]"),
            "{bad}"
        );
        assert!(json(&lint("not json", "")).get("error").is_some());
    }

    #[test]
    fn acl_can_answers_with_the_deciding_token_in_utf16() {
        let acl = "user 😀 on >x ~t:* +@all -@dangerous +config\n";
        let got = json(&acl_can(
            acl,
            "dragonfly",
            "😀",
            r#"["CONFIG","SET","x","y"]"#,
        ));
        assert_eq!(got["answer"]["allowed"], true, "{got}");
        let start = got["token"]["start"].as_u64().unwrap() as usize;
        let end = got["token"]["end"].as_u64().unwrap() as usize;
        let units: Vec<u16> = acl.encode_utf16().collect();
        assert_eq!(String::from_utf16(&units[start..end]).unwrap(), "+config");
        let denied = json(&acl_can(acl, "dragonfly", "😀", r#"["FLUSHALL"]"#));
        assert_eq!(denied["answer"]["allowed"], false, "{denied}");
        let unknown = json(&acl_can(acl, "dragonfly", "bob", r#"["GET","k"]"#));
        assert_eq!(unknown["answer"]["error"], "user 'bob' not found");
        assert!(json(&acl_can(acl, "valkey", "😀", r#"["GET","k"]"#))
            .get("error")
            .is_some());
        assert!(json(&acl_can(acl, "redis", "😀", "[]"))
            .get("error")
            .is_some());
    }

    #[test]
    fn the_dialect_changes_the_verdict_on_a_first_argument_grant() {
        // Redis allows `CONFIG GET` alone; Dragonfly has no first-argument grants.
        let acl = "user t on >x ~* -@all +config|get\n";
        let redis = json(&acl_can(
            acl,
            "redis",
            "t",
            r#"["CONFIG","GET","maxmemory"]"#,
        ));
        let dragonfly = json(&acl_can(
            acl,
            "dragonfly",
            "t",
            r#"["CONFIG","GET","maxmemory"]"#,
        ));
        assert_ne!(redis["answer"], dragonfly["answer"], "{redis} {dragonfly}");
    }

    #[test]
    fn explain_matrix_and_overlaps_come_from_the_engine() {
        let acl = "user a on >x ~app:* +@read\nuser b on >y ~app:1* +@read +flushall\n";
        let explained = json(&acl_explain(acl, "dragonfly"));
        let users = explained["users"].as_array().unwrap();
        assert!(users.iter().any(|u| u["user"] == "a"));
        assert!(explained["rejected"].is_null());
        let b = users.iter().find(|u| u["user"] == "b").unwrap();
        assert!(b["dangerous_commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "flushall"));
        let one = json(&acl_explain_user(acl, "dragonfly", "b"));
        assert_eq!(one["users"].as_array().unwrap().len(), 1);
        assert_eq!(one["users"][0], *b);
        let matrix = json(&acl_matrix(acl, "dragonfly"));
        let column = matrix["categories"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["name"] == "@read")
            .unwrap();
        let row = matrix["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user"] == "a")
            .unwrap();
        assert_eq!(row["cells"][column]["state"], "allowed");
        let overlaps = json(&acl_overlaps(acl, "dragonfly"));
        let pair = &overlaps["overlaps"][0];
        assert_eq!(
            (pair["first_user"].as_str(), pair["second_user"].as_str()),
            (Some("a"), Some("b"))
        );
        assert!(pair["example"].as_str().unwrap().starts_with("app:1"));
    }

    #[test]
    fn reach_gives_the_table_and_the_findings() {
        let cr = "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: a, namespace: n}\nspec: {networkPolicyEnabled: false}\n";
        let got = json(&netpol_reach(&files(&[("cr.yaml", cr)])));
        assert_eq!(got["instances"][0]["name"], "a", "{got}");
        assert!(got["diagnostics"].is_array());
    }
}

#[cfg(test)]
mod matrix_against_dry_run {
    use super::*;
    use serde_json::Value;

    /// A command line that reaches `command`'s permission check: its words (`ACL SETUSER`,
    /// `CONFIG GET`) and dummy arguments up to its arity.
    fn argv(name: &str, arity: i64) -> Vec<String> {
        let mut words: Vec<String> = name.split([' ', '|']).map(str::to_uppercase).collect();
        while (words.len() as i64) < arity.abs() {
            words.push("k".into());
        }
        words
    }

    /// Every cell of the matrix counts exactly the commands the dry-run engine does not
    /// refuse for lack of command permission (it may still refuse a key or channel).
    #[test]
    fn every_matrix_cell_agrees_with_the_dry_run_engine_for_the_seed_users() {
        let secrets = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../examples/seed-cluster/secrets.yaml"),
        )
        .expect("the seed cluster's Secrets");
        let acl: String = secrets
            .lines()
            .filter(|l| l.starts_with("    user "))
            .map(|l| format!("{}\n", l.trim()))
            .collect();
        assert_eq!(acl.lines().count(), 5, "{acl}");
        for dialect in ["dragonfly", "redis"] {
            let d = super::dialect(dialect).unwrap();
            let arity = |name: &str| {
                dflint_core::acl::commands::all(d)
                    .iter()
                    .find(|c| c.name == name)
                    .map(|c| i64::from(c.arity))
                    .expect("a command of the table")
            };
            // A Redis container command (`config`) runs only as one of its subcommands: no
            // command line reaches its own check, so it is held to the user's effective
            // permissions (`acl explain`) instead.
            let table = dflint_core::acl::commands::all(d);
            let container = |name: &str| table.iter().any(|c| c.parent == Some(name));
            let matrix: Value = serde_json::from_str(&acl_matrix(&acl, dialect)).unwrap();
            let mut cells = 0;
            for row in matrix["users"].as_array().unwrap() {
                let user = row["user"].as_str().unwrap();
                let explained: Value =
                    serde_json::from_str(&acl_explain_user(&acl, dialect, user)).unwrap();
                let effective: Vec<&str> = explained["users"][0]["commands"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["command"].as_str().unwrap())
                    .collect();
                for (cell, category) in row["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(matrix["categories"].as_array().unwrap())
                {
                    let mut allowed = 0;
                    for command in category["commands"].as_array().unwrap() {
                        let name = command.as_str().unwrap();
                        if d == Dialect::Redis && container(name) {
                            allowed += usize::from(effective.contains(&name));
                            continue;
                        }
                        let words = argv(name, arity(name));
                        let answer: Value = serde_json::from_str(&acl_can(
                            &acl,
                            dialect,
                            user,
                            &serde_json::to_string(&words).unwrap(),
                        ))
                        .unwrap();
                        let answer = &answer["answer"];
                        assert!(
                            answer.get("error").is_none(),
                            "{dialect} {user} {words:?}: {answer}"
                        );
                        if answer["allowed"] == true || answer["denied_on"] != "command" {
                            allowed += 1;
                        }
                    }
                    assert_eq!(
                        cell["allowed"], allowed,
                        "{dialect} {user} {}",
                        category["name"]
                    );
                    cells += 1;
                }
            }
            assert!(cells > 100, "{dialect}: {cells} cells");
        }
    }
}
