//! DF3xx: network policies around Dragonfly pods, over the reachability model in
//! [`crate::netpol`].

pub mod admin_port_reachable;
pub mod dangling_policy;
pub mod data_port_open;
pub mod default_deny_disabled;
pub mod egress_without_dns;
pub mod invalid_network_policy;
pub mod memcached_port_reachable;
pub mod operator_cannot_reach;
pub mod s3_egress;
mod support;
pub mod unprotected_instance;
