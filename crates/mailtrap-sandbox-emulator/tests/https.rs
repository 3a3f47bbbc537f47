//! The HTTPS listener: the same API as over HTTP for clients that trust the emulator's local
//! CA, refused by clients that do not, the CA kept across restarts with a data directory, and
//! the `drop` fault over TLS.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::Path;
use std::time::Duration;

use http_support::TOKEN;
use mailtrap_sandbox_emulator::{EmulatorConfig, FaultSpec, RunningEmulator, StartError};
use reqwest::{Certificate, Client, StatusCode};
use serde_json::{Value, json};

fn any_port() -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))
}

fn https_config() -> EmulatorConfig {
    let mut config = EmulatorConfig::ephemeral();
    config.https_addr = Some(any_port());
    config.api_token = Some(TOKEN.to_owned());
    config
}

async fn start_https() -> RunningEmulator {
    https_config().start().await.expect("the emulator starts")
}

/// A client that trusts only this CA certificate (PEM).
fn trusting(ca_pem: &str) -> Client {
    Client::builder()
        .no_proxy()
        .tls_certs_only([Certificate::from_pem(ca_pem.as_bytes()).unwrap()])
        .build()
        .unwrap()
}

fn trusting_emulator(emu: &RunningEmulator) -> Client {
    trusting(emu.ca_cert_pem().expect("HTTPS is on"))
}

async fn get_sandboxes(client: &Client, base_url: &str) -> reqwest::Result<reqwest::Response> {
    client
        .get(format!("{base_url}/api/sandboxes"))
        .bearer_auth(TOKEN)
        .send()
        .await
}

