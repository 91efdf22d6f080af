//! Effective permissions: the operations of every line of a user, replayed strictly left to
//! right over the command table, keeping for each command the token that last allowed or
//! denied it.

use super::commands::{self, Command, Dialect};
use super::parse::{AclFile, KeyPerm, Op, Rule};

// A token reference belongs to the parsed file; it is re-exported here, where provenance is
// recorded, so callers keep naming it `eval::TokenRef`.
pub use super::parse::TokenRef;

/// A set of commands of one dialect, by index in [`commands::all`].
#[derive(Debug, PartialEq, Eq)]
pub struct CommandSet {
    words: Vec<u64>,
}

impl Clone for CommandSet {
    fn clone(&self) -> Self {
        CommandSet {
            words: self.words.clone(),
        }
    }

    /// Reuses the allocation (acl-no-effect-token snapshots the set before every token).
    fn clone_from(&mut self, source: &Self) {
        self.words.clone_from(&source.words);
    }
}

impl CommandSet {
    fn empty(dialect: Dialect) -> Self {
        CommandSet {
            words: vec![0; commands::all(dialect).len().div_ceil(64)],
        }
    }

    pub fn contains(&self, index: usize) -> bool {
        self.words
            .get(index / 64)
            .is_some_and(|w| w & (1 << (index % 64)) != 0)
    }

    fn full(dialect: Dialect) -> Self {
        let len = commands::all(dialect).len();
        let mut words = vec![u64::MAX; len.div_ceil(64)];
        // Bits past the last command stay clear, as `set` leaves them (sets compare by words).
        if let Some(last) = words.last_mut().filter(|_| len % 64 != 0) {
            *last = (1u64 << (len % 64)) - 1;
        }
        CommandSet { words }
    }

    /// The raw bitset: bit `i % 64` of word `i / 64` for command `i`.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    fn set(&mut self, index: usize, on: bool) {
        let (word, bit) = (index / 64, 1u64 << (index % 64));
        if on {
            self.words[word] |= bit;
        } else {
            self.words[word] &= !bit;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            (0..64)
                .filter(move |b| word & (1 << b) != 0)
                .map(move |b| w * 64 + b)
        })
    }
}

