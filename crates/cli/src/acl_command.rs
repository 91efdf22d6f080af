//! `dflint acl explain` and `dflint acl can`: the ACL engine of dflint-core on the command line.

use clap::Subcommand;
use dflint_core::acl::eval::evaluate;
use dflint_core::acl::parse::ServerLimits;
use dflint_core::acl::queries::{answer_case_line, EvaluatedAcl, EvaluatedCache};
use dflint_core::acl::report::{CanAnswer, PermissionsReport, UserReport};
use dflint_core::acl::Dialect;
use dflint_core::limits::Limits;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use crate::acl_input::Format;
use crate::acl_input::{load, LoadedAcl};
use crate::limit_flags::LimitFlags;
use crate::settings_args::{ConfigArgs, DialectArg};

/// The server settings that change which ACL tokens load (Dragonfly `$<db>`).
#[derive(clap::Args, Clone, Copy)]
pub struct LimitArgs {
    /// The server's `--dbnum`: `$N` loads only for N below it.
    #[arg(long, default_value_t = 16)]
    dbnum: u32,
    /// The server runs with `--cluster_mode=yes`: only `$0` and `$all` load.
    #[arg(long)]
    cluster_mode: bool,
}

impl From<LimitArgs> for ServerLimits {
    fn from(a: LimitArgs) -> ServerLimits {
        ServerLimits {
            dbnum: a.dbnum,
            cluster_mode: a.cluster_mode,
        }
    }
}

#[derive(Subcommand)]
pub enum AclCommand {
    /// Print each user's effective permissions, with the token that granted each. FILE is an
    /// ACL file, or YAML/JSON holding ACL text (a Secret, a ConfigMap), read as `check` does.
    Explain {
        file: PathBuf,
        #[arg(long)]
        user: Option<String>,
        /// Which server's ACL rules apply [default: the configuration file's
        /// `acl.dialect`, else dragonfly].
        #[arg(long, visible_alias = "acl-dialect", value_enum)]
        dialect: Option<DialectArg>,
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        input_limits: LimitFlags,
        #[command(flatten)]
        source: ConfigArgs,
    },
    /// What an ACL change grants and revokes, user by user, and its risks. OLD and NEW are
    /// ACL files, YAML/JSON holding ACL text (read as `check` does), or `git:REV:PATH`.
    /// Exit 0, 1 when `--fail-on` is met, 2 on error (a side the server refuses included).
    Diff {
        old: String,
        new: String,
        /// Only this user.
        #[arg(long)]
        user: Option<String>,
        /// Which server's ACL rules apply [default: the configuration file's
        /// `acl.dialect`, else dragonfly].
        #[arg(long, visible_alias = "acl-dialect", value_enum)]
        dialect: Option<DialectArg>,
        #[arg(long, value_enum, default_value_t = crate::acl_diff_command::DiffFormat::Pretty)]
        format: crate::acl_diff_command::DiffFormat,
        /// Exit 1 when the change carries a risk (`risk`) or changes anything in effect
        /// (`change`).
        #[arg(long, value_enum, default_value_t = crate::acl_diff_command::FailOn::Never)]
        fail_on: crate::acl_diff_command::FailOn,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        input_limits: LimitFlags,
        #[command(flatten)]
        source: ConfigArgs,
    },
    /// Check an ACL spec (`NAME.acl-test.yaml`: per user, command lines that must be
    /// allowed or denied; `isolated`, `no-unauthenticated`, `readonly`). The ACL is `--acl`,
    /// else the spec's `acl:`, else NAME.acl (or .conf, .yaml, .yml) beside it. Exit 0 all
    /// pass, 1 some fail, 2 error.
    Test {
        spec: PathBuf,
        #[arg(long)]
        acl: Option<PathBuf>,
        /// Which server's ACL rules apply [default: the configuration file's
        /// `acl.dialect`, else dragonfly].
        #[arg(long, visible_alias = "acl-dialect", value_enum)]
        dialect: Option<DialectArg>,
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        input_limits: LimitFlags,
        #[command(flatten)]
        source: ConfigArgs,
    },
    /// The least-privilege rule for what an application sends: INPUT holds command lines,
    /// MONITOR output or an ACL LOG dump (`-` for standard input). The rule is proven with
    /// the dry-run engine and each token explained. Exit 0 proven, 1 not, 2 error.
    Suggest {
        input: PathBuf,
        /// The name of the user to write the rule for.
        #[arg(long)]
        user: String,
        /// The ACL the user joins: its other users' keys must stay out of reach.
        #[arg(long)]
        acl: Option<PathBuf>,
        /// Which server's ACL rules apply [default: the configuration file's
        /// `acl.dialect`, else dragonfly].
        #[arg(long, visible_alias = "acl-dialect", value_enum)]
        dialect: Option<DialectArg>,
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        input_limits: LimitFlags,
        #[command(flatten)]
        source: ConfigArgs,
    },
    /// May USER run CMD ARGS…? Exit 0 allowed, 1 denied, 2 error.
    Can {
        /// ACL file (or YAML/JSON holding one ACL text), USER, CMD and ARGS; or
        /// `--cases FILE.jsonl` for many queries.
        words: Vec<String>,
        /// One JSON query per line; one JSON answer per line. A query without `"acl"` asks
        /// about the ACL file given as the only word (`--cases q.jsonl users.acl`).
        #[arg(long, value_name = "FILE.jsonl")]
        cases: Option<PathBuf>,
        /// Which server's ACL rules apply [default: the configuration file's
        /// `acl.dialect`, else dragonfly].
        #[arg(long, visible_alias = "acl-dialect", value_enum)]
        dialect: Option<DialectArg>,
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        input_limits: LimitFlags,
        #[command(flatten)]
        source: ConfigArgs,
    },
}

