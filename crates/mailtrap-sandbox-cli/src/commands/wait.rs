//! `wait`: wait for a message, then print it, its links or its one-time code.

use std::time::Duration;

use mailtrap_sandbox::MessageFilter;
use serde_json::json;
use tokio::time::Instant;

use crate::cli::{Since, WaitArgs};
use crate::commands::messages::{links_of, render_links};
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _, ExitCode, Failure};
use crate::render;

pub(super) async fn run(ctx: &Ctx, args: WaitArgs) -> CliResult {
    let mut filter = MessageFilter::new();
    if let Some(subject) = &args.subject {
        filter = filter.subject(subject);
    }
    if let Some(subject) = &args.subject_is {
        filter = filter.subject_is(subject);
    }
    if let Some(from) = &args.from {
        filter = filter.from(from);
    }
    if let Some(to) = &args.to {
        filter = filter.to(to);
    }
    if let Some(part) = &args.text {
        filter = filter.text_contains(part);
    }
    if let Some(part) = &args.html {
        filter = filter.html_contains(part);
    }
    if let Some(part) = &args.contains {
        filter = filter.body_contains(part);
    }
    let sandbox = ctx.client.sandbox(args.sandbox);
    let awaited = filter.to_string();
    let mut wait = sandbox.wait_for(filter).timeout(args.timeout);
    if let Some(interval) = args.poll_interval {
        wait = wait.poll_interval(interval);
    }
    wait = match args.since {
        Some(Since::Message(id)) => wait.since(id),
        Some(Since::Time(time)) => wait.received_after(time),
        None if args.only_new => wait.only_new(),
        None => match args.look_back {
            Some(span) => wait.look_back(span),
            None => wait,
        },
    };
    let spinner = ctx
        .out
        .spinner(format!("Waiting for {awaited} in sandbox {}", args.sandbox));
    // `--timeout` is a deadline for the whole command, whatever the server does: each
    // request is bounded by it (see `Ctx::within`), and this cuts what is still running.
    let started = Instant::now();
    let deadline = started + args.timeout + GRACE;
    let result = tokio::time::timeout_at(deadline, wait.send()).await;
    spinner.finish_and_clear();
    let action = || format!("wait for {awaited} in sandbox {}", args.sandbox);
    let message = match result {
        Ok(result) => result.doing(action)?,
        Err(_) => return Err(deadline_passed(&awaited, args.sandbox, started)),
    };

    if !args.links && !args.code {
        return ctx.out.show(&message, render::message);
    }
    let eml = tokio::time::timeout_at(deadline, sandbox.message(message.id).eml())
        .await
        .map_err(|_| deadline_passed(&awaited, args.sandbox, started))?
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

/// How long past `--timeout` the command may take to finish a request the SDK cut at the
/// deadline and report what it saw, before the command stops waiting for it.
const GRACE: Duration = Duration::from_millis(250);

/// The deadline passed with a request still unanswered.
fn deadline_passed(awaited: &str, sandbox: u64, started: Instant) -> Failure {
    Failure::new(
        ExitCode::Timeout,
        format!(
            "timed out after {:.1} s waiting for {awaited} in sandbox {sandbox}: the API did not \
             answer in time",
            started.elapsed().as_secs_f64()
        ),
    )
    .hint("raise --timeout, or check --base-url and that the API answers (run with -v to see the requests)")
}
