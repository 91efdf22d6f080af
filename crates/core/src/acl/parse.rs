//! ACL rule text → per-user operations, with a span per token, for two dialects that differ
//! in exactly what the servers accept:
//!
//! * `dragonfly` (v1.40.1): `--aclfile` lines split on `\n` and single spaces, first token
//!   `USER` (any case), at least 4 tokens, no comments, `#<sha256>` only in files, lower-case
//!   `nopass`/`resetpass`, no `cmd|sub`, no selectors, no `reset`, no `!hash`, `$<db>`,
//!   `NAMESPACE:`. One bad token rejects the whole file.
//! * `redis` (7.0, checked against a real `redis-server` 7.0.15 by
//!   `crates/cli/tests/redis_differential.rs`): as `ACLLoadFromFile`, lines trimmed of
//!   ` \t\r\n`, blank lines skipped, first token exactly `user`, arguments split on every
//!   single space (quotes are ordinary characters; two spaces give an empty argument, a
//!   no-op), selectors `( … )` merged across arguments (`ACLMergeSelectorArguments`), each
//!   argument trimmed of `\t\r\n`, a second line for a user rejected ("Duplicate user").
//!   Inside a selector the rules are split like `sdssplitargs`. `reset`, `clearselectors`,
//!   `!hash`, `+cmd|sub`, first-args, `%R~`/`%W~` flags in any case and order, keywords
//!   case-insensitive; only `~*` / `&*` (like `allkeys` / `allchannels`) forbid later
//!   patterns, `%RW~*` is an ordinary pattern.
//!
//! Passwords are never kept: only their SHA-256, which is also what `#<hash>` tokens carry, so
//! equal passwords can be recognised across users without storing them.

use super::commands::{self, Command, Dialect};
use crate::source::Span;
use sha2::{Digest, Sha256};

/// Which permissions a key pattern grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPerm {
    Read,
    Write,
    ReadWrite,
}

impl KeyPerm {
    pub fn allows_read(self) -> bool {
        matches!(self, KeyPerm::Read | KeyPerm::ReadWrite)
    }

    pub fn allows_write(self) -> bool {
        matches!(self, KeyPerm::Write | KeyPerm::ReadWrite)
    }

    /// Both permissions together (Redis merges the flags of a repeated pattern).
    pub fn union(self, other: KeyPerm) -> KeyPerm {
        if self == other {
            self
        } else {
            KeyPerm::ReadWrite
        }
    }
}

/// One operation of a user rule, in the order written.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    On,
    Off,
    /// `>password`: the SHA-256 of the password.
    AddPassword([u8; 32]),
    /// `<password`.
    RemovePassword([u8; 32]),
    /// `#<hex>`: `None` when the hash is not 64 hex characters (Dragonfly drops it silently).
    AddHash(Option<[u8; 32]>),
    /// `!<hex>` (Redis).
    RemoveHash(Option<[u8; 32]>),
    NoPass,
    ResetPass,
    Keys {
        perm: KeyPerm,
        pattern: Vec<u8>,
    },
    AllKeys,
    ResetKeys,
    Channel(Vec<u8>),
    AllChannels,
    ResetChannels,
    Category {
        allow: bool,
        bit: u8,
    },
    AllCommands,
    NoCommands,
    Command {
        allow: bool,
        command: &'static Command,
    },
    /// `+cmd|firstarg` for a command without subcommands (Redis).
    FirstArg {
        command: &'static Command,
        arg: Vec<u8>,
    },
    /// `$<db>`; `None` = `$all`.
    Db(Option<u32>),
    Namespace(String),
    Reset,
    ClearSelectors,
    /// `( … )` (Redis): a selector with its own operations.
    Selector(Vec<Rule>),
    /// `sanitize-payload`, `skip-sanitize-payload` (Redis; no effect on permissions).
    NoEffect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub op: Op,
    /// Index of the token in [`UserLine::tokens`].
    pub token: usize,
}

/// A token of the ACL file: line (index in [`AclFile::users`]) and token index on that line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenRef {
    pub line: u32,
    pub token: u32,
}

impl TokenRef {
    /// Not a token of the file: the server's built-in `default` user, which it creates as
    /// `on nopass ~* &* +@all` when no line defines `default`.
    pub const BUILTIN: TokenRef = TokenRef {
        line: u32::MAX,
        token: u32::MAX,
    };
}

/// A token with its span in the ACL text.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub text: String,
    pub span: Span,
}

impl Token {
    /// The token as it may be shown: passwords and hashes are masked.
    pub fn shown(&self) -> String {
        mask_token(&self.text)
    }
}

/// Masks the secret part of a password or hash token (`>******`).
pub fn mask_token(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ ('>' | '<' | '#' | '!')), _) => format!("{c}******"),
        // A quoted password (`">p w"`), which Redis splits on the space and rejects.
        (Some(q @ ('"' | '\'')), Some(c @ ('>' | '<' | '#' | '!'))) => format!("{q}{c}******"),
        _ => text.to_string(),
    }
}

