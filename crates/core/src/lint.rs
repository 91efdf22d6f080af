//! The pipeline: sources → documents → resources → rules → report.

pub use crate::bundle::{load, load_with, Bundle, Loaded};
use crate::bundle::{load_passing_with, DocumentPass};
use crate::config::LintConfig;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Document;
use crate::dragonfly::DragonflyCr;
use crate::resource::Kind;
use crate::rules::EmitterState;
use crate::rules::{registry, Emitter, Rule, RuleMeta, Scope};
use crate::source::{Source, Span};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    /// Resources seen, by kind (including kinds dflint skips).
    pub resources: BTreeMap<String, usize>,
    /// Of `resources`, the workloads (by kind) that run the Dragonfly server without the
    /// operator: these are linted, the other workloads are not.
    pub dragonfly_workloads: BTreeMap<String, usize>,
    /// Of `resources`, the custom resources (by kind) checked against a schema from a
    /// CustomResourceDefinition or Crossplane XRD (`--crd`, or one in the input).
    pub custom_resources: BTreeMap<String, usize>,
    /// Of `resources`, the CustomResourceDefinitions and Crossplane XRDs (by kind) read as
    /// the schemas of custom resources.
    pub definitions: BTreeMap<String, usize>,
    /// What was actually checked: resources of the kinds dflint lints, and ACL files. Zero
    /// means the run looked at nothing it knows, which front ends must say.
    pub linted: usize,
    /// Findings left out by a suppression (comment, annotation or `[[acl.ignore]]`).
    pub suppressed: usize,
    /// Findings left out because a baseline holds them (`--baseline`).
    pub baselined: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Sorted by file, position and code.
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Per file: byte spans of secret material to mask before showing source text.
    pub redactions: BTreeMap<Arc<str>, Vec<Span>>,
}

impl Report {
    /// Counts the findings by severity again, after some were removed.
    pub fn recount(&mut self) {
        let count = |s| self.diagnostics.iter().filter(|d| d.severity == s).count();
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.infos = count(Severity::Info);
    }

    pub fn count_at_least(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity >= severity)
            .count()
    }
}

/// Lints the given sources as one bundle (cross-resource checks see all of them).
pub fn lint(sources: &[Source], config: &LintConfig) -> Report {
    lint_with(sources, config, Redactions::Compute)
}

/// Like [`lint`], for output that never shows source text (the admission policy's messages,
/// JSON reports): [`Report::redactions`] stays empty, which saves finding every
/// secret's span (an eighth of the time for an ACL of 50 users).
pub fn lint_without_redactions(sources: &[Source], config: &LintConfig) -> Report {
    lint_with(sources, config, Redactions::Skip)
}

/// Both passes over input the run owns: the documents and the CRs' facts are let go before
/// the findings are sorted, which is when the report is largest.
fn lint_with(sources: &[Source], config: &LintConfig, redact: Redactions) -> Report {
    let mut cr_rules = CrRules::new(config, redact);
    let images = crate::dragonfly::workload::Images(&config.dragonfly_images);
    let loaded = load_passing_with(sources, &config.limits, &config.vars, images, &mut cr_rules);
    let early = cr_rules.finish();
    let judged = judge(sources, &loaded, early, config, redact);
    drop(loaded);
    finish(judged, config)
}

/// Lints sources that [`load`] has already parsed (lets benchmarks time the rules alone).
/// [`load`] keeps the documents of Dragonfly CRs, so the rules that judge one CR run on them
/// here.
pub fn lint_loaded(sources: &[Source], loaded: &Loaded, config: &LintConfig) -> Report {
    let mut cr_rules = CrRules::new(config, Redactions::Compute);
    let schemas = loaded.schemas.clone().unwrap_or_default();
    cr_rules.schemas(&schemas);
    for doc in &loaded.documents {
        let images = crate::dragonfly::workload::Images(&config.dragonfly_images);
        let crs =
            crate::bundle::dragonfly_servers(sources, doc, &config.limits, &config.vars, images);
        if !crs.is_empty() || schemas.covers(&doc.root) {
            cr_rules.document(sources, doc, crs);
        }
    }
    let early = cr_rules.finish();
    let judged = judge(sources, loaded, early, config, Redactions::Compute);
    finish(judged, config)
}

