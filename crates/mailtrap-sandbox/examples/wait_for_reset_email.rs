//! The test every application with accounts needs: ask for a password reset, wait for the
//! email, follow its link, and check that nothing in it was left unrendered.
//!
//! A tiny stand-in for the application runs on 127.0.0.1: it "sends" the reset email with
//! the [`Email`] builder and answers on its reset link. The email goes to a Mailtrap sandbox,
//! or to the local emulator:
//!
//! ```text
//! mailtrap-sandbox serve &        # prints its token and sandbox id (or use a real account)
//! MAILTRAP_API_TOKEN=... MAILTRAP_BASE_URL=http://127.0.0.1:... \
//! MAILTRAP_SEND_BASE_URL=http://127.0.0.1:... MAILTRAP_SANDBOX_ID=... \
//!   cargo run -p mailtrap-sandbox --example wait_for_reset_email
//! ```
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::error::Error;
use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use mailtrap_sandbox::resources::SandboxHandle;
use mailtrap_sandbox::wait::MessageFilter;
use mailtrap_sandbox::{Client, Email};

/// The token the stand-in application puts in its reset link.
fn new_token() -> String {
    format!("rst-{:016x}", fastrand::u64(..))
}

/// The stand-in application's reset page: 200 for the expected token, 404 otherwise.
async fn start_app(expected_token: String) -> Result<String, Box<dyn Error>> {
    let app = Router::new().route(
        "/reset",
        get(move |Query(query): Query<HashMap<String, String>>| {
            let expected = expected_token.clone();
            async move {
                if query.get("token") == Some(&expected) {
                    (StatusCode::OK, "Choose a new password")
                } else {
                    (StatusCode::NOT_FOUND, "Unknown or expired link")
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

/// What the application does when a user asks for a reset.
async fn send_reset_email(
    sandbox: &SandboxHandle,
    app_url: &str,
    token: &str,
) -> Result<(), Box<dyn Error>> {
    let link = format!("{app_url}/reset?token={token}");
    let email = Email::new()
        .from("Example App <no-reply@app.example.com>")
        .to(("Ana Lima", "ana@example.com"))
        .subject("Reset your password")
        .text(format!(
            "Hi Ana,\n\nChoose a new password here: {link}\n\nThe link expires in one hour."
        ))
        .html(format!(
            "<p>Hi Ana,</p><p><a href=\"{}\">Reset password</a></p>\
             <p>The link expires in one hour.</p>",
            link.replace('&', "&amp;")
        ))
        .category("password-reset");
    let outcome = sandbox.send(email).await?;
    println!("sent; stored as {:?}", outcome.sandbox_message_ids());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let sandbox_id: u64 = std::env::var("MAILTRAP_SANDBOX_ID")
        .map_err(|_| "set MAILTRAP_SANDBOX_ID to the id of the sandbox to use")?
        .trim()
        .parse()
        .map_err(|_| "MAILTRAP_SANDBOX_ID must be a number")?;
    let sandbox = client.sandbox(sandbox_id);

    let token = new_token();
    let app_url = start_app(token.clone()).await?;

    // Start waiting before the email is sent, so that it cannot slip in unnoticed.
    let pending = sandbox
        .wait_for(
            MessageFilter::new()
                .subject("Reset your password")
                .to("ana@example.com")
                .text_contains(&token),
        )
        .timeout(Duration::from_secs(30))
        .start()
        .await?;
    send_reset_email(&sandbox, &app_url, &token).await?;
    let message = pending.wait().await?;
    println!("arrived: #{} {:?}", message.id, message.subject);

    // Read the whole message and check it the way a user would see it.
    let eml = sandbox.message(message.id).eml().await?;
    eml.check_placeholders()?;
    let link = eml
        .link_with_text("reset password")
        .ok_or("the email has no \"Reset password\" link")?;
    println!("reset link: {link}");

    let page = reqwest::get(&link).await?;
    if page.status() != reqwest::StatusCode::OK {
        return Err(format!("the reset link answered {}", page.status()).into());
    }
    println!("the link works: {}", page.text().await?);
    Ok(())
}
