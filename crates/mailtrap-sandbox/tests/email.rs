//! The `Email` builder: every validation rule (nothing sent when invalid), request JSON
//! snapshots, and sending through a mock of the sending host.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::{Arc, Mutex};

use httpmock::{HttpMockRequest, Method::POST, MockServer};
use mailtrap_sandbox::email::{Email, EmailAttachment, EmailBatch, Mailbox};
use mailtrap_sandbox::{Client, Error, MessageId, RetryPolicy};
use serde_json::{Value, json};

const TOKEN: &str = "f2-test-token-77ab";
const TEMPLATE: &str = "0b9f4c1e-3a7d-4e26-9c55-1f2d8e6a7b90";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_token(TOKEN)
        .base_url(server.base_url())
        .send_base_url(server.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A valid reset email with every kind of field.
fn reset_email(logo: &std::path::Path) -> Email {
    Email::new()
        .from("Example App <no-reply@app.example.test>")
        .to(("Ana Lima", "ana@example.test"))
        .to("ben@example.test")
        .cc("\"Support, Example\" <support@example.test>")
        .bcc("audit@example.test")
        .reply_to("help@example.test")
        .subject("Reset your password")
        .text("Open https://app.example.test/reset?t=Zx81 to choose a new password.")
        .html("<p><a href=\"https://app.example.test/reset?t=Zx81\">Choose a new password</a></p><img src=\"cid:logo\">")
        .attach_bytes("terms.txt", "text/plain", b"Be nice.".to_vec())
        .attach(EmailAttachment::from_bytes("report.csv", b"a,b\n1,2\n".to_vec()))
        .inline_file(logo, "<logo>")
        .header("X-Request-Id", "req-5521")
        .header("List-Unsubscribe", "<https://app.example.test/unsub?u=81>")
        .category("password-reset")
        .custom_variable("user_id", "81")
        .custom_variable("flow", "reset")
}

fn logo_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logo.png");
    std::fs::write(&path, b"\x89PNG\r\n\x1a\nfake-png").unwrap();
    (dir, path)
}

#[test]
fn request_json_for_a_full_email() {
    let (_dir, logo) = logo_file();
    let request = reset_email(&logo).to_json().unwrap();
    insta::assert_json_snapshot!("send_request_full", request);
}

#[test]
fn request_json_for_a_template_email() {
    let request = Email::new()
        .from("no-reply@app.example.test")
        .to("ana@example.test")
        .template(TEMPLATE)
        .template_variable("user_name", "Ana")
        .template_variable("items", vec![json!({"name": "Pro plan", "price": 12})])
        .to_json()
        .unwrap();
    insta::assert_json_snapshot!("send_request_template", request);
}

#[test]
fn template_variables_from_a_struct() {
    #[derive(serde::Serialize)]
    struct Vars<'a> {
        user_name: &'a str,
        reset_url: &'a str,
    }
    let request = Email::new()
        .from("no-reply@app.example.test")
        .to("ana@example.test")
        .template(TEMPLATE)
        .template_variables(Vars {
            user_name: "Ana",
            reset_url: "https://app.example.test/r",
        })
        .to_json()
        .unwrap();
    assert_eq!(
        request["template_variables"],
        json!({"user_name": "Ana", "reset_url": "https://app.example.test/r"})
    );
}

#[test]
fn file_types_are_guessed_and_names_taken_from_the_path() {
    let dir = tempfile::tempdir().unwrap();
    for (name, expected) in [
        ("invoice.pdf", "application/pdf"),
        ("photo.JPG", "image/jpeg"),
        ("data.unknownext", "application/octet-stream"),
        ("noext", "application/octet-stream"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, b"x").unwrap();
        let request = Email::new()
            .from("a@example.test")
            .to("b@example.test")
            .subject("s")
            .text("t")
            .attach_file(&path)
            .to_json()
            .unwrap();
        let attachment = &request["attachments"][0];
        assert_eq!(attachment["filename"], name);
        assert_eq!(attachment["type"], expected, "{name}");
        assert_eq!(attachment["content"], "eA==");
    }
    // Renamed, and typed explicitly.
    let path = dir.path().join("noext");
    let request = Email::new()
        .from("a@example.test")
        .to("b@example.test")
        .subject("s")
        .text("t")
        .attach(
            EmailAttachment::from_path(&path)
                .filename("readme.md")
                .content_type("text/markdown"),
        )
        .to_json()
        .unwrap();
    assert_eq!(request["attachments"][0]["filename"], "readme.md");
    assert_eq!(request["attachments"][0]["type"], "text/markdown");
}

