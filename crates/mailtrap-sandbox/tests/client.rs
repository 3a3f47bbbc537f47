//! Client configuration: headers, bring-your-own reqwest client, clear configuration errors.
#![allow(
    clippy::needless_pass_by_value,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod common;

use common::{TOKEN, sandbox_json};
use httpmock::MockServer;
use mailtrap_sandbox::{Client, ClientBuilder, Error};

async fn sandbox_mock<'a>(server: &'a MockServer, user_agent: &str) -> httpmock::Mock<'a> {
    let user_agent = user_agent.to_owned();
    server
        .mock_async(move |when, then| {
            when.method("GET")
                .path("/api/sandboxes/77001")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("user-agent", user_agent);
            then.status(200)
                .json_body(sandbox_json(77_001, 300, "Staging"));
        })
        .await
}

#[tokio::test]
async fn a_custom_user_agent_is_sent() {
    let server = MockServer::start_async().await;
    let mock = sandbox_mock(&server, "checkout-e2e/2.1").await;
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(server.base_url())
        .user_agent("checkout-e2e/2.1")
        .build()
        .unwrap();
    client.sandbox(77_001).get().await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn a_reqwest_builder_is_completed_with_token_and_user_agent() {
    let server = MockServer::start_async().await;
    let mock = sandbox_mock(&server, common::USER_AGENT).await;
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(server.base_url())
        .http_client_builder(reqwest::Client::builder().pool_max_idle_per_host(2))
        .build()
        .unwrap();
    client.sandbox(77_001).get().await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn a_ready_reqwest_client_is_used_as_is() {
    let server = MockServer::start_async().await;
    let mock = sandbox_mock(&server, "own-client/1.0").await;
    let http = reqwest::Client::builder()
        .default_headers(ClientBuilder::auth_headers(TOKEN).unwrap())
        .user_agent("own-client/1.0")
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .http_client(http)
        .build()
        .unwrap();
    client.sandbox(77_001).get().await.unwrap();
    mock.assert_async().await;
}

#[test]
fn settings_a_ready_client_cannot_take_are_refused() {
    let err = Client::builder()
        .api_token(TOKEN)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidConfiguration {
            name: "api_token",
            ..
        }
    ));
    insta::assert_snapshot!(err, @"invalid configuration: api_token: cannot be added to a ready reqwest::Client given to http_client(); give it the header from ClientBuilder::auth_headers(), or pass a reqwest::ClientBuilder to http_client_builder()");
    let err = Client::builder()
        .http_client(reqwest::Client::new())
        .timeout(std::time::Duration::from_secs(1))
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidConfiguration {
            name: "timeout",
            ..
        }
    ));
}

#[test]
fn configuration_errors_say_what_to_do() {
    insta::assert_snapshot!(Client::builder().build().unwrap_err(), @"missing configuration: api_token is not set. Call ClientBuilder::api_token, or use Client::from_env with MAILTRAP_API_TOKEN set.");
    insta::assert_snapshot!(Client::builder().api_token("").build().unwrap_err(), @"invalid configuration: api_token: the token is empty");
    insta::assert_snapshot!(
        Client::builder().api_token(TOKEN).send_base_url("ftp://files.example").build().unwrap_err(),
        @"invalid configuration: send_base_url: `ftp://files.example` must start with http:// or https://"
    );
    insta::assert_snapshot!(
        Client::builder().api_token("line\nbreak").build().unwrap_err(),
        @"invalid configuration: api_token: the token holds characters that cannot be sent in an HTTP header; copy it again from Mailtrap"
    );
}

#[test]
fn clones_share_one_configuration() {
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url("http://127.0.0.1:9/prefix/")
        .build()
        .unwrap();
    let clone = client.clone();
    assert_eq!(clone.base_url(), "http://127.0.0.1:9/prefix");
    // A loopback management host serves sending too (an emulator does).
    assert_eq!(clone.send_base_url(), "http://127.0.0.1:9/prefix");
    assert!(!format!("{clone:?}").contains(TOKEN));
    assert_eq!(client.base_url(), clone.base_url());
}
