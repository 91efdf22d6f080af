use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::schema::{validate_spec_node, ViolationKind, OPERATOR_VERSION};
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct CrdSchema;

static META: RuleMeta = RuleMeta {
    code: "DF010",
    name: "crd-schema",
    severity: Severity::Error,
    summary:
        "The Dragonfly spec has a field the CRD does not define, or a value of the wrong type.",
    docs: rule_docs!("crd_schema.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for CrdSchema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let Some(spec_node) = cr.resource.root.get("spec") else {
                continue;
            };
            let doc = cr.doc();
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
                        let help: std::borrow::Cow<'static, str> = match field.as_str() {
                            "volumes" => "extra volumes go in `spec.additionalVolumes`; the operator mounts the ACL file itself when you use `spec.aclFromSecret`".into(),
                            "volumeMounts" => "the CRD has no volume mounts for the Dragonfly container; use `spec.aclFromSecret` for an ACL file and `spec.snapshot` for snapshot storage".into(),
                            _ => format!("remove it or fix its name; fields are checked against dragonfly-operator {OPERATOR_VERSION}").into(),
                        };
                        diagnostic.with_help(help);
                    }
                    ViolationKind::WrongType { .. }
                        if violation.instance_path.first().map(String::as_str)
                            == Some("tlsSecretRef") =>
                    {
                        diagnostic.with_help("write `tlsSecretRef: {name: <secret>}`; the Secret must be in the CR's namespace and hold `tls.crt` and `tls.key`");
                    }
                    _ => {}
                }
            }
        }
    }
}
