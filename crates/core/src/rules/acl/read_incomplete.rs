use super::support::{command_list, indexed_commands};
use crate::acl::commands::{self, Command, Dialect};
use crate::acl::parse::Op;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ReadIncomplete;

static META: RuleMeta = RuleMeta {
    code: "DF217",
    name: "acl-read-incomplete",
    severity: Severity::Info,
    summary: "`+@read` on Dragonfly does not include JSON.GET, BF.EXISTS, XINFO and other readers.",
    docs: rule_docs!("read_incomplete.md"),
    scope: crate::rules::Scope::Object,
};

const READERS_OUTSIDE_READ: &[&str] = &[
    "json.get",
    "json.mget",
    "json.type",
    "bf.exists",
    "bf.mexists",
    "xinfo",
    "eval_ro",
    "evalsha_ro",
];

impl Rule for ReadIncomplete {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let Some(read) = commands::category(Dialect::Dragonfly, "read") else {
            return;
        };
        // Looked up once, not per user.
        let readers: Vec<(usize, &Command)> =
            indexed_commands(Dialect::Dragonfly, READERS_OUTSIDE_READ);
        for acl in bundle
            .acls
            .iter()
            .filter(|a| a.file.dialect == Dialect::Dragonfly)
        {
            for user in acl.users.iter().filter(|u| u.enabled) {
                let grant = user
                    .lines
                    .iter()
                    .flat_map(|&l| acl.file.users[l as usize].rules.iter().map(move |r| (l, r)))
                    .find(|(_, r)| {
                        r.op == Op::Category {
                            allow: true,
                            bit: read.bit,
                        }
                    });
                let Some((line, rule)) = grant else { continue };
                let missing: Vec<&Command> = readers
                    .iter()
                    .filter(|(index, _)| !user.permission_sets().any(|p| p.allows(*index)))
                    .map(|(_, c)| *c)
                    .collect();
                if missing.len() < READERS_OUTSIDE_READ.len() / 2 {
                    continue;
                }
                let missing = command_list(missing.iter().map(|c| c.name), false);
                out.report(
                    &acl.target(acl.file.users[line as usize].tokens[rule.token].span),
                    format!("`+@read` gives `{}` no {missing}: Dragonfly keeps these readers outside `@read`", user.name),
                )
                .with_help("grant the module categories you use (`+@json`, `+@bloom`, …) or the commands themselves");
            }
        }
    }
}
