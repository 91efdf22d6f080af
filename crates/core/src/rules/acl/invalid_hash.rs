use crate::acl::parse::Op;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct InvalidHash;

static META: RuleMeta = RuleMeta {
    code: "DF209",
    name: "acl-invalid-hash",
    severity: Severity::Error,
    summary: "A `#` password hash that is not 64 hex characters: Dragonfly drops it silently.",
    docs: rule_docs!("invalid_hash.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for InvalidHash {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            for line in &acl.file.users {
                for rule in &line.rules {
                    if !matches!(rule.op, Op::AddHash(_)) {
                        continue;
                    }
                    let hex = line.tokens[rule.token].text.trim_start_matches('#');
                    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        continue;
                    }
                    let effect = if rule.op == Op::AddHash(None) {
                        "Dragonfly drops it with only a log line"
                    } else {
                        "Dragonfly stores it, but no password ever hashes to it"
                    };
                    out.report(
                        &acl.target(line.tokens[rule.token].span),
                        format!("the `#` hash of `{}` is not 64 hexadecimal characters: {effect}, so this password does not work (and it still clears `nopass`)", line.name()),
                    )
                    .with_help("write the full SHA-256 as 64 hex characters");
                }
            }
        }
    }
}
