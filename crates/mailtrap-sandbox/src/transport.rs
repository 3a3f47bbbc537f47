//! Executes requests: the client-side rate limiter, retries, the `tracing` span of each
//! attempt, and the mapping of every failure to [`Error`].
//!
//! Two entry points for the rest of the crate:
//!
//! - [`Transport::call`] runs one operation of the generated layer (`mailtrap-sandbox-api`).
//! - [`Transport::get_path`] performs an authenticated `GET` of an arbitrary, already encoded
//!   path on the management host and hands back the streaming [`reqwest::Response`] (for
//!   downloads of `download_path`, `raw_path`, attachment links, `body.eml` and for waiting).

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use mailtrap_sandbox_api::sandbox::ResponseValue;
use mailtrap_sandbox_api::{accounts, sandbox, sending};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use std::time::Instant;
use tracing::Instrument as _;

use crate::error::{ApiError, DecodeError, Error, Result, TransportError, retry_after_from};
use crate::limiter::Limiter;
use crate::models::{Conv, Invalid};
use crate::retry::RetryPolicy;

/// The generated layer's error type.
type ApiFailure = mailtrap_sandbox_api::sandbox::Error;

/// What a call of the generated layer returns.
pub(crate) type ApiResult<T> = std::result::Result<ResponseValue<T>, ApiFailure>;

/// A boxed call of the generated layer, for helpers that take the operation as a function.
pub(crate) type BoxedCall<'a, T> =
    std::pin::Pin<Box<dyn Future<Output = ApiResult<T>> + Send + 'a>>;

/// Largest error body kept in an [`ApiError`]; the rest is dropped.
const MAX_ERROR_BODY: usize = 1 << 20;

/// Whether a request may be sent again after it may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// `GET`, `DELETE`, and `PATCH`es that set a state: repeating does no harm.
    Safe,
    /// Sends, creates, forwards, toggles and resets: never repeated once sent.
    Never,
}

/// One API operation, as logs and error messages name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    /// `GET`, `POST`, ...
    pub(crate) method: &'static str,
    /// The path template, `/api/sandboxes/{sandbox_id}` (never the real path, which can hold
    /// secrets such as message-part tokens).
    pub(crate) path: &'static str,
    /// Whether it may be repeated.
    pub(crate) repeat: Repeat,
    /// A body endpoint, whose 409 means the message has no such part.
    pub(crate) body_part: bool,
}

impl Op {
    /// An operation that is safe to repeat.
    pub(crate) const fn safe(method: &'static str, path: &'static str) -> Self {
        Self {
            method,
            path,
            repeat: Repeat::Safe,
            body_part: false,
        }
    }

    /// An operation that must not be repeated once sent.
    pub(crate) const fn once(method: &'static str, path: &'static str) -> Self {
        Self {
            method,
            path,
            repeat: Repeat::Never,
            body_part: false,
        }
    }

    /// A `GET` of a message body part (409 means the part does not exist).
    pub(crate) const fn body_part(path: &'static str) -> Self {
        Self {
            method: "GET",
            path,
            repeat: Repeat::Safe,
            body_part: true,
        }
    }

    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// What to do after a failed attempt.
enum Next {
    /// Wait, then try again.
    Retry { wait: Duration, reason: String },
    /// Give up with this error.
    Fail(Error),
}

/// The shared state behind a [`Client`](crate::Client): one `reqwest::Client` (one connection
/// pool), the generated clients built on it, the retry policy and the optional limiter.
#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) sandbox: sandbox::Client,
    pub(crate) sending: sending::Client,
    pub(crate) accounts: accounts::Client,
    /// Management host, without a trailing slash.
    pub(crate) base_url: String,
    /// Sending host, without a trailing slash.
    pub(crate) send_base_url: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<Limiter>,
    /// Whether the management host is a loopback address (a local emulator): waits poll
    /// faster.
    pub(crate) loopback: bool,
}

