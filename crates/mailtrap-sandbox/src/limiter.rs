//! Client-side rate limiter (off by default).
//!
//! Mailtrap allows 150 requests per 10 seconds per token and answers 429 beyond that. When
//! many tasks share one client (and its clones), [`ClientBuilder::rate_limit`] keeps them
//! under the limit before the server has to refuse anything: each request takes a slot in
//! a sliding window and waits when the window is full.
//!
//! [`ClientBuilder::rate_limit`]: crate::ClientBuilder::rate_limit

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// A request budget: at most `requests` per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    requests: u32,
    window: Duration,
}

impl RateLimit {
    /// At most `requests` requests in any `window`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::{Client, RateLimit};
    ///
    /// // A token shared with another job: keep to half of Mailtrap's limit.
    /// let half = RateLimit::new(75, Duration::from_secs(10));
    /// let client = Client::builder().api_token("t").rate_limit(half).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn new(requests: u32, window: Duration) -> Self {
        Self { requests, window }
    }

    /// Mailtrap's documented limit: 150 requests per 10 seconds.
    ///
    /// ```
    /// use mailtrap_sandbox::{Client, RateLimit};
    ///
    /// let client = Client::builder().api_token("t").rate_limit(RateLimit::mailtrap()).build()?;
    /// # let _ = client;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn mailtrap() -> Self {
        Self::new(150, Duration::from_secs(10))
    }

    /// Requests allowed per window.
    ///
    /// ```
    /// use mailtrap_sandbox::RateLimit;
    ///
    /// assert_eq!(RateLimit::mailtrap().requests(), 150);
    /// ```
    #[must_use]
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The window.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::RateLimit;
    ///
    /// assert_eq!(RateLimit::mailtrap().window(), Duration::from_secs(10));
    /// ```
    #[must_use]
    pub fn window(&self) -> Duration {
        self.window
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::mailtrap()
    }
}

/// A sliding-window limiter shared by a client and its clones.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    /// When each of the requests in the current window started, oldest first.
    starts: Mutex<VecDeque<Instant>>,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        let capacity = usize::try_from(limit.requests).unwrap_or(0).min(4096);
        Self {
            limit,
            starts: Mutex::new(VecDeque::with_capacity(capacity)),
        }
    }

    /// Waits until a request may start, then records it.
    pub(crate) async fn acquire(&self) {
        if self.limit.requests == 0 {
            return;
        }
        let budget = usize::try_from(self.limit.requests).unwrap_or(usize::MAX);
        loop {
            let wait_until = {
                let mut starts = self.starts.lock().await;
                let now = Instant::now();
                while starts
                    .front()
                    .is_some_and(|start| now.duration_since(*start) >= self.limit.window)
                {
                    starts.pop_front();
                }
                if starts.len() < budget {
                    starts.push_back(now);
                    return;
                }
                match starts.front() {
                    Some(oldest) => *oldest + self.limit.window,
                    None => now,
                }
            };
            tracing::debug!("client-side rate limit reached; waiting for a slot");
            tokio::time::sleep_until(wait_until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_full_window_makes_the_next_request_wait() {
        let limiter = Limiter::new(RateLimit::new(3, Duration::from_secs(10)));
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(10));
    }
}
