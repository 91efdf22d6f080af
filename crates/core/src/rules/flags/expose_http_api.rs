use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ExposeHttpApi;

static META: RuleMeta = RuleMeta {
    code: "DF109",
    name: "expose-http-api",
    severity: Severity::Warning,
    summary: "`--expose_http_api` lets HTTP clients run any command through `POST /api`.",
    docs: rule_docs!("expose_http_api.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for ExposeHttpApi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            let Some(flag) = line.enabled_bool("expose_http_api") else {
                continue;
            };
            out.report(
                &line.flag_target(flag),
                "`--expose_http_api` adds `POST /api`, which runs commands sent as JSON over HTTP; on the admin port (always HTTP, no password in operator deployments) that is unauthenticated superuser access",
            )
            .with_help("remove it unless you need it, and then keep both HTTP listeners behind a NetworkPolicy");
        }
    }
}
