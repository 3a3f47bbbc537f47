//! The drift report: what changes, operation by operation, between two versions of an
//! OpenAPI document, and whether each change breaks a client.
//!
//! Operations are matched by method and path, with path parameter names ignored (a renamed
//! path parameter is reported as a change of that operation). Schemas are compared by
//! property path (`report.Details[].Pts`) after following references.
//!
//! What counts as breaking for a client:
//!
//! | change | request side | response side |
//! |---|---|---|
//! | operation removed / operationId renamed | breaking | |
//! | operation added | not breaking | |
//! | parameter removed, retyped, or made required | breaking | |
//! | optional parameter added | not breaking | |
//! | property added | breaking if required | not breaking |
//! | property removed or retyped | breaking | breaking |
//! | property made nullable | not breaking | breaking |
//! | property made required / optional | breaking / not | not / breaking |

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::sync::walk::METHODS;

/// The drift of every file.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Report {
    /// One entry per API file.
    pub files: Vec<FileDrift>,
}

/// The drift of one file.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct FileDrift {
    /// The file, relative to the workspace root (`openapi/sandbox.yaml`).
    pub file: String,
    /// Operations in the committed file.
    pub operations_before: usize,
    /// Operations in the new result.
    pub operations_after: usize,
    /// Whether the file's text would change at all.
    pub text_changed: bool,
    /// Operation changes, removed first, then added, then changed, each by path.
    pub changes: Vec<OperationChange>,
    /// Overlay entries that found nothing to apply to.
    pub overlay_unapplied: Vec<String>,
}

/// What happened to an operation.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The operation is gone.
    Removed,
    /// The operation is new.
    Added,
    /// The operation exists in both, differently.
    Changed,
}

/// One operation's change.
#[derive(Debug, Serialize, PartialEq)]
pub struct OperationChange {
    /// Removed, added or changed.
    pub kind: ChangeKind,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template (the new one for added and changed operations).
    pub path: String,
    /// operationId (the new one for added and changed operations).
    pub operation_id: String,
    /// Whether a client written against the old file breaks.
    pub breaking: bool,
    /// What changed inside a changed operation.
    pub details: Vec<Detail>,
}

/// One change inside an operation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Detail {
    /// A sentence describing it.
    pub change: String,
    /// Whether it breaks a client.
    pub breaking: bool,
}

impl Report {
    /// Whether any file's text would change.
    pub fn has_drift(&self) -> bool {
        self.files.iter().any(|f| f.text_changed)
    }

    /// Number of breaking operation changes.
    pub fn breaking_count(&self) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.changes)
            .filter(|c| c.breaking)
            .count()
    }

    /// The report as plain text.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "Drift from the committed openapi/ to what sync makes of the upstream files \
             (+ added: only in the upstream result; - removed: only in the committed files):\n",
        );
        for file in &self.files {
            render_file(file, &mut out);
        }
        let changes: usize = self.files.iter().map(|f| f.changes.len()).sum();
        let _ = writeln!(
            out,
            "Summary: {changes} operation change(s), {} breaking.",
            self.breaking_count()
        );
        out
    }
}

fn render_file(file: &FileDrift, out: &mut String) {
    let count = |kind| file.changes.iter().filter(|c| c.kind == kind).count();
    let breaking = file.changes.iter().filter(|c| c.breaking).count();
    let state = if !file.text_changed {
        "up to date".to_owned()
    } else if file.changes.is_empty() {
        "changes outside operations (descriptions or unused schemas)".to_owned()
    } else {
        format!(
            "{} added, {} removed, {} changed, {breaking} breaking",
            count(ChangeKind::Added),
            count(ChangeKind::Removed),
            count(ChangeKind::Changed)
        )
    };
    let _ = writeln!(
        out,
        "{}: {} -> {} operations; {state}",
        file.file, file.operations_before, file.operations_after
    );
    for change in &file.changes {
        let (sign, word) = match change.kind {
            ChangeKind::Removed => ('-', "removed"),
            ChangeKind::Added => ('+', "added"),
            ChangeKind::Changed => ('~', "changed"),
        };
        let flag = if change.breaking { "  [breaking]" } else { "" };
        let _ = writeln!(
            out,
            "  {sign} {word:<7} {} {} ({}){flag}",
            change.method, change.path, change.operation_id
        );
        for detail in &change.details {
            let flag = if detail.breaking { "  [breaking]" } else { "" };
            let _ = writeln!(out, "      {}{flag}", detail.change);
        }
    }
    if !file.overlay_unapplied.is_empty() {
        let _ = writeln!(out, "  overlay entries that applied to nothing:");
        for entry in &file.overlay_unapplied {
            let _ = writeln!(out, "      {entry}");
        }
    }
}

