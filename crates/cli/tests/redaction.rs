//! Secrets never leak: every password, hash, Secret value and credential-looking env value in
//! the fixtures of `tests/data/secrets` (catalogued in its `markers.txt`, each a unique marker
//! such as `Sekr1t-42-zq`) is searched for in the standard output and standard error of every
//! output path of the binary — `check` in every format (pretty without and with colour, JSON)
//! and both ACL dialects, on each file, on the whole directory, on standard input and through
//! `--acl-file`; `acl explain`; `acl can` (one query and `--cases`); `netpol reach`.
//!
//! What counts as a leak, per kind of secret (see `markers.txt`):
//! - `pw`: the marker, case-insensitively (the server upper-cases refused tokens), or any part
//!   of it that still identifies it (a window of all but three characters: a mask one or two
//!   characters short), or a 12-character window of its base64 form at any alignment (the
//!   encoded Secret `data`, shown whole or in part).
//! - `name`: a password that is also a user name or key pattern. Only its password forms count
//!   (`>V`, `<V` and their base64), since the name itself may be shown; and a line that names
//!   it while saying a password "is the user name" discloses it too.
//! - `hash`: any 16 hexadecimal characters of a `#`/`!` password hash.
//! - `char`: a character that only ever appears inside a password (the first invalid base64
//!   character of a Secret value that is a password written in clear).
//!
//! Each test lists every leak it found once: the output path (command line, stream), where in
//! the output (the JSON pointer, or the kind of pretty line), the marker, and the text with the
//! secret replaced by `<LEAK>`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

#[path = "support/secret_scanner.rs"]
mod secret_scanner;
use secret_scanner::*;

/// The redaction fixtures and their catalogue of secrets.
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/secrets")
}

// ----------------------------------------------------------------------------------------------
// The catalogue of secrets and what each one looks like when it leaks

// ----------------------------------------------------------------------------------------------
// Running the binary and collecting leaks

struct Job {
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    /// How the run is shown in the report.
    label: String,
}

fn job(args: &[&str]) -> Job {
    Job {
        args: args.iter().map(|a| a.to_string()).collect(),
        stdin: None,
        label: format!("dflint {}", args.join(" ")),
    }
}

fn job_stdin(args: &[&str], stdin: Vec<u8>, from: &str) -> Job {
    Job {
        stdin: Some(stdin),
        label: format!("dflint {} < {from}", args.join(" ")),
        ..job(args)
    }
}

struct Output {
    label: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(job: &Job) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(&job.args)
        .current_dir(data_dir())
        .env_remove("NO_COLOR")
        .stdin(if job.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dflint runs");
    if let Some(input) = &job.stdin {
        let mut pipe = child.stdin.take().unwrap();
        // A command that stops reading early closes the pipe: not an error here.
        let _ = pipe.write_all(input);
    }
    let out = child.wait_with_output().expect("dflint finishes");
    Output {
        label: job.label.clone(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run_all(jobs: &[Job]) -> Vec<Output> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Output)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get().clamp(2, 16));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else { break };
                let output = run(job);
                results.lock().unwrap().push((i, output));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, o)| o).collect()
}

/// Removes ANSI colour (CSI) and hyperlink (OSC) sequences.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Leak {
    marker: String,
    path: String,
    place: String,
    text: String,
}

/// Where a line of pretty output sits in a rendered finding.
fn pretty_place(line: &str) -> &'static str {
    let t = line.trim_start();
    if t.starts_with("help:") {
        return "help";
    }
    if t.starts_with('×') || t.starts_with('☞') || t.starts_with('⚠') || t.starts_with('│') {
        return "message";
    }
    if t.starts_with('╭') || t.starts_with('╰') {
        return "location";
    }
    if t.starts_with('·') {
        return "label";
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && t[digits..].trim_start().starts_with('│') {
        return "snippet";
    }
    if t.starts_with("dflint:") {
        return "summary/error";
    }
    "text"
}

