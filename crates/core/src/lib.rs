//! dflint-core: Dragonfly-exact linting of custom resources, server flags, ACLs and network
//! policies. Pure: no file system, network, clock or printing — front ends feed it texts and
//! render the [`Report`] it returns.

pub mod acl;
pub mod args;
pub mod baseline;
pub mod bundle;
pub mod config;
pub mod crd;
pub mod diagnostic;
pub mod document;
pub mod dragonfly;
pub mod fingerprint;
pub mod flags;
pub mod helm;
pub mod interpolate;
pub mod k8s;
pub mod limits;
pub mod lint;
pub mod netpol;
pub mod output;
pub mod path_glob;
pub mod reach_report;
pub mod redact;
pub mod resource;
pub mod rules;
pub mod share;
pub mod source;
pub mod suppression;
pub mod target;

pub use config::LintConfig;
pub use diagnostic::{Diagnostic, Location, Related, Severity};
pub use lint::{lint, lint_without_redactions, Report, Summary};
pub use source::{Source, Span};
