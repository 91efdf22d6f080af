//! Flag value parsing, exact about what Dragonfly accepts.
//!
//! Sources read (all via the reference search, none executed):
//! * Abseil `absl/flags/marshalling.cc`: `bool` accepts `1/t/true/y/yes` and `0/f/false/n/no`,
//!   ASCII case-insensitive, surrounding ASCII whitespace stripped. Integers:
//!   `ParseFlagImpl` strips whitespace, picks base 16 when the text (after an optional sign)
//!   starts with `0x`/`0X` (a leading `0` does NOT mean octal), and calls
//!   `numbers_internal::safe_strto*_base`; `short`/`unsigned short` are parsed as `int`/`unsigned`
//!   and then range-checked. Floats use `SimpleAtof`/`SimpleAtod`. `std::string` takes the text
//!   verbatim; `std::vector<std::string>` is `StrSplit(text, ',', AllowEmpty)` and an empty text
//!   is an empty list.
//! * Abseil `absl/strings/numbers.cc`: `safe_parse_sign_and_base` (whitespace, one `+`/`-`,
//!   optional `0x` for base 16, no digits left → error), `safe_parse_positive_int` /
//!   `safe_parse_negative_int` (every remaining character must be a digit of the base; overflow
//!   → error), `safe_uint_internal` (any `-` → error, even `-0`). `SimpleAtod`: strip
//!   whitespace, one leading `+` allowed (but not `+-`), then `absl::from_chars` in general
//!   format — decimal with optional exponent, `inf`, `infinity`, `nan`, `nan(...)`, no hex; the
//!   whole text must be consumed; out-of-range values become ±infinity and are accepted.
//! * helio `strings/human_readable.cc` `ParseHumanReadableBytes` + `AbslParseFlag(MemoryBytesFlag)`,
//!   see [`parse_memory_bytes`]; helio PR #523 (merged 2025-12) added `KiB`-style suffixes.
//! * helio `base/flag_utils.h` `ConstrainedNumericFlagValue<size_t, 64>` (`AtLeast64`): Abseil
//!   `size_t` parsing, then `value >= 64`.
//! * Dragonfly `src/server/server_family.cc` `AbslParseFlag(ReplicaOfFlag)` and
//!   `AbslParseFlag(CronExprFlag)` (see [`super::cron`]); `src/server/rdb_save.cc`
//!   `AbslParseFlag(dfly::CompressionMode)`; `src/server/cluster_support.cc`
//!   `InitializeCluster` (`cluster_mode`); helio `util/fibers/proactor_pool.cc`
//!   (`proactor_affinity_mode`); `src/server/common.cc` `LockTagOptions::instance`
//!   (`locktag_delimiter`); `server_family.cc` `InferSnapshotCronExpr` (`save_schedule`).
//!
//! Not verified: `LuaGcFlag`'s parser was not found, so `luagc` accepts any text.
//!
//! Error texts never contain the value (it may be a secret).

use super::cron::parse_cron;
use super::{FlagSpec, FlagType, FlagValue, NativeType};

/// `absl::ascii_isspace` / C-locale `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r')
}

/// `absl::StripAsciiWhitespace`.
fn strip(text: &str) -> &str {
    text.trim_matches(is_c_space)
}

// ---------------------------------------------------------------------------------------------
// bool

/// Abseil `AbslParseFlag(bool)`.
pub(crate) fn parse_bool(text: &str) -> Result<bool, String> {
    const PAIRS: [(&str, &str); 5] = [
        ("1", "0"),
        ("t", "f"),
        ("true", "false"),
        ("y", "n"),
        ("yes", "no"),
    ];
    let t = strip(text);
    for (yes, no) in PAIRS {
        if t.eq_ignore_ascii_case(yes) {
            return Ok(true);
        }
        if t.eq_ignore_ascii_case(no) {
            return Ok(false);
        }
    }
    Err("not a boolean: use true/false, yes/no, t/f, y/n or 1/0 (any case)".into())
}

// ---------------------------------------------------------------------------------------------
// integers

