use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DanglingPolicy;

static META: RuleMeta = RuleMeta {
    code: "DF309",
    name: "dangling-policy",
    severity: Severity::Warning,
    summary: "A policy aimed at Dragonfly pods selects none of the instances in the input.",
    docs: rule_docs!("dangling_policy.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::Dragonflies]),
};

impl Rule for DanglingPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let model = &bundle.network;
        // Instances inferred from a policy's own labels say nothing about what else exists.
        if !model
            .instances
            .iter()
            .any(|i| i.cr.is_some() || i.standalone.is_some())
        {
            return;
        }
        let cr_names: Vec<&str> = model.instances.iter().map(|i| i.name.as_ref()).collect();
        // An instance whose name or namespace is a `${VAR}` dflint has no value for may be
        // the one a policy selects once Flux fills it in: no policy is called dangling then.
        let unknown = |text: &str| text.contains("${");
        if model
            .instances
            .iter()
            .any(|i| unknown(&i.name) || unknown(&i.namespace))
        {
            return;
        }
        for (index, policy) in model.policies.iter().enumerate() {
            let Some(pods) = &policy.pods else { continue };
            if policy.resource.is_none() || model.policy_selects_any(index) {
                continue;
            }
            if pods.to_string().contains("${") {
                continue;
            }
            let aimed_at_dragonfly = pods.pinned("app.kubernetes.io/name") == Some("dragonfly")
                || pods.pinned("app.kubernetes.io/part-of") == Some("dragonfly")
                || pods
                    .pinned("app")
                    .is_some_and(|a| a.contains("dragonfly") || cr_names.contains(&a));
            if !aimed_at_dragonfly {
                continue;
            }
            let candidates: Vec<String> = model
                .instances
                .iter()
                .filter(|i| {
                    policy
                        .pod_namespaces
                        .admits(&i.namespace, &model.namespaces)
                        || policy.namespace.is_empty()
                })
                .map(|i| match &i.standalone {
                    // A workload's pods carry its template's labels, nothing more.
                    Some(_) => format!(
                        "{} ({})",
                        i.display(),
                        i.labels
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => format!("{} (app={})", i.display(), i.name),
                })
                .collect();
            let diagnostic = out.report(
                &policy.site.target(),
                format!(
                    "{} selects pods labelled {pods}, which no Dragonfly instance in the input has: it protects nothing",
                    policy.name
                ),
            );
            if !candidates.is_empty() {
                diagnostic.with_help(format!(
                    "the operator labels pods app=<CR name>, app.kubernetes.io/name=dragonfly, app.kubernetes.io/part-of=dragonfly and role=master|replica; a workload's pods have its template's labels; instances here: {}",
                    candidates.join(", ")
                ));
            }
        }
    }
}
