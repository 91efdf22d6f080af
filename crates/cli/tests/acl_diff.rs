//! `dflint acl diff`, end to end through the binary, on the fixtures of issue 17: the seed
//! cluster's tenant gaining `+@all`, a key-prefix rename, a password removed, a reordering
//! with no effect; every output format, `--fail-on`, `git:REV:PATH`, and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dflint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("dflint runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dflint(args: &[&str]) -> Output {
    dflint_in(&root(), args)
}

const DATA: &str = "crates/cli/tests/data/acl-diff";
const SEED: &str = "examples/seed-cluster/secrets.yaml";

fn fixture(name: &str) -> String {
    format!("{DATA}/{name}")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn user<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == name)
        .unwrap_or_else(|| panic!("no user {name} in {report:#}"))
}

/// Line and column (1-based) of the first occurrence of `needle` in a file.
fn position(path: &str, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    (line, column)
}

/// No password of the fixtures in anything dflint printed.
fn assert_no_secret(out: &Output) {
    for secret in [
        "example-shared-password",
        "Admin-Passw0rd-Long",
        "Billing-Passw0rd-Long",
        "Reports-Passw0rd-Long",
    ] {
        assert!(
            !stdout(out).contains(secret) && !stderr(out).contains(secret),
            "{secret} shown:\n{}{}",
            stdout(out),
            stderr(out)
        );
    }
}

