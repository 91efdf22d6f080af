//! End-to-end tests that span front ends live in `tests/tests/`. This crate has no code of its
//! own: it exists so those tests can depend on every front end at once.
