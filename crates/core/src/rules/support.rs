//! What rules use to point at things and report them.

use super::RuleMeta;
use crate::diagnostic::{Diagnostic, Location, Related, Severity};
use crate::limits::Limit;
use crate::source::Source;
use crate::target::locate_from;
pub use crate::target::{locate, Target};
use std::borrow::Cow;
use std::cell::Cell;

/// Collects the diagnostics of one rule, at most `Limits::max_findings_per_rule` of them:
/// the limit is kept here, where every finding passes, so no rule has to count. Findings
/// past it are counted, and [`EmitterState::finish`] reports how many there were.
pub struct Emitter<'a> {
    sources: &'a [Source],
    meta: &'static RuleMeta,
    diagnostics: &'a mut Vec<Diagnostic>,
    state: &'a mut EmitterState,
    /// The source and line of the latest place located: a rule mostly goes through a file
    /// in order, so the next line search starts there.
    last_line: Cell<(usize, usize)>,
}

/// What one rule's findings have used of the limit so far. It outlives an [`Emitter`]: a
/// rule that judges one CR at a time runs once per document, and its limit is for the run.
#[derive(Clone)]
pub(crate) struct EmitterState {
    max_findings: usize,
    /// Findings this rule may still add.
    room: usize,
    /// Findings past the limit: how many, where the first one is, and the highest severity
    /// among them (the note about them must survive a severity filter whenever one of them
    /// would have).
    dropped: usize,
    first_dropped: Option<Location>,
    dropped_severity: Severity,
    /// The latest finding past the limit: rules still add help and related locations to
    /// what `report` returns, so it needs a place to live until the next one replaces it.
    discarded: Option<Diagnostic>,
}

impl EmitterState {
    pub(crate) fn new(max_findings: usize) -> Self {
        EmitterState {
            max_findings,
            room: max_findings,
            dropped: 0,
            first_dropped: None,
            dropped_severity: Severity::Info,
            discarded: None,
        }
    }

    /// Counts the severity the rule gave the latest finding past the limit.
    fn settle_discarded(&mut self) {
        if let Some(discarded) = self.discarded.take() {
            self.dropped_severity = self.dropped_severity.max(discarded.severity);
        }
    }

    /// Ends the rule's run: when findings were dropped, one more finding of the rule, where
    /// the first dropped one was, says how many and which setting shows them.
    pub(crate) fn finish(mut self, meta: &'static RuleMeta, diagnostics: &mut Vec<Diagnostic>) {
        self.settle_discarded();
        let Some(location) = self.first_dropped.take() else {
            return;
        };
        let name = meta.name;
        let count = match self.dropped {
            1 => format!("1 more `{name}` finding is not shown (it is here)"),
            n => format!("{n} more `{name}` findings are not shown (the first of them is here)"),
        };
        let max = self.max_findings;
        diagnostics.push(Diagnostic {
            code: meta.code,
            rule: name,
            severity: self.dropped_severity,
            message: format!(
                "{count}: at most {max} findings are reported per rule ({})",
                Limit::FindingsPerRule.hint(max)
            ),
            help: None,
            location,
            related: Vec::new(),
            resource: None,
        });
    }
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(
        sources: &'a [Source],
        meta: &'static RuleMeta,
        diagnostics: &'a mut Vec<Diagnostic>,
        state: &'a mut EmitterState,
    ) -> Self {
        Emitter {
            sources,
            meta,
            diagnostics,
            state,
            last_line: Cell::new((usize::MAX, 1)),
        }
    }

    pub fn location(&self, target: &Target) -> Location {
        let (source, line) = self.last_line.get();
        let hint = if source == target.source { line } else { 1 };
        let location = locate_from(self.sources, target, hint);
        self.last_line.set((target.source, location.line));
        location
    }

    /// Reports a finding at the rule's default severity; the returned diagnostic can be given
    /// help, related locations or another severity.
    pub fn report(&mut self, target: &Target, message: impl Into<String>) -> &mut Diagnostic {
        let location = if self.state.room == 0 && self.state.first_dropped.is_some() {
            self.unshown_location(target)
        } else {
            self.location(target)
        };
        // `format!` reserves about twice the text it is given: a report of a large input
        // holds hundreds of thousands of messages, and the spare room was a third of them.
        let mut message = message.into();
        message.shrink_to_fit();
        let diagnostic = Diagnostic {
            code: self.meta.code,
            rule: self.meta.name,
            severity: self.meta.severity,
            message,
            help: None,
            location,
            related: Vec::new(),
            resource: None,
        };
        let state = &mut *self.state;
        if state.room > 0 {
            state.room -= 1;
            self.diagnostics.push(diagnostic);
            return self.diagnostics.last_mut().expect("just pushed");
        }
        state.settle_discarded();
        state.dropped += 1;
        if state.first_dropped.is_none() {
            state.first_dropped = Some(diagnostic.location.clone());
        }
        state.discarded.insert(diagnostic)
    }

    /// Builds a related location for [`Diagnostic::related`].
    pub fn related(&self, target: &Target, label: impl Into<String>) -> Related {
        // Past the limit every finding is dropped, and the places attached to it with it.
        let location = if self.state.room == 0 {
            self.unshown_location(target)
        } else {
            self.location(target)
        };
        Related {
            location,
            label: label.into(),
        }
    }

    /// The location of a finding past the limit that is not the first one: never shown, so
    /// its line, column and JSON path are not worked out. A rule that pairs every instance
    /// with every policy can make a million such findings, and locating them was 40 % of
    /// its time.
    fn unshown_location(&self, target: &Target) -> Location {
        Location {
            file: self.sources[target.source].shared_name(),
            span: target.span,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            json_path: None,
        }
    }
}

/// Related places listed with one finding.
pub const MAX_RELATED: usize = 50;

impl Diagnostic {
    pub fn with_help(&mut self, help: impl Into<Cow<'static, str>>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    pub fn with_related(&mut self, related: Related) -> &mut Self {
        self.with_related_all([related])
    }

    /// Adds related places, at most [`MAX_RELATED`] in all: past that, the last one kept says
    /// how many more there are (a user defined on 100,000 lines must not print 100,000
    /// snippets, and nothing is left out without a word).
    pub fn with_related_all(&mut self, related: impl IntoIterator<Item = Related>) -> &mut Self {
        let related = related.into_iter();
        // Most findings have one related place: room for exactly what is coming, not the
        // four places a growing vector starts with.
        let coming = related
            .size_hint()
            .0
            .min(MAX_RELATED - self.related.len().min(MAX_RELATED));
        self.related.reserve_exact(coming);
        let mut omitted = 0usize;
        for place in related {
            if self.related.len() < MAX_RELATED {
                self.related.push(place);
            } else {
                omitted += 1;
            }
        }
        if omitted > 0 {
            if let Some(last) = self.related.last_mut() {
                last.label = format!(
                    "{} (and {omitted} more places like it, not listed)",
                    last.label
                );
            }
        }
        self
    }
}
