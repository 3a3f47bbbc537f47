//! The emulator's own SMTP server, with its store and certificates: a message to more
//! recipients than the limit is kept for the accepted ones, the 513th connection is served as
//! soon as a session of a saturated server ends, and `STARTTLS` is verified by a real client
//! that trusts the emulator's CA (and refused by one that does not).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod http_support;
mod smtp_support;

use http_support::start;
use smtp_support::Raw;

#[tokio::test]
async fn two_hundred_recipients_in_one_session_store_the_message_for_the_accepted_ones() {
    let env = start().await;
    let sandbox = env.emu.sandbox().clone();
    let mut client = Raw::ehlo(env.emu.smtp_addr()).await;
    client
        .login(&sandbox.smtp_username, &sandbox.smtp_password)
        .await;
    client.cmd("MAIL FROM:<app@example.test>", "250").await;
    for i in 0..200 {
        let expected = if i < 100 { "250" } else { "452 4.5.3" };
        client
            .cmd(&format!("RCPT TO:<user{i}@example.test>"), expected)
            .await;
    }
    client.cmd("DATA", "354").await;
    client
        .send_bytes(b"From: app@example.test\r\nTo: user0@example.test\r\nSubject: To many\r\n\r\nHello.\r\n")
        .await;
    client.cmd(".", "250 2.0.0").await;
    client.cmd("QUIT", "221").await;

    let messages = env
        .get_json(&format!("/api/sandboxes/{}/messages", sandbox.id))
        .await;
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["subject"], "To many");
    let rcpt_to = messages[0]["smtp_information"]["data"]["rcpt_to_addrs"]
        .as_array()
        .unwrap();
    assert_eq!(rcpt_to.len(), 100);
    assert_eq!(rcpt_to[99], "user99@example.test");
}

#[tokio::test]
async fn the_513th_connection_after_a_saturation_is_served() {
    // The default limit: 512 sessions at once.
    http_support::allow_open_files(2048);
    let env = start().await;
    let addr = env.emu.smtp_addr();
    let sandbox = env.emu.sandbox().clone();
    let mut sessions = Vec::with_capacity(512);
    for _ in 0..512 {
        sessions.push(Raw::connect(addr).await);
    }
    let refused = |mut over: Raw| async move {
        let reply = over.reply().await;
        assert!(
            reply.starts_with("421 4.7.0 Too many connections"),
            "{reply}"
        );
    };
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    refused(Raw {
        reader: tokio::io::BufReader::new(stream),
    })
    .await;

    // One session ends: the 513th connection is served at once, and delivers.
    sessions.pop().unwrap().cmd("QUIT", "221").await;
    let mut next = Raw::ehlo(addr).await;
    next.login(&sandbox.smtp_username, &sandbox.smtp_password)
        .await;
    next.cmd("MAIL FROM:<app@example.test>", "250").await;
    next.cmd("RCPT TO:<ana@example.test>", "250").await;
    next.cmd("DATA", "354").await;
    next.send_bytes(b"Subject: The 513th\r\n\r\nServed.\r\n")
        .await;
    next.cmd(".", "250 2.0.0").await;
    // It holds the freed slot: the server is full again.
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    refused(Raw {
        reader: tokio::io::BufReader::new(stream),
    })
    .await;

    // Every session ends: a full server's worth of new ones is served.
    next.cmd("QUIT", "221").await;
    for mut session in sessions.drain(..) {
        session.cmd("QUIT", "221").await;
    }
    for _ in 0..512 {
        sessions.push(Raw::connect(addr).await);
    }
    let messages = env
        .get_json(&format!("/api/sandboxes/{}/messages", sandbox.id))
        .await;
    assert_eq!(messages[0]["subject"], "The 513th", "{messages}");
}

#[cfg(feature = "tls")]
mod starttls {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    use super::http_support::{Env, start};

    /// lettre's STARTTLS transport with its default verification, trusting `ca_pem` besides
    /// the platform's roots.
    fn mailer(env: &Env, host: &str, ca_pem: &str) -> AsyncSmtpTransport<Tokio1Executor> {
        let sandbox = env.emu.sandbox();
        let tls = TlsParameters::builder(host.to_owned())
            .add_root_certificate(Certificate::from_pem(ca_pem.as_bytes()).unwrap())
            .build_rustls()
            .unwrap();
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .unwrap()
            .port(env.emu.smtp_addr().port())
            .tls(Tls::Required(tls))
            .credentials(Credentials::new(
                sandbox.smtp_username.clone(),
                sandbox.smtp_password.clone(),
            ))
            .build()
    }

    fn email(subject: &str) -> Message {
        Message::builder()
            .from("App <app@example.test>".parse().unwrap())
            .to("ana@example.test".parse().unwrap())
            .subject(subject)
            .body("Sent over STARTTLS.".to_owned())
            .unwrap()
    }

    #[tokio::test]
    async fn starttls_is_verified_against_the_emulators_ca() {
        // HTTPS is off: the CA is there all the same.
        let env = start().await;
        assert!(env.emu.https_addr().is_none());
        let ca = env
            .emu
            .ca_cert_pem()
            .expect("the CA is always there")
            .to_owned();
        let on_disk = std::fs::read_to_string(env.emu.ca_cert_path().unwrap()).unwrap();
        assert_eq!(on_disk, ca);
        assert_eq!(
            env.emu.summary().ca_cert_path.as_deref(),
            env.emu.ca_cert_path()
        );

        for host in ["localhost", "127.0.0.1"] {
            let response = mailer(&env, host, &ca)
                .send(email(&format!("Verified via {host}")))
                .await
                .unwrap();
            assert!(response.is_positive(), "{response:?}");
        }
        let messages = env
            .get_json(&format!("/api/sandboxes/{}/messages", env.emu.sandbox().id))
            .await;
        assert_eq!(messages.as_array().unwrap().len(), 2, "{messages}");
    }

    #[tokio::test]
    async fn a_client_trusting_another_ca_refuses_the_certificate() {
        let env = start().await;
        let other = start().await;
        let other_ca = other.emu.ca_cert_pem().unwrap().to_owned();
        assert_ne!(Some(other_ca.as_str()), env.emu.ca_cert_pem());
        let error = mailer(&env, "localhost", &other_ca)
            .send(email("Never delivered"))
            .await
            .expect_err("a certificate from an untrusted CA is refused");
        assert!(
            error.to_string().to_lowercase().contains("certificate"),
            "{error}"
        );
        let messages = env
            .get_json(&format!("/api/sandboxes/{}/messages", env.emu.sandbox().id))
            .await;
        assert!(messages.as_array().unwrap().is_empty(), "{messages}");
    }
}
