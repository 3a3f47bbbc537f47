//! Every operation of `openapi/` has a facade method, a CLI command, an emulator route and a
//! test. The operations are read from `openapi/*.yaml` and each is checked against the real
//! code, so that renaming a facade method changes nothing here:
//!
//! - facade method: the facade's source calls the generated method;
//! - CLI command: the command listed for it in [`CLI`] below, run against a seeded emulator
//!   told to fail that one operation (method and path, ids filled in) with a marker, fails
//!   with the marker and names the operation's method and path template: the command exists
//!   and sends exactly this operation;
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
use mailtrap_sandbox_emulator::FaultSpec;
use mailtrap_sandbox_tests::openapi::{Operation, Spec};
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

/// operationId → the CLI command that sends it (after the global flags), `{name}` standing
/// for the seeded emulator's id of path parameter `name` (see [`seeded`]).
const CLI: &[(&str, &[&str])] = &[
    // openapi/accounts.yaml
    ("getAllAccounts", &["accounts", "list"]),
    ("getAllUsersInAccount", &["users", "list"]),
    (
        "deleteAccountAccessById",
        &["users", "remove", "{account_access_id}"],
    ),
    (
        "updateUserPermissions",
        &[
            "users",
            "grant",
            "{account_access_id}",
            "sandbox:{sandbox_id}:viewer",
        ],
    ),
    ("getResources", &["permissions", "resources"]),
    ("listApiTokens", &["tokens", "list"]),
    ("createApiToken", &["tokens", "create", "Coverage"]),
    ("getApiToken", &["tokens", "get", "{id}"]),
    ("deleteApiToken", &["tokens", "delete", "{id}"]),
    ("resetApiToken", &["tokens", "reset", "{id}"]),
    ("getAccountBillingUsage", &["billing", "usage"]),
    (
        "getOrganizationSubAccounts",
        &[
            "sub-accounts",
            "list",
            "--organization",
            "{organization_id}",
        ],
    ),
    (
        "createOrganizationSubAccount",
        &[
            "sub-accounts",
            "create",
            "--organization",
            "{organization_id}",
            "Coverage",
        ],
    ),
    // openapi/sandbox.yaml
    ("getSandboxes", &["sandboxes", "list"]),
    ("getProjects", &["projects", "list"]),
    ("createProject", &["projects", "create", "Coverage"]),
    ("getProject", &["projects", "get", "{project_id}"]),
    ("deleteProject", &["projects", "delete", "{project_id}"]),
    (
        "updateProject",
        &["projects", "update", "{project_id}", "--name", "Renamed"],
    ),
    (
        "createSandbox",
        &[
            "sandboxes",
            "create",
            "--project",
            "{project_id}",
            "Coverage",
        ],
    ),
    (
        "getSandboxAttributes",
        &["sandboxes", "get", "{sandbox_id}"],
    ),
    ("deleteSandbox", &["sandboxes", "delete", "{sandbox_id}"]),
    (
        "updateSandbox",
        &["sandboxes", "update", "{sandbox_id}", "--name", "Renamed"],
    ),
    ("cleanSandbox", &["sandboxes", "clean", "{sandbox_id}"]),
    (
        "markAsReadSandbox",
        &["sandboxes", "mark-read", "{sandbox_id}"],
    ),
    (
        "resetSandboxCredentials",
        &["sandboxes", "reset-credentials", "{sandbox_id}"],
    ),
    // The toggle: enable and disable read the sandbox first and toggle only when needed; the
    // seeded sandbox's address is enabled.
    (
        "enableSandboxEmailAddresses",
        &["sandboxes", "email-address", "disable", "{sandbox_id}"],
    ),
    (
        "resetEmailUserNamePerSandbox",
        &["sandboxes", "email-address", "reset", "{sandbox_id}"],
    ),
    (
        "showSandboxEmailMessage",
        &[
            "messages",
            "get",
            "--sandbox",
            "{sandbox_id}",
            "{message_id}",
        ],
    ),
    (
        "deleteSandboxEmailMessage",
        &[
            "messages",
            "delete",
            "--sandbox",
            "{sandbox_id}",
            "{message_id}",
        ],
    ),
    (
        "updateSandboxEmailMessage",
        &[
            "messages",
            "mark-read",
            "--sandbox",
            "{sandbox_id}",
            "{message_id}",
        ],
    ),
    (
        "getSandboxEmailMessage",
        &["messages", "list", "--sandbox", "{sandbox_id}"],
    ),
    (
        "forwardSandboxEmailMessage",
        &[
            "messages",
            "forward",
            "--sandbox",
            "{sandbox_id}",
            "{message_id}",
            "--to",
            "qa@example.com",
        ],
    ),
    (
        "getSandboxEmailMessageSpamReport",
        &[
            "messages",
            "spam",
            "--sandbox",
            "{sandbox_id}",
            "{message_id}",
        ],
    ),
    (
        "getSandboxEmailMessageHTMLAnalysis",
        &[
            "messages",
            "analyze",
            "--sandbox",
            "{sandbox_id}",
            "{message_id}",
        ],
    ),
    ("getSandboxEmailMessageBodyAsTxt", &body("txt")),
    ("getSandboxEmailMessageBodyAsRaw", &body("raw")),
    (
        "getSandboxEmailMessageBodyAsHtmlSource",
        &body("html-source"),
    ),
    ("getSandboxEmailMessageBodyAsHtml", &body("html")),
    ("getSandboxEmailMessageBodyAsEml", &body("eml")),
    (
        "getMailHeadersOfEmailMessage",
        &[
            "messages",
            "headers",
            "--sandbox",
            "{sandbox_id}",
            "{message_id}",
        ],
    ),
    (
        "getSandboxMessageAttachments",
        &[
            "attachments",
            "list",
            "--sandbox",
            "{sandbox_id}",
            "--message",
            "{message_id}",
        ],
    ),
    (
        "getSandboxMessageAttachment",
        &[
            "attachments",
            "get",
            "--sandbox",
            "{sandbox_id}",
            "--message",
            "{message_id}",
            "{attachment_id}",
        ],
    ),
    // openapi/sending.yaml
    (
        "batchSendEmail",
        &[
            "send",
            "--sandbox",
            "{sandbox_id}",
            "--batch",
            "{batch_file}",
        ],
    ),
    (
        "sendEmail",
        &[
            "send",
            "--sandbox",
            "{sandbox_id}",
            "--from",
            "app@example.com",
            "--to",
            "user@example.com",
            "--subject",
            "Coverage",
            "--text",
            "Hello",
        ],
    ),
];

