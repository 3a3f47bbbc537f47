//! `send`: send an email (from flags or a template) or a batch (from a JSON file) into a
//! sandbox through the sending API. "Sent" is printed only when the API said it accepted the
//! email; a send is never repeated by the client once it may have reached the server.

use std::path::Path;

use mailtrap_sandbox::models::{BatchOutcome, SendOutcome};
use mailtrap_sandbox::{Email, EmailAttachment, Error};

use crate::cli::SendArgs;
use crate::context::Ctx;
use crate::failure::{CliResult, ExitCode, Failure};
use crate::table::Table;

pub(super) async fn run(ctx: &Ctx, args: SendArgs) -> CliResult {
    if let Some(path) = &args.batch {
        return batch(ctx, args.sandbox, path).await;
    }
    let email = email(&args).await?;
    let action = || format!("send the email into sandbox {}", args.sandbox);
    let outcome = ctx
        .client
        .sandbox(args.sandbox)
        .send(email)
        .await
        .map_err(|err| not_repeated(Failure::api(&action(), &err), args.sandbox))?;
    if !outcome.success {
        return Err(refused(&action(), &outcome));
    }
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

/// The email the flags describe.
async fn email(args: &SendArgs) -> CliResult<Email> {
    let mut email = Email::new();
    if let Some(from) = &args.from {
        email = email.from(from.as_str());
    }
    if let Some(subject) = &args.subject {
        email = email.subject(subject.as_str());
    }
    for to in &args.to {
        email = email.to(to.as_str());
    }
    for cc in &args.cc {
        email = email.cc(cc.as_str());
    }
    for bcc in &args.bcc {
        email = email.bcc(bcc.as_str());
    }
    if let Some(uuid) = &args.template {
        email = email.template(uuid.as_str());
        if let Some(path) = &args.vars_file {
            let text = read_text(path).await?;
            let variables: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
                .map_err(|err| {
                    Failure::new(
                        ExitCode::Usage,
                        format!(
                            "{} is not a JSON object of template variables: {err}",
                            path.display()
                        ),
                    )
                })?;
            email = email.template_variables(variables);
        }
        for (name, value) in &args.var {
            email = email.template_variable(name.as_str(), value.as_str());
        }
    } else {
        if !args.var.is_empty() || args.vars_file.is_some() {
            return Err(Failure::new(
                ExitCode::Usage,
                "--var and --vars-file fill a template: add --template UUID",
            ));
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
                ExitCode::Usage,
                "nothing to send: give a body with --text, --text-file, --html or --html-file \
                 (or --template UUID)",
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
    Ok(email)
}

/// `send --batch FILE.json`: every email of the file in one request; a table of what became
/// of each. Exit code 1 when one was refused (the others were sent and keep their ids).
async fn batch(ctx: &Ctx, sandbox: u64, path: &Path) -> CliResult {
    let text = read_text(path).await?;
    let batch = crate::email_file::parse_batch(&text).map_err(|reason| {
        Failure::new(
            ExitCode::Usage,
            format!("{} is not a batch of emails: {reason}", path.display()),
        )
        .hint(
            "the file holds {\"base\": {...}, \"requests\": [{\"to\": [...]}, ...]} \
             in the sending API's shape",
        )
    })?;
    let count = batch.len();
    let action = || format!("send the batch of {count} emails into sandbox {sandbox}");
    let outcome = match ctx.client.sandbox(sandbox).send_batch(batch).await {
        Ok(outcome) => outcome,
        // Some emails were refused: the others were sent, and what became of each is shown.
        Err(Error::Batch(refused)) => refused.outcome().clone(),
        Err(err) => return Err(not_repeated(Failure::api(&action(), &err), sandbox)),
    };
    ctx.out.show(&outcome, render_batch)?;
    if outcome.all_succeeded() {
        return Ok(());
    }
    let failed: Vec<String> = outcome
        .failures()
        .map(|(index, _)| index.to_string())
        .collect();
    let mut said = outcome.errors.clone();
    if !outcome.success && said.is_empty() && failed.is_empty() {
        said.push("the API answered success: false".to_owned());
    }
    let mut message = format!("could not {}", action());
    if !failed.is_empty() {
        message.push_str(&format!(
            ": {} of {} refused (#{})",
            failed.len(),
            outcome.responses.len().max(count),
            failed.join(", #")
        ));
    }
    if !said.is_empty() {
        message.push_str(&format!(": {}", said.join("; ")));
    }
    Err(Failure::error(message).hint(
        "the emails not listed as refused were sent (their message ids are above): \
         send only the refused ones again",
    ))
}

/// One line per email of a batch: its position, and its message ids or why it was refused.
fn render_batch(outcome: &BatchOutcome) -> String {
    let mut table = Table::new(["#", "RESULT", "MESSAGE IDS / ERRORS"]);
    for (index, item) in outcome.responses.iter().enumerate() {
        let (result, detail) = if item.success {
            ("sent", item.message_ids.join(", "))
        } else {
            ("refused", item.errors.join("; "))
        };
        table.row([index.to_string(), result.to_owned(), detail]);
    }
    let sent = outcome.responses.iter().filter(|item| item.success).count();
    let mut out = if table.is_empty() {
        String::new()
    } else {
        format!("{}\n\n", table.render())
    };
    out.push_str(&format!(
        "{sent} of {} emails sent.",
        outcome.responses.len()
    ));
    out
}

/// The API answered 200 but did not accept the email.
fn refused(action: &str, outcome: &SendOutcome) -> Failure {
    let ids = if outcome.message_ids.is_empty() {
        String::new()
    } else {
        format!(" (message ids: {})", outcome.message_ids.join(", "))
    };
    Failure::error(format!(
        "could not {action}: the API answered success: false{ids}"
    ))
    .hint("nothing was stored; check the email (run with -v to see the request)")
}

/// A send whose answer was lost may have been stored: say so, and how to check, instead of
/// inviting a second copy.
fn not_repeated(failure: Failure, sandbox: u64) -> Failure {
    if failure.maybe_applied {
        let slow = if failure.code == ExitCode::Timeout {
            "; raise --request-timeout (MAILTRAP_TIMEOUT) if the API is slow"
        } else {
            ""
        };
        failure.hint(format!(
            "the email may have been stored: look with `mailtrap-sandbox messages list --sandbox \
             {sandbox}` before sending it again (a second send stores a second copy){slow}"
        ))
    } else {
        failure
    }
}

async fn read_text(path: &Path) -> CliResult<String> {
    tokio::fs::read_to_string(path)
        .await
        .map_err(|err| Failure::file("read", path, &err))
}
