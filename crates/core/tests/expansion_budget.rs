//! Kubernetes `$(VAR)` expansion has a budget: env values that reference each other
//! (`A1=$(A0)$(A0)`, `A2=$(A1)$(A1)`…) cannot amplify a small CR into gigabytes. Expansion
//! stops, the value counts as unknown, and the command line says where it stopped. No time
//! is asserted: a missing budget shows up as a test that runs out of memory or never ends.

use dflint_core::args::{EnvValue, ExpansionLimit, MIN_EXPANSION_BYTES};
use dflint_core::dragonfly::DragonflyCr;
use dflint_core::limits::Limits;
use dflint_core::lint::{load, Loaded};
use dflint_core::{lint, LintConfig, Source};

/// A Dragonfly CR whose env doubles a 16-byte value 60 times (2^64 bytes if expanded), plus
/// 2,000 env values and the args all copying a 1,000-byte value.
fn bomb() -> String {
    let mut text = String::from(
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: bomb\nspec:\n  env:\n",
    );
    text.push_str("    - name: A0\n      value: xxxxxxxxxxxxxxxx\n");
    for i in 1..=60 {
        text.push_str(&format!(
            "    - name: A{i}\n      value: \"$(A{p})$(A{p})\"\n",
            p = i - 1
        ));
    }
    text.push_str(&format!(
        "    - name: B\n      value: {}\n",
        "b".repeat(1000)
    ));
    for i in 0..2_000 {
        text.push_str(&format!(
            "    - name: C{i}\n      value: \"$(B)$(B)$(B)\"\n"
        ));
    }
    text.push_str("  args:\n    - --maxmemory=$(A60)\n    - --port=6380\n");
    text.push_str(&format!("    - \"--dir={}\"\n", "$(B)".repeat(100)));
    text.push_str("    - --dbfilename=$(B)\n");
    text
}

#[test]
fn an_env_expansion_bomb_is_linted_within_bounds() {
    let text = bomb();
    let maxmemory_line = 1 + text
        .lines()
        .position(|l| l.contains("--maxmemory"))
        .unwrap();
    let sources = [Source::new("bomb.yaml", text)];
    let report = lint(&sources, &LintConfig::default());
    assert_eq!(report.summary.resources.get("Dragonfly"), Some(&1));
    // No message carries expanded text (the largest honest value here is 3,000 bytes).
    for d in &report.diagnostics {
        assert!(
            d.message.len() < 1_000,
            "{}: {} bytes",
            d.code,
            d.message.len()
        );
    }
    // `--maxmemory=$(A60)` has an unknown value: nothing claims it is invalid or too large.
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.location.line != maxmemory_line),
        "{:?}",
        report
            .diagnostics
            .iter()
            .filter(|d| d.location.line == maxmemory_line)
            .collect::<Vec<_>>()
    );
}

#[test]
fn where_expansion_stopped_is_known_per_value_and_per_argument() {
    let sources = [Source::new("bomb.yaml", bomb())];
    let loaded = load(&sources);
    let cr = &first_cr(&loaded);

    // Doubling stops once a value outgrows its budget (at least 16 × 2^8 = 4,096 bytes
    // fit), and every value built on it is unknown, never expanded.
    let resolved = |i: usize| cr.env_var(&format!("A{i}")).unwrap().resolved.clone();
    let known = (0..=60)
        .take_while(|&i| matches!(resolved(i), EnvValue::Known(v) if v.len() == 16 << i))
        .count();
    assert!((9..30).contains(&known), "{known} doubled values are known");
    for i in known..=60 {
        assert_eq!(resolved(i), EnvValue::Unknown, "A{i}");
    }

    // The args stop at or before `--dir=$(B)×100` (100,000 bytes): kept as written, value
    // unknown, and `--dbfilename=$(B)` after it is not expanded either.
    let line = &cr.command_line;
    let (arg, limit) = line.expansion_limit().expect("a limited argument");
    assert!(arg <= 2, "{arg}");
    assert!(matches!(limit, ExpansionLimit::Bytes(n) if n >= MIN_EXPANSION_BYTES));
    assert!(line.args[2].raw.starts_with("--dir=$(B)$(B)"));
    assert_eq!(line.args[2].text, line.args[2].raw);
    assert!(line.args[2].opaque);
    assert_eq!(line.args[3].text, "--dbfilename=$(B)");
    assert!(line.args[3].expansion_limit.is_some());
    assert_eq!(line.args[1].text, "--port=6380");
    assert!(line.args[0].opaque);
    let dir = line.last_use("dir").unwrap();
    assert!(!line.value_is_known(dir));
    // The argument it stopped at is located in the source.
    let target = line.arg_target(arg);
    let text = sources[0].text();
    assert!(text[target.span.start..target.span.end].contains(line.args[arg].raw.as_str()));
}

#[test]
fn a_megabyte_of_references_is_bounded() {
    // 250,000 references in one argument, to a known and to a missing variable.
    let refs = "$(V)$(NOPE)".repeat(125_000);
    let text = format!(
        "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: refs\nspec:\n  env:\n    - name: V\n      value: v\n  args:\n    - \"--dir={refs}\"\n"
    );
    let sources = [Source::new("refs.yaml", text)];
    let loaded = load(&sources);
    let config = LintConfig::default();
    let cr = first_cr(&loaded);
    let line = &cr.command_line;
    let (arg, limit) = line.expansion_limit().expect("a limited argument");
    assert_eq!(arg, 0);
    assert!(matches!(limit, ExpansionLimit::References(_)), "{limit:?}");
    assert!(line.args[0].unresolved.len() <= 1_000);
    let report = lint(&sources, &config);
    assert_eq!(report.summary.resources.get("Dragonfly"), Some(&1));
}

/// The typed view of the first document, a Dragonfly CR, as the rules that judge one CR see it.
fn first_cr(loaded: &Loaded) -> DragonflyCr<'_> {
    let doc = &loaded.documents[0];
    DragonflyCr::at_root(doc, &doc.root, &Limits::default()).expect("a Dragonfly CR")
}