/// Every leak in one stream: per JSON string when the stream is JSON or JSON lines, per line
/// (colours removed) otherwise.
fn scan_stream(scanner: &Scanner, path: &str, stream: &str, text: &str, leaks: &mut Vec<Leak>) {
    let mut record = |place: String, found: BTreeSet<usize>, shown: String| {
        let markers: Vec<&str> = found
            .iter()
            .map(|i| scanner.secrets[*i].value.as_str())
            .collect();
        leaks.push(Leak {
            marker: markers.join(" "),
            path: format!("{path} [{stream}]"),
            place,
            text: shorten(&shown),
        });
    };
    let trimmed = text.trim_start();
    let documents: Option<Vec<serde_json::Value>> =
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            serde_json::Deserializer::from_str(text)
                .into_iter::<serde_json::Value>()
                .collect::<Result<Vec<_>, _>>()
                .ok()
        } else {
            None
        };
    if let Some(documents) = documents {
        let many = documents.len() > 1;
        for (n, document) in documents.iter().enumerate() {
            let prefix = if many {
                format!("value {}: ", n + 1)
            } else {
                String::new()
            };
            walk_json(document, "", &mut |pointer, s| {
                if let Some((found, shown)) = scanner.scan(s) {
                    record(format!("{prefix}json {pointer}"), found, shown);
                }
            });
        }
        return;
    }
    let clean = strip_ansi(text);
    for (n, line) in clean.lines().enumerate() {
        if let Some((found, shown)) = scanner.scan(line) {
            record(
                format!("line {} ({})", n + 1, pretty_place(line)),
                found,
                shown,
            );
        }
    }
}

fn leaks_in(scanner: &Scanner, outputs: &[Output]) -> Vec<Leak> {
    let mut leaks = Vec::new();
    for out in outputs {
        scan_stream(scanner, &out.label, "stdout", &out.stdout, &mut leaks);
        scan_stream(scanner, &out.label, "stderr", &out.stderr, &mut leaks);
    }
    leaks.sort();
    leaks.dedup();
    leaks
}

/// Runs the jobs and fails, listing every leak once, when any output holds a secret.
fn assert_no_leak(what: &str, jobs: Vec<Job>) {
    let scanner = Scanner::new(secrets(&data_dir()));
    let outputs = run_all(&jobs);
    let crashed: Vec<String> = outputs
        .iter()
        .filter(|o| o.code.is_none() || o.code == Some(101))
        .map(|o| format!("{} (exit {:?})", o.label, o.code))
        .collect();
    let leaks = leaks_in(&scanner, &outputs);
    let origin: HashMap<&str, &str> = scanner
        .secrets
        .iter()
        .map(|s| (s.value.as_str(), s.origin.as_str()))
        .collect();
    let mut report = String::new();
    for leak in &leaks {
        let from: Vec<&str> = leak
            .marker
            .split(' ')
            .map(|m| origin.get(m).copied().unwrap_or("?"))
            .collect();
        report.push_str(&format!(
            "- {} | {} | {} ({})\n    {}\n",
            leak.path,
            leak.place,
            leak.marker,
            from.join("; "),
            leak.text
        ));
    }
    let mut by_marker: BTreeMap<&str, usize> = BTreeMap::new();
    for leak in &leaks {
        for marker in leak.marker.split(' ') {
            *by_marker.entry(marker).or_default() += 1;
        }
    }
    eprintln!(
        "{what}: {} runs, {} leaks of {} secrets{}",
        outputs.len(),
        leaks.len(),
        by_marker.len(),
        if crashed.is_empty() {
            String::new()
        } else {
            format!("; crashed: {}", crashed.join(", "))
        }
    );
    if !leaks.is_empty() {
        let summary: Vec<String> = by_marker
            .iter()
            .map(|(m, n)| format!("{m} ×{n} ({})", origin.get(m).copied().unwrap_or("?")))
            .collect();
        panic!(
            "{what}: {} leaks of {} secrets in {} runs\n{report}\nsecrets leaked:\n  {}",
            leaks.len(),
            by_marker.len(),
            outputs.len(),
            summary.join("\n  ")
        );
    }
}

