//! A parsed `.eml` message to assert on: headers, addresses, bodies, attachments, and the
//! [`crate::extract`] helpers applied to it.
//!
//! ```
//! use mailtrap_sandbox::eml::Eml;
//!
//! let raw = "From: Example App <no-reply@app.example.test>\r\n\
//!            To: =?UTF-8?Q?Ana_Lima?= <ana@example.test>\r\n\
//!            Subject: =?UTF-8?B?UsOpaW5pdGlhbGlzZXI=?=\r\n\
//!            Message-ID: <r-1@app.example.test>\r\n\
//!            Content-Type: text/plain; charset=utf-8\r\n\
//!            \r\n\
//!            Your code is 730 112. Or open https://app.example.test/reset?t=Qm9.\r\n";
//! let eml = Eml::parse(raw)?;
//! assert_eq!(eml.subject(), Some("Réinitialiser"));
//! assert_eq!(eml.to()[0].name.as_deref(), Some("Ana Lima"));
//! assert_eq!(eml.header("message-id"), Some("r-1@app.example.test"));
//! assert_eq!(eml.one_time_code().as_deref(), Some("730112"));
//! assert_eq!(eml.links(), ["https://app.example.test/reset?t=Qm9"]);
//! assert!(eml.check_placeholders().is_ok());
//! # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
//! ```

use std::fmt;
use std::path::Path;

use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

use crate::email::Mailbox;
use crate::extract::{self, Anchor, CodeFinder, Placeholder, UnrenderedPlaceholders};

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmlError {
    /// The input holds no message: it is empty, or has neither headers nor a body.
    #[error("not an email message: {0}")]
    NotAMessage(&'static str),
    /// The file could not be read.
    #[error("could not read the message file {path}: {source}")]
    #[non_exhaustive]
    Io {
        /// The file.
        path: String,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
}

/// One header field, its value decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// The name as written, `Content-Type`.
    pub name: String,
    /// The value, unfolded and decoded: RFC 2047 encoded words (`=?UTF-8?B?...?=`) in text
    /// and address headers become text; message ids lose their angle brackets; other
    /// structured headers (dates, `Content-Type`, `Received`) are given as written, unfolded.
    pub value: String,
}

/// Whether a part is an attachment or shown inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Disposition {
    /// A file to download (`Content-Disposition: attachment`, or not shown inline).
    Attachment,
    /// A part shown in the body, usually an image the HTML refers to by Content-ID.
    Inline,
}

/// A file in the message: an attachment or an inline part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmlAttachment {
    /// File name (`filename` of `Content-Disposition`, else `name` of `Content-Type`).
    pub filename: Option<String>,
    /// Media type without parameters, lower case: `application/pdf`
    /// (`application/octet-stream` when not given).
    pub content_type: String,
    /// Content-ID without angle brackets.
    pub content_id: Option<String>,
    /// Attachment or inline.
    pub disposition: Disposition,
    /// The decoded content.
    pub content: Bytes,
}

impl EmlAttachment {
    /// Size of the decoded content in bytes.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// # let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the list.\r\n--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=items.csv\r\n\r\nsku,qty\r\n--b--\r\n";
    /// let eml = Eml::parse(raw)?; // items.csv attached: "sku,qty"
    /// assert_eq!(eml.attachment("items.csv").map(|file| file.size()), Some(7));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn size(&self) -> usize {
        self.content.len()
    }

    /// Whether it is shown inline.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// # let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the list.\r\n--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=items.csv\r\n\r\nsku,qty\r\n--b--\r\n";
    /// let eml = Eml::parse(raw)?; // items.csv attached
    /// assert!(eml.attachments().iter().all(|file| !file.is_inline()));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn is_inline(&self) -> bool {
        self.disposition == Disposition::Inline
    }

    /// The content as text, when it is UTF-8.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// # let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the list.\r\n--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=items.csv\r\n\r\nsku,qty\r\n--b--\r\n";
    /// let eml = Eml::parse(raw)?; // items.csv attached: "sku,qty"
    /// assert_eq!(eml.attachment("items.csv").and_then(|file| file.text()), Some("sku,qty"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.content).ok()
    }
}

