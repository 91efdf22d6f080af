//! Cross-checks dflint's Dragonfly spec schema (`data/dragonfly-v1alpha1-spec.schema.json`)
//! against the dragonfly-operator CRD it was generated from, and checks what
//! `validate_spec` reports.
//!
//! The CRD is not part of this repository: it is read at run time from the `shared/`
//! directory beside it (`../shared/reference/dragonfly/dragonfly-crd.yaml` from the
//! repository root). A missing CRD fails the test; it is never skipped.

use dflint_core::document::{parse_yaml, Node, Value};
use dflint_core::dragonfly::schema::{
    spec_schema_json, validate_spec, SchemaViolation, ViolationKind, OPERATOR_VERSION,
};
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn crd_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/dragonfly/dragonfly-crd.yaml")
}

fn load_crd() -> Node {
    let path = crd_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read the dragonfly-operator {OPERATOR_VERSION} CRD at {}: {err}. The \
             cross-check needs the unmodified CRD in the `shared/` directory beside the \
             repository (shared/reference/dragonfly/dragonfly-crd.yaml); it is not part of \
             the repository.",
            path.display()
        )
    });
    let parsed = parse_yaml(&text);
    assert!(
        parsed.problems.is_empty(),
        "{}: YAML problems: {:?}",
        path.display(),
        parsed.problems
    );
    parsed
        .roots
        .into_iter()
        .find(|root| root.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition"))
        .unwrap_or_else(|| panic!("{}: no CustomResourceDefinition", path.display()))
}

/// `spec.versions[name=v1alpha1].schema.openAPIV3Schema.properties.spec`.
fn crd_spec_schema(crd: &Node) -> &Node {
    assert_eq!(
        crd.at(&["spec", "group"]).and_then(Node::as_str),
        Some("dragonflydb.io")
    );
    assert_eq!(
        crd.at(&["spec", "names", "kind"]).and_then(Node::as_str),
        Some("Dragonfly")
    );
    let versions = crd
        .at(&["spec", "versions"])
        .and_then(Node::as_seq)
        .expect("the CRD lists its versions");
    let version = versions
        .iter()
        .find(|v| v.get("name").and_then(Node::as_str) == Some("v1alpha1"))
        .expect("the CRD has a v1alpha1 version");
    version
        .at(&["schema", "openAPIV3Schema", "properties", "spec"])
        .expect("v1alpha1 has schema.openAPIV3Schema.properties.spec")
}

/// Follows `$ref`s (`#/$defs/...`) of our schema.
fn resolve<'a>(root: &'a Json, mut node: &'a Json) -> &'a Json {
    for _ in 0..16 {
        match node.get("$ref").and_then(Json::as_str) {
            Some(reference) => {
                let pointer = reference
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("non-local $ref {reference}"));
                node = root
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling $ref {reference}"));
            }
            None => return node,
        }
    }
    panic!("$ref chain too long");
}

fn crd_bool(node: &Node, key: &str) -> bool {
    node.get(key).and_then(Node::as_bool) == Some(true)
}

/// Scalars of a CRD node as JSON (for enum values and bounds).
fn crd_json(node: &Node) -> Json {
    node.to_json()
}

/// The types a CRD node allows, as a JSON Schema `type` set.
fn crd_types(node: &Node) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    if crd_bool(node, "x-kubernetes-int-or-string") {
        types.insert("integer".to_string());
        types.insert("string".to_string());
    } else if let Some(ty) = node.get("type").and_then(Node::as_str) {
        types.insert(ty.to_string());
    }
    if !types.is_empty() && crd_bool(node, "nullable") {
        types.insert("null".to_string());
    }
    types
}

fn our_types(node: &Json) -> BTreeSet<String> {
    match node.get("type") {
        Some(Json::String(ty)) => [ty.clone()].into(),
        Some(Json::Array(types)) => types
            .iter()
            .map(|t| t.as_str().expect("type names are strings").to_string())
            .collect(),
        _ => BTreeSet::new(),
    }
}

struct Checker<'a> {
    root: &'a Json,
    mismatches: Vec<String>,
    fields: usize,
}

