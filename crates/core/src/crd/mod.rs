//! The schemas of custom resources: every `apiextensions.k8s.io/v1` CustomResourceDefinition
//! and Crossplane CompositeResourceDefinition (XRD) found in the schema files a front end
//! hands over ([`Source::as_schema`], the CLI's `--crd`) and in the linted input itself, so
//! that a `kubectl`-style bundle of CRDs and CRs is checked without any flag.
//!
//! The registry is read before the rest of the input, in a pass of its own over the sources
//! that can hold a definition: a custom resource may come before its CRD in a stream, and the
//! rules that judge one document run as soon as it is parsed.

pub mod structural;

use crate::document::{parse_json_with, parse_yaml_each, Node};
use crate::limits::Limits;
use crate::resource::resource_roots;
use crate::source::{Source, Span};
use structural::{Notes, Schema, T_STRING};

const CRD_API_VERSION: &str = "apiextensions.k8s.io/v1";
const CRD_KIND: &str = "CustomResourceDefinition";
const XRD_KIND: &str = "CompositeResourceDefinition";
const XRD_GROUP: &str = "apiextensions.crossplane.io";

/// Every definition read, and what could not be read from the schema files.
#[derive(Debug, Default)]
pub struct Registry {
    /// Definitions from schema files first (they win over the input's), then in input order.
    pub definitions: Vec<Definition>,
    pub problems: Vec<Problem>,
    /// The definitions found in the linted input (not in schema files), by kind, counted
    /// before a copy of one given with `--crd` too is dropped.
    pub in_input: std::collections::BTreeMap<String, usize>,
}

/// One CRD or XRD.
#[derive(Debug)]
pub struct Definition {
    pub source: usize,
    /// `CustomResourceDefinition` or `CompositeResourceDefinition`.
    pub definition_kind: &'static str,
    /// Its `metadata.name`.
    pub name: String,
    /// The document's `kind` value: where findings about the definition point.
    pub at: Span,
    /// From a schema file (`--crd`) rather than the linted input.
    pub supplied: bool,
    pub notes: Notes,
    pub versions: Vec<Version>,
}

/// One kind at one version, as a definition serves it.
#[derive(Debug)]
pub struct Version {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub served: bool,
    pub role: Role,
    /// `None`: the version has no schema (nothing is checked).
    pub schema: Option<Schema>,
}

/// What a version's kind is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A CustomResourceDefinition's kind.
    Custom,
    /// A Crossplane composite resource (XR).
    Composite,
    /// A Crossplane claim (namespaced).
    Claim,
}

/// Something in a schema file that is no usable definition, or a definition (in a schema
/// file or in the input) that cannot be used.
#[derive(Debug)]
pub struct Problem {
    pub source: usize,
    pub span: Span,
    pub message: String,
}

/// What the registry knows about a resource's apiVersion and kind.
pub enum Lookup<'r> {
    /// A served version with its schema (or without one).
    Found(&'r Definition, &'r Version),
    /// The group and kind are defined, but not served at this version.
    NotServed {
        definition: &'r Definition,
        served: Vec<&'r str>,
    },
    Unknown,
}

impl Registry {
    /// Reads the definitions of the schema sources and of the sources whose text names a
    /// definition kind (the others are not parsed here).
    pub fn collect(sources: &[Source], limits: &Limits) -> Registry {
        let mut registry = Registry::default();
        for (index, source) in sources.iter().enumerate() {
            if source.is_acl() {
                continue;
            }
            let text = source.text();
            if source.unread_size().is_some() || (text.len() as u64) > limits.max_file_bytes {
                if source.is_schema() {
                    registry.problem(
                        index,
                        Span::empty(0),
                        format!(
                            "this schema file is larger than the {} bytes a file may have; it is not read (raise `--max-file-bytes`)",
                            limits.max_file_bytes
                        ),
                    );
                }
                continue;
            }
            if source.invalid_utf8_at().is_some() {
                if source.is_schema() {
                    registry.problem(
                        index,
                        Span::empty(0),
                        "this schema file is not UTF-8 text; it is not read".to_string(),
                    );
                }
                continue;
            }
            if !source.is_schema() && !text.contains(CRD_KIND) && !text.contains(XRD_KIND) {
                continue;
            }
            registry.read_source(index, source, limits);
        }
        // Supplied definitions first; otherwise input order (the sort is stable). A
        // definition both supplied and in the input (`--crd crds.yaml .`) is kept once.
        for definition in registry.definitions.iter().filter(|d| !d.supplied) {
            *registry
                .in_input
                .entry(definition.definition_kind.to_string())
                .or_insert(0) += 1;
        }
        registry.definitions.sort_by_key(|d| !d.supplied);
        let mut seen = std::collections::HashSet::new();
        registry
            .definitions
            .retain(|d| d.name.is_empty() || seen.insert((d.definition_kind, d.name.clone())));
        registry
    }

