//! Command lines: Kubernetes `$(VAR)` expansion and Abseil-style flag parsing, shared by CR
//! `args`, compose `command:` lists and flag files.

use crate::document::{Document, Node};
use crate::flags;
use crate::limits::Limits;
use crate::source::Span;
use crate::target::Target;
use std::ops::Range;

/// Flags whose values are credentials: never shown, masked in snippets.
pub const SECRET_FLAGS: &[&str] = &["requirepass", "masterauth", "gcs_auth_token"];

/// Whether a flag's value must be masked wherever source text is shown: a secret flag, the
/// same with its value glued on after a space (`"--requirepass VALUE"`), or a misspelling of
/// one (`--requirepasss`, `--master_auth`) — anything whose name speaks of a password, an
/// auth or a token.
pub fn may_hold_secret(name: &str) -> bool {
    let name = name.split(char::is_whitespace).next().unwrap_or("");
    let lower = name.to_ascii_lowercase().replace(['_', '-'], "");
    SECRET_FLAGS.contains(&name)
        // "pas": misspellings such as `DFLY_requirepas` hold the password all the same.
        || ["pas", "auth", "secret", "token"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Where a command line comes from, which decides what else is on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandLineKind {
    /// `spec.args` of a Dragonfly CR: the operator adds its defaults before them and
    /// spec-derived flags after them.
    OperatorArgs,
    /// A command line Dragonfly runs as written (a container's `args`, a flag file).
    Plain,
    /// The lines of a flag file (`--flagfile`): Abseil refuses a line that is not a flag.
    FlagFile,
    /// A docker-compose `command:`: `${VAR}` is interpolated by compose before the container
    /// starts, so the resolved value is what the process (and `docker inspect`) shows;
    /// `$(VAR)` means nothing there.
    Compose,
}

/// One argument to read: a node, or a word inside a string node.
#[derive(Clone, Debug)]
pub struct Word<'d> {
    pub node: &'d Node,
    pub span: Span,
    /// The text as written (before any expansion).
    pub raw: String,
}

impl<'d> Word<'d> {
    /// A whole scalar node; `None` for collections and null.
    pub fn of_node(node: &'d Node) -> Option<Self> {
        Some(Word {
            node,
            span: node.span,
            raw: node.scalar_text()?,
        })
    }
}

/// One argument, expanded like the kubelet does.
#[derive(Clone, Debug)]
pub struct Arg<'d> {
    pub node: &'d Node,
    /// Where the argument is written: the node's span, or the word's span inside it when one
    /// string holds several arguments (compose `command: dragonfly --port 6380`).
    pub span: Span,
    /// The text as written.
    pub raw: String,
    /// The text after `$(VAR)` expansion.
    pub text: String,
    pub opaque: bool,
    pub unresolved: Vec<String>,
    pub expanded: bool,
    /// The expansion budget ran out at this argument: it is kept as written and its value
    /// is unknown.
    pub expansion_limit: Option<ExpansionLimit>,
}

/// A Dragonfly command line found in a document, parsed like Abseil does.
#[derive(Clone, Debug)]
pub struct CommandLine<'d> {
    pub doc: &'d Document,
    pub kind: CommandLineKind,
    pub args: Vec<Arg<'d>>,
    pub items: Vec<Item>,
    /// The image the command line runs under, as written (a CR's `spec.image`); `None` when
    /// none is set or known. Flags are judged against its release
    /// ([`crate::flags::release_of_image`]).
    pub image: Option<String>,
}

impl<'d> CommandLine<'d> {
    /// Expands the arguments within a budget of their own (see [`ExpansionBudget`]).
    pub fn new(
        doc: &'d Document,
        nodes: &'d [Node],
        kind: CommandLineKind,
        env: impl Fn(&str) -> Option<EnvValue>,
    ) -> Self {
        let written = nodes.iter().map(|n| n.span.len()).sum();
        let mut budget = ExpansionBudget::for_input(written);
        Self::with_budget(doc, nodes, kind, env, &mut budget)
    }

