//! Every operation of `openapi/` has a facade method, an emulator route and a test. The
//! operations are read from `openapi/*.yaml` and each is checked against the real code, so that
//! renaming a facade method changes nothing here:
//!
//! - facade method: the facade's source calls the generated method;
//! - emulator route: the emulator, seeded with a message and a token, answers the operation's
//!   method and path, ids filled in, with something other than "no such route" (404);
//! - test: the facade's coverage table (`crates/mailtrap-sandbox/tests/coverage.rs`) lists it
//!   (the emulator conformance test, in `tests/`, fails on its own for an operation it never
//!   calls).
//!
//! It fails with one line per operation and what it lacks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Emu;
use mailtrap_sandbox_tests::openapi::Spec;
fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Every `*.rs` file below `dir`, concatenated.
fn source_of(dir: &Path) -> String {
    let mut out = String::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

/// A path with its parameters filled in from `ids`; `None` names a parameter `ids` lacks.
fn fill(template: &str, ids: &BTreeMap<&str, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map(|e| start + e).unwrap();
        let name = &rest[start + 1..end];
        match ids.get(name) {
            Some(id) => out.push_str(id),
            None => return Err(name.to_owned()),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// An emulator seeded with a message (with an attachment) and an extra token, and the id to
/// put in each path parameter.
fn seeded() -> (Emu, BTreeMap<&'static str, String>) {
    let emu = Emu::start();
    let message = emu.seed_message("Coverage");
    let client = emu.client();
    let attachment = emu
        .block_on(
            client
                .sandbox(emu.sandbox_id)
                .message(message)
                .attachments()
                .list()
                .send(),
        )
        .unwrap()[0]
        .id;
    let token = emu
        .block_on(client.api_tokens().create("Coverage").send())
        .unwrap();
    let access = emu
        .block_on(client.account_accesses().list().send())
        .unwrap()[0]
        .id;
    let ids = [
        ("account_id", emu.account_id.to_string()),
        ("organization_id", emu.organization_id.to_string()),
        ("project_id", emu.project_id.to_string()),
        ("sandbox_id", emu.sandbox_id.to_string()),
        ("inbox_id", emu.sandbox_id.to_string()),
        ("message_id", message.to_string()),
        ("attachment_id", attachment.to_string()),
        ("account_access_id", access.to_string()),
        ("id", token.token.id.to_string()),
    ]
    .into_iter()
    .collect();
    (emu, ids)
}

/// The status the emulator answers an operation with (a JSON `{}` body for those that take
/// one), or the path parameter it has no id for.
fn probe(
    emu: &Emu,
    ids: &BTreeMap<&str, String>,
    method: &str,
    template: &str,
) -> Result<u16, String> {
    let path = fill(template, ids)?;
    let method = method.parse::<mailtrap_sandbox::reqwest::Method>().unwrap();
    let request = mailtrap_sandbox::reqwest::Client::new()
        .request(method, format!("{}{path}", emu.base_url))
        .bearer_auth(&emu.token)
        .header("content-type", "application/json")
        .body("{}");
    Ok(emu.block_on(request.send()).unwrap().status().as_u16())
}

/// Operations whose route the emulator does not have, with why. A 404 on the shared emulator
/// (an earlier call may have deleted what the path names) is probed again on a fresh one.
fn missing_routes(spec: &Spec) -> BTreeMap<String, String> {
    let (emu, ids) = seeded();
    let mut missing = BTreeMap::new();
    for op in spec.operations() {
        let mut status = probe(&emu, &ids, &op.method, op.path);
        if status == Ok(404) {
            let (fresh, fresh_ids) = seeded();
            status = probe(&fresh, &fresh_ids, &op.method, op.path);
        }
        let why = match status {
            Ok(404 | 405) => format!(
                "no emulator route (`{} {}` answered 404)",
                op.method, op.path
            ),
            Ok(_) => continue,
            Err(name) => format!(
                "cannot probe the emulator: no id for path parameter `{name}` (teach this test one)"
            ),
        };
        missing.insert(op.id.to_owned(), why);
    }
    missing
}

#[test]
fn every_operation_has_a_facade_method_an_emulator_route_and_a_test() {
    let spec = Spec::load();
    let facade = source_of(&workspace().join("crates/mailtrap-sandbox/src"));
    let facade_table =
        std::fs::read_to_string(workspace().join("crates/mailtrap-sandbox/tests/coverage.rs"))
            .unwrap();
    let routes = missing_routes(&spec);

    let mut lacking = Vec::new();
    for op in spec.operations() {
        let mut gaps = Vec::new();
        let generated = heck::AsSnakeCase(op.id).to_string();
        if !facade.contains(&format!(".{generated}(")) {
            gaps.push(format!(
                "no facade method (the facade never calls the generated `{generated}`)"
            ));
        }
        if let Some(why) = routes.get(op.id) {
            gaps.push(why.clone());
        }
        if !facade_table.contains(&format!("\"{}\"", op.id)) {
            gaps.push(
                "no facade test (crates/mailtrap-sandbox/tests/coverage.rs does not list it)"
                    .to_owned(),
            );
        }
        if !gaps.is_empty() {
            lacking.push(format!(
                "{} ({} {}): {}",
                op.id,
                op.method,
                op.path,
                gaps.join("; ")
            ));
        }
    }
    assert!(
        lacking.is_empty(),
        "operations of openapi/ missing a layer (see MAINTAINING.md, \"Adding or changing an \
         operation\"):\n  {}",
        lacking.join("\n  ")
    );
}

#[test]
fn the_probe_fills_path_parameters_and_names_an_unknown_one() {
    let ids: BTreeMap<&str, String> = [("sandbox_id", "7".to_owned())].into_iter().collect();
    assert_eq!(
        fill("/api/sandboxes/{sandbox_id}/clean", &ids),
        Ok("/api/sandboxes/7/clean".to_owned())
    );
    assert_eq!(
        fill("/api/things/{thing_id}", &ids),
        Err("thing_id".to_owned())
    );
}
