//! Dragonfly releases: the ones the flag table covers, and which one an image runs.
//!
//! The table (`data/releases.tsv`, from the extraction's `releases.tsv`) lists every release
//! from v1.20.0 to [`DRAGONFLY_VERSION`](super::DRAGONFLY_VERSION) in version order. A flag
//! knows the releases that accept it ([`FlagSpec::in_release`](super::FlagSpec::in_release)).
//!
//! [`release_of_image`] says which release a command line is judged against: the one the image
//! tag names, the operator's default image when there is none, a configured override, or —
//! when none of those names a release in the table — the newest one, with the reason.

use std::fmt;

/// A Dragonfly release, `v1.40.1`. Ordered by version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl Release {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Release {
            major,
            minor,
            patch,
        }
    }

    /// `v1.30.0` or `1.30.0` (nothing before or after it); any version, known or not.
    pub fn parse(text: &str) -> Option<Release> {
        let digits = text.strip_prefix('v').unwrap_or(text);
        let mut parts = digits.split('.');
        let mut next = || -> Option<u16> {
            let part = parts.next()?;
            // No sign, no leading `+`, no empty part, and no leading zeros (`v1.030.0`).
            if part.is_empty()
                || !part.bytes().all(|b| b.is_ascii_digit())
                || (part.len() > 1 && part.starts_with('0'))
            {
                return None;
            }
            part.parse().ok()
        };
        let release = Release::new(next()?, next()?, next()?);
        parts.next().is_none().then_some(release)
    }

    /// Whether the table covers this release (it is one of [`releases`]).
    pub fn is_known(self) -> bool {
        releases().binary_search(&self).is_ok()
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Every release the flag table covers, oldest first.
pub fn releases() -> &'static [Release] {
    &super::table::RELEASES
}

/// The newest release the table covers ([`DRAGONFLY_VERSION`](super::DRAGONFLY_VERSION)).
pub fn newest_release() -> Release {
    *releases().last().expect("the release table is not empty")
}

/// The oldest release the table covers (v1.20.0).
pub fn oldest_release() -> Release {
    releases()[0]
}

/// The dragonfly-operator release dflint's operator facts were read from.
pub const OPERATOR_VERSION: &str = "v1.6.1";
/// The Dragonfly image tag that operator deploys when `spec.image` is empty
/// (`internal/resources/version.go`@v1.6.1; `operator-releases.tsv` of the extraction).
pub const DEFAULT_IMAGE_TAG: &str = "v1.39.0";
/// [`DEFAULT_IMAGE_TAG`] as a release (a test checks that they agree). Kept with the flag
/// facts, the lowest layer that needs it; `dragonfly::operator` re-exports the two above.
pub const OPERATOR_DEFAULT_RELEASE: Release = Release::new(1, 39, 0);

/// Which release a command line is judged against, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRelease {
    pub release: Release,
    pub basis: Basis,
}

/// Why [`ImageRelease::release`] was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The image tag names this release (`v1.30.0`, `1.30.0`, `v1.30.0-ubuntu`).
    Tag,
    /// No image: the operator's default image ([`OPERATOR_DEFAULT_RELEASE`]).
    OperatorDefault,
    /// The `dragonfly-version` setting (configuration file, `--dragonfly-version`, the
    /// policy's `dragonflyVersion`).
    Override,
    /// The newest release of the table, because nothing better is known.
    Newest { why: Guess },
}

/// Why the release had to be guessed as the newest one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Guess {
    /// The tag is `latest`.
    Latest,
    /// The image has no tag (`latest` is pulled).
    NoTag,
    /// Only a digest (`…@sha256:…`): the release cannot be read from it.
    DigestOnly,
    /// The tag names a version older than the table's first release (v1.20.0).
    BeforeTable(Release),
    /// The tag names a version the table does not have (newer than its last release, or a
    /// patch that does not exist).
    UnknownVersion(Release),
    /// The tag is no version at all (`nightly`, `${TAG}`, `ubuntu`).
    NotAVersion,
    /// A command line with no image and no operator (a flag file, a compose service without
    /// `image:`).
    NoImage,
}

impl ImageRelease {
    /// Whether the release was guessed ([`Basis::Newest`]).
    pub fn is_guess(&self) -> bool {
        matches!(self.basis, Basis::Newest { .. })
    }

