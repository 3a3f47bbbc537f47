//! `attachments list|get|download`.

use std::collections::HashSet;
use std::path::Path;

use mailtrap_sandbox::models::Attachment;
use mailtrap_sandbox::resources::AttachmentsHandle;
use serde::Serialize;

use crate::cli::{AttachmentsCommand, OfMessage};
use crate::context::Ctx;
use crate::escape::is_unsafe;
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

/// What became of one attachment of a download.
#[derive(Debug, Serialize)]
struct Saved {
    id: u64,
    /// Its name as the message gives it.
    filename: String,
    /// Where it was written (absent when it failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    /// Bytes written.
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    /// Why the file has another name than the attachment, when it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    renamed: Option<&'static str>,
    /// Why it could not be saved, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

async fn download(ctx: &Ctx, of: &OfMessage, ids: &[u64], dir: &Path) -> CliResult {
    let handle = handle(ctx, of);
    let mut results = Vec::with_capacity(ids.len());
    let attachments: Vec<Attachment> = if ids.is_empty() {
        handle
            .list()
            .send()
            .await
            .doing(|| format!("list the attachments of {}", describe(of)))?
    } else {
        let mut found = Vec::with_capacity(ids.len());
        for &id in ids {
            match handle
                .get(id)
                .await
                .doing(|| format!("get attachment {id} of {}", describe(of)))
            {
                Ok(attachment) => found.push(attachment),
                // One id asked for: its failure is the command's (exit code 3 for 404).
                Err(failure) if ids.len() == 1 => return Err(failure),
                // Several: the others are still downloaded.
                Err(failure) => results.push(Saved {
                    id,
                    filename: String::new(),
                    path: None,
                    bytes: None,
                    renamed: None,
                    error: Some(failure.message),
                }),
            }
        }
        found
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|err| Failure::file("create the directory", dir, &err))?;
    let mut used = HashSet::new();
    // One attachment that cannot be fetched or written does not stop the others.
    for attachment in &attachments {
        let (name, renamed) = file_name(attachment.id.get(), &attachment.filename, &mut used);
        let path = dir.join(&name);
        let id = attachment.id;
        let written = match handle
            .download(attachment)
            .await
            .doing(|| format!("download attachment {id} of {}", describe(of)))
        {
            Ok(content) => save(ctx.out, content, &path, &name).await,
            Err(failure) => Err(failure),
        };
        let (bytes, error) = match written {
            Ok(bytes) => (Some(bytes), None),
            Err(failure) => (None, Some(failure.message)),
        };
        results.push(Saved {
            id: id.get(),
            filename: attachment.filename.clone(),
            path: bytes.is_some().then(|| path.display().to_string()),
            bytes,
            renamed,
            error,
        });
    }
    ctx.out.show(&results, |results| {
        if results.is_empty() {
            return format!("{} has no attachments.", describe(of));
        }
        let mut table = Table::new(["ID", "FILE", "BYTES", "NOTE", "ATTACHMENT NAME"]);
        for file in results {
            let (note, original) = match (file.renamed, &file.error) {
                (_, Some(error)) => (
                    format!("not saved: {error}"),
                    format!("{:?}", file.filename),
                ),
                (Some(why), None) => (why.to_owned(), format!("{:?}", file.filename)),
                (None, None) => (String::new(), String::new()),
            };
            table.row([
                file.id.to_string(),
                file.path.clone().unwrap_or_else(|| "-".to_owned()),
                file.bytes
                    .map_or_else(|| "-".to_owned(), |bytes| bytes.to_string()),
                note,
                original,
            ]);
        }
        table.render()
    })?;
    let failed: Vec<String> = results
        .iter()
        .filter(|file| file.error.is_some())
        .map(|file| file.id.to_string())
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(Failure::error(format!(
        "{} of {} attachments of {} could not be saved (attachment {})",
        failed.len(),
        results.len(),
        describe(of),
        failed.join(", ")
    ))
    .hint("the others were saved; the table above says why each failed"))
}

/// Longest file name written, in bytes (file systems allow 255; room is left for an id
/// prefix and the `.part` suffix).
const MAX_NAME_BYTES: usize = 120;
/// Longest extension kept when a name is shortened, in bytes.
const MAX_EXTENSION_BYTES: usize = 16;

/// A safe file name for an attachment, and why it differs from the attachment's own name
/// when it does. The name comes from the sender: only its last path component is used;
/// control characters and characters Windows forbids become `_`; a leading dot becomes `_`
/// (no hidden files); names reserved on Windows get a `_` prefix; a name longer than
/// [`MAX_NAME_BYTES`] is shortened, keeping its extension; an empty name becomes
/// `attachment-<id>`; a name already used in this download (ignoring case) gets the id as a
/// prefix.
fn file_name(
    id: u64,
    original: &str,
    used: &mut HashSet<String>,
) -> (String, Option<&'static str>) {
    let last = original
        .rsplit(['/', '\\'])
        .map(str::trim)
        .find(|part| !part.is_empty())
        .unwrap_or("");
    let mut reason: Option<&'static str> = None;
    if last != original {
        reason = Some("directory part removed");
    }
    let mut name: String = last
        .chars()
        .map(|c| {
            if is_unsafe(c) || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = name.trim_end_matches(['.', ' ']).to_owned();
    if trimmed != name {
        name = trimmed;
    }
    if name.starts_with('.') {
        name = format!("_{}", name.trim_start_matches('.'));
    }
    if name != last && reason.is_none() {
        reason = Some("unsafe characters replaced");
    }
    if is_reserved_on_windows(&name) {
        name = format!("_{name}");
        reason = reason.or(Some("name reserved on Windows"));
    }
    if name.len() > MAX_NAME_BYTES {
        name = shorten(&name);
        reason = Some("name too long");
    }
    if name.trim_matches('_').is_empty() {
        name = format!("attachment-{id}");
        reason = Some("no usable name");
    }
    if used.contains(&name.to_lowercase()) {
        name = format!("{id}-{name}");
        reason = reason.or(Some("another attachment has this name"));
    }
    used.insert(name.to_lowercase());
    (name, reason)
}

/// `CON`, `nul.txt`, `COM1`...: names Windows keeps for devices.
fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.ends_with(|c: char| c.is_ascii_digit()))
}

/// Cuts a long name to [`MAX_NAME_BYTES`] on a character boundary, keeping a short
/// extension: `aaaa…aaa~.pdf`.
fn shorten(name: &str) -> String {
    let extension = name
        .rfind('.')
        .map(|dot| name.get(dot..).unwrap_or(""))
        .filter(|ext| ext.len() <= MAX_EXTENSION_BYTES)
        .unwrap_or("");
    let stem = name.get(..name.len() - extension.len()).unwrap_or(name);
    let budget = MAX_NAME_BYTES - extension.len() - 1;
    let mut cut = budget.min(stem.len());
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{extension}", stem.get(..cut).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_safe_file_names() {
        let mut used = HashSet::new();
        let mut name = |id, filename: &str| file_name(id, filename, &mut used);
        assert_eq!(name(1, "report.pdf"), ("report.pdf".to_owned(), None));
        assert_eq!(
            name(2, "../../etc/passwd"),
            ("passwd".to_owned(), Some("directory part removed"))
        );
        assert_eq!(
            name(3, "C:\\Windows\\evil.bat"),
            ("evil.bat".to_owned(), Some("directory part removed"))
        );
        assert_eq!(
            name(4, "a\u{1b}]0;x\u{7}b.txt"),
            (
                "a_]0;x_b.txt".to_owned(),
                Some("unsafe characters replaced")
            )
        );
        assert_eq!(
            name(5, "invoice\u{202e}fdp.exe"),
            (
                "invoice_fdp.exe".to_owned(),
                Some("unsafe characters replaced")
            )
        );
        assert_eq!(name(6, ".bashrc").0, "_bashrc");
        assert_eq!(name(7, "..").0, "attachment-7");
        assert_eq!(name(8, "").0, "attachment-8");
        assert_eq!(name(9, "con.txt").0, "_con.txt");
        assert_eq!(
            name(10, "REPORT.PDF"),
            (
                "10-REPORT.PDF".to_owned(),
                Some("another attachment has this name")
            )
        );
        let (long, why) = name(11, &format!("{}.pdf", "é".repeat(300)));
        assert_eq!(why, Some("name too long"));
        assert!(
            long.len() <= MAX_NAME_BYTES && long.ends_with("~.pdf"),
            "{long}"
        );
        assert_eq!(name(12, "a:b*c?.txt").0, "a_b_c_.txt");
        assert_eq!(name(13, "trailing. . ").0, "trailing");
    }
}
