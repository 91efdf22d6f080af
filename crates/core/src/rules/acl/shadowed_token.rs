//! DF218 (acl-no-effect-token): for every permission token of a line, whether removing it
//! would leave the user's permissions unchanged — in time linear in the tokens of the line (a
//! 1 MiB ACL line is checked in a fraction of a second), where replaying the line without each
//! token was quadratic. Commands: only the token that last decided a command can matter
//! (`decided_by`). Key and channel patterns: numbered once per line, counted since the last
//! reset, with one pass over the line to find the last reset and the patterns at the end.
//! First-args: where each command's are last flushed. Debug builds cross-check the answers
//! against the replay on short lines, and tests/acl_no_effect_token_equivalence.rs against the
//! replay-from-scratch algorithm on thousands of generated files.

use std::collections::HashMap;

use crate::acl::commands::{self, Dialect};
use crate::acl::eval::{
    apply_rules, apply_to_patterns, command_index, root_permission_ops, CommandSet, EffectiveUser,
    Permissions, TokenRef,
};
use crate::acl::parse::{KeyPerm, Op, Rule as AclRule};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ShadowedToken;

static META: RuleMeta = RuleMeta {
    code: "DF218",
    name: "acl-no-effect-token",
    severity: Severity::Warning,
    summary:
        "An ACL token changes nothing: already in effect, or undone by a later token on the line.",
    docs: rule_docs!("shadowed_token.md"),
    scope: crate::rules::Scope::Object,
};

fn is_permission_op(op: &Op) -> bool {
    matches!(
        op,
        Op::Keys { .. }
            | Op::AllKeys
            | Op::ResetKeys
            | Op::Channel(_)
            | Op::AllChannels
            | Op::ResetChannels
            | Op::Category { .. }
            | Op::AllCommands
            | Op::NoCommands
            | Op::Command { .. }
            | Op::FirstArg { .. }
    )
}

/// Grants and patterns: a redundant one is noise or a misunderstanding. Redundant denials and
/// resets (`-@all` on a new user, a defensive `-@dangerous`) state intent and are fine.
fn is_grant(op: &Op) -> bool {
    matches!(
        op,
        Op::Keys { .. }
            | Op::AllKeys
            | Op::Channel(_)
            | Op::AllChannels
            | Op::Category { allow: true, .. }
            | Op::AllCommands
            | Op::Command { allow: true, .. }
            | Op::FirstArg { .. }
    )
}

/// For a denial whose every command is allowed again by later tokens (the classic
/// `-@dangerous +@all`), one of those later tokens.
fn regranted_later(full: &EffectiveUser, dialect: Dialect, op: &Op, token: usize) -> Option<u32> {
    let single;
    let denied: &[u16] = match op {
        Op::Category { allow: false, bit } => commands::category_member_indexes(dialect, *bit),
        Op::Command {
            allow: false,
            command,
        } => {
            single = [command_index(dialect, command) as u16];
            &single
        }
        _ => return None,
    };
    let mut later = None;
    for &i in denied {
        let i = usize::from(i);
        let decided = full.root.decided_by.get(i)?;
        if !full.root.allows(i) || decided.token as usize <= token {
            return None;
        }
        later = later.or(Some(decided.token));
    }
    later
}

/// Only the root's pattern lists: key and channel patterns, first-args. [`PatternState`]
/// follows them; the command bitmap never depends on them.
fn is_pattern_only(op: &Op) -> bool {
    matches!(
        op,
        Op::Keys { .. }
            | Op::AllKeys
            | Op::ResetKeys
            | Op::Channel(_)
            | Op::AllChannels
            | Op::ResetChannels
            | Op::FirstArg { .. }
    )
}

fn is_command_op(op: &Op) -> bool {
    matches!(
        op,
        Op::Category { .. } | Op::Command { .. } | Op::AllCommands | Op::NoCommands
    )
}

