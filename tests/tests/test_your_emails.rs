//! "Test your app's emails", as the facade's README shows it: an application that sends a
//! sign-up email over SMTP with `lettre`, and a test that waits for it in the in-process
//! emulator, checks the recipient, follows the confirmation link and checks the attachment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mailtrap_sandbox::emulator::EmulatorConfig;
use mailtrap_sandbox::{Client, MessageFilter};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The application: signs people up, mails them a confirmation link over SMTP, and
/// confirms them when they follow it.
#[derive(Clone)]
struct App {
    smtp: SocketAddr,
    credentials: Credentials,
    url: String,
    pending: Arc<Mutex<HashSet<String>>>,
    confirmed: Arc<Mutex<HashSet<String>>>,
}

impl App {
    async fn start(smtp: SocketAddr, credentials: Credentials) -> Result<App, Error> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = App {
            smtp,
            credentials,
            url,
            pending: Arc::default(),
            confirmed: Arc::default(),
        };
        let routes = axum::Router::new()
            .route("/confirm", axum::routing::get(confirm))
            .with_state(app.clone());
        tokio::spawn(async move { axum::serve(listener, routes).await });
        Ok(app)
    }

    async fn sign_up(&self, email: &str) -> Result<(), Error> {
        let token = new_token();
        self.pending.lock().unwrap().insert(token.clone());
        let link = format!("{}/confirm?token={token}", self.url);
        let message = Message::builder()
            .from("Shop <welcome@shop.example>".parse()?)
            .to(email.parse()?)
            .subject("Confirm your address")
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::html(format!("<a href=\"{link}\">Confirm</a>")))
                    .singlepart(Attachment::new("terms.pdf".into()).body(
                        b"%PDF-1.4 terms".to_vec(),
                        ContentType::parse("application/pdf")?,
                    )),
            )?;
        let mailer =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.smtp.ip().to_string())
                .port(self.smtp.port())
                .credentials(self.credentials.clone())
                .build();
        mailer.send(message).await?;
        Ok(())
    }
}

async fn confirm(
    State(app): State<App>,
    Query(query): Query<Vec<(String, String)>>,
) -> &'static str {
    let token = query
        .into_iter()
        .find(|(name, _)| name == "token")
        .map(|(_, token)| token);
    match token.filter(|token| app.pending.lock().unwrap().remove(token)) {
        Some(token) => {
            app.confirmed.lock().unwrap().insert(token);
            "Confirmed"
        }
        None => "Unknown link",
    }
}

/// A token for a confirmation link (a real application would use a random one).
fn new_token() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    format!("t{}", nanos.map_or(0, |since| since.as_nanos()))
}

#[tokio::test]
async fn sign_up_sends_a_confirmation_email() -> Result<(), Error> {
    let emulator = EmulatorConfig::ephemeral().start().await?;
    let client = Client::for_emulator(&emulator)?;
    let sandbox = client.sandbox(emulator.sandbox().id);
    let inbox = sandbox.test_inbox("sign-up"); // an address no other test uses
    let seeded = emulator.sandbox(); // the sandbox's SMTP login, as Mailtrap shows it
    let login = Credentials::new(seeded.smtp_username.clone(), seeded.smtp_password.clone());
    let app = App::start(emulator.smtp_addr(), login).await?;

    app.sign_up(inbox.address()).await?;

    let message = inbox
        .wait_for(MessageFilter::new().subject("Confirm your address"))
        .send()
        .await?;
    let message = sandbox.message(message.id);
    assert_eq!(message.recipients().await?.to_emails(), [inbox.address()]);

    let link = message.link_containing("/confirm?token=").await?;
    let page = reqwest::get(link.ok_or("no confirmation link")?).await?;
    assert_eq!(page.text().await?, "Confirmed");
    assert_eq!(app.confirmed.lock().unwrap().len(), 1);

    let eml = message.eml().await?;
    let terms = eml.attachment("terms.pdf").ok_or("no terms.pdf")?;
    assert_eq!(terms.content_type, "application/pdf");
    assert_eq!(&terms.content[..], b"%PDF-1.4 terms");
    Ok(())
}