    /// Expands the arguments within `budget`, which may be shared with the container's env
    /// values (they can reference each other, so they amplify together).
    pub fn with_budget(
        doc: &'d Document,
        nodes: impl IntoIterator<Item = &'d Node>,
        kind: CommandLineKind,
        env: impl Fn(&str) -> Option<EnvValue>,
        budget: &mut ExpansionBudget,
    ) -> Self {
        let words = nodes.into_iter().filter_map(Word::of_node);
        Self::of_words(doc, words, kind, env, budget)
    }

    /// Reads words, expanding each as its kind of command line does: `$(VAR)` from the
    /// container's env for Kubernetes, `${VAR}` interpolation for compose (`env` then looks
    /// up the interpolation variables).
    pub fn of_words(
        doc: &'d Document,
        words: impl IntoIterator<Item = Word<'d>>,
        kind: CommandLineKind,
        env: impl Fn(&str) -> Option<EnvValue>,
        budget: &mut ExpansionBudget,
    ) -> Self {
        let args: Vec<Arg<'d>> = words
            .into_iter()
            .map(|word| {
                let mut expanded = match kind {
                    CommandLineKind::Compose => crate::interpolate::compose(&word.raw, &env),
                    _ => expand_k8s_within(&word.raw, &env, budget),
                };
                // A `${VAR}` substitution dflint has no value for: the argument is unknown.
                if word.node.style == crate::document::ScalarStyle::Unsubstituted {
                    expanded.opaque = true;
                }
                Arg {
                    node: word.node,
                    span: word.span,
                    raw: word.raw,
                    text: expanded.text,
                    opaque: expanded.opaque,
                    unresolved: expanded.unresolved,
                    expanded: expanded.changed,
                    expansion_limit: expanded.limit,
                }
            })
            .collect();
        let texts: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
        let items = parse_command_line(&texts, |name| {
            flags::lookup(name).map(|f| f.ty == flags::FlagType::Bool)
        });
        CommandLine {
            doc,
            kind,
            args,
            items,
            image: None,
        }
    }

    pub fn flag_uses(&self) -> impl Iterator<Item = &FlagUse> {
        self.items.iter().filter_map(|item| match item {
            Item::Flag(f) => Some(f),
            _ => None,
        })
    }

    /// Every use of one flag, in order.
    pub fn uses_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a FlagUse> + 'a {
        self.flag_uses().filter(move |f| f.name == name)
    }

    /// The use that wins (Abseil keeps the last occurrence).
    pub fn last_use<'a>(&'a self, name: &'a str) -> Option<&'a FlagUse> {
        self.uses_of(name).last()
    }

    /// The winning use of a boolean flag when it turns the flag on (`--f`, `--f=true`, `--f=yes`…).
    pub fn enabled_bool<'a>(&'a self, name: &'a str) -> Option<&'a FlagUse> {
        let flag = self.last_use(name)?;
        let value = flag.effective_value().unwrap_or_else(|| "true".into());
        (flags::FlagType::Bool.parse(&value) == Ok(flags::FlagValue::Bool(true))).then_some(flag)
    }

    /// The whole argument (or both arguments, for `--flag value`) of a flag use.
    pub fn flag_target(&self, flag: &FlagUse) -> Target {
        let mut target = self.arg_target(flag.arg);
        if let Some(value_arg) = flag.value_arg {
            target.span = target.span.cover(self.args[value_arg].span);
        }
        target
    }

    /// The argument an item stands in.
    pub fn arg_target(&self, arg: usize) -> Target {
        let arg = &self.args[arg];
        Target::node(self.doc, arg.node).with_span(arg.span)
    }

    /// Just the value of a flag use, when it can be located exactly in the source.
    pub fn flag_value_span(&self, flag: &FlagUse) -> Option<Span> {
        let arg = &self.args[flag.value_arg.unwrap_or(flag.arg)];
        let range = flag.value_range.clone()?;
        if arg.expanded {
            return None;
        }
        let span = arg.span;
        // Plain scalar: the span is the text itself. Quoted: one quote character each side.
        let offset = if span.len() == arg.raw.len() {
            0
        } else if span.len() == arg.raw.len() + 2 {
            1
        } else {
            return None;
        };
        Some(span.sub(offset + range.start, offset + range.end))
    }

    /// The first argument at which `$(VAR)` expansion stopped, and which limit stopped it
    /// (to report, located, as an exceeded input limit).
    pub fn expansion_limit(&self) -> Option<(usize, ExpansionLimit)> {
        self.args
            .iter()
            .enumerate()
            .find_map(|(i, arg)| arg.expansion_limit.map(|limit| (i, limit)))
    }

    /// Whether the value of a flag use is known (not from a Secret or field reference).
    pub fn value_is_known(&self, flag: &FlagUse) -> bool {
        !self.args[flag.value_arg.unwrap_or(flag.arg)].opaque
    }

    /// Spans of credential values on this command line.
    pub fn secret_spans(&self) -> Vec<Span> {
        self.flag_uses()
            .filter(|f| may_hold_secret(&f.name))
            .map(|f| {
                // `"--requirepass VALUE"` as one argument has no located value: the whole
                // argument is masked.
                self.flag_value_span(f)
                    .filter(|_| !f.name.contains(char::is_whitespace))
                    .unwrap_or_else(|| self.flag_target(f).span)
            })
            .collect()
    }

    /// Names of the variables that `$(VAR)` references put into secret flags
    /// (`--masterauth=$(DF_MASTER)`): their values are secrets too.
    pub fn secret_variables(&self) -> Vec<String> {
        let mut names = Vec::new();
        for flag in self.flag_uses().filter(|f| may_hold_secret(&f.name)) {
            let raw = &self.args[flag.value_arg.unwrap_or(flag.arg)].raw;
            let mut rest = raw.as_str();
            while let Some(start) = rest.find("$(") {
                rest = &rest[start + 2..];
                let Some(end) = rest.find(')') else { break };
                names.push(rest[..end].to_string());
                rest = &rest[end + 1..];
            }
        }
        names
    }
}