/// A token the server does not recognise, as it may be shown. An unknown token is often a
/// password: glued to the token before it (`on>secret`), or written without its `>`. So a
/// password sigil anywhere masks the rest, and a bare word that is neither a rule nor a
/// near-miss of an ACL keyword is not shown at all.
pub fn mask_unknown(text: &str) -> String {
    if let Some(at) = text.find(['>', '<', '#', '!']) {
        return format!("{}{}******", mask_unknown(&text[..at]), &text[at..at + 1]);
    }
    if text.is_empty() || text.starts_with(['+', '-', '~', '%', '&', '$', '(', '@']) {
        return text.to_string();
    }
    if near_keyword(text) {
        text.to_string()
    } else {
        format!(
            "<{} characters, not shown: it may be a password>",
            text.chars().count()
        )
    }
}

/// Whether [`mask_unknown`] hides the whole of `text`, without building its message: the
/// redaction pass asks this for every word of every ACL.
pub fn may_be_password(text: &str) -> bool {
    !(text.is_empty()
        || text.contains(['>', '<', '#', '!'])
        || text.starts_with(['+', '-', '~', '%', '&', '$', '(', '@'])
        || near_keyword(text))
}

/// A rule keyword, a near miss of one, or a `NAMESPACE:` token: shown, since no password
/// looks like that.
fn near_keyword(text: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "on",
        "off",
        "nopass",
        "resetpass",
        "allkeys",
        "resetkeys",
        "allchannels",
        "resetchannels",
        "allcommands",
        "nocommands",
        "reset",
        "clearselectors",
        "sanitize-payload",
        "skip-sanitize-payload",
        "user",
    ];
    let lower = text.to_ascii_lowercase();
    closest(lower.trim_end_matches('\r'), KEYWORDS).is_some() || lower.starts_with("namespace:")
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserLine {
    /// The whole line in the ACL text.
    pub span: Span,
    pub tokens: Vec<Token>,
    /// Index of the token holding the user name.
    pub name_token: usize,
    pub rules: Vec<Rule>,
}

impl UserLine {
    pub fn name(&self) -> &str {
        &self.tokens[self.name_token].text
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AclProblem {
    pub span: Span,
    /// What is wrong and what the server does about it; never contains a password.
    pub message: String,
}

/// A parsed ACL file. When `problems` is non-empty the server rejects the file as a whole.
/// The server stops at the first problem; dflint keeps going and lists every one, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct AclFile {
    pub dialect: Dialect,
    pub users: Vec<UserLine>,
    pub problems: Vec<AclProblem>,
    pub limits: ServerLimits,
}

/// Server settings that change which ACL tokens are valid (Dragonfly `$<db>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// `--dbnum` (default 16): `$N` is accepted only for `N < dbnum`
    /// (`MaybeParseAclDflySelect`, src/server/acl/acl_family.cc:820@v1.40.1).
    pub dbnum: u32,
    /// `--cluster_mode=yes` (not `emulated`): only `$0` and `$all` are accepted
    /// (src/server/acl/acl_family.cc:1141@v1.40.1).
    pub cluster_mode: bool,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            dbnum: 16,
            cluster_mode: false,
        }
    }
}

