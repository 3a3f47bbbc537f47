//! Mail handling shared by SMTP and the sending API.
//!
//! SEAM (agreed between the emulator's two work streams; keep these names and signatures):
//! - [`parse`] turns raw RFC 5322 bytes into a [`ParsedMail`] (never fails: a message that is
//!   not MIME still has headers and a body);
//! - [`SendRequest`] is Mailtrap's JSON send format, and [`compose`] turns one into raw bytes
//!   plus the envelope, or into the list of validation errors in Mailtrap's wording.

use std::collections::BTreeMap;

use serde::Deserialize;

mod composer;
mod media_types;
mod parser;

// The sending API's rules ([`compose`] refuses what breaks them), in one place with the
// client's checks before sending.
pub use mailtrap_sandbox_rules::{
    CATEGORY_HEADER, CUSTOM_VARIABLES_HEADER, MAX_CATEGORY_LEN, MAX_CUSTOM_VARIABLES_BYTES,
    MAX_RECIPIENTS_PER_FIELD, RESERVED_HEADERS, is_valid_address as is_valid_email,
};

/// A mailbox: address and display name (`""` when the message gives none, as Mailtrap reports).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    /// The address, `user@example.com`.
    pub email: String,
    /// The display name, or `""`.
    pub name: String,
}

/// How a part is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// `Content-Disposition: attachment` (or none given).
    Attachment,
    /// `Content-Disposition: inline`, usually with a `Content-ID`.
    Inline,
}

/// An attachment found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAttachment {
    /// File name, or a generated one when the part names none.
    pub filename: String,
    /// Media type, `application/pdf`.
    pub content_type: String,
    /// `Content-ID` without angle brackets, when present.
    pub content_id: Option<String>,
    /// Attachment or inline.
    pub disposition: Disposition,
    /// `Content-Transfer-Encoding` as written in the message, when present.
    pub transfer_encoding: Option<String>,
    /// Decoded content.
    pub content: Vec<u8>,
}

/// What the emulator needs to know about a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedMail {
    /// Decoded subject, `""` when absent.
    pub subject: String,
    /// First `From` mailbox.
    pub from: Option<Mailbox>,
    /// Every `From` mailbox, in order (more than one is rare, but allowed with `Sender`).
    pub from_all: Vec<Mailbox>,
    /// `To` mailboxes.
    pub to: Vec<Mailbox>,
    /// `Cc` mailboxes.
    pub cc: Vec<Mailbox>,
    /// `Bcc` mailboxes written in the header (rare; the envelope is the usual source).
    pub bcc: Vec<Mailbox>,
    /// `Reply-To` mailboxes.
    pub reply_to: Vec<Mailbox>,
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// The `Date` header as written.
    pub date: Option<String>,
    /// Every top-level header in order: (name as written, decoded value).
    pub headers: Vec<(String, String)>,
    /// The first text/plain body.
    pub text: Option<String>,
    /// The first text/html body.
    pub html: Option<String>,
    /// Attachments and inline parts that are not bodies.
    pub attachments: Vec<ParsedAttachment>,
}

/// Parses raw message bytes. Never fails and never panics, whatever the bytes: a message that
/// is not MIME still has headers and a text body, and bytes without any header become the text
/// body of a message with no headers.
///
/// Header values in [`ParsedMail::headers`] are unfolded and RFC 2047-decoded; bodies are
/// decoded from their transfer encoding and charset. Attachments are the parts mail-parser
/// classes as such (anything that is not the first text or HTML body of the message,
/// nested messages included); a part without a file name gets `attachment-<n>.<ext>`.
pub fn parse(raw: &[u8]) -> ParsedMail {
    parser::parse_mail(raw)
}

/// An address in Mailtrap's send format.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SendAddress {
    /// The address.
    pub email: String,
    /// Optional display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// An attachment in Mailtrap's send format (content in base64).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SendAttachment {
    /// Base64 content.
    pub content: String,
    /// File name.
    pub filename: String,
    /// Media type.
    #[serde(default, rename = "type")]
    pub content_type: Option<String>,
    /// `attachment` (default) or `inline`.
    #[serde(default)]
    pub disposition: Option<String>,
    /// Content-ID for inline parts.
    #[serde(default)]
    pub content_id: Option<String>,
}

/// Mailtrap's JSON send format (one message). Every field is optional at this level so that
/// [`compose`] can report all missing fields at once, as the real API does.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct SendRequest {
    /// Sender.
    #[serde(default)]
    pub from: Option<SendAddress>,
    /// Recipients.
    #[serde(default)]
    pub to: Vec<SendAddress>,
    /// Carbon-copy recipients.
    #[serde(default)]
    pub cc: Vec<SendAddress>,
    /// Blind carbon-copy recipients.
    #[serde(default)]
    pub bcc: Vec<SendAddress>,
    /// Reply-To address.
    #[serde(default)]
    pub reply_to: Option<SendAddress>,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Plain-text body.
    #[serde(default)]
    pub text: Option<String>,
    /// HTML body.
    #[serde(default)]
    pub html: Option<String>,
    /// Attachments.
    #[serde(default)]
    pub attachments: Vec<SendAttachment>,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Custom variables (recorded as headers).
    #[serde(default)]
    pub custom_variables: BTreeMap<String, String>,
    /// Category.
    #[serde(default)]
    pub category: Option<String>,
    /// Template to render instead of subject/text/html.
    #[serde(default)]
    pub template_uuid: Option<String>,
    /// Variables for the template.
    #[serde(default)]
    pub template_variables: Option<serde_json::Value>,
}

/// A message composed from a [`SendRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The RFC 5322 message, Bcc header omitted.
    pub raw: Vec<u8>,
    /// Envelope sender.
    pub mail_from: String,
    /// Envelope recipients: to, cc and bcc.
    pub rcpt_to: Vec<String>,
}

/// Validates and composes a message. Templates must already be rendered into
/// subject/text/html by the caller. Errors use Mailtrap's wording (`'subject' is required`).
///
/// The message has From (with its name), To, Cc, Reply-To, Subject, Date, Message-ID,
/// MIME-Version, the custom `headers`, [`CATEGORY_HEADER`] and [`CUSTOM_VARIABLES_HEADER`]; never
/// a Bcc header (Bcc recipients are only in the envelope). The body is
/// `multipart/mixed[multipart/related[multipart/alternative[text, html], inline…], attachment…]`,
/// each level present only when needed. Attachment types come from `type`, or are guessed from
/// the file name. The validation rules and their messages are listed in the `composer` module
/// documentation (see the crate's source) and summarised here:
/// `'from' is required`, `'from' address is invalid`, `'to', 'cc' or 'bcc' address is required`,
/// `'to' address is invalid: "…"`, `'to' must not contain more than 1000 addresses`,
/// `'subject' is required` (not when `template_uuid` is set), `must specify either text or html
/// body`, `'attachments[i].content' is not valid base64` and a few more; all problems are
/// reported at once.
pub fn compose(request: &SendRequest) -> Result<Composed, Vec<String>> {
    composer::compose_message(request)
}
