//! What the SMTP server hands to the store and what the store answers: the envelope, the
//! stage a fault rule is checked at, why a delivery failed, and the backend the server calls.
//!
//! A layer below both: the store implements [`SmtpBackend`] without depending on the server,
//! and the server serves any backend. The public paths are in [`crate::smtp`].

use std::net::IpAddr;

/// The SMTP envelope of a delivered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `MAIL FROM` address (may be empty for bounces).
    pub mail_from: String,
    /// `RCPT TO` addresses in order.
    pub rcpt_to: Vec<String>,
    /// The client's IP address.
    pub client_ip: IpAddr,
}

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The sandbox no longer exists.
    #[error("sandbox not found")]
    NoSuchSandbox,
    /// The message is larger than the sandbox accepts.
    #[error("message exceeds the sandbox's maximum size of {0} bytes")]
    TooLarge(u64),
    /// Storage failed; the message was not kept.
    #[error("storage failed: {0}")]
    Storage(String),
}

/// At which SMTP stage a fault rule is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpStage {
    /// `AUTH`, checked against the username.
    Auth,
    /// `MAIL FROM`, checked against the sender.
    MailFrom,
    /// `RCPT TO`, checked against each recipient.
    RcptTo,
}

/// What the SMTP server needs from the store. Methods may block (SQLite); call them from
/// `spawn_blocking`.
pub trait SmtpBackend: Send + Sync + 'static {
    /// The sandbox whose SMTP credentials these are.
    fn authenticate(&self, username: &str, password: &str) -> Option<u64>;
    /// The sandbox whose enabled email address is `address` (case-insensitive).
    fn sandbox_for_address(&self, address: &str) -> Option<u64>;
    /// Largest message the sandbox accepts, in bytes.
    fn max_message_size(&self, sandbox_id: u64) -> Option<u64>;
    /// Stores a message; returns its id only once it is durable.
    fn deliver(
        &self,
        sandbox_id: u64,
        raw: Vec<u8>,
        envelope: Envelope,
    ) -> Result<u64, DeliveryError>;
    /// A configured fault for this stage and value: `Some((code, text))` rejects it.
    fn smtp_fault(&self, stage: SmtpStage, value: &str) -> Option<(u16, String)>;
}
