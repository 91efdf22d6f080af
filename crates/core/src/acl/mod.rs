//! The ACL engine: parsing (two dialects), effective permissions with provenance, dry-run and
//! glob matching/intersection.

pub mod classify;
pub mod commands;
pub mod diff;
pub mod dryrun;
pub mod eval;
pub mod found;
pub mod glob;
pub mod overlap;
pub mod parse;
pub mod queries;
pub mod report;
pub mod spec;
pub mod suggest;
pub mod text;

pub use commands::Dialect;
