//! `wait`: wait for a message, then print it, its links or its one-time code.

use mailtrap_sandbox::MessageFilter;
use serde_json::json;

use crate::cli::WaitArgs;
use crate::commands::messages::{links_of, render_links};
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _, Failure};
use crate::render;

pub(super) async fn run(ctx: &Ctx, args: WaitArgs) -> CliResult {
    let mut filter = MessageFilter::new();
    if let Some(subject) = &args.subject {
        filter = filter.subject_contains(subject);
    }
    if let Some(from) = &args.from {
        filter = filter.from(from);
    }
    if let Some(to) = &args.to {
        filter = filter.to(to);
    }
    if let Some(part) = &args.contains {
        filter = filter.text_contains(part);
    }
    let sandbox = ctx.client.sandbox(args.sandbox);
    let awaited = filter.to_string();
    let mut wait = sandbox
        .wait_for(filter)
        .timeout(args.timeout)
        .poll_interval(args.poll_interval);
    if let Some(since) = args.since {
        wait = wait.since(since);
    }
    let spinner = ctx
        .out
        .spinner(format!("Waiting for {awaited} in sandbox {}", args.sandbox));
    let result = wait.send().await;
    spinner.finish_and_clear();
    let action = || format!("wait for {awaited} in sandbox {}", args.sandbox);
    let message = result.doing(action)?;

    if !args.links && !args.code {
        return ctx.out.show(&message, render::message);
    }
    let eml = sandbox
        .message(message.id)
        .parsed_eml()
        .await
        .doing(|| format!("read message {} of sandbox {}", message.id, args.sandbox))?;
    if args.links {
        let links = links_of(&eml);
        return ctx
            .out
            .show(&json!({ "message_id": message.id, "links": links }), |_| {
                render_links(&links)
            });
    }
    let code = eml.one_time_code().ok_or_else(|| {
        Failure::error(format!(
            "message {} ({:?}) arrived, but no one-time code was found in it",
            message.id, message.subject
        ))
        .hint(format!(
            "look at it with `mailtrap-sandbox messages body --sandbox {} {}`",
            args.sandbox, message.id
        ))
    })?;
    ctx.out
        .show(&json!({ "message_id": message.id, "code": code }), |_| {
            code.clone()
        })
}
