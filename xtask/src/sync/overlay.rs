//! Our corrections and descriptions, applied on top of the converted upstream document.
//!
//! An overlay file (`openapi/overlay/<api>.yaml`) is ours, hand-written. Its sections:
//!
//! ```yaml
//! info: { title: ..., description: ... }     # merged into `info`
//! renames: { SandboxMessage: Message }       # component renames; every $ref follows
//! aliases: { DeleteSandboxEmailMessageResponse: Message }  # refs to the first now point at the second
//! schemas: { Message: { properties: ... } }  # corrections of what upstream describes
//! additions: { Message: { properties: { inbox_id: ... } } }  # what upstream does not describe
//! operations: { getSandboxes: { summary: ... } }  # merged into the operation with that id
//! ```
//!
//! The overlay can never hide upstream:
//!
//! - A correction (`schemas`) applies to what upstream has. A schema or property upstream
//!   does not have, a keyword it deletes that upstream does not have, or a value upstream
//!   already has, is a problem (`sync --check` fails on it), and nothing is created.
//! - `required` lists merge with upstream's (their union); they never replace them.
//! - Only `additions` create schemas and properties, and only where upstream has none: one
//!   that upstream has since gained is a problem. Everything added is listed in the report.
//!   They are applied before the corrections, which may refer to an added schema.
//! - An alias never hides a property of the schema it replaces (a problem); the properties
//!   its target has beyond upstream's are listed with the additions.
//! - Where a correction or an alias replaces upstream's structure, upstream's value is
//!   recorded in the produced file (`x-overlay`), so that an upstream change under a
//!   correction changes the file and shows in the drift report.
//!
//! Descriptions, summaries and titles are ours (upstream prose is never kept): they are set
//! freely and not recorded. `null` deletes a key, as in JSON Merge Patch (RFC 7386).

use std::collections::BTreeSet;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::walk::METHODS;
use crate::drift::canonical::canonical_schema;

/// Keys that hold our prose: set and replaced freely, never recorded.
pub const PROSE: [&str; 3] = ["description", "summary", "title"];

/// Schema keywords whose value is one schema, into which a correction descends.
const NESTED: [&str; 3] = ["items", "additionalProperties", "not"];

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
    /// Corrections of component schemas, by name.
    #[serde(default)]
    pub schemas: Map<String, Value>,
    /// Schemas, and properties of schemas, that upstream does not describe.
    #[serde(default)]
    pub additions: Map<String, Value>,
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

/// What applying an overlay did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Applied {
    /// Entries that apply to nothing, or that upstream made obsolete, one sentence each.
    pub problems: Vec<String>,
    /// Schemas and properties that exist only because of `additions` (`Message.inbox_id`).
    pub added: Vec<String>,
    /// Upstream's value at each place where the overlay changed structure
    /// (`schemas.MessageFields.properties.is_read.type` → `"string"`).
    pub replaced: Map<String, Value>,
    /// Places where the overlay set structure that upstream lacks.
    pub lacking: BTreeSet<String>,
    /// The schemas the `schemas` and `additions` entries changed, as (entry, schema).
    pub touched: Vec<(String, String)>,
    /// The schemas a correction may refer to (upstream's, renamed, and the additions).
    known: BTreeSet<String>,
}

impl Applied {
    /// Reports the entries whose schema the finished document no longer has: no operation
    /// uses it any more, so the entry changes nothing a client sees.
    pub fn check_still_used(&mut self, doc: &Value) {
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object);
        for (entry, schema) in &self.touched {
            if !schemas.is_some_and(|s| s.contains_key(schema)) {
                self.problems.push(format!(
                    "{entry}: no operation uses schema `{schema}` any more, so this entry \
                     changes nothing; move it to the schema that took its place, or drop it"
                ));
            }
        }
    }
}

