use super::support::{
    is_tenant, more_pairs_message, overlapping_pairs, split_reported_pairs, Granted,
};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OverlappingChannels;

static META: RuleMeta = RuleMeta {
    code: "DF215",
    name: "acl-tenant-channels",
    severity: Severity::Warning,
    summary:
        "A non-admin user may use every pub/sub channel, or two tenants' channel patterns overlap.",
    docs: rule_docs!("overlapping_channels.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for OverlappingChannels {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let tenants: Vec<_> = acl
                .users
                .iter()
                .filter(|u| u.enabled && is_tenant(bundle, u))
                .collect();
            for user in &tenants {
                if let Some(token) = user.root.all_channels {
                    out.report(
                        &acl.token_target(token),
                        format!(
                            "non-admin user `{}` may publish and subscribe on every channel (`{}`)",
                            user.name,
                            acl.token_text(token)
                        ),
                    )
                    .with_help("list the tenant's own channels, e.g. `&<tenant>:*`");
                }
            }
            let granted: Vec<Granted<'_>> = acl
                .users
                .iter()
                .enumerate()
                .filter(|(_, u)| u.enabled && is_tenant(bundle, u))
                .flat_map(|(i, u)| {
                    u.root.channels.iter().map(move |c| Granted {
                        user: i,
                        pattern: &c.pattern,
                        token: c.token,
                    })
                })
                .collect();
            let max = bundle.config.limits.max_acl_overlap_pairs;
            let (pairs, beyond) =
                split_reported_pairs(overlapping_pairs(&granted, max.saturating_add(1)), max);
            for (a, b, witness) in pairs {
                let (ua, ub) = (&acl.users[a.user], &acl.users[b.user]);
                let related = out.related(
                    &acl.token_target(a.token),
                    format!("`{}`'s channel pattern", ua.name),
                );
                out.report(
                    &acl.token_target(b.token),
                    format!(
                        "channel patterns of `{}` and `{}` overlap (both match `{}`): one tenant can read or inject the other's messages",
                        ua.name,
                        ub.name,
                        String::from_utf8_lossy(&witness)
                    ),
                )
                .with_related(related);
            }
            if let Some((_, b, _)) = beyond {
                out.report(
                    &acl.token_target(b.token),
                    more_pairs_message("channel patterns", max),
                );
            }
        }
    }
}
