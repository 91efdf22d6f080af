//! `validate`: one AdmissionRequest in, one `ValidationResponse` out.
//!
//! The admitted object's JSON text goes to `dflint-core` unchanged (no re-serialisation), as
//! one source; in context-aware mode the resources it refers to are added as further sources,
//! so the same cross-resource rules as in the CLI see them.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use dflint_core::{lint_without_redactions, Source};

use crate::cluster::Cluster;
use crate::response::{self, Finding, CODE_BAD_REQUEST, CODE_BAD_SETTINGS, CODE_TOO_LARGE};
use crate::settings::Settings;
use dflint_core::rules::{Needs, Scope};

/// Rules that need more than the admitted object — other policies, the CR next to a
/// policy, the Secret a CR names, the monitors scraping it — as their declarations say
/// (`Scope::Bundle`). Single-object admission cannot see those resources, so these rules
/// are skipped; they would report what is merely out of sight (a policy "selecting no
/// pods", a Secret "missing").
pub fn bundle_only_codes() -> Vec<&'static str> {
    codes_where(Scope::is_bundle)
}

/// The bundle rules context-aware mode runs for some kind, because it reads all they need:
/// the Dragonfly CRs around a network policy, the ACL Secret of a CR.
pub fn context_aware_codes() -> Vec<&'static str> {
    codes_where(|scope| {
        scope.is_bundle()
            && Admitted::ALL
                .iter()
                .any(|admitted| scope.satisfied_by(admitted.context()))
    })
}

fn codes_where(keep: impl Fn(Scope) -> bool) -> Vec<&'static str> {
    dflint_core::rules::registry()
        .iter()
        .map(|rule| rule.meta())
        .filter(|meta| keep(meta.scope))
        .map(|meta| meta.code)
        .collect()
}

const OBJECT: &str = "object.json";
const ACL_SECRET: &str = "acl-secret.json";
const DRAGONFLIES: &str = "dragonflies.json";

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    request: Option<&'a RawValue>,
    #[serde(borrow, default)]
    settings: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GroupVersionKind {
    group: String,
    version: String,
    kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdmissionRequest<'a> {
    #[serde(default)]
    kind: GroupVersionKind,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(borrow, default)]
    object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    old_object: Option<&'a RawValue>,
}

/// The kinds the policy reads; everything else is accepted untouched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Admitted {
    Dragonfly,
    NetworkPolicy,
    CiliumNetworkPolicy,
    CiliumClusterwideNetworkPolicy,
    Secret,
    ConfigMap,
}

impl Admitted {
    const ALL: [Admitted; 6] = [
        Admitted::Dragonfly,
        Admitted::NetworkPolicy,
        Admitted::CiliumNetworkPolicy,
        Admitted::CiliumClusterwideNetworkPolicy,
        Admitted::Secret,
        Admitted::ConfigMap,
    ];

    /// What context-aware mode reads around an object of this kind (`gather_context`).
    fn context(self) -> &'static [Needs] {
        match self {
            Admitted::Dragonfly => &[Needs::AclSecret],
            Admitted::NetworkPolicy
            | Admitted::CiliumNetworkPolicy
            | Admitted::CiliumClusterwideNetworkPolicy => &[Needs::Dragonflies],
            Admitted::Secret | Admitted::ConfigMap => &[],
        }
    }

    fn of(kind: &GroupVersionKind) -> Option<Admitted> {
        Some(
            match (
                kind.group.as_str(),
                kind.version.as_str(),
                kind.kind.as_str(),
            ) {
                ("dragonflydb.io", "v1alpha1", "Dragonfly") => Admitted::Dragonfly,
                ("networking.k8s.io", "v1", "NetworkPolicy") => Admitted::NetworkPolicy,
                ("cilium.io", "v2", "CiliumNetworkPolicy") => Admitted::CiliumNetworkPolicy,
                ("cilium.io", "v2", "CiliumClusterwideNetworkPolicy") => {
                    Admitted::CiliumClusterwideNetworkPolicy
                }
                ("", "v1", "Secret") => Admitted::Secret,
                ("", "v1", "ConfigMap") => Admitted::ConfigMap,
                _ => return None,
            },
        )
    }
}

/// Answers one `validate` call. Never fails: unreadable input is a rejection that says why.
pub fn validate(payload: &[u8], cluster: &dyn Cluster) -> Vec<u8> {
    response::to_bytes(&answer(payload, cluster))
}

