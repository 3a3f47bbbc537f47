//! The middleware every request passes through, outermost first: logging, fault injection,
//! rate limiting (management API only), authentication. The web inbox (`/` and `/ui/...`) is
//! never failed by faults nor rate limited, and signs its users in itself (a cookie, see
//! `ui::session`): only the API token headers authenticate the API.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::auth::presented_tokens;
use super::errors::{ApiError, json};
use super::extract::Ids;
use crate::conn::ConnInfo;
use crate::faults::Outcome;
use crate::ratelimit::LIMIT;

/// Which API a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/_emulator/...`: never rate limited, never failed by faults, admin token only.
    Control,
    /// `/api/send/...`, `/api/batch/...`: no rate-limit headers, sending-style errors.
    Sending,
    /// `/` and `/ui/...`: the web inbox, which checks its own session cookie.
    Ui,
    /// Everything else, as on `mailtrap.io`.
    Management,
}

/// The family of a path.
pub(crate) fn family(path: &str) -> Family {
    if path == "/_emulator" || path.starts_with("/_emulator/") {
        Family::Control
    } else if path.starts_with("/api/send/") || path.starts_with("/api/batch/") {
        Family::Sending
    } else if path == "/" || path == "/ui" || path.starts_with("/ui/") {
        Family::Ui
    } else {
        Family::Management
    }
}

/// Logs each request (method, path, status, time) at debug level.
pub(super) async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Applies the fault rules.
pub(super) async fn faults(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if matches!(family(path), Family::Control | Family::Ui) {
        return next.run(request).await;
    }
    let decision = app.faults.decide(request.method().as_str(), path);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    match decision.outcome {
        Outcome::Pass => next.run(request).await,
        Outcome::Fail(fail) => {
            let mut response = (fail.status, fail.body).into_response();
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, fail.content_type);
            for (name, value) in fail.headers {
                headers.insert(name, value);
            }
            response
        }
        Outcome::Drop => {
            match request.extensions().get::<ConnectInfo<ConnInfo>>() {
                Some(ConnectInfo(info)) => info.drop_connection(),
                None => tracing::warn!("cannot drop a connection that has no connection info"),
            }
            // Never written: the connection is closed first.
            (StatusCode::SERVICE_UNAVAILABLE, Body::empty()).into_response()
        }
    }
}

/// Counts management requests per API token and adds the `X-Ratelimit-*` headers. Requests
/// without a valid token share one count, so that what the limiter remembers is bounded by
/// the tokens the emulator knows, whatever clients send.
pub(super) async fn rate_limit(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if family(request.uri().path()) != Family::Management {
        return next.run(request).await;
    }
    let key = presented_tokens(request.headers())
        .into_iter()
        .find(|token| app.store.token_is_valid(token))
        .map(str::to_owned)
        .unwrap_or_default();
    let verdict = app.limiter.hit(&key);
    let mut response = if verdict.limited {
        ApiError::RateLimited.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(LIMIT));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(verdict.remaining),
    );
    response
}

/// Checks the API token: the start-up token for the control API, any current API token
/// otherwise.
pub(super) async fn auth(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let family = family(request.uri().path());
    let tokens = presented_tokens(request.headers());
    let valid = match family {
        Family::Ui => true,
        Family::Control => tokens.iter().any(|t| *t == app.store.api_token()),
        Family::Sending | Family::Management => tokens.iter().any(|t| app.store.token_is_valid(t)),
    };
    if valid {
        return next.run(request).await;
    }
    match family {
        Family::Sending => json(
            StatusCode::UNAUTHORIZED,
            &json!({"success": false, "errors": ["Unauthorized"]}),
        ),
        Family::Ui | Family::Control | Family::Management => ApiError::Unauthorized.into_response(),
    }
}

/// Answers 404 before any handler runs when a path id is not a number, or names another
/// account or organization (a route layer: it runs after routing).
pub(super) async fn check_ids(
    ids: Result<Ids, ApiError>,
    request: Request,
    next: Next,
) -> Response {
    match ids {
        Ok(_) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_sorted_into_families() {
        assert_eq!(family("/_emulator/faults"), Family::Control);
        assert_eq!(family("/_emulatorx"), Family::Management);
        assert_eq!(family("/api/send/1"), Family::Sending);
        assert_eq!(family("/api/batch/1"), Family::Sending);
        assert_eq!(family("/api/sandboxes"), Family::Management);
        assert_eq!(family("/"), Family::Ui);
        assert_eq!(family("/ui/login"), Family::Ui);
        assert_eq!(family("/uix"), Family::Management);
    }
}
