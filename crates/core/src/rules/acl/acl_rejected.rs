use crate::diagnostic::Severity;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct AclRejected;

static META: RuleMeta = RuleMeta {
    code: "DF201",
    name: "acl-rejected",
    severity: Severity::Error,
    summary: "The server refuses the ACL text (a token or line it does not accept); one bad line rejects the whole file.",
    docs: include_str!("acl_rejected.md"),
};

impl Rule for AclRejected {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for problem in &acl.file.problems {
                out.report(&acl.target(problem.span), problem.message.clone())
                    .with_help("fix this token; until then the server runs without these users");
            }
            for error in &acl.apply_errors {
                let token = acl.token_text(error.token);
                out.report(
                    &acl.token_target(error.token),
                    format!("`{token}` {}", error.message),
                );
            }
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
