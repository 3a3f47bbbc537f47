//! `sandboxes list|get|create|update|delete|clean|mark-read|reset-credentials|email-address`.

use crate::cli::{EmailAddressAction, SandboxesCommand};
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _};
use crate::render;

pub(super) async fn run(ctx: &Ctx, command: SandboxesCommand) -> CliResult {
    let client = &ctx.client;
    match command {
        SandboxesCommand::List => {
            let list = client
                .sandboxes()
                .list()
                .await
                .doing(|| "list sandboxes".to_owned())?;
            ctx.out.show(&list, |list| render::sandboxes(list))
        }
        SandboxesCommand::Get { id } => {
            let sandbox = client
                .sandbox(id)
                .get()
                .await
                .doing(|| format!("get sandbox {id}"))?;
            ctx.out.show(&sandbox, render::sandbox)
        }
        SandboxesCommand::Create { project, name } => {
            let sandbox = client
                .project(project)
                .create_sandbox(name.as_str())
                .await
                .doing(|| format!("create sandbox {name:?} in project {project}"))?;
            ctx.out.show(&sandbox, |sandbox| {
                format!(
                    "Created sandbox {} {:?} in project {project}.\n\n{}",
                    sandbox.id,
                    sandbox.name,
                    render::sandbox(sandbox)
                )
            })
        }
        SandboxesCommand::Update {
            id,
            name,
            email_username,
        } => {
            let mut update = client.sandbox(id).update();
            if let Some(name) = name {
                update = update.name(name);
            }
            if let Some(local_part) = email_username {
                update = update.email_username(local_part);
            }
            let sandbox = update
                .send()
                .await
                .doing(|| format!("update sandbox {id}"))?;
            ctx.out.show(&sandbox, |sandbox| {
                format!(
                    "Updated sandbox {}.\n\n{}",
                    sandbox.id,
                    render::sandbox(sandbox)
                )
            })
        }
        SandboxesCommand::Delete { id } => {
            let sandbox = client
                .sandbox(id)
                .delete()
                .await
                .doing(|| format!("delete sandbox {id}"))?;
            ctx.out.show(&sandbox, |sandbox| match sandbox {
                Some(sandbox) => format!(
                    "Deleted sandbox {} {:?} and its messages.",
                    sandbox.id, sandbox.name
                ),
                None => format!(
                    "Deleted sandbox {id} and its messages (an attempt whose answer was lost \
                     deleted it)."
                ),
            })
        }
        SandboxesCommand::Clean { id } => {
            let sandbox = client
                .sandbox(id)
                .clean()
                .await
                .doing(|| format!("clean sandbox {id}"))?;
            ctx.out.show(&sandbox, |sandbox| {
                format!("Deleted every message of sandbox {}.", sandbox.id)
            })
        }
        SandboxesCommand::MarkRead { id } => {
            let sandbox = client
                .sandbox(id)
                .mark_all_read()
                .await
                .doing(|| format!("mark the messages of sandbox {id} read"))?;
            ctx.out.show(&sandbox, |sandbox| {
                format!("Marked every message of sandbox {} read.", sandbox.id)
            })
        }
        SandboxesCommand::ResetCredentials { id } => {
            let sandbox = client
                .sandbox(id)
                .reset_credentials()
                .await
                .doing(|| format!("reset the SMTP credentials of sandbox {id}"))?;
            ctx.out.show(&sandbox, |sandbox| {
                format!(
                    "New SMTP credentials for sandbox {}.\n\n{}",
                    sandbox.id,
                    render::sandbox(sandbox)
                )
            })
        }
        SandboxesCommand::EmailAddress { action, id } => {
            let handle = client.sandbox(id);
            let (result, verb) = match action {
                EmailAddressAction::Enable => (handle.enable_email_address().await, "enable"),
                EmailAddressAction::Disable => (handle.disable_email_address().await, "disable"),
                EmailAddressAction::Reset => (handle.reset_email_address().await, "reset"),
            };
            let sandbox = result.doing(|| format!("{verb} the email address of sandbox {id}"))?;
            ctx.out.show(&sandbox, |sandbox| {
                let address = sandbox.email_address().unwrap_or_else(|| "-".to_owned());
                let state = if sandbox.email_username_enabled {
                    "enabled"
                } else {
                    "disabled"
                };
                format!("Sandbox {} email address: {address} ({state}).", sandbox.id)
            })
        }
    }
}
