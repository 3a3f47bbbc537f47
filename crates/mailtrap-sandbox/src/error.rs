//! The crate's error type.
//!
//! Every fallible call returns [`Result<T>`](crate::Result), whose error is [`Error`]. API
//! errors (any non-2xx answer) carry an [`ApiError`] with the status, an [`ApiErrorKind`], the
//! messages the server gave, rate-limit figures and the raw body. Helpers answer the usual
//! questions without matching: [`Error::status`], [`Error::is_not_found`],
//! [`Error::is_retryable`], [`Error::retry_after`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
//! # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
//! # let sandbox = client.sandbox(emulator.sandbox().id);
//! match client.sandbox(42).get().await {
//!     Ok(sandbox) => println!("{} has {} messages", sandbox.name, sandbox.emails_count),
//!     Err(err) if err.is_not_found() => println!("no such sandbox"),
//!     Err(err) => return Err(err.into()),
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Result alias whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many characters of a body an error message shows at most.
const SNIPPET_CHARS: usize = 200;

/// Everything that can go wrong talking to Mailtrap.
///
/// `Debug` prints the same as `Display` followed by the causes, so that a test or `main`
/// returning this error shows the message written for a person:
///
/// ```
/// let err = mailtrap_sandbox::Client::builder().build().unwrap_err(); // no API token
/// assert_eq!(format!("{err:?}"), err.to_string());
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (4xx, 5xx), or said it failed in a success
    /// answer (`{"success": false, "errors": [...]}`, kind
    /// [`ApiErrorKind::Unsuccessful`]). See [`ApiError`].
    #[error(transparent)]
    Api(Box<ApiError>),

    /// Nothing reached the server: the connection could not be opened (DNS, refused
    /// connection, TLS, connect timeout). Trying again is safe, even for a send.
    #[error(transparent)]
    NotSent(Box<TransportError>),

    /// The request was sent but its answer was lost (timeout, reset, truncated body): the
    /// server may have applied it. Requests that are safe to repeat were already retried;
    /// a send, create or forward was not (see [`TransportError`] for what to do).
    #[error(transparent)]
    MaybeApplied(Box<TransportError>),

    /// A success answer whose body does not have the expected shape.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// Some emails of a batch were refused (others may have been sent: their ids are kept).
    /// See [`BatchError`](crate::models::BatchError).
    #[error(transparent)]
    Batch(Box<crate::models::BatchError>),

    /// An argument given to this crate was refused before anything was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// A required setting was not given (an API token, for instance).
    #[error("missing configuration: {name} is not set. {hint}")]
    #[non_exhaustive]
    MissingConfiguration {
        /// The setting or environment variable, `MAILTRAP_API_TOKEN` for instance.
        name: &'static str,
        /// What to do about it.
        hint: &'static str,
    },

    /// A setting has a value that cannot work (a malformed base URL, for instance).
    #[error("invalid configuration: {name}: {reason}")]
    #[non_exhaustive]
    InvalidConfiguration {
        /// The setting or environment variable.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    // The two variants below were added by F2 for the email-testing helpers (`wait`,
    // `download`); minimal additions, owned by F1 like the rest of this file.
    /// [`wait_for`](crate::resources::SandboxHandle::wait_for) saw no matching message
    /// before its timeout. See [`WaitTimeout`](crate::wait::WaitTimeout) for what it saw.
    #[error(transparent)]
    WaitTimeout(Box<crate::wait::WaitTimeout>),

    /// A message holds unrendered template placeholders
    /// ([`MessageHandle::check_placeholders`](crate::resources::MessageHandle::check_placeholders)):
    /// each one and where it is.
    #[error("{0}")]
    Placeholders(Box<crate::extract::UnrenderedPlaceholders>),

    /// A local file could not be read or written (saving a download, for instance).
    #[error("could not {action} {}: {source}", path.display())]
    #[non_exhaustive]
    Io {
        /// What was being done: `create`, `write`, `rename`...
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An [`Error::InvalidArgument`] with the given explanation (crate-internal helper for
    /// validation failures: say what was wrong and, where it helps, what to do).
    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::InvalidArgument(message.into())
    }

    /// The HTTP status, when the error came from an answer of the API.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let err = client.sandbox(999_999).get().await.unwrap_err();
    /// assert_eq!(err.status().map(|status| status.as_u16()), Some(404));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Decode(decode) => Some(decode.status),
            _ => None,
        }
    }

    /// The API error, when the API answered with an error status.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let err = client.sandbox(999_999).get().await.unwrap_err();
    /// let api = err.api().ok_or("not an answer of the API")?;
    /// println!("{} on {}: {:?}", api.status(), api.request(), api.messages());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The kind of API error, when the API answered with an error status.
    ///
    /// ```
    /// use mailtrap_sandbox::ApiErrorKind;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let err = sandbox.update().name("").send().await.unwrap_err();
    /// assert_eq!(err.kind(), Some(ApiErrorKind::Validation));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn kind(&self) -> Option<ApiErrorKind> {
        self.api().map(ApiError::kind)
    }

    /// Whether the API said the resource does not exist (404).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// match client.sandbox(999_999).get().await {
    ///     Err(err) if err.is_not_found() => println!("no such sandbox"),
    ///     other => panic!("expected 404, got {other:?}"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.kind() == Some(ApiErrorKind::NotFound)
    }

    /// Whether trying again later may succeed: rate limiting (429), server errors (5xx,
    /// 408), timeouts and connection failures. The client already retries these for requests
    /// that are safe to repeat (see [`RetryPolicy`](crate::RetryPolicy)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let refused = closed.sandbox(1).get().await.unwrap_err(); // could not connect
    /// assert!(refused.is_retryable());
    /// let missing = client.sandbox(999_999).get().await.unwrap_err(); // 404
    /// assert!(!missing.is_retryable());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => is_retryable_status(api.status),
            Self::NotSent(_) => true,
            Self::MaybeApplied(err) => err.repeat_safe,
            _ => false,
        }
    }

    /// Whether a request, or a wait, ran out of time (a [`WaitTimeout`](Self::WaitTimeout),
    /// or a request that timed out before or after it was sent).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let wait = sandbox.wait_for(MessageFilter::new().subject("Never sent"));
    /// let err = wait.timeout(Duration::from_millis(100)).send().await.unwrap_err();
    /// assert!(err.is_timeout());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::WaitTimeout(_) => true,
            Self::NotSent(err) | Self::MaybeApplied(err) => err.timed_out,
            _ => false,
        }
    }

    /// The transport failure, for [`NotSent`](Self::NotSent) and
    /// [`MaybeApplied`](Self::MaybeApplied).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let err = closed.sandbox(1).get().await.unwrap_err();
    /// let failure = err.transport().ok_or("not a transport failure")?;
    /// assert!(!failure.timed_out());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn transport(&self) -> Option<&TransportError> {
        match self {
            Self::NotSent(err) | Self::MaybeApplied(err) => Some(err),
            _ => None,
        }
    }

    /// Whether the request certainly did not reach the server ([`NotSent`](Self::NotSent),
    /// or refused before sending: an invalid argument or configuration).
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Hi").text("Hi");
    /// let err = closed.sandbox(1).send(email).await.unwrap_err();
    /// assert!(err.nothing_sent()); // safe to send again
    /// let invalid = sandbox.send(Email::new().to("not an address")).await.unwrap_err();
    /// assert!(invalid.nothing_sent()); // refused before any request
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn nothing_sent(&self) -> bool {
        matches!(
            self,
            Self::NotSent(_)
                | Self::InvalidArgument(_)
                | Self::MissingConfiguration { .. }
                | Self::InvalidConfiguration { .. }
        )
    }

    /// Whether the request reached the server but its answer was lost, so it may have been
    /// applied ([`MaybeApplied`](Self::MaybeApplied)).
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let drop_sends = serde_json::json!({"kind": "drop", "method": "POST", "path_prefix": "/api/send"});
    /// # emulator.add_fault(serde_json::from_value(drop_sends)?)?; // the connection closes unanswered
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Hi").text("Hi");
    /// let err = sandbox.send(email).await.unwrap_err();
    /// assert!(err.maybe_applied()); // look in the sandbox before sending again
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn maybe_applied(&self) -> bool {
        matches!(self, Self::MaybeApplied(_))
    }

    /// How long the API asked to wait before trying again (`Retry-After`), when it did.
    ///
    /// ```
    /// use std::time::Duration;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let slow_down = serde_json::json!({"kind": "fail", "status": 429, "headers": {"Retry-After": "120"}});
    /// # emulator.add_fault(serde_json::from_value(slow_down)?)?; // more than the policy waits for
    /// let err = sandbox.get().await.unwrap_err();
    /// assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|api| api.retry_after)
    }
}

