//! The waPC exports policy-server calls: `protocol_version`, `validate_settings`, `validate`.
//! Every handler answers with a response, never with a guest error, so bad input shows up as a
//! clear admission answer instead of a 500 "internal server error".

use kubewarden_policy_sdk::wapc_guest::{self as guest, CallResult};

#[no_mangle]
pub extern "C" fn wapc_init() {
    guest::register_function("validate", validate);
    guest::register_function("validate_settings", validate_settings);
    guest::register_function(
        "protocol_version",
        kubewarden_policy_sdk::protocol_version_guest,
    );
}

fn validate(payload: &[u8]) -> CallResult {
    Ok(crate::validate(payload, &crate::cluster::HostCluster))
}

fn validate_settings(payload: &[u8]) -> CallResult {
    Ok(crate::settings::validate_settings_payload(payload))
}
