//! What variable expansion yields ([`Expanded`], [`EnvValue`], the limits of Kubernetes
//! `$(VAR)` expansion, done in [`crate::args`]), and
//! `${VAR}` interpolation as docker compose does it before a container starts, and
//! `${VAR}` substitution as Flux does it in the manifests a Kustomization applies
//! (`postBuild.substitute`).
//!
//! A variable dflint is given (`lookup` answers `Some`) is replaced by its value, or makes the
//! text unknown when its value is unknown. A variable dflint is not given is not "unset": it
//! comes from the shell or an `.env` file dflint did not see. So `${VAR:-default}` takes the
//! default (what a fresh checkout gets), and `${VAR}` or `${VAR:?message}` without a value
//! make the text unknown — never an error, never a finding built on a guess.

use std::collections::BTreeMap;

/// The values of substituted and interpolated variables (the `vars` setting).
pub type Vars = BTreeMap<String, String>;

/// Expanded values may add this many times the text they are expanded from...
pub const EXPANSION_FACTOR: usize = 16;
/// ...and at least this many bytes (values referenced from short texts).
pub const MIN_EXPANSION_BYTES: usize = 4 << 10;

/// Which expansion limit was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpansionLimit {
    /// The expanded values would add more than this many bytes.
    Bytes(usize),
    /// More than this many `$(VAR)` references.
    References(usize),
}

impl ExpansionLimit {
    /// A message for the diagnostic that reports it.
    pub fn message(&self) -> String {
        let (what, how) = match self {
            ExpansionLimit::Bytes(limit) => (
                format!(
                    "`$(VAR)` expansion would add more than {limit} bytes ({EXPANSION_FACTOR}× the text it expands, at least {} KiB)",
                    MIN_EXPANSION_BYTES >> 10
                ),
                // Scaled to the CR, so a real CR never meets it: not a setting.
                "a fixed bound, scaled to the size of the CR".to_string(),
            ),
            ExpansionLimit::References(limit) => (
                format!("more than {limit} `$(VAR)` references are expanded"),
                crate::limits::Limit::ExpansionReferences.hint(limit),
            ),
        };
        format!(
            "{what}; expansion stops here, and this value and the ones after it are not checked ({how})"
        )
    }
}

impl std::fmt::Display for ExpansionLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// The value of an environment variable as far as dflint can know it.
#[derive(Clone, Debug, PartialEq)]
pub enum EnvValue {
    Known(String),
    /// Comes from a Secret, ConfigMap, field reference or an unknown resource amount.
    Unknown,
}

/// An argument after Kubernetes variable expansion.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Expanded {
    pub text: String,
    /// `$(NAME)` references with no such variable: Kubernetes leaves them as written.
    pub unresolved: Vec<String>,
    /// A referenced variable's value is not known (Secret, field ref…), or the expansion
    /// budget ran out.
    pub opaque: bool,
    /// Whether any expansion happened.
    pub changed: bool,
    /// The expansion budget ran out: `text` is the text as written (nothing expanded) and
    /// `opaque` is set, so its value counts as unknown.
    pub limit: Option<ExpansionLimit>,
}

/// Interpolates compose's forms: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:?message}`, `${VAR?message}`, `${VAR:+replacement}`, `${VAR+replacement}`; `$$`
/// is a literal `$`. Defaults may hold further variables.
pub fn compose(text: &str, lookup: &impl Fn(&str) -> Option<EnvValue>) -> Expanded {
    let mut out = Expanded {
        text: String::with_capacity(text.len()),
        unresolved: Vec::new(),
        opaque: false,
        changed: false,
        limit: None,
    };
    interpolate_into(text, lookup, &mut out, 0);
    out
}