impl AclFile {
    pub fn rejected(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The token a reference names; `None` for the built-in `default` user's
    /// [`TokenRef::BUILTIN`](TokenRef::BUILTIN) (or a reference out of range).
    pub fn token(&self, token: TokenRef) -> Option<&Token> {
        self.users
            .get(token.line as usize)?
            .tokens
            .get(token.token as usize)
    }
}

/// Parses an ACL file (`--aclfile` content, an `aclFromSecret` key) for a server with the
/// default settings.
pub fn parse_file(text: &str, dialect: Dialect) -> AclFile {
    parse_file_with(text, dialect, ServerLimits::default())
}

/// Parses an ACL file for a server with the given settings.
pub fn parse_file_with(text: &str, dialect: Dialect, limits: ServerLimits) -> AclFile {
    let mut file = AclFile {
        dialect,
        users: Vec::new(),
        problems: Vec::new(),
        limits,
    };
    // Dragonfly calls only a 0-byte file empty (`LoadToRegistryFromFile`,
    // src/server/acl/acl_family.cc:307@v1.40.1); a file of blank lines loads with no users.
    if dialect == Dialect::Dragonfly && text.is_empty() {
        file.problems.push(AclProblem {
            span: Span::empty(0),
            message:
                "the ACL file is empty (0 bytes): Dragonfly refuses to load it (\"Empty file\")"
                    .into(),
        });
        return file;
    }
    // Redis refuses a second line for a user: the names seen so far, in a set (a scan of
    // every earlier line made a 100,000-user file take 50 s).
    let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut line_start = 0;
    for raw_line in text.split('\n') {
        let start = line_start;
        line_start += raw_line.len() + 1;
        let line_span = Span::new(start, start + raw_line.len());
        let tokens = match dialect {
            Dialect::Dragonfly => {
                if raw_line.is_empty() {
                    continue;
                }
                split_on_spaces(raw_line, start)
            }
            Dialect::Redis => {
                let trimmed = raw_line.trim_matches([' ', '\t', '\r', '\n']);
                if trimmed.is_empty() {
                    continue;
                }
                let offset = start
                    + (raw_line.len() - raw_line.trim_start_matches([' ', '\t', '\r', '\n']).len());
                split_on_each_space(trimmed, offset)
            }
        };
        let (parsed, problems) = parse_line(tokens, line_span, dialect, true, limits);
        file.problems.extend(problems);
        if let Some(line) = parsed {
            // Redis 7.0 (`ACLLoadFromFile`): a second line for a user is an error.
            // Dragonfly merges the lines (see `eval`).
            if dialect == Dialect::Redis && !names.insert(line.name().to_string()) {
                file.problems.push(AclProblem {
                    span: line.tokens[line.name_token].span,
                    message: format!(
                        "user `{}` is defined twice (\"Duplicate user '{}' found\")",
                        line.name(),
                        line.name(),
                    ),
                });
            }
            file.users.push(line)
        }
    }
    file
}

/// Parses the arguments of `ACL SETUSER <name> <rules…>` (each argument one token; Dragonfly
/// does not accept `#<hash>` here).
pub fn parse_setuser(args: &[&str], dialect: Dialect) -> Result<Vec<Op>, String> {
    let mut offset = 0;
    let mut tokens: Vec<Token> = vec![Token {
        text: "user".into(),
        span: Span::empty(0),
    }];
    for arg in args {
        tokens.push(Token {
            text: arg.to_string(),
            span: Span::new(offset, offset + arg.len()),
        });
        offset += arg.len() + 1;
    }
    let tokens = if dialect == Dialect::Redis {
        // An empty argument is a no-op (`ACLSetUser`: "Empty string is a no-operation").
        let mut merged = merge_selectors(tokens).map_err(|p| p.message)?;
        merged.retain(|t| !t.text.is_empty());
        merged
    } else {
        tokens
    };
    let mut ops = Vec::new();
    let mut state = LineState::default();
    for index in 2..tokens.len() {
        let op = classify(
            &tokens,
            index,
            dialect,
            false,
            &mut state,
            ServerLimits::default(),
        )
        .map_err(|p| p.message)?;
        ops.push(op);
    }
    Ok(ops)
}

/// Dragonfly splits lines on single spaces and drops empty pieces; tabs and `\r` stay inside
/// tokens.
fn split_on_spaces(line: &str, base: usize) -> Vec<Token> {
    // Sized once (at most one token per space, plus one) instead of grown token by token.
    let mut tokens = Vec::with_capacity(line.bytes().filter(|&b| b == b' ').count() + 1);
    let mut offset = base;
    for piece in line.split(' ') {
        if !piece.is_empty() {
            tokens.push(Token {
                text: piece.to_string(),
                span: Span::new(offset, offset + piece.len()),
            });
        }
        offset += piece.len() + 1;
    }
    tokens
}

/// Redis 7.0 `ACLLoadFromFile`: the trimmed line is split on every single space
/// (`sdssplitlen(line, " ")`), so two spaces in a row give an empty argument and quotes are
/// ordinary characters.
fn split_on_each_space(line: &str, base: usize) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut offset = base;
    for piece in line.split(' ') {
        tokens.push(Token {
            text: piece.to_string(),
            span: Span::new(offset, offset + piece.len()),
        });
        offset += piece.len() + 1;
    }
    tokens
}

/// Redis' `ACLStringHasSpaces`: key and channel patterns may not contain whitespace or NUL.
fn has_spaces(text: &str) -> bool {
    text.bytes().any(|b| is_c_space(b) || b == 0)
}

/// C `isspace` (`sdssplitargs` separators): space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Redis' `sdssplitargs` (used for the rules inside a selector): whitespace-separated, with
/// "double" (escapes) and 'single' quotes.
fn split_args(line: &str, base: usize) -> Result<Vec<Token>, String> {
    let bytes = line.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && is_c_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        let mut text = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            if in_double {
                match bytes.get(i) {
                    None => {
                        return Err(
                            "unbalanced quotes in the ACL line: Redis rejects the file".into()
                        )
                    }
                    Some(b'\\')
                        if i + 3 < bytes.len()
                            && bytes[i + 1] == b'x'
                            && bytes[i + 2].is_ascii_hexdigit()
                            && bytes[i + 3].is_ascii_hexdigit() =>
                    {
                        let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap_or("0");
                        text.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                        i += 4;
                    }
                    Some(b'\\') if i + 1 < bytes.len() => {
                        text.push(match bytes[i + 1] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 8,
                            b'a' => 7,
                            other => other,
                        });
                        i += 2;
                    }
                    Some(b'"') => {
                        if bytes.get(i + 1).is_some_and(|&b| !is_c_space(b)) {
                            return Err("a closing quote must be followed by a space in the ACL line: Redis rejects the file".into());
                        }
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        text.push(b);
                        i += 1;
                    }
                }
            } else if in_single {
                match bytes.get(i) {
                    None => {
                        return Err(
                            "unbalanced quotes in the ACL line: Redis rejects the file".into()
                        )
                    }
                    Some(b'\\') if bytes.get(i + 1) == Some(&b'\'') => {
                        text.push(b'\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        if bytes.get(i + 1).is_some_and(|&b| !is_c_space(b)) {
                            return Err("a closing quote must be followed by a space in the ACL line: Redis rejects the file".into());
                        }
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        text.push(b);
                        i += 1;
                    }
                }
            } else {
                match bytes.get(i) {
                    None => break,
                    Some(&b) if is_c_space(b) => break,
                    Some(b'"') => {
                        in_double = true;
                        i += 1;
                    }
                    Some(b'\'') => {
                        in_single = true;
                        i += 1;
                    }
                    Some(&b) => {
                        text.push(b);
                        i += 1;
                    }
                }
            }
        }
        tokens.push(Token {
            text: String::from_utf8_lossy(&text).into_owned(),
            span: Span::new(base + start, base + i),
        });
    }
    Ok(tokens)
}

