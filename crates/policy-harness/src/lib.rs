//! Loads the compiled dflint Kubewarden policy (`dflint_policy.wasm`) in wasmtime through waPC,
//! the way policy-server does, for end-to-end tests and benchmarks.
//!
//! * [`policy_wasm`] builds the policy for `wasm32-wasip1` with the `release-wasm` profile (once
//!   per process) and returns the path of the module.
//! * [`Policy`] holds the pre-instantiated module; every [`Policy::call`] runs on a **fresh
//!   instance** that is dropped afterwards, as policy-server does ("no data is shared between
//!   evaluations"). [`Policy::instance`] gives a long-lived instance for warm benchmarks.
//! * [`Host`] answers the guest's host calls: `tracing/log`, and the three read-only
//!   `kubernetes` capabilities from a list of objects the test provides. Every call is recorded.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use wapc::WapcHost;
use wasmtime_provider::{WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

/// Environment variable naming an already built policy module; when set, [`policy_wasm`]
/// returns it instead of building.
pub const WASM_ENV: &str = "DFLINT_POLICY_WASM";

/// The root of the Cargo workspace this crate is part of.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/policy-harness sits two levels below the workspace root")
        .to_path_buf()
}

/// The target directory of the nested policy build: separate from the workspace's own, so the
/// nested cargo never waits for the lock of the `cargo test` that runs us.
pub fn policy_target_dir() -> PathBuf {
    workspace_root().join("target").join("policy-wasm")
}

/// Builds `dflint-policy` for `wasm32-wasip1` with the `release-wasm` profile (at most once per
/// process) and returns the path of `dflint_policy.wasm`. Panics with cargo's output when the
/// build fails. `DFLINT_POLICY_WASM=<path>` skips the build and uses that module.
pub fn policy_wasm() -> PathBuf {
    static WASM: OnceLock<PathBuf> = OnceLock::new();
    WASM.get_or_init(|| {
        if let Some(path) = std::env::var_os(WASM_ENV) {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "{WASM_ENV}={} does not name a file",
                path.display()
            );
            return path;
        }
        build_policy_wasm()
    })
    .clone()
}

fn cargo_binary() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

fn build_policy_wasm() -> PathBuf {
    let root = workspace_root();
    let target_dir = policy_target_dir();
    let cargo = cargo_binary();
    let output = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "--locked",
            "-p",
            "dflint-policy",
            "--target",
            "wasm32-wasip1",
            "--profile",
            "release-wasm",
            "--target-dir",
        ])
        .arg(&target_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cargo.display()));
    if !output.status.success() {
        panic!(
            "building the policy failed ({}): {} build --locked -p dflint-policy --target wasm32-wasip1 \
             --profile release-wasm --target-dir {}\n--- cargo stderr ---\n{}\n--- cargo stdout ---\n{}",
            output.status,
            cargo.display(),
            target_dir.display(),
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout),
        );
    }
    let wasm = target_dir
        .join("wasm32-wasip1")
        .join("release-wasm")
        .join("dflint_policy.wasm");
    assert!(
        wasm.is_file(),
        "cargo built the policy but {} does not exist",
        wasm.display()
    );
    wasm
}

/// One call the guest made to the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCall {
    pub binding: String,
    pub namespace: String,
    pub operation: String,
    pub payload: Vec<u8>,
}

impl HostCall {
    /// The payload as JSON (Null when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.payload).unwrap_or(Value::Null)
    }

    /// `binding/namespace/operation`.
    pub fn name(&self) -> String {
        format!("{}/{}/{}", self.binding, self.namespace, self.operation)
    }

    pub fn is_log(&self) -> bool {
        self.binding == "kubewarden" && self.namespace == "tracing" && self.operation == "log"
    }
}

/// The host side of the guest's host calls.
///
/// `kubewarden/tracing/log` is answered with an empty payload. `kubewarden/kubernetes/
/// {get_resource, list_resources_by_namespace, list_resources_all}` are answered from
/// [`Host::objects`] (field masks are recorded but not applied). Every other capability is
/// refused. Clones share the call record.
#[derive(Clone, Debug, Default)]
pub struct Host {
    /// The Kubernetes objects the mock cluster holds.
    pub objects: Vec<Value>,
    /// When set, every `kubernetes` call fails with this text (as when RBAC or the policy's
    /// `contextAwareResources` refuse it).
    pub kubernetes_error: Option<String>,
    calls: Arc<Mutex<Vec<HostCall>>>,
}

impl Host {
    /// A host with an empty cluster.
    pub fn new() -> Self {
        Host::default()
    }

    /// A host whose cluster holds these objects.
    pub fn with_objects(objects: Vec<Value>) -> Self {
        Host {
            objects,
            ..Host::default()
        }
    }

