use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct S3PlainHttp;

static META: RuleMeta = RuleMeta {
    code: "DF113",
    name: "s3-plain-http",
    severity: Severity::Warning,
    summary: "`--s3_use_https=false`: snapshots travel to and from S3 unencrypted.",
    docs: rule_docs!("s3_plain_http.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for S3PlainHttp {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for line in bundle.command_lines() {
            let Some(flag) = line.last_use("s3_use_https") else {
                continue;
            };
            if !line.value_is_known(flag) || !flag.turns_off() {
                continue;
            }
            out.report(
                &line.flag_target(flag),
                "`--s3_use_https=false` sends snapshots to S3 and loads them back over plain HTTP: every key and value crosses the network unencrypted, and can be altered on the way",
            )
            .with_help("remove it (HTTPS is the default); for an S3-compatible store inside the cluster, give it a TLS certificate, or suppress this finding with the reason the traffic is protected");
        }
    }
}
