use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::{Node, Syntax};
use crate::resource::resource_roots;
use crate::rules::{Emitter, Needs, Rule, RuleMeta, Scope, Target};
use std::collections::HashMap;

pub struct DuplicateResource;

static META: RuleMeta = RuleMeta {
    code: "DF018",
    name: "duplicate-resource",
    severity: Severity::Error,
    summary: "Two resources of the input have the same kind, API group, namespace and name: one replaces the other when applied.",
    docs: rule_docs!("duplicate_resource.md"),
    scope: Scope::Bundle(&[Needs::WholeInput]),
};

/// What makes two resources the same object: API group, kind, namespace as written (`""`
/// when there is none) and name.
type Identity<'a> = (&'a str, &'a str, &'a str, &'a str);

impl Rule for DuplicateResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let mut first: HashMap<Identity<'_>, Target> = HashMap::new();
        // The Dragonfly CRs, kept as facts (their documents may be gone by now).
        let mut cr_roots = std::collections::HashSet::new();
        for cr in bundle.crs {
            cr_roots.insert((cr.source, cr.span.start));
            let literal = |text: &str| !text.is_empty() && !text.contains("${");
            let Some(name) = cr.name.as_deref().filter(|n| literal(n)) else {
                continue;
            };
            let namespace = cr.namespace.as_deref().unwrap_or("");
            if namespace.contains("${") {
                continue;
            }
            let identity = ("dragonflydb.io", "Dragonfly", namespace, name);
            seen(&mut first, identity, &cr.name_target, out);
        }
        for doc in &bundle.loaded.documents {
            if doc.syntax == Syntax::FlagFile {
                continue;
            }
            for root in resource_roots(&doc.root) {
                if cr_roots.contains(&(doc.source, root.span.start)) {
                    continue;
                }
                let Some((identity, name_node)) = identity_of(root) else {
                    continue;
                };
                seen(&mut first, identity, &Target::node(doc, name_node), out);
            }
        }
    }
}

/// A resource's identity and its `metadata.name` node; `None` when it has no literal one
/// (no kind, apiVersion or name; a `generateName`; a name still holding `${…}`).
fn identity_of(root: &Node) -> Option<(Identity<'_>, &Node)> {
    let kind = root.get("kind").and_then(Node::as_str)?;
    let api_version = root.get("apiVersion").and_then(Node::as_str)?;
    let name_node = root.at(&["metadata", "name"])?;
    let name = name_node
        .as_str()
        .filter(|n| !n.is_empty() && !n.contains("${"))?;
    let namespace = match root.at(&["metadata", "namespace"]) {
        None => "",
        Some(node) => node.as_str().filter(|n| !n.contains("${"))?,
    };
    // `v1` is the core group; `apps/v1` and `apps/v1beta2` are the same group.
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    Some(((group, kind, namespace, name), name_node))
}

/// Records a resource, or reports it when one with the same identity came first.
fn seen<'a>(
    first: &mut HashMap<Identity<'a>, Target>,
    identity: Identity<'a>,
    at: &Target,
    out: &mut Emitter<'_>,
) {
    match first.get(&identity) {
        None => {
            first.insert(identity, at.clone());
        }
        Some(earlier) => {
            let (_, kind, namespace, name) = identity;
            let place = if namespace.is_empty() {
                "without a namespace".to_string()
            } else {
                format!("in namespace `{namespace}`")
            };
            let related = out.related(earlier, "the first one");
            out.report(
                at,
                format!("{kind}/{name} {place} is defined more than once in the input: applied together, the later one replaces the earlier, and checks that pair resources (a CR and its Secret, a policy and its pods) may have judged the one that loses"),
            )
            .with_related(related)
            .with_help("keep one definition; if these are a kustomize base and an overlay, or two environments, lint each build on its own (`kustomize build … | dflint check -`)");
        }
    }
}