/// Abseil integer parsing for a type with range `[min, max]` (`unsigned`: the C++ type is
/// unsigned, so any `-` sign is an error). `what` names the range in error messages.
pub(crate) fn parse_int(
    text: &str,
    min: i128,
    max: i128,
    unsigned: bool,
    what: &str,
) -> Result<i128, String> {
    let t = strip(text);
    let bytes = t.as_bytes();
    // NumericBase: hex iff "0x"/"0X" follows an optional sign.
    let sign_len = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let hex = bytes.len() >= sign_len + 2
        && bytes[sign_len] == b'0'
        && matches!(bytes[sign_len + 1], b'x' | b'X');
    let not_int = || -> String {
        if hex {
            format!("not a hexadecimal integer (expected {what})")
        } else {
            format!("not an integer (expected {what}; only decimal or 0x-prefixed hexadecimal)")
        }
    };
    // safe_parse_sign_and_base.
    if t.is_empty() {
        return Err(format!("empty value (expected {what})"));
    }
    let negative = bytes[0] == b'-';
    let mut digits = &t[sign_len..];
    if digits.is_empty() {
        return Err(not_int());
    }
    if hex {
        digits = &digits[2..];
        if digits.is_empty() {
            return Err(not_int());
        }
    }
    let base: u32 = if hex { 16 } else { 10 };
    if !digits.chars().all(|c| c.is_digit(base)) {
        return Err(not_int());
    }
    if negative && unsigned {
        return Err(format!(
            "negative values are not accepted (expected {what})"
        ));
    }
    let mut magnitude: i128 = 0;
    for c in digits.chars() {
        let d = i128::from(c.to_digit(base).unwrap_or(0));
        magnitude = match magnitude
            .checked_mul(i128::from(base))
            .and_then(|m| m.checked_add(d))
        {
            // Anything beyond 2^100 is out of every supported range; stop growing.
            Some(m) if m < (1i128 << 100) => m,
            _ => return Err(format!("out of range (expected {what})")),
        };
    }
    let value = if negative { -magnitude } else { magnitude };
    if value < min || value > max {
        return Err(format!("out of range (expected {what})"));
    }
    Ok(value)
}

const I32: (i128, i128, &str) = (
    i32::MIN as i128,
    i32::MAX as i128,
    "a 32-bit integer from -2147483648 to 2147483647",
);
const I64: (i128, i128, &str) = (
    i64::MIN as i128,
    i64::MAX as i128,
    "a 64-bit signed integer",
);
const U16: (i128, i128, &str) = (0, u16::MAX as i128, "an integer from 0 to 65535");
const U32: (i128, i128, &str) = (0, u32::MAX as i128, "an integer from 0 to 4294967295");
const U64: (i128, i128, &str) = (
    0,
    u64::MAX as i128,
    "an integer from 0 to 18446744073709551615",
);

// ---------------------------------------------------------------------------------------------
// floating point

/// Length of a decimal floating-point number at the start of `s` as `strtod`/`from_chars`
/// read it: digits, optional `.digits`, at least one digit, optional exponent (only consumed
/// when digits follow it). No sign.
fn decimal_prefix_len(s: &[u8]) -> usize {
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < s.len() && s[i] == b'.' {
        let mut j = i + 1;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
            mantissa_digits += 1;
        }
        if mantissa_digits > 0 {
            i = j;
        }
    }
    if mantissa_digits == 0 {
        return 0;
    }
    if i < s.len() && matches!(s[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < s.len() && matches!(s[j], b'+' | b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            i = j;
        }
    }
    i
}

/// Length of `inf`, `infinity`, `nan` or `nan(chars)` (ASCII case-insensitive) at the start of
/// `s`, and whether it is a NaN.
fn special_prefix_len(s: &[u8]) -> Option<(usize, bool)> {
    let starts =
        |word: &str| s.len() >= word.len() && s[..word.len()].eq_ignore_ascii_case(word.as_bytes());
    if starts("infinity") {
        return Some((8, false));
    }
    if starts("inf") {
        return Some((3, false));
    }
    if starts("nan") {
        if s.get(3) == Some(&b'(') {
            if let Some(close) = s[4..].iter().position(|&b| b == b')') {
                if s[4..4 + close]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    return Some((5 + close, true));
                }
            }
        }
        return Some((3, true));
    }
    None
}

/// Abseil `SimpleAtod` (and `SimpleAtof`, which accepts the same texts).
pub(crate) fn parse_float(text: &str) -> Result<f64, String> {
    const WHAT: &str = "not a number (expected a decimal number such as 0.5 or 1e-3)";
    let mut t = strip(text);
    if t.is_empty() {
        return Err("empty value (expected a decimal number)".into());
    }
    if let Some(rest) = t.strip_prefix('+') {
        if rest.is_empty() || rest.starts_with('-') {
            return Err(WHAT.into());
        }
        t = rest;
    }
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let b = body.as_bytes();
    if let Some((len, nan)) = special_prefix_len(b) {
        if len != b.len() {
            return Err(WHAT.into());
        }
        let v = if nan { f64::NAN } else { f64::INFINITY };
        return Ok(if negative { -v } else { v });
    }
    let len = decimal_prefix_len(b);
    if len == 0 || len != b.len() {
        return Err(WHAT.into());
    }
    let v: f64 = body.parse().map_err(|_| WHAT.to_string())?;
    Ok(if negative { -v } else { v })
}

