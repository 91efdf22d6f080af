//! Dragonfly installed with its official Helm chart (`contrib/charts/dragonfly` of
//! Dragonfly's repository, published as `oci://ghcr.io/dragonflydb/dragonfly/helm/dragonfly`):
//! where the chart's values are found, and what the chart makes of them.
//!
//! Chart facts, read at v1.40.1 (`contrib/charts/dragonfly/templates/_pod.tpl`):
//! * the container runs the image `image.repository:image.tag`, the tag defaulting to the
//!   chart's `appVersion` (`:71`); the release workflow sets `version` and `appVersion` of the
//!   chart to the release tag before publishing it (`.github/workflows/docker-release2.yml:
//!   300-317`), so chart vX.Y.Z runs Dragonfly vX.Y.Z by default;
//! * its arguments are `--alsologtostderr`, then `extraArgs`, then `--cluster_mode=…` from
//!   `cluster.mode` and `--tls --tls_cert_file=… --tls_key_file=…` when `tls.enabled`
//!   (`:84-108`); `command` replaces the image's entrypoint (`:80-83`);
//! * `passwordFromSecret.enable` adds `DFLY_requirepass` from `existingSecret` (`:114-132`,
//!   `DFLY_PASSWORD` for images before v1.14.0), then `env` follows (`:133-135`);
//! * `resources` is the container's (`:109-112`);
//! * `replicaCount` pods are independent servers behind one Service: nothing makes them
//!   replicas of each other (`templates/statefulset.yaml:11`, `templates/service.yaml`).
//!
//! Which values keys each chart version reads is generated from the chart's templates by
//! `scripts/gen-helm-chart.py` (`data/helm-chart-values.tsv`).

use crate::document::Node;
use crate::flags::{newest_release, Release};

// Defines `CHART_KEYS: [(key, first, last, opaque); N]`, sorted by key.
include!(concat!(env!("OUT_DIR"), "/helm_chart_table.rs"));

/// The chart's name in its repository.
pub const CHART_NAME: &str = "dragonfly";
/// `image.repository` when the values leave it out (`values.yaml`@v1.40.1).
pub const DEFAULT_REPOSITORY: &str = "docker.dragonflydb.io/dragonflydb/dragonfly";

/// Top-level values keys of the chart of the same name that installs Dragonfly the P2P file
/// distribution system (d7y.io), not this datastore: values holding one of them are not ours.
const OTHER_DRAGONFLY_KEYS: &[&str] = &[
    "manager",
    "scheduler",
    "seedClient",
    "seedPeer",
    "client",
    "dfdaemon",
    "dfinit",
    "externalManager",
];

/// What installs the chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Installer {
    /// A Flux `HelmRelease`.
    FluxHelmRelease,
    /// An Argo CD `Application` source.
    ArgoApplication,
    /// A values file given to dflint with `--helm-values`.
    ValuesFile,
}

impl Installer {
    pub fn declared_as(self) -> &'static str {
        match self {
            Installer::FluxHelmRelease => "HelmRelease",
            Installer::ArgoApplication => "Application",
            Installer::ValuesFile => "Helm values file",
        }
    }
}

/// One install of the chart: its values as written, and the chart version.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartInstall<'d> {
    pub installer: Installer,
    /// The values tree (`spec.values`, `helm.valuesObject`, the values file); `None` when
    /// none are given: the chart's defaults.
    pub values: Option<&'d Node>,
    /// The chart version, when pinned to a release dflint knows.
    pub version: Option<Release>,
    /// The version as written, when there is one (`v1.30.0`, `>=1.0.0`, `*`).
    pub version_text: Option<&'d Node>,
    /// Values also come from elsewhere (Flux `valuesFrom`, Argo `valueFiles` or
    /// `parameters`): what these values lack may be set there.
    pub partial: bool,
}

impl ChartInstall<'_> {
    /// The chart version the values are judged against: the pinned one, else the newest
    /// dflint knows (an unpinned chart installs the newest published).
    pub fn judged_version(&self) -> Release {
        self.version.unwrap_or_else(newest_release)
    }
}

/// A chart version as written: `v1.30.0` or `1.30.0` names a release; ranges do not.
fn pinned(version: Option<&Node>) -> Option<Release> {
    let text = version?.as_str()?.trim();
    Release::parse(text).filter(|r| r.is_known())
}

