//! A structural OpenAPI v3 schema, as a CustomResourceDefinition's `openAPIV3Schema` holds
//! it, read at run time from the CRD's document and checked against custom resources.
//!
//! Kubernetes keeps two things apart, and so does this module. The *structure* of a node
//! (`type`, `properties`, `additionalProperties`, `items` and the `x-kubernetes-*` markers)
//! decides which fields exist: the API server drops every other field (and `kubectl`'s strict
//! field validation refuses it), so an unknown field is a finding. The *value validations*
//! (`enum`, `minimum`, `pattern`, `anyOf`…) say which values are accepted; inside `anyOf`,
//! `allOf`, `oneOf` and `not` only they count, never the structure, as in Kubernetes'
//! structural schemas. `x-kubernetes-validations` (CEL) are counted, not evaluated: the
//! registry reports that once per definition.
//!
//! Messages name fields and what the schema allows (its enum values, limits and patterns),
//! never the offending value: values can be secrets.

use crate::document::{key_text, Entry, Node, ScalarStyle, Value as DocValue};
use crate::source::Span;
use serde_json::Value as Json;
use std::borrow::Cow;

// JSON types as bits, in the order messages list them ("integer or string").
pub(crate) const T_OBJECT: u8 = 1 << 0;
pub(crate) const T_ARRAY: u8 = 1 << 1;
pub(crate) const T_INTEGER: u8 = 1 << 2;
pub(crate) const T_NUMBER: u8 = 1 << 3;
pub(crate) const T_STRING: u8 = 1 << 4;
pub(crate) const T_BOOLEAN: u8 = 1 << 5;
pub(crate) const T_NULL: u8 = 1 << 6;
/// No `type` keyword.
pub(crate) const T_ANY: u8 = (1 << 7) - 1;
pub(crate) const TYPE_NAMES: [&str; 7] = [
    "object", "array", "integer", "number", "string", "boolean", "null",
];

/// One node of a schema.
#[derive(Debug, Default)]
pub struct Schema {
    /// Where the node is written in the definition's source.
    pub span: Span,
    types: u8,
    nullable: bool,
    /// `properties`, sorted by name.
    properties: Vec<(String, Schema)>,
    additional: Additional,
    required: Vec<String>,
    items: Option<Box<Schema>>,
    enumeration: Option<Vec<Json>>,
    format: Option<String>,
    /// The limit and whether it is exclusive (OpenAPI 3.0's boolean `exclusiveMinimum`).
    minimum: Option<(f64, bool)>,
    maximum: Option<(f64, bool)>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    min_properties: Option<u64>,
    max_properties: Option<u64>,
    pattern: Option<Pattern>,
    int_or_string: bool,
    preserve_unknown: bool,
    embedded_resource: bool,
    /// `x-kubernetes-list-type: set`: the elements are unique.
    list_set: bool,
    all_of: Vec<Schema>,
    any_of: Vec<Schema>,
    one_of: Vec<Schema>,
    not: Option<Box<Schema>>,
}

/// `additionalProperties`.
#[derive(Debug, Default)]
enum Additional {
    /// Not written: only the declared properties exist.
    #[default]
    Absent,
    /// `true`: any key, any value.
    Any,
    /// `false`.
    Closed,
    /// A schema for the value of every key (a map).
    Schema(Box<Schema>),
}

/// A `pattern`, compiled when the regex engine understands it.
#[derive(Debug)]
struct Pattern {
    text: String,
    regex: Option<regex_lite::Regex>,
}

/// What reading a schema noticed besides its structure.
#[derive(Debug, Default)]
pub struct Notes {
    /// `x-kubernetes-validations` keys: how many, and the first of them.
    pub cel_rules: usize,
    pub first_cel: Option<Span>,
    /// `pattern`s the regex engine cannot compile (not checked): the first one's span.
    pub uncompiled_patterns: Vec<Span>,
}

