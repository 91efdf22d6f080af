//! What the rules see: every source read into documents, the resources recognised in them,
//! and the typed views built once per run (Dragonfly CRs, ACL texts, the network model).

use crate::acl::found::{FoundAcl, UndecodableAcl};
use crate::config::LintConfig;
use crate::crd::Registry;
use crate::document::{
    parse_json_with, parse_yaml_each, Document, Node, Parsed, Syntax, SyntaxProblem,
};
use crate::dragonfly::facts::{CrFacts, PathTexts};
use crate::dragonfly::workload::Images;
use crate::dragonfly::{helm_chart, DragonflyCr};
use crate::limits::{Limits, UnreadSize};
use crate::resource::{recognize, resource_roots, unread_kinds, Kind, Recognition, Resource};
use crate::source::{Source, Span};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything read from the sources, before interpretation.
#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: Vec<Document>,
    pub syntax_problems: Vec<(usize, SyntaxProblem)>,
    /// Sources that hold no document at all.
    pub empty_sources: Vec<usize>,
    /// Sources that are not UTF-8 text, with the offset of the first bad byte.
    pub not_text: Vec<(usize, usize)>,
    /// Sources that are ACL files rather than YAML/JSON.
    pub acl_sources: Vec<usize>,
    /// ACL specs (`*.acl-test.yaml`): read by the spec rule, not as manifests.
    pub acl_spec_sources: Vec<usize>,
    /// Sources larger than `Limits::max_file_bytes`, with their size: not read at all.
    pub oversized: Vec<(usize, UnreadSize)>,
    /// The limit `oversized` was judged by, for the message that reports them.
    pub max_file_bytes: u64,
    /// Helm chart templates (YAML that fails to parse because of Go template actions), with
    /// the offset of their first action: left unlinted, reported once as what they are.
    pub helm_templates: Vec<(usize, usize)>,
    /// Documents nothing reads beyond their kind ([`unread_kinds`]): counted, not kept.
    pub unread_documents: usize,
    /// Their resources, by kind.
    pub unread_kinds: BTreeMap<String, usize>,
    /// Documents of Dragonfly CRs judged as they were read and let go (see `crs`).
    pub judged_documents: usize,
    /// Every Dragonfly CR, as the bundle-wide rules see it. A document that holds nothing but
    /// CRs is not kept in `documents` once a [`DocumentPass`] has judged its CRs.
    pub crs: Vec<CrFacts>,
    /// Workloads that run the Dragonfly server without the operator, counted by their kind
    /// (they are linted, unlike the other workloads counted in `kind_counts`).
    pub dragonfly_workloads: BTreeMap<String, usize>,
    /// Spans of credentials in those workloads (literal passwords in args and env), to mask.
    pub workload_secret_spans: Vec<(usize, Span)>,
    /// Documents with `${VAR}` substitutions dflint has no value for: the source, the first
    /// such place, and the variables' names.
    pub unsubstituted: Vec<(usize, Span, Vec<String>)>,
    /// The CustomResourceDefinitions and Crossplane XRDs of the schema files and the input,
    /// read before anything else (see [`crate::crd`]).
    pub schemas: Option<Arc<Registry>>,
    /// Schema files (`--crd`), read for their definitions only, and companions (compose env
    /// files), read through the input that names them: neither is linted or counted.
    pub schema_sources: Vec<usize>,
}

/// What a one-document bundle has loaded besides its document: nothing.
static NOTHING_LOADED: Loaded = Loaded {
    documents: Vec::new(),
    syntax_problems: Vec::new(),
    empty_sources: Vec::new(),
    not_text: Vec::new(),
    acl_sources: Vec::new(),
    acl_spec_sources: Vec::new(),
    oversized: Vec::new(),
    max_file_bytes: 0,
    helm_templates: Vec::new(),
    unread_documents: 0,
    unread_kinds: BTreeMap::new(),
    judged_documents: 0,
    crs: Vec::new(),
    dragonfly_workloads: BTreeMap::new(),
    workload_secret_spans: Vec::new(),
    unsubstituted: Vec::new(),
    schemas: None,
    schema_sources: Vec::new(),
};

/// [`load_with`] the default limits.
pub fn load(sources: &[Source]) -> Loaded {
    load_with(sources, &Limits::default())
}

