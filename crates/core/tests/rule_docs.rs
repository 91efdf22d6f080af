//! Every rule's documentation carries a failing and a passing example; both run here, so the
//! docs cannot drift from the behaviour.

use dflint_core::rules::{doc_examples, registry};
use dflint_core::{lint, LintConfig, Source};

#[test]
fn every_rule_has_a_failing_and_a_passing_example_that_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in registry() {
        let meta = rule.meta();
        let examples = doc_examples(meta.docs);
        let failing = examples.iter().filter(|e| e.0).count();
        let passing = examples.iter().filter(|e| !e.0).count();
        if failing == 0 || passing == 0 {
            failures.push(format!(
                "{} {}: needs at least one failing and one passing example (has {failing}/{passing})",
                meta.code, meta.name
            ));
            continue;
        }
        for (is_failing, info, body) in examples {
            // Linted as the parity cases are, from a file on disk: a file the example names
            // (a compose `env_file`) is not beside it.
            let source = Source::new(
                dflint_core::rules::doc_example_file_name(&info),
                body.clone(),
            )
            .companions_read();
            let report = lint(&[source], &LintConfig::default());
            let fired = report.diagnostics.iter().any(|d| d.code == meta.code);
            if fired != is_failing {
                let codes: Vec<_> = report
                    .diagnostics
                    .iter()
                    .map(|d| format!("{} {}", d.code, d.message))
                    .collect();
                failures.push(format!(
                    "{} {}: {} example {} the rule; diagnostics: {codes:#?}\n{body}",
                    meta.code,
                    meta.name,
                    if is_failing { "failing" } else { "passing" },
                    if fired {
                        "triggers"
                    } else {
                        "does not trigger"
                    },
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes = std::collections::BTreeSet::new();
    let mut names = std::collections::BTreeSet::new();
    for rule in registry() {
        let m = rule.meta();
        assert!(codes.insert(m.code), "duplicate code {}", m.code);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        assert!(
            m.code.len() == 5
                && m.code.starts_with("DF")
                && m.code[2..].chars().all(|c| c.is_ascii_digit()),
            "bad code {}",
            m.code
        );
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "bad name {}",
            m.name
        );
        assert!(!m.summary.is_empty() && !m.summary.contains('\n'));
    }
    let listed: Vec<_> = registry().iter().map(|r| r.meta().code).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "the registry lists rules in code order");
}
