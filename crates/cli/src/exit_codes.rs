//! The exit codes every command uses: 0 clean, 1 findings (or "denied" for `acl can`), 2 a
//! usage or I/O error.

pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_USAGE_OR_IO: u8 = 2;
