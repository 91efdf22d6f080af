//! `acl test`: what each user is meant to be able to do, written down next to the ACL and
//! checked with the dry-run engine.
//!
//! A spec is a small YAML document:
//!
//! ```yaml
//! acl: users.acl            # optional: the ACL it tests, relative to the spec
//! users:
//!   app:
//!     allow: [GET app:1, "SCAN 0 MATCH app:*"]
//!     deny: [FLUSHALL, GET other:1, "@dangerous"]
//! isolated: [app, billing]  # no key both users may touch
//! no-unauthenticated: true  # no enabled user, `default` included, logs in without a password
//! readonly: [reporting]     # no command that writes
//! ```
//!
//! A line with arguments is a dry-run (`ACL DRYRUN`: keys and channels count); a bare command
//! name asks only whether the user may run the command at all; `@category` asks it of every
//! member.

use super::commands::{self, Command, Dialect};
use super::dryrun::dry_run;
use super::eval::{command_index, EffectiveUser, TokenRef};
use super::glob::Glob;
use super::parse::AclFile;
use crate::document::Node;
use crate::source::Span;

/// One thing the spec expects, with where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub kind: Expect,
    /// The spec node that states it.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    Allow { user: String, line: String },
    Deny { user: String, line: String },
    Isolated { users: Vec<String> },
    NoUnauthenticated,
    Readonly { user: String },
}

impl Expect {
    /// The expectation as a reader would say it.
    pub fn describe(&self) -> String {
        match self {
            Expect::Allow { user, line } => format!("`{user}` may run `{line}`"),
            Expect::Deny { user, line } => format!("`{user}` may not run `{line}`"),
            Expect::Isolated { users } => format!(
                "{} share no key",
                users
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Expect::NoUnauthenticated => "no user logs in without a password".to_string(),
            Expect::Readonly { user } => format!("`{user}` writes nothing"),
        }
    }
}

/// A part of the spec that cannot be read.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecProblem {
    pub message: String,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spec {
    /// The `acl:` path, as written, with its span.
    pub acl: Option<(String, Span)>,
    pub expectations: Vec<Expectation>,
    pub problems: Vec<SpecProblem>,
}

/// The file-name ending that marks a spec, for `check` to pick it up beside its ACL.
pub const SPEC_SUFFIXES: &[&str] = &[".acl-test.yaml", ".acl-test.yml"];

/// Whether a file name is an ACL spec by the naming convention.
pub fn is_spec_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SPEC_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// The ACL files a spec named by convention tests when it has no `acl:` key, in the order
/// they are looked for: `users.acl-test.yaml` → `users.acl`, `users.conf`, `users.yaml`,
/// `users.yml`.
pub fn default_acl_names(spec_name: &str) -> Vec<String> {
    let lower = spec_name.to_ascii_lowercase();
    let Some(suffix) = SPEC_SUFFIXES.iter().find(|s| lower.ends_with(*s)) else {
        return Vec::new();
    };
    let stem = &spec_name[..spec_name.len() - suffix.len()];
    ["acl", "conf", "yaml", "yml"]
        .iter()
        .map(|ext| format!("{stem}.{ext}"))
        .collect()
}

/// Reads a spec from its parsed YAML document.
pub fn read(root: &Node) -> Spec {
    let mut spec = Spec::default();
    let Some(entries) = root.as_map() else {
        spec.problems.push(SpecProblem {
            message: "an ACL spec is a mapping with `users`, `isolated`, `no-unauthenticated`, `readonly` and `acl`".to_string(),
            span: root.span,
        });
        return spec;
    };
    for entry in entries {
        let key = entry.key.key_text();
        let value = &entry.value;
        match key.as_str() {
            "acl" => match value.as_str() {
                // Several lines: the ACL text itself (see [`SpecTarget::Inline`]).
                Some(text) if text.contains('\n') => {}
                Some(path) => spec.acl = Some((path.to_string(), value.span)),
                None => spec.problem(value, "`acl` is the path of the ACL file the spec tests"),
            },
            "users" => spec.read_users(value),
            "isolated" => {
                let users = spec.names(value, "`isolated` lists at least two users");
                if users.len() >= 2 {
                    spec.expect(Expect::Isolated { users }, value.span);
                } else if value.as_seq().is_some() {
                    spec.problem(value, "`isolated` lists at least two users");
                }
            }
            "no-unauthenticated" => match value.as_bool() {
                Some(true) => spec.expect(Expect::NoUnauthenticated, entry.key.span),
                Some(false) => {}
                None => spec.problem(value, "`no-unauthenticated` is true or false"),
            },
            "readonly" => {
                for user in spec.names_with_spans(value, "`readonly` lists users") {
                    spec.expect(Expect::Readonly { user: user.0 }, user.1);
                }
            }
            other => spec.problem(
                &entry.key,
                &format!("`{other}` is not a key of an ACL spec (acl, users, isolated, no-unauthenticated, readonly)"),
            ),
        }
    }
    spec
}

impl Spec {
    fn problem(&mut self, node: &Node, message: &str) {
        self.problems.push(SpecProblem {
            message: message.to_string(),
            span: node.span,
        });
    }

