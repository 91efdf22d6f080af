use crate::args::CommandLineKind;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct PrimaryPortHttpEnabled;

static META: RuleMeta = RuleMeta {
    code: "DF107",
    name: "primary-port-http-enabled",
    severity: Severity::Warning,
    summary: "`--primary_port_http_enabled=true` serves the HTTP console on the data port.",
    docs: rule_docs!("primary_port_http_enabled.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for PrimaryPortHttpEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // Outside the operator HTTP on the data port is Dragonfly's default: setting it says
        // nothing new there.
        let operator_lines = bundle
            .command_lines()
            .filter(|line| line.kind == CommandLineKind::OperatorArgs);
        for line in operator_lines {
            let Some(flag) = line.enabled_bool("primary_port_http_enabled") else {
                continue;
            };
            out.report(
                &line.flag_target(flag),
                "`--primary_port_http_enabled=true` serves HTTP on the data port: `/metrics` is never authenticated there, and the console (including `/flagz`, which changes flags at runtime) is open when `requirepass` is empty",
            )
            .with_help("remove it (the operator sets `--primary_port_http_enabled=false`) and scrape metrics from the admin port");
        }
    }
}