#[tokio::test]
async fn https_serves_the_same_api_to_a_client_trusting_the_ca() {
    let emu = start_https().await;
    let https_addr = emu.https_addr().unwrap();
    assert_eq!(https_addr.ip(), Ipv4Addr::LOCALHOST);
    assert_ne!(https_addr.port(), 0, "the real port is reported");
    let base_url = emu.https_base_url().unwrap().to_owned();
    assert_eq!(base_url, format!("https://127.0.0.1:{}", https_addr.port()));
    // The CA certificate is on disk, as the summary says.
    let ca_path = emu.ca_cert_path().unwrap().to_owned();
    assert_eq!(
        std::fs::read_to_string(&ca_path).unwrap(),
        emu.ca_cert_pem().unwrap()
    );
    assert_eq!(
        emu.summary().ca_cert_path.as_deref(),
        Some(ca_path.as_path())
    );
    let client = trusting_emulator(&emu);

    // Management API (current and legacy paths), with its rate-limit headers.
    let response = get_sandboxes(&client, &base_url).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), reqwest::Version::HTTP_11);
    assert_eq!(response.headers()["x-ratelimit-limit"], "150");
    let sandboxes: Value = response.json().await.unwrap();
    assert_eq!(sandboxes[0]["id"], emu.sandbox().id);
    let legacy: Value = client
        .get(format!(
            "{base_url}/api/accounts/{}/inboxes",
            emu.account_id()
        ))
        .header("Api-Token", TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(legacy[0]["id"], emu.sandbox().id);

    // Sending API: the message lands in the one store, visible over plain HTTP too.
    let sent: Value = client
        .post(format!("{base_url}/api/send/{}", emu.sandbox().id))
        .bearer_auth(TOKEN)
        .json(&json!({
            "from": {"email": "app@example.test", "name": "The App"},
            "to": [{"email": "user@example.test"}],
            "subject": "Sent over HTTPS",
            "text": "Hello through TLS."
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["success"], true, "{sent}");
    let id = sent["message_ids"][0].as_str().unwrap().to_owned();
    let over_http: Value = http_support::client()
        .get(format!(
            "{}/api/sandboxes/{}/messages/{id}",
            emu.base_url(),
            emu.sandbox().id
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["subject"], "Sent over HTTPS");

    // Message-part links and the control API answer over HTTPS as well.
    let txt_path = over_http["txt_path"].as_str().unwrap();
    let text = client
        .get(format!("{base_url}{txt_path}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Hello through TLS."), "{text}");
    let status = client
        .get(format!("{base_url}/_emulator/status"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::OK);

    // The certificate also names localhost.
    let by_name = Client::builder()
        .no_proxy()
        .tls_certs_only([Certificate::from_pem(emu.ca_cert_pem().unwrap().as_bytes()).unwrap()])
        .resolve("localhost", https_addr)
        .build()
        .unwrap();
    let response = get_sandboxes(
        &by_name,
        &format!("https://localhost:{}", https_addr.port()),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // A wrong token is still a 401, with Mailtrap's body.
    let refused = client
        .get(format!("{base_url}/api/sandboxes"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    emu.shutdown().await;
    assert!(
        !ca_path.exists(),
        "the temporary CA certificate of an in-memory run is removed on shutdown"
    );
}

#[tokio::test]
async fn clients_that_do_not_trust_the_ca_are_refused() {
    let emu = start_https().await;
    let base_url = emu.https_base_url().unwrap().to_owned();

    // The platform's trust store does not know the emulator's CA.
    let default_client = Client::builder().no_proxy().build().unwrap();
    let error = get_sandboxes(&default_client, &base_url)
        .await
        .expect_err("an unknown CA is refused");
    assert!(error.is_connect() && error.status().is_none(), "{error:?}");

    // Nor does a client that trusts another emulator's CA.
    let other = start_https().await;
    assert_ne!(other.ca_cert_pem(), emu.ca_cert_pem(), "every CA is new");
    let error = get_sandboxes(&trusting_emulator(&other), &base_url)
        .await
        .expect_err("another CA is refused");
    assert!(error.is_connect(), "{error:?}");

    // Failed handshakes leave the listener serving.
    let response = get_sandboxes(&trusting_emulator(&emu), &base_url)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Plain HTTP on the HTTPS port gets no HTTP answer.
    let plain = http_support::client()
        .get(format!(
            "http://{}/api/sandboxes",
            emu.https_addr().unwrap()
        ))
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(15))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    emu.shutdown().await;
    other.shutdown().await;
}

#[tokio::test]
async fn https_is_off_by_default_and_the_ca_is_there_for_starttls() {
    let mut config = EmulatorConfig::ephemeral();
    config.api_token = Some(TOKEN.to_owned());
    let emu = config.start().await.unwrap();
    assert_eq!(emu.https_addr(), None);
    assert_eq!(emu.https_base_url(), None);
    let summary = emu.summary().to_string();
    assert!(!summary.contains("HTTPS base URL"), "{summary}");
    let json = serde_json::to_value(emu.summary()).unwrap();
    assert_eq!(json["https_base_url"], Value::Null);
    // The CA signs the STARTTLS certificate, so it is named even without HTTPS.
    let ca_path = emu.ca_cert_path().unwrap().to_owned();
    assert_eq!(json["ca_cert_path"], ca_path.to_str().unwrap());
    assert!(summary.contains(&*ca_path.to_string_lossy()), "{summary}");
    assert_eq!(
        std::fs::read_to_string(&ca_path).unwrap(),
        emu.ca_cert_pem().unwrap()
    );
    emu.shutdown().await;
    assert!(!ca_path.exists(), "removed with the in-memory run");
}

#[tokio::test]
async fn the_summary_names_the_https_url_and_the_ca_file() {
    let emu = start_https().await;
    let summary = emu.summary().to_string();
    let base_url = emu.https_base_url().unwrap();
    let ca_path = emu.ca_cert_path().unwrap().display().to_string();
    assert!(
        summary.contains(&format!("HTTPS base URL {base_url}")),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("CA certificate {ca_path}")),
        "{summary}"
    );
    let json = serde_json::to_value(emu.summary()).unwrap();
    assert_eq!(json["https_base_url"], base_url);
    assert_eq!(json["https_addr"], emu.https_addr().unwrap().to_string());
    assert_eq!(json["ca_cert_path"], ca_path);
    emu.shutdown().await;
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[cfg(feature = "persist")]
#[tokio::test]
async fn the_ca_and_certificate_persist_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let tls = dir.path().join("tls");
    let mut config = https_config();
    config.data_dir = Some(dir.path().to_path_buf());

    let first = config.clone().start().await.unwrap();
    let ca_path = first.ca_cert_path().unwrap().to_owned();
    assert_eq!(ca_path, tls.join("ca.pem"));
    let ca_pem = first.ca_cert_pem().unwrap().to_owned();
    assert_eq!(read(&ca_path), ca_pem);
    let server_pem = read(&tls.join("server.pem"));
    #[cfg(unix)]
    for (file, mode) in [
        ("ca-key.pem", 0o600),
        ("server-key.pem", 0o600),
        ("ca.pem", 0o644),
    ] {
        use std::os::unix::fs::PermissionsExt as _;
        let actual = std::fs::metadata(tls.join(file))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(actual, mode, "{file}");
    }
    // A client set up once keeps working across restarts (on another port, even).
    let client = trusting(&ca_pem);
    let response = get_sandboxes(&client, first.https_base_url().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    first.shutdown().await;
    assert!(ca_path.exists(), "the data directory keeps the CA");
    // Keys and a directory left open (by hand, or by an older version) are closed again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let set = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        set(&tls, 0o755);
        set(&tls.join("ca-key.pem"), 0o644);
        set(&tls.join("server-key.pem"), 0o644);
    }

    let second = config.clone().start().await.unwrap();
    #[cfg(unix)]
    for (path, mode) in [
        (tls.clone(), 0o700),
        (tls.join("ca-key.pem"), 0o600),
        (tls.join("server-key.pem"), 0o600),
    ] {
        use std::os::unix::fs::PermissionsExt as _;
        let actual = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(actual, mode, "{}", path.display());
    }
    assert_eq!(second.ca_cert_path(), Some(ca_path.as_path()));
    assert_eq!(second.ca_cert_pem(), Some(ca_pem.as_str()));
    assert_eq!(read(&tls.join("server.pem")), server_pem, "reused");
    let response = get_sandboxes(&client, second.https_base_url().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    second.shutdown().await;

    // A server certificate that cannot be used is issued again by the same CA.
    std::fs::write(tls.join("server.pem"), "not a certificate").unwrap();
    let third = config.clone().start().await.unwrap();
    assert_eq!(third.ca_cert_pem(), Some(ca_pem.as_str()));
    let reissued = read(&tls.join("server.pem"));
    assert!(
        reissued.starts_with("-----BEGIN CERTIFICATE-----"),
        "{reissued}"
    );
    assert_ne!(reissued, server_pem);
    let response = get_sandboxes(&client, third.https_base_url().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    third.shutdown().await;

    // Without its key, the CA cannot sign: a new CA is made (and the old trust is void).
    std::fs::remove_file(tls.join("ca-key.pem")).unwrap();
    let fourth = config.start().await.unwrap();
    let new_ca = fourth.ca_cert_pem().unwrap().to_owned();
    assert_ne!(new_ca, ca_pem);
    assert_eq!(read(&ca_path), new_ca);
    let error = get_sandboxes(&client, fourth.https_base_url().unwrap())
        .await
        .expect_err("the old CA no longer vouches for the emulator");
    assert!(error.is_connect(), "{error:?}");
    let response = get_sandboxes(&trusting(&new_ca), fourth.https_base_url().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    fourth.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_over_tls_close_without_a_response() {
    let emu = start_https().await;
    let client = trusting_emulator(&emu);
    let base_url = emu.https_base_url().unwrap().to_owned();
    emu.add_fault(FaultSpec::drop_connection().times(1).method("GET"))
        .unwrap();
    let error = get_sandboxes(&client, &base_url)
        .await
        .expect_err("the connection is closed without an answer");
    assert!(
        !error.is_timeout() && !error.is_connect() && error.status().is_none(),
        "the TLS session was up; then the connection closed: {error:?}"
    );
    // The next request (on a new connection) is served.
    let response = get_sandboxes(&client, &base_url).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_taken_https_port_is_a_clear_start_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let mut config = https_config();
    config.https_addr = Some(addr);
    let error = config.start().await.expect_err("the port is taken");
    assert!(
        matches!(error, StartError::Bind { service: "HTTPS", addr: a, .. } if a == addr),
        "{error:?}"
    );
    assert!(error.to_string().contains("HTTPS"), "{error}");
}

#[cfg(feature = "persist")]
#[tokio::test]
async fn a_data_dir_that_cannot_hold_the_certificates_is_a_clear_start_error() {
    // The data directory is fine, but where the certificates go is a file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tls");
    std::fs::write(&file, "x").unwrap();
    let mut config = https_config();
    config.data_dir = Some(dir.path().to_owned());
    let error = config.start().await.expect_err("tls/ is a file");
    assert!(matches!(error, StartError::Tls(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with("cannot set up TLS (HTTPS and STARTTLS): ")
            && message.contains(&*file.to_string_lossy()),
        "{message}"
    );
}