    /// What the release is and where it comes from, for messages: `this image is v1.30.0
    /// (tag \`v1.30.0-ubuntu\`)`, `the operator's default image is v1.39.0 (no image is set)`…
    /// `image` is the image text the release was read from.
    pub fn describe(&self, image: Option<&str>) -> String {
        let tag = image.and_then(image_tag).unwrap_or("");
        let release = self.release;
        match &self.basis {
            Basis::Tag => format!("this image is {release} (tag `{tag}`)"),
            Basis::OperatorDefault => format!(
                "no image is set, so the operator's default image runs: {release} (dragonfly-operator {})",
                OPERATOR_VERSION
            ),
            Basis::Override => format!("the `dragonfly-version` setting says {release}"),
            Basis::Newest { why } => {
                let reason = match why {
                    Guess::Latest => "the image uses the moving `latest` tag".to_string(),
                    Guess::NoTag => "the image has no tag (`latest` is pulled)".to_string(),
                    Guess::DigestOnly => {
                        "the image is pinned by digest only, which names no release".to_string()
                    }
                    Guess::BeforeTable(v) => format!(
                        "the image's {v} predates {}, the oldest release dflint has flag facts for",
                        oldest_release()
                    ),
                    Guess::UnknownVersion(v) => {
                        format!("the image's {v} is not a release dflint knows")
                    }
                    Guess::NotAVersion => format!("the image tag `{tag}` names no release"),
                    Guess::NoImage => "no image is known for this command line".to_string(),
                };
                format!("dflint assumed {release}, the newest release it knows, because {reason}")
            }
        }
    }
}

/// The tag of an image reference: the text after the last `:` of its last path segment,
/// before any `@digest` (`registry:5000/dragonfly:v1.30.0@sha256:…` → `v1.30.0`); `None` when
/// there is no tag.
pub fn image_tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, tag)| tag)
}