const EXIT_DENIED: u8 = 1;
const EXIT_ERROR: u8 = 2;

pub fn run(command: AclCommand) -> ExitCode {
    match command {
        AclCommand::Suggest {
            input,
            user,
            acl,
            dialect,
            format,
            limits,
            input_limits,
            source,
        } => {
            let near: Vec<PathBuf> = acl.iter().cloned().collect();
            let (dialect, input_limits) = match settings(&source, &near, dialect, &input_limits) {
                Ok(settings) => settings,
                Err(code) => return code,
            };
            crate::acl_suggest_command::run(crate::acl_suggest_command::SuggestArgs {
                input,
                user,
                acl,
                format,
                dialect,
                limits: limits.into(),
                input_limits,
            })
        }
        AclCommand::Test {
            spec,
            acl,
            dialect,
            format,
            limits,
            input_limits,
            source,
        } => {
            let (dialect, input_limits) =
                match settings(&source, std::slice::from_ref(&spec), dialect, &input_limits) {
                    Ok(settings) => settings,
                    Err(code) => return code,
                };
            crate::acl_test_command::run(crate::acl_test_command::TestArgs {
                spec,
                acl,
                format,
                dialect,
                limits: limits.into(),
                input_limits,
            })
        }
        AclCommand::Diff {
            old,
            new,
            user,
            dialect,
            format,
            fail_on,
            limits,
            input_limits,
            source,
        } => {
            // The configuration file is looked for above the new version, when it is a file.
            let near: Vec<PathBuf> = [&new]
                .into_iter()
                .filter(|n| !n.starts_with("git:"))
                .map(PathBuf::from)
                .collect();
            let (dialect, input_limits) = match settings(&source, &near, dialect, &input_limits) {
                Ok(settings) => settings,
                Err(code) => return code,
            };
            crate::acl_diff_command::run(crate::acl_diff_command::DiffArgs {
                old,
                new,
                user,
                format,
                fail_on,
                dialect,
                limits: limits.into(),
                input_limits,
            })
        }
        AclCommand::Explain {
            file,
            user,
            dialect,
            format,
            limits,
            input_limits,
            source,
        } => {
            let (dialect, input_limits) =
                match settings(&source, std::slice::from_ref(&file), dialect, &input_limits) {
                    Ok(settings) => settings,
                    Err(code) => return code,
                };
            explain(
                &file,
                user.as_deref(),
                dialect,
                format,
                limits.into(),
                &input_limits,
            )
        }
        AclCommand::Can {
            words,
            cases,
            dialect,
            format,
            limits,
            input_limits,
            source,
        } => {
            // The configuration file is looked for above the ACL file, when one is given.
            let near: Vec<PathBuf> = words.first().map(PathBuf::from).into_iter().collect();
            let (dialect, input_limits) = match settings(&source, &near, dialect, &input_limits) {
                Ok(settings) => settings,
                Err(code) => return code,
            };
            let Some(cases) = cases else {
                return can(&words, dialect, format, limits.into(), &input_limits);
            };
            let acl = match words.as_slice() {
                [] => None,
                [file] => match load(&PathBuf::from(file), dialect, limits.into(), &input_limits) {
                    Ok(mut acls) if acls.len() == 1 => Some(acls.swap_remove(0)),
                    Ok(_) => {
                        eprintln!("dflint: {file} holds several ACL texts; give one");
                        return ExitCode::from(EXIT_ERROR);
                    }
                    Err(code) => return code,
                },
                _ => {
                    eprintln!("dflint: with --cases, give at most one ACL file");
                    return ExitCode::from(EXIT_ERROR);
                }
            };
            run_cases(&cases, acl, dialect, limits.into())
        }
    }
}

