//! `dflint acl suggest`: the least-privilege rule for what an application sends, proven with
//! the dry-run engine, each token explained.

use dflint_core::acl::eval::evaluate;
use dflint_core::acl::parse::ServerLimits;
use dflint_core::acl::suggest::{read_commands, suggest};
use dflint_core::acl::Dialect;
use dflint_core::limits::Limits;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::acl_input::{load, Format};

const EXIT_UNPROVEN: u8 = 1;
const EXIT_ERROR: u8 = 2;

pub struct SuggestArgs {
    pub input: PathBuf,
    pub user: String,
    pub acl: Option<PathBuf>,
    pub format: Format,
    pub dialect: Dialect,
    pub limits: ServerLimits,
    pub input_limits: Limits,
}

pub fn run(args: SuggestArgs) -> ExitCode {
    let mut text = String::new();
    let read = if args.input.as_os_str() == "-" {
        std::io::stdin()
            .take(args.input_limits.max_file_bytes)
            .read_to_string(&mut text)
            .map(|_| ())
    } else {
        match crate::inputs::read_path(&args.input, args.input_limits.max_file_bytes) {
            Ok(crate::inputs::Bounded::Read(b)) => {
                text = String::from_utf8_lossy(&b).into_owned();
                Ok(())
            }
            Ok(crate::inputs::Bounded::TooLarge(size)) => Err(std::io::Error::other(
                dflint_core::limits::file_too_large_message(size, args.input_limits.max_file_bytes),
            )),
            Err(e) => Err(e),
        }
    };
    if let Err(error) = read {
        eprintln!("dflint: {}: {error}", args.input.display());
        return ExitCode::from(EXIT_ERROR);
    }
    let observed = read_commands(&text);
    if observed.is_empty() {
        eprintln!(
            "dflint: {}: no command found (give command lines, MONITOR output or an ACL LOG dump)",
            args.input.display()
        );
        return ExitCode::from(EXIT_ERROR);
    }
    let others = match &args.acl {
        None => Vec::new(),
        Some(path) => match load(path, args.dialect, args.limits, &args.input_limits) {
            Ok(acls) => acls.iter().flat_map(|a| evaluate(&a.file).0).collect(),
            Err(code) => return code,
        },
    };
    let suggestion = suggest(args.dialect, &args.user, &observed, &others);
    for unknown in &suggestion.unknown {
        eprintln!(
            "dflint: {}: not a command the server knows: {unknown}",
            args.input.display()
        );
    }
    let text = match args.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "suggestion": suggestion,
                "proven": suggestion.proven(),
            }))
            .expect("JSON")
        ),
        Format::Pretty => {
            let mut out = format!("{}\n\nwhy each token:\n", suggestion.rule);
            let width = suggestion
                .tokens
                .iter()
                .map(|t| t.token.len())
                .max()
                .unwrap_or(0);
            for token in &suggestion.tokens {
                out.push_str(&format!("  {:width$}  {}\n", token.token, token.why));
            }
            for note in &suggestion.notes {
                out.push_str(&format!("\nnote: {note}\n"));
            }
            out.push_str("\nproof (the rule loaded and dry-run):\n");
            for check in &suggestion.proof {
                out.push_str(&format!(
                    "  {} {}\n",
                    if check.holds { "ok  " } else { "FAIL" },
                    check.check
                ));
            }
            out
        }
    };
    if crate::stdout::print(&text).is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    if !suggestion.unknown.is_empty() {
        ExitCode::from(EXIT_ERROR)
    } else if suggestion.proven() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_UNPROVEN)
    }
}
