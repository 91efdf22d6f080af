//! Dragonfly custom resource rules (DF01x–DF05x).

pub mod arg_overridden_by_operator;
pub mod client_ca_without_tls;
pub mod crd_schema;
pub mod credential_in_env;
pub mod env_not_read;
pub mod external_exposure;
pub mod host_network_exposed;
pub mod image_not_pinned;
pub mod invalid_dfly_env;
pub mod maxmemory_below_thread_minimum;
pub mod maxmemory_exceeds_limit;
pub mod network_policy_disabled;
pub mod no_authentication;
pub mod no_memory_limit;
pub mod password_in_args;
pub mod password_in_healthcheck;
pub mod pdb_min_and_max;
pub mod replica_without_masterauth;
pub mod replicas_without_spread;
pub mod reserved_label;
pub mod s3_credentials_in_env;
pub mod snapshot_cron_without_storage;
pub mod snapshot_pvc_conflict;
pub mod tls_without_auth;
pub mod unread_command;
