//! DF4xx: checks that need more than one resource of the bundle.

pub mod lua_undeclared_keys;
pub mod memcached_default_user;
pub mod missing_secret;
pub mod monitor_port_missing;
mod support;
pub mod tls_secret_keys;