/// The line applied to a fresh user for its command bitmap and provenance (`decided_by`), the
/// only parts of the whole line's user the rule reads; `None` when the server refuses the line.
/// The pattern lists and selectors are skipped (Redis looks up every repeated key pattern in a
/// list): the command rules do not depend on them, and the only apply errors (Redis removing a
/// missing password) do not depend on any permission rule.
fn replay_commands(
    name: &str,
    dialect: Dialect,
    rules: &[AclRule],
    line: u32,
) -> Option<EffectiveUser> {
    let mut user = EffectiveUser::fresh(name, dialect);
    for rule in rules {
        if is_pattern_only(&rule.op) || matches!(rule.op, Op::Selector(_) | Op::ClearSelectors) {
            continue;
        }
        apply_rules(&mut user, dialect, std::slice::from_ref(rule), line).ok()?;
    }
    Some(user)
}

/// Read and write as bits: [`KeyPerm::union`] is their union.
fn perm_bits(perm: KeyPerm) -> u8 {
    match perm {
        KeyPerm::Read => 1,
        KeyPerm::Write => 2,
        KeyPerm::ReadWrite => 3,
    }
}

/// The key and channel patterns of a line numbered in order of first appearance, told apart as
/// [`Permissions::same_patterns`] does: a key pattern by `(permission, pattern)` on Dragonfly,
/// which keeps an entry per token, by pattern alone on Redis, which keeps one entry per pattern
/// and merges the permissions of a repeated one into it. One hash per token: the passes over
/// the line then index arrays.
///
/// [`Permissions::same_patterns`]: crate::acl::eval::Permissions::same_patterns
struct Numbered {
    /// By rule: the number of its key or channel pattern (0 for other rules).
    of_rule: Vec<u32>,
    keys: usize,
    channels: usize,
}

impl Numbered {
    fn of(dialect: Dialect, rules: &[AclRule]) -> Self {
        let mut keys: HashMap<(u8, &[u8]), u32> = HashMap::new();
        let mut channels: HashMap<&[u8], u32> = HashMap::new();
        let of_rule = rules
            .iter()
            .map(|rule| match &rule.op {
                Op::Keys { perm, pattern } => {
                    let bits = match dialect {
                        Dialect::Dragonfly => perm_bits(*perm),
                        Dialect::Redis => 0,
                    };
                    let next = keys.len() as u32;
                    *keys.entry((bits, pattern)).or_insert(next)
                }
                Op::Channel(pattern) => {
                    let next = channels.len() as u32;
                    *channels.entry(pattern).or_insert(next)
                }
                _ => 0,
            })
            .collect();
        Numbered {
            of_rule,
            keys: keys.len(),
            channels: channels.len(),
        }
    }
}

/// One key or channel pattern of a [`PatternState`].
#[derive(Clone, Copy, Default)]
struct Entry {
    /// Its key permissions (Redis: merged over its tokens; none for a channel).
    bits: u8,
    /// The tokens that granted it since the last reset (none: not granted), and how many of
    /// them grant read, and write.
    tokens: u32,
    reads: u32,
    writes: u32,
}

/// The key patterns or the channel patterns of a [`PatternState`], by number.
struct Patterns {
    /// `allkeys` / `allchannels`.
    all: bool,
    entries: Vec<Entry>,
    /// The numbers granted since the last reset, which clears only those: many resets after
    /// one long list of patterns stay linear.
    granted: Vec<u32>,
}

impl Patterns {
    fn new(count: usize) -> Self {
        Patterns {
            all: false,
            entries: vec![Entry::default(); count],
            granted: Vec::new(),
        }
    }

    fn get(&self, number: u32) -> Option<&Entry> {
        Some(&self.entries[number as usize]).filter(|e| e.tokens > 0)
    }

    fn grant(&mut self, number: u32, bits: u8) {
        let entry = &mut self.entries[number as usize];
        if entry.tokens == 0 {
            self.granted.push(number);
        }
        entry.bits |= bits;
        entry.tokens += 1;
        entry.reads += u32::from(bits & 1);
        entry.writes += u32::from(bits >> 1);
    }

    fn reset(&mut self, all: bool) {
        self.all = all;
        for &number in &self.granted {
            self.entries[number as usize] = Entry::default();
        }
        self.granted.clear();
    }

    fn is_empty(&self) -> bool {
        self.granted.is_empty()
    }

    /// Whether the line ends the same without the reset that made these patterns (the state
    /// before it) into `end`'s, the last reset: only when they already were what it sets, with
    /// only patterns that the rest of the line grants anyway, with at least their permissions.
    fn same_without_last_reset(&self, end: &Patterns) -> bool {
        self.all == end.all
            && self.granted.iter().all(|&number| {
                let bits = self.entries[number as usize].bits;
                end.get(number).is_some_and(|e| e.bits | bits == e.bits)
            })
    }
}