impl fmt::Debug for Error {
    /// The `Display` message, then each cause not already part of it: what a person should
    /// read when a test or `main` returns the error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.to_string();
        f.write_str(&shown)?;
        let mut source = std::error::Error::source(self);
        let mut first = true;
        while let Some(cause) = source {
            let text = cause.to_string();
            if !shown.contains(&text) {
                if first {
                    f.write_str("\n\nCaused by:")?;
                    first = false;
                }
                write!(f, "\n    {text}")?;
            }
            source = cause.source();
        }
        Ok(())
    }
}

/// Where a request stood when its connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// The connection could not be opened: the server never saw the request.
    NotSent,
    /// The request was (or may have been) written, and the answer did not arrive whole.
    MaybeApplied,
}

/// A request whose connection failed: which request, whether it may have been applied, and
/// the cause. Carried by [`Error::NotSent`] and [`Error::MaybeApplied`].
#[derive(Debug)]
pub struct TransportError {
    request: String,
    delivery: Delivery,
    timed_out: bool,
    repeat_safe: bool,
    attempts: u32,
    source: reqwest::Error,
}

impl TransportError {
    /// Classifies a `reqwest` failure of `request` (`POST /api/send/{sandbox_id}`):
    /// a failed connect is [`Delivery::NotSent`], anything later
    /// [`Delivery::MaybeApplied`].
    pub(crate) fn new(
        request: String,
        repeat_safe: bool,
        attempts: u32,
        err: reqwest::Error,
    ) -> Self {
        let err = err.without_url();
        let delivery = if err.is_connect() {
            Delivery::NotSent
        } else {
            Delivery::MaybeApplied
        };
        Self {
            request,
            delivery,
            timed_out: err.is_timeout(),
            repeat_safe,
            attempts,
            source: err,
        }
    }

