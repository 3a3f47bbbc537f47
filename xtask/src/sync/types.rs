//! Parameter and id types fixed to what the real API sends and accepts.
//!
//! - Every integer parameter, and every integer property named `id` or ending in `_id`, is a
//!   64-bit integer (`format: int64`): real message ids exceed 2^32.
//! - `minimum` is dropped from path and query parameters, so that generated arguments are
//!   plain integers rather than `NonZero` types.
//! - Query parameters that upstream types as `number` but that hold ids or page numbers
//!   (`last_id`, `page`, `*_id`) are integers.
//! - Query arrays are named Rails-style (`sandbox_ids[]`) and sent as repeated keys, as the
//!   server (a Rails application) expects; arrays of ids hold integers.
//! - Length and count limits (`minLength`, `maxLength`, `pattern`, `minItems`, `maxItems`)
//!   are dropped: the generator would wrap such strings in validating newtypes, and the
//!   facade checks input itself with errors written for people.
//! - A documented request body is required: every operation that has one needs it.

use serde_json::{Map, Value, json};

use super::walk;

/// Validation keywords left to the facade.
const LIMITS: [&str; 5] = ["minLength", "maxLength", "pattern", "minItems", "maxItems"];

/// Applies every rule to `doc`.
pub fn fix(doc: &mut Value) {
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            for operation in item.values_mut() {
                if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
                    parameters.iter_mut().for_each(fix_parameter);
                }
                if let Some(Value::Object(body)) = operation.get_mut("requestBody") {
                    body.insert("required".to_owned(), Value::Bool(true));
                }
            }
        }
    }
    walk::document_roots(doc, &mut |root| {
        walk::schema_tree(root, &mut |schema| {
            for limit in LIMITS {
                schema.remove(limit);
            }
            if let Some(Value::Object(properties)) = schema.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    if is_id_name(name) {
                        widen_integer(property);
                    }
                }
            }
        });
    });
}

fn fix_parameter(parameter: &mut Value) {
    let Value::Object(parameter) = parameter else {
        return;
    };
    let name = parameter
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let location = parameter
        .get("in")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(Value::Object(schema)) = parameter.get_mut("schema") else {
        return;
    };
    if location == "path" || location == "query" {
        schema.remove("minimum");
        schema.remove("exclusiveMinimum");
    }
    let numeric_name = is_id_name(&name) || name == "page";
    if schema.get("type") == Some(&json!("number")) && numeric_name {
        schema.insert("type".to_owned(), json!("integer"));
    }
    if schema.get("type") == Some(&json!("integer")) {
        schema.insert("format".to_owned(), json!("int64"));
    }
    if location == "query" && schema.get("type") == Some(&json!("array")) {
        if name.ends_with("_ids") || name.ends_with("_ids[]") {
            schema.insert(
                "items".to_owned(),
                json!({ "type": "integer", "format": "int64" }),
            );
        }
        if !name.ends_with("[]") {
            parameter.insert("name".to_owned(), json!(format!("{name}[]")));
        }
        parameter.insert("style".to_owned(), json!("form"));
        parameter.insert("explode".to_owned(), json!(true));
    }
}

fn is_id_name(name: &str) -> bool {
    name == "id" || name.ends_with("_id")
}

/// Makes an integer schema 64-bit; looks through `oneOf` variants too.
fn widen_integer(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if map.get("type") == Some(&json!("integer")) {
        set_int64(map);
    }
    if let Some(Value::Array(variants)) = map.get_mut("oneOf") {
        for variant in variants {
            if let Value::Object(variant) = variant
                && variant.get("type") == Some(&json!("integer"))
            {
                set_int64(variant);
            }
        }
    }
}

fn set_int64(map: &mut Map<String, Value>) {
    map.insert("format".to_owned(), json!("int64"));
}