/// Substitutes Flux's forms: `${VAR}`, `${VAR:=default}`, `${VAR:-default}`, `${VAR=default}`
/// and `${VAR-default}`; `$${VAR}` is the literal text `${VAR}`. Only the braced form is
/// read: a bare `$VAR` is left alone (in a password or a regular expression it is text).
/// Names without a value or default land in `unresolved`.
pub fn flux(text: &str, lookup: &impl Fn(&str) -> Option<EnvValue>) -> Expanded {
    let mut out = Expanded {
        text: String::with_capacity(text.len()),
        unresolved: Vec::new(),
        opaque: false,
        changed: false,
        limit: None,
    };
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.text.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(escaped) = tail.strip_prefix("$${") {
            out.text.push_str("${");
            out.changed = true;
            rest = escaped;
            continue;
        }
        let Some(body_and_more) = tail.strip_prefix("${") else {
            out.text.push('$');
            rest = &tail[1..];
            continue;
        };
        let Some(len) = braced_len(body_and_more) else {
            out.text.push_str(tail);
            rest = "";
            break;
        };
        let body = &body_and_more[..len];
        rest = &body_and_more[len + 1..];
        let name_len = body
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count();
        let (name, operator) = body.split_at(name_len);
        let default = [":=", ":-", "=", "-"]
            .iter()
            .find_map(|op| operator.strip_prefix(op));
        if name.is_empty() || (default.is_none() && !operator.is_empty()) {
            // Not a form Flux substitutes: kept as written.
            out.text.push_str(&tail[..2 + len + 1]);
            continue;
        }
        out.changed = true;
        match (lookup(name), default) {
            (Some(EnvValue::Known(value)), _) => out.text.push_str(&value),
            (Some(EnvValue::Unknown), _) => {
                out.opaque = true;
                out.text.push_str(&tail[..2 + len + 1]);
            }
            (None, Some(default)) => out.text.push_str(default),
            (None, None) => {
                out.opaque = true;
                if !out.unresolved.iter().any(|n| n == name) {
                    out.unresolved.push(name.to_string());
                }
                out.text.push_str(&tail[..2 + len + 1]);
            }
        }
    }
    out.text.push_str(rest);
    out
}

/// How deep defaults may nest variables (`${A:-${B:-${C}}}`) before the text is unknown.
const MAX_NESTING: usize = 8;

fn interpolate_into(
    text: &str,
    lookup: &impl Fn(&str) -> Option<EnvValue>,
    out: &mut Expanded,
    depth: usize,
) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = text[i..].find('$').map_or(text.len(), |n| i + n);
            out.text.push_str(&text[i..next]);
            i = next;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.text.push('$');
                out.changed = true;
                i += 2;
            }
            Some(b'{') => {
                let Some(len) = braced_len(&text[i + 2..]) else {
                    // No closing brace: compose refuses the file; dflint keeps the text and
                    // does not guess its value.
                    out.text.push_str(&text[i..]);
                    out.opaque = true;
                    return;
                };
                let body = &text[i + 2..i + 2 + len];
                out.changed = true;
                if depth >= MAX_NESTING {
                    out.opaque = true;
                } else {
                    substitute(body, lookup, out, depth);
                }
                i += 2 + len + 1;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let name_len = text[i + 1..]
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                let name = &text[i + 1..i + 1 + name_len];
                out.changed = true;
                value_of(name, lookup, out);
                i += 1 + name_len;
            }
            _ => {
                out.text.push('$');
                i += 1;
            }
        }
    }
}