fn is_ours(values: Option<&Node>) -> bool {
    values.and_then(Node::as_map).is_none_or(|entries| {
        !entries.iter().any(|e| {
            e.key
                .as_str()
                .is_some_and(|k| OTHER_DRAGONFLY_KEYS.contains(&k))
        })
    })
}

/// The installs of Dragonfly's chart a document root declares: a Flux `HelmRelease` of the
/// chart `dragonfly` (not from a repository of the d7y project), or the sources of an Argo
/// CD `Application` whose chart is `dragonfly` from a `dragonflydb` repository.
pub fn installs_at_root(root: &Node) -> Vec<ChartInstall<'_>> {
    let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    match kind {
        "HelmRelease" if api_version.starts_with("helm.toolkit.fluxcd.io/") => {
            flux_install(root).into_iter().collect()
        }
        "Application" if api_version.starts_with("argoproj.io/") => {
            let Some(spec) = root.get("spec") else {
                return Vec::new();
            };
            let single = spec.get("source").into_iter();
            let many = spec
                .get("sources")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter();
            single.chain(many).filter_map(argo_install).collect()
        }
        _ => Vec::new(),
    }
}

fn flux_install(root: &Node) -> Option<ChartInstall<'_>> {
    let chart = root.at(&["spec", "chart", "spec"])?;
    if chart.get("chart").and_then(Node::as_str) != Some(CHART_NAME) {
        return None;
    }
    // The d7y project's repository is commonly named after it.
    let source = chart
        .at(&["sourceRef", "name"])
        .and_then(Node::as_str)
        .unwrap_or("");
    if source.contains("dragonflyoss") || source.contains("d7y") {
        return None;
    }
    let spec = root.get("spec")?;
    let values = spec.get("values").filter(|v| !v.is_null());
    // Which chart named `dragonfly` this is shows in a source named for dragonflydb, or in
    // values only this chart reads; a release without either could be the d7y project's, and
    // judging the d7y chart's defaults as Dragonfly's would be wrong on every line.
    let named_ours = source.contains("dragonflydb");
    let keyed_ours = values.and_then(Node::as_map).is_some_and(|entries| {
        entries
            .iter()
            .any(|e| e.key.as_str().is_some_and(|k| lookup(k).is_some()))
    });
    if !(named_ours || keyed_ours) || !is_ours(values) {
        return None;
    }
    let version_text = chart.get("version");
    Some(ChartInstall {
        installer: Installer::FluxHelmRelease,
        values,
        version: pinned(version_text),
        version_text,
        partial: spec
            .get("valuesFrom")
            .and_then(Node::as_seq)
            .is_some_and(|s| !s.is_empty()),
    })
}

fn argo_install(source: &Node) -> Option<ChartInstall<'_>> {
    if source.get("chart").and_then(Node::as_str) != Some(CHART_NAME) {
        return None;
    }
    let repository = source.get("repoURL").and_then(Node::as_str).unwrap_or("");
    if !repository.contains("dragonflydb") {
        return None;
    }
    let helm = source.get("helm");
    // `valuesObject` wins over `values` when both are set; a `values` string is read as
    // YAML when the document is loaded (see `embedded_values`).
    let values = helm
        .and_then(|h| h.get("valuesObject"))
        .or_else(|| helm.and_then(|h| h.get("values")))
        .filter(|v| v.as_map().is_some());
    let listed = |key: &str| {
        helm.and_then(|h| h.get(key))
            .and_then(Node::as_seq)
            .is_some_and(|s| !s.is_empty())
    };
    let version_text = source.get("targetRevision");
    // A `values` string that did not read as YAML: what it sets is unknown.
    let unread = values.is_none()
        && helm
            .and_then(|h| h.get("values"))
            .is_some_and(|v| v.as_str().is_some_and(|t| !t.trim().is_empty()));
    Some(ChartInstall {
        installer: Installer::ArgoApplication,
        values,
        version: pinned(version_text),
        version_text,
        partial: listed("valueFiles") || listed("parameters") || unread,
    })
}

