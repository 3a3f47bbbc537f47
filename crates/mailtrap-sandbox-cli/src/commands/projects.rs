//! `projects list|get|create|update|delete`.

use serde_json::json;

use crate::cli::ProjectsCommand;
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _};
use crate::render;

pub(super) async fn run(ctx: &Ctx, command: ProjectsCommand) -> CliResult {
    let client = &ctx.client;
    match command {
        ProjectsCommand::List => {
            let list = client
                .projects()
                .list()
                .await
                .doing(|| "list projects".to_owned())?;
            ctx.out.show(&list, |list| render::projects(list))
        }
        ProjectsCommand::Get { id } => {
            let project = client
                .project(id)
                .get()
                .await
                .doing(|| format!("get project {id}"))?;
            ctx.out.show(&project, render::project)
        }
        ProjectsCommand::Create { name } => {
            let project = client
                .projects()
                .create(name.as_str())
                .await
                .doing(|| format!("create project {name:?}"))?;
            ctx.out.show(&project, |project| {
                format!("Created project {} {:?}.", project.id, project.name)
            })
        }
        ProjectsCommand::Update { id, name } => {
            let project = client
                .project(id)
                .update(name.as_str())
                .await
                .doing(|| format!("rename project {id}"))?;
            ctx.out.show(&project, |project| {
                format!("Renamed project {} to {:?}.", project.id, project.name)
            })
        }
        ProjectsCommand::Delete { id } => {
            let deleted = client
                .project(id)
                .delete()
                .await
                .doing(|| format!("delete project {id}"))?;
            ctx.out.show(&json!({ "id": deleted }), |_| {
                format!("Deleted project {deleted} and its sandboxes.")
            })
        }
    }
}
