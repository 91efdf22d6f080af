//! The `dflint` command line: reads files, hands them to dflint-core, renders the report.

mod acl_command;
mod acl_diff_command;
mod acl_input;
mod acl_suggest_command;
mod acl_test_command;
mod config_command;
mod config_file;
mod exit_codes;
mod inputs;
mod limit_flags;
mod netpol_command;
mod output_formats;
mod pretty_output;
mod report_outputs;
mod rules_command;
mod settings_args;
mod stdout;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use exit_codes::{EXIT_FINDINGS, EXIT_USAGE_OR_IO};
use output_formats::{color_enabled, render, CheckFormat, ColorChoice, RulesFormat};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

// Faster than the system allocator for dflint's many small allocations (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `--version`: dflint's own, and the upstream releases its facts are pinned to.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} (facts pinned to Dragonfly {}, dragonfly-operator {}, Redis {} for the redis ACL dialect)",
        env!("CARGO_PKG_VERSION"),
        dflint_core::flags::DRAGONFLY_VERSION,
        dflint_core::dragonfly::operator::OPERATOR_VERSION,
        dflint_core::acl::commands::REDIS_VERSION,
    )
});

#[derive(Parser)]
#[command(
    name = "dflint",
    version = VERSION.as_str(),
    about = "Lint Dragonfly custom resources, server flags, ACLs and network policies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files, directories (recursively: *.yaml, *.yml, *.json) or `-` for stdin.
    Check(CheckArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Show the documentation of one rule (`DF011` or `image-not-pinned`), or of `acl-diff`
    /// and its risks (`keyless-commands`…).
    Explain { rule: String },
    /// Inspect ACL files: effective permissions and dry-runs.
    #[command(subcommand)]
    Acl(acl_command::AclCommand),
    /// Network policies around Dragonfly: who can reach which port, and why.
    #[command(subcommand)]
    Netpol(netpol_command::NetpolCommand),
    /// The settings a run would use (`--show`), from `dflint.toml` and flags.
    Config(config_command::ConfigCommandArgs),
    /// Print a shell completion script: `dflint completions bash > /etc/bash_completion.d/dflint`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or with `--dir` write a page per command (dflint.1,
    /// dflint-check.1, …): `dflint manpage --dir /usr/local/share/man/man1`.
    Manpage {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files, directories, or `-` for standard input (default: the current directory).
    paths: Vec<PathBuf>,
    /// How findings are printed: `pretty` (snippets), `json` (the stable report), `concise`
    /// (`file:line:col: CODE [severity] message`), `github` (workflow annotations), `sarif`
    /// (SARIF 2.1.0, for code scanning), `junit` (JUnit XML). Repeatable, each with its own
    /// `--output`: `--format sarif --output results.sarif --format concise`.
    #[arg(long, value_enum, default_value = "pretty", env = "DFLINT_OUTPUT_FORMAT", action = clap::ArgAction::Append)]
    format: Vec<CheckFormat>,
    /// Write the `--format` given just before to this file instead of standard output
    /// (`DFLINT_OUTPUT_FILE` when a single format is asked for).
    #[arg(long, short = 'o', value_name = "FILE", action = clap::ArgAction::Append)]
    output: Vec<PathBuf>,
    /// When to colour pretty output (`auto`: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Report only findings this baseline file does not hold (made with `--write-baseline`):
    /// adopt dflint on an existing setup and fail only on what is new.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record today's findings in FILE (by fingerprint: rule, file and message, not lines) and
    /// exit 0 without reporting them.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Name to show for standard input (also `--stdin-filename`, as in ruff): it decides how
    /// the input is read, so `--stdin-name users.acl` reads an ACL file and `x.json` JSON.
    #[arg(long, alias = "stdin-filename", default_value = "<stdin>")]
    stdin_name: String,
    /// Read this file as an ACL file whatever its name (repeatable; `-` for standard input).
    #[arg(long = "acl-file", value_name = "PATH")]
    acl_files: Vec<PathBuf>,
    /// Read this file as the values of Dragonfly's official Helm chart (repeatable; `-` for
    /// standard input): the chart version is the one `image.tag` names, else the newest
    /// dflint knows. HelmReleases and Argo CD Applications of the chart need no flag.
    #[arg(long = "helm-values", value_name = "PATH")]
    helm_values: Vec<PathBuf>,
    /// Check custom resources against the CustomResourceDefinitions or Crossplane
    /// CompositeResourceDefinitions in this file or directory (repeatable). Dragonfly's own
    /// CRD replaces the built-in schema. CRDs in the linted input are used without it.
    #[arg(long = "crd", value_name = "FILE")]
    crds: Vec<PathBuf>,
    #[command(flatten)]
    settings: settings_args::SettingsArgs,
}

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_USAGE_OR_IO
            } else {
                0
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check(args) => check(args, matches.subcommand_matches("check")),
        Command::Rules { format } => rules_command::list(format),
        Command::Explain { rule } => rules_command::explain(&rule),
        Command::Acl(command) => acl_command::run(command),
        Command::Netpol(command) => netpol_command::run(command),
        Command::Config(args) => config_command::run(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "dflint", &mut script);
            print_generated(&script)
        }
        Command::Manpage { dir } => {
            let mut page = Vec::new();
            let written = match &dir {
                Some(dir) => clap_mangen::generate_to(Cli::command(), dir),
                None => clap_mangen::Man::new(Cli::command()).render(&mut page),
            };
            match written {
                Ok(()) if dir.is_none() => print_generated(&page),
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("dflint: cannot write the man pages: {error}");
                    ExitCode::from(EXIT_USAGE_OR_IO)
                }
            }
        }
    }
}

