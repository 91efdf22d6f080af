use crate::acl::parse::Op;
use crate::acl::Dialect;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ResetpassKeepsNopass;

static META: RuleMeta = RuleMeta {
    code: "DF207",
    name: "acl-resetpass-keeps-nopass",
    severity: Severity::Warning,
    summary: "`resetpass` after `nopass` does not remove `nopass` on Dragonfly (it does on Redis).",
    docs: rule_docs!("resetpass_keeps_nopass.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for ResetpassKeepsNopass {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in bundle
            .acls
            .iter()
            .filter(|a| a.file.dialect == Dialect::Dragonfly)
        {
            for line in &acl.file.users {
                let mut nopass_at = None;
                for rule in &line.rules {
                    match rule.op {
                        Op::NoPass => nopass_at = Some(rule.token),
                        Op::ResetPass => {
                            // A password given later (on this or another line) clears
                            // `nopass` anyway (src/server/acl/user.cc:92-93@v1.40.1).
                            let still_nopass = acl
                                .users
                                .iter()
                                .find(|u| u.name == line.name())
                                .is_some_and(|u| u.nopass.is_some());
                            if let Some(nopass) = nopass_at.filter(|_| still_nopass) {
                                let related = out.related(
                                    &acl.target(line.tokens[nopass].span),
                                    "the `nopass` it does not undo",
                                );
                                out.report(
                                    &acl.target(line.tokens[rule.token].span),
                                    format!("`resetpass` does not clear `nopass` on Dragonfly: `{}` still accepts any password", line.name()),
                                )
                                .with_related(related)
                                .with_help("remove `nopass` itself");
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}
