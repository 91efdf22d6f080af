//! The command tables of the ACL engine, for two dialects: every command (and Redis
//! subcommand) with its ACL categories, arity, key positions and read/write nature, plus the
//! server-exact extraction of the keys of a concrete invocation ([`keys_of`]).
//!
//! The tables are static arrays generated at build time (`build.rs`) from
//! `data/dragonfly-commands.tsv` + `data/dragonfly-categories.tsv` (written by
//! `scripts/gen-commands.py` from the Dragonfly v1.40.1 registry extraction) and
//! `data/redis-commands.tsv` + `data/redis-categories.tsv` (written by
//! `scripts/gen-redis-commands.py` from `COMMAND INFO` / `ACL CAT` of a real `redis-server`,
//! see [`REDIS_VERSION`]). Nothing is parsed at run time; the module does no I/O.
//!
//! # Names
//!
//! Names are lower-case. Dragonfly registers the ACL subcommands as commands of their own
//! whose name contains a space (`"acl setuser"`, parent `"acl"`); no other Dragonfly
//! subcommand is a registry entry (`CONFIG GET` is just `config`). Redis subcommands are
//! named `container|sub` (`"config|get"`, parent `"config"`) and carry their own flags,
//! categories and key specs. Category names are lower-case without `@`. The `all`
//! pseudo-category (`+@all`, `allcommands`) is not a table entry: it matches every command,
//! including Dragonfly's `RANDOMKEY`, which is in no category.
//!
//! # Key step (Dragonfly)
//!
//! The Dragonfly reference extraction has no key step. Dragonfly derives it from the name in
//! the `CommandId` constructor (`src/server/command_registry.cc`, `interleave_step_`):
//! 2 for `MSET`/`MSETNX` (key value pairs, as Redis' own MSET spec `range:-1:2:0`), 3 for
//! `JSON.MSET` (key path value triples), 1 otherwise; `COMMAND` reports the same step.
//!
//! # Key permissions: Redis
//!
//! Verified against the Redis sources (`src/acl.c`, `src/db.c`, 7.0 branch):
//!
//! * `ACLSelectorCheckCmd` checks keys only when the selector lacks `allkeys` and
//!   `doesCommandHaveKeys(cmd)` (a getkeys procedure or a key spec not flagged `NOT_KEY`;
//!   mirrored in [`Command::key_acl_checked`]). The keys come from
//!   `getKeysFromCommandWithSpecs(cmd, argv, argc, GET_KEYSPEC_DEFAULT, …)`: the key specs are
//!   used when at least one spec is a real key and no spec has `VARIABLE_FLAGS`; if a spec
//!   fails (`INCOMPLETE`, `unknown` begin/find, unparsable or out-of-range `numkeys`, keys
//!   beyond `argc`) the command's native getkeys procedure is used instead (`sortGetKeys`,
//!   `sortROGetKeys`, `migrateGetKeys`, `setGetKeys`, `bitfieldGetKeys`, `evalGetKeys`, …,
//!   reimplemented here); without one, the command has no keys. A keyword spec whose keyword is
//!   absent contributes nothing (that is not a failure). [`keys_of`] reproduces all of this.
//! * `ACLSelectorCheckKey` turns the *logical* flags of each extracted key into the required
//!   permission: `ACCESS` → read, `INSERT`/`DELETE`/`UPDATE` → write (`RO`/`RW`/`OW`/`RM` are
//!   not consulted). A key is allowed when **one** pattern has all required permissions and its
//!   glob matches (`stringmatchlen`, case-sensitive). `~p` grants read+write, `%R~p` read,
//!   `%W~p` write, `%RW~p` both. Keys whose flags carry none of the four logical flags (the flag
//!   is 0 for keys from `georadiusGetKeys`, `xreadGetKeys` and `genericGetKeys`, which only run
//!   when the specs failed) only need a matching glob. See [`required_key_permissions`].
//!   SET is `RW ACCESS UPDATE VARIABLE_FLAGS`, so `setGetKeys` decides: `OW UPDATE` (write only)
//!   without the `GET` option, `RW ACCESS UPDATE` (read and write) with it. BITFIELD is
//!   `RO ACCESS` with only GET operations, else `RW ACCESS UPDATE`. SORT/SORT_RO have
//!   `unknown` specs (BY/GET patterns, STORE anywhere), so `sortGetKeys` gives the sort key
//!   `RO ACCESS` and the key after the **last** `STORE` (skipping `LIMIT o c`, `GET p`, `BY p`)
//!   `OW UPDATE`; keys named by BY/GET patterns are never checked at dispatch.
//! * Channels (`ACLSelectorCheckCmd` → `ACLDoesCommandHaveChannels` /
//!   `ACLSelectorCheckPubsubArguments` in 7.0; `doesCommandHaveChannelsWithFlags` /
//!   `getChannelsFromCommand` with the `commands_with_channels[]` table in 7.2+, same result):
//!   unless the selector has `allchannels`, `PUBLISH`/`SPUBLISH` check argv\[1\] only,
//!   `SUBSCRIBE`/`SSUBSCRIBE` check every argument from argv\[1\] by glob against the `&`
//!   patterns (`ACLCheckChannelAgainstList`, `stringmatchlen`), `PSUBSCRIBE` checks every
//!   pattern argument **literally** (`strcmp` with an `&` entry — `&news.*` allows
//!   `PSUBSCRIBE news.*` but not `PSUBSCRIBE news.a*`), and `UNSUBSCRIBE`, `SUNSUBSCRIBE`,
//!   `PUNSUBSCRIBE` are not checked (channel flag `UNSUBSCRIBE` is skipped). Channel arguments
//!   are not keys: SPUBLISH/SSUBSCRIBE/SUNSUBSCRIBE have only `NOT_KEY` specs, so
//!   [`keys_of`] returns nothing for them.
//! * A user with several selectors is allowed when any selector allows the whole command
//!   (`ACLCheckAllUserCommandPerm`); the key extraction is shared between selectors. When
//!   none does, the reported reason is the most specific one (channel > key > command); among
//!   selectors denying for the same key or channel reason, the one whose denied argument comes
//!   later in argv wins (`local_idxptr > last_idx`), else the first.
//! * A pattern given twice keeps one entry whose flags are ORed (`%R~a %W~a` is `~a`), and
//!   `+@cat`/`-@cat` applies `ACLChangeSelectorPerm` to every member: a container command in
//!   the category (all are implicitly `@slow`) changes all its subcommands, and each member's
//!   `+cmd|first-arg` grants are flushed (`+select|0 -@fast` denies `SELECT 0`).
//!
//! # Key permissions: Dragonfly
//!
//! From `src/server/acl/validator.cc` (`IsUserAllowedToInvokeCommandGeneric`) and
//! `src/server/transaction.cc` (`DetermineKeys`), see also the project's Dragonfly reference
//! report §3:
//!
//! * Keys are checked only when the user lacks `allkeys`, `first_key != 0` and the command is
//!   `READONLY` or `JOURNALED` ([`Command::key_acl_checked`]; EVAL, EVALSHA and WATCH have key
//!   arguments but are never checked). A key is allowed when some glob matches it whose
//!   operation fits: read commands need `~`/`%R~`/`%RW~`, write (journaled) commands need
//!   `~`/`%W~`/`%RW~`. [`keys_of`] reports these as `KEY_RO | KEY_ACCESS` (read) and
//!   `KEY_OW | KEY_UPDATE` (write), so [`required_key_permissions`] works for both dialects;
//!   keys of unchecked commands get flags 0. No command is both read-only and journaled.
//! * `DetermineKeys` (src/server/transaction.cc:1723-1853@v1.40.1, reproduced by
//!   [`try_keys_of`]): no keys for `GLOBAL_TRANS` and `NO_KEY_TRANSACTIONAL` commands — notably
//!   `MOVE` (`GLOBAL_TRANS`, first key 1), whose key is therefore never pattern-checked
//!   although its table entry says `key_acl_checked`; range `[first_key-1, last)` over the
//!   arguments after the name with the step above, where a negative last key counts from the
//!   end; `XREAD`/`XREADGROUP` walk `COUNT n`, `BLOCK ms` (and `NOACK` after `GROUP g c`) up to
//!   `STREAMS` and take the first half of what follows, anything else is a syntax error;
//!   other `VARIADIC_KEYS` commands read the key count from the argument just before the
//!   first key (index 1 for EVAL*, BLMPOP, BZMPOP and `*STORE`/`CMS.MERGE`, else 0) and
//!   names ending in `STORE` (and `CMS.MERGE`) add the destination (first argument) as an
//!   extra key, listed first; a count of 0 is refused for ZDIFF*, ZUNION*, ZINTER* and *MPOP.
//!   `STORE_LAST_KEY` commands add a trailing destination: `GEORADIUS`/`GEORADIUSBYMEMBER …
//!   STORE|STOREDIST k` and `SORT … STORE k`, when that option is the second-to-last argument.
//!   A failed extraction (syntax, bad or negative count, too few arguments) makes the
//!   validator **deny** the command (reason KEY); [`try_keys_of`] returns it as an error,
//!   [`keys_of`] as no keys.
//! * Channels (v1.40.1): `PUBLISH`/`SPUBLISH` check the channel, `SUBSCRIBE`/`SSUBSCRIBE`
//!   every channel by glob, `PSUBSCRIBE` requires string equality of each pattern with an `&`
//!   entry, the unsubscribe commands are not gated. (A newer upstream `validator.cc`,
//!   `IsPubSubCommandAuthorized`, also runs the unsubscribe variants through the same check.)

