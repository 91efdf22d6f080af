//! `--format pretty`: miette's graphical report, with secrets masked in every snippet.

use dflint_core::redact::mask;
use dflint_core::{Diagnostic, Report, Severity, Source};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::Arc;

pub fn render(report: &Report, sources: &[Source], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES);
    let mut snippets: HashMap<&str, Snippet> = HashMap::new();
    for source in sources {
        let spans = report
            .redactions
            .get(source.name())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        snippets
            .entry(source.name())
            .or_insert_with(|| Snippet::new(source.name(), mask(source.text(), spans)));
    }
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let snippet = snippets.get(&*diagnostic.location.file).cloned();
        // A snippet is shown only when every line around every label is short enough to
        // read: a minified JSON or base64 line would be echoed whole (and miette cannot draw
        // labels past column 65,535). Without one, the location is written out instead.
        let (snippet, location) = match snippet {
            Some(s) if s.readable_around(diagnostic) => (Some(s), None),
            _ => (
                None,
                Some(format!(
                    "at {}:{}:{}",
                    diagnostic.location.file, diagnostic.location.line, diagnostic.location.column
                )),
            ),
        };
        let shown = Shown {
            diagnostic,
            snippet,
            location,
        };
        let _ = handler.render_report(&mut out, &shown);
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    // Kinds dflint does not lint are named apart, so a run over them does not look checked.
    let linted_kind = |kind: &str| dflint_core::resource::Kind::by_name(kind).is_some();
    let mut linted = Vec::new();
    let mut skipped = Vec::new();
    for (kind, &count) in &s.resources {
        // Workloads are linted when they run Dragonfly without the operator.
        let running = s.dragonfly_workloads.get(kind).copied().unwrap_or(0);
        if linted_kind(kind) {
            linted.push(format!("{count} {kind}"));
            continue;
        }
        // Custom resources checked against their CRD; the CRDs in the input that were read
        // as schemas.
        let by_schema = s.custom_resources.get(kind).copied().unwrap_or(0)
            + s.definitions.get(kind).copied().unwrap_or(0);
        if by_schema > 0 {
            linted.push(format!("{by_schema} {kind}"));
            if count > by_schema {
                skipped.push(format!("{} {kind}", count - by_schema));
            }
            continue;
        }
        if running > 0 {
            linted.push(format!("{running} {kind} running Dragonfly"));
        }
        if count > running {
            skipped.push(format!("{} {kind}", count - running));
        }
    }
    // Compose services are no resources: they are only counted here.
    for (declared, &count) in &s.dragonfly_workloads {
        if !s.resources.contains_key(declared) {
            let plural = if count == 1 { "" } else { "s" };
            let running = if declared.contains("Dragonfly") {
                ""
            } else {
                " running Dragonfly"
            };
            linted.push(format!("{count} {declared}{plural}{running}"));
        }
    }
    let mut kinds = String::new();
    if !linted.is_empty() {
        kinds = format!(": {}", linted.join(", "));
    }
    if !skipped.is_empty() {
        kinds.push_str(if linted.is_empty() { ": " } else { "; " });
        kinds.push_str(&format!("not linted: {}", skipped.join(", ")));
    }
    format!(
        "dflint: {}, {}, {} in {} ({}{kinds})",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        plural(s.files, "file"),
        plural(s.documents, "document"),
    )
}

/// A source whose spans are read through a line index, so rendering one diagnostic costs
/// the size of its context, not of the whole file.
#[derive(Clone)]
struct Snippet {
    name: Arc<str>,
    text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl Snippet {
    fn new(name: &str, text: String) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Snippet {
            name: name.into(),
            text: text.into(),
            line_starts: starts.into(),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Length in bytes of a line, without its `\n`.
    fn line_len(&self, line: usize) -> usize {
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        end.saturating_sub(start)
    }

    /// Whether the lines a diagnostic's labels would show (each label's first line with the
    /// context around it) are all at most [`MAX_SHOWN_LINE`] bytes long.
    fn readable_around(&self, d: &Diagnostic) -> bool {
        let last = self.line_starts.len() - 1;
        std::iter::once(&d.location)
            .chain(d.related.iter().map(|r| &r.location))
            .filter(|l| l.file == d.location.file)
            .all(|l| {
                let line = self.line_of(l.span.start.min(self.text.len()));
                (line.saturating_sub(CONTEXT_LINES)..=(line + CONTEXT_LINES).min(last))
                    .all(|n| self.line_len(n) <= MAX_SHOWN_LINE)
            })
    }

    /// A label's span cut to its first line: a finding on a whole 400,000-line document
    /// shows where it starts, not the document.
    fn first_line_of(&self, start: usize, len: usize) -> SourceSpan {
        let start = start.min(self.text.len());
        let line = self.line_of(start);
        let line_end = self.line_starts[line] + self.line_len(line);
        SourceSpan::new(start.into(), len.min(line_end.saturating_sub(start)))
    }
}

/// Lines of context miette shows around a label.
const CONTEXT_LINES: usize = 2;
/// Longer lines are not echoed; the location is written out instead.
const MAX_SHOWN_LINE: usize = 400;

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let len = self.text.len();
        let start = span.offset().min(len);
        let end = (span.offset() + span.len()).min(len).max(start);
        let start_line = self.line_of(start);
        let first_line = start_line.saturating_sub(before);
        let last_line = (self.line_of(end.saturating_sub(usize::from(end > start))) + after)
            .min(self.line_starts.len() - 1);
        let from = self.line_starts[first_line];
        let to = self
            .line_starts
            .get(last_line + 1)
            .map(|&s| s.saturating_sub(1))
            .unwrap_or(len)
            .max(from);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            &self.text.as_bytes()[from..to],
            SourceSpan::new(from.into(), to - from),
            first_line,
            // Without context miette asks for the span itself: give the real column so the
            // header names the exact position.
            if before == 0 && after == 0 {
                self.text[self.line_starts[start_line]..start]
                    .chars()
                    .count()
            } else {
                0
            },
            last_line - first_line + 1,
        )))
    }
}

struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    snippet: Option<Snippet>,
    /// "at file:line:column", when there is no snippet to carry the location.
    location: Option<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        f.write_str(&d.message)?;
        if let Some(location) = &self.location {
            write!(f, "\n{location}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.diagnostic.code, self.diagnostic.rule
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let d = self.diagnostic;
        let help = d.help.as_deref().unwrap_or("");
        let text = match help {
            "" => format!("see {}", d.doc_url()),
            _ => format!("{help}\nsee {}", d.doc_url()),
        };
        Some(Box::new(text))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.snippet.as_ref()?;
        let d = self.diagnostic;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            d.location.json_path.as_deref().map(str::to_string),
            snippet.first_line_of(d.location.span.start, d.location.span.len()),
        )];
        labels.extend(
            d.related
                .iter()
                .filter(|r| r.location.file == d.location.file)
                .map(|r| {
                    LabeledSpan::new_with_span(
                        Some(r.label.clone()),
                        snippet.first_line_of(r.location.span.start, r.location.span.len()),
                    )
                }),
        );
        Some(Box::new(labels.into_iter()))
    }
}
