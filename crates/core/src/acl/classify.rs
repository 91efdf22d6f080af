//! Which users and commands an ACL review treats specially: admin accounts by name, the
//! `@dangerous`/`@admin` commands, and the commands whose keys are never matched against key
//! patterns. Shared by the ACL rules and `acl diff`, so both judge alike.

use super::commands::{self, Command, Dialect};
use super::eval::EffectiveUser;

/// Words that name an admin account, as the whole user name or one of its `_`/`-`/`.`/`:`/`@`
/// separated parts (`admin`, `redis_admin`, `ops-root`); a part ending in `admin` counts too
/// (`dfadmin`, `superadmin`).
const ADMIN_NAME_WORDS: &[&str] = &["admin", "administrator", "root", "superuser", "sysadmin"];

/// Whether a user name says the account is an admin one.
pub fn name_says_admin(name: &str) -> bool {
    // Compared without case instead of lower-casing a copy: several rules ask for every user.
    name.split(['_', '-', '.', ':', '@']).any(|part| {
        ADMIN_NAME_WORDS
            .iter()
            .any(|word| part.eq_ignore_ascii_case(word))
            || part
                .len()
                .checked_sub(5)
                .is_some_and(|start| part.as_bytes()[start..].eq_ignore_ascii_case(b"admin"))
    })
}

/// Whether the user's own permissions allow every command on every key.
pub fn has_full_access(dialect: Dialect, user: &EffectiveUser) -> bool {
    let allowed: usize = user
        .root
        .allowed
        .words()
        .iter()
        .map(|w| w.count_ones() as usize)
        .sum();
    user.root.all_keys.is_some() && allowed == commands::all(dialect).len()
}

pub fn category_bit(dialect: Dialect, name: &str) -> u64 {
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

/// Dragonfly commands that the key facts below would include but that touch no tenant data:
/// cluster topology, search-module settings and debugging, synonym groups.
const NOT_TENANT_DATA: &[&str] = &[
    "cluster",
    "ft.config",
    "ft._debug",
    "ft.syndump",
    "ft.synupdate",
];

/// Commands that reach keys but whose keys the server never matches against `~patterns`,
/// derived from the command table's key facts rather than listed by hand:
///
/// * Dragonfly: a command that reads, writes or names keys (`READONLY`, `JOURNALED`, a first
///   key, or a search command that spans every shard) whose keys are not checked — the table
///   says so (`first_key == 0`: KEYS, SCAN, DBSIZE, RM, MEMORY USAGE, XINFO STREAM … FULL,
///   JSON.DEBUG, FT.SEARCH…; or not read-only/journaled: WATCH), or `DetermineKeys` extracts
///   none (`GLOBAL_TRANS`/`NO_KEY_TRANSACTIONAL`: MOVE, FLUSHDB, FLUSHALL, FT.CREATE…).
///   Scripts are left out: each call inside a script is checked. Connection commands and
///   [`NOT_TENANT_DATA`] are left out too.
/// * Redis: a `@keyspace` command with no key specs (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB,
///   FLUSHALL, SWAPDB), help subcommands aside.
pub fn keys_unchecked(dialect: Dialect) -> Vec<(usize, &'static Command)> {
    let bit = |name: &str| category_bit(dialect, name);
    let (scripting, connection, keyspace) = (bit("scripting"), bit("connection"), bit("keyspace"));
    commands::all(dialect)
        .iter()
        .enumerate()
        .filter(|(_, c)| match dialect {
            Dialect::Dragonfly => {
                let no_keys_extracted =
                    c.has_flag("global_trans") || c.has_flag("no_key_transactional");
                let touches_keys =
                    c.readonly || c.write || c.first_key > 0 || c.has_flag("no_key_transactional");
                touches_keys
                    && (!c.key_acl_checked || no_keys_extracted)
                    && c.categories & (scripting | connection) == 0
                    && !NOT_TENANT_DATA.contains(&c.name)
            }
            Dialect::Redis => {
                c.categories & keyspace != 0 && !c.key_acl_checked && !c.name.ends_with("|help")
            }
        })
        .collect()
}

/// Redis subcommands that `-@dangerous` leaves in place although they act on everyone: they
/// flush or kill every tenant's scripts and functions, list every channel, or report on and
/// purge the whole server's memory. (CLIENT KILL, CLIENT LIST, CLIENT PAUSE and the like are
/// `@dangerous` in Redis; the CLIENT subcommands left outside act on the caller's own
/// connection.) Checked against redis-server 7.0.15's `COMMAND INFO`.
pub const REDIS_RISKY_NOT_DANGEROUS: &[&str] = &[
    "script|flush",
    "script|kill",
    "function|flush",
    "function|delete",
    "function|restore",
    "function|kill",
    "pubsub|channels",
    "pubsub|numsub",
    "pubsub|numpat",
    "pubsub|shardchannels",
    "pubsub|shardnumsub",
    "memory|purge",
    "memory|doctor",
    "memory|stats",
    "memory|malloc-stats",
];

pub fn commands_named(
    dialect: Dialect,
    names: &'static [&'static str],
) -> impl Iterator<Item = &'static Command> {
    names
        .iter()
        .filter_map(move |n| commands::lookup(dialect, n))
}
