//! Request extractors that answer bad input with the API's JSON errors, never with axum's
//! plain-text rejections: path ids, JSON bodies, query strings.

use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::AppState;
use super::errors::ApiError;

/// Largest management request body.
pub(crate) const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The ids in the path. A non-numeric id, or an account or organization id other than the
/// emulator's, answers 404 as Mailtrap does.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ids {
    pub(crate) project: Option<u64>,
    pub(crate) sandbox: Option<u64>,
    pub(crate) message: Option<u64>,
    pub(crate) attachment: Option<u64>,
    pub(crate) access: Option<u64>,
    pub(crate) token: Option<u64>,
}

impl Ids {
    fn need(id: Option<u64>) -> Result<u64, ApiError> {
        id.ok_or(ApiError::NotFound)
    }
    pub(crate) fn project(&self) -> Result<u64, ApiError> {
        Self::need(self.project)
    }
    pub(crate) fn sandbox(&self) -> Result<u64, ApiError> {
        Self::need(self.sandbox)
    }
    pub(crate) fn message(&self) -> Result<u64, ApiError> {
        Self::need(self.message)
    }
    pub(crate) fn attachment(&self) -> Result<u64, ApiError> {
        Self::need(self.attachment)
    }
    pub(crate) fn access(&self) -> Result<u64, ApiError> {
        Self::need(self.access)
    }
    pub(crate) fn token(&self) -> Result<u64, ApiError> {
        Self::need(self.token)
    }
}

impl FromRequestParts<AppState> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let mut ids = Ids::default();
        for (name, value) in &params {
            let slot = match name {
                "account_id" | "organization_id" => None,
                "project_id" => Some(&mut ids.project),
                "sandbox_id" | "inbox_id" => Some(&mut ids.sandbox),
                "message_id" => Some(&mut ids.message),
                "attachment_id" => Some(&mut ids.attachment),
                "account_access_id" => Some(&mut ids.access),
                "id" => Some(&mut ids.token),
                // Not an id (a template uuid, a message-part token): the handler reads it.
                _ => continue,
            };
            let id: u64 = value.parse().map_err(|_| ApiError::NotFound)?;
            if id == 0 {
                return Err(ApiError::NotFound);
            }
            match (name, slot) {
                (_, Some(slot)) => *slot = Some(id),
                ("account_id", None) if id != state.account_id => return Err(ApiError::NotFound),
                ("organization_id", None) if id != state.organization_id => {
                    return Err(ApiError::NotFound);
                }
                _ => {}
            }
        }
        Ok(ids)
    }
}

/// Reads a request body of at most `limit` bytes, each chunk arriving within `idle` of the
/// previous one.
pub(crate) async fn read_body(
    request: Request,
    limit: usize,
    idle: Duration,
) -> Result<bytes::Bytes, ApiError> {
    let mut chunks = request.into_body().into_data_stream();
    let mut body = bytes::BytesMut::new();
    loop {
        let chunk = match tokio::time::timeout(idle, chunks.next()).await {
            Err(_) => return Err(ApiError::BodyTimeout),
            Ok(None) => return Ok(body.freeze()),
            Ok(Some(Err(error))) => {
                return Err(ApiError::BadRequest(format!(
                    "The request body could not be read: {error}"
                )));
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(ApiError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
}

/// Parses JSON text; an empty body counts as `{}`.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("The request body is not valid JSON: {e}"))
}

/// A JSON request body (an empty body reads as `{}`).
#[derive(Debug)]
pub(crate) struct JsonBody(pub(crate) Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let bytes = read_body(request, BODY_LIMIT, state.idle_timeout).await?;
        parse_json(&bytes)
            .map(JsonBody)
            .map_err(ApiError::BadRequest)
    }
}

impl JsonBody {
    /// The object under the first of `keys` present, or the body itself (Rails wraps bare
    /// parameters the same way).
    pub(crate) fn unwrap_envelope(self, keys: &[&str]) -> Value {
        if let Value::Object(map) = &self.0 {
            for key in keys {
                if let Some(inner) = map.get(*key)
                    && inner.is_object()
                {
                    return inner.clone();
                }
            }
        }
        self.0
    }
}

/// Reads a typed value out of JSON; a wrong type answers 422 naming the field.
pub(crate) fn from_json<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ApiError::BadRequest(
            "The request body must be a JSON object".to_owned(),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "base".to_owned() } else { path };
        ApiError::invalid(&field, e.into_inner().to_string())
    })
}

/// The query string as decoded pairs.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let pairs = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Ok(Query(pairs))
    }
}

impl Query {
    /// The last non-empty value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A positive integer parameter.
    pub(crate) fn positive(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.get(name)
            .map(|v| match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(ApiError::BadRequest(format!(
                    "The '{name}' parameter must be a positive integer, not '{v}'"
                ))),
            })
            .transpose()
    }

    /// Every id given for a list parameter, in any of the forms clients use:
    /// `name[]=1&name[]=2`, `name=1&name=2`, `name=1,2`.
    pub(crate) fn ids(&self, names: &[&str]) -> Result<Vec<u64>, ApiError> {
        let mut ids = Vec::new();
        for (key, value) in &self.0 {
            let base = key.strip_suffix("[]").unwrap_or(key);
            if !names.contains(&base) {
                continue;
            }
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let id = part.parse::<u64>().map_err(|_| {
                    ApiError::BadRequest(format!(
                        "The '{base}' parameter must list numeric ids, not '{part}'"
                    ))
                })?;
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

/// A boolean that clients send as `true`, `"true"`, `1` or `"1"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flag(pub(crate) bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Bool(b) => Ok(Flag(b)),
            Value::Number(n) if n.as_u64() == Some(1) => Ok(Flag(true)),
            Value::Number(n) if n.as_u64() == Some(0) => Ok(Flag(false)),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Flag(true)),
                "false" | "0" => Ok(Flag(false)),
                _ => Err(serde::de::Error::custom(format!(
                    "expected true or false, not \"{s}\""
                ))),
            },
            other => Err(serde::de::Error::custom(format!(
                "expected true or false, not {other}"
            ))),
        }
    }
}

/// An id that clients send as a number or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdValue(pub(crate) u64);

impl<'de> Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(n) => n
                .as_u64()
                .map(IdValue)
                .ok_or_else(|| serde::de::Error::custom(format!("expected an id, not {n}"))),
            Value::String(s) => s.trim().parse().map(IdValue).map_err(|_| {
                serde::de::Error::custom(format!("expected a numeric id, not \"{s}\""))
            }),
            other => Err(serde::de::Error::custom(format!(
                "expected an id, not {other}"
            ))),
        }
    }
}

/// An access level given as a number (1000, 100, 50, 10, 1) or a name (`owner`, `admin`,
/// `viewer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Level(pub(crate) u32);

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let level = match &value {
            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "owner" => Some(1000),
                "admin" => Some(100),
                "viewer" => Some(10),
                other => other.parse::<u32>().ok(),
            },
            _ => None,
        };
        match level {
            Some(level @ (1000 | 100 | 50 | 10 | 1)) => Ok(Level(level)),
            _ => Err(serde::de::Error::custom(format!(
                "expected an access level (\"admin\", \"viewer\", 100 or 10), not {value}"
            ))),
        }
    }
}
