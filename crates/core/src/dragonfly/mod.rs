//! A typed view of a `dragonflydb.io/v1alpha1` Dragonfly custom resource: its spec, the
//! container env and args as the operator will run them.

pub mod facts;
pub mod operator;
pub mod schema;

use crate::args::{
    expand_k8s_within, CommandLine, CommandLineKind, EnvValue, ExpansionBudget, ExpansionLimit,
};
use crate::document::{Document, Node};
use crate::k8s::node_quantity;
use crate::limits::Limits;
use crate::resource::{recognize, Kind, Recognition, Resource};
use crate::source::Span;
use crate::target::Target;
use std::collections::HashMap;

/// Env var names that carry credentials (by substring, case-insensitive).
const CREDENTIAL_WORDS: &[&str] = &["PASS", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH"];

pub fn looks_like_credential(env_name: &str) -> bool {
    let upper = env_name.to_ascii_uppercase();
    CREDENTIAL_WORDS.iter().any(|w| upper.contains(w))
}

/// One entry of `spec.env`.
#[derive(Clone, Debug)]
pub struct EnvVar<'d> {
    pub name: &'d str,
    pub entry: &'d Node,
    pub name_node: &'d Node,
    /// `value:` (a literal, visible in the CR).
    pub value: Option<&'d Node>,
    /// `valueFrom:`.
    pub value_from: Option<&'d Node>,
    pub resolved: EnvValue,
    /// `$(VAR)` expansion stopped at this value (its budget ran out).
    pub expansion_limit: Option<ExpansionLimit>,
}

#[derive(Clone, Debug)]
pub struct DragonflyCr<'d> {
    pub resource: Resource<'d>,
    pub spec: Option<&'d Node>,
    pub env: Vec<EnvVar<'d>>,
    /// `spec.args`, expanded and parsed.
    pub command_line: CommandLine<'d>,
}

impl<'d> DragonflyCr<'d> {
    /// The CR at `root` of `doc` (the document itself or an item of a `List`), read within
    /// `limits`; `None` when `root` is not a Dragonfly CR.
    pub fn at_root(doc: &'d Document, root: &'d Node, limits: &Limits) -> Option<Self> {
        match recognize(root) {
            Recognition::Known(Kind::Dragonfly) => {
                let resource = Resource {
                    kind: Kind::Dragonfly,
                    doc,
                    root,
                };
                Some(DragonflyCr::new(resource, limits))
            }
            _ => None,
        }
    }

    /// Reads the CR; `$(VAR)` expansion stops at `limits.max_expansion_references`.
    pub fn new(resource: Resource<'d>, limits: &Limits) -> Self {
        let spec = resource.root.get("spec").filter(|s| s.as_map().is_some());
        let memory_limit = spec
            .and_then(|s| s.at(&["resources", "limits", "memory"]))
            .and_then(node_quantity);
        // One budget for the container: env values and args reference each other.
        let mut budget = ExpansionBudget::for_input_within(
            resource.root.span.len(),
            limits.max_expansion_references,
        );
        let (env, env_index) = spec
            .and_then(|s| s.get("env"))
            .and_then(Node::as_seq)
            .map(|items| read_env(items, spec, memory_limit, &mut budget))
            .unwrap_or_default();
        let arg_nodes = spec
            .and_then(|s| s.get("args"))
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        let command_line = CommandLine::with_budget(
            resource.doc,
            arg_nodes,
            CommandLineKind::OperatorArgs,
            |name| lookup_env(&env, &env_index, name),
            &mut budget,
        );
        DragonflyCr {
            resource,
            spec,
            env,
            command_line: CommandLine {
                image: spec
                    .and_then(|s| s.get("image"))
                    .and_then(Node::scalar_text),
                ..command_line
            },
        }
    }

