//! `send`: send an email into a sandbox through the sending API.

use std::path::Path;

use mailtrap_sandbox::{Email, EmailAttachment};

use crate::cli::SendArgs;
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _, Failure};

pub(super) async fn run(ctx: &Ctx, args: SendArgs) -> CliResult {
    let mut email = Email::new()
        .from(args.from.as_str())
        .subject(args.subject.as_str());
    for to in &args.to {
        email = email.to(to.as_str());
    }
    for cc in &args.cc {
        email = email.cc(cc.as_str());
    }
    for bcc in &args.bcc {
        email = email.bcc(bcc.as_str());
    }
    let text = match (&args.text, &args.text_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => Some(read_text(path).await?),
        (None, None) => None,
    };
    let html = match (&args.html, &args.html_file) {
        (Some(html), _) => Some(html.clone()),
        (None, Some(path)) => Some(read_text(path).await?),
        (None, None) => None,
    };
    if text.is_none() && html.is_none() {
        return Err(Failure::new(
            crate::failure::ExitCode::Usage,
            "nothing to send: give a body with --text, --text-file, --html or --html-file",
        ));
    }
    if let Some(text) = text {
        email = email.text(text);
    }
    if let Some(html) = html {
        email = email.html(html);
    }
    if let Some(category) = &args.category {
        email = email.category(category.as_str());
    }
    // Files are read here, not by the SDK, so that an unreadable one is named in a plain
    // error (exit code 1) rather than reported as an invalid email.
    for path in &args.attach {
        let content = tokio::fs::read(path)
            .await
            .map_err(|err| Failure::file("read the attachment", path, &err))?;
        let name = path.file_name().map_or_else(
            || "attachment".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        );
        email = email.attach(EmailAttachment::from_bytes(name, content));
    }
    let outcome = ctx
        .client
        .sandbox(args.sandbox)
        .send(email)
        .await
        .doing(|| format!("send the email into sandbox {}", args.sandbox))?;
    ctx.out
        .show(&outcome, |outcome| match outcome.message_ids.as_slice() {
            [] => format!("Sent into sandbox {}.", args.sandbox),
            ids => format!(
                "Sent into sandbox {}: message {}.",
                args.sandbox,
                ids.join(", ")
            ),
        })
}

async fn read_text(path: &Path) -> CliResult<String> {
    tokio::fs::read_to_string(path)
        .await
        .map_err(|err| Failure::file("read", path, &err))
}