fn bad_request(
    reason: impl std::fmt::Display,
) -> kubewarden_policy_sdk::response::ValidationResponse {
    response::reject(
        CODE_BAD_REQUEST,
        format!("dflint: cannot read the admission request: {reason}"),
        vec![],
    )
}

fn answer(
    payload: &[u8],
    cluster: &dyn Cluster,
) -> kubewarden_policy_sdk::response::ValidationResponse {
    let payload: Payload = match serde_json::from_slice(payload) {
        Ok(payload) => payload,
        Err(error) => return bad_request(error),
    };
    let settings = match Settings::from_json(
        payload
            .settings
            .map_or(b"".as_slice(), |s| s.get().as_bytes()),
    ) {
        Ok(settings) => settings,
        Err(error) => {
            return response::reject(
                CODE_BAD_SETTINGS,
                format!("dflint: invalid {error}"),
                vec![],
            )
        }
    };
    let Some(request) = payload.request else {
        return bad_request("the payload has no `request`");
    };
    let request: AdmissionRequest = match serde_json::from_str(request.get()) {
        Ok(request) => request,
        Err(error) => return bad_request(error),
    };
    if matches!(request.operation.as_str(), "DELETE" | "CONNECT") {
        return response::accept(vec![]);
    }
    let Some(admitted) = Admitted::of(&request.kind) else {
        return response::accept(vec![]);
    };
    let object = match request.object {
        Some(object) if object.get() != "null" => object.get(),
        _ => return bad_request(format!("the {} request has no `object`", request.operation)),
    };
    let acl_carrier = matches!(admitted, Admitted::Secret | Admitted::ConfigMap);
    // Parsed once, and only when the policy itself needs a field; the core reads the rest.
    let head = if settings.admission.context_aware
        || (acl_carrier && settings.admission.acl_label.is_some())
    {
        serde_json::from_str::<Value>(object).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    // Opted-out Secrets and ConfigMaps are none of the policy's business, whatever their size.
    if acl_carrier {
        if let Some(label) = &settings.admission.acl_label {
            if !has_label(&head, label) {
                return response::accept(vec![]);
            }
        }
    }

    if object.len() as u64 > settings.admission.max_object_bytes {
        return response::reject(
            CODE_TOO_LARGE,
            format!(
                "dflint: the {} is {} bytes of JSON, more than the policy's limit of {} bytes (setting `maxObjectBytes`); it was not checked",
                request.kind.kind,
                object.len(),
                settings.admission.max_object_bytes
            ),
            vec![],
        );
    }
    let mut sources = vec![Source::new(OBJECT, object.to_string())];
    let mut notes = Vec::new();
    if settings.admission.context_aware {
        let namespace = object_namespace(&head).or(request.namespace.clone());
        gather_context(
            admitted,
            &head,
            namespace.as_deref(),
            cluster,
            &mut sources,
            &mut notes,
        );
    }
    // ACL findings of a CR's Secret belong to the CR; the CRs around a network policy are
    // only there to give it real ports and pods.
    let reported: &[&str] = match admitted {
        Admitted::Dragonfly => &[OBJECT, ACL_SECRET],
        _ => &[OBJECT],
    };
    let mut config = settings.lint_config();
    // The rules whose needs this request cannot meet do not run.
    let available = if settings.admission.context_aware {
        admitted.context()
    } else {
        &[]
    };
    config.ignore.extend(
        codes_where(|scope| !scope.satisfied_by(available))
            .into_iter()
            .map(str::to_string),
    );
    let diagnostics = diagnostics_in(&sources, &config, reported);
    let mut already_present = vec![false; diagnostics.len()];

    if request.operation == "UPDATE" {
        if let Some(old) = request.old_object.filter(|o| o.get() != "null") {
            if old.get().len() as u64 <= settings.admission.max_object_bytes {
                // The old object with the same surroundings (its ACL Secret, the CRs around a
                // policy), so findings that come from those count as already present too.
                let mut old_sources = vec![Source::new(OBJECT, old.get().to_string())];
                old_sources.extend(
                    sources[1..]
                        .iter()
                        .map(|s| Source::new(s.shared_name(), s.text().to_string())),
                );
                // The comparison `dflint check --baseline` makes: by rule and message, each
                // old finding accounting for one new one.
                let before = diagnostics_in(&old_sources, &config, reported);
                already_present = dflint_core::baseline::Baseline::of(&before).known(&diagnostics);
            }
        }
    }
    let findings = diagnostics
        .into_iter()
        .zip(already_present)
        .map(|(d, already_present)| Finding {
            code: d.code,
            severity: d.severity,
            message: d.message,
            already_present,
        })
        .collect();
    response::from_findings(
        findings,
        settings.reject_severity(),
        settings.admission.warn_severity.severity(),
        notes,
    )
}

/// The findings on the reported sources (the object, and a CR's ACL Secret).
fn diagnostics_in(
    sources: &[Source],
    config: &dflint_core::LintConfig,
    reported: &[&str],
) -> Vec<dflint_core::Diagnostic> {
    let mut diagnostics = lint_without_redactions(sources, config).diagnostics;
    diagnostics.retain(|d| reported.contains(&&*d.location.file));
    diagnostics
}

fn object_namespace(head: &Value) -> Option<String> {
    head.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

fn has_label(head: &Value, label: &str) -> bool {
    head.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .is_some_and(|labels| labels.contains_key(label))
}

/// Context-aware mode: adds the resources the admitted object depends on as sources.
/// A failed read becomes a warning naming the call; it never rejects on its own.
fn gather_context(
    admitted: Admitted,
    head: &Value,
    namespace: Option<&str>,
    cluster: &dyn Cluster,
    sources: &mut Vec<Source>,
    notes: &mut Vec<String>,
) {
    match admitted {
        Admitted::Dragonfly => {
            let Some(secret) = head
                .pointer("/spec/aclFromSecret/name")
                .and_then(Value::as_str)
            else {
                return;
            };
            let Some(namespace) = namespace else {
                notes.push(format!(
                    "dflint: cannot read Secret {secret} named by aclFromSecret: the request has no namespace"
                ));
                return;
            };
            match cluster.get("v1", "Secret", secret, Some(namespace)) {
                Ok(found) => sources.push(Source::new(ACL_SECRET, found.to_string())),
                Err(error) => notes.push(format!(
                    "dflint: could not read Secret {namespace}/{secret} named by aclFromSecret, so its ACL was not checked: {error}"
                )),
            }
        }
        Admitted::NetworkPolicy
        | Admitted::CiliumNetworkPolicy
        | Admitted::CiliumClusterwideNetworkPolicy => {
            let scope = match admitted {
                Admitted::CiliumClusterwideNetworkPolicy => None,
                _ => match namespace {
                    Some(namespace) => Some(namespace),
                    None => return,
                },
            };
            match cluster.list("dragonflydb.io/v1alpha1", "Dragonfly", scope) {
                Ok(items) => {
                    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
                    sources.push(Source::new(DRAGONFLIES, list.to_string()));
                }
                Err(error) => notes.push(format!(
                    "dflint: could not list the Dragonfly CRs{}, so the policy was checked against the Dragonfly label conventions only: {error}",
                    scope.map(|n| format!(" in namespace {n}")).unwrap_or_default()
                )),
            }
        }
        Admitted::Secret | Admitted::ConfigMap => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::NoCluster;
    use std::cell::RefCell;

    fn run(request: Value, settings: Value, cluster: &dyn Cluster) -> Value {
        let payload = serde_json::json!({"request": request, "settings": settings});
        serde_json::from_slice(&validate(&serde_json::to_vec(&payload).unwrap(), cluster)).unwrap()
    }

    fn request(operation: &str, group: &str, version: &str, kind: &str, object: Value) -> Value {
        serde_json::json!({
            "uid": "1", "operation": operation, "namespace": "cache",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": "x"},
            "userInfo": {"username": "alice"},
            "object": object,
        })
    }

    fn dragonfly(spec: Value) -> Value {
        serde_json::json!({
            "apiVersion": "dragonflydb.io/v1alpha1", "kind": "Dragonfly",
            "metadata": {"name": "cache", "namespace": "cache"}, "spec": spec,
        })
    }

    fn cr(spec: Value) -> Value {
        request(
            "CREATE",
            "dragonflydb.io",
            "v1alpha1",
            "Dragonfly",
            dragonfly(spec),
        )
    }

    const CLEAN: &str = r#"{"image":"docker.dragonflydb.io/dragonflydb/dragonfly:v1.36.0",
        "authentication":{"passwordFromSecret":{"name":"auth","key":"password"}},
        "resources":{"limits":{"memory":"2Gi"}}}"#;

    #[test]
    fn a_clean_cr_is_accepted_and_a_bad_one_rejected_with_codes() {
        let clean: Value = serde_json::from_str(CLEAN).unwrap();
        let answer = run(cr(clean), Value::Null, &NoCluster);
        assert_eq!(answer["accepted"], true, "{answer}");
        let answer = run(
            cr(serde_json::json!({"volumes": []})),
            Value::Null,
            &NoCluster,
        );
        assert_eq!(answer["accepted"], false);
        assert_eq!(answer["code"], 422);
        let message = answer["message"].as_str().unwrap();
        // Both errors, in the core's order (by location) within one severity.
        assert!(
            message.starts_with("dflint: DF012 Dragonfly/cache has no authentication"),
            "{message}"
        );
        assert!(
            message.contains("; DF010 `volumes` is not a field"),
            "{message}"
        );
        assert!(answer["audit_annotations"]["dflint-codes"]
            .as_str()
            .unwrap()
            .contains("DF010"));
    }

    #[test]
    fn the_ignore_annotation_is_honoured_unless_the_settings_forbid_it() {
        let mut object = dragonfly(serde_json::json!({"volumes": []}));
        object["metadata"]["annotations"] = serde_json::json!({
            "dflint.io/ignore": "DF012: the mesh authenticates every client; DF010: mounted by a webhook"
        });
        let annotated = request("CREATE", "dragonflydb.io", "v1alpha1", "Dragonfly", object);
        let answer = run(annotated.clone(), Value::Null, &NoCluster);
        assert_eq!(answer["accepted"], true, "{answer}");
        let answer = run(
            annotated,
            serde_json::json!({"allowIgnoreAnnotation": false}),
            &NoCluster,
        );
        assert_eq!(answer["accepted"], false, "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains("DF012") && message.contains("DF010"),
            "{message}"
        );
    }

    #[test]
    fn updates_reject_only_new_findings() {
        let old = dragonfly(serde_json::json!({"volumes": []}));
        let mut update = request(
            "UPDATE",
            "dragonflydb.io",
            "v1alpha1",
            "Dragonfly",
            dragonfly(serde_json::json!({"volumes": [], "replicas": 2})),
        );
        update["oldObject"] = old;
        let answer = run(update.clone(), Value::Null, &NoCluster);
        assert_eq!(answer["accepted"], true, "{answer}");
        assert!(answer["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("DF010: (already present)")));
        update["object"] = dragonfly(serde_json::json!({"volumes": [], "volumeMounts": []}));
        let answer = run(update, Value::Null, &NoCluster);
        assert_eq!(answer["accepted"], false, "a new unknown field is rejected");
    }

    #[test]
    fn unreadable_requests_are_rejected_with_a_reason() {
        let answer: Value = serde_json::from_slice(&validate(b"not json", &NoCluster)).unwrap();
        assert_eq!(answer["code"], 400);
        let answer: Value =
            serde_json::from_slice(&validate(br#"{"settings":{}}"#, &NoCluster)).unwrap();
        assert!(answer["message"].as_str().unwrap().contains("no `request`"));
        let mut no_object = cr(Value::Null);
        no_object.as_object_mut().unwrap().remove("object");
        assert_eq!(run(no_object, Value::Null, &NoCluster)["code"], 400);
        let bad_settings = run(cr(Value::Null), serde_json::json!({"nope": 1}), &NoCluster);
        assert_eq!(bad_settings["code"], 500);
    }

    #[test]
    fn deletes_and_foreign_kinds_pass() {
        let mut delete = cr(serde_json::json!({"volumes": []}));
        delete["operation"] = "DELETE".into();
        assert_eq!(run(delete, Value::Null, &NoCluster)["accepted"], true);
        let pod = request(
            "CREATE",
            "",
            "v1",
            "Pod",
            serde_json::json!({"kind": "Pod"}),
        );
        let answer = run(pod, Value::Null, &NoCluster);
        assert_eq!(answer["accepted"], true);
        assert!(answer["warnings"].is_null());
    }

    #[test]
    fn oversize_objects_are_rejected_unread() {
        let big = cr(serde_json::json!({"args": vec!["--maxmemory=1G"; 2000]}));
        let answer = run(
            big,
            serde_json::json!({"maxObjectBytes": 10000}),
            &NoCluster,
        );
        assert_eq!(answer["code"], 413);
        assert!(answer["message"].as_str().unwrap().contains("10000 bytes"));
    }

    #[test]
    fn the_limits_setting_reaches_the_linter() {
        // Nesting: the CR's JSON nests 4 levels (object, spec, resources, limits) before
        // its scalars; a limit of 3 refuses it with a DF003 that names the setting.
        let spec: Value = serde_json::from_str(CLEAN).unwrap();
        let answer = run(
            cr(spec.clone()),
            serde_json::json!({"limits": {"maxDepth": 3}}),
            &NoCluster,
        );
        assert_eq!(answer["accepted"], false, "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.starts_with("dflint: DF003 document nests deeper than 3 levels"),
            "{message}"
        );
        assert!(message.contains("`limits.maxDepth`"), "{message}");
        let fits = run(
            cr(spec),
            serde_json::json!({"limits": {"maxDepth": 4}}),
            &NoCluster,
        );
        assert_eq!(fits["accepted"], true, "{fits}");

        // Findings per rule: three unknown fields, one shown, the other two summed up.
        let answer = run(
            cr(serde_json::json!({"a": 1, "b": 2, "c": 3})),
            serde_json::json!({"limits": {"maxFindingsPerRule": 1}}),
            &NoCluster,
        );
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains("DF010 `a` is not a field"), "{message}");
        assert!(!message.contains("`b` is not a field"), "{message}");
        assert!(
            message.contains("DF010 2 more `crd-schema` findings are not shown"),
            "{message}"
        );
        assert!(message.contains("`limits.maxFindingsPerRule`"), "{message}");

        // Object size: `maxFileBytes` below the object's size refuses it as a DF003, unread.
        let answer = run(
            cr(serde_json::json!({"volumes": []})),
            serde_json::json!({"limits": {"maxFileBytes": 100}}),
            &NoCluster,
        );
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.starts_with("dflint: DF003 this file is "),
            "{message}"
        );
        assert!(!message.contains("DF010"), "{message}");
    }

    #[test]
    fn invalid_limits_are_bad_settings() {
        let answer = run(
            cr(Value::Null),
            serde_json::json!({"limits": {"maxDocumentsPerFile": 0}}),
            &NoCluster,
        );
        assert_eq!(answer["code"], 500);
        assert_eq!(
            answer["message"],
            "dflint: invalid settings `limits.maxDocumentsPerFile`: must be between 1 and 10000000, not 0"
        );
    }

    struct Recording {
        secret: Value,
        calls: RefCell<Vec<String>>,
    }

    impl Cluster for Recording {
        fn get(
            &self,
            _: &str,
            kind: &str,
            name: &str,
            namespace: Option<&str>,
        ) -> Result<Value, String> {
            self.calls
                .borrow_mut()
                .push(format!("get {kind} {namespace:?}/{name}"));
            if name == "dragonfly-acl" {
                Ok(self.secret.clone())
            } else {
                Err("not found".into())
            }
        }
        fn list(&self, _: &str, kind: &str, namespace: Option<&str>) -> Result<Vec<Value>, String> {
            self.calls
                .borrow_mut()
                .push(format!("list {kind} {namespace:?}"));
            Ok(vec![])
        }
    }

    #[test]
    fn context_aware_mode_lints_the_acl_secret_without_leaking_it() {
        let cluster = Recording {
            secret: serde_json::json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "dragonfly-acl", "namespace": "cache"},
                "stringData": {"acl.conf": "user default on >Sup3rSecretPw +@all ~*\nuser app on >Sup3rSecretPw +@all ~app:*\n"},
            }),
            calls: RefCell::new(vec![]),
        };
        let mut spec: Value = serde_json::from_str(CLEAN).unwrap();
        spec["aclFromSecret"] = serde_json::json!({"name": "dragonfly-acl", "key": "acl.conf"});
        let answer = run(
            cr(spec.clone()),
            serde_json::json!({"contextAware": true}),
            &cluster,
        );
        let text = answer.to_string();
        assert!(!text.contains("Sup3rSecretPw"), "{text}");
        assert!(text.contains("DF210"), "ACL findings are reported: {text}");
        assert!(
            !text.contains("DF010"),
            "`spec.aclFromSecret` is a CRD field: {text}"
        );
        assert_eq!(
            *cluster.calls.borrow(),
            ["get Secret Some(\"cache\")/dragonfly-acl"]
        );
        let off = run(cr(spec.clone()), Value::Null, &cluster);
        assert!(!off.to_string().contains("DF210"));
        assert_eq!(
            cluster.calls.borrow().len(),
            1,
            "no host call when context-aware is off"
        );
        spec["aclFromSecret"]["name"] = "gone".into();
        let missing = run(
            cr(spec),
            serde_json::json!({"contextAware": true}),
            &cluster,
        );
        assert!(missing["warnings"].as_array().unwrap().iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("could not read Secret cache/gone")));
    }
}