// ----------------------------------------------------------------------------------------------
// The fixtures and the output paths

/// Every fixture file, relative to the data directory, sorted (not the catalogue, not the
/// `--cases` queries).
fn fixtures() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let base = data_dir();
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.retain(|f| f != "markers.txt" && f != "cases.jsonl");
    out.sort();
    out
}

fn acl_fixtures() -> Vec<String> {
    fixtures()
        .into_iter()
        .filter(|f| f.ends_with(".acl"))
        .collect()
}

fn read(fixture: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(fixture)).unwrap()
}

/// `check` output options: pretty without and with colour, JSON, concise, GitHub annotations,
/// SARIF and JUnit.
const CHECK_FORMATS: [&[&str]; 7] = [
    &["--format", "pretty", "--color", "never"],
    &["--format", "pretty", "--color", "always"],
    &["--format", "json"],
    &["--format", "concise"],
    &["--format", "github"],
    &["--format", "sarif"],
    &["--format", "junit"],
];
const DIALECTS: [&str; 2] = ["dragonfly", "redis"];

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn check_never_prints_a_secret() {
    let mut jobs = Vec::new();
    let mut targets: Vec<String> = fixtures();
    targets.push(".".to_string());
    for target in &targets {
        for format in CHECK_FORMATS {
            for dialect in DIALECTS {
                let args = with(
                    &["check", "--fail-on", "none", "--acl-dialect", dialect],
                    format,
                );
                let mut args = refs(&args);
                args.push(target);
                jobs.push(job(&args));
            }
        }
    }
    // A YAML or JSON file given as an ACL file.
    for fixture in fixtures().iter().filter(|f| !f.ends_with(".acl")) {
        for format in CHECK_FORMATS {
            let args = with(
                &["check", "--fail-on", "none", "--acl-file", fixture],
                format,
            );
            jobs.push(job(&refs(&args)));
        }
    }
    // Standard input: ACL text without a name (read as YAML), with an ACL name, and YAML.
    for fixture in fixtures() {
        for format in CHECK_FORMATS {
            let args = with(&["check", "--fail-on", "none"], format);
            let mut plain = refs(&args);
            plain.push("-");
            jobs.push(job_stdin(&plain, read(&fixture), &fixture));
            if fixture.ends_with(".acl") {
                let mut named = refs(&args);
                named.extend(["--stdin-name", "users.acl", "-"]);
                jobs.push(job_stdin(&named, read(&fixture), &fixture));
            }
        }
    }
    assert_no_leak("dflint check", jobs);
}

#[test]
fn acl_explain_never_prints_a_secret() {
    let mut jobs = Vec::new();
    for fixture in fixtures() {
        for format in ["pretty", "json"] {
            for dialect in DIALECTS {
                jobs.push(job(&[
                    "acl",
                    "explain",
                    "--format",
                    format,
                    "--dialect",
                    dialect,
                    &fixture,
                ]));
            }
            jobs.push(job(&[
                "acl", "explain", "--format", format, "--user", "alice", &fixture,
            ]));
        }
    }
    assert_no_leak("dflint acl explain", jobs);
}

