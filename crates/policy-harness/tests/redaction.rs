//! Secrets never leak through the admission policy: every object in
//! `crates/cli/tests/data/secrets/policy` (ACL Secrets and ConfigMaps with passwords in every
//! form, Dragonfly CRs with credentials in args and env, raw JSON with duplicate keys or nested
//! too deeply) is sent to the compiled policy — CREATE and UPDATE, with several settings, in
//! single-object and context-aware mode (the ACL Secret of `policy/cluster` read through the
//! host) — and its answer (reject message, warnings, audit annotations), any guest error and
//! every log line the guest sends to the host are searched for the secrets catalogued in
//! `markers.txt`, as `crates/cli/tests/redaction.rs` does for the command line (same rules:
//! see there). The test lists every leak it found once.

use dflint_policy_harness::{workspace_root, Host, Policy};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Password,
    Name,
    Hash,
    Char,
}

#[derive(Clone, Debug)]
struct Secret {
    kind: Kind,
    value: String,
    origin: String,
}

/// The fixtures of the CLI's redaction test, whose `policy/` objects are sent here.
fn data_dir() -> PathBuf {
    workspace_root().join("crates/cli/tests/data/secrets")
}

fn secrets() -> Vec<Secret> {
    let path = data_dir().join("markers.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let kind = match parts.next().unwrap() {
                "pw" => Kind::Password,
                "name" => Kind::Name,
                "hash" => Kind::Hash,
                "char" => Kind::Char,
                other => panic!("markers.txt: unknown kind `{other}` in `{line}`"),
            };
            let value = parts.next().expect("a value").to_string();
            let origin = parts.next().unwrap_or("").to_string();
            Secret {
                kind,
                value,
                origin,
            }
        })
        .collect()
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The base64 text that encodes `bytes` wherever they sit in an encoded value: for each of the
/// three alignments, the characters that encode only bytes of `bytes`, cut into windows of 12.
fn base64_windows(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for skip in 0..3.min(bytes.len()) {
        let rest = &bytes[skip..];
        let whole = rest.len() / 3 * 3;
        let encoded = base64(&rest[..whole]);
        if encoded.len() >= 12 {
            for start in 0..=encoded.len() - 12 {
                out.push(encoded[start..start + 12].to_string());
            }
        }
    }
    out
}

/// Every part of `value` of `len` characters.
fn char_windows(value: &str, len: usize) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= len {
        return vec![value.to_string()];
    }
    (0..=chars.len() - len)
        .map(|i| chars[i..i + len].iter().collect())
        .collect()
}

struct Needle {
    bytes: Vec<u8>,
    ignore_case: bool,
    /// `BENIGN`: text that may be shown (a user name that is also a password elsewhere); it
    /// only hides what it covers from shorter needles.
    secret: usize,
}

const BENIGN: usize = usize::MAX;

fn needles(index: usize, secret: &Secret) -> Vec<Needle> {
    let text = |s: &str| Needle {
        bytes: s.to_ascii_lowercase().into_bytes(),
        ignore_case: true,
        secret: index,
    };
    let exact = |s: &str| Needle {
        bytes: s.as_bytes().to_vec(),
        ignore_case: false,
        secret: index,
    };
    let value = secret.value.as_str();
    let mut out = Vec::new();
    match secret.kind {
        Kind::Password => {
            out.push(text(value));
            let len = value.chars().count();
            if len >= 10 {
                out.extend(char_windows(value, len - 3).iter().map(|w| text(w)));
            }
            out.push(exact(&base64(value.as_bytes())));
            out.extend(base64_windows(value.as_bytes()).iter().map(|w| exact(w)));
        }
        Kind::Name => {
            out.push(Needle {
                secret: BENIGN,
                ..text(value)
            });
            for form in [format!(">{value}"), format!("<{value}")] {
                out.push(text(&form));
                out.extend(base64_windows(form.as_bytes()).iter().map(|w| exact(w)));
            }
        }
        Kind::Hash => out.extend(char_windows(value, 16).iter().map(|w| text(w))),
        Kind::Char => out.push(exact(value)),
    }
    out
}

/// Finds secrets in text: every needle is looked up by length, longest first, and a match
/// hides what it covers from the shorter needles (so one leak is reported once).
struct Scanner {
    secrets: Vec<Secret>,
    /// Needle length, longest first → (needles compared case-insensitively, the others).
    by_len: Vec<(usize, NeedleTable, NeedleTable)>,
}

