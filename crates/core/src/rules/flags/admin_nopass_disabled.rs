use crate::args::CommandLineKind;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct AdminNopassDisabled;

static META: RuleMeta = RuleMeta {
    code: "DF105",
    name: "admin-nopass-disabled",
    severity: Severity::Error,
    summary: "`--admin_nopass=false` in a CR locks the operator out of its instance.",
    docs: rule_docs!("admin_nopass_disabled.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for AdminNopassDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            if line.kind != CommandLineKind::OperatorArgs {
                continue;
            }
            let Some(flag) = line.last_use("admin_nopass") else {
                continue;
            };
            if !flag.turns_off() {
                continue;
            }
            out.report(
                &line.flag_target(flag),
                "`--admin_nopass=false` makes the admin port ask for a password the operator does not send: failover, replication setup and rolling updates fail with NOAUTH",
            )
            .with_help("remove it and protect port 9999 with a NetworkPolicy instead (the operator's own policy does)");
        }
    }
}
