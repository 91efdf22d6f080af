//! Dragonfly in a docker-compose file: the services whose image is Dragonfly's, the
//! arguments the server gets from their `entrypoint`/`command`, and their environment.
//!
//! Compose interpolates `${VAR}` in the whole file before it creates containers
//! ([`crate::interpolate::compose`]); a `command:` string is split into words the way a POSIX
//! shell would split it (quotes and backslashes, no expansion), and the image's entrypoint
//! then decides what reaches the server ([`super::workload`]).

use super::workload::{is_dragonfly_image, server_words};
use super::DragonflyCr;
use crate::args::{EnvValue, Word};
use crate::document::{Document, Node, ScalarStyle};
use crate::interpolate::Vars;
use crate::limits::Limits;
use crate::resource::{Kind, Resource};
use crate::source::{Source, Span};
use std::sync::Arc;

/// Whether a document is a compose file: no Kubernetes `kind`, and a `services` mapping
/// whose entries are mappings with an `image` or a `build`.
pub fn is_compose(root: &Node) -> bool {
    if root.get("kind").is_some() {
        return false;
    }
    let Some(services) = root.get("services").and_then(Node::as_map) else {
        return false;
    };
    !services.is_empty()
        && services.iter().all(|entry| {
            entry.value.as_map().is_some()
                && (entry.value.get("image").is_some() || entry.value.get("build").is_some())
        })
}

/// The services of a compose document that run the Dragonfly server.
pub fn servers<'d>(
    sources: &'d [Source],
    doc: &'d Document,
    limits: &Limits,
    vars: &crate::interpolate::Vars,
) -> Vec<DragonflyCr<'d>> {
    if !is_compose(&doc.root) {
        return Vec::new();
    }
    let project = Project::of(sources, doc.source, vars);
    let services = doc
        .root
        .get("services")
        .and_then(Node::as_map)
        .unwrap_or(&[]);
    services
        .iter()
        .filter(|entry| runs_dragonfly_image(&entry.value))
        .filter_map(|entry| {
            let service = &entry.value;
            let words = words_of(service)?;
            let name = entry.key.as_str().unwrap_or("?");
            let resource = Resource {
                kind: Kind::DragonflyWorkload,
                doc,
                root: service,
            };
            let context = project.service(service);
            Some(DragonflyCr::in_compose(
                resource, name, words, limits, context,
            ))
        })
        .collect()
}

/// The services of a compose document that use the Dragonfly image with a command that is
/// not the server (see [`super::workload::unread_containers`]).
pub fn unread_services(root: &Node) -> Vec<&Node> {
    if !is_compose(root) {
        return Vec::new();
    }
    root.get("services")
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|entry| &entry.value)
        .filter(|service| runs_dragonfly_image(service) && words_of(service).is_none())
        .collect()
}

/// The password a service's `healthcheck.test` passes to `redis-cli` (`-a PASSWORD`,
/// `-a=PASSWORD`, `--pass PASSWORD`, or a `redis://user:PASSWORD@host` URI with `-u`): the
/// word that holds it. Compose keeps the test in the container's configuration, where
/// `docker inspect` shows it with `${VAR}` filled in.
pub fn healthcheck_password(service: &Node) -> Option<Word<'_>> {
    let test = service.at(&["healthcheck", "test"])?;
    let words = split(test);
    let mut words = words.into_iter().peekable();
    while let Some(word) = words.next() {
        match word.raw.as_str() {
            "-a" | "--pass" => return words.next().filter(|w| !w.raw.is_empty()),
            "-u" => {
                let uri = words.next()?;
                let userinfo = uri.raw.split_once("://")?.1.split_once('@')?.0;
                return userinfo
                    .split_once(':')
                    .is_some_and(|(_, password)| !password.is_empty())
                    .then_some(uri);
            }
            text if text.starts_with("-a") && text.len() > 2 && !text.starts_with("--") => {
                return Some(word)
            }
            _ => {}
        }
    }
    None
}

fn runs_dragonfly_image(service: &Node) -> bool {
    service
        .get("image")
        .and_then(Node::as_str)
        .is_some_and(is_dragonfly_image)
}

