//! Sandboxes: list, get, update, delete, clean, mark all read, credentials, email address.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use chrono::{TimeZone as _, Utc};
use common::{Expect, Reply, client, expect, sandbox_json};
use httpmock::MockServer;
use mailtrap_sandbox::models::SandboxStatus;
use mailtrap_sandbox::{Error, ProjectId, SandboxId};
use serde_json::json;

#[tokio::test]
async fn list_sandboxes_decodes_every_sandbox() {
    let server = MockServer::start_async().await;
    let mut quiet = sandbox_json(77_002, 300, "Quiet");
    quiet["last_message_sent_at"] = json!(null);
    quiet["password"] = json!(null);
    quiet["status"] = json!("suspended_for_review");
    let mut blank = sandbox_json(77_003, 300, "Blank");
    blank["last_message_sent_at"] = json!("");
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes"),
        Reply::json(json!([sandbox_json(77_001, 300, "Staging"), quiet, blank])),
    )
    .await;

    let sandboxes = client(&server).sandboxes().list().await.unwrap();

    mock.assert_async().await;
    assert_eq!(sandboxes.len(), 3);
    let staging = &sandboxes[0];
    assert_eq!(staging.id, SandboxId::new(77_001));
    assert_eq!(staging.project_id, Some(ProjectId::new(300)));
    assert_eq!(staging.status, SandboxStatus::Active);
    assert_eq!(
        staging.password.as_ref().map(|p| p.expose()),
        Some("9f8e7d6c5b4a39")
    );
    assert!(
        !format!("{staging:?}").contains("9f8e7d6c5b4a39"),
        "Debug must redact the password"
    );
    assert_eq!(staging.smtp_ports, vec![25, 465, 587, 2525]);
    assert_eq!(
        staging.email_address().as_deref(),
        Some("qa-team-7c1f@inbox.sandbox.example")
    );
    // `+02:00` is read as the same instant in UTC.
    assert_eq!(
        staging.last_message_sent_at,
        Some(
            Utc.with_ymd_and_hms(2025, 3, 14, 7, 26, 53).unwrap()
                + chrono::Duration::milliseconds(601)
        )
    );
    assert_eq!(sandboxes[1].last_message_sent_at, None);
    assert!(sandboxes[1].password.is_none());
    assert_eq!(
        sandboxes[1].status,
        SandboxStatus::Other("suspended_for_review".to_owned())
    );
    assert_eq!(sandboxes[2].last_message_sent_at, None);
}

#[tokio::test]
async fn get_sandbox_reads_one() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        Reply::json(sandbox_json(77_001, 300, "Staging")),
    )
    .await;

    let sandbox = client(&server).sandbox(77_001).get().await.unwrap();

    mock.assert_async().await;
    assert_eq!(sandbox.name, "Staging");
    assert_eq!(sandbox.emails_count, 3);
    assert_eq!(sandbox.emails_unread_count, 1);
    assert_eq!(sandbox.max_message_size, 10_485_760);
    assert!(sandbox.permissions.can_destroy);
}

#[tokio::test]
async fn update_sandbox_patches_only_what_was_set() {
    let server = MockServer::start_async().await;
    let mut renamed = sandbox_json(77_001, 300, "Renamed");
    renamed["email_username"] = json!("renamed-box");
    let (mock, recorded) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001"),
        Reply::json(renamed),
    )
    .await;

    let sandbox = client(&server)
        .sandbox(77_001)
        .update()
        .name("Renamed")
        .email_username("renamed-box")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "sandbox": {
        "email_username": "renamed-box",
        "name": "Renamed"
      }
    }
    "#);
    assert_eq!(sandbox.email_username, "renamed-box");
}

#[tokio::test]
async fn update_sandbox_with_only_a_name_sends_only_the_name() {
    let server = MockServer::start_async().await;
    let (mock, recorded) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001"),
        Reply::json(sandbox_json(77_001, 300, "Only name")),
    )
    .await;

    client(&server)
        .sandbox(77_001)
        .update()
        .name("Only name")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    insta::assert_json_snapshot!(recorded.json_body(), @r#"
    {
      "sandbox": {
        "name": "Only name"
      }
    }
    "#);
}

#[tokio::test]
async fn update_sandbox_without_changes_is_refused_locally() {
    let server = MockServer::start_async().await;
    let err = client(&server)
        .sandbox(77_001)
        .update()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert!(err.to_string().contains(".name(...)"), "{err}");
}

