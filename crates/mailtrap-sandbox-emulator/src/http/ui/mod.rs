//! The web inbox, served at `/` and under `/ui/`: projects and sandboxes with unread counts,
//! each sandbox's messages newest first with search and paging, a message's HTML, text,
//! source, headers, attachments, links and reports, and the actions of the API (mark read or
//! unread, delete, forward, clean). New mail appears live, pushed by the store's change
//! notifications over server-sent events.
//!
//! Mail is hostile, so:
//! - every value is escaped by the templates (`maud`); the only markup not built by them is
//!   the message's own HTML, which is served as a separate document ([`preview`]) shown in an
//!   `<iframe sandbox>` without `allow-scripts` or `allow-same-origin`, under a
//!   Content-Security-Policy that also sandboxes it when opened directly, runs no script and
//!   loads nothing remote until the user asks;
//! - the pages themselves run only the inbox's own script and style (CSP `'self'`), and are
//!   never framed by another site;
//! - signing in takes an API token ([`session`]), kept in an `HttpOnly`, `SameSite=Strict`
//!   cookie; every change is a `POST` that must come from an inbox page of the same origin and
//!   carry its anti-forgery token.
//!
//! Templates, CSS and JavaScript are compiled into the binary: no Node, no CDN, works offline.
//! [`data`] is the only file that talks to the store.

mod actions;
mod assets;
mod data;
mod format;
mod inbox;
mod layout;
mod links;
mod live;
mod message;
mod preview;
mod security;
mod session;
mod source;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{Extension, Router, middleware};
use tokio_util::sync::CancellationToken;

use super::AppState;

/// What the inbox's handlers share besides the store.
#[derive(Debug)]
pub(crate) struct Ui {
    /// The anti-forgery token of this run, embedded in every form.
    csrf: String,
    /// The session cookie's name (it names the HTTP port: browsers share cookies between the
    /// ports of a host).
    cookie: String,
    /// Cancelled when the emulator stops: ends the live-update streams.
    stopping: CancellationToken,
}

/// The inbox's routes. `stopping` ends its live-update streams when the emulator stops.
pub(super) fn routes(app: &AppState, stopping: CancellationToken) -> Router<AppState> {
    let port = app.summary.http_addr.port();
    let ui = Arc::new(Ui {
        csrf: security::new_csrf_token(),
        cookie: format!("mailtrap_sandbox_ui_{port}"),
        stopping,
    });
    let signed_in = Router::new()
        .route("/ui/sandboxes/{sandbox_id}", get(inbox::page))
        .route("/ui/sandboxes/{sandbox_id}/rows", get(inbox::rows_fragment))
        .route("/ui/sandboxes/{sandbox_id}/clean", post(actions::clean))
        .route(
            "/ui/sandboxes/{sandbox_id}/read",
            post(actions::mark_all_read),
        )
        .route(
            "/ui/sandboxes/{sandbox_id}/messages/{message_id}",
            get(message::page),
        )
        .route(
            "/ui/sandboxes/{sandbox_id}/messages/{message_id}/preview",
            get(preview::document),
        )
        .route(
            "/ui/sandboxes/{sandbox_id}/messages/{message_id}/eml",
            get(message::eml),
        )
        .route(
            "/ui/sandboxes/{sandbox_id}/messages/{message_id}/attachments/{index}",
            get(message::attachment),
        )
        .route(
            "/ui/sandboxes/{sandbox_id}/messages/{message_id}/read",
            post(actions::set_read),
        )
        .route(
            "/ui/sandboxes/{sandbox_id}/messages/{message_id}/delete",
            post(actions::delete),
        )
        .route(
            "/ui/sandboxes/{sandbox_id}/messages/{message_id}/forward",
            post(actions::forward),
        )
        .route("/ui/sidebar", get(inbox::sidebar))
        .route("/ui/events", get(live::events))
        .route("/ui/logout", post(session::logout))
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            session::require_session,
        ));
    Router::new()
        .route("/", get(session::root))
        .route("/ui", get(session::root))
        .route("/ui/", get(session::root))
        .route("/ui/login", get(session::login_page).post(session::login))
        .route("/ui/assets/{name}", get(assets::serve))
        .merge(signed_in)
        .layer(middleware::from_fn(security::guard))
        .layer(Extension(ui))
}
