//! ACL rules (DF2xx): for every ACL text dflint finds (files, Secrets, ConfigMaps).

pub mod acl_in_configmap;
pub mod acl_rejected;
pub mod admin_inferred;
pub mod all_keys_tenant;
pub mod crlf_line_ending;
pub mod dangerous_command;
pub mod default_blocks_login;
pub mod default_nopass;
pub mod default_unrestricted;
pub mod duplicate_user;
pub mod invalid_hash;
pub mod keyless_commands;
pub mod missing_default_user;
pub mod namespace_experimental;
pub mod nopass_user;
pub mod overlapping_channels;
pub mod overlapping_key_patterns;
pub mod plaintext_password;
pub mod read_incomplete;
pub mod resetpass_keeps_nopass;
pub mod risky_command;
pub mod shadowed_token;
pub mod shared_password;
mod support;
pub mod template_placeholder;
pub mod weak_password;
pub mod write_not_readonly;
