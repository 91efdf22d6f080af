use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::helm_chart::{key_use, written_keys, KeyUse};
use crate::dragonfly::Runner;
use crate::flags::newest_release;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct UnknownChartValue;

static META: RuleMeta = RuleMeta {
    code: "DF080",
    name: "unknown-chart-value",
    severity: Severity::Warning,
    summary: "A values key of Dragonfly's Helm chart that the chart version installed does not read: Helm ignores it without a word.",
    docs: rule_docs!("unknown_chart_value.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

impl Rule for UnknownChartValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for server in &bundle.dragonflies {
            let (Runner::HelmChart { version, .. }, Some(values)) = (server.runner, server.spec)
            else {
                continue;
            };
            let judged = version.unwrap_or_else(newest_release);
            let which = match version {
                Some(v) => format!("chart {v}"),
                None => format!(
                    "chart {judged}, the newest dflint knows (the chart version is not pinned)"
                ),
            };
            for (key, node) in written_keys(values, judged) {
                let diagnostic = match key_use(&key, judged) {
                    KeyUse::Read => continue,
                    KeyUse::NotYet { first } => out
                        .report(
                            &server.target(node),
                            format!(
                                "`{key}` is read by the chart from {first} on; {which} ignores it"
                            ),
                        )
                        .with_help(format!(
                            "upgrade the chart to {first} or later, or drop the key"
                        )),
                    KeyUse::NoLonger { last } => out
                        .report(
                            &server.target(node),
                            format!("`{key}` was last read by chart {last}; {which} ignores it"),
                        )
                        .with_help("drop the key, or find what replaced it in the chart's values"),
                    KeyUse::Unknown { suggestion } => {
                        let diagnostic = out.report(
                            &server.target(node),
                            format!("`{key}` is not a value of Dragonfly's chart ({which}): Helm ignores it"),
                        );
                        match suggestion {
                            Some(s) => diagnostic.with_help(format!("did you mean `{s}`?")),
                            None => diagnostic.with_help("remove it or fix its name; `helm show values oci://ghcr.io/dragonflydb/dragonfly/helm/dragonfly` lists the chart's values"),
                        }
                    }
                };
                let _ = diagnostic;
            }
        }
    }
}
