//! Suppression rules: a suppression must say why, must be readable, and must suppress
//! something (see crate::suppression for the three ways to write one).

pub mod invalid_suppression;
pub mod unused_suppression;

/// Whether the driver must hold this rule back until the suppressions were applied.
pub fn runs_after_suppressions(meta: &super::RuleMeta) -> bool {
    std::ptr::eq(
        meta,
        super::Rule::meta(&unused_suppression::UnusedSuppression),
    )
}