// ---------------------------------------------------------------------------------------------
// memory sizes

/// `strtod` on `s`: skips leading C whitespace, optional sign, then decimal, hexadecimal
/// (`0x1.8p3`), `inf`/`infinity`/`nan[(...)]`. Returns the value and the number of bytes
/// consumed (0 = no conversion).
fn strtod_prefix(s: &str) -> (f64, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i] as char) {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && matches!(b[i], b'+' | b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    let apply = |v: f64| if negative { -v } else { v };
    if let Some((len, nan)) = special_prefix_len(&b[i..]) {
        return (apply(if nan { f64::NAN } else { f64::INFINITY }), i + len);
    }
    // Hexadecimal: 0x, hex digits with an optional point (at least one digit), optional p-exponent.
    if b.len() >= i + 2 && b[i] == b'0' && matches!(b[i + 1], b'x' | b'X') {
        let mut j = i + 2;
        let mut mantissa = 0f64;
        let mut digits = 0;
        let mut scale = 0i32;
        while j < b.len() && b[j].is_ascii_hexdigit() {
            mantissa = mantissa * 16.0 + f64::from((b[j] as char).to_digit(16).unwrap_or(0));
            j += 1;
            digits += 1;
        }
        if j < b.len() && b[j] == b'.' {
            let mut k = j + 1;
            let mut frac_digits = 0;
            while k < b.len() && b[k].is_ascii_hexdigit() {
                mantissa = mantissa * 16.0 + f64::from((b[k] as char).to_digit(16).unwrap_or(0));
                scale -= 4;
                k += 1;
                frac_digits += 1;
            }
            if digits + frac_digits > 0 {
                j = k;
                digits += frac_digits;
            }
        }
        if digits > 0 {
            if j < b.len() && matches!(b[j], b'p' | b'P') {
                let mut k = j + 1;
                let mut exp_negative = false;
                if k < b.len() && matches!(b[k], b'+' | b'-') {
                    exp_negative = b[k] == b'-';
                    k += 1;
                }
                let exp_start = k;
                let mut exp = 0i32;
                while k < b.len() && b[k].is_ascii_digit() {
                    exp = exp
                        .saturating_mul(10)
                        .saturating_add(i32::from(b[k] - b'0'));
                    k += 1;
                }
                if k > exp_start {
                    scale = scale.saturating_add(if exp_negative { -exp } else { exp });
                    j = k;
                }
            }
            return (apply(mantissa * 2f64.powi(scale)), j);
        }
        // "0x" without hex digits: strtod reads the "0" only.
        return (apply(0.0), i + 1);
    }
    let len = decimal_prefix_len(&b[i..]);
    if len == 0 {
        return (0.0, 0);
    }
    let v: f64 = s[i..i + len].parse().unwrap_or(0.0);
    (apply(v), i + len)
}

/// helio `strings::ParseHumanReadableBytes` followed by `AbslParseFlag(MemoryBytesFlag)`
/// (which additionally requires the result to be `>= 0`):
///
/// * empty → error; one leading `-` is remembered and skipped, then `strtod` reads a number
///   (so leading whitespace, `+`, fractions, exponents and hex floats are accepted);
/// * the single character after the number selects the unit, case-insensitively, 1024-based:
///   `K` 2^10, `M` 2^20, `G` 2^30, `T` 2^40, `P` 2^50, `E` 2^60, `B` or nothing = bytes;
///   anything else → error;
/// * after the unit only an optional `B`/`b` may follow (`512MB`, `1gb`); since helio PR #523
///   also `i`/`I` before that `B` (`4GiB`, `1.25gib`). **Unverified**: whether the `i` form
///   needs the trailing `B` (`1Gi`) and whether `I` may be upper-case — this accepts both;
///   whether `Bi…` after a plain `B` is allowed — this rejects it;
/// * the number times the unit, rounded half up, must be in `0..2^63`; a `-` sign only
///   survives for values that round to 0 (`-0`). NaN, infinity and values ≥ 2^63 are rejected
///   (that is what x86-64 does with the out-of-range `double` → `int64_t` conversion).
pub(crate) fn parse_memory_bytes(text: &str) -> Result<u64, String> {
    const FORMAT: &str = "not a byte size (use a byte count or a number with K/M/G/T/P/E and optional B, e.g. 512mb, 4G, 1.5GiB)";
    if text.is_empty() {
        return Err("empty value (expected a byte size such as 512mb or 4G)".into());
    }
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (d, used) = strtod_prefix(rest);
    if used == 0 {
        return Err(FORMAT.into());
    }
    let tail = &rest.as_bytes()[used..];
    let (scale, unit_is_multiple): (f64, bool) = match tail.first().map(u8::to_ascii_uppercase) {
        None | Some(b'B') => (1.0, false),
        Some(b'K') => ((1u64 << 10) as f64, true),
        Some(b'M') => ((1u64 << 20) as f64, true),
        Some(b'G') => ((1u64 << 30) as f64, true),
        Some(b'T') => ((1u64 << 40) as f64, true),
        Some(b'P') => ((1u64 << 50) as f64, true),
        Some(b'E') => ((1u64 << 60) as f64, true),
        Some(_) => return Err(FORMAT.into()),
    };
    if !tail.is_empty() {
        let mut k = 1;
        if unit_is_multiple && matches!(tail.get(k), Some(b'i' | b'I')) {
            k += 1;
        }
        if matches!(tail.get(k), Some(b'B' | b'b')) {
            k += 1;
        }
        if k != tail.len() {
            return Err(FORMAT.into());
        }
    }
    let d = d * scale;
    if d.is_nan() || d < 0.0 {
        return Err(if d.is_nan() {
            FORMAT.into()
        } else {
            "negative byte sizes are not accepted".into()
        });
    }
    let rounded = d + 0.5;
    if rounded >= 9_223_372_036_854_775_808.0 {
        return Err("too large (the limit is below 8 EiB)".into());
    }
    let bytes = rounded as i64;
    if neg && bytes != 0 {
        return Err("negative byte sizes are not accepted".into());
    }
    Ok(bytes as u64)
}

// ---------------------------------------------------------------------------------------------
// Dragonfly types

/// `AbslParseFlag(ReplicaOfFlag)`: empty = not a replica; otherwise split at the LAST `:`,
/// host and port both non-empty, `[` and `]` either both around the host or absent, and a
/// bracketed host longer than `[]`. The port is not checked here (it is only used later).
pub(crate) fn parse_replicaof(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let Some(pos) = text.rfind(':') else {
        return Err("missing ':' between host and port (expected host:port or [ipv6]:port)".into());
    };
    let (host, port) = (&text[..pos], &text[pos + 1..]);
    if host.is_empty() || port.is_empty() {
        return Err("the host or the port is empty (expected host:port or [ipv6]:port)".into());
    }
    if host.starts_with('[') != host.ends_with(']') {
        return Err("unbalanced brackets around the host (expected [ipv6]:port)".into());
    }
    if host.starts_with('[') && host.len() <= 2 {
        return Err("the IPv6 address in brackets is empty".into());
    }
    Ok(())
}

const COMPRESSION_MODES: [&str; 8] = [
    "0",
    "NONE",
    "1",
    "SINGLE_ENTRY",
    "2",
    "MULTI_ENTRY_ZSTD",
    "3",
    "MULTI_ENTRY_LZ4",
];

/// `AbslParseFlag(dfly::CompressionMode)`: exact, case-sensitive, no whitespace stripping.
pub(crate) fn parse_compression_mode(text: &str) -> Result<(), String> {
    if COMPRESSION_MODES.contains(&text) {
        Ok(())
    } else {
        Err("unknown compression mode (use NONE, SINGLE_ENTRY, MULTI_ENTRY_ZSTD, MULTI_ENTRY_LZ4 or 0-3; case matters)".into())
    }
}

/// Abseil `AbslParseFlag(std::vector<std::string>)`.
fn parse_list(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::to_string).collect()
    }
}