impl Schema {
    /// Reads a schema from its document node. Keywords it does not know (`description`,
    /// `default`, `example`, `x-kubernetes-list-map-keys`…) are ignored: they do not decide
    /// what a custom resource may hold.
    pub fn read(node: &Node, notes: &mut Notes) -> Schema {
        let mut schema = Schema {
            span: node.span,
            types: T_ANY,
            ..Schema::default()
        };
        let Some(entries) = node.as_map() else {
            return schema;
        };
        for entry in entries.iter() {
            let value = &entry.value;
            match key_text(&entry.key).as_ref() {
                "type" => {
                    if let Some(name) = value.as_str() {
                        if let Some(bit) = TYPE_NAMES.iter().position(|n| *n == name) {
                            schema.types = 1 << bit;
                        }
                    }
                }
                "nullable" => schema.nullable = value.as_bool() == Some(true),
                "properties" => {
                    for property in value.as_map().unwrap_or_default() {
                        let name = key_text(&property.key).into_owned();
                        schema
                            .properties
                            .push((name, Schema::read(&property.value, notes)));
                    }
                }
                "additionalProperties" => {
                    schema.additional = match value.value {
                        DocValue::Bool(true) => Additional::Any,
                        DocValue::Bool(false) => Additional::Closed,
                        _ => Additional::Schema(Box::new(Schema::read(value, notes))),
                    }
                }
                "required" => {
                    schema.required = value
                        .as_seq()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect()
                }
                "items" => schema.items = Some(Box::new(Schema::read(value, notes))),
                "enum" => {
                    schema.enumeration = value
                        .as_seq()
                        .map(|items| items.iter().map(Node::to_json).collect())
                }
                "format" => schema.format = value.as_str().map(str::to_string),
                "minimum" => schema.minimum = number(value).map(|n| (n, schema.minimum_excl())),
                "maximum" => schema.maximum = number(value).map(|n| (n, schema.maximum_excl())),
                "exclusiveMinimum" => {
                    let exclusive = value.as_bool() == Some(true);
                    schema.minimum = schema.minimum.map(|(n, _)| (n, exclusive)).or(
                        // Not yet read: remembered as NaN until `minimum` comes.
                        exclusive.then_some((f64::NAN, true)),
                    );
                }
                "exclusiveMaximum" => {
                    let exclusive = value.as_bool() == Some(true);
                    schema.maximum = schema
                        .maximum
                        .map(|(n, _)| (n, exclusive))
                        .or(exclusive.then_some((f64::NAN, true)));
                }
                "minLength" => schema.min_length = count(value),
                "maxLength" => schema.max_length = count(value),
                "minItems" => schema.min_items = count(value),
                "maxItems" => schema.max_items = count(value),
                "minProperties" => schema.min_properties = count(value),
                "maxProperties" => schema.max_properties = count(value),
                "pattern" => {
                    if let Some(text) = value.as_str() {
                        let regex = regex_lite::Regex::new(text).ok();
                        if regex.is_none() {
                            notes.uncompiled_patterns.push(value.span);
                        }
                        schema.pattern = Some(Pattern {
                            text: text.to_string(),
                            regex,
                        });
                    }
                }
                "x-kubernetes-int-or-string" => {
                    schema.int_or_string = value.as_bool() == Some(true)
                }
                "x-kubernetes-preserve-unknown-fields" => {
                    schema.preserve_unknown = value.as_bool() == Some(true)
                }
                "x-kubernetes-embedded-resource" => {
                    schema.embedded_resource = value.as_bool() == Some(true)
                }
                "x-kubernetes-list-type" => schema.list_set = value.as_str() == Some("set"),
                "x-kubernetes-validations" => {
                    notes.cel_rules += value.as_seq().map_or(1, <[Node]>::len);
                    notes.first_cel.get_or_insert(entry.key.span);
                }
                "allOf" => schema.all_of = read_all(value, notes),
                "anyOf" => schema.any_of = read_all(value, notes),
                "oneOf" => schema.one_of = read_all(value, notes),
                "not" => schema.not = Some(Box::new(Schema::read(value, notes))),
                _ => {}
            }
        }
        // A limit whose `exclusive*` came first and whose number never did is no limit.
        schema.minimum = schema.minimum.filter(|(n, _)| !n.is_nan());
        schema.maximum = schema.maximum.filter(|(n, _)| !n.is_nan());
        schema.properties.sort_by(|a, b| a.0.cmp(&b.0));
        schema
    }

    fn minimum_excl(&self) -> bool {
        self.minimum.is_some_and(|(_, e)| e)
    }

    fn maximum_excl(&self) -> bool {
        self.maximum.is_some_and(|(_, e)| e)
    }

    /// A schema of type object with these properties (Crossplane's additions to an XRD).
    pub(crate) fn object(properties: Vec<(String, Schema)>, required: &[&str]) -> Schema {
        let mut schema = Schema {
            types: T_OBJECT,
            properties,
            required: required.iter().map(|r| r.to_string()).collect(),
            ..Schema::default()
        };
        schema.properties.sort_by(|a, b| a.0.cmp(&b.0));
        schema
    }