/// An operation found in a document.
struct Operation<'a> {
    method: String,
    path: String,
    id: String,
    value: &'a Value,
}

fn operations(doc: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    let id = operation
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_owned();
                    let key = (normalize(path), method.to_uppercase());
                    out.insert(
                        key,
                        Operation {
                            method: method.to_uppercase(),
                            path: path.clone(),
                            id,
                            value: operation,
                        },
                    );
                }
            }
        }
    }
    out
}

/// `/a/{x}/b` and `/a/{y}/b` are the same endpoint.
fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// Compares two documents (`before` may be `Value::Null` when there was no file).
pub fn compare(file: &str, before: &Value, after: &Value) -> FileDrift {
    let old = operations(before);
    let new = operations(after);
    let mut changes = Vec::new();
    for (key, op) in &old {
        if !new.contains_key(key) {
            changes.push(OperationChange {
                kind: ChangeKind::Removed,
                method: op.method.clone(),
                path: op.path.clone(),
                operation_id: op.id.clone(),
                breaking: true,
                details: Vec::new(),
            });
        }
    }
    for (key, op) in &new {
        match old.get(key) {
            None => changes.push(OperationChange {
                kind: ChangeKind::Added,
                method: op.method.clone(),
                path: op.path.clone(),
                operation_id: op.id.clone(),
                breaking: false,
                details: Vec::new(),
            }),
            Some(previous) => {
                let details = operation_details(previous, before, op, after);
                if !details.is_empty() {
                    changes.push(OperationChange {
                        kind: ChangeKind::Changed,
                        method: op.method.clone(),
                        path: op.path.clone(),
                        operation_id: op.id.clone(),
                        breaking: details.iter().any(|d| d.breaking),
                        details,
                    });
                }
            }
        }
    }
    changes.sort_by(|a, b| (a.kind, &a.path, &a.method).cmp(&(b.kind, &b.path, &b.method)));
    FileDrift {
        file: file.to_owned(),
        operations_before: old.len(),
        operations_after: new.len(),
        text_changed: before != after,
        changes,
        overlay_unapplied: Vec::new(),
    }
}

fn operation_details(
    old: &Operation<'_>,
    old_doc: &Value,
    new: &Operation<'_>,
    new_doc: &Value,
) -> Vec<Detail> {
    let mut details = Vec::new();
    let mut push = |change: String, breaking: bool| details.push(Detail { change, breaking });
    if old.id != new.id {
        push(
            format!("operationId `{}` is now `{}`", old.id, new.id),
            true,
        );
    }
    if old.path != new.path {
        push(format!("path `{}` is now `{}`", old.path, new.path), false);
    }

    let old_params = parameters(old.value, old_doc);
    let new_params = parameters(new.value, new_doc);
    for ((place, name), param) in &old_params {
        match new_params.get(&(place.clone(), name.clone())) {
            None if place == "path" => {}
            None => push(format!("{place} parameter `{name}` removed"), true),
            Some(now) => {
                if param.ty != now.ty {
                    push(
                        format!("{place} parameter `{name}`: {} -> {}", param.ty, now.ty),
                        true,
                    );
                }
                if !param.required && now.required {
                    push(format!("{place} parameter `{name}` is now required"), true);
                }
                if param.required && !now.required && place != "path" {
                    push(format!("{place} parameter `{name}` is now optional"), false);
                }
            }
        }
    }
    for ((place, name), param) in &new_params {
        if !old_params.contains_key(&(place.clone(), name.clone())) && place != "path" {
            let required = if param.required {
                "required"
            } else {
                "optional"
            };
            push(
                format!("{required} {place} parameter `{name}` added"),
                param.required,
            );
        }
    }
    let old_path: Vec<_> = old_params.keys().filter(|k| k.0 == "path").collect();
    let new_path: Vec<_> = new_params.keys().filter(|k| k.0 == "path").collect();
    if old_path.len() != new_path.len() {
        push("number of path parameters changed".to_owned(), true);
    }

    let old_request = body_schema(old.value.get("requestBody"));
    let new_request = body_schema(new.value.get("requestBody"));
    compare_bodies(
        Side::Request,
        old_request,
        old_doc,
        new_request,
        new_doc,
        &mut push,
    );
    let old_response = success_schema(old.value);
    let new_response = success_schema(new.value);
    compare_bodies(
        Side::Response,
        old_response,
        old_doc,
        new_response,
        new_doc,
        &mut push,
    );
    details
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

impl Side {
    fn word(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::Response => "response",
        }
    }
}

