use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct SnapshotPvcConflict;

static META: RuleMeta = RuleMeta {
    code: "DF051",
    name: "snapshot-pvc-conflict",
    severity: Severity::Error,
    summary: "`snapshot.persistentVolumeClaimSpec` and `snapshot.existingPersistentVolumeClaimName` are both set.",
    docs: rule_docs!("snapshot_pvc_conflict.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for SnapshotPvcConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let (Some(spec), Some(existing)) = (
                cr.spec_at(&["snapshot", "persistentVolumeClaimSpec"]),
                cr.spec_at(&["snapshot", "existingPersistentVolumeClaimName"]),
            ) else {
                continue;
            };
            let related = out.related(&cr.target(spec), "the PVC template");
            out.report(
                &cr.target(existing),
                format!("{} gives both a PVC template and an existing PVC for snapshots; the operator refuses the CR", cr.name()),
            )
            .with_related(related)
            .with_help("keep one: a template creates a volume per pod, an existing claim is shared");
        }
    }
}