/// Reads the `helm.values` strings of an Argo CD `Application`'s chart sources as YAML, in
/// place, so the values are linted like `valuesObject`. In a literal block (`values: |`) every
/// node keeps its own place in `text` (the source the document was read from); in any other
/// string style the nodes all point at the string. A string that is not valid YAML is left
/// as it is (the install then counts as partly unknown) and its problems are returned, at the
/// string: Helm refuses such values too.
pub fn embed_values(
    root: &mut Node,
    text: &str,
    limits: &crate::limits::Limits,
) -> Vec<crate::document::SyntaxProblem> {
    let mut problems = Vec::new();
    use crate::document::{ScalarStyle, Value};
    let is_application = root.get("kind").and_then(Node::as_str) == Some("Application")
        && root
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("argoproj.io/"));
    if !is_application {
        return problems;
    }
    let Some(Value::Map(spec)) = root.entry_mut("spec").map(|e| &mut e.value.value) else {
        return problems;
    };
    for entry in spec.iter_mut() {
        let sources: Vec<&mut Node> = match (entry.key.as_str(), &mut entry.value.value) {
            (Some("source"), _) => vec![&mut entry.value],
            (Some("sources"), Value::Seq(items)) => items.iter_mut().collect(),
            _ => continue,
        };
        for source in sources {
            if source.get("chart").and_then(Node::as_str) != Some(CHART_NAME) {
                continue;
            }
            let Some(values) = source
                .entry_mut("helm")
                .and_then(|helm| helm.value.entry_mut("values"))
                .map(|e| &mut e.value)
            else {
                continue;
            };
            let Value::Str(embedded) = &values.value else {
                continue;
            };
            let embedded = embedded.to_string();
            let parsed = crate::document::parse_yaml_with(&embedded, limits);
            if !parsed.problems.is_empty() || parsed.roots.len() != 1 {
                let why = parsed.problems.first().map_or_else(
                    || "it holds more than one YAML document".to_string(),
                    |p| p.message.clone(),
                );
                problems.push(crate::document::SyntaxProblem {
                    kind: crate::document::SyntaxProblemKind::InvalidEmbedded,
                    message: format!("the chart values in `helm.values` are not valid YAML ({why}); dflint did not read them"),
                    span: values.span,
                });
                continue;
            }
            let Some(mut tree) = parsed.roots.into_iter().next() else {
                continue;
            };
            if tree.as_map().is_none() {
                continue;
            }
            let whole = values.span;
            let lines = (values.style == ScalarStyle::Literal)
                .then(|| block_lines(text, whole, &embedded))
                .flatten();
            match lines {
                Some(lines) => remap(&mut tree, &|at| map_offset(&lines, at)),
                // Every node points at the whole string.
                None => fill(&mut tree, whole),
            }
            *values = tree;
        }
    }
    problems
}

/// For a literal block scalar at `span` of `text` (the span starts at its first content
/// character) whose value is `embedded`: per line of the value, its start in `embedded` and in
/// `text`. `None` when the lines do not line up (tabs, an indentation indicator).
fn block_lines(
    text: &str,
    span: crate::source::Span,
    embedded: &str,
) -> Option<Vec<(usize, usize)>> {
    let line_start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = span.start - line_start;
    let mut lines = Vec::new();
    let (mut inner, mut outer) = (0, line_start);
    for line in embedded.split_inclusive('\n') {
        let source_line = text.get(outer..)?.split_inclusive('\n').next()?;
        let content = line.trim_end_matches('\n');
        let shifted = if content.is_empty() { 0 } else { indent };
        if source_line.get(shifted..)?.trim_end_matches(['\n', '\r']) != content {
            return None;
        }
        lines.push((inner, outer + shifted));
        inner += line.len();
        outer += source_line.len();
    }
    Some(lines)
}

fn map_offset(lines: &[(usize, usize)], at: usize) -> usize {
    let i = lines
        .partition_point(|(inner, _)| *inner <= at)
        .saturating_sub(1);
    lines
        .get(i)
        .map_or(at, |(inner, outer)| outer + (at - inner))
}

fn remap(node: &mut Node, map: &dyn Fn(usize) -> usize) {
    use crate::document::Value;
    node.span = crate::source::Span {
        start: map(node.span.start),
        end: map(node.span.end),
    };
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, map)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            remap(&mut e.key, map);
            remap(&mut e.value, map);
        }),
        _ => {}
    }
}

fn fill(node: &mut Node, span: crate::source::Span) {
    use crate::document::Value;
    node.span = span;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| fill(n, span)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            fill(&mut e.key, span);
            fill(&mut e.value, span);
        }),
        _ => {}
    }
}

