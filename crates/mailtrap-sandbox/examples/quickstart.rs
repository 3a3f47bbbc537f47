//! Send an email into a sandbox, wait for it, and read it back.
//!
//! ```text
//! export MAILTRAP_API_TOKEN=...            # or point MAILTRAP_BASE_URL and
//! cargo run -p mailtrap-sandbox --example quickstart -- <sandbox_id>
//! ```
//!
//! Against the local emulator instead of Mailtrap: start `mailtrap-sandbox serve`, then set
//! `MAILTRAP_BASE_URL` to the address it prints (sending follows a local base URL). CI runs
//! it so (`tests/quickstart.rs`).
#![allow(clippy::print_stdout)]

use std::time::Duration;

use futures_util::TryStreamExt as _;
use mailtrap_sandbox::email::Email;
use mailtrap_sandbox::wait::MessageFilter;
use mailtrap_sandbox::{Client, SandboxId};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox_id: SandboxId = std::env::args()
        .nth(1)
        .ok_or("usage: quickstart <sandbox_id>")?
        .parse()?;

    // MAILTRAP_API_TOKEN, and optionally MAILTRAP_BASE_URL / MAILTRAP_SEND_BASE_URL.
    let client = Client::from_env()?;
    let sandbox = client.sandbox(sandbox_id);

    let info = sandbox.get().await?;
    println!(
        "sandbox {} ({}): {} messages, {} unread",
        info.id, info.name, info.emails_count, info.emails_unread_count
    );

    // Send an email into the sandbox through the sending API.
    let outcome = sandbox
        .send(
            Email::new()
                .from(("Quickstart", "quickstart@example.com"))
                .to("you@example.com")
                .subject("Hello from mailtrap-sandbox")
                .text("Your sign-in code is 482913.")
                .html("<p>Your sign-in code is <b>482913</b>.</p>"),
        )
        .await?;
    println!("sent; stored as {:?}", outcome.sandbox_message_ids());

    // Wait until it is caught, then read it.
    let message = sandbox
        .wait_for(MessageFilter::new().subject("Hello from mailtrap-sandbox"))
        .timeout(Duration::from_secs(30))
        .send()
        .await?;
    let handle = sandbox.message(message.id);
    println!("caught message {} from {}", message.id, message.from_email);
    println!("text body: {}", handle.text().await?.trim());
    let spam = handle.spam_report().await?;
    println!("spam score {} (threshold {:?})", spam.score, spam.threshold);
    handle.mark_read().await?;

    // Walk every message of the sandbox, a page at a time.
    let mut all = sandbox.messages().stream();
    let mut count = 0usize;
    while let Some(message) = all.try_next().await? {
        count += 1;
        if count <= 5 {
            println!(
                "  {} {:<40} {}",
                message.id, message.subject, message.to_email
            );
        }
    }
    println!("{count} messages in total");
    Ok(())
}
