//! Texts safe to put in a share link: every secret the redaction pass finds (ACL passwords and
//! hashes, Secret values, credential flags and env values) is replaced by a placeholder.
//!
//! The placeholders keep what the findings depend on, so the link reproduces the report:
//! - equal secrets get one placeholder and different ones different placeholders (the
//!   shared-password rule still fires, and only where it did);
//! - a password the weak-password rule calls trivial gets a short placeholder, which it still
//!   calls trivial; any other password gets a long one;
//! - a hash stays 64 hexadecimal digits, a Secret value that was base64 stays base64, and an
//!   ACL inside a base64 Secret value is decoded, redacted the same way and encoded again, so
//!   its findings survive.
//!
//! What is not kept: why a weak password is weak (every weak one becomes "short"); whether a
//! hash is the hash of a common password or of its user's name; that a password shared by two
//! users is the name of one of them (both get the placeholder of the first); and the ACL in a
//! base64 Secret value where a password is also a name or key pattern there (the whole value
//! becomes a placeholder, as no report shows any of it).

use std::collections::HashMap;

use base64::Engine;

use crate::source::Span;
use crate::{LintConfig, Source};

/// The texts of `sources`, in order, with every secret replaced; and how many distinct
/// secrets were replaced.
pub fn redact_for_sharing(sources: &[Source], config: &LintConfig) -> (Vec<String>, usize) {
    let report = crate::lint::lint(sources, config);
    let mut placeholders = Placeholders::default();
    let texts = sources
        .iter()
        .map(|source| {
            let spans = report
                .redactions
                .get(source.name())
                .map(Vec::as_slice)
                .unwrap_or_default();
            replace_spans(source.text(), spans, &mut placeholders)
        })
        .collect();
    (texts, placeholders.by_secret.len())
}

/// One numbering for every file of the link, so a password in the ACL file and the same one
/// in a Secret's `stringData` share a placeholder.
#[derive(Default)]
struct Placeholders {
    by_secret: HashMap<String, usize>,
    /// Passwords, and whether they were trivial where first seen: one password gets one
    /// placeholder even when it is trivial for one user only (it is that user's name).
    trivial: HashMap<usize, bool>,
}

impl Placeholders {
    /// The number of `secret`: the same for equal secrets, counting from 1.
    fn number(&mut self, secret: &str) -> usize {
        let next = self.by_secret.len() + 1;
        *self.by_secret.entry(secret.to_string()).or_insert(next)
    }

    fn password(&mut self, password: &str, user: &str) -> String {
        let n = self.number(password);
        let trivial = *self.trivial.entry(n).or_insert_with(|| {
            crate::rules::acl::support::trivial_password(&format!(">{password}"), user).is_some()
        });
        password_placeholder(n, trivial)
    }
}

