//! The catalogue of secrets of the redaction fixtures (`tests/data/secrets/markers.txt`) and
//! the scanner that finds any of them — or its base64 — in output. Shared by the command
//! line's redaction test and the policy harness's (which includes this file by path).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Password,
    Name,
    Hash,
    Char,
}

#[derive(Clone, Debug)]
pub struct Secret {
    pub kind: Kind,
    pub value: String,
    pub origin: String,
}

/// The secrets catalogued in `markers.txt` of the fixture folder.
pub fn secrets(dir: &Path) -> Vec<Secret> {
    let path = dir.join("markers.txt");
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

pub const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64(bytes: &[u8]) -> String {
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
pub fn base64_windows(bytes: &[u8]) -> Vec<String> {
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
pub fn char_windows(value: &str, len: usize) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= len {
        return vec![value.to_string()];
    }
    (0..=chars.len() - len)
        .map(|i| chars[i..i + len].iter().collect())
        .collect()
}

pub struct Needle {
    pub bytes: Vec<u8>,
    pub ignore_case: bool,
    /// `BENIGN`: text that may be shown (a user name that is also a password elsewhere); it
    /// only hides what it covers from shorter needles.
    pub secret: usize,
}

pub const BENIGN: usize = usize::MAX;

pub fn needles(index: usize, secret: &Secret) -> Vec<Needle> {
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
pub struct Scanner {
    pub secrets: Vec<Secret>,
    /// Needle length, longest first → (needles compared case-insensitively, the others).
    pub by_len: Vec<(usize, NeedleTable, NeedleTable)>,
}

type NeedleTable = HashMap<Vec<u8>, usize>;

impl Scanner {
    pub fn new(secrets: Vec<Secret>) -> Scanner {
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
    pub fn scan(&self, line: &str) -> Option<(BTreeSet<usize>, String)> {
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

pub fn shorten(text: &str) -> String {
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

pub fn walk_json(value: &serde_json::Value, pointer: &str, visit: &mut dyn FnMut(&str, &str)) {
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
