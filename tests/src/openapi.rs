//! Our OpenAPI description (`openapi/*.yaml`) as a test oracle: find the operation a request
//! targets and check a JSON response against that operation's success schema.
//!
//! The checker understands the subset of OpenAPI 3.0 schemas the description uses: `$ref`,
//! `type` (with `format: int64` ranges), `nullable`, `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `oneOf`, `anyOf` and `allOf`. It is strict about
//! objects: a property the schema does not name is an error unless `additionalProperties`
//! allows it, so that an emulator response cannot grow undocumented fields unnoticed.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The three description files.
pub const FILES: [&str; 3] = ["sandbox.yaml", "sending.yaml", "accounts.yaml"];

/// `openapi/` of this workspace.
pub fn openapi_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

/// One operation of the description.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// operationId.
    pub id: &'a str,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: &'a str,
    /// The operation object.
    pub value: &'a Value,
    /// The document it belongs to (for `$ref`s).
    pub doc: &'a Value,
}

impl Operation<'_> {
    /// The JSON schema of the success response, if the response is JSON.
    pub fn success_schema(&self) -> Option<&Value> {
        let responses = self.value.get("responses")?.as_object()?;
        responses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .find_map(|(_, r)| r.pointer("/content/application~1json/schema"))
    }

    /// The media type of the success response, if any.
    pub fn success_media_type(&self) -> Option<&str> {
        let responses = self.value.get("responses")?.as_object()?;
        responses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .find_map(|(_, r)| r.get("content")?.as_object()?.keys().next())
            .map(String::as_str)
    }

    /// Checks `body` against the success schema; every problem, one per line.
    pub fn check_response(&self, body: &Value) -> Result<(), Vec<String>> {
        let Some(schema) = self.success_schema() else {
            return Err(vec![format!("{} has no JSON success schema", self.id)]);
        };
        let mut problems = Vec::new();
        check(self.doc, schema, body, "$", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// The whole description.
#[derive(Debug)]
pub struct Spec {
    docs: Vec<Value>,
}

impl Spec {
    /// Reads `openapi/*.yaml`.
    pub fn load() -> Self {
        let docs = FILES
            .iter()
            .map(|file| {
                let path = openapi_dir().join(file);
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                yaml_serde::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
            })
            .collect();
        Self { docs }
    }

    /// Every operation.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut out = Vec::new();
        for doc in &self.docs {
            let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, operation) in item {
                    let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                        continue;
                    };
                    out.push(Operation {
                        id,
                        method: method.to_uppercase(),
                        path,
                        value: operation,
                        doc,
                    });
                }
            }
        }
        out
    }

    /// The operation a request targets. Legacy paths are mapped to the current ones first.
    pub fn find(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let path = current_path(path.split('?').next().unwrap_or(path));
        self.operations()
            .into_iter()
            .find(|op| op.method.eq_ignore_ascii_case(method) && matches_template(op.path, &path))
    }
}

/// Maps a legacy `/api/accounts/{account_id}/...` path to the current path of the same
/// operation; other paths are returned as they are.
pub fn current_path(path: &str) -> String {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let ["api", "accounts", _account, rest @ ..] = segments.as_slice() else {
        return path.to_owned();
    };
    if rest.is_empty() {
        return path.to_owned();
    }
    let mut mapped: Vec<&str> = vec!["api"];
    for (i, segment) in rest.iter().enumerate() {
        let renamed = match *segment {
            "inboxes" if i == 0 || rest.get(i.wrapping_sub(2)) == Some(&"projects") => "sandboxes",
            other => other,
        };
        mapped.push(renamed);
    }
    format!("/{}", mapped.join("/"))
}

fn matches_template(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..32 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
        else {
            break;
        };
        current = target;
    }
    current
}

