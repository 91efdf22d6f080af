//! `snapshot_cron` validation, mirroring Dragonfly's `AbslParseFlag(CronExprFlag)`
//! (`src/server/server_family.cc`) and croncpp v2023.03.30 (`cron::make_cron` with
//! `cron_standard_traits`, the version Dragonfly's build fetches):
//!
//! * empty → snapshots by schedule are off (valid); a value starting with `"` is rejected
//!   ("quotes in the flagfile?");
//! * otherwise Dragonfly prepends `"0 "` (the seconds field) and croncpp splits on SPACES only
//!   (tabs are not separators), dropping empty pieces: exactly 6 fields, i.e. 5 from the user:
//!   minute (0-59), hour (0-23), day of month (1-31), month (1-12), day of week (0-6, Sunday = 0);
//! * each field is a comma list (no trailing comma) of `*`, `n`, `a-b`, `x/step` (`x` is `*`,
//!   `n` — meaning n to the maximum — or `a-b`; step > 0);
//! * month and day-of-week fields are upper-cased and the FIRST occurrence of each name
//!   (`JAN`…`DEC` → 1…12, `NIL` → 0; `SUN`…`SAT` → 0…6) is replaced by its number;
//!   a lone `?` in day-of-month or day-of-week means `*`;
//! * numbers go through `std::stoul` then a cast to `uint8_t`: leading whitespace and a sign are
//!   allowed, trailing garbage is ignored (`5x` is 5), and values wrap modulo 256 (`300` is 44).
//!   These quirks are reproduced on purpose so the verdict matches the server's.

