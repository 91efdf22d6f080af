use crate::args::SECRET_FLAGS;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};
use std::collections::BTreeMap;

pub struct RepeatedFlag;

static META: RuleMeta = RuleMeta {
    code: "DF104",
    name: "repeated-flag",
    severity: Severity::Warning,
    summary: "A flag is given more than once; only the last occurrence counts.",
    docs: rule_docs!("repeated_flag.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for RepeatedFlag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            let mut by_name: BTreeMap<&str, Vec<&crate::args::FlagUse>> = BTreeMap::new();
            for flag in line.flag_uses() {
                by_name.entry(flag.name.as_str()).or_default().push(flag);
            }
            for (name, uses) in by_name {
                let [earlier @ .., last] = uses.as_slice() else {
                    continue;
                };
                if earlier.is_empty() {
                    continue;
                }
                let shown = match (SECRET_FLAGS.contains(&name), last.effective_value()) {
                    (false, Some(v)) => format!("`--{name}={v}`"),
                    _ => format!("the last `--{name}`"),
                };
                for flag in earlier {
                    let related =
                        out.related(&line.flag_target(last), "this later occurrence wins");
                    out.report(
                        &line.flag_target(flag),
                        format!("`--{name}` is given {} times; this occurrence is ignored and {shown} wins", uses.len()),
                    )
                    .with_related(related)
                    .with_help("keep a single occurrence");
                }
            }
        }
    }
}