/// Index of a command in its dialect's table.
pub fn command_index(dialect: Dialect, command: &Command) -> usize {
    let table = commands::all(dialect);
    let base = table.as_ptr() as usize;
    let at = command as *const Command as usize;
    (at - base) / std::mem::size_of::<Command>()
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyGrant {
    pub perm: KeyPerm,
    pub pattern: Vec<u8>,
    pub token: TokenRef,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChannelGrant {
    pub pattern: Vec<u8>,
    pub token: TokenRef,
}

/// Command, key and channel permissions (a user's root permissions, or a Redis selector).
#[derive(Clone, Debug, PartialEq)]
pub struct Permissions {
    pub allowed: CommandSet,
    /// For each command, the token that last allowed or denied it (`None`: the default).
    pub decided_by: Provenance,
    pub all_commands: bool,
    /// `+cmd|firstarg` grants (Redis), by command index.
    pub first_args: Vec<(usize, Vec<u8>, TokenRef)>,
    pub keys: Vec<KeyGrant>,
    /// The `~*`/`allkeys` token, when every key is allowed.
    pub all_keys: Option<TokenRef>,
    pub channels: Vec<ChannelGrant>,
    pub all_channels: Option<TokenRef>,
    /// The last `resetkeys`/`resetchannels`-like token, for "why is this denied" answers.
    pub keys_reset_by: Option<TokenRef>,
    pub channels_reset_by: Option<TokenRef>,
    /// Redis: where each pattern sits in `keys`, built once a user has many patterns, so a
    /// repeated pattern is found without scanning the list (20,000 patterns stay linear).
    key_slots: KeySlots,
}

/// For each command (by index in [`commands::all`]), the token that last allowed or denied it.
///
/// Stored as a small slot number per command into the few distinct tokens that decided
/// anything: a line decides all its commands with a handful of tokens, and an
/// `Option<TokenRef>` per command made 100,000 users cost 360 MB.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// Per command: 0 = no token decided it, k = `tokens[k - 1]`.
    slots: Vec<u16>,
    tokens: Vec<TokenRef>,
}

impl Provenance {
    fn new(commands: usize) -> Self {
        Provenance {
            slots: vec![0; commands],
            tokens: Vec::new(),
        }
    }

    /// The token that last decided the command, or `None` when it has its default.
    pub fn get(&self, index: usize) -> Option<TokenRef> {
        match self.slots.get(index).copied().unwrap_or(0) {
            0 => None,
            slot => Some(self.tokens[usize::from(slot) - 1]),
        }
    }

    /// The slot standing for `token`, added when it is not the latest one.
    fn slot_for(&mut self, token: TokenRef) -> u16 {
        if self.tokens.last() != Some(&token) {
            if self.tokens.len() == usize::from(u16::MAX) {
                self.compact();
            }
            self.tokens.push(token);
        }
        self.tokens.len() as u16
    }

    fn set(&mut self, index: usize, token: TokenRef) {
        let slot = self.slot_for(token);
        self.slots[index] = slot;
    }

    /// [`Provenance::set`] for every command of a category: the slot is found once.
    fn set_each(&mut self, indexes: &[u16], token: TokenRef) {
        let slot = self.slot_for(token);
        for &index in indexes {
            self.slots[usize::from(index)] = slot;
        }
    }

    fn fill(&mut self, token: TokenRef) {
        self.tokens.clear();
        self.tokens.push(token);
        self.slots.fill(1);
    }

    /// Drops the tokens no command refers to any more (at most one per command remains), so
    /// slot numbers stay small however many tokens a line has.
    fn compact(&mut self) {
        let mut renumbered = vec![0u16; self.tokens.len() + 1];
        let mut kept = Vec::new();
        for slot in &mut self.slots {
            if *slot == 0 {
                continue;
            }
            let old = usize::from(*slot);
            if renumbered[old] == 0 {
                kept.push(self.tokens[old - 1]);
                renumbered[old] = kept.len() as u16;
            }
            *slot = renumbered[old];
        }
        self.tokens = kept;
    }
}

impl PartialEq for Provenance {
    /// Equal when every command has the same deciding token, however the slots are numbered.
    fn eq(&self, other: &Self) -> bool {
        self.slots.len() == other.slots.len()
            && (0..self.slots.len()).all(|i| self.get(i) == other.get(i))
    }
}

/// A lookup cache over [`Permissions::keys`]: never part of what permissions mean.
#[derive(Clone, Debug, Default)]
struct KeySlots(std::collections::HashMap<Vec<u8>, usize>);

impl PartialEq for KeySlots {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Up to this many patterns a scan is cheaper than an index.
const SCANNED_KEYS: usize = 32;

impl Permissions {
    fn new(dialect: Dialect) -> Self {
        Permissions {
            allowed: CommandSet::empty(dialect),
            decided_by: Provenance::new(commands::all(dialect).len()),
            all_commands: false,
            first_args: Vec::new(),
            keys: Vec::new(),
            all_keys: None,
            channels: Vec::new(),
            all_channels: None,
            keys_reset_by: None,
            channels_reset_by: None,
            key_slots: KeySlots::default(),
        }
    }

    /// Redis: the position of a pattern already in `keys` (Redis keeps one entry per pattern).
    fn redis_key_slot(&mut self, pattern: &[u8]) -> Option<usize> {
        if self.keys.len() <= SCANNED_KEYS {
            return self.keys.iter().position(|g| g.pattern == pattern);
        }
        if self.key_slots.0.len() != self.keys.len() {
            self.key_slots.0 = self
                .keys
                .iter()
                .enumerate()
                .map(|(i, g)| (g.pattern.clone(), i))
                .collect();
        }
        self.key_slots.0.get(pattern).copied()
    }

    /// Whether the command (by index) is allowed.
    pub fn allows(&self, index: usize) -> bool {
        self.allowed.contains(index)
    }

    fn set_command(&mut self, index: usize, allow: bool, token: TokenRef) {
        self.allowed.set(index, allow);
        self.decided_by.set(index, token);
    }

    /// Only the command bitmap and its provenance; the first-args are [`apply_to_patterns`]'.
    fn set_all(&mut self, dialect: Dialect, allow: bool, token: TokenRef) {
        self.allowed = if allow {
            CommandSet::full(dialect)
        } else {
            CommandSet::empty(dialect)
        };
        self.decided_by.fill(token);
        self.all_commands = allow;
    }

    /// Only the command bitmap and its provenance; the first-args are [`apply_to_patterns`]'.
    fn set_with_subcommands(
        &mut self,
        dialect: Dialect,
        index: usize,
        allow: bool,
        token: TokenRef,
    ) {
        self.set_command(index, allow, token);
        if dialect == Dialect::Redis {
            for &sub in commands::subcommand_indexes(dialect, index) {
                self.set_command(usize::from(sub), allow, token);
            }
        }
    }

    /// A copy of everything but the command bitmap and its provenance (left empty), for
    /// what-if replays of [`apply_to_patterns`] that must not pay for the command table.
    pub(crate) fn patterns_clone(&self) -> Permissions {
        Permissions {
            allowed: CommandSet { words: Vec::new() },
            decided_by: Provenance::default(),
            all_commands: self.all_commands,
            first_args: self.first_args.clone(),
            keys: self.keys.clone(),
            all_keys: self.all_keys,
            channels: self.channels.clone(),
            all_channels: self.all_channels,
            keys_reset_by: self.keys_reset_by,
            channels_reset_by: self.channels_reset_by,
            key_slots: self.key_slots.clone(),
        }
    }

    /// Same key patterns, channel patterns and first-args as [`EffectiveUser::same_permissions`]
    /// compares them (the command bitmap is not compared).
    pub fn same_patterns(&self, other: &Permissions) -> bool {
        self.all_keys.is_some() == other.all_keys.is_some()
            && self.all_channels.is_some() == other.all_channels.is_some()
            && same_set(&self.keys, &other.keys, |k| {
                (k.perm as u8, k.pattern.as_slice())
            })
            && same_set(&self.channels, &other.channels, |c| c.pattern.as_slice())
            && same_multiset(&self.first_args, &other.first_args, |(i, a, _)| {
                (*i, a.as_slice())
            })
    }
}

/// Whether two lists hold the same set of keys (order and repetitions ignored), without
/// allocating for the few entries a permission set usually has.
fn same_set<'a, T, K: Ord>(a: &'a [T], b: &'a [T], key: impl Fn(&'a T) -> K) -> bool {
    if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| key(x) == key(y)) {
        return true;
    }
    if a.len() <= 16 && b.len() <= 16 {
        let within = |x: &'a [T], y: &'a [T]| x.iter().all(|e| y.iter().any(|f| key(e) == key(f)));
        return within(a, b) && within(b, a);
    }
    let sorted = |x: &'a [T]| {
        let mut keys: Vec<K> = x.iter().map(&key).collect();
        keys.sort();
        keys.dedup();
        keys
    };
    sorted(a) == sorted(b)
}

