//! The legacy paths under `/api/accounts/{account_id}/` that most official SDKs still call
//! (`inboxes` for sandboxes). Same handlers; legacy naming in bodies; a wrong account id is
//! a 404.

use axum::Router;

use super::AppState;
use super::table::{self, Paths};
use super::views::Naming;

const PATHS: Paths = Paths {
    naming: Naming::Legacy,
    projects: "/api/accounts/{account_id}/projects",
    project: "/api/accounts/{account_id}/projects/{project_id}",
    project_sandboxes: "/api/accounts/{account_id}/projects/{project_id}/inboxes",
    sandboxes: "/api/accounts/{account_id}/inboxes",
    sandbox: "/api/accounts/{account_id}/inboxes/{inbox_id}",
    account_accesses: "/api/accounts/{account_id}/account_accesses",
    permission_resources: "/api/accounts/{account_id}/permissions/resources",
    api_tokens: "/api/accounts/{account_id}/api_tokens",
    billing_usage: "/api/accounts/{account_id}/billing/usage",
};

/// The legacy-path routes.
pub(super) fn routes() -> Router<AppState> {
    table::routes(&PATHS)
}
