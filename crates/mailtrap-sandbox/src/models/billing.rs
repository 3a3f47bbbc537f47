//! Billing usage.

use chrono::{DateTime, Utc};
use mailtrap_sandbox_api::accounts::types as api;
use serde::Serialize;

use super::common::non_empty;

/// The account's usage in the current billing cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BillingUsage {
    /// Start of the cycle.
    pub cycle_start: Option<DateTime<Utc>>,
    /// End of the cycle.
    pub cycle_end: Option<DateTime<Utc>>,
    /// Email testing (sandboxes).
    pub testing: Option<ProductUsage>,
    /// Email sending.
    pub sending: Option<ProductUsage>,
    /// Email marketing.
    pub marketing: Option<ProductUsage>,
}

/// Plan and usage of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProductUsage {
    /// Plan name.
    pub plan: Option<String>,
    /// Messages sent (received, for testing), when the product counts them.
    pub sent_messages: Option<UsageCounter>,
    /// Messages forwarded (email testing counts them; sending and marketing do not).
    pub forwarded_messages: Option<UsageCounter>,
}

/// A usage counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UsageCounter {
    /// Used so far.
    pub current: u64,
    /// Allowed in the cycle, when limited.
    pub limit: Option<u64>,
}

impl BillingUsage {
    pub(crate) fn from_api(raw: api::BillingUsage) -> Self {
        let cycle = raw.billing.unwrap_or_default();
        Self {
            cycle_start: cycle.cycle_start,
            cycle_end: cycle.cycle_end,
            testing: raw.testing.map(ProductUsage::from_testing),
            sending: raw.sending.map(ProductUsage::from_sending),
            marketing: raw.marketing.map(ProductUsage::from_sending),
        }
    }
}

impl ProductUsage {
    fn from_testing(raw: api::TestingUsage) -> Self {
        let usage = raw.usage.unwrap_or_default();
        Self {
            plan: raw.plan.and_then(|plan| non_empty(plan.name)),
            sent_messages: usage
                .sent_messages_count
                .as_ref()
                .map(UsageCounter::from_api),
            forwarded_messages: usage
                .forwarded_messages_count
                .as_ref()
                .map(UsageCounter::from_api),
        }
    }

    /// Sending and marketing count sent messages only.
    fn from_sending(raw: api::SendingUsage) -> Self {
        let usage = raw.usage.unwrap_or_default();
        Self {
            plan: raw.plan.and_then(|plan| non_empty(plan.name)),
            sent_messages: usage
                .sent_messages_count
                .as_ref()
                .map(UsageCounter::from_api),
            forwarded_messages: None,
        }
    }
}

impl UsageCounter {
    fn from_api(raw: &api::Counter) -> Self {
        Self {
            current: raw
                .current
                .and_then(|value| u64::try_from(value).ok())
                .unwrap_or(0),
            limit: raw.limit.and_then(|value| u64::try_from(value).ok()),
        }
    }
}