/// Whether two lists hold the same keys with the same repetitions (order ignored).
fn same_multiset<'a, T, K: Ord>(a: &'a [T], b: &'a [T], key: impl Fn(&'a T) -> K) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.iter().zip(b).all(|(x, y)| key(x) == key(y)) {
        return true;
    }
    let sorted = |x: &'a [T]| {
        let mut keys: Vec<K> = x.iter().map(&key).collect();
        keys.sort();
        keys
    };
    sorted(a) == sorted(b)
}

#[derive(Clone, Debug, PartialEq)]
pub struct PasswordGrant {
    /// SHA-256 of the password (never the password).
    pub fingerprint: [u8; 32],
    /// Given as `#<hash>` rather than `>password`.
    pub hashed: bool,
    pub token: TokenRef,
}

/// What a user may do once every rule has been applied.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectiveUser {
    pub name: String,
    /// Lines (indexes in [`AclFile::users`]) that define this user, in order.
    pub lines: Vec<u32>,
    /// No line defines it: the server's built-in user (`default` without a `user default` line).
    pub implicit: bool,
    pub enabled: bool,
    pub enabled_by: Option<TokenRef>,
    pub passwords: Vec<PasswordGrant>,
    pub nopass: Option<TokenRef>,
    /// `$<db>`; `None` = every database.
    pub db: Option<u32>,
    /// The `$<db>`/`$all` token that set [`EffectiveUser::db`].
    pub db_token: Option<TokenRef>,
    pub namespace: Option<String>,
    pub root: Permissions,
    /// Redis selectors, each an alternative set of permissions.
    pub selectors: Vec<Permissions>,
    password_index: PasswordIndex,
}

