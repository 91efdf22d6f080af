//! `dflint acl diff OLD NEW`: an ACL change by meaning, user by user, for a pull request.

use clap::ValueEnum;
use dflint_core::acl::diff::{
    diff, AclDiff, CommandGroup, PatternChange, Status, UserDiff, Version,
};
use dflint_core::acl::eval::evaluate;
use dflint_core::acl::parse::ServerLimits;
use dflint_core::acl::Dialect;
use dflint_core::limits::Limits;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::acl_input::{load, load_bytes, LoadedAcl};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    /// For a terminal and a plain pull-request comment.
    Pretty,
    Json,
    /// A pull-request comment with a summary table.
    Markdown,
    /// GitHub Actions workflow commands: an annotation on the new file per risk and change.
    Github,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Never,
    /// Exit 1 when the change carries a risk.
    Risk,
    /// Exit 1 when anything changes in effect.
    Change,
}

const EXIT_FAILED: u8 = 1;
const EXIT_ERROR: u8 = 2;

/// One side of the comparison, read from a file or from Git.
fn read_side(
    spec: &str,
    dialect: Dialect,
    limits: ServerLimits,
    input_limits: &Limits,
) -> Result<Vec<LoadedAcl>, ExitCode> {
    let Some(rest) = spec.strip_prefix("git:") else {
        return load(&PathBuf::from(spec), dialect, limits, input_limits);
    };
    let Some((rev, path)) = rest.split_once(':') else {
        eprintln!(
            "dflint: `{spec}`: write a Git version as git:REV:PATH (e.g. git:main:users.acl)"
        );
        return Err(ExitCode::from(EXIT_ERROR));
    };
    // `git show REV:PATH` reads PATH from the repository root; `./PATH` from here, as Git does.
    let output = std::process::Command::new("git")
        .args(["show", &format!("{rev}:{path}")])
        .output();
    match output {
        Ok(out) if out.status.success() => {
            let name = path.trim_start_matches("./").to_string();
            let mut acls = load_bytes(name, &out.stdout, dialect, limits, input_limits)?;
            for acl in &mut acls {
                acl.label = format!("{}@{rev}", acl.label);
            }
            Ok(acls)
        }
        Ok(out) => {
            eprintln!(
                "dflint: `{spec}`: git show failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            Err(ExitCode::from(EXIT_ERROR))
        }
        Err(error) => {
            eprintln!("dflint: `{spec}`: cannot run git: {error}");
            Err(ExitCode::from(EXIT_ERROR))
        }
    }
}

/// Pairs the ACL texts of both sides: the only one of each, or by what holds them (the same
/// Secret and key).
fn pair(old: Vec<LoadedAcl>, new: Vec<LoadedAcl>) -> Result<Vec<(LoadedAcl, LoadedAcl)>, String> {
    if old.len() == 1 && new.len() == 1 {
        let (mut old, mut new) = (old, new);
        return Ok(vec![(old.remove(0), new.remove(0))]);
    }
    let mut pairs = Vec::new();
    let mut old: Vec<Option<LoadedAcl>> = old.into_iter().map(Some).collect();
    let mut unmatched = Vec::new();
    for acl in new {
        let found = old
            .iter_mut()
            .find(|o| o.as_ref().is_some_and(|o| o.holder == acl.holder))
            .and_then(Option::take);
        match found {
            Some(o) => pairs.push((o, acl)),
            None => unmatched.push(acl.label),
        }
    }
    unmatched.extend(old.into_iter().flatten().map(|o| o.label));
    if !unmatched.is_empty() {
        return Err(format!(
            "these ACL texts have no counterpart on the other side: {}; compare one Secret key with one file, or files that hold the same Secrets",
            unmatched.join("; ")
        ));
    }
    Ok(pairs)
}

pub struct DiffArgs {
    pub old: String,
    pub new: String,
    pub user: Option<String>,
    pub format: DiffFormat,
    pub fail_on: FailOn,
    pub dialect: Dialect,
    pub limits: ServerLimits,
    pub input_limits: Limits,
}

pub fn run(args: DiffArgs) -> ExitCode {
    let old = match read_side(&args.old, args.dialect, args.limits, &args.input_limits) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let new = match read_side(&args.new, args.dialect, args.limits, &args.input_limits) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let pairs = match pair(old, new) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("dflint: {message}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut rejected = false;
    let mut reports = Vec::new();
    for (old, new) in &pairs {
        let (old_users, old_errors) = evaluate(&old.file);
        let (new_users, new_errors) = evaluate(&new.file);
        for (acl, errors) in [(old, &old_errors), (new, &new_errors)] {
            let mut problems: Vec<String> = acl
                .file
                .problems
                .iter()
                .map(|p| p.message.clone())
                .chain(errors.iter().map(|e| e.message.clone()))
                .collect();
            problems.dedup();
            for message in problems {
                rejected = true;
                eprintln!(
                    "dflint: {}: the server refuses this ACL: {message}",
                    acl.label
                );
            }
        }
        let mut result = diff(
            Version {
                file: &old.file,
                users: &old_users,
            },
            Version {
                file: &new.file,
                users: &new_users,
            },
        );
        if let Some(only) = &args.user {
            result.users.retain(|u| &u.user == only);
        }
        for token in result.tokens_mut() {
            let acl = match token.side {
                dflint_core::acl::diff::Side::Old => old,
                dflint_core::acl::diff::Side::New => new,
            };
            if let Some(span) = token.span {
                let (line, column) = acl.place.line_col(span);
                token.file = Some(acl.place.file().to_string());
                token.line = Some(line);
                token.column = Some(column);
            }
        }
        reports.push(Report {
            old: old.label.clone(),
            new: new.label.clone(),
            dialect: args.dialect,
            diff: result,
        });
    }
    if let Some(only) = &args.user {
        if reports.iter().all(|r| r.diff.users.is_empty()) {
            eprintln!("dflint: no user `{only}` in either version");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let text = match args.format {
        DiffFormat::Pretty => reports.iter().map(pretty).collect::<Vec<_>>().join("\n"),
        DiffFormat::Markdown => reports.iter().map(markdown).collect::<Vec<_>>().join("\n"),
        DiffFormat::Github => reports.iter().map(github).collect(),
        DiffFormat::Json => {
            let values: Vec<serde_json::Value> = reports.iter().map(json).collect();
            let value = if values.len() == 1 {
                values.into_iter().next().expect("one")
            } else {
                serde_json::Value::Array(values)
            };
            format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON"))
        }
    };
    if crate::stdout::print(&text).is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    if rejected {
        return ExitCode::from(EXIT_ERROR);
    }
    let failed = match args.fail_on {
        FailOn::Never => false,
        FailOn::Risk => reports.iter().any(|r| r.diff.risks().next().is_some()),
        FailOn::Change => reports.iter().any(|r| r.diff.changed()),
    };
    if failed {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

struct Report {
    old: String,
    new: String,
    dialect: Dialect,
    diff: AclDiff,
}

impl Report {
    fn count(&self, status: Status) -> usize {
        self.diff
            .users
            .iter()
            .filter(|u| u.status == status)
            .count()
    }

    fn summary(&self) -> String {
        let risks = self.diff.risks().count();
        let mut parts = Vec::new();
        for (status, word) in [
            (Status::Changed, "changed"),
            (Status::Added, "added"),
            (Status::Removed, "removed"),
        ] {
            let n = self.count(status);
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        if parts.is_empty() {
            parts.push("no user changed in effect".to_string());
        } else {
            parts[0] = format!("users: {}", parts[0]);
        }
        let reworded = self.count(Status::NoChangeInEffect);
        if reworded > 0 {
            parts.push(format!("{reworded} reworded with no change in effect"));
        }
        parts.push(match risks {
            0 => "no risk".to_string(),
            1 => "1 risk".to_string(),
            n => format!("{n} risks"),
        });
        parts.join(", ")
    }
}

fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Dragonfly => "dragonfly",
        Dialect::Redis => "redis",
    }
}

fn place(token: &Option<dflint_core::acl::diff::TokenAt>) -> String {
    match token {
        Some(t) => match (&t.file, t.line, t.column) {
            (Some(f), Some(l), Some(c)) => format!("`{}` ({f}:{l}:{c})", t.token),
            _ => format!("`{}`", t.token),
        },
        None => "no token (the user is gone)".to_string(),
    }
}

fn names(commands: &[String]) -> String {
    let refs: Vec<&str> = commands.iter().map(String::as_str).collect();
    dflint_core::acl::diff::short_list(&refs)
}

fn group_line(group: &CommandGroup, verb: &str) -> String {
    let dangerous = if group.dangerous > 0 {
        format!(", {} of them @dangerous/@admin", group.dangerous)
    } else {
        String::new()
    };
    let example = group
        .example
        .as_ref()
        .map_or(String::new(), |e| format!("; e.g. `{e}`"));
    format!(
        "{verb} {} command(s){dangerous} by {}: {}{example}",
        group.commands.len(),
        place(&group.token),
        names(&group.commands)
    )
}

fn pattern_line(change: &PatternChange) -> String {
    let what = if change.access == "channel" {
        "channels".to_string()
    } else {
        format!("keys ({})", change.access)
    };
    let (verb, effect) = match change.direction {
        dflint_core::acl::diff::Direction::Granted => ("adds", "now allowed"),
        dflint_core::acl::diff::Direction::Revoked => ("drops", "now denied"),
    };
    let proof = match &change.query {
        Some(q) => format!("`{q}` is {effect}"),
        None => "no command the user can run uses them yet: no change in effect".to_string(),
    };
    let reaches = if change.reaches.is_empty() {
        String::new()
    } else {
        format!(
            "; reaches {}",
            change
                .reaches
                .iter()
                .map(|r| format!("`{}`'s (e.g. `{}`)", r.user, r.example))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "{verb} {what} `{}` by {}: e.g. `{}`, {proof}{reaches}",
        change.pattern,
        place(&change.token),
        change.example
    )
}

/// The lines describing one changed user, without the header.
fn user_lines(user: &UserDiff) -> Vec<String> {
    let mut lines = Vec::new();
    for risk in &user.risks {
        let at = risk
            .token
            .as_ref()
            .and_then(|t| Some(format!(" [{}:{}:{}]", t.file.as_ref()?, t.line?, t.column?)))
            .unwrap_or_default();
        lines.push(format!("RISK: {}{at}", risk.message));
    }
    for change in &user.login {
        lines.push(match &change.token {
            Some(_) => format!("login: {} — {}", change.what, place(&change.token)),
            None => format!("login: {}", change.what),
        });
    }
    for group in &user.granted {
        lines.push(format!("+ {}", group_line(group, "grants")));
    }
    for group in &user.revoked {
        lines.push(format!("- {}", group_line(group, "revokes")));
    }
    for change in user.keys.iter().chain(&user.channels) {
        let sign = match change.direction {
            dflint_core::acl::diff::Direction::Granted => "+",
            dflint_core::acl::diff::Direction::Revoked => "-",
        };
        lines.push(format!("{sign} {}", pattern_line(change)));
    }
    for group in &user.dormant {
        lines.push(format!(
            "· grants {} command(s) on paper by {}, but no query can run them yet (no key or channel pattern they need): {}",
            group.commands.len(),
            place(&group.token),
            names(&group.commands)
        ));
    }
    for other in &user.other {
        lines.push(format!(
            "{} `{}` is now {}",
            if other.now_allowed { "+" } else { "-" },
            other.query,
            if other.now_allowed {
                "allowed"
            } else {
                "denied"
            }
        ));
    }
    lines
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
        Status::NoChangeInEffect => "no change in effect",
        Status::Unchanged => "unchanged",
    }
}

fn pretty(report: &Report) -> String {
    let mut out = format!(
        "ACL diff {} → {} ({})\n",
        report.old,
        report.new,
        dialect_name(report.dialect)
    );
    for user in report
        .diff
        .users
        .iter()
        .filter(|u| matches!(u.status, Status::Added | Status::Removed | Status::Changed))
    {
        out.push_str(&format!("\n{} — {}\n", user.user, status_word(user.status)));
        for line in user_lines(user) {
            out.push_str(&format!("  {line}\n"));
        }
    }
    let listed = |status: Status| -> Vec<&str> {
        report
            .diff
            .users
            .iter()
            .filter(|u| u.status == status)
            .map(|u| u.user.as_str())
            .collect()
    };
    let reworded = listed(Status::NoChangeInEffect);
    if !reworded.is_empty() {
        out.push_str(&format!(
            "\nno change in effect (reworded): {}\n",
            reworded.join(", ")
        ));
    }
    let same = listed(Status::Unchanged);
    if !same.is_empty() {
        out.push_str(&format!("unchanged: {}\n", same.join(", ")));
    }
    out.push_str(&format!("\n{}\n", report.summary()));
    out
}

fn markdown(report: &Report) -> String {
    let mut out = format!(
        "### ACL diff: `{}` → `{}` ({})\n\n{}\n\n",
        report.old,
        report.new,
        dialect_name(report.dialect),
        report.summary()
    );
    let changed: Vec<&UserDiff> = report
        .diff
        .users
        .iter()
        .filter(|u| u.status != Status::Unchanged)
        .collect();
    if changed.is_empty() {
        return out;
    }
    out.push_str("| User | Change | Risks |\n|---|---|---|\n");
    for user in &changed {
        let commands: usize = user.granted.iter().map(|g| g.commands.len()).sum();
        let revoked: usize = user.revoked.iter().map(|g| g.commands.len()).sum();
        let mut what = vec![status_word(user.status).to_string()];
        if commands > 0 {
            what.push(format!("+{commands} commands"));
        }
        if revoked > 0 {
            what.push(format!("−{revoked} commands"));
        }
        let patterns = user.keys.len() + user.channels.len();
        if patterns > 0 {
            what.push(format!("{patterns} key/channel pattern change(s)"));
        }
        if !user.login.is_empty() {
            what.push("login".to_string());
        }
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            user.user,
            what.join(", "),
            if user.risks.is_empty() {
                "—".to_string()
            } else {
                format!("**{}**", user.risks.len())
            }
        ));
    }
    for user in changed
        .iter()
        .filter(|u| u.status != Status::NoChangeInEffect)
    {
        out.push_str(&format!(
            "\n#### `{}` ({})\n\n",
            user.user,
            status_word(user.status)
        ));
        for line in user_lines(user) {
            match line.strip_prefix("RISK: ") {
                Some(risk) => out.push_str(&format!("- **Risk:** {}\n", escape_markdown(risk))),
                None => out.push_str(&format!("- {}\n", escape_markdown(&line))),
            }
        }
    }
    out
}

/// Keeps a line from being read as markup it does not mean (a table cell break, HTML).
fn escape_markdown(text: &str) -> String {
    text.replace('|', "\\|").replace('<', "&lt;")
}

/// GitHub Actions workflow commands: risks as errors, changes as notices, on the new file.
fn github(report: &Report) -> String {
    let mut out = String::new();
    let fallback = report
        .new
        .split(": ")
        .next()
        .unwrap_or(&report.new)
        .to_string();
    for user in &report.diff.users {
        for risk in &user.risks {
            out.push_str(&annotation(
                "error",
                &risk.token,
                &fallback,
                &format!("dflint acl diff: {}", user.user),
                &risk.message,
            ));
        }
        if matches!(
            user.status,
            Status::Added | Status::Removed | Status::Changed
        ) && user.risks.is_empty()
        {
            let first = user
                .granted
                .iter()
                .chain(&user.revoked)
                .filter_map(|g| g.token.clone())
                .next()
                .or_else(|| user.keys.iter().find_map(|k| k.token.clone()))
                .or_else(|| user.login.iter().find_map(|l| l.token.clone()));
            let message = user_lines(user).join("\n");
            out.push_str(&annotation(
                "notice",
                &first,
                &fallback,
                &format!(
                    "dflint acl diff: {} {}",
                    user.user,
                    status_word(user.status)
                ),
                &message,
            ));
        }
    }
    out
}

fn annotation(
    level: &str,
    token: &Option<dflint_core::acl::diff::TokenAt>,
    fallback: &str,
    title: &str,
    message: &str,
) -> String {
    let property = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    // Only new-side tokens are in the file the pull request shows.
    let located = token
        .as_ref()
        .filter(|t| t.side == dflint_core::acl::diff::Side::New);
    let place = match located.and_then(|t| Some((t.file.as_ref()?, t.line?, t.column?))) {
        Some((file, line, column)) => {
            format!("file={},line={line},col={column},", property(file))
        }
        None => format!("file={},", property(fallback)),
    };
    format!(
        "::{level} {place}title={}::{}\n",
        property(title),
        data(message)
    )
}

fn json(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "old": report.old,
        "new": report.new,
        "dialect": dialect_name(report.dialect),
        "summary": {
            "changed": report.count(Status::Changed),
            "added": report.count(Status::Added),
            "removed": report.count(Status::Removed),
            "no_change_in_effect": report.count(Status::NoChangeInEffect),
            "unchanged": report.count(Status::Unchanged),
            "risks": report.diff.risks().count(),
        },
        "users": report.diff.users,
    })
}