// ---------------------------------------------------------------------------------------------

impl FlagType {
    /// Parses `value` the way Dragonfly would for a flag of this coarse type. `Int`/`UInt` use
    /// the 64-bit ranges; `Other` accepts any text. `Err` explains the rejection without
    /// repeating the value. Use [`parse_flag_value`] for a known flag (exact type and rules).
    pub fn parse(&self, value: &str) -> Result<FlagValue, String> {
        match self {
            FlagType::Bool => parse_bool(value).map(FlagValue::Bool),
            FlagType::Int => parse_int(value, I64.0, I64.1, false, I64.2).map(FlagValue::Int),
            FlagType::UInt => parse_int(value, U64.0, U64.1, true, U64.2).map(FlagValue::Int),
            FlagType::Float => parse_float(value).map(FlagValue::Float),
            FlagType::String | FlagType::Other => Ok(FlagValue::Text(value.to_string())),
            FlagType::StringList => Ok(FlagValue::List(parse_list(value))),
            FlagType::MemoryBytes => parse_memory_bytes(value).map(FlagValue::Bytes),
            FlagType::Cron => parse_cron(value).map(|()| FlagValue::Text(value.to_string())),
        }
    }
}

impl NativeType {
    /// Parses `value` exactly as the flag parser of this C++ type does.
    pub fn parse(&self, value: &str) -> Result<FlagValue, String> {
        let int = |(min, max, what): (i128, i128, &str), unsigned: bool| {
            parse_int(value, min, max, unsigned, what).map(FlagValue::Int)
        };
        let text = || FlagValue::Text(value.to_string());
        match self {
            NativeType::Bool => parse_bool(value).map(FlagValue::Bool),
            NativeType::Int32 => int(I32, false),
            NativeType::UInt16 => int(U16, true),
            NativeType::UInt32 => int(U32, true),
            NativeType::UInt64 => int(U64, true),
            NativeType::UInt64AtLeast64 => {
                let v = parse_int(value, U64.0, U64.1, true, "an integer of at least 64")?;
                if v < 64 {
                    return Err("must be at least 64".into());
                }
                Ok(FlagValue::Int(v))
            }
            NativeType::Float | NativeType::Double => parse_float(value).map(FlagValue::Float),
            NativeType::String | NativeType::LuaGc => Ok(text()),
            NativeType::StringList => Ok(FlagValue::List(parse_list(value))),
            NativeType::MemoryBytes => parse_memory_bytes(value).map(FlagValue::Bytes),
            NativeType::Cron => parse_cron(value).map(|()| text()),
            NativeType::ReplicaOf => parse_replicaof(value).map(|()| text()),
            NativeType::CompressionMode => parse_compression_mode(value).map(|()| text()),
        }
    }

