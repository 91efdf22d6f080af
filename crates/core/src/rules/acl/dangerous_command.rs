use super::support::{dangerous_categories, dangerous_command_words, is_tenant};
use crate::acl::commands::{self, Dialect};
use crate::acl::eval::TokenRef;
use crate::acl::found::FoundAcl;
use crate::acl::parse::Op;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};
use std::collections::BTreeMap;

pub struct DangerousCommand;

static META: RuleMeta = RuleMeta {
    code: "DF210",
    name: "acl-dangerous-command",
    severity: Severity::Error,
    summary: "A non-admin user can run @dangerous or @admin commands after all its rules apply.",
    docs: rule_docs!("dangerous_command.md"),
    scope: crate::rules::Scope::Object,
};

/// The last `-@dangerous`/`-@admin` before `token` on the same line: what the grant undoes.
pub(super) fn undone_denial(
    acl: &FoundAcl<'_>,
    dialect: Dialect,
    token: TokenRef,
) -> Option<TokenRef> {
    let line = acl.file.users.get(token.line as usize)?;
    let denied = dangerous_categories(dialect);
    line.rules
        .iter()
        .filter(|r| (r.token as u32) < token.token)
        .filter(|r| {
            matches!(r.op, Op::Category { allow: false, bit } if denied & (1u64 << bit) != 0)
                || r.op == Op::NoCommands
        })
        .map(|r| TokenRef {
            line: token.line,
            token: r.token as u32,
        })
        .next_back()
}

/// Dangerous commands that only report on the server (no key names, no values, no changes):
/// what a health-check or monitoring user is given.
const INTROSPECTION: &[&str] = &["info", "lastsave", "role"];

/// Commands a monitoring user needs besides introspection, none of which touches data:
/// logging in, pinging, leaving.
const SESSION: &[&str] = &["auth", "hello", "ping", "echo", "quit", "reset"];

/// A user whose commands are all introspection or session commands, with at least one
/// introspection command: a health check or metrics exporter.
fn monitoring_only(dialect: Dialect, user: &crate::acl::eval::EffectiveUser) -> bool {
    let table = commands::all(dialect);
    let mut introspects = false;
    for perms in user.permission_sets() {
        for index in perms.allowed.iter() {
            let name = table[index].name;
            // Redis subcommands count as their container (`client|list` is not `client`).
            if INTROSPECTION.contains(&name) {
                introspects = true;
            } else if !SESSION.contains(&name) {
                return false;
            }
        }
    }
    introspects
}

impl Rule for DangerousCommand {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let dialect = acl.file.dialect;
            let dangerous = dangerous_command_words(dialect);
            for user in acl
                .users
                .iter()
                .filter(|u| u.enabled && is_tenant(bundle, u))
            {
                let monitoring = monitoring_only(dialect, user);
                // Group the dangerous commands by the token that granted them.
                let mut by_token: BTreeMap<Option<(u32, u32)>, Vec<&str>> = BTreeMap::new();
                let table = commands::all(dialect);
                for perms in user.permission_sets() {
                    // The allowed dangerous commands, in table order, from the two bitsets.
                    for (w, (&allowed, &danger)) in
                        perms.allowed.words().iter().zip(&dangerous).enumerate()
                    {
                        let mut bits = allowed & danger;
                        while bits != 0 {
                            let index = w * 64 + bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            let command = &table[index];
                            let key = perms.decided_by.get(index).map(|t| (t.line, t.token));
                            let list = by_token.entry(key).or_default();
                            if !list.contains(&command.name) {
                                list.push(command.name);
                            }
                        }
                    }
                }
                for (key, names) in by_token {
                    // `$db` confines most commands to one database, but FLUSHALL wipes every
                    // one of them (it is not transactional per database, validator.cc:119-124
                    // only refuses MOVE and transactions on another database).
                    let db_note = match user.db {
                        Some(db) if names.contains(&"flushall") => format!(
                            " (its `${db}` does not confine FLUSHALL, which empties every database)"
                        ),
                        _ => String::new(),
                    };
                    let shown = format!("{}{db_note}", summarise(&names));
                    let Some((line, token)) = key else {
                        out.report(
                            &acl.user_target(user),
                            format!("`{}` can run {shown}", user.name),
                        );
                        continue;
                    };
                    let token = TokenRef { line, token };
                    let text = acl.token_text(token);
                    let undone = undone_denial(acl, dialect, token);
                    let related = undone.map(|u| {
                        out.related(
                            &acl.token_target(u),
                            format!("`{}` is undone by the later `{text}`", acl.token_text(u)),
                        )
                    });
                    let diagnostic = if monitoring {
                        let diagnostic = out.report(
                            &acl.token_target(token),
                            format!("`{text}` lets monitoring user `{}` run {shown}: it can run nothing else, and INFO shows the server's version, configuration summary, memory and CPU figures, connected clients, replication peers' addresses, per-database key counts and command statistics, but no key names or values", user.name),
                        );
                        diagnostic.with_severity(Severity::Warning);
                        diagnostic
                    } else {
                        out.report(
                            &acl.token_target(token),
                            format!("`{text}` lets non-admin user `{}` run {shown}", user.name),
                        )
                    };
                    if let Some(related) = related {
                        diagnostic.with_related(related);
                    }
                    diagnostic.with_help("rules apply strictly left to right: put `-@dangerous -@admin` after every grant, and grant tenants only the commands they need (or list this user as an admin)");
                }
            }
        }
    }
}

pub(super) fn summarise(names: &[&str]) -> String {
    let upper: Vec<String> = names
        .iter()
        .take(6)
        .map(|n| format!("`{}`", n.to_ascii_uppercase()))
        .collect();
    let more = names.len().saturating_sub(6);
    let listed = upper.join(", ");
    let noun = if names.len() == 1 {
        "dangerous/admin command"
    } else {
        "dangerous/admin commands"
    };
    if more > 0 {
        format!("{} {noun} ({listed} and {more} more)", names.len())
    } else {
        format!("{noun} {listed}")
    }
}