/// Writes generated text (a completion script, the man page) to standard output.
fn print_generated(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout::reader_gone_is_ok(stdout.write_all(bytes).and_then(|_| stdout.flush())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(EXIT_USAGE_OR_IO),
    }
}

/// The position of each value of `id` on the command line (values from the environment or a
/// default come first, at 0).
fn positioned<T: Clone>(
    matches: Option<&clap::ArgMatches>,
    id: &str,
    values: &[T],
) -> Vec<(usize, T)> {
    let from_command_line =
        matches.and_then(|m| m.value_source(id)) == Some(clap::parser::ValueSource::CommandLine);
    let indices: Vec<usize> = matches
        .filter(|_| from_command_line)
        .and_then(|m| m.indices_of(id))
        .map(|i| i.collect())
        .unwrap_or_default();
    values
        .iter()
        .enumerate()
        .map(|(n, v)| (indices.get(n).copied().unwrap_or(0), v.clone()))
        .collect()
}

fn check(args: CheckArgs, matches: Option<&clap::ArgMatches>) -> ExitCode {
    let destinations = match report_outputs::plan(
        &positioned(matches, "format", &args.format),
        &positioned(matches, "output", &args.output),
        std::env::var_os("DFLINT_OUTPUT_FILE")
            .filter(|f| !f.is_empty())
            .map(PathBuf::from),
    ) {
        Ok(destinations) => destinations,
        Err(error) => {
            eprintln!("dflint: {error}");
            return ExitCode::from(EXIT_USAGE_OR_IO);
        }
    };
    let paths = if args.paths.is_empty() && args.acl_files.is_empty() && args.helm_values.is_empty()
    {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let resolved = match args.settings.resolve(&paths) {
        Ok(resolved) => resolved,
        Err(error) => {
            eprintln!("dflint: {error}");
            return ExitCode::from(EXIT_USAGE_OR_IO);
        }
    };
    // The baseline file is dflint's own, not a manifest: a walk that finds it leaves it out.
    let excludes = inputs::Excludes::of(
        &resolved.config,
        resolved.file.as_ref().map(|f| f.path.as_path()),
    )
    .leaving_out(
        args.baseline
            .as_ref()
            .or(args.write_baseline.as_ref())
            .map(PathBuf::as_path),
    );
    let config = resolved.config;
    let (sources, io_errors) = inputs::read_all(
        &paths,
        inputs::Marked {
            acl_files: &args.acl_files,
            helm_values: &args.helm_values,
        },
        &args.stdin_name,
        config.limits.max_file_bytes,
        &excludes,
    );
    for error in &io_errors {
        eprintln!("dflint: {error}");
    }
    // Schema files: a path that cannot be read stops the run, since every custom resource it
    // describes would pass unchecked.
    let mut sources = sources;
    match inputs::read_schema_files(&args.crds, config.limits.max_file_bytes) {
        Ok(schemas) => sources.extend(schemas),
        Err(error) => {
            eprintln!("dflint: --crd {error}");
            return ExitCode::from(EXIT_USAGE_OR_IO);
        }
    }
    // Only pretty output shows source text: the spans of secrets to mask are needed for its
    // snippets alone.
    let mut report = if destinations.iter().any(|d| d.format == CheckFormat::Pretty) {
        dflint_core::lint(&sources, &config)
    } else {
        dflint_core::lint_without_redactions(&sources, &config)
    };
    // Nothing passes silently: a run that found nothing dflint checks says so, whatever the
    // format (on stderr, so machine output stays as it is).
    if report.summary.linted == 0 && io_errors.is_empty() {
        let seen: Vec<String> = report
            .summary
            .resources
            .iter()
            .map(|(kind, count)| format!("{count} {kind}"))
            .collect();
        let kinds: Vec<&str> = dflint_core::resource::Kind::ALL
            .iter()
            .map(|kind| kind.name())
            .collect();
        eprintln!(
            "dflint: nothing to lint in {} file(s): no ACL file, no workload running the Dragonfly image and no resource of a kind dflint lints ({}){}",
            report.summary.files,
            kinds.join(", "),
            if seen.is_empty() {
                String::new()
            } else {
                format!(" (seen: {})", seen.join(", "))
            }
        );
    }
    if let Some(path) = &args.write_baseline {
        let text = dflint_core::baseline::Baseline::file_text(&report.diagnostics);
        if let Err(error) = std::fs::write(path, text) {
            eprintln!(
                "dflint: cannot write the baseline {}: {error}",
                path.display()
            );
            return ExitCode::from(EXIT_USAGE_OR_IO);
        }
        eprintln!(
            "dflint: wrote {} findings to the baseline {}; `--baseline {}` reports only new ones",
            report.diagnostics.len(),
            path.display(),
            path.display()
        );
        return ExitCode::from(if io_errors.is_empty() {
            0
        } else {
            EXIT_USAGE_OR_IO
        });
    }
    if let Some(path) = &args.baseline {
        let read = std::fs::read_to_string(path).map_err(|e| e.to_string());
        match read.and_then(|text| dflint_core::baseline::Baseline::parse(&text)) {
            Ok(baseline) => {
                baseline.remove_known(&mut report);
            }
            Err(error) => {
                eprintln!(
                    "dflint: cannot use the baseline {}: {error}",
                    path.display()
                );
                return ExitCode::from(EXIT_USAGE_OR_IO);
            }
        }
    }
    for destination in &destinations {
        let written = match &destination.file {
            None => {
                // A large buffer: a report can be tens of megabytes, written in few system calls.
                let mut stdout =
                    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                let colour = color_enabled(args.color);
                stdout::reader_gone_is_ok(
                    render(destination.format, &report, &sources, colour, &mut stdout)
                        .and_then(|_| stdout.flush()),
                )
            }
            Some(path) => std::fs::File::create(path)
                .and_then(|file| {
                    let mut file = std::io::BufWriter::with_capacity(1 << 16, file);
                    render(destination.format, &report, &sources, false, &mut file)?;
                    file.flush()
                })
                .map_err(|error| {
                    eprintln!("dflint: cannot write {}: {error}", path.display());
                    error
                }),
        };
        if written.is_err() {
            return ExitCode::from(EXIT_USAGE_OR_IO);
        }
    }
    if !io_errors.is_empty() {
        return ExitCode::from(EXIT_USAGE_OR_IO);
    }
    match config.fail_on.threshold() {
        Some(threshold) if report.count_at_least(threshold) > 0 => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    }
}