/// The commands whose first-args a rule flushes ([`apply_to_patterns`]).
enum Flush {
    Nothing,
    All,
    Words(&'static [u64]),
    One(usize),
}

impl Flush {
    fn of(dialect: Dialect, op: &Op) -> Flush {
        match op {
            Op::AllCommands | Op::NoCommands => Flush::All,
            Op::Category { bit, .. } => Flush::Words(commands::category_words(dialect, *bit)),
            Op::Command { command, .. } => Flush::One(command_index(dialect, command)),
            _ => Flush::Nothing,
        }
    }

    fn word(&self, w: usize) -> u64 {
        match self {
            Flush::Nothing => 0,
            Flush::All => u64::MAX,
            Flush::Words(words) => words.get(w).copied().unwrap_or(0),
            Flush::One(i) if i / 64 == w => 1 << (i % 64),
            Flush::One(_) => 0,
        }
    }
}

fn resets_keys(op: &Op) -> bool {
    matches!(op, Op::AllKeys | Op::ResetKeys)
}

fn resets_channels(dialect: Dialect, op: &Op) -> bool {
    match op {
        Op::AllChannels | Op::ResetChannels => true,
        // Redis takes `&*` as `allchannels`.
        Op::Channel(pattern) => dialect == Dialect::Redis && pattern == b"*",
        _ => false,
    }
}

/// What [`Permissions::same_patterns`] compares of the root permissions (`allkeys`, key
/// patterns, `allchannels`, channel patterns, first-args), as [`apply_to_patterns`] builds
/// it, with the patterns numbered ([`Numbered`]) and counted instead of listed; first-args only
/// as the set of commands that have some (every first-arg token changes their multiset).
///
/// [`Permissions::same_patterns`]: crate::acl::eval::Permissions::same_patterns
struct PatternState {
    keys: Patterns,
    channels: Patterns,
    first_args: Vec<u64>,
}

impl PatternState {
    fn fresh(dialect: Dialect, numbered: &Numbered) -> Self {
        PatternState {
            keys: Patterns::new(numbered.keys),
            channels: Patterns::new(numbered.channels),
            first_args: vec![0; commands::all(dialect).len().div_ceil(64)],
        }
    }

    /// [`apply_to_patterns`], for one of the [`root_permission_ops`] of a rule whose pattern
    /// has `number`.
    fn apply(&mut self, dialect: Dialect, op: &Op, number: u32) {
        match op {
            Op::Keys { perm, .. } => self.keys.grant(number, perm_bits(*perm)),
            Op::AllKeys | Op::ResetKeys => self.keys.reset(matches!(op, Op::AllKeys)),
            op if resets_channels(dialect, op) => {
                self.channels.reset(!matches!(op, Op::ResetChannels))
            }
            Op::Channel(_) => self.channels.grant(number, 0),
            Op::FirstArg { command, .. } => {
                let i = command_index(dialect, command);
                self.first_args[i / 64] |= 1 << (i % 64);
            }
            op => {
                let flush = Flush::of(dialect, op);
                for (w, word) in self.first_args.iter_mut().enumerate() {
                    *word &= !flush.word(w);
                }
            }
        }
    }

    /// Whether applying the permission rule `op` here leaves the patterns as they are.
    fn unchanged_by(&self, dialect: Dialect, op: &Op, number: u32) -> bool {
        match op {
            Op::Keys { perm, .. } => {
                let bits = perm_bits(*perm);
                self.keys
                    .get(number)
                    .is_some_and(|e| e.bits | bits == e.bits)
            }
            Op::AllKeys | Op::ResetKeys => {
                self.keys.all == matches!(op, Op::AllKeys) && self.keys.is_empty()
            }
            op if resets_channels(dialect, op) => {
                self.channels.all == !matches!(op, Op::ResetChannels) && self.channels.is_empty()
            }
            Op::Channel(_) => self.channels.get(number).is_some(),
            // A first-arg is one more entry of a multiset.
            Op::FirstArg { .. } => false,
            op => {
                let flush = Flush::of(dialect, op);
                (0..self.first_args.len()).all(|w| self.first_args[w] & flush.word(w) == 0)
            }
        }
    }

