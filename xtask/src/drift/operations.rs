//! Operation by operation: what changed, and whether it breaks a client of the generated
//! code. The rules, for a client written against the committed description:
//!
//! | change | verdict |
//! |---|---|
//! | operation removed, its path or operationId changed | breaking |
//! | operation added | not breaking |
//! | input removed or retyped to refuse what was accepted | breaking |
//! | required input added, or an input made required | breaking |
//! | optional input added, an input made optional, accepted values widened | not breaking |
//! | request enum value removed / added | breaking / not |
//! | response field removed, made optional, or retyped beyond what clients decode | breaking |
//! | response field added, narrowed to values clients decode | not breaking |
//! | required response field made nullable / optional one made nullable | breaking / not |
//! | value added to / removed from a response's closed enum | breaking / not |
//! | known values of an open enum (`x-extensible-enum`) | not breaking |
//! | path parameter renamed (the generated method takes it by position) | not breaking |
//! | success status or media type changed | breaking |
//! | a union's variants changed, yet each still fits one on the other side (see [`super::unions`]) | not breaking |
//!
//! Anything else that differs (a `default`, a `minimum`, an operation keyword) is listed as
//! not classified, with both values, so that nothing changes silently.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::schema::{Node, find, places};
use super::unions;
use super::{ChangeKind, Detail, OperationChange};
use crate::sync::overlay::PROSE;
use crate::sync::walk::METHODS;

/// An operation found in a document.
struct Operation<'a> {
    method: String,
    path: String,
    id: String,
    value: &'a Value,
}

/// Operations by (path with parameter names removed, method).
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
                    out.insert(
                        (normalize(path), method.to_uppercase()),
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

/// Number of operations in a document.
pub fn count(doc: &Value) -> usize {
    operations(doc).len()
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

/// Every operation change between two documents, removed first, then added, then changed.
pub fn compare(before: &Value, after: &Value) -> Vec<OperationChange> {
    let old = operations(before);
    let new = operations(after);
    let mut removed: Vec<&Operation<'_>> = old
        .iter()
        .filter(|(key, _)| !new.contains_key(*key))
        .map(|(_, op)| op)
        .collect();
    let mut added: Vec<&Operation<'_>> = new
        .iter()
        .filter(|(key, _)| !old.contains_key(*key))
        .map(|(_, op)| op)
        .collect();
    let mut changes = Vec::new();
    // An operation whose path changed keeps its operationId: pair them.
    let mut moved = Vec::new();
    removed.retain(|gone| match added.iter().position(|op| op.id == gone.id) {
        Some(index) => {
            moved.push((*gone, added.remove(index)));
            false
        }
        None => true,
    });
    for op in removed {
        changes.push(change(ChangeKind::Removed, op, true, Vec::new()));
    }
    for op in added {
        changes.push(change(ChangeKind::Added, op, false, Vec::new()));
    }
    for (gone, op) in moved {
        let mut details = vec![Detail::breaking(
            "path",
            format!("`{}` -> `{}`", gone.path, op.path),
            "clients call the old path",
        )];
        details.extend(operation_details(gone, before, op, after));
        changes.push(change(ChangeKind::Changed, op, true, details));
    }
    for (key, op) in &new {
        if let Some(previous) = old.get(key) {
            let details = operation_details(previous, before, op, after);
            if !details.is_empty() {
                let breaking = details.iter().any(|d| d.breaking);
                changes.push(change(ChangeKind::Changed, op, breaking, details));
            }
        }
    }
    changes.sort_by(|a, b| (a.kind, &a.path, &a.method).cmp(&(b.kind, &b.path, &b.method)));
    changes
}

fn change(
    kind: ChangeKind,
    op: &Operation<'_>,
    breaking: bool,
    details: Vec<Detail>,
) -> OperationChange {
    OperationChange {
        kind,
        method: op.method.clone(),
        path: op.path.clone(),
        operation_id: op.id.clone(),
        breaking,
        details,
    }
}

fn operation_details(
    old: &Operation<'_>,
    old_doc: &Value,
    new: &Operation<'_>,
    new_doc: &Value,
) -> Vec<Detail> {
    let mut out = Vec::new();
    if old.id != new.id {
        out.push(Detail::breaking(
            "operationId",
            format!("`{}` -> `{}`", old.id, new.id),
            "the generated method is renamed",
        ));
    }
    parameters(old, old_doc, new, new_doc, &mut out);
    request_body(old.value, old_doc, new.value, new_doc, &mut out);
    responses(old.value, old_doc, new.value, new_doc, &mut out);
    let handled = ["operationId", "parameters", "requestBody", "responses"];
    unclassified(old.value, new.value, &handled, "operation", &mut out);
    out
}

/// Which side of the exchange a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Sent by the client: the API must accept what clients send.
    Request,
    /// Read by the client: clients must decode what the API sends.
    Response,
}

struct Param<'a> {
    name: String,
    required: bool,
    value: &'a Value,
}