pub use crate::interpolate::{EnvValue, Expanded};

pub use crate::interpolate::{ExpansionLimit, EXPANSION_FACTOR, MIN_EXPANSION_BYTES};

/// Bounds `$(VAR)` expansion, whose values can reference each other and amplify
/// exponentially (`A=$(B)$(B)`, `B=$(C)$(C)`…): the bytes that expanded values add and the
/// references looked up, over every text expanded with it. Once exceeded it stays exceeded:
/// every later text with a reference is kept as written, and reported as limited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpansionBudget {
    limit: usize,
    bytes_left: usize,
    max_references: usize,
    references_left: usize,
    exceeded: Option<ExpansionLimit>,
}

impl ExpansionBudget {
    /// A budget for expanding texts written in `input_len` bytes (in total): values may add
    /// `max(MIN_EXPANSION_BYTES, EXPANSION_FACTOR × input_len)` bytes, in the default number
    /// of references.
    pub fn for_input(input_len: usize) -> Self {
        Self::for_input_within(input_len, Limits::default().max_expansion_references)
    }

    /// [`ExpansionBudget::for_input`], looking up at most `max_references` references.
    pub fn for_input_within(input_len: usize, max_references: usize) -> Self {
        let limit = input_len
            .saturating_mul(EXPANSION_FACTOR)
            .max(MIN_EXPANSION_BYTES);
        ExpansionBudget {
            limit,
            bytes_left: limit,
            max_references,
            references_left: max_references,
            exceeded: None,
        }
    }

    /// The limit reached so far, if any.
    pub fn exceeded(&self) -> Option<ExpansionLimit> {
        self.exceeded
    }

    /// Takes one reference; `false` (and exceeded) when none is left.
    fn take_reference(&mut self) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        if self.references_left == 0 {
            self.exceeded = Some(ExpansionLimit::References(self.max_references));
            return false;
        }
        self.references_left -= 1;
        true
    }

    /// Takes `len` bytes of expanded value; `false` (and exceeded) when they do not fit.
    fn take_bytes(&mut self, len: usize) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        if len > self.bytes_left {
            self.exceeded = Some(ExpansionLimit::Bytes(self.limit));
            return false;
        }
        self.bytes_left -= len;
        true
    }
}

