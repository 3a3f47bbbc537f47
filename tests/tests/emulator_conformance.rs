//! Every operation of `openapi/*.yaml`, on current and legacy paths, against the emulator:
//! each JSON response must validate against the operation's success schema, and each body
//! endpoint must answer with its documented media type.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use base64::Engine as _;
use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator};
use mailtrap_sandbox_tests::openapi::Spec;
use reqwest::Method;
use serde_json::{Value, json};

struct Conformance {
    spec: Spec,
    http: reqwest::Client,
    emulator: RunningEmulator,
    covered: BTreeSet<String>,
    covered_legacy: BTreeSet<String>,
}

impl Conformance {
    async fn start() -> Self {
        let emulator = EmulatorConfig::ephemeral().start().await.unwrap();
        Self {
            spec: Spec::load(),
            http: reqwest::Client::new(),
            emulator,
            covered: BTreeSet::new(),
            covered_legacy: BTreeSet::new(),
        }
    }

    /// `/api` for current paths, `/api/accounts/{account_id}` for legacy ones.
    fn prefix(&self, legacy: bool) -> String {
        if legacy {
            format!("/api/accounts/{}", self.emulator.account_id())
        } else {
            "/api".to_owned()
        }
    }

    /// Calls the emulator, checks the answer against the description, returns the JSON body
    /// (or `Value::Null` for non-JSON bodies).
    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.emulator.base_url());
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(self.emulator.api_token());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.bytes().await.unwrap();
        let operation = self
            .spec
            .find(method.as_str(), path)
            .unwrap_or_else(|| panic!("{method} {path} is not in openapi/"));
        assert!(
            status.is_success(),
            "{method} {path} ({}) answered {status}: {}",
            operation.id,
            String::from_utf8_lossy(&bytes)
        );
        let id = operation.id.to_owned();
        if path.starts_with("/api/accounts/") {
            self.covered_legacy.insert(id.clone());
        } else {
            self.covered.insert(id.clone());
        }
        let media_type = operation.success_media_type().map(str::to_owned);
        let Some(media_type) = media_type else {
            assert!(bytes.is_empty(), "{id}: a body where none is described");
            return Value::Null;
        };
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        assert_eq!(essence, media_type, "{id}: media type of {method} {path}");
        if media_type != "application/json" {
            return Value::Null;
        }
        let json: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{id}: invalid JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        if let Err(problems) = operation.check_response(&json) {
            panic!(
                "{id}: {method} {path} does not match the description:\n  {}\nbody: {json:#}",
                problems.join("\n  ")
            );
        }
        json
    }
}

