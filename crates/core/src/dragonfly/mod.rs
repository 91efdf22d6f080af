//! A typed view of a `dragonflydb.io/v1alpha1` Dragonfly custom resource: its spec, the
//! container env and args as the operator will run them.

pub mod compose;
pub mod facts;
pub mod flagfile;
pub mod helm_chart;
pub mod operator;
pub mod schema;
pub mod workload;

use crate::args::{
    expand_k8s_within, CommandLine, CommandLineKind, EnvValue, ExpansionBudget, ExpansionLimit,
    Word,
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

/// How a Dragonfly server is run, which decides what surrounds its command line: the operator
/// adds flags, a Service and a NetworkPolicy; a plain container runs the image's entrypoint
/// with Dragonfly's own defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Runner<'d> {
    /// A `dragonflydb.io/v1alpha1` Dragonfly CR, run by the operator.
    Operator,
    /// A container of a Pod or workload (Deployment, StatefulSet…) running the Dragonfly
    /// image itself.
    Container {
        /// The container's `name`.
        container: Option<&'d str>,
    },
    /// A flag file, read by `--flagfile`.
    FlagFile,
    /// The official Helm chart, from its values (a Flux `HelmRelease`, an Argo CD
    /// `Application`, a values file).
    HelmChart {
        install: helm_chart::Installer,
        /// Values also come from elsewhere (Flux `valuesFrom`, Argo `valueFiles`).
        partial: bool,
        /// The chart version, when pinned to a release dflint knows.
        version: Option<crate::flags::Release>,
        /// The chart version as written (`spec.chart.spec.version`, `targetRevision`).
        version_text: Option<&'d Node>,
    },
    /// A service of a docker-compose file running the Dragonfly image.
    Compose {
        /// The service's name (its key under `services`).
        service: &'d str,
    },
}

