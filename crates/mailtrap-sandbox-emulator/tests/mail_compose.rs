//! `mail::compose`: validation in the sending API's wording, and compose → parse round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailtrap_sandbox_emulator::mail::{
    CATEGORY_HEADER, CUSTOM_VARIABLES_HEADER, Disposition, Mailbox, SendRequest, compose, parse,
};
use serde_json::json;

fn request(value: serde_json::Value) -> SendRequest {
    serde_json::from_value(value).expect("valid send request JSON")
}

fn minimal() -> serde_json::Value {
    json!({
        "from": {"email": "sender@shop.example", "name": "Shop"},
        "to": [{"email": "buyer@home.example"}],
        "subject": "Your order",
        "text": "Thanks for your order."
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn empty_request_reports_every_missing_field_at_once() {
    let errors = compose(&SendRequest::default()).unwrap_err();
    assert_eq!(
        errors,
        [
            "'from' is required",
            "'to', 'cc' or 'bcc' address is required",
            "'subject' is required",
            "must specify either text or html body",
        ]
    );
}

#[test]
fn blank_values_count_as_missing() {
    let errors = compose(&request(json!({
        "from": {"email": "  "},
        "to": [{"email": "a@b.example"}],
        "subject": " ",
        "text": "",
        "html": ""
    })))
    .unwrap_err();
    assert_eq!(
        errors,
        [
            "'from' is required",
            "'subject' is required",
            "must specify either text or html body",
        ]
    );
}

#[test]
fn invalid_addresses_are_named() {
    let errors = compose(&request(json!({
        "from": {"email": "not-an-address"},
        "to": [{"email": "ok@fine.example"}, {"email": "broken@"}],
        "cc": [{"email": "also broken"}],
        "bcc": [{"email": "x@y"}],
        "reply_to": {"email": "@nowhere.example"},
        "subject": "s",
        "text": "t"
    })))
    .unwrap_err();
    assert_eq!(
        errors,
        [
            "'from' address is invalid",
            "'to' address is invalid: \"broken@\"",
            "'cc' address is invalid: \"also broken\"",
            "'bcc' address is invalid: \"x@y\"",
            "'reply_to' address is invalid: \"@nowhere.example\"",
        ]
    );
}

#[test]
fn more_than_1000_recipients_in_a_field_is_refused() {
    let many: Vec<_> = (0..1001)
        .map(|i| json!({"email": format!("r{i}@many.example")}))
        .collect();
    let mut value = minimal();
    value["cc"] = json!(many);
    let errors = compose(&request(value)).unwrap_err();
    assert_eq!(errors, ["'cc' must not contain more than 1000 addresses"]);

    let mut value = minimal();
    value["cc"] = json!(many[..1000]);
    let composed = compose(&request(value)).unwrap();
    assert_eq!(composed.rcpt_to.len(), 1001);
}

#[test]
fn attachment_problems_are_reported_per_attachment() {
    let mut value = minimal();
    value["attachments"] = json!([
        {"content": "aGVsbG8=", "filename": "ok.txt"},
        {"content": "!!!not base64!!!", "filename": "bad.bin"},
        {"content": "", "filename": ""},
        {"content": "aGVsbG8=", "filename": "x.txt", "disposition": "sideways"}
    ]);
    let errors = compose(&request(value)).unwrap_err();
    assert_eq!(
        errors,
        [
            "'attachments[1].content' is not valid base64",
            "'attachments[2].filename' is required",
            "'attachments[2].content' is required",
            "'attachments[3].disposition' must be 'attachment' or 'inline'",
        ]
    );
}

#[test]
fn category_custom_variables_and_headers_limits() {
    let mut value = minimal();
    value["category"] = json!("c".repeat(256));
    value["custom_variables"] = json!({"big": "v".repeat(1000)});
    value["headers"] = json!({
        "Bad Name": "x",
        "X-Multi": "a\r\nInjected: yes",
        "from": "evil@attacker.example"
    });
    let errors = compose(&request(value)).unwrap_err();
    assert_eq!(
        errors,
        [
            "'category' is too long (maximum is 255 characters)",
            "'custom_variables' must not exceed 1000 bytes",
            "'headers' contains an invalid header name: \"Bad Name\"",
            "'headers' value of \"X-Multi\" must not contain line breaks",
            "'headers' must not set the reserved header \"From\"",
        ]
    );
}

#[test]
fn template_requests_need_no_subject_but_a_body() {
    let errors = compose(&request(json!({
        "from": {"email": "a@b.example"},
        "to": [{"email": "c@d.example"}],
        "template_uuid": "0f8fad5b-d9cb-469f-a165-70867728950e"
    })))
    .unwrap_err();
    assert_eq!(errors, ["must specify either text or html body"]);

    compose(&request(json!({
        "from": {"email": "a@b.example"},
        "to": [{"email": "c@d.example"}],
        "template_uuid": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "html": "<p>rendered</p>"
    })))
    .unwrap();
}

#[test]
fn minimal_message_round_trips() {
    let composed = compose(&request(minimal())).unwrap();
    assert_eq!(composed.mail_from, "sender@shop.example");
    assert_eq!(composed.rcpt_to, ["buyer@home.example"]);

    let mail = parse(&composed.raw);
    assert_eq!(mail.subject, "Your order");
    assert_eq!(
        mail.from,
        Some(Mailbox {
            email: "sender@shop.example".into(),
            name: "Shop".into()
        })
    );
    assert_eq!(mail.to.len(), 1);
    assert_eq!(mail.to[0].name, "");
    assert_eq!(mail.text.as_deref(), Some("Thanks for your order."));
    assert_eq!(mail.html, None);
    assert!(mail.message_id.is_some());
    assert!(mail.date.is_some());
    assert_eq!(header(&mail.headers, "MIME-Version"), Some("1.0"));
    assert!(
        header(&mail.headers, "Content-Type")
            .unwrap()
            .starts_with("text/plain")
    );
}

#[test]
fn full_message_round_trips_with_exact_attachments() {
    let pdf: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let logo = b"\x89PNG\r\n\x1a\n\x00\x00binary\xff\xfe".to_vec();
    let composed = compose(&request(json!({
        "from": {"email": "news@paper.example", "name": "Zeitung Überall"},
        "to": [
            {"email": "one@readers.example", "name": "Reader One"},
            {"email": "two@readers.example"}
        ],
        "cc": [{"email": "editor@paper.example", "name": "The Editor"}],
        "bcc": [{"email": "archive@paper.example"}],
        "reply_to": {"email": "letters@paper.example", "name": "Letters"},
        "subject": "Grüße — weekly édition ✉",
        "text": "Plain version\nline two",
        "html": "<html><body><p>HTML version</p><img src=\"cid:logo-1\"></body></html>",
        "attachments": [
            {"content": STANDARD.encode(&pdf), "filename": "issue.pdf"},
            {"content": STANDARD.encode(&logo), "filename": "logo.png", "type": "image/png",
             "disposition": "inline", "content_id": "logo-1"},
            {"content": STANDARD.encode(b"a,b\n1,2\n"), "filename": "data.csv", "type": "text/csv"}
        ],
        "headers": {"X-Message-Source": "newsroom", "X-Priority": "1"},
        "custom_variables": {"user_id": "45982", "batch": "PSJ-12"},
        "category": "Weekly issue"
    })))
    .unwrap();

    assert_eq!(composed.mail_from, "news@paper.example");
    assert_eq!(
        composed.rcpt_to,
        [
            "one@readers.example",
            "two@readers.example",
            "editor@paper.example",
            "archive@paper.example"
        ]
    );
    let text = String::from_utf8_lossy(&composed.raw);
    assert!(
        !text.to_ascii_lowercase().contains("\nbcc:"),
        "no Bcc header:\n{text}"
    );
    assert!(!text.contains("archive@paper.example"));
    assert!(text.contains("multipart/mixed"));
    assert!(text.contains("multipart/related"));
    assert!(text.contains("multipart/alternative"));

    let mail = parse(&composed.raw);
    assert_eq!(mail.subject, "Grüße — weekly édition ✉");
    assert_eq!(mail.from.as_ref().unwrap().name, "Zeitung Überall");
    assert_eq!(
        mail.to
            .iter()
            .map(|m| (m.name.as_str(), m.email.as_str()))
            .collect::<Vec<_>>(),
        [
            ("Reader One", "one@readers.example"),
            ("", "two@readers.example")
        ]
    );
    assert_eq!(mail.cc[0].email, "editor@paper.example");
    assert!(mail.bcc.is_empty());
    assert_eq!(mail.reply_to[0].name, "Letters");
    // Line breaks travel as CRLF in a MIME message.
    assert_eq!(mail.text.as_deref(), Some("Plain version\r\nline two"));
    assert!(
        mail.html
            .as_deref()
            .unwrap()
            .contains("<p>HTML version</p>")
    );
    assert_eq!(header(&mail.headers, "X-Message-Source"), Some("newsroom"));
    assert_eq!(header(&mail.headers, "X-Priority"), Some("1"));
    assert_eq!(header(&mail.headers, CATEGORY_HEADER), Some("Weekly issue"));
    let vars: serde_json::Value =
        serde_json::from_str(header(&mail.headers, CUSTOM_VARIABLES_HEADER).unwrap()).unwrap();
    assert_eq!(vars, json!({"user_id": "45982", "batch": "PSJ-12"}));

    assert_eq!(mail.attachments.len(), 3, "{:?}", mail.attachments);
    let by_name = |name: &str| {
        mail.attachments
            .iter()
            .find(|a| a.filename == name)
            .unwrap()
    };
    let issue = by_name("issue.pdf");
    assert_eq!(
        issue.content_type, "application/pdf",
        "guessed from the name"
    );
    assert_eq!(issue.disposition, Disposition::Attachment);
    assert_eq!(issue.content, pdf);
    let logo_part = by_name("logo.png");
    assert_eq!(logo_part.disposition, Disposition::Inline);
    assert_eq!(logo_part.content_id.as_deref(), Some("logo-1"));
    assert_eq!(logo_part.content, logo);
    let csv = by_name("data.csv");
    assert_eq!(csv.content_type, "text/csv");
    assert_eq!(csv.content, b"a,b\n1,2\n");
}

#[test]
fn bcc_only_message_is_valid_and_has_no_recipient_headers() {
    let composed = compose(&request(json!({
        "from": {"email": "a@b.example"},
        "bcc": [{"email": "secret@c.example"}],
        "subject": "hidden",
        "html": "<p>x</p>"
    })))
    .unwrap();
    assert_eq!(composed.rcpt_to, ["secret@c.example"]);
    let mail = parse(&composed.raw);
    assert!(mail.to.is_empty() && mail.cc.is_empty() && mail.bcc.is_empty());
    assert_eq!(mail.html.as_deref(), Some("<p>x</p>"));
    assert_eq!(mail.text, None);
}

#[test]
fn base64_with_line_breaks_and_without_padding_is_accepted() {
    let mut value = minimal();
    value["attachments"] = json!([
        {"content": "aGVs\r\nbG8gd29y\nbGQ", "filename": "hello.txt"}
    ]);
    let mail = parse(&compose(&request(value)).unwrap().raw);
    assert_eq!(mail.attachments[0].content, b"hello world");
    assert_eq!(mail.attachments[0].content_type, "text/plain");
}

#[test]
fn custom_reply_to_header_is_used_only_without_reply_to_field() {
    let mut value = minimal();
    value["headers"] = json!({"Reply-To": "hdr@x.example", "Content-Transfer-Encoding": "7bit"});
    let mail = parse(&compose(&request(value.clone())).unwrap().raw);
    assert_eq!(mail.reply_to[0].email, "hdr@x.example");

    value["reply_to"] = json!({"email": "field@x.example"});
    let mail = parse(&compose(&request(value)).unwrap().raw);
    assert_eq!(mail.reply_to.len(), 1);
    assert_eq!(mail.reply_to[0].email, "field@x.example");
}

#[test]
fn names_with_commas_quotes_and_non_ascii_round_trip() {
    let composed = compose(&request(json!({
        "from": {"email": "a@b.example", "name": "Babbage, Charles \"The Engine\""},
        "to": [
            {"email": "c@d.example", "name": "Ørsted; Hans"},
            {"email": "e@f.example", "name": "李雷"}
        ],
        "subject": "=?not-an-encoded-word?= and a very long subject line that goes on and on well past the seventy-eight character folding limit of RFC 5322",
        "text": "x",
        "headers": {"X-Unicode": "Grüße"}
    })))
    .unwrap();
    let mail = parse(&composed.raw);
    assert_eq!(mail.from.unwrap().name, "Babbage, Charles \"The Engine\"");
    assert_eq!(mail.to[0].name, "Ørsted; Hans");
    assert_eq!(mail.to[0].email, "c@d.example");
    assert_eq!(mail.to[1].name, "李雷");
    assert_eq!(
        mail.subject,
        "=?not-an-encoded-word?= and a very long subject line that goes on and on well past the seventy-eight character folding limit of RFC 5322"
    );
    assert_eq!(header(&mail.headers, "X-Unicode"), Some("Grüße"));
}

#[test]
fn line_breaks_in_names_and_subject_cannot_inject_headers() {
    let composed = compose(&request(json!({
        "from": {"email": "a@b.example", "name": "Evil\r\nBcc: victim@x.example"},
        "to": [{"email": "c@d.example"}],
        "subject": "Hi\r\nX-Injected: yes",
        "text": "x",
        "category": "cat\r\nX-Injected-Too: yes"
    })))
    .unwrap();
    let mail = parse(&composed.raw);
    assert!(mail.bcc.is_empty());
    assert!(header(&mail.headers, "Bcc").is_none());
    assert!(header(&mail.headers, "X-Injected").is_none());
    assert!(header(&mail.headers, "X-Injected-Too").is_none());
    assert_eq!(mail.from.unwrap().email, "a@b.example");
}
