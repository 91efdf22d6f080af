//! The `dflint acl can --cases` JSONL format, one query a line.
//! Input format and checks: `dflint_fuzz::acl_can_cases` (fuzz/src/lib.rs).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dflint_fuzz::acl_can_cases(data));
