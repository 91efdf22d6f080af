use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct EnvFileNotFound;

static META: RuleMeta = RuleMeta {
    code: "DF064",
    name: "env-file-not-found",
    severity: Severity::Error,
    summary: "A compose service running Dragonfly names an `env_file` that does not exist: `docker compose up` stops with an error.",
    docs: rule_docs!("env_file_not_found.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for EnvFileNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            let Some(context) = &server.compose else {
                continue;
            };
            // Only a front end that looked for the files can tell one is missing: the others
            // leave the service's env files unknown instead.
            for (entry, path) in &context.missing_env_files {
                out.report(
                    &server.target(entry),
                    format!(
                        "the env file of {} is not found at `{path}` (relative to the compose file's directory): `docker compose up` stops with an error, and the variables it should set are not checked",
                        server.name()
                    ),
                )
                .with_help("fix the path, or mark the entry optional with `- path: …` and `required: false` (compose 2.24 and later) when the file may be absent");
            }
        }
    }
}
