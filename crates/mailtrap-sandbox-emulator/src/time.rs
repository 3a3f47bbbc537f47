//! Timestamps as the API writes them: RFC 3339 with milliseconds, in UTC.

use chrono::{DateTime, SecondsFormat, Utc};

/// The current time.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

/// `2026-01-04T16:55:50.867Z`.
pub(crate) fn format(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
