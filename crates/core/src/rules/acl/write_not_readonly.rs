use super::support::is_tenant;
use crate::acl::commands::{self, Dialect};
use crate::acl::parse::Op;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct WriteNotReadonly;

static META: RuleMeta = RuleMeta {
    code: "DF216",
    name: "acl-write-not-readonly",
    severity: Severity::Warning,
    summary: "`-@write` does not make a Dragonfly user read-only: JSON.*, BF.*, FT.CREATE, CL.THROTTLE, XGROUP… still modify data.",
    docs: rule_docs!("write_not_readonly.md"),
    scope: crate::rules::Scope::Object,
};

/// Data-modifying commands Dragonfly does not put in `@write`.
const WRITERS_OUTSIDE_WRITE: &[&str] = &[
    "json.set",
    "json.del",
    "json.merge",
    "json.mset",
    "json.arrappend",
    "json.numincrby",
    "json.strappend",
    "bf.add",
    "bf.madd",
    "bf.reserve",
    "ft.create",
    "ft.alter",
    "ft.dropindex",
    "cl.throttle",
    "xgroup",
    "shrink",
];

impl Rule for WriteNotReadonly {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        let Some(write) = commands::category(Dialect::Dragonfly, "write") else {
            return;
        };
        for acl in bundle
            .acls
            .iter()
            .filter(|a| a.file.dialect == Dialect::Dragonfly)
        {
            for user in acl
                .users
                .iter()
                .filter(|u| u.enabled && is_tenant(bundle, u))
            {
                let denials: Vec<_> = user
                    .lines
                    .iter()
                    .flat_map(|&l| acl.file.users[l as usize].rules.iter().map(move |r| (l, r)))
                    .filter(|(_, r)| {
                        r.op == Op::Category {
                            allow: false,
                            bit: write.bit,
                        }
                    })
                    .collect();
                let Some(&deny) = denials.last() else {
                    continue;
                };
                let still: Vec<String> = WRITERS_OUTSIDE_WRITE
                    .iter()
                    .filter_map(|n| commands::lookup(Dialect::Dragonfly, n))
                    .filter(|c| user.allows_command(Dialect::Dragonfly, c))
                    .map(|c| format!("`{}`", c.name.to_ascii_uppercase()))
                    .collect();
                if still.is_empty() {
                    continue;
                }
                let (line, rule) = deny;
                out.report(
                    &acl.target(acl.file.users[line as usize].tokens[rule.token].span),
                    format!("`-@write` does not make `{}` read-only on Dragonfly: it can still modify data with {}", user.name, still.join(", ")),
                )
                .with_help("deny the module categories too (`-@json -@bloom -@ft_search -@throttle`) and `-xgroup -shrink`, or grant only explicit read commands");
            }
        }
    }
}
