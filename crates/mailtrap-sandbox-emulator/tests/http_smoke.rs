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