/// Checks `value` against `schema`, pushing one line per problem.
pub fn check(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if resolve(doc, schema) == schema {
            problems.push(format!("{at}: unresolved reference {reference}"));
            return;
        }
        return check(doc, resolve(doc, schema), value, at, problems);
    }
    if value.is_null() {
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true)
            || schema.as_object().is_some_and(|s| s.is_empty());
        if !nullable {
            problems.push(format!("{at}: null where the schema does not allow it"));
        }
        return;
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        for member in members {
            check(doc, member, value, at, problems);
        }
    }
    for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        if let Some(variants) = schema.get(keyword).and_then(Value::as_array) {
            let matching = variants
                .iter()
                .filter(|v| {
                    let mut scratch = Vec::new();
                    check(doc, v, value, at, &mut scratch);
                    scratch.is_empty()
                })
                .count();
            let ok = if exactly_one {
                matching == 1
            } else {
                matching >= 1
            };
            if !ok {
                problems.push(format!(
                    "{at}: {value} matches {matching} of the {} `{keyword}` variants",
                    variants.len()
                ));
            }
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    let Some(ty) = schema.get("type").and_then(Value::as_str) else {
        if schema.get("properties").is_some() {
            check_object(doc, schema, value, at, problems);
        }
        return;
    };
    let type_ok = match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => true,
    };
    if !type_ok {
        problems.push(format!("{at}: expected {ty}, found {value}"));
        return;
    }
    match ty {
        "object" => check_object(doc, schema, value, at, problems),
        "array" => {
            if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
                for (i, item) in values.iter().enumerate() {
                    check(doc, items, item, &format!("{at}[{i}]"), problems);
                }
            }
        }
        "integer"
            if schema.get("format").and_then(Value::as_str) == Some("int64")
                && value.as_i64().is_none() =>
        {
            problems.push(format!("{at}: {value} does not fit in 64 bits"));
        }
        "string" if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
            let text = value.as_str().unwrap_or_default();
            if chrono::DateTime::parse_from_rfc3339(text).is_err() {
                problems.push(format!("{at}: {value} is not an RFC 3339 date-time"));
            }
        }
        _ => {}
    }
}

fn check_object(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        problems.push(format!("{at}: expected an object, found {value}"));
        return;
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !object.contains_key(name) {
                problems.push(format!("{at}: required property `{name}` is missing"));
            }
        }
    }
    let extra = schema.get("additionalProperties");
    for (name, child) in object {
        let child_at = format!("{at}.{name}");
        match properties.and_then(|p| p.get(name)) {
            Some(property) => check(doc, property, child, &child_at, problems),
            None => match extra {
                Some(Value::Bool(true)) => {}
                Some(extra_schema @ Value::Object(_)) => {
                    check(doc, extra_schema, child, &child_at, problems);
                }
                _ if properties.is_none() => {}
                _ => problems.push(format!("{child_at}: not in the schema")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn legacy_paths_map_to_current_ones() {
        assert_eq!(current_path("/api/accounts/7/inboxes"), "/api/sandboxes");
        assert_eq!(
            current_path("/api/accounts/7/inboxes/5/messages/9/body.eml"),
            "/api/sandboxes/5/messages/9/body.eml"
        );
        assert_eq!(
            current_path("/api/accounts/7/projects/3/inboxes"),
            "/api/projects/3/sandboxes"
        );
        assert_eq!(
            current_path("/api/accounts/7/account_accesses"),
            "/api/account_accesses"
        );
        assert_eq!(current_path("/api/accounts"), "/api/accounts");
        assert_eq!(current_path("/api/sandboxes/1"), "/api/sandboxes/1");
    }

    #[test]
    fn every_operation_is_found_by_its_own_path() {
        let spec = Spec::load();
        let operations = spec.operations();
        assert_eq!(operations.len(), 45);
        for op in &operations {
            let concrete = op.path.replace(['{', '}'], "");
            let found = spec.find(&op.method, &concrete).expect(op.id);
            assert_eq!(found.id, op.id);
        }
    }

    #[test]
    fn the_checker_catches_wrong_types_extra_fields_and_missing_required() {
        let doc = json!({"components": {"schemas": {"T": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "when": {"type": "string", "format": "date-time", "nullable": true},
                "pts": {"oneOf": [{"type": "number"}, {"type": "string"}]}
            }
        }}}});
        let schema = json!({"$ref": "#/components/schemas/T"});
        let mut problems = Vec::new();
        check(
            &doc,
            &schema,
            &json!({"id": 5_000_000_000_u64, "when": null, "pts": "0.1"}),
            "$",
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        check(
            &doc,
            &schema,
            &json!({"when": "yesterday", "pts": true, "extra": 1}),
            "$",
            &mut problems,
        );
        problems.sort();
        assert_eq!(
            problems,
            [
                "$.extra: not in the schema",
                "$.pts: true matches 0 of the 2 `oneOf` variants",
                "$.when: \"yesterday\" is not an RFC 3339 date-time",
                "$: required property `id` is missing",
            ]
        );
    }
}
