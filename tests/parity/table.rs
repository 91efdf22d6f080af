//! Reading the parity table (`tests/parity/expected.json`) and its cases
//! (`tests/parity/cases/<case>/…`). Shared by every consumer, which includes this file by
//! path: the CLI (`crates/cli/tests/parity_table.rs`), the compiled policy
//! (`crates/policy-harness/tests/parity_table.rs`) and the browser facade
//! (`tests/tests/parity.rs`). Only `std` and `serde_json`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One expected finding: what every front end must agree on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Relative to the case directory, `/`-separated.
    pub file: String,
    pub line: u64,
    pub code: String,
}

/// Case name → its findings, sorted by file, line, code.
pub type Table = BTreeMap<String, Vec<Finding>>;

/// `tests/parity` of the workspace holding the crate that includes this file.
pub fn parity_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("tests").join("parity"))
        .find(|dir| dir.join("cases").is_dir())
        .expect("tests/parity/cases above the crate")
}

pub fn cases_dir() -> PathBuf {
    parity_dir().join("cases")
}

pub fn table_path() -> PathBuf {
    parity_dir().join("expected.json")
}

/// Every case directory, sorted.
pub fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/parity/cases is readable")
        .map(|entry| entry.expect("directory entry"))
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// `(path relative to the case, text)` of every file of a case, sorted by path.
pub fn case_files(case: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("case directory is readable") {
            let entry = entry.expect("directory entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{prefix}{name}");
            if entry.file_type().expect("file type").is_dir() {
                walk(&entry.path(), &format!("{relative}/"), out);
            } else {
                let text = std::fs::read_to_string(entry.path())
                    .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
                out.push((relative, text));
            }
        }
    }
    let mut files = Vec::new();
    walk(&cases_dir().join(case), "", &mut files);
    files.sort();
    files
}

/// A case made from a rule's documented example (`DF217-failing`, `DF217-passing-2`):
/// `(code, is_failing)`. Hand-made cases have other names.
pub fn doc_case(name: &str) -> Option<(&str, bool)> {
    let code = name.get(..5)?;
    if !(code.starts_with("DF") && code[2..].bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let rest = &name[5..];
    let (failing, number) = if let Some(n) = rest.strip_prefix("-failing") {
        (true, n)
    } else if let Some(n) = rest.strip_prefix("-passing") {
        (false, n)
    } else {
        return None;
    };
    let numbered = number.is_empty()
        || number
            .strip_prefix('-')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    numbered.then_some((code, failing))
}

/// The findings of a `dflint check --format json` report, sorted; file names relative to
/// the directory that was checked as `.`.
pub fn findings_of_report(report: &str) -> Vec<Finding> {
    let value: serde_json::Value = serde_json::from_str(report)
        .unwrap_or_else(|e| panic!("the report is not JSON ({e}): {report}"));
    let mut findings: Vec<Finding> = value["diagnostics"]
        .as_array()
        .expect("the report has diagnostics")
        .iter()
        .map(|d| Finding {
            file: d["file"]
                .as_str()
                .expect("file")
                .trim_start_matches("./")
                .replace('\\', "/"),
            line: d["line"].as_u64().expect("line"),
            code: d["code"].as_str().expect("code").to_string(),
        })
        .collect();
    findings.sort();
    findings
}

pub fn load_table() -> Table {
    let path = table_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (bless it: see tests/parity/README.md)",
            path.display()
        )
    });
    let value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut table = Table::new();
    for (case, list) in value.as_object().expect("the table is an object") {
        let mut findings: Vec<Finding> = list
            .as_array()
            .unwrap_or_else(|| panic!("{case}: a list of findings"))
            .iter()
            .map(|f| Finding {
                file: f["file"].as_str().expect("file").to_string(),
                line: f["line"].as_u64().expect("line"),
                code: f["code"].as_str().expect("code").to_string(),
            })
            .collect();
        findings.sort();
        table.insert(case.clone(), findings);
    }
    table
}

/// The table as written to `expected.json`: one case per key, one finding per line.
pub fn render_table(table: &Table) -> String {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    let mut out = String::from("{\n");
    for (i, (case, findings)) in table.iter().enumerate() {
        out.push_str(&format!("  {}: [", quote(case)));
        for (j, f) in findings.iter().enumerate() {
            out.push_str(&format!(
                "\n    {{\"code\": {}, \"file\": {}, \"line\": {}}}{}",
                quote(&f.code),
                quote(&f.file),
                f.line,
                if j + 1 < findings.len() { "," } else { "" }
            ));
        }
        if !findings.is_empty() {
            out.push_str("\n  ");
        }
        out.push_str(if i + 1 < table.len() { "],\n" } else { "]\n" });
    }
    out.push_str("}\n");
    out
}
