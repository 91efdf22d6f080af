use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct UnknownApiVersion;

static META: RuleMeta = RuleMeta {
    code: "DF005",
    name: "unknown-api-version",
    severity: Severity::Warning,
    summary: "A kind dflint lints appears under an apiVersion it does not know; it is not linted.",
    docs: rule_docs!("unknown_api_version.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for UnknownApiVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for (doc, root, kind, api_version) in &bundle.unknown_api_versions {
            let node = root.get("apiVersion").unwrap_or(root);
            let shown = if api_version.is_empty() {
                "no apiVersion".to_string()
            } else {
                format!("apiVersion `{api_version}`")
            };
            out.report(
                &Target::node(doc, node),
                format!(
                    "`{}` with {shown} is not linted; dflint knows `{}`",
                    kind.name(),
                    kind.api_version()
                ),
            )
            .with_help(format!("use `apiVersion: {}`", kind.api_version()));
        }
    }
}