fn declared_parameters(op: &Value) -> Vec<(String, Param<'_>)> {
    let mut out = Vec::new();
    if let Some(Value::Array(list)) = op.get("parameters") {
        for parameter in list {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = parameter.get("in").and_then(Value::as_str).unwrap_or("?");
            let required = parameter.get("required").and_then(Value::as_bool) == Some(true);
            out.push((
                place.to_owned(),
                Param {
                    name: name.to_owned(),
                    required,
                    value: parameter,
                },
            ));
        }
    }
    out
}

fn find_param<'p, 'v>(
    params: &'p [(String, Param<'v>)],
    place: &str,
    name: &str,
) -> Option<&'p Param<'v>> {
    params
        .iter()
        .find(|(p, param)| p == place && param.name == name)
        .map(|(_, param)| param)
}

fn names(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The path parameters' names in the order they appear in the path.
fn path_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn parameters(
    old: &Operation<'_>,
    old_doc: &Value,
    new: &Operation<'_>,
    new_doc: &Value,
    out: &mut Vec<Detail>,
) {
    let old_params = declared_parameters(old.value);
    let new_params = declared_parameters(new.value);

    // Path parameters: by position (a renamed one is the same argument), or by name when
    // their number changed.
    let old_names = path_names(&old.path);
    let new_names = path_names(&new.path);
    let pairs: Vec<(&String, &String)> = if old_names.len() == new_names.len() {
        old_names.iter().zip(&new_names).collect()
    } else {
        out.push(Detail::breaking(
            "path parameters",
            format!("{} -> {}", names(&old_names), names(&new_names)),
            "the generated method takes other arguments",
        ));
        old_names
            .iter()
            .filter(|name| new_names.contains(name))
            .map(|name| (name, name))
            .collect()
    };
    for (old_name, new_name) in pairs {
        let label = format!("path parameter `{new_name}`");
        if old_name != new_name {
            out.push(Detail::fine(
                &format!("path parameter `{old_name}`"),
                format!("renamed `{new_name}`"),
                "the generated method takes it by position",
            ));
        }
        if let (Some(a), Some(b)) = (
            find_param(&old_params, "path", old_name),
            find_param(&new_params, "path", new_name),
        ) {
            compare_parameter(&label, a, old_doc, b, new_doc, out);
        }
    }

    // Query, header and cookie parameters, by place and name.
    for (place, param) in old_params.iter().filter(|(p, _)| p != "path") {
        let label = format!("{place} parameter `{}`", param.name);
        match find_param(&new_params, place, &param.name) {
            None => out.push(Detail::breaking(
                &label,
                "removed".to_owned(),
                "clients send it; the API ignores or refuses it",
            )),
            Some(now) => compare_parameter(&label, param, old_doc, now, new_doc, out),
        }
    }
    for (place, param) in new_params.iter().filter(|(p, _)| p != "path") {
        if find_param(&old_params, place, &param.name).is_some() {
            continue;
        }
        let label = format!("{place} parameter `{}`", param.name);
        let shown = schema_shown(param.value.get("schema"), new_doc);
        if param.required {
            out.push(Detail::breaking(
                &label,
                format!("added, required ({shown})"),
                "clients do not send it",
            ));
        } else {
            out.push(Detail::fine(
                &label,
                format!("added, optional ({shown})"),
                "an optional input",
            ));
        }
    }
}

fn schema_shown(schema: Option<&Value>, doc: &Value) -> String {
    schema.map_or_else(
        || "any".to_owned(),
        |s| super::schema::shown(&super::schema::effective(s, doc).0, doc, &mut Vec::new()),
    )
}

fn compare_parameter(
    label: &str,
    old: &Param<'_>,
    old_doc: &Value,
    new: &Param<'_>,
    new_doc: &Value,
    out: &mut Vec<Detail>,
) {
    if !old.required && new.required {
        out.push(Detail::breaking(
            label,
            "now required".to_owned(),
            "clients that omit it are refused",
        ));
    }
    if old.required && !new.required {
        out.push(Detail::fine(
            label,
            "now optional".to_owned(),
            "clients may omit it",
        ));
    }
    for key in ["style", "explode"] {
        let (a, b) = (old.value.get(key), new.value.get(key));
        if a != b {
            out.push(Detail::breaking(
                label,
                format!("`{key}`: {} -> {}", shown_value(a), shown_value(b)),
                "clients send it in another form",
            ));
        }
    }
    let empty = Value::Object(Map::new());
    let before = places(old.value.get("schema").unwrap_or(&empty), old_doc, true);
    let after = places(new.value.get("schema").unwrap_or(&empty), new_doc, true);
    compare_places(Side::Request, label, &before, &after, out);
    let handled = ["name", "in", "required", "style", "explode", "schema"];
    unclassified(old.value, new.value, &handled, label, out);
}

fn request_body(old: &Value, old_doc: &Value, new: &Value, new_doc: &Value, out: &mut Vec<Detail>) {
    let label = "request body";
    match (old.get("requestBody"), new.get("requestBody")) {
        (None, None) => {}
        (Some(_), None) => out.push(Detail::breaking(
            label,
            "removed".to_owned(),
            "clients send one the API no longer reads",
        )),
        (None, Some(body)) => {
            if body.get("required") == Some(&Value::Bool(true)) {
                out.push(Detail::breaking(
                    label,
                    "added, required".to_owned(),
                    "clients do not send it",
                ));
            } else {
                out.push(Detail::fine(
                    label,
                    "added, optional".to_owned(),
                    "an optional input",
                ));
            }
        }
        (Some(a), Some(b)) => {
            let required = |body: &Value| body.get("required") == Some(&Value::Bool(true));
            if !required(a) && required(b) {
                out.push(Detail::breaking(
                    label,
                    "now required".to_owned(),
                    "clients that send none are refused",
                ));
            }
            if required(a) && !required(b) {
                out.push(Detail::fine(
                    label,
                    "now optional".to_owned(),
                    "clients may omit it",
                ));
            }
            content(Side::Request, a, old_doc, b, new_doc, out);
            unclassified(a, b, &["required", "content"], label, out);
        }
    }
}

fn responses(old: &Value, old_doc: &Value, new: &Value, new_doc: &Value, out: &mut Vec<Detail>) {
    let empty = Map::new();
    let success = |op: &'_ Value| -> BTreeMap<String, Value> {
        op.get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .map(|(status, response)| (status.clone(), response.clone()))
            .collect()
    };
    let (a, b) = (success(old), success(new));
    let a_statuses: BTreeSet<&String> = a.keys().collect();
    let b_statuses: BTreeSet<&String> = b.keys().collect();
    if a_statuses != b_statuses {
        out.push(Detail::breaking(
            "success status",
            format!("{} -> {}", join_set(&a_statuses), join_set(&b_statuses)),
            "the generated client expects the listed statuses",
        ));
    }
    let with_body = |responses: &BTreeMap<String, Value>| {
        responses
            .iter()
            .find(|(_, r)| r.get("content").is_some())
            .map(|(status, r)| (status.clone(), r.clone()))
    };
    match (with_body(&a), with_body(&b)) {
        (None, None) => {}
        (Some(_), None) => out.push(Detail::breaking(
            "response body",
            "removed".to_owned(),
            "clients read it",
        )),
        (None, Some(_)) => out.push(Detail::fine(
            "response body",
            "added".to_owned(),
            "clients that ignore it are unaffected",
        )),
        (Some((_, x)), Some((_, y))) => {
            content(Side::Response, &x, old_doc, &y, new_doc, out);
        }
    }
    for status in a_statuses.intersection(&b_statuses) {
        if let (Some(x), Some(y)) = (a.get(*status), b.get(*status)) {
            unclassified(x, y, &["content"], &format!("response {status}"), out);
        }
    }
}