/// Operations the CLI does not offer yet, with what is planned. They are printed by the test
/// on every run; an operation must be in [`CLI`] or here.
const CLI_PENDING: &[(&str, &str)] = &[];

/// The batch file `send --batch` reads (`{batch_file}` in [`CLI`]).
const BATCH: &str = r#"{"base": {"from": {"email": "app@example.com"}, "subject": "Coverage", "text": "Hello"},
 "requests": [{"to": [{"email": "user@example.com"}]}]}"#;

/// `messages body` in one format.
const fn body(format: &'static str) -> [&'static str; 7] {
    [
        "messages",
        "body",
        "--sandbox",
        "{sandbox_id}",
        "{message_id}",
        "--format",
        format,
    ]
}

/// What the CLI lacks for each operation: runs each command of [`CLI`] against a seeded
/// emulator that fails that operation, and only it, with a marker.
fn cli_gaps(spec: &Spec) -> BTreeMap<String, String> {
    let (emu, mut ids) = seeded();
    let dir = tempfile::tempdir().unwrap();
    let batch_file = dir.path().join("batch.json");
    std::fs::write(&batch_file, BATCH).unwrap();
    ids.insert("batch_file", batch_file.display().to_string());
    let mut gaps = BTreeMap::new();
    for op in spec.operations() {
        let why = match CLI.iter().find(|(id, _)| *id == op.id) {
            Some((_, argv)) => cli_probe(&emu, &ids, &op, argv),
            None => Some(match CLI_PENDING.iter().find(|(id, _)| *id == op.id) {
                Some(_) => continue,
                None => "no CLI command (list the one that sends it in CLI, in \
                         crates/mailtrap-sandbox-cli/tests/coverage.rs)"
                    .to_owned(),
            }),
        };
        if let Some(why) = why {
            gaps.insert(op.id.to_owned(), why);
        }
    }
    gaps
}

