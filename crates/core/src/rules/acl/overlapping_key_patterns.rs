use super::support::is_tenant;
use crate::acl::glob;
use crate::diagnostic::Severity;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OverlappingKeyPatterns;

static META: RuleMeta = RuleMeta {
    code: "DF212",
    name: "acl-overlapping-key-patterns",
    severity: Severity::Warning,
    summary: "Two non-admin users have key patterns that match a common key, so their key spaces are not isolated.",
    docs: include_str!("overlapping_key_patterns.md"),
};

impl Rule for OverlappingKeyPatterns {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let tenants: Vec<_> = acl
                .users
                .iter()
                .filter(|u| u.enabled && is_tenant(bundle, u) && u.root.all_keys.is_none())
                .collect();
            for (i, a) in tenants.iter().enumerate() {
                for b in &tenants[i + 1..] {
                    // One finding per pair of users: the first overlapping pair of patterns.
                    let overlap = b.root.keys.iter().find_map(|kb| {
                        a.root.keys.iter().find_map(|ka| {
                            glob::witness(&ka.pattern, &kb.pattern).map(|w| (ka, kb, w))
                        })
                    });
                    let Some((ka, kb, witness)) = overlap else {
                        continue;
                    };
                    let related = out.related(
                        &acl.token_target(ka.token),
                        format!("`{}`'s pattern", a.name),
                    );
                    out.report(
                        &acl.token_target(kb.token),
                        format!(
                            "key patterns of `{}` and `{}` overlap (both match `{}`): the tenants can read or overwrite each other's keys",
                            a.name,
                            b.name,
                            String::from_utf8_lossy(&witness)
                        ),
                    )
                    .with_related(related)
                    .with_help("give every tenant its own prefix that no other tenant's pattern can match (e.g. `~tenant-a:*` and `~tenant-b:*`)");
                }
            }
        }
    }
}
