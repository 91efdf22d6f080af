//! Dragonfly server flag rules (DF1xx), for every command line dflint finds.

pub mod admin_nopass_disabled;
pub mod cache_mode_evicts_queues;
pub mod expose_http_api;
pub mod invalid_flag_value;
pub mod loopback_bind;
pub mod operator_default_repeated;
pub mod operator_port_changed;
pub mod other_binary_flag;
pub mod positional_argument;
pub mod primary_port_http_enabled;
pub mod repeated_flag;
pub mod retired_flag;
pub mod s3_plain_http;
pub mod unknown_flag;
pub mod unresolved_variable;

use crate::args::{CommandLine, CommandLineKind};
use crate::config::LintConfig;
use crate::flags::{self, Basis, Guess, ImageRelease};

/// The release a command line's flags are judged against: the `dragonfly-version` setting,
/// else the release its image names ([`flags::release_of_image`]). An operator CR without an
/// image runs the operator's default image; a plain command line without one (a flag file)
/// has no known image, so the newest release is assumed.
pub(crate) fn judged_release(line: &CommandLine<'_>, config: &LintConfig) -> ImageRelease {
    let chosen =
        flags::release_of_image(line.image.as_deref(), config.dragonfly_version.as_deref());
    if chosen.basis == Basis::OperatorDefault && line.kind == CommandLineKind::Plain {
        return ImageRelease {
            release: flags::newest_release(),
            basis: Basis::Newest {
                why: Guess::NoImage,
            },
        };
    }
    chosen
}