#[test]
fn the_seed_tenant_gaining_all_is_a_risk_at_the_token() {
    let new = fixture("seed-appcache-gains-all.yaml");
    let out = dflint(&["acl", "diff", SEED, &new]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_no_secret(&out);
    assert!(text.contains("appcache — changed"), "{text}");
    assert!(
        text.contains(
            "RISK: `appcache` gains 36 @dangerous/@admin command(s): FLUSHALL, FLUSHDB, CONFIG"
        ),
        "{text}"
    );
    // The keyless commands reach every tenant's keys although appcache keeps `~cache:*`.
    assert!(
        text.contains("limited by key patterns but gains commands that ignore them"),
        "{text}"
    );
    let (line, column) = position(&new, "+@all\n    user litellm");
    assert!(
        text.contains(&format!("by `+@all` ({new}:{line}:{column})")),
        "{text}"
    );
    assert!(
        text.contains("unchanged: default, keycloak, litellm, langfuse"),
        "{text}"
    );
    assert!(text.contains("users: 1 changed, 2 risks"), "{text}");

    let gated = dflint(&["acl", "diff", SEED, &new, "--fail-on", "risk"]);
    assert_eq!(gated.status.code(), Some(1));

    let report = json(&dflint(&["acl", "diff", SEED, &new, "--format", "json"]));
    assert_eq!(report["summary"]["changed"], 1);
    assert_eq!(report["summary"]["risks"], 2);
    let appcache = user(&report, "appcache");
    let granted = &appcache["granted"][0];
    assert_eq!(granted["token"]["token"], "+@all");
    assert_eq!(granted["token"]["line"], line);
    assert_eq!(granted["example"], "FLUSHALL");
    let commands: Vec<&str> = granted["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for command in ["flushall", "config", "keys", "acl setuser", "shutdown"] {
        assert!(commands.contains(&command), "{command} not in {commands:?}");
    }
    assert_eq!(user(&report, "keycloak")["status"], "unchanged");
}

#[test]
fn a_key_prefix_rename_is_shown_by_meaning() {
    let (old, new) = (
        fixture("tenants.acl"),
        fixture("tenants-prefix-renamed.acl"),
    );
    let report = json(&dflint(&["acl", "diff", &old, &new, "--format", "json"]));
    let billing = user(&report, "billing");
    assert_eq!(billing["status"], "changed");
    let keys = billing["keys"].as_array().unwrap();
    let granted = keys.iter().find(|k| k["direction"] == "granted").unwrap();
    assert_eq!(granted["pattern"], "invoices:*");
    assert_eq!(granted["access"], "read/write");
    assert_eq!(granted["query"], "GET invoices:");
    let revoked = keys.iter().find(|k| k["direction"] == "revoked").unwrap();
    assert_eq!(revoked["pattern"], "billing:*");
    assert_eq!(revoked["token"]["side"], "old");
    assert_eq!(revoked["query"], "GET billing:");
    assert!(billing["granted"].as_array().unwrap().is_empty());
    assert_eq!(report["summary"]["risks"], 0);
    // A rename is a change but not a risk.
    assert_eq!(
        dflint(&["acl", "diff", &old, &new, "--fail-on", "risk"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        dflint(&["acl", "diff", &old, &new, "--fail-on", "change"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_key_grant_reaching_another_tenant_is_a_risk() {
    let old = fixture("tenants.acl");
    let dir = std::env::temp_dir().join(format!("dflint-acl-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let new = dir.join("widened.acl");
    let text = std::fs::read_to_string(root().join(&old))
        .unwrap()
        .replace("~reports:*", "~report*");
    std::fs::write(&new, text).unwrap();
    let report = json(&dflint(&[
        "acl",
        "diff",
        &old,
        new.to_str().unwrap(),
        "--format",
        "json",
    ]));
    // `report*` adds keys (`report`, `reportX`) but none of another tenant's: a change, no
    // risk.
    let reports = user(&report, "reports");
    assert_eq!(reports["keys"][0]["pattern"], "report*", "{reports:#}");
    assert!(
        reports["risks"].as_array().unwrap().is_empty(),
        "{reports:#}"
    );
    let widened = std::fs::read_to_string(&new)
        .unwrap()
        .replace("~report*", "~*");
    std::fs::write(&new, widened).unwrap();
    let report = json(&dflint(&[
        "acl",
        "diff",
        &old,
        new.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let risks = user(&report, "reports")["risks"]
        .as_array()
        .unwrap()
        .clone();
    let reach = risks
        .iter()
        .find(|r| r["kind"] == "keys-of-another-user")
        .unwrap_or_else(|| panic!("{risks:#?}"));
    assert!(
        reach["message"]
            .as_str()
            .unwrap()
            .contains("`billing` (e.g. `billing:`)"),
        "{reach:#}"
    );
}

#[test]
fn a_removed_password_is_a_risk_and_never_shown() {
    let (old, new) = (
        fixture("tenants.acl"),
        fixture("tenants-password-removed.acl"),
    );
    for format in ["pretty", "json", "markdown", "github"] {
        let out = dflint(&["acl", "diff", &old, &new, "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_no_secret(&out);
    }
    let text = stdout(&dflint(&["acl", "diff", &old, &new]));
    assert!(
        text.contains("RISK: `billing` loses its password: with `nopass` any password, or none, logs in as it"),
        "{text}"
    );
    assert!(text.contains("login: 1 password(s) removed"), "{text}");
    let report = json(&dflint(&["acl", "diff", &old, &new, "--format", "json"]));
    assert_eq!(
        user(&report, "billing")["risks"][0]["kind"],
        "password-removed"
    );
}

#[test]
fn a_reordering_with_no_effect_says_so() {
    let (old, new) = (fixture("tenants.acl"), fixture("tenants-reordered.acl"));
    let out = dflint(&["acl", "diff", &old, &new, "--fail-on", "change"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("no change in effect (reworded): default, billing, reports"),
        "{text}"
    );
    let report = json(&dflint(&["acl", "diff", &old, &new, "--format", "json"]));
    assert_eq!(report["summary"]["no_change_in_effect"], 3);
    // The same file against itself: unchanged, not reworded.
    let same = json(&dflint(&["acl", "diff", &old, &old, "--format", "json"]));
    assert_eq!(same["summary"]["unchanged"], 3);
}

#[test]
fn github_and_markdown_formats_point_at_the_new_file() {
    let new = fixture("seed-appcache-gains-all.yaml");
    let out = dflint(&["acl", "diff", SEED, &new, "--format", "github"]);
    let text = stdout(&out);
    let (line, column) = position(&new, "+@all\n    user litellm");
    let expected = format!(
        "::error file={},line={line},col={column},title=dflint acl diff%3A appcache::`appcache` gains 36",
        new.replace(':', "%3A")
    );
    assert!(text.contains(&expected), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");

    let markdown = stdout(&dflint(&[
        "acl", "diff", SEED, &new, "--format", "markdown",
    ]));
    assert!(markdown.contains("| User | Change | Risks |"), "{markdown}");
    assert!(
        markdown.contains("| `appcache` | changed, +107 commands"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- **Risk:** `appcache` gains 36"),
        "{markdown}"
    );
}

#[test]
fn a_git_revision_is_one_side() {
    let dir = std::env::temp_dir().join(format!("dflint-acl-diff-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(["-c", "user.email=t@example.invalid", "-c", "user.name=t"])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("git runs (the README's setup installs it)");
        assert!(status.status.success(), "git {args:?}: {:?}", status);
    };
    git(&["init", "-q"]);
    std::fs::copy(root().join(fixture("tenants.acl")), dir.join("users.acl")).unwrap();
    git(&["add", "users.acl"]);
    git(&["commit", "-q", "-m", "tenants"]);
    std::fs::copy(
        root().join(fixture("tenants-password-removed.acl")),
        dir.join("users.acl"),
    )
    .unwrap();
    let out = dflint_in(&dir, &["acl", "diff", "git:HEAD:users.acl", "users.acl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("ACL diff users.acl@HEAD → users.acl"),
        "{text}"
    );
    assert!(text.contains("`billing` loses its password"), "{text}");
    let missing = dflint_in(&dir, &["acl", "diff", "git:HEAD:nothing.acl", "users.acl"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("git show failed"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn bad_input_is_an_error_with_its_reason() {
    let old = fixture("tenants.acl");
    let missing = dflint(&["acl", "diff", &old, "no/such/file.acl"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no/such/file.acl"),
        "{}",
        stderr(&missing)
    );

    // A new version the server refuses: the diff is still shown, and the exit says error.
    let dir = std::env::temp_dir().join(format!("dflint-acl-diff-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.acl");
    std::fs::write(
        &bad,
        "user default on >Admin-Passw0rd-Long ~* +@all +nosuchcommand\n",
    )
    .unwrap();
    let out = dflint(&["acl", "diff", &old, bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the server refuses this ACL"),
        "{}",
        stderr(&out)
    );
    assert_no_secret(&out);

    let no_user = dflint(&["acl", "diff", &old, &old, "--user", "nobody"]);
    assert_eq!(no_user.status.code(), Some(2));
    let one = json(&dflint(&[
        "acl", "diff", &old, &old, "--user", "billing", "--format", "json",
    ]));
    assert_eq!(one["users"].as_array().unwrap().len(), 1);
}
