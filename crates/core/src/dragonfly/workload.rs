//! Dragonfly run without the operator, in a Pod or workload: which containers run the
//! Dragonfly server image, and which arguments the `dragonfly` binary gets in them.
//!
//! What the official image does (`tools/packaging/Dockerfile.ubuntu-prod:38,43@v1.40.1`,
//! `tools/docker/entrypoint.sh:12-15@v1.40.1`): its entrypoint is `entrypoint.sh` and its
//! command `dragonfly --logtostderr`; when the first argument starts with `-`, the entrypoint
//! puts `dragonfly --logtostderr` in front of the arguments. So Kubernetes `args` that are
//! all flags reach the server, and so does a `command` that starts with `dragonfly`.

use super::DragonflyCr;
use crate::args::Word;
use crate::document::{Document, Node};
use crate::limits::Limits;
use crate::resource::{Kind, Resource};

/// Where each workload kind keeps its pod spec.
const POD_SPEC_PATHS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    ("PodTemplate", &["template", "spec"]),
];

/// The repositories the Dragonfly project publishes its server image under, without the
/// registry host (the same path is served by its own registry, GitHub's and Docker Hub).
const DRAGONFLY_REPOSITORIES: &[&str] = &["dragonflydb/dragonfly", "dragonflydb/dragonfly-weekly"];

/// Whether an image reference names the Dragonfly server image: one of the official
/// repositories, on any registry or behind a mirror's path prefix
/// (`mirror.example/dockerhub/dragonflydb/dragonfly:v1.30.0`). The operator's image
/// (`dragonflydb/operator`) is not the server.
pub fn is_dragonfly_image(image: &str) -> bool {
    let repository = image_repository(image);
    DRAGONFLY_REPOSITORIES.iter().any(|official| {
        repository == *official
            || repository
                .strip_suffix(official)
                .is_some_and(|prefix| prefix.ends_with('/'))
    })
}

/// The image patterns of the `dragonfly-images` setting: images that run the Dragonfly server
/// besides the official repositories (a mirror that renames them, an image built on
/// Dragonfly's). Each pattern is matched against the image's name without its tag or digest,
/// registry host included, and against the whole reference; `*` stands for any run of
/// characters, `/` included.
#[derive(Clone, Copy, Debug, Default)]
pub struct Images<'a>(pub &'a [String]);

impl Images<'_> {
    /// Whether a container with this image runs the Dragonfly server.
    pub fn is_dragonfly(&self, image: &str) -> bool {
        is_dragonfly_image(image) || self.0.iter().any(|pattern| image_matches(pattern, image))
    }
}

/// Whether `image` matches one `dragonfly-images` pattern (see [`Images`]).
pub fn image_matches(pattern: &str, image: &str) -> bool {
    let image = image.trim();
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let name = match without_digest[last_slash..].find(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    };
    glob_matches(pattern.as_bytes(), name.as_bytes())
        || glob_matches(pattern.as_bytes(), image.as_bytes())
}

/// `*` matches any run of bytes; everything else itself. Iterative, with one saved `*`
/// position: linear in practice and never exponential, whatever the pattern.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Why a `dragonfly-images` pattern cannot be used, if it cannot.
pub fn check_image_pattern(pattern: &str) -> Result<(), String> {
    if pattern.trim().is_empty() {
        return Err("an image pattern must not be empty".to_string());
    }
    if pattern.chars().any(char::is_whitespace) {
        return Err(format!("`{pattern}`: an image pattern holds no whitespace"));
    }
    if pattern.chars().all(|c| c == '*') {
        return Err(format!(
            "`{pattern}` would take every image for Dragonfly; name the repository (`registry.example/mirror/dragonfly*`)"
        ));
    }
    Ok(())
}

/// The repository path of an image reference: without tag, digest and registry host.
pub fn image_repository(image: &str) -> &str {
    let image = image.trim();
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let without_tag = match without_digest[last_slash..].find(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    };
    // A first component with a dot or a port, or `localhost`, is a registry host.
    match without_tag.split_once('/') {
        Some((host, rest)) if host.contains(['.', ':']) || host == "localhost" => rest,
        _ => without_tag,
    }
}