impl Checker<'_> {
    fn mismatch(&mut self, path: &str, what: String) {
        self.mismatches.push(format!("{path}: {what}"));
    }

    fn check(&mut self, path: &str, crd: &Node, ours: &Json) {
        let ours = resolve(self.root, ours);
        self.fields += 1;

        let preserve = crd_bool(crd, "x-kubernetes-preserve-unknown-fields");
        let (want, have) = (crd_types(crd), our_types(ours));
        if want != have {
            self.mismatch(path, format!("type {want:?} in the CRD, {have:?} in ours"));
        }

        for key in ["enum", "format", "pattern", "minimum", "maximum"] {
            let want = crd.get(key).map(crd_json);
            let mut have = ours.get(key).cloned();
            if key == "enum" && crd_bool(crd, "nullable") {
                if let Some(Json::Array(options)) = &mut have {
                    options.retain(|o| !o.is_null());
                }
            }
            if want != have {
                self.mismatch(path, format!("{key} {want:?} in the CRD, {have:?} in ours"));
            }
        }

        let want_required: BTreeSet<String> = crd
            .get("required")
            .and_then(Node::as_seq)
            .map(|items| items.iter().map(Node::key_text).collect())
            .unwrap_or_default();
        let have_required: BTreeSet<String> = ours
            .get("required")
            .and_then(Json::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|r| r.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        if want_required != have_required {
            self.mismatch(
                path,
                format!("required {want_required:?} in the CRD, {have_required:?} in ours"),
            );
        }

        // Properties, both ways.
        let crd_props = crd.get("properties").and_then(Node::as_map);
        let our_props = ours.get("properties").and_then(Json::as_object);
        match (crd_props, our_props) {
            (Some(crd_props), Some(our_props)) => {
                for entry in crd_props {
                    let name = entry.key.key_text();
                    let child = format!("{path}.{name}");
                    match our_props.get(&name) {
                        Some(our_child) => self.check(&child, &entry.value, our_child),
                        None => self.mismatch(&child, "in the CRD, missing from ours".into()),
                    }
                }
                let crd_names: BTreeSet<String> =
                    crd_props.iter().map(|e| e.key.key_text()).collect();
                for name in our_props.keys() {
                    if !crd_names.contains(name) {
                        self.mismatch(&format!("{path}.{name}"), "in ours, not in the CRD".into());
                    }
                }
            }
            (Some(_), None) => {
                self.mismatch(path, "the CRD lists properties, ours does not".into())
            }
            (None, Some(_)) => {
                self.mismatch(path, "ours lists properties, the CRD does not".into())
            }
            (None, None) => {}
        }

        // Closed objects, maps and open objects.
        let crd_extra = crd.get("additionalProperties");
        let our_extra = ours.get("additionalProperties");
        match (crd_extra, our_extra) {
            (Some(crd_extra), Some(our_extra)) if crd_extra.as_map().is_some() => {
                if our_extra.is_object() {
                    self.check(&format!("{path}{{}}"), crd_extra, our_extra);
                } else {
                    self.mismatch(path, "a map in the CRD, not in ours".into());
                }
            }
            (Some(crd_extra), None) if crd_extra.as_map().is_some() => {
                self.mismatch(path, "a map in the CRD, not in ours".into())
            }
            (Some(crd_extra), our_extra) => {
                let want = crd_extra.as_bool();
                let have = our_extra.and_then(Json::as_bool);
                if want != have && !(want == Some(true) && have.is_none()) {
                    self.mismatch(
                        path,
                        format!("additionalProperties {want:?} in the CRD, {have:?} in ours"),
                    );
                }
            }
            (None, our_extra) => {
                let closed = crd_props.is_some() && !preserve;
                let have_closed = our_extra == Some(&Json::Bool(false));
                if closed != have_closed {
                    self.mismatch(
                        path,
                        format!(
                            "should be {}",
                            if closed {
                                "closed (additionalProperties: false)"
                            } else {
                                "open"
                            }
                        ),
                    );
                }
                if let Some(extra) = our_extra.filter(|e| e.is_object()) {
                    self.mismatch(path, format!("a map in ours ({extra}), not in the CRD"));
                }
            }
        }

        // Array items.
        match (crd.get("items"), ours.get("items")) {
            (Some(crd_items), Some(our_items)) => {
                self.check(&format!("{path}[]"), crd_items, our_items)
            }
            (Some(_), None) => self.mismatch(path, "items in the CRD, not in ours".into()),
            (None, Some(_)) => self.mismatch(path, "items in ours, not in the CRD".into()),
            (None, None) => {}
        }
    }
}

#[test]
fn our_schema_has_exactly_the_fields_and_types_of_the_crd() {
    let crd = load_crd();
    let spec = crd_spec_schema(&crd);
    let root = spec_schema_json();
    let mut checker = Checker {
        root,
        mismatches: Vec::new(),
        fields: 0,
    };
    checker.check("spec", spec, root);
    assert!(
        checker.mismatches.is_empty(),
        "our Dragonfly spec schema and the operator {OPERATOR_VERSION} CRD ({}) disagree in {} \
         place(s) (rerun scripts/gen-crd-schema.py?):\n{}",
        crd_path().display(),
        checker.mismatches.len(),
        checker.mismatches.join("\n")
    );
    // The walk really covered the CRD (hundreds of fields).
    assert!(
        checker.fields > 500,
        "only {} fields checked",
        checker.fields
    );
}

