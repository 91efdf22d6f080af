//! Dragonfly server flag rules (DF1xx), for every command line dflint finds.

pub mod admin_nopass_disabled;
pub mod expose_http_api;
pub mod invalid_flag_value;
pub mod loopback_bind;
pub mod operator_port_changed;
pub mod other_binary_flag;
pub mod positional_argument;
pub mod primary_port_http_enabled;
pub mod repeated_flag;
pub mod retired_flag;
pub mod s3_plain_http;
pub mod unknown_flag;
pub mod unresolved_variable;
