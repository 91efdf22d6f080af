//! ACL bad input: any byte sequence gives diagnostics and never a panic; huge lines, 100,000
//! users and backtracking bait stay bounded; passwords and hashes never reach any output.

use dflint_core::acl::dryrun::dry_run;
use dflint_core::acl::eval::evaluate;
use dflint_core::acl::parse::parse_file;
use dflint_core::acl::Dialect;
use dflint_core::output::json;
use dflint_core::{lint, LintConfig, Source};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

const PIECES: &[&str] = &[
    "user",
    "USER",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    "default",
    "on",
    "off",
    "nopass",
    "NOPASS",
    "resetpass",
    ">pw",
    "<pw",
    "#",
    "#abc",
    "!",
    "~",
    "~*",
    "%R~",
    "%r~x",
    "%RW~a*",
    "allkeys",
    "resetkeys",
    "&",
    "&*",
    "+@all",
    "-@all",
    "+@dangerus",
    "+@hyperloglog",
    "+get",
    "-config|get",
    "+config|get",
    "(",
    ")",
    "(~a +get)",
    "$0",
    "$all",
    "$x",
    "NAMESPACE:t",
    "reset",
    "clearselectors",
    "+",
    "-",
    "@",
    "\"",
    "'",
    "\\x41",
    "é",
    "\u{0}",
    "*******************",
    "[a-",
    "\\",
];

#[test]
fn random_acl_text_never_panics() {
    let mut rng = Rng(0xD1F1_ACE5);
    for i in 0..4_000 {
        let mut text = String::new();
        for _ in 0..(rng.next() % 40) {
            text.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
            if rng.next() % 3 == 0 {
                text.push(' ');
            }
        }
        for dialect in [Dialect::Dragonfly, Dialect::Redis] {
            let outcome = std::panic::catch_unwind(|| {
                let file = parse_file(&text, dialect);
                let (users, _) = evaluate(&file);
                for user in &users {
                    for argv in [
                        &[&b"get"[..], b"a"][..],
                        &[b"config", b"get", b"x"],
                        &[b"publish", b"c", b"m"],
                        &[b"nosuch"],
                    ] {
                        let _ = dry_run(user, dialect, argv);
                    }
                }
                let source = Source::new("random.acl", text.clone());
                json::render(&lint(
                    &[source],
                    &LintConfig {
                        acl: dflint_core::config::AclSettings {
                            dialect,
                            ..Default::default()
                        },
                        ..LintConfig::default()
                    },
                ))
            });
            assert!(
                outcome.is_ok(),
                "case {i} ({dialect:?}) panicked on {text:?}"
            );
        }
    }
}

#[test]
fn huge_and_hostile_acl_input_stays_bounded() {
    // A 1 MB line.
    let long = format!("user default on ~{} +@all\n", "a".repeat(1_000_000));
    let file = parse_file(&long, Dialect::Dragonfly);
    assert!(!file.rejected());

    // 100,000 users.
    let mut many = String::from("user default off -@all\n");
    for i in 0..100_000 {
        many.push_str(&format!("user u{i} on >p{i} ~k{i}:* +get\n"));
    }
    let file = parse_file(&many, Dialect::Dragonfly);
    assert_eq!(file.users.len(), 100_001);
    let (users, _) = evaluate(&file);
    assert_eq!(users.len(), 100_001);

    // Exponential-backtracking bait: a pattern of stars and a long key that almost matches.
    let bait = format!("user default on ~{}b +@all\n", "a*".repeat(5_000));
    let file = parse_file(&bait, Dialect::Dragonfly);
    let (users, _) = evaluate(&file);
    let key = "a".repeat(100_000);
    let verdict = dry_run(&users[0], Dialect::Dragonfly, &[b"get", key.as_bytes()]).unwrap();
    assert!(!verdict.allowed, "no trailing b: the key does not match");

    // The linter itself over the 100,000-user file (overlap checks included) finishes.
    let report = lint(&[Source::new("many.acl", many)], &LintConfig::default());
    assert!(report.summary.files == 1);
}

#[test]
fn passwords_and_hashes_never_reach_any_output() {
    let text = "user default on >DefaultTopSecret ~* +@all\n\
                user app on >AppTopSecret #9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ~app:* +@all\n\
                user bad on <RemovedTopSecret #1234deadbeef ~x +nosuchcommand\n";
    for dialect in [Dialect::Dragonfly, Dialect::Redis] {
        let report = lint(
            &[Source::new("users.acl", text)],
            &LintConfig {
                acl: dflint_core::config::AclSettings {
                    dialect,
                    ..Default::default()
                },
                ..LintConfig::default()
            },
        );
        let mut everything = json::render(&report);
        for d in &report.diagnostics {
            everything.push_str(&d.message);
            everything.push_str(d.help.as_deref().unwrap_or(""));
            for r in &d.related {
                everything.push_str(&r.label);
            }
        }
        assert!(!report.diagnostics.is_empty());
        for secret in [
            "DefaultTopSecret",
            "AppTopSecret",
            "RemovedTopSecret",
            "9f86d081884c7d659a2f",
            "1234deadbeef",
        ] {
            assert!(
                !everything.contains(secret),
                "{dialect:?} output leaks {secret}: {everything}"
            );
        }
        // …and the source snippets front ends show are masked.
        let masked = dflint_core::redact::mask(text, &report.redactions["users.acl"]);
        for secret in [
            "DefaultTopSecret",
            "AppTopSecret",
            "RemovedTopSecret",
            "9f86d081884c7d659a2f",
            "1234deadbeef",
        ] {
            assert!(!masked.contains(secret), "masked source leaks {secret}");
        }
    }
}