/// Where compose keeps a memory limit for the service: `mem_limit`, or
/// `deploy.resources.limits.memory` (used by both `docker compose` and swarm).
pub fn memory_limit<'d>(
    service: &'d Node,
    lookup: &impl Fn(&str) -> Option<EnvValue>,
) -> Option<(f64, &'d Node)> {
    let node = service
        .get("mem_limit")
        .or_else(|| service.at(&["deploy", "resources", "limits", "memory"]))?;
    // `${VAR}` is interpolated like the rest of the file; unknown stays unjudged.
    let text = crate::interpolate::compose(&node.scalar_text()?, lookup);
    if text.opaque {
        return None;
    }
    Some((docker_bytes(&text.text)?, node))
}

/// A byte size as docker reads it: a number with an optional unit `b`, `k`, `m`, `g` (powers
/// of 1024, either case, an optional trailing `b`: `512m`, `1gb`, `2G`).
pub fn docker_bytes(text: &str) -> Option<f64> {
    let text = text.trim().to_ascii_lowercase();
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: f64 = number.parse().ok()?;
    let unit = unit
        .strip_suffix('b')
        .filter(|u| !u.is_empty())
        .unwrap_or(unit);
    let factor = match unit {
        "" | "b" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(number * factor)
}

/// The words the `dragonfly` binary gets in a service, after the image's entrypoint;
/// `None` when the service runs another program.
fn words_of(service: &Node) -> Option<Vec<Word<'_>>> {
    let entrypoint = service.get("entrypoint").map(split).unwrap_or_default();
    let command = service.get("command").map(split).unwrap_or_default();
    server_words(entrypoint, command)
}

/// The words of a compose command: a list's items, or a string split like a shell does.
fn split(node: &Node) -> Vec<Word<'_>> {
    match node.as_seq() {
        Some(items) => items.iter().filter_map(Word::of_node).collect(),
        None => node
            .as_str()
            .map(|text| shell_words(node, text))
            .unwrap_or_default(),
    }
}

/// Splits a command string into words (single and double quotes, backslash escapes; no
/// expansion). A word's span is exact when the string is a plain or quoted scalar written
/// on one line without escapes; otherwise each word points at the whole string.
fn shell_words<'d>(node: &'d Node, text: &str) -> Vec<Word<'d>> {
    let exact_offset = match node.style {
        ScalarStyle::Plain if node.span.len() == text.len() => Some(0),
        ScalarStyle::Quoted if node.span.len() == text.len() + 2 => Some(1),
        _ => None,
    };
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    let mut push = |current: &mut String, start: usize, end: usize| {
        let span = match exact_offset {
            Some(offset) => Span::new(
                node.span.start + offset + start,
                node.span.start + offset + end,
            ),
            None => node.span,
        };
        words.push(Word {
            node,
            span,
            raw: std::mem::take(current),
        });
    };
    while let Some((at, c)) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    push(&mut current, start, at);
                    in_word = false;
                }
                continue;
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                if let Some((_, next)) = chars.next() {
                    current.push(next);
                }
            }
            (_, c) => current.push(c),
        }
        if !in_word {
            in_word = true;
            start = at;
        }
    }
    if in_word {
        push(&mut current, start, text.len());
    }
    words
}

/// What compose reads for a project besides the compose file, as far as the input holds it:
/// the `.env` beside the file (interpolation values) and the env files its services name.
struct Project<'d> {
    sources: &'d [Source],
    /// The compose file's name, which its relative paths are resolved against.
    name: &'d str,
    /// The front end looked for the files the compose file names.
    looked: bool,
    vars: Arc<Vars>,
}

impl<'d> Project<'d> {
    fn of(sources: &'d [Source], source: usize, vars: &Vars) -> Self {
        let compose = sources.get(source);
        let name = compose.map(Source::name).unwrap_or("");
        let mut merged = Vars::new();
        if let Some(dotenv) = companion(sources, &resolve(name, ".env")) {
            // A value that needs interpolation itself is left unknown.
            merged.extend(
                env_lines(dotenv.text())
                    .into_iter()
                    .filter_map(|line| Some((line.name.to_string(), line.value?))),
            );
        }
        // The `vars` setting stands for the shell, which wins over `.env`.
        merged.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        Project {
            sources,
            name,
            looked: compose.is_some_and(Source::has_companions_read),
            vars: Arc::new(merged),
        }
    }