/// Redis' `ACLMergeSelectorArguments`: an argument that starts with `(` but does not end with
/// `)` opens a selector, and the following arguments are appended (with one space) up to one
/// that ends with `)`. An argument that opens a selector while one is open starts it afresh
/// (what was collected is dropped, as in Redis).
fn merge_selectors(tokens: Vec<Token>) -> Result<Vec<Token>, AclProblem> {
    let mut out: Vec<Token> = Vec::new();
    let mut open: Option<Token> = None;
    for token in tokens {
        if token.text.starts_with('(') && !token.text.ends_with(')') {
            open = Some(token);
            continue;
        }
        match open.as_mut() {
            Some(selector) => {
                selector.text.push(' ');
                selector.text.push_str(&token.text);
                selector.span = selector.span.cover(token.span);
                if token.text.ends_with(')') {
                    out.push(open.take().expect("open selector"));
                }
            }
            None => out.push(token),
        }
    }
    if let Some(selector) = open {
        return Err(AclProblem {
            span: selector.span,
            message: "an unmatched `(` opens a selector that never closes: `ACL SETUSER` refuses it, and Redis 7.0 crashes (SIGSEGV in the ACL file loader) on `ACL LOAD` of such a line".into(),
        });
    }
    Ok(out)
}

#[derive(Default)]
struct LineState {
    on_off: Option<usize>,
    db: Option<usize>,
    all_keys: bool,
    all_channels: bool,
}

/// Parses one line. A line whose structure is wrong (no `user`, too few tokens) gives no
/// [`UserLine`]; otherwise every token the server refuses is reported and skipped, and the
/// line keeps the rules that parse, so what the author meant can still be examined.
fn parse_line(
    tokens: Vec<Token>,
    span: Span,
    dialect: Dialect,
    in_file: bool,
    limits: ServerLimits,
) -> (Option<UserLine>, Vec<AclProblem>) {
    let first_ok = tokens.first().is_some_and(|t| match dialect {
        Dialect::Dragonfly => t.text.eq_ignore_ascii_case("user"),
        Dialect::Redis => t.text == "user",
    });
    if !first_ok {
        let at = tokens.first().map_or(span, |t| t.span);
        let message = match tokens.first() {
            None => "a line of only spaces (Dragonfly reads a token that is not there)".to_string(),
            Some(t) if t.text.starts_with('#') => {
                "a comment line (ACL files have no comments)".to_string()
            }
            Some(_) => "a line that does not start with `user`".to_string(),
        };
        return (None, vec![AclProblem { span: at, message }]);
    }
    let min_tokens = match dialect {
        Dialect::Dragonfly => 4,
        Dialect::Redis => 2,
    };
    if tokens.len() < min_tokens {
        let message = match dialect {
            Dialect::Dragonfly => format!(
                "the line has {} token{}; Dragonfly needs `user <name>` and at least two rules (even `user default off` is refused)",
                tokens.len(),
                if tokens.len() == 1 { "" } else { "s" },
            ),
            Dialect::Redis => "`user` without a name".to_string(),
        };
        return (None, vec![AclProblem { span, message }]);
    }
    let mut problems = Vec::new();
    let tokens = if dialect == Dialect::Redis {
        if has_spaces(&tokens[1].text) {
            let problem = AclProblem {
                span: tokens[1].span,
                message: "the user name contains a space or control character (\"username contains invalid characters\")".into(),
            };
            return (None, vec![problem]);
        }
        // Selectors are merged from the third argument on; then each argument is trimmed of
        // tabs and line ends, and an empty argument is a no-op (Redis 7.0 `ACLLoadFromFile`).
        let mut tokens = tokens;
        let rest = match merge_selectors(tokens.split_off(2)) {
            Ok(rest) => rest,
            Err(problem) => return (None, vec![problem]),
        };
        tokens.extend(rest.into_iter().filter_map(|mut t| {
            let trimmed = t.text.trim_matches(['\t', '\r', '\n']);
            if trimmed.len() != t.text.len() {
                let lead = t.text.len() - t.text.trim_start_matches(['\t', '\r', '\n']).len();
                t.span = Span::new(t.span.start + lead, t.span.start + lead + trimmed.len());
                t.text = trimmed.to_string();
            }
            (!t.text.is_empty()).then_some(t)
        }));
        tokens
    } else {
        tokens
    };
    let mut state = LineState::default();
    let mut rules = Vec::with_capacity(tokens.len().saturating_sub(2));
    for index in 2..tokens.len() {
        match classify(&tokens, index, dialect, in_file, &mut state, limits) {
            Ok(op) => rules.push(Rule { op, token: index }),
            Err(problem) => problems.push(problem),
        }
    }
    let line = UserLine {
        span,
        tokens,
        name_token: 1,
        rules,
    };
    (Some(line), problems)
}