    fn problem(&mut self, source: usize, span: Span, message: String) {
        self.problems.push(Problem {
            source,
            span,
            message,
        });
    }

    fn read_source(&mut self, index: usize, source: &Source, limits: &Limits) {
        let supplied = source.is_schema();
        let mut roots = Vec::new();
        let problems = if source.name().to_ascii_lowercase().ends_with(".json") {
            let parsed = parse_json_with(source.text(), limits);
            roots = parsed.roots;
            parsed.problems
        } else {
            parse_yaml_each(source.text(), limits, &mut |root| roots.push(root))
        };
        if supplied {
            for problem in problems {
                self.problem(
                    index,
                    problem.span,
                    format!("this schema file cannot be read: {}", problem.message),
                );
            }
        }
        let mut found = 0;
        for root in &roots {
            if root.is_null() {
                continue;
            }
            for resource in resource_roots(root) {
                match self.read_definition(index, resource, supplied) {
                    Ok(()) => found += 1,
                    Err(None) => {}
                    Err(Some((span, message))) => self.problem(index, span, message),
                }
            }
        }
        if supplied && found == 0 && roots.iter().all(Node::is_null) {
            self.problem(
                index,
                Span::empty(0),
                "this schema file holds no document; it defines no custom resource".to_string(),
            );
        }
    }

