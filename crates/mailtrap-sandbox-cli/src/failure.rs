//! What went wrong, for a person: one line saying what failed, one saying what to do, and the
//! exit code that goes with it.

use std::fmt;
use std::path::Path;

use mailtrap_sandbox::{ApiErrorKind, Delivery, Error, TransportError};

use crate::escape::inert;

/// The exit codes (documented in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitCode {
    /// Any other failure.
    Error = 1,
    /// Bad command line (clap uses 2 for its own usage errors too).
    Usage = 2,
    /// The API said 404.
    NotFound = 3,
    /// `wait` timed out, or a request did.
    Timeout = 4,
    /// No token, or the API rejected it (401) or forbids the operation (403).
    Auth = 5,
    /// The API answered 429 after the client's retries.
    RateLimited = 6,
}

/// A failure of a command: what failed, what to do, and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: ExitCode,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    /// The request was sent but its answer was lost: it may have been applied.
    pub(crate) maybe_applied: bool,
}

/// The result of a command.
pub(crate) type CliResult<T = ()> = Result<T, Failure>;

impl Failure {
    /// A failure with exit code 1.
    pub(crate) fn error(message: impl Into<String>) -> Self {
        Self {
            code: ExitCode::Error,
            message: message.into(),
            hint: None,
            maybe_applied: false,
        }
    }

    /// A failure with the given exit code.
    pub(crate) fn new(code: ExitCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: None,
            maybe_applied: false,
        }
    }

    /// Adds what to do about it.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// No API token was given.
    pub(crate) fn missing_token() -> Self {
        Self::new(ExitCode::Auth, "no API token given").hint(
            "set MAILTRAP_API_TOKEN or pass --token (create a token in Mailtrap under Settings → API Tokens)",
        )
    }

    /// A local file could not be read or written.
    pub(crate) fn file(action: &str, path: &Path, err: &std::io::Error) -> Self {
        Self::error(format!("could not {action} {}: {err}", path.display()))
    }

    /// A facade error, while doing `action` ("get sandbox 42").
    pub(crate) fn api(action: &str, err: &Error) -> Self {
        let what = format!("could not {action}");
        match err {
            Error::Api(api) => {
                let mut said: Vec<String> = api.messages().to_vec();
                for (field, messages) in api.field_errors() {
                    said.push(format!("{field} {}", messages.join(", ")));
                }
                let said = if said.is_empty() {
                    String::new()
                } else {
                    format!(": {}", said.join("; "))
                };
                let status = api.status();
                let base = format!(
                    "{what}: {} ({status} on {}){said}",
                    kind_words(api.kind()),
                    api.request()
                );
                match api.kind() {
                    ApiErrorKind::NotFound => Self::new(ExitCode::NotFound, base)
                        .hint("check the id; the list commands (`projects list`, `sandboxes list`, `messages list --sandbox ID`) show what this token can see"),
                    ApiErrorKind::Unauthorized => Self::new(ExitCode::Auth, base).hint(
                        "check the token given with --token or MAILTRAP_API_TOKEN, and that it is still active",
                    ),
                    ApiErrorKind::Forbidden => Self::new(ExitCode::Auth, base).hint(
                        "give the token access to this resource in Mailtrap (Settings → API Tokens)",
                    ),
                    ApiErrorKind::RateLimited => Self::new(ExitCode::RateLimited, base).hint(
                        "Mailtrap allows 150 requests per 10 seconds per token; wait a little and try again",
                    ),
                    ApiErrorKind::MissingPart => Self::error(base)
                        .hint("the message was sent without this part; try another --format"),
                    ApiErrorKind::Server => Self::error(base).hint("try again later"),
                    ApiErrorKind::Unsuccessful => Self::error(base)
                        .hint("nothing was done: correct what the API names above and try again"),
                    _ => Self::error(base),
                }
            }
            // The timeout says what was awaited, where, and what was seen instead.
            // The advice names this command's flags, not the SDK's methods.
            Error::WaitTimeout(timeout) => {
                let hint = match &timeout.outside_match {
                    Some(outside) => match outside.received_at {
                        Some(at) => format!(
                            "to include message {}, add --since {} (or widen the window with \
                             --look-back)",
                            outside.id,
                            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        ),
                        None => format!(
                            "to include message {}, add --since {}",
                            outside.id,
                            outside.id.get().saturating_sub(1)
                        ),
                    },
                    None if timeout.last_error.is_some() && timeout.seen == 0 => {
                        "the API did not answer as expected (see the last error): check \
                         --base-url and the API (-v traces the requests), or raise --timeout"
                            .to_owned()
                    }
                    None => "raise --timeout, or check the filter and that the message was sent \
                             to this sandbox"
                        .to_owned(),
                };
                Self::new(ExitCode::Timeout, timeout.summary()).hint(hint)
            }
            Error::NotSent(failure) | Error::MaybeApplied(failure) => {
                Self::transport(&what, failure)
            }
            Error::InvalidArgument(reason) => {
                Self::new(ExitCode::Usage, format!("{what}: {reason}"))
            }
            Error::MissingConfiguration { .. } => Self::missing_token(),
            Error::InvalidConfiguration { .. } => {
                Self::new(ExitCode::Usage, format!("{what}: {err}"))
            }
            _ => Self::error(format!("{what}: {err}")),
        }
    }
}

