//! The JSON report: the stable contract other tools depend on (`dflint check --format json`,
//! the playground). Field order follows the contract in DESIGN.md.

use crate::diagnostic::{Diagnostic, DocUrl};
use crate::lint::Report;
use crate::reach_report::InstanceReach;
use crate::source::Source;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};

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
/// never held twice. With the sources, each place also gets its UTF-16 offsets.
struct Diagnostics<'a> {
    list: &'a [Diagnostic],
    sources: Option<HashMap<&'a str, &'a Source>>,
}

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let sources = self.sources.as_ref();
        serializer.collect_seq(self.list.iter().map(|d| json_diagnostic(d, sources)))
    }
}

/// A span in UTF-16 code units from the start of its file: what editors in the browser
/// count (columns count characters; an emoji is one character and two units).
#[derive(Serialize)]
struct Utf16Span {
    start: usize,
    end: usize,
}

fn utf16_span(
    sources: Option<&HashMap<&str, &Source>>,
    location: &crate::diagnostic::Location,
) -> Option<Utf16Span> {
    let source = sources?.get(&*location.file)?;
    Some(Utf16Span {
        start: source.utf16_offset(location.span.start),
        end: source.utf16_offset(location.span.end),
    })
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
    /// Only in the playground's report ([`write_for_editors`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    utf16: Option<Utf16Span>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    utf16: Option<Utf16Span>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: usize,
    documents: usize,
    resources: &'a BTreeMap<String, usize>,
    /// Added after version 1 was fixed, so only present when there are some.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    dragonfly_workloads: &'a BTreeMap<String, usize>,
    /// Custom resources checked against a CRD's schema, by kind; only present when there
    /// are some.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    custom_resources: &'a BTreeMap<String, usize>,
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

/// [`write`] for an editor showing `sources`: every place also gets its offsets in UTF-16
/// code units (`utf16`: `start`, `end`), which is how the browser's editors count.
pub fn write_for_editors<W: std::io::Write>(
    report: &Report,
    sources: &[Source],
    out: W,
) -> std::io::Result<()> {
    let mut contract = contract(report);
    contract.diagnostics.sources = Some(sources.iter().map(|s| (s.name(), s)).collect());
    // Compact: an editor parses it and nobody reads it, and indenting a thousand findings
    // was a third of the browser's time to answer.
    let mut out = out;
    serde_json::to_writer(&mut out, &contract).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
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
        diagnostics: Diagnostics {
            list: &report.diagnostics,
            sources: None,
        },
        summary: JsonSummary {
            files: s.files,
            documents: s.documents,
            resources: &s.resources,
            dragonfly_workloads: &s.dragonfly_workloads,
            custom_resources: &s.custom_resources,
            suppressed: s.suppressed,
            baselined: s.baselined,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
        },
    }
}

fn json_diagnostic<'a>(
    d: &'a Diagnostic,
    sources: Option<&HashMap<&str, &Source>>,
) -> JsonDiagnostic<'a> {
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
        utf16: utf16_span(sources, &d.location),
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
                utf16: utf16_span(sources, &r.location),
            })
            .collect(),
        resource: d.resource.as_deref(),
    }
}
