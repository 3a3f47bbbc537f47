//! A schema seen as a client sees it: every place a value can be (the body, `report`,
//! `report.Details[]`, `report.Details[].Pts`, `headers{}`, `info<object>.result`), each with
//! its type, nullability, whether it must be present, and its enumerated values, after
//! references are followed.
//!
//! Paths: `a.b` is property `b` of property `a`; `[]` the items of an array; `{}` the values
//! of a map (`additionalProperties`); `<object>` one variant of a `oneOf` or `anyOf` (named
//! after its type, `#2` for the second of a type). The body itself is the empty path.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::canonical::reference_name;

/// Keywords a [`Node`] models; any other keyword of a schema is kept in [`Node::other`].
const MODELLED: [&str; 18] = [
    "type",
    "format",
    "nullable",
    "enum",
    "x-extensible-enum",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "allOf",
    "$ref",
    "description",
    "title",
    "summary",
    "example",
    "examples",
];

/// One place a value can be.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What is compared: `integer(int64)`, `string`, `array`, `object`, `map`,
    /// `number|string`, `any`.
    pub kind: String,
    /// What is shown: like `kind`, with item and value types (`array<object>`).
    pub shown: String,
    /// `nullable: true`.
    pub nullable: bool,
    /// Whether it must be present (a required property; the body and items always are).
    pub required: bool,
    /// `enum` values (JSON text), when the schema has an `enum`.
    pub closed: Option<BTreeSet<String>>,
    /// `x-extensible-enum` values: known values of an enumeration that accepts others.
    pub open: Option<BTreeSet<String>>,
    /// The component that describes it, if any.
    pub name: Option<String>,
    /// Other keywords (`default`, `minimum`, `readOnly`, ...), compared as they are.
    pub other: BTreeMap<String, Value>,
    /// For a schema that contains itself: the path of the enclosing place with the same
    /// schema, where the places under this one are found (see [`find`]).
    pub recursive_to: Option<String>,
}

/// The node at `path`, or at the place that holds the same values: under a recursive place,
/// the same relative path under the place it repeats; through a union that one side has and
/// the other not (`info.result` and `info<object>.result` are the same place).
pub fn find<'a>(places: &'a BTreeMap<String, Node>, path: &str) -> Option<&'a Node> {
    if let Some(node) = places.get(path) {
        return Some(node);
    }
    let plain = without_variants(path);
    for candidate in std::iter::once(plain.clone()).chain(with_variants(places, &plain)) {
        if let Some(node) = places.get(&candidate) {
            return Some(node);
        }
    }
    let mut path = path.to_owned();
    for _ in 0..32 {
        let (prefix, target) = places
            .iter()
            .filter(|(p, n)| {
                n.recursive_to.is_some() && path.starts_with(p.as_str()) && p.len() < path.len()
            })
            .max_by_key(|(p, _)| p.len())
            .and_then(|(p, n)| n.recursive_to.as_ref().map(|t| (p.clone(), t.clone())))?;
        path = format!("{target}{}", path.get(prefix.len()..).unwrap_or_default());
        if let Some(node) = places.get(&path) {
            return Some(node);
        }
    }
    None
}

/// `path` without its `<variant>` segments.
fn without_variants(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    // A variant of the body itself leaves `.name` for `<object>.name`.
    match out.strip_prefix('.') {
        Some(rest) => rest.to_owned(),
        None => out,
    }
}

/// The paths of `places` that are `plain` once their `<variant>` segments are removed.
fn with_variants(places: &BTreeMap<String, Node>, plain: &str) -> Vec<String> {
    places
        .keys()
        .filter(|p| p.contains('<') && without_variants(p) == plain)
        .cloned()
        .collect()
}

/// Every place of `schema` (resolved against `doc`), by path; `required` says whether the
/// root itself must be present.
pub fn places(schema: &Value, doc: &Value, required: bool) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    collect(schema, doc, "", required, &mut Vec::new(), &mut out);
    out
}

fn collect(
    schema: &Value,
    doc: &Value,
    path: &str,
    required: bool,
    visiting: &mut Vec<(String, String)>,
    out: &mut BTreeMap<String, Node>,
) {
    let (own, name) = effective(schema, doc);
    let values = |key: &str| {
        own.get(key).and_then(Value::as_array).map(|items| {
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<BTreeSet<_>>()
        })
    };
    out.insert(
        path.to_owned(),
        Node {
            kind: kind(&own, doc),
            shown: shown(&own, doc, &mut Vec::new()),
            nullable: own.get("nullable") == Some(&Value::Bool(true)),
            required,
            closed: values("enum"),
            open: values("x-extensible-enum"),
            name: name.clone(),
            recursive_to: name.as_ref().and_then(|name| {
                visiting
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, at)| at.clone())
            }),
            other: own
                .iter()
                .filter(|(k, _)| !MODELLED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        },
    );
    if let Some(name) = &name {
        if visiting.iter().any(|(n, _)| n == name) {
            return;
        }
        visiting.push((name.clone(), path.to_owned()));
    }
    if let Some(Value::Object(properties)) = own.get("properties") {
        let required_names: Vec<&str> = own
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (property, child) in properties {
            let child_path = if path.is_empty() {
                property.clone()
            } else {
                format!("{path}.{property}")
            };
            let child_required = required_names.contains(&property.as_str());
            collect(child, doc, &child_path, child_required, visiting, out);
        }
    }
    if let Some(items) = own.get("items") {
        collect(items, doc, &format!("{path}[]"), true, visiting, out);
    }
    match own.get("additionalProperties") {
        Some(values @ Value::Object(_)) => {
            collect(values, doc, &format!("{path}{{}}"), true, visiting, out);
        }
        Some(Value::Bool(true)) => {
            collect(
                &Value::Object(Map::new()),
                doc,
                &format!("{path}{{}}"),
                true,
                visiting,
                out,
            );
        }
        _ => {}
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = own.get(key) {
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for variant in variants {
                let (resolved, _) = effective(variant, doc);
                let label = kind(&resolved, doc);
                let count = seen.entry(label.clone()).or_default();
                *count += 1;
                let label = if *count == 1 {
                    label
                } else {
                    format!("{label}#{count}")
                };
                collect(
                    variant,
                    doc,
                    &format!("{path}<{label}>"),
                    true,
                    visiting,
                    out,
                );
            }
        }
    }
    if name.is_some() {
        visiting.pop();
    }
}