impl Transport {
    /// Runs one operation of the generated layer with retries and error mapping, and returns
    /// the decoded body. `send` is called once per attempt.
    ///
    /// The description lists only `200` for most operations; any other success status
    /// (`201`, say) is decoded the same way instead of failing.
    pub(crate) async fn call<T, F, Fut>(&self, op: Op, mut send: F) -> Result<T>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        self.run(
            op,
            || {
                let answer = send();
                async move {
                    match answer.await {
                        Err(ApiFailure::UnexpectedResponse(response))
                            if response.status().is_success() =>
                        {
                            decode_success(response).await
                        }
                        other => other,
                    }
                }
            },
            decode_failure::<T>,
        )
        .await
    }

    /// [`fetch`](Self::fetch), also returning the answer's `Date` (the server's clock),
    /// when it had a valid one.
    pub(crate) async fn fetch_dated<T, U, F, Fut>(
        &self,
        op: Op,
        mut send: F,
        convert: impl FnOnce(T) -> Conv<U>,
    ) -> Result<(U, Option<chrono::DateTime<chrono::Utc>>)>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let (raw, date) = self
            .run(
                op,
                || {
                    let answer = send();
                    async move {
                        let value = match answer.await {
                            Err(ApiFailure::UnexpectedResponse(response))
                                if response.status().is_success() =>
                            {
                                decode_success(response).await
                            }
                            other => other,
                        }?;
                        let date = value
                            .headers()
                            .get(reqwest::header::DATE)
                            .and_then(|date| date.to_str().ok())
                            .and_then(|date| chrono::DateTime::parse_from_rfc2822(date).ok())
                            .map(|date| date.with_timezone(&chrono::Utc));
                        let status = value.status();
                        let headers = value.headers().clone();
                        Ok(ResponseValue::new(
                            (value.into_inner(), date),
                            status,
                            headers,
                        ))
                    }
                },
                decode_failure::<T>,
            )
            .await?;
        let converted = convert(raw).map_err(|invalid| invalid_error(op, invalid))?;
        Ok((converted, date))
    }

    /// [`call`](Self::call), then converts the generated type into a model.
    pub(crate) async fn fetch<T, U, F, Fut>(
        &self,
        op: Op,
        send: F,
        convert: impl FnOnce(T) -> Conv<U>,
    ) -> Result<U>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let raw = self.call(op, send).await?;
        convert(raw).map_err(|invalid| invalid_error(op, invalid))
    }

    /// Like [`call`](Self::call) for answers that are not JSON (bodies, streams).
    pub(crate) async fn call_opaque<T, F, Fut>(&self, op: Op, send: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        self.run(op, send, |_| None).await
    }

    /// **Crate-internal API for downloads and waiting.** Performs an authenticated `GET` of
    /// `path` on the management host and returns the response as soon as its headers are in,
    /// the body still unread (stream it with `bytes_stream()` or `chunk()`).
    ///
    /// - `path` must start with `/` and is used verbatim: it may already be percent-encoded
    ///   (message-part links such as `download_path` hold `%2F`, `+`, `=`) and is never
    ///   re-encoded. A query string is allowed.
    /// - `label` names the request in logs and errors instead of the real path (which may
    ///   hold a secret link token): `/api/testing_message_parts/{token}/body.eml` for instance.
    /// - Retries follow the client's [`RetryPolicy`] (a `GET` is safe to repeat); the rate
    ///   limiter applies; non-2xx answers become [`Error::Api`] (409 as
    ///   [`ApiErrorKind::MissingPart`](crate::ApiErrorKind::MissingPart)), connection
    ///   failures [`Error::NotSent`] or [`Error::MaybeApplied`]. Failures while reading the body
    ///   afterwards are the caller's to map (see [`Transport::body_error`]).
    pub(crate) async fn get_path(
        &self,
        path: &str,
        label: &'static str,
    ) -> Result<reqwest::Response> {
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(Error::invalid_argument(format!(
                "`{}` is not a path on the API host: expected something like \
                 `/api/testing_message_parts/.../body.eml`",
                crate::error::truncate(path, 80)
            )));
        }
        let url = format!("{}{path}", self.base_url);
        let url = reqwest::Url::parse(&url).map_err(|err| {
            Error::invalid_argument(format!(
                "the path for {label} does not form a valid URL: {err}"
            ))
        })?;
        let op = Op::body_part(label);
        let http = &self.http;
        self.run(
            op,
            || {
                let request = http.get(url.clone());
                async move {
                    let response = request.send().await.map_err(|err| {
                        mailtrap_sandbox_api::sandbox::Error::CommunicationError(err.without_url())
                    })?;
                    if response.status().is_success() {
                        let status = response.status();
                        let headers = HeaderMap::new();
                        Ok(ResponseValue::new(response, status, headers))
                    } else {
                        Err(mailtrap_sandbox_api::sandbox::Error::UnexpectedResponse(
                            response,
                        ))
                    }
                }
            },
            |_| None,
        )
        .await
    }

    /// Maps an error met while reading a body after [`get_path`](Self::get_path) answered
    /// (`label` names the request, as given to `get_path`).
    pub(crate) fn body_error(label: &str, err: reqwest::Error) -> Error {
        TransportError::new(format!("GET {label}"), true, 1, err).into_error()
    }

    /// **Crate-internal API for requests whose answer the generated layer cannot read
    /// whole.** Sends `body` as JSON with `method` to `path` on `base` (the management or
    /// sending host, without trailing slash) and returns the decoded JSON of a success
    /// answer, with retries and error mapping as for every call.
    pub(crate) async fn json<B: serde::Serialize + Sync>(
        &self,
        op: Op,
        base: &str,
        path: &str,
        body: &B,
    ) -> Result<(StatusCode, Bytes, serde_json::Value)> {
        let url = reqwest::Url::parse(&format!("{base}{path}")).map_err(|err| {
            Error::invalid_argument(format!("the path {path} does not form a valid URL: {err}"))
        })?;
        let method = reqwest::Method::from_bytes(op.method.as_bytes())
            .map_err(|err| Error::invalid_argument(err.to_string()))?;
        let http = &self.http;
        self.run(
            op,
            || {
                let request = http.request(method.clone(), url.clone()).json(body);
                async move {
                    let response = request
                        .send()
                        .await
                        .map_err(|err| ApiFailure::CommunicationError(err.without_url()))?;
                    let status = response.status();
                    if !status.is_success() {
                        return Err(ApiFailure::UnexpectedResponse(response));
                    }
                    let headers = response.headers().clone();
                    let bytes = response
                        .bytes()
                        .await
                        .map_err(|err| ApiFailure::ResponseBodyError(err.without_url()))?;
                    match serde_json::from_slice::<serde_json::Value>(&bytes) {
                        Ok(value) => {
                            Ok(ResponseValue::new((status, bytes, value), status, headers))
                        }
                        Err(err) => Err(ApiFailure::InvalidResponsePayload(bytes, err)),
                    }
                }
            },
            |_| None,
        )
        .await
    }

    /// [`remove`](Self::remove), then converts the generated type into a model.
    pub(crate) async fn remove_fetch<T, U, F, Fut>(
        &self,
        op: Op,
        send: F,
        convert: impl FnOnce(T) -> Conv<U>,
    ) -> Result<Option<U>>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        match self.remove(op, send).await? {
            Some(raw) => convert(raw)
                .map(Some)
                .map_err(|invalid| invalid_error(op, invalid)),
            None => Ok(None),
        }
    }

    /// Runs an idempotent removal (`DELETE`) like [`call`](Self::call), and tells a 404
    /// that follows an attempt whose answer was lost apart: the earlier attempt removed the
    /// resource, so that is success, `Ok(None)`. A 404 to the first attempt stays an error.
    pub(crate) async fn remove<T, F, Fut>(&self, op: Op, mut send: F) -> Result<Option<T>>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let lost = std::sync::atomic::AtomicBool::new(false);
        let result = self
            .call(op, || {
                let answer = send();
                let lost = &lost;
                async move {
                    let answer = answer.await;
                    if let Err(
                        ApiFailure::CommunicationError(err) | ApiFailure::ResponseBodyError(err),
                    ) = &answer
                        && !err.is_connect()
                    {
                        lost.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    answer
                }
            })
            .await;
        match result {
            Ok(value) => Ok(Some(value)),
            Err(err) if err.is_not_found() && lost.load(std::sync::atomic::Ordering::Relaxed) => {
                tracing::info!(
                    request = %op.label(),
                    "404 after an attempt whose answer was lost: that attempt removed it"
                );
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// The retry loop shared by every entry point.
    async fn run<T, F, Fut>(
        &self,
        op: Op,
        mut send: F,
        decode: fn(&[u8]) -> Option<(String, String)>,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            if let Some(limiter) = &self.limiter {
                limiter.acquire().await;
            }
            let span = tracing::debug_span!(
                "mailtrap.request",
                method = op.method,
                path = op.path,
                attempt,
                status = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            );
            let traced = !span.is_disabled();
            let started = Instant::now();
            let result = if traced {
                send().instrument(span.clone()).await
            } else {
                send().await
            };
            if traced {
                let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                span.record("elapsed_ms", elapsed);
            }
            let failure = match result {
                Ok(value) => {
                    if traced {
                        span.record("status", value.status().as_u16());
                        tracing::debug!(parent: &span, "answered");
                    }
                    return Ok(value.into_inner());
                }
                Err(failure) => failure,
            };
            if traced && let Some(status) = failure.status() {
                span.record("status", status.as_u16());
            }
            let retry_number = attempt;
            let retries_left = retry_number <= self.retry.retries();
            match self
                .next_step(op, failure, retry_number, retries_left, decode)
                .await
            {
                Next::Fail(err) => {
                    tracing::debug!(parent: &span, error = %err, "failed");
                    return Err(err);
                }
                Next::Retry { wait, reason } => {
                    tracing::info!(
                        parent: &span,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        reason = %reason,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Decides between retrying and failing, and builds the error.
    async fn next_step(
        &self,
        op: Op,
        failure: mailtrap_sandbox_api::sandbox::Error,
        retry: u32,
        retries_left: bool,
        decode: fn(&[u8]) -> Option<(String, String)>,
    ) -> Next {
        use mailtrap_sandbox_api::sandbox::Error as E;
        let repeatable = op.repeat == Repeat::Safe;
        match failure {
            E::CommunicationError(err) | E::ResponseBodyError(err) | E::InvalidUpgrade(err) => {
                if err.is_builder() {
                    return Next::Fail(Error::invalid_argument(format!(
                        "the request {} could not be built: {}",
                        op.label(),
                        err.without_url()
                    )));
                }
                // A connection that could not be opened carried no request: safe for all.
                let may_retry = retries_left && (err.is_connect() || repeatable);
                let error = TransportError::new(op.label(), repeatable, retry, err).into_error();
                if may_retry {
                    Next::Retry {
                        wait: self.retry.backoff(retry),
                        reason: error.to_string(),
                    }
                } else {
                    Next::Fail(error)
                }
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let wait = if retries_left && repeatable {
                    let retry_after = retry_after_from(response.headers());
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        self.retry.rate_limit_wait(retry_after)
                    } else if crate::error::is_retryable_status(status) {
                        self.retry.server_error_wait(retry, retry_after)
                    } else {
                        None
                    }
                } else {
                    None
                };
                if let Some(wait) = wait {
                    return Next::Retry {
                        wait,
                        reason: format!("the API answered {status}"),
                    };
                }
                Next::Fail(api_error(op, response).await)
            }
            E::InvalidResponsePayload(body, err) => {
                let (path, reason) =
                    decode(&body).unwrap_or_else(|| (".".to_owned(), err.to_string()));
                Next::Fail(DecodeError::new(op.label(), StatusCode::OK, path, reason, &body).into())
            }
            E::ErrorResponse(value) => Next::Fail(
                ApiError::from_parts(
                    op.label(),
                    value.status(),
                    value.headers(),
                    Bytes::new(),
                    op.body_part,
                )
                .into(),
            ),
            E::InvalidRequest(reason) | E::Custom(reason) => {
                Next::Fail(Error::invalid_argument(reason))
            }
        }
    }
}

/// Turns an error answer into [`Error::Api`], reading (at most [`MAX_ERROR_BODY`] of) its body.
async fn api_error(op: Op, mut response: reqwest::Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ERROR_BODY.saturating_sub(body.len());
                body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(&chunk));
                if body.len() >= MAX_ERROR_BODY {
                    break;
                }
            }
            Ok(None) => break,
            Err(err) => {
                tracing::debug!(error = %err.without_url(), "error body cut short");
                break;
            }
        }
    }
    ApiError::from_parts(
        op.label(),
        status,
        &headers,
        Bytes::from(body),
        op.body_part,
    )
    .into()
}

/// Decodes a success answer with a status the description does not list, as the generated
/// layer decodes the listed one.
async fn decode_success<T: DeserializeOwned>(response: reqwest::Response) -> ApiResult<T> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(ApiFailure::ResponseBodyError)?;
    match serde_json::from_slice(&body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(err) => Err(ApiFailure::InvalidResponsePayload(body, err)),
    }
}

/// Finds where a body fails to decode as `T`: the JSON path and the reason.
fn decode_failure<T: DeserializeOwned>(body: &[u8]) -> Option<(String, String)> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => None,
        Err(err) => Some((err.path().to_string(), err.into_inner().to_string())),
    }
}

/// The error for an answer that decoded but lacks something the facade needs (an id).
fn invalid_error(op: Op, invalid: Invalid) -> Error {
    DecodeError::new(
        op.label(),
        StatusCode::OK,
        invalid.path,
        invalid.reason,
        b"",
    )
    .into()
}
