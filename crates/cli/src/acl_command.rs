//! `dflint acl explain` and `dflint acl can`: the ACL engine of dflint-core on the command line.

use clap::{Subcommand, ValueEnum};
use dflint_core::acl::eval::{evaluate, EffectiveUser, Permissions};
use dflint_core::acl::found::is_acl_file_name;
use dflint_core::acl::parse::{parse_file_with, AclFile, ServerLimits};
use dflint_core::acl::queries::{answer_case_line, token_text, EvaluatedAcl, EvaluatedCache};
use dflint_core::acl::{commands, Dialect};
use dflint_core::limits::{file_too_large_message, Limits};
use serde_json::json;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::inputs::{read_path, Bounded};
use crate::limit_flags::LimitFlags;
use crate::settings_args::{ConfigArgs, DialectArg};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Pretty,
    Json,
}

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

/// One ACL text read from a file: where it is, and its parse.
struct LoadedAcl {
    /// "path" for an ACL file, "path: Secret ns/name key `k`" for text inside a manifest.
    label: String,
    file: AclFile,
}

/// Reads the ACL texts of a path: the file itself when it is ACL text, or every ACL text
/// `dflint check` finds in a YAML/JSON file (Secrets, ConfigMaps), with the same recognition.
fn load(
    path: &Path,
    dialect: Dialect,
    limits: ServerLimits,
    input_limits: &Limits,
) -> Result<Vec<LoadedAcl>, ExitCode> {
    let read = read_path(path, input_limits.max_file_bytes).map_err(|e| {
        eprintln!("dflint: {}: {e}", path.display());
        ExitCode::from(EXIT_ERROR)
    })?;
    let bytes = match read {
        Bounded::Read(bytes) => bytes,
        Bounded::TooLarge(size) => {
            eprintln!(
                "dflint: {}: {}",
                path.display(),
                file_too_large_message(size, input_limits.max_file_bytes)
            );
            return Err(ExitCode::from(EXIT_ERROR));
        }
    };
    let name = path.to_string_lossy().to_string();
    let lower = name.to_ascii_lowercase();
    let manifest = [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| lower.ends_with(e));
    if !manifest || is_acl_file_name(&name) {
        let text = String::from_utf8_lossy(&bytes);
        return Ok(vec![LoadedAcl {
            label: name,
            file: parse_file_with(&text, dialect, limits),
        }]);
    }
    let sources = vec![dflint_core::Source::from_bytes(name.clone(), &bytes)];
    let loaded = dflint_core::lint::load_with(&sources, input_limits);
    let mut config = dflint_core::config::LintConfig {
        limits: input_limits.clone(),
        ..Default::default()
    };
    config.acl.dialect = dialect;
    let bundle = dflint_core::lint::Bundle::new(&sources, &loaded, &config);
    let found: Vec<LoadedAcl> = bundle
        .acls
        .iter()
        .map(|acl| LoadedAcl {
            label: format!("{name}: {}", acl.describe()),
            // Parsed again with the limits asked for; the text is the one `check` reads.
            file: parse_file_with(&acl.text.text, dialect, limits),
        })
        .collect();
    // What could not be read is said with its place, as `check` would say it.
    let at = |span: dflint_core::Span| {
        let (line, column) = sources[0].line_col(span.start);
        format!("{name}:{line}:{column}")
    };
    for (_, problem) in &loaded.syntax_problems {
        eprintln!("dflint: {}: {}", at(problem.span), problem.message);
    }
    for bad in &bundle.undecodable_acls {
        eprintln!(
            "dflint: {}: {} key `{}` should hold an ACL but {}",
            at(bad.node.span),
            bad.resource.display_name(),
            bad.key,
            bad.reason
        );
    }
    if found.is_empty() {
        eprintln!(
            "dflint: {name}: no ACL text found (looked for Secret/ConfigMap values named *.acl, acl.conf or users.acl, or starting with `user `)"
        );
        return Err(ExitCode::from(EXIT_ERROR));
    }
    Ok(found)
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
            let mut value = describe(file, dialect, user);
            if several {
                value["acl"] = json!(acl.label);
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
    fn user(&mut self, value: &serde_json::Value) -> std::io::Result<()> {
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

/// A user's effective permissions as JSON: categories fully granted, every command allowed
/// (with the token that granted it, or why it is always allowed) and every command denied
/// (with the token that last denied it), first-argument grants, patterns, and each Redis
/// selector the same way. Every claim is one `acl can` would confirm.
fn describe(file: &AclFile, dialect: Dialect, user: &EffectiveUser) -> serde_json::Value {
    let mut value = describe_permissions(file, dialect, &user.root);
    let selectors: Vec<serde_json::Value> = user
        .selectors
        .iter()
        .map(|p| describe_permissions(file, dialect, p))
        .collect();
    let fields = json!({
        "user": user.name,
        "enabled": user.enabled,
        "implicit": user.implicit,
        "nopass": user.is_nopass(),
        "passwords": user.passwords.len(),
        "hashed_passwords": user.passwords.iter().filter(|p| p.hashed).count(),
        "db": user.db,
        "db_granted_by": token_text(file, user.db_token),
        "namespace": user.namespace,
        "lines": user.lines.len(),
        "selectors": selectors,
    });
    if let (Some(target), serde_json::Value::Object(extra)) = (value.as_object_mut(), fields) {
        for (key, field) in extra {
            target.insert(key, field);
        }
    }
    value
}

fn describe_permissions(
    file: &AclFile,
    dialect: Dialect,
    perms: &Permissions,
) -> serde_json::Value {
    let table = commands::all(dialect);
    let dangerous = |c: &commands::Command| {
        ["dangerous", "admin"].iter().any(|n| {
            commands::category(dialect, n).is_some_and(|cat| c.categories & (1 << cat.bit) != 0)
        })
    };
    // Redis runs `no_auth` commands whatever the rules say (`ACLSelectorCheckCmd`); Dragonfly
    // checks them like any other command.
    let always = |c: &commands::Command| dialect == Dialect::Redis && c.no_auth;
    let allowed: Vec<usize> = (0..table.len())
        .filter(|&i| perms.allows(i) || always(&table[i]))
        .collect();
    let categories: Vec<serde_json::Value> = commands::categories(dialect)
        .iter()
        .filter(|cat| {
            let mut members = (0..table.len())
                .filter(|&i| table[i].categories & (1 << cat.bit) != 0)
                .peekable();
            members.peek().is_some() && members.all(|i| perms.allows(i))
        })
        .map(|cat| json!(format!("@{}", cat.name)))
        .collect();
    let commands: Vec<serde_json::Value> = allowed
        .iter()
        .map(|&i| {
            let by_rule = perms.allows(i);
            json!({
                "command": table[i].name,
                "dangerous": dangerous(&table[i]),
                "granted_by": if by_rule { token_text(file, perms.decided_by.get(i)) } else { None },
                "always_allowed": (!by_rule).then_some("no_auth command: Redis never checks it"),
            })
        })
        .collect();
    let denied: Vec<serde_json::Value> = (0..table.len())
        .filter(|i| !allowed.contains(i))
        .map(|i| {
            json!({
                "command": table[i].name,
                "decided_by": token_text(file, perms.decided_by.get(i)),
            })
        })
        .collect();
    json!({
        "all_commands": allowed.len() == table.len(),
        "categories": categories,
        "commands": commands,
        "denied_commands": denied,
        "dangerous_commands": allowed.iter().filter(|&&i| dangerous(&table[i])).map(|&i| table[i].name).collect::<Vec<_>>(),
        "first_args": perms.first_args.iter().map(|(i, arg, token)| json!({
            "command": table[*i].name,
            "arg": String::from_utf8_lossy(arg),
            "granted_by": token_text(file, Some(*token)),
        })).collect::<Vec<_>>(),
        "all_keys": perms.all_keys.is_some(),
        "all_keys_granted_by": token_text(file, perms.all_keys),
        "keys": perms.keys.iter().map(|k| json!({
            "pattern": String::from_utf8_lossy(&k.pattern),
            "read": k.perm.allows_read(),
            "write": k.perm.allows_write(),
            "granted_by": token_text(file, Some(k.token)),
        })).collect::<Vec<_>>(),
        "all_channels": perms.all_channels.is_some(),
        "channels": perms.channels.iter().map(|c| String::from_utf8_lossy(&c.pattern).into_owned()).collect::<Vec<_>>(),
    })
}

fn pretty(users: &[serde_json::Value]) -> String {
    let mut out = String::new();
    for u in users {
        let flag = |b: &serde_json::Value, yes: &str, no: &str| {
            if b.as_bool() == Some(true) {
                yes.to_string()
            } else {
                no.to_string()
            }
        };
        let mut extras = Vec::new();
        if let Some(db) = u["db"].as_u64() {
            extras.push(format!("database {db} only"));
        }
        if let Some(ns) = u["namespace"].as_str().filter(|n| !n.is_empty()) {
            extras.push(format!("namespace {ns}"));
        }
        if u["lines"].as_u64().is_some_and(|n| n > 1) {
            extras.push(format!("merged from {} lines", u["lines"]));
        }
        if let Some(acl) = u["acl"].as_str() {
            extras.push(acl.to_string());
        }
        out.push_str(&format!(
            "user {}{}: {}, {}, {} password(s){}\n",
            u["user"].as_str().unwrap_or(""),
            flag(&u["implicit"], " (built-in, no `user default` line)", ""),
            flag(&u["enabled"], "on", "off"),
            flag(&u["nopass"], "nopass", "password required"),
            u["passwords"],
            if extras.is_empty() {
                String::new()
            } else {
                format!(" [{}]", extras.join(", "))
            }
        ));
        permissions(&mut out, u, "  ");
        for (i, selector) in u["selectors"].as_array().into_iter().flatten().enumerate() {
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
fn permissions(out: &mut String, p: &serde_json::Value, indent: &str) {
    let list = |field: &str| p[field].as_array().cloned().unwrap_or_default();
    let cats: Vec<String> = list("categories")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    if p["all_commands"] == true {
        // Every command, dangerous ones included: listing them one by one says nothing more.
        let commands = list("commands");
        let by: Vec<&str> = commands
            .iter()
            .filter_map(|c| c["granted_by"].as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        out.push_str(&format!(
            "{indent}commands: all {} (dangerous/admin included), granted by {}\n",
            commands.len(),
            by.join(", ")
        ));
    } else {
        out.push_str(&format!(
            "{indent}commands: {} allowed{}\n",
            list("commands").len(),
            if cats.is_empty() {
                String::new()
            } else {
                format!(" (whole categories: {})", cats.join(" "))
            }
        ));
    }
    for c in list("commands")
        .iter()
        .filter(|_| p["all_commands"] != true)
    {
        let name = c["command"].as_str().unwrap_or("").to_ascii_uppercase();
        if let Some(why) = c["always_allowed"].as_str() {
            out.push_str(&format!("{indent}  = {name} always allowed ({why})\n"));
        } else if c["dangerous"] == true {
            out.push_str(&format!(
                "{indent}  ! {name} (dangerous/admin) granted by {}\n",
                c["granted_by"].as_str().unwrap_or("the default")
            ));
        }
    }
    for f in list("first_args") {
        out.push_str(&format!(
            "{indent}  + {} {} (first argument only) granted by {}\n",
            f["command"].as_str().unwrap_or("").to_ascii_uppercase(),
            f["arg"].as_str().unwrap_or(""),
            f["granted_by"].as_str().unwrap_or("")
        ));
    }
    if p["all_keys"] == true {
        out.push_str(&format!(
            "{indent}keys: all (from {})\n",
            p["all_keys_granted_by"].as_str().unwrap_or("?")
        ));
    }
    for k in list("keys") {
        let perm = match (k["read"].as_bool(), k["write"].as_bool()) {
            (Some(true), Some(true)) => "read/write",
            (Some(true), _) => "read",
            _ => "write",
        };
        out.push_str(&format!(
            "{indent}keys: {} ({perm}) from {}\n",
            k["pattern"].as_str().unwrap_or(""),
            k["granted_by"].as_str().unwrap_or("")
        ));
    }
    if p["all_channels"] == true {
        out.push_str(&format!("{indent}channels: all\n"));
    }
    for c in list("channels") {
        out.push_str(&format!("{indent}channels: {}\n", c.as_str().unwrap_or("")));
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
    let text = match format {
        Format::Json => format!("{result}\n"),
        Format::Pretty => match (&result["error"], result["allowed"].as_bool()) {
            (serde_json::Value::String(e), _) => {
                eprintln!("dflint: {e}");
                String::new()
            }
            (_, Some(true)) => format!(
                "allowed: `{user}` may run {} ({})\n",
                command.to_ascii_uppercase(),
                match (result["always_allowed"].as_str(), result["token"].as_str()) {
                    (Some(why), _) => format!("always allowed: {why}"),
                    (None, Some(token)) => format!("granted by {token}"),
                    (None, None) => "granted by the default".to_string(),
                }
            ),
            (_, _) => format!(
                "denied: `{user}` may not run {} — no permission for the {} `{}` ({})\n",
                command.to_ascii_uppercase(),
                result["denied_on"].as_str().unwrap_or("command"),
                result["item"].as_str().unwrap_or(""),
                result["token"]
                    .as_str()
                    .map_or("never granted".to_string(), |t| format!("decided by {t}")),
            ),
        },
    };
    if crate::stdout::print(&text).is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    match (result.get("error"), result["allowed"].as_bool()) {
        (Some(_), _) => ExitCode::from(EXIT_ERROR),
        (_, Some(true)) => ExitCode::SUCCESS,
        _ => ExitCode::from(EXIT_DENIED),
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