    /// A schema of one type and nothing else.
    pub(crate) fn of_type(types: u8) -> Schema {
        Schema {
            types,
            ..Schema::default()
        }
    }

    /// A string among these values.
    pub(crate) fn string_enum(values: &[&str]) -> Schema {
        Schema {
            types: T_STRING,
            enumeration: Some(values.iter().map(|v| Json::String(v.to_string())).collect()),
            ..Schema::default()
        }
    }

    /// A map from strings to values of `value`.
    pub(crate) fn map_of(value: Schema) -> Schema {
        Schema {
            types: T_OBJECT,
            additional: Additional::Schema(Box::new(value)),
            ..Schema::default()
        }
    }

    /// An array of `items`.
    pub(crate) fn array_of(items: Schema) -> Schema {
        Schema {
            types: T_ARRAY,
            items: Some(Box::new(items)),
            ..Schema::default()
        }
    }

    /// An object whose fields are not checked.
    pub(crate) fn open_object() -> Schema {
        Schema {
            types: T_OBJECT,
            preserve_unknown: true,
            ..Schema::default()
        }
    }

    pub fn property(&self, name: &str) -> Option<&Schema> {
        self.properties
            .binary_search_by(|(known, _)| known.as_str().cmp(name))
            .ok()
            .map(|i| &self.properties[i].1)
    }

    pub(crate) fn property_mut(&mut self, name: &str) -> Option<&mut Schema> {
        self.properties
            .binary_search_by(|(known, _)| known.as_str().cmp(name))
            .ok()
            .map(|i| &mut self.properties[i].1)
    }

    /// Sets a property (replacing one of the same name).
    pub(crate) fn set_property(&mut self, name: &str, schema: Schema) {
        match self
            .properties
            .binary_search_by(|(known, _)| known.as_str().cmp(name))
        {
            Ok(i) => self.properties[i].1 = schema,
            Err(i) => self.properties.insert(i, (name.to_string(), schema)),
        }
    }

    /// Whether the schema says anything about the value at all (a CRD version's schema
    /// may be `{}` with `x-kubernetes-preserve-unknown-fields`).
    pub fn names_fields(&self) -> bool {
        !self.properties.is_empty()
    }
}

fn read_all(node: &Node, notes: &mut Notes) -> Vec<Schema> {
    node.as_seq()
        .unwrap_or_default()
        .iter()
        .map(|n| Schema::read(n, notes))
        .collect()
}

fn number(node: &Node) -> Option<f64> {
    match node.value {
        DocValue::Int(i) => Some(i as f64),
        DocValue::Float(f) => Some(f),
        _ => None,
    }
}

fn count(node: &Node) -> Option<u64> {
    node.as_i64().and_then(|n| u64::try_from(n).ok())
}

/// Where a violation is: the offending value, or the key of an unknown field.
#[derive(Clone, Copy, Debug)]
pub enum At<'v> {
    Value(&'v Node),
    Key(&'v Entry),
}

/// One place where a resource does not match its schema.
#[derive(Debug)]
pub struct Violation<'v, 's> {
    pub at: At<'v>,
    pub kind: ViolationKind,
    /// One sentence naming the field, never its value.
    pub message: String,
    /// The schema node that decided (for an unknown field, the object's).
    pub schema: &'s Schema,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    UnknownField { field: String },
    WrongType,
    Other,
}

/// How a walk names the resource in its messages.
pub struct Subject<'a> {
    /// `DragonflyInstance (database.bizmatters.io/v1alpha1)`: what an unknown field is not a
    /// field of.
    pub name: &'a str,
    /// The path the walk starts at (`spec` for a spec, empty for a whole resource).
    pub prefix: &'a [&'a str],
}

/// Checks a custom resource's fields (`apiVersion`, `kind` and `metadata` at its root are the
/// API server's own, and not looked at) against its version's schema.
pub fn validate_resource<'v, 's>(
    schema: &'s Schema,
    resource: &'v Node,
    subject: &Subject<'_>,
) -> Vec<Violation<'v, 's>> {
    let mut walk = Walk::new(subject, true);
    walk.check(schema, resource, false, true);
    walk.violations
}

/// Checks a value against a schema from where `subject.prefix` says it is.
pub fn validate_at<'v, 's>(
    schema: &'s Schema,
    value: &'v Node,
    subject: &Subject<'_>,
) -> Vec<Violation<'v, 's>> {
    let mut walk = Walk::new(subject, true);
    walk.check(schema, value, false, false);
    walk.violations
}