    /// What a value of this type looks like, for help texts ("expects …").
    pub fn description(self) -> &'static str {
        match self {
            NativeType::Bool => "a boolean (true/false, yes/no, t/f, y/n, 1/0)",
            NativeType::Int32 => I32.2,
            NativeType::UInt16 => U16.2,
            NativeType::UInt32 => U32.2,
            NativeType::UInt64 => U64.2,
            NativeType::UInt64AtLeast64 => "an integer of at least 64",
            NativeType::Float | NativeType::Double => "a decimal number",
            NativeType::String => "any text",
            NativeType::StringList => "a comma-separated list",
            NativeType::MemoryBytes => "a byte size such as 1073741824, 512mb, 4G or 1.5GiB",
            NativeType::Cron => {
                "a 5-field cron expression (minute hour day-of-month month day-of-week), or nothing"
            }
            NativeType::ReplicaOf => "host:port or [ipv6]:port, or nothing",
            NativeType::CompressionMode => {
                "NONE, SINGLE_ENTRY, MULTI_ENTRY_ZSTD, MULTI_ENTRY_LZ4 (or 0-3)"
            }
            NativeType::LuaGc => "Lua GC settings such as inc/200/100/13 or gen/20/100",
        }
    }
}

/// Parses `value` for `spec` the way Dragonfly v1.40.1 would, including the checks some
/// flags get at startup on top of their type:
///
/// * retired flags: Abseil accepts and ignores them without parsing the value → always `Ok`;
/// * `cluster_mode`: empty, `yes` or `emulated`, else the server exits (`InitializeCluster`);
/// * `proactor_affinity_mode`: `on`, `off` or `auto`, else `LOG(FATAL)` (`ProactorPool`);
/// * `locktag_delimiter`: empty or a single byte, else the server exits (`LockTagOptions`);
/// * `save_schedule`: deprecated; any non-empty value makes the server exit
///   (`InferSnapshotCronExpr`).
///
/// Every other flag is parsed by its declared type ([`NativeType::parse`]).
pub fn parse_flag_value(spec: &FlagSpec, value: &str) -> Result<FlagValue, String> {
    let text = || Ok(FlagValue::Text(value.to_string()));
    if spec.retired {
        return text();
    }
    match spec.name {
        "cluster_mode" => match value {
            "" | "yes" | "emulated" => text(),
            _ => Err("must be yes, emulated or empty (case matters); otherwise the server exits at startup".into()),
        },
        "proactor_affinity_mode" => match value {
            "on" | "off" | "auto" => text(),
            _ => Err("must be on, off or auto (case matters); otherwise the server aborts at startup".into()),
        },
        "locktag_delimiter" if value.len() > 1 => {
            Err("must be a single character (or empty); otherwise the server exits".into())
        }
        "save_schedule" if !value.is_empty() => {
            Err("save_schedule is deprecated and any value makes the server exit; use snapshot_cron".into())
        }
        _ => spec.native.parse(value),
    }
}

