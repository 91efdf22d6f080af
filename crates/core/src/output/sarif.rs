//! SARIF 2.1.0 (OASIS), the format code-scanning services read (GitHub code scanning, Azure
//! DevOps, GitLab through converters).
//!
//! One run: the tool with the rules that have results (id, name, summary, the rule's docs as
//! help, its documentation link and default level), and one result per finding with its exact
//! region, JSON path, related locations and a fingerprint that survives edits elsewhere in the
//! file ([`crate::fingerprint`]). Columns count Unicode characters, as dflint's do everywhere,
//! and the run says so (`columnKind`), because SARIF's default is UTF-16 code units.
//! No source text is embedded (no `snippet`): it may hold secrets.

use crate::diagnostic::{Diagnostic, DocUrl, Location, Severity};
use crate::lint::Report;
use crate::rules::{registry, RuleMeta};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Results<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    help_uri: DocUrl<'static>,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

/// The results, each shaped only as it is written (a large report is never held twice).
struct Results<'a> {
    diagnostics: &'a [Diagnostic],
    fingerprints: Vec<String>,
    rule_index: BTreeMap<&'static str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.diagnostics.iter().zip(&self.fingerprints).map(
            |(d, fingerprint)| {
                SarifResult {
                    rule_id: d.code,
                    rule_index: self.rule_index[d.code],
                    level: level(d.severity),
                    message: Message {
                        text: result_text(d),
                    },
                    locations: [
                        ResultLocation::of(&d.location, None).in_resource(d.resource.as_deref())
                    ],
                    related_locations: d
                        .related
                        .iter()
                        .enumerate()
                        .map(|(i, r)| ResultLocation::of(&r.location, Some((i + 1, &r.label))))
                        .collect(),
                    partial_fingerprints: Fingerprints {
                        dflint: fingerprint,
                    },
                }
            },
        ))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [ResultLocation<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<ResultLocation<'a>>,
    partial_fingerprints: Fingerprints<'a>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "dflint/v1")]
    dflint: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

impl<'a> ResultLocation<'a> {
    fn of(location: &'a Location, related: Option<(usize, &'a str)>) -> Self {
        ResultLocation {
            id: related.map(|(id, _)| id),
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri_of(&location.file),
                },
                region: Region {
                    start_line: location.line,
                    start_column: location.column,
                    end_line: location.end_line,
                    end_column: location.end_column,
                },
            },
            logical_locations: location
                .json_path
                .as_deref()
                .map(|path| LogicalLocation {
                    fully_qualified_name: path.into(),
                    kind: "property",
                })
                .into_iter()
                .collect(),
            message: related.map(|(_, label)| Text { text: label }),
        }
    }

    /// Adds the resource the finding is in (`Dragonfly/cache/main`) as a logical location.
    fn in_resource(mut self, resource: Option<&crate::diagnostic::ResourceRef>) -> Self {
        if let Some(resource) = resource {
            self.logical_locations.insert(
                0,
                LogicalLocation {
                    fully_qualified_name: resource.to_string().into(),
                    kind: "resource",
                },
            );
        }
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    /// One past the last character, as SARIF and dflint's own `end_column` both count.
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: std::borrow::Cow<'a, str>,
    kind: &'static str,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The message, with the help sentence after it: SARIF viewers show one text per result.
fn result_text(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{} ({help})", d.message),
        None => d.message.to_string(),
    }
}

/// A file name as a URI reference: relative names stay relative (code scanning resolves them
/// against the repository root), absolute ones become `file://` URIs, and every byte outside
/// RFC 3986's unreserved characters and `/` is percent-encoded (`<stdin>` → `%3Cstdin%3E`).
pub fn uri_of(file: &str) -> String {
    let mut uri = String::with_capacity(file.len() + 8);
    if file.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in file.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Streams `report` as a SARIF 2.1.0 log into `out`.
pub fn write<W: std::io::Write>(report: &Report, mut out: W) -> std::io::Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    let used: Vec<&'static RuleMeta> = registry()
        .iter()
        .map(|rule| rule.meta())
        .filter(|meta| report.diagnostics.iter().any(|d| d.code == meta.code))
        .collect();
    let rule_index = used
        .iter()
        .enumerate()
        .map(|(index, meta)| (meta.code, index))
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "dflint",
                    version,
                    semantic_version: version,
                    information_uri: crate::diagnostic::REPOSITORY_URL,
                    rules: used.iter().map(|meta| descriptor(meta)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
            }],
            column_kind: "unicodeCodePoints",
            results: Results {
                diagnostics: &report.diagnostics,
                fingerprints: crate::fingerprint::fingerprints(&report.diagnostics),
                rule_index,
            },
        }],
    };
    serde_json::to_writer_pretty(&mut out, &log).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

fn descriptor(meta: &'static RuleMeta) -> ReportingDescriptor {
    ReportingDescriptor {
        id: meta.code,
        name: meta.name,
        short_description: Text { text: meta.summary },
        help_uri: crate::diagnostic::DocUrl::of(meta.code, meta.name),
        help: Help {
            text: meta.summary,
            markdown: meta.docs,
        },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri_of("examples/cr.yaml"), "examples/cr.yaml");
        assert_eq!(uri_of("/work/my cr.yaml"), "file:///work/my%20cr.yaml");
        assert_eq!(uri_of("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri_of("naïve.yaml"), "na%C3%AFve.yaml");
    }
}
