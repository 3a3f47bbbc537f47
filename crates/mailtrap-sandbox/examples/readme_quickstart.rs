//! The quickstart of the workspace README (kept identical to it by a test).
#![allow(clippy::print_stdout)]

use futures_util::TryStreamExt as _;
use mailtrap_sandbox::{Client, SandboxId};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // MAILTRAP_API_TOKEN, and MAILTRAP_BASE_URL to use a local emulator instead of Mailtrap.
    let client = Client::from_env()?;
    let sandbox_id: SandboxId = std::env::var("MAILTRAP_SANDBOX_ID")?.parse()?;
    let sandbox = client.sandbox(sandbox_id);

    // The newest 30 messages whose subject, addresses or text mention "invoice".
    let page = sandbox.messages().list().search("invoice").send().await?;
    for message in &page {
        println!("{} {} -> {}", message.id, message.subject, message.to_email);
    }

    // Every message of the sandbox, fetched a page at a time.
    let mut all = sandbox.messages().stream();
    while let Some(message) = all.try_next().await? {
        let handle = sandbox.message(message.id);
        let spam = handle.spam_report().await?;
        let attachments = handle.attachments().list().send().await?;
        println!(
            "{}: spam score {}, {} attachment(s)",
            message.subject,
            spam.score,
            attachments.len()
        );
    }
    Ok(())
}