    /// A host whose `kubernetes` capabilities all fail with `error`.
    pub fn failing(error: &str) -> Self {
        Host {
            kubernetes_error: Some(error.to_string()),
            ..Host::default()
        }
    }

    /// Every host call made so far, in order.
    pub fn calls(&self) -> Vec<HostCall> {
        self.calls.lock().unwrap().clone()
    }

    /// The host calls other than `tracing/log`.
    pub fn non_log_calls(&self) -> Vec<HostCall> {
        self.calls().into_iter().filter(|c| !c.is_log()).collect()
    }

    /// Forgets the recorded calls.
    pub fn clear_calls(&self) {
        self.calls.lock().unwrap().clear();
    }

    /// Answers one host call (what the waPC callback does).
    pub fn handle(
        &self,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, String> {
        self.calls.lock().unwrap().push(HostCall {
            binding: binding.to_string(),
            namespace: namespace.to_string(),
            operation: operation.to_string(),
            payload: payload.to_vec(),
        });
        match (binding, namespace, operation) {
            ("kubewarden", "tracing", "log") => Ok(Vec::new()),
            (
                "kubewarden",
                "kubernetes",
                "get_resource" | "list_resources_by_namespace" | "list_resources_all",
            ) => {
                if let Some(error) = &self.kubernetes_error {
                    return Err(error.clone());
                }
                let request: Value = serde_json::from_slice(payload)
                    .map_err(|e| format!("cannot decode {operation} request: {e}"))?;
                let answer = match operation {
                    "get_resource" => self.get_resource(&request)?,
                    "list_resources_by_namespace" => {
                        let namespace = str_field(&request, "namespace")
                            .ok_or("list_resources_by_namespace: missing namespace")?;
                        self.list(&request, Some(namespace))?
                    }
                    _ => self.list(&request, None)?,
                };
                Ok(serde_json::to_vec(&answer).expect("JSON serializes"))
            }
            _ => Err(format!(
                "host capability {binding}/{namespace}/{operation} not available"
            )),
        }
    }

    fn get_resource(&self, request: &Value) -> Result<Value, String> {
        let (api_version, kind) = api_version_kind(request)?;
        let name = str_field(request, "name").ok_or("get_resource: missing name")?;
        let namespace = str_field(request, "namespace");
        self.objects
            .iter()
            .find(|o| {
                str_field(o, "apiVersion") == Some(api_version)
                    && str_field(o, "kind") == Some(kind)
                    && object_name(o) == Some(name)
                    && object_namespace(o) == namespace
            })
            .cloned()
            .ok_or_else(|| "not found".to_string())
    }

    fn list(&self, request: &Value, namespace: Option<&str>) -> Result<Value, String> {
        let (api_version, kind) = api_version_kind(request)?;
        let label_selector = parse_selector(str_field(request, "label_selector").unwrap_or(""))?;
        let field_selector = parse_selector(str_field(request, "field_selector").unwrap_or(""))?;
        let items: Vec<Value> = self
            .objects
            .iter()
            .filter(|o| {
                str_field(o, "apiVersion") == Some(api_version)
                    && str_field(o, "kind") == Some(kind)
                    && (namespace.is_none() || object_namespace(o) == namespace)
                    && label_selector.iter().all(|req| {
                        req.matches(
                            o.pointer("/metadata/labels")
                                .and_then(|l| l.get(&req.key))
                                .and_then(Value::as_str),
                        )
                    })
                    && field_selector
                        .iter()
                        .all(|req| req.matches(field_value(o, &req.key).as_deref()))
            })
            .cloned()
            .collect();
        Ok(json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items}))
    }
}

fn str_field<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

fn object_name(object: &Value) -> Option<&str> {
    object.pointer("/metadata/name").and_then(Value::as_str)
}

fn object_namespace(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
}

fn api_version_kind(request: &Value) -> Result<(&str, &str), String> {
    let api_version = str_field(request, "api_version").ok_or("missing api_version")?;
    let kind = str_field(request, "kind").ok_or("missing kind")?;
    Ok((api_version, kind))
}

fn field_value(object: &Value, dotted: &str) -> Option<String> {
    let pointer: String = dotted.split('.').map(|p| format!("/{p}")).collect();
    match object.pointer(&pointer)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// One requirement of an equality-based selector (`k=v`, `k==v`, `k!=v`, `k`, `!k`).
struct Requirement {
    key: String,
    value: Option<String>,
    negated: bool,
}

impl Requirement {
    fn matches(&self, actual: Option<&str>) -> bool {
        let hit = match &self.value {
            Some(v) => actual == Some(v.as_str()),
            None => actual.is_some(),
        };
        hit != self.negated
    }
}

fn parse_selector(text: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let req = if let Some((k, v)) = part.split_once("!=") {
            Requirement {
                key: k.trim().into(),
                value: Some(v.trim().into()),
                negated: true,
            }
        } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            Requirement {
                key: k.trim().into(),
                value: Some(v.trim().into()),
                negated: false,
            }
        } else if let Some(k) = part.strip_prefix('!') {
            Requirement {
                key: k.trim().into(),
                value: None,
                negated: true,
            }
        } else if part.contains(' ') {
            return Err(format!(
                "selector `{part}` is not supported by the mock host"
            ));
        } else {
            Requirement {
                key: part.into(),
                value: None,
                negated: false,
            }
        };
        out.push(req);
    }
    Ok(out)
}