    /// The environment a service gets from its `env_file`s, and what is missing.
    fn service(&self, service: &'d Node) -> Context<'d> {
        let mut context = Context {
            vars: Arc::clone(&self.vars),
            ..Context::default()
        };
        for (node, path, required) in env_file_entries(service) {
            let Some(path) = path else {
                // A path from a variable without a value: what it sets is not known.
                context.env_unknown = true;
                continue;
            };
            let name = resolve(self.name, &path);
            match companion(self.sources, &name) {
                Some(file) => {
                    for line in env_lines(file.text()) {
                        context.env_file_vars.push((node, line.name, line.value));
                    }
                }
                None if !self.looked => context.env_unknown = true,
                None if required => context.missing_env_files.push((node, name)),
                None => {}
            }
        }
        context
    }
}

/// The companion source of this name (see [`Source::as_companion`]).
fn companion<'d>(sources: &'d [Source], name: &str) -> Option<&'d Source> {
    sources
        .iter()
        .find(|source| source.is_companion() && source.name() == name)
}

/// What a compose service gets from outside the compose file.
#[derive(Clone, Debug, Default)]
pub struct Context<'d> {
    /// Interpolation variables: the `vars` setting over the project's `.env`. What
    /// `${VAR}` in the service (`command`, `ports`, `labels`) is read with.
    pub vars: Arc<Vars>,
    /// Variables its env files set, in order: the `env_file` entry, the name (in the env
    /// file's text) and the value (`None` when it is not known).
    pub env_file_vars: Vec<(&'d Node, &'d str, Option<String>)>,
    /// Required `env_file` entries whose file does not exist, with the path compose opens.
    pub missing_env_files: Vec<(&'d Node, String)>,
    /// An `env_file` dflint was not given (a front end that reads no files, or a path from a
    /// variable): what it sets is not known.
    pub env_unknown: bool,
}

/// The `env_file` entries of a service: the node to point at, the path (`None` when it
/// needs a variable), and whether compose requires the file. A string, a list of strings, or
/// a list of `{path, required}` (compose 2.24 and later; `required` defaults to true).
fn env_file_entries(service: &Node) -> Vec<(&Node, Option<String>, bool)> {
    let Some(env_file) = service.get("env_file") else {
        return Vec::new();
    };
    let items = match env_file.as_seq() {
        Some(items) => items,
        None => std::slice::from_ref(env_file),
    };
    items
        .iter()
        .filter_map(|item| {
            let (path_node, required) = match item.as_map() {
                Some(_) => (
                    item.get("path")?,
                    item.get("required").and_then(Node::as_bool).unwrap_or(true),
                ),
                None => (item, true),
            };
            let path = path_node.as_str()?;
            Some((
                path_node,
                (!path.contains('$')).then(|| path.to_string()),
                required,
            ))
        })
        .collect()
}

/// The files a compose source names that compose reads from beside it: the env files of
/// its Dragonfly services and the project's `.env`, each with its name resolved against the
/// source's (as a front end opens it) and whether compose requires it. Front ends that read
/// files add those that exist as companions ([`Source::as_companion`]) and mark the compose
/// source with [`Source::companions_read`].
pub fn companions(source: &Source, limits: &Limits) -> Vec<(String, bool)> {
    let text = source.text();
    if !text.contains("services") || source.is_acl() || source.is_companion() {
        return Vec::new();
    }
    let mut found: Vec<(String, bool)> = Vec::new();
    for root in crate::document::parse_yaml_with(text, limits).roots {
        if !is_compose(&root) {
            continue;
        }
        if found.is_empty() {
            found.push((resolve(source.name(), ".env"), false));
        }
        let services = root.get("services").and_then(Node::as_map).unwrap_or(&[]);
        for service in services
            .iter()
            .map(|e| &e.value)
            .filter(|s| runs_dragonfly_image(s))
        {
            for (_, path, required) in env_file_entries(service) {
                let Some(path) = path else { continue };
                let name = resolve(source.name(), &path);
                match found.iter_mut().find(|(known, _)| *known == name) {
                    Some(known) => known.1 |= required,
                    None => found.push((name, required)),
                }
            }
        }
    }
    found
}

