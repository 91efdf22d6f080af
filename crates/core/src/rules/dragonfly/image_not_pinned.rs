use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::operator::{DEFAULT_IMAGE_TAG, OPERATOR_VERSION};
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct ImageNotPinned;

static META: RuleMeta = RuleMeta {
    code: "DF011",
    name: "image-not-pinned",
    severity: Severity::Warning,
    summary: "The Dragonfly image has no tag, uses `latest`, or is left to the operator's default.",
    docs: rule_docs!("image_not_pinned.md"),
    scope: crate::rules::Scope::DragonflyCr,
};

/// The tag of an image reference, if any (`None` for digests and untagged references).
fn tag(image: &str) -> Option<&str> {
    if image.contains('@') {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, tag)| tag)
}

impl Rule for ImageNotPinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        // A flag file names no image: the command line that reads it runs in one.
        for cr in bundle.dragonflies.iter().filter(|cr| !cr.is_partial()) {
            let image = cr.spec_at(&["image"]);
            match image.and_then(|n| n.as_str()) {
                None | Some("") => {
                    let target = image.map_or_else(|| cr.spec_or_root_target(), |n| cr.target(n));
                    out.report(
                        &target,
                        format!(
                            "{} sets no image: the operator picks its built-in default ({DEFAULT_IMAGE_TAG} with operator {OPERATOR_VERSION}), which changes when the operator is upgraded",
                            cr.name()
                        ),
                    )
                    .with_help("set `spec.image` to a pinned tag or digest, e.g. `docker.dragonflydb.io/dragonflydb/dragonfly:v1.36.0`");
                }
                Some(text) if text.contains('@') => {}
                Some(text) => {
                    let node = image.expect("matched Some");
                    match tag(text) {
                        None => {
                            out.report(&cr.target(node), format!("image of {} has no tag, so `latest` is pulled", cr.name()))
                                .with_help("pin a version tag or a digest; an upgrade then happens only when you change it");
                        }
                        Some("latest") => {
                            out.report(&cr.target(node), format!("image of {} uses the moving `latest` tag", cr.name()))
                                .with_help("pin a version tag or a digest; with `imagePullPolicy: Always` (the CRD default) every pod restart can change the server version");
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags_are_read_after_the_last_slash() {
        assert_eq!(super::tag("registry:5000/dragonfly"), None);
        assert_eq!(super::tag("registry:5000/dragonfly:v1.2"), Some("v1.2"));
        assert_eq!(super::tag("dragonfly@sha256:abc"), None);
    }
}
