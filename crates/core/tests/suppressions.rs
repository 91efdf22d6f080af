//! Suppressions: comments, annotations and `[[acl.ignore]]`, and the findings about them.

use dflint_core::config::AclIgnore;
use dflint_core::{lint, LintConfig, Report, Source};

fn run(files: &[(&str, &str)], config: &LintConfig) -> Report {
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source::new(name.to_string(), text.to_string()))
        .collect();
    lint(&sources, config)
}

/// `(code, line)` of every finding.
fn found(report: &Report) -> Vec<(&'static str, usize)> {
    report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.location.line))
        .collect()
}

const CR: &str = "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: cache
spec:
  image: dragonfly:latest
  authentication:
    passwordFromSecret: {name: auth, key: password}
  resources:
    limits: {memory: 1Gi}
";

fn with_image_line(replacement: &str) -> String {
    CR.replace("  image: dragonfly:latest\n", replacement)
}

#[test]
fn a_comment_on_the_line_or_above_it_suppresses_with_its_reason() {
    let plain = run(&[("cr.yaml", CR)], &LintConfig::default());
    assert_eq!(found(&plain), vec![("DF011", 6)]);
    for text in [
        with_image_line("  image: dragonfly:latest # dflint: ignore[DF011] staging follows releases\n"),
        with_image_line("  # dflint: ignore[image-not-pinned] - staging follows releases\n  image: dragonfly:latest\n"),
        // Blank and comment lines between the suppression and its line are skipped.
        with_image_line("  # dflint: ignore[DF011, DF012]: staging\n\n  # the image\n  image: dragonfly:latest\n"),
        format!("# dflint: ignore-file[DF011] every CR here is a canary\n{CR}"),
    ] {
        let report = run(&[("cr.yaml", &text)], &LintConfig::default());
        assert_eq!(found(&report), vec![], "{text}");
        assert_eq!(report.summary.suppressed, 1, "{text}");
    }
}

#[test]
fn comments_count_lines_as_findings_do_whatever_ends_them() {
    // Old Mac files end lines with a lone `\r`, Windows files with `\r\n`: a comment's line
    // and a finding's line must be counted the same way for one to cover the other.
    for ending in ["\r", "\r\n"] {
        let text = with_image_line(
            "  # dflint: ignore[DF011] staging follows releases\n  image: dragonfly:latest\n",
        )
        .replace('\n', ending);
        let report = run(&[("cr.yaml", &text)], &LintConfig::default());
        assert_eq!(found(&report), vec![], "{text:?}");
        assert_eq!(report.summary.suppressed, 1, "{text:?}");
        let misplaced = with_image_line(
            "  image: dragonfly:latest\n  # dflint: ignore[DF011] staging follows releases\n",
        )
        .replace('\n', ending);
        let report = run(&[("cr.yaml", &misplaced)], &LintConfig::default());
        assert_eq!(
            found(&report),
            vec![("DF011", 6), ("DF007", 7)],
            "{misplaced:?}"
        );
    }
}

#[test]
fn a_comment_elsewhere_suppresses_nothing_and_says_so() {
    let text = with_image_line(
        "  image: dragonfly:latest\n  # dflint: ignore[DF011] staging follows releases\n",
    );
    let report = run(&[("cr.yaml", &text)], &LintConfig::default());
    assert_eq!(found(&report), vec![("DF011", 6), ("DF007", 7)]);
    assert_eq!(report.summary.suppressed, 0);
}

#[test]
fn a_suppression_needs_a_reason_and_a_rule_that_exists() {
    let cases = [
        (
            "  image: dragonfly:latest # dflint: ignore[DF011]\n",
            "without saying why",
            true,
        ),
        (
            "  image: dragonfly:latest # dflint: ignore[DF0111] typo\n",
            "`DF0111` names no rule (did you mean DF011",
            false,
        ),
        (
            "  image: dragonfly:latest # dflint: ignore DF011 no brackets\n",
            "in brackets",
            false,
        ),
        (
            "  image: dragonfly:latest # dflint: skip[DF011] other verb\n",
            "must be `ignore[CODES] reason`",
            false,
        ),
        (
            "  image: dragonfly:latest # dflint: ignore[] why\n",
            "no rule is named",
            false,
        ),
    ];
    for (line, says, suppresses) in cases {
        let report = run(
            &[("cr.yaml", &with_image_line(line))],
            &LintConfig::default(),
        );
        let invalid: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == "DF006")
            .collect();
        assert_eq!(invalid.len(), 1, "{line}: {:?}", found(&report));
        assert!(
            invalid[0].message.contains(says),
            "{line}: {}",
            invalid[0].message
        );
        assert_eq!(invalid[0].location.line, 6);
        // A reasonless suppression still suppresses (the missing reason is its own finding);
        // an unreadable one cannot.
        let image_reported = report.diagnostics.iter().any(|d| d.code == "DF011");
        assert_eq!(image_reported, !suppresses, "{line}");
    }
}

