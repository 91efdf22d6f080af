use crate::args::CommandLineKind;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::operator::{ADMIN_PORT, DATA_PORT};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct OperatorPortChanged;

static META: RuleMeta = RuleMeta {
    code: "DF106",
    name: "operator-port-changed",
    severity: Severity::Error,
    summary: "`--port` or `--admin_port` in a CR moves a port the operator, probes, Service and NetworkPolicy still expect at 6379/9999.",
    docs: rule_docs!("operator_port_changed.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for OperatorPortChanged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            if line.kind != CommandLineKind::OperatorArgs {
                continue;
            }
            for (flag_name, expected, breaks) in [
                ("port", DATA_PORT, "the Service, the operator's NetworkPolicy and clients still use 6379"),
                ("admin_port", ADMIN_PORT, "the operator (replication, failover), the probes and the NetworkPolicy still use 9999"),
            ] {
                let Some(flag) = line.last_use(flag_name) else { continue };
                if !line.value_is_known(flag) {
                    continue;
                }
                let Some(value) = flag.value.as_deref() else { continue };
                match value.trim().parse::<i64>() {
                    Ok(port) if port == i64::from(expected) => {}
                    Ok(_) => {
                        out.report(
                            &line.flag_target(flag),
                            format!("`--{flag_name}={value}` moves a port the operator manages: {breaks}"),
                        )
                        .with_help(format!("remove `--{flag_name}` from `spec.args`; the operator runs Dragonfly on {expected}"));
                    }
                    Err(_) => {} // invalid-flag-value reports it
                }
            }
        }
    }
}
