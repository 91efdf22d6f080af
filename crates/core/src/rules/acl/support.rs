//! What the ACL rules share: who counts as a tenant, which commands are dangerous.

use crate::acl::commands::{self, Command, Dialect};
use crate::acl::eval::EffectiveUser;
use crate::lint::Bundle;

/// A user that is not an admin (admins come from the configuration; default: `default`).
pub fn is_tenant(bundle: &Bundle<'_>, user: &EffectiveUser) -> bool {
    !bundle.is_acl_admin(&user.name)
}

fn category_bit(dialect: Dialect, name: &str) -> u64 {
    commands::category(dialect, name).map_or(0, |c| 1u64 << c.bit)
}

/// `@dangerous` or `@admin`.
pub fn is_dangerous(dialect: Dialect, command: &Command) -> bool {
    command.categories & (category_bit(dialect, "dangerous") | category_bit(dialect, "admin")) != 0
}

/// Commands that `-@dangerous` leaves in place on Dragonfly although they can hurt other
/// tenants or the server: connection control, scripts, replication control, introspection.
pub const RISKY_NOT_DANGEROUS: &[&str] = &[
    "client",
    "script",
    "dfly",
    "dflycluster",
    "function",
    "memory",
    "ft.config",
    "pubsub",
    "shrink",
    "cluster",
];

/// Commands that ignore key patterns and see or delete keys of every tenant.
pub const KEYLESS_CROSS_TENANT: &[&str] = &[
    "keys",
    "scan",
    "randomkey",
    "dbsize",
    "rm",
    "flushdb",
    "flushall",
    "ft.search",
    "ft.aggregate",
    "ft._list",
];

pub fn commands_named(
    dialect: Dialect,
    names: &'static [&'static str],
) -> impl Iterator<Item = &'static Command> {
    names
        .iter()
        .filter_map(move |n| commands::lookup(dialect, n))
}
