//! `dflint netpol reach`: who can connect to each Dragonfly port, and why.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use dflint_core::config::FailOn;
use dflint_core::reach_report::{self, PathReach, ReachReport};
use dflint_core::LintConfig;

use crate::exit_codes::{EXIT_FINDINGS, EXIT_USAGE_OR_IO};
use crate::output_formats::{color_enabled, render, CheckFormat, ColorChoice};
use crate::settings_args::{ConfigArgs, NetworkArgs};
use crate::{inputs, pretty_output};

#[derive(Subcommand)]
pub enum NetpolCommand {
    /// Per Dragonfly instance and port: whether ingress is enforced, every peer that may
    /// connect with the policy rule that allows it, and the network-policy findings.
    Reach(ReachArgs),
}

#[derive(clap::Args)]
pub struct ReachArgs {
    /// Files or directories holding Dragonfly CRs and policies (analysed as one bundle).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// `pretty` and `json` give the whole report; `concise`, `github`, `sarif` and `junit`
    /// give its findings alone, for CI annotations and code scanning.
    #[arg(long, value_enum, default_value_t = CheckFormat::Pretty)]
    format: CheckFormat,
    /// Exit with 1 when a network-policy or cross-resource finding reaches this severity
    /// (a report, so `none` unless asked; the file's `fail-on` is for `check`).
    #[arg(long, default_value = "none", value_parser = crate::settings_args::fail_on_parser())]
    fail_on: FailOn,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    source: ConfigArgs,
    #[command(flatten)]
    network: NetworkArgs,
    #[command(flatten)]
    limits: crate::limit_flags::LimitFlags,
}

pub fn run(command: NetpolCommand) -> ExitCode {
    match command {
        NetpolCommand::Reach(args) => reach(args),
    }
}

fn reach(args: ReachArgs) -> ExitCode {
    // The file's network settings, limits, ignores and severities; the rules are the
    // network ones, whatever it selects.
    let (mut config, config_path) = match args.source.read(&args.paths) {
        Ok(Some(file)) => {
            let names_from = crate::settings_args::names_from(Some(&file));
            let mut config = file.config;
            config.names_from = names_from;
            (config, Some(file.path))
        }
        Ok(None) => (LintConfig::default(), None),
        Err(error) => {
            eprintln!("dflint: {error}");
            return ExitCode::from(EXIT_USAGE_OR_IO);
        }
    };
    reach_report::select_reach_rules(&mut config);
    args.network.apply(&mut config);
    args.limits.apply(&mut config.limits);
    let (sources, io_errors) = inputs::read_all(
        &args.paths,
        inputs::Marked {
            acl_files: &[],
            helm_values: &[],
        },
        "<stdin>",
        config.limits.max_file_bytes,
        &inputs::Excludes::of(&config, config_path.as_deref()),
    );
    for error in &io_errors {
        eprintln!("dflint: {error}");
    }
    let (table, findings) = match args.format {
        CheckFormat::Json | CheckFormat::Pretty => {
            let (table, findings) = reach_report::reach(&sources, &config);
            (Some(table), findings)
        }
        _ => (None, dflint_core::lint(&sources, &config)),
    };
    let rendered = match (args.format, &table) {
        (CheckFormat::Json, Some(table)) => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            let written = dflint_core::output::json::write_with_instances(
                &findings,
                &table.instances,
                &mut stdout,
            )
            .and_then(|_| std::io::Write::flush(&mut stdout));
            if crate::stdout::reader_gone_is_ok(written).is_err() {
                return ExitCode::from(EXIT_USAGE_OR_IO);
            }
            String::new()
        }
        (CheckFormat::Pretty, Some(table)) => {
            let mut text = pretty(table);
            if !findings.diagnostics.is_empty() {
                text.push('\n');
                text.push_str(&pretty_output::render(
                    &findings,
                    &sources,
                    color_enabled(args.color),
                ));
            }
            text
        }
        // The CI formats carry the findings alone: no table is worked out, and they are
        // written as `check` writes them.
        (findings_only, _) => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            let written = render(findings_only, &findings, &sources, false, &mut stdout)
                .and_then(|_| std::io::Write::flush(&mut stdout));
            if crate::stdout::reader_gone_is_ok(written).is_err() {
                return ExitCode::from(EXIT_USAGE_OR_IO);
            }
            String::new()
        }
    };
    if crate::stdout::print(&rendered).is_err() || !io_errors.is_empty() {
        return ExitCode::from(EXIT_USAGE_OR_IO);
    }
    match args.fail_on.threshold() {
        Some(t) if findings.count_at_least(t) > 0 => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    }
}

fn pretty(table: &ReachReport) -> String {
    let mut out = String::new();
    if table.instances.is_empty() {
        out.push_str("No Dragonfly instance found: give Dragonfly CRs, workloads running the Dragonfly image, or policies selecting pods labelled app.kubernetes.io/name=dragonfly.\n");
        return out;
    }
    let path_line = |out: &mut String, mark: &str, path: &PathReach| {
        let _ = writeln!(
            out,
            "      {mark} {} [{}]\n          {}  ({}:{}:{})",
            path.peer, path.class, path.because, path.file, path.line, path.column
        );
    };
    for instance in &table.instances {
        let name = if instance.namespace.is_empty() {
            instance.name.clone()
        } else {
            format!("{}/{}", instance.namespace, instance.name)
        };
        let origin = match instance.origin {
            "dragonfly-cr" => "Dragonfly CR",
            "workload" => "workload running the image, no operator",
            _ => "inferred from policy labels",
        };
        let _ = writeln!(
            out,
            "{name}  ({origin}, {}:{}, replicas {})",
            instance.file, instance.line, instance.replicas
        );
        for role in &instance.roles {
            if instance.roles.len() > 1 {
                let _ = writeln!(out, "  {} pods", role.role);
            }
            let _ = writeln!(
                out,
                "    selected by: {}",
                if role.selected_by.is_empty() {
                    "no policy".to_string()
                } else {
                    role.selected_by.join("; ")
                }
            );
            for port in &role.ports {
                let named = port
                    .container_port_name
                    .as_ref()
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default();
                if port.enforced {
                    let _ = writeln!(
                        out,
                        "    {} port {}{named}: ingress enforced by {}",
                        port.kind,
                        port.port,
                        port.enforced_by.join("; ")
                    );
                    if port.allowed.is_empty() {
                        let _ = writeln!(out, "      nobody may connect");
                    }
                } else {
                    let _ = writeln!(
                        out,
                        "    {} port {}{named}: OPEN to every pod and address (no policy enforces ingress)",
                        port.kind, port.port
                    );
                }
                let _ = writeln!(
                    out,
                    "      without a password a peer gets {}",
                    port.without_password.detail
                );
                // `!`: a peer other than the operator, the instance's pods or a scraper that
                // gets something without a password.
                for path in &port.allowed {
                    let mark = if path.unauthenticated_privilege {
                        "!"
                    } else {
                        "+"
                    };
                    path_line(&mut out, mark, path);
                }
                for path in &port.denied {
                    path_line(&mut out, "x (denied)", path);
                }
            }
            let _ = writeln!(
                out,
                "    egress: {}",
                if role.egress_enforced_by.is_empty() {
                    "not restricted".to_string()
                } else {
                    format!("restricted by {}", role.egress_enforced_by.join("; "))
                }
            );
        }
        out.push('\n');
    }
    out
}