    /// Whether the request went to the sending API (`POST /api/send/...`, `/api/batch/...`).
    fn is_sending(&self) -> bool {
        self.request.contains(" /api/send/") || self.request.contains(" /api/batch/")
    }

    /// Wraps it in the [`Error`] variant its delivery calls for.
    pub(crate) fn into_error(self) -> Error {
        match self.delivery {
            Delivery::NotSent => Error::NotSent(Box::new(self)),
            Delivery::MaybeApplied => Error::MaybeApplied(Box::new(self)),
        }
    }

    /// The request, as method and path template.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let err = closed.sandbox(1).get().await.unwrap_err(); // could not connect
    /// let transport = err.transport().ok_or("not a transport error")?;
    /// assert_eq!(transport.request(), "GET /api/sandboxes/{sandbox_id}");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn request(&self) -> &str {
        &self.request
    }

    /// Whether the server may have seen the request.
    ///
    /// ```
    /// use mailtrap_sandbox::Delivery;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let err = closed.sandbox(1).get().await.unwrap_err(); // could not connect
    /// let transport = err.transport().ok_or("not a transport error")?;
    /// assert_eq!(transport.delivery(), Delivery::NotSent); // safe to send again
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// Whether the failure was a timeout (of the connect, or of the whole request).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let err = closed.sandbox(1).get().await.unwrap_err(); // could not connect
    /// let transport = err.transport().ok_or("not a transport error")?;
    /// assert!(!transport.timed_out()); // refused at once
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Whether the request is safe to repeat (reads, deletes, state-setting updates).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let err = closed.sandbox(1).get().await.unwrap_err(); // could not connect
    /// let transport = err.transport().ok_or("not a transport error")?;
    /// assert!(transport.repeat_safe()); // a read
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn repeat_safe(&self) -> bool {
        self.repeat_safe
    }

    /// How many attempts were made.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let closed = mailtrap_sandbox::Client::builder().api_token("t").base_url("http://127.0.0.1:9")
    /// #     .retry(mailtrap_sandbox::RetryPolicy::none()).build()?; // nothing listens on port 9
    /// let err = closed.sandbox(1).get().await.unwrap_err(); // could not connect
    /// let transport = err.transport().ok_or("not a transport error")?;
    /// assert_eq!(transport.attempts(), 1); // this client never retries
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cause = chain(&self.source);
        let tries = match self.attempts {
            0 | 1 => String::new(),
            n => format!(" ({n} attempts)"),
        };
        match self.delivery {
            Delivery::NotSent => {
                // Sends go to their own host: name the setting this request used.
                let (method, variable) = if self.is_sending() {
                    ("ClientBuilder::send_base_url", "MAILTRAP_SEND_BASE_URL")
                } else {
                    ("ClientBuilder::base_url", "MAILTRAP_BASE_URL")
                };
                write!(
                    f,
                    "could not connect to the Mailtrap API for {}{tries}: nothing was sent \
                     ({cause}). Check the base URL ({method}, {variable}) and the network; \
                     trying again is safe",
                    self.request
                )?;
                if self.timed_out {
                    f.write_str(
                        "; if the network is slow, raise the connect timeout \
                         (ClientBuilder::connect_timeout)",
                    )?;
                }
            }
            Delivery::MaybeApplied => {
                let what = if self.timed_out {
                    "no answer came in time"
                } else {
                    "the answer was lost"
                };
                write!(
                    f,
                    "{} was sent but {what}{tries}: it may have been applied ({cause}). ",
                    self.request
                )?;
                if self.repeat_safe {
                    f.write_str("It is safe to try again")?;
                } else {
                    f.write_str(
                        "It was not repeated, so that it cannot be applied twice: check whether \
                         it took effect (for a send, look for the message in the sandbox) \
                         before trying again",
                    )?;
                }
                if self.timed_out {
                    f.write_str(
                        "; if the API is slow, raise the request timeout \
                         (ClientBuilder::timeout)",
                    )?;
                }
            }
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Whether a status is worth retrying: 408, 429 and every 5xx.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

/// Renders an error and its sources, `a: b: c`, skipping repeats.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            let _ = write!(out, ": {text}");
        }
        source = cause.source();
    }
    out
}

