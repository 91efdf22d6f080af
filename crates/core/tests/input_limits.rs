//! The input limits (`dflint_core::limits::Limits`): each one, when exceeded, gives one located
//! finding that names the limit's value and the setting that raises it, and everything before
//! it (and every other file) is still linted; when it is not exceeded, nothing is reported.

use dflint_core::limits::{InvalidLimit, Limit, Limits, UnreadSize};
use dflint_core::{lint, Diagnostic, LintConfig, Report, Source};

fn config(set: impl FnOnce(&mut Limits)) -> LintConfig {
    let mut config = LintConfig::default();
    set(&mut config.limits);
    config
}

fn lint_with(sources: &[Source], set: impl FnOnce(&mut Limits)) -> Report {
    lint(sources, &config(set))
}

fn of<'r>(report: &'r Report, code: &str) -> Vec<&'r Diagnostic> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect()
}

/// (file, line, column) of each finding with this code.
fn places(report: &Report, code: &str) -> Vec<(String, usize, usize)> {
    of(report, code)
        .iter()
        .map(|d| {
            (
                d.location.file.to_string(),
                d.location.line,
                d.location.column,
            )
        })
        .collect()
}

fn place(file: &str, line: usize, column: usize) -> (String, usize, usize) {
    (file.to_string(), line, column)
}

/// Every limit message ends by naming its value and how to raise it.
fn assert_names_limit(message: &str, limit: Limit, value: u64) {
    let named = format!("limit `{}` = {value}", limit.key());
    assert!(message.contains(&named), "{message:?} lacks {named:?}");
    let setting = format!("the policy setting `limits.{}`", limit.key());
    assert!(message.contains(&setting), "{message:?} lacks {setting:?}");
    if let Some(flag) = limit.flag() {
        assert!(
            message.contains(&format!("`{flag}`")),
            "{message:?} lacks {flag}"
        );
    }
}

/// A document with one duplicate key per `keys` entry: one DF002 each, on lines 2, 4, 6…
fn duplicates(keys: usize) -> String {
    (0..keys).map(|i| format!("k{i}: 1\nk{i}: 2\n")).collect()
}

// ---------------------------------------------------------------------------- maxFileBytes

#[test]
fn a_file_over_max_file_bytes_is_one_finding_at_its_start_and_the_others_are_linted() {
    let big = format!("# a comment line\n{}", duplicates(20));
    let size = big.len();
    let sources = [
        Source::new("big.yaml", big),
        Source::new("small.yaml", duplicates(1)),
    ];
    let report = lint_with(&sources, |l| l.max_file_bytes = 100);
    assert_eq!(places(&report, "DF003"), [place("big.yaml", 1, 1)]);
    let message = &of(&report, "DF003")[0].message;
    assert!(
        message.starts_with(&format!(
            "this file is {size} bytes, more than the 100 bytes a file may have; it is not linted"
        )),
        "{message}"
    );
    assert_names_limit(message, Limit::FileBytes, 100);
    // Nothing of the big file is read; the small one is linted as usual.
    assert_eq!(places(&report, "DF002"), [place("small.yaml", 2, 1)]);
    assert_eq!(report.summary.documents, 1);
    assert_eq!(report.summary.files, 2);
}

#[test]
fn a_file_of_exactly_max_file_bytes_is_linted() {
    let text = duplicates(2);
    let limit = text.len() as u64;
    let report = lint_with(&[Source::new("edge.yaml", text)], |l| {
        l.max_file_bytes = limit
    });
    assert!(of(&report, "DF003").is_empty());
    assert_eq!(of(&report, "DF002").len(), 2);
}

#[test]
fn a_source_the_front_end_left_unread_is_reported_with_its_size() {
    let sources = [
        Source::unread("huge.yaml", UnreadSize::Exactly(70_000_000)),
        Source::unread("<stdin>", UnreadSize::OverLimit),
        Source::new("ok.yaml", duplicates(1)),
    ];
    let report = lint(&sources, &LintConfig::default());
    assert_eq!(
        places(&report, "DF003"),
        [place("<stdin>", 1, 1), place("huge.yaml", 1, 1)]
    );
    let messages: Vec<&str> = of(&report, "DF003")
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages[0]
            .starts_with("this file is larger than the 67108864 bytes (64 MiB) a file may have"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with(
            "this file is 70000000 bytes (66.8 MiB), more than the 67108864 bytes (64 MiB)"
        ),
        "{}",
        messages[1]
    );
    for message in messages {
        assert_names_limit(message, Limit::FileBytes, 64 << 20);
    }
    assert_eq!(places(&report, "DF002"), [place("ok.yaml", 2, 1)]);
}