type NeedleTable = HashMap<Vec<u8>, usize>;

impl Scanner {
    fn new(secrets: Vec<Secret>) -> Scanner {
        let mut by_len: BTreeMap<std::cmp::Reverse<usize>, (NeedleTable, NeedleTable)> =
            BTreeMap::new();
        // A needle two secrets share (`Sekr1t-15` begins `Sekr1t-150-zq` too) names neither:
        // it is left out, and the secret's other needles find it.
        let mut owners: HashMap<(bool, Vec<u8>), BTreeSet<usize>> = HashMap::new();
        for (i, secret) in secrets.iter().enumerate() {
            for needle in needles(i, secret) {
                owners
                    .entry((needle.ignore_case, needle.bytes))
                    .or_default()
                    .insert(needle.secret);
            }
        }
        for (i, secret) in secrets.iter().enumerate() {
            for needle in needles(i, secret) {
                if owners[&(needle.ignore_case, needle.bytes.clone())].len() > 1 {
                    continue;
                }
                let tables = by_len
                    .entry(std::cmp::Reverse(needle.bytes.len()))
                    .or_default();
                let table = if needle.ignore_case {
                    &mut tables.0
                } else {
                    &mut tables.1
                };
                table.entry(needle.bytes).or_insert(needle.secret);
            }
        }
        let by_len = by_len
            .into_iter()
            .map(|(std::cmp::Reverse(len), (ci, cs))| (len, ci, cs))
            .collect();
        Scanner { secrets, by_len }
    }

    /// The secrets found in `line`, and the line with each leaked part replaced by `<LEAK>`.
    fn scan(&self, line: &str) -> Option<(BTreeSet<usize>, String)> {
        let bytes = line.as_bytes();
        let lower = line.to_ascii_lowercase().into_bytes();
        // Per byte: 0 free, 1 shown legitimately (a name), 2 leaked.
        let mut hidden = vec![0u8; bytes.len()];
        let mut found = BTreeSet::new();
        for (len, ignoring_case, exact) in &self.by_len {
            let len = *len;
            if len == 0 || len > bytes.len() {
                continue;
            }
            // Matches of one length may overlap (the windows of one marker); only longer
            // matches hide text from them.
            let mut hits = Vec::new();
            for start in 0..=bytes.len() - len {
                let range = start..start + len;
                if hidden[range.clone()].iter().any(|h| *h != 0) {
                    continue;
                }
                let hit = ignoring_case
                    .get(&lower[range.clone()])
                    .or_else(|| exact.get(&bytes[range.clone()]));
                if let Some(secret) = hit {
                    if *secret != BENIGN {
                        found.insert(*secret);
                    }
                    hits.push((range, if *secret == BENIGN { 1 } else { 2 }));
                }
            }
            for (range, state) in hits {
                hidden[range].iter_mut().for_each(|h| *h = (*h).max(state));
            }
        }
        // A password that is also a user name is disclosed by a clause that names the user
        // and then says its password is the user name.
        let lowered = line.to_ascii_lowercase();
        if lowered.contains("user name") {
            for (i, secret) in self.secrets.iter().enumerate() {
                if secret.kind != Kind::Name {
                    continue;
                }
                let needle = secret.value.to_ascii_lowercase();
                let mut from = 0;
                while let Some(at) = lowered[from..].find(&needle) {
                    let at = from + at;
                    let after = &lowered[at + needle.len()..];
                    let clause = &after[..after.find([';', '.']).unwrap_or(after.len())];
                    if clause.contains("user name") {
                        found.insert(i);
                        hidden[at..at + needle.len()]
                            .iter_mut()
                            .for_each(|h| *h = 2);
                    }
                    from = at + needle.len();
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        let mut shown = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if hidden[i] == 2 {
                shown.extend_from_slice(b"<LEAK>");
                while i < bytes.len() && hidden[i] == 2 {
                    i += 1;
                }
            } else {
                shown.push(bytes[i]);
                i += 1;
            }
        }
        Some((found, String::from_utf8_lossy(&shown).into_owned()))
    }
}

fn shorten(text: &str) -> String {
    const SIDE: usize = 120;
    let at = text.find("<LEAK>").unwrap_or(0);
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(SIDE)
        .map_or(0, |(i, _)| i);
    let end = text[at..]
        .char_indices()
        .nth(SIDE + 6)
        .map_or(text.len(), |(i, _)| at + i);
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        &text[start..end],
        if end < text.len() { "…" } else { "" }
    )
}

fn walk_json(value: &serde_json::Value, pointer: &str, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        serde_json::Value::String(s) => visit(pointer, s),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_json(item, &format!("{pointer}/{i}"), visit);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{pointer}/{key}");
                visit(&format!("{here} (key)"), key);
                walk_json(item, &here, visit);
            }
        }
        _ => {}
    }
}