use std::cmp::Ordering;

/// The server whose ACL semantics apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Dragonfly,
    Redis,
}

/// An ACL category. `bit` indexes [`CategorySet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Category {
    /// Lower-case, without `@`.
    pub name: &'static str,
    pub bit: u8,
    /// Part of the Redis 7 category set (Dragonfly's `hyperlog` counts as Redis' `hyperloglog`).
    pub redis7_standard: bool,
}

/// Bit `i` is set when the command is in the category whose [`Category::bit`] is `i`.
pub type CategorySet = u64;

/// One command table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Command {
    /// Lower-case; Dragonfly ACL subcommands `"acl setuser"`, Redis subcommands `"config|get"`.
    pub name: &'static str,
    /// Redis subcommands: the container (`"config"`); Dragonfly `"acl setuser"`: `"acl"`.
    pub parent: Option<&'static str>,
    /// Positive: exact argument count including the name; negative: minimum count.
    pub arity: i32,
    pub categories: CategorySet,
    /// Redis `readonly` flag; Dragonfly `READONLY` option.
    pub readonly: bool,
    /// Redis `write` flag; Dragonfly `JOURNALED` option.
    pub write: bool,
    /// Redis: the `admin` command flag (implies `@admin @dangerous`; LASTSAVE and ROLE are
    /// `@admin` without it). Dragonfly: in `@admin` (`FT.CONFIG` has the `ADMIN` option but
    /// not the category — see [`Command::flags`] `opt_admin`).
    pub admin: bool,
    /// In `@dangerous` (both dialects).
    pub dangerous: bool,
    /// Publish/subscribe command (Redis `pubsub` flag; Dragonfly's eight (un)subscribe/publish
    /// commands).
    pub pubsub: bool,
    pub fast: bool,
    pub blocking: bool,
    pub noscript: bool,
    /// Redis `no_auth` (AUTH, HELLO, QUIT, RESET run without any permission).
    pub no_auth: bool,
    /// Redis `movablekeys`; Dragonfly `VARIADIC_KEYS`.
    pub movable_keys: bool,
    /// Legacy key range: first key argument (0: none), last (negative: from the end), step.
    pub first_key: i32,
    pub last_key: i32,
    pub key_step: i32,
    /// Redis key specs, in server order; empty for Dragonfly.
    pub key_specs: &'static [KeySpec],
    /// Whether the server checks the key arguments against key patterns at all. Redis:
    /// `doesCommandHaveKeys` (some key spec not `NOT_KEY`). Dragonfly: `first_key != 0` and
    /// (`readonly` or `write`).
    pub key_acl_checked: bool,
    /// Dragonfly: the CMake switch the command needs (`WITH_COLLECTION_CMDS`,
    /// `WITH_EXTENSION_CMDS`, `WITH_SEARCH`; all on by default).
    pub build_switch: Option<&'static str>,
    /// Every flag of the data file, as written there (Redis `COMMAND INFO` flags plus
    /// `dangerous`; Dragonfly: see `scripts/gen-commands.py`): bits over the flag names of the data files.
    flags: u64,
}

impl Command {
    /// Whether the data file lists this flag for the command.
    pub fn has_flag(&self, flag: &str) -> bool {
        COMMAND_FLAG_NAMES
            .iter()
            .position(|name| *name == flag)
            .is_some_and(|at| self.flags & (1 << at) != 0)
    }

    /// Whether the command belongs to the category.
    pub fn in_category(&self, category: &Category) -> bool {
        self.categories & (1u64 << category.bit) != 0
    }
}

/// A Redis key specification (`COMMAND INFO` `key_specs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub begin: BeginSearch,
    pub find: FindKeys,
    /// `KEY_*` bits.
    pub flags: u16,
}

/// Where the search for a key spec's keys starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BeginSearch {
    /// At this argv index.
    Index(i32),
    /// After the first `keyword` (case-insensitive), searched from `start_from` (negative:
    /// backwards from the end).
    Keyword {
        keyword: &'static str,
        start_from: i32,
    },
    Unknown,
}

/// How a key spec's keys are found from the begin position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindKeys {
    /// Keys up to `last_key` (relative; negative: from the end), every `step`; with a
    /// `limit`, only the first 1/limit of the remaining arguments.
    Range {
        last_key: i32,
        step: i32,
        limit: i32,
    },
    /// The key count is at `key_num_idx` (relative), the keys start at `first_key` (relative).
    KeyNum {
        key_num_idx: i32,
        first_key: i32,
        step: i32,
    },
    Unknown,
}

/// Read-only access (physical).
pub const KEY_RO: u16 = 1 << 0;
/// Read-write access (physical).
pub const KEY_RW: u16 = 1 << 1;
/// Overwrite (physical).
pub const KEY_OW: u16 = 1 << 2;
/// Removal (physical).
pub const KEY_RM: u16 = 1 << 3;
/// Returns or copies user data (logical; needs read permission).
pub const KEY_ACCESS: u16 = 1 << 4;
/// Updates data (logical; needs write permission).
pub const KEY_UPDATE: u16 = 1 << 5;
/// Adds data (logical; needs write permission).
pub const KEY_INSERT: u16 = 1 << 6;
/// Deletes data (logical; needs write permission).
pub const KEY_DELETE: u16 = 1 << 7;
/// Not a key (e.g. a sharded channel); never extracted by [`keys_of`].
pub const KEY_NOT_KEY: u16 = 1 << 8;
/// The spec may miss keys; the server then falls back to the getkeys procedure.
pub const KEY_INCOMPLETE: u16 = 1 << 9;
/// The flags depend on the arguments; the server uses the getkeys procedure.
pub const KEY_VARIABLE_FLAGS: u16 = 1 << 10;

// Defines DF_VERSION, REDIS_VERSION_, DF_CATEGORIES, DF_COMMANDS, REDIS_CATEGORIES and
// REDIS_COMMANDS (commands sorted by name, byte order).
include!(concat!(env!("OUT_DIR"), "/acl_commands_table.rs"));

/// The Dragonfly release the Dragonfly tables describe.
pub const DRAGONFLY_VERSION: &str = DF_VERSION;
/// `redis_version` of the server the Redis tables were generated from.
pub const REDIS_VERSION: &str = REDIS_VERSION_;