/// Applies `overlay` to `doc`.
pub fn apply(doc: &mut Value, overlay: &Overlay) -> Result<Applied> {
    let mut out = Applied::default();
    if let Some(info) = &overlay.info {
        match (doc.get_mut("info"), info) {
            (Some(Value::Object(target)), Value::Object(patch)) => {
                correct(target, patch, "info", &mut out);
            }
            _ => out
                .problems
                .push("info: must be a mapping, applied to the document's `info`".to_owned()),
        }
    }
    for (old, new) in &overlay.renames {
        let new = name(new, "renames", old)?;
        if !rename(doc, old, new, false)? {
            out.problems
                .push(format!("renames.{old}: upstream has no schema `{old}`"));
        }
    }
    for (old, new) in &overlay.aliases {
        let new = name(new, "aliases", old)?;
        let replaced = doc
            .pointer(&format!("/components/schemas/{}", escape(old)))
            .cloned();
        if replaced.is_some() && schema_mut(doc, new).is_none() {
            out.problems.push(format!(
                "aliases.{old}: the target schema `{new}` does not exist; `{old}` is kept"
            ));
            continue;
        }
        if let Some(schema) = &replaced {
            compare_alias(doc, old, new, schema, &mut out);
        }
        if rename(doc, old, new, true)? {
            if let Some(schema) = replaced {
                out.replaced.insert(format!("schemas.{old}"), schema);
            }
        } else {
            out.problems
                .push(format!("aliases.{old}: upstream has no schema `{old}`"));
        }
    }
    for (schema, addition) in &overlay.additions {
        add(doc, schema, addition, &mut out)?;
        out.touched
            .push((format!("additions.{schema}"), schema.clone()));
    }
    out.known = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default();
    for (schema, patch) in &overlay.schemas {
        let at = format!("schemas.{schema}");
        let Value::Object(patch) = patch else {
            out.problems.push(format!("{at}: must be a mapping"));
            continue;
        };
        match schema_mut(doc, schema) {
            Some(Value::Object(target)) => {
                correct(target, patch, &at, &mut out);
                out.touched.push((at.clone(), schema.clone()));
            }
            _ => out.problems.push(format!(
                "{at}: upstream has no schema `{schema}` (to describe one it lacks, use `additions`)"
            )),
        }
    }
    for (id, patch) in &overlay.operations {
        let at = format!("operations.{id}");
        match (operation_mut(doc, id), patch) {
            (Some(Value::Object(target)), Value::Object(patch)) => {
                correct(target, patch, &at, &mut out);
            }
            (Some(_), _) => out.problems.push(format!("{at}: must be a mapping")),
            (None, _) => out
                .problems
                .push(format!("{at}: upstream has no operation `{id}`")),
        }
    }
    Ok(out)
}

