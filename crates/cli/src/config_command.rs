//! `dflint config --show`: the effective settings as a `dflint.toml` would write them, each
//! with where it came from (a flag, a line of the file, or the default).

use crate::settings_args::{Resolved, SettingsArgs};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ConfigCommandArgs {
    /// Print the effective settings and where each one comes from.
    #[arg(long)]
    show: bool,
    /// The paths a `check` would lint: the configuration file is looked for above them
    /// (default: the current directory).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    settings: SettingsArgs,
}

pub fn run(args: ConfigCommandArgs) -> ExitCode {
    if !args.show {
        eprintln!("dflint: `dflint config --show` prints the effective settings");
        return ExitCode::from(crate::exit_codes::EXIT_USAGE_OR_IO);
    }
    let resolved = match args.settings.resolve(&args.paths) {
        Ok(resolved) => resolved,
        Err(error) => {
            eprintln!("dflint: {error}");
            return ExitCode::from(crate::exit_codes::EXIT_USAGE_OR_IO);
        }
    };
    match crate::stdout::print(&render(&resolved)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(crate::exit_codes::EXIT_USAGE_OR_IO),
    }
}

/// The settings as TOML, one setting a line, its origin in a comment after it.
pub fn render(resolved: &Resolved) -> String {
    let mut out = match &resolved.file {
        Some(file) => format!("# settings from {}\n", file.path.display()),
        None => "# no configuration file: defaults and flags\n".to_string(),
    };
    let value = toml::Value::try_from(&resolved.config).expect("the settings serialize to TOML");
    let toml::Value::Table(top) = value else {
        unreachable!("the settings are a table")
    };
    let mut sections = Vec::new();
    for (key, value) in &top {
        match value {
            toml::Value::Table(inner) if dflint_core::config::SECTIONS.contains(&key.as_str()) => {
                sections.push((key, inner))
            }
            _ => line(&mut out, key, value, &resolved.origin(key)),
        }
    }
    for (section, table) in sections {
        out.push_str(&format!("\n[{section}]\n"));
        for (key, value) in table {
            line(
                &mut out,
                key,
                value,
                &resolved.origin(&format!("{section}.{key}")),
            );
        }
    }
    // Settings left unset have no value to write; say what they mean.
    if resolved.config.acl.admin_users.is_none() {
        out.push_str(
            "# admin-users not set: `default`, and users named like admins who hold everything\n",
        );
    }
    out
}

fn line(out: &mut String, key: &str, value: &toml::Value, origin: &str) {
    let setting = format!("{} = {}", toml_key(key), inline(value));
    out.push_str(&format!("{setting:<40} # {origin}\n"));
}

/// A value on one line: arrays and tables inline.
fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => quoted(s),
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(table) if table.is_empty() => "{}".to_string(),
        toml::Value::Table(table) => {
            let entries: Vec<String> = table
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), inline(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// A key bare when TOML allows it, quoted otherwise (`"legacy/**"`).
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// A TOML basic string: JSON's escaping is valid TOML.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}
