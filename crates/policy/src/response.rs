//! Turning findings into a `ValidationResponse`: a bounded reject message, one admission
//! warning per lower finding, and audit annotations with the codes.

use std::borrow::Cow;
use std::collections::HashMap;

use dflint_core::Severity;
use kubewarden_policy_sdk::response::ValidationResponse;

/// The HTTP status of a rejection for findings: the object is well-formed but not acceptable.
pub const CODE_FINDINGS: u16 = 422;
/// The request itself could not be read.
pub const CODE_BAD_REQUEST: u16 = 400;
/// The object is larger than `maxObjectBytes`.
pub const CODE_TOO_LARGE: u16 = 413;
/// The settings passed with the request do not validate (policy-server normally refuses them
/// at start-up, so this only happens with hand-made requests).
pub const CODE_BAD_SETTINGS: u16 = 500;

/// Findings listed in a reject message before "(and N more)".
const MESSAGE_FINDINGS: usize = 10;
/// Upper bound of a reject message.
const MESSAGE_BYTES: usize = 2048;
/// Kubernetes may truncate longer warnings; keep each whole.
const WARNING_CHARS: usize = 256;
/// Warnings returned before one "… and N more" warning.
const MAX_WARNINGS: usize = 20;

/// One finding as the policy reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Already in `oldObject` on UPDATE: reported, never rejected.
    pub already_present: bool,
}

pub fn accept(warnings: Vec<String>) -> ValidationResponse {
    ValidationResponse {
        accepted: true,
        message: None,
        code: None,
        mutated_object: None,
        audit_annotations: None,
        warnings: (!warnings.is_empty()).then_some(warnings),
    }
}

pub fn reject(code: u16, message: String, warnings: Vec<String>) -> ValidationResponse {
    ValidationResponse {
        accepted: false,
        message: Some(bounded(message, MESSAGE_BYTES)),
        code: Some(code),
        mutated_object: None,
        audit_annotations: None,
        warnings: (!warnings.is_empty()).then_some(warnings),
    }
}

/// The answer for the findings of one admitted object (plus warnings the policy itself
/// raised, such as a failed host call).
pub fn from_findings(
    mut findings: Vec<Finding>,
    reject_at: Option<Severity>,
    warn_at: Option<Severity>,
    mut notes: Vec<String>,
) -> ValidationResponse {
    // Most severe first; the stable sort keeps the core's order (by location) within a level.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let (rejecting, rest): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .partition(|f| reject_at.is_some_and(|r| f.severity >= r) && !f.already_present);
    // A finding already present before an UPDATE is warned about when it would have
    // rejected (so it stays visible) or reaches the warning level, like any other.
    let warned: Vec<&Finding> = rest
        .into_iter()
        .filter(|f| {
            (f.already_present && reject_at.is_some_and(|r| f.severity >= r))
                || warn_at.is_some_and(|w| f.severity >= w)
        })
        .collect();

    // Only the warnings that are returned are written: a large ACL has hundreds of findings,
    // and formatting each only to drop it was an eighth of the policy's time.
    let total = warned.len() + notes.len();
    let kept = if total > MAX_WARNINGS {
        MAX_WARNINGS - 1
    } else {
        total
    };
    let mut warnings: Vec<String> = Vec::with_capacity(kept + 1);
    warnings.extend(warned.iter().take(kept).map(|f| warning(f)));
    let room = kept - warnings.len();
    warnings.extend(notes.drain(..).take(room));
    if total > kept {
        warnings.push(format!("… and {} more findings", total - kept));
    }

    let reported: Vec<&Finding> = rejecting.iter().chain(&warned).copied().collect();
    let mut response = if rejecting.is_empty() {
        accept(warnings)
    } else {
        let mut listed: Vec<String> = rejecting
            .iter()
            .take(MESSAGE_FINDINGS)
            .map(|f| format!("{} {}", f.code, one_line(&f.message)))
            .collect();
        if rejecting.len() > MESSAGE_FINDINGS {
            listed.push(format!("(and {} more)", rejecting.len() - MESSAGE_FINDINGS));
        }
        reject(
            CODE_FINDINGS,
            format!("dflint: {}", listed.join("; ")),
            warnings,
        )
    };
    if !reported.is_empty() {
        let mut codes: Vec<&str> = Vec::new();
        for finding in &reported {
            if !codes.contains(&finding.code) {
                codes.push(finding.code);
            }
        }
        response.audit_annotations = Some(HashMap::from([
            ("dflint-codes".to_string(), codes.join(",")),
            ("dflint-findings".to_string(), reported.len().to_string()),
        ]));
    }
    response
}

