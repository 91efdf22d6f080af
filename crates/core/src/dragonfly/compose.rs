//! Dragonfly in a docker-compose file: the services whose image is Dragonfly's, the
//! arguments the server gets from their `entrypoint`/`command`, and their environment.
//!
//! Compose interpolates `${VAR}` in the whole file before it creates containers
//! ([`crate::interpolate::compose`]); a `command:` string is split into words the way a POSIX
//! shell would split it (quotes and backslashes, no expansion), and the image's entrypoint
//! then decides what reaches the server ([`super::workload`]).

use super::workload::{is_dragonfly_image, server_words};
use super::DragonflyCr;
use crate::args::Word;
use crate::document::{Document, Node, ScalarStyle};
use crate::limits::Limits;
use crate::resource::{Kind, Resource};
use crate::source::Span;

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
    doc: &'d Document,
    limits: &Limits,
    vars: &crate::interpolate::Vars,
) -> Vec<DragonflyCr<'d>> {
    if !is_compose(&doc.root) {
        return Vec::new();
    }
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
            Some(DragonflyCr::in_compose(resource, name, words, limits, vars))
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
pub fn memory_limit(service: &Node) -> Option<(f64, &Node)> {
    let node = service
        .get("mem_limit")
        .or_else(|| service.at(&["deploy", "resources", "limits", "memory"]))?;
    Some((docker_bytes(&node.scalar_text()?)?, node))
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
}
