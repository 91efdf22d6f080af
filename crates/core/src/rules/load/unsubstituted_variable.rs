use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct UnsubstitutedVariable;

static META: RuleMeta = RuleMeta {
    code: "DF009",
    name: "unsubstituted-variable",
    severity: Severity::Info,
    summary: "A document holds `${VAR}` substitutions that dflint has no value or default for: the fields that hold them are not checked.",
    docs: rule_docs!("unsubstituted_variable.md"),
    scope: crate::rules::Scope::Object,
};

/// Names listed in one finding before the rest is counted.
const SHOWN: usize = 8;

impl Rule for UnsubstitutedVariable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for (source, first, names) in &bundle.loaded.unsubstituted {
            let mut listed: Vec<String> = names
                .iter()
                .take(SHOWN)
                .map(|n| format!("`${{{n}}}`"))
                .collect();
            if names.len() > SHOWN {
                listed.push(format!("{} more", names.len() - SHOWN));
            }
            let plural = names.len() > 1;
            out.report(
                &Target::span(*source, *first),
                format!(
                    "{} {} no value here and no default, so the field{} that hold{} {} {} not checked (Flux fills {} in at apply time)",
                    listed.join(", "),
                    if plural { "have" } else { "has" },
                    if plural { "s" } else { "" },
                    if plural { "" } else { "s" },
                    if plural { "them" } else { "it" },
                    if plural { "are" } else { "is" },
                    if plural { "them" } else { "it" },
                ),
            )
            .with_help("give the values dflint should judge with `--var NAME=VALUE` or the `vars` setting, or write a default: `${NAME:=value}`");
        }
    }
}
