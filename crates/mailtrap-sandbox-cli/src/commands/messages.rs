//! `messages list|get|mark-read|mark-unread|delete|forward|spam|analyze|headers|body|links`.

use std::path::Path;

use futures_util::TryStreamExt as _;
use mailtrap_sandbox::Eml;
use mailtrap_sandbox::models::Message;
use mailtrap_sandbox::resources::MessageHandle;
use serde::Serialize;
use serde_json::json;

use crate::cli::{BodyFormat, MessageArgs, MessagesCommand};
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _, Failure};
use crate::output::Out;
use crate::render;
use crate::save::save;
use crate::table::Table;

/// Messages per page of the API.
const PAGE: u64 = 30;

pub(super) async fn run(ctx: &Ctx, command: MessagesCommand) -> CliResult {
    let client = &ctx.client;
    let handle = |args: &MessageArgs| client.sandbox(args.sandbox.sandbox).message(args.id);
    match command {
        MessagesCommand::List {
            sandbox,
            search,
            all,
            limit,
            last_id,
            page,
        } => {
            let sandbox = sandbox.sandbox;
            let mut list = client.sandbox(sandbox).messages().list();
            if let Some(search) = search {
                list = list.search(search);
            }
            if let Some(last_id) = last_id {
                list = list.last_id(last_id);
            }
            if let Some(page) = page {
                list = list.page(page);
            }
            let action = || format!("list the messages of sandbox {sandbox}");
            let streamed = all || (page.is_none() && limit.is_some_and(|limit| limit > PAGE));
            let messages: Vec<Message> = if streamed {
                let wanted = limit.unwrap_or(u64::MAX);
                let mut stream = list.stream();
                let mut found = Vec::new();
                while (found.len() as u64) < wanted {
                    match stream.try_next().await.doing(action)? {
                        Some(message) => found.push(message),
                        None => break,
                    }
                }
                found
            } else {
                let mut page = list.send().await.doing(action)?.into_items();
                page.truncate(usize::try_from(limit.unwrap_or(PAGE)).unwrap_or(usize::MAX));
                page
            };
            // A full page may have a next one: say how to get it.
            let next = (!streamed && messages.len() as u64 == PAGE && page.is_none())
                .then(|| messages.iter().map(|message| message.id).min())
                .flatten();
            ctx.out.show(&messages, |list| match next {
                Some(next) => format!(
                    "{}\nOlder messages: add --last-id {next}",
                    render::messages(list)
                ),
                None => render::messages(list),
            })
        }
        MessagesCommand::Get(args) => {
            let message = handle(&args).get().await.doing(|| describe("get", &args))?;
            ctx.out.show(&message, render::message)
        }
        MessagesCommand::MarkRead(args) => {
            let message = handle(&args)
                .mark_read()
                .await
                .doing(|| describe("mark read", &args))?;
            ctx.out.show(&message, |message| {
                format!("Marked message {} read.", message.id)
            })
        }
        MessagesCommand::MarkUnread(args) => {
            let message = handle(&args)
                .mark_unread()
                .await
                .doing(|| describe("mark unread", &args))?;
            ctx.out.show(&message, |message| {
                format!("Marked message {} unread.", message.id)
            })
        }
        MessagesCommand::Delete(args) => {
            let message = handle(&args)
                .delete()
                .await
                .doing(|| describe("delete", &args))?;
            ctx.out.show(&message, |message| match message {
                Some(message) => format!("Deleted message {} {:?}.", message.id, message.subject),
                None => format!(
                    "Deleted message {} (an attempt whose answer was lost deleted it).",
                    args.id
                ),
            })
        }
        MessagesCommand::Forward { message: args, to } => {
            let outcome = handle(&args)
                .forward(to.as_str())
                .await
                .doing(|| describe(&format!("forward to {to}"), &args))?;
            ctx.out.show(&outcome, |outcome| match &outcome.message {
                Some(said) => format!("Forwarded message {} to {to}: {said}", args.id),
                None => format!("Forwarded message {} to {to}.", args.id),
            })
        }
        MessagesCommand::Spam(args) => {
            let report = handle(&args)
                .spam_report()
                .await
                .doing(|| describe("get the spam report of", &args))?;
            ctx.out.show(&report, render::spam_report)
        }
        MessagesCommand::Analyze(args) => {
            let analysis = handle(&args)
                .html_analysis()
                .await
                .doing(|| describe("get the HTML analysis of", &args))?;
            ctx.out.show(&analysis, render::html_analysis)
        }
        MessagesCommand::Headers(args) => {
            let headers = handle(&args)
                .headers()
                .await
                .doing(|| describe("get the headers of", &args))?;
            ctx.out.show(&headers, render::headers)
        }
        MessagesCommand::Body {
            message: args,
            format,
            output,
        } => body(ctx.out, &handle(&args), &args, format, output.as_deref()).await,
        MessagesCommand::Links(args) => {
            let eml = handle(&args)
                .eml()
                .await
                .doing(|| describe("read the links of", &args))?;
            let links = links_of(&eml);
            ctx.out
                .show(&json!({ "links": links }), |_| render_links(&links))
        }
    }
}

