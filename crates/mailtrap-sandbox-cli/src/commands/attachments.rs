//! `attachments list|get|download`.

use std::collections::HashSet;
use std::path::Path;

use mailtrap_sandbox::models::Attachment;
use mailtrap_sandbox::resources::AttachmentsHandle;
use serde::Serialize;

use crate::cli::{AttachmentsCommand, OfMessage};
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _, Failure};
use crate::render;
use crate::save::save;
use crate::table::Table;

pub(super) async fn run(ctx: &Ctx, command: AttachmentsCommand) -> CliResult {
    match command {
        AttachmentsCommand::List { of } => {
            let list = handle(ctx, &of)
                .list()
                .send()
                .await
                .doing(|| format!("list the attachments of {}", describe(&of)))?;
            ctx.out.show(&list, |list| render::attachments(list))
        }
        AttachmentsCommand::Get { of, id } => {
            let attachment = handle(ctx, &of)
                .get(id)
                .await
                .doing(|| format!("get attachment {id} of {}", describe(&of)))?;
            ctx.out.show(&attachment, render::attachment)
        }
        AttachmentsCommand::Download { of, ids, output } => download(ctx, &of, &ids, &output).await,
    }
}

fn handle(ctx: &Ctx, of: &OfMessage) -> AttachmentsHandle {
    ctx.client
        .sandbox(of.sandbox)
        .message(of.message)
        .attachments()
}

/// `message 5000000001 of sandbox 4310001`.
fn describe(of: &OfMessage) -> String {
    format!("message {} of sandbox {}", of.message, of.sandbox)
}

/// One downloaded attachment.
#[derive(Debug, Serialize)]
struct Saved {
    id: u64,
    filename: String,
    path: String,
    bytes: u64,
}

async fn download(ctx: &Ctx, of: &OfMessage, ids: &[u64], dir: &Path) -> CliResult {
    let handle = handle(ctx, of);
    let attachments: Vec<Attachment> = if ids.is_empty() {
        handle
            .list()
            .send()
            .await
            .doing(|| format!("list the attachments of {}", describe(of)))?
    } else {
        let mut found = Vec::with_capacity(ids.len());
        for &id in ids {
            found.push(
                handle
                    .get(id)
                    .await
                    .doing(|| format!("get attachment {id} of {}", describe(of)))?,
            );
        }
        found
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|err| Failure::file("create the directory", dir, &err))?;
    let mut used = HashSet::new();
    let mut saved = Vec::with_capacity(attachments.len());
    for attachment in &attachments {
        let name = file_name(attachment, &mut used);
        let path = dir.join(&name);
        let id = attachment.id;
        let content = handle
            .download(attachment)
            .await
            .doing(|| format!("download attachment {id} of {}", describe(of)))?;
        let bytes = save(ctx.out, content, &path, &name).await?;
        saved.push(Saved {
            id: id.get(),
            filename: attachment.filename.clone(),
            path: path.display().to_string(),
            bytes,
        });
    }
    ctx.out.show(&saved, |saved| {
        if saved.is_empty() {
            return format!("{} has no attachments.", describe(of));
        }
        let mut table = Table::new(["ID", "FILE", "BYTES"]);
        for file in saved {
            table.row([
                file.id.to_string(),
                file.path.clone(),
                file.bytes.to_string(),
            ]);
        }
        table.render()
    })
}

/// A safe file name for an attachment: its own name without any directory part, or
/// `attachment-<id>`; prefixed with the id when two attachments share a name.
fn file_name(attachment: &Attachment, used: &mut HashSet<String>) -> String {
    let own = Path::new(attachment.filename.trim())
        .file_name()
        .and_then(|name| name.to_str())
        .map(|name| name.replace(['/', '\\', '\0'], "_"))
        .filter(|name| !name.is_empty() && name != "." && name != "..");
    let name = own.unwrap_or_else(|| format!("attachment-{}", attachment.id));
    let name = if used.contains(&name) {
        format!("{}-{name}", attachment.id)
    } else {
        name
    };
    used.insert(name.clone());
    name
}
