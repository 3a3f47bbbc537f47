//! Messages: list, stream, read, mark, delete, forward, reports, bodies.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Expect, Reply, client, expect, message_json};
use httpmock::MockServer;
use mailtrap_sandbox::{MessageId, SandboxId};
use serde_json::json;

#[tokio::test]
async fn list_sends_search_and_cursor_and_decodes_a_page() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages")
            .query("last_id=5300000001&search=reset+password"),
        Reply::json(json!([
            message_json(5_300_000_000, 77_001, "Reset your password"),
            message_json(5_299_999_990, 77_001, "Reset your password again"),
        ])),
    )
    .await;

    let page = client(&server)
        .sandbox(77_001)
        .messages()
        .list()
        .search("reset password")
        .last_id(5_300_000_001)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.len(), 2);
    assert_eq!(page.next_last_id(), Some(MessageId::new(5_299_999_990)));
    let first = &page.items()[0];
    assert_eq!(first.id, MessageId::new(5_300_000_000));
    assert_eq!(first.sandbox_id, Some(SandboxId::new(77_001)));
    assert_eq!(first.subject, "Reset your password");
    assert_eq!(first.from_name.as_deref(), Some("Shop Robot"));
    assert_eq!(first.to_name, None);
    assert!(first.blacklists_report.is_none());
    assert_eq!(
        first.smtp_information.as_ref().map(|info| info.ok),
        Some(false)
    );
}

#[tokio::test]
async fn list_without_options_sends_no_query() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages"),
        Reply::json(json!([])),
    )
    .await;
    let page = client(&server)
        .sandbox(77_001)
        .messages()
        .list()
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(page.is_empty());
    assert_eq!(page.next_last_id(), None);
}

#[tokio::test]
async fn list_sends_a_page_number() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages").query("page=2"),
        Reply::json(json!([message_json(41, 77_001, "Second page")])),
    )
    .await;
    let page = client(&server)
        .sandbox(77_001)
        .messages()
        .list()
        .page(2)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(page.items()[0].subject, "Second page");
}

#[tokio::test]
async fn get_message_decodes_the_legacy_shape() {
    let server = MockServer::start_async().await;
    let mut legacy = message_json(5_273_448_410, 0, "Legacy");
    let object = legacy.as_object_mut().unwrap();
    object.remove("sandbox_id");
    object.insert("inbox_id".into(), json!(4_200_900));
    object.insert("template_id".into(), json!(0));
    object.insert("sent_at".into(), json!("2025-03-13T21:26:53.589-12:00"));
    object.insert(
        "blacklists_report_info".into(),
        json!({"result": "success", "domain": "shop.example", "report": [{"name": "ExampleBL", "in_black_list": false}]}),
    );
    object.insert(
        "smtp_information".into(),
        json!({"ok": true, "data": {"mail_from_addr": "bounce@shop.example", "client_ip": "192.0.2.7", "rcpt_to_addrs": ["ada@customer.example"]}}),
    );
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/4200900/messages/5273448410"),
        Reply::json(legacy),
    )
    .await;

    let message = client(&server)
        .sandbox(4_200_900)
        .message(5_273_448_410)
        .get()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(message.id, MessageId::new(5_273_448_410));
    assert_eq!(message.sandbox_id, Some(SandboxId::new(4_200_900)));
    assert_eq!(message.template_id, None);
    assert_eq!(
        message.sent_at.unwrap().to_rfc3339(),
        "2025-03-14T09:26:53.589+00:00"
    );
    let report = message.blacklists_report.unwrap();
    assert_eq!(
        report.result,
        Some(mailtrap_sandbox::models::BlacklistResult::Success)
    );
    assert_eq!(report.ip, None);
    assert_eq!(report.report[0].name, "ExampleBL");
    assert_eq!(report.report[0].url, None);
    let envelope = message.smtp_information.unwrap().envelope.unwrap();
    assert_eq!(envelope.mail_from.as_deref(), Some("bounce@shop.example"));
    assert_eq!(envelope.rcpt_to, vec!["ada@customer.example"]);
    assert!(message.download_path.unwrap().contains("%2F"));
}

#[tokio::test]
async fn get_message_keeps_a_template() {
    let server = MockServer::start_async().await;
    let mut templated = message_json(42, 77_001, "Welcome");
    templated["template_id"] = json!(9_001);
    templated["template_variables"] = json!({"user_name": "Ada", "count": 3});
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42"),
        Reply::json(templated),
    )
    .await;
    let message = client(&server)
        .sandbox(77_001)
        .message(42)
        .get()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(message.template_id, Some(9_001));
    assert_eq!(message.template_variables.unwrap()["user_name"], "Ada");
}

