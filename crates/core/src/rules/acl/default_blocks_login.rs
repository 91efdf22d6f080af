use crate::acl::commands::{self, Dialect};
use crate::acl::eval::command_index;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DefaultBlocksLogin;

static META: RuleMeta = RuleMeta {
    code: "DF221",
    name: "acl-default-blocks-login",
    severity: Severity::Error,
    summary: "On Dragonfly, `default` lacks AUTH or HELLO while other users exist: clients cannot log in as them.",
    docs: rule_docs!("default_blocks_login.md"),
    scope: crate::rules::Scope::Object,
};

/// The login commands a client sends before it is anyone but `default`: `AUTH user pass`, and
/// `HELLO 3 AUTH user pass` (RESP3 clients such as Lettuce and redis-py with `protocol=3`).
const LOGIN_COMMANDS: [&str; 2] = ["auth", "hello"];

impl Rule for DefaultBlocksLogin {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            // Redis never checks AUTH/HELLO (`no_auth`); only Dragonfly locks clients out.
            if acl.file.dialect != Dialect::Dragonfly {
                continue;
            }
            let Some(default) = acl
                .users
                .iter()
                .find(|u| u.name == "default" && !u.implicit)
            else {
                continue;
            };
            let others: Vec<&str> = acl
                .users
                .iter()
                .filter(|u| u.name != "default" && u.enabled)
                .map(|u| u.name.as_str())
                .collect();
            if others.is_empty() {
                continue;
            }
            let missing: Vec<(usize, &str)> = LOGIN_COMMANDS
                .iter()
                .filter_map(|name| commands::lookup(Dialect::Dragonfly, name))
                .map(|c| (command_index(Dialect::Dragonfly, c), c.name))
                .filter(|(index, _)| !default.root.allows(*index))
                .collect();
            let Some(&(first, _)) = missing.first() else {
                continue;
            };
            let names: Vec<String> = missing
                .iter()
                .map(|(_, n)| format!("`{}`", n.to_ascii_uppercase()))
                .collect();
            let who = match others.as_slice() {
                [one] => format!("`{one}`"),
                [one, two] => format!("`{one}` and `{two}`"),
                [one, rest @ ..] => format!("`{one}` and {} other users", rest.len()),
                [] => unreachable!("checked above"),
            };
            let target = default
                .root
                .decided_by
                .get(first)
                .filter(|t| acl.token(*t).is_some())
                .map_or_else(|| acl.user_target(default), |t| acl.token_target(t));
            let effect = if missing.len() == LOGIN_COMMANDS.len() {
                format!("every login as {who} fails with NOPERM")
            } else {
                format!("clients that log in with {} (RESP3 clients such as Lettuce, or redis-py with protocol=3, send `HELLO 3 AUTH`) cannot log in as {who}", names.join(" and "))
            };
            out.report(
                &target,
                format!(
                    "`default` may not run {}: Dragonfly checks a connection's commands against `default` until it has logged in, AUTH and HELLO included, so {effect}",
                    names.join(" or ")
                ),
            )
            .with_help(format!(
                "keep login open and nothing else: `user default off -@all +auth +hello` (add {} to this `default` line)",
                missing
                    .iter()
                    .map(|(_, n)| format!("`+{n}`"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
    }
}
