use crate::args::SECRET_FLAGS;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PasswordInArgs;

static META: RuleMeta = RuleMeta {
    code: "DF013",
    name: "password-in-args",
    severity: Severity::Error,
    summary: "A password is written literally in the server arguments.",
    docs: rule_docs!("password_in_args.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for PasswordInArgs {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            for flag in line.flag_uses() {
                if !SECRET_FLAGS.contains(&flag.name.as_str()) {
                    continue;
                }
                let literal = line.value_is_known(flag)
                    && flag.value.as_deref().is_some_and(|v| !v.is_empty());
                if !literal {
                    continue;
                }
                let target = match line.flag_value_span(flag) {
                    Some(span) => line.flag_target(flag).with_span(span),
                    None => line.flag_target(flag),
                };
                out.report(
                    &target,
                    format!("`--{}` is given a literal password: anyone who can read the manifest (and `ps` in the pod) sees it", flag.name),
                )
                .with_help(if flag.name == "requirepass" {
                    "use `spec.authentication.passwordFromSecret`, or an env var with `valueFrom.secretKeyRef` referenced as `$(VAR)`"
                } else {
                    "take the value from a Secret: an env var with `valueFrom.secretKeyRef`, referenced as `$(VAR)`"
                });
            }
        }
    }
}
