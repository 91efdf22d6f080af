use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::dragonfly::helm_chart::Installer;
use crate::dragonfly::operator::{DEFAULT_IMAGE_TAG, OPERATOR_VERSION};
use crate::dragonfly::Runner;
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
            if cr.is_helm_chart() {
                chart_image(cr, out);
                continue;
            }
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

/// The chart runs `image.tag`, else its own version: pinned when either names a version.
fn chart_image(cr: &crate::dragonfly::DragonflyCr<'_>, out: &mut Emitter<'_>) {
    let Runner::HelmChart {
        install,
        version,
        version_text,
        ..
    } = cr.runner
    else {
        return;
    };
    let tag = cr
        .spec_at(&["image", "tag"])
        .filter(|t| t.scalar_text().is_some_and(|t| !t.is_empty()));
    let Some(tag) = tag else {
        // The chart's own version is the tag: pinned when the chart is. A values file does
        // not say which chart version `helm` installs.
        if version.is_none() && install != Installer::ValuesFile {
            let written = version_text.and_then(|v| v.scalar_text());
            let target = version_text.map_or_else(|| cr.spec_or_root_target(), |v| cr.target(v));
            let how = match written {
                Some(text) => format!("at `{text}`, which names no release"),
                None => "without a version".to_string(),
            };
            out.report(
                &target,
                format!("{} installs the chart {how}, and no `image.tag` is set: the server runs whatever version the newest matching chart ships", cr.name()),
            )
            .with_help("pin the chart to a release (`v1.40.1`); its version is the Dragonfly image it runs");
        }
        return;
    };
    if cr
        .spec_at(&["image", "repository"])
        .and_then(|r| r.as_str())
        .is_some_and(|r| r.contains('@'))
    {
        return;
    }
    if tag.as_str() == Some("latest") {
        out.report(&cr.target(tag), format!("{} runs the moving `latest` tag", cr.name()))
            .with_help("leave `image.tag` empty to run the chart's own version, or pin a version tag; with `latest` every pod restart can change the server version");
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
