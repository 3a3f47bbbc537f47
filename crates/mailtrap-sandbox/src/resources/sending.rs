//! Sending email into a sandbox (the sending host, `https://sandbox.api.mailtrap.io`).

use mailtrap_sandbox_api::sending::types as api;

use crate::error::Result;
use crate::ids::to_api;
use crate::models::{BatchOutcome, SendOutcome};
use crate::resources::SandboxHandle;
use crate::transport::Op;

const SEND: Op = Op::once("POST", "/api/send/{sandbox_id}");
const BATCH: Op = Op::once("POST", "/api/batch/{sandbox_id}");

impl SandboxHandle {
    /// Sends one email (already in the API's shape) into the sandbox. Never retried once
    /// sent: a repeat would store the message twice.
    pub(crate) async fn send_request(&self, body: &api::SendRequest) -> Result<SendOutcome> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.sending;
        self.client
            .transport
            .fetch(
                SEND,
                || api.send_email(id, body),
                |raw| Ok(SendOutcome::from_api(raw)),
            )
            .await
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
    }
}
