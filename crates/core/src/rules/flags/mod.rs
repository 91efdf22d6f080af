//! Dragonfly server flag rules.