fn warning(finding: &Finding) -> String {
    let prefix = if finding.already_present {
        "(already present) "
    } else {
        ""
    };
    let text = format!("{}: {prefix}{}", finding.code, one_line(&finding.message));
    if text.chars().count() <= WARNING_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(WARNING_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The text with every run of whitespace (newlines included) made one space.
fn one_line(text: &str) -> Cow<'_, str> {
    // One pass: the usual message is already one line with single spaces.
    let mut previous_space = true;
    let mut tidy = true;
    for c in text.chars() {
        if c == ' ' {
            if previous_space {
                tidy = false;
                break;
            }
            previous_space = true;
        } else if c.is_whitespace() {
            tidy = false;
            break;
        } else {
            previous_space = false;
        }
    }
    if tidy && !text.ends_with(' ') {
        return Cow::Borrowed(text);
    }
    let mut line = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    Cow::Owned(line)
}

/// Cuts `text` to at most `limit` bytes on a character boundary, marking the cut.
fn bounded(mut text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
    text
}

pub fn to_bytes(response: &ValidationResponse) -> Vec<u8> {
    serde_json::to_vec(response).unwrap_or_else(|_| {
        br#"{"accepted":false,"message":"dflint: cannot encode the answer","code":500}"#.to_vec()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_collapses_every_run_of_whitespace() {
        for (text, line) in [
            ("", ""),
            ("a b", "a b"),
            (" a", "a"),
            ("a ", "a"),
            ("a  b", "a b"),
            ("a\nb", "a b"),
            ("a\t \r\n b\u{a0}c", "a b c"),
        ] {
            assert_eq!(one_line(text), line, "{text:?}");
        }
        assert!(matches!(one_line("already one line"), Cow::Borrowed(_)));
    }

    #[test]
    fn only_the_returned_warnings_are_written() {
        let findings: Vec<Finding> = (0..30)
            .map(|i| finding("DF211", Severity::Warning, &format!("finding {i}")))
            .collect();
        let response = from_findings(
            findings,
            Some(Severity::Error),
            Some(Severity::Warning),
            vec!["note".to_string()],
        );
        let warnings = response.warnings.expect("warnings");
        assert_eq!(warnings.len(), MAX_WARNINGS);
        assert_eq!(warnings[0], "DF211: finding 0");
        assert_eq!(warnings[MAX_WARNINGS - 2], "DF211: finding 18");
        assert_eq!(warnings[MAX_WARNINGS - 1], "… and 12 more findings");
        let few = from_findings(
            vec![finding("DF211", Severity::Warning, "one")],
            Some(Severity::Error),
            Some(Severity::Warning),
            vec!["note".to_string()],
        );
        assert_eq!(few.warnings.expect("warnings"), ["DF211: one", "note"]);
    }

    fn finding(code: &'static str, severity: Severity, message: &str) -> Finding {
        Finding {
            code,
            severity,
            message: message.to_string(),
            already_present: false,
        }
    }

    #[test]
    fn rejects_most_severe_first_and_warns_the_rest() {
        let response = from_findings(
            vec![
                finding("DF032", Severity::Warning, "no memory limit"),
                finding("DF010", Severity::Error, "unknown field\n  volumes"),
                finding("DF208", Severity::Info, "plaintext"),
            ],
            Some(Severity::Error),
            Some(Severity::Warning),
            vec![],
        );
        assert!(!response.accepted);
        assert_eq!(response.code, Some(422));
        assert_eq!(
            response.message.as_deref(),
            Some("dflint: DF010 unknown field volumes")
        );
        assert_eq!(
            response.warnings,
            Some(vec!["DF032: no memory limit".to_string()])
        );
        let annotations = response.audit_annotations.unwrap();
        assert_eq!(annotations["dflint-codes"], "DF010,DF032");
        assert_eq!(annotations["dflint-findings"], "2");
    }

    #[test]
    fn messages_and_warnings_are_bounded() {
        let many: Vec<Finding> = (0..40)
            .map(|_| finding("DF301", Severity::Error, &"x".repeat(400)))
            .collect();
        let response = from_findings(
            many.clone(),
            Some(Severity::Error),
            Some(Severity::Info),
            vec![],
        );
        let message = response.message.unwrap();
        assert!(message.len() <= MESSAGE_BYTES, "{}", message.len());
        let warned = from_findings(many, Some(Severity::Error), Some(Severity::Info), vec![])
            .warnings
            .is_none();
        assert!(warned, "rejected findings are not repeated as warnings");
        let lots: Vec<Finding> = (0..40)
            .map(|_| finding("DF303", Severity::Warning, &"y".repeat(400)))
            .collect();
        let warnings = from_findings(lots, Some(Severity::Error), Some(Severity::Warning), vec![])
            .warnings
            .unwrap();
        assert_eq!(warnings.len(), MAX_WARNINGS);
        assert!(warnings.iter().all(|w| w.chars().count() <= WARNING_CHARS));
        assert_eq!(warnings.last().unwrap(), "… and 21 more findings");
    }

    #[test]
    fn findings_already_present_warn_instead_of_rejecting() {
        let mut old = finding("DF010", Severity::Error, "unknown field");
        old.already_present = true;
        let response = from_findings(vec![old], Some(Severity::Error), None, vec![]);
        assert!(response.accepted);
        assert_eq!(
            response.warnings,
            Some(vec!["DF010: (already present) unknown field".to_string()])
        );
    }

    #[test]
    fn nothing_to_say_is_a_plain_accept() {
        let response = from_findings(
            vec![finding("DF208", Severity::Info, "plaintext")],
            Some(Severity::Error),
            Some(Severity::Warning),
            vec![],
        );
        assert!(response.accepted);
        assert!(response.warnings.is_none() && response.audit_annotations.is_none());
    }
}