/// Expands `$(NAME)` like the kubelet does for container `args`/`command`: `$$` is a literal
/// `$`, unknown names are kept verbatim. The expansion has a budget of its own
/// ([`ExpansionBudget::for_input`] of `text`); see [`expand_k8s_within`].
pub fn expand_k8s(text: &str, lookup: impl Fn(&str) -> Option<EnvValue>) -> Expanded {
    expand_k8s_within(text, lookup, &mut ExpansionBudget::for_input(text.len()))
}

/// [`expand_k8s`] within a budget shared with other texts. When the budget runs out (here or
/// before), the text is returned as written, `opaque`, with the limit in `limit`: a partial
/// expansion is never returned as if it were the value.
pub fn expand_k8s_within(
    text: &str,
    lookup: impl Fn(&str) -> Option<EnvValue>,
    budget: &mut ExpansionBudget,
) -> Expanded {
    let mut out = Expanded::default();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.text.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.text.push('$');
            out.changed = true;
            rest = stripped;
        } else if let Some(close) = after.strip_prefix('(').and_then(|a| a.find(')')) {
            let name = &after[1..1 + close];
            if !budget.take_reference() {
                return limited(text, out.unresolved, budget);
            }
            match lookup(name) {
                Some(EnvValue::Known(value)) => {
                    if !budget.take_bytes(value.len()) {
                        return limited(text, out.unresolved, budget);
                    }
                    out.text.push_str(&value);
                    out.changed = true;
                }
                Some(EnvValue::Unknown) => {
                    push_reference(&mut out.text, name);
                    out.opaque = true;
                    out.changed = true;
                }
                None => {
                    push_reference(&mut out.text, name);
                    out.unresolved.push(name.to_string());
                }
            }
            rest = &after[close + 2..];
        } else {
            out.text.push('$');
            rest = after;
        }
    }
    out.text.push_str(rest);
    out
}

fn push_reference(text: &mut String, name: &str) {
    text.push_str("$(");
    text.push_str(name);
    text.push(')');
}

/// The result of an expansion stopped by its budget: the text as written, value unknown.
fn limited(text: &str, unresolved: Vec<String>, budget: &ExpansionBudget) -> Expanded {
    Expanded {
        text: text.to_string(),
        unresolved,
        opaque: true,
        changed: false,
        limit: budget.exceeded(),
    }
}

/// One `--flag[=value]` on a command line.
#[derive(Clone, Debug, PartialEq)]
pub struct FlagUse {
    /// The flag name without dashes, `=` and value (and without the `no` of a negated bool).
    pub name: String,
    /// `None` for a bare `--flag` (or a non-boolean flag missing its value).
    pub value: Option<String>,
    /// `--noflag` for a boolean flag.
    pub negated: bool,
    /// Index of the argument holding the flag.
    pub arg: usize,
    /// Index of the following argument when it supplied the value (`--port 6380`).
    pub value_arg: Option<usize>,
    /// Byte range of the value inside its argument's text.
    pub value_range: Option<Range<usize>>,
}

impl FlagUse {
    /// The value as Dragonfly sees it: bare and negated booleans become `true`/`false`.
    pub fn effective_value(&self) -> Option<String> {
        match (&self.value, self.negated) {
            (_, true) => Some("false".into()),
            (Some(v), false) => Some(v.clone()),
            (None, false) => None,
        }
    }

