//! What the ACL rules share: who counts as a tenant, which commands are dangerous.

use crate::acl::commands::{self, Command, Dialect};
use crate::acl::eval::EffectiveUser;
use crate::lint::Bundle;

/// A user that is not an admin: neither in the configured list (default: `default`) nor an
/// inferred admin ([`inferred_admin`]).
pub fn is_tenant(bundle: &Bundle<'_>, user: &EffectiveUser) -> bool {
    !bundle.is_acl_admin(&user.name) && !inferred_admin(bundle, user)
}

/// The keyspace a user works in: its Dragonfly `NAMESPACE:` (upper-cased by the server), or
/// "" for the default one. Keys, KEYS and SCAN see only the user's own namespace.
pub fn keyspace(user: &EffectiveUser) -> &str {
    user.namespace.as_deref().unwrap_or("")
}

/// Whether another enabled tenant works in the same keyspace as `user`.
pub fn shares_keyspace(bundle: &Bundle<'_>, users: &[EffectiveUser], user: &EffectiveUser) -> bool {
    users.iter().any(|other| {
        other.name != user.name
            && other.enabled
            && keyspace(other) == keyspace(user)
            && is_tenant(bundle, other)
    })
}

/// ", in namespace `X` (experimental, see DF219)" for a user in a namespace, else "".
pub fn namespace_note(user: &EffectiveUser) -> String {
    match keyspace(user) {
        "" => String::new(),
        ns => format!(" in namespace `{ns}` (namespaces are experimental in Dragonfly, see DF219)"),
    }
}

/// Words that name an admin account, as the whole user name or one of its `_`/`-`/`.`/`:`/`@`
/// separated parts (`admin`, `redis_admin`, `ops-root`); a part ending in `admin` counts too
/// (`dfadmin`, `superadmin`).
const ADMIN_NAME_WORDS: &[&str] = &["admin", "administrator", "root", "superuser", "sysadmin"];

/// Whether a user name says the account is an admin one.
pub fn name_says_admin(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['_', '-', '.', ':', '@'])
        .any(|part| ADMIN_NAME_WORDS.contains(&part) || part.ends_with("admin"))
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

/// An admin by unambiguous intent: inference is on (no admin list was given explicitly), the
/// name says admin, and the user holds every command on every key. Real ACL files name their
/// admin accounts `admin`, `redis_admin`, `root`…; reporting them as tenants with dangerous
/// commands was most of the false findings on published files.
pub fn inferred_admin(bundle: &Bundle<'_>, user: &EffectiveUser) -> bool {
    bundle.config.infer_acl_admins
        && !user.implicit
        && !bundle.is_acl_admin(&user.name)
        && name_says_admin(&user.name)
        && has_full_access(bundle.config.acl_dialect, user)
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

/// The secret part of a password token (`>secret`, `#hash`), without its sigil.
pub fn password_text(token: &str) -> Option<&str> {
    token.strip_prefix('>').or_else(|| token.strip_prefix('#'))
}

/// Whether a password is a template placeholder rather than a secret: `${VAR}`,
/// `${VAR:=default}` (Flux), `$VAR`, `{{ .Values.x }}` (Helm), `%{x}`, `<password>`,
/// `__X__`, and the usual stand-in words (`CHANGEME`, `*_PLACEHOLDER`, `REPLACE_ME`…).
pub fn is_placeholder(password: &str) -> bool {
    let upper = password.to_ascii_uppercase();
    let variable = password.strip_prefix('$').is_some_and(|rest| {
        rest.starts_with('{')
            || rest
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
                && rest
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    });
    variable
        || password.contains("{{")
        || password.starts_with("%{")
        || (password.starts_with('<') && password.ends_with('>') && password.len() > 2)
        || (password.starts_with("__") && password.ends_with("__") && password.len() > 4)
        || upper.contains("PLACEHOLDER")
        || [
            "CHANGEME",
            "CHANGE_ME",
            "CHANGE-ME",
            "REPLACEME",
            "REPLACE_ME",
            "REPLACE-ME",
        ]
        .iter()
        .any(|w| upper.contains(w))
        || [
            "YOUR_PASSWORD",
            "YOURPASSWORD",
            "PASSWORD_HERE",
            "<PASSWORD>",
        ]
        .iter()
        .any(|w| upper.contains(w))
}

/// Passwords people actually use, lower-case. Short on purpose: these are the ones found in
/// published ACL files and the top of every leaked-password list.
pub const COMMON_PASSWORDS: &[&str] = &[
    "",
    "password",
    "passw0rd",
    "password1",
    "pass",
    "secret",
    "admin",
    "administrator",
    "root",
    "default",
    "redis",
    "dragonfly",
    "dragonflydb",
    "valkey",
    "test",
    "testing",
    "guest",
    "user",
    "qwerty",
    "qwerty123",
    "letmein",
    "welcome",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "111111",
    "000000",
    "abc123",
    "foobar",
    "monkey",
    "dragon",
    "iloveyou",
    "changeme",
    "example",
    "demo",
    "sample",
    "p@ssw0rd",
    "p@ssword",
    "secret123",
    "admin123",
    "redis123",
    "mypassword",
    "superuser",
];

/// Below this many characters a password is trivially short (Redis' `ACL GENPASS` gives 64
/// hex characters; 8 is the floor every password policy uses).
pub const SHORT_PASSWORD: usize = 8;

/// Why a password is trivial, if it is: short, common, or the user's own name. For `#hash`
/// tokens only the common passwords and the user name can be recognised (by their SHA-256).
/// Never returns the password itself.
pub fn trivial_password(token: &str, user: &str) -> Option<&'static str> {
    use sha2::{Digest, Sha256};
    if let Some(password) = token.strip_prefix('>') {
        let lower = password.to_ascii_lowercase();
        if password.is_empty() {
            return Some("is empty");
        }
        if lower == user.to_ascii_lowercase() {
            return Some("is the user name");
        }
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Some("is one of the most common passwords");
        }
        if password.chars().count() < SHORT_PASSWORD {
            return Some("has fewer than 8 characters");
        }
        return None;
    }
    let hash = token.strip_prefix('#')?.to_ascii_lowercase();
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let digest = |text: &str| hex(&Sha256::digest(text.as_bytes()));
    if hash == digest(user) {
        return Some("is the SHA-256 of the user name");
    }
    if COMMON_PASSWORDS.iter().any(|p| hash == digest(p)) {
        return Some("is the SHA-256 of one of the most common passwords");
    }
    None
}
