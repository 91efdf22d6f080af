//! What rules use to point at things and report them.

use super::RuleMeta;
use crate::diagnostic::{doc_url, Diagnostic, Location, Related, Severity};
use crate::source::Source;
pub use crate::target::{locate, Target};

/// Collects the diagnostics of one rule.
pub struct Emitter<'a> {
    sources: &'a [Source],
    meta: &'static RuleMeta,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(
        sources: &'a [Source],
        meta: &'static RuleMeta,
        diagnostics: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Emitter {
            sources,
            meta,
            diagnostics,
        }
    }

    pub fn location(&self, target: &Target) -> Location {
        locate(self.sources, target)
    }

    /// Reports a finding at the rule's default severity; the returned diagnostic can be given
    /// help, related locations or another severity.
    pub fn report(&mut self, target: &Target, message: impl Into<String>) -> &mut Diagnostic {
        let location = self.location(target);
        self.diagnostics.push(Diagnostic {
            code: self.meta.code,
            rule: self.meta.name,
            severity: self.meta.severity,
            message: message.into(),
            help: None,
            location,
            related: Vec::new(),
            doc_url: doc_url(self.meta.code, self.meta.name),
        });
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Builds a related location for [`Diagnostic::related`].
    pub fn related(&self, target: &Target, label: impl Into<String>) -> Related {
        Related {
            location: self.location(target),
            label: label.into(),
        }
    }
}

impl Diagnostic {
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    pub fn with_related(&mut self, related: Related) -> &mut Self {
        self.related.push(related);
        self
    }

    pub fn with_related_all(&mut self, related: impl IntoIterator<Item = Related>) -> &mut Self {
        self.related.extend(related);
        self
    }
}
