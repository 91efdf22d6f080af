use super::support::{secret_generators, secret_has_key, secrets_named, SecretGenerator};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::Node;
use crate::dragonfly::DragonflyCr;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct MissingSecret;

static META: RuleMeta = RuleMeta {
    code: "DF401",
    name: "missing-secret",
    severity: Severity::Warning,
    summary:
        "A Dragonfly CR references a Secret, or a key of one, that the input does not contain.",
    docs: include_str!("missing_secret.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::Secrets]),
};

/// One reference from a CR to a Secret.
struct Reference<'d> {
    /// Where it is written, for messages (`aclFromSecret`, `env[2] AWS_KEY`).
    field: String,
    name: &'d Node,
    /// `None` for references to the whole Secret (`tlsSecretRef`, whose keys DF405 checks).
    key: Option<&'d Node>,
}

fn references<'d>(cr: &DragonflyCr<'d>) -> Vec<Reference<'d>> {
    let mut found = Vec::new();
    // `optional: true` lets the pod start without the Secret or key.
    let optional = |node: &Node| node.get("optional").and_then(Node::as_bool) == Some(true);
    for (field, path) in [
        ("aclFromSecret", &["aclFromSecret"][..]),
        (
            "authentication.passwordFromSecret",
            &["authentication", "passwordFromSecret"][..],
        ),
        (
            "authentication.clientCaCertSecret",
            &["authentication", "clientCaCertSecret"][..],
        ),
    ] {
        let Some(selector) = cr.spec_at(path) else {
            continue;
        };
        if optional(selector) {
            continue;
        }
        if let Some(name) = selector.get("name") {
            found.push(Reference {
                field: format!("`{field}`"),
                name,
                key: selector.get("key"),
            });
        }
    }
    // A string `tlsSecretRef` is a schema error reported elsewhere.
    if let Some(name) = cr.spec_at(&["tlsSecretRef", "name"]) {
        found.push(Reference {
            field: "`tlsSecretRef`".into(),
            name,
            key: None,
        });
    }
    for var in &cr.env {
        let Some(selector) = var.value_from.and_then(|f| f.get("secretKeyRef")) else {
            continue;
        };
        if optional(selector) {
            continue;
        }
        if let Some(name) = selector.get("name") {
            found.push(Reference {
                field: format!("env `{}`", var.name),
                name,
                key: selector.get("key"),
            });
        }
    }
    found
}

impl Rule for MissingSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        if bundle.dragonflies.is_empty() {
            return;
        }
        let generators = secret_generators(bundle);
        // Secrets that are absent altogether are only reported when the input holds Secrets
        // (or what makes them): linting one CR on its own, as an admission policy does, says
        // nothing about the Secrets in the cluster.
        let input_has_secrets = !bundle.secrets_by_name.is_empty()
            || !generators.is_empty()
            || bundle.kind_counts.contains_key("Secret");
        for cr in &bundle.dragonflies {
            let namespace = cr.resource.namespace();
            for reference in references(cr) {
                let Some(name) = reference.name.as_str() else {
                    continue;
                };
                let key = reference.key.and_then(Node::as_str);
                let secrets: Vec<_> = secrets_named(bundle, name, namespace).collect();
                let made: Vec<&SecretGenerator> = generators
                    .iter()
                    .filter(|g| {
                        g.name == name
                            && super::support::same_namespace(g.namespace.as_deref(), namespace)
                    })
                    .collect();
                if secrets.is_empty() && made.is_empty() {
                    if !input_has_secrets {
                        continue;
                    }
                    let elsewhere = bundle
                        .secrets_named(name)
                        .next()
                        .and_then(|s| s.namespace());
                    let diagnostic = out.report(
                        &cr.target(reference.name),
                        format!(
                            "Secret `{name}` (named by {} of {}) is not in the input; it may exist in the cluster, otherwise the pod cannot start",
                            reference.field,
                            cr.name()
                        ),
                    );
                    match elsewhere {
                        Some(other) => diagnostic.with_help(format!(
                            "a Secret `{name}` exists in namespace `{other}`, but it must be in the CR's namespace"
                        )),
                        None => diagnostic.with_help(
                            "check the name for typos, or add the Secret to what you lint",
                        ),
                    };
                    continue;
                }
                let Some(key) = key else { continue };
                let has_key = secrets.iter().any(|s| secret_has_key(s, key))
                    || made.iter().any(|g| {
                        g.keys
                            .as_ref()
                            .is_none_or(|keys| keys.iter().any(|k| k == key))
                    });
                if has_key {
                    continue;
                }
                let key_node = reference.key.unwrap_or(reference.name);
                let related = secrets.first().map(|secret| {
                    let node = secret.root.at(&["metadata", "name"]).unwrap_or(secret.root);
                    out.related(&Target::node(secret.doc, node), format!("Secret `{name}`"))
                });
                let diagnostic = out.report(
                    &cr.target(key_node),
                    format!(
                        "Secret `{name}` has no key `{key}` (in `data` or `stringData`), which {} of {} needs: the pod cannot start until the key exists",
                        reference.field,
                        cr.name()
                    ),
                );
                if let Some(related) = related {
                    diagnostic.with_related(related);
                }
                let present: Vec<String> = secrets
                    .iter()
                    .flat_map(|s| {
                        ["data", "stringData"].into_iter().flat_map(|f| {
                            s.root
                                .get(f)
                                .and_then(Node::as_map)
                                .into_iter()
                                .flatten()
                                .map(|e| format!("`{}`", e.key.key_text()))
                        })
                    })
                    .take(10)
                    .collect();
                if !present.is_empty() {
                    diagnostic.with_help(format!("the Secret has {}", present.join(", ")));
                }
            }
        }
    }
}
