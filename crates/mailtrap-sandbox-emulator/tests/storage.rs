//! Message storage, the same way in memory and with a data directory: `search` matches
//! subject, addresses, names and text as substrings ignoring case (bodies sent as they are,
//! quoted-printable, or with non-ASCII capitals; search strings of one or two characters);
//! cleaning and deleting take effect at once and survive a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use std::path::Path;

use http_support::*;
use mailtrap_sandbox_emulator::EmulatorConfig;
use reqwest::Method;
use serde_json::json;

fn config(dir: Option<&Path>) -> EmulatorConfig {
    let mut config = EmulatorConfig::ephemeral();
    config.data_dir = dir.map(Path::to_path_buf);
    config
}

const PLAIN: &str = "From: Shop <shop@example.test>\r\nTo: Ann <ann@example.test>\r\n\
    Subject: Order shipped\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
    Your INVOICE #123 is ready.\r\n";
const QUOTED_PRINTABLE: &str = "From: Cafe <cafe@example.test>\r\nTo: Bob <bob@example.test>\r\n\
    Subject: Receipt\r\nContent-Type: text/plain; charset=utf-8\r\n\
    Content-Transfer-Encoding: quoted-printable\r\n\r\n\
    Caf=C3=A9 Cr=C3=A8me: your invoice\r\n";
const CAPITALS: &str = "From: School <school@example.test>\r\nTo: Eve <eve@example.test>\r\n\
    Subject: Welcome\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
    \u{c9}COLE Stra\u{df}e opens\r\n";
const HTML_ONLY: &str = "From: News <news@example.test>\r\nTo: Max <max@example.test>\r\n\
    Subject: Letter\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
    <p>Monthly NEWSLETTER</p>\r\n";

/// The subjects a search finds, newest first.
async fn found(env: &Env, sandbox: u64, search: &str) -> Vec<String> {
    let list = env
        .get_json(&format!(
            "/api/sandboxes/{sandbox}/messages?search={}",
            search
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        ))
        .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect()
}

async fn check_search(env: &Env, sandbox: u64) {
    let cases: [(&str, &[&str]); 14] = [
        ("invoice", &["Receipt", "Order shipped"]),
        ("VOICE", &["Receipt", "Order shipped"]),
        ("#123 is", &["Order shipped"]),
        ("café crème", &["Receipt"]),
        ("école", &["Welcome"]),
        ("straße", &["Welcome"]),
        ("é", &["Welcome", "Receipt"]),
        ("#1", &["Order shipped"]),
        ("newsletter", &["Letter"]),
        ("bob@example", &["Receipt"]),
        ("ann", &["Order shipped"]),
        ("nothing like this", &[]),
        // Every trigram is in one message, but not in this order.
        ("invoice ready", &[]),
        ("\"invoice\"", &[]),
    ];
    for (search, expected) in cases {
        assert_eq!(
            found(env, sandbox, search).await,
            expected,
            "search {search:?}"
        );
    }
}

async fn deliver_all(env: &Env, sandbox: u64) {
    for raw in [PLAIN, QUOTED_PRINTABLE, CAPITALS, HTML_ONLY] {
        env.deliver(sandbox, raw, &["to@example.test"]).await;
    }
}

#[tokio::test]
async fn search_matches_substrings_ignoring_case_in_memory() {
    let env = start_with(config(None)).await;
    let sandbox = env.sandbox();
    deliver_all(&env, sandbox).await;
    check_search(&env, sandbox).await;
    env.emu.shutdown().await;
}

#[cfg(feature = "persist")]
#[tokio::test]
async fn search_matches_the_same_with_a_data_dir_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let env = start_with(config(Some(dir.path()))).await;
    let sandbox = env.sandbox();
    deliver_all(&env, sandbox).await;
    check_search(&env, sandbox).await;
    env.emu.shutdown().await;
    let env = start_with(config(Some(dir.path()))).await;
    check_search(&env, sandbox).await;
    env.emu.shutdown().await;
}

async fn clean_and_delete(dir: Option<&Path>) {
    let env = start_with(config(dir)).await;
    let sandbox = env.sandbox();
    let created = env
        .ok_json(
            Method::POST,
            &format!("/api/projects/{}/sandboxes", env.project()),
            &json!({"sandbox": {"name": "Second"}}),
        )
        .await;
    let second = created["id"].as_u64().unwrap();
    for i in 0..5 {
        env.deliver_simple(sandbox, &format!("first {i}"), "a@example.test", "text")
            .await;
        env.deliver_simple(second, &format!("second {i}"), "a@example.test", "text")
            .await;
    }
    env.ok_json(
        Method::PATCH,
        &format!("/api/sandboxes/{sandbox}/clean"),
        &json!({}),
    )
    .await;
    let kept = env
        .deliver_simple(sandbox, "after clean", "a@example.test", "text")
        .await;
    let view = env.get_json(&format!("/api/sandboxes/{sandbox}")).await;
    assert_eq!(view["emails_count"], 1);
    let list = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages"))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], kept);
    let second_list = env
        .get_json(&format!("/api/sandboxes/{second}/messages"))
        .await;
    assert_eq!(second_list.as_array().unwrap().len(), 5);
    env.req(Method::DELETE, &format!("/api/sandboxes/{second}"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let Some(dir) = dir else {
        env.emu.shutdown().await;
        return;
    };
    env.emu.shutdown().await;
    // Cleaned and deleted stay so after a restart; the rest is still there.
    let env = start_with(config(Some(dir))).await;
    let list = env
        .get_json(&format!("/api/sandboxes/{sandbox}/messages"))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], kept);
    let view = env.get_json(&format!("/api/sandboxes/{sandbox}")).await;
    assert_eq!(view["emails_count"], 1);
    assert_eq!(
        env.get(&format!("/api/sandboxes/{second}/messages"))
            .await
            .status(),
        404
    );
    env.emu.shutdown().await;
}

#[tokio::test]
async fn clean_and_delete_take_effect_at_once_in_memory() {
    clean_and_delete(None).await;
}

#[cfg(feature = "persist")]
#[tokio::test]
async fn clean_and_delete_take_effect_at_once_and_survive_a_restart_with_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    clean_and_delete(Some(dir.path())).await;
}
