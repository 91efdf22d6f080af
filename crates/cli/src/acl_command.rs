//! `dflint acl explain` and `dflint acl can`: the ACL engine of dflint-core on the command line.

use clap::{Subcommand, ValueEnum};
use dflint_core::acl::dryrun::{dry_run, Verdict};
use dflint_core::acl::eval::{evaluate, EffectiveUser};
use dflint_core::acl::parse::{parse_file, AclFile};
use dflint_core::acl::{commands, Dialect};
use serde_json::json;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum DialectArg {
    Dragonfly,
    Redis,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Dragonfly => Dialect::Dragonfly,
            DialectArg::Redis => Dialect::Redis,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Pretty,
    Json,
}

#[derive(Subcommand)]
pub enum AclCommand {
    /// Print each user's effective permissions, with the token that granted each.
    Explain {
        file: PathBuf,
        #[arg(long)]
        user: Option<String>,
        #[arg(long, value_enum, default_value_t = DialectArg::Dragonfly)]
        dialect: DialectArg,
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
    },
    /// May USER run CMD ARGS…? Exit 0 allowed, 1 denied, 2 error.
    Can {
        /// ACL file, USER, CMD and ARGS; or `--cases FILE.jsonl` for many queries.
        words: Vec<String>,
        /// One JSON query per line; one JSON answer per line.
        #[arg(long, value_name = "FILE.jsonl")]
        cases: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = DialectArg::Dragonfly)]
        dialect: DialectArg,
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
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
        } => explain(&file, user.as_deref(), dialect.into(), format),
        AclCommand::Can {
            cases: Some(cases),
            dialect,
            ..
        } => run_cases(&cases, dialect.into()),
        AclCommand::Can {
            words,
            dialect,
            format,
            ..
        } => can(&words, dialect.into(), format),
    }
}

fn read(path: &PathBuf) -> Result<String, ExitCode> {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| {
            eprintln!("dflint: {}: {e}", path.display());
            ExitCode::from(EXIT_ERROR)
        })
}

fn token_text(file: &AclFile, token: Option<dflint_core::acl::eval::TokenRef>) -> Option<String> {
    token.map(|t| file.users[t.line as usize].tokens[t.token as usize].shown())
}

fn explain(path: &PathBuf, only: Option<&str>, dialect: Dialect, format: Format) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let file = parse_file(&text, dialect);
    for problem in &file.problems {
        eprintln!("dflint: {}: {}", path.display(), problem.message);
    }
    let (users, _) = evaluate(&file);
    let users: Vec<&EffectiveUser> = users
        .iter()
        .filter(|u| only.is_none_or(|o| o == u.name))
        .collect();
    if let Some(name) = only {
        if users.is_empty() {
            eprintln!("dflint: no user `{name}` in {}", path.display());
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let described: Vec<serde_json::Value> =
        users.iter().map(|u| describe(&file, dialect, u)).collect();
    let mut out = std::io::stdout().lock();
    let result = match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&described).expect("JSON")
        ),
        Format::Pretty => writeln!(out, "{}", pretty(&described)),
    };
    if result.is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    ExitCode::SUCCESS
}

