//! Hostile and large YAML/JSON documents go through the whole pipeline (`lint`) and finish
//! with the expected findings. Nothing here asserts a time: the tight figures belong in the
//! benchmark; a regression to quadratic work shows up as a test that no longer finishes.

use dflint_core::{lint, LintConfig, Report, Source};

fn lint_one(name: &str, text: String) -> Report {
    lint(&[Source::new(name, text)], &LintConfig::default())
}

fn codes(report: &Report, code: &str) -> Vec<(usize, String)> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.location.line, d.message.clone()))
        .collect()
}

const KEYS: usize = 100_000;

/// A ConfigMap whose annotations hold `KEYS` keys, the last one repeating `key-7`.
fn many_keys_yaml() -> String {
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  annotations:\n");
    for i in 0..KEYS - 1 {
        text.push_str(&format!("    example.com/key-{i}: v{i}\n"));
    }
    text.push_str("    example.com/key-7: again\n");
    text
}

#[test]
fn a_mapping_of_100000_keys_has_exactly_its_one_duplicate() {
    let report = lint_one("keys.yaml", many_keys_yaml());
    // 5 header lines, then one key per line: the duplicate is on line 5 + KEYS.
    assert_eq!(
        codes(&report, "DF002"),
        vec![(
            5 + KEYS,
            "duplicate key `example.com/key-7`; the later value replaces the earlier one"
                .to_string()
        )]
    );
    assert_eq!(report.summary.documents, 1);
    assert_eq!(report.summary.resources.get("ConfigMap"), Some(&1));
}

#[test]
fn a_json_object_of_100000_keys_has_exactly_its_one_duplicate() {
    let mut text = String::from("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n\"metadata\": {\"name\": \"big\", \"annotations\": {\n");
    for i in 0..KEYS - 1 {
        text.push_str(&format!("\"example.com/key-{i}\": \"v{i}\",\n"));
    }
    text.push_str("\"example.com/key-7\": \"again\"}}}\n");
    let report = lint_one("keys.json", text);
    assert_eq!(
        codes(&report, "DF002"),
        vec![(
            2 + KEYS,
            "duplicate key `example.com/key-7`; the later value replaces the earlier one"
                .to_string()
        )]
    );
    assert_eq!(report.summary.resources.get("ConfigMap"), Some(&1));
}

#[test]
fn every_key_repeated_in_a_large_mapping_is_reported_once() {
    // 20,000 keys, each written twice: 10,000 findings, each on the second occurrence.
    let mut text = String::new();
    for round in 0..2 {
        for i in 0..10_000 {
            text.push_str(&format!("k{i}: {round}\n"));
        }
    }
    let report = lint_one("twice.yaml", text);
    let found = codes(&report, "DF002");
    assert_eq!(found.len(), 10_000);
    assert!(found.iter().all(|(line, _)| *line > 10_000));
}

#[test]
fn a_100000_anchors_and_aliases_document_is_read_whole() {
    // 100,000 anchored values in one mapping, then one alias to each.
    let mut text = String::from("anchors:\n");
    for i in 0..KEYS {
        text.push_str(&format!("  k{i}: &a{i} v{i}\n"));
    }
    let aliases: Vec<String> = (0..KEYS).map(|i| format!("*a{i}")).collect();
    text.push_str(&format!("aliases: [{}]\n", aliases.join(", ")));
    let report = lint_one("anchors.yaml", text);
    for code in ["DF001", "DF002", "DF003"] {
        assert_eq!(codes(&report, code), vec![], "{code}");
    }
    assert_eq!(report.summary.documents, 1);
}

#[test]
fn aliasing_a_long_scalar_many_times_is_an_input_limit() {
    let mut text = format!("x: &x \"{}\"\nl:\n", "y".repeat(1 << 20));
    for _ in 0..10_000 {
        text.push_str("  - *x\n");
    }
    let report = lint_one("bytes.yaml", text);
    let found = codes(&report, "DF003");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("alias expansion exceeds"), "{found:?}");
    assert_eq!(report.summary.documents, 0);
}

#[test]
fn nested_anchors_do_not_copy_their_contents_once_per_level() {
    // 250 nested anchored sequences around 20,000 items: a copy per level would be 5
    // million nodes.
    let mut text = String::from("a: ");
    for depth in 0..250 {
        text.push_str(&format!("&n{depth} ["));
    }
    let items: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
    text.push_str(&items.join(", "));
    text.push_str(&"]".repeat(250));
    text.push('\n');
    let report = lint_one("nested.yaml", text.clone());
    assert_eq!(codes(&report, "DF003"), vec![]);
    assert_eq!(report.summary.documents, 1);
    // An alias to an inner anchor is expanded; one to the outermost is refused, located.
    text.push_str("b: *n240\nc: *n0\n");
    let report = lint_one("nested.yaml", text);
    let found = codes(&report, "DF003");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
    assert!(found[0].1.contains("anchors of this file"), "{found:?}");
}

#[test]
fn many_broken_documents_in_unicode_text_are_each_reported() {
    // Every document has a syntax error; each restart must not re-read the whole text.
    let mut text = String::new();
    for i in 0..5_000 {
        text.push_str(&format!("---\nname: é{i}\nbad: [1, 2\n"));
    }
    text.push_str("---\nlast: ü\n");
    let report = lint_one("broken.yaml", text);
    let found = codes(&report, "DF001");
    assert_eq!(found.len(), 5_000);
    // Each error sits in its own document (three lines each), in order.
    assert!(
        found.windows(2).all(|w| w[1].0 == w[0].0 + 3),
        "{:?}",
        &found[..3]
    );
    assert_eq!(report.summary.documents, 1);
}
