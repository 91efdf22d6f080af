//! dflint as a Kubewarden admission policy (wasm32-wasip1, waPC protocol v1).
//!
//! The admitted object goes through the same `dflint-core` rules as the CLI. Findings at or
//! above the configured severity reject the request; lower ones come back as Kubernetes
//! admission warnings. The waPC entry points live in [`guest`]; everything else is plain Rust
//! so it is unit-tested on the host and end-to-end tested as the compiled `.wasm`.

pub mod cluster;
mod response;
pub mod settings;
pub mod validate;

pub use validate::{bundle_only_codes, context_aware_codes, validate};

#[cfg(target_arch = "wasm32")]
mod guest;
