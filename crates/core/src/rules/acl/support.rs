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

/// The categories `@dangerous` and `@admin`, as a [`commands::CategorySet`]. Looking the names
/// up is a scan of the category table: rules take the mask once, not once per command.
pub fn dangerous_categories(dialect: Dialect) -> commands::CategorySet {
    category_bit(dialect, "dangerous") | category_bit(dialect, "admin")
}

/// The commands in `@dangerous` or `@admin`, as a bitset over [`commands::all`] (the layout of
/// [`crate::acl::eval::CommandSet::words`]), from the generated per-category bitsets.
pub fn dangerous_command_words(dialect: Dialect) -> Vec<u64> {
    let mut words = vec![0u64; commands::all(dialect).len().div_ceil(64)];
    let mask = dangerous_categories(dialect);
    for bit in (0..64u8).filter(|b| mask & (1u64 << b) != 0) {
        for (word, member) in words.iter_mut().zip(commands::category_words(dialect, bit)) {
            *word |= member;
        }
    }
    words
}

/// Whether a command is in [`dangerous_categories`].
pub fn is_dangerous(dangerous: commands::CategorySet, command: &Command) -> bool {
    command.categories & dangerous != 0
}

/// The table entries and indexes of the named commands the dialect has, in list order.
pub fn indexed_commands(
    dialect: Dialect,
    names: &'static [&'static str],
) -> Vec<(usize, &'static Command)> {
    commands_named(dialect, names)
        .map(|c| (crate::acl::eval::command_index(dialect, c), c))
        .collect()
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

/// A pattern one user was granted.
pub struct Granted<'a> {
    pub user: usize,
    pub pattern: &'a [u8],
    pub token: crate::acl::eval::TokenRef,
}

/// Most pairs of overlapping patterns reported for one ACL text.
pub const MAX_OVERLAP_FINDINGS: usize = 200;
/// Most exact intersection checks for one ACL text (keeps 100,000-user files bounded).
const MAX_INTERSECTION_CHECKS: usize = 2_000_000;

fn literal_prefix(pattern: &[u8]) -> &[u8] {
    let end = pattern
        .iter()
        .position(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
        .unwrap_or(pattern.len());
    &pattern[..end]
}

/// Pairs of patterns of different users that match a common string, with an example string.
/// Two globs can only intersect when one's literal prefix is a prefix of the other's, so
/// candidates come from ranges of the patterns sorted by literal prefix instead of all pairs.
pub fn overlapping_pairs<'a>(
    granted: &'a [Granted<'a>],
) -> Vec<(&'a Granted<'a>, &'a Granted<'a>, Vec<u8>)> {
    let mut order: Vec<usize> = (0..granted.len()).collect();
    order.sort_by(|&a, &b| {
        literal_prefix(granted[a].pattern).cmp(literal_prefix(granted[b].pattern))
    });
    let prefixes: Vec<&[u8]> = order
        .iter()
        .map(|&i| literal_prefix(granted[i].pattern))
        .collect();
    let mut found = Vec::new();
    let mut seen_users = std::collections::HashSet::new();
    let mut checks = 0usize;
    for (position, &i) in order.iter().enumerate() {
        let prefix = prefixes[position];
        // Everything after this one in sorted order whose prefix starts with this prefix.
        for (offset, &j) in order[position + 1..].iter().enumerate() {
            if !prefixes[position + 1 + offset].starts_with(prefix) {
                break;
            }
            let (a, b) = (&granted[i], &granted[j]);
            if a.user == b.user {
                continue;
            }
            let pair = (a.user.min(b.user), a.user.max(b.user));
            if seen_users.contains(&pair) {
                continue;
            }
            checks += 1;
            if checks > MAX_INTERSECTION_CHECKS {
                return found;
            }
            if let Some(witness) = crate::acl::glob::witness(a.pattern, b.pattern) {
                seen_users.insert(pair);
                let (first, second) = if a.user < b.user { (a, b) } else { (b, a) };
                found.push((first, second, witness));
                if found.len() >= MAX_OVERLAP_FINDINGS {
                    return found;
                }
            }
        }
    }
    found.sort_by_key(|(a, b, _)| (a.user, b.user));
    found
}