/// A parsed email message (`.eml`, `message/rfc822`).
///
/// Parsing is lenient, as mail readers are: malformed headers, bad encodings and broken MIME
/// structure give what could be read, never a panic. Only input that holds no message at all
/// is an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Eml {
    headers: Vec<Header>,
    from: Vec<Mailbox>,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    bcc: Vec<Mailbox>,
    reply_to: Vec<Mailbox>,
    subject: Option<String>,
    date: Option<DateTime<FixedOffset>>,
    message_id: Option<String>,
    text: Option<String>,
    html: Option<String>,
    attachments: Vec<EmlAttachment>,
}

impl fmt::Debug for Eml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Eml")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("date", &self.date)
            .field("message_id", &self.message_id)
            .field("headers", &self.headers.len())
            .field("text_len", &self.text.as_ref().map(String::len))
            .field("html_len", &self.html.as_ref().map(String::len))
            .field("attachments", &self.attachments.len())
            .finish()
    }
}

impl Eml {
    /// Parses a message from its bytes.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("From: robot@shop.example\r\nSubject: Welcome\r\n\r\nHello Ana")?;
    /// assert_eq!(eml.subject(), Some("Welcome"));
    /// assert!(Eml::parse("").is_err());
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EmlError::NotAMessage`] when the input is empty or holds no message.
    pub fn parse(raw: impl AsRef<[u8]>) -> Result<Self, EmlError> {
        let raw = raw.as_ref();
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(EmlError::NotAMessage("the input is empty"));
        }
        let message = MessageParser::default()
            .parse(raw)
            .ok_or(EmlError::NotAMessage("no header or body could be read"))?;
        Ok(Self::from_message(&message))
    }

    /// Reads and parses a `.eml` file.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("welcome.eml");
    /// std::fs::write(&path, "Subject: Welcome\r\n\r\nHello Ana")?;
    /// let eml = Eml::read(&path)?;
    /// assert_eq!(eml.subject(), Some("Welcome"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EmlError::Io`] when the file cannot be read; [`EmlError::NotAMessage`] when it holds
    /// no message.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, EmlError> {
        let path = path.as_ref();
        let raw = std::fs::read(path).map_err(|source| EmlError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(raw)
    }

    fn from_message(message: &mail_parser::Message<'_>) -> Self {
        let raw = message.raw_message();
        let headers = message
            .headers()
            .iter()
            .map(|header| Header {
                name: header.name().to_owned(),
                value: header_text(header, raw),
            })
            .collect();
        let addresses = |address: Option<&Address<'_>>| address.map(mailboxes).unwrap_or_default();
        let text = body(message.text_bodies(), false);
        let html = body(message.html_bodies(), true);
        Self {
            headers,
            from: addresses(message.from()),
            to: addresses(message.to()),
            cc: addresses(message.cc()),
            bcc: addresses(message.bcc()),
            reply_to: addresses(message.reply_to()),
            subject: message.subject().map(str::to_owned),
            date: message
                .date()
                .and_then(|date| DateTime::parse_from_rfc3339(&date.to_rfc3339()).ok()),
            message_id: message.message_id().map(str::to_owned),
            text,
            html,
            attachments: message.attachments().map(attachment).collect(),
        }
    }

    /// Every header of the top-level message, in order (repeated ones included).
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Subject: Hi\r\nX-Campaign: spring\r\n\r\nHello")?;
    /// let names: Vec<&str> = eml.headers().iter().map(|header| header.name.as_str()).collect();
    /// assert_eq!(names, ["Subject", "X-Campaign"]);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// The first header with this name (ignoring case), decoded.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("X-Campaign: spring\r\nSubject: =?UTF-8?Q?Ol=C3=A1?=\r\n\r\nHello")?;
    /// assert_eq!(eml.header("x-campaign"), Some("spring"));
    /// assert_eq!(eml.header("Subject"), Some("Olá")); // decoded
    /// assert_eq!(eml.header("X-Missing"), None);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|header| header.name.eq_ignore_ascii_case(name))
            .map(|header| header.value.as_str())
    }

    /// Every header with this name (ignoring case), in order.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("X-Tag: welcome\r\nX-Tag: onboarding\r\n\r\nHello")?;
    /// let tags: Vec<&str> = eml.header_all("x-tag").collect();
    /// assert_eq!(tags, ["welcome", "onboarding"]);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |header| header.name.eq_ignore_ascii_case(name))
            .map(|header| header.value.as_str())
    }

    /// The (first) sender.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("From: Shop <robot@shop.example>\r\n\r\nHello")?;
    /// let sender = eml.from().map(|mailbox| mailbox.email.as_str());
    /// assert_eq!(sender, Some("robot@shop.example"));
    /// assert_eq!(eml.from().and_then(|mailbox| mailbox.name.as_deref()), Some("Shop"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn from(&self) -> Option<&Mailbox> {
        self.from.first()
    }

    /// Every address of `From` (usually one).
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("From: ana@example.com, bo@example.com\r\n\r\nHello")?;
    /// assert_eq!(eml.from_all().len(), 2);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn from_all(&self) -> &[Mailbox] {
        &self.from
    }

    /// `To` addresses (members of groups included).
    ///
    /// ```
    /// # use mailtrap_sandbox::{Eml, Mailbox};
    /// let eml = Eml::parse("To: Ana <ana@example.com>, bo@example.com\r\n\r\nHello")?;
    /// assert_eq!(eml.to(), [Mailbox::from(("Ana", "ana@example.com")), Mailbox::from("bo@example.com")]);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn to(&self) -> &[Mailbox] {
        &self.to
    }

    /// `Cc` addresses.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("To: ana@example.com\r\nCc: Team <team@example.com>\r\n\r\nHello")?;
    /// assert_eq!(eml.cc()[0].email, "team@example.com");
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn cc(&self) -> &[Mailbox] {
        &self.cc
    }

    /// `Bcc` addresses (rarely present in a delivered message).
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("To: ana@example.com\r\nBcc: audit@example.com\r\n\r\nHello")?;
    /// assert_eq!(eml.bcc()[0].email, "audit@example.com");
    /// // Mail as delivered usually has no Bcc header: see the message's envelope recipients.
    /// assert!(Eml::parse("To: ana@example.com\r\n\r\nHello")?.bcc().is_empty());
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn bcc(&self) -> &[Mailbox] {
        &self.bcc
    }

    /// `Reply-To` addresses.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("From: robot@shop.example\r\nReply-To: help@shop.example\r\n\r\nHi")?;
    /// assert_eq!(eml.reply_to()[0].email, "help@shop.example");
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn reply_to(&self) -> &[Mailbox] {
        &self.reply_to
    }

    /// Every recipient: `To`, then `Cc`, then `Bcc`.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("To: ana@example.com\r\nCc: bo@example.com\r\n\r\nHello")?;
    /// let all: Vec<&str> = eml.recipients().map(|mailbox| mailbox.email.as_str()).collect();
    /// assert_eq!(all, ["ana@example.com", "bo@example.com"]);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    pub fn recipients(&self) -> impl Iterator<Item = &Mailbox> {
        self.to.iter().chain(&self.cc).chain(&self.bcc)
    }

    /// Whether `email` is among the recipients (ignoring case).
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("To: Ana <ana@example.com>\r\nCc: bo@example.com\r\n\r\nHello")?;
    /// assert!(eml.has_recipient("ANA@example.com"));
    /// assert!(eml.has_recipient("bo@example.com"));
    /// assert!(!eml.has_recipient("eve@example.com"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn has_recipient(&self, email: &str) -> bool {
        self.recipients()
            .any(|mailbox| mailbox.email.eq_ignore_ascii_case(email.trim()))
    }

    /// The subject, decoded.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Subject: =?UTF-8?B?UsOpaW5pdGlhbGlzZXI=?=\r\n\r\nHello")?;
    /// assert_eq!(eml.subject(), Some("Réinitialiser"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The `Date` header, when it parses.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Date: Tue, 1 Jul 2025 10:52:37 +0200\r\n\r\nHello")?;
    /// let date = eml.date().map(|date| date.to_rfc3339());
    /// assert_eq!(date.as_deref(), Some("2025-07-01T10:52:37+02:00"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn date(&self) -> Option<DateTime<FixedOffset>> {
        self.date
    }

    /// The `Message-ID`, without angle brackets.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Message-ID: <r-1@app.example>\r\n\r\nHello")?;
    /// assert_eq!(eml.message_id(), Some("r-1@app.example"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn message_id(&self) -> Option<&str> {
        self.message_id.as_deref()
    }

    /// The plain-text body, decoded (several `text/plain` body parts are joined with a line
    /// break). `None` when the message has no text part; an HTML-only message is not
    /// converted (see [`html_to_text`](crate::extract::html_to_text)).
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Content-Type: text/plain; charset=utf-8\r\n\r\nYour code is 482913.")?;
    /// assert_eq!(eml.text(), Some("Your code is 482913."));
    /// assert_eq!(eml.html(), None);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The HTML body, decoded. `None` when the message has no HTML part.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Content-Type: text/html\r\n\r\n<p>Welcome, <b>Ana</b></p>")?;
    /// assert_eq!(eml.html(), Some("<p>Welcome, <b>Ana</b></p>"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn html(&self) -> Option<&str> {
        self.html.as_deref()
    }

    /// Attachments and inline parts, in order.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// # let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the invoice.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=invoice.pdf\r\n\r\n%PDF-1.7\r\n--b--\r\n";
    /// let eml = Eml::parse(raw)?; // text, and invoice.pdf attached
    /// let files: Vec<_> = eml.attachments().iter().map(|file| file.filename.as_deref()).collect();
    /// assert_eq!(files, [Some("invoice.pdf")]);
    /// assert_eq!(eml.attachments()[0].content_type, "application/pdf");
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn attachments(&self) -> &[EmlAttachment] {
        &self.attachments
    }

    /// The first attachment or inline part with this file name.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// # let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the invoice.\r\n--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=items.csv\r\n\r\nsku,qty\r\n--b--\r\n";
    /// let eml = Eml::parse(raw)?; // text, and items.csv attached
    /// let csv = eml.attachment("items.csv").and_then(|file| file.text());
    /// assert_eq!(csv, Some("sku,qty"));
    /// assert!(eml.attachment("missing.pdf").is_none());
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn attachment(&self, filename: &str) -> Option<&EmlAttachment> {
        self.attachments
            .iter()
            .find(|attachment| attachment.filename.as_deref() == Some(filename))
    }

    /// The inline part with this Content-ID (with or without angle brackets or `cid:`).
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// # let raw = "Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:logo@shop\">\r\n--b\r\nContent-Type: image/png\r\nContent-ID: <logo@shop>\r\nContent-Disposition: inline\r\n\r\nPNG\r\n--b--\r\n";
    /// let eml = Eml::parse(raw)?; // HTML showing <img src="cid:logo@shop">, and the image
    /// let logo = eml.inline_part("cid:logo@shop");
    /// assert_eq!(logo.map(|part| part.content_type.as_str()), Some("image/png"));
    /// assert!(logo.is_some_and(|part| part.is_inline()));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn inline_part(&self, content_id: &str) -> Option<&EmlAttachment> {
        let wanted = content_id
            .trim()
            .trim_start_matches("cid:")
            .trim_start_matches('<')
            .trim_end_matches('>');
        self.attachments
            .iter()
            .find(|attachment| attachment.content_id.as_deref() == Some(wanted))
    }

    /// Every link: those of the HTML body (`<a href>`, `<area href>`), then the URLs of the
    /// text body, without duplicates.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("\r\nConfirm: https://app.example/confirm?t=Qm9 or https://app.example/help")?;
    /// assert_eq!(eml.links(), ["https://app.example/confirm?t=Qm9", "https://app.example/help"]);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn links(&self) -> Vec<String> {
        extract::links_in_body(self.html.as_deref(), self.text.as_deref())
    }

    /// The first link containing `needle` (`"/reset"`, `"token="`).
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("\r\nConfirm: https://app.example/confirm?t=Qm9 or https://app.example/help")?;
    /// let confirm = eml.link_containing("/confirm");
    /// assert_eq!(confirm.as_deref(), Some("https://app.example/confirm?t=Qm9"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn link_containing(&self, needle: &str) -> Option<String> {
        self.links().into_iter().find(|link| link.contains(needle))
    }

    /// The HTML body's links with their text.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Content-Type: text/html\r\n\r\n<a href=\"https://app.example/c?t=1\">Confirm</a>")?;
    /// let anchors = eml.anchors();
    /// assert_eq!(anchors[0].href, "https://app.example/c?t=1");
    /// assert_eq!(anchors[0].text, "Confirm");
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn anchors(&self) -> Vec<Anchor> {
        self.html
            .as_deref()
            .map(extract::anchors_in_html)
            .unwrap_or_default()
    }

    /// The `href` of the first HTML link whose text contains `text` (ignoring case): the
    /// "Reset password" button.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Content-Type: text/html\r\n\r\n<a href=\"https://shop.example/r?t=9\">Reset password</a>")?;
    /// let reset = eml.link_with_text("reset password");
    /// assert_eq!(reset.as_deref(), Some("https://shop.example/r?t=9"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn link_with_text(&self, text: &str) -> Option<String> {
        let wanted = text.to_lowercase();
        self.anchors()
            .into_iter()
            .find(|anchor| anchor.text.to_lowercase().contains(&wanted))
            .map(|anchor| anchor.href)
    }

    /// The one-time code, with the default [`CodeFinder`]: searched in the text body, then
    /// in the HTML body's text.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Subject: Sign in\r\n\r\nOrder 20251. Your code is 730 112.")?;
    /// assert_eq!(eml.one_time_code().as_deref(), Some("730112"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn one_time_code(&self) -> Option<String> {
        self.one_time_code_with(&CodeFinder::new())
    }

    /// The one-time code found by `finder`: searched in the text body, then in the HTML body's
    /// text.
    ///
    /// ```
    /// # use mailtrap_sandbox::{CodeFinder, Eml};
    /// let eml = Eml::parse("Subject: Entrar\r\n\r\nSeu código: 42")?;
    /// let finder = CodeFinder::new().length(2..=6).keyword("código");
    /// assert_eq!(eml.one_time_code_with(&finder).as_deref(), Some("42"));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn one_time_code_with(&self, finder: &CodeFinder) -> Option<String> {
        self.text
            .as_deref()
            .and_then(|text| finder.find(text))
            .or_else(|| {
                self.html
                    .as_deref()
                    .and_then(|html| finder.find(&extract::html_to_text(html)))
            })
    }

    /// Unrendered template placeholders in the subject, text and HTML.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// let eml = Eml::parse("Subject: Welcome, {{ user.name }}\r\n\r\nHello")?;
    /// let names: Vec<String> = eml.placeholders().into_iter().map(|found| found.name).collect();
    /// assert_eq!(names, ["user.name"]);
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    #[must_use]
    pub fn placeholders(&self) -> Vec<Placeholder> {
        extract::unrendered_placeholders(self.subject(), self.text(), self.html())
    }

    /// `Ok(())` when the subject and bodies hold no unrendered placeholder.
    ///
    /// ```
    /// # use mailtrap_sandbox::Eml;
    /// assert!(Eml::parse("Subject: Welcome, Ana\r\n\r\nHello")?.check_placeholders().is_ok());
    /// let unrendered = Eml::parse("Subject: Hi\r\n\r\nHello {{name}}")?.check_placeholders();
    /// assert!(unrendered.is_err_and(|err| err.to_string().contains("{{name}}")));
    /// # Ok::<(), mailtrap_sandbox::eml::EmlError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`UnrenderedPlaceholders`] listing each one and where it is.
    pub fn check_placeholders(&self) -> Result<(), UnrenderedPlaceholders> {
        extract::check_placeholders(self.subject(), self.text(), self.html())
    }
}

