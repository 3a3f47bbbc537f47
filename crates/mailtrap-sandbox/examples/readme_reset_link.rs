//! The "wait for the reset email and follow its link" recipe of the workspace README (kept
//! identical to it by a test).

use std::time::Duration;

use mailtrap_sandbox::{Client, Email, MessageFilter, SandboxId};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let sandbox_id: SandboxId = std::env::var("MAILTRAP_SANDBOX_ID")?.parse()?;
    let sandbox = client.sandbox(sandbox_id);

    // Start waiting before the email is triggered, so that a fast delivery cannot slip past.
    let pending = sandbox
        .wait_for(
            MessageFilter::new()
                .subject("Reset your password")
                .to("ana@example.com"),
        )
        .timeout(Duration::from_secs(60))
        .start()
        .await?;
    request_password_reset(&client, sandbox_id, "ana@example.com").await?;
    let message = pending.wait().await?;

    // Check the email as the user will read it, then follow its link.
    let email = sandbox.message(message.id).eml().await?;
    email.check_placeholders()?; // no `{{name}}` left unrendered
    let link = email
        .link_containing("/reset")
        .ok_or("the email has no reset link")?;
    let page = mailtrap_sandbox::reqwest::get(&link).await?;
    if !page.status().is_success() {
        return Err(format!("{link} answered {}", page.status()).into());
    }
    Ok(())
}

/// Stands in for your application, which sends the reset email into the sandbox.
async fn request_password_reset(
    client: &Client,
    sandbox_id: SandboxId,
    address: &str,
) -> mailtrap_sandbox::Result<()> {
    let link = "https://app.example.com/reset?token=d41d8cd9";
    let email = Email::new()
        .from("Example App <no-reply@app.example.com>")
        .to(address)
        .subject("Reset your password")
        .text(format!("Choose a new password: {link}"))
        .html(format!(
            "<p><a href=\"{link}\">Choose a new password</a></p>"
        ));
    client.sandbox(sandbox_id).send(email).await?;
    Ok(())
}
