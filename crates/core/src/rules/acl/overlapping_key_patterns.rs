use super::support::{
    is_tenant, keyspace, more_pairs_message, namespace_note, overlapping_pairs,
    split_reported_pairs, Granted,
};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OverlappingKeyPatterns;

static META: RuleMeta = RuleMeta {
    code: "DF212",
    name: "acl-overlapping-key-patterns",
    severity: Severity::Warning,
    summary: "Two non-admin users have key patterns that match a common key, so their key spaces are not isolated.",
    docs: rule_docs!("overlapping_key_patterns.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for OverlappingKeyPatterns {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let granted: Vec<Granted<'_>> = acl
                .users
                .iter()
                .enumerate()
                .filter(|(_, u)| u.enabled && is_tenant(bundle, u) && u.root.all_keys.is_none())
                .flat_map(|(i, u)| {
                    u.root.keys.iter().map(move |k| Granted {
                        user: i,
                        pattern: &k.pattern,
                        token: k.token,
                    })
                })
                .collect();
            // Patterns only meet within one keyspace: users in different namespaces never see
            // each other's keys. One pass groups the grants by namespace.
            let mut by_space: std::collections::BTreeMap<&str, Vec<Granted<'_>>> =
                std::collections::BTreeMap::new();
            for grant in granted {
                by_space
                    .entry(keyspace(&acl.users[grant.user]))
                    .or_default()
                    .push(grant);
            }
            // One pair past the limit, to know whether there are more and where.
            let max = bundle.config.limits.max_acl_overlap_pairs;
            let pairs = by_space
                .values()
                .flat_map(|grants| overlapping_pairs(grants, max.saturating_add(1)))
                .take(max.saturating_add(1))
                .collect();
            let (pairs, beyond) = split_reported_pairs(pairs, max);
            for (a, b, witness) in pairs {
                let (ua, ub) = (&acl.users[a.user], &acl.users[b.user]);
                let related = out.related(
                    &acl.token_target(a.token),
                    format!("`{}`'s pattern", ua.name),
                );
                out.report(
                    &acl.token_target(b.token),
                    format!(
                        "key patterns of `{}` and `{}`{} overlap (both match `{}`): the tenants can read or overwrite each other's keys",
                        ua.name,
                        ub.name,
                        namespace_note(ua),
                        String::from_utf8_lossy(&witness)
                    ),
                )
                .with_related(related)
                .with_help("give every tenant its own prefix that no other tenant's pattern can match (e.g. `~tenant-a:*` and `~tenant-b:*`)");
            }
            if let Some((_, b, _)) = beyond {
                out.report(
                    &acl.token_target(b.token),
                    more_pairs_message("key patterns", max),
                );
            }
        }
    }
}