fn id(value: &Value) -> u64 {
    value["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("no id in {value}"))
}

/// A message with text, HTML, a Bcc and an attachment, sent through the sending API.
fn send_body(subject: &str) -> Value {
    json!({
        "from": {"email": "app@example.test", "name": "Example App"},
        "to": [{"email": "ana@example.test", "name": "Ana"}],
        "bcc": [{"email": "audit@example.test"}],
        "subject": subject,
        "text": "Reset your password: https://app.example.test/reset?t=abc",
        "html": "<p><a href=\"https://app.example.test/reset?t=abc\">Reset</a></p>",
        "attachments": [{
            "filename": "notes.txt",
            "type": "text/plain",
            "content": base64::engine::general_purpose::STANDARD.encode("some notes"),
        }],
    })
}

/// Exercises the message operations on `base` (a current or legacy sandbox path).
async fn messages(c: &mut Conformance, sandbox: u64, base: &str) {
    let sent = c
        .call(
            Method::POST,
            &format!("/api/send/{sandbox}"),
            Some(send_body("Conformance")),
        )
        .await;
    let message: u64 = sent["message_ids"][0].as_str().unwrap().parse().unwrap();
    let list = c.call(Method::GET, &format!("{base}/messages"), None).await;
    assert!(list.as_array().unwrap().iter().any(|m| id(m) == message));
    c.call(
        Method::GET,
        &format!("{base}/messages?search=Conformance&last_id={}", message + 1),
        None,
    )
    .await;
    let one = format!("{base}/messages/{message}");
    c.call(Method::GET, &one, None).await;
    c.call(
        Method::PATCH,
        &one,
        Some(json!({"message": {"is_read": true}})),
    )
    .await;
    c.call(
        Method::POST,
        &format!("{one}/forward"),
        Some(json!({"email": "qa@example.test"})),
    )
    .await;
    c.call(Method::GET, &format!("{one}/spam_report"), None)
        .await;
    c.call(Method::GET, &format!("{one}/analyze"), None).await;
    c.call(Method::GET, &format!("{one}/mail_headers"), None)
        .await;
    for body in [
        "body.txt",
        "body.raw",
        "body.html",
        "body.htmlsource",
        "body.eml",
    ] {
        c.call(Method::GET, &format!("{one}/{body}"), None).await;
    }
    let attachments = c
        .call(Method::GET, &format!("{one}/attachments"), None)
        .await;
    let attachment = id(&attachments[0]);
    c.call(
        Method::GET,
        &format!("{one}/attachments?attachment_type=attachment"),
        None,
    )
    .await;
    c.call(
        Method::GET,
        &format!("{one}/attachments/{attachment}"),
        None,
    )
    .await;
    c.call(Method::DELETE, &one, None).await;
}

/// Exercises project and sandbox management under `prefix` ("" or the legacy prefix).
async fn management(c: &mut Conformance, legacy: bool) {
    let p = c.prefix(legacy);
    let (sandboxes, sandbox_key) = if legacy {
        ("inboxes", "inbox")
    } else {
        ("sandboxes", "sandbox")
    };
    let path = format!("{p}/{sandboxes}");
    c.call(Method::GET, &path, None).await;
    let path = format!("{p}/projects");
    c.call(Method::GET, &path, None).await;
    let project = c
        .call(
            Method::POST,
            &path,
            Some(json!({"project": {"name": "Conformance project"}})),
        )
        .await;
    let project = id(&project);
    let path = format!("{p}/projects/{project}");
    c.call(Method::GET, &path, None).await;
    c.call(
        Method::PATCH,
        &path,
        Some(json!({"project": {"name": "Renamed project"}})),
    )
    .await;
    let create = format!("{p}/projects/{project}/{sandboxes}");
    let sandbox = c
        .call(
            Method::POST,
            &create,
            Some(json!({ sandbox_key: {"name": "Conformance sandbox"} })),
        )
        .await;
    let sandbox = id(&sandbox);
    let base = format!("{p}/{sandboxes}/{sandbox}");
    c.call(Method::GET, &base, None).await;
    c.call(
        Method::PATCH,
        &base,
        Some(json!({ sandbox_key: {"name": "Renamed sandbox"} })),
    )
    .await;
    messages(c, sandbox, &base).await;
    for action in [
        "clean",
        "all_read",
        "reset_credentials",
        "toggle_email_username",
        "reset_email_username",
    ] {
        c.call(Method::PATCH, &format!("{base}/{action}"), None)
            .await;
    }
    c.call(Method::DELETE, &base, None).await;
    let path = format!("{p}/projects/{project}");
    c.call(Method::DELETE, &path, None).await;
}

/// Exercises accounts, accesses, permissions, tokens and billing.
async fn accounts(c: &mut Conformance, legacy: bool) {
    let p = c.prefix(legacy);
    c.call(Method::GET, "/api/accounts", None).await;
    let path = format!("{p}/permissions/resources");
    c.call(Method::GET, &path, None).await;
    let path = format!("{p}/api_tokens");
    c.call(Method::GET, &path, None).await;
    let sandbox = c.emulator.sandbox().id;
    let token = c
        .call(
            Method::POST,
            &path,
            Some(json!({"name": "ci", "resources": [
                {"resource_type": "sandbox", "resource_id": sandbox, "access_level": 10}
            ]})),
        )
        .await;
    let token = id(&token);
    let one = format!("{p}/api_tokens/{token}");
    c.call(Method::GET, &one, None).await;
    c.call(Method::POST, &format!("{one}/reset"), None).await;

    // The seeded teammate, whose access is changed and then removed.
    let filter = if legacy { "inbox_ids" } else { "sandbox_ids" };
    let path = format!("{p}/account_accesses?{filter}[]={sandbox}&project_ids[]=1");
    c.call(Method::GET, &path, None).await;
    let path = format!("{p}/account_accesses");
    let accesses = c.call(Method::GET, &path, None).await;
    let doomed = accesses
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["specifier"]["email"] == "teammate@emulator.localhost")
        .map(id)
        .next()
        .unwrap();
    let bulk = format!("{p}/account_accesses/{doomed}/permissions/bulk");
    c.call(
        Method::PUT,
        &bulk,
        Some(json!({"permissions": [
            {"resource_id": sandbox.to_string(), "resource_type": "sandbox", "access_level": "viewer"}
        ]})),
    )
    .await;
    let access = format!("{p}/account_accesses/{doomed}");
    c.call(Method::DELETE, &access, None).await;
    c.call(Method::DELETE, &one, None).await;
    let path = format!("{p}/billing/usage");
    c.call(Method::GET, &path, None).await;
    let organization = c.emulator.summary().organization_id;
    let path = format!("/api/organizations/{organization}/sub_accounts");
    c.call(Method::GET, &path, None).await;
    c.call(
        Method::POST,
        &path,
        Some(json!({"account": {"name": "Team B"}})),
    )
    .await;
}

#[tokio::test]
async fn every_operation_answers_as_described_on_current_and_legacy_paths() {
    let mut c = Conformance::start().await;
    management(&mut c, false).await;
    management(&mut c, true).await;
    accounts(&mut c, false).await;
    // Back to the seeded state: the legacy pass removes the teammate again.
    let reset = c
        .http
        .post(format!("{}/_emulator/reset", c.emulator.base_url()))
        .bearer_auth(c.emulator.api_token())
        .send()
        .await
        .unwrap();
    assert!(reset.status().is_success(), "{}", reset.status());
    accounts(&mut c, true).await;
    let sandbox = c.emulator.sandbox().id;
    c.call(
        Method::POST,
        &format!("/api/batch/{sandbox}"),
        Some(json!({
            "base": {"from": {"email": "app@example.test"}, "subject": "Batch", "text": "Hi"},
            "requests": [{"to": [{"email": "one@example.test"}]}, {"to": [{"email": "two@example.test"}]}]
        })),
    )
    .await;

    let all: BTreeSet<String> = c
        .spec
        .operations()
        .iter()
        .map(|op| op.id.to_owned())
        .collect();
    let missing: Vec<&String> = all.difference(&c.covered).collect();
    assert!(
        missing.is_empty(),
        "operations never exercised: {missing:?}"
    );
    // Legacy paths exist for everything but the account list, the sending API and
    // organization sub-accounts, whose paths did not change.
    let same_path = [
        "getAllAccounts",
        "sendEmail",
        "batchSendEmail",
        "getOrganizationSubAccounts",
        "createOrganizationSubAccount",
    ];
    let missing_legacy: Vec<&String> = all
        .iter()
        .filter(|id| !same_path.contains(&id.as_str()) && !c.covered_legacy.contains(*id))
        .collect();
    assert!(
        missing_legacy.is_empty(),
        "legacy paths never exercised: {missing_legacy:?}"
    );
    c.emulator.shutdown().await;
}