/// The pod spec of a workload document root (`spec.template.spec` of a Deployment).
pub fn pod_spec(root: &Node) -> Option<&Node> {
    let kind = root.get("kind").and_then(Node::as_str)?;
    let (_, path) = POD_SPEC_PATHS.iter().find(|(k, _)| *k == kind)?;
    root.at(path)
}

/// `spec.replicas` of the workload kinds that run that many copies of one pod template
/// (a DaemonSet runs one per node, a Job's `parallelism` runs to completion).
pub fn replicas(root: &Node) -> Option<&Node> {
    let kind = root.get("kind").and_then(Node::as_str)?;
    matches!(
        kind,
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
    )
    .then(|| root.at(&["spec", "replicas"]))
    .flatten()
}

/// The containers of a workload document root that use the Dragonfly image; `None` for
/// other kinds.
fn dragonfly_containers<'n>(root: &'n Node, images: Images<'_>) -> Option<Vec<&'n Node>> {
    let kind = root.get("kind").and_then(Node::as_str)?;
    let (_, path) = POD_SPEC_PATHS.iter().find(|(k, _)| *k == kind)?;
    let pod_spec = root.at(path)?;
    let containers = pod_spec
        .get("containers")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter(|container| {
            container
                .get("image")
                .and_then(Node::as_str)
                .is_some_and(|image| images.is_dragonfly(image))
        })
        .collect();
    Some(containers)
}

/// The Dragonfly servers of a workload document root: one per container whose image is
/// Dragonfly's and whose command runs the server. Containers that run the image with
/// another command (a shell script, a benchmark) are left out: what the server gets there
/// cannot be read ([`unread_containers`] names them).
pub fn servers_at_root<'d>(
    doc: &'d Document,
    root: &'d Node,
    limits: &Limits,
    images: Images<'_>,
) -> Vec<DragonflyCr<'d>> {
    let Some(containers) = dragonfly_containers(root, images) else {
        return Vec::new();
    };
    let resource = Resource {
        kind: Kind::DragonflyWorkload,
        doc,
        root,
    };
    containers
        .into_iter()
        .filter_map(|container| {
            let flags = dragonfly_arguments(container)?;
            Some(DragonflyCr::in_container(
                resource, container, flags, limits,
            ))
        })
        .collect()
}

/// The containers of a workload document root that run the Dragonfly image with a command
/// that is not the server (a shell script, another program): what the server gets there,
/// if it runs at all, cannot be read.
pub fn unread_containers<'n>(root: &'n Node, images: Images<'_>) -> Vec<&'n Node> {
    let Some(containers) = dragonfly_containers(root, images) else {
        return Vec::new();
    };
    containers
        .into_iter()
        .filter(|container| dragonfly_arguments(container).is_none())
        .collect()
}

/// The arguments the `dragonfly` binary gets in a container of its image, after the
/// image's entrypoint (see the module docs); `None` when the container runs something else.
pub fn dragonfly_arguments(container: &Node) -> Option<Vec<Word<'_>>> {
    let words = |key: &str| -> Vec<Word<'_>> {
        container
            .get(key)
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(Word::of_node)
            .collect()
    };
    server_words(words("command"), words("args"))
}

/// What reaches the server in a container of the Dragonfly image. Kubernetes `command` and
/// compose `entrypoint` replace the image's entrypoint (and drop its command); `args` and
/// compose `command` replace the image's command. `None` when that runs another program.
pub fn server_words<'d>(
    entrypoint: Vec<Word<'d>>,
    command: Vec<Word<'d>>,
) -> Option<Vec<Word<'d>>> {
    let program = |word: &Word<'_>| word.raw.rsplit('/').next().unwrap_or("").to_string();
    let Some(first) = entrypoint.first() else {
        return through_entrypoint(command);
    };
    let first = program(first);
    let words = entrypoint.into_iter().skip(1).chain(command).collect();
    match first.as_str() {
        "dragonfly" => Some(words),
        "entrypoint.sh" => through_entrypoint(words),
        _ => None,
    }
}

