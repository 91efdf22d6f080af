//! ACL text through the parser, evaluator and dry run in both dialects (`acl explain`/`can`).
//! Input format and checks: `dflint_fuzz::acl_engine` (fuzz/src/lib.rs).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dflint_fuzz::acl_engine(data));