fn callback(host: &Host) -> Box<wapc::HostCallback> {
    let host = host.clone();
    Box::new(
        move |_id: u64, binding: &str, namespace: &str, operation: &str, payload: &[u8]| {
            host.handle(binding, namespace, operation, payload)
                .map_err(|e| e.into())
        },
    )
}

/// The compiled, pre-instantiated policy module.
pub struct Policy {
    pre: WasmtimeEngineProviderPre,
}

impl Policy {
    /// Compiles and pre-instantiates a module. With `DFLINT_WASM_PERFMAP` set, the engine
    /// writes `/tmp/perf-<pid>.map`, so `perf record` on the process names the guest's
    /// functions (build the module with `CARGO_PROFILE_RELEASE_WASM_STRIP=false` to keep
    /// their names, and point `DFLINT_POLICY_WASM` at it).
    pub fn from_bytes(wasm: &[u8]) -> Result<Policy, String> {
        let mut builder = WasmtimeEngineProviderBuilder::new().module_bytes(wasm);
        if std::env::var_os("DFLINT_WASM_PERFMAP").is_some() {
            let mut config = wasmtime::Config::default();
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
            let engine = wasmtime::Engine::new(&config)
                .map_err(|e| format!("cannot make a profiling engine: {e}"))?;
            builder = builder.engine(engine);
        }
        let pre = builder
            .build_pre()
            .map_err(|e| format!("cannot compile the policy module: {e}"))?;
        Ok(Policy { pre })
    }

    /// Like [`Policy::from_bytes`], with instances whose linear memory may not grow beyond
    /// `max_memory_bytes` (policy-server's per-policy memory limit): a guest that needs more
    /// traps instead of answering.
    pub fn from_bytes_with_memory_limit(
        wasm: &[u8],
        max_memory_bytes: usize,
    ) -> Result<Policy, String> {
        let pre = WasmtimeEngineProviderBuilder::new()
            .module_bytes(wasm)
            .enable_resource_limits(wasmtime_provider::ResourceLimits {
                max_memory_size: Some(max_memory_bytes),
                max_table_elements: None,
            })
            .build_pre()
            .map_err(|e| format!("cannot compile the policy module: {e}"))?;
        Ok(Policy { pre })
    }

    /// Reads, compiles and pre-instantiates a module file.
    pub fn load(path: &Path) -> Result<Policy, String> {
        let wasm =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Policy::from_bytes(&wasm)
    }

    /// The policy built by [`policy_wasm`], compiled once per process.
    pub fn shared() -> &'static Policy {
        static POLICY: OnceLock<Policy> = OnceLock::new();
        POLICY.get_or_init(|| {
            Policy::load(&policy_wasm()).unwrap_or_else(|e| panic!("loading the policy: {e}"))
        })
    }

    /// A new instance (`wapc_init` already run) whose host calls `host` answers.
    pub fn instance(&self, host: &Host) -> Result<Instance, String> {
        let engine = self
            .pre
            .rehydrate(None)
            .map_err(|e| format!("cannot instantiate the policy: {e}"))?;
        let wapc = WapcHost::new(Box::new(engine), Some(callback(host)))
            .map_err(|e| format!("cannot initialise the policy instance: {e}"))?;
        Ok(Instance { wapc })
    }

    /// Calls `op` on a fresh instance, as policy-server does for every request. `Err` is a
    /// guest error or a trap.
    pub fn call(&self, op: &str, payload: &[u8], host: &Host) -> Result<Vec<u8>, String> {
        self.instance(host)?.call(op, payload)
    }

    /// `protocol_version` as the JSON value the guest answers (`"v1"`).
    pub fn protocol_version(&self) -> Result<Value, String> {
        let out = self.call("protocol_version", b"", &Host::new())?;
        parse_answer("protocol_version", &out)
    }

    /// `validate_settings` with these raw settings bytes; `Err` on a guest error or trap.
    pub fn try_validate_settings(&self, settings: &[u8]) -> Result<Value, String> {
        let out = self.call("validate_settings", settings, &Host::new())?;
        parse_answer("validate_settings", &out)
    }

    /// `validate_settings`; panics on a guest error or trap.
    pub fn validate_settings(&self, settings: &[u8]) -> Value {
        self.try_validate_settings(settings)
            .unwrap_or_else(|e| panic!("validate_settings failed in the guest: {e}"))
    }

    /// `validate` with raw payload bytes; `Err` on a guest error or trap.
    pub fn try_validate_raw(&self, payload: &[u8], host: &Host) -> Result<Value, String> {
        let out = self.call("validate", payload, host)?;
        parse_answer("validate", &out)
    }

    /// `validate` of `{"request": request, "settings": settings}`; panics on a guest error or
    /// trap (a policy must always answer).
    pub fn validate(&self, request: &Value, settings: &Value, host: &Host) -> Value {
        let payload = validate_payload(request, settings);
        self.try_validate_raw(&payload, host)
            .unwrap_or_else(|e| panic!("validate failed in the guest: {e}"))
    }
}