    /// Whether the line without the permission rule `op` at `index` (its pattern numbered
    /// `number`), applied on these patterns (the state just before it), ends with the same
    /// patterns as the whole line. Only the part `op` touches (keys, channels or first-args)
    /// can differ, and:
    ///
    /// * a later reset of that part (`resetkeys`/`allkeys`/`reset` for keys, likewise for
    ///   channels) makes the end independent of everything before it;
    /// * after the last reset, key and channel rules only add: a pattern granted by this token
    ///   stays when another token after that reset grants it too, with every permission this
    ///   one brings (Redis merges them);
    /// * the last reset itself: [`Patterns::same_without_last_reset`], once per line;
    /// * a first-arg stays unless a later rule flushes its command; a rule that flushes some
    ///   changes nothing when later rules flush them all again.
    fn undone_after(
        &self,
        later: &Later,
        dialect: Dialect,
        op: &Op,
        number: u32,
        index: usize,
    ) -> bool {
        let after = |last: Option<usize>| last.is_some_and(|last| last > index);
        let end = &later.end;
        match op {
            Op::Keys { .. } | Op::AllKeys | Op::ResetKeys if after(later.keys_reset) => true,
            Op::Keys { perm, .. } => {
                let bits = perm_bits(*perm);
                end.keys.get(number).is_some_and(|e| {
                    e.tokens >= 2
                        && (bits & 1 == 0 || e.reads >= 2)
                        && (bits & 2 == 0 || e.writes >= 2)
                })
            }
            Op::AllKeys | Op::ResetKeys => self.keys.same_without_last_reset(&end.keys),
            Op::Channel(_) | Op::AllChannels | Op::ResetChannels if after(later.channels_reset) => {
                true
            }
            op if resets_channels(dialect, op) => {
                self.channels.same_without_last_reset(&end.channels)
            }
            Op::Channel(_) => end.channels.get(number).is_some_and(|e| e.tokens >= 2),
            Op::FirstArg { command, .. } => {
                later.flushed_after(command_index(dialect, command), index)
            }
            op => {
                let flush = Flush::of(dialect, op);
                self.first_args.iter().enumerate().all(|(w, &word)| {
                    let mut bits = word & flush.word(w);
                    while bits != 0 {
                        let i = w * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        if !later.flushed_after(i, index) {
                            return false;
                        }
                    }
                    true
                })
            }
        }
    }
}

/// What the rest of a line does, from one pass over it: where the keys and channels are last
/// reset, where each command's first-args are last flushed, and the patterns at the end.
struct Later {
    dialect: Dialect,
    numbered: Numbered,
    keys_reset: Option<usize>,
    channels_reset: Option<usize>,
    /// The last `+@all`/`-@all`-like rule, which flushes every first-arg.
    all_flushed: Option<usize>,
    /// By command index: the last command or category rule that flushes its first-args.
    flushed: Vec<Option<usize>>,
    end: PatternState,
}

impl Later {
    fn of(dialect: Dialect, rules: &[AclRule]) -> Self {
        let numbered = Numbered::of(dialect, rules);
        // Only first-arg grants (`+config|get`) are ever asked whether a later rule flushes
        // them: a line without one needs no per-command table (filling it for every category
        // token was a third of this rule's time on a typical tenant line).
        let first_args = rules.iter().any(|rule| {
            root_permission_ops(&rule.op)
                .iter()
                .any(|op| matches!(op, Op::FirstArg { .. }))
        });
        let mut later = Later {
            dialect,
            keys_reset: None,
            channels_reset: None,
            all_flushed: None,
            flushed: if first_args {
                vec![None; commands::all(dialect).len()]
            } else {
                Vec::new()
            },
            end: PatternState::fresh(dialect, &numbered),
            numbered,
        };
        for (index, rule) in rules.iter().enumerate() {
            for op in root_permission_ops(&rule.op) {
                if resets_keys(op) {
                    later.keys_reset = Some(index);
                }
                if resets_channels(dialect, op) {
                    later.channels_reset = Some(index);
                }
                match Flush::of(dialect, op) {
                    _ if !first_args => {}
                    Flush::Nothing => {}
                    Flush::All => later.all_flushed = Some(index),
                    Flush::One(i) => later.flushed[i] = Some(index),
                    Flush::Words(words) => {
                        for (w, &word) in words.iter().enumerate() {
                            let mut bits = word;
                            while bits != 0 {
                                let i = w * 64 + bits.trailing_zeros() as usize;
                                bits &= bits - 1;
                                if let Some(slot) = later.flushed.get_mut(i) {
                                    *slot = Some(index);
                                }
                            }
                        }
                    }
                }
                later.end.apply(dialect, op, later.numbered.of_rule[index]);
            }
        }
        later
    }