/// The dialect and input limits: the flags', else the configuration file's (found above
/// `near`, the ACL file), else the defaults.
fn settings(
    source: &ConfigArgs,
    near: &[PathBuf],
    dialect: Option<DialectArg>,
    input_limits: &LimitFlags,
) -> Result<(Dialect, Limits), ExitCode> {
    let config = match source.read(near) {
        Ok(file) => file.map_or_else(dflint_core::LintConfig::default, |f| f.config),
        Err(error) => {
            eprintln!("dflint: {error}");
            return Err(ExitCode::from(EXIT_ERROR));
        }
    };
    let mut limits = config.limits;
    input_limits.apply(&mut limits);
    Ok((dialect.map_or(config.acl.dialect, Dialect::from), limits))
}

fn explain(
    path: &Path,
    only: Option<&str>,
    dialect: Dialect,
    format: Format,
    limits: ServerLimits,
    input_limits: &Limits,
) -> ExitCode {
    let acls = match load(path, dialect, limits, input_limits) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let several = acls.len() > 1;
    // Written one user at a time: an ACL of 100,000 users described at once held every
    // user's command list in memory (gigabytes) before printing anything.
    let mut out = UserWriter {
        out: std::io::BufWriter::new(std::io::stdout().lock()),
        format,
        written: 0,
    };
    // With `--user`, the (few) matches are kept until it is known whether there are any.
    let mut matches = Vec::new();
    for acl in &acls {
        let file = &acl.file;
        for problem in &file.problems {
            eprintln!("dflint: {}: {}", acl.label, problem.message);
        }
        let (users, errors) = evaluate(file);
        // Applying the rules can refuse the file too (Redis: removing a password the user
        // does not have).
        for error in &errors {
            eprintln!("dflint: {}: {}", acl.label, error.message);
        }
        if file.rejected() || !errors.is_empty() {
            eprintln!(
                "dflint: {}: {}; below is what the lines would grant if it loaded",
                acl.label,
                dflint_core::acl::parse::rejection(dialect)
            );
        }
        for user in users.iter().filter(|u| only.is_none_or(|o| o == u.name)) {
            let mut value = UserReport::of(file, user);
            if several {
                value.acl = Some(acl.label.clone());
            }
            if only.is_some() {
                matches.push(value);
            } else if let Err(error) = out.user(&value) {
                return write_failure(error);
            }
        }
    }
    if let Some(name) = only {
        if matches.is_empty() {
            eprintln!("dflint: no user `{name}` in {}", path.display());
            return ExitCode::from(EXIT_ERROR);
        }
        for value in &matches {
            if let Err(error) = out.user(value) {
                return write_failure(error);
            }
        }
    }
    match out.finish() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => write_failure(error),
    }
}

