//! Inline object schemas become named components.
//!
//! progenitor names inline types after the operation and the field path, which makes names
//! long and unstable. Here every inline object (request and response bodies, object
//! properties, array items, map values) becomes a component with a predictable name:
//!
//! | where | name |
//! |---|---|
//! | request body of `createProject` | `CreateProjectRequest` |
//! | response body of `getSandboxes` | `GetSandboxesResponse` (`...Item` for array items) |
//! | property `report` of `Foo` | `FooReport` (`...Item` for array items, `...Value` for maps) |
//!
//! Identical schemas are not merged automatically (two `{name}` objects are not the same
//! thing); the overlay renames what deserves a better name (`Message`, `SpamReport`, ...) and
//! aliases duplicates to one schema.

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

use super::walk::METHODS;

/// Hoists every inline object schema of `doc` into `components.schemas`.
pub fn hoist(doc: &mut Value) {
    let mut hoister = Hoister::default();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        hoister.components = schemas.clone();
    }

    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            for method in METHODS {
                let Some(Value::Object(operation)) = item.get_mut(method) else {
                    continue;
                };
                let id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(method)
                    .to_upper_camel_case();
                if let Some(body) = operation.get_mut("requestBody") {
                    for_each_body_schema(body, |schema| {
                        hoister.top_level(schema, &format!("{id}Request"));
                    });
                }
                if let Some(Value::Object(responses)) = operation.get_mut("responses") {
                    for response in responses.values_mut() {
                        for_each_body_schema(response, |schema| {
                            hoister.top_level(schema, &format!("{id}Response"));
                        });
                    }
                }
            }
        }
    }

    // Components, including those just hoisted: nested inline objects get names too.
    let mut index = 0;
    while let Some(name) = hoister.components.keys().nth(index).cloned() {
        if let Some(mut schema) = hoister.components.get(&name).cloned() {
            hoister.nested(&mut schema, &name);
            hoister.components.insert(name, schema);
        }
        index += 1;
    }

    if let Value::Object(root) = doc {
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(components) = components {
            components.insert(
                "schemas".to_owned(),
                Value::Object(std::mem::take(&mut hoister.components)),
            );
        }
    }
}

fn for_each_body_schema(body: &mut Value, mut f: impl FnMut(&mut Value)) {
    if let Some(Value::Object(content)) = body.get_mut("content") {
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema") {
                f(schema);
            }
        }
    }
}

#[derive(Default)]
struct Hoister {
    components: Map<String, Value>,
}

impl Hoister {
    /// A body schema: an inline object is hoisted; so are the items of an inline array.
    fn top_level(&mut self, schema: &mut Value, name: &str) {
        if is_array(schema) {
            if let Some(items) = schema.get_mut("items")
                && deserves_name(items)
            {
                let reference = self.add(items.take(), &format!("{name}Item"));
                *items = reference;
            }
        } else if deserves_name(schema) {
            let reference = self.add(schema.take(), name);
            *schema = reference;
        }
    }

    /// Hoists the inline objects nested in the properties, items and map values of `schema`.
    fn nested(&mut self, schema: &mut Value, parent: &str) {
        let Value::Object(map) = schema else { return };
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            for (property, child) in properties.iter_mut() {
                let name = format!("{parent}{}", property.to_upper_camel_case());
                self.slot(child, &name);
            }
        }
        if let Some(items) = map.get_mut("items") {
            self.slot(items, &format!("{parent}Item"));
        }
        if let Some(values) = map.get_mut("additionalProperties") {
            self.slot(values, &format!("{parent}Value"));
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(variants)) = map.get_mut(key) {
                for variant in variants {
                    self.nested(variant, parent);
                }
            }
        }
    }

    /// A place that holds one schema: hoist it if it is an inline object, or look into the
    /// items of an inline array.
    fn slot(&mut self, child: &mut Value, name: &str) {
        if deserves_name(child) {
            let reference = self.add(child.take(), name);
            *child = reference;
        } else if is_array(child) {
            if let Some(items) = child.get_mut("items") {
                self.slot(items, &format!("{name}Item"));
            }
        } else if let Some(values @ Value::Object(_)) = child.get_mut("additionalProperties") {
            self.slot(values, &format!("{name}Value"));
        }
    }

    /// Adds `schema` under `name` (or `name2`, `name3`... when taken).
    fn add(&mut self, schema: Value, name: &str) -> Value {
        let mut chosen = name.to_owned();
        let mut n = 2;
        while self.components.contains_key(&chosen) {
            chosen = format!("{name}{n}");
            n += 1;
        }
        self.components.insert(chosen.clone(), schema);
        reference(&chosen)
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn is_array(schema: &Value) -> bool {
    schema.get("type") == Some(&json!("array"))
}

/// Objects with properties, and unions of several variants, deserve a name of their own.
fn deserves_name(schema: &Value) -> bool {
    let Value::Object(map) = schema else {
        return false;
    };
    if map.contains_key("$ref") {
        return false;
    }
    let has_properties = map
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    let is_union = ["oneOf", "anyOf"].iter().any(|k| map.contains_key(*k));
    let is_merge = map
        .get("allOf")
        .and_then(Value::as_array)
        .is_some_and(|members| members.len() > 1);
    has_properties || is_union || is_merge
}
