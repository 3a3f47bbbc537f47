//! Compose emails for the sending API, checked before anything is sent.
//!
//! [`Email`] is a builder: set the sender, recipients, subject and bodies (or a template),
//! attach files, then hand it to [`SandboxHandle::send`]. It is validated first; an invalid
//! email is never sent and the error lists every problem at once.
//!
//! ```
//! use mailtrap_sandbox::email::{Email, EmailAttachment};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
//! # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
//! # let sandbox = client.sandbox(emulator.sandbox().id);
//! # let logo_png = b"\x89PNG\r\n\x1a\n".to_vec();
//! let email = Email::new()
//!     .from("Example App <no-reply@app.example.com>")
//!     .to(("Ana Lima", "ana@example.com"))
//!     .subject("Reset your password")
//!     .text("Open https://app.example.com/reset?t=Zx81 to choose a new password.")
//!     .html(r#"<p><img src="cid:logo"><a href="https://app.example.com/reset?t=Zx81">Choose a new password</a></p>"#)
//!     .attach(EmailAttachment::from_bytes("logo.png", logo_png).inline("logo")) // or from_path
//!     .category("password-reset");
//! let outcome = sandbox.send(email).await?;
//! println!("stored as {:?}", outcome.sandbox_message_ids());
//! # Ok(())
//! # }
//! ```
//!
//! # Rules checked before sending
//!
//! | rule | error |
//! |---|---|
//! | a sender is set and is a valid address | `'from' is required` / `'from' address is invalid: "..."` |
//! | at least one recipient in `to`, `cc` or `bcc` | `'to', 'cc' or 'bcc' address is required` |
//! | every recipient and `reply_to` is a valid address (see [`Mailbox::is_valid`]) | `'cc' address is invalid: "..."` |
//! | at most 1000 addresses in each of `to`, `cc`, `bcc` | `'to' must not contain more than 1000 addresses (got 1001)` |
//! | without a template: a non-empty subject, and a non-empty text or HTML body | `'subject' is required` / `'text' or 'html' is required` |
//! | with a template: no subject, text, HTML or category; a UUID | `'subject' cannot be used with 'template_uuid'` |
//! | template variables only with a template | `'template_variables' need a 'template_uuid'` |
//! | subject without line breaks | `'subject' must not contain line breaks` |
//! | category: 1 to 255 characters | `'category' is too long (256 characters, maximum is 255)` |
//! | custom variables: at most 1000 bytes as JSON | `'custom_variables' must not exceed 1000 bytes as JSON (got 1204)` |
//! | attachments: a file name, non-empty content, a readable file, a content id when inline | `'attachments[0].content' is empty ("a.pdf")` |
//! | header names: printable ASCII without `:`; values without line breaks; not a reserved header (From, To, Subject, Content-Type, ...) | `'headers' contains an invalid header name: "X Bad"` |

mod attachment;
mod batch;
mod mailbox;

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use mailtrap_sandbox_api::sending::types as api;

use crate::error::{Error, Result};
use crate::models::{BatchOutcome, SendOutcome};
use crate::resources::SandboxHandle;

pub use attachment::EmailAttachment;
pub use batch::{EmailBatch, MAX_BATCH_BYTES, MAX_BATCH_EMAILS};
pub use mailbox::Mailbox;

use attachment::{Loaded, Source};

// The sending API's rules, shared with the emulator, which refuses what breaks them.
pub use mailtrap_sandbox_rules::{
    MAX_CATEGORY_LEN, MAX_CUSTOM_VARIABLES_BYTES, MAX_RECIPIENTS_PER_FIELD, RESERVED_HEADERS,
};

