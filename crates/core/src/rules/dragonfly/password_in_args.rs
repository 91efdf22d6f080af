use crate::args::{CommandLineKind, SECRET_FLAGS};
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
        for cr in &bundle.dragonflies {
            let line = &cr.command_line;
            for flag in line.flag_uses() {
                if !SECRET_FLAGS.contains(&flag.name.as_str()) {
                    continue;
                }
                let literal = line.value_is_known(flag)
                    && flag.value.as_deref().is_some_and(|v| !v.is_empty());
                // Compose puts the value of `${VAR}` on the command line itself, where
                // `docker inspect` and `ps` show it, wherever the value came from.
                let interpolated = line.kind == CommandLineKind::Compose
                    && !line.value_is_known(flag)
                    && flag.value.as_deref().is_some_and(|v| !v.is_empty());
                if !literal && !interpolated {
                    continue;
                }
                if interpolated {
                    out.report(
                        &line.flag_target(flag),
                        format!("`--{}` puts the password on the command line: compose fills in the variable before the container starts, so `docker inspect` and `ps` on the host show the password", flag.name),
                    )
                    .with_help(if flag.name == "requirepass" {
                        "put `--requirepass=…` in a flag file mounted as a compose secret and pass `--flagfile=/run/secrets/<name>`; `DFLY_requirepass=${VAR}` in `environment` at least keeps it out of `ps` (not out of `docker inspect`)"
                    } else {
                        "put the flag in a flag file mounted as a compose secret (`--flagfile=/run/secrets/<name>`), or at least in `environment` as `DFLY_<flag>=${VAR}`, out of `ps`"
                    });
                    continue;
                }
                let target = match line.flag_value_span(flag) {
                    Some(span) => line.flag_target(flag).with_span(span),
                    None => line.flag_target(flag),
                };
                out.report(
                    &target,
                    format!(
                        "`--{}` is given a literal password: {}",
                        flag.name,
                        match line.kind {
                            CommandLineKind::Compose => "anyone who can read the compose file sees it, and `docker inspect` and `ps` on the host show it",
                            CommandLineKind::FlagFile => "anyone who can read the flag file sees it",
                            _ => "anyone who can read the manifest (and `ps` in the pod) sees it",
                        }
                    ),
                )
                .with_help(if flag.name == "requirepass" && line.kind == CommandLineKind::OperatorArgs {
                    "use `spec.authentication.passwordFromSecret`, or an env var with `valueFrom.secretKeyRef` referenced as `$(VAR)`"
                } else if line.kind == CommandLineKind::FlagFile {
                    "a flag file is as secret as the password in it: keep it out of Git and mount it from a Secret (or a compose secret) readable by the server alone"
                } else if flag.name == "requirepass" && cr.is_helm_chart() {
                    cr.password_advice()
                } else if flag.name == "requirepass" {
                    "set `DFLY_requirepass` with `valueFrom.secretKeyRef` instead, or reference such an env var as `$(VAR)`"
                } else {
                    "take the value from a Secret: an env var with `valueFrom.secretKeyRef`, referenced as `$(VAR)`"
                });
            }
        }
    }
}
