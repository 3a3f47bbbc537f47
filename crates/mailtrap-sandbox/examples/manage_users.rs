//! Who may access a project: list the accesses, grant a user read access to one sandbox,
//! and remove an invitation nobody accepted.
//!
//! ```text
//! export MAILTRAP_API_TOKEN=...
//! cargo run -p mailtrap-sandbox --example manage_users -- <project_id>
//! ```
//!
//! Pass `--apply` after the project id to make the changes; without it the example only
//! prints what it would do.
#![allow(clippy::print_stdout)]

use mailtrap_sandbox::models::{AccessLevel, PermissionChange, ResourceType, SpecifierType};
use mailtrap_sandbox::{Client, ProjectId};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let project_id: ProjectId = args
        .next()
        .ok_or("usage: manage_users <project_id> [--apply]")?
        .parse()?;
    let apply = args.next().as_deref() == Some("--apply");

    let client = Client::from_env()?;
    for account in client.accounts().await? {
        println!(
            "account {} ({}), levels {:?}",
            account.id, account.name, account.access_levels
        );
    }

    let project = client.project(project_id).get().await?;
    println!(
        "project {} ({}) with {} sandboxes",
        project.id,
        project.name,
        project.sandboxes.len()
    );

    // Everyone with access to the project.
    let accesses = client.project(project_id).users().send().await?;
    for access in &accesses {
        let who = access
            .specifier
            .email
            .as_deref()
            .or(access.specifier.name.as_deref())
            .unwrap_or("(unnamed)");
        println!(
            "  access {} {:>8} {who}",
            access.id,
            access.specifier_type.as_str()
        );
        for resource in &access.resources {
            println!(
                "      {} {} at level {}",
                resource.resource_type,
                resource.resource_id,
                resource.access_level.number()
            );
        }
    }

    // Give every user viewer access to the project's first sandbox.
    if let Some(sandbox) = project.sandboxes.first() {
        for access in accesses
            .iter()
            .filter(|access| access.specifier_type == SpecifierType::User)
        {
            println!(
                "grant viewer on sandbox {} to access {}",
                sandbox.id, access.id
            );
            if apply {
                let reply = client
                    .account_access(access.id)
                    .update_permissions([PermissionChange::grant(
                        ResourceType::Sandbox,
                        sandbox.id.get(),
                        AccessLevel::Viewer,
                    )])
                    .await?;
                println!("  {reply}");
            }
        }
    }

    // Remove invitations that were never accepted.
    for access in accesses
        .iter()
        .filter(|access| access.specifier_type == SpecifierType::Invite)
    {
        println!("remove pending invite {}", access.id);
        if apply {
            let removed = client.account_access(access.id).remove().await?;
            println!("  removed {removed}");
        }
    }
    Ok(())
}