    pub fn doc(&self) -> &'d Document {
        self.resource.doc
    }

    pub fn name(&self) -> String {
        self.resource.display_name()
    }

    /// A node under `spec`.
    pub fn spec_at(&self, keys: &[&str]) -> Option<&'d Node> {
        self.spec.and_then(|s| s.at(keys))
    }

    pub fn target(&self, node: &Node) -> Target {
        Target::node(self.doc(), node)
    }

    /// Where to point when the finding is about something missing: the spec, or the CR.
    pub fn spec_or_root_target(&self) -> Target {
        match self.spec {
            Some(spec) => self.target(spec),
            None => self.target(self.resource.root.get("kind").unwrap_or(self.resource.root)),
        }
    }

    /// The value Dragonfly will use for a flag set in `spec.args` or as `DFLY_<flag>` (a
    /// command-line flag wins over its env var), with where it is set. The value is `None`
    /// when it comes from a Secret or field reference.
    pub fn setting(&self, flag: &str) -> Option<(Option<String>, Target)> {
        if let Some(used) = self.command_line.last_use(flag) {
            let value = self
                .command_line
                .value_is_known(used)
                .then(|| used.effective_value().unwrap_or_else(|| "true".into()));
            return Some((value, self.command_line.flag_target(used)));
        }
        let var = self.env_var(&format!("DFLY_{flag}"))?;
        let value = match &var.resolved {
            EnvValue::Known(v) => Some(v.clone()),
            EnvValue::Unknown => None,
        };
        Some((value, self.target(var.value.unwrap_or(var.entry))))
    }

    /// `resources.limits.memory` in bytes.
    pub fn memory_limit_bytes(&self) -> Option<f64> {
        self.spec_at(&["resources", "limits", "memory"])
            .and_then(node_quantity)
    }

    pub fn env_var(&self, name: &str) -> Option<&EnvVar<'d>> {
        self.env.iter().rev().find(|e| e.name == name)
    }

    /// The default user gets a password: `passwordFromSecret`, `DFLY_requirepass` or
    /// `--requirepass` with a non-empty value.
    pub fn has_password(&self) -> bool {
        self.spec_at(&["authentication", "passwordFromSecret"])
            .is_some()
            || self
                .env_var("DFLY_requirepass")
                .is_some_and(|e| match &e.resolved {
                    EnvValue::Known(v) => !v.is_empty(),
                    EnvValue::Unknown => true,
                })
            || self
                .command_line
                .last_use("requirepass")
                .and_then(|f| f.value.as_deref())
                .is_some_and(|v| !v.is_empty())
    }

    /// Client certificates are required (mTLS).
    pub fn has_client_ca(&self) -> bool {
        self.spec_at(&["authentication", "clientCaCertSecret"])
            .is_some()
    }

    pub fn has_acl_file(&self) -> bool {
        self.spec_at(&["aclFromSecret"]).is_some()
    }

    pub fn has_authentication(&self) -> bool {
        self.has_password() || self.has_client_ca() || self.has_acl_file()
    }

    /// Byte spans holding credentials: values of secret flags in args, literal values of
    /// credential-like env vars.
    pub fn secret_spans(&self) -> Vec<Span> {
        let mut spans = self.command_line.secret_spans();
        let fed_into_secrets = self.command_line.secret_variables();
        for var in &self.env {
            if let Some(value) = var.value {
                // A credential-like name (misspellings included: `DFLY_requirepas`), or a
                // variable a secret flag reads through `$(VAR)`.
                if looks_like_credential(var.name)
                    || crate::args::may_hold_secret(var.name)
                    || fed_into_secrets.iter().any(|n| n == var.name)
                {
                    spans.push(value.span);
                }
            }
        }
        spans
    }
}

type EnvIndex<'d> = HashMap<&'d str, usize>;

fn read_env<'d>(
    items: &'d [Node],
    spec: Option<&'d Node>,
    memory_limit: Option<f64>,
    budget: &mut ExpansionBudget,
) -> (Vec<EnvVar<'d>>, EnvIndex<'d>) {
    let mut env: Vec<EnvVar<'d>> = Vec::new();
    let mut index = EnvIndex::new();
    for entry in items {
        let Some(name_node) = entry.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            continue;
        };
        let value = entry.get("value");
        let value_from = entry.get("valueFrom");
        let mut expansion_limit = None;
        let resolved = if let Some(value) = value {
            let raw = value.scalar_text().unwrap_or_default();
            // Env values may reference earlier variables too.
            let expanded = expand_k8s_within(&raw, |n| lookup_env(&env, &index, n), budget);
            expansion_limit = expanded.limit;
            if expanded.opaque {
                EnvValue::Unknown
            } else {
                EnvValue::Known(expanded.text)
            }
        } else if let Some(from) = value_from {
            resolve_value_from(from, spec, memory_limit)
        } else {
            EnvValue::Known(String::new())
        };
        index.insert(name, env.len());
        env.push(EnvVar {
            name,
            entry,
            name_node,
            value,
            value_from,
            resolved,
            expansion_limit,
        });
    }
    (env, index)
}

/// `valueFrom.resourceFieldRef` is computable from the CR; other sources are not.
fn resolve_value_from(from: &Node, spec: Option<&Node>, memory_limit: Option<f64>) -> EnvValue {
    let Some(field) = from.get("resourceFieldRef") else {
        return EnvValue::Unknown;
    };
    let Some(resource) = field.get("resource").and_then(Node::as_str) else {
        return EnvValue::Unknown;
    };
    let divisor = field.get("divisor").and_then(node_quantity).unwrap_or(1.0);
    let amount = match resource {
        "limits.memory" => memory_limit,
        "requests.memory" | "requests.cpu" | "limits.cpu" => {
            let mut parts = resource.splitn(2, '.');
            let (kind, what) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            spec.and_then(|s| s.at(&["resources", kind, what]))
                .and_then(node_quantity)
        }
        _ => None,
    };
    match amount {
        Some(amount) if divisor > 0.0 => {
            EnvValue::Known(format!("{}", (amount / divisor).ceil() as u64))
        }
        _ => EnvValue::Unknown,
    }
}

fn lookup_env(env: &[EnvVar<'_>], index: &EnvIndex<'_>, name: &str) -> Option<EnvValue> {
    if let Some(var) = index.get(name).and_then(|&i| env.get(i)) {
        return Some(var.resolved.clone());
    }
    // Variables the operator appends to every Dragonfly container.
    match name {
        operator::HEALTHCHECK_PORT_ENV => Some(EnvValue::Known(operator::ADMIN_PORT.to_string())),
        _ => None,
    }
}