/// Every ACL category of the dialect, by bit.
pub fn categories(d: Dialect) -> &'static [Category] {
    match d {
        Dialect::Dragonfly => &DF_CATEGORIES,
        Dialect::Redis => &REDIS_CATEGORIES,
    }
}

/// The category with this name (case-insensitive, without `@`). Dragonfly also accepts its
/// alias `search` for `ft_search`; Dragonfly has no `hyperloglog` (it spells it `hyperlog`)
/// and Redis has no `hyperlog`.
pub fn category(d: Dialect, name: &str) -> Option<&'static Category> {
    let name = if d == Dialect::Dragonfly && name.eq_ignore_ascii_case("search") {
        "ft_search"
    } else {
        name
    };
    categories(d)
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
}

/// Every command of the dialect (Redis subcommands included), sorted by name (byte order).
pub fn all(d: Dialect) -> &'static [Command] {
    match d {
        Dialect::Dragonfly => &DF_COMMANDS,
        Dialect::Redis => &REDIS_COMMANDS,
    }
}

fn cmp_ignore_case(table_name: &str, query: &str) -> Ordering {
    table_name
        .bytes()
        .cmp(query.bytes().map(|b| b.to_ascii_lowercase()))
}

/// The command with this name (case-insensitive): `"get"`, `"acl setuser"` (Dragonfly),
/// `"config|get"` (Redis). Binary search.
pub fn lookup(d: Dialect, name: &str) -> Option<&'static Command> {
    let table = all(d);
    table
        .binary_search_by(|c| cmp_ignore_case(c.name, name))
        .ok()
        .map(|i| &table[i])
}

/// The indexes (in [`all`]) of the commands in the category with this bit, ascending.
/// Generated at build time: a per-process table would be rebuilt by every fresh wasm instance.
pub fn category_member_indexes(d: Dialect, bit: u8) -> &'static [u16] {
    let table = match d {
        Dialect::Dragonfly => &DF_CATEGORY_MEMBERS,
        Dialect::Redis => &REDIS_CATEGORY_MEMBERS,
    };
    table.get(usize::from(bit)).copied().unwrap_or(&[])
}

/// The commands in the category with this bit as a bitset over [`all`] (bit `i % 64` of word
/// `i / 64` for command `i`), for set operations without scanning the table.
pub fn category_words(d: Dialect, bit: u8) -> &'static [u64] {
    const NONE: &[u64] = &[];
    match d {
        Dialect::Dragonfly => DF_CATEGORY_WORDS.get(usize::from(bit)).map_or(NONE, |w| w),
        Dialect::Redis => REDIS_CATEGORY_WORDS
            .get(usize::from(bit))
            .map_or(NONE, |w| w),
    }
}

/// The indexes (in [`all`]) of the subcommands of the command at `index`, ascending.
pub fn subcommand_indexes(d: Dialect, index: usize) -> &'static [u16] {
    let table: &[&[u16]] = match d {
        Dialect::Dragonfly => &DF_SUBCOMMANDS,
        Dialect::Redis => &REDIS_SUBCOMMANDS,
    };
    table.get(index).copied().unwrap_or(&[])
}

/// The subcommands of a container (`"config"` → `config|get`, … for Redis; `"acl"` →
/// `acl setuser`, … for Dragonfly), in name order. Case-insensitive.
pub fn subcommands(d: Dialect, parent: &str) -> impl Iterator<Item = &'static Command> + '_ {
    all(d)
        .iter()
        .filter(move |c| c.parent.is_some_and(|p| p.eq_ignore_ascii_case(parent)))
}

/// The commands in the category (Redis subcommands included), in name order.
pub fn members(d: Dialect, category: &Category) -> impl Iterator<Item = &'static Command> {
    let mask = 1u64 << category.bit;
    all(d).iter().filter(move |c| c.categories & mask != 0)
}

/// The permissions a key with these [`keys_of`] flags requires, as `(read, write)`: read for
/// `KEY_ACCESS`, write for `KEY_INSERT`/`KEY_DELETE`/`KEY_UPDATE` (Redis
/// `ACLSelectorCheckKey`; Dragonfly keys are flagged so that the same rule applies). One
/// pattern must grant all required permissions and match the key.
pub fn required_key_permissions(flags: u16) -> (bool, bool) {
    (
        flags & KEY_ACCESS != 0,
        flags & (KEY_INSERT | KEY_DELETE | KEY_UPDATE) != 0,
    )
}

/// Why Dragonfly's key extraction failed; the validator then denies the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeysError {
    /// Missing `STREAMS`, too few arguments for the declared key count.
    Syntax,
    /// The key count is not a non-negative integer.
    InvalidInt,
    /// Key count 0 for ZDIFF/ZUNION/ZINTER*.
    AtLeastOneKey,
}

/// The keys of a concrete invocation, exactly as the server extracts them for the ACL check:
/// `(index into args, flags)`, where `args` excludes the command name (for a Redis
/// subcommand `args[0]` is the subcommand; for a Dragonfly `"acl <sub>"` entry both words are
/// excluded). Flags are the key-spec flags (Redis) or the command's read/write nature
/// (Dragonfly: `KEY_RO | KEY_ACCESS`, `KEY_OW | KEY_UPDATE`, or 0 when the command is
/// neither). A failed Dragonfly extraction yields no keys; use [`try_keys_of`] to see it.
pub fn keys_of(d: Dialect, cmd: &Command, args: &[&[u8]]) -> Vec<(usize, u16)> {
    try_keys_of(d, cmd, args).unwrap_or_default()
}

/// [`keys_of`], with Dragonfly's extraction failures (which make its validator deny the
/// command when keys are checked). Redis never fails: it reports no keys instead.
pub fn try_keys_of(
    d: Dialect,
    cmd: &Command,
    args: &[&[u8]],
) -> Result<Vec<(usize, u16)>, KeysError> {
    match d {
        Dialect::Redis => Ok(redis::keys(cmd, args)),
        Dialect::Dragonfly => dragonfly::keys(cmd, args),
    }
}

mod dragonfly {
    use super::{Command, KeysError, KEY_ACCESS, KEY_OW, KEY_RO, KEY_UPDATE};

    /// `absl::SimpleAtoi` for an `int`: optional surrounding ASCII whitespace and sign.
    fn simple_atoi(arg: &[u8]) -> Option<i64> {
        let text = std::str::from_utf8(arg).ok()?.trim_ascii();
        text.parse::<i32>().ok().map(i64::from)
    }

    /// `XREAD [COUNT n] [BLOCK ms] STREAMS k… id…` and `XREADGROUP GROUP g c [COUNT n]
    /// [BLOCK ms] [NOACK] STREAMS …`: the options are walked in order, and anything else before
    /// `STREAMS` is a syntax error (transaction.cc:1747-1784@v1.40.1).
    fn xread_keys(name: &str, args: &[&[u8]], flags: u16) -> Result<Vec<(usize, u16)>, KeysError> {
        let mut i = if name == "xreadgroup" { 3 } else { 0 };
        while i < args.len() {
            let arg = args[i];
            if arg.eq_ignore_ascii_case(b"STREAMS") {
                let left = args.len() - i - 1;
                return Ok((i + 1..i + 1 + left / 2).map(|k| (k, flags)).collect());
            }
            let counted = arg.eq_ignore_ascii_case(b"COUNT");
            if counted || arg.eq_ignore_ascii_case(b"BLOCK") {
                let value = args.get(i + 1).ok_or(KeysError::Syntax)?;
                // COUNT is read as an unsigned 32-bit number, BLOCK as a signed 64-bit one.
                let text = std::str::from_utf8(value)
                    .map(str::trim_ascii)
                    .unwrap_or("");
                let ok = if counted {
                    text.parse::<u32>().is_ok()
                } else {
                    text.parse::<i64>().is_ok()
                };
                if !ok {
                    return Err(KeysError::InvalidInt);
                }
                i += 2;
                continue;
            }
            if name == "xreadgroup" && arg.eq_ignore_ascii_case(b"NOACK") {
                i += 1;
                continue;
            }
            break;
        }
        Err(KeysError::Syntax)
    }

