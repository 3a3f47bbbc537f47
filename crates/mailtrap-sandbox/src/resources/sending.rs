//! Sending email into a sandbox (the sending host, `https://sandbox.api.mailtrap.io`).

use mailtrap_sandbox_api::sending::types as api;

use crate::error::{ApiError, DecodeError, Error, Result};
use crate::ids::to_api;
use crate::models::{BatchError, BatchOutcome, SendOutcome};
use crate::resources::SandboxHandle;
use crate::transport::Op;

const SEND: Op = Op::once("POST", "/api/send/{sandbox_id}");
const BATCH: Op = Op::once("POST", "/api/batch/{sandbox_id}");

impl SandboxHandle {
    /// Sends one email (already in the API's shape) into the sandbox. Never retried once
    /// sent: a repeat would store the message twice.
    pub(crate) async fn send_request(&self, body: &api::SendRequest) -> Result<SendOutcome> {
        let id = to_api(self.id)?;
        let transport = &self.client.transport;
        // The facade sends sendEmail itself: a refusal (`"success": false`) carries
        // `errors`, which the generated answer type does not have, so the answer is read as
        // JSON first.
        let (status, bytes, value) = transport
            .json(
                SEND,
                &transport.send_base_url,
                &format!("/api/send/{id}"),
                body,
            )
            .await?;
        if said_failure(&value) {
            return Err(ApiError::unsuccessful(SEND.label(), status, bytes).into());
        }
        let raw: api::SendResponse = serde_json::from_value(value).map_err(|err| {
            DecodeError::new(
                SEND.label(),
                status,
                ".".to_owned(),
                err.to_string(),
                &bytes,
            )
        })?;
        Ok(SendOutcome::from_api(raw))
    }

    /// Sends a batch (already in the API's shape) into the sandbox. Never retried once sent.
    pub(crate) async fn send_batch_request(
        &self,
        body: &api::BatchSendRequest,
    ) -> Result<BatchOutcome> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.sending;
        self.client
            .transport
            .fetch(
                BATCH,
                || api.batch_send_email(id, body),
                |raw| Ok(BatchOutcome::from_api(raw)),
            )
            .await
            .and_then(|outcome| {
                if outcome.all_succeeded() {
                    Ok(outcome)
                } else {
                    Err(Error::Batch(Box::new(BatchError::new(outcome))))
                }
            })
    }
}

/// Whether an answer's body says the request failed: `"success": false`, or `errors` that
/// are not empty.
pub(crate) fn said_failure(value: &serde_json::Value) -> bool {
    let refused = value.get("success") == Some(&serde_json::Value::Bool(false));
    let errors = match value.get("errors") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Array(items)) => !items.is_empty(),
        Some(serde_json::Value::Object(fields)) => !fields.is_empty(),
        Some(serde_json::Value::String(text)) => !text.trim().is_empty(),
        Some(_) => true,
    };
    refused || errors
}
