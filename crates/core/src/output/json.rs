//! The JSON report: the stable contract other tools depend on (`dflint check --format json`,
//! the playground). Field order follows the contract in DESIGN.md.

use crate::lint::Report;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    json_path: Option<&'a str>,
    doc_url: &'a str,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: usize,
    documents: usize,
    resources: &'a BTreeMap<String, usize>,
    errors: usize,
    warnings: usize,
    infos: usize,
}

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let output = Output {
        version: 1,
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code,
                rule: d.rule,
                severity: d.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                file: &d.location.file,
                line: d.location.line,
                column: d.location.column,
                end_line: d.location.end_line,
                end_column: d.location.end_column,
                json_path: d.location.json_path.as_deref(),
                doc_url: &d.doc_url,
            })
            .collect(),
        summary: JsonSummary {
            files: s.files,
            documents: s.documents,
            resources: &s.resources,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
        },
    };
    let mut text = serde_json::to_string_pretty(&output).expect("plain data always serializes");
    text.push('\n');
    text
}
