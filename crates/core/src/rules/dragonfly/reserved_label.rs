use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::operator::{RESERVED_LABELS, RUNTIME_POD_LABELS};
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct ReservedLabel;

static META: RuleMeta = RuleMeta {
    code: "DF043",
    name: "reserved-label",
    severity: Severity::Error,
    summary:
        "A label key the operator manages itself is set in the CR: the operator rejects the CR, or (`role` on the pods) never makes any pod a replica.",
    docs: rule_docs!("reserved_label.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

const LABEL_FIELDS: &[&[&str]] = &[
    &["labels"],
    &["podMetadata", "labels"],
    &["ownedObjectsMetadata", "labels"],
    &["serviceSpec", "labels"],
];

/// The fields the operator copies onto the pod template.
const POD_LABEL_FIELDS: &[&[&str]] = &[&["labels"], &["podMetadata", "labels"]];

impl Rule for ReservedLabel {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            for field in LABEL_FIELDS {
                let Some(entries) = cr.spec_at(field).and_then(|n| n.as_map()) else {
                    continue;
                };
                let on_pods = POD_LABEL_FIELDS.contains(field);
                for entry in entries {
                    let key = entry.key.key_text();
                    if on_pods && RUNTIME_POD_LABELS.contains(&key.as_str()) {
                        out.report(
                            &Target::key(cr.doc(), &entry.key, &entry.value),
                            format!("label `{key}` in `spec.{}` is copied onto every pod, where the operator keeps its own record of the master: a pod that already has a `role` is never made a replica, and the Service sends clients to every pod labelled `role: master`", field.join(".")),
                        )
                        .with_help("remove it (the operator accepts the CR, so nothing else reports it); label the pods with a key of your own");
                        continue;
                    }
                    if !RESERVED_LABELS.contains(&key.as_str()) {
                        continue;
                    }
                    out.report(
                        &Target::key(cr.doc(), &entry.key, &entry.value),
                        format!("label `{key}` in `spec.{}` is managed by the operator; it refuses the CR", field.join(".")),
                    )
                    .with_help("use another key; the operator sets `app`, `app.kubernetes.io/name`, `app.kubernetes.io/part-of` and the other `app.kubernetes.io/*` labels itself and selects pods by them");
                }
            }
        }
    }
}
