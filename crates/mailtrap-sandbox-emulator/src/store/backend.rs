//! What the SMTP server asks of the store.

use super::model::{Origin, StoredEnvelope};
use super::{Incoming, Store};
use crate::delivery::{DeliveryError, Envelope, SmtpBackend, SmtpStage};

impl SmtpBackend for Store {
    fn authenticate(&self, username: &str, password: &str) -> Option<u64> {
        self.read(|state| {
            state
                .reg
                .sandboxes
                .values()
                .find(|s| s.username == username && s.password == password)
                .map(|s| s.id)
        })
    }

    fn sandbox_for_address(&self, address: &str) -> Option<u64> {
        let domain = &self.info().email_domain;
        let (local, host) = address.rsplit_once('@')?;
        if !host.eq_ignore_ascii_case(domain) {
            return None;
        }
        self.read(|state| {
            state
                .reg
                .sandboxes
                .values()
                .find(|s| s.email_username_enabled && s.email_username.eq_ignore_ascii_case(local))
                .map(|s| s.id)
        })
    }

    fn max_message_size(&self, sandbox_id: u64) -> Option<u64> {
        self.read(|state| {
            state
                .reg
                .sandboxes
                .get(&sandbox_id)
                .map(|s| s.max_message_size)
        })
    }

    fn deliver(
        &self,
        sandbox_id: u64,
        raw: Vec<u8>,
        envelope: Envelope,
    ) -> Result<u64, DeliveryError> {
        self.deliver_blocking(Incoming {
            sandbox_id,
            raw,
            envelope: StoredEnvelope {
                mail_from: envelope.mail_from,
                rcpt_to: envelope.rcpt_to,
                client_ip: Some(envelope.client_ip.to_string()),
            },
            origin: Origin::Smtp,
            template: None,
        })
    }

    fn smtp_fault(&self, stage: SmtpStage, value: &str) -> Option<(u16, String)> {
        self.faults().smtp_fault(stage, value)
    }
}