/// A lookup cache over [`EffectiveUser::passwords`], built once a user has many (one user
/// redefined on 100,000 lines gathers 100,000 passwords, and a scan per password made that
/// quadratic): never part of what a user is.
#[derive(Clone, Debug, Default)]
struct PasswordIndex(std::collections::HashSet<[u8; 32]>);

impl PartialEq for PasswordIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Up to this many passwords a scan is cheaper than an index.
const SCANNED_PASSWORDS: usize = 32;

impl EffectiveUser {
    fn has_password(&mut self, fingerprint: &[u8; 32]) -> bool {
        if self.passwords.len() <= SCANNED_PASSWORDS {
            return self.passwords.iter().any(|p| &p.fingerprint == fingerprint);
        }
        if self.password_index.0.len() != self.passwords.len() {
            self.password_index.0 = self.passwords.iter().map(|p| p.fingerprint).collect();
        }
        self.password_index.0.contains(fingerprint)
    }

    /// A user as the server creates it before applying rules: off, no passwords, `-@all`, no
    /// keys, `resetchannels`.
    pub fn fresh(name: &str, dialect: Dialect) -> Self {
        EffectiveUser::new(name, dialect)
    }

    /// Same command, key and channel permissions (ignoring which token decided them).
    pub fn same_permissions(&self, other: &EffectiveUser) -> bool {
        fn same(a: &Permissions, b: &Permissions) -> bool {
            a.allowed == b.allowed && a.same_patterns(b)
        }
        same(&self.root, &other.root)
            && self.selectors.len() == other.selectors.len()
            && self
                .selectors
                .iter()
                .zip(&other.selectors)
                .all(|(a, b)| same(a, b))
    }

    fn new(name: &str, dialect: Dialect) -> Self {
        EffectiveUser {
            name: name.to_string(),
            lines: Vec::new(),
            implicit: false,
            enabled: false,
            enabled_by: None,
            passwords: Vec::new(),
            nopass: None,
            db: None,
            db_token: None,
            namespace: None,
            root: Permissions::new(dialect),
            selectors: Vec::new(),
            password_index: PasswordIndex::default(),
        }
    }

    /// The built-in `default` user when the file does not define it: `on nopass ~* &* +@all`,
    /// every key and channel included (Dragonfly `DefaultUserUpdateRequest`,
    /// src/server/acl/user_registry.cc:136-145@v1.40.1, applied by
    /// src/server/acl/acl_family.cc:353-358@v1.40.1; Redis `ACLCreateDefaultUser`).
    /// Its provenance is [`TokenRef::BUILTIN`].
    pub fn builtin_default(dialect: Dialect) -> Self {
        let mut user = EffectiveUser::new("default", dialect);
        user.implicit = true;
        user.enabled = true;
        user.enabled_by = Some(TokenRef::BUILTIN);
        user.nopass = Some(TokenRef::BUILTIN);
        user.root.set_all(dialect, true, TokenRef::BUILTIN);
        user.root.all_keys = Some(TokenRef::BUILTIN);
        user.root.all_channels = Some(TokenRef::BUILTIN);
        user
    }

