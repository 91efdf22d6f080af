//! One or a few source files (YAML, JSON, ACL) through the loader, every rule and the report.
//! Input format and checks: `dflint_fuzz::lint_bundle` (fuzz/src/lib.rs).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dflint_fuzz::lint_bundle(data));
