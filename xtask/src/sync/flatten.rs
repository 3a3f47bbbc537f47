//! `allOf` compositions of plain objects merged into one object.
//!
//! Upstream composes request bodies from many small `allOf` parts (`EmailSender`,
//! `EmailSubject`, ...). One flat object generates one plain Rust struct instead of a nest of
//! wrappers. A composition is merged only when every member is (a reference to) an object
//! made of `properties` and `required`; anything else is left for the generator.

use serde_json::{Map, Value, json};

use super::walk;

/// Merges every mergeable `allOf` in `doc`.
pub fn all_of(doc: &mut Value) {
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    walk::document_roots(doc, &mut |root| {
        walk::schema_tree(root, &mut |schema| merge(schema, &components));
    });
}

fn merge(schema: &mut Map<String, Value>, components: &Map<String, Value>) {
    let Some(Value::Array(members)) = schema.get("allOf") else {
        return;
    };
    if members.len() < 2 {
        return;
    }
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for member in members {
        let Some(resolved) = resolve(member, components) else {
            return;
        };
        let plain = resolved
            .keys()
            .all(|k| matches!(k.as_str(), "type" | "properties" | "required"));
        let is_object = resolved.get("type").is_none_or(|t| t == "object");
        if !plain || !is_object {
            return;
        }
        if let Some(Value::Object(more)) = resolved.get("properties") {
            for (name, property) in more {
                properties.insert(name.clone(), property.clone());
            }
        }
        if let Some(Value::Array(names)) = resolved.get("required") {
            for name in names {
                if !required.contains(name) {
                    required.push(name.clone());
                }
            }
        }
    }
    schema.remove("allOf");
    schema.insert("type".to_owned(), json!("object"));
    if !required.is_empty() {
        schema.insert("required".to_owned(), Value::Array(required));
    }
    schema.insert("properties".to_owned(), Value::Object(properties));
}

fn resolve<'a>(
    member: &'a Value,
    components: &'a Map<String, Value>,
) -> Option<&'a Map<String, Value>> {
    let mut current = member;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.strip_prefix("#/components/schemas/")?;
                current = components.get(name)?;
            }
            None => return current.as_object(),
        }
    }
    None
}