/// A values file given with `--helm-values`: the chart version is the one `image.tag`
/// names, if any.
pub fn values_file(root: &Node) -> ChartInstall<'_> {
    let values = (!root.is_null()).then_some(root);
    let tag = root.at(&["image", "tag"]);
    ChartInstall {
        installer: Installer::ValuesFile,
        values,
        version: pinned(tag),
        version_text: None,
        partial: false,
    }
}

/// How the chart treats a values key (a dotted path, `service.type`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyUse {
    /// The chart reads it, or it lies below a key whose content the chart copies as written.
    Read,
    /// Chart versions from `first` read it; the judged one is older.
    NotYet { first: Release },
    /// Chart versions up to `last` read it; the judged one is newer.
    NoLonger { last: Release },
    /// No chart version dflint knows reads it; `suggestion` is a key the judged version
    /// reads at the same place with a close name.
    Unknown { suggestion: Option<&'static str> },
}

/// How chart `version` treats `key`.
pub fn key_use(key: &str, version: Release) -> KeyUse {
    // Below an opaque key (`resources.limits.memory`), anything goes.
    let mut at = 0;
    while let Some(dot) = key[at..].find('.') {
        let parent = &key[..at + dot];
        if let Some(&(_, first, last, opaque)) = lookup(parent) {
            if opaque && first <= version && version <= last {
                return KeyUse::Read;
            }
        }
        at += dot + 1;
    }
    match lookup(key) {
        Some(&(_, first, _, _)) if version < first => KeyUse::NotYet { first },
        Some(&(_, _, last, _)) if version > last => KeyUse::NoLonger { last },
        Some(_) => KeyUse::Read,
        None => KeyUse::Unknown {
            suggestion: suggest(key, version),
        },
    }
}

fn lookup(key: &str) -> Option<&'static (&'static str, Release, Release, bool)> {
    CHART_KEYS
        .binary_search_by(|(k, ..)| (*k).cmp(key))
        .ok()
        .map(|i| &CHART_KEYS[i])
}

/// A key chart `version` reads beside `key` (same parent) whose name is close: the same
/// letters in another case, or one or two edits away.
fn suggest(key: &str, version: Release) -> Option<&'static str> {
    let (parent, name) = key.rsplit_once('.').unwrap_or(("", key));
    let split = |k: &'static str| k.rsplit_once('.').unwrap_or(("", k));
    let siblings = CHART_KEYS
        .iter()
        .filter(|(k, first, last, _)| *first <= version && version <= *last && split(k).0 == parent)
        .map(|(k, ..)| split(k).1);
    let close = crate::crd::structural::closest(name, siblings)?;
    let full = if parent.is_empty() {
        close.to_string()
    } else {
        format!("{parent}.{close}")
    };
    lookup(&full).map(|(k, ..)| *k)
}

