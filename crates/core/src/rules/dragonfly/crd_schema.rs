use crate::bundle::Bundle;
use crate::crd::structural::{validate_resource, At, Subject, ViolationKind as Generic};
use crate::crd::{Definition, Lookup, Version};
use crate::diagnostic::Severity;
use crate::document::{Document, Node};
use crate::dragonfly::schema::{validate_spec_node, ViolationKind, OPERATOR_VERSION};
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct CrdSchema;

static META: RuleMeta = RuleMeta {
    code: "DF010",
    name: "crd-schema",
    severity: Severity::Error,
    summary: "A custom resource has a field its CRD does not define, or a value the CRD's schema does not allow (the Dragonfly CR against dragonfly-operator's CRD; any other against a CRD or Crossplane XRD given with `--crd` or found in the input).",
    docs: rule_docs!("crd_schema.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for CrdSchema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let root = cr.resource.root;
            let doc = cr.doc();
            // A Dragonfly CRD given with `--crd` (or in the input) replaces the built-in one:
            // it pins another operator release.
            if let Lookup::Found(definition, version) = bundle.schemas.lookup_root(root) {
                check_custom(bundle, out, doc, root, definition, version);
                continue;
            }
            let Some(spec_node) = root.get("spec") else {
                continue;
            };
            if spec_node.as_map().is_none() && !spec_node.is_null() {
                out.report(
                    &Target::node(doc, spec_node),
                    format!("`spec` of {} must be an object", cr.name()),
                );
                continue;
            }
            for violation in validate_spec_node(spec_node) {
                let segments = violation.instance_path.iter().map(String::as_str);
                let target = match &violation.kind {
                    // Point at the offending key itself.
                    ViolationKind::UnknownField { field } => {
                        let parent_path = &violation.instance_path
                            [..violation.instance_path.len().saturating_sub(1)];
                        spec_node
                            .find(parent_path.iter().map(String::as_str))
                            .and_then(|parent| parent.entry(field))
                            .map(|e| Target::key(doc, &e.key, &e.value))
                    }
                    _ => spec_node.find(segments).map(|n| Target::node(doc, n)),
                }
                .unwrap_or_else(|| Target::node(doc, spec_node));
                let diagnostic = out.report(&target, violation.message.clone());
                match &violation.kind {
                    ViolationKind::UnknownField { field } => {
                        let help = dragonfly_help(field).map_or_else(
                            || format!("remove it or fix its name; fields are checked against dragonfly-operator {OPERATOR_VERSION}").into(),
                            std::borrow::Cow::Borrowed,
                        );
                        diagnostic.with_help(help);
                    }
                    ViolationKind::WrongType { .. }
                        if violation.instance_path.first().map(String::as_str)
                            == Some("tlsSecretRef") =>
                    {
                        diagnostic.with_help(TLS_HELP);
                    }
                    _ => {}
                }
            }
        }
        for (doc, root) in &bundle.custom {
            match bundle.schemas.lookup_root(root) {
                Lookup::Found(definition, version) => {
                    check_custom(bundle, out, doc, root, definition, version)
                }
                Lookup::NotServed { definition, served } => {
                    let at = root.get("apiVersion").unwrap_or(root);
                    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
                    let served = match served.as_slice() {
                        [] => "no version".to_string(),
                        [one] => format!("only `{one}`"),
                        many => format!("`{}`", many.join("`, `")),
                    };
                    let file = bundle.sources[definition.source].name();
                    out.report(
                        &Target::node(doc, at),
                        format!(
                            "{kind} is not served at this apiVersion: {} in {file} serves {served}; the API server rejects the resource",
                            definition.title()
                        ),
                    );
                }
                Lookup::Unknown => {}
            }
        }
    }
}

const TLS_HELP: &str = "write `tlsSecretRef: {name: <secret>}`; the Secret must be in the CR's namespace and hold `tls.crt` and `tls.key`";

/// Where the fields people reach for on a Dragonfly CR really go.
fn dragonfly_help(field: &str) -> Option<&'static str> {
    match field {
        "volumes" => Some("extra volumes go in `spec.additionalVolumes`; the operator mounts the ACL file itself when you use `spec.aclFromSecret`"),
        "volumeMounts" => Some("the CRD has no volume mounts for the Dragonfly container; use `spec.aclFromSecret` for an ACL file and `spec.snapshot` for snapshot storage"),
        _ => None,
    }
}

/// Checks a resource against the schema of a definition's version: every finding names the
/// file and version it comes from and points at the schema node that decided.
fn check_custom(
    bundle: &Bundle<'_>,
    out: &mut Emitter<'_>,
    doc: &Document,
    root: &Node,
    definition: &Definition,
    version: &Version,
) {
    let Some(schema) = &version.schema else {
        return;
    };
    let file = bundle.sources[definition.source].name();
    let gv = format!("{}/{}", version.group, version.version);
    let name = format!("{gv} {} as defined in {file}", version.kind);
    let subject = Subject {
        name: &name,
        prefix: &[],
    };
    let dragonfly = version.kind == "Dragonfly" && version.group == "dragonflydb.io";
    for violation in validate_resource(schema, root, &subject) {
        let target = match violation.at {
            At::Key(entry) => Target::key(doc, &entry.key, &entry.value),
            At::Value(node) => Target::node(doc, node),
        };
        let message = match violation.kind {
            Generic::UnknownField { .. } => violation.message,
            _ => format!(
                "{} (schema of {gv} {} in {file})",
                violation.message, version.kind
            ),
        };
        // The schema node that decided, for a value; an unknown field's object schema is no
        // more telling than the help.
        let related = match violation.kind {
            Generic::UnknownField { .. } => None,
            _ => Some(out.related(
                &Target::span(definition.source, violation.schema.span),
                "what the schema allows here",
            )),
        };
        let help = match &violation.kind {
            Generic::UnknownField { field } => dragonfly
                .then(|| dragonfly_help(field))
                .flatten()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    format!(
                        "remove it or fix its name; fields are checked against the {} in {file}",
                        definition.title()
                    )
                }),
            Generic::WrongType
                if dragonfly
                    && matches!(violation.at, At::Value(n) if root.at(&["spec", "tlsSecretRef"]).is_some_and(|t| std::ptr::eq(t, n))) =>
            {
                TLS_HELP.to_string()
            }
            _ => format!("the schema is the {} in {file}", definition.title()),
        };
        let diagnostic = out.report(&target, message).with_help(help);
        if let Some(related) = related {
            diagnostic.with_related(related);
        }
    }
}
