//! The route table shared by the current and the legacy path families: the same handlers,
//! mounted under different paths, told their naming through an `Extension<Naming>`.

use axum::routing::{delete, get, patch, post, put};
use axum::{Extension, Router};

use super::views::Naming;
use super::{AppState, accounts, bodies, mail_headers, messages, projects, sandboxes};

/// Where a family mounts each resource.
#[derive(Debug)]
pub(super) struct Paths {
    pub(super) naming: Naming,
    pub(super) projects: &'static str,
    pub(super) project: &'static str,
    pub(super) project_sandboxes: &'static str,
    pub(super) sandboxes: &'static str,
    pub(super) sandbox: &'static str,
    pub(super) account_accesses: &'static str,
    pub(super) permission_resources: &'static str,
    pub(super) api_tokens: &'static str,
    pub(super) billing_usage: &'static str,
}

/// The routes of one family.
pub(super) fn routes(p: &Paths) -> Router<AppState> {
    let sandbox = |rest: &str| format!("{}{rest}", p.sandbox);
    let message = |rest: &str| format!("{}/messages/{{message_id}}{rest}", p.sandbox);
    Router::new()
        .route(p.projects, get(projects::list).post(projects::create))
        .route(
            p.project,
            get(projects::show)
                .patch(projects::update)
                .delete(projects::delete),
        )
        .route(p.project_sandboxes, post(projects::create_sandbox))
        .route(p.sandboxes, get(sandboxes::list))
        .route(
            p.sandbox,
            get(sandboxes::show)
                .patch(sandboxes::update)
                .delete(sandboxes::delete),
        )
        .route(&sandbox("/clean"), patch(sandboxes::clean))
        .route(&sandbox("/all_read"), patch(sandboxes::all_read))
        .route(
            &sandbox("/reset_credentials"),
            patch(sandboxes::reset_credentials),
        )
        .route(
            &sandbox("/toggle_email_username"),
            patch(sandboxes::toggle_email_username),
        )
        .route(
            &sandbox("/reset_email_username"),
            patch(sandboxes::reset_email_username),
        )
        .route(&sandbox("/messages"), get(messages::list))
        .route(
            &message(""),
            get(messages::show)
                .patch(messages::update)
                .delete(messages::delete),
        )
        .route(&message("/forward"), post(messages::forward))
        .route(&message("/spam_report"), get(messages::spam_report))
        .route(&message("/analyze"), get(messages::analyze))
        .route(&message("/mail_headers"), get(mail_headers::mail_headers))
        .route(&message("/body.txt"), get(bodies::text))
        .route(&message("/body.raw"), get(bodies::raw))
        .route(&message("/body.html"), get(bodies::html))
        .route(&message("/body.htmlsource"), get(bodies::html_source))
        .route(&message("/body.eml"), get(bodies::eml))
        .route(&message("/attachments"), get(messages::attachments))
        .route(
            &message("/attachments/{attachment_id}"),
            get(messages::attachment),
        )
        .route(p.account_accesses, get(accounts::list_accesses))
        .route(
            &format!("{}/{{account_access_id}}", p.account_accesses),
            delete(accounts::delete_access),
        )
        .route(
            &format!(
                "{}/{{account_access_id}}/permissions/bulk",
                p.account_accesses
            ),
            put(accounts::bulk_permissions),
        )
        .route(p.permission_resources, get(accounts::resources))
        .route(
            p.api_tokens,
            get(accounts::list_tokens).post(accounts::create_token),
        )
        .route(
            &format!("{}/{{id}}", p.api_tokens),
            get(accounts::show_token).delete(accounts::delete_token),
        )
        .route(
            &format!("{}/{{id}}/reset", p.api_tokens),
            post(accounts::reset_token),
        )
        .route(p.billing_usage, get(accounts::billing_usage))
        .layer(Extension(p.naming))
}