fn join_set(set: &BTreeSet<&String>) -> String {
    if set.is_empty() {
        "none".to_owned()
    } else {
        set.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Compares the media types and schemas of two bodies (request or response).
fn content(
    side: Side,
    old: &Value,
    old_doc: &Value,
    new: &Value,
    new_doc: &Value,
    out: &mut Vec<Detail>,
) {
    let word = match side {
        Side::Request => "request",
        Side::Response => "response",
    };
    let media = |body: &Value| -> Vec<String> {
        body.get("content")
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (a, b) = (media(old), media(new));
    if a != b {
        out.push(Detail::breaking(
            &format!("{word} media type"),
            format!("{} -> {}", a.join(", "), b.join(", ")),
            "clients send or read another format",
        ));
    }
    let schema = |body: &Value| -> Option<Value> {
        body.get("content")?
            .as_object()?
            .values()
            .find_map(|m| m.get("schema"))
            .cloned()
    };
    match (schema(old), schema(new)) {
        (Some(x), Some(y)) => {
            let before = places(&x, old_doc, true);
            let after = places(&y, new_doc, true);
            compare_places(side, word, &before, &after, out);
        }
        (Some(_), None) => out.push(Detail::breaking(
            &format!("{word} schema"),
            "removed".to_owned(),
            "nothing describes the body any more",
        )),
        (None, Some(_)) => out.push(Detail::fine(
            &format!("{word} schema"),
            "added".to_owned(),
            "the body is now described",
        )),
        (None, None) => {}
    }
}

/// Where a place is, for a sentence: "response `[].color`", "request body",
/// "query parameter `ids[]` at `[]`".
fn location(label: &str, path: &str) -> String {
    match (path.is_empty(), label) {
        (true, "request" | "response") => format!("{label} body"),
        (true, _) => label.to_owned(),
        (false, "request" | "response") => format!("{label} `{path}`"),
        (false, _) => format!("{label} at `{path}`"),
    }
}

/// The parent of a place (`a.b` → `a`, `a[]` → `a`, `a<object>` → `a`).
pub(super) fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    if let Some(rest) = path.strip_suffix("[]").or_else(|| path.strip_suffix("{}")) {
        return Some(rest);
    }
    if path.ends_with('>')
        && let Some(open) = path.rfind('<')
    {
        return path.get(..open);
    }
    Some(
        path.rfind('.')
            .and_then(|cut| path.get(..cut))
            .unwrap_or(""),
    )
}

/// True when an ancestor of `path` is in `here` but not in `there`: the change is reported
/// at that ancestor.
fn under_changed_ancestor(
    path: &str,
    here: &BTreeMap<String, Node>,
    there: &BTreeMap<String, Node>,
) -> bool {
    let mut current = parent(path);
    while let Some(ancestor) = current {
        if find(here, ancestor).is_some() && find(there, ancestor).is_none() {
            return true;
        }
        current = parent(ancestor);
    }
    false
}

pub(super) fn compare_places(
    side: Side,
    label: &str,
    before: &BTreeMap<String, Node>,
    after: &BTreeMap<String, Node>,
    out: &mut Vec<Detail>,
) {
    let unions = unions::still_compatible(side, before, after);
    let mut found = Vec::new();
    compare_each_place(side, label, before, after, &mut found);
    for (path, mut detail) in found {
        if detail.breaking
            && let Some(union) = unions.iter().find(|u| unions::inside(&path, u))
            && (path != *union || is_type_change(&detail, before, after, union))
        {
            detail.breaking = false;
            detail.reason = unions::reason(side, union);
        }
        out.push(detail);
    }
}

/// Whether `detail`, found at `path`, is the change of its type (not of its presence or
/// nullability, which the union's variants do not decide).
fn is_type_change(
    detail: &Detail,
    before: &BTreeMap<String, Node>,
    after: &BTreeMap<String, Node>,
    path: &str,
) -> bool {
    match (find(before, path), find(after, path)) {
        (Some(old), Some(new)) => detail.change == format!("{} -> {}", old.shown, new.shown),
        _ => false,
    }
}

/// Every difference, with the path of the place it was found at.
fn compare_each_place(
    side: Side,
    label: &str,
    before: &BTreeMap<String, Node>,
    after: &BTreeMap<String, Node>,
    out: &mut Vec<(String, Detail)>,
) {
    // A variant of a `oneOf` that appears or goes is a change of its union's type, reported
    // there; what changes inside a variant shows at the places under it.
    let variant = |path: &str| path.ends_with('>');
    for (path, old) in before {
        if under_changed_ancestor(path, before, after) {
            continue;
        }
        let at = location(label, path);
        match find(after, path) {
            None if variant(path) => {}
            None => out.push((
                path.clone(),
                match side {
                    Side::Response => {
                        Detail::breaking(&at, "removed".to_owned(), "clients read it")
                    }
                    Side::Request => Detail::breaking(
                        &at,
                        "removed".to_owned(),
                        "clients send it; the API no longer reads it",
                    ),
                },
            )),
            // A variant against a schema that is not a union: the union's own line (its
            // type change) says it.
            Some(_) if variant(path) && !after.contains_key(path) => {}
            Some(new) => {
                let mut details = Vec::new();
                compare_node(side, &at, path.is_empty(), old, new, &mut details);
                out.extend(details.into_iter().map(|d| (path.clone(), d)));
            }
        }
    }
    for (path, new) in after {
        if find(before, path).is_some()
            || under_changed_ancestor(path, after, before)
            || variant(path)
        {
            continue;
        }
        let at = location(label, path);
        let detail = match side {
            Side::Response => Detail::fine(
                &at,
                format!("added ({})", new.shown),
                "clients ignore what they do not know",
            ),
            Side::Request if new.required => Detail::breaking(
                &at,
                format!("added, required ({})", new.shown),
                "clients do not send it",
            ),
            Side::Request => Detail::fine(
                &at,
                format!("added, optional ({})", new.shown),
                "an optional input",
            ),
        };
        out.push((path.clone(), detail));
    }
}

fn compare_node(side: Side, at: &str, root: bool, old: &Node, new: &Node, out: &mut Vec<Detail>) {
    if old.kind != new.kind {
        let change = format!("{} -> {}", old.shown, new.shown);
        out.push(match side {
            Side::Response if accepts(&old.kind, &new.kind) => {
                Detail::fine(at, change, "narrower: clients still decode every value")
            }
            Side::Response => Detail::breaking(at, change, "clients cannot decode every new value"),
            Side::Request if accepts(&new.kind, &old.kind) => {
                Detail::fine(at, change, "wider: what clients send is still accepted")
            }
            Side::Request => Detail::breaking(at, change, "the API may refuse what clients send"),
        });
    }
    if old.nullable != new.nullable {
        out.push(match (side, new.nullable) {
            (Side::Response, true) if new.required => Detail::breaking(
                at,
                "now nullable".to_owned(),
                "clients expect a value and may get null",
            ),
            (Side::Response, true) => Detail::fine(
                at,
                "now nullable".to_owned(),
                "already optional: null reads as absent",
            ),
            (Side::Response, false) => {
                Detail::fine(at, "no longer nullable".to_owned(), "never null now")
            }
            (Side::Request, true) => {
                Detail::fine(at, "now nullable".to_owned(), "null is accepted too")
            }
            (Side::Request, false) if new.required => {
                Detail::breaking(at, "no longer nullable".to_owned(), "clients may send null")
            }
            (Side::Request, false) => Detail::fine(
                at,
                "no longer nullable".to_owned(),
                "optional: clients omit it rather than send null",
            ),
        });
    }
    if !root && old.required != new.required {
        out.push(match (side, new.required) {
            (Side::Response, false) => {
                Detail::breaking(at, "now optional".to_owned(), "clients expect it always")
            }
            (Side::Response, true) => {
                Detail::fine(at, "now always present".to_owned(), "clients get more")
            }
            (Side::Request, true) => Detail::breaking(
                at,
                "now required".to_owned(),
                "clients that omit it are refused",
            ),
            (Side::Request, false) => {
                Detail::fine(at, "now optional".to_owned(), "clients may omit it")
            }
        });
    }
    closed_enum(side, at, old.closed.as_ref(), new.closed.as_ref(), out);
    if old.open != new.open {
        let empty = BTreeSet::new();
        let (a, b) = (
            old.open.as_ref().unwrap_or(&empty),
            new.open.as_ref().unwrap_or(&empty),
        );
        out.push(Detail::fine(
            at,
            format!("known values {}", value_changes(a, b)),
            "an open enumeration: clients accept any value",
        ));
    }
    if let (Some(a), Some(b)) = (&old.name, &new.name)
        && a != b
    {
        out.push(Detail::fine(
            at,
            format!("schema `{a}` is now `{b}`"),
            "the generated type is renamed; the values are the same",
        ));
    }
    let keys: BTreeSet<&String> = old.other.keys().chain(new.other.keys()).collect();
    for key in keys {
        let (a, b) = (old.other.get(key), new.other.get(key));
        if a != b {
            out.push(Detail::unclassified(
                at,
                format!("`{key}`: {} -> {}", shown_value(a), shown_value(b)),
            ));
        }
    }
}

fn closed_enum(
    side: Side,
    at: &str,
    old: Option<&BTreeSet<String>>,
    new: Option<&BTreeSet<String>>,
    out: &mut Vec<Detail>,
) {
    match (old, new) {
        (None, None) => {}
        (None, Some(values)) => out.push(match side {
            Side::Request => Detail::breaking(
                at,
                format!("now limited to {}", listed(values)),
                "clients may send other values",
            ),
            Side::Response => Detail::fine(
                at,
                format!("now limited to {}", listed(values)),
                "clients get fewer kinds of value",
            ),
        }),
        (Some(_), None) => out.push(match side {
            Side::Request => Detail::fine(
                at,
                "no longer an enumeration".to_owned(),
                "any value is accepted",
            ),
            Side::Response => Detail::breaking(
                at,
                "no longer an enumeration".to_owned(),
                "clients decode a closed set of values",
            ),
        }),
        (Some(a), Some(b)) => {
            let added: BTreeSet<String> = b.difference(a).cloned().collect();
            let removed: BTreeSet<String> = a.difference(b).cloned().collect();
            if !removed.is_empty() {
                let change = format!("enum values removed: {}", listed(&removed));
                out.push(match side {
                    Side::Request => Detail::breaking(at, change, "clients may send them"),
                    Side::Response => Detail::fine(at, change, "clients get fewer values"),
                });
            }
            if !added.is_empty() {
                let change = format!("enum values added: {}", listed(&added));
                out.push(match side {
                    Side::Request => Detail::fine(at, change, "more values are accepted"),
                    Side::Response => Detail::breaking(
                        at,
                        change,
                        "a closed enumeration: clients refuse values they do not know",
                    ),
                });
            }
        }
    }
}

fn listed(values: &BTreeSet<String>) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn value_changes(a: &BTreeSet<String>, b: &BTreeSet<String>) -> String {
    let mut parts = Vec::new();
    let added: BTreeSet<String> = b.difference(a).cloned().collect();
    let removed: BTreeSet<String> = a.difference(b).cloned().collect();
    if !added.is_empty() {
        parts.push(format!("added: {}", listed(&added)));
    }
    if !removed.is_empty() {
        parts.push(format!("removed: {}", listed(&removed)));
    }
    parts.join("; ")
}

/// Whether every value of kind `narrow` is a value of kind `wide`.
fn accepts(wide: &str, narrow: &str) -> bool {
    let wides: Vec<&str> = wide.split('|').collect();
    narrow
        .split('|')
        .all(|n| wides.iter().any(|w| accepts_one(w, n)))
}

fn accepts_one(wide: &str, narrow: &str) -> bool {
    if wide == narrow || wide == "any" {
        return true;
    }
    let (wide_base, wide_format) = split_kind(wide);
    let (narrow_base, narrow_format) = split_kind(narrow);
    match (wide_base, narrow_base) {
        ("number", "integer") => wide_format.is_none(),
        ("number", "number") | ("string", "string") => wide_format.is_none(),
        // An integer without a format is generated as 64-bit, like `int64`.
        ("integer", "integer") => {
            matches!(wide_format, None | Some("int64")) && narrow_format != Some("uint64")
        }
        _ => false,
    }
}

fn split_kind(kind: &str) -> (&str, Option<&str>) {
    match kind.split_once('(') {
        Some((base, rest)) => (base, Some(rest.trim_end_matches(')'))),
        None => (kind, None),
    }
}

fn shown_value(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), crate::sync::overlay::short)
}

/// Differences in keys no rule above reads, listed as not classified.
fn unclassified(old: &Value, new: &Value, handled: &[&str], at: &str, out: &mut Vec<Detail>) {
    let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
        return;
    };
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        if handled.contains(&key.as_str()) || PROSE.contains(&key.as_str()) {
            continue;
        }
        let (x, y) = (a.get(key), b.get(key));
        if x != y {
            out.push(Detail::unclassified(
                at,
                format!("`{key}`: {} -> {}", shown_value(x), shown_value(y)),
            ));
        }
    }
}