    /// Whether the user needs no password (`nopass`, or the built-in default user).
    pub fn is_nopass(&self) -> bool {
        self.nopass.is_some()
    }

    /// Every set of permissions: the root, then the selectors.
    pub fn permission_sets(&self) -> impl Iterator<Item = &Permissions> {
        std::iter::once(&self.root).chain(&self.selectors)
    }

    /// Allowed by the root or any selector.
    pub fn allows_command(&self, dialect: Dialect, command: &Command) -> bool {
        let index = command_index(dialect, command);
        self.permission_sets().any(|p| p.allows(index))
    }
}

/// A rule the server refuses while applying it (Redis: removing a password the user does not
/// have), which rejects the line.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyError {
    pub token: TokenRef,
    pub message: String,
}

/// Replays every line of a parsed file. Users appear in the order they are first defined;
/// `default` is added (as the server's built-in user) when no line defines it.
pub fn evaluate(file: &AclFile) -> (Vec<EffectiveUser>, Vec<ApplyError>) {
    let dialect = file.dialect;
    let mut users: Vec<EffectiveUser> = Vec::new();
    // Names borrowed from the file: no copy per line.
    let mut by_name: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut errors = Vec::new();
    for (line_index, line) in file.users.iter().enumerate() {
        // A name index keeps files with 100,000 users linear.
        let position = *by_name.entry(line.name()).or_insert_with(|| {
            users.push(EffectiveUser::new(line.name(), dialect));
            users.len() - 1
        });
        let user = &mut users[position];
        user.lines.push(line_index as u32);
        if dialect == Dialect::Dragonfly && user.lines.len() > 1 {
            // Dragonfly loads every line as its own update of the user, each starting with
            // `-@all` (src/server/acl/acl_family.cc:342-349@v1.40.1): the commands of an
            // earlier line are dropped, while passwords, key and channel patterns, on/off and
            // `$db` carry over (src/server/acl/user.cc:288-314@v1.40.1), and the namespace is
            // set again from this line, empty when it has none (user.cc:89).
            let token = TokenRef {
                line: line_index as u32,
                token: line.name_token as u32,
            };
            user.root.set_all(dialect, false, token);
            user.namespace = None;
        }
        if let Err(error) = apply_rules(user, dialect, &line.rules, line_index as u32) {
            errors.push(error);
        }
    }
    if !users.iter().any(|u| u.name == "default") {
        users.insert(0, EffectiveUser::builtin_default(dialect));
    }
    (users, errors)
}

/// Applies rules to a user (also used for `ACL SETUSER` argument lists).
pub fn apply_rules(
    user: &mut EffectiveUser,
    dialect: Dialect,
    rules: &[Rule],
    line: u32,
) -> Result<(), ApplyError> {
    for rule in rules {
        let token = TokenRef {
            line,
            token: rule.token as u32,
        };
        apply(user, dialect, &rule.op, token)?;
    }
    Ok(())
}