    /// Reads one resource as a definition. `Err(None)`: not a definition, and not from a
    /// schema file (nothing to say); `Err(Some(..))`: what to report, and where.
    fn read_definition(
        &mut self,
        source: usize,
        root: &Node,
        supplied: bool,
    ) -> Result<(), Option<(Span, String)>> {
        let kind_node = root.get("kind");
        let kind = kind_node.and_then(Node::as_str).unwrap_or("");
        let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let at = kind_node.map_or(Span::new(root.span.start, root.span.start), |n| n.span);
        let group = api_version.split('/').next().unwrap_or("");
        let definition_kind = match kind {
            CRD_KIND if api_version == CRD_API_VERSION => CRD_KIND,
            XRD_KIND if group == XRD_GROUP => XRD_KIND,
            // Removed from Kubernetes in 1.22: the API server refuses it.
            CRD_KIND if api_version.starts_with("apiextensions.k8s.io/") => {
                return Err(Some((
                    at,
                    format!(
                        "a CustomResourceDefinition of `{api_version}` is not read: only `{CRD_API_VERSION}` is (`kubectl get crd NAME -o yaml` prints it)"
                    ),
                )))
            }
            _ if !supplied => return Err(None),
            "" => {
                return Err(Some((
                    at,
                    "this document of a schema file is no Kubernetes resource (it has no `kind`); a schema file holds CustomResourceDefinitions or Crossplane CompositeResourceDefinitions".to_string(),
                )))
            }
            other => {
                return Err(Some((
                    at,
                    format!(
                        "this document of a schema file is a `{other}`, not a CustomResourceDefinition or a Crossplane CompositeResourceDefinition; it is not read"
                    ),
                )))
            }
        };
        let spec = root.get("spec");
        let text_at = |path: &[&str]| spec.and_then(|s| s.at(path)).and_then(Node::as_str);
        let name = root
            .at(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let (Some(group), Some(kind)) = (text_at(&["group"]), text_at(&["names", "kind"])) else {
            return Err(Some((
                at,
                format!("this {definition_kind} has no `spec.group` or `spec.names.kind`; it is not read"),
            )));
        };
        let claim_kind = text_at(&["claimNames", "kind"]);
        let crossplane_v2 = api_version.ends_with("/v2");
        let mut notes = Notes::default();
        let mut versions = Vec::new();
        let mut missing_schema = Vec::new();
        for version in spec
            .and_then(|s| s.get("versions"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(name) = version.get("name").and_then(Node::as_str) else {
                continue;
            };
            let served = version
                .get("served")
                .and_then(Node::as_bool)
                .unwrap_or(false);
            let schema_node = version.at(&["schema", "openAPIV3Schema"]);
            if schema_node.is_none() && served {
                missing_schema.push(name.to_string());
            }
            let read = |notes: &mut Notes| schema_node.map(|n| Schema::read(n, notes));
            if definition_kind == CRD_KIND {
                versions.push(Version {
                    group: group.to_string(),
                    version: name.to_string(),
                    kind: kind.to_string(),
                    served,
                    role: Role::Custom,
                    schema: read(&mut notes),
                });
                continue;
            }
            let mut schema = read(&mut notes).unwrap_or_else(|| Schema::object(Vec::new(), &[]));
            crossplane_additions(&mut schema, Role::Composite, crossplane_v2);
            versions.push(Version {
                group: group.to_string(),
                version: name.to_string(),
                kind: kind.to_string(),
                served,
                role: Role::Composite,
                schema: Some(schema),
            });
            if let Some(claim) = claim_kind {
                let mut schema =
                    read(&mut Notes::default()).unwrap_or_else(|| Schema::object(Vec::new(), &[]));
                crossplane_additions(&mut schema, Role::Claim, crossplane_v2);
                versions.push(Version {
                    group: group.to_string(),
                    version: name.to_string(),
                    kind: claim.to_string(),
                    served,
                    role: Role::Claim,
                    schema: Some(schema),
                });
            }
        }
        if versions.iter().all(|v| !v.served) {
            return Err(Some((
                at,
                format!("this {definition_kind} serves no version (`spec.versions[].served`); it is not read"),
            )));
        }
        if !missing_schema.is_empty() {
            self.problem(
                source,
                at,
                format!(
                    "this {definition_kind} has no `schema.openAPIV3Schema` for version {}: resources of {kind} at that version are not checked",
                    missing_schema.join(", ")
                ),
            );
        }
        self.definitions.push(Definition {
            source,
            definition_kind,
            name,
            at,
            supplied,
            notes,
            versions,
        });
        Ok(())
    }

    /// The schema of a resource by its `apiVersion` and `kind`.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Lookup<'_> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let mut not_served = None;
        for definition in &self.definitions {
            let mut same_kind = definition
                .versions
                .iter()
                .filter(|v| v.group == group && v.kind == kind)
                .peekable();
            if same_kind.peek().is_none() {
                continue;
            }
            let mut served = Vec::new();
            for candidate in same_kind {
                if candidate.served && candidate.version == version {
                    return Lookup::Found(definition, candidate);
                }
                if candidate.served {
                    served.push(candidate.version.as_str());
                }
            }
            not_served.get_or_insert(Lookup::NotServed { definition, served });
        }
        not_served.unwrap_or(Lookup::Unknown)
    }

    /// The schema of a resource root (`None` when no definition names its group and kind).
    pub fn lookup_root(&self, root: &Node) -> Lookup<'_> {
        let kind = root.get("kind").and_then(Node::as_str);
        let api_version = root.get("apiVersion").and_then(Node::as_str);
        match (api_version, kind) {
            (Some(api_version), Some(kind)) if !self.definitions.is_empty() => {
                self.lookup(api_version, kind)
            }
            _ => Lookup::Unknown,
        }
    }

