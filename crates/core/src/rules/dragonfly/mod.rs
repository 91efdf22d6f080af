//! Dragonfly custom resource rules.
