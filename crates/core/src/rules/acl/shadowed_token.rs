use crate::acl::eval::{apply_rules, command_index, EffectiveUser};
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
fn regranted_later(
    full: &EffectiveUser,
    dialect: crate::acl::Dialect,
    op: &Op,
    token: usize,
) -> Option<u32> {
    let denied: Vec<usize> = match op {
        Op::Category { allow: false, bit } => crate::acl::commands::all(dialect)
            .iter()
            .enumerate()
            .filter(|(_, c)| c.categories & (1u64 << bit) != 0)
            .map(|(i, _)| i)
            .collect(),
        Op::Command {
            allow: false,
            command,
        } => vec![command_index(dialect, command)],
        _ => return None,
    };
    let mut later = None;
    for i in denied {
        let decided = full.root.decided_by[i]?;
        if !full.root.allows(i) || decided.token as usize <= token {
            return None;
        }
        later = later.or(Some(decided.token));
    }
    later
}

fn replay(
    name: &str,
    dialect: crate::acl::Dialect,
    rules: &[AclRule],
    line: u32,
) -> Option<EffectiveUser> {
    let mut user = EffectiveUser::fresh(name, dialect);
    apply_rules(&mut user, dialect, rules, line).ok()?;
    Some(user)
}

impl Rule for ShadowedToken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in bundle.acls.iter().filter(|a| !a.file.rejected()) {
            let dialect = acl.file.dialect;
            for (line_index, line) in acl.file.users.iter().enumerate() {
                let li = line_index as u32;
                let Some(full) = replay(line.name(), dialect, &line.rules, li) else {
                    continue;
                };
                let mut before = EffectiveUser::fresh(line.name(), dialect);
                for (i, rule) in line.rules.iter().enumerate() {
                    let mut after = before.clone();
                    if apply_rules(&mut after, dialect, std::slice::from_ref(rule), li).is_err() {
                        break;
                    }
                    let token = &line.tokens[rule.token];
                    if is_permission_op(&rule.op) {
                        if let Some(later) = regranted_later(&full, dialect, &rule.op, rule.token) {
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
                        } else if after.same_permissions(&before) {
                            if !is_grant(&rule.op) {
                                before = after;
                                continue;
                            }
                            out.report(
                                &acl.target(token.span),
                                format!("`{}` has no effect for `{}`: what it grants or removes is already in effect at this point", token.shown(), line.name()),
                            )
                            .with_help("remove it, or move it where it changes something (rules apply left to right)");
                        } else {
                            let mut without: Vec<AclRule> = line.rules.clone();
                            without.remove(i);
                            if replay(line.name(), dialect, &without, li)
                                .is_some_and(|u| u.same_permissions(&full))
                            {
                                out.report(
                                    &acl.target(token.span),
                                    format!("`{}` has no effect for `{}`: later tokens on the line undo it", token.shown(), line.name()),
                                )
                                .with_help("rules apply strictly left to right: a denial must come after the grants it restricts");
                            }
                        }
                    }
                    before = after;
                }
            }
        }
    }
}