#[test]
fn our_schema_carries_no_upstream_prose_and_names_its_source() {
    fn walk(node: &Json, path: &str, found: &mut Vec<String>) {
        match node {
            Json::Object(map) => {
                for (key, value) in map {
                    let is_keyword_position = !path.ends_with("/properties");
                    if is_keyword_position
                        && (key == "description"
                            || key.starts_with("x-kubernetes-")
                            || key == "default"
                            || key == "anyOf")
                    {
                        found.push(format!("{path}/{key}"));
                    }
                    walk(value, &format!("{path}/{key}"), found);
                }
            }
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{i}"), found);
                }
            }
            _ => {}
        }
    }
    let root = spec_schema_json();
    let mut found = Vec::new();
    walk(root, "", &mut found);
    assert!(
        found.is_empty(),
        "keywords that must be stripped: {found:?}"
    );
    assert_eq!(
        root.pointer("/x-dflint-source/operator")
            .and_then(Json::as_str),
        Some(OPERATOR_VERSION)
    );
    assert_eq!(
        root.get("$schema").and_then(Json::as_str),
        Some("https://json-schema.org/draft/2020-12/schema")
    );
    let comment = root.get("$comment").and_then(Json::as_str).unwrap_or("");
    assert!(
        comment.contains(OPERATOR_VERSION) && comment.contains("scripts/gen-crd-schema.py"),
        "{comment}"
    );
}

/// The `spec` of the first document of `yaml`, as JSON.
fn spec_of(yaml: &str) -> Json {
    let parsed = parse_yaml(yaml);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let root = parsed.roots.first().expect("one document");
    assert!(matches!(root.value, Value::Map(_)));
    root.get("spec").expect("a spec").to_json()
}

const VALID: &str = r#"
apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: cache
spec:
  replicas: 3
  image: docker.dragonflydb.io/dragonflydb/dragonfly:v1.30.0
  imagePullPolicy: IfNotPresent
  args: ["--cache_mode=true", "--proactor_threads=2"]
  env:
    - name: DFLY_maxmemory
      valueFrom:
        resourceFieldRef:
          resource: limits.memory
          divisor: 1Mi
    - name: DFLY_requirepass
      valueFrom:
        secretKeyRef: {name: dragonfly-auth, key: password}
  resources:
    requests: {cpu: 500m, memory: 1Gi}
    limits: {cpu: 2, memory: 2Gi}
  authentication:
    passwordFromSecret: {name: dragonfly-auth, key: password}
  tlsSecretRef: {name: dragonfly-tls}
  snapshot:
    cron: "*/5 * * * *"
    persistentVolumeClaimSpec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 2Gi}
  pdb:
    minAvailable: 1
  podSecurityContext:
    runAsNonRoot: true
    fsGroup: 1000
  nodeSelector:
    kubernetes.io/os: linux
  tolerations:
    - {key: dedicated, operator: Equal, value: cache, effect: NoSchedule}
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels: {app: cache}
  additionalVolumes:
    - name: scratch
      emptyDir: {sizeLimit: 1Gi}
  initContainers:
    - name: init
      image: busybox
      command: [sh, -c, "true"]
      livenessProbe:
        httpGet: {port: 8080, path: /healthz}
  serviceSpec:
    type: ClusterIP
    annotations: {team: cache}
"#;

#[test]
fn a_valid_spec_passes() {
    let spec = spec_of(VALID);
    assert_eq!(validate_spec(&spec), Vec::<SchemaViolation>::new());
    // Empty (null) known fields are pruned by the API server, not reported.
    let spec = spec_of("spec:\n  resources:\n  env:\n  snapshot:\n");
    assert_eq!(validate_spec(&spec), Vec::<SchemaViolation>::new());
}

