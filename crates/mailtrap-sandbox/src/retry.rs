//! Retry policy.
//!
//! The client retries a failed request when trying again is both useful and safe:
//!
//! - **Useful**: the connection could not be made, the request timed out or the connection
//!   broke, or the API answered 429 (rate limited), 408 or 5xx.
//! - **Safe**: the request can be repeated without doing its work twice. `GET` and `DELETE`
//!   always can, and so can the `PATCH`es that set a state (clean a sandbox, mark all read,
//!   mark a message read or unread, update a sandbox or project). Sending, batch sending,
//!   creating, forwarding, toggling and resetting are never repeated once the request may
//!   have reached the server; a connection that could not even be opened is retried for
//!   every request, since nothing was sent.
//!
//! Waits grow exponentially from [`RetryPolicy::initial_backoff`] up to
//! [`RetryPolicy::max_backoff`], each with random jitter. After a 429 the client waits for
//! `Retry-After` when the answer has it, and otherwise for the rate-limit window
//! ([`RetryPolicy::rate_limit_window`], 10 s by default: Mailtrap allows 150 requests per
//! 10 s per token and sends no `Retry-After`).
//!
//! ```
//! use std::time::Duration;
//! use mailtrap_sandbox::RetryPolicy;
//!
//! let patient = RetryPolicy::default()
//!     .max_retries(5)
//!     .initial_backoff(Duration::from_millis(500));
//! let never = RetryPolicy::none();
//! assert_eq!(never.retries(), 0);
//! # let _ = patient;
//! ```

use std::time::Duration;

/// When and how long to wait before trying a request again. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    rate_limit_window: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Up to 3 retries, backoff from 250 ms to 8 s, a 10 s rate-limit window, and waits
    /// asked for by `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            rate_limit_window: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    ///
    /// ```
    /// use mailtrap_sandbox::{Client, RetryPolicy};
    ///
    /// // A test that checks how the application handles a failure sees the first one.
    /// let policy = RetryPolicy::none();
    /// let client = Client::builder().api_token("t").retry(policy).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request may be repeated after its first attempt (0 disables
    /// retries).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::{Client, RetryPolicy};
    ///
    /// let policy = RetryPolicy::default().max_retries(5);
    /// assert_eq!(policy.retries(), 5);
    /// let client = Client::builder().api_token("t").retry(policy).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry; each further retry waits twice as long, up to
    /// [`max_backoff`](Self::max_backoff).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::{Client, RetryPolicy};
    ///
    /// let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(50)); // 50, 100, 200 ms...
    /// let client = Client::builder().api_token("t").retry(policy).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest wait between two attempts (rate-limit waits excepted).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::{Client, RetryPolicy};
    ///
    /// let policy = RetryPolicy::default().max_backoff(Duration::from_secs(2));
    /// let client = Client::builder().api_token("t").retry(policy).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// How long to wait after a 429 that has no `Retry-After` header (10 s by default, the
    /// length of Mailtrap's rate-limit window).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::{Client, RetryPolicy};
    ///
    /// // A server of your own that allows 100 requests a minute and sends no `Retry-After`.
    /// let policy = RetryPolicy::default().rate_limit_window(Duration::from_secs(60));
    /// let client = Client::builder().api_token("t").retry(policy).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn rate_limit_window(mut self, window: Duration) -> Self {
        self.rate_limit_window = window;
        self
    }

    /// The longest `Retry-After` the client waits for; when the server asks for more, the
    /// error is returned at once (with [`Error::retry_after`](crate::Error::retry_after)
    /// set) rather than blocking for that long. 60 s by default.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::{Client, RetryPolicy};
    ///
    /// // A test must not sit out a long `Retry-After`: fail at once beyond 5 s.
    /// let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
    /// let client = Client::builder().api_token("t").retry(policy).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The number of retries allowed.
    ///
    /// ```
    /// use mailtrap_sandbox::RetryPolicy;
    ///
    /// assert_eq!(RetryPolicy::default().retries(), 3);
    /// assert_eq!(RetryPolicy::none().retries(), 0);
    /// ```
    #[must_use]
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (1 for the first), with jitter: a random value
    /// between half and all of the exponential backoff.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let half = full / 2;
        let spread = u64::try_from(half.as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(fastrand::u64(0..=spread))
    }

    /// The wait after a 429: `Retry-After` when given (`None` when it exceeds
    /// [`max_retry_after`](Self::max_retry_after)), else the rate-limit window.
    pub(crate) fn rate_limit_wait(&self, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.rate_limit_window),
        }
    }

    /// The wait after a retryable 5xx or 408: `Retry-After` when given and acceptable, else
    /// the exponential backoff.
    pub(crate) fn server_error_wait(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let tenth = policy.backoff(10);
            assert!(tenth >= Duration::from_millis(500) && tenth <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn rate_limit_wait_prefers_retry_after_within_bounds() {
        let policy = RetryPolicy::default().rate_limit_window(Duration::from_millis(30));
        assert_eq!(
            policy.rate_limit_wait(None),
            Some(Duration::from_millis(30))
        );
        assert_eq!(
            policy.rate_limit_wait(Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(policy.rate_limit_wait(Some(Duration::from_secs(600))), None);
    }
}
