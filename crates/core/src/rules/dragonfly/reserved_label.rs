use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::operator::RESERVED_LABELS;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct ReservedLabel;

static META: RuleMeta = RuleMeta {
    code: "DF043",
    name: "reserved-label",
    severity: Severity::Error,
    summary:
        "A label key the operator manages itself is set in the CR; the operator rejects the CR.",
    docs: rule_docs!("reserved_label.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

const LABEL_FIELDS: &[&[&str]] = &[
    &["labels"],
    &["podMetadata", "labels"],
    &["ownedObjectsMetadata", "labels"],
    &["serviceSpec", "labels"],
];

impl Rule for ReservedLabel {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            for field in LABEL_FIELDS {
                let Some(entries) = cr.spec_at(field).and_then(|n| n.as_map()) else {
                    continue;
                };
                for entry in entries {
                    let key = entry.key.key_text();
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
