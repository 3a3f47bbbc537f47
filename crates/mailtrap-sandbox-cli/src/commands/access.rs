//! `users list|remove|grant` and `permissions resources`.

use mailtrap_sandbox::models::PermissionChange;
use serde_json::json;

use crate::cli::{PermissionsCommand, UsersCommand};
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _, ExitCode, Failure};
use crate::render;

pub(super) async fn users(ctx: &Ctx, command: UsersCommand) -> CliResult {
    let client = &ctx.client;
    match command {
        UsersCommand::List { project, sandbox } => {
            let (list, scope) = match (project, sandbox) {
                (Some(project), _) => (
                    client.project(project).users(),
                    format!(" of project {project}"),
                ),
                (None, Some(sandbox)) => (
                    client.sandbox(sandbox).users(),
                    format!(" of sandbox {sandbox}"),
                ),
                (None, None) => (client.account_accesses().list(), String::new()),
            };
            let accesses = list
                .send()
                .await
                .doing(|| format!("list the users{scope}"))?;
            ctx.out.show(&accesses, |list| render::accesses(list))
        }
        UsersCommand::Remove { id } => {
            let removed = client
                .account_access(id)
                .remove()
                .await
                .doing(|| format!("remove account access {id}"))?;
            ctx.out.show(&json!({ "id": removed }), |_| {
                format!("Removed account access {removed}.")
            })
        }
        UsersCommand::Grant { id, grants, revoke } => {
            let changes: Vec<PermissionChange> = grants
                .iter()
                .map(crate::values::Grant::to_change)
                .chain(revoke.iter().map(crate::values::Revoke::to_change))
                .collect();
            if changes.is_empty() {
                return Err(Failure::new(
                    ExitCode::Usage,
                    "no permission given: add TYPE:ID:LEVEL arguments and/or --revoke TYPE:ID",
                )
                .hint(
                    "for instance: mailtrap-sandbox users grant 5210003 sandbox:4310001:viewer",
                ));
            }
            let count = changes.len();
            let said = client
                .account_access(id)
                .update_permissions(changes)
                .await
                .doing(|| format!("change the permissions of account access {id}"))?;
            ctx.out.show(&json!({ "id": id, "changes": count, "message": said }), |_| {
                let plural = if count == 1 { "" } else { "s" };
                if said.is_empty() {
                    format!("Applied {count} permission change{plural} to account access {id}.")
                } else {
                    format!("Applied {count} permission change{plural} to account access {id}: {said}")
                }
            })
        }
    }
}

pub(super) async fn permissions(ctx: &Ctx, command: PermissionsCommand) -> CliResult {
    match command {
        PermissionsCommand::Resources => {
            let resources = ctx
                .client
                .permission_resources()
                .await
                .doing(|| "list the permission resources".to_owned())?;
            ctx.out
                .show(&resources, |list| render::permission_resources(list))
        }
    }
}