#[test]
fn an_oversized_acl_file_is_not_read_as_acl_text() {
    let acl = "user default on nopass +@all ~*\n".repeat(10);
    let report = lint_with(&[Source::new("users.acl", acl)], |l| l.max_file_bytes = 64);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["DF003"]);
}

// ------------------------------------------------------------------- maxDocumentsPerFile

/// `count` documents; the n-th (from 1) starts on line 2n - 1 with its `---`, and holds a
/// duplicate key on line 2n + 1... so each has one DF002.
fn documents(count: usize) -> String {
    (0..count)
        .map(|i| format!("---\nd{i}: 1\nd{i}: 2\n"))
        .collect()
}

#[test]
fn documents_past_max_documents_per_file_are_one_finding_at_the_first_of_them() {
    let sources = [
        Source::new("many.yaml", documents(5)),
        Source::new("other.yaml", documents(2)),
    ];
    let report = lint_with(&sources, |l| l.max_documents_per_file = 3);
    // Document n starts on line 3n - 2: the fourth at line 10.
    assert_eq!(places(&report, "DF003"), [place("many.yaml", 10, 1)]);
    let message = &of(&report, "DF003")[0].message;
    assert!(
        message.starts_with(
            "this file holds more than 3 documents; this one and the ones after it are not linted"
        ),
        "{message}"
    );
    assert_names_limit(message, Limit::DocumentsPerFile, 3);
    // The first three documents of many.yaml, and both of other.yaml, are linted.
    assert_eq!(
        places(&report, "DF002"),
        [
            place("many.yaml", 3, 1),
            place("many.yaml", 6, 1),
            place("many.yaml", 9, 1),
            place("other.yaml", 3, 1),
            place("other.yaml", 6, 1),
        ]
    );
    assert_eq!(report.summary.documents, 5);
}

#[test]
fn exactly_max_documents_per_file_is_fine() {
    let report = lint_with(&[Source::new("three.yaml", documents(3))], |l| {
        l.max_documents_per_file = 3
    });
    assert!(of(&report, "DF003").is_empty());
    assert_eq!(of(&report, "DF002").len(), 3);
}

#[test]
fn documents_with_syntax_errors_count_too() {
    // The second document is broken: the parser restarts at the third `---`, and the
    // count goes on from there.
    let text = "a: 1\n---\nb: [1\n---\nc: 1\n---\nd: 1\n";
    let report = lint_with(&[Source::new("broken.yaml", text.to_string())], |l| {
        l.max_documents_per_file = 3
    });
    assert_eq!(places(&report, "DF001"), [place("broken.yaml", 4, 1)]);
    assert_eq!(places(&report, "DF003"), [place("broken.yaml", 6, 1)]);
    assert_eq!(report.summary.documents, 2);
}

// -------------------------------------------------------------------- maxFindingsPerRule

#[test]
fn findings_past_max_findings_per_rule_become_one_more_finding_of_that_rule() {
    let report = lint_with(&[Source::new("dups.yaml", duplicates(10))], |l| {
        l.max_findings_per_rule = 4
    });
    let found = of(&report, "DF002");
    assert_eq!(found.len(), 5);
    // The four kept ones, then the note at the fifth duplicate (line 10).
    let lines: Vec<usize> = found.iter().map(|d| d.location.line).collect();
    assert_eq!(lines, [2, 4, 6, 8, 10]);
    let note = found[4];
    assert_eq!((note.location.line, note.location.column), (10, 1));
    assert_eq!(note.rule, "duplicate-key");
    assert_eq!(note.severity, found[0].severity);
    assert!(
        note.message.starts_with("6 more `duplicate-key` findings are not shown (the first of them is here): at most 4 findings are reported per rule"),
        "{}",
        note.message
    );
    assert_names_limit(&note.message, Limit::FindingsPerRule, 4);
    assert_eq!(
        report.summary.errors + report.summary.warnings + report.summary.infos,
        report.diagnostics.len()
    );
}

