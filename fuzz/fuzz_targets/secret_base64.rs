//! A Secret whose base64 `data` comes from the input: decoding, ACL linting, redaction.
//! Input format and checks: `dflint_fuzz::secret_base64` (fuzz/src/lib.rs).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dflint_fuzz::secret_base64(data));