/// The release a Dragonfly image runs, and why. The image is taken to be Dragonfly's (a CR's
/// `spec.image`, or a container the caller recognised as Dragonfly): its repository is not
/// checked, so mirrors work.
///
/// * `override_version` (the `dragonfly-version` setting), when it names a release of the
///   table, wins over the image ([`Basis::Override`]); a value that names none is ignored
///   here (the settings check reports it: `LintConfig::validate`).
/// * no image, or an empty one: the operator's default image, v1.39.0
///   ([`Basis::OperatorDefault`]);
/// * a tag `v1.30.0`, `1.30.0` or `v1.30.0-<variant>` (`-ubuntu`, `-alpine`…) of a release in
///   the table, with or without a registry (`host:5000/…`) and with or without a trailing
///   `@sha256:` digest ([`Basis::Tag`]);
/// * otherwise the newest release, saying why ([`Basis::Newest`]): `latest`, no tag, a
///   digest only, a version before v1.20.0 (which the table does not cover) or not in it, a
///   tag that is no version.
pub fn release_of_image(image: Option<&str>, override_version: Option<&str>) -> ImageRelease {
    if let Some(release) = override_version
        .and_then(|v| Release::parse(v.trim()))
        .filter(|r| r.is_known())
    {
        return ImageRelease {
            release,
            basis: Basis::Override,
        };
    }
    let image = image.map(str::trim).filter(|i| !i.is_empty());
    let Some(image) = image else {
        return ImageRelease {
            release: OPERATOR_DEFAULT_RELEASE,
            basis: Basis::OperatorDefault,
        };
    };
    let newest = |why| ImageRelease {
        release: newest_release(),
        basis: Basis::Newest { why },
    };
    let Some(tag) = image_tag(image) else {
        return newest(if image.contains('@') {
            Guess::DigestOnly
        } else {
            Guess::NoTag
        });
    };
    if tag == "latest" {
        return newest(Guess::Latest);
    }
    // `v1.30.0-ubuntu`: the version, then a variant.
    let version = tag.split_once('-').map_or(tag, |(v, _)| v);
    match Release::parse(version) {
        Some(release) if release.is_known() => ImageRelease {
            release,
            basis: Basis::Tag,
        },
        Some(release) if release < oldest_release() => newest(Guess::BeforeTable(release)),
        Some(release) => newest(Guess::UnknownVersion(release)),
        None => newest(Guess::NotAVersion),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(image: &str) -> ImageRelease {
        release_of_image(Some(image), None)
    }

    fn tagged(image: &str, release: Release) {
        assert_eq!(
            of(image),
            ImageRelease {
                release,
                basis: Basis::Tag
            },
            "{image}"
        );
    }

    fn guessed(image: &str, why: Guess) {
        assert_eq!(
            of(image),
            ImageRelease {
                release: newest_release(),
                basis: Basis::Newest { why }
            },
            "{image}"
        );
    }

    const V1_30_0: Release = Release::new(1, 30, 0);

    #[test]
    fn the_table_is_in_version_order_from_v1_20_0_to_the_newest() {
        assert!(releases().windows(2).all(|w| w[0] < w[1]));
        assert_eq!(oldest_release(), Release::new(1, 20, 0));
        assert_eq!(
            newest_release().to_string(),
            super::super::DRAGONFLY_VERSION
        );
        // The internal tag is left out, the mis-numbered ones are in.
        assert!(!Release::new(1, 31, 5).is_known());
        assert!(Release::new(1, 28, 30).is_known());
        assert!(OPERATOR_DEFAULT_RELEASE.is_known());
        assert_eq!(OPERATOR_DEFAULT_RELEASE.to_string(), DEFAULT_IMAGE_TAG);
    }

    #[test]
    fn releases_parse_and_print() {
        assert_eq!(Release::parse("v1.30.0"), Some(V1_30_0));
        assert_eq!(Release::parse("1.30.0"), Some(V1_30_0));
        assert_eq!(V1_30_0.to_string(), "v1.30.0");
        for bad in [
            "",
            "v",
            "1.30",
            "v1.30.0.1",
            "v1.30.x",
            "v1.030.0",
            "V1.30.0",
            "v-1.30.0",
            "vv1.30.0",
            "v1..0",
            "v1.30.0 ",
            "v99999.0.0",
        ] {
            assert_eq!(Release::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn tags_name_releases() {
        tagged("registry.example/dragonflydb/dragonfly:v1.30.0", V1_30_0);
        tagged("dragonflydb/dragonfly:1.30.0", V1_30_0);
        tagged("dragonfly:v1.30.0-ubuntu", V1_30_0);
        tagged("registry.local:5000/mirror/dragonfly:v1.30.0", V1_30_0);
        tagged(
            "registry.local:5000/dragonfly:v1.30.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            V1_30_0,
        );
        tagged("dragonfly:v1.28.30", Release::new(1, 28, 30));
        tagged("dragonfly:v1.40.1", newest_release());
    }

    #[test]
    fn unknown_releases_are_the_newest_with_the_reason() {
        guessed("dragonflydb/dragonfly:latest", Guess::Latest);
        guessed("dragonflydb/dragonfly", Guess::NoTag);
        guessed("registry.local:5000/dragonfly", Guess::NoTag);
        guessed("dragonflydb/dragonfly@sha256:0123abcd", Guess::DigestOnly);
        guessed(
            "dragonflydb/dragonfly:v1.19.0",
            Guess::BeforeTable(Release::new(1, 19, 0)),
        );
        guessed(
            "dragonflydb/dragonfly:v1.99.0",
            Guess::UnknownVersion(Release::new(1, 99, 0)),
        );
        guessed(
            "dragonflydb/dragonfly:v1.31.5-internal",
            Guess::UnknownVersion(Release::new(1, 31, 5)),
        );
        guessed("dragonflydb/dragonfly:v1.30", Guess::NotAVersion);
        guessed("dragonflydb/dragonfly:nightly", Guess::NotAVersion);
        guessed("dragonflydb/dragonfly:${TAG}", Guess::NotAVersion);
    }

    #[test]
    fn no_image_is_the_operator_default_and_an_override_wins() {
        let default = ImageRelease {
            release: Release::new(1, 39, 0),
            basis: Basis::OperatorDefault,
        };
        assert_eq!(release_of_image(None, None), default);
        assert_eq!(release_of_image(Some(""), None), default);
        assert_eq!(release_of_image(Some("  "), None), default);
        for image in [None, Some("dragonfly:v1.34.0"), Some("dragonfly:latest")] {
            assert_eq!(
                release_of_image(image, Some("v1.30.0")),
                ImageRelease {
                    release: V1_30_0,
                    basis: Basis::Override
                }
            );
        }
        assert_eq!(
            release_of_image(None, Some("1.30.0")).basis,
            Basis::Override
        );
        // Not a release of the table: ignored here (the settings check refuses it).
        assert_eq!(release_of_image(None, Some("v1.31.5")), default);
        assert_eq!(release_of_image(None, Some("banana")), default);
    }

    #[test]
    fn descriptions_say_where_the_release_comes_from() {
        let image = "dragonfly:v1.30.0-ubuntu";
        assert_eq!(
            of(image).describe(Some(image)),
            "this image is v1.30.0 (tag `v1.30.0-ubuntu`)"
        );
        assert!(release_of_image(None, None)
            .describe(None)
            .contains("operator's default image runs: v1.39.0"));
        let latest = of("dragonfly:latest");
        assert!(latest.is_guess());
        assert!(latest
            .describe(Some("dragonfly:latest"))
            .contains("newest release it knows, because the image uses the moving `latest` tag"));
        assert!(of("dragonfly:v1.19.0")
            .describe(Some("dragonfly:v1.19.0"))
            .contains("v1.19.0 predates v1.20.0"));
    }

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("registry:5000/dragonfly"), None);
        assert_eq!(image_tag("registry:5000/dragonfly:v1.2"), Some("v1.2"));
        assert_eq!(image_tag("dragonfly@sha256:abc"), None);
        assert_eq!(image_tag("dragonfly:v1.2@sha256:abc"), Some("v1.2"));
    }
}