/// What the image's entrypoint runs with these arguments: flags go to `dragonfly`; a first
/// argument `dragonfly` is the server itself; anything else is another program.
fn through_entrypoint(words: Vec<Word<'_>>) -> Option<Vec<Word<'_>>> {
    let Some(first) = words.first() else {
        return Some(words);
    };
    if first.raw.starts_with('-') {
        return Some(words);
    }
    (first.raw.rsplit('/').next() == Some("dragonfly")).then(|| words[1..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_yaml, Syntax};

    #[test]
    fn dragonfly_images_are_recognised_on_any_registry() {
        for image in [
            "docker.dragonflydb.io/dragonflydb/dragonfly:v1.30.0",
            "ghcr.io/dragonflydb/dragonfly:v1.30.0-ubuntu",
            "dragonflydb/dragonfly",
            "docker.io/dragonflydb/dragonfly@sha256:abcd",
            "registry.local:5000/dragonflydb/dragonfly:v1.2.3",
            "mirror.example/dockerhub/dragonflydb/dragonfly:latest",
            "ghcr.io/dragonflydb/dragonfly-weekly:e3f1",
        ] {
            assert!(is_dragonfly_image(image), "{image}");
        }
        for image in [
            "docker.dragonflydb.io/dragonflydb/operator:v1.6.1",
            "redis:7",
            "example/notdragonflydb/dragonfly:1",
            "dragonflydb/dragonfly-operator",
            "bitnami/redis",
        ] {
            assert!(!is_dragonfly_image(image), "{image}");
        }
    }

    #[test]
    fn image_patterns_match_the_name_or_the_whole_reference() {
        let patterns = ["registry.corp.example/mirror/dragonfly*".to_string()];
        let images = Images(&patterns);
        for image in [
            "registry.corp.example/mirror/dragonfly:v1.30.0",
            "registry.corp.example/mirror/dragonfly-weekly@sha256:abcd",
            "registry.corp.example/mirror/dragonfly",
            // The official names still count.
            "ghcr.io/dragonflydb/dragonfly:v1.30.0",
        ] {
            assert!(images.is_dragonfly(image), "{image}");
        }
        for image in [
            "registry.corp.example/mirror/redis:7",
            "other.example/mirror/dragonfly:v1",
            "registry.corp.example/mirror",
        ] {
            assert!(!images.is_dragonfly(image), "{image}");
        }
        // A pattern with a tag matches the whole reference.
        assert!(image_matches("corp/df:v1.*", "corp/df:v1.30.0"));
        assert!(!image_matches("corp/df:v1.*", "corp/df:v2.0.0"));
        // No pattern, no mirror.
        assert!(!Images::default().is_dragonfly("registry.corp.example/mirror/dragonfly:v1"));
        // Many stars cannot make matching slow.
        let stars = "*a".repeat(200);
        assert!(!image_matches(&stars, &"a".repeat(150)));
        assert!(check_image_pattern("*").is_err());
        assert!(check_image_pattern("").is_err());
        assert!(check_image_pattern("a b").is_err());
        assert!(check_image_pattern("corp/dragonfly*").is_ok());
    }

    fn arguments(container: &str) -> Option<Vec<String>> {
        let root = parse_yaml(container).roots.remove(0);
        let doc = Document {
            source: 0,
            index: 0,
            root,
            syntax: Syntax::Yaml,
            helm_values: false,
        };
        dragonfly_arguments(&doc.root).map(|words| words.into_iter().map(|w| w.raw).collect())
    }

    #[test]
    fn the_entrypoint_decides_what_reaches_the_server() {
        let strings = |words: &[&str]| Some(words.iter().map(|w| w.to_string()).collect());
        assert_eq!(arguments("image: x\n"), strings(&[]));
        assert_eq!(
            arguments("args: [--port=1, --maxmemory=1gb]\n"),
            strings(&["--port=1", "--maxmemory=1gb"])
        );
        assert_eq!(
            arguments("args: [dragonfly, --port=1]\n"),
            strings(&["--port=1"])
        );
        assert_eq!(
            arguments("command: [/usr/local/bin/dragonfly, --logtostderr]\nargs: [--port=1]\n"),
            strings(&["--logtostderr", "--port=1"])
        );
        assert_eq!(
            arguments("command: [entrypoint.sh]\nargs: [--port=1]\n"),
            strings(&["--port=1"])
        );
        assert_eq!(arguments("command: [sh, -c, 'dragonfly --port=1']\n"), None);
        assert_eq!(arguments("args: [dfly_bench, --qps=1]\n"), None);
    }
}