/// Something that looks at each document as soon as it is parsed, before the rest of the
/// input is read: the linter runs the rules that judge one Dragonfly CR there.
pub trait DocumentPass {
    /// A document, with the views of the Dragonfly CRs in it.
    fn document<'d>(&mut self, sources: &'d [Source], doc: &'d Document, crs: Vec<DragonflyCr<'d>>);
    /// Whether the pass judges everything about a CR that needs its tree: the documents
    /// that hold only CRs are then let go.
    fn judges_crs(&self) -> bool;
    /// Whether the spans of the CRs' credentials are wanted (output that shows source text
    /// masks them).
    fn wants_secret_spans(&self) -> bool;
    /// Every document of `source` handed over so far is dropped after all (the file is a Helm
    /// chart template): what was found in them must go too.
    fn forget_source(&mut self, source: usize);
    /// The schemas of custom resources, read before the first document is handed over.
    fn schemas(&mut self, _schemas: &Arc<Registry>) {}
}

/// A pass that judges nothing. `keep_crs`: the documents of Dragonfly CRs stay, for rules
/// run on them later; else they go once their facts are read.
struct NoPass {
    keep_crs: bool,
}

impl DocumentPass for NoPass {
    fn document<'d>(&mut self, _: &'d [Source], _: &'d Document, _: Vec<DragonflyCr<'d>>) {}
    fn judges_crs(&self) -> bool {
        !self.keep_crs
    }
    fn wants_secret_spans(&self) -> bool {
        self.keep_crs
    }
    fn forget_source(&mut self, _: usize) {}
}

/// Reads every source into documents, within `limits`.
pub fn load_with(sources: &[Source], limits: &Limits) -> Loaded {
    load_passing(sources, limits, &mut NoPass { keep_crs: true })
}

/// What the linter's first pass leaves: the documents of other kinds and the facts of each
/// Dragonfly CR, its tree let go (where the memory of a run goes, for benchmarks).
pub fn load_facts(sources: &[Source], limits: &Limits) -> Loaded {
    load_passing(sources, limits, &mut NoPass { keep_crs: false })
}

/// [`load_with`], handing each document it keeps to `pass` as soon as it is parsed.
pub fn load_passing(sources: &[Source], limits: &Limits, pass: &mut dyn DocumentPass) -> Loaded {
    load_passing_with(sources, limits, &Vars::new(), Images::default(), pass)
}

/// [`load_with`] the limits and image patterns of the settings (`netpol reach`).
pub fn load_configured(sources: &[Source], config: &LintConfig) -> Loaded {
    let images = Images(&config.dragonfly_images);
    let pass = &mut NoPass { keep_crs: true };
    load_passing_with(sources, &config.limits, &Vars::new(), images, pass)
}

pub use crate::interpolate::Vars;