#[test]
fn mailbox_forms() {
    let ben = String::from("ben@example.test");
    let request = Email::new()
        .from(Mailbox::new(Some("App"), "app@example.test"))
        .to(String::from("Ana <ana@example.test>"))
        .to(&ben)
        .to(("Cé", "ce@example.test".to_owned()))
        .to_all(["d@example.test", "E <e@example.test>"])
        .cc_all(vec![("F", "f@example.test")])
        .bcc_all(["g@example.test"])
        .subject("s")
        .html("<p>h</p>")
        .to_json()
        .unwrap();
    let to: Vec<(Option<&str>, &str)> = request["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str(), a["email"].as_str().unwrap()))
        .collect();
    assert_eq!(
        to,
        [
            (Some("Ana"), "ana@example.test"),
            (None, "ben@example.test"),
            (Some("Cé"), "ce@example.test"),
            (None, "d@example.test"),
            (Some("E"), "e@example.test"),
        ]
    );
    assert_eq!(request["to"][1]["email"], ben.as_str());
    assert_eq!(request["cc"][0]["name"], "F");
    assert_eq!(request["bcc"][0]["email"], "g@example.test");
    assert_eq!(request["from"]["name"], "App");
}

/// A minimal valid email, to break one rule at a time.
fn valid() -> Email {
    Email::new()
        .from("no-reply@app.example.test")
        .to("ana@example.test")
        .subject("Hello")
        .text("Hi")
}

/// Every rule, each broken alone: (what, email, the problem reported).
fn invalid_cases() -> Vec<(&'static str, Email, String)> {
    let many: Vec<String> = (0..1001).map(|i| format!("u{i}@example.test")).collect();
    vec![
        (
            "no sender",
            Email::new().to("a@example.test").subject("s").text("t"),
            "'from' is required: set a sender such as .from(\"App <no-reply@example.com>\")".into(),
        ),
        (
            "empty sender",
            valid().from(""),
            "'from' is required".into(),
        ),
        (
            "malformed sender",
            valid().from("App <no-reply@localhost>"),
            "'from' address is invalid: \"no-reply@localhost\"".into(),
        ),
        (
            "no recipient",
            Email::new().from("a@example.test").subject("s").text("t"),
            "'to', 'cc' or 'bcc' address is required: add a recipient with .to(...)".into(),
        ),
        (
            "malformed to",
            valid().to("ana at example.test"),
            "'to' address is invalid: \"ana at example.test\"".into(),
        ),
        (
            "malformed cc",
            valid().cc("Team <team@@example.test>"),
            "'cc' address is invalid: \"team@@example.test\"".into(),
        ),
        (
            "malformed bcc",
            valid().bcc("@example.test"),
            "'bcc' address is invalid: \"@example.test\"".into(),
        ),
        (
            "malformed reply-to",
            valid().reply_to("help@"),
            "'reply_to' address is invalid: \"help@\"".into(),
        ),
        (
            "too many recipients",
            Email::new()
                .from("a@example.test")
                .subject("s")
                .text("t")
                .bcc_all(many),
            "'bcc' must not contain more than 1000 addresses (got 1001)".into(),
        ),
        (
            "no subject",
            Email::new().from("a@example.test").to("b@example.test").text("t"),
            "'subject' is required (or use a template)".into(),
        ),
        (
            "blank subject",
            valid().subject("   "),
            "'subject' is required (or use a template)".into(),
        ),
        (
            "subject with a line break",
            valid().subject("Hello\r\nBcc: victim@example.test"),
            "'subject' must not contain line breaks".into(),
        ),
        (
            "no body",
            Email::new().from("a@example.test").to("b@example.test").subject("s"),
            "'text' or 'html' is required: give the email a body (or use a template)".into(),
        ),
        (
            "empty bodies",
            Email::new()
                .from("a@example.test")
                .to("b@example.test")
                .subject("s")
                .text("")
                .html(" \n"),
            "'text' or 'html' is required: give the email a body (or use a template)".into(),
        ),
        (
            "subject with a template",
            Email::new()
                .from("a@example.test")
                .to("b@example.test")
                .template(TEMPLATE)
                .subject("s"),
            "'subject' cannot be used with 'template_uuid': the template provides it".into(),
        ),
        (
            "text with a template",
            Email::new()
                .from("a@example.test")
                .to("b@example.test")
                .template(TEMPLATE)
                .text("t"),
            "'text' cannot be used with 'template_uuid': the template provides it".into(),
        ),
        (
            "html with a template",
            Email::new()
                .from("a@example.test")
                .to("b@example.test")
                .template(TEMPLATE)
                .html("<p>h</p>"),
            "'html' cannot be used with 'template_uuid': the template provides it".into(),
        ),
        (
            "category with a template",
            Email::new()
                .from("a@example.test")
                .to("b@example.test")
                .template(TEMPLATE)
                .category("reset"),
            "'category' cannot be used with 'template_uuid': the template provides it".into(),
        ),
        (
            "template that is not a UUID",
            Email::new()
                .from("a@example.test")
                .to("b@example.test")
                .template("reset-template"),
            "'template_uuid' \"reset-template\" is not a UUID such as 0b9f4c1e-3a7d-4e26-9c55-1f2d8e6a7b90".into(),
        ),
        (
            "template variables without a template",
            valid().template_variable("name", "Ana"),
            "'template_variables' need a 'template_uuid': set the template with .template(uuid)".into(),
        ),
        (
            "template variables that are not an object",
            Email::new()
                .from("a@example.test")
                .to("b@example.test")
                .template(TEMPLATE)
                .template_variables(vec![1, 2]),
            "'template_variables' must be a JSON object, got an array".into(),
        ),
        (
            "category too long",
            valid().category("é".repeat(256)),
            "'category' is too long (256 characters, maximum is 255)".into(),
        ),
        (
            "empty category",
            valid().category(" "),
            "'category' must not be empty".into(),
        ),
        (
            "custom variables too large",
            valid().custom_variable("blob", "x".repeat(1000)),
            "'custom_variables' must not exceed 1000 bytes as JSON (got 1011)".into(),
        ),
        (
            "attachment without content",
            valid().attach_bytes("empty.pdf", "application/pdf", Vec::new()),
            "'attachments[0].content' is empty (\"empty.pdf\"): attach a file with content".into(),
        ),
        (
            "attachment without a file name",
            valid().attach_bytes("  ", "text/plain", b"x".to_vec()),
            "'attachments[0].filename' is required: every attachment needs a file name".into(),
        ),
        (
            "attachment file that does not exist",
            valid().attach_file("missing-dir-f2/missing.pdf"),
            "'attachments[0]' could not be read from missing-dir-f2/missing.pdf: No such file or directory (os error 2)".into(),
        ),
        (
            "inline attachment without a content id",
            valid().attach(EmailAttachment::from_bytes("logo.png", b"png".to_vec()).inline("<>")),
            "'attachments[0].content_id' is required for an inline attachment (\"logo.png\")".into(),
        ),
        (
            "attachment with a bad media type",
            valid().attach_bytes("a.bin", "binary stuff", b"x".to_vec()),
            "'attachments[0].type' \"binary stuff\" is not a media type such as application/pdf".into(),
        ),
        (
            "header name with a space",
            valid().header("X Custom", "1"),
            "'headers' contains an invalid header name: \"X Custom\" (use printable ASCII without spaces or ':')".into(),
        ),
        (
            "header name with a colon",
            valid().header("X-A:", "1"),
            "'headers' contains an invalid header name: \"X-A:\" (use printable ASCII without spaces or ':')".into(),
        ),
        (
            "non-ASCII header name",
            valid().header("X-Ünï", "1"),
            "'headers' contains an invalid header name: \"X-Ünï\" (use printable ASCII without spaces or ':')".into(),
        ),
        (
            "reserved header",
            valid().header("subject", "Other"),
            "'headers' must not set the reserved header \"Subject\": use the matching setter instead".into(),
        ),
        (
            "header value with a line break",
            valid().header("X-Note", "a\r\nBcc: victim@example.test"),
            "'headers' value of \"X-Note\" must not contain line breaks".into(),
        ),
    ]
}

#[test]
fn each_rule_is_reported_alone() {
    for (what, email, problem) in invalid_cases() {
        let err = email.to_json().unwrap_err();
        assert_eq!(err.problems(), std::slice::from_ref(&problem), "{what}");
        assert!(email.validate().is_err(), "{what}");
    }
}

#[tokio::test]
async fn invalid_emails_are_never_sent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200).json_body(json!({"success": true}));
        })
        .await;
    let sandbox = client(&server).sandbox(4242);
    for (what, email, problem) in invalid_cases() {
        let err = sandbox.send(email).await.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{what}: {err:?}");
        assert!(err.to_string().contains(&problem), "{what}: {err}");
    }
    assert_eq!(
        mock.calls_async().await,
        0,
        "no request may leave for an invalid email"
    );
}