#[test]
fn acl_can_never_prints_a_secret() {
    let mut jobs = Vec::new();
    for fixture in fixtures() {
        for format in ["pretty", "json"] {
            for dialect in DIALECTS {
                for (user, query) in [
                    ("default", &["GET", "k"][..]),
                    ("alice", &["GET", "alice:1"][..]),
                    ("bob", &["CONFIG", "SET", "dir", "/tmp"][..]),
                ] {
                    let mut args = vec![
                        "acl",
                        "can",
                        "--format",
                        format,
                        "--dialect",
                        dialect,
                        &fixture,
                        user,
                    ];
                    args.extend(query);
                    jobs.push(job(&args));
                }
            }
        }
        // The fixture as the ACL every query without `"acl"` asks about.
        let queries = concat!(
            r#"{"user": "default", "command": "GET", "args": ["k"]}"#,
            "\n",
            r#"{"user": "alice", "command": "CONFIG", "args": ["SET", "dir", "/tmp"]}"#,
            "\n"
        );
        jobs.push(job_stdin(
            &["acl", "can", "--cases", "-", &fixture],
            queries.as_bytes().to_vec(),
            "queries without acl",
        ));
    }
    // Queries holding ACL text: the catalogued cases file, and one query per ACL fixture.
    for dialect in DIALECTS {
        jobs.push(job(&[
            "acl",
            "can",
            "--dialect",
            dialect,
            "--cases",
            "cases.jsonl",
        ]));
    }
    let mut generated = String::new();
    for fixture in acl_fixtures() {
        let acl = String::from_utf8_lossy(&read(&fixture)).into_owned();
        for dialect in DIALECTS {
            for (user, command) in [("default", "GET"), ("alice", "CONFIG"), ("bob", "GET")] {
                generated.push_str(
                    &serde_json::json!({
                        "acl": acl, "user": user, "command": command, "args": ["alice:1"],
                        "dialect": dialect,
                    })
                    .to_string(),
                );
                generated.push('\n');
            }
        }
    }
    jobs.push(job_stdin(
        &["acl", "can", "--cases", "-"],
        generated.into_bytes(),
        "one query per ACL fixture",
    ));
    assert_no_leak("dflint acl can", jobs);
}

#[test]
fn netpol_reach_never_prints_a_secret() {
    let mut jobs = Vec::new();
    let mut targets: Vec<String> = fixtures()
        .into_iter()
        .filter(|f| !f.ends_with(".acl"))
        .collect();
    targets.push(".".to_string());
    for target in &targets {
        for format in [
            &["--format", "pretty", "--color", "never"][..],
            &["--format", "pretty", "--color", "always"][..],
            &["--format", "json"][..],
        ] {
            let args = with(&["netpol", "reach", "--fail-on", "info"], format);
            let mut args = refs(&args);
            args.push(target);
            jobs.push(job(&args));
        }
    }
    assert_no_leak("dflint netpol reach", jobs);
}

// ----------------------------------------------------------------------------------------------
// The test itself is tested: the fixtures hold every catalogued secret, the catalogue holds
// every marker of the fixtures, the fixtures reach the paths this test is about, and the
// scanner finds what it must.

