use super::support::is_tenant;
use crate::acl::glob;
use crate::diagnostic::Severity;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OverlappingChannels;

static META: RuleMeta = RuleMeta {
    code: "DF215",
    name: "acl-tenant-channels",
    severity: Severity::Warning,
    summary:
        "A non-admin user may use every pub/sub channel, or two tenants' channel patterns overlap.",
    docs: include_str!("overlapping_channels.md"),
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
            for (i, a) in tenants.iter().enumerate() {
                for b in &tenants[i + 1..] {
                    let overlap = b.root.channels.iter().find_map(|cb| {
                        a.root.channels.iter().find_map(|ca| {
                            glob::witness(&ca.pattern, &cb.pattern).map(|w| (ca, cb, w))
                        })
                    });
                    let Some((ca, cb, witness)) = overlap else {
                        continue;
                    };
                    let related = out.related(
                        &acl.token_target(ca.token),
                        format!("`{}`'s channel pattern", a.name),
                    );
                    out.report(
                        &acl.token_target(cb.token),
                        format!(
                            "channel patterns of `{}` and `{}` overlap (both match `{}`): one tenant can read or inject the other's messages",
                            a.name,
                            b.name,
                            String::from_utf8_lossy(&witness)
                        ),
                    )
                    .with_related(related);
                }
            }
        }
    }
}
