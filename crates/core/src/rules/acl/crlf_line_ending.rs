use crate::acl::commands::Dialect;
use crate::acl::parse::Op;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct CrlfLineEnding;

static META: RuleMeta = RuleMeta {
    code: "DF224",
    name: "acl-crlf-line-ending",
    severity: Severity::Warning,
    summary: "A Dragonfly ACL file with CRLF line endings loads, but the `\\r` stays inside the last password or pattern of each line.",
    docs: rule_docs!("crlf_line_ending.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for CrlfLineEnding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            // A `\r` on a command or keyword is an unknown token, which DF201 reports; Redis
            // trims `\r` from every argument.
            if acl.file.dialect != Dialect::Dragonfly || acl.file.rejected() {
                continue;
            }
            let mut affected = Vec::new();
            for line in &acl.file.users {
                let Some(rule) = line
                    .rules
                    .iter()
                    .find(|r| line.tokens[r.token].text.ends_with('\r'))
                else {
                    continue;
                };
                let what = match rule.op {
                    Op::AddPassword(_) | Op::AddHash(_) => "password",
                    Op::RemovePassword(_) => "removed password",
                    Op::Keys { .. } => "key pattern",
                    Op::Channel(_) => "channel pattern",
                    Op::Namespace(_) => "namespace",
                    _ => "token",
                };
                affected.push((line.tokens[rule.token].span, line.name().to_string(), what));
            }
            let Some((span, user, what)) = affected.first() else {
                continue;
            };
            let related: Vec<_> = affected[1..]
                .iter()
                .map(|(span, user, what)| {
                    out.related(
                        &acl.target(*span),
                        format!("the {what} of `{user}` ends in `\\r`"),
                    )
                })
                .collect();
            out.report(
                &acl.target(*span),
                format!(
                    "{} has CRLF line endings: Dragonfly splits lines on `\\n` only, so the {what} of `{user}` ends in an invisible `\\r`{} — a password that no client sends, or a pattern that matches no key",
                    acl.describe(),
                    if affected.len() > 1 { format!(" (and the last token of {} more lines)", affected.len() - 1) } else { String::new() }
                ),
            )
            .with_related_all(related)
            .with_help("convert the file to LF line endings (`dos2unix`, or `sed -i 's/\\r$//'`)");
        }
    }
}
