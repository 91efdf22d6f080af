//! `${VAR}` interpolation as docker compose does it before a container starts.
//!
//! A variable dflint is given (`lookup` answers `Some`) is replaced by its value, or makes the
//! text unknown when its value is unknown. A variable dflint is not given is not "unset": it
//! comes from the shell or an `.env` file dflint did not see. So `${VAR:-default}` takes the
//! default (what a fresh checkout gets), and `${VAR}` or `${VAR:?message}` without a value
//! make the text unknown — never an error, never a finding built on a guess.

use crate::args::{EnvValue, Expanded};

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

    #[test]
    fn compose_forms() {
        let vars = [("MEM", Some("2gb")), ("EMPTY", Some("")), ("SECRET", None)];
        let lookup = with(&vars);
        let known = |text: &str| {
            let e = compose(text, &lookup);
            assert!(!e.opaque, "{text}: {}", e.text);
            e.text
        };
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