/// What the server does with a file it refuses, for messages.
pub fn rejection(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Dragonfly => "Dragonfly rejects the whole file (at startup it then runs with `default on nopass ~* &* +@all` unless a requirepass is set)",
        Dialect::Redis => "Redis rejects the whole file",
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // Every byte is an ASCII hex digit (checked above): decode the pairs directly.
    fn nibble(b: u8) -> u8 {
        match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => b - b'A' + 10,
        }
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0]) << 4) | nibble(pair[1]);
    }
    Some(out)
}

/// Classifies one token in the order the server tries the rule kinds.
fn classify(
    tokens: &[Token],
    index: usize,
    dialect: Dialect,
    in_file: bool,
    state: &mut LineState,
    limits: ServerLimits,
) -> Result<Op, AclProblem> {
    let token = &tokens[index];
    let text = token.text.as_str();
    let fail = |message: String| AclProblem {
        span: token.span,
        message,
    };
    // Upper-cased on the stack for the usual short token: one allocation less per token.
    let mut buffer = [0u8; 128];
    let owned;
    let upper: &str = match buffer.get_mut(..text.len()) {
        Some(bytes) => {
            bytes.copy_from_slice(text.as_bytes());
            bytes.make_ascii_uppercase();
            std::str::from_utf8(bytes).expect("ASCII upper-casing keeps UTF-8 valid")
        }
        None => {
            owned = text.to_ascii_uppercase();
            &owned
        }
    };
    match dialect {
        Dialect::Dragonfly => {
            classify_dragonfly(text, upper, in_file, state, limits).map_err(|message| {
                if text.ends_with('\r') && !message.contains("CRLF") {
                    fail(format!(
                        "{} (the line ends with `\\r`: CRLF line endings corrupt the last token)",
                        message.replace('\r', "\\r")
                    ))
                } else {
                    fail(message.replace('\r', "\\r"))
                }
            })
        }
        Dialect::Redis => classify_redis(text, upper, state, token.span).map_err(fail),
    }
}

/// Redis' key rule: `~pattern`, or `%` flags (`R`, `W` in any case and order) then `~`.
fn redis_key_rule(text: &str) -> Option<Result<(KeyPerm, &str), String>> {
    if let Some(p) = text.strip_prefix('~') {
        return Some(Ok((KeyPerm::ReadWrite, p)));
    }
    Some(redis_key_flags(text.strip_prefix('%')?))
}

fn redis_key_flags(rest: &str) -> Result<(KeyPerm, &str), String> {
    let (mut read, mut write) = (false, false);
    let mut pattern = "";
    for (i, b) in rest.bytes().enumerate() {
        match b {
            b'R' | b'r' if !read => read = true,
            b'W' | b'w' if !write => write = true,
            b'~' => {
                pattern = &rest[i + 1..];
                break;
            }
            _ => {
                return Err(
                    "invalid key permission flags in a `%…~` pattern (each of `R` and `W` at most once, then `~`)".into(),
                )
            }
        }
    }
    let perm = match (read, write) {
        (true, true) => KeyPerm::ReadWrite,
        (true, false) => KeyPerm::Read,
        (false, true) => KeyPerm::Write,
        (false, false) => {
            return Err("a `%…~` key pattern needs at least one of the flags `R` and `W`".into())
        }
    };
    Ok((perm, pattern))
}

/// Dragonfly's key rule (`MaybeParseAclKey`, src/server/acl/acl_family.cc:749-786@v1.40.1):
/// `allkeys` (any case) and the literal `~*` mean every key; `resetkeys` (any case); then an
/// optional case-sensitive `%RW`, `%R` or `%W` prefix, a `~` and a non-empty glob. Anything
/// else is not a key rule (and, falling through every other kind, an unknown parameter).
enum DragonflyKey<'t> {
    All,
    Reset,
    Pattern(KeyPerm, &'t str),
}

fn dragonfly_key<'t>(text: &'t str, upper: &str) -> Option<DragonflyKey<'t>> {
    if upper == "ALLKEYS" || text == "~*" {
        return Some(DragonflyKey::All);
    }
    if upper == "RESETKEYS" {
        return Some(DragonflyKey::Reset);
    }
    let (perm, rest) = if let Some(rest) = text.strip_prefix("%RW") {
        (KeyPerm::ReadWrite, rest)
    } else if let Some(rest) = text.strip_prefix("%R") {
        (KeyPerm::Read, rest)
    } else if let Some(rest) = text.strip_prefix("%W") {
        (KeyPerm::Write, rest)
    } else {
        (KeyPerm::ReadWrite, text)
    };
    let pattern = rest.strip_prefix('~')?;
    (!pattern.is_empty()).then_some(DragonflyKey::Pattern(perm, pattern))
}

