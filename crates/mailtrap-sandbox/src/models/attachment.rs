//! Attachments of a message.

use chrono::{DateTime, Utc};
use mailtrap_sandbox_api::sandbox::types as api;
use serde::Serialize;

use super::common::{Conv, count, non_empty, open_enum, optional_id, required_id};
use crate::ids::{AttachmentId, MessageId};

open_enum! {
    /// How a file is attached.
    pub enum AttachmentType {
        /// A regular attachment.
        Attachment => "attachment",
        /// An inline part the HTML refers to by Content-ID.
        Inline => "inline",
    }
}

/// A file attached to a message (its metadata; the content is at
/// [`download_path`](Attachment::download_path)).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Attachment {
    /// Attachment id.
    pub id: AttachmentId,
    /// The message it belongs to.
    pub message_id: Option<MessageId>,
    /// File name.
    pub filename: String,
    /// Attachment or inline part.
    pub attachment_type: AttachmentType,
    /// Media type, `application/pdf`.
    pub content_type: String,
    /// Content-ID of an inline part (the API's `""` and `null` are `None`).
    pub content_id: Option<String>,
    /// Transfer encoding in the message, `base64`.
    pub transfer_encoding: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Size for people, `9 Bytes`.
    pub human_size: String,
    /// When it was stored.
    pub created_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
    /// Path of the content (already encoded; follow verbatim). The only way to the bytes.
    pub download_path: Option<String>,
}

impl Attachment {
    pub(crate) fn from_api(raw: api::Attachment) -> Conv<Self> {
        Ok(Self {
            id: required_id(raw.id, "id")?,
            message_id: optional_id(raw.message_id),
            filename: raw.filename.unwrap_or_default(),
            attachment_type: raw
                .attachment_type
                .map_or(AttachmentType::Attachment, AttachmentType::from),
            content_type: raw.content_type.unwrap_or_default(),
            content_id: non_empty(raw.content_id),
            transfer_encoding: non_empty(raw.transfer_encoding),
            size: count(raw.attachment_size),
            human_size: raw.attachment_human_size.unwrap_or_default(),
            created_at: raw.created_at,
            updated_at: raw.updated_at,
            download_path: non_empty(raw.download_path),
        })
    }
}