    /// Whether a rule after `index` flushes the first-args of command `i`.
    fn flushed_after(&self, i: usize, index: usize) -> bool {
        self.all_flushed.is_some_and(|at| at > index)
            || self
                .flushed
                .get(i)
                .copied()
                .flatten()
                .is_some_and(|at| at > index)
    }
}

/// Debug builds (tests, fuzzing) check [`PatternState`]'s answers against what they stand for on
/// lines short enough to replay: the rule applied to a copy of the patterns before it, and the
/// rest of the line replayed without it, both with the evaluator's own [`apply_to_patterns`].
const CROSS_CHECK_MAX_RULES: usize = 40;

fn replay_patterns(perms: &mut Permissions, dialect: Dialect, rules: &[AclRule], line: u32) {
    for rule in rules {
        let token = TokenRef {
            line,
            token: rule.token as u32,
        };
        for op in root_permission_ops(&rule.op) {
            apply_to_patterns(perms, dialect, op, token);
        }
    }
}

/// `before`, `end`: the patterns before the rule at `index` and at the end of the line.
fn cross_check(
    rules: &[AclRule],
    index: usize,
    line: u32,
    before: &Permissions,
    end: &Permissions,
    state: &PatternState,
    rest: &Later,
) {
    let (op, dialect) = (&rules[index].op, rest.dialect);
    let mut after = before.patterns_clone();
    replay_patterns(&mut after, dialect, &rules[index..=index], line);
    assert_eq!(
        state.unchanged_by(dialect, op, rest.numbered.of_rule[index]),
        after.same_patterns(before),
        "unchanged by {op:?}"
    );
    let mut without = before.patterns_clone();
    replay_patterns(&mut without, dialect, &rules[index + 1..], line);
    assert_eq!(
        state.undone_after(rest, dialect, op, rest.numbered.of_rule[index], index),
        without.same_patterns(end),
        "undone after {op:?}"
    );
}

/// Whether the line without the permission rule at `index` ends with the same permissions as
/// the whole line (`full`), given the root permissions just before that rule (`before_allowed`,
/// `before`). Exactly what replaying the line without the token and comparing with
/// [`EffectiveUser::same_permissions`] answers, without the replay:
///
/// * Selectors are built from their own rules only, so they are the same either way; and the
///   apply errors (Redis removing a missing password) do not depend on permission rules, so
///   the shorter line applies whenever the whole one does.
/// * Every command rule overwrites the commands it touches, whatever their state, so the two
///   replays can only differ on the commands this token was the last to decide in `full`
///   (`decided_by`), where the shorter line keeps the state from before the token: they
///   differ when one of those was allowed before the token and is not at the end, or the
///   other way round.
/// * Keys, channels and first-args do depend on the state (Redis merges a repeated pattern,
///   command rules flush first-args): [`PatternState::undone_after`].
fn undone_later(
    full: &EffectiveUser,
    rule: &AclRule,
    line: u32,
    before_allowed: &CommandSet,
    before: &PatternState,
    later: &Later,
    index: usize,
) -> bool {
    let (op, dialect) = (&rule.op, later.dialect);
    let token = TokenRef {
        line,
        token: rule.token as u32,
    };
    // Only command rules decide commands. Candidates: the commands whose state differs between
    // before the token and the end of the line (narrowed to the category's members on
    // Dragonfly, where a category rule touches nothing else).
    if is_command_op(op) {
        let members = match op {
            Op::Category { bit, .. } if dialect == Dialect::Dragonfly => {
                Some(commands::category_words(dialect, *bit))
            }
            _ => None,
        };
        let (before, after) = (before_allowed.words(), full.root.allowed.words());
        for (w, (&b, &a)) in before.iter().zip(after).enumerate() {
            let mut bits = (b ^ a) & members.map_or(u64::MAX, |m| m[w]);
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if full.root.decided_by.get(i) == Some(token) {
                    return false;
                }
            }
        }
    }
    before.undone_after(later, dialect, op, later.numbered.of_rule[index], index)
}

