//! `dflint acl test SPEC`: the expectations of an ACL spec (`*.acl-test.yaml`), each checked
//! with the dry-run engine, the failing ones shown with the ACL token that decided them.

use dflint_core::acl::eval::evaluate;
use dflint_core::acl::parse::ServerLimits;
use dflint_core::acl::spec::{check, default_acl_names, read, Outcome};
use dflint_core::acl::Dialect;
use dflint_core::limits::Limits;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::acl_input::{load, Format, LoadedAcl};

const EXIT_FAILED: u8 = 1;
const EXIT_ERROR: u8 = 2;

pub struct TestArgs {
    pub spec: PathBuf,
    pub acl: Option<PathBuf>,
    pub format: Format,
    pub dialect: Dialect,
    pub limits: ServerLimits,
    pub input_limits: Limits,
}

/// The ACL a spec tests: `--acl`, else the spec's `acl:` (relative to the spec), else the
/// file named by the convention beside it.
fn acl_path(args: &TestArgs, written: Option<&str>) -> Result<PathBuf, String> {
    if let Some(path) = &args.acl {
        return Ok(path.clone());
    }
    let dir = args.spec.parent().unwrap_or(Path::new(""));
    if let Some(path) = written {
        return Ok(dir.join(path));
    }
    let name = args
        .spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let candidates = default_acl_names(&name);
    candidates
        .iter()
        .map(|c| dir.join(c))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            if candidates.is_empty() {
                format!(
                    "{}: name the ACL with `acl:` in the spec or `--acl FILE` (or name the spec NAME.acl-test.yaml beside NAME.acl)",
                    args.spec.display()
                )
            } else {
                format!(
                    "{}: no ACL beside it ({}); name it with `acl:` or `--acl FILE`",
                    args.spec.display(),
                    candidates.join(", ")
                )
            }
        })
}

pub fn run(args: TestArgs) -> ExitCode {
    // Bounded like every other input: a huge spec is refused, not read whole.
    let bytes = match crate::inputs::read_path(&args.spec, args.input_limits.max_file_bytes) {
        Ok(crate::inputs::Bounded::Read(b)) => b,
        Ok(crate::inputs::Bounded::TooLarge(size)) => {
            eprintln!(
                "dflint: {}: {}",
                args.spec.display(),
                dflint_core::limits::file_too_large_message(size, args.input_limits.max_file_bytes)
            );
            return ExitCode::from(EXIT_ERROR);
        }
        Err(e) => {
            eprintln!("dflint: {}: {e}", args.spec.display());
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let name = args.spec.to_string_lossy().into_owned();
    let source = dflint_core::Source::from_bytes(name.clone(), &bytes);
    let at = |span: dflint_core::Span| {
        let (line, column) = source.line_col(span.start);
        format!("{name}:{line}:{column}")
    };
    let parsed = dflint_core::document::parse_yaml_with(source.text(), &args.input_limits);
    let mut errors = false;
    for problem in &parsed.problems {
        eprintln!("dflint: {}: {}", at(problem.span), problem.message);
        errors = true;
    }
    let Some(root) = parsed.roots.first() else {
        eprintln!("dflint: {name}: the spec is empty");
        return ExitCode::from(EXIT_ERROR);
    };
    let spec = read(root);
    for problem in &spec.problems {
        eprintln!("dflint: {}: {}", at(problem.span), problem.message);
        errors = true;
    }
    let path = match acl_path(&args, spec.acl.as_ref().map(|(p, _)| p.as_str())) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("dflint: {message}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut acls = match load(&path, args.dialect, args.limits, &args.input_limits) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if acls.len() != 1 {
        let labels: Vec<&str> = acls.iter().map(|a| a.label.as_str()).collect();
        eprintln!(
            "dflint: {} holds {} ACL texts ({}); a spec tests one",
            path.display(),
            acls.len(),
            labels.join("; ")
        );
        return ExitCode::from(EXIT_ERROR);
    }
    let acl: LoadedAcl = acls.swap_remove(0);
    let (users, apply_errors) = evaluate(&acl.file);
    if acl.file.rejected() || !apply_errors.is_empty() {
        let why = acl
            .file
            .problems
            .first()
            .map(|p| p.message.clone())
            .or_else(|| apply_errors.first().map(|e| e.message.clone()))
            .unwrap_or_default();
        eprintln!(
            "dflint: {}: the server refuses this ACL ({why}); below is what its lines would allow if it loaded",
            acl.label
        );
        errors = true;
    }
    let outcomes = check(&spec, &acl.file, &users);
    let token_at = |o: &Outcome| {
        let token = acl.file.token(o.token?)?;
        let (line, column) = acl.place.line_col(token.span);
        Some((token.shown(), acl.place.file().to_string(), line, column))
    };
    let text = match args.format {
        Format::Pretty => {
            let mut out = format!("ACL spec {name} → {}\n", acl.label);
            for o in &outcomes {
                let mut line = format!(
                    "{} {} {}",
                    if o.passed { "pass" } else { "FAIL" },
                    at(o.expectation.span),
                    o.expectation.kind.describe()
                );
                if !o.passed {
                    line.push_str(&format!(": {}", o.message));
                    if let Some((token, file, l, c)) = token_at(o) {
                        line.push_str(&format!(" — `{token}` at {file}:{l}:{c}"));
                    }
                }
                out.push_str(&line);
                out.push('\n');
            }
            let failed = outcomes.iter().filter(|o| !o.passed).count();
            out.push_str(&format!(
                "\n{} expectation(s): {} passed, {failed} failed\n",
                outcomes.len(),
                outcomes.len() - failed
            ));
            out
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = outcomes
                .iter()
                .map(|o| {
                    let (line, column) = source.line_col(o.expectation.span.start);
                    let token = token_at(o).map(|(token, file, l, c)| {
                        serde_json::json!({"token": token, "file": file, "line": l, "column": c})
                    });
                    serde_json::json!({
                        "expectation": o.expectation.kind.describe(),
                        "passed": o.passed,
                        "message": o.message,
                        "spec": {"file": name, "line": line, "column": column},
                        "token": token,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&serde_json::json!({
                    "spec": name,
                    "acl": acl.label,
                    "results": items,
                }))
                .expect("JSON")
            )
        }
    };
    if crate::stdout::print(&text).is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    if errors {
        ExitCode::from(EXIT_ERROR)
    } else if outcomes.iter().any(|o| !o.passed) {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