#[test]
fn the_findings_limit_is_per_rule_and_per_run() {
    // 3 duplicates in each of two files (DF002), and 3 DF010 unknown fields: the DF002 limit
    // of 4 is reached in the second file; DF010 has its own count.
    let cr = "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: c\nspec:\n  a: 1\n  b: 1\n  c: 1\n";
    let sources = [
        Source::new("a.yaml", duplicates(3)),
        Source::new("b.yaml", duplicates(3)),
        Source::new("cr.yaml", cr.to_string()),
    ];
    let report = lint_with(&sources, |l| l.max_findings_per_rule = 4);
    assert_eq!(
        places(&report, "DF002"),
        [
            place("a.yaml", 2, 1),
            place("a.yaml", 4, 1),
            place("a.yaml", 6, 1),
            place("b.yaml", 2, 1),
            place("b.yaml", 4, 1),
        ]
    );
    assert!(of(&report, "DF002")[4]
        .message
        .starts_with("2 more `duplicate-key` findings are not shown"));
    assert_eq!(of(&report, "DF010").len(), 3);
}

#[test]
fn one_finding_past_the_limit_is_said_in_the_singular() {
    let report = lint_with(&[Source::new("dups.yaml", duplicates(3))], |l| {
        l.max_findings_per_rule = 2
    });
    let found = of(&report, "DF002");
    assert_eq!(found.len(), 3);
    assert!(found[2]
        .message
        .starts_with("1 more `duplicate-key` finding is not shown (it is here): at most 2"));
}

#[test]
fn exactly_max_findings_per_rule_adds_nothing() {
    let report = lint_with(&[Source::new("dups.yaml", duplicates(4))], |l| {
        l.max_findings_per_rule = 4
    });
    let found = of(&report, "DF002");
    assert_eq!(found.len(), 4);
    assert!(found.iter().all(|d| d.message.starts_with("duplicate key")));
}

// ------------------------------------------------------------------------------ maxDepth

fn nested_block(levels: usize) -> String {
    let mut text = String::new();
    for level in 0..levels {
        text.push_str(&format!("{}k{level}:\n", "  ".repeat(level)));
    }
    text.push_str(&format!("{}leaf: 1\n", "  ".repeat(levels)));
    text
}

#[test]
fn a_document_deeper_than_max_depth_is_one_finding_where_it_gets_too_deep() {
    // 6 nested mappings inside the root: the sixth opens on line 6 (under `k4:`).
    let text = format!("{}---\n{}", nested_block(6), duplicates(1));
    let report = lint_with(&[Source::new("deep.yaml", text)], |l| l.max_depth = 6);
    assert_eq!(places(&report, "DF003"), [place("deep.yaml", 7, 13)]);
    let message = &of(&report, "DF003")[0].message;
    assert!(
        message.starts_with("document nests deeper than 6 levels; it is not linted"),
        "{message}"
    );
    assert_names_limit(message, Limit::Depth, 6);
    // The next document is linted.
    assert_eq!(places(&report, "DF002"), [place("deep.yaml", 10, 1)]);
}

#[test]
fn json_deeper_than_max_depth_is_located_too() {
    let text = "{\"a\": {\"b\": {\"c\": [1]}}}";
    let report = lint_with(&[Source::new("deep.json", text.to_string())], |l| {
        l.max_depth = 3
    });
    assert_eq!(places(&report, "DF003"), [place("deep.json", 1, 19)]);
    assert_names_limit(&of(&report, "DF003")[0].message, Limit::Depth, 3);
    let fits = lint_with(&[Source::new("deep.json", text.to_string())], |l| {
        l.max_depth = 4
    });
    assert!(of(&fits, "DF003").is_empty());
}

#[test]
fn max_depth_can_be_raised_past_the_default() {
    // 300 levels of block mappings: refused by default, read with a higher limit.
    let text = nested_block(300);
    let by_default = lint(
        &[Source::new("deep.yaml", text.clone())],
        &LintConfig::default(),
    );
    assert_eq!(of(&by_default, "DF003").len(), 1);
    assert_names_limit(&of(&by_default, "DF003")[0].message, Limit::Depth, 256);
    let raised = lint_with(&[Source::new("deep.yaml", text)], |l| l.max_depth = 400);
    assert!(
        of(&raised, "DF003").is_empty(),
        "{:?}",
        of(&raised, "DF003")
    );
    assert_eq!(raised.summary.documents, 1);
}

