use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};
use crate::source::Span;

pub struct MissingDefaultUser;

static META: RuleMeta = RuleMeta {
    code: "DF202",
    name: "acl-missing-default-user",
    severity: Severity::Error,
    summary: "The ACL file has no `user default` line, so `default` stays `on nopass ~* &* +@all`.",
    docs: rule_docs!("missing_default_user.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for MissingDefaultUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            if acl.file.rejected() || !acl.users.iter().any(|u| u.name == "default" && u.implicit) {
                continue;
            }
            out.report(
                &acl.target(Span::empty(0)),
                format!("{} defines no `default` user, so the server keeps its built-in `default`: on, no password, every command on every key — any client that does not AUTH gets it", acl.describe()),
            )
            .with_help("add an explicit line, e.g. `user default off -@all +auth +hello` (Dragonfly checks AUTH and HELLO against `default` before login, see DF221; with a password source only for what really needs it); a requirepass / passwordFromSecret does not apply when an ACL file is loaded");
        }
    }
}