/// The rules that judge one Dragonfly CR alone ([`Scope::DragonflyCr`]), run on each
/// document as soon as it is parsed. Each rule's limit on findings holds for the whole run.
struct CrRules<'c> {
    config: &'c LintConfig,
    redactions: Redactions,
    rules: Vec<(&'static RuleMeta, &'static dyn Rule, EmitterState)>,
    findings: Vec<Diagnostic>,
    /// The source being read, with the findings and limits as they were before its first CR:
    /// what to go back to if its documents are dropped after all.
    current: Option<(usize, usize, Vec<EmitterState>)>,
    /// The schemas of custom resources, handed over before the first document.
    schemas: Arc<crate::crd::Registry>,
}

impl<'c> CrRules<'c> {
    fn new(config: &'c LintConfig, redactions: Redactions) -> Self {
        let rules = registry()
            .iter()
            .map(|rule| (rule.meta(), *rule))
            .filter(|(meta, _)| meta.scope == Scope::DragonflyCr && config.enables(meta))
            .map(|(meta, rule)| {
                let state = EmitterState::new(config.limits.max_findings_per_rule);
                (meta, rule, state)
            })
            .collect();
        CrRules {
            config,
            redactions,
            rules,
            findings: Vec::new(),
            current: None,
            schemas: Arc::default(),
        }
    }

    /// The findings, with a note for each rule that reached its limit.
    fn finish(self) -> Vec<Diagnostic> {
        let mut findings = self.findings;
        for (meta, _, state) in self.rules {
            let first = findings.len();
            state.finish(meta, &mut findings);
            apply_rule_settings(meta, self.config, &mut findings, first);
        }
        findings
    }
}