#[tokio::test]
async fn mark_read_and_unread_send_a_json_boolean() {
    for read in [true, false] {
        let server = MockServer::start_async().await;
        let mut answer = message_json(42, 77_001, "Hello");
        answer["is_read"] = json!(read);
        let (mock, recorded) = expect(
            &server,
            Expect::new("PATCH", "/api/sandboxes/77001/messages/42"),
            Reply::json(answer),
        )
        .await;
        let handle = client(&server).sandbox(77_001).message(42);
        let message = if read {
            handle.mark_read().await
        } else {
            handle.mark_unread().await
        }
        .unwrap();
        mock.assert_async().await;
        assert_eq!(recorded.json_body(), json!({"message": {"is_read": read}}));
        assert_eq!(message.is_read, read);
    }
}

#[tokio::test]
async fn mark_read_body_snapshot() {
    let server = MockServer::start_async().await;
    let (_mock, recorded) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/messages/42"),
        Reply::json(message_json(42, 77_001, "Hello")),
    )
    .await;
    client(&server)
        .sandbox(77_001)
        .message(42)
        .set_read(true)
        .await
        .unwrap();
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "message": {
        "is_read": true
      }
    }
    "#);
}

#[tokio::test]
async fn delete_message_answers_with_the_message() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("DELETE", "/api/sandboxes/77001/messages/42"),
        Reply::json(message_json(42, 77_001, "Bye")),
    )
    .await;
    let message = client(&server)
        .sandbox(77_001)
        .message(42)
        .delete()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(
        message.map(|message| message.subject).as_deref(),
        Some("Bye")
    );
}

#[tokio::test]
async fn forward_posts_the_address_and_reads_success() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("POST", "/api/sandboxes/77001/messages/42/forward"),
        Reply::json(json!({"success": true, "message": "Your email message has been successfully forwarded"})),
    )
    .await;
    let outcome = client(&server)
        .sandbox(77_001)
        .message(42)
        .forward("qa@team.example")
        .await
        .unwrap();
    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "email": "qa@team.example"
    }
    "#);
    assert!(outcome.success);
    assert!(outcome.message.unwrap().contains("forwarded"));
}

#[tokio::test]
async fn forward_with_only_a_message_counts_as_success() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(
        &server,
        Expect::new("POST", "/api/sandboxes/77001/messages/42/forward"),
        Reply::json(json!({"message": "queued"})),
    )
    .await;
    let outcome = client(&server)
        .sandbox(77_001)
        .message(42)
        .forward("qa@team.example")
        .await
        .unwrap();
    assert!(outcome.success);
}

#[tokio::test]
async fn forward_refuses_something_that_is_not_an_address() {
    let server = MockServer::start_async().await;
    let err = client(&server)
        .sandbox(77_001)
        .message(42)
        .forward("nobody")
        .await
        .unwrap_err();
    assert!(matches!(err, mailtrap_sandbox::Error::InvalidArgument(_)));
}

#[tokio::test]
async fn spam_report_reads_points_as_numbers_or_strings() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/spam_report"),
        Reply::json(json!({"report": {
            "ResponseCode": 0, "ResponseMessage": "EX_OK", "ResponseVersion": "1.5",
            "Score": 1.3, "Spam": false, "Threshold": 5.0,
            "Details": [
                {"Pts": "0.1", "RuleName": "MISSING_MID", "Description": "Missing Message-Id: header"},
                {"Pts": 1.2, "RuleName": "HTML_ONLY", "Description": "Message only has text/html MIME parts"},
                {"Pts": "n/a", "RuleName": "ODD", "Description": ""}
            ]
        }})),
    )
    .await;
    let report = client(&server)
        .sandbox(77_001)
        .message(42)
        .spam_report()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(report.score, 1.3);
    assert!(!report.spam);
    assert_eq!(report.threshold, Some(5.0));
    assert_eq!(report.response_message.as_deref(), Some("EX_OK"));
    assert_eq!(report.details[0].points, Some(0.1));
    assert_eq!(report.details[1].points, Some(1.2));
    assert_eq!(report.details[2].points, None);
    assert_eq!(report.details[2].description, None);
}

#[tokio::test]
async fn html_analysis_reads_status_and_issues() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/analyze"),
        Reply::json(json!({"report": {"status": "success", "errors": [
            {"error_line": 14, "rule_name": "css-flexbox", "email_clients": {"desktop": ["Outlook 2019"], "web": ["Example Webmail"]}}
        ]}})),
    )
    .await;
    let analysis = client(&server)
        .sandbox(77_001)
        .message(42)
        .html_analysis()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(
        analysis.status,
        Some(mailtrap_sandbox::models::HtmlAnalysisStatus::Success)
    );
    assert_eq!(analysis.errors[0].error_line, Some(14));
    assert_eq!(analysis.errors[0].rule_name, "css-flexbox");
    assert_eq!(
        analysis.errors[0].email_clients.desktop,
        vec!["Outlook 2019"]
    );
    assert!(analysis.errors[0].email_clients.mobile.is_empty());
}

