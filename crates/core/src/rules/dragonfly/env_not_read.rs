use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct EnvNotRead;

static META: RuleMeta = RuleMeta {
    code: "DF015",
    name: "env-not-read",
    severity: Severity::Warning,
    summary: "An env var meant to configure Redis or Dragonfly that Dragonfly never reads.",
    docs: rule_docs!("env_not_read.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// Variables of the Redis images and charts that people carry over; Dragonfly reads none.
const REDIS_IMAGE_VARS: &[&str] = &["ALLOW_EMPTY_PASSWORD", "MASTER_PASSWORD"];

/// What the user probably meant, for the help text.
fn meant(name: &str, operator: bool) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    if upper.contains("PASSWORD") || upper.ends_with("_PASS") {
        return Some(if operator {
            "the password is set with `spec.authentication.passwordFromSecret` (or `DFLY_requirepass` from a Secret)".into()
        } else {
            "Dragonfly reads its password from `DFLY_requirepass` (set it from a Secret) or `--requirepass`".into()
        });
    }
    let rest = upper
        .strip_prefix("REDIS_")
        .or_else(|| upper.strip_prefix("DRAGONFLY_"))
        .or_else(|| upper.strip_prefix("DFLY_"))?;
    let flag = rest.to_ascii_lowercase();
    flags::lookup(&flag)
        .map(|f| f.name)
        .or_else(|| flags::suggest(&flag))
        .map(|f| format!("Dragonfly reads `DFLY_{f}` (or the `--{f}` argument)"))
}

fn is_unread(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("REDIS_")
        || upper.starts_with("DRAGONFLY_")
        || REDIS_IMAGE_VARS.contains(&upper.as_str())
        // Dragonfly only reads the exact upper-case prefix `DFLY_`.
        || (upper.starts_with("DFLY_") && !name.starts_with("DFLY_"))
}

impl Rule for EnvNotRead {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            for var in &cr.env {
                if !is_unread(var.name) {
                    continue;
                }
                let diagnostic = out.report(
                    &cr.target(var.name_node),
                    format!(
                        "Dragonfly does not read env `{}`; it has no effect on the server",
                        var.name
                    ),
                );
                if let Some(help) = meant(var.name, cr.is_operator()) {
                    diagnostic.with_help(help);
                }
            }
        }
    }
}