/// [`load_passing`], substituting `${VAR}` in manifests from `vars` (and their defaults)
/// as Flux would, and interpolating compose files as compose would; containers whose image
/// matches `images` run Dragonfly too.
pub fn load_passing_with(
    sources: &[Source],
    limits: &Limits,
    vars: &Vars,
    images: Images<'_>,
    pass: &mut dyn DocumentPass,
) -> Loaded {
    let mut loaded = Loaded {
        max_file_bytes: limits.max_file_bytes,
        ..Loaded::default()
    };
    let mut paths = PathTexts::default();
    let vars = &with_kustomization_vars(sources, limits, vars);
    let schemas = Arc::new(Registry::collect(sources, limits));
    pass.schemas(&schemas);
    for (index, source) in sources.iter().enumerate() {
        // Schema files, and companions (env files) read through the input that names them.
        if source.is_schema() || source.is_companion() {
            loaded.schema_sources.push(index);
            continue;
        }
        // Left unread by the front end, or handed over whole but too large: either way not
        // one byte of it is parsed, so the size of one file cannot stall the run.
        let oversized = source.unread_size().or_else(|| {
            let len = source.text().len() as u64;
            (len > limits.max_file_bytes).then_some(UnreadSize::Exactly(len))
        });
        if let Some(size) = oversized {
            loaded.oversized.push((index, size));
            continue;
        }
        if let Some(at) = source.invalid_utf8_at() {
            loaded.not_text.push((index, at));
            continue;
        }
        if source.is_acl() {
            loaded.acl_sources.push(index);
            continue;
        }
        if crate::acl::spec::is_spec_file_name(source.name()) {
            loaded.acl_spec_sources.push(index);
            continue;
        }
        // Each document is judged as soon as it is parsed: one nothing reads beyond its kind
        // is counted and let go, so the trees of a large stream are not all held at once.
        let first_document = loaded.documents.len();
        let first_cr = loaded.crs.len();
        let mut unread: BTreeMap<String, usize> = BTreeMap::new();
        let mut unread_documents = 0;
        let mut non_null = 0;
        let mut position = 0;
        let documents = &mut loaded.documents;
        let crs = &mut loaded.crs;
        // Kept apart until the source is known not to be a chart template.
        let mut workload_counts = BTreeMap::new();
        let mut workload_secret_spans = Vec::new();
        let mut workloads = Workloads {
            counts: &mut workload_counts,
            secret_spans: &mut workload_secret_spans,
        };
        let mut unsubstituted = Vec::new();
        let mut embedded_problems = Vec::new();
        // Most files hold no `${`: their documents are not walked.
        let substitutes = source.text().contains("${");
        let mut judged = 0;
        let helm_values = source.is_helm_values();
        let mut keep = |mut root: Node, syntax: Syntax| {
            let at = position;
            position += 1;
            if root.is_null() {
                return;
            }
            non_null += 1;
            // A flag file, a compose file or chart values are no resource, but Dragonfly runs
            // from them.
            let read_anyway = syntax == Syntax::FlagFile
                || helm_values
                || crate::dragonfly::compose::is_compose(&root);
            // A custom resource with a schema is read, and checked against it.
            let read_anyway = read_anyway || schemas.covers(&root);
            match unread_kinds(&root).filter(|_| !read_anyway) {
                Some(kinds) => {
                    unread_documents += 1;
                    for kind in kinds {
                        *unread.entry(kind).or_insert(0) += 1;
                    }
                }
                None => {
                    if substitutes
                        && syntax != Syntax::FlagFile
                        && !crate::dragonfly::compose::is_compose(&root)
                    {
                        let names = crate::document::substitute::substitute(&mut root, vars);
                        if let Some((_, first)) = names.first() {
                            let names = names.iter().map(|(n, _)| n.clone()).collect();
                            unsubstituted.push((index, *first, names));
                        }
                    }
                    if syntax == Syntax::Yaml {
                        embedded_problems.extend(helm_chart::embed_values(
                            &mut root,
                            source.text(),
                            limits,
                        ));
                    }
                    let document = Document {
                        source: index,
                        index: at,
                        root,
                        syntax,
                        helm_values,
                    };
                    let read = read_document(
                        sources,
                        &document,
                        (limits, vars, images, &schemas),
                        crs,
                        &mut workloads,
                        &mut paths,
                        pass,
                    );
                    if read {
                        documents.push(document);
                    } else {
                        judged += 1;
                    }
                }
            }
        };
        let (syntax, problems) = parse_source(source, limits, &mut keep);
        // A template that does not parse as YAML is a chart template, not a broken manifest:
        // its YAML errors and half-read documents would all be noise.
        if !problems.is_empty() && syntax == Syntax::Yaml {
            if let Some(at) = crate::helm::first_template_action(source.text()) {
                loaded.documents.truncate(first_document);
                loaded.crs.truncate(first_cr);
                pass.forget_source(index);
                loaded.helm_templates.push((index, at));
                continue;
            }
        }
        // Only comments, whitespace or empty documents: nothing to lint.
        if problems.is_empty() && non_null == 0 {
            loaded.empty_sources.push(index);
        }
        loaded.unread_documents += unread_documents;
        loaded.judged_documents += judged;
        for (kind, count) in workload_counts {
            *loaded.dragonfly_workloads.entry(kind).or_insert(0) += count;
        }
        loaded.workload_secret_spans.extend(workload_secret_spans);
        loaded.unsubstituted.extend(unsubstituted);
        for (kind, count) in unread {
            *loaded.unread_kinds.entry(kind).or_insert(0) += count;
        }
        loaded.syntax_problems.extend(
            problems
                .into_iter()
                .chain(embedded_problems)
                .map(|p| (index, p)),
        );
    }
    loaded.schemas = Some(schemas);
    loaded
}

