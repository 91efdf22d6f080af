//! The rule registry. One rule per file, grouped by family; each declares its code, name,
//! default severity, summary and docs (a Markdown file beside it whose failing and passing
//! examples run as tests).

/// A rule's docs, the Markdown file beside it. Without the `docs` feature (the browser
/// playground links to the published docs instead) they are left out of the build: they are
/// a fifth of the compressed wasm.
#[cfg(feature = "docs")]
macro_rules! rule_docs {
    ($file:literal) => {
        include_str!($file)
    };
}
#[cfg(not(feature = "docs"))]
macro_rules! rule_docs {
    ($file:literal) => {
        ""
    };
}

pub mod acl;
pub mod cross;
pub mod docs;
pub mod dragonfly;
pub mod flags;
pub mod load;
pub mod netpol;
pub mod selection;
mod support;
pub mod suppression;

pub(crate) use support::EmitterState;
pub use support::{locate, Emitter, Target};

use crate::bundle::Bundle;
use crate::diagnostic::Severity;

/// The declaration of a rule: everything `dflint rules` and `dflint explain` print.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, never reused (`DF011`).
    pub code: &'static str,
    /// kebab-case name (`image-not-pinned`).
    pub name: &'static str,
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Markdown: what it catches, why it matters for Dragonfly, a failing and a passing example.
    pub docs: &'static str,
    /// What the rule needs to see: front ends that lint one object at a time (admission)
    /// skip the rules that need more than they have.
    pub scope: Scope,
}

/// What a rule judges from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One object and what it holds (a CR's args, a Secret's ACL text): runs wherever that
    /// object is seen, single-object admission included.
    Object,
    /// One Dragonfly CR alone: its spec, args and env, nothing around it. These rules run
    /// as each CR is read, before the rest of the input is, so a large input's CRs need not
    /// all be held at once.
    DragonflyCr,
    /// Other resources besides the object it reports on. Without them the rule would report
    /// what is merely out of sight (a Secret "missing", a policy "selecting no pods").
    Bundle(&'static [Needs]),
}

/// The other resources a bundle rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// The Dragonfly CRs a network policy may select.
    Dragonflies,
    /// Every network policy that may select an instance: whether one protects it, or allows
    /// its DNS, takes all of them.
    NetworkPolicies,
    /// The Secret a CR's `aclFromSecret` names.
    AclSecret,
    /// Any Secret a CR names (its password, its TLS certificate).
    Secrets,
    /// PodMonitors and ServiceMonitors that may scrape an instance.
    Monitors,
    /// Every resource of the input: what holds of the input as a whole (two resources of the
    /// same name). No admission request carries that much.
    WholeInput,
}

impl Scope {
    /// Whether the rule needs other resources besides the object it reports on.
    pub fn is_bundle(self) -> bool {
        matches!(self, Scope::Bundle(_))
    }

    /// Whether the rule can run with only the object and the resources in `available`.
    pub fn satisfied_by(self, available: &[Needs]) -> bool {
        match self {
            Scope::Object | Scope::DragonflyCr => true,
            Scope::Bundle(needs) => needs.iter().all(|need| available.contains(need)),
        }
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>);
}

/// Every rule, in code order.
pub fn registry() -> &'static [&'static dyn Rule] {
    // Made from the rule files by crates/core/build_registry.rs, in code order.
    static RULES: &[&dyn Rule] = include!(concat!(env!("OUT_DIR"), "/rule_registry.rs"));
    RULES
}

/// Looks a rule up by code (`DF011`, case-insensitive) or name (`image-not-pinned`).
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    registry().iter().copied().find(|r| {
        let m = r.meta();
        m.code.eq_ignore_ascii_case(code_or_name) || m.name == code_or_name
    })
}

/// The rule whose code or name is closest to a misspelt one (`DF0111`, `image-not-pined`):
/// within one edit of a code, or a third of a name's length of its name.
pub fn nearest(code_or_name: &str) -> Option<&'static RuleMeta> {
    let query = code_or_name.to_ascii_lowercase();
    let mut scratch = Vec::new();
    registry()
        .iter()
        .map(|rule| rule.meta())
        .filter_map(|meta| {
            let code = meta.code.to_ascii_lowercase();
            let by_code = crate::flags::suggest::osa_distance(
                query.as_bytes(),
                code.as_bytes(),
                &mut scratch,
            );
            let by_name = crate::flags::suggest::osa_distance(
                query.as_bytes(),
                meta.name.as_bytes(),
                &mut scratch,
            );
            let close = by_code <= 1 || by_name <= (meta.name.len() / 3).max(1);
            close.then_some((by_code.min(by_name), meta))
        })
        .min_by_key(|(distance, meta)| (*distance, meta.code))
        .map(|(_, meta)| meta)
}

/// The file name an example is linted under: the info string's `file=NAME`, else
/// `example.<language>` (`acl`, `yaml`, …).
pub fn doc_example_file_name(info: &str) -> String {
    let mut parts = info.split_whitespace();
    let lang = parts.next().unwrap_or("yaml");
    parts
        .find_map(|p| p.strip_prefix("file="))
        .map(str::to_string)
        .unwrap_or_else(|| format!("example.{lang}"))
}

/// The fenced examples of a rule's docs: `(is_failing, info_string, body)`.
pub fn doc_examples(docs: &str) -> Vec<(bool, String, String)> {
    let mut examples = Vec::new();
    let mut section_failing = None;
    let mut lines = docs.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix("## ") {
            let heading = heading.to_ascii_lowercase();
            section_failing = if heading.starts_with("failing") {
                Some(true)
            } else if heading.starts_with("passing") {
                Some(false)
            } else {
                None
            };
        } else if let (Some(info), Some(failing)) = (line.strip_prefix("```"), section_failing) {
            let mut body = String::new();
            for inner in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            examples.push((failing, info.trim().to_string(), body));
        }
    }
    examples
}
