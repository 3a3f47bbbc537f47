//! The current paths (`/api/projects`, `/api/sandboxes`, `/api/account_accesses`, ...), plus
//! the routes that exist only there (`/api/accounts`, organization sub-accounts).

use axum::routing::get;
use axum::{Extension, Router};

use super::table::{self, Paths};
use super::views::Naming;
use super::{AppState, accounts};

const PATHS: Paths = Paths {
    naming: Naming::Current,
    projects: "/api/projects",
    project: "/api/projects/{project_id}",
    project_sandboxes: "/api/projects/{project_id}/sandboxes",
    sandboxes: "/api/sandboxes",
    sandbox: "/api/sandboxes/{sandbox_id}",
    account_accesses: "/api/account_accesses",
    permission_resources: "/api/permissions/resources",
    api_tokens: "/api/api_tokens",
    billing_usage: "/api/billing/usage",
};

/// The current-path routes.
pub(super) fn routes() -> Router<AppState> {
    table::routes(&PATHS).merge(
        Router::new()
            .route("/api/accounts", get(accounts::list_accounts))
            .route(
                "/api/organizations/{organization_id}/sub_accounts",
                get(accounts::list_sub_accounts).post(accounts::create_sub_account),
            )
            .layer(Extension(Naming::Current)),
    )
}
