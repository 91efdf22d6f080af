use crate::args::ABSEIL_BUILTIN_FLAGS;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags;
use crate::rules::{Emitter, Rule, RuleMeta};
use std::collections::HashMap;

pub struct UnknownFlag;

static META: RuleMeta = RuleMeta {
    code: "DF101",
    name: "unknown-flag",
    severity: Severity::Error,
    summary: "A flag Dragonfly does not define: the server refuses to start.",
    docs: rule_docs!("unknown_flag.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for UnknownFlag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // The same typo tends to repeat across many CRs: look each name up once.
        let mut suggestions: HashMap<&str, Option<&'static str>> = HashMap::new();
        for line in bundle.command_lines() {
            for flag in line.flag_uses() {
                let name = flag.name.as_str();
                if flags::lookup(name).is_some()
                    || ABSEIL_BUILTIN_FLAGS.contains(&name)
                    || flags::other_binary(name).is_some()
                {
                    continue;
                }
                // `"--requirepass VALUE"` as one argument: the flag name then holds the value,
                // which may be a secret. Only the part before the space is shown.
                if let Some((flag_name, _)) = name.split_once(char::is_whitespace) {
                    let known = flags::lookup(flag_name).is_some();
                    out.report(
                        &line.flag_target(flag),
                        format!(
                            "the argument `--{flag_name} …` holds a space: Dragonfly reads the whole argument as one flag name and exits with \"unknown command line flag\"{}",
                            if known { "" } else { " (and it is no Dragonfly flag either)" }
                        ),
                    )
                    .with_help(format!(
                        "write the value after `=` (`--{flag_name}=…`) or as a separate argument"
                    ));
                    continue;
                }
                let diagnostic = out.report(
                    &line.flag_target(flag),
                    format!("`--{name}` is not a Dragonfly {} flag: the server exits with \"unknown command line flag\"", flags::DRAGONFLY_VERSION),
                );
                match *suggestions
                    .entry(name)
                    .or_insert_with(|| flags::suggest(name))
                {
                    Some(real) => diagnostic.with_help(format!("did you mean `--{real}`?")),
                    None => diagnostic.with_help(
                        "remove it; `dragonfly --helpfull` lists the flags of your image",
                    ),
                };
            }
        }
    }
}
