//! `dflint rules` and `dflint explain`: printed from the rule declarations in dflint-core.

use crate::RulesFormat;
use dflint_core::rules::{find, registry};
use std::process::ExitCode;

pub fn list(format: RulesFormat) -> ExitCode {
    let rules = registry();
    let text = match format {
        RulesFormat::Text => rules
            .iter()
            .map(|r| {
                let m = r.meta();
                format!(
                    "{}  {:<34} {:<8} {}\n",
                    m.code, m.name, m.severity, m.summary
                )
            })
            .collect::<String>(),
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
    print!("{text}");
    ExitCode::SUCCESS
}

pub fn explain(code_or_name: &str) -> ExitCode {
    match find(code_or_name) {
        Some(rule) => {
            let m = rule.meta();
            println!(
                "{} {} ({})\n\n{}\n\n{}",
                m.code,
                m.name,
                m.severity,
                m.summary,
                m.docs.trim_end()
            );
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("dflint: no rule `{code_or_name}`; `dflint rules` lists them");
            ExitCode::from(2)
        }
    }
}