/// `vars`, plus the values the Flux `Kustomization`s of the input substitute
/// (`spec.postBuild.substitute`). Flux applies them to the manifests under each
/// Kustomization's `path`, which the input cannot show, so here they apply to every document;
/// a name two Kustomizations give different values stays unknown. `vars` (the configuration,
/// `--var`) wins over both.
fn with_kustomization_vars<'v>(
    sources: &[Source],
    limits: &Limits,
    vars: &'v Vars,
) -> std::borrow::Cow<'v, Vars> {
    let mut found = Vars::new();
    let mut disputed = std::collections::BTreeSet::new();
    // Only sources that can hold one are read twice.
    let candidates = sources.iter().filter(|s| {
        !s.is_acl()
            && s.unread_size().is_none()
            && (s.text().len() as u64) <= limits.max_file_bytes
            && s.text().contains("postBuild")
    });
    for source in candidates {
        for root in crate::document::parse_yaml_with(source.text(), limits).roots {
            let is_kustomization = root.get("kind").and_then(Node::as_str) == Some("Kustomization")
                && root
                    .get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(|v| v.starts_with("kustomize.toolkit.fluxcd.io/"));
            if !is_kustomization {
                continue;
            }
            let entries = root
                .at(&["spec", "postBuild", "substitute"])
                .and_then(Node::as_map)
                .unwrap_or(&[]);
            for entry in entries {
                let (Some(name), Some(value)) = (entry.key.as_str(), entry.value.scalar_text())
                else {
                    continue;
                };
                match found.get(name) {
                    Some(known) if *known != value => {
                        disputed.insert(name.to_string());
                    }
                    _ => {
                        found.insert(name.to_string(), value);
                    }
                }
            }
        }
    }
    if found.is_empty() {
        return std::borrow::Cow::Borrowed(vars);
    }
    for name in disputed {
        found.remove(&name);
    }
    found.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
    std::borrow::Cow::Owned(found)
}

/// What is kept of the workloads that run Dragonfly once their document is judged.
struct Workloads<'l> {
    counts: &'l mut BTreeMap<String, usize>,
    secret_spans: &'l mut Vec<(usize, Span)>,
}

/// The Dragonfly servers declared at the resource roots of a document: its CRs, and the
/// containers of its workloads that run the Dragonfly image.
pub fn dragonfly_servers<'d>(
    sources: &'d [Source],
    doc: &'d Document,
    limits: &Limits,
    vars: &Vars,
    images: Images<'_>,
) -> Vec<DragonflyCr<'d>> {
    if doc.syntax == Syntax::FlagFile {
        return vec![DragonflyCr::in_flag_file(doc, limits)];
    }
    if doc.helm_values {
        let install = helm_chart::values_file(&doc.root);
        let resource = Resource {
            kind: Kind::DragonflyWorkload,
            doc,
            root: &doc.root,
        };
        return DragonflyCr::from_chart(resource, &install, limits)
            .into_iter()
            .collect();
    }
    let mut servers = crate::dragonfly::compose::servers(sources, doc, limits, vars);
    if !servers.is_empty() {
        return servers;
    }
    for root in resource_roots(&doc.root) {
        if let Some(cr) = DragonflyCr::at_root(doc, root, limits) {
            servers.push(cr);
            continue;
        }
        let installs = helm_chart::installs_at_root(root);
        if !installs.is_empty() {
            let resource = Resource {
                kind: Kind::DragonflyWorkload,
                doc,
                root,
            };
            servers.extend(
                installs
                    .iter()
                    .filter_map(|install| DragonflyCr::from_chart(resource, install, limits)),
            );
            continue;
        }
        servers.extend(crate::dragonfly::workload::servers_at_root(
            doc, root, limits, images,
        ));
    }
    servers
}