/// Validates a `snapshot_cron` value; `Err` never contains the value.
pub(crate) fn parse_cron(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    if value.starts_with('"') {
        return Err("starts with a quote character (quotes copied into a flag file?)".into());
    }
    let expr = format!("0 {value}");
    let fields: Vec<&str> = expr.split(' ').filter(|f| !f.is_empty()).collect();
    if fields.len() != 6 {
        return Err(format!(
            "a cron expression needs exactly 5 space-separated fields (minute hour day-of-month \
             month day-of-week), found {}",
            fields.len() - 1
        ));
    }
    // Same order as croncpp: seconds, minutes, hours, day of week, day of month, month.
    set_field(fields[1], 0, 59).map_err(|e| format!("minute field: {e}"))?;
    set_field(fields[2], 0, 23).map_err(|e| format!("hour field: {e}"))?;

    let mut dow = replace_ordinals(fields[5].to_ascii_uppercase(), &DAYS);
    if dow == "?" {
        dow = "*".into();
    }
    set_field(&dow, 0, 6).map_err(|e| format!("day-of-week field: {e}"))?;

    let dom = if fields[3] == "?" { "*" } else { fields[3] };
    set_field(dom, 1, 31).map_err(|e| format!("day-of-month field: {e}"))?;

    let month = replace_ordinals(fields[4].to_ascii_uppercase(), &MONTHS);
    set_field(&month, 1, 12).map_err(|e| format!("month field: {e}"))?;
    Ok(())
}

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTHS: [&str; 13] = [
    "NIL", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// croncpp `replace_ordinals`: the first occurrence of each name becomes its index.
fn replace_ordinals(mut text: String, names: &[&str]) -> String {
    for (i, name) in names.iter().enumerate() {
        if let Some(pos) = text.find(name) {
            text.replace_range(pos..pos + name.len(), &i.to_string());
        }
    }
    text
}

/// `std::getline`-based splitting as croncpp does it: like `split`, except that a trailing
/// delimiter does not produce a final empty piece (and an empty text gives no pieces).
fn getline_split(text: &str, delimiter: char) -> Vec<&str> {
    let mut parts: Vec<&str> = text.split(delimiter).collect();
    if parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// croncpp `set_cron_field`.
fn set_field(value: &str, min: u8, max: u8) -> Result<(), String> {
    if value.ends_with(',') {
        return Err("a list may not end with a comma".into());
    }
    let items = getline_split(value, ',');
    if items.is_empty() {
        return Err("empty field".into());
    }
    for item in items {
        if !item.contains('/') {
            make_range(item, min, max)?;
            continue;
        }
        let parts = getline_split(item, '/');
        if parts.len() != 2 {
            return Err("a step needs the form x/step".into());
        }
        make_range(parts[0], min, max)?;
        if to_cron_int(parts[1])? == 0 {
            return Err("the step must be a positive number".into());
        }
    }
    Ok(())
}

/// croncpp `make_range`: `*`, `n` or `a-b`, checked against `[min, max]`.
fn make_range(field: &str, min: u8, max: u8) -> Result<(u8, u8), String> {
    let (first, last) = if field == "*" {
        (min, max)
    } else if !field.contains('-') {
        let n = to_cron_int(field)?;
        (n, n)
    } else {
        let parts = getline_split(field, '-');
        if parts.len() != 2 {
            return Err("a range needs exactly two ends (a-b)".into());
        }
        (to_cron_int(parts[0])?, to_cron_int(parts[1])?)
    };
    if first > max || last > max {
        return Err(format!("a value is above the maximum {max}"));
    }
    if first < min || last < min {
        return Err(format!("a value is below the minimum {min}"));
    }
    if first > last {
        return Err("a range starts after its end".into());
    }
    Ok((first, last))
}

/// croncpp `to_cron_int`: `static_cast<uint8_t>(std::stoul(text))`.
fn to_cron_int(text: &str) -> Result<u8, String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && matches!(b[i], b'+' | b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut value: u64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b[i] - b'0')))
            .ok_or_else(|| "a number is too large".to_string())?;
        i += 1;
    }
    if i == start {
        return Err("expected a number, *, a range or a name".into());
    }
    // strtoul negates in unsigned arithmetic; only the low 8 bits survive the cast.
    let value = if negative {
        value.wrapping_neg()
    } else {
        value
    };
    Ok((value & 0xff) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        for v in [
            "",
            "0 3 * * *",
            "*/15 * * * *",
            "0 */2 * * *",
            "0 0 * * MON-FRI",
            "0 0 * * mon-fri",
            "0 0 1 JAN *",
            "0 0 1 jan,jul *",
            "0 0 ? * ?",
            "1,2,3 * * * *",
            "0-30/10 * * * *",
            "5/20 * * * *",
            "59 23 31 12 6",
            "0 0 * * SUN",
            "  0   0  *  *  *  ",
            "0 0 * * 0",
        ] {
            assert_eq!(parse_cron(v), Ok(()), "{v:?}");
        }
    }

    #[test]
    fn croncpp_quirks_are_reproduced() {
        // stoul ignores trailing garbage, the uint8_t cast wraps, getline drops a trailing '/'
        // or '-' piece, and a full weekday name leaves digits followed by letters.
        for v in [
            "5x * * * *",
            "256 * * * *",
            "300 * * * *",
            "*/5/ * * * *",
            "1-2- * * * *",
            "0 0 * * MONDAY",
            "0 0 * * 1#2",
        ] {
            assert_eq!(parse_cron(v), Ok(()), "{v:?}");
        }
    }

    #[test]
    fn rejected() {
        for v in [
            "* * * * * *", // six user fields (seconds are added by Dragonfly)
            "* * * *",     // four
            "@daily",
            "0\t0 * * *", // tabs do not separate fields
            "\"0 0 * * *\"",
            "60 * * * *",
            "0 24 * * *",
            "0 0 0 * *",
            "0 0 32 * *",
            "0 0 * 0 *",
            "0 0 * 13 *",
            "0 0 * * 7",
            "0 0 * NIL *",
            "*/0 * * * *",
            "5-1 * * * *",
            "1, * * * *",
            ",1 * * * *",
            "1,,2 * * * *",
            "*/ * * * *",
            "/5 * * * *",
            "1-2-3 * * * *",
            "-5 * * * *",
            "** * * * *",
            "x * * * *",
            "0 0 L * *",
            "0 0 * * MON,MON",
            "0 0 * * SAT-SUN",
            "99999999999999999999 * * * *",
            "0 0 * * *\n",
        ] {
            assert!(parse_cron(v).is_err(), "{v:?} should be rejected");
        }
        assert!(parse_cron("* * * * * *").unwrap_err().contains("found 6"));
        assert!(parse_cron("0 24 * * *")
            .unwrap_err()
            .starts_with("hour field"));
    }
}