#[test]
fn the_annotation_covers_its_resource_only_and_can_be_disallowed() {
    let annotated = CR.replace(
        "  name: cache\n",
        "  name: cache\n  annotations:\n    dflint.io/ignore: \"DF011: canary; DF032: limits set by a LimitRange\"\n",
    );
    let other = CR.replace("name: cache", "name: other");
    let text = format!("{annotated}---\n{other}");
    let report = run(&[("crs.yaml", &text)], &LintConfig::default());
    // The second CR keeps its finding; the first loses DF011, and DF032 (no such finding in
    // it) is an unused suppression.
    assert_eq!(
        found(&report),
        vec![("DF007", 6), ("DF011", 19)],
        "{:#?}",
        report.diagnostics
    );
    let disallowed = LintConfig {
        allow_ignore_annotation: false,
        ..LintConfig::default()
    };
    let report = run(&[("crs.yaml", &text)], &disallowed);
    assert_eq!(found(&report), vec![("DF011", 8), ("DF011", 19)]);
    assert_eq!(report.summary.suppressed, 0);
}

#[test]
fn unused_is_only_said_of_rules_that_ran() {
    let text = with_image_line(
        "  image: docker.dragonflydb.io/dragonflydb/dragonfly:v1.36.0 # dflint: ignore[DF011] pinned by hand\n",
    );
    let report = run(&[("cr.yaml", &text)], &LintConfig::default());
    assert_eq!(found(&report), vec![("DF007", 6)]);
    let only_acl = LintConfig {
        select: vec!["DF0".into()],
        ignore: vec!["DF011".into()],
        ..LintConfig::default()
    };
    let report = run(&[("cr.yaml", &text)], &only_acl);
    assert_eq!(found(&report), vec![]);
}

#[test]
fn acl_ignores_cover_one_users_lines() {
    let acl = "user default on >adminpass0123456789 ~* +@all\nuser app on >apppass0123456789x ~app:* +@all\nuser web on >webpass0123456789x ~web:* +@all\n";
    let plain = run(&[("users.acl", acl)], &LintConfig::default());
    let dangerous: Vec<usize> = plain
        .diagnostics
        .iter()
        .filter(|d| d.code == "DF210")
        .map(|d| d.location.line)
        .collect();
    assert_eq!(dangerous, vec![2, 3]);
    let config = LintConfig {
        acl: dflint_core::config::AclSettings {
            ignore: vec![AclIgnore {
                user: "app".into(),
                code: "acl-dangerous-command".into(),
                reason: "app is the operations console".into(),
            }],
            ..Default::default()
        },
        ..LintConfig::default()
    };
    let report = run(&[("users.acl", acl)], &config);
    let dangerous: Vec<usize> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "DF210")
        .map(|d| d.location.line)
        .collect();
    assert_eq!(dangerous, vec![3]);
    assert!(report.summary.suppressed >= 1);
    assert_eq!(
        report.diagnostics.len() + report.summary.suppressed,
        plain.diagnostics.len()
    );
}

#[test]
fn settings_refuse_an_acl_ignore_without_reason_or_rule() {
    let mut config = LintConfig::default();
    config.acl.ignore.push(AclIgnore {
        user: "app".into(),
        code: "DF210".into(),
        reason: "  ".into(),
    });
    let error = config.validate().unwrap_err();
    assert_eq!(
        error.dotted_path(dflint_core::config::Spelling::Kebab),
        "acl.ignore[0].reason"
    );
    config.acl.ignore[0].reason = "ok".into();
    config.acl.ignore[0].code = "DF2100".into();
    let error = config.validate().unwrap_err();
    assert!(
        error.message.contains("did you mean DF210"),
        "{}",
        error.message
    );
}