#[test]
fn flow_nesting_stops_at_the_parsers_own_bound_whatever_max_depth_says() {
    let text = format!("x: {}1{}\n", "[".repeat(300), "]".repeat(300));
    let report = lint_with(&[Source::new("flow.yaml", text)], |l| l.max_depth = 1_000);
    let found = of(&report, "DF003");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("255 levels of flow collections"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("`limits.maxDepth` do not raise"));
}

// ----------------------------------------------------------------------- alias and anchors

/// An anchored list of `items` scalars, then one alias to it on line 2.
fn aliased_list(items: usize) -> String {
    let list: Vec<String> = (0..items).map(|i| format!("v{i}")).collect();
    format!("a: &a [{}]\nb: *a\n", list.join(", "))
}

#[test]
fn alias_expansion_past_max_alias_nodes_is_located_at_the_alias() {
    let report = lint_with(&[Source::new("alias.yaml", aliased_list(20))], |l| {
        l.max_alias_nodes = 10
    });
    assert_eq!(places(&report, "DF003"), [place("alias.yaml", 2, 4)]);
    let message = &of(&report, "DF003")[0].message;
    assert!(
        message.starts_with("alias expansion exceeds 10 nodes"),
        "{message}"
    );
    assert_names_limit(message, Limit::AliasNodes, 10);
    let fits = lint_with(&[Source::new("alias.yaml", aliased_list(20))], |l| {
        l.max_alias_nodes = 21
    });
    assert!(of(&fits, "DF003").is_empty());
}

#[test]
fn alias_expansion_past_max_alias_bytes_is_located_at_the_alias() {
    let report = lint_with(&[Source::new("alias.yaml", aliased_list(20))], |l| {
        l.max_alias_bytes = 16
    });
    assert_eq!(places(&report, "DF003"), [place("alias.yaml", 2, 4)]);
    let message = &of(&report, "DF003")[0].message;
    assert!(
        message.starts_with("alias expansion exceeds 16 bytes of text"),
        "{message}"
    );
    assert_names_limit(message, Limit::AliasBytes, 16);
}

#[test]
fn anchors_past_max_anchor_nodes_or_bytes_refuse_the_alias_that_needs_them() {
    for (limit, set) in [
        (
            Limit::AnchorNodes,
            (|l: &mut Limits| l.max_anchor_nodes = 10) as fn(&mut Limits),
        ),
        (Limit::AnchorBytes, |l: &mut Limits| l.max_anchor_bytes = 16),
    ] {
        let report = lint_with(&[Source::new("anchor.yaml", aliased_list(20))], set);
        assert_eq!(
            places(&report, "DF003"),
            [place("anchor.yaml", 2, 4)],
            "{limit:?}"
        );
        let message = &of(&report, "DF003")[0].message;
        assert!(
            message.starts_with("the anchors of this file hold more than"),
            "{message}"
        );
        let value = if limit == Limit::AnchorNodes { 10 } else { 16 };
        assert_names_limit(message, limit, value);
    }
}

// ---------------------------------------------------------------- maxExpansionReferences

#[test]
fn expansion_past_max_expansion_references_is_located_at_the_value_where_it_stopped() {
    let cr = "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: c
spec:
  env:
    - name: A
      value: x
  args:
    - --dir=$(A)
    - --dbfilename=$(A)
    - --maxmemory=$(A)
";
    let report = lint_with(&[Source::new("cr.yaml", cr.to_string())], |l| {
        l.max_expansion_references = 2
    });
    assert_eq!(places(&report, "DF003"), [place("cr.yaml", 12, 7)]);
    let message = &of(&report, "DF003")[0].message;
    assert!(
        message.starts_with("more than 2 `$(VAR)` references are expanded"),
        "{message}"
    );
    assert_names_limit(message, Limit::ExpansionReferences, 2);
    let fits = lint_with(&[Source::new("cr.yaml", cr.to_string())], |l| {
        l.max_expansion_references = 3
    });
    assert!(of(&fits, "DF003").is_empty());
}