/// A long-lived policy instance: calls on it share the guest's memory and statics.
pub struct Instance {
    wapc: WapcHost,
}

impl Instance {
    pub fn call(&self, op: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        self.wapc
            .call(op, payload)
            .map_err(|e| format!("guest call `{op}` failed: {e}"))
    }
}

/// The `validate` payload policy-server sends.
pub fn validate_payload(request: &Value, settings: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"request": request, "settings": settings})).expect("JSON serializes")
}

fn parse_answer(op: &str, out: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(out).map_err(|e| {
        format!(
            "`{op}` answered something that is not JSON ({e}): {}",
            String::from_utf8_lossy(out)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> Host {
        Host::with_objects(vec![
            json!({"apiVersion": "v1", "kind": "Secret",
                   "metadata": {"name": "acl", "namespace": "cache", "labels": {"app": "df"}},
                   "stringData": {"acl.conf": "user default on nopass ~* +@all"}}),
            json!({"apiVersion": "v1", "kind": "Secret",
                   "metadata": {"name": "acl", "namespace": "other"}}),
            json!({"apiVersion": "dragonflydb.io/v1alpha1", "kind": "Dragonfly",
                   "metadata": {"name": "df", "namespace": "cache"}}),
        ])
    }

    fn call(host: &Host, op: &str, payload: Value) -> Result<Value, String> {
        host.handle(
            "kubewarden",
            "kubernetes",
            op,
            payload.to_string().as_bytes(),
        )
        .map(|out| serde_json::from_slice(&out).unwrap())
    }

    #[test]
    fn get_resource_matches_kind_name_and_namespace() {
        let host = cluster();
        let found = call(
            &host,
            "get_resource",
            json!({"api_version": "v1", "kind": "Secret", "name": "acl", "namespace": "cache",
                   "disable_cache": false}),
        )
        .unwrap();
        assert_eq!(found["metadata"]["namespace"], "cache");
        let missing = call(
            &host,
            "get_resource",
            json!({"api_version": "v1", "kind": "Secret", "name": "nope", "namespace": "cache"}),
        );
        assert_eq!(missing, Err("not found".to_string()));
        assert_eq!(host.calls().len(), 2);
        assert_eq!(host.calls()[0].name(), "kubewarden/kubernetes/get_resource");
    }

    #[test]
    fn lists_filter_by_namespace_and_labels() {
        let host = cluster();
        let list = call(
            &host,
            "list_resources_by_namespace",
            json!({"api_version": "v1", "kind": "Secret", "namespace": "cache"}),
        )
        .unwrap();
        assert_eq!(list["kind"], "List");
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let all = call(
            &host,
            "list_resources_all",
            json!({"api_version": "v1", "kind": "Secret"}),
        )
        .unwrap();
        assert_eq!(all["items"].as_array().unwrap().len(), 2);
        let labelled = call(
            &host,
            "list_resources_all",
            json!({"api_version": "v1", "kind": "Secret", "label_selector": "app=df"}),
        )
        .unwrap();
        assert_eq!(labelled["items"].as_array().unwrap().len(), 1);
        let by_field = call(
            &host,
            "list_resources_all",
            json!({"api_version": "v1", "kind": "Secret", "field_selector": "metadata.namespace!=cache"}),
        )
        .unwrap();
        assert_eq!(by_field["items"][0]["metadata"]["namespace"], "other");
    }

    #[test]
    fn other_capabilities_and_failures() {
        let host = Host::new();
        assert_eq!(
            host.handle("kubewarden", "tracing", "log", b"{}"),
            Ok(vec![])
        );
        let err = host
            .handle("kubewarden", "oci", "v1/verify", b"{}")
            .unwrap_err();
        assert!(err.contains("not available"), "{err}");
        let failing = Host::failing("forbidden");
        let err = failing
            .handle(
                "kubewarden",
                "kubernetes",
                "get_resource",
                br#"{"api_version":"v1","kind":"Secret","name":"x"}"#,
            )
            .unwrap_err();
        assert_eq!(err, "forbidden");
        assert_eq!(host.non_log_calls().len(), 1);
    }
}
