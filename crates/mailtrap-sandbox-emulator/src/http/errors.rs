//! Error answers in Mailtrap's shapes, and the JSON response helper.

use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use crate::store::{FieldErrors, StoreError};

/// `application/json; charset=utf-8`, as every JSON answer of the API.
pub(crate) const JSON_CONTENT_TYPE: HeaderValue =
    HeaderValue::from_static("application/json; charset=utf-8");
/// `text/plain; charset=utf-8`.
pub(crate) const TEXT_CONTENT_TYPE: HeaderValue =
    HeaderValue::from_static("text/plain; charset=utf-8");

/// A JSON answer.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(CONTENT_TYPE, JSON_CONTENT_TYPE)], bytes).into_response(),
        Err(e) => ApiError::Internal(format!("cannot write the response: {e}")).into_response(),
    }
}

/// A 200 JSON answer.
pub(crate) fn ok<T: Serialize + ?Sized>(body: &T) -> Response {
    json(StatusCode::OK, body)
}

/// An error of the management API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 404 `{"error": "Not Found"}`.
    NotFound,
    /// 401 `{"error": "Incorrect API token"}`.
    Unauthorized,
    /// 403 `{"errors": "Account access forbidden"}`.
    Forbidden,
    /// 400 `{"error": "..."}`: the request could not be read.
    BadRequest(String),
    /// 422 `{"errors": {"field": ["..."]}}`.
    Invalid(FieldErrors),
    /// 409 with a text body: the message has no such part.
    Conflict(String),
    /// 413: the body is larger than `limit` bytes.
    TooLarge(usize),
    /// 408: the request body paused longer than the idle timeout.
    BodyTimeout,
    /// 429 `{"errors": "Rate limit exceeded"}`.
    RateLimited,
    /// 500 `{"error": "..."}`.
    Internal(String),
}

impl ApiError {
    /// A 422 on one field.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(FieldErrors::from([(
            field.to_owned(),
            vec![message.into()],
        )]))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Forbidden => ApiError::Forbidden,
            StoreError::Invalid(errors) => ApiError::Invalid(errors),
            StoreError::Storage(e) => ApiError::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound => json(StatusCode::NOT_FOUND, &json!({"error": "Not Found"})),
            ApiError::Unauthorized => {
                let mut response = json(
                    StatusCode::UNAUTHORIZED,
                    &json!({"error": "Incorrect API token"}),
                );
                response.headers_mut().insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Token realm=\"Application\""),
                );
                response
            }
            ApiError::Forbidden => json(
                StatusCode::FORBIDDEN,
                &json!({"errors": "Account access forbidden"}),
            ),
            ApiError::BadRequest(message) => {
                json(StatusCode::BAD_REQUEST, &json!({"error": message}))
            }
            ApiError::Invalid(errors) => {
                json(StatusCode::UNPROCESSABLE_ENTITY, &json!({"errors": errors}))
            }
            ApiError::Conflict(message) => (
                StatusCode::CONFLICT,
                [(CONTENT_TYPE, TEXT_CONTENT_TYPE)],
                message,
            )
                .into_response(),
            ApiError::TooLarge(limit) => json(
                StatusCode::PAYLOAD_TOO_LARGE,
                &json!({"error": format!("The request body is larger than {limit} bytes")}),
            ),
            ApiError::BodyTimeout => json(
                StatusCode::REQUEST_TIMEOUT,
                &json!({"error": "The request body stopped arriving; send it again"}),
            ),
            ApiError::RateLimited => json(
                StatusCode::TOO_MANY_REQUESTS,
                &json!({"errors": "Rate limit exceeded"}),
            ),
            ApiError::Internal(message) => {
                tracing::error!(%message, "internal error");
                json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &json!({"error": format!("Internal emulator error: {message}")}),
                )
            }
        }
    }
}