// ------------------------------------------------------------ maxNetworkPolicyListEntries

#[test]
fn network_policy_lists_past_the_limit_are_cut_and_reported_where_they_are() {
    let mut policy = String::from("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: cache\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n");
    for i in 0..5 {
        policy.push_str(&format!(
            "        - podSelector:\n            matchLabels:\n              app: a{i}\n"
        ));
    }
    let report = lint_with(&[Source::new("np.yaml", policy.clone())], |l| {
        l.max_network_policy_list_entries = 3
    });
    let found: Vec<&Diagnostic> = of(&report, "DF310")
        .into_iter()
        .filter(|d| d.message.contains("entries"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].location.line, found[0].location.column), (10, 9));
    assert!(
        found[0]
            .message
            .starts_with("`from` has 5 entries; only the first 3 are analysed"),
        "{}",
        found[0].message
    );
    assert_names_limit(&found[0].message, Limit::NetworkPolicyListEntries, 3);
    let fits = lint_with(&[Source::new("np.yaml", policy)], |l| {
        l.max_network_policy_list_entries = 5
    });
    assert!(!of(&fits, "DF310")
        .iter()
        .any(|d| d.message.contains("entries")));
}

// --------------------------------------------------------------------- maxAclOverlapPairs

#[test]
fn overlapping_acl_pairs_past_the_limit_end_with_a_note_where_they_stop() {
    let mut acl = String::from("user default off -@all +auth\n");
    for i in 0..4 {
        acl.push_str(&format!(
            "user t{i} on >pass-t{i}-Xy9z ~app:* &news:* +get -@dangerous\n"
        ));
    }
    let sources = [Source::new("users.acl", acl.clone())];
    let all = lint(&sources, &LintConfig::default());
    // Four tenants on the same key pattern: six pairs.
    assert_eq!(of(&all, "DF212").len(), 6);
    assert_eq!(of(&all, "DF215").len(), 6);
    let report = lint_with(&sources, |l| l.max_acl_overlap_pairs = 2);
    for code in ["DF212", "DF215"] {
        let found = of(&report, code);
        assert_eq!(found.len(), 3, "{code}: {found:?}");
        let notes: Vec<&&Diagnostic> = found
            .iter()
            .filter(|d| {
                d.message
                    .starts_with("more than 2 pairs of users have overlapping")
            })
            .collect();
        assert_eq!(notes.len(), 1, "{code}");
        assert_names_limit(&notes[0].message, Limit::AclOverlapPairs, 2);
        assert_eq!(notes[0].location.file.as_ref(), "users.acl");
        assert!(notes[0].location.line > 1);
    }
}

// ------------------------------------------------------------------- settings and checks

#[test]
fn limits_deserialize_from_camel_case_settings_numbers_or_sizes() {
    let limits: Limits = serde_json::from_str(
        r#"{"maxFileBytes": "1MiB", "maxDocumentsPerFile": 10, "maxFindingsPerRule": "5k",
            "maxDepth": 64, "maxAliasNodes": 1, "maxAliasBytes": 2, "maxAnchorNodes": 3,
            "maxAnchorBytes": 4, "maxExpansionReferences": 5, "maxNetworkPolicyListEntries": 6,
            "maxAclOverlapPairs": 7}"#,
    )
    .unwrap();
    assert_eq!(
        limits,
        Limits {
            max_file_bytes: 1 << 20,
            max_documents_per_file: 10,
            max_findings_per_rule: 5_000,
            max_depth: 64,
            max_alias_nodes: 1,
            max_alias_bytes: 2,
            max_anchor_nodes: 3,
            max_anchor_bytes: 4,
            max_expansion_references: 5,
            max_network_policy_list_entries: 6,
            max_acl_overlap_pairs: 7,
        }
    );
    assert_eq!(limits.validate(), Ok(()));
    // Missing keys keep their defaults.
    let partial: Limits = serde_json::from_str(r#"{"maxDepth": 100}"#).unwrap();
    assert_eq!(
        partial,
        Limits {
            max_depth: 100,
            ..Limits::default()
        }
    );
    assert_eq!(
        serde_json::from_str::<Limits>("{}").unwrap(),
        Limits::default()
    );
}

