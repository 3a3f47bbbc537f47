//! Outcomes of sending email into a sandbox.

use mailtrap_sandbox_api::sending::types as api;
use serde::Serialize;

use crate::ids::MessageId;

/// The outcome of sending one email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SendOutcome {
    /// Whether it was accepted (assumed when the API does not say).
    pub success: bool,
    /// Ids of the stored messages as the API sent them (decimal strings in a sandbox); may
    /// be empty, the API does not always send them.
    pub message_ids: Vec<String>,
}

impl SendOutcome {
    /// The stored messages' ids as sandbox message ids (those that are numbers).
    #[must_use]
    pub fn sandbox_message_ids(&self) -> Vec<MessageId> {
        parse_ids(&self.message_ids)
    }

    pub(crate) fn from_api(raw: api::SendResponse) -> Self {
        Self {
            success: raw.success.unwrap_or(true),
            message_ids: raw.message_ids,
        }
    }
}

/// The outcome of a batch: the API answers 200 even when some emails were refused; each has
/// its own outcome in [`responses`](BatchOutcome::responses), in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BatchOutcome {
    /// Whether the batch as a whole was accepted.
    pub success: bool,
    /// One outcome per email, in order.
    pub responses: Vec<BatchItemOutcome>,
    /// Problems with the batch as a whole.
    pub errors: Vec<String>,
}

impl BatchOutcome {
    /// Whether the batch and every email in it were accepted.
    #[must_use]
    pub fn all_succeeded(&self) -> bool {
        self.success && self.errors.is_empty() && self.responses.iter().all(|item| item.success)
    }

    /// The emails that were refused, with their position in the batch.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &BatchItemOutcome)> {
        self.responses
            .iter()
            .enumerate()
            .filter(|(_, item)| !item.success)
    }

    pub(crate) fn from_api(raw: api::BatchSendResponse) -> Self {
        Self {
            success: raw.success.unwrap_or(true),
            responses: raw
                .responses
                .into_iter()
                .map(|item| BatchItemOutcome {
                    success: item.success.unwrap_or(item.errors.is_empty()),
                    message_ids: item.message_ids,
                    errors: item.errors,
                })
                .collect(),
            errors: raw.errors,
        }
    }
}

/// The outcome of one email of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BatchItemOutcome {
    /// Whether this email was accepted.
    pub success: bool,
    /// Ids of its stored messages, when accepted.
    pub message_ids: Vec<String>,
    /// Why it was refused, when it was.
    pub errors: Vec<String>,
}

impl BatchItemOutcome {
    /// The stored messages' ids as sandbox message ids (those that are numbers).
    #[must_use]
    pub fn sandbox_message_ids(&self) -> Vec<MessageId> {
        parse_ids(&self.message_ids)
    }
}

fn parse_ids(ids: &[String]) -> Vec<MessageId> {
    ids.iter().filter_map(|id| id.parse().ok()).collect()
}
