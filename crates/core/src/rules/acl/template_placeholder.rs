use super::support::{is_placeholder, password_text};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct TemplatePlaceholder;

static META: RuleMeta = RuleMeta {
    code: "DF225",
    name: "acl-template-placeholder",
    severity: Severity::Info,
    summary: "The ACL's passwords are placeholders (`${VAR}`, `{{ … }}`, `CHANGEME`): it is a template that must be rendered before the server loads it.",
    docs: rule_docs!("template_placeholder.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for TemplatePlaceholder {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            // In order of appearance, each once (a set beside the list: a templated file of
            // 100,000 users must not compare each name with every other).
            let mut users: Vec<&str> = Vec::new();
            let mut listed_users = std::collections::HashSet::new();
            let mut first = None;
            for line in &acl.file.users {
                for rule in &line.rules {
                    let token = &line.tokens[rule.token];
                    if matches!(
                        rule.op,
                        crate::acl::parse::Op::AddPassword(_) | crate::acl::parse::Op::AddHash(_)
                    ) && password_text(&token.text).is_some_and(is_placeholder)
                    {
                        first.get_or_insert(token.span);
                        if listed_users.insert(line.name()) {
                            users.push(line.name());
                        }
                    }
                }
            }
            let Some(span) = first else { continue };
            let listed: Vec<String> = users.iter().take(5).map(|u| format!("`{u}`")).collect();
            out.report(
                &acl.target(span),
                format!(
                    "{} is a template: the passwords of {}{} are placeholders, so the password findings (plaintext, shared, weak) are not reported for them",
                    acl.describe(),
                    listed.join(", "),
                    if users.len() > 5 { format!(" and {} more", users.len() - 5) } else { String::new() }
                ),
            )
            .with_help("make sure it is rendered (Helm, Flux substitution, envsubst, External Secrets…) before the server reads it: loaded as is, the placeholder text itself is the password");
        }
    }
}
