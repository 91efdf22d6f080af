//! dflint as a Kubewarden admission policy (wasm32-wasip1). This first cut only maps one
//! admitted object to a dflint report; the waPC entry points, settings and packaging follow.

use dflint_core::{lint, LintConfig, Report, Source};

/// Lints one Kubernetes object as received in an AdmissionRequest's `object`.
pub fn lint_object(object: &serde_json::Value) -> Report {
    let name = object
        .pointer("/metadata/name")
        .and_then(|n| n.as_str())
        .unwrap_or("object");
    let text = serde_json::to_string_pretty(object).unwrap_or_default();
    lint(
        &[Source::new(format!("{name}.json"), text)],
        &LintConfig::default(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unauthenticated_dragonfly_is_reported() {
        let object = serde_json::json!({
            "apiVersion": "dragonflydb.io/v1alpha1",
            "kind": "Dragonfly",
            "metadata": {"name": "cache"},
            "spec": {"replicas": 1}
        });
        let report = super::lint_object(&object);
        assert!(report.diagnostics.iter().any(|d| d.code == "DF012"));
    }
}