fn compare_bodies(
    side: Side,
    old: Option<&Value>,
    old_doc: &Value,
    new: Option<&Value>,
    new_doc: &Value,
    push: &mut impl FnMut(String, bool),
) {
    let word = side.word();
    match (old, new) {
        (None, None) => {}
        (Some(_), None) => push(format!("{word} body removed"), true),
        (None, Some(_)) => push(format!("{word} body added"), side == Side::Request),
        (Some(old), Some(new)) => {
            let before = shapes(old, old_doc);
            let after = shapes(new, new_doc);
            for (path, shape) in &before {
                if parent_in(path, &before, &after) {
                    continue;
                }
                match after.get(path) {
                    None => push(format!("{word} `{}` removed", show(path)), true),
                    Some(now) => {
                        if shape.ty != now.ty {
                            push(
                                format!("{word} `{}`: {} -> {}", show(path), shape.ty, now.ty),
                                true,
                            );
                        }
                        if shape.nullable != now.nullable {
                            let (state, breaking) = match (now.nullable, side) {
                                (true, Side::Response) => ("nullable", true),
                                (true, Side::Request) => ("nullable", false),
                                (false, Side::Response) => ("not nullable", false),
                                (false, Side::Request) => ("not nullable", true),
                            };
                            push(format!("{word} `{}` is now {state}", show(path)), breaking);
                        }
                        if shape.required != now.required {
                            let (state, breaking) = match (now.required, side) {
                                (true, Side::Request) => ("required", true),
                                (true, Side::Response) => ("always present", false),
                                (false, Side::Request) => ("optional", false),
                                (false, Side::Response) => ("optional", true),
                            };
                            push(format!("{word} `{}` is now {state}", show(path)), breaking);
                        }
                    }
                }
            }
            for (path, shape) in &after {
                if before.contains_key(path) || parent_in(path, &after, &before) {
                    continue;
                }
                let breaking = side == Side::Request && shape.required;
                push(
                    format!("{word} `{}` added ({})", show(path), shape.ty),
                    breaking,
                );
            }
        }
    }
}

/// True when an ancestor of `path` is in `here` but not in `there` (so the change is already
/// reported at the ancestor).
fn parent_in(path: &str, here: &BTreeMap<String, Shape>, there: &BTreeMap<String, Shape>) -> bool {
    let mut current = path;
    while let Some(parent) = current
        .rfind(['.', '[', '{'])
        .and_then(|cut| current.get(..cut))
    {
        current = parent;
        if current.is_empty() {
            break;
        }
        if here.contains_key(current) && !there.contains_key(current) {
            return true;
        }
    }
    false
}

fn show(path: &str) -> &str {
    if path.is_empty() { "(body)" } else { path }
}

struct Param {
    ty: String,
    required: bool,
}

fn parameters(operation: &Value, doc: &Value) -> BTreeMap<(String, String), Param> {
    let mut out = BTreeMap::new();
    if let Some(Value::Array(list)) = operation.get("parameters") {
        for parameter in list {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = parameter.get("in").and_then(Value::as_str).unwrap_or("?");
            let ty = parameter
                .get("schema")
                .map(|s| describe(s, doc, &mut BTreeSet::new()))
                .unwrap_or_else(|| "any".to_owned());
            let required = parameter
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            out.insert((place.to_owned(), name.to_owned()), Param { ty, required });
        }
    }
    out
}

