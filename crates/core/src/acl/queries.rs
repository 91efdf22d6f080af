//! Dry-run queries against ACL texts evaluated once: the answers of `dflint acl can` and of
//! its `--cases` JSON lines, one [`CanAnswer`] per query. Pure: callers read the queries and
//! write the answers.

use super::dryrun::dry_run;
use super::eval::{evaluate, EffectiveUser};
use super::parse::{parse_file_with, AclFile, ServerLimits};
use super::report::{CanAnswer, VerdictReport};
use super::Dialect;
use crate::source::Span;
use serde_json::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// An ACL text parsed and evaluated once, to answer any number of queries.
pub struct EvaluatedAcl {
    file: AclFile,
    users: Vec<EffectiveUser>,
    /// User name → index in `users`.
    by_name: HashMap<String, usize>,
    /// Why the server refuses the text, when it does.
    rejected: Option<String>,
}

impl EvaluatedAcl {
    pub fn new(file: AclFile) -> Self {
        let (users, errors) = evaluate(&file);
        let rejected = file
            .problems
            .first()
            .map(|p| p.message.clone())
            .or_else(|| errors.first().map(|e| e.message.clone()));
        let by_name = users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.clone(), i))
            .collect();
        EvaluatedAcl {
            file,
            users,
            by_name,
            rejected,
        }
    }

    /// May `user` run `argv`? The verdict, or what the server would answer instead (the
    /// file refused, no such user, a malformed command).
    pub fn answer(&self, user: &str, argv: &[&[u8]]) -> CanAnswer {
        self.answer_placed(user, argv).0
    }

    /// [`EvaluatedAcl::answer`], with where the deciding token is in the text (none when
    /// the default decided, or there is no verdict): what an editor highlights.
    pub fn answer_placed(&self, user: &str, argv: &[&[u8]]) -> (CanAnswer, Option<Span>) {
        if let Some(why) = &self.rejected {
            return (CanAnswer::error(format!("ACL rejected: {why}")), None);
        }
        let Some(&found) = self.by_name.get(user) else {
            return (CanAnswer::error(format!("user '{user}' not found")), None);
        };
        match dry_run(&self.users[found], self.file.dialect, argv) {
            Ok(verdict) => {
                let span = verdict
                    .token
                    .and_then(|t| self.file.token(t))
                    .map(|t| t.span);
                let answer = CanAnswer::Verdict(VerdictReport::of(&self.file, &verdict));
                (answer, span)
            }
            Err(error) => (CanAnswer::error(error.to_string()), None),
        }
    }

    /// Why the server refuses the text (and so answers every query with an error), when it
    /// does.
    pub fn rejection(&self) -> Option<&str> {
        self.rejected.as_deref()
    }

    /// The file as parsed.
    pub fn file(&self) -> &AclFile {
        &self.file
    }

    /// The effective users, in the order the file defines them.
    pub fn users(&self) -> &[EffectiveUser] {
        &self.users
    }
}

/// Up to this many different ACL texts are kept; past it the cache starts over.
const CACHED_TEXTS: usize = 256;

/// The ACL texts of a run of queries, each parsed and evaluated once however many queries
/// ask about it (a test suite sends thousands of queries about a few files).
#[derive(Default)]
pub struct EvaluatedCache {
    /// By ACL text (looked up without copying it), then by dialect and server limits.
    entries: HashMap<String, Vec<(Dialect, ServerLimits, Rc<EvaluatedAcl>)>>,
}

impl EvaluatedCache {
    pub fn get(&mut self, acl: &str, dialect: Dialect, limits: ServerLimits) -> Rc<EvaluatedAcl> {
        if let Some(found) = self
            .entries
            .get(acl)
            .and_then(|v| v.iter().find(|(d, l, _)| *d == dialect && *l == limits))
        {
            return found.2.clone();
        }
        if self.entries.len() >= CACHED_TEXTS {
            self.entries.clear();
        }
        let evaluated = Rc::new(EvaluatedAcl::new(parse_file_with(acl, dialect, limits)));
        self.entries
            .entry(acl.to_string())
            .or_default()
            .push((dialect, limits, evaluated.clone()));
        evaluated
    }
}