// ----------------------------------------------------------------------------------------------
// Requests

/// Every object sent to the policy: (fixture name, raw JSON text).
fn objects(under: &str) -> Vec<(String, String)> {
    let dir = data_dir().join(under);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = format!("{under}/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The first `"field": "value"` of a raw object (the fixtures put `apiVersion` and `kind`
/// first), read without parsing: some fixtures are too deep for serde_json.
fn first_field<'t>(raw: &'t str, field: &str) -> &'t str {
    let key = format!("\"{field}\"");
    let at = raw
        .find(&key)
        .unwrap_or_else(|| panic!("no {key} in {raw}"))
        + key.len();
    let rest = raw[at..].trim_start().trim_start_matches(':').trim_start();
    let rest = rest.strip_prefix('"').expect("a string value");
    &rest[..rest.find('"').unwrap()]
}

/// A bare AdmissionRequest for `raw` (and `old`), both spliced in as raw text so duplicate
/// keys and deep nesting reach the policy as written.
fn request(raw: &str, operation: &str, old: Option<&str>) -> String {
    let api_version = first_field(raw, "apiVersion");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = first_field(raw, "kind");
    let name = first_field(raw, "name");
    let gvk = json!({"group": group, "version": version, "kind": kind});
    let resource = json!({"group": group, "version": version,
                          "resource": format!("{}s", kind.to_ascii_lowercase())});
    format!(
        r#"{{"uid": "00000000-0000-4000-8000-000000000013", "kind": {gvk}, "resource": {resource},
            "requestKind": {gvk}, "requestResource": {resource}, "name": "{name}",
            "namespace": "cache", "operation": "{operation}",
            "userInfo": {{"username": "redaction-test"}}, "object": {raw},
            "oldObject": {old}, "dryRun": false, "options": {{}}}}"#,
        old = old.unwrap_or("null"),
    )
}