/// Reads the Dragonfly CRs of a document into facts and hands the document, with its CRs
/// and Dragonfly workloads, to the pass. Whether the document is to be kept: it holds
/// something besides CRs, or the pass leaves the CRs' own rules to the bundle.
fn read_document(
    sources: &[Source],
    doc: &Document,
    (limits, vars, images, schemas): (&Limits, &Vars, Images<'_>, &Registry),
    facts: &mut Vec<CrFacts>,
    workloads: &mut Workloads<'_>,
    paths: &mut PathTexts,
    pass: &mut dyn DocumentPass,
) -> bool {
    let servers = dragonfly_servers(sources, doc, limits, vars, images);
    if servers.is_empty() {
        // Custom resources with a schema are judged as the CRs are; the document stays
        // (the summary counts its kinds).
        if schemas.covers(&doc.root) {
            pass.document(sources, doc, servers);
        }
        return true;
    }
    let roots = resource_roots(&doc.root).len();
    let crs = servers.iter().filter(|s| s.is_operator()).count();
    let others = crs < roots;
    let secret_spans = pass.wants_secret_spans();
    let mut counted: Vec<*const Node> = Vec::new();
    for server in &servers {
        if server.is_operator() {
            facts.push(CrFacts::of(server, paths, secret_spans));
            continue;
        }
        // A workload with two Dragonfly containers is one workload.
        if !counted.contains(&std::ptr::from_ref(server.resource.root)) {
            counted.push(server.resource.root);
            let kind = server.declared_as().to_string();
            *workloads.counts.entry(kind).or_insert(0) += 1;
        }
        if secret_spans {
            workloads
                .secret_spans
                .extend(server.secret_spans().into_iter().map(|s| (doc.source, s)));
        }
    }
    pass.document(sources, doc, servers);
    others || !pass.judges_crs()
}

/// Parses a source, handing each document to `keep` with the syntax it was read as.
fn parse_source(
    source: &Source,
    limits: &Limits,
    keep: &mut dyn FnMut(Node, Syntax),
) -> (Syntax, Vec<SyntaxProblem>) {
    let json = |parsed: Parsed, keep: &mut dyn FnMut(Node, Syntax)| {
        parsed
            .roots
            .into_iter()
            .for_each(|root| keep(root, Syntax::Json));
        (Syntax::Json, parsed.problems)
    };
    let name = source.name().to_ascii_lowercase();
    if crate::source::is_flag_file_name(&name) {
        keep(
            crate::dragonfly::flagfile::document_root(source.text()),
            Syntax::FlagFile,
        );
        return (Syntax::FlagFile, Vec::new());
    }
    if name.ends_with(".json") {
        return json(parse_json_with(source.text(), limits), keep);
    }
    // Unnamed input (stdin) that looks like JSON is read as JSON when it parses as such.
    if !name.ends_with(".yaml") && !name.ends_with(".yml") {
        let first = source.text().trim_start().chars().next();
        if matches!(first, Some('{') | Some('[')) {
            let parsed = parse_json_with(source.text(), limits);
            if parsed.problems.is_empty() {
                return json(parsed, keep);
            }
        }
    }
    let problems = parse_yaml_each(source.text(), limits, &mut |root| keep(root, Syntax::Yaml));
    (Syntax::Yaml, problems)
}

/// What rules see: the sources, the documents and the typed views of the resources.
pub struct Bundle<'d> {
    pub sources: &'d [Source],
    pub loaded: &'d Loaded,
    pub resources: Vec<Resource<'d>>,
    /// Documents with a kind dflint knows under an apiVersion it does not.
    pub unknown_api_versions: Vec<(&'d Document, &'d crate::document::Node, Kind, String)>,
    /// Counts of every resource kind seen, linted or not.
    pub kind_counts: BTreeMap<String, usize>,
    /// The typed views of the Dragonfly CRs: filled only in the bundle of one document
    /// ([`Bundle::of_document`]), for the rules of [`crate::rules::Scope::DragonflyCr`].
    pub dragonflies: Vec<DragonflyCr<'d>>,
    /// Every Dragonfly CR of the input, as bundle-wide rules see it.
    pub crs: &'d [CrFacts],
    /// Every ACL text found (files, Secrets, ConfigMaps), parsed and evaluated.
    pub acls: Vec<FoundAcl<'d>>,
    /// The ACL specs of the input, each paired with the ACL it tests.
    pub acl_specs: Vec<crate::acl::spec::FoundSpec>,
    /// Secret values that should hold an ACL but are not valid base64 text.
    pub undecodable_acls: Vec<UndecodableAcl<'d>>,
    /// Network policies, Dragonfly instances and who can reach which port.
    pub network: crate::netpol::NetworkModel<'d>,
    /// Secrets by name (indexes in `resources`): rules look up the Secrets of 100,000 CRs
    /// without scanning every resource per reference.
    pub secrets_by_name: std::collections::HashMap<&'d str, Vec<usize>>,
    /// Each source's index by its name: findings carry the name, not the index.
    source_indexes: std::collections::HashMap<&'d str, usize>,
    /// `# dflint: ignore[…]` comments, `dflint.io/ignore` annotations and `[[acl.ignore]]`.
    pub suppressions: Vec<crate::suppression::Suppression>,
    /// Per suppression, whether it covered a finding: set by the driver once every other rule
    /// has run, for the rule that reports unused ones.
    pub suppressions_used: std::cell::OnceCell<Vec<bool>>,
    pub config: &'d LintConfig,
    /// The schemas of custom resources ([`crate::crd`]).
    pub schemas: Arc<Registry>,
    /// The resources of kinds dflint does not lint that a definition describes (the one
    /// document's, in a bundle of one document): checked against their schema.
    pub custom: Vec<(&'d Document, &'d Node)>,
}