/// A path as compose opens it: relative to the compose file's directory (taken from the
/// file's name), `.` and `..` resolved without looking at the disk.
pub fn resolve(compose_name: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        match compose_name.rfind('/') {
            Some(at) => format!("{}/{path}", &compose_name[..at]),
            None => path.to_string(),
        }
    };
    let absolute = joined.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            part => parts.push(part),
        }
    }
    let resolved = parts.join("/");
    if absolute {
        format!("/{resolved}")
    } else {
        resolved
    }
}

/// One variable of an env file.
#[derive(Debug, PartialEq)]
pub struct EnvLine<'t> {
    pub name: &'t str,
    /// `None` when it is not known: no `=` (taken from the shell), or a value that needs
    /// `${VAR}` interpolation.
    pub value: Option<String>,
}

/// The variables of an env file or `.env`, as compose's dotenv reader takes them: `NAME=VALUE`
/// lines (an `export ` prefix allowed), `#` comments and blank lines skipped; a value in
/// single quotes is literal, one in double quotes or unquoted loses its quotes, surrounding
/// blanks and (unquoted) a ` #` comment. A value with `$` is left unknown rather than guessed.
pub fn env_lines(text: &str) -> Vec<EnvLine<'_>> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let (name, value) = match line.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim())),
            None => (line, None),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        let value = value.and_then(|value| {
            if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.split_once('\'')) {
                return Some(inner.0.to_string());
            }
            let text = match value.strip_prefix('"').and_then(|v| v.rsplit_once('"')) {
                Some((inner, _)) => inner.replace("\\n", "\n").replace("\\\"", "\""),
                None => value
                    .split_once(" #")
                    .map_or(value, |(before, _)| before)
                    .trim_end()
                    .to_string(),
            };
            (!text.contains('$')).then_some(text)
        });
        lines.push(EnvLine { name, value });
    }
    lines
}

/// One entry of a service's `ports:` that publishes container TCP ports on the host.
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedPort<'d> {
    /// The entry as written (a string or number, or a mapping in the long syntax).
    pub entry: &'d Node,
    /// The host address it is published on; `None` for every interface (no address,
    /// `0.0.0.0` or `::`).
    pub host_ip: Option<String>,
    /// The container ports, first and last (one port: both the same).
    pub target: (u16, u16),
}

impl PublishedPort<'_> {
    pub fn covers(&self, port: u16) -> bool {
        (self.target.0..=self.target.1).contains(&port)
    }
}

/// The TCP ports a service publishes, after `${VAR}` interpolation with `lookup`. Entries
/// whose text is not known (a variable without a value), UDP/SCTP entries and entries that do
/// not parse are left out: compose refuses the last, and nothing is built on a guess.
///
/// Short syntax, as the compose spec gives it: `[HOST:]CONTAINER[/PROTOCOL]` where HOST is
/// `[IP:](port | range)` and an IPv6 address is written in brackets; long syntax: a mapping
/// with `target`, `published`, `host_ip` and `protocol`.
pub fn published_ports<'d>(
    service: &'d Node,
    lookup: &impl Fn(&str) -> Option<EnvValue>,
) -> Vec<PublishedPort<'d>> {
    let text_of = |node: &Node| -> Option<String> {
        let text = node.scalar_text()?;
        let expanded = crate::interpolate::compose(&text, lookup);
        (!expanded.opaque).then_some(expanded.text)
    };
    let mut ports = Vec::new();
    for entry in service.get("ports").and_then(Node::as_seq).unwrap_or(&[]) {
        let parsed = if entry.as_map().is_some() {
            let protocol = entry.get("protocol").map(text_of);
            let tcp = match protocol {
                None => true,
                Some(Some(p)) => p.eq_ignore_ascii_case("tcp"),
                Some(None) => false,
            };
            let host_ip = match entry.get("host_ip").map(text_of) {
                None => Some(None),
                Some(Some(ip)) => Some(Some(ip)),
                Some(None) => None,
            };
            let target = entry.get("target").and_then(text_of);
            match (tcp, host_ip, target.as_deref().and_then(port_range)) {
                (true, Some(host_ip), Some(target)) => Some((host_ip, target)),
                _ => None,
            }
        } else {
            text_of(entry).and_then(|text| short_port(&text))
        };
        if let Some((host_ip, target)) = parsed {
            ports.push(PublishedPort {
                entry,
                host_ip: host_ip.filter(|ip| !all_interfaces(ip)),
                target,
            });
        }
    }
    ports
}

