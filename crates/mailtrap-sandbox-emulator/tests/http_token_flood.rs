//! A flood of requests with distinct wrong tokens (each 60 KiB, under the 64 KiB head limit)
//! leaves the emulator's memory flat: the rate limiter only remembers valid tokens (it keeps
//! one count for all the others, which the control API shows), and the process's resident
//! memory does not grow by what the tokens weigh. Alone in its file, as it measures this
//! process's resident memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use http_support::{Env, start};

/// How many counts the rate limiter keeps, as the control API reports.
#[cfg(target_os = "linux")]
async fn tracked(env: &Env) -> u64 {
    env.get_json("/_emulator/rate_limit").await["tracked_tokens"]
        .as_u64()
        .unwrap()
}

/// The resident memory of this process, in KiB.
#[cfg(target_os = "linux")]
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_flood_of_distinct_wrong_tokens_leaves_memory_flat() {
    // The limiter used to keep a window per presented token: 2,000 requests with distinct
    // 100 KB tokens grew the emulator by about 195 MB. Now only valid tokens are counted.
    let env = start().await;
    let client = http_support::client();
    let url = env.url("/api/sandboxes");
    let token = |i: usize| format!("{i:08}{}", "t".repeat(60 * 1024));
    // Warm up (connection pool, allocator), then measure.
    for i in 0..50 {
        client.get(&url).bearer_auth(token(i)).send().await.unwrap();
    }
    let before = rss_kib();
    for i in 50..1050 {
        let response = client.get(&url).bearer_auth(token(i)).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["x-ratelimit-limit"], "150");
    }
    let grown_mib = rss_kib().saturating_sub(before) / 1024;
    // 1,000 tokens of 60 KiB are 59 MiB; keeping them would show.
    assert!(grown_mib < 24, "grew by {grown_mib} MiB");
    // The limiter holds one count: the one all requests without a valid token share.
    assert_eq!(tracked(&env).await, 1);
    // Valid requests are still counted per token.
    let response = env.get("/api/sandboxes").await;
    let remaining: u32 = response.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(remaining, 149);
    assert_eq!(tracked(&env).await, 2);
}
