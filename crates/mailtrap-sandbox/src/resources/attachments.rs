//! Attachments of a message.

use crate::Client;
use crate::error::Result;
use crate::ids::{AttachmentId, MessageId, SandboxId, to_api};
use crate::models::{Attachment, AttachmentType, convert_list};
use crate::transport::Op;

const LIST: Op = Op::safe(
    "GET",
    "/api/sandboxes/{sandbox_id}/messages/{message_id}/attachments",
);
const GET: Op = Op::safe(
    "GET",
    "/api/sandboxes/{sandbox_id}/messages/{message_id}/attachments/{attachment_id}",
);

/// The attachments of a message: `client.sandbox(id).message(message_id).attachments()`.
#[derive(Debug, Clone)]
pub struct AttachmentsHandle {
    pub(crate) client: Client,
    pub(crate) sandbox: SandboxId,
    pub(crate) message: MessageId,
}

impl AttachmentsHandle {
    /// Lists the attachments (all of them, or one type with
    /// [`ListAttachments::attachment_type`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let pdf = mailtrap_sandbox::EmailAttachment::from_bytes("invoice.pdf", b"%PDF-1.7".to_vec());
    /// # let email = mailtrap_sandbox::Email::new().from("shop@example.com").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Invoice").text("Attached.").attach(pdf)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let files = message.attachments().list().send().await?;
    /// assert_eq!(files[0].filename, "invoice.pdf");
    /// assert_eq!(files[0].size, 8);
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListAttachments {
        ListAttachments {
            handle: self.clone(),
            attachment_type: None,
        }
    }

    /// One attachment's metadata (its content is at its `download_path`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let pdf = mailtrap_sandbox::EmailAttachment::from_bytes("invoice.pdf", b"%PDF-1.7".to_vec());
    /// # let email = mailtrap_sandbox::Email::new().from("shop@example.com").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Invoice").text("Attached.").attach(pdf)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// # let id = message.attachments().list().send().await?[0].id;
    /// let pdf = message.attachments().get(id).await?;
    /// assert_eq!(pdf.content_type, "application/pdf");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`](crate::Error); [`is_not_found`](crate::Error::is_not_found) when it
    /// does not exist.
    pub async fn get(&self, id: impl Into<AttachmentId>) -> Result<Attachment> {
        let sandbox = to_api(self.sandbox)?;
        let message = to_api(self.message)?;
        let attachment = to_api(id.into())?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                GET,
                || api.get_sandbox_message_attachment(sandbox, message, attachment),
                Attachment::from_api,
            )
            .await
    }
}

/// Lists a message's attachments. Built by [`AttachmentsHandle::list`].
#[derive(Debug, Clone)]
#[must_use = "call .send() to fetch the attachments"]
pub struct ListAttachments {
    handle: AttachmentsHandle,
    attachment_type: Option<AttachmentType>,
}

impl ListAttachments {
    /// Only attachments of this type (`AttachmentType::Inline` for inline images, for
    /// instance).
    ///
    /// ```
    /// use mailtrap_sandbox::models::AttachmentType;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let pdf = mailtrap_sandbox::EmailAttachment::from_bytes("invoice.pdf", b"%PDF-1.7".to_vec());
    /// # let email = mailtrap_sandbox::Email::new().from("shop@example.com").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Invoice").text("Attached.").attach(pdf)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let inline = message.attachments().list().attachment_type(AttachmentType::Inline).send().await?;
    /// assert!(inline.is_empty()); // invoice.pdf is a regular attachment
    /// # Ok(())
    /// # }
    /// ```
    pub fn attachment_type(mut self, kind: impl Into<AttachmentType>) -> Self {
        self.attachment_type = Some(kind.into());
        self
    }

    /// Fetches the list.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let pdf = mailtrap_sandbox::EmailAttachment::from_bytes("invoice.pdf", b"%PDF-1.7".to_vec());
    /// # let email = mailtrap_sandbox::Email::new().from("shop@example.com").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Invoice").text("Attached.").attach(pdf)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// for file in message.attachments().list().send().await? {
    ///     println!("{} ({}, {})", file.filename, file.content_type, file.human_size);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`](crate::Error).
    pub async fn send(self) -> Result<Vec<Attachment>> {
        let sandbox = to_api(self.handle.sandbox)?;
        let message = to_api(self.handle.message)?;
        let kind = self.attachment_type.as_ref().map(AttachmentType::as_str);
        let transport = &self.handle.client.transport;
        let api = &transport.sandbox;
        transport
            .fetch(
                LIST,
                || api.get_sandbox_message_attachments(sandbox, message, kind),
                |raw| convert_list(raw, Attachment::from_api),
            )
            .await
    }
}