/// What kind of error status the API answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 401: the API token is missing, wrong or revoked.
    Unauthorized,
    /// 403: the token may not do this (or the CDN refused the request).
    Forbidden,
    /// 404: the project, sandbox, message or other resource does not exist (or the token
    /// cannot see it).
    NotFound,
    /// 409 from anything but a body endpoint.
    Conflict,
    /// 409 from a body endpoint (`body.html`, `body.txt`, ...): the message has no such part,
    /// an HTML body for a text-only message for instance.
    MissingPart,
    /// 400 or 422: the request was refused as invalid; see [`ApiError::field_errors`] and
    /// [`ApiError::messages`].
    Validation,
    /// 429: too many requests (150 per 10 seconds per token on `mailtrap.io`).
    RateLimited,
    /// 5xx: a failure on Mailtrap's side.
    Server,
    /// A success status (200) whose body says the request failed (`"success": false`):
    /// the API's messages are in [`ApiError::messages`].
    Unsuccessful,
    /// Any other status.
    Other,
}

impl ApiErrorKind {
    /// The kind for a status; `body_part` marks the body endpoints, whose 409 means the part
    /// does not exist.
    pub(crate) fn from_status(status: StatusCode, body_part: bool) -> Self {
        match status.as_u16() {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            409 if body_part => Self::MissingPart,
            409 => Self::Conflict,
            400 | 422 => Self::Validation,
            429 => Self::RateLimited,
            500..=599 => Self::Server,
            _ => Self::Other,
        }
    }
}

/// Rate-limit figures from an answer's `X-Ratelimit-Limit` and `X-Ratelimit-Remaining`
/// headers (`mailtrap.io` sends them on every answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitInfo {
    /// Requests allowed per window (150).
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
}

impl RateLimitInfo {
    /// Reads the headers; `None` when neither is present.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
        };
        let info = Self {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
        };
        (info.limit.is_some() || info.remaining.is_some()).then_some(info)
    }
}

/// Reads `Retry-After`: seconds, or an HTTP date (then the time left until it).
pub(crate) fn retry_after_from(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let left = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(left.to_std().unwrap_or(Duration::ZERO))
}

/// An error answer of the API: status, kind, what the server said, and the raw body.
///
/// `Display` gives a sentence for a person with a bounded excerpt of the body, never the
/// whole body; [`ApiError::body`] has all of it.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: ApiErrorKind,
    request: String,
    messages: Vec<String>,
    field_errors: BTreeMap<String, Vec<String>>,
    rate_limit: Option<RateLimitInfo>,
    retry_after: Option<Duration>,
    content_type: Option<String>,
    body: Bytes,
}

