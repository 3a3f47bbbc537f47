//! Sending the demo's second email over SMTP, with the sandbox's own credentials (lettre).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use mailtrap_sandbox::models::Sandbox;

use super::template::Rendered;

/// Where and how the sandbox takes mail.
#[derive(Debug, Clone)]
pub(super) struct SmtpTarget {
    pub(super) host: String,
    pub(super) port: u16,
    /// Plain SMTP on a loopback address (the emulator), STARTTLS elsewhere (Mailtrap).
    pub(super) starttls: bool,
}

impl SmtpTarget {
    /// From the sandbox object: its `domain`, and port 2525 (or 587, or the first) of its
    /// `smtp_ports`.
    pub(super) fn of(sandbox: &Sandbox) -> Result<Self, String> {
        let host = sandbox.domain.trim().to_owned();
        if host.is_empty() {
            return Err(format!(
                "sandbox {} has no SMTP host in the API's answer",
                sandbox.id
            ));
        }
        let port = [2525, 587]
            .into_iter()
            .find(|port| sandbox.smtp_ports.contains(port))
            .or_else(|| sandbox.smtp_ports.first().copied())
            .ok_or_else(|| {
                format!(
                    "sandbox {} has no SMTP port in the API's answer",
                    sandbox.id
                )
            })?;
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        Ok(Self {
            host,
            port,
            starttls: !loopback,
        })
    }
}

/// The envelope and headers of the SMTP email.
#[derive(Debug, Clone)]
pub(super) struct SmtpEmail<'a> {
    pub(super) from: &'a str,
    pub(super) to: &'a str,
    pub(super) bcc: &'a str,
    pub(super) content: &'a Rendered,
}

/// Sends `email` to `target`, logging in with the sandbox's SMTP username and password.
pub(super) async fn send(
    target: &SmtpTarget,
    username: &str,
    password: &str,
    email: &SmtpEmail<'_>,
) -> Result<(), String> {
    let mailbox = |text: &str| -> Result<Mailbox, String> {
        text.parse()
            .map_err(|err| format!("`{text}` is not a valid address: {err}"))
    };
    let message = Message::builder()
        .from(mailbox(email.from)?)
        .to(mailbox(email.to)?)
        .bcc(mailbox(email.bcc)?)
        .subject(email.content.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(email.content.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(email.content.html.clone()),
                ),
        )
        .map_err(|err| format!("could not build the email: {err}"))?;
    let builder = if target.starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&target.host)
            .map_err(|err| format!("could not set up TLS for {}: {err}", target.host))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host.as_str()).tls(Tls::None)
    };
    let transport = builder
        .port(target.port)
        .timeout(Some(Duration::from_secs(30)))
        .credentials(Credentials::new(username.to_owned(), password.to_owned()))
        .build();
    let response = transport.send(message).await.map_err(|err| {
        format!(
            "the SMTP server at {}:{} refused or failed: {err}",
            target.host, target.port
        )
    })?;
    if response.is_positive() {
        Ok(())
    } else {
        Err(format!(
            "the SMTP server at {}:{} answered {}",
            target.host,
            target.port,
            response.message().collect::<Vec<_>>().join(" ")
        ))
    }
}
