//! Save a message and its attachments to disk, streaming each one (nothing is held whole in
//! memory), then check them against the parsed `.eml`.
//!
//! With `MAILTRAP_MESSAGE_ID` set, that message is used; otherwise an invoice email with two
//! attachments is sent first and waited for.
//!
//! ```text
//! MAILTRAP_API_TOKEN=... MAILTRAP_SANDBOX_ID=... [MAILTRAP_MESSAGE_ID=...] \
//! [MAILTRAP_BASE_URL=... MAILTRAP_SEND_BASE_URL=...] \
//!   cargo run -p mailtrap-sandbox --example download_attachments -- ./downloads
//! ```
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mailtrap_sandbox::resources::SandboxHandle;
use mailtrap_sandbox::wait::MessageFilter;
use mailtrap_sandbox::{Client, Email, EmailAttachment, MessageId};

fn env_id(name: &str) -> Result<Option<u64>, Box<dyn Error>> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(
            value
                .trim()
                .parse()
                .map_err(|_| format!("{name} must be a number"))?,
        )),
        Err(_) => Ok(None),
    }
}

/// Sends an invoice with a PDF and a CSV, and waits for it.
async fn send_invoice(sandbox: &SandboxHandle) -> Result<MessageId, Box<dyn Error>> {
    let pending = sandbox
        .wait_for(MessageFilter::new().subject("Your invoice INV-0042"))
        .timeout(Duration::from_secs(30))
        .start()
        .await?;
    let pdf = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let csv = b"item,amount\nPro plan,12.00\nExtra seats,8.00\n".to_vec();
    sandbox
        .send(
            Email::new()
                .from("Billing <billing@app.example.com>")
                .to("ana@example.com")
                .subject("Your invoice INV-0042")
                .text("Hi Ana, your invoice is attached.")
                .attach(EmailAttachment::from_bytes("INV-0042.pdf", pdf))
                .attach(EmailAttachment::from_bytes("lines.csv", csv).content_type("text/csv")),
        )
        .await?;
    Ok(pending.wait().await?.id)
}

/// A file name safe to create in the output folder.
fn safe_name(name: &str, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        fallback.to_owned()
    } else {
        cleaned
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let sandbox_id = env_id("MAILTRAP_SANDBOX_ID")?
        .ok_or("set MAILTRAP_SANDBOX_ID to the id of the sandbox to use")?;
    let sandbox = client.sandbox(sandbox_id);
    let message_id = match env_id("MAILTRAP_MESSAGE_ID")? {
        Some(id) => MessageId::new(id),
        None => send_invoice(&sandbox).await?,
    };
    let folder: PathBuf = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("downloads"), PathBuf::from)
        .join(message_id.to_string());
    tokio::fs::create_dir_all(&folder).await?;

    let message = sandbox.message(message_id);
    let eml_path = folder.join("message.eml");
    let size = message.download_eml().await?.save_to(&eml_path).await?;
    println!("{}: {size} bytes", eml_path.display());

    let attachments = message.attachments();
    for (index, attachment) in attachments.list().send().await?.into_iter().enumerate() {
        let name = safe_name(&attachment.filename, &format!("attachment-{index}"));
        let path = folder.join(&name);
        let written = attachments
            .download(&attachment)
            .await?
            .save_to(&path)
            .await?;
        println!(
            "{}: {written} bytes ({}, {})",
            path.display(),
            attachment.content_type,
            attachment.human_size
        );
    }

    // The files on disk are the attachments of the message as sent.
    let eml = mailtrap_sandbox::Eml::read(&eml_path)?;
    for part in eml.attachments() {
        let Some(name) = part.filename.as_deref() else {
            continue;
        };
        let path = folder.join(safe_name(name, name));
        if Path::new(&path).exists() {
            let saved = tokio::fs::read(&path).await?;
            let same = saved == part.content;
            println!(
                "{name}: {}",
                if same {
                    "matches the .eml"
                } else {
                    "DIFFERS from the .eml"
                }
            );
        }
    }
    Ok(())
}
