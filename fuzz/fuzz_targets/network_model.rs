//! Network policies and a Dragonfly CR through the network model and the reach report.
//! Input format and checks: `dflint_fuzz::network_model` (fuzz/src/lib.rs).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dflint_fuzz::network_model(data));