impl Failure {
    /// A request that failed on the way: whether anything reached the server decides what
    /// the user may do next (repeat it, or check first).
    fn transport(what: &str, failure: &TransportError) -> Self {
        let timed_out = failure.timed_out();
        let code = if timed_out {
            ExitCode::Timeout
        } else {
            ExitCode::Error
        };
        let detail = std::error::Error::source(failure).map_or_else(String::new, cause_chain);
        if failure.delivery() == Delivery::NotSent {
            let how = if timed_out {
                "could not connect in time"
            } else {
                "could not connect"
            };
            return Self::new(code, format!("{what}: {how}, nothing was sent ({detail})")).hint(
                "check --base-url / --send-base-url (MAILTRAP_BASE_URL / MAILTRAP_SEND_BASE_URL) \
                 and the network, then try again",
            );
        }
        let how = if timed_out {
            "no answer within the request timeout"
        } else {
            "the request was sent but the answer was lost"
        };
        let slow = if timed_out {
            "; raise --request-timeout (MAILTRAP_TIMEOUT) if the API is slow"
        } else {
            ""
        };
        if failure.repeat_safe() {
            // A read, a delete or a state-setting update: repeating it is harmless.
            let attempts = failure.attempts();
            let tries = if attempts == 1 {
                String::new()
            } else {
                format!(" ({attempts} attempts)")
            };
            return Self::new(code, format!("{what}: {how}{tries} ({detail})"))
                .hint(format!("it is safe to repeat: try again{slow}"));
        }
        let hint = if timed_out {
            "it may have been applied: check before repeating it (`list`/`get` commands); \
             raise --request-timeout (MAILTRAP_TIMEOUT) if the API is slow"
        } else {
            "it may have been applied: check before repeating it (`list`/`get` commands)"
        };
        let mut failure = Self::new(
            code,
            format!("{what}: {how}, it may have been applied ({detail})"),
        )
        .hint(hint);
        failure.maybe_applied = true;
        failure
    }
}

/// An error and its causes, `a: b: c`, without repeats.
fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// What an API error kind means, in a few words.
fn kind_words(kind: ApiErrorKind) -> &'static str {
    match kind {
        ApiErrorKind::Unauthorized => "the API rejected the token",
        ApiErrorKind::Forbidden => "the token is not allowed to do this",
        ApiErrorKind::NotFound => "not found",
        ApiErrorKind::Conflict => "conflict with the resource's state",
        ApiErrorKind::MissingPart => "the message has no such part",
        ApiErrorKind::Validation => "refused as invalid",
        ApiErrorKind::RateLimited => "rate limited",
        ApiErrorKind::Server => "the API failed",
        ApiErrorKind::Unsuccessful => "the API answered success: false",
        _ => "unexpected answer",
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages quote servers and mail (API error messages, subjects): one line each,
        // control characters escaped.
        write!(f, "error: {}", inert(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {}", inert(hint))?;
        }
        Ok(())
    }
}

/// Attaches what was being done to a facade result.
pub(crate) trait Doing<T> {
    /// Turns the error into a [`Failure`] saying what failed.
    fn doing(self, action: impl FnOnce() -> String) -> CliResult<T>;
}

impl<T> Doing<T> for Result<T, Error> {
    fn doing(self, action: impl FnOnce() -> String) -> CliResult<T> {
        self.map_err(|err| Failure::api(&action(), &err))
    }
}
