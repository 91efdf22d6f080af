use crate::acl::commands::{self, Dialect};
use crate::acl::eval::{
    apply_rules, apply_to_patterns, command_index, root_permission_ops, CommandSet, EffectiveUser,
    Permissions, TokenRef,
};
use crate::acl::parse::{Op, Rule as AclRule};
use crate::diagnostic::Severity;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ShadowedToken;

static META: RuleMeta = RuleMeta {
    code: "DF218",
    name: "acl-no-effect-token",
    severity: Severity::Warning,
    summary:
        "An ACL token changes nothing: already in effect, or undone by a later token on the line.",
    docs: include_str!("shadowed_token.md"),
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
        let decided = full.root.decided_by[i]?;
        if !full.root.allows(i) || decided.token as usize <= token {
            return None;
        }
        later = later.or(Some(decided.token));
    }
    later
}

fn replay(name: &str, dialect: Dialect, rules: &[AclRule], line: u32) -> Option<EffectiveUser> {
    let mut user = EffectiveUser::fresh(name, dialect);
    apply_rules(&mut user, dialect, rules, line).ok()?;
    Some(user)
}

/// Whether the line without the permission token at `index` ends with the same permissions
/// as the whole line (`full`), given the root permissions just before that token
/// (`before_allowed`, `before_patterns`). Exactly what replaying the line without the token
/// and comparing with [`EffectiveUser::same_permissions`] answers, without the replay:
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
///   command rules flush first-args), but they are small: replay the rest of the line on a
///   copy of them with the evaluator's own [`apply_to_patterns`].
fn undone_later(
    full: &EffectiveUser,
    dialect: Dialect,
    rules: &[AclRule],
    index: usize,
    line: u32,
    before_allowed: &CommandSet,
    mut before_patterns: Permissions,
) -> bool {
    let op = &rules[index].op;
    let token = TokenRef {
        line,
        token: rules[index].token as u32,
    };
    // Only command rules decide commands. Candidates: the commands whose state differs between
    // before the token and the end of the line (narrowed to the category's members on
    // Dragonfly, where a category rule touches nothing else).
    if matches!(
        op,
        Op::Category { .. } | Op::Command { .. } | Op::AllCommands | Op::NoCommands
    ) {
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
                if full.root.decided_by[i] == Some(token) {
                    return false;
                }
            }
        }
    }
    for rule in &rules[index + 1..] {
        let token = TokenRef {
            line,
            token: rule.token as u32,
        };
        for op in root_permission_ops(&rule.op) {
            apply_to_patterns(&mut before_patterns, dialect, op, token);
        }
    }
    before_patterns.same_patterns(&full.root)
}

impl Rule for ShadowedToken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in bundle.acls.iter().filter(|a| !a.file.rejected()) {
            let dialect = acl.file.dialect;
            // A user defined by one line was evaluated from a fresh user with exactly that
            // line's rules, as `replay` would: reuse it unless that line failed to apply.
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
                    None => match replay(line.name(), dialect, &line.rules, li) {
                        Some(user) => {
                            replayed = user;
                            &replayed
                        }
                        None => continue,
                    },
                };
                // The user as the line builds it, one token at a time.
                let mut current = EffectiveUser::fresh(line.name(), dialect);
                let mut before_allowed = current.root.allowed.clone();
                for (i, rule) in line.rules.iter().enumerate() {
                    if !is_permission_op(&rule.op) {
                        if apply_rules(&mut current, dialect, std::slice::from_ref(rule), li)
                            .is_err()
                        {
                            break;
                        }
                        continue;
                    }
                    // A permission rule changes the root permissions only.
                    before_allowed.clone_from(&current.root.allowed);
                    let before_patterns = current.root.patterns_clone();
                    if apply_rules(&mut current, dialect, std::slice::from_ref(rule), li).is_err() {
                        break;
                    }
                    let token = &line.tokens[rule.token];
                    if let Some(later) = regranted_later(full, dialect, &rule.op, rule.token) {
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
                    } else if current.root.allowed == before_allowed
                        && current.root.same_patterns(&before_patterns)
                    {
                        if !is_grant(&rule.op) {
                            continue;
                        }
                        out.report(
                            &acl.target(token.span),
                            format!("`{}` has no effect for `{}`: what it grants or removes is already in effect at this point", token.shown(), line.name()),
                        )
                        .with_help("remove it, or move it where it changes something (rules apply left to right)");
                    } else if undone_later(
                        full,
                        dialect,
                        &line.rules,
                        i,
                        li,
                        &before_allowed,
                        before_patterns,
                    ) {
                        out.report(
                            &acl.target(token.span),
                            format!("`{}` has no effect for `{}`: later tokens on the line undo it", token.shown(), line.name()),
                        )
                        .with_help("rules apply strictly left to right: a denial must come after the grants it restricts");
                    }
                }
            }
        }
    }
}
