use super::support::{cr_acl, CrAcl};
use crate::acl::commands;
use crate::acl::eval::{command_index, EffectiveUser};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::facts::CrFacts;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct MemcachedDefaultUser;

static META: RuleMeta = RuleMeta {
    code: "DF402",
    name: "memcached-default-user",
    severity: Severity::Error,
    summary: "The memcached port is enabled while the ACL's `default` user still has permissions: memcache clients never authenticate and get them.",
    docs: rule_docs!("memcached_default_user.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::AclSecret]),
};

use crate::netpol::privilege::MEMCACHE_COMMANDS;

/// Where the memcached listener is turned on: `spec.memcachedPort` (the operator's flag comes
/// after `spec.args` and wins), else `--memcached_port` / `DFLY_memcached_port`.
fn memcached_port(cr: &CrFacts) -> Option<(u64, &Target)> {
    // `memcachedPort: 0` is the field's zero value: the operator adds no flag for it.
    if let Some((value, at)) = cr.memcached_port_field() {
        if let Some(port) = value.filter(|p| *p > 0) {
            return Some((port as u64, at));
        }
    }
    let (value, target) = cr.setting("memcached_port")?;
    let port: u64 = value?.trim().parse().ok()?;
    (port > 0).then_some((port, target))
}

impl Rule for MemcachedDefaultUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for (index, cr) in bundle.crs.iter().enumerate() {
            let Some((port, target)) = memcached_port(cr) else {
                continue;
            };
            let builtin;
            let (user, acl, why) = match cr_acl(bundle, index) {
                // The server's own `default` (`nopass +@all`); `requirepass` does not matter,
                // memcache connections never authenticate.
                CrAcl::None => {
                    builtin = EffectiveUser::builtin_default(bundle.config.acl.dialect);
                    (
                        &builtin,
                        None,
                        format!(
                            "{} has no ACL, so `default` is the built-in user with every command",
                            cr.display_name()
                        ),
                    )
                }
                CrAcl::Unknown => continue,
                CrAcl::Found(acl) if acl.file.rejected() => {
                    builtin = EffectiveUser::builtin_default(acl.file.dialect);
                    (&builtin, None, format!("{} is rejected, and Dragonfly then starts with the built-in `default` user, which has every command", acl.describe()))
                }
                CrAcl::Found(acl) => {
                    let Some(user) = acl.users.iter().find(|u| u.name == "default") else {
                        continue;
                    };
                    let why = if user.implicit {
                        format!("{} has no `user default` line, so `default` is the built-in user with every command", acl.describe())
                    } else if !user.enabled {
                        format!(
                            "`default` in {} is `off`, which memcache connections ignore",
                            acl.describe()
                        )
                    } else {
                        format!("`default` in {} keeps these permissions", acl.describe())
                    };
                    (user, Some(acl), why)
                }
            };
            let dialect = acl.map_or(bundle.config.acl.dialect, |a| a.file.dialect);
            let allowed: Vec<String> = MEMCACHE_COMMANDS
                .iter()
                .filter_map(|name| commands::lookup(dialect, name))
                .filter(|c| {
                    let index = command_index(dialect, c);
                    user.permission_sets().any(|p| p.allows(index))
                })
                .map(|c| c.name.to_ascii_uppercase())
                .collect();
            if allowed.is_empty() {
                continue;
            }
            let related = acl
                .filter(|_| !user.implicit)
                .map(|a| out.related(&a.user_target(user), "the `default` user"));
            let diagnostic = out.report(
                target,
                format!(
                    "the memcached port {port} of {} never asks for a password: every connection runs as `default` and may use {} ({why})",
                    cr.display_name(),
                    allowed.join(", ")
                ),
            );
            if let Some(related) = related {
                diagnostic.with_related(related);
            }
            diagnostic.with_help("drop the memcached port if nothing uses it; otherwise give `default` only the commands and key patterns memcache clients need, and keep the port away from untrusted pods");
        }
    }
}
