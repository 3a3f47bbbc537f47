//! The HTTP API (axum): the management API on current and legacy paths, the sending API, the
//! message-part links and the control API, all on one listener; and the web inbox ([`ui`]).

mod accounts;
mod auth;
mod bodies;
mod control;
mod current;
mod errors;
mod extract;
mod layers;
mod legacy;
mod mail_headers;
mod messages;
mod projects;
mod sandboxes;
mod sending;
pub(crate) mod serve;
mod table;
mod ui;
mod views;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use self::errors::ApiError;
use crate::faults::FaultRegistry;
use crate::ratelimit::RateLimiter;
use crate::store::Store;
use crate::summary::StartupSummary;

/// What every handler can reach.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Arc<Store>,
    pub(crate) faults: Arc<FaultRegistry>,
    pub(crate) limiter: RateLimiter,
    pub(crate) account_id: u64,
    pub(crate) organization_id: u64,
    pub(crate) summary: StartupSummary,
    /// Whether `/` and `/ui/...` serve the web inbox.
    pub(crate) web_ui: bool,
    /// Cancelled when the emulator stops (ends long-lived answers such as live updates).
    pub(crate) stopping: CancellationToken,
    /// How long a request body may pause between two chunks.
    pub(crate) idle_timeout: Duration,
}

/// The handlers' state.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl AppState {
    pub(crate) fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

async fn not_found() -> Response {
    ApiError::NotFound.into_response()
}

/// The whole HTTP application.
pub(crate) fn router(state: AppState) -> Router {
    let web_ui = if state.web_ui {
        ui::routes(&state, state.stopping.clone())
    } else {
        Router::new()
    };
    Router::new()
        .merge(current::routes())
        .merge(legacy::routes())
        .merge(control::routes())
        .route(
            "/api/testing_message_parts/{token}/{part}",
            get(bodies::by_token),
        )
        .route_layer(from_fn_with_state(state.clone(), layers::check_ids))
        .merge(sending::routes())
        .merge(web_ui)
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(from_fn_with_state(state.clone(), layers::auth))
        .layer(from_fn_with_state(state.clone(), layers::rate_limit))
        .layer(from_fn_with_state(state.clone(), layers::faults))
        .layer(from_fn(layers::log))
        .with_state(state)
}