impl<'d> Bundle<'d> {
    pub fn new(sources: &'d [Source], loaded: &'d Loaded, config: &'d LintConfig) -> Self {
        let mut resources = Vec::new();
        let mut unknown_api_versions = Vec::new();
        let mut kind_counts = loaded.unread_kinds.clone();
        let schemas = loaded.schemas.clone().unwrap_or_default();
        let mut custom = Vec::new();
        for doc in &loaded.documents {
            for root in resource_roots(&doc.root) {
                match recognize(root) {
                    // Counted and read from their facts below.
                    Recognition::Known(Kind::Dragonfly) => {}
                    Recognition::Known(kind) => {
                        *kind_counts.entry(kind.name().to_string()).or_insert(0) += 1;
                        resources.push(Resource { kind, doc, root });
                    }
                    Recognition::UnknownApiVersion { kind, api_version } => {
                        *kind_counts.entry(kind.name().to_string()).or_insert(0) += 1;
                        unknown_api_versions.push((doc, root, kind, api_version));
                    }
                    Recognition::Other { kind } => {
                        if !matches!(schemas.lookup_root(root), crate::crd::Lookup::Unknown) {
                            custom.push((doc, root));
                        }
                        *kind_counts.entry(kind).or_insert(0) += 1;
                    }
                    Recognition::NotAResource => {}
                }
            }
        }
        let crs = loaded.crs.as_slice();
        if !crs.is_empty() {
            *kind_counts
                .entry(Kind::Dragonfly.name().to_string())
                .or_insert(0) += crs.len();
        }
        let (acls, undecodable_acls) = crate::acl::found::collect(
            sources,
            &loaded.acl_sources,
            &resources,
            crs,
            config.acl.dialect,
        );
        let acl_specs = crate::acl::spec::collect(
            sources,
            &loaded.acl_spec_sources,
            &acls,
            config.acl.dialect,
            &config.limits,
        );
        let network =
            crate::netpol::NetworkModel::build(&resources, &loaded.documents, crs, config);
        let mut secrets_by_name: std::collections::HashMap<&'d str, Vec<usize>> =
            std::collections::HashMap::new();
        for (index, resource) in resources.iter().enumerate() {
            if resource.kind == Kind::Secret {
                if let Some(name) = resource.name() {
                    secrets_by_name.entry(name).or_default().push(index);
                }
            }
        }
        let not_yaml: Vec<usize> = loaded
            .acl_sources
            .iter()
            .copied()
            .chain(loaded.not_text.iter().map(|(source, _)| *source))
            .chain(loaded.oversized.iter().map(|(source, _)| *source))
            .collect();
        let suppressions =
            crate::suppression::collect(sources, &not_yaml, &resources, crs, &acls, config);
        Bundle {
            acl_specs,
            network,
            secrets_by_name,
            source_indexes: sources
                .iter()
                .enumerate()
                .map(|(index, source)| (source.name(), index))
                .collect(),
            suppressions,
            suppressions_used: std::cell::OnceCell::new(),
            sources,
            loaded,
            resources,
            unknown_api_versions,
            kind_counts,
            dragonflies: Vec::new(),
            crs,
            acls,
            undecodable_acls,
            config,
            schemas,
            custom,
        }
    }