impl ApiError {
    /// Builds the error from an answer's parts. `request` names the request in messages
    /// (`GET /api/sandboxes/{sandbox_id}`); `body_part` marks the body endpoints.
    pub(crate) fn from_parts(
        request: String,
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
        body_part: bool,
    ) -> Self {
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let parsed = ParsedBody::parse(&body, content_type.as_deref());
        Self {
            status,
            kind: ApiErrorKind::from_status(status, body_part),
            request,
            messages: parsed.messages,
            field_errors: parsed.field_errors,
            rate_limit: RateLimitInfo::from_headers(headers),
            retry_after: retry_after_from(headers),
            content_type,
            body,
        }
    }

    /// The error for a success answer whose body says the request failed
    /// (`"success": false`); `body` is the answer, whose messages are read as for an error
    /// status.
    pub(crate) fn unsuccessful(request: String, status: StatusCode, body: Bytes) -> Self {
        let parsed = ParsedBody::parse(&body, Some("application/json"));
        Self {
            status,
            kind: ApiErrorKind::Unsuccessful,
            request,
            messages: parsed.messages,
            field_errors: parsed.field_errors,
            rate_limit: None,
            retry_after: None,
            content_type: Some("application/json".to_owned()),
            body,
        }
    }

    /// The HTTP status.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// assert_eq!(api.status(), 404);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What kind of error this is.
    ///
    /// ```
    /// use mailtrap_sandbox::ApiErrorKind;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// assert_eq!(api.kind(), ApiErrorKind::NotFound);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The request that failed, as method and path template (`GET /api/sandboxes/{sandbox_id}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// assert_eq!(api.request(), "GET /api/sandboxes/{sandbox_id}");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn request(&self) -> &str {
        &self.request
    }

    /// The messages the server gave (`{"error": ...}`, `{"errors": ...}`, a text body),
    /// without the per-field ones.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// println!("{}", api.messages().join("; "));
    /// # assert!(!api.messages().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// Validation messages per field (`{"errors": {"name": ["can't be blank"]}}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.projects().create("Q").await.unwrap_err(); // names are 2 to 100 characters
    /// let api = err.api().ok_or("not an API error")?;
    /// assert!(api.field_errors()["name"][0].contains("too short"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn field_errors(&self) -> &BTreeMap<String, Vec<String>> {
        &self.field_errors
    }

    /// Rate-limit figures of the answer, when it had the headers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// if let Some(limit) = api.rate_limit() {
    ///     println!("{:?} of {:?} requests left in this window", limit.remaining, limit.limit);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        self.rate_limit
    }

    /// How long the server asked to wait (`Retry-After`), when it did.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// assert_eq!(api.retry_after(), None); // a 404 asks for no wait
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The answer's `Content-Type`, when it had one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// assert!(api.content_type().is_some_and(|value| value.starts_with("application/json")));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The raw body of the answer.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let err = client.sandbox(999_999).get().await.unwrap_err(); // no such sandbox
    /// let api = err.api().ok_or("not an API error")?;
    /// println!("{}", String::from_utf8_lossy(api.body()));
    /// # assert!(!api.body().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The server's messages in one line: the general ones, then `field: message` pairs.
    fn summary(&self) -> Option<String> {
        let mut parts: Vec<String> = self.messages.clone();
        for (field, messages) in &self.field_errors {
            parts.push(format!("{field}: {}", messages.join(", ")));
        }
        (!parts.is_empty()).then(|| truncate(&parts.join("; "), 4 * SNIPPET_CHARS))
    }

    /// What the body looks like when it held no message.
    fn body_description(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            "empty body".to_owned()
        } else if looks_like_html(self.content_type.as_deref(), trimmed) {
            format!(
                "an HTML page of {} bytes instead of JSON (likely from a proxy or CDN in front \
                 of the API)",
                self.body.len()
            )
        } else {
            format!("body: {}", truncate(trimmed, SNIPPET_CHARS))
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ApiErrorKind::Unauthorized => "Mailtrap rejected the API token",
            ApiErrorKind::Forbidden => "the API token is not allowed to do this",
            ApiErrorKind::NotFound => "not found",
            ApiErrorKind::Conflict => "the request conflicts with the resource's state",
            ApiErrorKind::MissingPart => "the message has no such part",
            ApiErrorKind::Validation => "the request was refused as invalid",
            ApiErrorKind::RateLimited => "rate limit reached",
            ApiErrorKind::Server => "Mailtrap failed to handle the request",
            ApiErrorKind::Unsuccessful => "the API said the request failed",
            ApiErrorKind::Other => "unexpected answer",
        };
        write!(f, "{what} ({} on {})", self.status, self.request)?;
        match self.summary() {
            Some(summary) => write!(f, ": {summary}")?,
            None => write!(f, " ({})", self.body_description())?,
        }
        match self.kind {
            ApiErrorKind::Unauthorized => f.write_str(
                ". Check MAILTRAP_API_TOKEN (or the token given to ClientBuilder::api_token) \
                 and that the token is still active",
            )?,
            ApiErrorKind::Forbidden => f.write_str(
                ". Give the token access to this resource in Mailtrap's API token settings",
            )?,
            ApiErrorKind::NotFound => {
                f.write_str(". Check the ids, and that the token's account can see them")?;
            }
            ApiErrorKind::MissingPart => {
                f.write_str(". The message was sent without this part")?;
            }
            ApiErrorKind::RateLimited => match (self.retry_after, self.rate_limit) {
                (Some(wait), _) => write!(f, ". Retry after {} s", wait.as_secs())?,
                (
                    None,
                    Some(RateLimitInfo {
                        limit: Some(limit), ..
                    }),
                ) => write!(
                    f,
                    ". The limit is {limit} requests per window; slow down or enable the \
                     client's rate limiter (ClientBuilder::rate_limit)"
                )?,
                _ => f.write_str(
                    ". Slow down or enable the client's rate limiter (ClientBuilder::rate_limit)",
                )?,
            },
            ApiErrorKind::Server => f.write_str(". Try again later")?,
            ApiErrorKind::Unsuccessful => f.write_str(
                ". The API reports that it did not do it: correct what it names and try again",
            )?,
            _ => {}
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for Error {
    fn from(err: ApiError) -> Self {
        Self::Api(Box::new(err))
    }
}

/// A success answer whose body could not be decoded.
#[derive(Debug, Clone)]
pub struct DecodeError {
    request: String,
    status: StatusCode,
    path: String,
    reason: String,
    snippet: String,
}

impl DecodeError {
    /// Builds the error; the body is kept as a bounded snippet only.
    pub(crate) fn new(
        request: String,
        status: StatusCode,
        path: String,
        reason: String,
        body: &[u8],
    ) -> Self {
        let text = String::from_utf8_lossy(body);
        Self {
            request,
            status,
            path,
            reason,
            snippet: truncate(text.trim(), SNIPPET_CHARS),
        }
    }

    /// The request whose answer failed to decode.
    ///
    /// ```
    /// use mailtrap_sandbox::Error;
    /// use mailtrap_sandbox_emulator::FaultSpec;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// // A server that answers 200 with a body of the wrong shape.
    /// let wrong = serde_json::json!({"id": "seven", "name": "Checkout"});
    /// emulator.add_fault(FaultSpec::fail(200).with_body(wrong).path_prefix("/api/sandboxes/"))?;
    /// let err = client.sandbox(7).get().await.unwrap_err();
    /// let Error::Decode(decode) = err else { return Err(err.into()) };
    /// assert_eq!(decode.request(), "GET /api/sandboxes/{sandbox_id}");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn request(&self) -> &str {
        &self.request
    }

    /// Where in the JSON document decoding failed, `[3].created_at` for instance (`.` for
    /// the document itself).
    ///
    /// ```
    /// use mailtrap_sandbox::Error;
    /// use mailtrap_sandbox_emulator::FaultSpec;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// // A server that answers 200 with a body of the wrong shape.
    /// let wrong = serde_json::json!({"id": "seven", "name": "Checkout"});
    /// emulator.add_fault(FaultSpec::fail(200).with_body(wrong).path_prefix("/api/sandboxes/"))?;
    /// let err = client.sandbox(7).get().await.unwrap_err();
    /// let Error::Decode(decode) = err else { return Err(err.into()) };
    /// assert_eq!(decode.path(), "id");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Why it failed.
    ///
    /// ```
    /// use mailtrap_sandbox::Error;
    /// use mailtrap_sandbox_emulator::FaultSpec;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// // A server that answers 200 with a body of the wrong shape.
    /// let wrong = serde_json::json!({"id": "seven", "name": "Checkout"});
    /// emulator.add_fault(FaultSpec::fail(200).with_body(wrong).path_prefix("/api/sandboxes/"))?;
    /// let err = client.sandbox(7).get().await.unwrap_err();
    /// let Error::Decode(decode) = err else { return Err(err.into()) };
    /// println!("{}", decode.reason()); // invalid type: string "seven", expected ...
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The beginning of the body (empty when the body decoded but lacked something).
    ///
    /// ```
    /// use mailtrap_sandbox::Error;
    /// use mailtrap_sandbox_emulator::FaultSpec;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// // A server that answers 200 with a body of the wrong shape.
    /// let wrong = serde_json::json!({"id": "seven", "name": "Checkout"});
    /// emulator.add_fault(FaultSpec::fail(200).with_body(wrong).path_prefix("/api/sandboxes/"))?;
    /// let err = client.sandbox(7).get().await.unwrap_err();
    /// let Error::Decode(decode) = err else { return Err(err.into()) };
    /// assert!(decode.snippet().contains("seven"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn snippet(&self) -> &str {
        &self.snippet
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the answer to {} ({}): at `{}`: {}",
            self.request, self.status, self.path, self.reason
        )?;
        if !self.snippet.is_empty() {
            write!(f, "; the body starts with: {}", self.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

impl From<DecodeError> for Error {
    fn from(err: DecodeError) -> Self {
        Self::Decode(Box::new(err))
    }
}

/// The messages found in an error body.
#[derive(Debug, Default)]
struct ParsedBody {
    messages: Vec<String>,
    field_errors: BTreeMap<String, Vec<String>>,
}

impl ParsedBody {
    /// Reads every error body form seen: `{"error": ".."}`, `{"errors": {"field": [..] | ".."}}`,
    /// `{"errors": ".."}`, `{"errors": [..]}` (with or without `"success": false`),
    /// `{"message": ".."}`, a bare JSON array or string, and plain text. HTML pages and
    /// empty bodies give nothing.
    fn parse(body: &[u8], content_type: Option<&str>) -> Self {
        let mut parsed = Self::default();
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            parsed.read_json(&value);
            return parsed;
        }
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if !text.is_empty() && !looks_like_html(content_type, text) {
            parsed.messages.push(truncate(text, SNIPPET_CHARS));
        }
        parsed
    }

    fn read_json(&mut self, value: &serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                for key in ["error", "errors", "message"] {
                    match map.get(key) {
                        Some(Value::Object(fields)) => {
                            for (field, messages) in fields {
                                let list = self.field_errors.entry(field.clone()).or_default();
                                push_strings(list, messages);
                            }
                        }
                        Some(other) => push_strings(&mut self.messages, other),
                        None => {}
                    }
                }
            }
            Value::Array(_) | Value::String(_) => push_strings(&mut self.messages, value),
            _ => {}
        }
    }
}

