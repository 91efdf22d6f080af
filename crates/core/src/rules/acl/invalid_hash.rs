use crate::acl::parse::Op;
use crate::diagnostic::Severity;
use crate::lint::Bundle;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct InvalidHash;

static META: RuleMeta = RuleMeta {
    code: "DF209",
    name: "acl-invalid-hash",
    severity: Severity::Error,
    summary: "A `#` password hash that is not 64 hex characters: Dragonfly drops it silently.",
    docs: include_str!("invalid_hash.md"),
};

impl Rule for InvalidHash {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for line in &acl.file.users {
                for rule in &line.rules {
                    if rule.op != Op::AddHash(None) {
                        continue;
                    }
                    out.report(
                        &acl.target(line.tokens[rule.token].span),
                        format!("the `#` hash of `{}` is not 64 hexadecimal characters: Dragonfly ignores it without an error, so this password does not work", line.name()),
                    )
                    .with_help("write the full SHA-256 as 64 hex characters");
                }
            }
        }
    }
}