/// An email for the sending API, built step by step and validated before it is sent.
///
/// Required: a sender ([`from`](Self::from)), at least one recipient, and either a
/// [`subject`](Self::subject) with a [`text`](Self::text) and/or [`html`](Self::html) body, or
/// a [`template`](Self::template). See the [module documentation](self) for every rule.
///
/// Address setters take anything that converts into a [`Mailbox`]: `"ana@example.com"`,
/// `"Ana Lima <ana@example.com>"`, `("Ana Lima", "ana@example.com")`.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "an Email does nothing until it is sent with SandboxHandle::send"]
pub struct Email {
    from: Option<Mailbox>,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    bcc: Vec<Mailbox>,
    reply_to: Option<Mailbox>,
    subject: Option<String>,
    text: Option<String>,
    html: Option<String>,
    attachments: Vec<EmailAttachment>,
    headers: BTreeMap<String, String>,
    category: Option<String>,
    custom_variables: BTreeMap<String, String>,
    template_uuid: Option<String>,
    template_variables: serde_json::Map<String, serde_json::Value>,
    /// Problems found while building (a template variable that could not be serialized).
    deferred: Vec<String>,
}

impl Email {
    /// An empty email.
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    ///
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Hi").text("Hello");
    /// assert!(email.validate().is_ok());
    /// assert!(Email::new().validate().is_err()); // no sender, recipient, subject or body
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The sender.
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    ///
    /// let email = Email::new().from(("Shop", "robot@shop.example")); // or "Shop <robot@shop.example>"
    /// # let email = email.to("ana@example.com").subject("Hi").text("Hello");
    /// let json = email.to_json()?;
    /// assert_eq!(json["from"]["name"], "Shop");
    /// assert_eq!(json["from"]["email"], "robot@shop.example");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from(mut self, sender: impl Into<Mailbox>) -> Self {
        self.from = Some(sender.into());
        self
    }

    /// Adds a recipient.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").subject("Welcome").text("Hello");
    /// let email = email.to("Ana Lima <ana@example.com>").to("bo@example.com");
    /// let json = email.to_json()?;
    /// assert_eq!(json["to"][0]["name"], "Ana Lima");
    /// assert_eq!(json["to"][1]["email"], "bo@example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to(mut self, recipient: impl Into<Mailbox>) -> Self {
        self.to.push(recipient.into());
        self
    }

    /// Adds several recipients.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").subject("Welcome").text("Hello");
    /// let team = ["ana@example.com", "bo@example.com"];
    /// let json = email.to_all(team).to_json()?;
    /// assert_eq!(json["to"][1]["email"], "bo@example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_all<M: Into<Mailbox>>(mut self, recipients: impl IntoIterator<Item = M>) -> Self {
        self.to.extend(recipients.into_iter().map(Into::into));
        self
    }

    /// Adds a carbon-copy recipient.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let json = email.cc("manager@example.com").subject("Hi").text("Hello").to_json()?;
    /// assert_eq!(json["cc"][0]["email"], "manager@example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cc(mut self, recipient: impl Into<Mailbox>) -> Self {
        self.cc.push(recipient.into());
        self
    }

    /// Adds several carbon-copy recipients.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let json = email.cc_all(["a@example.com", "b@example.com"]).subject("Hi").text("Hi").to_json()?;
    /// assert_eq!(json["cc"][1]["email"], "b@example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cc_all<M: Into<Mailbox>>(mut self, recipients: impl IntoIterator<Item = M>) -> Self {
        self.cc.extend(recipients.into_iter().map(Into::into));
        self
    }

    /// Adds a blind carbon-copy recipient.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let json = email.bcc("audit@example.com").subject("Hi").text("Hello").to_json()?;
    /// assert_eq!(json["bcc"][0]["email"], "audit@example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bcc(mut self, recipient: impl Into<Mailbox>) -> Self {
        self.bcc.push(recipient.into());
        self
    }

    /// Adds several blind carbon-copy recipients.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let json = email.bcc_all(["a@example.com", "b@example.com"]).subject("Hi").text("Hi").to_json()?;
    /// assert_eq!(json["bcc"][1]["email"], "b@example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bcc_all<M: Into<Mailbox>>(mut self, recipients: impl IntoIterator<Item = M>) -> Self {
        self.bcc.extend(recipients.into_iter().map(Into::into));
        self
    }

    /// Where replies go.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome").text("Hello");
    /// let json = email.reply_to("help@shop.example").to_json()?;
    /// assert_eq!(json["reply_to"]["email"], "help@shop.example");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reply_to(mut self, address: impl Into<Mailbox>) -> Self {
        self.reply_to = Some(address.into());
        self
    }

    /// The subject line (not with a template).
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let json = email.clone().subject("Welcome").text("Hello").to_json()?;
    /// assert_eq!(json["subject"], "Welcome");
    /// assert!(email.subject("Two\nlines").text("Hello").validate().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The plain-text body.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let json = email.subject("Your code").text("Your code is 482913.").to_json()?;
    /// assert_eq!(json["text"], "Your code is 482913.");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// The HTML body.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let email = email.subject("Welcome").html(r#"<p><a href="https://shop.example/c?t=1">Confirm</a></p>"#);
    /// assert!(email.to_json()?["html"].as_str().is_some_and(|html| html.contains("Confirm")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// Attaches a file (see [`EmailAttachment`]).
    ///
    /// ```
    /// use mailtrap_sandbox::EmailAttachment;
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome").text("Hello");
    /// let invoice = EmailAttachment::from_bytes("invoice.pdf", b"%PDF-1.7".to_vec());
    /// let json = email.attach(invoice).to_json()?;
    /// assert_eq!(json["attachments"][0]["filename"], "invoice.pdf");
    /// assert_eq!(json["attachments"][0]["content"], "JVBERi0xLjc="); // base64
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn attach(mut self, attachment: EmailAttachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// Attaches bytes as `filename` with the given media type.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome").text("Hello");
    /// let json = email.attach_bytes("items.csv", "text/csv", "sku,qty\n").to_json()?;
    /// assert_eq!(json["attachments"][0]["type"], "text/csv");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn attach_bytes(
        self,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        content: impl Into<bytes::Bytes>,
    ) -> Self {
        self.attach(EmailAttachment::from_bytes(filename, content).content_type(content_type))
    }

    /// Attaches a file from disk, read when the email is validated; the media type is guessed
    /// from the extension.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome").text("Hello");
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("items.csv");
    /// std::fs::write(&path, "sku,qty\n")?;
    /// let json = email.attach_file(&path).to_json()?;
    /// assert_eq!(json["attachments"][0]["filename"], "items.csv");
    /// assert_eq!(json["attachments"][0]["type"], "text/csv"); // guessed from the extension
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn attach_file(self, path: impl AsRef<std::path::Path>) -> Self {
        self.attach(EmailAttachment::from_path(path))
    }

    /// Attaches a file from disk as an inline part the HTML shows with
    /// `<img src="cid:CONTENT_ID">`.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let dir = tempfile::tempdir()?;
    /// let logo = dir.path().join("logo.png");
    /// std::fs::write(&logo, b"\x89PNG\r\n\x1a\n")?;
    /// let email = email.subject("Welcome").html(r#"<img src="cid:logo"> Hello"#).inline_file(&logo, "logo");
    /// let json = email.to_json()?;
    /// assert_eq!(json["attachments"][0]["disposition"], "inline");
    /// assert_eq!(json["attachments"][0]["content_id"], "logo");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inline_file(
        self,
        path: impl AsRef<std::path::Path>,
        content_id: impl Into<String>,
    ) -> Self {
        self.attach(EmailAttachment::from_path(path).inline(content_id))
    }

    /// Adds a custom header (a later value for the same name replaces the earlier one).
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome").text("Hello");
    /// let json = email.header("X-Campaign", "spring").to_json()?;
    /// assert_eq!(json["headers"]["X-Campaign"], "spring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// The category, for Mailtrap's statistics (not with a template).
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome").text("Hello");
    /// let json = email.category("password-reset").to_json()?;
    /// assert_eq!(json["category"], "password-reset");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    /// Adds a custom variable, recorded with the message.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome").text("Hello");
    /// let json = email.custom_variable("user_id", "42").to_json()?;
    /// assert_eq!(json["custom_variables"]["user_id"], "42");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn custom_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom_variables.insert(name.into(), value.into());
        self
    }

    /// Renders a Mailtrap template (by its UUID) instead of a subject and bodies.
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    ///
    /// let email = Email::new()
    ///     .from("robot@shop.example")
    ///     .to("ana@example.com")
    ///     .template("f5b7c6a2-3d1e-4b8a-9c0f-1e2d3c4b5a69") // no subject or bodies then
    ///     .template_variable("user_name", "Ana");
    /// assert_eq!(email.to_json()?["template_uuid"], "f5b7c6a2-3d1e-4b8a-9c0f-1e2d3c4b5a69");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn template(mut self, uuid: impl Into<String>) -> Self {
        self.template_uuid = Some(uuid.into());
        self
    }

    /// Sets one template variable; any value that serializes to JSON.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let email = email.template("f5b7c6a2-3d1e-4b8a-9c0f-1e2d3c4b5a69");
    /// let json = email.template_variable("user_name", "Ana").template_variable("items", 3).to_json()?;
    /// assert_eq!(json["template_variables"]["user_name"], "Ana");
    /// assert_eq!(json["template_variables"]["items"], 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn template_variable(
        mut self,
        name: impl Into<String>,
        value: impl serde::Serialize,
    ) -> Self {
        let name = name.into();
        match serde_json::to_value(value) {
            Ok(value) => {
                self.template_variables.insert(name, value);
            }
            Err(err) => self.deferred.push(format!(
                "'template_variables.{name}' could not be converted to JSON: {err}"
            )),
        }
        self
    }

    /// Sets all template variables from a value that serializes to a JSON object (a struct,
    /// a map, `serde_json::json!({...})`), replacing those set before.
    ///
    /// ```
    /// # use mailtrap_sandbox::Email;
    /// # let email = Email::new().from("robot@shop.example").to("ana@example.com");
    /// let email = email.template("f5b7c6a2-3d1e-4b8a-9c0f-1e2d3c4b5a69");
    /// let json = email.template_variables(serde_json::json!({"user_name": "Ana", "items": 3})).to_json()?;
    /// assert_eq!(json["template_variables"]["items"], 3);
    /// assert!(Email::new().template_variables("not an object").validate().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn template_variables(mut self, variables: impl serde::Serialize) -> Self {
        match serde_json::to_value(variables) {
            Ok(serde_json::Value::Object(map)) => self.template_variables = map,
            Ok(other) => self.deferred.push(format!(
                "'template_variables' must be a JSON object, got {}",
                json_kind(&other)
            )),
            Err(err) => self.deferred.push(format!(
                "'template_variables' could not be converted to JSON: {err}"
            )),
        }
        self
    }

    /// Checks every rule (reading attached files) without sending anything.
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    ///
    /// let email = Email::new().from("robot@shop.example").to("not an address").text("Hello");
    /// let err = email.validate().unwrap_err(); // nothing sent: every problem at once
    /// assert!(err.to_string().contains("'to' address is invalid"));
    /// assert!(err.to_string().contains("'subject' is required"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidEmail`] listing every problem found.
    pub fn validate(&self) -> std::result::Result<(), InvalidEmail> {
        self.to_request().map(|_| ())
    }

    /// Validates the email and gives the JSON body the sending API receives (attachments
    /// read and encoded in base64): to look at, log or snapshot what would be sent.
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    ///
    /// let email = Email::new()
    ///     .from("Example App <no-reply@app.example.com>")
    ///     .to("ana@example.com")
    ///     .subject("Welcome")
    ///     .text("Hello Ana");
    /// let json = email.to_json()?;
    /// assert_eq!(json["to"][0]["email"], "ana@example.com");
    /// assert_eq!(json["from"]["name"], "Example App");
    /// # Ok::<(), mailtrap_sandbox::InvalidEmail>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidEmail`] listing every problem found.
    pub fn to_json(&self) -> std::result::Result<serde_json::Value, InvalidEmail> {
        as_json(&self.to_request()?)
    }

    /// Validates the email and converts it into the sending API's request (attachments read
    /// and encoded in base64).
    pub(crate) fn to_request(&self) -> std::result::Result<api::SendRequest, InvalidEmail> {
        let mut problems = Vec::new();
        let attachments = self.check(&mut problems, "", Mode::Single);
        if !problems.is_empty() {
            return Err(InvalidEmail { problems });
        }
        Ok(api::SendRequest {
            from: self
                .from
                .as_ref()
                .map(api_address)
                .unwrap_or_else(|| api::Address {
                    email: String::new(),
                    name: None,
                }),
            to: self.to.iter().map(api_address).collect(),
            cc: self.cc.iter().map(api_address).collect(),
            bcc: self.bcc.iter().map(api_address).collect(),
            reply_to: self.reply_to.as_ref().map(api_address),
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
            attachments: attachments.iter().map(api_attachment).collect(),
            headers: self.headers.clone(),
            category: self.category.clone(),
            custom_variables: self.custom_variables.clone(),
            template_uuid: self
                .template_uuid
                .as_ref()
                .map(|uuid| uuid.trim().to_owned()),
            template_variables: self.template_variables.clone(),
        })
    }

    /// Reads attached files with `tokio::fs` so that [`to_request`](Self::to_request) does
    /// not block; a file that cannot be read is left for validation to report.
    pub(crate) async fn preload_files(&mut self) {
        for attachment in &mut self.attachments {
            if let Source::Path(path) = &attachment.source
                && let Ok(content) = tokio::fs::read(path).await
            {
                attachment.source = Source::Bytes(content.into());
            }
        }
    }

    /// Checks every rule, prefixing problems with `prefix` (`requests[2].` in a batch), and
    /// returns the loaded attachments.
    fn check(&self, problems: &mut Vec<String>, prefix: &str, mode: Mode) -> Vec<Loaded> {
        let field = |name: &str| format!("{prefix}{name}");
        problems.extend(
            self.deferred
                .iter()
                .map(|problem| format!("{prefix}{problem}")),
        );

        match &self.from {
            None if mode == Mode::BatchBase => {}
            None => problems.push(format!(
                "'{}' is required: set a sender such as .from(\"App <no-reply@example.com>\")",
                field("from")
            )),
            Some(from) if from.email.is_empty() => {
                problems.push(format!("'{}' is required", field("from")));
            }
            Some(from) if !from.is_valid() => {
                problems.push(format!(
                    "'{}' address is invalid: {:?}",
                    field("from"),
                    from.email
                ));
            }
            Some(_) => {}
        }
        if mode != Mode::BatchBase
            && self.to.is_empty()
            && self.cc.is_empty()
            && self.bcc.is_empty()
        {
            problems.push(format!(
                "'{}', '{}' or '{}' address is required: add a recipient with .to(...)",
                field("to"),
                field("cc"),
                field("bcc")
            ));
        }
        for (name, list) in [("to", &self.to), ("cc", &self.cc), ("bcc", &self.bcc)] {
            if mode == Mode::BatchBase && !list.is_empty() {
                problems.push(format!(
                    "'{}' cannot be set on the base of a batch: give each email its own recipients",
                    field(name)
                ));
                continue;
            }
            if list.len() > MAX_RECIPIENTS_PER_FIELD {
                problems.push(format!(
                    "'{}' must not contain more than {MAX_RECIPIENTS_PER_FIELD} addresses (got {})",
                    field(name),
                    list.len()
                ));
            }
            for mailbox in list.iter().filter(|mailbox| !mailbox.is_valid()) {
                problems.push(format!(
                    "'{}' address is invalid: {:?}",
                    field(name),
                    mailbox.email
                ));
            }
        }
        if let Some(reply_to) = self.reply_to.as_ref().filter(|mailbox| !mailbox.is_valid()) {
            problems.push(format!(
                "'{}' address is invalid: {:?}",
                field("reply_to"),
                reply_to.email
            ));
        }
        self.check_content(problems, &field, mode);
        self.check_extras(problems, &field);
        self.attachments
            .iter()
            .enumerate()
            .filter_map(|(index, attachment)| {
                attachment.load(&field(&format!("attachments[{index}]")), problems)
            })
            .collect()
    }

    /// Subject, bodies, template and category.
    fn check_content(
        &self,
        problems: &mut Vec<String>,
        field: &dyn Fn(&str) -> String,
        mode: Mode,
    ) {
        let subject = self.subject.as_deref().filter(|s| !s.trim().is_empty());
        let text = self.text.as_deref().filter(|s| !s.trim().is_empty());
        let html = self.html.as_deref().filter(|s| !s.trim().is_empty());
        if let Some(uuid) = self.template_uuid.as_deref() {
            for (name, set) in [
                ("subject", self.subject.is_some()),
                ("text", self.text.is_some()),
                ("html", self.html.is_some()),
                ("category", self.category.is_some()),
            ] {
                if set {
                    problems.push(format!(
                        "'{}' cannot be used with 'template_uuid': the template provides it",
                        field(name)
                    ));
                }
            }
            if !looks_like_uuid(uuid) {
                problems.push(format!(
                    "'{}' {:?} is not a UUID such as 0b9f4c1e-3a7d-4e26-9c55-1f2d8e6a7b90",
                    field("template_uuid"),
                    uuid
                ));
            }
        } else if mode != Mode::BatchBase {
            if subject.is_none() {
                problems.push(format!(
                    "'{}' is required (or use a template)",
                    field("subject")
                ));
            }
            if text.is_none() && html.is_none() {
                problems.push(format!(
                    "'{}' or '{}' is required: give the email a body (or use a template)",
                    field("text"),
                    field("html")
                ));
            }
            if !self.template_variables.is_empty() {
                problems.push(format!(
                    "'{}' need a 'template_uuid': set the template with .template(uuid)",
                    field("template_variables")
                ));
            }
        }
        if self
            .subject
            .as_deref()
            .is_some_and(|s| s.contains(['\r', '\n']))
        {
            problems.push(format!(
                "'{}' must not contain line breaks",
                field("subject")
            ));
        }
        if let Some(category) = &self.category {
            let len = category.chars().count();
            if category.trim().is_empty() {
                problems.push(format!("'{}' must not be empty", field("category")));
            } else if len > MAX_CATEGORY_LEN {
                problems.push(format!(
                    "'{}' is too long ({len} characters, maximum is {MAX_CATEGORY_LEN})",
                    field("category")
                ));
            }
        }
    }

    /// Headers and custom variables.
    fn check_extras(&self, problems: &mut Vec<String>, field: &dyn Fn(&str) -> String) {
        for (name, value) in &self.headers {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                problems.push(format!(
                    "'{}' contains an invalid header name: {name:?} (use printable ASCII without spaces or ':')",
                    field("headers")
                ));
            } else if let Some(reserved) = mailtrap_sandbox_rules::reserved_header(name) {
                problems.push(format!(
                    "'{}' must not set the reserved header {reserved:?}: use the matching setter instead",
                    field("headers")
                ));
            }
            if value.contains(['\r', '\n']) {
                problems.push(format!(
                    "'{}' value of {name:?} must not contain line breaks",
                    field("headers")
                ));
            }
        }
        if !self.custom_variables.is_empty() {
            let size = serde_json::to_vec(&self.custom_variables).map_or(0, |json| json.len());
            if size > MAX_CUSTOM_VARIABLES_BYTES {
                problems.push(format!(
                    "'{}' must not exceed {MAX_CUSTOM_VARIABLES_BYTES} bytes as JSON (got {size})",
                    field("custom_variables")
                ));
            }
        }
    }
}

