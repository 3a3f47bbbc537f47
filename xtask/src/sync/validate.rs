//! Checks that the result is something progenitor can generate a client from, with messages
//! that say which operation is at fault and what to do.

use std::panic::{AssertUnwindSafe, catch_unwind};

use anyhow::{Result, bail};
use serde_json::Value;

use super::finish::reachable_components;
use super::walk::METHODS;

/// Every problem found, one line each; empty when the document is fine.
pub fn problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let at = format!("{} {path}", method.to_uppercase());
                let id = operation.get("operationId").and_then(Value::as_str);
                match id {
                    None => problems.push(format!("{at}: no operationId")),
                    Some(id) if !ids.insert(id.to_owned()) => {
                        problems.push(format!("{at}: operationId `{id}` is used twice"));
                    }
                    Some(_) => {}
                }
                let at = format!("{at} ({})", id.unwrap_or("?"));
                check_operation(operation, &at, &mut problems);
            }
        }
    }
    let refs = reachable_components(doc, std::slice::from_ref(doc));
    let schemas = doc.pointer("/components/schemas");
    for name in refs {
        if schemas.and_then(|s| s.get(&name)).is_none() {
            problems.push(format!(
                "`#/components/schemas/{name}` is referenced but not defined"
            ));
        }
    }
    if problems.is_empty()
        && let Err(error) = progenitor_accepts(doc)
    {
        problems.push(error.to_string());
    }
    problems
}

fn check_operation(operation: &Value, at: &str, problems: &mut Vec<String>) {
    let mut success_bodies: Vec<&Value> = Vec::new();
    if let Some(Value::Object(responses)) = operation.get("responses") {
        for (status, response) in responses {
            if !status.starts_with('2') {
                problems.push(format!(
                    "{at}: response {status} is not a success; only 2xx responses belong here"
                ));
            }
            if let Some(Value::Object(content)) = response.get("content") {
                if content.len() > 1 {
                    problems.push(format!(
                        "{at}: response {status} has {} media types; keep one in the overlay",
                        content.len()
                    ));
                }
                success_bodies.extend(content.values().filter_map(|m| m.get("schema")));
            }
        }
    }
    if let Some(first) = success_bodies.first()
        && success_bodies.iter().any(|body| body != first)
    {
        problems.push(format!(
            "{at}: more than one success body type ({}); progenitor needs exactly one, so \
             unify them in the overlay",
            success_bodies.len()
        ));
    }
    if let Some(Value::Object(content)) = operation.pointer("/requestBody/content")
        && content.len() > 1
    {
        problems.push(format!(
            "{at}: the request body has {} media types; keep one in the overlay",
            content.len()
        ));
    }
}

/// Runs progenitor on the document, turning a panic into an error.
fn progenitor_accepts(doc: &Value) -> Result<()> {
    let spec: openapiv3::OpenAPI = match serde_json::from_value(doc.clone()) {
        Ok(spec) => spec,
        Err(error) => bail!("the result is not a valid OpenAPI 3.0 document: {error}"),
    };
    crate::codegen::generate_tokens(&spec).map(|_| ())
}

/// Turns a caught panic payload into text.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Runs `f`, turning a panic into an error that names `what`.
pub fn no_panic<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    match result {
        Ok(result) => result,
        Err(payload) => bail!("{what} panicked: {}", panic_message(payload.as_ref())),
    }
}
