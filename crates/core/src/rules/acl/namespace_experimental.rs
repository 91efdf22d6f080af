use crate::acl::parse::Op;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct NamespaceExperimental;

static META: RuleMeta = RuleMeta {
    code: "DF219",
    name: "acl-namespace-experimental",
    severity: Severity::Warning,
    summary: "`NAMESPACE:` is experimental in Dragonfly: not replicated, not saved in snapshots, not kept by ACL SAVE.",
    docs: rule_docs!("namespace_experimental.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for NamespaceExperimental {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for line in &acl.file.users {
                for rule in &line.rules {
                    let Op::Namespace(name) = &rule.op else {
                        continue;
                    };
                    out.report(
                        &acl.target(line.tokens[rule.token].span),
                        format!("`{}` puts `{}` in namespace `{name}`, an experimental Dragonfly feature: its keys are not replicated or saved to snapshots, and `ACL SAVE`/`ACL LIST` drop the namespace", line.tokens[rule.token].text, line.name()),
                    )
                    .with_help("use key prefixes (`~tenant:*`) for isolation, or a separate instance per tenant");
                }
            }
        }
    }
}
