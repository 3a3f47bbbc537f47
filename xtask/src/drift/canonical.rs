//! The form in which two descriptions are compared, with what does not matter to a client
//! taken out, so that a rewrite of upstream that changes nothing for a client changes
//! nothing here:
//!
//! - key order (mappings are compared by key);
//! - references: a `$ref` is replaced by the schema it names (component names are ours, not
//!   the API's), and a one-member `allOf` is merged into the schema holding it;
//! - parameters are keyed by place and name rather than listed;
//! - `required`, `enum` and `x-extensible-enum` are sets.
//!
//! Also here: the list of raw differences between two values (JSON path and both values),
//! and the alignment of a new document on the order of the committed one, so that a file
//! that must be rewritten changes only where something changed.

use serde_json::{Map, Value};

/// Lists whose order means nothing.
const SETS: [&str; 3] = ["required", "enum", "x-extensible-enum"];

/// The comparable form of a whole document. Component schemas are dropped: each is
/// compared where an operation uses it.
pub fn canonical(doc: &Value) -> Value {
    let mut out = doc.clone();
    if let Value::Object(root) = &mut out {
        if let Some(Value::Object(components)) = root.get_mut("components") {
            components.shift_remove("schemas");
            if components.is_empty() {
                root.shift_remove("components");
            }
        }
        if let Some(Value::Object(paths)) = root.get_mut("paths") {
            for item in paths.values_mut() {
                if let Value::Object(item) = item {
                    for operation in item.values_mut() {
                        *operation = canonical_operation(operation, doc);
                    }
                }
            }
        }
    }
    out
}

/// The comparable form of one operation of `doc`.
pub fn canonical_operation(operation: &Value, doc: &Value) -> Value {
    let Value::Object(map) = operation else {
        return operation.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let value = match (key.as_str(), value) {
            ("parameters", Value::Array(list)) => {
                let mut keyed = Map::new();
                for parameter in list {
                    let place = parameter.get("in").and_then(Value::as_str).unwrap_or("?");
                    let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
                    keyed.insert(format!("{place} {name}"), with_schemas(parameter, doc));
                }
                Value::Object(keyed)
            }
            ("requestBody", body) => with_content_schemas(body, doc),
            ("responses", Value::Object(responses)) => Value::Object(
                responses
                    .iter()
                    .map(|(status, r)| (status.clone(), with_content_schemas(r, doc)))
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

fn with_schemas(holder: &Value, doc: &Value) -> Value {
    let mut out = holder.clone();
    if let Some(schema) = out.get_mut("schema") {
        *schema = canonical_schema(schema, doc, &mut Vec::new());
    }
    out
}

fn with_content_schemas(holder: &Value, doc: &Value) -> Value {
    let mut out = holder.clone();
    if let Some(Value::Object(content)) = out.get_mut("content") {
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema") {
                *schema = canonical_schema(schema, doc, &mut Vec::new());
            }
        }
    }
    out
}

/// A schema with references resolved (a recursive one becomes `{"$recursive": name}`),
/// one-member `allOf`s merged and sets sorted.
pub fn canonical_schema(schema: &Value, doc: &Value, stack: &mut Vec<String>) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut map = map.clone();
    if let Some(name) = reference_name(&map) {
        map.shift_remove("$ref");
        if stack.contains(&name) {
            return serde_json::json!({ "$recursive": name });
        }
        let target = doc
            .pointer(&format!(
                "/components/schemas/{}",
                name.replace('~', "~0").replace('/', "~1")
            ))
            .cloned()
            .unwrap_or(Value::Null);
        stack.push(name);
        let resolved = canonical_schema(&target, doc, stack);
        stack.pop();
        return merged(resolved, map, doc, stack);
    }
    if let Some(Value::Array(members)) = map.get("allOf")
        && let [only] = members.as_slice()
    {
        let only = only.clone();
        map.shift_remove("allOf");
        let resolved = canonical_schema(&only, doc, stack);
        return merged(resolved, map, doc, stack);
    }
    let mut out = Map::new();
    for (key, value) in map {
        let value = match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => Value::Object(
                properties
                    .into_iter()
                    .map(|(name, child)| (name, canonical_schema(&child, doc, stack)))
                    .collect(),
            ),
            ("items" | "additionalProperties" | "not", child @ Value::Object(_)) => {
                canonical_schema(&child, doc, stack)
            }
            ("oneOf" | "anyOf" | "allOf", Value::Array(variants)) => Value::Array(
                variants
                    .iter()
                    .map(|v| canonical_schema(v, doc, stack))
                    .collect(),
            ),
            (set, Value::Array(mut items)) if SETS.contains(&set) => {
                items.sort_by_key(Value::to_string);
                Value::Array(items)
            }
            (_, value) => value,
        };
        out.insert(key, value);
    }
    Value::Object(out)
}