fn body_schema(body: Option<&Value>) -> Option<&Value> {
    let content = body?.get("content")?.as_object()?;
    content.values().find_map(|media| media.get("schema"))
}

fn success_schema(operation: &Value) -> Option<&Value> {
    let responses = operation.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, response)| body_schema(Some(response)))
}

#[derive(Debug, PartialEq)]
struct Shape {
    ty: String,
    nullable: bool,
    required: bool,
}

/// Every property path of a schema with its shape; the body itself is the path `""`.
fn shapes(schema: &Value, doc: &Value) -> BTreeMap<String, Shape> {
    let mut out = BTreeMap::new();
    collect_shapes(schema, doc, "", true, &mut BTreeSet::new(), &mut out);
    out
}

fn collect_shapes(
    schema: &Value,
    doc: &Value,
    path: &str,
    required: bool,
    visiting: &mut BTreeSet<String>,
    out: &mut BTreeMap<String, Shape>,
) {
    let (resolved, nullable, name) = resolve(schema, doc);
    out.insert(
        path.to_owned(),
        Shape {
            ty: describe(schema, doc, &mut BTreeSet::new()),
            nullable,
            required,
        },
    );
    if let Some(name) = &name
        && !visiting.insert(name.clone())
    {
        return;
    }
    if let Some(Value::Object(properties)) = resolved.get("properties") {
        let required_names: Vec<&str> = resolved
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (property, child) in properties {
            let child_path = if path.is_empty() {
                property.clone()
            } else {
                format!("{path}.{property}")
            };
            let child_required = required_names.contains(&property.as_str());
            collect_shapes(child, doc, &child_path, child_required, visiting, out);
        }
    }
    if let Some(items) = resolved.get("items") {
        collect_shapes(items, doc, &format!("{path}[]"), true, visiting, out);
    }
    if let Some(values @ Value::Object(_)) = resolved.get("additionalProperties") {
        collect_shapes(values, doc, &format!("{path}{{}}"), true, visiting, out);
    }
    if let Some(name) = name {
        visiting.remove(&name);
    }
}

/// Follows `$ref` (and a single-member `allOf`), returning the target, whether it is
/// nullable, and the component name when there was one.
fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> (&'a Value, bool, Option<String>) {
    let mut nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
    let mut current = schema;
    let mut name = None;
    for _ in 0..32 {
        if let Some(reference) = current.get("$ref").and_then(Value::as_str) {
            let Some(component) = reference.strip_prefix("#/components/schemas/") else {
                break;
            };
            let Some(target) = doc.pointer(&format!("/components/schemas/{component}")) else {
                break;
            };
            name = Some(component.to_owned());
            current = target;
        } else if let Some([only]) = current
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            current = only;
        } else {
            break;
        }
        nullable |= current.get("nullable").and_then(Value::as_bool) == Some(true);
    }
    (current, nullable, name)
}

/// A short type description: `integer(int64)`, `string`, `array<object>`, `number|string`.
fn describe(schema: &Value, doc: &Value, seen: &mut BTreeSet<String>) -> String {
    let (resolved, _, name) = resolve(schema, doc);
    if let Some(name) = &name
        && !seen.insert(name.clone())
    {
        return "object".to_owned();
    }
    let text = if let Some(variants) = resolved
        .get("oneOf")
        .or_else(|| resolved.get("anyOf"))
        .and_then(Value::as_array)
    {
        let mut names: Vec<String> = variants.iter().map(|v| describe(v, doc, seen)).collect();
        names.sort();
        names.dedup();
        names.join("|")
    } else {
        match resolved.get("type").and_then(Value::as_str) {
            Some("array") => {
                let items = resolved
                    .get("items")
                    .map(|i| describe(i, doc, seen))
                    .unwrap_or_else(|| "any".to_owned());
                format!("array<{items}>")
            }
            Some(ty) => match resolved.get("format").and_then(Value::as_str) {
                Some(format) if ty != "object" => format!("{ty}({format})"),
                _ => ty.to_owned(),
            },
            None if resolved.get("properties").is_some() => "object".to_owned(),
            None => "any".to_owned(),
        }
    };
    if let Some(name) = name {
        seen.remove(&name);
    }
    text
}