    /// Whether a boolean flag is turned off (`--flag=false`, `--noflag`, any spelling Abseil
    /// reads as false); a bare `--flag` is on.
    pub fn turns_off(&self) -> bool {
        let value = self.effective_value().unwrap_or_else(|| "true".into());
        flags::FlagType::Bool.parse(&value) == Ok(flags::FlagValue::Bool(false))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Flag(FlagUse),
    /// Not a flag (Abseil passes these through as positional arguments).
    Positional {
        arg: usize,
    },
    /// A bare `--`: everything after it is positional.
    EndOfFlags {
        arg: usize,
    },
}

/// Flags that Abseil itself defines for every binary that parses flags with it.
pub const ABSEIL_BUILTIN_FLAGS: &[&str] = &[
    "flagfile",
    "fromenv",
    "tryfromenv",
    "undefok",
    "help",
    "helpfull",
    "helpshort",
    "helppackage",
    "helpon",
    "helpmatch",
    "only_check_args",
    "version",
];

/// Parses arguments the way Abseil's flag parser reads them: `--name=value`, `-name=value`,
/// `--name value` for non-boolean flags, `--name`/`--noname` for booleans, `--` ends flags.
/// `is_bool` says whether a known flag is boolean (`None` for unknown flags).
pub fn parse_command_line<S: AsRef<str>>(
    args: &[S],
    is_bool: impl Fn(&str) -> Option<bool>,
) -> Vec<Item> {
    let mut items = Vec::new();
    let mut i = 0;
    let mut flags_done = false;
    while i < args.len() {
        let arg = args[i].as_ref();
        if flags_done {
            items.push(Item::Positional { arg: i });
            i += 1;
            continue;
        }
        if arg == "--" {
            items.push(Item::EndOfFlags { arg: i });
            flags_done = true;
            i += 1;
            continue;
        }
        let body_start = if arg.starts_with("--") {
            2
        } else if arg.starts_with('-') && arg.len() > 1 {
            1
        } else {
            items.push(Item::Positional { arg: i });
            i += 1;
            continue;
        };
        let body = &arg[body_start..];
        let (name, value, value_range) = match body.find('=') {
            Some(eq) => {
                let start = body_start + eq + 1;
                (
                    &body[..eq],
                    Some(arg[start..].to_string()),
                    Some(start..arg.len()),
                )
            }
            None => (body, None, None),
        };
        let mut flag = FlagUse {
            name: name.to_string(),
            value,
            negated: false,
            arg: i,
            value_arg: None,
            value_range,
        };
        if flag.value.is_none() {
            match is_bool(name) {
                Some(false) => {
                    // A non-boolean flag takes the next argument as its value.
                    if let Some(next) = args.get(i + 1) {
                        let next = next.as_ref();
                        flag.value = Some(next.to_string());
                        flag.value_arg = Some(i + 1);
                        flag.value_range = Some(0..next.len());
                        i += 1;
                    }
                }
                Some(true) => {}
                None => {
                    if let Some(base) = name.strip_prefix("no") {
                        if is_bool(base) == Some(true) {
                            flag.name = base.to_string();
                            flag.negated = true;
                        }
                    }
                }
            }
        }
        items.push(Item::Flag(flag));
        i += 1;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_bool(name: &str) -> Option<bool> {
        match name {
            "admin_nopass" | "cache_mode" => Some(true),
            "port" | "maxmemory" => Some(false),
            _ => None,
        }
    }

    #[test]
    fn abseil_forms() {
        let items = parse_command_line(
            &[
                "--port",
                "6380",
                "-maxmemory=1gb",
                "--admin_nopass",
                "--nocache_mode",
                "x",
                "--",
                "--port=1",
            ],
            is_bool,
        );
        let flags: Vec<(String, Option<String>, bool)> = items
            .iter()
            .filter_map(|i| match i {
                Item::Flag(f) => Some((f.name.clone(), f.effective_value(), f.negated)),
                _ => None,
            })
            .collect();
        assert_eq!(
            flags,
            vec![
                ("port".into(), Some("6380".into()), false),
                ("maxmemory".into(), Some("1gb".into()), false),
                ("admin_nopass".into(), None, false),
                ("cache_mode".into(), Some("false".into()), true),
            ]
        );
        assert!(items.contains(&Item::Positional { arg: 5 }));
        assert!(items.contains(&Item::Positional { arg: 7 }));
    }

    #[test]
    fn kubernetes_expansion() {
        let lookup = |name: &str| match name {
            "MEM" => Some(EnvValue::Known("1gb".into())),
            "PASS" => Some(EnvValue::Unknown),
            _ => None,
        };
        let e = expand_k8s("--maxmemory=$(MEM)", lookup);
        assert_eq!(e.text, "--maxmemory=1gb");
        assert!(e.changed && !e.opaque);
        let e = expand_k8s("--requirepass=$(PASS) $$(MEM) $(NOPE) $x", lookup);
        assert_eq!(e.text, "--requirepass=$(PASS) $(MEM) $(NOPE) $x");
        assert!(e.opaque);
        assert_eq!(e.unresolved, vec!["NOPE".to_string()]);
        assert_eq!(e.limit, None);
    }

    #[test]
    fn expansion_stops_at_its_byte_budget() {
        let big = "x".repeat(1000);
        let lookup = |name: &str| (name == "B").then(|| EnvValue::Known(big.clone()));
        // 4 references fit in the 4 KiB floor, 5 do not.
        let e = expand_k8s(&"$(B)".repeat(4), lookup);
        assert_eq!(e.text.len(), 4000);
        assert_eq!(e.limit, None);
        let bomb = "$(B)".repeat(5);
        let e = expand_k8s(&bomb, lookup);
        assert_eq!(e.text, bomb);
        assert!(e.opaque && !e.changed);
        assert_eq!(e.limit, Some(ExpansionLimit::Bytes(MIN_EXPANSION_BYTES)));
        // Longer texts get 16 times their length.
        let text = format!("{}{}", "$(B)".repeat(5), " ".repeat(1000));
        assert_eq!(expand_k8s(&text, lookup).limit, None);
    }

    #[test]
    fn a_shared_budget_stays_exceeded_and_caps_references() {
        let lookup = |name: &str| match name {
            "B" => Some(EnvValue::Known("x".repeat(3000))),
            "S" => Some(EnvValue::Known("s".into())),
            _ => None,
        };
        let mut budget = ExpansionBudget::for_input(10);
        assert_eq!(expand_k8s_within("$(B)", lookup, &mut budget).limit, None);
        let second = expand_k8s_within("--a=$(B)", lookup, &mut budget);
        assert_eq!(second.text, "--a=$(B)");
        assert_eq!(second.limit, Some(ExpansionLimit::Bytes(4096)));
        // Stopped: even a small value is no longer expanded; text without references is.
        assert!(expand_k8s_within("$(S)", lookup, &mut budget)
            .limit
            .is_some());
        let plain = expand_k8s_within("--port=1 $$", lookup, &mut budget);
        assert_eq!((plain.text.as_str(), plain.limit), ("--port=1 $", None));

        let max_references = Limits::default().max_expansion_references;
        let many = "$(NOPE)".repeat(max_references + 1);
        let e = expand_k8s(&many, lookup);
        assert_eq!(e.limit, Some(ExpansionLimit::References(max_references)));
        assert_eq!(e.text, many);
        assert!(e.unresolved.len() <= max_references);
        assert!(e.limit.unwrap().message().contains("references"));
        // A budget of its own number of references.
        let mut budget = ExpansionBudget::for_input_within(many.len(), 3);
        let e = expand_k8s_within(&many, lookup, &mut budget);
        assert_eq!(e.limit, Some(ExpansionLimit::References(3)));
        assert!(e
            .limit
            .unwrap()
            .message()
            .ends_with("(limit `maxExpansionReferences` = 3; raise it with the policy setting `limits.maxExpansionReferences`)"));
    }

    #[test]
    fn command_lines_report_where_expansion_stopped() {
        use crate::document::{parse_yaml, Syntax};
        let src =
            "args: [--port=1, \"--maxmemory=$(M)\", \"--dir=$(M)$(M)$(M)$(M)$(M)\", --x=$(M)]\n";
        let root = parse_yaml(src).roots.remove(0);
        let doc = Document {
            source: 0,
            index: 0,
            root,
            syntax: Syntax::Yaml,
            helm_values: false,
        };
        let nodes = doc.root.get("args").unwrap().as_seq().unwrap();
        let value = "m".repeat(1000);
        let line = CommandLine::new(&doc, nodes, CommandLineKind::OperatorArgs, |n| {
            (n == "M").then(|| EnvValue::Known(value.clone()))
        });
        assert_eq!(line.args[1].text.len(), "--maxmemory=".len() + 1000);
        let (arg, limit) = line.expansion_limit().unwrap();
        assert_eq!(arg, 2);
        assert_eq!(limit, ExpansionLimit::Bytes(MIN_EXPANSION_BYTES));
        assert!(!line.args[2].expanded && line.args[2].opaque);
        assert!(line.args[3].expansion_limit.is_some());
        let dir = line.last_use("dir").unwrap();
        assert!(!line.value_is_known(dir));
        assert_eq!(dir.value.as_deref(), Some("$(M)$(M)$(M)$(M)$(M)"));
    }
}
