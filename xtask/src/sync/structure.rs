//! Keeps the structure of an upstream document and nothing else.
//!
//! The result holds paths, methods, operationIds, parameters (references resolved), request
//! bodies and success (2xx) responses with their schemas, component schemas and security
//! schemes. Upstream prose (descriptions, summaries, titles), examples, code samples, tags
//! and every `x-` extension are dropped; so are error and `default` responses: the facade
//! maps every non-2xx response itself.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

use super::walk::{self, METHODS};

/// Schema keywords that carry prose or examples rather than structure.
const PROSE: [&str; 6] = [
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
    "xml",
];

/// Builds the structural copy of `upstream`.
pub fn keep_structure(upstream: &Value) -> Result<Value> {
    let mut out = Map::new();
    out.insert("openapi".to_owned(), json!("3.0.3"));
    let info = upstream.get("info");
    out.insert(
        "info".to_owned(),
        json!({
            "title": info.and_then(|i| i.get("title")).cloned().unwrap_or(json!("API")),
            "version": info.and_then(|i| i.get("version")).cloned().unwrap_or(json!("0")),
        }),
    );
    if let Some(Value::Array(servers)) = upstream.get("servers") {
        let urls: Vec<Value> = servers
            .iter()
            .filter_map(|s| s.get("url"))
            .map(|url| json!({ "url": url }))
            .collect();
        out.insert("servers".to_owned(), Value::Array(urls));
    }
    if let Some(security) = upstream.get("security") {
        out.insert("security".to_owned(), security.clone());
    }
    out.insert("paths".to_owned(), Value::Object(paths(upstream)?));
    out.insert("components".to_owned(), Value::Object(components(upstream)));
    Ok(Value::Object(out))
}

fn paths(upstream: &Value) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    let Some(Value::Object(paths)) = upstream.get("paths") else {
        bail!("the document has no `paths`");
    };
    for (path, item) in paths {
        let shared: Vec<Value> = match item.get("parameters") {
            Some(Value::Array(list)) => list.clone(),
            _ => Vec::new(),
        };
        let mut kept = Map::new();
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let operation = operation_structure(upstream, operation, &shared)
                .with_context(|| format!("{} {path}", method.to_uppercase()))?;
            kept.insert(method.to_owned(), operation);
        }
        if !kept.is_empty() {
            out.insert(path.clone(), Value::Object(kept));
        }
    }
    Ok(out)
}

fn operation_structure(upstream: &Value, operation: &Value, shared: &[Value]) -> Result<Value> {
    let mut out = Map::new();
    let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
        bail!("the operation has no operationId");
    };
    out.insert("operationId".to_owned(), json!(id));

    let mut parameters: Vec<Value> = Vec::new();
    let own: Vec<Value> = match operation.get("parameters") {
        Some(Value::Array(list)) => list.clone(),
        _ => Vec::new(),
    };
    for parameter in shared.iter().chain(own.iter()) {
        let parameter = resolve(upstream, parameter)?;
        let kept = parameter_structure(&parameter)?;
        // An operation's own parameter overrides a path-level one with the same name and place.
        let same = |p: &Value| p.get("name") == kept.get("name") && p.get("in") == kept.get("in");
        parameters.retain(|p| !same(p));
        parameters.push(kept);
    }
    if !parameters.is_empty() {
        out.insert("parameters".to_owned(), Value::Array(parameters));
    }

    if let Some(body) = operation.get("requestBody") {
        let body = resolve(upstream, body)?;
        let mut kept = Map::new();
        if let Some(required) = body.get("required") {
            kept.insert("required".to_owned(), required.clone());
        }
        kept.insert("content".to_owned(), content_structure(&body));
        out.insert("requestBody".to_owned(), Value::Object(kept));
    }

    let mut responses = Map::new();
    if let Some(Value::Object(all)) = operation.get("responses") {
        for (status, response) in all {
            if !status.starts_with('2') {
                continue;
            }
            let response = resolve(upstream, response)?;
            let mut kept = Map::new();
            kept.insert("description".to_owned(), json!("Success."));
            if response.get("content").is_some() {
                kept.insert("content".to_owned(), content_structure(&response));
            }
            responses.insert(status.clone(), Value::Object(kept));
        }
    }
    if responses.is_empty() {
        bail!("operation `{id}` has no success (2xx) response");
    }
    out.insert("responses".to_owned(), Value::Object(responses));
    Ok(Value::Object(out))
}

fn parameter_structure(parameter: &Value) -> Result<Value> {
    let mut out = Map::new();
    for key in ["name", "in", "required", "style", "explode", "schema"] {
        if let Some(value) = parameter.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    if !out.contains_key("name") || !out.contains_key("in") {
        bail!("a parameter lacks `name` or `in`: {parameter}");
    }
    if out.get("in").and_then(Value::as_str) == Some("path") {
        out.insert("required".to_owned(), Value::Bool(true));
    }
    if let Some(schema) = out.get_mut("schema") {
        strip_prose(schema);
    }
    Ok(Value::Object(out))
}

fn content_structure(body: &Value) -> Value {
    let mut out = Map::new();
    if let Some(Value::Object(content)) = body.get("content") {
        for (media_type, media) in content {
            let mut kept = Map::new();
            if let Some(schema) = media.get("schema") {
                let mut schema = schema.clone();
                strip_prose(&mut schema);
                kept.insert("schema".to_owned(), schema);
            }
            out.insert(media_type.clone(), Value::Object(kept));
        }
    }
    Value::Object(out)
}

fn components(upstream: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let components = upstream.get("components");
    if let Some(Value::Object(schemas)) = components.and_then(|c| c.get("schemas")) {
        let mut kept = Map::new();
        for (name, schema) in schemas {
            let mut schema = schema.clone();
            strip_prose(&mut schema);
            kept.insert(name.clone(), schema);
        }
        out.insert("schemas".to_owned(), Value::Object(kept));
    }
    if let Some(Value::Object(schemes)) = components.and_then(|c| c.get("securitySchemes")) {
        let mut kept = Map::new();
        for (name, scheme) in schemes {
            let mut scheme_out = Map::new();
            for key in ["type", "in", "name", "scheme", "bearerFormat"] {
                if let Some(value) = scheme.get(key) {
                    scheme_out.insert(key.to_owned(), value.clone());
                }
            }
            kept.insert(name.clone(), Value::Object(scheme_out));
        }
        out.insert("securitySchemes".to_owned(), Value::Object(kept));
    }
    out
}

/// Follows a local `#/components/...` reference (parameters, responses, request bodies).
fn resolve(upstream: &Value, value: &Value) -> Result<Value> {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
        return Ok(value.clone());
    };
    let pointer = reference
        .strip_prefix('#')
        .with_context(|| format!("only local references are supported, not `{reference}`"))?;
    let target = upstream
        .pointer(pointer)
        .with_context(|| format!("reference `{reference}` points at nothing"))?;
    resolve(upstream, target)
}

/// Removes prose and extensions from a schema and everything nested in it.
pub fn strip_prose(schema: &mut Value) {
    walk::schema_tree(schema, &mut |map| {
        for key in PROSE {
            map.remove(key);
        }
        map.retain(|key, _| !key.starts_with("x-"));
    });
}