fn classify_dragonfly(
    text: &str,
    upper: &str,
    in_file: bool,
    state: &mut LineState,
    limits: ServerLimits,
) -> Result<Op, String> {
    // 1. passwords (`MaybeParsePassword`, acl_family.cc:838-857)
    if let Some(pass) = text.strip_prefix('>') {
        return Ok(Op::AddPassword(sha256(pass.as_bytes())));
    }
    if let Some(pass) = text.strip_prefix('<') {
        return Ok(Op::RemovePassword(sha256(pass.as_bytes())));
    }
    if text == "nopass" {
        return Ok(Op::NoPass);
    }
    if text == "resetpass" {
        return Ok(Op::ResetPass);
    }
    if in_file {
        if let Some(hex) = text.strip_prefix('#') {
            // `SetPasswordHash` decodes any even-length hex string and stores it; only what
            // does not decode is dropped (src/server/acl/user.cc:94-100@v1.40.1). A decoded
            // value that is not 32 bytes is kept as a password nothing can ever match.
            let decodes = hex.len() % 2 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit());
            return Ok(Op::AddHash(parse_hash(hex).or_else(|| {
                decodes.then(|| sha256(format!("dflint: unmatchable hash {hex}").as_bytes()))
            })));
        }
    }
    // 2. keys: a pattern after every-key is refused, a repeated every-key is not
    // (`ParseAclSetUser`, acl_family.cc:1095-1107).
    match dragonfly_key(text, upper) {
        Some(DragonflyKey::All) => {
            state.all_keys = true;
            return Ok(Op::AllKeys);
        }
        Some(DragonflyKey::Reset) => {
            state.all_keys = false;
            return Ok(Op::ResetKeys);
        }
        Some(DragonflyKey::Pattern(perm, pattern)) => {
            if state.all_keys {
                return Err(format!("`{text}` adds a key pattern after `~*`/`allkeys` (\"Adding a pattern after the * pattern … is not valid\")"));
            }
            return Ok(Op::Keys {
                perm,
                pattern: pattern.as_bytes().to_vec(),
            });
        }
        None => {}
    }
    // 3. channels (`MaybeParseAclPubSub`, acl_family.cc:795-810): `&` needs a pattern.
    if upper == "ALLCHANNELS" || text == "&*" {
        state.all_channels = true;
        return Ok(Op::AllChannels);
    }
    if upper == "RESETCHANNELS" {
        state.all_channels = false;
        return Ok(Op::ResetChannels);
    }
    if let Some(pattern) = text.strip_prefix('&').filter(|p| !p.is_empty()) {
        if state.all_channels {
            return Err(format!("`{text}` adds a channel pattern after `&*`/`allchannels` (\"Adding a pattern after the * pattern … is not valid\")"));
        }
        return Ok(Op::Channel(pattern.as_bytes().to_vec()));
    }
    // 4. database (`MaybeParseAclDflySelect`, acl_family.cc:812-826; checks at 1135-1145): a
    // number below `--dbnum`, or `all`; anything else falls through and is unknown.
    if let Some(db) = text.strip_prefix('$') {
        // `absl::SimpleAtoi` skips surrounding whitespace: `$1\r` of a CRLF file is `$1`.
        let number = db
            .trim_ascii()
            .parse::<u32>()
            .ok()
            .filter(|n| *n < limits.dbnum);
        let all = db.eq_ignore_ascii_case("all");
        if number.is_some() || all {
            if state.db.replace(0).is_some() {
                return Err(
                    "`$` is given twice on one line (\"select db $ was used twice\")".into(),
                );
            }
            if limits.cluster_mode && number.is_some_and(|n| n != 0) {
                return Err(format!(
                    "`{text}` selects a database other than 0, which cluster mode refuses (\"select db $ is not allowed in cluster mode\")"
                ));
            }
            return Ok(Op::Db(number));
        }
        if let Ok(n) = db.parse::<u64>() {
            return Err(format!(
                "`{text}` names database {n}, but the server has databases 0 to {} (`--dbnum` {}): Dragonfly does not recognise the token (\"Unrecognized parameter {upper}\")",
                limits.dbnum.saturating_sub(1),
                limits.dbnum
            ));
        }
    }
    // 5. upper-cased keywords
    match upper {
        "ON" | "OFF" => {
            if state.on_off.replace(0).is_some() {
                return Err(
                    "`on`/`off` is given twice on one line (\"Multiple ON/OFF are not allowed\")"
                        .into(),
                );
            }
            return Ok(if upper == "ON" { Op::On } else { Op::Off });
        }
        "ALLCOMMANDS" => return Ok(Op::AllCommands),
        "NOCOMMANDS" => return Ok(Op::NoCommands),
        _ => {}
    }
    if let Some(rest) = upper
        .strip_prefix("+@")
        .map(|c| (true, c))
        .or_else(|| upper.strip_prefix("-@").map(|c| (false, c)))
    {
        let (allow, name) = rest;
        if name == "ALL" {
            return Ok(if allow {
                Op::AllCommands
            } else {
                Op::NoCommands
            });
        }
        return match commands::category(Dialect::Dragonfly, name) {
            Some(cat) => Ok(Op::Category {
                allow,
                bit: cat.bit,
            }),
            None => Err(unknown_category(name, Dialect::Dragonfly)),
        };
    }
    if let Some(ns) = upper.strip_prefix("NAMESPACE:") {
        return Ok(Op::Namespace(ns.to_string()));
    }
    if let Some((allow, name)) = upper
        .strip_prefix('+')
        .map(|c| (true, c))
        .or_else(|| upper.strip_prefix('-').map(|c| (false, c)))
    {
        if name.contains('|') {
            let shown = mask_unknown(text);
            return Err(format!("`{shown}` uses `command|subcommand`, which Dragonfly does not support (\"Unrecognized parameter {}\")", shown.to_ascii_uppercase()));
        }
        return match commands::lookup(Dialect::Dragonfly, name) {
            Some(command) => Ok(Op::Command { allow, command }),
            None => Err(unknown_command(name, Dialect::Dragonfly)),
        };
    }
    let hint = match upper {
        "RESET" => " (`reset` is Redis-only)",
        "CLEARSELECTORS" => " (selectors are Redis-only)",
        "NOPASS" | "RESETPASS" => " (Dragonfly accepts only lower-case `nopass`/`resetpass`)",
        "~" | "%R~" | "%W~" | "%RW~" => " (a key rule needs a pattern after `~`)",
        "&" => " (a channel rule needs a pattern after `&`)",
        _ if text.starts_with('(') => " (selectors are Redis-only)",
        _ if text.starts_with('!') => " (`!<hash>` is Redis-only)",
        _ if text.starts_with('#') => " (`#<hash>` works only in ACL files, not in ACL SETUSER)",
        _ if text.starts_with('%') => {
            " (the `%R~`/`%W~`/`%RW~` flags must be upper-case and in this order)"
        }
        _ if text.ends_with('\r') => {
            " (the line ends with `\\r`: CRLF line endings corrupt the last token)"
        }
        _ => "",
    };
    let shown = mask_unknown(text);
    Err(format!(
        "`{}` is not an ACL rule Dragonfly knows (\"Unrecognized parameter {}\"){hint}",
        shown.replace('\r', "\\r"),
        shown.to_ascii_uppercase().replace('\r', "\\r")
    ))
}

