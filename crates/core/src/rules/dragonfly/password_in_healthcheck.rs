use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::compose::healthcheck_password;
use crate::dragonfly::Runner;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PasswordInHealthcheck;

static META: RuleMeta = RuleMeta {
    code: "DF060",
    name: "password-in-healthcheck",
    severity: Severity::Error,
    summary: "A compose healthcheck passes the Dragonfly password to `redis-cli` on its command line, where `docker inspect` and `ps` show it.",
    docs: rule_docs!("password_in_healthcheck.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for PasswordInHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            let (Runner::Compose { .. }, Some(service)) = (server.runner, server.spec) else {
                continue;
            };
            let Some(word) = healthcheck_password(service) else {
                continue;
            };
            out.report(
                &server.target(word.node).with_span(word.span),
                format!("the healthcheck of {} gives `redis-cli` the password on its command line: `docker inspect` shows it (with `${{VAR}}` filled in) and so does `ps` on the host every time the check runs", server.name()),
            )
            .with_help("pass it through the environment instead: `test: [\"CMD-SHELL\", \"REDISCLI_AUTH=\\\"$$DFLY_requirepass\\\" redis-cli ping\"]` (the `$$` leaves the variable to the container), or check liveness without a password: an unauthenticated `PING` is answered with NOAUTH, which still proves the server is up");
        }
    }
}
