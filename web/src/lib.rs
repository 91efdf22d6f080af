//! Browser facade for the playground: text in, the JSON report out. All logic is in
//! dflint-core; this crate only crosses the wasm-bindgen boundary.

use wasm_bindgen::prelude::wasm_bindgen;

/// Lints one document given its file name (the extension picks YAML or JSON) and returns the
/// JSON report (the same contract as `dflint check --format json`).
#[wasm_bindgen]
pub fn lint(file_name: &str, text: &str) -> String {
    let source = dflint_core::Source::new(file_name, text);
    let report = dflint_core::lint(&[source], &dflint_core::LintConfig::default());
    dflint_core::output::json::render(&report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn returns_the_json_contract() {
        let out = super::lint(
            "x.yaml",
            "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {name: a}\n",
        );
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["version"], 1);
        assert_eq!(report["summary"]["resources"]["Dragonfly"], 1);
        assert!(report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "DF012"));
    }
}