    /// `DetermineKeys` (transaction.cc:1723-1853@v1.40.1) over the tail arguments.
    pub(super) fn keys(cmd: &Command, args: &[&[u8]]) -> Result<Vec<(usize, u16)>, KeysError> {
        let flags = if cmd.readonly {
            KEY_RO | KEY_ACCESS
        } else if cmd.write {
            KEY_OW | KEY_UPDATE
        } else {
            0
        };
        if cmd.first_key <= 0
            || cmd.has_flag("global_trans")
            || cmd.has_flag("no_key_transactional")
        {
            return Ok(Vec::new());
        }
        let name = cmd.name;
        let len = args.len();
        let mut num_custom_keys: Option<usize> = None;
        let mut bonus: Option<usize> = None;
        if cmd.has_flag("variadic_keys") {
            if len < 2 {
                return Err(KeysError::Syntax);
            }
            if name == "xread" || name == "xreadgroup" {
                return xread_keys(name, args, flags);
            }
            if name.ends_with("store") || name == "cms.merge" {
                bonus = Some(0);
            }
            // v1.40.1 reads the count at 1 for EVAL*, BLMPOP, BZMPOP and after a STORE-style
            // destination, else at 0 (transaction.cc:1787-1791): the argument just before the
            // first key, which `first_key - 2` gives for every variadic entry of the table.
            let num_keys_index = (cmd.first_key - 2).max(0) as usize;
            let num = args
                .get(num_keys_index)
                .and_then(|a| simple_atoi(a))
                .filter(|n| *n >= 0)
                .ok_or(KeysError::InvalidInt)? as usize;
            if num == 0
                && (name.starts_with("zdiff")
                    || name.starts_with("zunion")
                    || name.starts_with("zinter")
                    || name.ends_with("mpop"))
            {
                return Err(KeysError::AtLeastOneKey);
            }
            if len < num + num_keys_index + 1 {
                return Err(KeysError::Syntax);
            }
            num_custom_keys = Some(num);
        }
        let start = (cmd.first_key - 1) as usize;
        let end = match num_custom_keys {
            Some(n) => start + n,
            None if cmd.last_key > 0 => cmd.last_key as usize,
            None => (len as i64 + i64::from(cmd.last_key) + 1).max(0) as usize,
        };
        // A destination named by a trailing option is checked too (transaction.cc:1830-1849):
        // `GEORADIUS … STORE|STOREDIST k`, `GEORADIUSBYMEMBER … STORE|STOREDIST k` and
        // `SORT … STORE k`, each only as the second-to-last argument.
        if cmd.has_flag("store_last_key") {
            let opt = len.checked_sub(2).map(|i| args[i]);
            let is = |word: &[u8]| opt.is_some_and(|o| o.eq_ignore_ascii_case(word));
            let geo =
                (name == "georadiusbymember" && len >= 5) || (name == "georadius" && len >= 6);
            if (geo && (is(b"STORE") || is(b"STOREDIST")))
                || (name == "sort" && len >= 3 && is(b"STORE"))
            {
                bonus = Some(len - 1);
            }
        }
        let step = cmd.key_step.max(1) as usize;
        let mut keys: Vec<(usize, u16)> = bonus.map(|b| (b, flags)).into_iter().collect();
        keys.extend((start..end.min(len)).step_by(step).map(|i| (i, flags)));
        Ok(keys)
    }
}

mod redis {
    use super::{
        BeginSearch, Command, FindKeys, KEY_ACCESS, KEY_DELETE, KEY_NOT_KEY, KEY_OW, KEY_RO,
        KEY_RW, KEY_UPDATE, KEY_VARIABLE_FLAGS,
    };

    /// The native getkeys procedures of Redis 7.0 (`get_keys_function` of the command JSON
    /// files), used when the key specs cannot be trusted or fail.
    #[derive(Clone, Copy)]
    enum Proc {
        /// `genericGetKeys(store, count, first, step)`.
        Generic(usize, usize, usize, usize),
        SortRo,
        Sort,
        Migrate,
        Georadius,
        Xread,
        Set,
        Bitfield,
    }

    fn proc_of(name: &str) -> Option<Proc> {
        Some(match name {
            "sintercard" | "zunion" | "zinter" | "zdiff" | "zintercard" | "lmpop" | "zmpop" => {
                Proc::Generic(0, 1, 2, 1)
            }
            "zunionstore" | "zinterstore" | "zdiffstore" => Proc::Generic(1, 2, 3, 1),
            "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" | "blmpop"
            | "bzmpop" => Proc::Generic(0, 2, 3, 1),
            "sort_ro" => Proc::SortRo,
            "sort" => Proc::Sort,
            "migrate" => Proc::Migrate,
            "georadius" | "georadiusbymember" => Proc::Georadius,
            "xread" | "xreadgroup" => Proc::Xread,
            "set" => Proc::Set,
            "bitfield" => Proc::Bitfield,
            _ => return None,
        })
    }

    /// Names with a getkeys procedure (for tests).
    #[cfg(test)]
    pub(super) const PROC_COMMANDS: &[&str] = &[
        "sintercard",
        "zunion",
        "zinter",
        "zdiff",
        "zintercard",
        "lmpop",
        "zmpop",
        "zunionstore",
        "zinterstore",
        "zdiffstore",
        "eval",
        "evalsha",
        "eval_ro",
        "evalsha_ro",
        "fcall",
        "fcall_ro",
        "blmpop",
        "bzmpop",
        "sort_ro",
        "sort",
        "migrate",
        "georadius",
        "georadiusbymember",
        "xread",
        "xreadgroup",
        "set",
        "bitfield",
    ];

