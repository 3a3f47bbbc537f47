//! The changes a user makes from the inbox, as form posts answered with a redirect: mark a
//! message read or unread, delete it, forward it, mark a whole sandbox read, clean it. Each
//! form carries the anti-forgery token ([`security`]).

use std::sync::Arc;

use axum::Form;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Ui, data, layout, security};
use crate::http::AppState;
use crate::store::StoreError;

/// A form posted from an inbox page, its anti-forgery token checked.
#[derive(Debug)]
pub(super) struct Posted<T>(T);

#[derive(Debug, Deserialize)]
struct WithToken<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    fields: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let Some(ui) = request.extensions().get::<Arc<Ui>>().cloned() else {
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let Form(form) = Form::<WithToken<T>>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if security::csrf_matches(&ui.csrf, &form.csrf) {
            Ok(Self(form.fields))
        } else {
            Err(security::forged())
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Plain {
    /// Where to go next: a page of the inbox.
    #[serde(default)]
    back: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ReadForm {
    #[serde(default)]
    read: String,
    #[serde(default)]
    back: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ForwardForm {
    #[serde(default)]
    email: String,
}

fn failed(error: &StoreError) -> Response {
    match error {
        StoreError::NotFound => layout::error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "The message or sandbox no longer exists.",
        ),
        StoreError::Invalid(_) | StoreError::Forbidden => layout::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not done",
            &error.to_string(),
        ),
        StoreError::Storage(message) => layout::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not saved",
            &format!("The emulator could not save the change: {message}"),
        ),
    }
}

/// A page of the inbox to go back to, or the sandbox's list.
fn back_to(back: Option<&str>, sandbox_id: u64) -> String {
    match back {
        Some(path)
            if path
                .strip_prefix(&format!("/ui/sandboxes/{sandbox_id}"))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
                && !path.contains(['\\', '\r', '\n']) =>
        {
            path.to_owned()
        }
        _ => format!("/ui/sandboxes/{sandbox_id}"),
    }
}

fn done(result: Result<(), StoreError>, location: &str) -> Response {
    match result {
        Ok(()) => Redirect::to(location).into_response(),
        Err(error) => failed(&error),
    }
}

/// `POST .../messages/{id}/read` with `read=true|false`.
pub(super) async fn set_read(
    State(app): State<AppState>,
    Path((sandbox_id, message_id)): Path<(u64, u64)>,
    Posted(form): Posted<ReadForm>,
) -> Response {
    let read = form.read == "true";
    let result = data::set_read(&app, sandbox_id, message_id, read).await;
    // Back to the list: the message's page would mark it read again.
    done(result, &back_to(form.back.as_deref(), sandbox_id))
}

/// `POST .../messages/{id}/delete`.
pub(super) async fn delete(
    State(app): State<AppState>,
    Path((sandbox_id, message_id)): Path<(u64, u64)>,
    Posted(form): Posted<Plain>,
) -> Response {
    let result = data::delete(&app, sandbox_id, message_id).await;
    done(result, &back_to(form.back.as_deref(), sandbox_id))
}

/// `POST .../messages/{id}/forward` with `email`: recorded as the API's forward is.
pub(super) async fn forward(
    State(app): State<AppState>,
    Path((sandbox_id, message_id)): Path<(u64, u64)>,
    Posted(form): Posted<ForwardForm>,
) -> Response {
    let email = form.email.trim();
    if !crate::mail::is_valid_email(email) {
        return layout::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not forwarded",
            &format!("“{email}” is not an email address."),
        );
    }
    let result = data::forward(&app, sandbox_id, message_id, email.to_owned()).await;
    let location = format!(
        "/ui/sandboxes/{sandbox_id}/messages/{message_id}?{}",
        layout::query(&[("forwarded", email)])
    );
    done(result, &location)
}

/// `POST /ui/sandboxes/{id}/read`: every message read.
pub(super) async fn mark_all_read(
    State(app): State<AppState>,
    Path(sandbox_id): Path<u64>,
    Posted(form): Posted<Plain>,
) -> Response {
    let result = data::mark_all_read(&app, sandbox_id).await;
    done(result, &back_to(form.back.as_deref(), sandbox_id))
}

/// `POST /ui/sandboxes/{id}/clean`: every message deleted.
pub(super) async fn clean(
    State(app): State<AppState>,
    Path(sandbox_id): Path<u64>,
    Posted(form): Posted<Plain>,
) -> Response {
    let result = data::clean(&app, sandbox_id).await;
    done(result, &back_to(form.back.as_deref(), sandbox_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_the_same_sandbox_are_returned_to() {
        assert_eq!(
            back_to(Some("/ui/sandboxes/7?q=a"), 7),
            "/ui/sandboxes/7?q=a"
        );
        assert_eq!(back_to(Some("https://evil.example/"), 7), "/ui/sandboxes/7");
        assert_eq!(back_to(Some("/ui/sandboxes/8"), 7), "/ui/sandboxes/7");
        assert_eq!(back_to(Some("/ui/sandboxes/70"), 7), "/ui/sandboxes/7");
        assert_eq!(back_to(None, 7), "/ui/sandboxes/7");
    }
}