#[test]
fn mistakes_are_reported_at_the_right_place_without_values() {
    let spec = spec_of(
        r#"
spec:
  replicas: "3"
  tlsSecretRef: s3cr3t-tls-name
  volumes:
    - name: hunter2-volume
      secret: {secretName: hunter2-secret}
  volumeMounts:
    - {name: hunter2-volume, mountPath: /hunter2}
  snapshot:
    cronn: "*/7 * * * *"
"#,
    );
    let violations = validate_spec(&spec);
    let find = |path: &[&str]| {
        violations
            .iter()
            .find(|v| v.instance_path == path)
            .unwrap_or_else(|| panic!("nothing reported at {path:?}: {violations:#?}"))
    };

    for field in ["volumes", "volumeMounts"] {
        let v = find(&[field]);
        assert_eq!(
            v.kind,
            ViolationKind::UnknownField {
                field: field.to_string()
            }
        );
        assert_eq!(
            v.message,
            format!(
                "`{field}` is not a field of the Dragonfly spec (operator {OPERATOR_VERSION}); \
                 the API server drops it silently"
            )
        );
    }

    let cronn = find(&["snapshot", "cronn"]);
    assert_eq!(
        cronn.kind,
        ViolationKind::UnknownField {
            field: "cronn".into()
        }
    );
    assert!(cronn.message.starts_with("`snapshot.cronn` is not a field"));
    assert!(
        cronn.message.contains("did you mean `cron`?"),
        "{}",
        cronn.message
    );

    let tls = find(&["tlsSecretRef"]);
    assert_eq!(
        tls.kind,
        ViolationKind::WrongType {
            expected: "object".into()
        }
    );
    assert_eq!(
        tls.message,
        "`tlsSecretRef` must be an object, not a string"
    );

    let replicas = find(&["replicas"]);
    assert_eq!(
        replicas.kind,
        ViolationKind::WrongType {
            expected: "integer".into()
        }
    );
    assert_eq!(
        replicas.message,
        "`replicas` must be an integer, not a string"
    );

    // One violation per mistake, nothing about the insides of unknown fields.
    assert_eq!(violations.len(), 5, "{violations:#?}");
    for v in &violations {
        for value in ["s3cr3t", "hunter2", "*/7", "\"3\""] {
            assert!(
                !v.message.contains(value),
                "a message quotes a value: {}",
                v.message
            );
        }
        assert!(!v.message.contains('\n'), "{}", v.message);
    }
    assert!(!replicas.message.contains('3'));
}

#[test]
fn unknown_fields_nested_in_lists_and_shared_definitions() {
    let spec = spec_of(
        r#"
spec:
  initContainers:
    - name: init
      image: busybox
      volumeMount: []
      livenessProbe:
        httpGet: {port: 8080, paht: /healthz}
  snapshot:
    persistentVolumeClaimSpec:
      resources:
        requests: {storage: "2 GB"}
"#,
    );
    let violations = validate_spec(&spec);
    let paths: Vec<Vec<String>> = violations.iter().map(|v| v.instance_path.clone()).collect();
    let expect = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(
        paths.contains(&expect(&["initContainers", "0", "volumeMount"])),
        "{violations:#?}"
    );
    assert!(
        paths.contains(&expect(&[
            "initContainers",
            "0",
            "livenessProbe",
            "httpGet",
            "paht"
        ])),
        "{violations:#?}"
    );
    let storage = violations
        .iter()
        .find(|v| v.instance_path.last().map(String::as_str) == Some("storage"))
        .expect("the bad quantity is reported");
    assert_eq!(storage.kind, ViolationKind::Other);
    assert!(!storage.message.contains("2 GB"), "{}", storage.message);
    assert_eq!(violations.len(), 3, "{violations:#?}");
}

/// The rule walks each spec's document node (`validate_spec_node`) instead of its JSON copy:
/// on every Dragonfly spec of the repository's examples and fixtures, and on scalars JSON
/// cannot hold or types differently (`.nan`, `.inf`, integer keys, `2.0`), both walks must
/// report the same violations.
#[test]
fn the_node_walk_agrees_with_the_json_walk() {
    use dflint_core::dragonfly::schema::validate_spec_node;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    let mut pending = vec![root.join("examples"), root.join("tests")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    files.push(
        "kind: Dragonfly\nspec:\n  replicas: .nan\n  memcachedPort: .inf\n  nodeSelector: {1: a, \"2\": b}\n  resources:\n    limits: {cpu: 2.0, memory: 1.5}\n  labels: {a: null}\n  volumes: []\n  snapshot: {cronn: x}\n".to_string(),
    );
    let sorted = |mut v: Vec<SchemaViolation>| {
        v.sort_by(|a, b| (&a.instance_path, &a.message).cmp(&(&b.instance_path, &b.message)));
        v
    };
    let mut specs = 0;
    for text in &files {
        for document in &parse_yaml(text).roots {
            if document.get("kind").and_then(Node::as_str) != Some("Dragonfly") {
                continue;
            }
            let Some(spec) = document.get("spec") else {
                continue;
            };
            specs += 1;
            assert_eq!(
                sorted(validate_spec_node(spec)),
                sorted(validate_spec(&spec.to_json())),
                "{text}"
            );
        }
    }
    assert!(specs > 50, "only {specs} Dragonfly specs found");
}
