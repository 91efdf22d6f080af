use super::dangerous_command::undone_denial;
use super::support::{
    command_list, dangerous_categories, denial_list, indexed_commands, is_dangerous, is_tenant,
};
use super::support::{REDIS_RISKY_NOT_DANGEROUS, RISKY_NOT_DANGEROUS};
use crate::acl::commands::{Command, Dialect};
use crate::acl::eval::TokenRef;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct RiskyCommand;

static META: RuleMeta = RuleMeta {
    code: "DF211",
    name: "acl-risky-command",
    severity: Severity::Warning,
    summary: "A non-admin user can run commands that `-@dangerous` does not cover (Dragonfly: CLIENT, SCRIPT, DFLY, MEMORY…; Redis: SCRIPT FLUSH, FUNCTION FLUSH, PUBSUB CHANNELS…).",
    docs: rule_docs!("risky_command.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for RiskyCommand {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let dialect = acl.file.dialect;
            let dangerous = dangerous_categories(dialect);
            // Reported by acl-dangerous-command when dangerous; looked up once per ACL.
            let (names, server) = match dialect {
                Dialect::Dragonfly => (RISKY_NOT_DANGEROUS, "Dragonfly"),
                Dialect::Redis => (REDIS_RISKY_NOT_DANGEROUS, "Redis"),
            };
            let risky: Vec<(usize, &Command)> = indexed_commands(dialect, names)
                .into_iter()
                .filter(|(_, c)| !is_dangerous(dangerous, c))
                .collect();
            for user in acl
                .users
                .iter()
                .filter(|u| u.enabled && is_tenant(bundle, u))
            {
                // One finding per granting token, listing the commands it hands out.
                let mut by_token: Vec<(TokenRef, Vec<&str>)> = Vec::new();
                for &(index, command) in &risky {
                    let Some(perms) = user.permission_sets().find(|p| p.allows(index)) else {
                        continue;
                    };
                    let Some(token) = perms.decided_by.get(index) else {
                        continue;
                    };
                    match by_token.iter_mut().find(|(t, _)| *t == token) {
                        Some((_, names)) => names.push(command.name),
                        None => by_token.push((token, vec![command.name])),
                    }
                }
                for (token, names) in by_token {
                    let text = acl.token_text(token);
                    let Some(line) = acl.file.users.get(token.line as usize) else {
                        continue;
                    };
                    let related = undone_denial(acl, dialect, token)
                        .or_else(|| {
                            // A `-@dangerous` after the grant does not remove them either.
                            line.tokens
                                .iter()
                                .position(|t| t.text.eq_ignore_ascii_case("-@dangerous"))
                                .map(|i| TokenRef {
                                    line: token.line,
                                    token: i as u32,
                                })
                        })
                        .map(|d| out.related(&acl.token_target(d), "does not cover them"));
                    let diagnostic = out.report(
                        &acl.token_target(token),
                        format!(
                            "`{text}` lets non-admin user `{}` run {}, which {server} does not put in @dangerous",
                            user.name,
                            command_list(names.iter().copied(), true)
                        ),
                    );
                    if let Some(related) = related {
                        diagnostic.with_related(related);
                    }
                    diagnostic.with_help(format!(
                        "deny them explicitly: `{}`",
                        denial_list(names.iter().copied())
                    ));
                }
            }
        }
    }
}
