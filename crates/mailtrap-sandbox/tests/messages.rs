//! Messages: list, stream, read, mark, delete, forward, reports, bodies.
#![allow(
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
