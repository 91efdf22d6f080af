use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PdbMinAndMax;

static META: RuleMeta = RuleMeta {
    code: "DF044",
    name: "pdb-min-and-max",
    severity: Severity::Error,
    summary:
        "`pdb.minAvailable` and `pdb.maxUnavailable` are both set; the API server rejects the CR.",
    docs: rule_docs!("pdb_min_and_max.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for PdbMinAndMax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in bundle.dragonflies.iter().filter(|cr| cr.is_operator()) {
            let (Some(min), Some(max)) = (
                cr.spec_at(&["pdb", "minAvailable"]),
                cr.spec_at(&["pdb", "maxUnavailable"]),
            ) else {
                continue;
            };
            let related = out.related(&cr.target(max), "maxUnavailable");
            out.report(
                &cr.target(min),
                format!(
                    "{} sets both `pdb.minAvailable` and `pdb.maxUnavailable`",
                    cr.name()
                ),
            )
            .with_related(related)
            .with_help("keep one of them; without either the operator uses `maxUnavailable: 1`");
        }
    }
}
