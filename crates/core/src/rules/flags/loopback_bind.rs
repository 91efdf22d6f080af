use crate::args::CommandLineKind;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct LoopbackBind;

static META: RuleMeta = RuleMeta {
    code: "DF108",
    name: "loopback-bind",
    severity: Severity::Error,
    summary: "`--bind` or `--admin_bind` to a loopback address in a CR: nothing outside the pod can connect.",
    docs: rule_docs!("loopback_bind.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

fn is_loopback(address: &str) -> bool {
    let address = address.trim().trim_start_matches('[').trim_end_matches(']');
    address == "localhost" || address == "::1" || address.starts_with("127.")
}

impl Rule for LoopbackBind {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            if line.kind != CommandLineKind::OperatorArgs {
                continue;
            }
            for (name, breaks) in [
                ("bind", "clients, the Service and replicas"),
                ("admin_bind", "the operator, the probes and replicas (which replicate from the master's admin port)"),
            ] {
                let Some(flag) = line.last_use(name) else { continue };
                if !line.value_is_known(flag) || !flag.value.as_deref().is_some_and(is_loopback) {
                    continue;
                }
                out.report(
                    &line.flag_target(flag),
                    format!("`--{name}` to a loopback address makes the port unreachable from outside the pod: {breaks} cannot connect"),
                )
                .with_help("remove it; restrict access with NetworkPolicies instead");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_addresses() {
        assert!(super::is_loopback("127.0.0.1"));
        assert!(super::is_loopback("[::1]"));
        assert!(super::is_loopback("localhost"));
        assert!(!super::is_loopback("0.0.0.0"));
        assert!(!super::is_loopback("10.0.0.1"));
    }
}