fn replace_spans(text: &str, spans: &[Span], placeholders: &mut Placeholders) -> String {
    let mut spans: Vec<Span> = spans
        .iter()
        .map(|s| Span::new(s.start.min(text.len()), s.end.min(text.len())))
        .filter(|s| s.start < s.end)
        .collect();
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    // Overlapping spans (a textual and a structural one over one value) become their union.
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in merged {
        // Spans from the redaction pass sit on character boundaries; one that would not is
        // widened to the characters it touches rather than cutting one in half.
        let start = floor_boundary(text, span.start).max(at);
        let end = ceil_boundary(text, span.end);
        if start >= end {
            continue;
        }
        out.push_str(&text[at..start]);
        let user = user_of_line(text, start);
        out.push_str(&placeholder(&text[start..end], user, placeholders));
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The user whose rule holds the word at `offset`: the word after the last `user ` (or
/// `SETUSER `) before it on its line — also inside a quoted string, where ACL lines are
/// joined by `\n` escapes. Only for judging whether its password is trivial; empty when
/// there is none.
fn user_of_line(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    let line = &text[start..offset];
    let lower = line.to_ascii_lowercase();
    let Some(at) = lower.rfind("user ") else {
        return "";
    };
    line[at + 5..].split_whitespace().next().unwrap_or("")
}

fn placeholder(secret: &str, user: &str, placeholders: &mut Placeholders) -> String {
    let sigil = secret.chars().next().unwrap_or(' ');
    let rest = &secret[sigil.len_utf8().min(secret.len())..];
    match sigil {
        // `>` alone is an empty password: nothing secret, and DF203/DF223 judge it.
        '>' | '<' if rest.is_empty() || is_variable_reference(rest) => secret.to_string(),
        '>' | '<' => format!("{sigil}{}", placeholders.password(rest, user)),
        '#' | '!' if rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let n = placeholders.number(&rest.to_ascii_lowercase());
            format!("{sigil}{}", hash_placeholder(n))
        }
        // A hash of the wrong length stays one (the invalid-hash rule still fires).
        '#' | '!' if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let n = placeholders.number(&rest.to_ascii_lowercase());
            // As many digits as the original (too short or too long stays so), the number
            // last so that different hashes stay different.
            let digits = format!("{n:0width$x}", width = rest.len());
            format!("{sigil}{}", &digits[digits.len() - rest.len()..])
        }
        '#' | '!' if rest.is_empty() => secret.to_string(),
        _ => value_placeholder(secret, placeholders),
    }
}

/// Trivial passwords stay shorter than 8 characters; others are long and plainly not real.
fn password_placeholder(n: usize, trivial: bool) -> String {
    if trivial {
        if n < 1000 {
            format!("weak{n}")
        } else {
            format!("w{n}")
        }
    } else {
        format!("shared-link-password-{n}")
    }
}

/// 64 hexadecimal digits that are no one's password hash: the number, zero-padded.
fn hash_placeholder(n: usize) -> String {
    format!("{n:064x}")
}

/// A Secret value, credential flag or env value. What is structure, not secret, is kept so
/// the text reads as it did: quotes (even an unbalanced one, which is a syntax error to
/// report), a flag's name (`--requirepass=`), a YAML key on a masked line, and references to
/// variables (`$(DF_PASS)`, `${PASSWORD}`) that hold no value. Base64 stays base64 (an ACL
/// inside is redacted word by word); anything else becomes a plain word.
fn value_placeholder(secret: &str, placeholders: &mut Placeholders) -> String {
    // A span the textual pass drew over several lines of a block: each line on its own.
    if let Some((first, rest)) = secret.split_once('\n') {
        return format!(
            "{}\n{}",
            value_placeholder(first, placeholders),
            value_placeholder(rest, placeholders)
        );
    }
    let trimmed = secret.trim();
    if trimmed.len() != secret.len() {
        let lead = &secret[..secret.len() - secret.trim_start().len()];
        let tail = &secret[secret.trim_end().len()..];
        return format!("{lead}{}{tail}", value_placeholder(trimmed, placeholders));
    }
    // Flow structure around or after a value, and quotes (even an unbalanced one).
    for open in ['{', '[', '"', '\'', '='] {
        if let Some(inner) = secret.strip_prefix(open) {
            return format!("{open}{}", value_placeholder(inner, placeholders));
        }
    }
    for close in [',', '}', ']', '{', '[', '"', '\''] {
        if let Some(inner) = secret.strip_suffix(close) {
            return format!("{}{close}", value_placeholder(inner, placeholders));
        }
    }
    if secret.is_empty() || is_variable_reference(secret) || is_alias(secret) {
        return secret.to_string();
    }
    if let Some((name, value)) = split_flag(secret).or_else(|| split_key(secret)) {
        return format!("{name}{}", value_placeholder(value, placeholders));
    }
    // `&anchor value`, and the items of a flow sequence or mapping: each on its own.
    if let Some((anchor, value)) = secret
        .strip_prefix('&')
        .and_then(|rest| rest.split_once(' '))
    {
        return format!("&{anchor} {}", value_placeholder(value, placeholders));
    }
    if let Some((first, rest)) = secret.split_once(", ") {
        return format!(
            "{}, {}",
            value_placeholder(first, placeholders),
            value_placeholder(rest, placeholders)
        );
    }
    if holds_acl(secret) {
        if let Some(acl) = redacted_acl(secret, placeholders) {
            return acl;
        }
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let compact: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    let decoded = (compact.len() >= 4)
        .then(|| engine.decode(compact.as_bytes()).ok())
        .flatten()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|text| !text.chars().any(|c| c.is_control() && !c.is_whitespace()));
    match decoded {
        Some(text) if holds_acl(&text) => match redacted_acl(&text, placeholders) {
            Some(acl) => engine.encode(acl),
            None => engine.encode(format!("redacted-{}", placeholders.number(&text))),
        },
        Some(text) => engine.encode(format!("redacted-{}", placeholders.number(&text))),
        None => format!("redacted-{}", placeholders.number(secret)),
    }
}

/// An ACL found inside a base64 Secret value, its secret words replaced; `None` when what
/// stays would still tell a secret (a password that is also a user name or key pattern):
/// nothing of such a Secret value is shown, as nothing of it is shown in any report.
fn redacted_acl(text: &str, placeholders: &mut Placeholders) -> Option<String> {
    let spans = crate::redact::acl_word_spans(text);
    let secrets: Vec<String> = spans
        .iter()
        .map(|s| {
            text[s.start..s.end]
                .trim_start_matches(['>', '<', '#', '!'])
                .to_ascii_lowercase()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let redacted = replace_spans(text, &spans, placeholders);
    let lower = redacted.to_ascii_lowercase();
    (!secrets.iter().any(|secret| lower.contains(secret.as_str()))).then_some(redacted)
}

/// `*name`: a YAML alias, which names a node and holds nothing.
fn is_alias(text: &str) -> bool {
    text.strip_prefix('*').is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// `$(NAME)`, `${NAME}` or `$NAME` alone: a reference the server or Kubernetes fills in.
fn is_variable_reference(text: &str) -> bool {
    let name = text
        .strip_prefix("$(")
        .and_then(|rest| rest.strip_suffix(')'))
        .or_else(|| {
            text.strip_prefix("${")
                .and_then(|rest| rest.strip_suffix('}'))
        })
        .or_else(|| text.strip_prefix('$'));
    name.is_some_and(|name| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// `--flag=value` or `--flag value`: the flag and its separator, and the value.
fn split_flag(text: &str) -> Option<(&str, &str)> {
    if !text.starts_with('-') {
        return None;
    }
    let name_end = text.find(|c: char| c == '=' || c.is_whitespace())?;
    let name = &text[..name_end];
    if !name
        .trim_start_matches('-')
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    let value_at = name_end + text[name_end..].find(|c: char| c != '=' && !c.is_whitespace())?;
    Some((&text[..value_at], &text[value_at..]))
}

/// `key: value` or `"key": value` (a line of a block the textual pass masked whole): the key,
/// and the value.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let colon = text
        .find(": ")
        .or_else(|| text.strip_suffix(':').map(str::len))?;
    let key = text[..colon].trim_matches('"');
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
    {
        return None;
    }
    let value_at = text[colon + 1..]
        .find(|c: char| !c.is_whitespace())
        .map_or(text.len(), |at| colon + 1 + at);
    Some((&text[..value_at], &text[value_at..]))
}

/// Whether `text` holds a line of ACL rules (`user NAME …`).
fn holds_acl(text: &str) -> bool {
    text.lines().any(|line| {
        let mut words = line.split_whitespace();
        words.next().is_some_and(|w| w.eq_ignore_ascii_case("user")) && words.next().is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(files: &[(&str, &str)]) -> Vec<String> {
        let sources: Vec<Source> = files.iter().map(|(n, t)| Source::new(*n, *t)).collect();
        redact_for_sharing(&sources, &LintConfig::default()).0
    }

    #[test]
    fn equal_passwords_share_a_placeholder_and_weak_ones_stay_weak() {
        let texts = shared(&[(
            "users.acl",
            "user default off\nuser a on >Sekr1t-password-1 ~a:* +get\nuser b on >Sekr1t-password-1 ~b:* +get\nuser c on >abc ~c:* +get\n",
        )]);
        let text = &texts[0];
        assert!(!text.contains("Sekr1t"), "{text}");
        assert!(!text.contains(">abc"), "{text}");
        assert_eq!(
            text.matches(">shared-link-password-1 ").count(),
            2,
            "{text}"
        );
        assert!(text.contains(">weak2 "), "{text}");
    }

    #[test]
    fn hashes_stay_hashes_and_base64_acls_stay_readable() {
        let acl = "user default off\nuser app on >Sekr1t-in-data ~app:* +get\n";
        let data = base64::engine::general_purpose::STANDARD.encode(acl);
        let hash = "10e6a7d00f74edceee9aa93c46d2ead3df4d609e098148b186cd75bc44b6bca1";
        let texts = shared(&[
            ("users.acl", &format!("user default off\nuser h on #{hash} ~h:* +get\n")),
            (
                "secret.yaml",
                &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: acl\ndata:\n  users.acl: {data}\n"),
            ),
        ]);
        assert!(!texts[0].contains(hash));
        assert!(texts[0].contains(&format!("#{:064x}", 1)), "{}", texts[0]);
        // Hashes of the wrong length keep their length and stay different from each other.
        let short = shared(&[(
            "users.acl",
            &format!(
                "user a on #{} ~a:* +get\nuser b on #{hash}f ~b:* +get\n",
                &hash[..63]
            ),
        )]);
        assert!(short[0].contains(&format!("#{:063x} ", 1)), "{}", short[0]);
        assert!(short[0].contains(&format!("#{:065x} ", 2)), "{}", short[0]);
        assert!(!texts[1].contains(&data));
        let encoded = texts[1]
            .lines()
            .last()
            .unwrap()
            .trim()
            .trim_start_matches("users.acl: ");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        let decoded = String::from_utf8(decoded).unwrap();
        assert_eq!(
            decoded,
            "user default off\nuser app on >shared-link-password-2 ~app:* +get\n"
        );
    }
}