fn classify_redis(
    text: &str,
    upper: &str,
    state: &mut LineState,
    span: Span,
) -> Result<Op, String> {
    let lower = upper.to_ascii_lowercase();
    match lower.as_str() {
        "on" => return Ok(Op::On),
        "off" => return Ok(Op::Off),
        "nopass" => return Ok(Op::NoPass),
        "resetpass" => return Ok(Op::ResetPass),
        "allkeys" => {
            state.all_keys = true;
            return Ok(Op::AllKeys);
        }
        "resetkeys" => {
            state.all_keys = false;
            return Ok(Op::ResetKeys);
        }
        "allchannels" => {
            state.all_channels = true;
            return Ok(Op::AllChannels);
        }
        "resetchannels" => {
            state.all_channels = false;
            return Ok(Op::ResetChannels);
        }
        "allcommands" => return Ok(Op::AllCommands),
        "nocommands" => return Ok(Op::NoCommands),
        "reset" => {
            state.all_keys = false;
            state.all_channels = false;
            return Ok(Op::Reset);
        }
        "clearselectors" => return Ok(Op::ClearSelectors),
        "sanitize-payload" | "skip-sanitize-payload" => return Ok(Op::NoEffect),
        _ => {}
    }
    if let Some(pass) = text.strip_prefix('>') {
        return Ok(Op::AddPassword(sha256(pass.as_bytes())));
    }
    if let Some(pass) = text.strip_prefix('<') {
        return Ok(Op::RemovePassword(sha256(pass.as_bytes())));
    }
    if let Some(hex) = text.strip_prefix('#') {
        return parse_hash(&hex.to_ascii_lowercase())
            .filter(|_| hex.bytes().all(|b| !b.is_ascii_uppercase()))
            .map(|h| Op::AddHash(Some(h)))
            .ok_or_else(|| {
                "a `#` password hash must be exactly 64 lower-case hex characters".into()
            });
    }
    if let Some(hex) = text.strip_prefix('!') {
        return parse_hash(hex)
            .filter(|_| hex.bytes().all(|b| !b.is_ascii_uppercase()))
            .map(|h| Op::RemoveHash(Some(h)))
            .ok_or_else(|| {
                "a `!` password hash must be exactly 64 lower-case hex characters".into()
            });
    }
    // `~*` and `&*` are aliases of `allkeys` and `allchannels`, tested before the patterns
    // (`ACLSetSelector`): repeating them is not "a pattern after the * pattern".
    if text == "~*" {
        state.all_keys = true;
        return Ok(Op::AllKeys);
    }
    if text == "&*" {
        state.all_channels = true;
        return Ok(Op::Channel(b"*".to_vec()));
    }
    if let Some(rule) = redis_key_rule(text) {
        let (perm, pattern) = rule?;
        if has_spaces(pattern) {
            return Err(format!(
                "the key pattern of `{text}` contains a space or NUL (Redis: \"Syntax error\")"
            ));
        }
        if state.all_keys {
            return Err(format!("`{text}` adds a key pattern after `~*`/`allkeys` (Redis: \"Adding a pattern after the * pattern … is not valid\")"));
        }
        // Only `~*` (above) sets the ALLKEYS flag, after which Redis refuses patterns;
        // `%RW~*` adds the pattern `*`, and more patterns may follow.
        return Ok(Op::Keys {
            perm,
            pattern: pattern.as_bytes().to_vec(),
        });
    }
    if let Some(pattern) = text.strip_prefix('&') {
        if state.all_channels {
            return Err(format!(
                "`{text}` adds a channel pattern after `&*`/`allchannels`"
            ));
        }
        if has_spaces(pattern) {
            return Err(format!(
                "the channel pattern of `{text}` contains a space or NUL (Redis: \"Syntax error\")"
            ));
        }
        return Ok(Op::Channel(pattern.as_bytes().to_vec()));
    }
    if text.starts_with('(') && text.ends_with(')') {
        let inner = &text[1..text.len() - 1];
        let mut sub_state = LineState::default();
        let mut rules = Vec::new();
        // `aclCreateSelectorFromOpSet` splits the inside with `sdssplitargs`; when that fails
        // (unbalanced quotes) it gets no arguments, and the selector is created empty.
        let pieces = split_args(inner, span.start + 1).unwrap_or_default();
        for piece in &pieces {
            let text = piece.text.as_str();
            let op = classify_redis(text, &text.to_ascii_uppercase(), &mut sub_state, piece.span)?;
            if matches!(
                op,
                Op::Selector(_)
                    | Op::ClearSelectors
                    | Op::Reset
                    | Op::On
                    | Op::Off
                    | Op::AddPassword(_)
                    | Op::RemovePassword(_)
                    | Op::AddHash(_)
                    | Op::RemoveHash(_)
                    | Op::NoPass
                    | Op::ResetPass
                    | Op::NoEffect
            ) {
                return Err(format!(
                    "`{}` is not allowed inside a selector",
                    mask_token(text)
                ));
            }
            rules.push(Rule { op, token: 0 });
        }
        return Ok(Op::Selector(rules));
    }
    if let Some((allow, name)) = text
        .strip_prefix('+')
        .map(|c| (true, c))
        .or_else(|| text.strip_prefix('-').map(|c| (false, c)))
    {
        if let Some(cat) = name.strip_prefix('@') {
            if cat.eq_ignore_ascii_case("all") {
                return Ok(if allow {
                    Op::AllCommands
                } else {
                    Op::NoCommands
                });
            }
            return commands::category(Dialect::Redis, cat)
                .map(|c| Op::Category { allow, bit: c.bit })
                .ok_or_else(|| unknown_category(cat, Dialect::Redis));
        }
        if let Some((cmd, sub)) = name.split_once('|') {
            let parent = commands::lookup(Dialect::Redis, cmd)
                .ok_or_else(|| unknown_command(cmd, Dialect::Redis))?;
            let full = format!("{}|{}", cmd.to_ascii_lowercase(), sub.to_ascii_lowercase());
            if let Some(command) = commands::lookup(Dialect::Redis, &full) {
                return Ok(Op::Command { allow, command });
            }
            if commands::subcommands(Dialect::Redis, parent.name)
                .next()
                .is_some()
                || sub.is_empty()
                || sub.contains('|')
            {
                return Err(unknown_command(&full, Dialect::Redis));
            }
            if !allow {
                return Err(
                    "Redis does not allow denying a first argument (`-command|arg`)".into(),
                );
            }
            return Ok(Op::FirstArg {
                command: parent,
                arg: sub.as_bytes().to_vec(),
            });
        }
        return commands::lookup(Dialect::Redis, name)
            .filter(|c| c.parent.is_none())
            .map(|command| Op::Command { allow, command })
            .ok_or_else(|| unknown_command(name, Dialect::Redis));
    }
    Err(format!(
        "`{}` is not an ACL rule (Redis: \"Syntax error\")",
        mask_unknown(text)
    ))
}