#[test]
fn every_problem_is_listed_at_once() {
    let err = Email::new()
        .from("nobody")
        .cc("x@y")
        .subject("Line\nbreak")
        .header("Content-Type", "text/plain")
        .attach_bytes("", "text/plain", Vec::new())
        .to_json()
        .unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"invalid email, nothing was sent: 'from' address is invalid: \"nobody\"; 'cc' address is invalid: \"x@y\"; 'text' or 'html' is required: give the email a body (or use a template); 'subject' must not contain line breaks; 'headers' must not set the reserved header \"Content-Type\": use the matching setter instead; 'attachments[0].filename' is required: every attachment needs a file name; 'attachments[0].content' is empty (without a file name): attach a file with content");
    assert_eq!(err.problems().len(), 7);
}

#[test]
fn limits_are_inclusive() {
    let thousand: Vec<String> = (0..1000).map(|i| format!("u{i}@example.test")).collect();
    let vars = "x".repeat(1000 - r#"{"k":""}"#.len());
    valid()
        .to_all(thousand[1..].iter())
        .category("c".repeat(255))
        .custom_variable("k", vars)
        .validate()
        .unwrap();
}

/// Records each request the mock answers.
fn recorder() -> (
    Arc<Mutex<Vec<HttpMockRequest>>>,
    impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static,
) {
    let store = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&store);
    (store, move |request: &HttpMockRequest| {
        sink.lock().unwrap().push(request.clone());
        true
    })
}

