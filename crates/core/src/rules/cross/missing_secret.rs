use super::support::{secret_generators, secret_has_key, secrets_named, SecretGenerator};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::Node;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct MissingSecret;

static META: RuleMeta = RuleMeta {
    code: "DF401",
    name: "missing-secret",
    severity: Severity::Warning,
    summary:
        "A Dragonfly CR references a Secret, or a key of one, that the input does not contain.",
    docs: rule_docs!("missing_secret.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::Secrets]),
};

impl Rule for MissingSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        if bundle.crs.is_empty() {
            return;
        }
        let generators = secret_generators(bundle);
        // Secrets that are absent altogether are only reported when the input holds Secrets
        // (or what makes them): linting one CR on its own, as an admission policy does, says
        // nothing about the Secrets in the cluster.
        let input_has_secrets = !bundle.secrets_by_name.is_empty()
            || !generators.is_empty()
            || bundle.kind_counts.contains_key("Secret");
        for cr in bundle.crs {
            let namespace = cr.namespace();
            for reference in &cr.secret_refs {
                let Some(name) = reference.name.as_deref() else {
                    continue;
                };
                let key = reference.key.as_deref();
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
                        &reference.name_target,
                        format!(
                            "Secret `{name}` (named by {} of {}) is not in the input; it may exist in the cluster, otherwise the pod cannot start",
                            reference.field,
                            cr.display_name()
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
                let key_target = reference
                    .key_target
                    .as_ref()
                    .unwrap_or(&reference.name_target);
                let related = secrets.first().map(|secret| {
                    let node = secret.root.at(&["metadata", "name"]).unwrap_or(secret.root);
                    out.related(&Target::node(secret.doc, node), format!("Secret `{name}`"))
                });
                let diagnostic = out.report(
                    key_target,
                    format!(
                        "Secret `{name}` has no key `{key}` (in `data` or `stringData`), which {} of {} needs: the pod cannot start until the key exists",
                        reference.field,
                        cr.display_name()
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
