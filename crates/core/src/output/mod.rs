//! Renderings of a report that every front end shares.

pub mod concise;
pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