/// A user's effective permissions as JSON: categories fully granted, commands granted beyond
/// them, dangerous commands marked, patterns, each with the granting token.
fn describe(file: &AclFile, dialect: Dialect, user: &EffectiveUser) -> serde_json::Value {
    let table = commands::all(dialect);
    let dangerous = |c: &commands::Command| {
        ["dangerous", "admin"].iter().any(|n| {
            commands::category(dialect, n).is_some_and(|cat| c.categories & (1 << cat.bit) != 0)
        })
    };
    let root = &user.root;
    let allowed: Vec<usize> = root.allowed.iter().collect();
    let categories: Vec<serde_json::Value> = commands::categories(dialect)
        .iter()
        .filter(|cat| {
            let members: Vec<usize> = (0..table.len())
                .filter(|&i| table[i].categories & (1 << cat.bit) != 0)
                .collect();
            !members.is_empty() && members.iter().all(|i| root.allows(*i))
        })
        .map(|cat| json!(format!("@{}", cat.name)))
        .collect();
    let commands: Vec<serde_json::Value> = allowed
        .iter()
        .map(|&i| {
            json!({
                "command": table[i].name,
                "dangerous": dangerous(&table[i]),
                "granted_by": token_text(file, root.decided_by[i]),
            })
        })
        .collect();
    json!({
        "user": user.name,
        "enabled": user.enabled,
        "implicit": user.implicit,
        "nopass": user.is_nopass(),
        "passwords": user.passwords.len(),
        "hashed_passwords": user.passwords.iter().filter(|p| p.hashed).count(),
        "db": user.db,
        "namespace": user.namespace,
        "all_commands": allowed.len() == table.len(),
        "categories": categories,
        "commands": commands,
        "dangerous_commands": allowed.iter().filter(|&&i| dangerous(&table[i])).map(|&i| table[i].name).collect::<Vec<_>>(),
        "all_keys": root.all_keys.is_some(),
        "keys": root.keys.iter().map(|k| json!({
            "pattern": String::from_utf8_lossy(&k.pattern),
            "read": k.perm.allows_read(),
            "write": k.perm.allows_write(),
            "granted_by": token_text(file, Some(k.token)),
        })).collect::<Vec<_>>(),
        "all_channels": root.all_channels.is_some(),
        "channels": root.channels.iter().map(|c| String::from_utf8_lossy(&c.pattern).into_owned()).collect::<Vec<_>>(),
        "selectors": user.selectors.len(),
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
        out.push_str(&format!(
            "user {}{}: {}, {}, {} password(s)\n",
            u["user"].as_str().unwrap_or(""),
            flag(&u["implicit"], " (built-in, no `user default` line)", ""),
            flag(&u["enabled"], "on", "off"),
            flag(&u["nopass"], "nopass", "password required"),
            u["passwords"],
        ));
        let cats: Vec<&str> = u["categories"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .collect();
        out.push_str(&format!(
            "  commands: {} allowed{}\n",
            u["commands"].as_array().map_or(0, Vec::len),
            if cats.is_empty() {
                String::new()
            } else {
                format!(" (whole categories: {})", cats.join(" "))
            }
        ));
        for c in u["commands"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["dangerous"] == true)
        {
            out.push_str(&format!(
                "    ! {} (dangerous/admin) granted by {}\n",
                c["command"].as_str().unwrap_or("").to_ascii_uppercase(),
                c["granted_by"].as_str().unwrap_or("default")
            ));
        }
        if u["all_keys"] == true {
            out.push_str("  keys: all\n");
        }
        for k in u["keys"].as_array().into_iter().flatten() {
            let perm = match (k["read"].as_bool(), k["write"].as_bool()) {
                (Some(true), Some(true)) => "read/write",
                (Some(true), _) => "read",
                _ => "write",
            };
            out.push_str(&format!(
                "  keys: {} ({perm}) from {}\n",
                k["pattern"].as_str().unwrap_or(""),
                k["granted_by"].as_str().unwrap_or("")
            ));
        }
        if u["all_channels"] == true {
            out.push_str("  channels: all\n");
        }
        for c in u["channels"].as_array().into_iter().flatten() {
            out.push_str(&format!("  channels: {}\n", c.as_str().unwrap_or("")));
        }
    }
    out
}

fn verdict_json(file: &AclFile, verdict: &Verdict) -> serde_json::Value {
    json!({
        "allowed": verdict.allowed,
        "denied_on": verdict.denied_on.map(|d| d.as_str()),
        "item": verdict.item,
        "token": token_text(file, verdict.token),
        "user_enabled": verdict.user_enabled,
    })
}

/// Answers one query; `Err` carries what the server would answer instead.
pub fn answer(acl: &str, dialect: Dialect, user: &str, argv: &[&[u8]]) -> serde_json::Value {
    let file = parse_file(acl, dialect);
    if let Some(problem) = file.problems.first() {
        return json!({ "error": format!("ACL rejected: {}", problem.message) });
    }
    let (users, errors) = evaluate(&file);
    if let Some(error) = errors.first() {
        return json!({ "error": format!("ACL rejected: {}", error.message) });
    }
    let Some(found) = users.iter().find(|u| u.name == user) else {
        return json!({ "error": format!("user '{user}' not found") });
    };
    match dry_run(found, dialect, argv) {
        Ok(verdict) => verdict_json(&file, &verdict),
        Err(error) => json!({ "error": error.to_string() }),
    }
}

fn can(words: &[String], dialect: Dialect, format: Format) -> ExitCode {
    let [file, user, command, args @ ..] = words else {
        eprintln!("dflint: usage: dflint acl can FILE USER CMD [ARGS…]  (or --cases FILE.jsonl)");
        return ExitCode::from(EXIT_ERROR);
    };
    let text = match read(&PathBuf::from(file)) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut argv: Vec<&[u8]> = vec![command.as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    let result = answer(&text, dialect, user, &argv);
    match format {
        Format::Json => println!("{result}"),
        Format::Pretty => match (&result["error"], result["allowed"].as_bool()) {
            (serde_json::Value::String(e), _) => eprintln!("dflint: {e}"),
            (_, Some(true)) => println!(
                "allowed: `{user}` may run {} (granted by {})",
                command.to_ascii_uppercase(),
                result["token"].as_str().unwrap_or("the default")
            ),
            (_, _) => println!(
                "denied: `{user}` may not run {} — no permission for the {} `{}` ({})",
                command.to_ascii_uppercase(),
                result["denied_on"].as_str().unwrap_or("command"),
                result["item"].as_str().unwrap_or(""),
                result["token"]
                    .as_str()
                    .map_or("never granted".to_string(), |t| format!("decided by {t}")),
            ),
        },
    }
    match (result.get("error"), result["allowed"].as_bool()) {
        (Some(_), _) => ExitCode::from(EXIT_ERROR),
        (_, Some(true)) => ExitCode::SUCCESS,
        _ => ExitCode::from(EXIT_DENIED),
    }
}

/// One JSON object per input line, one answer per output line, in order.
fn run_cases(path: &PathBuf, default_dialect: Dialect) -> ExitCode {
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
    for line in input.lines() {
        let Ok(line) = line else {
            return ExitCode::from(EXIT_ERROR);
        };
        if line.trim().is_empty() {
            continue;
        }
        let result = match serde_json::from_str::<serde_json::Value>(&line) {
            Err(e) => json!({ "error": format!("invalid case: {e}") }),
            Ok(case) => {
                let dialect = match case["dialect"].as_str() {
                    Some("redis") => Dialect::Redis,
                    Some("dragonfly") => Dialect::Dragonfly,
                    _ => default_dialect,
                };
                let command = case["command"].as_str().unwrap_or("");
                let args: Vec<String> = case["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| a.as_str().unwrap_or("").to_string())
                    .collect();
                let mut argv: Vec<&[u8]> = vec![command.as_bytes()];
                argv.extend(args.iter().map(|a| a.as_bytes()));
                answer(
                    case["acl"].as_str().unwrap_or(""),
                    dialect,
                    case["user"].as_str().unwrap_or(""),
                    &argv,
                )
            }
        };
        if writeln!(out, "{result}").is_err() {
            return ExitCode::from(EXIT_ERROR);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    ExitCode::SUCCESS
}