/// What an alias changes in the properties a client sees: the properties of `new` that
/// upstream's `old` lacks are kept only by the overlay (listed on every run); a property of
/// `old` that `new` lacks would be hidden, which is a problem. Other differences (a type, a
/// format) are corrections, recorded with upstream's whole schema.
fn compare_alias(doc: &Value, old: &str, new: &str, replaced: &Value, out: &mut Applied) {
    let Some(target) = doc.pointer(&format!("/components/schemas/{}", escape(new))) else {
        return;
    };
    let upstream = canonical_schema(replaced, doc, &mut Vec::new());
    let target = canonical_schema(target, doc, &mut Vec::new());
    let (mut gained, mut hidden) = (Vec::new(), Vec::new());
    property_differences(&upstream, &target, "", &mut gained, &mut hidden);
    for property in gained {
        out.added.push(format!("{old} (as {new}).{property}"));
    }
    if !hidden.is_empty() {
        out.problems.push(format!(
            "aliases.{old}: `{new}` lacks what upstream's `{old}` describes: {}; correct `{new}` \
             (or delete the property with a correction of `{new}`), or drop the alias",
            hidden
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

/// The property paths (`smtp_information.data.rcpt_to_addrs`, `report[].name`) that only
/// `target` has (`gained`) and that only `upstream` has (`hidden`), through properties and
/// array items.
fn property_differences(
    upstream: &Value,
    target: &Value,
    at: &str,
    gained: &mut Vec<String>,
    hidden: &mut Vec<String>,
) {
    let path = |name: &str| {
        if at.is_empty() {
            name.to_owned()
        } else {
            format!("{at}.{name}")
        }
    };
    let properties = |schema: &Value| {
        schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (theirs, ours) = (properties(upstream), properties(target));
    for (name, schema) in &ours {
        match theirs.get(name) {
            Some(upstream_schema) => {
                property_differences(upstream_schema, schema, &path(name), gained, hidden);
            }
            None => gained.push(path(name)),
        }
    }
    hidden.extend(
        theirs
            .keys()
            .filter(|name| !ours.contains_key(*name))
            .map(|name| path(name)),
    );
    if let (Some(upstream_items), Some(items)) = (upstream.get("items"), target.get("items")) {
        property_differences(upstream_items, items, &format!("{at}[]"), gained, hidden);
    }
}

/// Applies a correction to an object upstream has (a schema, an operation, `info`). Its own
/// keywords apply together or not at all: when one no longer fits upstream (it deletes what
/// upstream lacks, or refers to a schema nobody describes), none is applied, so that half a
/// correction never makes a shape nobody meant. Its properties are corrected one by one.
fn correct(
    target: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    at: &str,
    out: &mut Applied,
) {
    let mut trial = target.clone();
    let mut scratch = Applied {
        known: out.known.clone(),
        ..Applied::default()
    };
    let mut fits = true;
    for (key, value) in patch {
        let here = format!("{at}.{key}");
        if PROSE.contains(&key.as_str()) {
            if value.is_null() {
                trial.shift_remove(key);
            } else {
                trial.insert(key.clone(), value.clone());
            }
            continue;
        }
        match key.as_str() {
            "properties" => {}
            "required" => merge_required(&mut trial, value, &here, &mut scratch),
            _ => fits &= correct_keyword(&mut trial, key, value, &here, &mut scratch),
        }
    }
    out.problems.append(&mut scratch.problems);
    if fits {
        *target = trial;
        out.replaced.extend(scratch.replaced);
        out.lacking.extend(scratch.lacking);
    } else {
        out.problems.push(format!(
            "{at}: not applied, since part of it no longer fits upstream (see above)"
        ));
    }
    if let Some(properties) = patch.get("properties") {
        correct_properties(target, properties, &format!("{at}.properties"), out);
    }
}

fn correct_properties(target: &mut Map<String, Value>, patch: &Value, at: &str, out: &mut Applied) {
    let Value::Object(patch) = patch else {
        out.problems
            .push(format!("{at}: must be a mapping of property names"));
        return;
    };
    for (name, property_patch) in patch {
        let here = format!("{at}.{name}");
        let properties = target.get_mut("properties").and_then(Value::as_object_mut);
        let Some(properties) = properties.filter(|p| p.contains_key(name)) else {
            out.problems.push(format!(
                "{here}: upstream has no property `{name}` (to describe one it lacks, use \
                 `additions`)"
            ));
            continue;
        };
        match property_patch {
            Value::Null => {
                if let Some(old) = properties.shift_remove(name) {
                    out.replaced.insert(here, old);
                }
            }
            Value::Object(property_patch) => match properties.get_mut(name) {
                Some(Value::Object(property)) => correct(property, property_patch, &here, out),
                _ => out
                    .problems
                    .push(format!("{here}: upstream's property is not a schema")),
            },
            _ => out
                .problems
                .push(format!("{here}: must be a mapping or null")),
        }
    }
}

/// `required` names are added to upstream's list (never replacing it).
fn merge_required(target: &mut Map<String, Value>, patch: &Value, at: &str, out: &mut Applied) {
    let Some(names) = patch.as_array() else {
        out.problems
            .push(format!("{at}: must be a list of property names"));
        return;
    };
    let old = target.get("required").cloned();
    let mut merged: Vec<Value> = old
        .as_ref()
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let before = merged.len();
    for name in names {
        if !merged.contains(name) {
            merged.push(name.clone());
        }
    }
    if merged.len() == before {
        out.problems.push(format!(
            "{at}: upstream already requires {}; drop the entry",
            list(names)
        ));
        return;
    }
    record(out, at, old);
    target.insert("required".to_owned(), Value::Array(merged));
}

/// A structural keyword (`type`, `format`, `nullable`, `$ref`, `oneOf`, `items`, ...).
/// Returns false when the correction no longer fits upstream.
fn correct_keyword(
    target: &mut Map<String, Value>,
    key: &str,
    value: &Value,
    at: &str,
    out: &mut Applied,
) -> bool {
    let old = target.get(key).cloned();
    match (value, &old) {
        (Value::Null, None) => {
            out.problems.push(format!(
                "{at}: deletes `{key}`, which upstream does not have; drop the entry"
            ));
            false
        }
        (Value::Null, Some(_)) => {
            target.shift_remove(key);
            record(out, at, old);
            true
        }
        (Value::Object(patch), Some(Value::Object(_))) if NESTED.contains(&key) => {
            if let Some(Value::Object(child)) = target.get_mut(key) {
                correct(child, patch, at, out);
            }
            true
        }
        (value, Some(old)) if old == value => {
            out.problems.push(format!(
                "{at}: upstream already says {}; drop the correction",
                short(value)
            ));
            true
        }
        (Value::String(reference), _)
            if key == "$ref"
                && !reference
                    .strip_prefix("#/components/schemas/")
                    .is_some_and(|name| out.known.contains(name)) =>
        {
            out.problems.push(format!(
                "{at}: refers to `{reference}`, which neither upstream nor `additions` \
                 describes"
            ));
            false
        }
        (value, _) => {
            target.insert(key.to_owned(), without_nulls(value));
            record(out, at, old);
            true
        }
    }
}

fn record(out: &mut Applied, at: &str, old: Option<Value>) {
    // A replaced reference is recorded as one, so that the record can spell out the schema
    // it named if the document drops it.
    let old = match (at.rsplit('.').next(), old) {
        (Some("$ref"), Some(Value::String(target))) => Some(serde_json::json!({ "$ref": target })),
        (_, old) => old,
    };
    match old {
        Some(old) => {
            out.replaced.insert(at.to_owned(), old);
        }
        None => {
            out.lacking.insert(at.to_owned());
        }
    }
}

/// Adds a schema upstream lacks, or properties (and their `required` names) to one it has.
fn add(doc: &mut Value, schema: &str, addition: &Value, out: &mut Applied) -> Result<()> {
    let at = format!("schemas.{schema}");
    let Value::Object(addition) = addition else {
        out.problems
            .push(format!("additions.{schema}: must be a mapping"));
        return Ok(());
    };
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        bail!("the document has no components.schemas");
    };
    let Some(Value::Object(target)) = schemas.get_mut(schema) else {
        schemas.insert(
            schema.to_owned(),
            without_nulls(&Value::Object(addition.clone())),
        );
        out.added.push(schema.to_owned());
        out.lacking.insert(at);
        return Ok(());
    };
    for (key, value) in addition {
        let here = format!("additions.{schema}.{key}");
        match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => {
                let existing = target
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(existing) = existing else {
                    out.problems
                        .push(format!("{at}.properties: upstream's is not a mapping"));
                    continue;
                };
                for (name, property) in properties {
                    if existing.contains_key(name) {
                        out.problems.push(format!(
                            "{here}.{name}: upstream now has this property; make the entry a \
                             correction under `schemas` or drop it"
                        ));
                        continue;
                    }
                    existing.insert(name.clone(), without_nulls(property));
                    out.added.push(format!("{schema}.{name}"));
                    out.lacking.insert(format!("{at}.properties.{name}"));
                }
            }
            ("required", _) => merge_required(target, value, &format!("{at}.required"), out),
            (prose, _) if PROSE.contains(&prose) => {
                target.insert(key.clone(), value.clone());
            }
            _ => out.problems.push(format!(
                "{here}: upstream has schema `{schema}`; an addition to it holds only \
                 `properties` and `required` (corrections go under `schemas`)"
            )),
        }
    }
    Ok(())
}

/// A copy of `value` without `null` members (they mean "delete", which an addition has
/// nothing to delete from).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn list(names: &[Value]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_str().unwrap_or("?")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value shown in a sentence, shortened.
pub fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    } else {
        text
    }
}

fn name<'a>(value: &'a Value, section: &str, key: &str) -> Result<&'a str> {
    value
        .as_str()
        .with_context(|| format!("{section}.{key} must be a schema name"))
}

