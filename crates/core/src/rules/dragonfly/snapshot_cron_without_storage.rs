use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct SnapshotCronWithoutStorage;

static META: RuleMeta = RuleMeta {
    code: "DF050",
    name: "snapshot-cron-without-storage",
    severity: Severity::Error,
    summary: "`snapshot.cron` is set without a PVC spec, an existing PVC or `snapshot.dir`; the operator rejects it.",
    docs: rule_docs!("snapshot_cron_without_storage.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for SnapshotCronWithoutStorage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let Some(cron) = cr.spec_at(&["snapshot", "cron"]) else {
                continue;
            };
            let has_storage = [
                "persistentVolumeClaimSpec",
                "existingPersistentVolumeClaimName",
                "dir",
            ]
            .iter()
            .any(|field| {
                cr.spec_at(&["snapshot", field])
                    .is_some_and(|n| !n.is_null())
            });
            if has_storage {
                continue;
            }
            let diagnostic = out.report(
                &cr.target(cron),
                format!("{} schedules snapshots but gives them nowhere to go: the operator refuses a `snapshot.cron` without storage", cr.name()),
            );
            let help = if cr.command_line.last_use("dir").is_some() {
                "move the directory from `--dir` in `spec.args` to `spec.snapshot.dir` (an `s3://bucket` works there), or add `snapshot.persistentVolumeClaimSpec`"
            } else {
                "add `snapshot.persistentVolumeClaimSpec`, `snapshot.existingPersistentVolumeClaimName` or `snapshot.dir` (e.g. `s3://bucket`)"
            };
            diagnostic.with_help(help);
        }
    }
}