/// What is being checked: a whole email (alone, or a batch item merged with its base), or
/// the base of a batch (no recipients; sender, subject and body may come from the items).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Single,
    BatchBase,
}

/// An email that breaks the sending API's rules; nothing was sent. Lists every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEmail {
    problems: Vec<String>,
}

impl InvalidEmail {
    /// Each problem, in the sending API's wording (`'from' is required`).
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    ///
    /// let invalid = Email::new().to("ana@example.com").validate().unwrap_err();
    /// for problem in invalid.problems() {
    ///     println!("{problem}"); // 'from' is required, ...
    /// }
    /// assert!(invalid.problems().len() >= 2); // no sender, no subject: all listed at once
    /// ```
    #[must_use]
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for InvalidEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid email, nothing was sent: ")?;
        f.write_str(&self.problems.join("; "))
    }
}

impl std::error::Error for InvalidEmail {}

impl From<InvalidEmail> for Error {
    fn from(err: InvalidEmail) -> Self {
        Error::invalid_argument(err.to_string())
    }
}

impl SandboxHandle {
    /// Sends an email into the sandbox through the sending API, after checking it (see
    /// [`Email`]). Returns the ids of the stored messages when the API gives them. Never
    /// retried once it may have reached the server (a repeat would store it twice).
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let email = Email::new()
    ///     .from("Shop <robot@shop.example>")
    ///     .to("ana@example.com")
    ///     .subject("Welcome")
    ///     .text("Hello Ana");
    /// let sent = sandbox.send(email).await?;
    /// assert_eq!(sent.sandbox_message_ids().len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] listing every problem when the email breaks a rule (nothing
    /// is sent then); [`Error::Api`] with kind
    /// [`Unsuccessful`](crate::ApiErrorKind::Unsuccessful) and the API's messages when it
    /// answers `"success": false`; [`Error::NotSent`] when no connection could be made
    /// (safe to send again); [`Error::MaybeApplied`] when the answer was lost (the email may
    /// be in the sandbox: look before sending again); otherwise any [`Error`] of the request.
    pub async fn send(&self, mut email: Email) -> Result<SendOutcome> {
        email.preload_files().await;
        let request = email.to_request()?;
        self.send_request(&request).await
    }