    fn expect(&mut self, kind: Expect, span: Span) {
        self.expectations.push(Expectation { kind, span });
    }

    fn names(&mut self, node: &Node, message: &str) -> Vec<String> {
        self.names_with_spans(node, message)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    fn names_with_spans(&mut self, node: &Node, message: &str) -> Vec<(String, Span)> {
        let Some(items) = node.as_seq() else {
            self.problem(node, message);
            return Vec::new();
        };
        let mut names = Vec::new();
        for item in items {
            match item.scalar_text() {
                Some(name) => names.push((name, item.span)),
                None => self.problem(item, message),
            }
        }
        names
    }

    fn read_users(&mut self, node: &Node) {
        let Some(users) = node.as_map() else {
            self.problem(
                node,
                "`users` maps each user name to its `allow` and `deny` lists",
            );
            return;
        };
        for user in users {
            let name = user.key.key_text();
            let Some(lists) = user.value.as_map() else {
                self.problem(
                    &user.value,
                    "a user of the spec has `allow` and `deny` lists",
                );
                continue;
            };
            for list in lists {
                let allow = match list.key.key_text().as_str() {
                    "allow" => true,
                    "deny" => false,
                    other => {
                        self.problem(&list.key, &format!("`{other}` is not `allow` or `deny`"));
                        continue;
                    }
                };
                let lines = self.names_with_spans(
                    &list.value,
                    "`allow` and `deny` list command lines (`GET app:1`), command names or `@categories`",
                );
                for (line, span) in lines {
                    let user = name.clone();
                    let kind = if allow {
                        Expect::Allow { user, line }
                    } else {
                        Expect::Deny { user, line }
                    };
                    self.expect(kind, span);
                }
            }
        }
    }
}

/// What checking one expectation found.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub expectation: Expectation,
    pub passed: bool,
    /// Why it failed, or what was checked.
    pub message: String,
    /// The ACL token that decided a failing expectation, when one did.
    pub token: Option<TokenRef>,
}

/// Checks every expectation of the spec against the evaluated ACL.
pub fn check(spec: &Spec, file: &AclFile, users: &[EffectiveUser]) -> Vec<Outcome> {
    let dialect = file.dialect;
    spec.expectations
        .iter()
        .map(|e| {
            let (passed, message, token) = match &e.kind {
                Expect::Allow { user, line } => command_line(dialect, users, user, line, true),
                Expect::Deny { user, line } => command_line(dialect, users, user, line, false),
                Expect::Isolated { users: names } => isolated(users, names),
                Expect::NoUnauthenticated => no_unauthenticated(users),
                Expect::Readonly { user } => readonly(dialect, users, user),
            };
            Outcome {
                expectation: e.clone(),
                passed,
                message,
                token,
            }
        })
        .collect()
}

type Checked = (bool, String, Option<TokenRef>);

fn find<'u>(users: &'u [EffectiveUser], name: &str) -> Result<&'u EffectiveUser, Checked> {
    users
        .iter()
        .find(|u| u.name == name)
        .ok_or_else(|| (false, format!("the ACL has no user `{name}`"), None))
}

/// The table entries a bare command name stands for: the command, or a container's
/// subcommands (Redis `CONFIG`, Dragonfly `ACL`).
fn entries_named(dialect: Dialect, name: &str) -> Vec<&'static Command> {
    let name = name.to_ascii_lowercase();
    let mut found: Vec<&'static Command> = commands::lookup(dialect, &name).into_iter().collect();
    found.extend(
        commands::all(dialect)
            .iter()
            .filter(|c| c.parent == Some(name.as_str())),
    );
    found
}

