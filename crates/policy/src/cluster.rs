//! Reading other resources in context-aware mode, through Kubewarden's `kubernetes` host
//! capability. A trait, so the validation logic is tested on the host with a mock.

use serde_json::Value;

/// The cluster as the policy may see it.
pub trait Cluster {
    /// One object (`get_resource`).
    fn get(
        &self,
        api_version: &str,
        kind: &str,
        name: &str,
        namespace: Option<&str>,
    ) -> Result<Value, String>;
    /// Every object of a kind, in one namespace (`list_resources_by_namespace`) or in the whole
    /// cluster (`list_resources_all`).
    fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
    ) -> Result<Vec<Value>, String>;
}

/// No cluster access (single-object mode, and the default for host-side callers).
pub struct NoCluster;

impl Cluster for NoCluster {
    fn get(&self, _: &str, kind: &str, name: &str, _: Option<&str>) -> Result<Value, String> {
        Err(format!("no cluster access to read {kind} {name}"))
    }
    fn list(&self, _: &str, kind: &str, _: Option<&str>) -> Result<Vec<Value>, String> {
        Err(format!("no cluster access to list {kind}"))
    }
}

/// The policy-server host, through waPC host calls (binding `kubewarden`, namespace
/// `kubernetes`). Request payloads use the capability's snake_case field names.
#[cfg(target_arch = "wasm32")]
pub struct HostCluster;

#[cfg(target_arch = "wasm32")]
impl HostCluster {
    fn call(operation: &str, request: &Value) -> Result<Value, String> {
        let payload = serde_json::to_vec(request).map_err(|e| e.to_string())?;
        let answer = kubewarden_policy_sdk::wapc_guest::host_call(
            "kubewarden",
            "kubernetes",
            operation,
            &payload,
        )
        .map_err(|e| format!("kubernetes/{operation} failed: {e}"))?;
        serde_json::from_slice(&answer)
            .map_err(|e| format!("kubernetes/{operation} answered with unreadable JSON: {e}"))
    }
}

#[cfg(target_arch = "wasm32")]
impl Cluster for HostCluster {
    fn get(
        &self,
        api_version: &str,
        kind: &str,
        name: &str,
        namespace: Option<&str>,
    ) -> Result<Value, String> {
        let mut request = serde_json::json!({
            "api_version": api_version,
            "kind": kind,
            "name": name,
            "disable_cache": false,
        });
        if let Some(namespace) = namespace {
            request["namespace"] = Value::from(namespace);
        }
        Self::call("get_resource", &request)
    }

    fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
    ) -> Result<Vec<Value>, String> {
        let mut request = serde_json::json!({ "api_version": api_version, "kind": kind });
        let operation = match namespace {
            Some(namespace) => {
                request["namespace"] = Value::from(namespace);
                "list_resources_by_namespace"
            }
            None => "list_resources_all",
        };
        let list = Self::call(operation, &request)?;
        match list.get("items") {
            Some(Value::Array(items)) => Ok(items.clone()),
            _ => Err(format!("kubernetes/{operation} answered without `items`")),
        }
    }
}
