//! Input rules: what stops a file from being read as intended, and what of the schemas of
//! custom resources (`--crd`, CRDs in the input) cannot be used.

pub mod crd_cel_not_evaluated;
pub mod crd_not_usable;
pub mod duplicate_key;
pub mod duplicate_resource;
pub mod empty_source;
pub mod helm_template;
pub mod input_limit;
pub mod invalid_syntax;
pub mod unknown_api_version;
pub mod unsubstituted_variable;
