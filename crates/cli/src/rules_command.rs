//! `dflint rules` and `dflint explain`: printed from the rule declarations in dflint-core.

use crate::output_formats::RulesFormat;
use dflint_core::rules::{find, registry};
use std::process::ExitCode;

pub fn list(format: RulesFormat) -> ExitCode {
    let rules = registry();
    let text = match format {
        RulesFormat::Text => {
            // Columns as wide as their longest entry, so the summaries line up.
            let name_width = rules.iter().map(|r| r.meta().name.len()).max().unwrap_or(0);
            let severity_width = rules
                .iter()
                .map(|r| r.meta().severity.as_str().len())
                .max()
                .unwrap_or(0);
            rules
                .iter()
                .map(|r| {
                    let m = r.meta();
                    format!(
                        "{}  {:<name_width$}  {:<severity_width$}  {}\n",
                        m.code,
                        m.name,
                        m.severity.as_str(),
                        m.summary
                    )
                })
                .collect::<String>()
        }
        RulesFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({
                        "code": m.code, "rule": m.name, "severity": m.severity.as_str(),
                        "summary": m.summary,
                        "doc_url": dflint_core::diagnostic::doc_url(m.code, m.name),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).expect("serializable") + "\n"
        }
        RulesFormat::Markdown => dflint_core::rules::docs::markdown_reference(),
    };
    match crate::stdout::print(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(crate::exit_codes::EXIT_USAGE_OR_IO),
    }
}

pub fn explain(code_or_name: &str) -> ExitCode {
    match find(code_or_name) {
        Some(rule) => {
            let m = rule.meta();
            let text = format!(
                "{} {} ({})\n\n{}\n\n{}\n",
                m.code,
                m.name,
                m.severity,
                m.summary,
                m.docs.trim_end()
            );
            match crate::stdout::print(&text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(crate::exit_codes::EXIT_USAGE_OR_IO),
            }
        }
        None if dflint_core::acl::diff::explain(code_or_name).is_some() => {
            let text = dflint_core::acl::diff::explain(code_or_name).unwrap_or_default();
            match crate::stdout::print(&format!("{}\n", text.trim_end())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(crate::exit_codes::EXIT_USAGE_OR_IO),
            }
        }
        None => {
            match dflint_core::rules::nearest(code_or_name) {
                Some(near) => eprintln!(
                    "dflint: no rule `{code_or_name}`; did you mean {} ({})? `dflint rules` lists them all",
                    near.code, near.name
                ),
                None => eprintln!("dflint: no rule `{code_or_name}`; `dflint rules` lists them"),
            }
            ExitCode::from(2)
        }
    }
}