/// A Dragonfly server as declared: an operator CR, or a container that runs the image
/// without the operator. (Named for the CR, which came first; [`DragonflyCr::runner`] says
/// which it is.)
#[derive(Clone, Debug)]
pub struct DragonflyCr<'d> {
    pub resource: Resource<'d>,
    pub runner: Runner<'d>,
    /// `spec` of a CR; the container itself for a workload (both hold `image`, `env`, `args`
    /// and `resources` under the same keys, and nothing the operator reads from a CR's spec).
    pub spec: Option<&'d Node>,
    pub env: Vec<EnvVar<'d>>,
    /// `spec.args`, expanded and parsed.
    pub command_line: CommandLine<'d>,
    /// What a compose service gets from outside the compose file: interpolation variables,
    /// its env files. `None` for the others.
    pub compose: Option<Box<compose::Context<'d>>>,
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
        let arg_nodes = spec
            .and_then(|s| s.get("args"))
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        Self::read(
            resource,
            Runner::Operator,
            spec,
            arg_nodes.iter().filter_map(Word::of_node),
            CommandLineKind::OperatorArgs,
            limits,
        )
    }

    /// A container running the Dragonfly image itself: `flags` are the arguments the
    /// `dragonfly` binary gets (see [`workload::dragonfly_arguments`]).
    pub fn in_container(
        resource: Resource<'d>,
        container: &'d Node,
        flags: Vec<Word<'d>>,
        limits: &Limits,
    ) -> Self {
        let runner = Runner::Container {
            container: container.get("name").and_then(Node::as_str),
        };
        Self::read(
            resource,
            runner,
            Some(container),
            flags,
            CommandLineKind::Plain,
            limits,
        )
    }

    /// A compose service running the Dragonfly image: `words` are the arguments the
    /// `dragonfly` binary gets (see [`compose::servers`]).
    pub fn in_compose(
        resource: Resource<'d>,
        service: &'d str,
        words: Vec<Word<'d>>,
        limits: &Limits,
        context: compose::Context<'d>,
    ) -> Self {
        let spec = resource.root;
        let vars = &context.vars;
        // Env files first: compose lets `environment` override them.
        let mut env: Vec<EnvVar<'d>> = context
            .env_file_vars
            .iter()
            .map(|(entry, name, value)| EnvVar {
                name,
                entry,
                name_node: entry,
                // Not written in the compose file: no literal to report or mask.
                value: None,
                value_from: None,
                resolved: value.clone().map_or(EnvValue::Unknown, EnvValue::Known),
                expansion_limit: None,
            })
            .collect();
        env.extend(
            spec.get("environment")
                .map(read_compose_env)
                .unwrap_or_default(),
        );
        let written = words.iter().map(|w| w.span.len()).sum();
        let mut budget =
            ExpansionBudget::for_input_within(written, limits.max_expansion_references);
        // A variable the `vars` setting does not give is unknown: `${VAR}` without a
        // default stays unknown.
        let command_line = CommandLine::of_words(
            resource.doc,
            words,
            CommandLineKind::Compose,
            |name| vars.get(name).map(|v| EnvValue::Known(v.clone())),
            &mut budget,
        );
        DragonflyCr {
            resource,
            runner: Runner::Compose { service },
            spec: Some(spec),
            compose: Some(Box::new(context)),
            env,
            command_line: CommandLine {
                image: spec.get("image").and_then(Node::scalar_text),
                ..command_line
            },
        }
    }

    /// The server the official Helm chart runs from `install`'s values: the container's
    /// arguments are `extraArgs` and the flags the chart derives from `cluster` and `tls`;
    /// `env`, `resources` and `passwordFromSecret` are read where the chart reads them
    /// (see [`helm_chart`]). `None` when `command` makes the container run another program.
    pub fn from_chart(
        resource: Resource<'d>,
        install: &helm_chart::ChartInstall<'d>,
        limits: &Limits,
    ) -> Option<Self> {
        let values = install.values;
        let at = |keys: &[&str]| values.and_then(|v| v.at(keys));
        let list = |key: &str| -> Vec<Word<'d>> {
            at(&[key])
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(Word::of_node)
                .collect()
        };
        // Flags the chart writes itself, pointed at the value they come from.
        let derived = |node: &'d Node, raw: &str| Word {
            node,
            span: node.span,
            raw: raw.to_string(),
        };
        let mut args = list("extraArgs");
        // `cluster` is read from chart v1.40.0 on; older charts ignore it.
        let reads_cluster = helm_chart::key_use("cluster.mode", install.judged_version())
            == helm_chart::KeyUse::Read;
        if let Some(mode) = at(&["cluster", "mode"]).filter(|_| reads_cluster) {
            let mode_text = match mode.as_bool() {
                Some(true) => Some("yes".to_string()),
                Some(false) => None,
                None => mode.scalar_text().filter(|m| !m.is_empty()),
            };
            if let Some(mode_text) = mode_text {
                args.push(derived(mode, &format!("--cluster_mode={mode_text}")));
            }
        }
        if let Some(enabled) = at(&["tls", "enabled"]).filter(|n| n.as_bool() == Some(true)) {
            for flag in [
                "--tls",
                "--tls_cert_file=/etc/dragonfly/tls/tls.crt",
                "--tls_key_file=/etc/dragonfly/tls/tls.key",
            ] {
                args.push(derived(enabled, flag));
            }
        }
        // The chart's first argument is always `--alsologtostderr`, so without `command` the
        // image's entrypoint hands every argument to the server.
        let command = list("command");
        let words = if command.is_empty() {
            args
        } else {
            workload::server_words(command, args)?
        };
        let runner = Runner::HelmChart {
            install: install.installer,
            partial: install.partial,
            version: install.version,
            version_text: install.version_text,
        };
        let mut server = Self::read(
            resource,
            runner,
            values,
            words,
            CommandLineKind::Plain,
            limits,
        );
        let repository = at(&["image", "repository"])
            .and_then(Node::as_str)
            .filter(|r| !r.is_empty())
            .unwrap_or(helm_chart::DEFAULT_REPOSITORY);
        let tag = at(&["image", "tag"])
            .and_then(Node::scalar_text)
            .filter(|t| !t.is_empty())
            .or_else(|| install.version.map(|v| v.to_string()));
        // Without a tag or a pinned chart the image is whatever the chart installed runs:
        // no release can be read from it.
        server.command_line.image = tag.map(|tag| format!("{repository}:{tag}"));
        Some(server)
    }

    /// A flag file: its lines are the arguments.
    pub fn in_flag_file(doc: &'d Document, limits: &Limits) -> Self {
        let resource = Resource {
            kind: Kind::DragonflyWorkload,
            doc,
            root: &doc.root,
        };
        let lines = doc.root.as_seq().unwrap_or(&[]);
        Self::read(
            resource,
            Runner::FlagFile,
            None,
            lines.iter().filter_map(Word::of_node),
            CommandLineKind::FlagFile,
            limits,
        )
    }

    fn read(
        resource: Resource<'d>,
        runner: Runner<'d>,
        spec: Option<&'d Node>,
        words: impl IntoIterator<Item = Word<'d>>,
        kind: CommandLineKind,
        limits: &Limits,
    ) -> Self {
        let operator = runner == Runner::Operator;
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
            .map(|items| read_env(items, spec, memory_limit, operator, &mut budget))
            .unwrap_or_default();
        let command_line = CommandLine::of_words(
            resource.doc,
            words,
            kind,
            |name| lookup_env(&env, &env_index, name, operator),
            &mut budget,
        );
        DragonflyCr {
            resource,
            runner,
            spec,
            compose: None,
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

    /// For messages: `Dragonfly/cache`, `StatefulSet/cache (container `dragonfly`)`,
    /// `compose service `cache``.
    pub fn name(&self) -> String {
        match self.runner {
            Runner::Compose { service } => format!("compose service `{service}`"),
            Runner::FlagFile => "the flag file".to_string(),
            Runner::HelmChart {
                install: helm_chart::Installer::ValuesFile,
                ..
            } => "the Helm values file".to_string(),
            Runner::HelmChart { .. } => {
                format!("{} (chart `dragonfly`)", self.resource.display_name())
            }
            Runner::Container {
                container: Some(container),
                ..
            } => format!("{} (container `{container}`)", self.resource.display_name()),
            _ => self.resource.display_name(),
        }
    }

    /// What declares the server, for counting: `Dragonfly` (the CR), the workload's kind
    /// (`StatefulSet`), or `compose service`.
    pub fn declared_as(&self) -> &'d str {
        match self.runner {
            Runner::Compose { .. } => "compose service",
            Runner::FlagFile => "Dragonfly flag file",
            Runner::HelmChart { install, .. } => install.declared_as(),
            _ => self
                .resource
                .root
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or("workload"),
        }
    }

    /// Whether this is only part of a server's settings (a flag file: the rest comes from
    /// the command line that reads it), so what it lacks says nothing.
    pub fn is_partial(&self) -> bool {
        matches!(
            self.runner,
            Runner::FlagFile | Runner::HelmChart { partial: true, .. }
        ) || self.compose.as_ref().is_some_and(|c| c.env_unknown)
    }

    /// Whether the official Helm chart runs this server from its values.
    pub fn is_helm_chart(&self) -> bool {
        matches!(self.runner, Runner::HelmChart { .. })
    }

    /// Whether the operator runs this server (its flags, Service and NetworkPolicy apply).
    pub fn is_operator(&self) -> bool {
        self.runner == Runner::Operator
    }

    /// Where a password belongs instead of plain text, for help messages.
    pub fn password_advice(&self) -> &'static str {
        match self.runner {
            Runner::Operator => "use `spec.authentication.passwordFromSecret`; the operator then sets `DFLY_requirepass` from the Secret",
            Runner::Container { .. } => "set `DFLY_requirepass` with `valueFrom.secretKeyRef`, or pass `--requirepass=$(VAR)` with `VAR` from a Secret",
            Runner::HelmChart { .. } => "set `passwordFromSecret.enable: true` with `passwordFromSecret.existingSecret.name` and `.key`; the chart then sets `DFLY_requirepass` from the Secret",
            Runner::FlagFile => "keep the flag file readable by the server's user only (a Secret or compose secret mounted with mode 0400), never in Git",
            Runner::Compose { .. } => "put `--requirepass=…` in a flag file mounted as a compose secret (`--flagfile=/run/secrets/<name>`), or at least set `DFLY_requirepass=${VAR}` in `environment` with the value in an `.env` file kept out of Git",
        }
    }

    /// The container's memory limit in bytes, and where it is set: `resources.limits.memory`
    /// of a CR or container, `mem_limit` or `deploy.resources.limits.memory` of a compose
    /// service.
    pub fn memory_limit(&self) -> Option<(f64, &'d Node)> {
        match self.runner {
            Runner::Compose { .. } => compose::memory_limit(self.spec?, &|n| self.compose_var(n)),
            _ => {
                let node = self.spec_at(&["resources", "limits", "memory"])?;
                Some((node_quantity(node)?, node))
            }
        }
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

    /// The value of a compose interpolation variable, as `${VAR}` reads it: a variable not
    /// given is unknown (it comes from the shell).
    pub fn compose_var(&self, name: &str) -> Option<EnvValue> {
        self.compose
            .as_ref()?
            .vars
            .get(name)
            .map(|value| EnvValue::Known(value.clone()))
    }

    pub fn env_var(&self, name: &str) -> Option<&EnvVar<'d>> {
        self.env.iter().rev().find(|e| e.name == name)
    }

    /// The default user gets a password: `passwordFromSecret`, `DFLY_requirepass` or
    /// `--requirepass` with a non-empty value.
    pub fn has_password(&self) -> bool {
        (self.is_operator()
            && self
                .spec_at(&["authentication", "passwordFromSecret"])
                .is_some())
            || (self.is_helm_chart()
                && self
                    .spec_at(&["passwordFromSecret", "enable"])
                    .and_then(Node::as_bool)
                    == Some(true))
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
        (self.is_operator()
            && self
                .spec_at(&["authentication", "clientCaCertSecret"])
                .is_some())
            || (self.setting_is_on("tls")
                && self
                    .setting("tls_ca_cert_file")
                    .is_some_and(|(value, _)| value.is_none_or(|v| !v.is_empty())))
    }

    /// Whether a boolean flag is set to true (command line or `DFLY_<flag>`); a value from a
    /// Secret counts as not known to be on.
    pub fn setting_is_on(&self, flag: &str) -> bool {
        self.setting(flag).is_some_and(|(value, _)| {
            value.is_some_and(|v| {
                crate::flags::FlagType::Bool.parse(&v) == Ok(crate::flags::FlagValue::Bool(true))
            })
        })
    }

    /// `spec.aclFromSecret`, or an ACL file given with `--aclfile`/`DFLY_aclfile`.
    pub fn has_acl_file(&self) -> bool {
        (self.is_operator() && self.spec_at(&["aclFromSecret"]).is_some())
            || self
                .setting("aclfile")
                .is_some_and(|(value, _)| value.is_none_or(|v| !v.is_empty()))
    }

    pub fn has_authentication(&self) -> bool {
        self.has_password() || self.has_client_ca() || self.has_acl_file()
    }

    /// Byte spans holding credentials: values of secret flags in args, literal values of
    /// credential-like env vars.
    pub fn secret_spans(&self) -> Vec<Span> {
        let mut spans = self.command_line.secret_spans();
        if let (Runner::Compose { .. }, Some(service)) = (self.runner, self.spec) {
            spans.extend(compose::healthcheck_password(service).map(|word| word.span));
        }
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

/// A compose service's `environment`: a mapping, or a list of `NAME=value` items. A value
/// that compose interpolates from the shell or an `.env` file (`${VAR}`) is not written in
/// the file: it is kept as unknown, like a value from a Secret.
fn read_compose_env(environment: &Node) -> Vec<EnvVar<'_>> {
    // `text`: the value as written; none for `NAME:`/`NAME` alone, taken from the shell.
    let var = |name, name_node, value_node, text: Option<String>| {
        let (value, resolved) = match text {
            Some(text) if !text.contains('$') => (Some(value_node), EnvValue::Known(text)),
            _ => (None, EnvValue::Unknown),
        };
        EnvVar {
            name,
            entry: value_node,
            name_node,
            value,
            value_from: None,
            resolved,
            expansion_limit: None,
        }
    };
    if let Some(entries) = environment.as_map() {
        return entries
            .iter()
            .filter_map(|e| {
                Some(var(
                    e.key.as_str()?,
                    &e.key,
                    &e.value,
                    e.value.scalar_text(),
                ))
            })
            .collect();
    }
    // `NAME=value` items: the whole item stands for the name and the value.
    environment
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| {
            let text = item.as_str()?;
            let (name, value) = match text.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (text, None),
            };
            Some(var(name, item, item, value))
        })
        .collect()
}

fn read_env<'d>(
    items: &'d [Node],
    spec: Option<&'d Node>,
    memory_limit: Option<f64>,
    operator: bool,
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
        let unsubstituted =
            value.is_some_and(|v| v.style == crate::document::ScalarStyle::Unsubstituted);
        let resolved = if unsubstituted {
            EnvValue::Unknown
        } else if let Some(value) = value {
            let raw = value.scalar_text().unwrap_or_default();
            // Env values may reference earlier variables too.
            let expanded =
                expand_k8s_within(&raw, |n| lookup_env(&env, &index, n, operator), budget);
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

fn lookup_env(
    env: &[EnvVar<'_>],
    index: &EnvIndex<'_>,
    name: &str,
    operator: bool,
) -> Option<EnvValue> {
    if let Some(var) = index.get(name).and_then(|&i| env.get(i)) {
        return Some(var.resolved.clone());
    }
    // Variables the operator appends to every Dragonfly container.
    match name {
        operator::HEALTHCHECK_PORT_ENV if operator => {
            Some(EnvValue::Known(operator::ADMIN_PORT.to_string()))
        }
        _ => None,
    }
}
