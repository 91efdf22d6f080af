use crate::args::{CommandLineKind, Item};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PositionalArgument;

static META: RuleMeta = RuleMeta {
    code: "DF111",
    name: "positional-argument",
    severity: Severity::Warning,
    summary: "An argument that is not a flag: Dragonfly does not read it as configuration.",
    docs: rule_docs!("positional_argument.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for PositionalArgument {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            for item in &line.items {
                // Abseil refuses a flag file line that is not a flag, and a bare `--` in it,
                // where it stops reading the file (`absl/flags/parse.cc`,
                // `ArgsList::ReadFromFlagfile`).
                if line.kind == CommandLineKind::FlagFile {
                    let (Item::Positional { arg } | Item::EndOfFlags { arg }) = *item else {
                        continue;
                    };
                    let end = matches!(item, Item::EndOfFlags { .. });
                    out.report(
                        &line.arg_target(arg),
                        "this line of the flag file is not a flag: Dragonfly stops at startup with \"Unexpected line in the flagfile\"",
                    )
                    .with_help("every line is one flag starting with `-` (`--maxmemory=1gb`); comments start with `#`")
                    .with_severity(Severity::Error);
                    if end {
                        break;
                    }
                    continue;
                }
                let Item::Positional { arg } = *item else {
                    continue;
                };
                let text = &line.args[arg].text;
                let operator = line.kind == CommandLineKind::OperatorArgs;
                let help = if operator && (text == "dragonfly" || text.ends_with("/dragonfly")) {
                    "the operator starts the binary itself; `args` holds only flags".to_string()
                } else if text.contains('=') || text.contains(' ') {
                    "each flag is its own list item and starts with `--`, e.g. `--maxmemory=1gb`"
                        .to_string()
                } else {
                    "flags start with `--`; a value goes after `=` in the same item".to_string()
                };
                out.report(
                    &line.arg_target(arg),
                    "this argument does not start with `-`, so it is not a flag and configures nothing",
                )
                .with_help(help);
            }
        }
    }
}
