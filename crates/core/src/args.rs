//! Command lines: Kubernetes `$(VAR)` expansion and Abseil-style flag parsing, shared by CR
//! `args`, compose `command:` lists and flag files.

use crate::document::{Document, Node};
use crate::flags;
use crate::rules::Target;
use crate::source::Span;
use std::ops::Range;

/// Flags whose values are credentials: never shown, masked in snippets.
pub const SECRET_FLAGS: &[&str] = &["requirepass", "masterauth", "gcs_auth_token"];

/// Where a command line comes from, which decides what else is on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandLineKind {
    /// `spec.args` of a Dragonfly CR: the operator adds its defaults before them and
    /// spec-derived flags after them.
    OperatorArgs,
    /// A command line Dragonfly runs as written (compose `command:`, a flag file).
    Plain,
}

/// One argument, expanded like the kubelet does.
#[derive(Clone, Debug)]
pub struct Arg<'d> {
    pub node: &'d Node,
    /// The text as written.
    pub raw: String,
    /// The text after `$(VAR)` expansion.
    pub text: String,
    pub opaque: bool,
    pub unresolved: Vec<String>,
    pub expanded: bool,
}

/// A Dragonfly command line found in a document, parsed like Abseil does.
#[derive(Clone, Debug)]
pub struct CommandLine<'d> {
    pub doc: &'d Document,
    pub kind: CommandLineKind,
    pub args: Vec<Arg<'d>>,
    pub items: Vec<Item>,
}

impl<'d> CommandLine<'d> {
    pub fn new(
        doc: &'d Document,
        nodes: &'d [Node],
        kind: CommandLineKind,
        env: impl Fn(&str) -> Option<EnvValue>,
    ) -> Self {
        let args: Vec<Arg<'d>> = nodes
            .iter()
            .filter_map(|node| {
                let raw = node.scalar_text()?;
                let expanded = expand_k8s(&raw, &env);
                Some(Arg {
                    node,
                    raw,
                    text: expanded.text,
                    opaque: expanded.opaque,
                    unresolved: expanded.unresolved,
                    expanded: expanded.changed,
                })
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
        let mut target = Target::node(self.doc, self.args[flag.arg].node);
        if let Some(value_arg) = flag.value_arg {
            target.span = target.span.cover(self.args[value_arg].node.span);
        }
        target
    }

    /// The argument an item stands in.
    pub fn arg_target(&self, arg: usize) -> Target {
        Target::node(self.doc, self.args[arg].node)
    }

    /// Just the value of a flag use, when it can be located exactly in the source.
    pub fn flag_value_span(&self, flag: &FlagUse) -> Option<Span> {
        let arg = &self.args[flag.value_arg.unwrap_or(flag.arg)];
        let range = flag.value_range.clone()?;
        if arg.expanded {
            return None;
        }
        let span = arg.node.span;
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

    /// Whether the value of a flag use is known (not from a Secret or field reference).
    pub fn value_is_known(&self, flag: &FlagUse) -> bool {
        !self.args[flag.value_arg.unwrap_or(flag.arg)].opaque
    }

    /// Spans of credential values on this command line.
    pub fn secret_spans(&self) -> Vec<Span> {
        self.flag_uses()
            .filter(|f| SECRET_FLAGS.contains(&f.name.as_str()))
            .map(|f| {
                self.flag_value_span(f)
                    .unwrap_or_else(|| self.flag_target(f).span)
            })
            .collect()
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
    /// A referenced variable's value is not known (Secret, field ref…).
    pub opaque: bool,
    /// Whether any expansion happened.
    pub changed: bool,
}

/// Expands `$(NAME)` like the kubelet does for container `args`/`command`: `$$` is a literal
/// `$`, unknown names are kept verbatim.
pub fn expand_k8s(text: &str, lookup: impl Fn(&str) -> Option<EnvValue>) -> Expanded {
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
            match lookup(name) {
                Some(EnvValue::Known(value)) => {
                    out.text.push_str(&value);
                    out.changed = true;
                }
                Some(EnvValue::Unknown) => {
                    out.text.push_str(&format!("$({name})"));
                    out.opaque = true;
                    out.changed = true;
                }
                None => {
                    out.text.push_str(&format!("$({name})"));
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
    }
}