/// The values keys as written, each with its dotted path and node, depth first, stopping
/// below keys whose content the chart copies whole. Keys that are not strings are left out.
pub fn written_keys<'d>(values: &'d Node, version: Release) -> Vec<(String, &'d Node)> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, &'d Node)> = vec![(String::new(), values)];
    while let Some((prefix, node)) = stack.pop() {
        for entry in node.as_map().unwrap_or(&[]) {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            let descend = entry.value.as_map().is_some()
                && lookup(&path).is_some_and(|(_, first, last, opaque)| {
                    !opaque && *first <= version && version <= *last
                });
            if descend {
                stack.push((path.clone(), &entry.value));
            }
            out.push((path, &entry.key));
        }
    }
    out.sort_by_key(|(_, key)| key.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_yaml;

    fn v(text: &str) -> Release {
        Release::parse(text).unwrap()
    }

    #[test]
    fn keys_are_judged_per_chart_version() {
        assert_eq!(key_use("extraArgs", v("v1.30.0")), KeyUse::Read);
        assert_eq!(
            key_use("resources.limits.memory", v("v1.30.0")),
            KeyUse::Read
        );
        assert_eq!(key_use("probes.startupProbe", v("v1.30.0")), KeyUse::Read);
        assert_eq!(
            key_use("cluster.mode", v("v1.30.0")),
            KeyUse::NotYet {
                first: v("v1.40.0")
            }
        );
        assert_eq!(
            key_use("extraArg", v("v1.40.1")),
            KeyUse::Unknown {
                suggestion: Some("extraArgs")
            }
        );
        assert_eq!(
            key_use("passwordFromSecret.enabled", v("v1.40.1")),
            KeyUse::Unknown {
                suggestion: Some("passwordFromSecret.enable")
            }
        );
        assert_eq!(
            key_use("replicas", v("v1.40.1")),
            KeyUse::Unknown { suggestion: None }
        );
        // values.yaml showed `service.lablels` for years; the templates read `labels`.
        assert_eq!(
            key_use("service.lablels", v("v1.30.0")),
            KeyUse::Unknown {
                suggestion: Some("service.labels")
            }
        );
    }

    #[test]
    fn installs_are_found_in_flux_and_argo_but_not_for_the_other_dragonfly() {
        let parsed = parse_yaml(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cache}\nspec:\n  chart:\n    spec: {chart: dragonfly, version: v1.30.0, sourceRef: {kind: HelmRepository, name: dragonfly}}\n  values: {replicaCount: 1}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: p2p}\nspec:\n  chart:\n    spec: {chart: dragonfly, sourceRef: {kind: HelmRepository, name: dragonfly}}\n  values: {manager: {replicas: 1}}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: cache}\nspec:\n  sources:\n  - {repoURL: ghcr.io/dragonflydb/dragonfly/helm, chart: dragonfly, targetRevision: '>=1.0.0', helm: {valuesObject: {extraArgs: [--cache_mode]}, valueFiles: [x.yaml]}}\n  - {repoURL: https://github.com/example/config.git, path: apps}\n",
        );
        let flux = installs_at_root(&parsed.roots[0]);
        assert_eq!(flux.len(), 1);
        assert_eq!(flux[0].version, Some(v("v1.30.0")));
        assert!(!flux[0].partial);
        assert!(installs_at_root(&parsed.roots[1]).is_empty());
        let argo = installs_at_root(&parsed.roots[2]);
        assert_eq!(argo.len(), 1);
        assert_eq!(argo[0].version, None);
        assert!(argo[0].partial);
        assert!(argo[0].values.is_some());
    }

    #[test]
    fn written_keys_stop_below_free_content() {
        let parsed = parse_yaml(
            "resources: {limits: {memory: 1Gi}}\npasswordFromSecret: {enable: true, existingSecret: {name: s, key: k}}\n",
        );
        let keys: Vec<String> = written_keys(&parsed.roots[0], v("v1.40.1"))
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "resources",
                "passwordFromSecret",
                "passwordFromSecret.enable",
                "passwordFromSecret.existingSecret",
                "passwordFromSecret.existingSecret.name",
                "passwordFromSecret.existingSecret.key"
            ]
        );
    }

    #[test]
    fn argo_values_strings_are_read_in_place() {
        let limits = crate::limits::Limits::default();
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    chart: dragonfly\n    repoURL: ghcr.io/dragonflydb/dragonfly/helm\n    helm:\n      values: |\n        extraArgs:\n\n          - --port=6380\n";
        let mut root = parse_yaml(text).roots.remove(0);
        let _ = embed_values(&mut root, text, &limits);
        let arg = root
            .at(&["spec", "source", "helm", "values", "extraArgs"])
            .and_then(Node::as_seq)
            .unwrap()[0]
            .clone();
        assert_eq!(&text[arg.span.start..arg.span.end], "--port=6380");

        // A quoted string: every node points at the string.
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source: {chart: dragonfly, repoURL: ghcr.io/dragonflydb/dragonfly/helm, helm: {values: \"replicaCount: 2\"}}\n";
        let mut root = parse_yaml(text).roots.remove(0);
        let _ = embed_values(&mut root, text, &limits);
        let count = root
            .at(&["spec", "source", "helm", "values", "replicaCount"])
            .unwrap();
        assert_eq!(count.as_i64(), Some(2));
        assert_eq!(
            &text[count.span.start..count.span.end],
            "\"replicaCount: 2\""
        );

        // Not YAML: left as it is, and the install counts as partly unknown.
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source: {chart: dragonfly, repoURL: ghcr.io/dragonflydb/dragonfly/helm, helm: {values: \"a: [\"}}\n";
        let mut root = parse_yaml(text).roots.remove(0);
        let problems = embed_values(&mut root, text, &limits);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("not valid YAML"));
        let installs = installs_at_root(&root);
        assert!(installs[0].values.is_none() && installs[0].partial);
    }
}
