//! Visiting every schema object of an OpenAPI document.

use serde_json::{Map, Value};

/// Keywords whose value is one schema.
const SINGLE: [&str; 3] = ["items", "not", "additionalProperties"];
/// Keywords whose value is a list of schemas.
const LISTS: [&str; 3] = ["allOf", "oneOf", "anyOf"];

/// Calls `visit` on `schema` and then on every schema nested in it, depth first, parents
/// before children. `visit` may rewrite the object it is given; nesting is read afterwards.
pub fn schema_tree(schema: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    let Value::Object(map) = schema else { return };
    visit(map);
    for key in SINGLE {
        if let Some(child) = map.get_mut(key) {
            schema_tree(child, visit);
        }
    }
    for key in LISTS {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            for child in children {
                schema_tree(child, visit);
            }
        }
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for child in properties.values_mut() {
            schema_tree(child, visit);
        }
    }
}

/// Calls `visit` on every top-level schema of the document: component schemas, parameter
/// schemas, request and response bodies (in components and in operations).
pub fn document_roots(doc: &mut Value, visit: &mut impl FnMut(&mut Value)) {
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
            schemas.values_mut().for_each(&mut *visit);
        }
        if let Some(Value::Object(parameters)) = components.get_mut("parameters") {
            for parameter in parameters.values_mut() {
                parameter_schema(parameter, visit);
            }
        }
        for key in ["responses", "requestBodies"] {
            if let Some(Value::Object(bodies)) = components.get_mut(key) {
                for body in bodies.values_mut() {
                    content_schemas(body, visit);
                }
            }
        }
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            for (key, operation) in item.iter_mut() {
                if key == "parameters" {
                    if let Value::Array(list) = operation {
                        list.iter_mut().for_each(|p| parameter_schema(p, visit));
                    }
                    continue;
                }
                operation_schemas(operation, visit);
            }
        }
    }
}

/// Calls `visit` on every schema of one operation.
pub fn operation_schemas(operation: &mut Value, visit: &mut impl FnMut(&mut Value)) {
    let Value::Object(operation) = operation else {
        return;
    };
    if let Some(Value::Array(list)) = operation.get_mut("parameters") {
        list.iter_mut().for_each(|p| parameter_schema(p, visit));
    }
    if let Some(body) = operation.get_mut("requestBody") {
        content_schemas(body, visit);
    }
    if let Some(Value::Object(responses)) = operation.get_mut("responses") {
        responses
            .values_mut()
            .for_each(|r| content_schemas(r, visit));
    }
}

fn parameter_schema(parameter: &mut Value, visit: &mut impl FnMut(&mut Value)) {
    if let Some(schema) = parameter.get_mut("schema") {
        visit(schema);
    }
}

fn content_schemas(body: &mut Value, visit: &mut impl FnMut(&mut Value)) {
    if let Some(Value::Object(content)) = body.get_mut("content") {
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema") {
                visit(schema);
            }
        }
    }
}

/// The HTTP methods an OpenAPI path item may hold, in the order we write them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