/// Runs one command with its operation set to fail; `None` when the command sent exactly
/// that operation, else what went wrong.
fn cli_probe(
    emu: &Emu,
    ids: &BTreeMap<&str, String>,
    op: &Operation<'_>,
    argv: &[&str],
) -> Option<String> {
    let args = match argv
        .iter()
        .map(|arg| fill(arg, ids))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(args) => args,
        Err(name) => {
            return Some(format!(
                "cannot run its CLI command: no id for `{{{name}}}`"
            ));
        }
    };
    let path = match fill(op.path, ids) {
        Ok(path) => path,
        Err(name) => return Some(format!("cannot probe the CLI: no id for `{name}`")),
    };
    let marker = format!("coverage-probe-{}", op.id);
    emu.emulator().clear_faults();
    emu.fault(
        FaultSpec::fail(418)
            .method(op.method.clone())
            .path_prefix(path)
            .with_body(serde_json::json!({ "error": marker })),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = emu.run(&args);
    emu.emulator().clear_faults();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let request = format!("on {} {})", op.method, op.path);
    if stderr.contains(&marker) && stderr.contains(&request) {
        return None;
    }
    let said = stderr.lines().next().unwrap_or("nothing on stderr");
    Some(format!(
        "the CLI command `{}` did not send it (exit {:?}; {said})",
        args.join(" "),
        output.status.code()
    ))
}

#[test]
fn every_operation_has_a_facade_method_a_cli_command_an_emulator_route_and_a_test() {
    let spec = Spec::load();
    let facade = source_of(&workspace().join("crates/mailtrap-sandbox/src"));
    let facade_table =
        std::fs::read_to_string(workspace().join("crates/mailtrap-sandbox/tests/coverage.rs"))
            .unwrap();
    let routes = missing_routes(&spec);
    let cli = cli_gaps(&spec);

    let mut lacking = Vec::new();
    for op in spec.operations() {
        let mut gaps = Vec::new();
        let generated = heck::AsSnakeCase(op.id).to_string();
        // An operation whose generated answer type drops fields the facade needs is sent by
        // the facade itself (through the same transport), and says so in a comment.
        let by_hand = format!("sends {} itself", op.id);
        if !facade.contains(&format!(".{generated}(")) && !facade.contains(&by_hand) {
            gaps.push(format!(
                "no facade method (the facade never calls the generated `{generated}`)"
            ));
        }
        if let Some(why) = cli.get(op.id) {
            gaps.push(why.clone());
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
    for (id, why) in CLI_PENDING {
        eprintln!("not in the CLI yet: {id}: {why}");
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

#[test]
fn the_cli_table_names_only_operations_of_openapi_once() {
    let spec = Spec::load();
    let known: Vec<&str> = spec.operations().iter().map(|op| op.id).collect();
    let listed: Vec<&str> = CLI
        .iter()
        .map(|(id, _)| *id)
        .chain(CLI_PENDING.iter().map(|(id, _)| *id))
        .collect();
    let stale: Vec<&&str> = listed.iter().filter(|id| !known.contains(id)).collect();
    assert!(stale.is_empty(), "not operations of openapi/: {stale:?}");
    let mut unique = listed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "an operation is listed twice");
}