/// A reader that closed the pipe has read what it wanted: the command succeeded.
fn write_failure(error: std::io::Error) -> ExitCode {
    match crate::stdout::reader_gone_is_ok(Err(error)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(EXIT_ERROR),
    }
}

/// Writes described users as they come: the JSON array (the same text as the whole array
/// pretty-printed at once) or the pretty blocks.
struct UserWriter<W: Write> {
    out: W,
    format: Format,
    written: usize,
}

impl<W: Write> UserWriter<W> {
    fn user(&mut self, value: &UserReport) -> std::io::Result<()> {
        match self.format {
            Format::Json => {
                self.out
                    .write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
                let text = serde_json::to_string_pretty(value).expect("JSON");
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\n")?;
                    }
                    write!(self.out, "  {line}")?;
                }
            }
            Format::Pretty => self
                .out
                .write_all(pretty(std::slice::from_ref(value)).as_bytes())?,
        }
        self.written += 1;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        match (self.format, self.written) {
            (Format::Json, 0) => writeln!(self.out, "[]")?,
            (Format::Json, _) => writeln!(self.out, "\n]")?,
            (Format::Pretty, _) => writeln!(self.out)?,
        }
        self.out.flush()
    }
}

/// One user in the pretty format: a header line, then its permissions and selectors.
fn pretty(users: &[UserReport]) -> String {
    let mut out = String::new();
    for u in users {
        let mut extras = Vec::new();
        if let Some(db) = u.db {
            extras.push(format!("database {db} only"));
        }
        if let Some(ns) = u.namespace.as_deref().filter(|n| !n.is_empty()) {
            extras.push(format!("namespace {ns}"));
        }
        if u.lines > 1 {
            extras.push(format!("merged from {} lines", u.lines));
        }
        if let Some(acl) = &u.acl {
            extras.push(acl.clone());
        }
        out.push_str(&format!(
            "user {}{}: {}, {}, {} password(s){}\n",
            u.user,
            if u.implicit {
                " (built-in, no `user default` line)"
            } else {
                ""
            },
            if u.enabled { "on" } else { "off" },
            if u.nopass {
                "nopass"
            } else {
                "password required"
            },
            u.passwords,
            if extras.is_empty() {
                String::new()
            } else {
                format!(" [{}]", extras.join(", "))
            }
        ));
        permissions(&mut out, &u.permissions, "  ");
        for (i, selector) in u.selectors.iter().enumerate() {
            out.push_str(&format!(
                "  selector {} (an alternative set of permissions):\n",
                i + 1
            ));
            permissions(&mut out, selector, "    ");
        }
    }
    out
}

/// One set of permissions (a user's root, or a selector) in the pretty format.
fn permissions(out: &mut String, p: &PermissionsReport, indent: &str) {
    if p.all_commands {
        // Every command, dangerous ones included: listing them one by one says nothing more.
        let by: Vec<&str> = p
            .commands
            .iter()
            .filter_map(|c| c.granted_by.as_deref())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        out.push_str(&format!(
            "{indent}commands: all {} (dangerous/admin included), granted by {}\n",
            p.commands.len(),
            by.join(", ")
        ));
    } else {
        out.push_str(&format!(
            "{indent}commands: {} allowed{}\n",
            p.commands.len(),
            if p.categories.is_empty() {
                String::new()
            } else {
                format!(" (whole categories: {})", p.categories.join(" "))
            }
        ));
        for c in &p.commands {
            let name = c.command.to_ascii_uppercase();
            if let Some(why) = &c.always_allowed {
                out.push_str(&format!("{indent}  = {name} always allowed ({why})\n"));
            } else if c.dangerous {
                out.push_str(&format!(
                    "{indent}  ! {name} (dangerous/admin) granted by {}\n",
                    c.granted_by.as_deref().unwrap_or("the default")
                ));
            }
        }
    }
    for f in &p.first_args {
        out.push_str(&format!(
            "{indent}  + {} {} (first argument only) granted by {}\n",
            f.command.to_ascii_uppercase(),
            f.arg,
            f.granted_by.as_deref().unwrap_or("")
        ));
    }
    if p.all_keys {
        out.push_str(&format!(
            "{indent}keys: all (from {})\n",
            p.all_keys_granted_by.as_deref().unwrap_or("?")
        ));
    }
    for k in &p.keys {
        let perm = match (k.read, k.write) {
            (true, true) => "read/write",
            (true, false) => "read",
            _ => "write",
        };
        out.push_str(&format!(
            "{indent}keys: {} ({perm}) from {}\n",
            k.pattern,
            k.granted_by.as_deref().unwrap_or("")
        ));
    }
    if p.all_channels {
        out.push_str(&format!("{indent}channels: all\n"));
    }
    for c in &p.channels {
        out.push_str(&format!("{indent}channels: {c}\n"));
    }
}