struct Walk<'v, 's, 'a> {
    subject: &'a Subject<'a>,
    path: Vec<Cow<'v, str>>,
    violations: Vec<Violation<'v, 's>>,
    /// Whether unknown fields count: not inside `anyOf` and the like, which only validate.
    structural: bool,
}

impl<'v, 's, 'a> Walk<'v, 's, 'a> {
    fn new(subject: &'a Subject<'a>, structural: bool) -> Self {
        Walk {
            subject,
            path: subject
                .prefix
                .iter()
                .map(|s| Cow::Owned(s.to_string()))
                .collect(),
            violations: Vec::new(),
            structural,
        }
    }

    fn report(&mut self, at: At<'v>, schema: &'s Schema, kind: ViolationKind, message: String) {
        self.violations.push(Violation {
            at,
            kind,
            message,
            schema,
        });
    }

    fn field(&self) -> String {
        field_name(&self.path)
    }

    /// `root`: the resource itself, whose `apiVersion`, `kind` and `metadata` are implied.
    fn check(&mut self, schema: &'s Schema, value: &'v Node, in_object: bool, root: bool) {
        // A `${VAR}` substitution without a value: whatever it becomes is not known here.
        if value.style == ScalarStyle::Unsubstituted {
            return;
        }
        if is_json_null(value) {
            if schema.nullable {
                return;
            }
            // The API server prunes null values of fields that are not nullable.
            if in_object {
                return;
            }
        }
        let types = if schema.int_or_string && schema.types == T_ANY {
            T_INTEGER | T_STRING
        } else if schema.int_or_string {
            schema.types | T_INTEGER | T_STRING
        } else {
            schema.types
        };
        if !type_matches(types, value) {
            let expected = type_list(types);
            let message = format!(
                "{} must be {}, not {}",
                self.field(),
                with_article(&expected),
                with_article(json_type(value)),
            );
            self.report(At::Value(value), schema, ViolationKind::WrongType, message);
            return;
        }
        match &value.value {
            DocValue::Map(entries) => self.check_object(schema, value, entries, root),
            DocValue::Seq(elements) => self.check_array(schema, value, elements),
            DocValue::Str(text) => self.check_string(schema, value, text),
            DocValue::Int(_) | DocValue::Float(_) => self.check_number(schema, value),
            _ => {}
        }
        if let Some(allowed) = &schema.enumeration {
            let json = value.to_json();
            if !allowed.iter().any(|a| same_json(a, &json)) {
                let listed: Vec<String> = allowed.iter().map(show_json).collect();
                let message = match listed.as_slice() {
                    [one] => format!("{} must be {one}", self.field()),
                    _ => format!("{} must be one of {}", self.field(), listed.join(", ")),
                };
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
        self.check_combinators(schema, value, in_object, root);
    }

    fn check_object(
        &mut self,
        schema: &'s Schema,
        value: &'v Node,
        entries: &'v [Entry],
        root: bool,
    ) {
        for property in &schema.required {
            if root && is_implied_root_field(property) {
                continue;
            }
            if !entries.iter().any(|e| key_text(&e.key) == *property) {
                let message = if self.path.is_empty() {
                    format!("the resource is missing the required field `{property}`")
                } else {
                    format!(
                        "{} is missing the required field `{property}`",
                        self.field()
                    )
                };
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
        let size = entries.len() as u64;
        if let Some(min) = schema.min_properties.filter(|m| size < *m) {
            let message = format!(
                "{} must have at least {min} {}",
                self.field(),
                plural(min, "field")
            );
            self.report(At::Value(value), schema, ViolationKind::Other, message);
        }
        if let Some(max) = schema.max_properties.filter(|m| size > *m) {
            let message = format!(
                "{} may have at most {max} {}",
                self.field(),
                plural(max, "field")
            );
            self.report(At::Value(value), schema, ViolationKind::Other, message);
        }
        for entry in entries.iter() {
            let key = key_text(&entry.key);
            if root && is_implied_root_field(&key) {
                continue;
            }
            let child = match (schema.property(&key), &schema.additional) {
                (Some(child), _) => child,
                (None, Additional::Schema(child)) => child,
                (None, Additional::Any) => continue,
                (None, Additional::Absent | Additional::Closed) => {
                    let implied = schema.embedded_resource
                        && matches!(key.as_ref(), "apiVersion" | "kind" | "metadata");
                    if !implied && !schema.preserve_unknown && self.structural {
                        self.unknown_field(schema, entry, &key);
                    }
                    continue;
                }
            };
            self.path.push(key);
            self.check(child, &entry.value, true, false);
            self.path.pop();
        }
    }

    fn unknown_field(&mut self, schema: &'s Schema, entry: &'v Entry, field: &str) {
        let suggestion = closest(field, schema.properties.iter().map(|(n, _)| n.as_str()));
        let hint = suggestion
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let mut path: Vec<&str> = self.path.iter().map(|s| s.as_ref()).collect();
        path.push(field);
        let message = format!(
            "{} is not a field of {}; the API server drops it silently{hint}",
            field_name(&path),
            self.subject.name
        );
        self.report(
            At::Key(entry),
            schema,
            ViolationKind::UnknownField {
                field: field.to_string(),
            },
            message,
        );
    }

    fn check_array(&mut self, schema: &'s Schema, value: &'v Node, elements: &'v [Node]) {
        let size = elements.len() as u64;
        if let Some(min) = schema.min_items.filter(|m| size < *m) {
            let message = format!(
                "{} must have at least {min} {}",
                self.field(),
                plural(min, "item")
            );
            self.report(At::Value(value), schema, ViolationKind::Other, message);
        }
        if let Some(max) = schema.max_items.filter(|m| size > *m) {
            let message = format!(
                "{} may have at most {max} {}",
                self.field(),
                plural(max, "item")
            );
            self.report(At::Value(value), schema, ViolationKind::Other, message);
        }
        if schema.list_set {
            let jsons: Vec<Json> = elements.iter().map(Node::to_json).collect();
            for (i, element) in elements.iter().enumerate() {
                if jsons[..i]
                    .iter()
                    .any(|earlier| same_json(earlier, &jsons[i]))
                {
                    self.path.push(Cow::Owned(i.to_string()));
                    let message = format!(
                        "{} repeats an earlier element; the list is a set (`x-kubernetes-list-type: set`)",
                        self.field()
                    );
                    self.path.pop();
                    self.report(At::Value(element), schema, ViolationKind::Other, message);
                }
            }
        }
        if let Some(items) = &schema.items {
            for (i, element) in elements.iter().enumerate() {
                self.path.push(Cow::Owned(i.to_string()));
                self.check(items, element, false, false);
                self.path.pop();
            }
        }
    }

    fn check_string(&mut self, schema: &'s Schema, value: &'v Node, text: &str) {
        let length = text.chars().count() as u64;
        if let Some(min) = schema.min_length.filter(|m| length < *m) {
            let message = format!(
                "{} must be at least {min} {} long",
                self.field(),
                plural(min, "character")
            );
            self.report(At::Value(value), schema, ViolationKind::Other, message);
        }
        if let Some(max) = schema.max_length.filter(|m| length > *m) {
            let message = format!(
                "{} may be at most {max} {} long",
                self.field(),
                plural(max, "character")
            );
            self.report(At::Value(value), schema, ViolationKind::Other, message);
        }
        if let Some(Pattern {
            text: pattern,
            regex: Some(regex),
        }) = &schema.pattern
        {
            if !regex.is_match(text) {
                let message = match pattern.as_str() {
                    QUANTITY_PATTERN => format!(
                        "{} must be a Kubernetes quantity (for example `512Mi`, `2Gi` or `500m`)",
                        self.field()
                    ),
                    _ => format!("{} must match the pattern `{pattern}`", self.field()),
                };
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
        if let Some(format) = &schema.format {
            if let Some(expected) = format_problem(format, text) {
                let message = format!("{} must be {expected} (format `{format}`)", self.field());
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
    }

    fn check_number(&mut self, schema: &'s Schema, value: &'v Node) {
        let Some(n) = number(value) else { return };
        if let Some((min, exclusive)) = schema.minimum {
            if n < min || (exclusive && n == min) {
                let bound = if exclusive {
                    "greater than"
                } else {
                    "at least"
                };
                let message = format!("{} must be {bound} {}", self.field(), show_number(min));
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
        if let Some((max, exclusive)) = schema.maximum {
            if n > max || (exclusive && n == max) {
                let bound = if exclusive { "less than" } else { "at most" };
                let message = format!("{} must be {bound} {}", self.field(), show_number(max));
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
    }

    /// `allOf`, `anyOf`, `oneOf` and `not`: value validations only.
    fn check_combinators(
        &mut self,
        schema: &'s Schema,
        value: &'v Node,
        in_object: bool,
        root: bool,
    ) {
        for branch in &schema.all_of {
            let mut inner = self.branch();
            inner.check(branch, value, in_object, root);
            self.violations.extend(inner.violations);
        }
        if !schema.any_of.is_empty() {
            let failures: Vec<_> = schema
                .any_of
                .iter()
                .map(|branch| self.branch_result(branch, value, in_object, root))
                .collect();
            if failures.iter().all(|f| !f.is_empty()) {
                let message = self.alternatives_message(&schema.any_of, &failures, "anyOf");
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
        if !schema.one_of.is_empty() {
            let failures: Vec<_> = schema
                .one_of
                .iter()
                .map(|branch| self.branch_result(branch, value, in_object, root))
                .collect();
            let matching = failures.iter().filter(|f| f.is_empty()).count();
            if matching == 0 {
                let message = self.alternatives_message(&schema.one_of, &failures, "oneOf");
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            } else if matching > 1 {
                let message = format!(
                    "{} matches {matching} of the alternatives the schema allows (`oneOf`); it must match exactly one",
                    self.field()
                );
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
        if let Some(not) = &schema.not {
            if self.branch_result(not, value, in_object, root).is_empty() {
                let message = format!("{} has a shape the schema rules out (`not`)", self.field());
                self.report(At::Value(value), schema, ViolationKind::Other, message);
            }
        }
    }

    /// A walk at the same place that only validates values.
    fn branch(&self) -> Walk<'v, 's, 'a> {
        Walk {
            subject: self.subject,
            path: self.path.clone(),
            violations: Vec::new(),
            structural: false,
        }
    }

    fn branch_result(
        &self,
        branch: &'s Schema,
        value: &'v Node,
        in_object: bool,
        root: bool,
    ) -> Vec<String> {
        let mut inner = self.branch();
        inner.check(branch, value, in_object, root);
        inner.violations.into_iter().map(|v| v.message).collect()
    }

    /// Why no alternative matched: the one reason when every branch failed for the same
    /// kind of reason on types only (`integer or string`), else how many there were.
    fn alternatives_message(
        &self,
        branches: &[Schema],
        failures: &[Vec<String>],
        keyword: &str,
    ) -> String {
        let only_types = branches.iter().all(|b| b.types != T_ANY)
            && failures
                .iter()
                .all(|f| f.len() == 1 && f[0].contains(" must be "));
        if only_types {
            let union = branches.iter().fold(0, |acc, b| acc | b.types);
            return format!(
                "{} must be {}",
                self.field(),
                with_article(&type_list(union))
            );
        }
        let first = failures
            .iter()
            .find_map(|f| f.first())
            .map(|m| format!(" (the first: {m})"))
            .unwrap_or_default();
        format!(
            "{} matches none of the {} alternatives the schema allows (`{keyword}`){first}",
            self.field(),
            branches.len()
        )
    }
}

/// `apiVersion`, `kind` and `metadata` of a resource: the API server's, not the schema's.
fn is_implied_root_field(name: &str) -> bool {
    matches!(name, "apiVersion" | "kind" | "metadata")
}

/// The quantity pattern Kubernetes writes into every CRD that embeds a quantity: named in
/// words rather than shown.
pub(crate) const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// What a string of a checked `format` must be, when it is not; `None` when it is, or when
/// the format is one the API server does not check either.
fn format_problem(format: &str, text: &str) -> Option<&'static str> {
    let ok = match format {
        "byte" => is_base64(text),
        "date-time" | "datetime" => is_date_time(text),
        "date" => is_date(text),
        "uuid" => is_uuid(text),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "cidr" => is_cidr(text),
        _ => return None,
    };
    if ok {
        return None;
    }
    Some(match format {
        "byte" => "base64 text",
        "date-time" | "datetime" => "an RFC 3339 date and time (`2024-05-01T12:00:00Z`)",
        "date" => "a date (`2024-05-01`)",
        "uuid" => "a UUID",
        "ipv4" => "an IPv4 address",
        "ipv6" => "an IPv6 address",
        _ => "a CIDR (`10.0.0.0/8`)",
    })
}

fn is_base64(text: &str) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .is_ok()
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && (1..=12).contains(&text[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&text[8..10].parse::<u8>().unwrap_or(0))
}

/// `2024-05-01T12:00:00Z`, with optional fractional seconds and a `Z` or `±hh:mm` offset.
fn is_date_time(text: &str) -> bool {
    if text.len() < 20 || !text.is_char_boundary(10) || !is_date(&text[..10]) {
        return false;
    }
    let rest = &text[10..];
    let Some(rest) = rest.strip_prefix(['T', 't', ' ']) else {
        return false;
    };
    let b = rest.as_bytes();
    let clock = |b: &[u8]| {
        b.len() == 8
            && b.iter().enumerate().all(|(i, c)| match i {
                2 | 5 => *c == b':',
                _ => c.is_ascii_digit(),
            })
    };
    if b.len() < 9 || !clock(&b[..8]) {
        return false;
    }
    let mut zone = &rest[8..];
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        zone = &fraction[digits..];
    }
    match zone.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

fn is_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_cidr(text: &str) -> bool {
    let Some((address, bits)) = text.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

/// Enum members compare as JSON values; numbers by value (`2` is `2.0`).
fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// An enum member as the schema writes it, in backticks.
fn show_json(value: &Json) -> String {
    let text = match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!("`{}`", text.replace('`', "'"))
}

fn show_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// Null in JSON: a YAML null, and a float JSON cannot hold (`.nan`, `.inf`).
pub(crate) fn is_json_null(value: &Node) -> bool {
    match value.value {
        DocValue::Null => true,
        DocValue::Float(f) => !f.is_finite(),
        _ => false,
    }
}

/// JSON Schema's `type`: an `integer` is any number without a fractional part (`2.0`
/// included), and every integer is a `number`.
pub(crate) fn type_matches(types: u8, value: &Node) -> bool {
    let bits = match value.value {
        _ if is_json_null(value) => T_NULL,
        DocValue::Null => T_NULL,
        DocValue::Bool(_) => T_BOOLEAN,
        DocValue::Int(_) => T_INTEGER | T_NUMBER,
        DocValue::Float(f) if f.fract() == 0.0 => T_INTEGER | T_NUMBER,
        DocValue::Float(_) => T_NUMBER,
        DocValue::Str(_) => T_STRING,
        DocValue::Seq(_) => T_ARRAY,
        DocValue::Map(_) => T_OBJECT,
    };
    types & bits != 0
}

/// `integer`, `integer or string`, `object, array or null`: the allowed types in a stable
/// order (the order of the bits).
pub(crate) fn type_list(types: u8) -> String {
    let names: Vec<&str> = TYPE_NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| types & (1 << bit) != 0)
        .map(|(_, name)| *name)
        .collect();
    match names.as_slice() {
        [] => "nothing".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The JSON type of a value, as JSON Schema names it (never the value itself).
pub(crate) fn json_type(value: &Node) -> &'static str {
    match value.value {
        _ if is_json_null(value) => "null",
        DocValue::Null => "null",
        DocValue::Bool(_) => "boolean",
        DocValue::Int(_) => "integer",
        DocValue::Float(_) => "number",
        DocValue::Str(_) => "string",
        DocValue::Seq(_) => "array",
        DocValue::Map(_) => "object",
    }
}

/// `an integer`, `a string`, `an integer or a string`, `null`.
pub(crate) fn with_article(types: &str) -> String {
    types
        .split(" or ")
        .map(|ty| match ty {
            "null" => "null".to_string(),
            "array" | "object" | "integer" => format!("an {ty}"),
            other => format!("a {other}"),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `snapshot.cron`, `additionalContainers[0].image`, `nodeSelector["kubernetes.io/os"]`,
/// in backticks; an empty path is `spec`.
pub(crate) fn field_name<S: AsRef<str>>(path: &[S]) -> String {
    if path.is_empty() {
        return "`spec`".to_string();
    }
    let mut name = String::new();
    for segment in path {
        let segment = segment.as_ref();
        let plain = !segment.is_empty()
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if segment.parse::<usize>().is_ok() && !name.is_empty() {
            name.push('[');
            name.push_str(segment);
            name.push(']');
        } else if plain {
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(segment);
        } else {
            name.push_str(&format!("[{}]", Json::String(segment.to_string())));
        }
    }
    format!("`{}`", name.replace('`', "'"))
}

/// A known field close to `unknown` (a typo or a case slip), when there is exactly one.
pub(crate) fn closest<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let length = unknown.chars().count();
    let limit = if length <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &'a str)> = None;
    let mut tie = false;
    for candidate in known {
        // Field names are ASCII, so a case slip keeps the length, and an edit distance is at
        // least the difference in length: most names are ruled out without computing it (a
        // file of 10,000 CRs with one unknown field each spent 7 % of its time here).
        if candidate.len().abs_diff(length) > limit {
            continue;
        }
        // ASCII case folding: the known names are ASCII (and Unicode case tables would add
        // 7 KB to the browser module for no better suggestion).
        let distance = if candidate.eq_ignore_ascii_case(unknown) {
            0
        } else {
            edit_distance(unknown, candidate)
        };
        if distance > limit {
            continue;
        }
        match best {
            Some((d, _)) if distance > d => {}
            Some((d, _)) if distance == d => tie = true,
            _ => {
                best = Some((distance, candidate));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = value;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_yaml;

    /// The messages of checking `value` (YAML) against `schema` (YAML).
    fn check(schema: &str, value: &str) -> Vec<String> {
        let schema_root = &parse_yaml(schema).roots[0];
        let schema = Schema::read(schema_root, &mut Notes::default());
        let value = &parse_yaml(value).roots[0];
        let subject = Subject {
            name: "Thing",
            prefix: &["spec"],
        };
        validate_at(&schema, value, &subject)
            .into_iter()
            .map(|v| v.message)
            .collect()
    }

    #[test]
    fn unknown_fields_depend_on_the_structure_only() {
        let schema = "type: object\nproperties: {size: {type: string}}\nanyOf: [{required: [size]}, {properties: {other: {type: string}}}]\n";
        assert_eq!(
            check(schema, "{size: a, sise: b}"),
            ["`spec.sise` is not a field of Thing; the API server drops it silently (did you mean `size`?)"]
        );
        // Properties named only inside anyOf do not make a field known.
        assert_eq!(check(schema, "{size: a, other: b}").len(), 1);
        // preserve-unknown-fields keeps unknown fields, but not below its declared properties.
        let open = "type: object\nx-kubernetes-preserve-unknown-fields: true\nproperties: {inner: {type: object, properties: {a: {type: string}}}}\n";
        assert_eq!(
            check(open, "{free: 1, inner: {a: x}}"),
            Vec::<String>::new()
        );
        assert_eq!(check(open, "{inner: {b: x}}").len(), 1);
        // Embedded resources may carry apiVersion, kind and metadata.
        let embedded = "type: object\nx-kubernetes-embedded-resource: true\nproperties: {data: {type: object, additionalProperties: {type: string}}}\n";
        assert_eq!(
            check(
                embedded,
                "{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {k: v}}"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn int_or_string_nullable_and_pruned_nulls() {
        let schema = "type: object\nproperties:\n  port: {x-kubernetes-int-or-string: true}\n  note: {type: string, nullable: true}\n  list: {type: array, items: {type: string}}\n";
        assert_eq!(
            check(schema, "{port: 80, note: null}"),
            Vec::<String>::new()
        );
        assert_eq!(check(schema, "{port: http}"), Vec::<String>::new());
        assert_eq!(
            check(schema, "{port: true, list: [a, null]}"),
            [
                "`spec.port` must be an integer or a string, not a boolean",
                "`spec.list[1]` must be a string, not null",
            ]
        );
    }

    #[test]
    fn value_validations() {
        let schema = "type: object\nproperties:\n  num: {type: integer, minimum: 2, exclusiveMinimum: true, maximum: 4}\n  s: {type: string, enum: [a, b], maxLength: 1}\n  d: {type: string, format: date}\n";
        assert_eq!(
            check(schema, "{num: 3, s: a, d: 2024-02-29}"),
            Vec::<String>::new()
        );
        assert_eq!(
            check(schema, "{num: 2, s: cc, d: 2024-13-01}"),
            [
                "`spec.num` must be greater than 2",
                "`spec.s` may be at most 1 character long",
                "`spec.s` must be one of `a`, `b`",
                "`spec.d` must be a date (`2024-05-01`) (format `date`)",
            ]
        );
        // A pattern the regex engine cannot compile is noted, not applied.
        let mut notes = Notes::default();
        let root = &parse_yaml("{type: string, pattern: '(?<=a)b'}").roots[0];
        let _ = Schema::read(root, &mut notes);
        assert_eq!(notes.uncompiled_patterns.len(), 1);
    }

    #[test]
    fn formats() {
        assert!(is_date_time("2024-05-01T12:00:00.5+02:00"));
        assert!(!is_date_time("2024-05-01 12:00"));
        assert!(is_cidr("10.0.0.0/8") && is_cidr("fd00::/64") && !is_cidr("10.0.0.0/33"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000") && !is_uuid("123"));
        assert!(is_base64("aGVsbG8=") && !is_base64("not base64!"));
    }

    #[test]
    fn cel_rules_are_counted() {
        let mut notes = Notes::default();
        let root = &parse_yaml("type: object\nx-kubernetes-validations: [{rule: a}, {rule: b}]\nproperties: {x: {type: integer, x-kubernetes-validations: [{rule: c}]}}\n").roots[0];
        let _ = Schema::read(root, &mut notes);
        assert_eq!(notes.cel_rules, 3);
        assert!(notes.first_cel.is_some());
    }
}