/// Answers one `--cases` line: a JSON object with `acl` (the ACL text; without it, the
/// `shared` file answers), `user`, `command`, `args`, and optionally `dialect`, `dbnum` and
/// `cluster_mode` overriding the run's defaults. A blank line is skipped (`None`); a line
/// that is not such JSON gets `{"error": …}`, never a panic.
pub fn answer_case_line(
    line: &str,
    shared: Option<&EvaluatedAcl>,
    cache: &mut EvaluatedCache,
    default_dialect: Dialect,
    default_limits: ServerLimits,
) -> Option<CanAnswer> {
    if line.trim().is_empty() {
        return None;
    }
    Some(answer_case(
        line,
        shared,
        cache,
        default_dialect,
        default_limits,
    ))
}

fn answer_case(
    line: &str,
    shared: Option<&EvaluatedAcl>,
    cache: &mut EvaluatedCache,
    default_dialect: Dialect,
    default_limits: ServerLimits,
) -> CanAnswer {
    let case = match serde_json::from_str::<Value>(line) {
        Ok(case) => case,
        Err(e) => return CanAnswer::error(format!("invalid case: {e}")),
    };
    let dialect = match case["dialect"].as_str() {
        Some("redis") => Dialect::Redis,
        Some("dragonfly") => Dialect::Dragonfly,
        _ => default_dialect,
    };
    let command = case["command"].as_str().unwrap_or("");
    let args: Vec<&str> = case["args"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a.as_str().unwrap_or(""))
        .collect();
    let limits = ServerLimits {
        dbnum: case["dbnum"]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(default_limits.dbnum),
        cluster_mode: case["cluster_mode"]
            .as_bool()
            .unwrap_or(default_limits.cluster_mode),
    };
    let mut argv: Vec<&[u8]> = vec![command.as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    let user = case["user"].as_str().unwrap_or("");
    match (case["acl"].as_str(), shared) {
        (None, Some(shared)) => shared.answer(user, &argv),
        (acl, _) => cache
            .get(acl.unwrap_or(""), dialect, limits)
            .answer(user, &argv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(line: &str) -> Value {
        serde_json::to_value(answer_typed(line)).expect("JSON")
    }

    fn answer_typed(line: &str) -> CanAnswer {
        answer_case_line(
            line,
            None,
            &mut EvaluatedCache::default(),
            Dialect::Dragonfly,
            ServerLimits::default(),
        )
        .expect("not a blank line")
    }

    #[test]
    fn a_case_line_is_answered_from_its_own_acl() {
        let got = answer(
            r#"{"acl":"user app on nopass ~app:* +get\n","user":"app","command":"GET","args":["app:1"]}"#,
        );
        assert_eq!(got["allowed"], true, "{got}");
        let got = answer(
            r#"{"acl":"user app on nopass ~app:* +get\n","user":"app","command":"GET","args":["other:1"]}"#,
        );
        assert_eq!(got["allowed"], false, "{got}");
        assert_eq!(got["denied_on"], "key", "{got}");
    }

    #[test]
    fn blank_lines_get_no_answer() {
        for blank in ["", "   ", "\t\r"] {
            let got = answer_case_line(
                blank,
                None,
                &mut EvaluatedCache::default(),
                Dialect::Dragonfly,
                ServerLimits::default(),
            );
            assert_eq!(got, None, "{blank:?}");
        }
    }

    #[test]
    fn bad_lines_and_unknown_users_are_errors_not_panics() {
        assert!(answer("{not json").get("error").is_some());
        assert!(answer("[1,2]").get("error").is_some());
        let got = answer(r#"{"acl":"user app on nopass +get\n","user":"bob","command":"GET"}"#);
        assert_eq!(got["error"], "user 'bob' not found");
    }

    #[test]
    fn a_shared_file_answers_lines_without_acl_and_the_cache_keeps_one_evaluation() {
        let shared = EvaluatedAcl::new(parse_file_with(
            "user ro on nopass ~* +get\n",
            Dialect::Dragonfly,
            ServerLimits::default(),
        ));
        let mut cache = EvaluatedCache::default();
        let line = r#"{"user":"ro","command":"SET","args":["k","v"]}"#;
        let got = answer_case_line(
            line,
            Some(&shared),
            &mut cache,
            Dialect::Dragonfly,
            ServerLimits::default(),
        )
        .expect("not a blank line");
        assert_eq!(got.allowed(), Some(false), "{got}");
        let acl = "user a on nopass ~* +@all\n";
        let first = cache.get(acl, Dialect::Dragonfly, ServerLimits::default());
        let again = cache.get(acl, Dialect::Dragonfly, ServerLimits::default());
        assert!(Rc::ptr_eq(&first, &again));
        let redis = cache.get(acl, Dialect::Redis, ServerLimits::default());
        assert!(!Rc::ptr_eq(&first, &redis));
    }
}
