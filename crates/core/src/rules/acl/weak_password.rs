use super::support::{is_placeholder, password_text, trivial_password};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct WeakPassword;

static META: RuleMeta = RuleMeta {
    code: "DF223",
    name: "acl-weak-password",
    severity: Severity::Warning,
    summary: "A password is trivial: empty, shorter than 8 characters, one of the most common passwords, or the user's own name (also recognised behind `#<sha256>`).",
    docs: rule_docs!("weak_password.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for WeakPassword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for line in &acl.file.users {
                for rule in &line.rules {
                    let token = &line.tokens[rule.token];
                    let Some(password) = password_text(&token.text) else {
                        continue;
                    };
                    if !matches!(
                        rule.op,
                        crate::acl::parse::Op::AddPassword(_) | crate::acl::parse::Op::AddHash(_)
                    ) {
                        continue;
                    }
                    // `user default on >` is DF203's (no authentication at all).
                    if line.name() == "default" && token.text == ">" {
                        continue;
                    }
                    // Weak first, placeholder second: most passwords are not weak, so the
                    // placeholder test runs for few of them.
                    let Some(why) = trivial_password(&token.text, line.name()) else {
                        continue;
                    };
                    if is_placeholder(password) {
                        continue;
                    }
                    out.report(
                        &acl.target(token.span),
                        format!("the password of user `{}` {why}: it is among the first a client guesses", line.name()),
                    )
                    .with_help("use a long random password (`openssl rand -hex 32`, or `ACL GENPASS` on a server) and store its `#<sha256>`");
                }
            }
        }
    }
}