/// The schema a client decodes: references followed (the referring schema's own keywords
/// win), one-member `allOf`s merged, the members of a longer `allOf` combined. Returns the
/// name of the first component followed.
pub fn effective(schema: &Value, doc: &Value) -> (Map<String, Value>, Option<String>) {
    effective_within(schema, doc, 32)
}

/// [`effective`], following at most `depth` references and compositions (a description that
/// loops stops there instead of recursing forever).
fn effective_within(
    schema: &Value,
    doc: &Value,
    depth: usize,
) -> (Map<String, Value>, Option<String>) {
    let Value::Object(map) = schema else {
        return (Map::new(), None);
    };
    let mut own = map.clone();
    let mut name = None;
    let mut base = Map::new();
    if let Some(target) = reference_name(&own) {
        own.shift_remove("$ref");
        let pointer = format!(
            "/components/schemas/{}",
            target.replace('~', "~0").replace('/', "~1")
        );
        if depth > 0
            && let Some(resolved) = doc.pointer(&pointer)
        {
            base = effective_within(resolved, doc, depth - 1).0;
        }
        name = Some(target);
    }
    if let Some(Value::Array(members)) = own.shift_remove("allOf")
        && depth > 0
    {
        for member in &members {
            let (resolved, member_name) = effective_within(member, doc, depth - 1);
            if name.is_none() && members.len() == 1 {
                name = member_name;
            }
            combine(&mut base, resolved);
        }
    }
    for (key, value) in own {
        base.insert(key, value);
    }
    (base, name)
}

/// Adds an `allOf` member to the combined schema: properties and required names merge,
/// anything else is taken if not set yet.
fn combine(into: &mut Map<String, Value>, member: Map<String, Value>) {
    for (key, value) in member {
        match (key.as_str(), into.get_mut(&key), value) {
            ("properties", Some(Value::Object(existing)), Value::Object(more)) => {
                for (name, schema) in more {
                    existing.insert(name, schema);
                }
            }
            ("required", Some(Value::Array(existing)), Value::Array(more)) => {
                for name in more {
                    if !existing.contains(&name) {
                        existing.push(name);
                    }
                }
            }
            (_, None, value) => {
                into.insert(key, value);
            }
            _ => {}
        }
    }
}

/// The kind compared between versions.
fn kind(schema: &Map<String, Value>, doc: &Value) -> String {
    kind_within(schema, doc, 8)
}

fn kind_within(schema: &Map<String, Value>, doc: &Value, depth: usize) -> String {
    if let Some(variants) = union(schema) {
        if depth == 0 {
            return "any".to_owned();
        }
        let mut kinds: Vec<String> = variants
            .iter()
            .map(|v| kind_within(&effective(v, doc).0, doc, depth - 1))
            .collect();
        kinds.sort();
        kinds.dedup();
        return kinds.join("|");
    }
    let map_like = matches!(
        schema.get("additionalProperties"),
        Some(Value::Object(_) | Value::Bool(true))
    ) && schema.get("properties").is_none();
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => "array".to_owned(),
        Some("object") | None if map_like => "map".to_owned(),
        Some("object") => "object".to_owned(),
        None if schema.get("properties").is_some() => "object".to_owned(),
        None => "any".to_owned(),
        Some(ty) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{ty}({format})"),
            None => ty.to_owned(),
        },
    }
}

fn union(schema: &Map<String, Value>) -> Option<&Vec<Value>> {
    schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
}

/// A short type description: `integer(int64)`, `array<object>`, `map<string>`,
/// `number|string`.
pub fn shown(schema: &Map<String, Value>, doc: &Value, seen: &mut Vec<String>) -> String {
    if let Some(variants) = union(schema) {
        let mut names: Vec<String> = variants.iter().map(|v| shown_of(v, doc, seen)).collect();
        names.sort();
        names.dedup();
        return names.join("|");
    }
    match kind(schema, doc).as_str() {
        "array" => format!(
            "array<{}>",
            schema
                .get("items")
                .map_or_else(|| "any".to_owned(), |items| shown_of(items, doc, seen))
        ),
        "map" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => format!("map<{}>", shown_of(values, doc, seen)),
            _ => "map<any>".to_owned(),
        },
        other => other.to_owned(),
    }
}

fn shown_of(schema: &Value, doc: &Value, seen: &mut Vec<String>) -> String {
    let (resolved, name) = effective(schema, doc);
    if let Some(name) = &name {
        if seen.contains(name) {
            return "object".to_owned();
        }
        seen.push(name.clone());
    }
    let text = shown(&resolved, doc, seen);
    if name.is_some() {
        seen.pop();
    }
    text
}