#[test]
fn the_defaults_are_todays_values() {
    let limits = Limits::default();
    assert_eq!(limits.max_file_bytes, 64 << 20);
    assert_eq!(limits.max_documents_per_file, 100_000);
    assert_eq!(limits.max_findings_per_rule, 10_000);
    assert_eq!(limits.max_depth, 256);
    assert_eq!(limits.max_alias_nodes, 200_000);
    assert_eq!(limits.max_alias_bytes, 32 << 20);
    assert_eq!(limits.max_anchor_nodes, 1_000_000);
    assert_eq!(limits.max_anchor_bytes, 32 << 20);
    assert_eq!(limits.max_expansion_references, 1_000);
    assert_eq!(limits.max_network_policy_list_entries, 10_000);
    assert_eq!(limits.max_acl_overlap_pairs, 200);
    assert_eq!(LintConfig::default().limits, limits);
}

#[test]
fn bad_settings_are_refused_with_the_field_named() {
    let error = |json: &str| {
        serde_json::from_str::<Limits>(json)
            .unwrap_err()
            .to_string()
    };
    assert!(error(r#"{"maxDeep": 3}"#).contains("unknown field `maxDeep`"));
    assert!(error(r#"{"max_depth": 3}"#).contains("unknown field `max_depth`"));
    assert!(error(r#"{"maxDepth": -1}"#).contains("a whole number"));
    assert!(error(r#"{"maxDepth": 1.5}"#).contains("a whole number"));
    assert!(error(r#"{"maxDepth": true}"#).contains("a whole number"));
    assert!(error(r#"{"maxFileBytes": "lots"}"#).contains("`lots` is not an amount"));
    assert!(error(r#"{"maxFileBytes": "3 parsecs"}"#).contains("unknown unit `parsecs`"));
}

#[test]
fn zero_and_absurd_values_fail_validation_naming_the_limit() {
    let zero: Limits = serde_json::from_str(r#"{"maxFindingsPerRule": 0}"#).unwrap();
    assert_eq!(
        zero.validate(),
        Err(InvalidLimit {
            limit: Limit::FindingsPerRule,
            value: 0
        })
    );
    let deep: Limits = serde_json::from_str(r#"{"maxDepth": 100000}"#).unwrap();
    let error = deep.validate().unwrap_err();
    assert_eq!(error.limit.key(), "maxDepth");
    assert_eq!(error.to_string(), "must be between 1 and 1024, not 100000");
    let huge: Limits = serde_json::from_str(r#"{"maxFileBytes": "2GiB"}"#).unwrap();
    assert_eq!(
        huge.validate().unwrap_err().to_string(),
        "must be between 1 and 1073741824, not 2147483648"
    );
}

#[test]
fn within_the_defaults_nothing_is_reported() {
    let mut text = documents(50);
    text.push_str(&nested_block(100));
    text.push_str(&aliased_list(1_000));
    let report = lint(&[Source::new("fine.yaml", text)], &LintConfig::default());
    assert!(of(&report, "DF003").is_empty());
    assert_eq!(of(&report, "DF002").len(), 50);
}

#[test]
fn the_highest_max_depth_keeps_the_stack_safe() {
    // At the ceiling, documents that deep go through every rule (the CRD schema check walks
    // a CR's spec, JSON paths are searched recursively, trees are dropped recursively) in a
    // test thread's default stack.
    let max = dflint_core::limits::MAX_DEPTH_CEILING;
    let mut cr = String::from(
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: c\nspec:\n",
    );
    for level in 0..max - 2 {
        cr.push_str(&format!("{}k{level}:\n", "  ".repeat(level + 1)));
    }
    cr.push_str(&format!("{}leaf: 1\n", "  ".repeat(max - 1)));
    let json = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"c\"}}, \"data\": {}1{}}}",
        "[".repeat(max - 1),
        "]".repeat(max - 1)
    );
    let sources = [Source::new("deep.yaml", cr), Source::new("deep.json", json)];
    let report = lint_with(&sources, |l| l.max_depth = max);
    assert!(
        of(&report, "DF003").is_empty(),
        "{:?}",
        of(&report, "DF003")
    );
    assert_eq!(report.summary.documents, 2);
    assert!(
        !of(&report, "DF010").is_empty(),
        "the spec is still checked"
    );
}
