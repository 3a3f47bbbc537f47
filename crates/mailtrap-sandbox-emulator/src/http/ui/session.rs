//! Signing in: any of the account's API tokens opens the inbox. The token is kept in an
//! `HttpOnly`, `SameSite=Strict` cookie (scripts cannot read it, other sites do not send it),
//! valid for 30 days and only while the token is: deleting or resetting the token signs the
//! browser out. `serve` prints a link that carries the token (`/?token=...`): opening it sets
//! the cookie and redirects to the clean address, so the token does not stay in the address
//! bar.
//!
//! The cookie authenticates the inbox only; the API still wants its token in a header.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, Request, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::{Ui, data, layout};
use crate::http::AppState;

/// How long the session cookie lasts: 30 days.
const COOKIE_MAX_AGE_SECS: u64 = 30 * 24 * 60 * 60;

/// The token of the session cookie, when the request has one that decodes.
fn cookie_token(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| URL_SAFE_NO_PAD.decode(value.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

fn session_cookie(ui: &Ui, token: &str) -> Option<HeaderValue> {
    let value = URL_SAFE_NO_PAD.encode(token.as_bytes());
    HeaderValue::try_from(format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={COOKIE_MAX_AGE_SECS}",
        ui.cookie
    ))
    .ok()
}

fn expired_cookie(ui: &Ui) -> Option<HeaderValue> {
    HeaderValue::try_from(format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ui.cookie
    ))
    .ok()
}

/// Whether the request carries a valid session.
pub(super) fn signed_in(app: &AppState, ui: &Ui, headers: &HeaderMap) -> bool {
    cookie_token(headers, &ui.cookie).is_some_and(|token| data::token_is_valid(app, &token))
}

/// A local path of the inbox to return to after signing in (never another site).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with("/ui/")
                && !path.starts_with("/ui//")
                && !path.contains(['\\', '\r', '\n']) =>
        {
            path
        }
        _ => "/",
    }
}

/// Lets signed-in requests through. Others go to the sign-in page (a page), or get 401 (the
/// inbox's own background requests, which say so with `X-Requested-With`, and the live
/// updates), or 403 (a change).
pub(super) async fn require_session(
    State(app): State<AppState>,
    Extension(ui): Extension<Arc<Ui>>,
    request: Request,
    next: Next,
) -> Response {
    if signed_in(&app, &ui, request.headers()) {
        return next.run(request).await;
    }
    let background =
        request.headers().contains_key("x-requested-with") || request.uri().path() == "/ui/events";
    if request.method() != Method::GET || background {
        return layout::error_page(
            StatusCode::UNAUTHORIZED,
            "Signed out",
            "Your session has ended (the emulator restarted with another token, or the token \
             was deleted). Sign in again.",
        );
    }
    let next = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let location = format!("/ui/login?{}", layout::query(&[("next", &next)]));
    Redirect::to(&location).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct RootQuery {
    #[serde(default)]
    token: Option<String>,
}

/// `/`: the token-bearing link signs in and redirects to `/`; a signed-in visit opens the
/// first sandbox; otherwise the sign-in page.
pub(super) async fn root(
    State(app): State<AppState>,
    Extension(ui): Extension<Arc<Ui>>,
    Query(query): Query<RootQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = query.token {
        return sign_in(&app, &ui, token.trim(), "/");
    }
    if !signed_in(&app, &ui, &headers) {
        return Redirect::to("/ui/login").into_response();
    }
    match data::first_sandbox(&app) {
        Some(id) => Redirect::to(&format!("/ui/sandboxes/{id}")).into_response(),
        None => layout::error_page(
            StatusCode::NOT_FOUND,
            "No sandbox yet",
            "Create a project and a sandbox with the API (or `mailtrap-sandbox sandboxes \
             create`), then reload.",
        ),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
}

/// The sign-in form.
pub(super) async fn login_page(
    State(app): State<AppState>,
    Extension(ui): Extension<Arc<Ui>>,
    Query(query): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if signed_in(&app, &ui, &headers) {
        return Redirect::to(next).into_response();
    }
    layout::login_page(StatusCode::OK, next, None)
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    next: Option<String>,
}

/// Signs in with the token of the form.
pub(super) async fn login(
    State(app): State<AppState>,
    Extension(ui): Extension<Arc<Ui>>,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    sign_in(
        &app,
        &ui,
        form.token.trim(),
        safe_next(form.next.as_deref()),
    )
}

fn sign_in(app: &AppState, ui: &Ui, token: &str, next: &str) -> Response {
    if token.is_empty() {
        return layout::login_page(StatusCode::BAD_REQUEST, next, Some("Enter an API token."));
    }
    let cookie = session_cookie(ui, token);
    match cookie {
        Some(cookie) if data::token_is_valid(app, token) => (
            StatusCode::SEE_OTHER,
            [(SET_COOKIE, cookie)],
            [(
                LOCATION,
                HeaderValue::try_from(next).unwrap_or(HeaderValue::from_static("/")),
            )],
        )
            .into_response(),
        _ => layout::login_page(
            StatusCode::UNAUTHORIZED,
            next,
            Some(
                "This is not one of the emulator's API tokens. Use the token `serve` printed \
                 (or MAILTRAP_EMULATOR_TOKEN).",
            ),
        ),
    }
}

/// Signs out: the cookie is cleared.
pub(super) async fn logout(Extension(ui): Extension<Arc<Ui>>) -> Response {
    let mut response = Redirect::to("/ui/login").into_response();
    if let Some(cookie) = expired_cookie(&ui) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        let encoded = URL_SAFE_NO_PAD.encode("tok;en=1");
        headers.insert(
            COOKIE,
            HeaderValue::try_from(format!("a=b; ui_1={encoded}; c=d")).unwrap(),
        );
        assert_eq!(cookie_token(&headers, "ui_1").as_deref(), Some("tok;en=1"));
        assert_eq!(cookie_token(&headers, "ui_2"), None);
        headers.insert(COOKIE, HeaderValue::from_static("ui_1=%%%"));
        assert_eq!(cookie_token(&headers, "ui_1"), None);
    }

    #[test]
    fn only_inbox_paths_are_returned_to() {
        assert_eq!(
            safe_next(Some("/ui/sandboxes/1?q=a")),
            "/ui/sandboxes/1?q=a"
        );
        assert_eq!(safe_next(Some("//evil.example/ui/")), "/");
        assert_eq!(safe_next(Some("/ui//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example/ui/")), "/");
        assert_eq!(safe_next(Some("/ui/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
