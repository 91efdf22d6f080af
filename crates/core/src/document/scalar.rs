//! Resolution of plain (unquoted) YAML scalars the way Kubernetes reads manifests.
//!
//! kubectl and the API server decode YAML with a YAML 1.1 resolver, so `yes`/`no`/`on`/`off`
//! are booleans there, unlike YAML 1.2. dflint follows Kubernetes, because that is what the
//! operator will actually receive.

use super::Value;

pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if looks_like_float(text) {
        if let Ok(f) = text.replace('_', "").parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.into())
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    // Every form (decimal, `0x…`, `0b…`, octal) starts with a digit: most plain scalars are
    // words and are ruled out here, before anything is allocated.
    if !body.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex.to_string())
    } else if let Some(bin) = digits.strip_prefix("0b") {
        (2, bin.to_string())
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, digits[1..].to_string())
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i64::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn looks_like_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '0'..='9' | '_' => seen_digit |= c != '_',
            '.' if !seen_dot => seen_dot = true,
            'e' | 'E' => break,
            _ => return false,
        }
        chars.next();
    }
    if !seen_digit {
        return false;
    }
    match chars.next() {
        None => seen_dot,
        Some(_) => {
            let rest: String = chars.collect();
            let exp = rest.trim_start_matches(['-', '+']);
            !exp.is_empty() && exp.chars().all(|c| c.is_ascii_digit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_yaml_1_1_resolution() {
        assert_eq!(resolve_plain("on"), Value::Bool(true));
        assert_eq!(resolve_plain("No"), Value::Bool(false));
        assert_eq!(resolve_plain("6379"), Value::Int(6379));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("-12"), Value::Int(-12));
        assert_eq!(resolve_plain("1.5"), Value::Float(1.5));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("512mb"), Value::Str("512mb".into()));
        assert_eq!(resolve_plain("1Gi"), Value::Str("1Gi".into()));
        assert_eq!(resolve_plain("--port=1"), Value::Str("--port=1".into()));
        assert_eq!(resolve_plain("."), Value::Str(".".into()));
        assert_eq!(
            resolve_plain("99999999999999999999"),
            Value::Str("99999999999999999999".into())
        );
    }
}