fn payload(request: &str, settings: &Value) -> Vec<u8> {
    format!(r#"{{"request": {request}, "settings": {settings}}}"#).into_bytes()
}

/// A clean object of the same kind, as the old object of an UPDATE that adds every finding.
fn clean_like(raw: &str) -> String {
    match first_field(raw, "kind") {
        "Dragonfly" => json!({"apiVersion": "dragonflydb.io/v1alpha1", "kind": "Dragonfly",
            "metadata": {"name": "clean", "namespace": "cache"}, "spec": {}})
        .to_string(),
        kind => json!({"apiVersion": "v1", "kind": kind,
            "metadata": {"name": "clean", "namespace": "cache"}, "data": {}})
        .to_string(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Leak {
    marker: String,
    path: String,
    place: String,
    text: String,
}

#[test]
fn the_policy_never_answers_or_logs_a_secret() {
    let scanner = Scanner::new(secrets());
    let policy = Policy::shared();
    let cluster: Vec<Value> = objects("policy/cluster")
        .into_iter()
        .chain(objects("policy"))
        .filter_map(|(_, raw)| serde_json::from_str(&raw).ok())
        .collect();
    let settings = [
        json!({}),
        json!({"warnSeverity": "info"}),
        json!({"rejectSeverity": "info", "warnSeverity": "info"}),
        json!({"rejectSeverity": "warning", "warnSeverity": "info", "aclDialect": "redis"}),
        json!({"contextAware": true, "warnSeverity": "info"}),
        json!({"contextAware": true, "rejectSeverity": "info", "aclAdminUsers": ["nobody"]}),
        json!({"maxObjectBytes": 64}),
    ];
    let mut leaks: Vec<Leak> = Vec::new();
    let mut calls = 0;
    let mut check = |path: String, answer: Result<Value, String>, host: &Host| {
        let mut record = |place: String, found: BTreeSet<usize>, shown: String| {
            let markers: Vec<&str> = found
                .iter()
                .map(|i| scanner.secrets[*i].value.as_str())
                .collect();
            leaks.push(Leak {
                marker: markers.join(" "),
                path: path.clone(),
                place,
                text: shorten(&shown),
            });
        };
        match &answer {
            Ok(value) => walk_json(value, "", &mut |pointer, s| {
                if let Some((found, shown)) = scanner.scan(s) {
                    record(format!("answer {pointer}"), found, shown);
                }
            }),
            Err(error) => {
                if let Some((found, shown)) = scanner.scan(error) {
                    record("guest error".to_string(), found, shown);
                }
            }
        }
        for call in host.calls() {
            let text = String::from_utf8_lossy(&call.payload).into_owned();
            if let Some((found, shown)) = scanner.scan(&text) {
                record(format!("host call {}", call.name()), found, shown);
            }
        }
    };
    for (fixture, raw) in objects("policy") {
        for setting in &settings {
            let context_aware = setting["contextAware"] == true;
            let clean = clean_like(&raw);
            for (operation, old) in [
                ("CREATE", None),
                ("UPDATE", Some(raw.as_str())),
                ("UPDATE", Some(clean.as_str())),
            ] {
                let host = if context_aware {
                    Host::with_objects(cluster.clone())
                } else {
                    Host::new()
                };
                let request = request(&raw, operation, old);
                let answer = policy.try_validate_raw(&payload(&request, setting), &host);
                calls += 1;
                let old = match old {
                    None => String::new(),
                    Some(o) if o == raw => " (old object: itself)".to_string(),
                    Some(_) => " (old object: clean)".to_string(),
                };
                check(
                    format!("validate {fixture} {operation}{old} settings {setting}"),
                    answer,
                    &host,
                );
            }
        }
        // The object cut inside its text (the request is not JSON), and the object as a
        // string where an object belongs.
        let cut = &raw[..raw.len() * 2 / 3];
        let broken = format!(r#"{{"request": {{"operation": "CREATE", "object": {cut}"#);
        let host = Host::new();
        let answer = policy.try_validate_raw(broken.as_bytes(), &host);
        calls += 1;
        check(format!("validate {fixture}, cut short"), answer, &host);
        let as_string = request(&raw, "CREATE", None).replacen(
            &format!(r#""object": {raw}"#),
            &format!(r#""object": {}"#, Value::String(raw.clone())),
            1,
        );
        let host = Host::new();
        let answer = policy.try_validate_raw(&payload(&as_string, &json!({})), &host);
        calls += 1;
        check(
            format!("validate {fixture}, object as a string"),
            answer,
            &host,
        );
    }
    leaks.sort();
    leaks.dedup();
    let origin: HashMap<&str, &str> = scanner
        .secrets
        .iter()
        .map(|s| (s.value.as_str(), s.origin.as_str()))
        .collect();
    let mut by_marker: BTreeMap<&str, usize> = BTreeMap::new();
    let mut report = String::new();
    for leak in &leaks {
        let from: Vec<&str> = leak
            .marker
            .split(' ')
            .map(|m| origin.get(m).copied().unwrap_or("?"))
            .collect();
        for marker in leak.marker.split(' ') {
            *by_marker.entry(marker).or_default() += 1;
        }
        report.push_str(&format!(
            "- {} | {} | {} ({})\n    {}\n",
            leak.path,
            leak.place,
            leak.marker,
            from.join("; "),
            leak.text
        ));
    }
    eprintln!(
        "policy: {calls} calls, {} leaks of {} secrets",
        leaks.len(),
        by_marker.len()
    );
    if !leaks.is_empty() {
        let summary: Vec<String> = by_marker
            .iter()
            .map(|(m, n)| format!("{m} ×{n} ({})", origin.get(m).copied().unwrap_or("?")))
            .collect();
        panic!(
            "policy: {} leaks of {} secrets in {calls} calls\n{report}\nsecrets leaked:\n  {}",
            leaks.len(),
            by_marker.len(),
            summary.join("\n  ")
        );
    }
}

#[test]
fn the_policy_fixtures_reach_the_rules_that_see_secrets() {
    let policy = Policy::shared();
    let mut codes = BTreeSet::new();
    for (_, raw) in objects("policy") {
        let request = request(&raw, "CREATE", None);
        let settings = json!({"rejectSeverity": "info"});
        let answer = policy
            .try_validate_raw(&payload(&request, &settings), &Host::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let text = answer["message"].as_str().unwrap_or("").to_string();
        codes.extend(
            text.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| t.len() == 5 && t.starts_with("DF"))
                .map(str::to_string),
        );
    }
    for code in [
        "DF002", "DF003", "DF013", "DF014", "DF201", "DF220", "DF223",
    ] {
        assert!(codes.contains(code), "no {code} in {codes:?}");
    }
}