/// What `spec` expects, for help texts: "`--x` expects {type_description}".
pub fn type_description(spec: &FlagSpec) -> &'static str {
    match spec.name {
        "cluster_mode" => "yes, emulated or nothing",
        "proactor_affinity_mode" => "on, off or auto",
        "locktag_delimiter" => "a single character, or nothing",
        "save_schedule" => "nothing (deprecated: use snapshot_cron)",
        _ => spec.native.description(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::lookup;
    use super::*;

    fn ok(name: &str, value: &str) -> FlagValue {
        let spec = lookup(name).unwrap();
        parse_flag_value(spec, value).unwrap_or_else(|e| panic!("{name}={value:?}: {e}"))
    }

    fn err(name: &str, value: &str) -> String {
        let spec = lookup(name).unwrap();
        match parse_flag_value(spec, value) {
            Ok(v) => panic!("{name}={value:?} unexpectedly parsed as {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn bool_values() {
        for v in [
            "true", "TRUE", "True", "t", "T", "yes", "YES", "y", "1", " true ", "\tyes\n",
        ] {
            assert_eq!(ok("admin_nopass", v), FlagValue::Bool(true), "{v}");
        }
        for v in ["false", "FALSE", "f", "F", "no", "No", "n", "0", "  0 "] {
            assert_eq!(ok("admin_nopass", v), FlagValue::Bool(false), "{v}");
        }
        for v in [
            "", "on", "off", "2", "-1", "01", "yes!", "tru", "enable", "y e s",
        ] {
            err("admin_nopass", v);
        }
        assert_eq!(FlagType::Bool.parse("Y"), Ok(FlagValue::Bool(true)));
        assert!(FlagType::Bool.parse("nope").is_err());
    }

    #[test]
    fn int32_values() {
        assert_eq!(ok("port", "6379"), FlagValue::Int(6379));
        assert_eq!(ok("port", "-1"), FlagValue::Int(-1));
        assert_eq!(ok("port", "+7000"), FlagValue::Int(7000));
        assert_eq!(ok("port", " 42 "), FlagValue::Int(42));
        assert_eq!(ok("port", "0x10"), FlagValue::Int(16));
        assert_eq!(ok("port", "0XfF"), FlagValue::Int(255));
        assert_eq!(ok("port", "-0x10"), FlagValue::Int(-16));
        assert_eq!(ok("port", "010"), FlagValue::Int(10), "no octal");
        assert_eq!(ok("port", "2147483647"), FlagValue::Int(2147483647));
        assert_eq!(ok("port", "-2147483648"), FlagValue::Int(-2147483648));
        assert_eq!(ok("port", "-0"), FlagValue::Int(0));
        for v in [
            "",
            " ",
            "2147483648",
            "-2147483649",
            "6379.0",
            "1e3",
            "6_379",
            "6,379",
            "abc",
            "0x",
            "-",
            "+",
            "--1",
            "+-1",
            "12 34",
            "0b101",
            "１",
        ] {
            err("port", v);
        }
        assert!(err("port", "99999999999").contains("out of range"));
    }

    #[test]
    fn unsigned_values() {
        assert_eq!(ok("admin_port", "65535"), FlagValue::Int(65535));
        assert_eq!(ok("admin_port", "0"), FlagValue::Int(0));
        assert!(err("admin_port", "65536").contains("out of range"));
        assert!(err("admin_port", "-1").contains("negative"));
        err("admin_port", "-0");
        assert_eq!(ok("maxclients", "4294967295"), FlagValue::Int(4294967295));
        err("maxclients", "4294967296");
        assert_eq!(
            ok("max_bulk_len", "18446744073709551615"),
            FlagValue::Int(u64::MAX as i128)
        );
        assert_eq!(
            ok("max_bulk_len", "0xFFFFFFFFFFFFFFFF"),
            FlagValue::Int(u64::MAX as i128)
        );
        err("max_bulk_len", "18446744073709551616");
        err("max_bulk_len", "1G");
        err("MAXSEARCHRESULTS", "1e6");
        assert_eq!(ok("locktag_skip_n_end_delimiters", "3"), FlagValue::Int(3));
        // Coarse types use 64-bit ranges.
        assert_eq!(
            FlagType::UInt.parse("18446744073709551615"),
            Ok(FlagValue::Int(u64::MAX as i128))
        );
        assert!(FlagType::UInt.parse("-5").is_err());
        assert_eq!(
            FlagType::Int.parse("-9223372036854775808"),
            Ok(FlagValue::Int(i64::MIN as i128))
        );
        assert!(FlagType::Int.parse("9223372036854775808").is_err());
    }

    #[test]
    fn at_least_64() {
        assert_eq!(ok("tiered_min_value_size", "64"), FlagValue::Int(64));
        assert_eq!(ok("tiered_min_value_size", "4096"), FlagValue::Int(4096));
        assert_eq!(ok("tiered_min_value_size", "0x40"), FlagValue::Int(64));
        assert!(err("tiered_min_value_size", "63").contains("at least 64"));
        err("tiered_min_value_size", "0");
        err("tiered_min_value_size", "-64");
        err("tiered_min_value_size", "4kb");
    }

    #[test]
    fn float_values() {
        assert_eq!(ok("rss_oom_deny_ratio", "1.25"), FlagValue::Float(1.25));
        assert_eq!(ok("rss_oom_deny_ratio", "-1"), FlagValue::Float(-1.0));
        assert_eq!(ok("rss_oom_deny_ratio", "+2"), FlagValue::Float(2.0));
        assert_eq!(ok("rss_oom_deny_ratio", ".5"), FlagValue::Float(0.5));
        assert_eq!(ok("rss_oom_deny_ratio", "5."), FlagValue::Float(5.0));
        assert_eq!(ok("rss_oom_deny_ratio", "1e-2"), FlagValue::Float(0.01));
        assert_eq!(ok("rss_oom_deny_ratio", " 3E2 "), FlagValue::Float(300.0));
        assert_eq!(
            ok("rss_oom_deny_ratio", "inf"),
            FlagValue::Float(f64::INFINITY)
        );
        assert_eq!(
            ok("rss_oom_deny_ratio", "-Infinity"),
            FlagValue::Float(f64::NEG_INFINITY)
        );
        assert_eq!(
            ok("rss_oom_deny_ratio", "1e999"),
            FlagValue::Float(f64::INFINITY)
        );
        assert!(matches!(ok("mem_defrag_threshold", "NaN"), FlagValue::Float(f) if f.is_nan()));
        assert!(
            matches!(ok("mem_defrag_threshold", "nan(123)"), FlagValue::Float(f) if f.is_nan())
        );
        assert_eq!(
            ok("mem_defrag_threshold", "1e50"),
            FlagValue::Float(1e50),
            "float overflow is accepted"
        );
        for v in [
            "", ".", "1e", "1e+", "0x10", "1,5", "1.5.2", "abc", "+-1", "++1", "-+1", "1.5f",
            "50%", "infinit", "1 2", "e5",
        ] {
            err("rss_oom_deny_ratio", v);
        }
    }

    #[test]
    fn memory_bytes_values() {
        let b = |v: &str| ok("maxmemory", v);
        assert_eq!(b("0"), FlagValue::Bytes(0));
        assert_eq!(b("300000000"), FlagValue::Bytes(300_000_000));
        assert_eq!(b("512mb"), FlagValue::Bytes(512 << 20));
        assert_eq!(b("512MB"), FlagValue::Bytes(512 << 20));
        assert_eq!(b("512M"), FlagValue::Bytes(512 << 20));
        assert_eq!(b("1G"), FlagValue::Bytes(1 << 30));
        assert_eq!(b("1gb"), FlagValue::Bytes(1 << 30));
        assert_eq!(b("1gB"), FlagValue::Bytes(1 << 30));
        assert_eq!(b("4GiB"), FlagValue::Bytes(4 << 30));
        assert_eq!(b("4gib"), FlagValue::Bytes(4 << 30));
        assert_eq!(b("1.25GiB"), FlagValue::Bytes(1_342_177_280));
        assert_eq!(b("1.5G"), FlagValue::Bytes(3 << 29));
        assert_eq!(b("2t"), FlagValue::Bytes(2 << 40));
        assert_eq!(b("1P"), FlagValue::Bytes(1 << 50));
        assert_eq!(b("7E"), FlagValue::Bytes(7 << 60));
        assert_eq!(b("64k"), FlagValue::Bytes(65536));
        assert_eq!(b("100B"), FlagValue::Bytes(100));
        assert_eq!(b("100b"), FlagValue::Bytes(100));
        assert_eq!(b("1.6"), FlagValue::Bytes(2), "rounded half up");
        assert_eq!(
            b(" 1G"),
            FlagValue::Bytes(1 << 30),
            "strtod skips leading whitespace"
        );
        assert_eq!(b("+1G"), FlagValue::Bytes(1 << 30));
        assert_eq!(b("1e3"), FlagValue::Bytes(1000), "strtod exponent");
        assert_eq!(
            b("1e"),
            FlagValue::Bytes(1 << 60),
            "no exponent digits: `e` is the unit"
        );
        assert_eq!(b("0x10"), FlagValue::Bytes(16), "strtod hex");
        assert_eq!(b("0x1p4"), FlagValue::Bytes(16));
        assert_eq!(b("-0"), FlagValue::Bytes(0));
        assert_eq!(b("1Gi"), FlagValue::Bytes(1 << 30), "unverified: accepted");
        for v in [
            "",
            "-1",
            "-1G",
            "--5",
            "G",
            "1 G",
            "1G ",
            "1GBB",
            "1Gbytes",
            "1gigabytes",
            "1X",
            "1KiBB",
            "1Bi",
            "1iB",
            "abc",
            "inf",
            "nan",
            "8E",
            "9223372036854775808",
            "1e30",
            "1,5G",
            "1_000",
        ] {
            err("maxmemory", v);
        }
        assert_eq!(
            FlagType::MemoryBytes.parse("7.5E"),
            Ok(FlagValue::Bytes(15u64 << 59))
        );
        assert!(err("maxmemory", "-5").contains("negative"));
    }

    #[test]
    fn string_and_list_values() {
        assert_eq!(ok("requirepass", ""), FlagValue::Text(String::new()));
        assert_eq!(
            ok("requirepass", " a b,c "),
            FlagValue::Text(" a b,c ".into())
        );
        assert_eq!(ok("restricted_commands", ""), FlagValue::List(vec![]));
        assert_eq!(
            ok("restricted_commands", "flushall"),
            FlagValue::List(vec!["flushall".into()])
        );
        assert_eq!(
            ok("restricted_commands", "flushall,,debug "),
            FlagValue::List(vec!["flushall".into(), "".into(), "debug ".into()])
        );
        assert_eq!(
            ok("command_alias", ","),
            FlagValue::List(vec!["".into(), "".into()])
        );
        assert_eq!(
            FlagType::StringList.parse("a,b"),
            Ok(FlagValue::List(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            FlagType::Other.parse("anything"),
            Ok(FlagValue::Text("anything".into()))
        );
        assert_eq!(
            ok("luagc", "whatever/1/2"),
            FlagValue::Text("whatever/1/2".into())
        );
    }

    #[test]
    fn replicaof_values() {
        for v in [
            "",
            "master:6379",
            "10.0.0.1:6379",
            "[::1]:6379",
            "[fe80::1%eth0]:7000",
            "::1:6379",
            "host:abc",
            "a:b:c",
        ] {
            ok("replicaof", v);
        }
        assert!(err("replicaof", "master").contains("missing ':'"));
        err("replicaof", ":6379");
        err("replicaof", "master:");
        err("replicaof", "[::1:6379");
        err("replicaof", "::1]:6379");
        err("replicaof", "[]:6379");
    }

    #[test]
    fn compression_mode_values() {
        for v in [
            "0",
            "1",
            "2",
            "3",
            "NONE",
            "SINGLE_ENTRY",
            "MULTI_ENTRY_ZSTD",
            "MULTI_ENTRY_LZ4",
        ] {
            ok("compression_mode", v);
        }
        for v in ["", "4", "none", "lz4", " NONE", "NONE ", "-1", "zstd"] {
            err("compression_mode", v);
        }
    }

    #[test]
    fn per_flag_rules() {
        for v in ["", "yes", "emulated"] {
            ok("cluster_mode", v);
        }
        for v in ["no", "YES", "true", "1", "Emulated"] {
            err("cluster_mode", v);
        }
        for v in ["on", "off", "auto"] {
            ok("proactor_affinity_mode", v);
        }
        for v in ["", "ON", "true", "1"] {
            err("proactor_affinity_mode", v);
        }
        ok("locktag_delimiter", "");
        ok("locktag_delimiter", ":");
        err("locktag_delimiter", "::");
        ok("save_schedule", "");
        err("save_schedule", "10:00");
        // Retired flags are accepted with any value.
        assert_eq!(
            ok("tiered_storage_write_depth", "not a number"),
            FlagValue::Text("not a number".into())
        );
        ok("experimental_io_loop_v2", "maybe");
        // Cron goes through croncpp (detailed tests in cron.rs).
        ok("snapshot_cron", "*/5 * * * *");
        err("snapshot_cron", "* * * * * *");
    }

    #[test]
    fn errors_never_echo_the_value() {
        let secretish = "S3cr3t-P4ss";
        for spec in crate::flags::all() {
            for v in [
                secretish.to_string(),
                format!("{secretish}:"),
                format!("-{secretish}"),
                format!("0x{secretish}"),
            ] {
                if let Err(e) = parse_flag_value(spec, &v) {
                    assert!(!e.contains(secretish), "{}: {e}", spec.name);
                }
            }
        }
    }

    #[test]
    fn type_descriptions() {
        assert_eq!(
            type_description(lookup("cluster_mode").unwrap()),
            "yes, emulated or nothing"
        );
        assert!(type_description(lookup("maxmemory").unwrap()).contains("512mb"));
        assert!(type_description(lookup("admin_port").unwrap()).contains("65535"));
        for spec in crate::flags::all() {
            assert!(!type_description(spec).is_empty());
        }
    }
}