/// The user may run the command at all (some permission set allows it), ignoring keys; with
/// the token that decided it.
fn may_run(user: &EffectiveUser, dialect: Dialect, command: &Command) -> (bool, Option<TokenRef>) {
    let index = command_index(dialect, command);
    match user.permission_sets().find(|p| p.allows(index)) {
        Some(p) => (true, p.decided_by.get(index)),
        None => (false, user.root.decided_by.get(index)),
    }
}

fn command_line(
    dialect: Dialect,
    users: &[EffectiveUser],
    name: &str,
    line: &str,
    want: bool,
) -> Checked {
    let user = match find(users, name) {
        Ok(u) => u,
        Err(failed) => return failed,
    };
    let argv: Vec<String> = super::suggest::split(line)
        .into_iter()
        .map(|w| String::from_utf8_lossy(&w).into_owned())
        .collect();
    let Some(first) = argv.first() else {
        return (false, "an empty command line".to_string(), None);
    };
    let verb = if want { "allowed" } else { "denied" };
    // `@category`: every member, as commands (keys do not enter).
    if let Some(category) = first.strip_prefix('@') {
        let Some(cat) = commands::category(dialect, &category.to_ascii_lowercase()) else {
            return (false, format!("no ACL category `@{category}`"), None);
        };
        let wrong: Vec<(&Command, Option<TokenRef>)> = commands::members(dialect, cat)
            .filter_map(|c| {
                let (runs, token) = may_run(user, dialect, c);
                (runs != want).then_some((c, token))
            })
            .collect();
        return match wrong.first() {
            None => (
                true,
                format!("every command of @{category} is {verb}"),
                None,
            ),
            Some(&(command, token)) => (
                false,
                format!(
                    "{} command(s) of @{category} are {}: {}",
                    wrong.len(),
                    if want { "denied" } else { "allowed" },
                    list(wrong.iter().map(|(c, _)| c.name))
                ) + &decided(command, token),
                token,
            ),
        };
    }
    if argv.len() == 1 {
        let entries = entries_named(dialect, first);
        if entries.is_empty() {
            return (false, format!("no command `{first}`"), None);
        }
        // Allowed: some entry runs (a container counts when any subcommand does). Denied: none.
        let runs: Vec<(&Command, bool, Option<TokenRef>)> = entries
            .iter()
            .map(|c| {
                let (r, t) = may_run(user, dialect, c);
                (*c, r, t)
            })
            .collect();
        let any = runs.iter().any(|(_, r, _)| *r);
        if any == want {
            return (true, format!("`{first}` is {verb}"), None);
        }
        let (command, _, token) = runs
            .iter()
            .find(|(_, r, _)| *r == any)
            .copied()
            .expect("entries are not empty");
        return (
            false,
            format!(
                "`{}` is {}",
                command.name.to_ascii_uppercase(),
                if any { "allowed" } else { "denied" }
            ) + &decided(command, token),
            token,
        );
    }
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    match dry_run(user, dialect, &refs) {
        Err(error) => (false, format!("cannot be asked: {error}"), None),
        Ok(v) if v.allowed == want => (true, format!("`{line}` is {verb}"), v.token),
        Ok(v) => {
            let why = match (v.allowed, v.denied_on) {
                (true, _) => "allowed".to_string(),
                (false, Some(on)) => format!("denied on the {} `{}`", on.as_str(), v.item),
                (false, None) => "denied".to_string(),
            };
            (false, format!("`{line}` is {why}"), v.token)
        }
    }
}