/// The length of a `${…}` body (up to its matching `}`), nested braces included.
fn braced_len(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(at),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn value_of(name: &str, lookup: &impl Fn(&str) -> Option<EnvValue>, out: &mut Expanded) {
    match lookup(name) {
        Some(EnvValue::Known(value)) => out.text.push_str(&value),
        Some(EnvValue::Unknown) | None => {
            out.opaque = true;
            out.text.push_str("${");
            out.text.push_str(name);
            out.text.push('}');
        }
    }
}

fn substitute(
    body: &str,
    lookup: &impl Fn(&str) -> Option<EnvValue>,
    out: &mut Expanded,
    depth: usize,
) {
    let name_len = body
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    let (name, rest) = body.split_at(name_len);
    if name.is_empty() {
        out.opaque = true;
        return;
    }
    // `:-` tests "unset or empty", `-` only "unset"; dflint knows neither of a variable it
    // is not given, and takes the default for both.
    let (operator, argument) = match rest {
        "" => ("", ""),
        _ if rest.starts_with(":-") || rest.starts_with(":?") || rest.starts_with(":+") => {
            rest.split_at(2)
        }
        _ if rest.starts_with(['-', '?', '+']) => rest.split_at(1),
        _ => {
            // Not a compose form (`${VAR/x/y}`): compose refuses it.
            out.opaque = true;
            return;
        }
    };
    let given = lookup(name);
    match (operator, given) {
        ("" | ":?" | "?", _) => value_of(name, lookup, out),
        (":-", Some(EnvValue::Known(value))) if !value.is_empty() => out.text.push_str(&value),
        ("-", Some(EnvValue::Known(value))) => out.text.push_str(&value),
        (":-" | "-", Some(EnvValue::Unknown)) => out.opaque = true,
        (":-" | "-", _) => interpolate_into(argument, lookup, out, depth + 1),
        (":+", Some(EnvValue::Known(value))) if value.is_empty() => {}
        (":+" | "+", Some(EnvValue::Known(_))) => {
            interpolate_into(argument, lookup, out, depth + 1)
        }
        _ => out.opaque = true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(vars: &'a [(&'a str, Option<&'a str>)]) -> impl Fn(&str) -> Option<EnvValue> + 'a {
        move |name| {
            vars.iter().find(|(n, _)| *n == name).map(|(_, v)| match v {
                Some(v) => EnvValue::Known(v.to_string()),
                None => EnvValue::Unknown,
            })
        }
    }

    /// The text of an expansion that must be known.
    fn known_text(expanded: Expanded, from: &str) -> String {
        assert!(!expanded.opaque, "{from}: {}", expanded.text);
        expanded.text
    }

    #[test]
    fn flux_forms() {
        let vars = [("REPLICAS", Some("3")), ("SECRET", None)];
        let lookup = with(&vars);
        let known = |text: &str| known_text(flux(text, &lookup), text);
        assert_eq!(known("${REPLICAS}"), "3");
        assert_eq!(known("${REPLICAS:=1}"), "3");
        assert_eq!(known("${NOPE:=2}"), "2");
        assert_eq!(known("${NOPE:-2gb}"), "2gb");
        assert_eq!(known("${NOPE=x}-${NOPE-y}"), "x-y");
        assert_eq!(known("$${NOPE} and $NOPE"), "${NOPE} and $NOPE");
        assert_eq!(known("${NOPE/x}"), "${NOPE/x}");
        let e = flux("${APP}-${APP}-${SECRET}", &lookup);
        assert!(e.opaque);
        assert_eq!(e.text, "${APP}-${APP}-${SECRET}");
        assert_eq!(e.unresolved, vec!["APP".to_string()]);
        assert!(!flux("plain $ text", &lookup).changed);
    }

    #[test]
    fn compose_forms() {
        let vars = [("MEM", Some("2gb")), ("EMPTY", Some("")), ("SECRET", None)];
        let lookup = with(&vars);
        let known = |text: &str| known_text(compose(text, &lookup), text);
        assert_eq!(known("--maxmemory=${MEM}"), "--maxmemory=2gb");
        assert_eq!(known("--maxmemory=$MEM"), "--maxmemory=2gb");
        assert_eq!(known("--maxmemory=${NOPE:-8gb}"), "--maxmemory=8gb");
        assert_eq!(known("${NOPE-8gb}"), "8gb");
        assert_eq!(known("${EMPTY:-x}"), "x");
        assert_eq!(known("${EMPTY-x}"), "");
        assert_eq!(known("${MEM:+on}"), "on");
        assert_eq!(known("${EMPTY:+on}"), "");
        assert_eq!(known("${NOPE:-${MEM}}"), "2gb");
        assert_eq!(known("cost $$5 and $"), "cost $5 and $");
        for unknown in [
            "${NOPE}",
            "$NOPE",
            "${SECRET}",
            "${SECRET:-x}",
            "${NOPE:?set it}",
            "${NOPE:+x}",
            "${MEM/x/y}",
            "${MEM",
        ] {
            assert!(compose(unknown, &lookup).opaque, "{unknown}");
        }
        assert!(compose("plain", &lookup).unresolved.is_empty());
        assert!(!compose("plain", &lookup).changed);
    }
}
