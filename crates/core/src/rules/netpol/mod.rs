//! DF3xx: network policies around Dragonfly pods, over the reachability model in
//! [`crate::netpol`].

pub mod admin_port_reachable;
pub mod allow_all_ingress;
pub mod dangling_policy;
pub mod data_port_namespace_wide;
pub mod data_port_open;
pub mod default_deny_disabled;
pub mod egress_without_dns;
pub mod invalid_network_policy;
pub mod memcached_port_reachable;
pub mod operator_cannot_reach;
pub mod policy_without_instance;
pub mod s3_egress;
mod support;
pub mod unauthenticated_data_port;
pub mod unprotected_instance;