#[tokio::test]
async fn headers_are_a_string_map() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/mail_headers"),
        Reply::json(json!({"headers": {
            "date": "Fri, 14 Mar 2025 09:26:53 +0000", "from": "Shop Robot <robot@shop.example>",
            "to": "ada@customer.example", "subject": "Reset your password",
            "mime_version": "1.0", "content_type": "multipart/alternative", "bcc": "not available for your plan"
        }})),
    )
    .await;
    let headers = client(&server)
        .sandbox(77_001)
        .message(42)
        .headers()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(headers.subject(), Some("Reset your password"));
    assert_eq!(headers.get("Content-Type"), Some("multipart/alternative"));
    assert_eq!(headers.get("bcc"), Some("not available for your plan"));
    assert_eq!(headers.get("cc"), None);
}

#[tokio::test]
async fn body_endpoints_return_text_and_bytes() {
    let cases = [
        (
            "body.txt",
            "text/plain; charset=utf-8",
            "Hello Ada,\nyour code is 493021.\n",
        ),
        (
            "body.html",
            "text/html; charset=utf-8",
            "<p>Hello <b>Ada</b></p>",
        ),
        (
            "body.htmlsource",
            "text/html; charset=utf-8",
            "<html><body><p>Hello Ada</p></body></html>",
        ),
        (
            "body.raw",
            "text/plain; charset=utf-8",
            "Subject: Hi\r\n\r\nHello Ada\r\n",
        ),
        (
            "body.eml",
            "message/rfc822",
            "Subject: Hi\r\nFrom: robot@shop.example\r\n\r\nHello Ada\r\n",
        ),
    ];
    for (part, content_type, body) in cases {
        let server = MockServer::start_async().await;
        let (mock, _) = expect(
            &server,
            Expect::new("GET", format!("/api/sandboxes/77001/messages/42/{part}")),
            Reply::text(200, content_type, body),
        )
        .await;
        let message = client(&server).sandbox(77_001).message(42);
        let got = match part {
            "body.txt" => message.text().await.unwrap(),
            "body.html" => message.html().await.unwrap(),
            "body.htmlsource" => message.html_source().await.unwrap(),
            "body.raw" => message.raw_text().await.unwrap(),
            _ => {
                let bytes = message.eml_bytes().await.unwrap();
                String::from_utf8(bytes.to_vec()).unwrap()
            }
        };
        mock.assert_async().await;
        assert_eq!(got, body, "{part}");
    }
}

#[tokio::test]
async fn raw_bytes_and_eml_keep_non_utf8_bytes() {
    let server = MockServer::start_async().await;
    let body: Vec<u8> = b"Subject: caf\xe9\r\n\r\nLatin-1 body \xe9\r\n".to_vec();
    let (_raw, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/body.raw"),
        Reply::text(200, "text/plain; charset=utf-8", body.clone()),
    )
    .await;
    let (_eml, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/body.eml"),
        Reply::text(200, "message/rfc822", body.clone()),
    )
    .await;
    let message = client(&server).sandbox(77_001).message(42);
    assert_eq!(message.raw_bytes().await.unwrap().as_ref(), body.as_slice());
    assert_eq!(message.eml_bytes().await.unwrap().as_ref(), body.as_slice());
    assert!(message.raw_text().await.unwrap().contains('\u{FFFD}'));
}

#[tokio::test]
async fn a_missing_body_part_is_its_own_kind() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/body.html"),
        Reply::text(409, "text/plain; charset=utf-8", "Conflict"),
    )
    .await;
    let err = client(&server)
        .sandbox(77_001)
        .message(42)
        .html()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        Some(mailtrap_sandbox::ApiErrorKind::MissingPart)
    );
    assert!(!err.is_retryable());
    insta::assert_snapshot!(err, @"the message has no such part (409 Conflict on GET /api/sandboxes/{sandbox_id}/messages/{message_id}/body.html): Conflict. The message was sent without this part");
}

#[tokio::test]
async fn a_missing_message_on_a_body_endpoint_is_not_found() {
    let server = MockServer::start_async().await;
    let (_mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/999/body.txt"),
        Reply::json(json!({"error": "Not Found"})).status(404),
    )
    .await;
    let err = client(&server)
        .sandbox(77_001)
        .message(999)
        .text()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}
