use crate::args::{EnvValue, ABSEIL_BUILTIN_FLAGS};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::flags;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct InvalidDflyEnv;

static META: RuleMeta = RuleMeta {
    code: "DF016",
    name: "invalid-dfly-env",
    severity: Severity::Error,
    summary: "A `DFLY_` env var names no flag exactly, or its value does not parse: Dragonfly exits at startup.",
    docs: rule_docs!("invalid_dfly_env.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// Env vars with the prefix that Dragonfly deliberately ignores.
const EXEMPT: &[&str] = &["DFLY_DEV_ENV"];

fn suggestion(flag: &str) -> Option<&'static str> {
    if let Some(spec) = flags::all()
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(flag))
    {
        return Some(spec.name);
    }
    if flag.eq_ignore_ascii_case("password") || flag.eq_ignore_ascii_case("pass") {
        return Some("requirepass");
    }
    flags::suggest(flag).or_else(|| flags::suggest(&flag.to_ascii_lowercase()))
}

impl Rule for InvalidDflyEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for cr in &bundle.dragonflies {
            for var in &cr.env {
                let Some(flag) = var.name.strip_prefix("DFLY_") else {
                    continue;
                };
                if EXEMPT.contains(&var.name) || ABSEIL_BUILTIN_FLAGS.contains(&flag) {
                    continue;
                }
                let Some(spec) = flags::lookup(flag) else {
                    let diagnostic = out.report(
                        &cr.target(var.name_node),
                        format!("`{}` does not name a Dragonfly flag (names are case-sensitive): Dragonfly refuses to start", var.name),
                    );
                    match suggestion(flag) {
                        Some(real) => diagnostic.with_help(format!("did you mean `DFLY_{real}`?")),
                        None => diagnostic.with_help(
                            "remove it; every `DFLY_` variable must be exactly `DFLY_<flag name>`",
                        ),
                    };
                    continue;
                };
                let (EnvValue::Known(value), Some(node)) = (&var.resolved, var.value) else {
                    continue;
                };
                if let Err(why) = spec.ty.parse(value) {
                    out.report(
                        &cr.target(node),
                        format!("the value of `{}` is not a valid `{}` value ({why}): Dragonfly refuses to start", var.name, spec.name),
                    );
                }
            }
        }
    }
}