#[tokio::test]
async fn send_posts_the_request_to_the_sending_host() {
    let (_dir, logo) = logo_file();
    let server = MockServer::start_async().await;
    let (requests, record) = recorder();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/send/4288340")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .is_true(record);
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .json_body(json!({"success": true, "message_ids": ["5273448410"]}));
        })
        .await;
    let email = reset_email(&logo);
    let expected = email.to_json().unwrap();
    let outcome = client(&server)
        .sandbox(4_288_340)
        .send(email)
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
    assert!(outcome.success);
    assert_eq!(
        outcome.sandbox_message_ids(),
        [MessageId::new(5_273_448_410)]
    );
    let sent: Value = serde_json::from_slice(requests.lock().unwrap()[0].body_ref()).unwrap();
    assert_eq!(sent, expected);
    assert_eq!(
        sent["attachments"][2]["content"],
        "iVBORw0KGgpmYWtlLXBuZw=="
    );
    assert_eq!(sent["attachments"][2]["disposition"], "inline");
    assert_eq!(sent["attachments"][2]["content_id"], "logo");
}

#[tokio::test]
async fn send_reports_api_refusals() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/send/7");
            then.status(400)
                .header("content-type", "application/json")
                .json_body(json!({"success": false, "errors": ["'from' domain is not verified"]}));
        })
        .await;
    let err = client(&server).sandbox(7).send(valid()).await.unwrap_err();
    // Never retried, even with retries on: a repeat could store the message twice.
    mock.assert_calls_async(1).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(
        err.to_string().contains("'from' domain is not verified"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

fn digest_batch() -> EmailBatch {
    EmailBatch::new(
        Email::new()
            .from("Example App <no-reply@app.example.test>")
            .subject("Your weekly digest")
            .text("Here is your week.")
            .attach_bytes("digest.txt", "text/plain", b"3 new comments".to_vec())
            .category("digest"),
    )
    .email(Email::new().to(("Ana", "ana@example.test")))
    .email(
        Email::new()
            .to("ben@example.test")
            .cc("ben.boss@example.test")
            .subject("Your first digest")
            .custom_variable("first", "yes"),
    )
}

#[test]
fn batch_request_json() {
    let batch = digest_batch();
    assert_eq!(batch.len(), 2);
    insta::assert_json_snapshot!("batch_request", batch.to_json().unwrap());
}

#[test]
fn batch_rules() {
    let err = EmailBatch::new(valid()).to_json().unwrap_err();
    assert_eq!(
        err.problems(),
        [
            "'requests' is empty: add at least one email with .email(...)",
            "'base.to' cannot be set on the base of a batch: give each email its own recipients",
        ]
    );

    let too_many = EmailBatch::new(Email::new().from("a@example.test").subject("s").text("t"))
        .emails((0..501).map(|i| Email::new().to(format!("u{i}@example.test"))));
    assert_eq!(
        too_many.to_json().unwrap_err().problems(),
        ["'requests' must not contain more than 500 emails (got 501): split the batch"]
    );

    // A problem of one email names it; a problem of the base is reported once.
    let err = EmailBatch::new(
        Email::new()
            .from("a@example.test")
            .text("t")
            .header("X Bad", "1"),
    )
    .email(Email::new().to("ok@example.test").subject("s"))
    .email(Email::new().to("not-an-address").subject("s"))
    .email(Email::new().to("ok2@example.test"))
    .to_json()
    .unwrap_err();
    assert_eq!(
        err.problems(),
        [
            "'base.headers' contains an invalid header name: \"X Bad\" (use printable ASCII without spaces or ':')",
            "'requests[1].to' address is invalid: \"not-an-address\"",
            "'requests[2].subject' is required (or use a template)",
        ]
    );
}

#[tokio::test]
async fn batch_send_and_partial_failures() {
    let server = MockServer::start_async().await;
    let (requests, record) = recorder();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/batch/9").is_true(record);
            then.status(200).json_body(json!({
                "success": true,
                "responses": [
                    {"success": true, "message_ids": ["101"]},
                    {"success": false, "errors": ["'to' address is on the suppression list"]}
                ]
            }));
        })
        .await;
    let batch = digest_batch();
    let expected = batch.to_json().unwrap();
    let err = client(&server)
        .sandbox(9)
        .send_batch(batch)
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    let Error::Batch(batch_error) = &err else {
        panic!("expected a batch error, got {err:?}");
    };
    assert_eq!(batch_error.sent_message_ids(), [MessageId::new(101)]);
    insta::assert_snapshot!(err, @"1 of 2 emails of the batch were refused; email #1: 'to' address is on the suppression list. The other 1 were sent (their ids are in BatchError::outcome); send only the refused ones again");
    let outcome = batch_error.outcome();
    let sent: Value = serde_json::from_slice(requests.lock().unwrap()[0].body_ref()).unwrap();
    assert_eq!(sent, expected);
    assert!(!outcome.all_succeeded());
    let failures: Vec<(usize, Vec<String>)> = outcome
        .failures()
        .map(|(index, item)| (index, item.errors.clone()))
        .collect();
    assert_eq!(
        failures,
        [(
            1,
            vec!["'to' address is on the suppression list".to_owned()]
        )]
    );
    assert_eq!(
        outcome.responses[0].sandbox_message_ids(),
        [MessageId::new(101)]
    );
}

#[tokio::test]
async fn invalid_batches_are_never_sent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200).json_body(json!({"success": true}));
        })
        .await;
    let err = client(&server)
        .sandbox(9)
        .send_batch(EmailBatch::new(valid()).email(valid()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert_eq!(mock.calls_async().await, 0);
}