fn can(
    words: &[String],
    dialect: Dialect,
    format: Format,
    limits: ServerLimits,
    input_limits: &Limits,
) -> ExitCode {
    let [file, user, command, args @ ..] = words else {
        eprintln!("dflint: usage: dflint acl can FILE USER CMD [ARGS…]  (or --cases FILE.jsonl)");
        return ExitCode::from(EXIT_ERROR);
    };
    let mut acls = match load(&PathBuf::from(file), dialect, limits, input_limits) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if acls.len() > 1 {
        let labels: Vec<&str> = acls.iter().map(|a| a.label.as_str()).collect();
        eprintln!(
            "dflint: {file} holds {} ACL texts ({}); put the one to ask about in a file of its own",
            acls.len(),
            labels.join("; ")
        );
        return ExitCode::from(EXIT_ERROR);
    }
    let mut argv: Vec<&[u8]> = vec![command.as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    let result = EvaluatedAcl::new(acls.swap_remove(0).file).answer(user, &argv);
    let command = command.to_ascii_uppercase();
    let text = match (format, &result) {
        (Format::Json, _) => format!("{result}\n"),
        (Format::Pretty, CanAnswer::Error { error }) => {
            eprintln!("dflint: {error}");
            String::new()
        }
        (Format::Pretty, CanAnswer::Verdict(v)) if v.allowed => format!(
            "allowed: `{user}` may run {command} ({})\n",
            match (&v.always_allowed, &v.token) {
                (Some(why), _) => format!("always allowed: {why}"),
                (None, Some(token)) => format!("granted by {token}"),
                (None, None) => "granted by the default".to_string(),
            }
        ),
        (Format::Pretty, CanAnswer::Verdict(v)) => format!(
            "denied: `{user}` may not run {command} — no permission for the {} `{}` ({})\n",
            v.denied_on.as_deref().unwrap_or("command"),
            v.item,
            v.token
                .as_deref()
                .map_or("never granted".to_string(), |t| format!("decided by {t}")),
        ),
    };
    if crate::stdout::print(&text).is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    match result.allowed() {
        None => ExitCode::from(EXIT_ERROR),
        Some(true) => ExitCode::SUCCESS,
        Some(false) => ExitCode::from(EXIT_DENIED),
    }
}

/// One JSON object per input line, one answer per output line, in order.
fn run_cases(
    path: &PathBuf,
    shared: Option<LoadedAcl>,
    default_dialect: Dialect,
    default_limits: ServerLimits,
) -> ExitCode {
    // The ACL file given beside `--cases`, evaluated once for every query without `"acl"`.
    let shared = shared.map(|acl| EvaluatedAcl::new(acl.file));
    let input: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                eprintln!("dflint: {}: {e}", path.display());
                return ExitCode::from(EXIT_ERROR);
            }
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut cache = EvaluatedCache::default();
    for line in input.lines() {
        let Ok(line) = line else {
            return ExitCode::from(EXIT_ERROR);
        };
        let Some(result) = answer_case_line(
            &line,
            shared.as_ref(),
            &mut cache,
            default_dialect,
            default_limits,
        ) else {
            continue;
        };
        if crate::stdout::reader_gone_is_ok(writeln!(out, "{result}")).is_err() {
            return ExitCode::from(EXIT_ERROR);
        }
    }
    if crate::stdout::reader_gone_is_ok(out.flush()).is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    ExitCode::SUCCESS
}