impl DocumentPass for CrRules<'_> {
    fn document<'d>(
        &mut self,
        sources: &'d [Source],
        doc: &'d Document,
        crs: Vec<DragonflyCr<'d>>,
    ) {
        let bundle = Bundle::of_document_with(
            sources,
            crs,
            self.config,
            Some(doc),
            Arc::clone(&self.schemas),
        );
        if self.rules.is_empty() || (bundle.dragonflies.is_empty() && bundle.custom.is_empty()) {
            return;
        }
        if self.current.as_ref().map(|(source, ..)| *source) != Some(doc.source) {
            let states = self.rules.iter().map(|(.., state)| state.clone()).collect();
            self.current = Some((doc.source, self.findings.len(), states));
        }
        for (meta, rule, state) in &mut self.rules {
            let first = self.findings.len();
            let mut emitter = Emitter::new(sources, meta, &mut self.findings, state);
            rule.check(&bundle, &mut emitter);
            apply_rule_settings(meta, self.config, &mut self.findings, first);
        }
    }

    fn judges_crs(&self) -> bool {
        true
    }

    fn schemas(&mut self, schemas: &Arc<crate::crd::Registry>) {
        self.schemas = Arc::clone(schemas);
    }

    fn wants_secret_spans(&self) -> bool {
        self.redactions == Redactions::Compute
    }

    fn forget_source(&mut self, source: usize) {
        if let Some((_, first, states)) = self.current.take_if(|(s, ..)| *s == source) {
            self.findings.truncate(first);
            for ((.., state), before) in self.rules.iter_mut().zip(states) {
                *state = before;
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Redactions {
    Compute,
    Skip,
}

/// Runs the bundle-wide rules on what was loaded. `early` holds the findings of the rules
/// that judge one CR, already run on each document ([`CrRules`]). Gives everything that
/// needs the bundle: the findings (not yet sorted), the summary and the spans to mask.
fn judge(
    sources: &[Source],
    loaded: &Loaded,
    early: Vec<Diagnostic>,
    config: &LintConfig,
    redact: Redactions,
) -> Report {
    let bundle = Bundle::new(sources, loaded, config);
    let mut diagnostics = early;
    let held_back = crate::rules::suppression::runs_after_suppressions;
    let here = |meta: &RuleMeta| meta.scope != Scope::DragonflyCr;
    for rule in registry()
        .iter()
        .filter(|r| !held_back(r.meta()) && here(r.meta()))
    {
        run_rule(*rule, &bundle, config, &mut diagnostics);
    }
    drop_superseded(&mut diagnostics);
    let (used, suppressed) = crate::suppression::apply(
        &bundle.suppressions,
        |name| bundle.source_index(name),
        &bundle.acls,
        &mut diagnostics,
    );
    let _ = bundle.suppressions_used.set(used);
    for rule in registry().iter().filter(|r| held_back(r.meta())) {
        run_rule(*rule, &bundle, config, &mut diagnostics);
    }
    attach_resources(&bundle, &mut diagnostics);
    attach_chart_templates(sources, &bundle, &mut diagnostics);
    let redactions = if redact == Redactions::Compute {
        redactions(sources, loaded, &bundle)
    } else {
        BTreeMap::new()
    };
    let summary = Summary {
        // Schema files (`--crd`) are not linted.
        files: sources.len() - loaded.schema_sources.len(),
        documents: loaded.documents.len() + loaded.unread_documents + loaded.judged_documents,
        resources: bundle.kind_counts.clone(),
        dragonfly_workloads: loaded.dragonfly_workloads.clone(),
        custom_resources: custom_resource_kinds(&bundle),
        definitions: bundle.schemas.in_input.clone(),
        linted: bundle.resources.len()
            + bundle.crs.len()
            + bundle.custom.len()
            + loaded.acl_sources.len()
            + loaded.acl_spec_sources.len()
            + loaded.dragonfly_workloads.values().sum::<usize>(),
        suppressed,
        ..Summary::default()
    };
    Report {
        diagnostics,
        summary,
        redactions,
    }
}

/// The custom resources checked against a schema, by kind.
fn custom_resource_kinds(bundle: &Bundle<'_>) -> BTreeMap<String, usize> {
    let mut kinds = BTreeMap::new();
    for (_, root) in &bundle.custom {
        if let Some(kind) = root.get("kind").and_then(crate::document::Node::as_str) {
            *kinds.entry(kind.to_string()).or_insert(0) += 1;
        }
    }
    kinds
}

/// Findings a bundle rule confirms, and so replaces, where both point at the same span:
/// `(kept, dropped)`. The dropped rule is the one that runs everywhere, one object at a time;
/// the kept one needs the rest of the input, so where it has not run (single-object
/// admission, the rule disabled) the dropped one still speaks.
const SUPERSEDED: &[(&str, &str)] = &[
    // `networkPolicyEnabled: false`: unprotected-instance has found that no policy in the
    // input protects the pods, which network-policy-disabled could only suppose.
    ("DF305", "DF041"),
];

/// Removes the findings of [`SUPERSEDED`] that a stronger finding stands for.
fn drop_superseded(diagnostics: &mut Vec<Diagnostic>) {
    for (kept, dropped) in SUPERSEDED {
        let spots: std::collections::HashSet<(Arc<str>, Span)> = diagnostics
            .iter()
            .filter(|d| d.code == *kept)
            .map(|d| (d.location.file.clone(), d.location.span))
            .collect();
        if spots.is_empty() {
            continue;
        }
        diagnostics.retain(|d| {
            d.code != *dropped || !spots.contains(&(d.location.file.clone(), d.location.span))
        });
    }
}

/// Filters, sorts and counts the findings of [`judge`].
fn finish(mut report: Report, config: &LintConfig) -> Report {
    let diagnostics = &mut report.diagnostics;
    if let Some(min) = config.min_severity {
        diagnostics.retain(|d| d.severity >= min);
    }
    sort_findings(diagnostics);
    diagnostics.dedup();
    // The report outlives the documents and is what a front end holds while it writes: give
    // back the room the vector grew into (up to half of it).
    diagnostics.shrink_to_fit();
    report.recount();
    report
}

/// Runs one rule if the settings enable it, with their severity override and per-file ignores.
fn run_rule(
    rule: &dyn crate::rules::Rule,
    bundle: &Bundle<'_>,
    config: &LintConfig,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let meta = rule.meta();
    if !config.enables(meta) {
        return;
    }
    let first = diagnostics.len();
    let mut state = EmitterState::new(config.limits.max_findings_per_rule);
    let mut emitter = Emitter::new(bundle.sources, meta, diagnostics, &mut state);
    rule.check(bundle, &mut emitter);
    state.finish(meta, diagnostics);
    apply_rule_settings(meta, config, diagnostics, first);
}

/// The settings' severity override and per-file ignores for a rule, applied to the findings
/// it has just added (from `first` on).
fn apply_rule_settings(
    meta: &'static RuleMeta,
    config: &LintConfig,
    diagnostics: &mut Vec<Diagnostic>,
    first: usize,
) {
    let found = &mut diagnostics[first..];
    if let Some(severity) = config.severity_override(meta) {
        found.iter_mut().for_each(|d| d.severity = severity);
    }
    let file_ignores = config.file_ignores(meta);
    if !file_ignores.is_empty() {
        let mut kept = first;
        for index in first..diagnostics.len() {
            if !file_ignores.ignores(&diagnostics[index].location.file) {
                diagnostics.swap(kept, index);
                kept += 1;
            }
        }
        diagnostics.truncate(kept);
    }
}

/// Points every finding in `helm template` output at the `# Source:` comment of its
/// document: the chart template the lines were rendered from, which is what to change.
fn attach_chart_templates(sources: &[Source], bundle: &Bundle<'_>, diagnostics: &mut [Diagnostic]) {
    let mut rendered: BTreeMap<usize, bool> = BTreeMap::new();
    for d in diagnostics.iter_mut() {
        let Some(index) = bundle.source_index(&d.location.file) else {
            continue;
        };
        let text = sources[index].text();
        if !*rendered
            .entry(index)
            .or_insert_with(|| text.contains("# Source: "))
        {
            continue;
        }
        let Some((span, template)) = crate::helm::rendered_from(text, d.location.span.start) else {
            continue;
        };
        let target = crate::target::Target {
            source: index,
            span,
            path: None,
        };
        d.related.push(crate::diagnostic::Related {
            location: crate::target::locate_from(sources, &target, 1),
            label: format!("rendered from the chart template `{template}`"),
        });
    }
}

/// Gives every finding the resource it sits in (kind, namespace, name), found by position:
/// one shared value per resource, located by a binary search among the resources of its file.
fn attach_resources(bundle: &Bundle<'_>, diagnostics: &mut [Diagnostic]) {
    use crate::diagnostic::ResourceRef;
    let mut by_source: BTreeMap<usize, Vec<(Span, Arc<ResourceRef>)>> = BTreeMap::new();
    let unknown = bundle
        .unknown_api_versions
        .iter()
        .map(|(doc, root, kind, _)| crate::resource::Resource {
            kind: *kind,
            doc,
            root,
        });
    for resource in bundle.resources.iter().copied().chain(unknown) {
        by_source.entry(resource.doc.source).or_default().push((
            resource.root.span,
            Arc::new(ResourceRef {
                kind: resource.kind.name(),
                namespace: resource.namespace().map(Box::from),
                name: resource.name().map(Box::from),
            }),
        ));
    }
    for cr in bundle.crs {
        by_source.entry(cr.source).or_default().push((
            cr.span,
            Arc::new(ResourceRef {
                kind: Kind::Dragonfly.name(),
                namespace: cr.namespace.clone(),
                name: cr.name.clone(),
            }),
        ));
    }
    if by_source.is_empty() {
        return;
    }
    for resources in by_source.values_mut() {
        resources.sort_by_key(|(span, _)| span.start);
    }
    for d in diagnostics.iter_mut() {
        let Some(resources) = bundle
            .source_index(&d.location.file)
            .and_then(|source| by_source.get(&source))
        else {
            continue;
        };
        let at = d.location.span.start;
        let candidate = resources.partition_point(|(span, _)| span.start <= at);
        if let Some((span, resource)) = candidate.checked_sub(1).map(|i| &resources[i]) {
            if at < span.end.max(span.start + 1) {
                d.resource = Some(resource.clone());
            }
        }
    }
}

/// Sorts by file, position, code and message, keeping the order of equal findings. A stable
/// sort of the findings themselves moves them many times and needs a buffer of half of them
/// (4 MB for a report of 37,000); sorting their indices and then moving each finding once,
/// cycle by cycle, needs neither.
fn sort_findings(diagnostics: &mut [Diagnostic]) {
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&diagnostics[a], &diagnostics[b]);
        (&*a.location.file, a.location.span.start, a.code, &a.message).cmp(&(
            &*b.location.file,
            b.location.span.start,
            b.code,
            &b.message,
        ))
    });
    // `order[i]` is the finding that belongs at `i`: follow each cycle of the permutation.
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            diagnostics.swap(at, from);
            at = from;
        }
    }
}