fn apply(
    user: &mut EffectiveUser,
    dialect: Dialect,
    op: &Op,
    token: TokenRef,
) -> Result<(), ApplyError> {
    match op {
        Op::On => {
            user.enabled = true;
            user.enabled_by = Some(token);
        }
        Op::Off => {
            user.enabled = false;
            user.enabled_by = Some(token);
        }
        Op::AddPassword(fingerprint) | Op::AddHash(Some(fingerprint)) => {
            if !user.has_password(fingerprint) {
                // Keep the index in step when it is in use.
                if !user.password_index.0.is_empty()
                    && user.password_index.0.len() == user.passwords.len()
                {
                    user.password_index.0.insert(*fingerprint);
                }
                user.passwords.push(PasswordGrant {
                    fingerprint: *fingerprint,
                    hashed: matches!(op, Op::AddHash(_)),
                    token,
                });
            }
            // Both servers: a password clears `nopass` (Dragonfly `SetPasswordHash`,
            // src/server/acl/user.cc:92-93@v1.40.1).
            user.nopass = None;
        }
        // Dragonfly drops a malformed hash silently, but it still clears `nopass` first
        // (src/server/acl/user.cc:92-101@v1.40.1).
        Op::AddHash(None) => user.nopass = None,
        Op::RemovePassword(fingerprint) | Op::RemoveHash(Some(fingerprint)) => {
            let before = user.passwords.len();
            user.passwords.retain(|p| &p.fingerprint != fingerprint);
            user.password_index.0.clear();
            if dialect == Dialect::Redis && before == user.passwords.len() {
                return Err(ApplyError {
                    token,
                    message: "removes a password the user does not have; Redis refuses the rule"
                        .into(),
                });
            }
        }
        Op::RemoveHash(None) => {}
        Op::NoPass => {
            user.passwords.clear();
            user.password_index.0.clear();
            user.nopass = Some(token);
        }
        Op::ResetPass => {
            user.passwords.clear();
            user.password_index.0.clear();
            // Dragonfly keeps the nopass flag; Redis clears it.
            if dialect == Dialect::Redis {
                user.nopass = None;
            }
        }
        Op::Db(db) => {
            user.db = *db;
            user.db_token = Some(token);
        }
        Op::Namespace(ns) => user.namespace = Some(ns.clone()),
        Op::Reset => {
            user.passwords.clear();
            user.password_index.0.clear();
            user.nopass = None;
            user.enabled = false;
            user.enabled_by = Some(token);
            user.selectors.clear();
        }
        Op::ClearSelectors => user.selectors.clear(),
        Op::Selector(rules) => {
            let mut selector = Permissions::new(dialect);
            for rule in rules {
                apply_permission(&mut selector, dialect, &rule.op, token);
            }
            user.selectors.push(selector);
        }
        _ => {}
    }
    for root_op in root_permission_ops(op) {
        apply_permission(&mut user.root, dialect, root_op, token);
    }
    Ok(())
}

/// What `reset` does to the root permissions (the rest of it is in [`apply`]).
static RESET_ROOT: [Op; 3] = [Op::ResetKeys, Op::ResetChannels, Op::NoCommands];

/// The operations a rule applies to the user's root permissions, in order: the rule itself
/// for a permission rule, `resetkeys resetchannels nocommands` for `reset`, nothing for the
/// rules about the user itself or its selectors. [`apply`] and what-if replays of the root
/// (acl-no-effect-token) both go through this.
pub(crate) fn root_permission_ops(op: &Op) -> &[Op] {
    match op {
        Op::Reset => &RESET_ROOT,
        Op::On
        | Op::Off
        | Op::AddPassword(_)
        | Op::AddHash(_)
        | Op::RemovePassword(_)
        | Op::RemoveHash(_)
        | Op::NoPass
        | Op::ResetPass
        | Op::Db(_)
        | Op::Namespace(_)
        | Op::ClearSelectors
        | Op::Selector(_) => &[],
        other => std::slice::from_ref(other),
    }
}

fn apply_permission(perms: &mut Permissions, dialect: Dialect, op: &Op, token: TokenRef) {
    apply_to_commands(perms, dialect, op, token);
    apply_to_patterns(perms, dialect, op, token);
}

/// The command bitmap part of a permission rule: which commands are allowed, and by which token.
fn apply_to_commands(perms: &mut Permissions, dialect: Dialect, op: &Op, token: TokenRef) {
    match op {
        Op::AllCommands => perms.set_all(dialect, true, token),
        Op::NoCommands => perms.set_all(dialect, false, token),
        Op::Category { allow, bit } => {
            // Redis (`ACLSetSelectorCommandBitsForCategoryLogic`) calls
            // `ACLChangeSelectorPerm` for every member: a container in the category (they are
            // all implicitly `@slow`) changes all its subcommands too.
            if dialect == Dialect::Redis {
                for &index in commands::category_member_indexes(dialect, *bit) {
                    perms.set_with_subcommands(dialect, usize::from(index), *allow, token);
                }
            } else {
                // No subcommands to follow: one pass over the words, one over the members.
                let members = commands::category_words(dialect, *bit);
                for (word, &m) in perms.allowed.words.iter_mut().zip(members) {
                    if *allow {
                        *word |= m;
                    } else {
                        *word &= !m;
                    }
                }
                perms
                    .decided_by
                    .set_each(commands::category_member_indexes(dialect, *bit), token);
            }
            if !allow {
                perms.all_commands = false;
            }
        }
        Op::Command { allow, command } => {
            perms.set_with_subcommands(dialect, command_index(dialect, command), *allow, token);
            if !allow {
                perms.all_commands = false;
            }
        }
        _ => {}
    }
}