/// The decoded value of a header (see [`Header::value`]).
fn header_text(header: &mail_parser::Header<'_>, raw: &[u8]) -> String {
    match header.value() {
        HeaderValue::Text(text) => unfold(text),
        HeaderValue::TextList(list) => unfold(&list.join(", ")),
        HeaderValue::Address(address) => mailboxes(address)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        _ => {
            let start = usize::try_from(header.offset_start()).unwrap_or(usize::MAX);
            let end = usize::try_from(header.offset_end()).unwrap_or(usize::MAX);
            raw.get(start..end)
                .map(|value| unfold(&String::from_utf8_lossy(value)))
                .unwrap_or_default()
        }
    }
}

/// A folded header value on one line: each line break with the whitespace around it becomes
/// one space; the ends are trimmed.
fn unfold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (index, line) in value.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        if index == 0 {
            out.push_str(line);
        } else {
            out.truncate(out.trim_end().len());
            out.push(' ');
            out.push_str(line.trim_start());
        }
    }
    out.trim().to_owned()
}

/// The mailboxes of an address list as a header's value gives it (`Ana <ana@example.com>,
/// bo@example.com`), decoded names included; entries without an address are skipped.
pub(crate) fn address_list(value: &str) -> Vec<Mailbox> {
    // A header of its own, so that mail-parser reads quoted names and groups; a line break
    // in the value cannot start another header.
    let header = format!("To: {}\r\n\r\n", value.replace(['\r', '\n'], " "));
    MessageParser::default()
        .parse_headers(header.as_bytes())
        .and_then(|message| message.to().map(mailboxes))
        .unwrap_or_default()
}