/// Whether a host address stands for every interface.
pub fn all_interfaces(address: &str) -> bool {
    matches!(address.trim(), "" | "0.0.0.0" | "::" | "[::]")
}

/// `[IP:][HOST:]CONTAINER[/tcp]` → the host address as written (none when absent) and the
/// container ports; `None` for another protocol or text compose would refuse.
fn short_port(text: &str) -> Option<(Option<String>, (u16, u16))> {
    let text = text.trim();
    let (text, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    if !protocol.eq_ignore_ascii_case("tcp") {
        return None;
    }
    let (host_ip, rest) = match text.strip_prefix('[') {
        Some(bracketed) => {
            let (ip, rest) = bracketed.split_once(']')?;
            (Some(ip.to_string()), rest.strip_prefix(':')?)
        }
        None => (None, text),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (host_ip, container) = match (host_ip, parts.as_slice()) {
        (Some(ip), [_host, container]) => (Some(ip), *container),
        (None, [container]) | (None, [_, container]) => (None, *container),
        (None, [ip, _host, container]) => (Some(ip.to_string()), *container),
        // An unbracketed IPv6 address: everything before the last two parts.
        (None, [.., _host, container]) => {
            let cut = rest.len() - container.len() - _host.len() - 2;
            (Some(rest[..cut].to_string()), *container)
        }
        _ => return None,
    };
    Some((host_ip, port_range(container)?))
}

/// `6379` or `6379-6381`.
fn port_range(text: &str) -> Option<(u16, u16)> {
    let text = text.trim();
    match text.split_once('-') {
        Some((first, last)) => {
            let (first, last) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
            (first <= last).then_some((first, last))
        }
        None => text.parse().ok().map(|port| (port, port)),
    }
}

/// The key of a service under `services:`, for pointing at its name.
pub fn service_key<'d>(root: &'d Node, service: &Node) -> Option<&'d Node> {
    root.get("services")?
        .as_map()?
        .iter()
        .find(|entry| std::ptr::eq(&entry.value, service))
        .map(|entry| &entry.key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_yaml, Syntax};

    fn doc(text: &str) -> Document {
        Document {
            source: 0,
            index: 0,
            root: parse_yaml(text).roots.remove(0),
            syntax: Syntax::Yaml,
            helm_values: false,
        }
    }

    #[test]
    fn compose_files_are_told_from_manifests() {
        assert!(is_compose(
            &doc("services:\n  a: {image: x}\n  b: {build: .}\n").root
        ));
        assert!(!is_compose(&doc("services: {}\n").root));
        assert!(!is_compose(
            &doc("kind: Thing\nservices:\n  a: {image: x}\n").root
        ));
        assert!(!is_compose(&doc("services:\n  a: [1]\n").root));
    }

    #[test]
    fn command_strings_split_like_a_shell_with_exact_spans() {
        let text = "command: dragonfly --port 6380 '--dir=/a b' \"--x=\\\"q\\\"\"\n";
        let d = doc(text);
        let words = shell_words(
            d.root.get("command").unwrap(),
            "dragonfly --port 6380 '--dir=/a b' \"--x=\\\"q\\\"\"",
        );
        let raw: Vec<&str> = words.iter().map(|w| w.raw.as_str()).collect();
        assert_eq!(
            raw,
            ["dragonfly", "--port", "6380", "--dir=/a b", "--x=\"q\""]
        );
        let shown: Vec<&str> = words
            .iter()
            .map(|w| &text[w.span.start..w.span.end])
            .collect();
        assert_eq!(
            shown,
            [
                "dragonfly",
                "--port",
                "6380",
                "'--dir=/a b'",
                "\"--x=\\\"q\\\"\""
            ]
        );
    }

    #[test]
    fn the_entrypoint_decides_what_reaches_the_server() {
        let words = |service: &str| {
            let d = doc(service);
            words_of(&d.root).map(|w| w.into_iter().map(|w| w.raw).collect::<Vec<_>>())
        };
        let strings = |w: &[&str]| Some(w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(words("image: x\n"), strings(&[]));
        assert_eq!(words("command: --port 1\n"), strings(&["--port", "1"]));
        assert_eq!(
            words("command: [dragonfly, --port=1]\n"),
            strings(&["--port=1"])
        );
        assert_eq!(
            words("entrypoint: [dragonfly]\ncommand: [--port=1]\n"),
            strings(&["--port=1"])
        );
        assert_eq!(words("entrypoint: sh -c 'dragonfly'\n"), None);
        assert_eq!(words("command: sh -c 'dragonfly --port=1'\n"), None);
    }

    #[test]
    fn docker_sizes() {
        assert_eq!(docker_bytes("512m"), Some(512.0 * 1024.0 * 1024.0));
        assert_eq!(docker_bytes("1gb"), Some(1024.0 * 1024.0 * 1024.0));
        assert_eq!(docker_bytes("2G"), Some(2.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(docker_bytes("100"), Some(100.0));
        assert_eq!(docker_bytes("1x"), None);
        assert_eq!(docker_bytes("${MEM}"), None);
    }

    #[test]
    fn published_ports_in_both_syntaxes() {
        let d = doc(concat!(
            "ports:\n",
            "  - \"6379:6379\"\n",
            "  - 127.0.0.1:6380:6380\n",
            "  - \"6381\"\n",
            "  - \"7000-7002:6379-6381\"\n",
            "  - \"[::1]:6382:6382\"\n",
            "  - \"0.0.0.0:6383:6383/tcp\"\n",
            "  - \"6384:6384/udp\"\n",
            "  - 6385\n",
            "  - \"${HOST_PORT:-1}:6386\"\n",
            "  - \"${UNKNOWN}:6387\"\n",
            "  - {target: 6388, published: \"6388\", host_ip: 127.0.0.1}\n",
            "  - {target: 6389, host_ip: \"::\"}\n",
            "  - {target: 6390, protocol: udp}\n",
            "  - \"not a port\"\n",
        ));
        let ports = published_ports(&d.root, &|_| None);
        let shown: Vec<(Option<&str>, (u16, u16))> = ports
            .iter()
            .map(|p| (p.host_ip.as_deref(), p.target))
            .collect();
        assert_eq!(
            shown,
            [
                (None, (6379, 6379)),
                (Some("127.0.0.1"), (6380, 6380)),
                (None, (6381, 6381)),
                (None, (6379, 6381)),
                (Some("::1"), (6382, 6382)),
                (None, (6383, 6383)),
                (None, (6385, 6385)),
                (None, (6386, 6386)),
                (Some("127.0.0.1"), (6388, 6388)),
                (None, (6389, 6389)),
            ]
        );
        assert!(ports[3].covers(6380) && !ports[3].covers(6382));
    }

    #[test]
    fn env_files_are_read_as_compose_reads_them() {
        let lines = env_lines(
            "# c\n\nA=1\nexport B = two words # note\nC='${not} interpolated'\nD=\"q\\\"x\"\nE=${F}\nG\n=no name\n",
        );
        let shown: Vec<(&str, Option<&str>)> =
            lines.iter().map(|l| (l.name, l.value.as_deref())).collect();
        assert_eq!(
            shown,
            [
                ("A", Some("1")),
                ("B", Some("two words")),
                ("C", Some("${not} interpolated")),
                ("D", Some("q\"x")),
                ("E", None),
                ("G", None),
            ]
        );
    }

    #[test]
    fn paths_resolve_against_the_compose_files_directory() {
        assert_eq!(resolve("deploy/compose.yml", "./a.env"), "deploy/a.env");
        assert_eq!(resolve("deploy/compose.yml", "../a.env"), "a.env");
        assert_eq!(resolve("compose.yml", ".env"), ".env");
        assert_eq!(resolve("compose.yml", "../x/.env"), "../x/.env");
        assert_eq!(resolve("/srv/app/compose.yml", "/etc/a.env"), "/etc/a.env");
        assert_eq!(resolve("/srv/app/compose.yml", "../../../a"), "/a");
    }
}