/// Per source, the byte spans of secret material to mask before source text is shown.
fn redactions(
    sources: &[Source],
    loaded: &Loaded,
    bundle: &Bundle<'_>,
) -> BTreeMap<Arc<str>, Vec<Span>> {
    let mut redactions: BTreeMap<Arc<str>, Vec<Span>> = BTreeMap::new();
    // Input whose structure could not be read is masked from its text: syntax problems,
    // bytes that are not UTF-8, ACL files (YAML given as `--acl-file` included) and unnamed
    // standard input.
    let unreadable: std::collections::BTreeSet<usize> = loaded
        .syntax_problems
        .iter()
        .map(|(source, _)| *source)
        .chain(loaded.not_text.iter().map(|(source, _)| *source))
        .chain(loaded.acl_sources.iter().copied())
        .chain(loaded.helm_templates.iter().map(|(source, _)| *source))
        // Too large to parse: a DF003 at its first line may show that line.
        .chain(loaded.oversized.iter().map(|(source, _)| *source))
        .chain((0..sources.len()).filter(|&i| {
            let name = sources[i].name().to_ascii_lowercase();
            ![".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
        }))
        .collect();
    for &source in &unreadable {
        redactions
            .entry(sources[source].shared_name())
            .or_default()
            .extend(crate::redact::textual_secret_spans(sources[source].text()));
    }
    // A spec may hold its ACL text, passwords included.
    for spec in &bundle.acl_specs {
        if let crate::acl::spec::SpecTarget::Inline { text, file, .. } = &spec.target {
            // Passwords and hashes (`>pw`, `<pw`, `#hash`, `!hash`): the rest stays readable.
            let secret = file
                .users
                .iter()
                .flat_map(|line| &line.tokens)
                .filter(|t| t.text.starts_with(['>', '<', '#', '!']))
                .map(|t| text.source_span(t.span));
            redactions
                .entry(sources[spec.source].shared_name())
                .or_default()
                .extend(secret);
        }
    }
    for (source, span) in bundle.secret_spans() {
        redactions
            .entry(sources[source].shared_name())
            .or_default()
            .push(span);
    }
    redactions
}