impl Rule for ShadowedToken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in bundle.acls.iter().filter(|a| !a.file.rejected()) {
            let dialect = acl.file.dialect;
            // A user defined by one line was evaluated from a fresh user with exactly that
            // line's rules, as `replay_commands` would: reuse it unless that line failed to
            // apply.
            let mut evaluated: Vec<Option<&EffectiveUser>> = vec![None; acl.file.users.len()];
            for user in &acl.users {
                if let [line] = user.lines[..] {
                    evaluated[line as usize] = Some(user);
                }
            }
            for error in &acl.apply_errors {
                if let Some(slot) = evaluated.get_mut(error.token.line as usize) {
                    *slot = None;
                }
            }
            for (line_index, line) in acl.file.users.iter().enumerate() {
                let li = line_index as u32;
                let replayed;
                let full = match evaluated[line_index] {
                    Some(user) => user,
                    None => match replay_commands(line.name(), dialect, &line.rules, li) {
                        Some(user) => {
                            replayed = user;
                            &replayed
                        }
                        None => continue,
                    },
                };
                let rest = Later::of(dialect, &line.rules);
                // The root permissions as the line builds them, one token at a time: the
                // commands in `current` (fed only what decides commands, so it stays cheap),
                // the rest in `patterns`.
                let mut current = EffectiveUser::fresh(line.name(), dialect);
                let mut before_allowed = current.root.allowed.clone();
                let mut patterns = PatternState::fresh(dialect, &rest.numbered);
                let mut oracle = (cfg!(debug_assertions)
                    && line.rules.len() <= CROSS_CHECK_MAX_RULES)
                    .then(|| {
                        let before = current.root.patterns_clone();
                        let mut end = before.patterns_clone();
                        replay_patterns(&mut end, dialect, &line.rules, li);
                        (before, end)
                    });
                for (i, rule) in line.rules.iter().enumerate() {
                    let op = &rule.op;
                    let decides_commands = is_command_op(op) || matches!(op, Op::Reset);
                    if decides_commands {
                        before_allowed.clone_from(&current.root.allowed);
                        if apply_rules(&mut current, dialect, std::slice::from_ref(rule), li)
                            .is_err()
                        {
                            break;
                        }
                    }
                    if let Some((before, end)) = oracle.as_mut() {
                        if is_permission_op(op) {
                            cross_check(&line.rules, i, li, before, end, &patterns, &rest);
                        }
                        replay_patterns(before, dialect, std::slice::from_ref(rule), li);
                    }
                    if is_permission_op(op) {
                        let token = &line.tokens[rule.token];
                        if let Some(later) = regranted_later(full, dialect, op, rule.token) {
                            let related = out.related(
                                &acl.target(line.tokens[later as usize].span),
                                "grants it back",
                            );
                            out.report(
                                &acl.target(token.span),
                                format!("`{}` has no effect for `{}`: the later `{}` grants back what it removes", token.shown(), line.name(), line.tokens[later as usize].shown()),
                            )
                            .with_related(related)
                            .with_help("rules apply strictly left to right: put denials after the grants they restrict");
                        } else if (!decides_commands || current.root.allowed == before_allowed)
                            && patterns.unchanged_by(dialect, op, rest.numbered.of_rule[i])
                        {
                            // Redundant denials and resets state intent: not reported.
                            if is_grant(op) {
                                out.report(
                                    &acl.target(token.span),
                                    format!("`{}` has no effect for `{}`: what it grants or removes is already in effect at this point", token.shown(), line.name()),
                                )
                                .with_help("remove it, or move it where it changes something (rules apply left to right)");
                            }
                        } else if undone_later(full, rule, li, &before_allowed, &patterns, &rest, i)
                        {
                            out.report(
                                &acl.target(token.span),
                                format!("`{}` has no effect for `{}`: later tokens on the line undo it", token.shown(), line.name()),
                            )
                            .with_help("rules apply strictly left to right: a denial must come after the grants it restricts");
                        }
                    }
                    for op in root_permission_ops(op) {
                        patterns.apply(dialect, op, rest.numbered.of_rule[i]);
                    }
                }
            }
        }
    }
}
