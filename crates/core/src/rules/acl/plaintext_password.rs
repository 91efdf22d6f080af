use crate::acl::parse::Op;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PlaintextPassword;

static META: RuleMeta = RuleMeta {
    code: "DF208",
    name: "acl-plaintext-password",
    severity: Severity::Info,
    summary: "A plaintext `>password` in an ACL file where a `#<sha256>` hash would do.",
    docs: rule_docs!("plaintext_password.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for PlaintextPassword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for line in &acl.file.users {
                for rule in &line.rules {
                    if !matches!(rule.op, Op::AddPassword(_)) {
                        continue;
                    }
                    // Template placeholders are DF225's.
                    let text = &line.tokens[rule.token].text;
                    if super::support::password_text(text)
                        .is_some_and(super::support::is_placeholder)
                    {
                        continue;
                    }
                    out.report(
                        &acl.target(line.tokens[rule.token].span),
                        format!("user `{}` has a plaintext password in the ACL file", line.name()),
                    )
                    .with_help("store `#<sha256 of the password>` instead (`echo -n pass | sha256sum`); the server hashes `>` passwords anyway");
                }
            }
        }
    }
}