/// `get message 5000000001 of sandbox 4310001`.
fn describe(action: &str, args: &MessageArgs) -> String {
    format!(
        "{action} message {} of sandbox {}",
        args.id, args.sandbox.sandbox
    )
}

/// A link of a message and, for HTML links, the text it is shown with.
#[derive(Debug, Serialize)]
pub(crate) struct Link {
    pub(crate) url: String,
    pub(crate) text: Option<String>,
}

/// Every link of a message (HTML first, then text), with its text when it has one.
pub(crate) fn links_of(eml: &Eml) -> Vec<Link> {
    let anchors = eml.anchors();
    eml.links()
        .into_iter()
        .map(|url| {
            let text = anchors
                .iter()
                .find(|anchor| anchor.href == url && !anchor.text.is_empty())
                .map(|anchor| anchor.text.clone());
            Link { url, text }
        })
        .collect()
}

/// Links as a table.
pub(crate) fn render_links(links: &[Link]) -> String {
    if links.is_empty() {
        return "No links.".to_owned();
    }
    let mut table = Table::new(["URL", "TEXT"]);
    for link in links {
        table.row([link.url.clone(), link.text.clone().unwrap_or_default()]);
    }
    table.render()
}

/// Writes a body to a file or stdout.
async fn body(
    out: Out,
    handle: &MessageHandle,
    args: &MessageArgs,
    format: BodyFormat,
    output: Option<&Path>,
) -> CliResult {
    let action = || describe(&format!("get the {} body of", format.name()), args);
    match format {
        BodyFormat::Eml | BodyFormat::Raw => {
            let download = if format == BodyFormat::Eml {
                handle.download_eml().await
            } else {
                handle.download_raw().await
            }
            .doing(action)?;
            match output {
                Some(path) => {
                    let what = format!("message {} ({})", args.id, format.name());
                    let bytes = save(out, download, path, &what).await?;
                    saved(out, path, bytes, format)
                }
                None if out.is_json() => {
                    let content = download.text().await.doing(action)?;
                    out.show(
                        &json!({ "format": format.name(), "content": content }),
                        |_| String::new(),
                    )
                }
                None => {
                    let mut download = download;
                    let mut writer = out.body_writer();
                    while let Some(chunk) = download.chunk().await.doing(action)? {
                        writer.write(&chunk)?;
                    }
                    writer.finish()
                }
            }
        }
        BodyFormat::Txt | BodyFormat::Html | BodyFormat::HtmlSource => {
            let content = match format {
                BodyFormat::Txt => handle.text().await,
                BodyFormat::Html => handle.html().await,
                _ => handle.html_source().await,
            }
            .doing(action)?;
            match output {
                Some(path) => {
                    tokio::fs::write(path, content.as_bytes())
                        .await
                        .map_err(|err| Failure::file("write", path, &err))?;
                    saved(out, path, content.len() as u64, format)
                }
                None if out.is_json() => out.show(
                    &json!({ "format": format.name(), "content": content }),
                    |_| String::new(),
                ),
                None => {
                    let mut writer = out.body_writer();
                    writer.write(content.as_bytes())?;
                    writer.finish()
                }
            }
        }
    }
}

/// Says where a body was written.
fn saved(out: Out, path: &Path, bytes: u64, format: BodyFormat) -> CliResult {
    out.show(
        &json!({ "format": format.name(), "path": path, "bytes": bytes }),
        |_| format!("Wrote {bytes} bytes to {}.", path.display()),
    )
}