/// Everything of a permission rule but the command bitmap: key and channel patterns, and the
/// first-args, which command rules flush. Works on a [`Permissions::patterns_clone`] too.
pub(crate) fn apply_to_patterns(
    perms: &mut Permissions,
    dialect: Dialect,
    op: &Op,
    token: TokenRef,
) {
    match op {
        Op::Keys { perm, pattern } => {
            // Both servers parse the literal `~*` as `allkeys`; `%RW~*` stays an ordinary glob,
            // which (unlike `allkeys`) does not match the empty key name
            // (src/server/acl/acl_family.cc:751@v1.40.1; Redis `ACLSetSelector`).
            let slot = match dialect {
                Dialect::Redis => perms.redis_key_slot(pattern),
                Dialect::Dragonfly => None,
            };
            if let Some(grant) = slot.map(|i| &mut perms.keys[i]) {
                // Redis keeps one entry per pattern and ORs the flags of a repeated one
                // (`%R~a %W~a` is `~a`): `ACLSetSelector`, `listSearchKey` + `flags |=`.
                let merged = grant.perm.union(*perm);
                if merged != grant.perm {
                    grant.perm = merged;
                    grant.token = token;
                }
            } else {
                // Keep the index in step when it is in use.
                if !perms.key_slots.0.is_empty() && perms.key_slots.0.len() == perms.keys.len() {
                    perms.key_slots.0.insert(pattern.clone(), perms.keys.len());
                }
                perms.keys.push(KeyGrant {
                    perm: *perm,
                    pattern: pattern.clone(),
                    token,
                });
            }
        }
        Op::AllKeys => {
            perms.all_keys = Some(token);
            perms.keys.clear();
            perms.key_slots.0.clear();
        }
        Op::ResetKeys => {
            perms.all_keys = None;
            perms.keys.clear();
            perms.key_slots.0.clear();
            perms.keys_reset_by = Some(token);
        }
        Op::Channel(pattern) => {
            if dialect == Dialect::Redis && pattern == b"*" {
                perms.all_channels = Some(token);
                perms.channels.clear();
            } else {
                perms.channels.push(ChannelGrant {
                    pattern: pattern.clone(),
                    token,
                });
            }
        }
        Op::AllChannels => {
            perms.all_channels = Some(token);
            perms.channels.clear();
        }
        Op::ResetChannels => {
            perms.all_channels = None;
            perms.channels.clear();
            perms.channels_reset_by = Some(token);
        }
        // Redis: `+@all`/`allcommands` and `-@all`/`nocommands` both flush the first-args.
        Op::AllCommands | Op::NoCommands => perms.first_args.clear(),
        // `ACLChangeSelectorPerm` flushes the first-args of every command it changes (the
        // category members or the command itself, not their subcommands):
        // `+select|0 -@fast` denies `SELECT 0`.
        Op::Category { bit, .. } if !perms.first_args.is_empty() => {
            let members = commands::category_words(dialect, *bit);
            perms.first_args.retain(|(i, _, _)| {
                members
                    .get(i / 64)
                    .is_none_or(|w| w & (1u64 << (i % 64)) == 0)
            });
        }
        Op::Command { command, .. } if !perms.first_args.is_empty() => {
            let index = command_index(dialect, command);
            perms.first_args.retain(|(i, _, _)| *i != index);
        }
        Op::FirstArg { command, arg } => {
            let index = command_index(dialect, command);
            perms.first_args.push((index, arg.clone(), token));
        }
        _ => {}
    }
}
