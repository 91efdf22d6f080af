//! Renderings of a report that every front end shares.

pub mod json;