fn unknown_category(name: &str, dialect: Dialect) -> String {
    let known: Vec<&str> = commands::categories(dialect)
        .iter()
        .map(|c| c.name)
        .collect();
    let lower = name.to_ascii_lowercase();
    let hint = match (dialect, lower.as_str()) {
        (Dialect::Dragonfly, "hyperloglog") => " (Dragonfly calls it `@hyperlog`)".to_string(),
        (Dialect::Redis, "hyperlog") => " (Redis calls it `@hyperloglog`)".to_string(),
        _ => closest(&lower, &known)
            .map(|c| format!(" (did you mean `@{c}`?)"))
            .unwrap_or_default(),
    };
    format!("`@{lower}` is not an ACL category{hint}")
}

fn unknown_command(name: &str, dialect: Dialect) -> String {
    // `+get>secret`: a password glued to a command is still a password.
    let lower = match name.find(['>', '<', '#', '!']) {
        Some(at) => format!(
            "{}{}******",
            name[..at].to_ascii_lowercase(),
            &name[at..at + 1]
        ),
        None => name.to_ascii_lowercase(),
    };
    let names: Vec<&str> = commands::all(dialect).iter().map(|c| c.name).collect();
    let hint = closest(&lower, &names)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    format!(
        "`{lower}` is not a {} command{hint}",
        match dialect {
            Dialect::Dragonfly => "Dragonfly",
            Dialect::Redis => "Redis",
        }
    )
}

/// The closest name by edit distance, when it is reasonably close.
pub(crate) fn closest<'a>(query: &str, names: &[&'a str]) -> Option<&'a str> {
    let budget = match query.len() {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    };
    names
        .iter()
        // The distance is at least the difference in length: most names are ruled out
        // without computing it.
        .filter(|n| n.len().abs_diff(query.len()) <= budget)
        .map(|n| (edit_distance(query, n), *n))
        .filter(|(d, _)| *d <= budget)
        .min()
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}