    /// Whether some resource of a document has a definition here.
    pub fn covers(&self, root: &Node) -> bool {
        !self.definitions.is_empty()
            && resource_roots(root)
                .into_iter()
                .any(|r| !matches!(self.lookup_root(r), Lookup::Unknown))
    }

    pub fn is_empty(&self) -> bool {
        self.definitions.is_empty() && self.problems.is_empty()
    }
}

impl Definition {
    /// `CompositeResourceDefinition xdragonflyinstances.database.bizmatters.io`.
    pub fn title(&self) -> String {
        format!("{} `{}`", self.definition_kind, self.name)
    }
}

/// The fields Crossplane adds to the spec of every XR and claim it generates a CRD for
/// (`internal/xcrd/schemas.go@02fc2c3`, `CompositeResourceSpecProps` and
/// `CompositeResourceClaimSpecProps`): a claim that sets `compositionRef` is valid although
/// the XRD never names it. Crossplane v2 moves them under `spec.crossplane`, which is left
/// open here.
fn crossplane_additions(schema: &mut Schema, role: Role, v2: bool) {
    let string = || Schema::of_type(T_STRING);
    let named = || Schema::object(vec![("name".into(), string())], &["name"]);
    let labels = || Schema::map_of(string());
    let typed_ref = |required: &[&str]| {
        Schema::object(
            ["apiVersion", "kind", "name", "namespace"]
                .iter()
                .filter(|f| required.contains(f) || **f != "namespace")
                .map(|f| (f.to_string(), string()))
                .collect(),
            required,
        )
    };
    let mut added: Vec<(&str, Schema)> = Vec::new();
    if v2 {
        added.push(("crossplane", Schema::open_object()));
    } else {
        added.push(("compositionRef", named()));
        added.push((
            "compositionSelector",
            Schema::object(vec![("matchLabels".into(), labels())], &["matchLabels"]),
        ));
        added.push(("compositionRevisionRef", named()));
        added.push((
            "compositionRevisionSelector",
            Schema::object(vec![("matchLabels".into(), labels())], &["matchLabels"]),
        ));
        added.push((
            "compositionUpdatePolicy",
            Schema::string_enum(&["Automatic", "Manual"]),
        ));
        let publish = Schema::object(
            vec![
                ("name".into(), string()),
                (
                    "configRef".into(),
                    Schema::object(vec![("name".into(), string())], &[]),
                ),
                (
                    "metadata".into(),
                    Schema::object(
                        vec![
                            ("labels".into(), labels()),
                            ("annotations".into(), labels()),
                            ("type".into(), string()),
                        ],
                        &[],
                    ),
                ),
            ],
            &["name"],
        );
        added.push(("publishConnectionDetailsTo", publish));
        match role {
            Role::Claim => {
                added.push((
                    "compositeDeletePolicy",
                    Schema::string_enum(&["Background", "Foreground"]),
                ));
                added.push(("resourceRef", typed_ref(&["apiVersion", "kind", "name"])));
                added.push(("writeConnectionSecretToRef", named()));
            }
            _ => {
                added.push((
                    "claimRef",
                    typed_ref(&["apiVersion", "kind", "namespace", "name"]),
                ));
                added.push((
                    "resourceRefs",
                    Schema::array_of(Schema::object(
                        vec![
                            ("apiVersion".into(), string()),
                            ("kind".into(), string()),
                            ("name".into(), string()),
                        ],
                        &["apiVersion", "kind"],
                    )),
                ));
                added.push((
                    "writeConnectionSecretToRef",
                    Schema::object(
                        vec![("name".into(), string()), ("namespace".into(), string())],
                        &["name", "namespace"],
                    ),
                ));
                added.push((
                    "environmentConfigRefs",
                    Schema::array_of(Schema::open_object()),
                ));
            }
        }
    }
    if schema.property("spec").is_none() {
        schema.set_property("spec", Schema::object(Vec::new(), &[]));
    }
    if let Some(spec) = schema.property_mut("spec") {
        for (name, field) in added {
            spec.set_property(name, field);
        }
    }
    if schema.property("status").is_none() {
        schema.set_property("status", Schema::open_object());
    }
}