#[tokio::test]
async fn delete_sandbox_answers_with_the_sandbox_as_it_was() {
    let server = MockServer::start_async().await;
    let (mock, _) = expect(
        &server,
        Expect::new("DELETE", "/api/sandboxes/77004"),
        Reply::json(sandbox_json(77_004, 300, "Gone")),
    )
    .await;
    let sandbox = client(&server).sandbox(77_004).delete().await.unwrap();
    mock.assert_async().await;
    assert_eq!(sandbox.map(|sandbox| sandbox.name).as_deref(), Some("Gone"));
}

#[tokio::test]
async fn clean_sandbox_patches_clean() {
    let server = MockServer::start_async().await;
    let mut cleaned = sandbox_json(77_001, 300, "Staging");
    cleaned["emails_count"] = json!(0);
    let (mock, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/clean"),
        Reply::json(cleaned),
    )
    .await;
    let sandbox = client(&server).sandbox(77_001).clean().await.unwrap();
    mock.assert_async().await;
    assert_eq!(sandbox.emails_count, 0);
}

#[tokio::test]
async fn mark_all_read_patches_all_read() {
    let server = MockServer::start_async().await;
    let mut read = sandbox_json(77_001, 300, "Staging");
    read["emails_unread_count"] = json!(0);
    let (mock, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/all_read"),
        Reply::json(read),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .mark_all_read()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(sandbox.emails_unread_count, 0);
}

#[tokio::test]
async fn reset_credentials_patches_reset_credentials() {
    let server = MockServer::start_async().await;
    let mut reset = sandbox_json(77_001, 300, "Staging");
    reset["password"] = json!("0a1b2c3d4e5f60");
    let (mock, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/reset_credentials"),
        Reply::json(reset),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .reset_credentials()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(sandbox.password.unwrap().expose(), "0a1b2c3d4e5f60");
}

#[tokio::test]
async fn reset_email_address_patches_reset_email_username() {
    let server = MockServer::start_async().await;
    let mut reset = sandbox_json(77_001, 300, "Staging");
    reset["email_username"] = json!("fresh-5d2e");
    let (mock, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/reset_email_username"),
        Reply::json(reset),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .reset_email_address()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(sandbox.email_username, "fresh-5d2e");
}

#[tokio::test]
async fn toggle_email_address_patches_the_toggle() {
    let server = MockServer::start_async().await;
    let mut on = sandbox_json(77_001, 300, "Staging");
    on["email_username_enabled"] = json!(true);
    let (mock, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/toggle_email_username"),
        Reply::json(on),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .toggle_email_address()
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(sandbox.email_username_enabled);
}

#[tokio::test]
async fn enable_email_address_toggles_only_when_off() {
    // Off: read, then toggle.
    let server = MockServer::start_async().await;
    let (get, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        Reply::json(sandbox_json(77_001, 300, "Staging")),
    )
    .await;
    let mut on = sandbox_json(77_001, 300, "Staging");
    on["email_username_enabled"] = json!(true);
    let (toggle, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/toggle_email_username"),
        Reply::json(on.clone()),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .enable_email_address()
        .await
        .unwrap();
    get.assert_async().await;
    toggle.assert_async().await;
    assert!(sandbox.email_username_enabled);

    // Already on: read only.
    let server = MockServer::start_async().await;
    let (get, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        Reply::json(on),
    )
    .await;
    let (toggle, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/toggle_email_username"),
        Reply::json(sandbox_json(77_001, 300, "Staging")),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .enable_email_address()
        .await
        .unwrap();
    get.assert_async().await;
    toggle.assert_calls_async(0).await;
    assert!(sandbox.email_username_enabled);
}

#[tokio::test]
async fn disable_email_address_toggles_only_when_on() {
    let server = MockServer::start_async().await;
    let mut on = sandbox_json(77_001, 300, "Staging");
    on["email_username_enabled"] = json!(true);
    let (get, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        Reply::json(on),
    )
    .await;
    let (toggle, _) = expect(
        &server,
        Expect::new("PATCH", "/api/sandboxes/77001/toggle_email_username"),
        Reply::json(sandbox_json(77_001, 300, "Staging")),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .disable_email_address()
        .await
        .unwrap();
    get.assert_async().await;
    toggle.assert_async().await;
    assert!(!sandbox.email_username_enabled);

    // Already off: no toggle.
    let server = MockServer::start_async().await;
    let (get, _) = expect(
        &server,
        Expect::new("GET", "/api/sandboxes/77001"),
        Reply::json(sandbox_json(77_001, 300, "Staging")),
    )
    .await;
    let sandbox = client(&server)
        .sandbox(77_001)
        .disable_email_address()
        .await
        .unwrap();
    get.assert_async().await;
    assert!(!sandbox.email_username_enabled);
}
