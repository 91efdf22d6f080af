//! The JSON report: the stable contract other tools depend on (`dflint check --format json`,
//! the playground). Field order follows the contract in DESIGN.md.

use crate::diagnostic::{Diagnostic, DocUrl};
use crate::lint::Report;
use crate::reach_report::InstanceReach;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    /// `dflint netpol reach`: the reachability table, before the findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    instances: Option<&'a [InstanceReach]>,
    diagnostics: Diagnostics<'a>,
    summary: JsonSummary<'a>,
}

/// The findings, each turned into its JSON shape only as it is written: a large report is
/// never held twice.
struct Diagnostics<'a>(&'a [Diagnostic]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(json_diagnostic))
    }
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
    doc_url: DocUrl<'a>,
    /// Further places the finding concerns (every other token of a rejected ACL file, the
    /// token a later grant undoes…). Left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    /// The resource the finding is in (`kind`, `namespace`, `name`); left out in ACL files.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a crate::diagnostic::ResourceRef>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    label: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: usize,
    documents: usize,
    resources: &'a BTreeMap<String, usize>,
    suppressed: usize,
    baselined: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// The report as JSON text.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Streams the report as JSON into `out` (no intermediate string: reports of large inputs can
/// be tens of megabytes).
pub fn write<W: std::io::Write>(report: &Report, out: W) -> std::io::Result<()> {
    write_contract(&contract(report), out)
}

/// [`write`] with the reachability table of `dflint netpol reach` before the findings.
pub fn write_with_instances<W: std::io::Write>(
    report: &Report,
    instances: &[InstanceReach],
    out: W,
) -> std::io::Result<()> {
    let mut contract = contract(report);
    contract.instances = Some(instances);
    write_contract(&contract, out)
}

fn write_contract<W: std::io::Write>(contract: &Output<'_>, mut out: W) -> std::io::Result<()> {
    // `From` keeps the kind of an I/O error (a closed pipe stays `BrokenPipe`).
    serde_json::to_writer_pretty(&mut out, contract).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

fn contract(report: &Report) -> Output<'_> {
    let s = &report.summary;
    Output {
        version: 1,
        instances: None,
        diagnostics: Diagnostics(&report.diagnostics),
        summary: JsonSummary {
            files: s.files,
            documents: s.documents,
            resources: &s.resources,
            suppressed: s.suppressed,
            baselined: s.baselined,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
        },
    }
}

fn json_diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
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
        doc_url: d.doc_url(),
        related: d
            .related
            .iter()
            .map(|r| JsonRelated {
                label: &r.label,
                file: &r.location.file,
                line: r.location.line,
                column: r.location.column,
                end_line: r.location.end_line,
                end_column: r.location.end_column,
            })
            .collect(),
        resource: d.resource.as_deref(),
    }
}