    /// Sends up to 500 emails that share a base in one request (see [`EmailBatch`]). The API
    /// answers 200 even when some are refused; this returns `Ok` only when every email was
    /// accepted.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let base = Email::new().from("robot@shop.example").subject("Weekly digest").text("News");
    /// let batch = EmailBatch::new(base)
    ///     .email(Email::new().to("ana@example.com"))
    ///     .email(Email::new().to("ben@example.com").subject("Your first digest"));
    /// let outcome = sandbox.send_batch(batch).await?;
    /// assert_eq!(outcome.responses.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] listing every problem when an email breaks a rule (nothing
    /// is sent then); [`Error::Batch`] when the API refused the batch or any email of it
    /// (it says which and why, and keeps the ids of those that were sent); otherwise any
    /// [`Error`] of the request, as for [`send`](Self::send).
    pub async fn send_batch(&self, mut batch: EmailBatch) -> Result<BatchOutcome> {
        batch.preload_files().await;
        let request = batch.to_request()?;
        self.send_batch_request(&request).await
    }
}

/// A request of the sending API as JSON (a failure, which plain data cannot cause, is
/// reported as a problem rather than hidden).
fn as_json(
    request: &impl serde::Serialize,
) -> std::result::Result<serde_json::Value, InvalidEmail> {
    serde_json::to_value(request).map_err(|err| InvalidEmail {
        problems: vec![format!("the request could not be written as JSON: {err}")],
    })
}

fn api_address(mailbox: &Mailbox) -> api::Address {
    api::Address {
        email: mailbox.email.clone(),
        name: mailbox.name.clone(),
    }
}

fn api_attachment(loaded: &Loaded) -> api::Attachment {
    api::Attachment {
        content: base64::engine::general_purpose::STANDARD.encode(&loaded.content),
        content_id: loaded.content_id.clone(),
        disposition: if loaded.inline {
            api::AttachmentDisposition::Inline
        } else {
            api::AttachmentDisposition::Attachment
        },
        filename: loaded.filename.clone(),
        type_: Some(loaded.content_type.clone()),
    }
}

/// `8-4-4-4-12` hexadecimal digits.
fn looks_like_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.trim().split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
