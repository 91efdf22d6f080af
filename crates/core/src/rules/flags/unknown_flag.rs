use crate::args::ABSEIL_BUILTIN_FLAGS;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags::{self, Availability};
use crate::rules::{Emitter, Rule, RuleMeta};
use std::collections::HashMap;

pub struct UnknownFlag;

static META: RuleMeta = RuleMeta {
    code: "DF101",
    name: "unknown-flag",
    severity: Severity::Error,
    summary: "A flag the image's Dragonfly release does not define: the server refuses to start.",
    docs: rule_docs!("unknown_flag.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for UnknownFlag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // The same typo tends to repeat across many CRs: look each name up once per release.
        let mut suggestions: HashMap<(&str, flags::Release), Option<&'static str>> = HashMap::new();
        for line in bundle.command_lines() {
            let judged = super::judged_release(line, bundle.config);
            let release = judged.release;
            for flag in line.flag_uses() {
                let name = flag.name.as_str();
                let spec = flags::lookup(name);
                if spec.is_some_and(|s| s.in_release(release))
                    || ABSEIL_BUILTIN_FLAGS.contains(&name)
                    || (spec.is_none() && flags::other_binary(name).is_some())
                {
                    continue;
                }
                let unknown = "the server exits with \"unknown command line flag\"";
                if let Some(spec) = spec {
                    // A flag of other releases, not of this one.
                    let image = line.image.as_deref();
                    let (what, help) = match spec.availability(release) {
                        Availability::AddedIn(first) => (
                            format!("was added in {first}"),
                            format!("use an image of {first} or later, or remove the flag"),
                        ),
                        Availability::RemovedAfter(last) => (
                            format!("was removed after {last}"),
                            match flags::suggest_for(name, release) {
                                Some(real) => format!("remove it; did you mean `--{real}`?"),
                                None => format!("remove it; only releases up to {last} accept it"),
                            },
                        ),
                        Availability::Missing { last_before, next } => (
                            format!("is missing from {release}: releases up to {last_before} and from {next} have it"),
                            format!("remove it, or use an image of {next} or later"),
                        ),
                        Availability::Live | Availability::Retired => unreachable!("in the release"),
                    };
                    out.report(
                        &line.flag_target(flag),
                        format!("`--{name}` {what}; {}: {unknown}", judged.describe(image)),
                    )
                    .with_help(help);
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
                    format!(
                        "`--{name}` is not a Dragonfly flag (no release from {} to {} has it): {unknown}",
                        flags::oldest_release(),
                        flags::newest_release()
                    ),
                );
                match *suggestions
                    .entry((name, release))
                    .or_insert_with(|| flags::suggest_for(name, release))
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