/// `base` with the keys of `siblings` (a schema's own keywords beside its reference) on top.
fn merged(
    base: Value,
    siblings: Map<String, Value>,
    doc: &Value,
    stack: &mut Vec<String>,
) -> Value {
    let siblings = canonical_schema(&Value::Object(siblings), doc, stack);
    match (base, siblings) {
        (Value::Object(mut base), Value::Object(siblings)) => {
            for (key, value) in siblings {
                base.insert(key, value);
            }
            Value::Object(base)
        }
        (base, Value::Object(siblings)) if siblings.is_empty() => base,
        (_, siblings) => siblings,
    }
}

/// The component a schema object's `$ref` names.
pub fn reference_name(map: &Map<String, Value>) -> Option<String> {
    map.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
}

/// One raw difference: where, and the value on each side (`None`: absent).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Difference {
    /// JSON path (`info.version`, `paths["/api/x"].get.summary`).
    pub path: String,
    /// The committed value.
    pub before: Option<Value>,
    /// The new value.
    pub after: Option<Value>,
}

/// Every leaf where `before` and `after` differ, under the path `at`.
pub fn differences(before: &Value, after: &Value, at: &str, out: &mut Vec<Difference>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, old) in a {
                let path = join(at, key);
                match b.get(key) {
                    Some(new) => differences(old, new, &path, out),
                    None => out.push(Difference {
                        path,
                        before: Some(old.clone()),
                        after: None,
                    }),
                }
            }
            for (key, new) in b {
                if !a.contains_key(key) {
                    out.push(Difference {
                        path: join(at, key),
                        before: None,
                        after: Some(new.clone()),
                    });
                }
            }
        }
        // Lists of objects of the same length differ item by item; a list of plain values
        // (`required`, `enum`) differs as a whole, shown as the values added and removed.
        (Value::Array(a), Value::Array(b))
            if a.len() == b.len() && a.iter().chain(b).any(|v| v.is_object() || v.is_array()) =>
        {
            for (index, (old, new)) in a.iter().zip(b).enumerate() {
                differences(old, new, &format!("{at}[{index}]"), out);
            }
        }
        _ if before == after => {}
        _ => out.push(Difference {
            path: at.to_owned(),
            before: Some(before.clone()),
            after: Some(after.clone()),
        }),
    }
}

/// `at.key`, or `at["key"]` when the key holds characters that would make the path
/// ambiguous.
pub fn join(at: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
    match (at.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{at}.{key}"),
        (_, false) => format!("{at}[{}]", Value::String(key.to_owned())),
    }
}

/// `new`, with its mappings in the key order of `old` (keys `old` lacks last) and its lists
/// of parameters and of set members in `old`'s order, so that rewriting a file changes only
/// what changed. Parameter order matters doubly: the generated methods take parameters by
/// position.
pub fn align(new: &Value, old: &Value) -> Value {
    match (new, old) {
        (Value::Object(n), Value::Object(o)) => {
            let mut out = Map::new();
            for (key, old_value) in o {
                if let Some(value) = n.get(key) {
                    out.insert(key.clone(), align(value, old_value));
                }
            }
            for (key, value) in n {
                if !out.contains_key(key) {
                    out.insert(key.clone(), value.clone());
                }
            }
            Value::Object(out)
        }
        (Value::Array(n), Value::Array(o)) => {
            let keys: Option<Vec<Value>> = n.iter().map(identity).collect();
            let old_keys: Option<Vec<Value>> = o.iter().map(identity).collect();
            if let (Some(keys), Some(old_keys)) = (keys, old_keys) {
                let mut indexed: Vec<(usize, usize, Value)> = n
                    .iter()
                    .zip(&keys)
                    .enumerate()
                    .map(|(position, (value, key))| {
                        let rank = old_keys.iter().position(|k| k == key).unwrap_or(usize::MAX);
                        let value = match old_keys.iter().position(|k| k == key) {
                            Some(at) => o
                                .get(at)
                                .map_or_else(|| value.clone(), |old| align(value, old)),
                            None => value.clone(),
                        };
                        (rank, position, value)
                    })
                    .collect();
                indexed.sort_by_key(|(rank, position, _)| (*rank, *position));
                Value::Array(indexed.into_iter().map(|(_, _, v)| v).collect())
            } else if n.len() == o.len() {
                Value::Array(n.iter().zip(o).map(|(a, b)| align(a, b)).collect())
            } else {
                new.clone()
            }
        }
        _ => new.clone(),
    }
}

/// What identifies a list member regardless of its position: a parameter's place and name,
/// or a plain value. `None` for anything else (its position is its identity).
fn identity(value: &Value) -> Option<Value> {
    match value {
        Value::Object(map) => {
            let name = map.get("name")?.as_str()?;
            let place = map.get("in")?.as_str()?;
            Some(Value::String(format!("{place} {name}")))
        }
        Value::Array(_) | Value::Null => None,
        scalar => Some(scalar.clone()),
    }
}