/// Appends the strings of a JSON value: a string, an array of values, or anything else as
/// JSON text. `null` adds nothing.
fn push_strings(out: &mut Vec<String>, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => {}
        Value::String(text) => {
            if !text.trim().is_empty() {
                out.push(text.clone());
            }
        }
        Value::Array(items) => {
            for item in items {
                push_strings(out, item);
            }
        }
        other => out.push(other.to_string()),
    }
}

/// Whether a body is an HTML page (by media type or by its first characters).
fn looks_like_html(content_type: Option<&str>, text: &str) -> bool {
    let by_type = content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("text/html"))
    });
    let head: String = text
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    by_type || head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// At most `max` characters of `text`, with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, content_type: &str, body: &str) -> ApiError {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::CONTENT_TYPE, content_type.parse().unwrap());
        ApiError::from_parts(
            "GET /api/projects".to_owned(),
            StatusCode::from_u16(status).unwrap(),
            &headers,
            Bytes::from(body.to_owned()),
            false,
        )
    }

    #[test]
    fn field_values_may_be_single_strings() {
        let err = api(
            422,
            "application/json",
            r#"{"errors":{"name":"is taken","base":["a","b"]}}"#,
        );
        assert_eq!(err.field_errors()["name"], vec!["is taken"]);
        assert_eq!(err.field_errors()["base"], vec!["a", "b"]);
        assert_eq!(err.kind(), ApiErrorKind::Validation);
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x".repeat(5000);
        let err = api(502, "text/plain", &body);
        let shown = err.to_string();
        assert!(shown.len() < 600, "{shown}");
        assert_eq!(err.body().len(), 5000);
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hé", 2), "hé");
    }
}
