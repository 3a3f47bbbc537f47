//! Attachments: list (with the type filter) and get.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Expect, Reply, client, expect};
use httpmock::MockServer;
use mailtrap_sandbox::models::AttachmentType;
use mailtrap_sandbox::{AttachmentId, MessageId};
use serde_json::{Value, json};

fn attachment_json(id: u64, filename: &str, kind: &str, content_id: Value) -> Value {
    json!({
        "id": id,
        "message_id": 42,
        "filename": filename,
        "attachment_type": kind,
        "content_type": "image/png",
        "content_id": content_id,
        "transfer_encoding": "base64",
        "attachment_size": 2048,
        "created_at": "2025-03-14T09:26:53.700Z",
        "updated_at": "2025-03-14T09:26:53.700Z",
        "attachment_human_size": "2 KB",
        "download_path": format!("/api/testing_message_parts/Zm9v{id}%2Fbar+baz==/attachment_download")
    })
}

#[tokio::test]
async fn list_attachments_decodes_empty_and_null_content_ids() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/attachments"),
        Reply::json(json!([
            attachment_json(900, "report.png", "attachment", json!("")),
            attachment_json(901, "chart.png", "attachment", json!(null)),
            attachment_json(902, "logo.png", "inline", json!("logo@shop.example")),
            attachment_json(903, "odd.bin", "embedded_v2", json!(null)),
        ])),
    )
    .await;

    let attachments = client(&server)
        .sandbox(77_001)
        .message(42)
        .attachments()
        .list()
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(attachments.len(), 4);
    assert_eq!(attachments[0].id, AttachmentId::new(900));
    assert_eq!(attachments[0].message_id, Some(MessageId::new(42)));
    assert_eq!(attachments[0].content_id, None);
    assert_eq!(attachments[1].content_id, None);
    assert_eq!(
        attachments[2].content_id.as_deref(),
        Some("logo@shop.example")
    );
    assert_eq!(attachments[2].attachment_type, AttachmentType::Inline);
    assert_eq!(
        attachments[3].attachment_type,
        AttachmentType::Other("embedded_v2".to_owned())
    );
    assert_eq!(attachments[0].size, 2048);
    assert_eq!(
        attachments[0].download_path.as_deref(),
        Some("/api/testing_message_parts/Zm9v900%2Fbar+baz==/attachment_download")
    );
}

#[tokio::test]
async fn list_attachments_filters_by_type() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/attachments")
            .query("attachment_type=inline"),
        Reply::json(json!([attachment_json(
            902,
            "logo.png",
            "inline",
            json!("logo@shop.example")
        )])),
    )
    .await;
    let attachments = client(&server)
        .sandbox(77_001)
        .message(42)
        .attachments()
        .list()
        .attachment_type(AttachmentType::Inline)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(attachments[0].filename, "logo.png");
}

#[tokio::test]
async fn get_attachment_reads_one() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001/messages/42/attachments/900"),
        Reply::json(attachment_json(900, "report.png", "attachment", json!(""))),
    )
    .await;
    let attachment = client(&server)
        .sandbox(77_001)
        .message(42)
        .attachments()
        .get(900)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(attachment.filename, "report.png");
    assert_eq!(attachment.content_type, "image/png");
    assert_eq!(attachment.human_size, "2 KB");
    assert_eq!(attachment.transfer_encoding.as_deref(), Some("base64"));
}
