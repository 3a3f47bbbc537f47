//! Last touches: response schemas made open to new values, unused components removed.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::walk::{self, METHODS};

/// Opens the enumerations of every schema a response can contain: `enum` becomes
/// `x-extensible-enum` (the known values, which the generator ignores).
///
/// A server that adds a value to an enumeration must not make old clients fail to decode the
/// whole response; the facade maps known values and keeps unknown ones. The known values stay
/// in the description, so that the drift report shows upstream adding or removing one.
/// Request schemas keep their enumerations: they help callers build valid requests.
pub fn open_response_enums(doc: &mut Value) {
    let mut response_roots = Vec::new();
    for_each_operation(doc, |operation| {
        if let Some(Value::Object(responses)) = operation.get("responses") {
            for response in responses.values() {
                collect_content_schemas(response, &mut response_roots);
            }
        }
    });
    let reachable = reachable_components(doc, &response_roots);
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            if reachable.contains(name) {
                walk::schema_tree(schema, &mut open_enum);
            }
        }
    }
    let visit = |schema: &mut Value| walk::schema_tree(schema, &mut open_enum);
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(Value::Object(responses)) =
                    item.get_mut(method).and_then(|op| op.get_mut("responses"))
                {
                    for response in responses.values_mut() {
                        if let Some(Value::Object(content)) = response.get_mut("content") {
                            for media in content.values_mut() {
                                if let Some(schema) = media.get_mut("schema") {
                                    visit(schema);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn open_enum(schema: &mut Map<String, Value>) {
    if let Some(values) = schema.shift_remove("enum") {
        schema.insert("x-extensible-enum".to_owned(), values);
    }
}

/// Removes component schemas that nothing references (directly or through other schemas).
/// Returns the names removed.
pub fn remove_unused_components(doc: &mut Value) -> Vec<String> {
    let mut roots = Vec::new();
    if let Some(paths) = doc.get("paths") {
        roots.push(paths.clone());
    }
    let reachable = reachable_components(doc, &roots);
    let mut removed = Vec::new();
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        schemas.retain(|name, _| {
            let keep = reachable.contains(name);
            if !keep {
                removed.push(name.clone());
            }
            keep
        });
    }
    removed
}

/// Sorts component schemas by name, so that their order does not depend on how they were
/// found.
pub fn sort_components(doc: &mut Value) {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        let mut entries: Vec<(String, Value)> = std::mem::take(schemas).into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        *schemas = entries.into_iter().collect::<Map<String, Value>>();
    }
}

fn for_each_operation(doc: &Value, mut f: impl FnMut(&Value)) {
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for item in paths.values() {
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    f(operation);
                }
            }
        }
    }
}

fn collect_content_schemas(body: &Value, out: &mut Vec<Value>) {
    if let Some(Value::Object(content)) = body.get("content") {
        for media in content.values() {
            if let Some(schema) = media.get("schema") {
                out.push(schema.clone());
            }
        }
    }
}

/// Names of the components reachable from `roots` through `$ref`s.
pub fn reachable_components(doc: &Value, roots: &[Value]) -> BTreeSet<String> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut seen = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    for root in roots {
        collect_refs(root, &mut pending);
    }
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
            collect_refs(schema, &mut pending);
        }
    }
    seen
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(name) = child
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        out.push(name.to_owned());
                    }
                } else {
                    collect_refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