/// Every mailbox of an address list or of the groups, in order; entries without an address
/// are skipped.
fn mailboxes(address: &Address<'_>) -> Vec<Mailbox> {
    address
        .iter()
        .filter_map(|addr| {
            let email = addr.address()?.trim();
            (!email.is_empty()).then(|| Mailbox::new(addr.name().map(str::to_owned), email))
        })
        .collect()
}

/// The text of the body parts of one kind (`html` or plain text), joined with a line break.
fn body<'a>(
    parts: impl Iterator<Item = &'a mail_parser::MessagePart<'a>>,
    html: bool,
) -> Option<String> {
    let texts: Vec<&str> = parts
        .filter_map(|part| match (&part.body, html) {
            (PartType::Html(text), true) | (PartType::Text(text), false) => Some(text.as_ref()),
            _ => None,
        })
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

fn attachment(part: &mail_parser::MessagePart<'_>) -> EmlAttachment {
    let content_type = part.content_type().map_or_else(
        || "application/octet-stream".to_owned(),
        |ct| match ct.subtype() {
            Some(subtype) => format!("{}/{subtype}", ct.ctype()).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
    );
    let inline = part
        .content_disposition()
        .map_or(matches!(part.body, PartType::InlineBinary(_)), |cd| {
            cd.is_inline()
        });
    EmlAttachment {
        filename: part.attachment_name().map(str::to_owned),
        content_type,
        content_id: part.content_id().map(|id| {
            id.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        }),
        disposition: if inline {
            Disposition::Inline
        } else {
            Disposition::Attachment
        },
        content: Bytes::copy_from_slice(part.contents()),
    }
}
