//! The SMTP server with a real client: lettre over plain TCP and STARTTLS.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod smtp_support;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mailtrap_sandbox_emulator::mail::parse;
use smtp_support::{ALPHA, BETA, Server, start};

fn transport(
    server: &Server,
    user: &str,
    password: &str,
    mechanism: Mechanism,
    tls: bool,
) -> AsyncSmtpTransport<Tokio1Executor> {
    let tls = if tls {
        Tls::Required(
            TlsParameters::builder("localhost".to_owned())
                .dangerous_accept_invalid_certs(true)
                .build_rustls()
                .unwrap(),
        )
    } else {
        Tls::None
    };
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.addr.port())
        .tls(tls)
        .credentials(Credentials::new(user.to_owned(), password.to_owned()))
        .authentication(vec![mechanism])
        .build()
}

fn mailbox(text: &str) -> Mailbox {
    text.parse().unwrap()
}

#[tokio::test]
async fn auth_plain_delivers_into_the_sandbox() {
    let server = start().await;
    let email = Message::builder()
        .from(mailbox("Shop <shop@store.test>"))
        .to(mailbox("Buyer <buyer@home.test>"))
        .subject("Order confirmed")
        .body("Thanks!".to_owned())
        .unwrap();
    let response = transport(&server, "alpha", "alpha-pass", Mechanism::Plain, false)
        .send(email)
        .await
        .unwrap();
    assert!(response.is_positive());
    let delivered = server.backend.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].sandbox, ALPHA);
    let mail = parse(&delivered[0].raw);
    assert_eq!(mail.subject, "Order confirmed");
    assert_eq!(mail.from.unwrap().name, "Shop");
    assert_eq!(mail.text.as_deref().map(str::trim_end), Some("Thanks!"));
    let reply = response.message().collect::<Vec<_>>().join(" ");
    assert!(reply.contains("queued as 5000000001"), "{reply}");
}

#[tokio::test]
async fn auth_login_delivers_into_the_sandbox() {
    let server = start().await;
    let email = Message::builder()
        .from(mailbox("shop@store.test"))
        .to(mailbox("buyer@home.test"))
        .subject("Via LOGIN")
        .body("x".to_owned())
        .unwrap();
    transport(&server, "beta", "beta-pass", Mechanism::Login, false)
        .send(email)
        .await
        .unwrap();
    assert_eq!(server.backend.delivered()[0].sandbox, BETA);
}

#[tokio::test]
async fn wrong_password_is_a_permanent_error() {
    let server = start().await;
    let email = Message::builder()
        .from(mailbox("shop@store.test"))
        .to(mailbox("buyer@home.test"))
        .subject("x")
        .body("x".to_owned())
        .unwrap();
    let error = transport(&server, "alpha", "nope", Mechanism::Plain, false)
        .send(email)
        .await
        .unwrap_err();
    assert!(error.is_permanent(), "{error}");
    assert!(server.backend.delivered().is_empty());
}

#[cfg(feature = "tls")]
#[tokio::test]
async fn starttls_then_auth() {
    let server = start().await;
    let email = Message::builder()
        .from(mailbox("shop@store.test"))
        .to(mailbox("buyer@home.test"))
        .subject("Over TLS")
        .body("secret".to_owned())
        .unwrap();
    let mailer = transport(&server, "alpha", "alpha-pass", Mechanism::Plain, true);
    mailer.send(email.clone()).await.unwrap();
    mailer.send(email).await.unwrap();
    let delivered = server.backend.delivered();
    assert_eq!(delivered.len(), 2);
    assert_eq!(parse(&delivered[1].raw).subject, "Over TLS");
}

#[tokio::test]
async fn attachments_arrive_byte_exact() {
    let server = start().await;
    let pdf: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let email = Message::builder()
        .from(mailbox("shop@store.test"))
        .to(mailbox("buyer@home.test"))
        .subject("Invoice")
        .multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain("See attached.".to_owned()))
                        .singlepart(SinglePart::html("<p>See attached.</p>".to_owned())),
                )
                .singlepart(
                    Attachment::new("invoice.pdf".to_owned())
                        .body(pdf.clone(), ContentType::parse("application/pdf").unwrap()),
                ),
        )
        .unwrap();
    // Over TLS when the crate has it.
    transport(
        &server,
        "beta",
        "beta-pass",
        Mechanism::Plain,
        cfg!(feature = "tls"),
    )
    .send(email)
    .await
    .unwrap();
    let mail = parse(&server.backend.delivered()[0].raw);
    assert_eq!(
        mail.html.as_deref().map(str::trim_end),
        Some("<p>See attached.</p>")
    );
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename, "invoice.pdf");
    assert_eq!(mail.attachments[0].content, pdf);
}

#[tokio::test]
async fn many_recipients_and_bcc_via_the_envelope() {
    let server = start().await;
    let mut builder = Message::builder()
        .from(mailbox("news@paper.test"))
        .cc(mailbox("editor@paper.test"))
        .bcc(mailbox("Hidden <hidden@paper.test>"))
        .subject("Weekly");
    for i in 0..60 {
        builder = builder.to(mailbox(&format!("reader{i}@readers.test")));
    }
    let email = builder.body("issue".to_owned()).unwrap();
    transport(&server, "beta", "beta-pass", Mechanism::Plain, false)
        .send(email)
        .await
        .unwrap();
    let delivered = server.backend.delivered();
    let envelope = &delivered[0].envelope;
    assert_eq!(envelope.rcpt_to.len(), 62);
    assert!(envelope.rcpt_to.contains(&"hidden@paper.test".to_owned()));
    let mail = parse(&delivered[0].raw);
    assert_eq!(mail.to.len(), 60);
    assert_eq!(mail.cc.len(), 1);
    // lettre drops the Bcc header; the hidden recipient is only in the envelope.
    assert!(mail.bcc.is_empty());
    assert_eq!(envelope.mail_from, "news@paper.test");
}

#[tokio::test]
async fn unauthenticated_client_can_mail_a_sandbox_address() {
    let server = start().await;
    let email = Message::builder()
        .from(mailbox("app@service.test"))
        .to(mailbox("beta@inbox.test"))
        .subject("Direct")
        .body("no login".to_owned())
        .unwrap();
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.addr.port())
        .build()
        .send(email)
        .await
        .unwrap();
    assert_eq!(server.backend.delivered()[0].sandbox, BETA);

    let stranger = Message::builder()
        .from(mailbox("app@service.test"))
        .to(mailbox("someone@else.test"))
        .subject("Refused")
        .body("x".to_owned())
        .unwrap();
    let error = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.addr.port())
        .build()
        .send(stranger)
        .await
        .unwrap_err();
    assert!(error.is_permanent(), "{error}");
    assert_eq!(server.backend.delivered().len(), 1);
}
