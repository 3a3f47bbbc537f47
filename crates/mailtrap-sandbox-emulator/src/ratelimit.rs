//! Mailtrap's rate limit: 150 requests per token per 10-second window on the management API.
//! The `X-Ratelimit-*` headers are always sent; answering 429 beyond the limit is optional.
//! Counts are kept per valid API token; requests without one share the count of `""`. Whatever
//! the caller passes, at most [`MAX_TRACKED`] counts are kept (plus the shared one): past that,
//! expired windows are forgotten, and a new token shares the count of `""` until one is.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Requests allowed per window.
pub(crate) const LIMIT: u32 = 150;
/// The window.
pub(crate) const WINDOW: Duration = Duration::from_secs(10);
/// Most tokens counted separately at once (far more than an emulator has tokens).
pub(crate) const MAX_TRACKED: usize = 10_000;

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Requests left in the window after this one.
    pub(crate) remaining: u32,
    /// Whether to answer 429.
    pub(crate) limited: bool,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    count: u32,
}

/// Counts requests per token.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    enforce: AtomicBool,
    initial_enforce: bool,
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    pub(crate) fn new(enforce: bool) -> Self {
        Self {
            enforce: AtomicBool::new(enforce),
            initial_enforce: enforce,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Whether 429 is answered beyond the limit.
    pub(crate) fn enforced(&self) -> bool {
        self.enforce.load(Ordering::Relaxed)
    }

    /// Turns answering 429 on or off.
    pub(crate) fn set_enforced(&self, enforce: bool) {
        self.enforce.store(enforce, Ordering::Relaxed);
    }

    /// Forgets every count.
    pub(crate) fn clear(&self) {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Back to the start-up settings, counts forgotten.
    pub(crate) fn reset(&self) {
        self.set_enforced(self.initial_enforce);
        self.clear();
    }

    /// How many counts are kept (at most [`MAX_TRACKED`] plus the shared one).
    pub(crate) fn tracked(&self) -> usize {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Counts one request made with `token` (`""` when no valid token was given).
    pub(crate) fn hit(&self, token: &str) -> Verdict {
        self.hit_at(token, Instant::now())
    }

    fn hit_at(&self, token: &str, now: Instant) -> Verdict {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let mut key = token;
        if !windows.contains_key(key) && windows.len() >= MAX_TRACKED {
            windows.retain(|_, w| now.duration_since(w.started) < WINDOW);
            if windows.len() >= MAX_TRACKED {
                key = "";
            }
        }
        let window = windows.entry(key.to_owned()).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            window.started = now;
            window.count = 0;
        }
        window.count = window.count.saturating_add(1);
        Verdict {
            remaining: LIMIT.saturating_sub(window.count),
            limited: window.count > LIMIT && self.enforced(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_token_and_window() {
        let limiter = RateLimiter::new(true);
        let start = Instant::now();
        for i in 1..=LIMIT {
            let v = limiter.hit_at("a", start);
            assert_eq!(v.remaining, LIMIT - i);
            assert!(!v.limited);
        }
        assert!(limiter.hit_at("a", start).limited);
        assert_eq!(limiter.hit_at("b", start).remaining, LIMIT - 1);
        let later = start + WINDOW;
        assert_eq!(
            limiter.hit_at("a", later),
            Verdict {
                remaining: LIMIT - 1,
                limited: false
            }
        );
    }

    #[test]
    fn the_counts_kept_are_bounded_whatever_the_tokens() {
        let limiter = RateLimiter::new(true);
        let start = Instant::now();
        for i in 0..MAX_TRACKED + 5_000 {
            limiter.hit_at(&format!("token-{i}"), start);
        }
        // Full: the newest tokens shared the count of "".
        assert_eq!(limiter.tracked(), MAX_TRACKED + 1);
        assert_eq!(
            limiter.hit_at("", start),
            Verdict {
                remaining: 0,
                limited: true
            }
        );
        // A token already counted keeps its own count.
        assert_eq!(limiter.hit_at("token-0", start).remaining, LIMIT - 2);
        // Once the windows have expired, new tokens are counted on their own again.
        let later = start + WINDOW;
        assert_eq!(limiter.hit_at("fresh", later).remaining, LIMIT - 1);
        assert_eq!(limiter.tracked(), 1);
    }

    #[test]
    fn without_enforcement_only_the_count_shows() {
        let limiter = RateLimiter::new(false);
        let start = Instant::now();
        for _ in 0..=LIMIT {
            limiter.hit_at("a", start);
        }
        assert_eq!(
            limiter.hit_at("a", start),
            Verdict {
                remaining: 0,
                limited: false
            }
        );
    }
}
