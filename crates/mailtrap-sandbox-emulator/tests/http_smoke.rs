//! The emulator starts on free ports, answers with its token, and stops.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use http_support::*;
use reqwest::StatusCode;

#[tokio::test]
async fn starts_answers_and_stops() {
    let env = start().await;
    assert_ne!(env.emu.http_addr().port(), 0);
    assert_ne!(env.emu.smtp_addr().port(), 0);
    assert_eq!(env.emu.api_token(), TOKEN);
    let sandboxes = env.get_json("/api/sandboxes").await;
    assert_eq!(sandboxes[0]["id"], env.sandbox());
    let response = env
        .client
        .get(env.url("/api/sandboxes"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let summary = env.emu.summary().to_string();
    assert!(summary.contains(env.emu.base_url()), "{summary}");
    env.emu.shutdown().await;
}

#[tokio::test]
async fn the_summary_serializes_and_hides_secrets_in_debug() {
    let env = start().await;
    let summary = env.emu.summary();
    let json = serde_json::to_value(summary).unwrap();
    for key in [
        "base_url",
        "http_addr",
        "smtp_addr",
        "api_token",
        "account_id",
        "organization_id",
        "project",
        "sandbox",
        "template_uuid",
        "data_dir",
        "rate_limit_enforced",
    ] {
        assert!(json.get(key).is_some(), "{key} missing in {json}");
    }
    assert_eq!(
        json["sandbox"]["smtp_username"],
        env.emu.sandbox().smtp_username
    );
    assert!(
        json["sandbox"]["email_address"]
            .as_str()
            .unwrap()
            .ends_with("@inbox.localhost")
    );
    let debug = format!("{summary:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains(&env.emu.sandbox().smtp_password), "{debug}");
    let text = summary.to_string();
    assert!(text.contains(TOKEN) && text.contains(&env.emu.sandbox().email_address));
}

#[tokio::test]
async fn a_busy_port_is_a_clear_start_error() {
    let env = start().await;
    let mut config = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral();
    config.http_addr = env.emu.http_addr();
    let error = config.start().await.unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(
            error,
            mailtrap_sandbox_emulator::StartError::Bind {
                service: "HTTP",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(text.contains("port 0"), "{text}");
    let mut config = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral();
    config.api_token = Some("has space".to_owned());
    assert!(matches!(
        config.start().await.unwrap_err(),
        mailtrap_sandbox_emulator::StartError::InvalidConfig(_)
    ));
}

#[tokio::test]
async fn shutdown_stops_both_listeners() {
    let env = start().await;
    let http = env.emu.http_addr();
    let smtp = env.emu.smtp_addr();
    env.emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(http).await.is_err());
    assert!(tokio::net::TcpStream::connect(smtp).await.is_err());
}

#[tokio::test]
async fn a_data_dir_needs_the_persist_feature() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral();
    config.data_dir = Some(dir.path().join("data"));
    let started = config.start().await;
    if cfg!(feature = "persist") {
        started.unwrap().shutdown().await;
    } else {
        let error = started.unwrap_err();
        assert!(
            matches!(
                error,
                mailtrap_sandbox_emulator::StartError::InvalidConfig(_)
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("`persist` feature"), "{error}");
        assert!(!dir.path().join("data").exists(), "nothing is made");
    }
}
