//! DF218 (acl-no-effect-token) on very long ACL lines: one user with 20,000 key patterns, and a
//! 1 MiB line. The rule used to replay the line once per token (quadratic: 20,000 patterns took
//! 43 s, a 1 MiB line never finished); it now follows the patterns incrementally. These tests
//! check the findings on such lines, with a few planted no-effect tokens among thousands of
//! useful ones; the time is measured by the benchmarks, not asserted here.

use dflint_core::acl::commands::Dialect;
use dflint_core::{lint, LintConfig, Source};

/// One ACL line under construction, with the DF218 findings it should get.
struct Line {
    user: String,
    text: String,
    expected: Vec<(usize, String)>,
}

impl Line {
    fn new(user: &str) -> Self {
        Line {
            user: user.to_string(),
            text: format!("user {user}"),
            expected: Vec::new(),
        }
    }

    /// Appends a token; returns its offset.
    fn push(&mut self, token: &str) -> usize {
        self.text.push(' ');
        let at = self.text.len();
        self.text.push_str(token);
        at
    }

    /// Appends a token that is already in effect where it stands.
    fn push_already(&mut self, token: &str) {
        let at = self.push(token);
        let message = format!(
            "`{token}` has no effect for `{}`: what it grants or removes is already in effect at this point",
            self.user
        );
        self.expected.push((at, message));
    }

    /// Appends a token that later tokens undo.
    fn push_undone(&mut self, token: &str) {
        let at = self.push(token);
        let message = format!(
            "`{token}` has no effect for `{}`: later tokens on the line undo it",
            self.user
        );
        self.expected.push((at, message));
    }

    /// Appends a denial that the later `grant` allows again.
    fn push_regranted(&mut self, token: &str, grant: &str) {
        let at = self.push(token);
        let message = format!(
            "`{token}` has no effect for `{}`: the later `{grant}` grants back what it removes",
            self.user
        );
        self.expected.push((at, message));
    }

    fn check(mut self, dialect: Dialect) {
        self.text.push('\n');
        let config = LintConfig {
            select: vec!["DF218".into()],
            acl: dflint_core::config::AclSettings {
                dialect,
                ..Default::default()
            },
            ..Default::default()
        };
        let report = lint(&[Source::new("users.acl", self.text.clone())], &config);
        let mut actual: Vec<(usize, String)> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == "DF218")
            .map(|d| (d.location.span.start, d.message.clone()))
            .collect();
        actual.sort();
        self.expected.sort();
        assert_eq!(actual, self.expected);
    }
}

#[test]
fn twenty_thousand_key_patterns_on_one_user() {
    let mut line = Line::new("app");
    line.push("on");
    line.push("nopass");
    line.push("+@all");
    line.push_undone("~old:1");
    line.push_undone("%R~old:2");
    line.push("resetkeys");
    for i in 0..20_000 {
        if i == 5 {
            // Granted again below: the line ends the same without this one.
            line.push_undone("~k:5");
        } else {
            line.push(&format!("~k:{i}"));
        }
        if i == 10_000 {
            line.push_already("~k:5");
            // Another permission on the same pattern: a different grant on Dragonfly.
            line.push("%R~k:6");
        }
    }
    line.push_undone("&ch");
    line.push_already("&ch");
    line.check(Dialect::Dragonfly);
}

#[test]
fn one_mebibyte_acl_line() {
    let mut line = Line::new("big");
    line.push("on");
    line.push("nopass");
    line.push_undone("+@all");
    line.push_undone("~a:0");
    line.push("resetkeys");
    line.push_undone("~p:0");
    let mut i = 1;
    while line.text.len() < 1 << 20 {
        // Mostly channels: the evaluator (not this rule) still scans the key list for every
        // key pattern, which unoptimised test builds feel.
        if i % 10 == 0 {
            line.push(&format!("~p:{i}"));
        }
        line.push(&format!("&c:{i}"));
        i += 1;
    }
    line.push_already("~p:0");
    line.push_regranted("-@dangerous", "+@all");
    line.push("+@all");
    assert!(line.text.len() > 1 << 20);
    line.check(Dialect::Dragonfly);
}