#[test]
fn the_catalogue_and_the_fixtures_agree() {
    let secrets = secrets(&data_dir());
    assert!(secrets.len() >= 100, "{} secrets", secrets.len());
    let mut all = Vec::new();
    for fixture in fixtures().into_iter().chain(["cases.jsonl".to_string()]) {
        all.extend(read(&fixture));
        all.push(b'\n');
    }
    let text = String::from_utf8_lossy(&all).into_owned();
    let lower = text.to_ascii_lowercase();
    let mut missing = Vec::new();
    for secret in &secrets {
        let present = needles(0, secret).iter().any(|n| {
            let needle = String::from_utf8_lossy(&n.bytes).into_owned();
            if n.ignore_case {
                lower.contains(&needle)
            } else {
                text.contains(&needle)
            }
        });
        // A name whose password is only hashed appears only as a name.
        let named = secret.kind == Kind::Name && lower.contains(&secret.value.to_ascii_lowercase());
        if !present && !named {
            missing.push(secret.value.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "catalogued but in no fixture: {missing:?}"
    );
    // Every plain-text marker of the fixtures is catalogued.
    let known: BTreeSet<&str> = secrets.iter().map(|s| s.value.as_str()).collect();
    let mut unknown = BTreeSet::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("Sekr1t") {
        let at = from + at;
        let end = text[at..]
            .find("zq")
            .map_or(text.len(), |e| at + e + 2)
            .min(at + 24);
        let marker = &text[at..end];
        if !known.contains(marker) {
            unknown.insert(marker.to_string());
        }
        from = at + 6;
    }
    assert!(unknown.is_empty(), "not in markers.txt: {unknown:?}");
}

#[test]
fn the_fixtures_reach_the_rules_that_see_secrets() {
    let out = run(&job(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "none",
        ".",
    ]));
    let report: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    let codes: BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for code in [
        "DF001", "DF002", "DF003", "DF013", "DF014", "DF016", "DF201", "DF205", "DF208", "DF209",
        "DF220", "DF223", "DF224",
    ] {
        assert!(codes.contains(code), "no {code} in {codes:?}");
    }
}

#[test]
fn the_scanner_finds_every_form_of_a_secret() {
    let scanner = Scanner::new(vec![
        Secret {
            kind: Kind::Password,
            value: "Sekr1t-07-zq".into(),
            origin: String::new(),
        },
        Secret {
            kind: Kind::Password,
            value: "Sekr1t-107-zq".into(),
            origin: String::new(),
        },
        Secret {
            kind: Kind::Password,
            value: "Sekr1t-10-zq".into(),
            origin: String::new(),
        },
        Secret {
            kind: Kind::Name,
            value: "Sekr1t-08-zq".into(),
            origin: String::new(),
        },
        Secret {
            kind: Kind::Hash,
            value: "a5e547a1cfc083f86df899c124428bffe041575debaf16cfec9182194423eba9".into(),
            origin: String::new(),
        },
        Secret {
            kind: Kind::Char,
            value: "¤".into(),
            origin: String::new(),
        },
    ]);
    let hit = |line: &str| scanner.scan(line);
    assert_eq!(
        hit("x SEKR1T-07-ZQ y").unwrap().1,
        "x <LEAK> y",
        "upper-cased"
    );
    assert_eq!(hit("on>Sekr1t-07-z ~a").unwrap().1, "on><LEAK> ~a");
    assert_eq!(
        hit("Sekr1t-107-zq").unwrap().0,
        BTreeSet::from([1]),
        "one leak reported once, as the longest marker"
    );
    assert_eq!(
        hit(&format!("data: {}", base64(b"Sekr1t-107-zq"))).unwrap(),
        (BTreeSet::from([1]), "data: <LEAK>".to_string()),
        "a Secret value, padding included, named by its own marker only"
    );
    let encoded = base64(b"user a on >Sekr1t-07-zq ~k +get");
    assert!(
        hit(&encoded).is_some(),
        "base64 at any alignment: {encoded}"
    );
    for skip in 0..3 {
        let text = format!("{}Sekr1t-07-zq!", "xy".repeat(skip));
        assert!(hit(&base64(text.as_bytes())).is_some(), "{text}");
    }
    assert!(
        hit("user Sekr1t-08-zq may run GET").is_none(),
        "a name alone"
    );
    assert!(hit("user Sekr1t-08-zq on >Sekr1t-08-zq").is_some());
    assert!(hit("the password of user `Sekr1t-08-zq` is the user name").is_some());
    assert!(
        hit("user `Sekr1t-08-zq` may run INFO; the password of user `b` is the user name")
            .is_none()
    );
    assert!(hit("hash #A5E547A1CFC083F8… is invalid").is_some());
    assert!(hit("invalid character `¤` at 26").is_some());
    assert!(hit("user default on ************ ~* +@all").is_none());
    assert_eq!(
        strip_ansi(
            "\u{1b}[31mSekr1t\u{1b}[0m-07-zq \u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"
        ),
        "Sekr1t-07-zq link"
    );
}
