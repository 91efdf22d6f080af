//! The output choices every command shares (format, colour) and the one function that renders
//! a lint report in each format, so subcommands reuse them without reaching into `main`.

use clap::ValueEnum;
use std::io::Write;

use crate::pretty_output;

/// The renderings of `check`'s report (and of the findings of `netpol reach`).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    Pretty,
    Json,
    Concise,
    Github,
    Sarif,
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum RulesFormat {
    Text,
    Json,
    Markdown,
}

/// Writes one rendering of the report (streamed: the report of a large input is tens of
/// megabytes).
pub(crate) fn render(
    format: CheckFormat,
    report: &dflint_core::Report,
    sources: &[dflint_core::Source],
    colour: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    use dflint_core::output;
    match format {
        CheckFormat::Json => output::json::write(report, out),
        CheckFormat::Concise => output::concise::write(report, out),
        CheckFormat::Github => output::github::write(report, out),
        CheckFormat::Sarif => output::sarif::write(report, out),
        CheckFormat::Junit => output::junit::write(report, out),
        CheckFormat::Pretty => {
            out.write_all(pretty_output::render(report, sources, colour).as_bytes())
        }
    }
}

/// `auto` colours only on a terminal and never when `NO_COLOR` is set to anything non-empty;
/// an explicit `--color` choice wins.
pub(crate) fn color_enabled(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            !no_color && std::io::stdout().is_terminal()
        }
    }
}