/// Nothing when a token decided (the outcome carries it), else that nothing ever granted it.
fn decided(command: &Command, token: Option<TokenRef>) -> String {
    match token {
        Some(_) => String::new(),
        None => format!(" (no token grants `{}`)", command.name.to_ascii_uppercase()),
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    super::diff::short_list(&names.collect::<Vec<_>>())
}

fn key_patterns(user: &EffectiveUser) -> Vec<(Glob, Option<TokenRef>)> {
    user.permission_sets()
        .flat_map(|p| {
            let all = p.all_keys.map(|t| (Glob::new(b"*"), Some(t)));
            all.into_iter().chain(
                p.keys
                    .iter()
                    .map(|k| (Glob::new(&k.pattern), Some(k.token))),
            )
        })
        .collect()
}

fn isolated(users: &[EffectiveUser], names: &[String]) -> Checked {
    let mut found = Vec::new();
    for name in names {
        match find(users, name) {
            Ok(u) => found.push(u),
            Err(failed) => return failed,
        }
    }
    for (i, a) in found.iter().enumerate() {
        for b in &found[i + 1..] {
            for (pa, token) in key_patterns(a) {
                for (pb, _) in key_patterns(b) {
                    if let Some(key) = pa.witness(&pb) {
                        return (
                            false,
                            format!(
                                "`{}` (`{}`) and `{}` (`{}`) may both touch `{}`",
                                a.name,
                                String::from_utf8_lossy(pa.pattern()),
                                b.name,
                                String::from_utf8_lossy(pb.pattern()),
                                key.escape_ascii()
                            ),
                            token,
                        );
                    }
                }
            }
        }
    }
    (true, "no key is shared".to_string(), None)
}

fn no_unauthenticated(users: &[EffectiveUser]) -> Checked {
    match users.iter().find(|u| u.enabled && u.is_nopass()) {
        None => (
            true,
            "every enabled user needs a password".to_string(),
            None,
        ),
        Some(u) => (
            false,
            format!(
                "`{}` is enabled with `nopass`: {}",
                u.name,
                if u.name == "default" {
                    "every connection that does not authenticate gets its permissions"
                } else {
                    "any password logs in as it"
                }
            ),
            u.nopass.or(u.enabled_by),
        ),
    }
}

fn readonly(dialect: Dialect, users: &[EffectiveUser], name: &str) -> Checked {
    let user = match find(users, name) {
        Ok(u) => u,
        Err(failed) => return failed,
    };
    // The table's write flag (Redis `write`, Dragonfly `JOURNALED`), not `@write`: on
    // Dragonfly JSON.SET, BF.ADD and others write outside `@write` (see DF216).
    let writers: Vec<(&Command, Option<TokenRef>)> = commands::all(dialect)
        .iter()
        .filter(|c| c.write)
        .filter_map(|c| {
            let (runs, token) = may_run(user, dialect, c);
            runs.then_some((c, token))
        })
        .collect();
    match writers.first() {
        None => (true, "no command that writes is allowed".to_string(), None),
        Some(&(command, token)) => (
            false,
            format!(
                "{} command(s) that write are allowed: {}",
                writers.len(),
                list(writers.iter().map(|(c, _)| c.name))
            ) + &decided(command, token),
            token,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::eval::evaluate;
    use crate::acl::parse::parse_file;
    use crate::document::parse_yaml;

    fn outcomes(acl: &str, spec: &str) -> Vec<Outcome> {
        let file = parse_file(acl, Dialect::Dragonfly);
        let (users, _) = evaluate(&file);
        let parsed = parse_yaml(spec);
        let spec = read(&parsed.roots[0]);
        assert!(spec.problems.is_empty(), "{:?}", spec.problems);
        check(&spec, &file, &users)
    }

    const ACL: &str = "user default on >adminpw ~* +@all\n\
        user app on >apppw ~app:* +@read +@write +@connection -@dangerous\n\
        user reporting on >reppw ~app:* +@read -@dangerous\n";

    #[test]
    fn expectations_pass_and_fail_with_the_deciding_token() {
        let results = outcomes(
            ACL,
            "users:\n  app:\n    allow: [GET app:1, SET app:1 v, PING]\n    deny: [FLUSHALL, GET other:1, \"@dangerous\", SCAN 0]\n",
        );
        let failed: Vec<&Outcome> = results.iter().filter(|o| !o.passed).collect();
        // SCAN is in @read and not @dangerous on Dragonfly: the spec catches it.
        assert_eq!(failed.len(), 1, "{failed:#?}");
        assert!(
            failed[0].message.contains("`SCAN 0` is allowed"),
            "{}",
            failed[0].message
        );
        assert!(failed[0].token.is_some());
    }

    #[test]
    fn properties() {
        let results = outcomes(
            ACL,
            "isolated: [app, reporting]\nno-unauthenticated: true\nreadonly: [reporting, app]\n",
        );
        let verdicts: Vec<bool> = results.iter().map(|o| o.passed).collect();
        // `+@read` on Dragonfly grants SHRINK, which the table marks as writing (JOURNALED,
        // src/server/server_family.cc:4096@v1.40.1): `reporting` is not read-only.
        assert_eq!(verdicts, [false, true, false, false], "{results:#?}");
        assert!(results[0].message.contains("may both touch `app:`"));
        assert!(
            results[2].message.contains("allowed: SHRINK"),
            "{}",
            results[2].message
        );
        assert!(results[3].message.contains("that write are allowed: "));
    }

    #[test]
    fn bad_specs_are_problems_not_panics() {
        for text in [
            "[1, 2]",
            "users: 3",
            "users:\n  app: [GET]\n",
            "isolated: [a]\nfoo: 1\n",
        ] {
            let parsed = parse_yaml(text);
            let spec = read(&parsed.roots[0]);
            assert!(!spec.problems.is_empty(), "{text}");
        }
    }

    #[test]
    fn conventions() {
        assert!(is_spec_file_name("deploy/Users.acl-test.yaml"));
        assert_eq!(default_acl_names("users.acl-test.yml")[0], "users.acl");
    }
}

/// A spec found in the input (`*.acl-test.yaml`), with the ACL it tests.
#[derive(Clone, Debug)]
pub struct FoundSpec {
    pub source: usize,
    /// YAML problems that keep the spec (or part of it) from being read.
    pub syntax: Vec<SpecProblem>,
    pub spec: Spec,
    pub target: SpecTarget,
}

#[derive(Clone, Debug)]
pub enum SpecTarget {
    /// Index into the bundle's ACLs.
    Found(usize),
    /// The ACL text is written in the spec (`acl: |` with `user …` lines).
    Inline {
        text: super::text::AclText,
        file: AclFile,
        users: Vec<EffectiveUser>,
    },
    /// None of these paths (relative to the input) is in the input.
    Missing(Vec<String>),
}

/// `dir/./a/../b` → `dir/b`, for comparing the paths a spec names with the input's.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Reads the specs of the input and pairs each with its ACL: the one it names, else the one
/// its file name points at beside it.
pub fn collect(
    sources: &[crate::source::Source],
    spec_sources: &[usize],
    acls: &[super::found::FoundAcl<'_>],
    dialect: Dialect,
    limits: &crate::limits::Limits,
) -> Vec<FoundSpec> {
    let mut found = Vec::new();
    for &index in spec_sources {
        let source = &sources[index];
        let parsed = crate::document::parse_yaml_with(source.text(), limits);
        let syntax: Vec<SpecProblem> = parsed
            .problems
            .iter()
            .map(|p| SpecProblem {
                message: format!("the ACL spec is not valid YAML: {}", p.message),
                span: p.span,
            })
            .collect();
        let Some(root) = parsed.roots.first() else {
            found.push(FoundSpec {
                source: index,
                syntax,
                spec: Spec::default(),
                target: SpecTarget::Missing(Vec::new()),
            });
            continue;
        };
        let spec = read(root);
        let name = source.name().replace('\\', "/");
        let dir = name.rfind('/').map_or("", |at| &name[..=at]);
        let inline = root
            .get("acl")
            .filter(|n| n.as_str().is_some_and(|t| t.contains('\n')));
        let target = if let Some(node) = inline {
            match super::text::AclText::from_scalar(index, source.text(), node) {
                Some(text) => {
                    let file = super::parse::parse_file(&text.text, dialect);
                    let (users, _) = super::eval::evaluate(&file);
                    SpecTarget::Inline { text, file, users }
                }
                None => SpecTarget::Missing(Vec::new()),
            }
        } else {
            let wanted: Vec<String> = match &spec.acl {
                Some((path, _)) => vec![normalize(&format!("{dir}{path}"))],
                None => default_acl_names(&name[dir.len()..])
                    .iter()
                    .map(|n| normalize(&format!("{dir}{n}")))
                    .collect(),
            };
            let hit = wanted.iter().find_map(|w| {
                acls.iter().position(|a| {
                    normalize(&sources[a.text.source].name().replace('\\', "/")) == *w
                })
            });
            match hit {
                Some(at) => SpecTarget::Found(at),
                None => SpecTarget::Missing(wanted),
            }
        };
        found.push(FoundSpec {
            source: index,
            syntax,
            spec,
            target,
        });
    }
    found
}