    /// argv as the server sees it: argv\[0\] is the command name.
    struct Argv<'a> {
        name: &'a [u8],
        args: &'a [&'a [u8]],
    }

    impl<'a> Argv<'a> {
        fn argc(&self) -> usize {
            self.args.len() + 1
        }
        fn get(&self, i: usize) -> &'a [u8] {
            if i == 0 {
                self.name
            } else {
                self.args[i - 1]
            }
        }
    }

    /// `string2ll`: optional `-`, no `+`, no spaces, no leading zeros (except "0").
    fn string2ll(s: &[u8]) -> Option<i64> {
        let digits = s.strip_prefix(b"-").unwrap_or(s);
        if digits.is_empty()
            || !digits.iter().all(u8::is_ascii_digit)
            || (digits.len() > 1 && digits[0] == b'0')
            || (digits.len() != s.len() && digits == b"0")
        {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    }

    /// C `atoi`: leading whitespace, optional sign, digits up to the first non-digit.
    fn atoi(s: &[u8]) -> i64 {
        let mut i = 0;
        while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
        }
        let negative = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut n: i64 = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            n = n.saturating_mul(10).saturating_add(i64::from(s[i] - b'0'));
            i += 1;
        }
        let n = if negative { -n } else { n };
        // atoi returns an int; out-of-range behaviour is undefined in C, clamp.
        n.clamp(i64::from(i32::MIN), i64::from(i32::MAX))
    }

    /// `getKeysUsingKeySpecs(…, GET_KEYSPEC_DEFAULT, …)`; `None` is the C `-1`.
    fn using_specs(cmd: &Command, argv: &Argv) -> Option<Vec<(usize, u16)>> {
        let argc = argv.argc() as i64;
        let mut keys = Vec::new();
        for spec in cmd.key_specs {
            if spec.flags & KEY_NOT_KEY != 0 {
                continue;
            }
            let mut first: i64 = match spec.begin {
                BeginSearch::Index(pos) => i64::from(pos),
                BeginSearch::Keyword {
                    keyword,
                    start_from,
                } => {
                    let start_from = i64::from(start_from);
                    let start = if start_from > 0 {
                        start_from
                    } else {
                        argc + start_from
                    };
                    let end = if start_from > 0 { argc - 1 } else { 1 };
                    let mut i = start;
                    let mut found = 0;
                    while i != end {
                        if i >= argc || i < 1 {
                            break;
                        }
                        if argv
                            .get(i as usize)
                            .eq_ignore_ascii_case(keyword.as_bytes())
                        {
                            found = i + 1;
                            break;
                        }
                        i = if start <= end { i + 1 } else { i - 1 };
                    }
                    if found == 0 {
                        continue; // keyword not found: no keys from this spec
                    }
                    found
                }
                BeginSearch::Unknown => return None,
            };
            let (last, step) = match spec.find {
                FindKeys::Range {
                    last_key,
                    step,
                    limit,
                } => {
                    let last_key = i64::from(last_key);
                    let last = if last_key >= 0 {
                        first + last_key
                    } else if limit == 0 {
                        argc + last_key
                    } else {
                        first + ((argc - first) / i64::from(limit) + last_key)
                    };
                    (last, i64::from(step))
                }
                FindKeys::KeyNum {
                    key_num_idx,
                    first_key,
                    step,
                } => {
                    let idx = first + i64::from(key_num_idx);
                    if idx >= argc {
                        return None;
                    }
                    let numkeys = string2ll(argv.get(idx as usize)).filter(|n| *n >= 0)?;
                    first += i64::from(first_key);
                    (first + numkeys - 1, i64::from(step))
                }
                FindKeys::Unknown => return None,
            };
            if last >= argc || last < first || first >= argc {
                return None;
            }
            let mut i = first;
            while i <= last {
                keys.push(((i - 1) as usize, spec.flags));
                i += step.max(1);
            }
            if spec.flags & super::KEY_INCOMPLETE != 0 {
                return None;
            }
        }
        Some(keys)
    }

    fn generic(
        argv: &Argv,
        store: usize,
        count: usize,
        first: usize,
        step: usize,
    ) -> Vec<(usize, u16)> {
        let argc = argv.argc();
        if count >= argc {
            return Vec::new();
        }
        let num = atoi(argv.get(count));
        if num < 1 || num > ((argc as i64 - first as i64) / step as i64) {
            return Vec::new();
        }
        let mut keys: Vec<(usize, u16)> = (0..num as usize)
            .map(|i| (first + i * step - 1, 0))
            .collect();
        if store != 0 {
            keys.push((store - 1, 0));
        }
        keys
    }

    fn run_proc(proc: Proc, argv: &Argv) -> Vec<(usize, u16)> {
        let argc = argv.argc();
        let eq = |i: usize, word: &str| argv.get(i).eq_ignore_ascii_case(word.as_bytes());
        match proc {
            Proc::Generic(store, count, first, step) => generic(argv, store, count, first, step),
            Proc::SortRo => vec![(0, KEY_RO | KEY_ACCESS)],
            Proc::Sort => {
                let mut store = None;
                let mut i = 2;
                while i < argc {
                    if eq(i, "limit") {
                        i += 2;
                    } else if eq(i, "get") || eq(i, "by") {
                        i += 1;
                    } else if eq(i, "store") && i + 1 < argc {
                        store = Some(i + 1); // the last STORE wins
                    }
                    i += 1;
                }
                let mut keys = vec![(0, KEY_RO | KEY_ACCESS)];
                keys.extend(store.map(|s| (s - 1, KEY_OW | KEY_UPDATE)));
                keys
            }
            Proc::Migrate => {
                let (mut first, mut num) = (3usize, 1usize);
                if argc > 6 {
                    let mut i = 6;
                    while i < argc {
                        if eq(i, "keys") {
                            if !argv.get(3).is_empty() {
                                num = 0;
                            } else {
                                first = i + 1;
                                num = argc - first;
                            }
                            break;
                        }
                        if eq(i, "auth") {
                            i += 1;
                        } else if eq(i, "auth2") {
                            i += 2;
                        }
                        i += 1;
                    }
                }
                (0..num)
                    .map(|i| (first + i - 1, KEY_RW | KEY_ACCESS | KEY_DELETE))
                    .collect()
            }
            Proc::Georadius => {
                let mut stored = None;
                let mut i = 5;
                while i < argc {
                    if (eq(i, "store") || eq(i, "storedist")) && i + 1 < argc {
                        stored = Some(i + 1);
                        i += 1;
                    }
                    i += 1;
                }
                let mut keys = vec![(0, 0)];
                keys.extend(stored.map(|s| (s - 1, 0)));
                keys
            }
            Proc::Xread => {
                let mut streams = None;
                let mut i = 1;
                while i < argc {
                    if eq(i, "block") || eq(i, "count") {
                        i += 1;
                    } else if eq(i, "group") {
                        i += 2;
                    } else if eq(i, "noack") {
                    } else if eq(i, "streams") {
                        streams = Some(i);
                        break;
                    } else {
                        break;
                    }
                    i += 1;
                }
                let Some(pos) = streams else {
                    return Vec::new();
                };
                let num = argc - pos - 1;
                if num == 0 || num % 2 != 0 {
                    return Vec::new();
                }
                (pos + 1..argc - num / 2).map(|i| (i - 1, 0)).collect()
            }
            Proc::Set => {
                let get = (3..argc).any(|i| eq(i, "get"));
                let flags = if get {
                    KEY_RW | KEY_ACCESS | KEY_UPDATE
                } else {
                    KEY_OW | KEY_UPDATE
                };
                vec![(0, flags)]
            }
            Proc::Bitfield => {
                let mut readonly = true;
                let mut i = 2;
                while i < argc {
                    let remaining = argc - i - 1;
                    if eq(i, "get") && remaining >= 2 {
                        i += 2;
                    } else if (eq(i, "set") || eq(i, "incrby")) && remaining >= 3 {
                        readonly = false;
                        break;
                    } else if eq(i, "overflow") && remaining >= 1 {
                        i += 1;
                    } else {
                        readonly = false;
                        break;
                    }
                    i += 1;
                }
                let flags = if readonly {
                    KEY_RO | KEY_ACCESS
                } else {
                    KEY_RW | KEY_ACCESS | KEY_UPDATE
                };
                vec![(0, flags)]
            }
        }
    }

    /// `getKeysFromCommandWithSpecs(cmd, argv, argc, GET_KEYSPEC_DEFAULT, …)`.
    pub(super) fn keys(cmd: &Command, args: &[&[u8]]) -> Vec<(usize, u16)> {
        let name = cmd.name.rsplit('|').next().unwrap_or(cmd.name);
        let argv = Argv {
            name: cmd.parent.unwrap_or(name).as_bytes(),
            args,
        };
        let has_keyspec = cmd.key_specs.iter().any(|s| s.flags & KEY_NOT_KEY == 0);
        let has_varflags = cmd
            .key_specs
            .iter()
            .any(|s| s.flags & KEY_VARIABLE_FLAGS != 0);
        if has_keyspec && !has_varflags {
            if let Some(keys) = using_specs(cmd, &argv) {
                return keys;
            }
        }
        match proc_of(cmd.name) {
            Some(proc) => run_proc(proc, &argv),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df(name: &str) -> &'static Command {
        lookup(Dialect::Dragonfly, name).unwrap_or_else(|| panic!("dragonfly {name}"))
    }

    fn rd(name: &str) -> &'static Command {
        lookup(Dialect::Redis, name).unwrap_or_else(|| panic!("redis {name}"))
    }

    fn cat(d: Dialect, name: &str) -> &'static Category {
        category(d, name).unwrap_or_else(|| panic!("category {name}"))
    }

    fn in_cat(d: Dialect, c: &Command, name: &str) -> bool {
        c.in_category(cat(d, name))
    }

    fn args<'a>(words: &'a [&'a str]) -> Vec<&'a [u8]> {
        words.iter().map(|w| w.as_bytes()).collect()
    }

    fn keys(d: Dialect, name: &str, words: &[&str]) -> Vec<(usize, u16)> {
        keys_of(d, lookup(d, name).unwrap(), &args(words))
    }

    fn positions(d: Dialect, name: &str, words: &[&str]) -> Vec<usize> {
        keys(d, name, words).into_iter().map(|(i, _)| i).collect()
    }

    const RO_ACCESS: u16 = KEY_RO | KEY_ACCESS;
    const OW_UPDATE: u16 = KEY_OW | KEY_UPDATE;

    #[test]
    fn versions() {
        assert_eq!(DRAGONFLY_VERSION, "1.40.1");
        assert!(REDIS_VERSION.starts_with("7."), "{REDIS_VERSION}");
    }

    #[test]
    fn tables_are_sorted_and_lowercase() {
        for d in [Dialect::Dragonfly, Dialect::Redis] {
            let t = all(d);
            assert!(t.windows(2).all(|w| w[0].name < w[1].name));
            assert!(t.iter().all(|c| c.name == c.name.to_ascii_lowercase()));
            assert!(categories(d).windows(2).all(|w| w[0].bit < w[1].bit));
        }
        assert_eq!(all(Dialect::Dragonfly).len(), 329);
        assert_eq!(categories(Dialect::Dragonfly).len(), 28);
        assert_eq!(categories(Dialect::Redis).len(), 21);
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(lookup(Dialect::Dragonfly, "GeT").unwrap().name, "get");
        assert_eq!(
            lookup(Dialect::Redis, "CONFIG|GET").unwrap().name,
            "config|get"
        );
        assert!(lookup(Dialect::Dragonfly, "config|get").is_none());
        assert!(lookup(Dialect::Dragonfly, "nosuchcommand").is_none());
        assert!(lookup(Dialect::Redis, "").is_none());
        for d in [Dialect::Dragonfly, Dialect::Redis] {
            for c in all(d) {
                assert_eq!(lookup(d, &c.name.to_ascii_uppercase()), Some(c));
            }
        }
    }

    #[test]
    fn dragonfly_client_randomkey_config_dfly() {
        let d = Dialect::Dragonfly;
        let client = df("client");
        assert!(in_cat(d, client, "slow") && in_cat(d, client, "connection"));
        assert_eq!(client.categories.count_ones(), 2);
        assert!(!client.dangerous && !client.admin);
        assert_eq!(df("randomkey").categories, 0);
        assert!(df("randomkey").readonly);
        let config = df("config");
        assert!(config.admin && config.dangerous);
        assert!(in_cat(d, config, "admin") && in_cat(d, config, "dangerous"));
        let dfly = df("dfly");
        assert!(dfly.admin && !dfly.dangerous);
        assert!(in_cat(d, dfly, "admin") && !in_cat(d, dfly, "dangerous"));
        // FT.CONFIG: ADMIN option but only @ft_search.
        let ft = df("ft.config");
        assert!(!ft.admin && ft.has_flag("opt_admin"));
        assert_eq!(ft.categories, 1 << cat(d, "ft_search").bit);
    }

    #[test]
    fn dragonfly_json_set_only_json() {
        let d = Dialect::Dragonfly;
        let js = df("JSON.SET");
        assert_eq!(js.categories, 1 << cat(d, "json").bit);
        assert!(!in_cat(d, js, "write"));
        assert!(js.write && js.key_acl_checked);
        assert_eq!(js.build_switch, Some("WITH_EXTENSION_CMDS"));
    }

    #[test]
    fn dragonfly_category_counts_match_reference() {
        // command_count column of the reference categories.tsv.
        let expected = [
            ("keyspace", 29),
            ("read", 93),
            ("write", 118),
            ("set", 21),
            ("sortedset", 37),
            ("list", 24),
            ("hash", 22),
            ("string", 24),
            ("bitmap", 7),
            ("hyperlog", 3),
            ("geo", 9),
            ("stream", 13),
            ("pubsub", 8),
            ("admin", 27),
            ("fast", 121),
            ("slow", 156),
            ("blocking", 10),
            ("dangerous", 34),
            ("connection", 13),
            ("transaction", 5),
            ("scripting", 5),
            ("cuckoo_filter", 11),
            ("topk", 7),
            ("cms", 6),
            ("bloom", 8),
            ("ft_search", 14),
            ("throttle", 1),
            ("json", 24),
        ];
        assert_eq!(expected.len(), categories(Dialect::Dragonfly).len());
        for (name, count) in expected {
            let c = cat(Dialect::Dragonfly, name);
            assert_eq!(members(Dialect::Dragonfly, c).count(), count, "{name}");
        }
        assert_eq!(cat(Dialect::Dragonfly, "cuckoo_filter").bit, 25);
        assert_eq!(cat(Dialect::Dragonfly, "json").bit, 31);
    }

    #[test]
    fn dragonfly_acl_subcommands() {
        let setuser = df("acl setuser");
        assert_eq!(setuser.parent, Some("acl"));
        assert!(setuser.admin && setuser.dangerous);
        assert_eq!(df("ACL SETUSER"), setuser);
        let subs: Vec<_> = subcommands(Dialect::Dragonfly, "ACL")
            .map(|c| c.name)
            .collect();
        assert_eq!(subs.len(), 13);
        assert!(subs.contains(&"acl whoami"));
        assert_eq!(df("acl").parent, None);
        assert_eq!(subcommands(Dialect::Dragonfly, "config").count(), 0);
    }

    #[test]
    fn category_names_per_dialect() {
        assert!(category(Dialect::Dragonfly, "hyperloglog").is_none());
        assert_eq!(cat(Dialect::Dragonfly, "HyperLog").bit, 9);
        assert_eq!(cat(Dialect::Dragonfly, "search").name, "ft_search");
        assert_eq!(cat(Dialect::Dragonfly, "SEARCH").bit, 29);
        assert!(category(Dialect::Redis, "hyperlog").is_none());
        assert!(category(Dialect::Redis, "search").is_none());
        assert!(category(Dialect::Redis, "json").is_none());
        assert_eq!(cat(Dialect::Redis, "hyperloglog").bit, 9);
        assert!(category(Dialect::Dragonfly, "@read").is_none());
        assert!(category(Dialect::Dragonfly, "all").is_none());
        assert!(!cat(Dialect::Dragonfly, "json").redis7_standard);
        assert!(cat(Dialect::Dragonfly, "hyperlog").redis7_standard);
        assert!(categories(Dialect::Redis).iter().all(|c| c.redis7_standard));
        // Redis categories follow ACL_CATEGORY_* bit order.
        let names: Vec<_> = categories(Dialect::Redis).iter().map(|c| c.name).collect();
        assert_eq!(names[0], "keyspace");
        assert_eq!(names[20], "scripting");
    }

    #[test]
    fn redis_subcommands() {
        let get = rd("config|get");
        assert_eq!(get.parent, Some("config"));
        assert!(get.admin && get.dangerous);
        assert!(subcommands(Dialect::Redis, "CONFIG").any(|c| c.name == "config|set"));
        assert!(subcommands(Dialect::Redis, "config").all(|c| c.parent == Some("config")));
        assert_eq!(rd("config").parent, None);
        assert!(rd("auth").no_auth);
        for c in all(Dialect::Redis) {
            if let Some(p) = c.parent {
                assert!(lookup(Dialect::Redis, p).is_some(), "{}", c.name);
                assert!(c.name.starts_with(p) && c.name.as_bytes()[p.len()] == b'|');
            }
        }
    }

    #[test]
    fn redis_get_and_set_specs() {
        let get = rd("get");
        assert!(get.readonly && !get.write && get.key_acl_checked);
        assert_eq!(
            get.key_specs,
            &[KeySpec {
                begin: BeginSearch::Index(1),
                find: FindKeys::Range {
                    last_key: 0,
                    step: 1,
                    limit: 0
                },
                flags: KEY_RO | KEY_ACCESS
            }]
        );
        let set = rd("set");
        assert_eq!(set.key_specs.len(), 1);
        assert_eq!(
            set.key_specs[0].flags,
            KEY_RW | KEY_ACCESS | KEY_UPDATE | KEY_VARIABLE_FLAGS
        );
        // Variable flags: setGetKeys decides.
        let r = Dialect::Redis;
        assert_eq!(keys(r, "set", &["k", "v"]), vec![(0, OW_UPDATE)]);
        assert_eq!(
            keys(r, "set", &["k", "v", "EX", "10", "get"]),
            vec![(0, KEY_RW | KEY_ACCESS | KEY_UPDATE)]
        );
        assert_eq!(required_key_permissions(OW_UPDATE), (false, true));
        assert_eq!(
            required_key_permissions(KEY_RW | KEY_ACCESS | KEY_UPDATE),
            (true, true)
        );
        assert_eq!(keys(r, "get", &["k"]), vec![(0, RO_ACCESS)]);
        assert_eq!(required_key_permissions(RO_ACCESS), (true, false));
        assert_eq!(required_key_permissions(0), (false, false));
    }

    #[test]
    fn redis_mset_step_two() {
        let r = Dialect::Redis;
        assert_eq!(rd("mset").key_step, 2);
        assert_eq!(
            keys(r, "mset", &["a", "1", "b", "2", "c", "3"]),
            vec![(0, OW_UPDATE), (2, OW_UPDATE), (4, OW_UPDATE)]
        );
        assert_eq!(positions(r, "mset", &["a", "1", "b"]), vec![0, 2]);
    }

    #[test]
    fn redis_eval_keynum() {
        let r = Dialect::Redis;
        let rw = KEY_RW | KEY_ACCESS | KEY_UPDATE;
        assert_eq!(
            keys(r, "eval", &["return 1", "2", "k1", "k2", "a1"]),
            vec![(2, rw), (3, rw)]
        );
        assert_eq!(
            positions(r, "eval", &["return 1", "0", "a"]),
            Vec::<usize>::new()
        );
        // Unparsable count: spec fails, evalGetKeys uses atoi ("2x" → 2, flags 0).
        assert_eq!(
            keys(r, "eval", &["s", "2x", "k1", "k2"]),
            vec![(2, 0), (3, 0)]
        );
        assert!(keys(r, "eval", &["s", "-1", "k1"]).is_empty());
        assert!(keys(r, "eval", &["s", "5", "k1"]).is_empty());
        assert_eq!(positions(r, "fcall", &["f", "1", "k"]), vec![2]);
    }

    #[test]
    fn redis_xread_keyword_half() {
        let r = Dialect::Redis;
        assert_eq!(
            keys(r, "xread", &["COUNT", "2", "streams", "s1", "s2", "0", "0"]),
            vec![(3, RO_ACCESS), (4, RO_ACCESS)]
        );
        assert_eq!(
            positions(r, "xreadgroup", &["GROUP", "g", "c", "STREAMS", "a", ">"]),
            vec![4]
        );
        // A stream literally named "streams": the keyword search stops at the first one.
        assert_eq!(
            positions(r, "xread", &["STREAMS", "streams", "s", "0", "0"]),
            vec![1, 2]
        );
        assert!(keys(r, "xread", &["COUNT", "2"]).is_empty());
    }

    #[test]
    fn redis_zunionstore_dest_and_keynum() {
        let r = Dialect::Redis;
        assert_eq!(
            keys(
                r,
                "zunionstore",
                &["dst", "2", "a", "b", "WEIGHTS", "1", "2"]
            ),
            vec![(0, OW_UPDATE), (2, RO_ACCESS), (3, RO_ACCESS)]
        );
        // Count 0: the keynum spec fails (last < first), zunionInterDiffStoreGetKeys gives up.
        assert!(keys(r, "zunionstore", &["dst", "0"]).is_empty());
        assert_eq!(positions(r, "zunion", &["2", "a", "b"]), vec![1, 2]);
        assert_eq!(
            positions(r, "blmpop", &["0", "2", "a", "b", "LEFT"]),
            vec![2, 3]
        );
        assert_eq!(positions(r, "lmpop", &["1", "a", "LEFT"]), vec![1]);
    }

    #[test]
    fn redis_sort_store_incomplete() {
        let r = Dialect::Redis;
        let sort = rd("sort");
        assert!(sort
            .key_specs
            .iter()
            .any(|s| s.begin == BeginSearch::Unknown));
        assert_eq!(keys(r, "sort", &["k"]), vec![(0, RO_ACCESS)]);
        assert_eq!(
            keys(
                r,
                "sort",
                &["k", "BY", "w_*", "LIMIT", "0", "10", "STORE", "dst"]
            ),
            vec![(0, RO_ACCESS), (7, OW_UPDATE)]
        );
        // GET/BY arguments are skipped even when they read "store"; the last STORE wins.
        assert_eq!(
            keys(
                r,
                "sort",
                &["k", "GET", "store", "STORE", "d1", "STORE", "d2"]
            ),
            vec![(0, RO_ACCESS), (6, OW_UPDATE)]
        );
        assert_eq!(keys(r, "sort", &["k", "STORE"]), vec![(0, RO_ACCESS)]);
        assert_eq!(
            keys(r, "sort_ro", &["k", "STORE", "x"]),
            vec![(0, RO_ACCESS)]
        );
    }

    #[test]
    fn redis_migrate_bitfield_georadius() {
        let r = Dialect::Redis;
        let rwd = KEY_RW | KEY_ACCESS | KEY_DELETE;
        assert_eq!(
            keys(r, "migrate", &["h", "6379", "k", "0", "100"]),
            vec![(2, rwd)]
        );
        assert_eq!(
            keys(
                r,
                "migrate",
                &["h", "6379", "", "0", "100", "AUTH", "keys", "KEYS", "a", "b"]
            ),
            vec![(8, rwd), (9, rwd)]
        );
        assert_eq!(
            keys(r, "bitfield", &["k", "GET", "u8", "0"]),
            vec![(0, RO_ACCESS)]
        );
        assert_eq!(
            keys(
                r,
                "bitfield",
                &["k", "GET", "u8", "0", "SET", "u8", "0", "1"]
            ),
            vec![(0, KEY_RW | KEY_ACCESS | KEY_UPDATE)]
        );
        assert_eq!(
            keys(r, "georadius", &["k", "0", "0", "1", "km", "STORE", "d"]),
            vec![(0, RO_ACCESS), (6, OW_UPDATE)]
        );
    }

    #[test]
    fn redis_channels_are_not_keys() {
        let r = Dialect::Redis;
        for name in [
            "publish",
            "subscribe",
            "spublish",
            "ssubscribe",
            "sunsubscribe",
        ] {
            assert!(keys(r, name, &["ch", "msg"]).is_empty(), "{name}");
            assert!(rd(name).pubsub);
        }
        assert!(!rd("spublish").key_acl_checked);
        assert!(rd("get").key_acl_checked);
        assert!(!rd("ping").key_acl_checked);
    }

    #[test]
    fn redis_subcommand_keys() {
        // args[0] is the subcommand; OBJECT ENCODING's key is argv[2].
        let r = Dialect::Redis;
        assert_eq!(positions(r, "object|encoding", &["encoding", "k"]), vec![1]);
        assert_eq!(
            positions(r, "xinfo|stream", &["STREAM", "s", "FULL"]),
            vec![1]
        );
    }

    #[test]
    fn redis_getkeys_procs_exist() {
        for name in redis::PROC_COMMANDS {
            assert!(lookup(Dialect::Redis, name).is_some(), "{name}");
        }
        // Every command whose specs the server cannot use alone has a procedure.
        for c in all(Dialect::Redis) {
            let unusable = c.key_specs.iter().any(|s| {
                s.flags & (KEY_INCOMPLETE | KEY_VARIABLE_FLAGS) != 0
                    || s.begin == BeginSearch::Unknown
                    || s.find == FindKeys::Unknown
            });
            if unusable {
                assert!(redis::PROC_COMMANDS.contains(&c.name), "{}", c.name);
            }
        }
    }

    #[test]
    fn dragonfly_keys_basic() {
        let d = Dialect::Dragonfly;
        assert_eq!(keys(d, "get", &["k"]), vec![(0, RO_ACCESS)]);
        assert_eq!(keys(d, "set", &["k", "v", "GET"]), vec![(0, OW_UPDATE)]);
        assert_eq!(positions(d, "del", &["a", "b", "c"]), vec![0, 1, 2]);
        assert_eq!(positions(d, "blpop", &["a", "b", "0"]), vec![0, 1]);
        assert_eq!(positions(d, "rename", &["a", "b"]), vec![0, 1]);
        assert!(keys(d, "ping", &[]).is_empty());
        // MOVE is GLOBAL_TRANS: DetermineKeys returns no keys.
        assert!(df("move").key_acl_checked);
        assert!(keys(d, "move", &["k", "1"]).is_empty());
    }

    #[test]
    fn dragonfly_mset_steps() {
        let d = Dialect::Dragonfly;
        assert_eq!(df("mset").key_step, 2);
        assert_eq!(df("msetnx").key_step, 2);
        assert_eq!(df("json.mset").key_step, 3);
        assert_eq!(df("mget").key_step, 1);
        assert_eq!(
            keys(d, "mset", &["a", "1", "b", "2"]),
            vec![(0, OW_UPDATE), (2, OW_UPDATE)]
        );
        assert_eq!(
            positions(d, "json.mset", &["a", "$", "1", "b", "$", "2"]),
            vec![0, 3]
        );
    }

    #[test]
    fn dragonfly_variadic_keys() {
        let d = Dialect::Dragonfly;
        assert_eq!(
            keys(
                d,
                "zunionstore",
                &["dst", "2", "a", "b", "WEIGHTS", "1", "2"]
            ),
            vec![(0, OW_UPDATE), (2, OW_UPDATE), (3, OW_UPDATE)]
        );
        assert_eq!(positions(d, "zunion", &["2", "a", "b"]), vec![1, 2]);
        assert_eq!(
            positions(d, "blmpop", &["0", "2", "a", "b", "LEFT"]),
            vec![2, 3]
        );
        assert_eq!(
            positions(d, "cms.merge", &["dst", "2", "a", "b"]),
            vec![0, 2, 3]
        );
        assert_eq!(positions(d, "eval_ro", &["s", "1", "k", "arg"]), vec![2]);
        // EVAL: keys extracted but never checked.
        assert_eq!(keys(d, "eval", &["s", "1", "k"]), vec![(2, 0)]);
        assert!(!df("eval").key_acl_checked);
        let try_keys = |name: &str, words: &[&str]| try_keys_of(d, df(name), &args(words));
        assert_eq!(
            try_keys("zunion", &["0", "a"]),
            Err(KeysError::AtLeastOneKey)
        );
        assert_eq!(try_keys("zunion", &["x", "a"]), Err(KeysError::InvalidInt));
        assert_eq!(try_keys("zunion", &["-1", "a"]), Err(KeysError::InvalidInt));
        assert_eq!(try_keys("zunion", &["3", "a"]), Err(KeysError::Syntax));
        assert_eq!(try_keys("xread", &["COUNT", "1"]), Err(KeysError::Syntax));
        // A count of 0 is refused for *MPOP too (transaction.cc:1796-1800@v1.40.1).
        assert_eq!(
            try_keys("lmpop", &["0", "LEFT"]),
            Err(KeysError::AtLeastOneKey)
        );
        assert_eq!(
            try_keys("xread", &["BLOCK", "x", "STREAMS", "s", "0"]),
            Err(KeysError::InvalidInt)
        );
        assert_eq!(
            try_keys("xread", &["FOO", "STREAMS", "s", "0"]),
            Err(KeysError::Syntax)
        );
        assert!(keys(d, "zunion", &["0", "a"]).is_empty());
    }

    #[test]
    fn dragonfly_xread_and_georadiusbymember() {
        let d = Dialect::Dragonfly;
        assert_eq!(
            keys(d, "xread", &["COUNT", "2", "streams", "s1", "s2", "0", "0"]),
            vec![(3, RO_ACCESS), (4, RO_ACCESS)]
        );
        assert_eq!(
            positions(d, "xreadgroup", &["GROUP", "g", "c", "STREAMS", "a", ">"]),
            vec![4]
        );
        assert_eq!(
            positions(d, "georadiusbymember", &["k", "m", "1", "km", "STORE", "d"]),
            vec![5, 0]
        );
        // GEORADIUS and SORT add a trailing STORE destination too
        // (transaction.cc:1830-1849@v1.40.1), only as the second-to-last argument.
        assert_eq!(
            positions(d, "georadius", &["k", "0", "0", "1", "km", "STORE", "d"]),
            vec![6, 0]
        );
        assert_eq!(
            positions(
                d,
                "georadius",
                &["k", "0", "0", "1", "km", "STOREDIST", "d"]
            ),
            vec![6, 0]
        );
        assert_eq!(positions(d, "sort", &["k", "STORE", "d"]), vec![2, 0]);
        assert_eq!(positions(d, "sort", &["k", "STORE", "d", "ASC"]), vec![0]);
    }

    #[test]
    fn members_and_flags() {
        let d = Dialect::Dragonfly;
        let pubsub: Vec<_> = members(d, cat(d, "pubsub")).map(|c| c.name).collect();
        assert_eq!(pubsub.len(), 8);
        assert!(pubsub.iter().all(|n| df(n).pubsub));
        assert!(!df("pubsub").pubsub);
        assert!(df("xread").movable_keys && df("xread").blocking);
        let r = Dialect::Redis;
        assert!(members(r, cat(r, "dangerous")).any(|c| c.name == "flushall"));
        // Redis' `admin` is the command flag: LASTSAVE and ROLE are @admin without it.
        let no_flag: Vec<_> = members(r, cat(r, "admin"))
            .filter(|c| !c.admin)
            .map(|c| c.name)
            .collect();
        assert_eq!(no_flag, ["lastsave", "role"]);
        assert!(all(r).iter().filter(|c| c.admin).all(|c| c.dangerous));
        assert!(all(r)
            .iter()
            .all(|c| c.key_specs.is_empty() || c.first_key >= 0));
        assert!(all(d).iter().all(|c| c.key_specs.is_empty()));
    }
    #[test]
    fn generated_index_tables_match_the_command_table() {
        for d in [Dialect::Dragonfly, Dialect::Redis] {
            let table = all(d);
            for bit in 0..64u8 {
                let scanned: Vec<u16> = (0..table.len())
                    .filter(|&i| table[i].categories & (1u64 << bit) != 0)
                    .map(|i| i as u16)
                    .collect();
                assert_eq!(category_member_indexes(d, bit), scanned.as_slice());
                let words = category_words(d, bit);
                assert_eq!(words.len(), table.len().div_ceil(64));
                for i in 0..table.len() {
                    let set = words[i / 64] & (1u64 << (i % 64)) != 0;
                    assert_eq!(set, scanned.contains(&(i as u16)), "{d:?} {bit} {i}");
                }
            }
            for (index, command) in table.iter().enumerate() {
                let scanned: Vec<u16> = (0..table.len())
                    .filter(|&i| {
                        table[i]
                            .parent
                            .and_then(|p| lookup(d, p))
                            .is_some_and(|p| std::ptr::eq(p, command))
                    })
                    .map(|i| i as u16)
                    .collect();
                assert_eq!(
                    subcommand_indexes(d, index),
                    scanned.as_slice(),
                    "{}",
                    command.name
                );
            }
        }
    }
}
