//! OpenAPI 3.1 schema constructs rewritten in their 3.0.3 form.
//!
//! | 3.1 | 3.0.3 |
//! |---|---|
//! | `type: [T, "null"]` | `type: T`, `nullable: true` |
//! | `type: [A, B]` | `oneOf: [{type: A}, {type: B}]` |
//! | `const: v` | `enum: [v]` |
//! | `$ref` with sibling keywords | `allOf: [{$ref}]` beside the siblings |
//! | `exclusiveMinimum: n` | `minimum: n`, `exclusiveMinimum: true` (same for maximum) |
//! | `examples: [...]` in a schema | dropped |
//!
//! Constructs that 3.0.3 cannot say at all (`prefixItems`, `if`/`then`/`else`, ...) are errors.

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use super::walk;

/// 3.1-only keywords with no 3.0.3 equivalent.
const UNSUPPORTED: [&str; 9] = [
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
];

/// Rewrites every schema of `doc` in 3.0.3 form and sets `openapi: 3.0.3`.
pub fn to_openapi_30(doc: &mut Value) -> Result<()> {
    let mut problems = Vec::new();
    walk::document_roots(doc, &mut |root| {
        walk::schema_tree(root, &mut |schema| {
            if let Err(error) = convert_schema(schema) {
                problems.push(error.to_string());
            }
        });
    });
    if let Some(problem) = problems.first() {
        bail!(
            "{} schema(s) use OpenAPI 3.1 constructs that 3.0.3 cannot express; first: {problem}",
            problems.len()
        );
    }
    if let Value::Object(map) = doc {
        map.insert("openapi".to_owned(), json!("3.0.3"));
    }
    Ok(())
}

/// Converts one schema object in place (not its children).
pub fn convert_schema(schema: &mut Map<String, Value>) -> Result<()> {
    for keyword in UNSUPPORTED {
        if schema.contains_key(keyword) {
            bail!("`{keyword}` has no OpenAPI 3.0.3 equivalent");
        }
    }
    schema.remove("examples");
    schema.remove("$schema");
    schema.remove("$id");
    if let Some(value) = schema.remove("const") {
        schema.insert("enum".to_owned(), Value::Array(vec![value]));
    }
    for (exclusive, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(bound) = schema.get(exclusive).filter(|v| v.is_number()).cloned() {
            schema.insert(inclusive.to_owned(), bound);
            schema.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }
    if let Some(Value::Array(types)) = schema.get("type").cloned() {
        convert_type_array(schema, &types)?;
    }
    if schema.contains_key("$ref") && schema.len() > 1 {
        ref_with_siblings(schema);
    }
    Ok(())
}

fn convert_type_array(schema: &mut Map<String, Value>, types: &[Value]) -> Result<()> {
    let mut names = Vec::new();
    for t in types {
        match t.as_str() {
            Some(name) => names.push(name.to_owned()),
            None => bail!("`type` list holds a non-string: {t}"),
        }
    }
    let nullable = names.iter().any(|n| n == "null");
    names.retain(|n| n != "null");
    schema.remove("type");
    if nullable {
        schema.insert("nullable".to_owned(), Value::Bool(true));
    }
    match names.as_slice() {
        [] => bail!("`type: [null]` alone describes no value"),
        [single] => {
            schema.insert("type".to_owned(), json!(single));
        }
        many => {
            let variants = many.iter().map(|n| json!({ "type": n })).collect();
            schema.insert("oneOf".to_owned(), Value::Array(variants));
        }
    }
    Ok(())
}

/// `$ref` ignores its siblings in 3.0.3, so the reference moves into an `allOf`.
fn ref_with_siblings(schema: &mut Map<String, Value>) {
    let Some(reference) = schema.remove("$ref") else {
        return;
    };
    schema.insert("allOf".to_owned(), json!([{ "$ref": reference }]));
}