/// Escapes a name for a JSON pointer.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn schema_mut<'a>(doc: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    doc.pointer_mut("/components/schemas")?
        .as_object_mut()?
        .get_mut(name)
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

/// The record of what the overlay replaced, as it is written into the produced file under
/// `x-overlay`. References to schemas the document no longer has are written out in full
/// (from `components`, the schemas as they were before unused ones were dropped), so that
/// the record says everything upstream said.
pub fn record_value(applied: &Applied, doc: &Value, components: &Map<String, Value>) -> Value {
    let kept = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = Map::new();
    if !applied.replaced.is_empty() {
        let mut entries: Vec<(&String, &Value)> = applied.replaced.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let replaced: Map<String, Value> = entries
            .into_iter()
            .map(|(path, value)| {
                let mut value = value.clone();
                expand_dropped(&mut value, &kept, components, &mut Vec::new());
                (path.clone(), value)
            })
            .collect();
        out.insert("upstream-values".to_owned(), Value::Object(replaced));
    }
    if !applied.lacking.is_empty() {
        out.insert(
            "upstream-lacks".to_owned(),
            Value::Array(applied.lacking.iter().cloned().map(Value::String).collect()),
        );
    }
    Value::Object(out)
}

fn expand_dropped(
    value: &mut Value,
    kept: &Map<String, Value>,
    components: &Map<String, Value>,
    stack: &mut Vec<String>,
) {
    match value {
        Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_owned);
            if let Some(name) = target
                && !kept.contains_key(&name)
            {
                if stack.contains(&name) {
                    *value = serde_json::json!({ "x-recursive": name });
                    return;
                }
                let Some(schema) = components.get(&name) else {
                    return;
                };
                let mut expanded = schema.clone();
                stack.push(name);
                expand_dropped(&mut expanded, kept, components, stack);
                stack.pop();
                map.shift_remove("$ref");
                if let Value::Object(expanded) = expanded {
                    for (key, child) in expanded {
                        map.entry(key).or_insert(child);
                    }
                }
                return;
            }
            for child in map.values_mut() {
                expand_dropped(child, kept, components, stack);
            }
        }
        Value::Array(items) => {
            for item in items {
                expand_dropped(item, kept, components, stack);
            }
        }
        _ => {}
    }
}
