//! Our corrections and descriptions, applied on top of the converted upstream document.
//!
//! An overlay file (`openapi/overlay/<api>.yaml`) is ours, hand-written. Its sections:
//!
//! ```yaml
//! info: { title: ..., description: ... }     # merged into `info`
//! renames: { SandboxMessage: Message }       # component renames; every $ref follows
//! aliases: { DeleteSandboxEmailMessageResponse: Message }  # refs to the first now point at the second
//! schemas: { Message: { properties: ... } }  # merged into (or creating) a component schema
//! operations: { getSandboxes: { summary: ... } }  # merged into the operation with that id
//! ```
//!
//! Merging follows JSON Merge Patch (RFC 7386): objects merge key by key, `null` deletes a
//! key, anything else replaces. Entries that find nothing to apply to are reported, so that
//! an upstream change that makes a correction obsolete is noticed.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::walk::METHODS;

/// One overlay file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// Merged into `info`.
    #[serde(default)]
    pub info: Option<Value>,
    /// Component renames, old name to new name.
    #[serde(default)]
    pub renames: Map<String, Value>,
    /// Components replaced by another, existing one.
    #[serde(default)]
    pub aliases: Map<String, Value>,
    /// Merge patches for component schemas, by name.
    #[serde(default)]
    pub schemas: Map<String, Value>,
    /// Merge patches for operations, by operationId.
    #[serde(default)]
    pub operations: Map<String, Value>,
}

impl Overlay {
    /// Parses an overlay file.
    pub fn parse(text: &str, what: &str) -> Result<Self> {
        let value = crate::yaml::parse(text, what)?;
        if value.is_null() {
            return Ok(Self::default());
        }
        serde_json::from_value(value).with_context(|| format!("{what} is not a valid overlay"))
    }
}

/// Applies `overlay` to `doc`; returns the entries that applied to nothing.
pub fn apply(doc: &mut Value, overlay: &Overlay) -> Result<Vec<String>> {
    let mut unapplied = Vec::new();
    if let Some(info) = &overlay.info
        && let Some(target) = doc.get_mut("info")
    {
        merge_patch(target, info);
    }
    for (old, new) in &overlay.renames {
        let new = name(new, "renames", old)?;
        if !rename(doc, old, new, false)? {
            unapplied.push(format!("renames.{old}: no schema `{old}`"));
        }
    }
    for (old, new) in &overlay.aliases {
        let new = name(new, "aliases", old)?;
        if !rename(doc, old, new, true)? {
            unapplied.push(format!("aliases.{old}: no schema `{old}`"));
        }
    }
    for (schema, patch) in &overlay.schemas {
        let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
            bail!("the document has no components.schemas");
        };
        let target = schemas
            .entry(schema.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        merge_patch(target, patch);
    }
    for (id, patch) in &overlay.operations {
        match operation_mut(doc, id) {
            Some(operation) => merge_patch(operation, patch),
            None => unapplied.push(format!("operations.{id}: no operation `{id}`")),
        }
    }
    Ok(unapplied)
}

fn name<'a>(value: &'a Value, section: &str, key: &str) -> Result<&'a str> {
    value
        .as_str()
        .with_context(|| format!("{section}.{key} must be a schema name"))
}

/// Renames component `old` to `new` and rewrites every reference. With `alias`, `new` must
/// already exist and `old` is dropped. Returns false when `old` does not exist.
fn rename(doc: &mut Value, old: &str, new: &str, alias: bool) -> Result<bool> {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return Ok(false);
    };
    let Some(schema) = schemas.shift_remove(old) else {
        return Ok(false);
    };
    if alias {
        if !schemas.contains_key(new) {
            bail!("aliases.{old}: the target schema `{new}` does not exist");
        }
    } else {
        if schemas.contains_key(new) {
            bail!("renames.{old}: a schema named `{new}` already exists");
        }
        schemas.insert(new.to_owned(), schema);
    }
    let from = format!("#/components/schemas/{old}");
    let to = format!("#/components/schemas/{new}");
    rewrite_refs(doc, &from, &to);
    Ok(true)
}

fn rewrite_refs(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "$ref" && child.as_str() == Some(from) {
                    *child = Value::String(to.to_owned());
                } else {
                    rewrite_refs(child, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, from, to)),
        _ => {}
    }
}

fn operation_mut<'a>(doc: &'a mut Value, id: &str) -> Option<&'a mut Value> {
    let Value::Object(paths) = doc.get_mut("paths")? else {
        return None;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            let matches = item
                .get(method)
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
                == Some(id);
            if matches {
                return item.get_mut(method);
            }
        }
    }
    None
}

/// JSON Merge Patch (RFC 7386).
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.shift_remove(key);
            } else {
                let slot = target.entry(key.clone()).or_insert(Value::Null);
                merge_patch(slot, value);
            }
        }
    }
}
