use crate::acl::found::FoundAcl;
use crate::acl::parse::rejection;
use crate::bundle::Bundle;
use crate::diagnostic::{Related, Severity};
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct AclRejected;

static META: RuleMeta = RuleMeta {
    code: "DF201",
    name: "acl-rejected",
    severity: Severity::Error,
    summary: "The server refuses the ACL text (a token or line it does not accept); one bad line rejects the whole file.",
    docs: rule_docs!("acl_rejected.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for AclRejected {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            // Every problem, in file order: what the parser refuses, then what applying the
            // rules refuses (Redis: removing a password the user does not have).
            let mut problems: Vec<(Target, String)> = acl
                .file
                .problems
                .iter()
                .map(|p| (acl.target(p.span), p.message.clone()))
                .collect();
            problems.extend(acl.apply_errors.iter().map(|e| {
                (
                    acl.token_target(e.token),
                    format!("`{}` {}", acl.token_text(e.token), e.message),
                )
            }));
            let Some((first_target, first)) = problems.first() else {
                continue;
            };
            let dialect = acl.file.dialect;
            let more = match problems.len() {
                1 => String::new(),
                n => format!(
                    " The server stops at this first one; {} more {} marked below.",
                    n - 1,
                    if n == 2 { "problem is" } else { "problems are" }
                ),
            };
            let related: Vec<Related> = problems[1..]
                .iter()
                .map(|(target, message)| out.related(target, message.clone()))
                .collect();
            let continuation = continuation_grants(acl);
            out.report(
                first_target,
                format!(
                    "{} is refused: {first}. {}.{more}{continuation}",
                    capitalised(&acl.describe()),
                    rejection(dialect)
                ),
            )
            .with_related_all(related)
            .with_help("fix every marked token; until then the server runs without these users");
        }
        for bad in &bundle.undecodable_acls {
            out.report(
                &Target::node(bad.resource.doc, bad.node),
                format!(
                    "{} key `{}` should hold an ACL but {}",
                    bad.resource.display_name(),
                    bad.key,
                    bad.reason
                ),
            );
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // The messages start with an ASCII letter.
        Some(c) => std::iter::once(c.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

/// Lines that do not start with `user` right after a `user` line look like a rule wrapped
/// onto the next line. The server refuses them, but what they would grant is still worth
/// knowing: joined to their line, which dangerous commands would they give, and to whom?
fn continuation_grants(acl: &FoundAcl<'_>) -> String {
    let dialect = acl.file.dialect;
    let text = &acl.text.text;
    // (user name, the line with its continuations joined, whether anything was joined)
    let mut joined: Vec<(String, String, bool)> = Vec::new();
    for line in text.split('\n') {
        let trimmed = line.trim_matches([' ', '\t', '\r']);
        let mut words = trimmed.split(' ');
        if words.next().is_some_and(|w| w.eq_ignore_ascii_case("user")) {
            let name = words.next().unwrap_or("").to_string();
            joined.push((name, trimmed.to_string(), false));
        } else if !trimmed.is_empty() && !trimmed.starts_with('#') {
            if let Some((_, text, continued)) = joined.last_mut() {
                text.push(' ');
                text.push_str(trimmed);
                *continued = true;
            }
        }
    }
    let dangerous = super::support::dangerous_categories(dialect);
    let mut found = Vec::new();
    for (name, line, _) in joined.into_iter().filter(|(_, _, continued)| *continued) {
        let file = crate::acl::parse::parse_file(&line, dialect);
        let (users, _) = crate::acl::eval::evaluate(&file);
        let Some(user) = users.iter().find(|u| u.name == name) else {
            continue;
        };
        let granted: Vec<String> = crate::acl::commands::all(dialect)
            .iter()
            .filter(|c| c.parent.is_none() || dialect == crate::acl::Dialect::Dragonfly)
            .filter(|c| c.categories & dangerous != 0 && user.allows_command(dialect, c))
            .map(|c| c.name.to_ascii_uppercase())
            .take(6)
            .collect();
        if !granted.is_empty() {
            found.push(format!(
                "`{name}` would get {}{}",
                granted.join(", "),
                if granted.len() == 6 { " and more" } else { "" }
            ));
        }
    }
    if found.is_empty() {
        String::new()
    } else {
        format!(
            " The lines that do not start with `user` look like continuations; joined to their `user` line, {} (dangerous/admin).",
            found.join("; ")
        )
    }
}