    /// What the rules of [`crate::rules::Scope::DragonflyCr`] read: the Dragonfly CRs of one
    /// document (their views, as resources too) and nothing else. The other resources, the
    /// CR facts and the network model are empty here.
    pub fn of_document(
        sources: &'d [Source],
        dragonflies: Vec<DragonflyCr<'d>>,
        config: &'d LintConfig,
    ) -> Self {
        Bundle::of_document_with(sources, dragonflies, config, None, Arc::default())
    }

    /// [`Bundle::of_document`], with the custom resources of `doc` that `schemas` describes.
    pub fn of_document_with(
        sources: &'d [Source],
        dragonflies: Vec<DragonflyCr<'d>>,
        config: &'d LintConfig,
        doc: Option<&'d Document>,
        schemas: Arc<Registry>,
    ) -> Self {
        let custom = doc
            .filter(|_| !schemas.definitions.is_empty())
            .map(|doc| {
                resource_roots(&doc.root)
                    .into_iter()
                    .filter(|root| matches!(recognize(root), Recognition::Other { .. }))
                    .filter(|root| {
                        !matches!(schemas.lookup_root(root), crate::crd::Lookup::Unknown)
                    })
                    .map(|root| (doc, root))
                    .collect()
            })
            .unwrap_or_default();
        let resources = dragonflies.iter().map(|cr| cr.resource).collect();
        Bundle {
            sources,
            loaded: &NOTHING_LOADED,
            resources,
            unknown_api_versions: Vec::new(),
            kind_counts: BTreeMap::new(),
            dragonflies,
            crs: &[],
            acls: Vec::new(),
            acl_specs: Vec::new(),
            undecodable_acls: Vec::new(),
            network: crate::netpol::NetworkModel::default(),
            secrets_by_name: std::collections::HashMap::new(),
            source_indexes: std::collections::HashMap::new(),
            suppressions: Vec::new(),
            suppressions_used: std::cell::OnceCell::new(),
            config,
            schemas,
            custom,
        }
    }

    /// The index of the source a finding names by its file.
    pub fn source_index(&self, name: &str) -> Option<usize> {
        self.source_indexes.get(name).copied()
    }

    /// The Secrets with this name, in input order.
    pub fn secrets_named(&self, name: &str) -> impl Iterator<Item = &Resource<'d>> {
        self.secrets_by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.resources[i])
    }

    /// Whether an ACL user may hold dangerous and admin permissions.
    pub fn is_acl_admin(&self, user: &str) -> bool {
        self.config.acl.admin_users().iter().any(|a| a == user)
    }

    /// The command lines of the CRs of a one-document bundle (CR `args` today).
    pub fn command_lines(&self) -> impl Iterator<Item = &crate::args::CommandLine<'d>> {
        self.dragonflies.iter().map(|cr| &cr.command_line)
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Resource<'d>> {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// Spans holding secret material, to be masked wherever source text is shown.
    pub fn secret_spans(&self) -> Vec<(usize, Span)> {
        let mut spans = Vec::new();
        // Plain-text ACLs in Secrets stay readable: only their password tokens are masked
        // (below), so findings inside them can be shown.
        let readable_acls: Vec<(usize, Span)> = self
            .acls
            .iter()
            .filter(|a| {
                matches!(
                    a.origin,
                    crate::acl::found::Origin::Secret { base64: false, .. }
                )
            })
            .map(|a| (a.text.source, a.text.whole))
            .collect();
        for resource in self.of_kind(Kind::Secret) {
            for field in ["data", "stringData"] {
                if let Some(entries) = resource.root.get(field).and_then(|n| n.as_map()) {
                    spans.extend(
                        entries
                            .iter()
                            .map(|e| (resource.doc.source, e.value.span))
                            .filter(|s| !readable_acls.contains(s)),
                    );
                }
            }
        }
        for cr in self.crs {
            spans.extend(cr.secret_spans().iter().map(|s| (cr.source, *s)));
        }
        spans.extend_from_slice(&self.loaded.workload_secret_spans);
        for acl in &self.acls {
            spans.extend(
                crate::redact::acl_word_spans(&acl.text.text)
                    .into_iter()
                    .map(|span| (acl.text.source, acl.text.source_span(span))),
            );
        }
        spans
    }
}
