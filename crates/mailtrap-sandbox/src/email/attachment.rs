//! Files attached to an outgoing email.

use std::path::{Path, PathBuf};

use bytes::Bytes;

/// A file to attach to an [`Email`](super::Email): bytes in memory, or a file read when the
/// email is validated.
///
/// ```
/// use mailtrap_sandbox::email::EmailAttachment;
///
/// let invoice = EmailAttachment::from_bytes("invoice-0042.pdf", b"%PDF-1.7 ...".to_vec())
///     .content_type("application/pdf");
/// let logo = EmailAttachment::from_path("assets/logo.png").inline("logo");
/// # let _ = (invoice, logo);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct EmailAttachment {
    pub(crate) source: Source,
    pub(crate) filename: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) content_id: Option<String>,
    pub(crate) inline: bool,
}

/// Where the content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Bytes(Bytes),
    Path(PathBuf),
}

/// A validated attachment, content in memory.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) content_id: Option<String>,
    pub(crate) inline: bool,
    pub(crate) content: Bytes,
}

impl EmailAttachment {
    /// Content from memory, named `filename`. The media type is guessed from the file name's
    /// extension unless set with [`content_type`](Self::content_type).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailAttachment};
    ///
    /// let report = EmailAttachment::from_bytes("report.csv", "day,orders\n1,42\n");
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Report");
    /// let json = email.text("Attached.").attach(report).to_json()?;
    /// assert_eq!(json["attachments"][0]["type"], "text/csv"); // guessed from `.csv`
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_bytes(filename: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self {
            source: Source::Bytes(content.into()),
            filename: Some(filename.into()),
            content_type: None,
            content_id: None,
            inline: false,
        }
    }

    /// Content read from a file when the email is validated (just before sending), named
    /// after the file unless renamed with [`filename`](Self::filename); the media type is
    /// guessed from the extension (with `mime_guess`; `application/octet-stream` when
    /// unknown) unless set with [`content_type`](Self::content_type). The file is read
    /// synchronously and whole: attachments are small.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailAttachment};
    ///
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("invoice.pdf");
    /// # std::fs::write(&path, b"%PDF-1.7")?;
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Invoice");
    /// let json = email.text("Attached.").attach(EmailAttachment::from_path(&path)).to_json()?;
    /// assert_eq!(json["attachments"][0]["filename"], "invoice.pdf");
    /// assert_eq!(json["attachments"][0]["type"], "application/pdf");
    ///
    /// // A missing file is reported when the email is checked, before anything is sent.
    /// let missing = EmailAttachment::from_path(dir.path().join("missing.pdf"));
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Invoice");
    /// assert!(email.text("Attached.").attach(missing).validate().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref().to_path_buf();
        let filename = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        Self {
            source: Source::Path(path),
            filename,
            content_type: None,
            content_id: None,
            inline: false,
        }
    }

    /// The file name the recipient sees.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailAttachment};
    ///
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("tmp-8f3a.pdf");
    /// # std::fs::write(&path, b"%PDF-1.7")?;
    /// let invoice = EmailAttachment::from_path(&path).filename("invoice-42.pdf");
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Invoice");
    /// let json = email.text("Attached.").attach(invoice).to_json()?;
    /// assert_eq!(json["attachments"][0]["filename"], "invoice-42.pdf");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The media type, `application/pdf`.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailAttachment};
    ///
    /// let data = EmailAttachment::from_bytes("export.dat", vec![1, 2, 3]).content_type("application/x-export");
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Export");
    /// let json = email.text("Attached.").attach(data).to_json()?;
    /// assert_eq!(json["attachments"][0]["type"], "application/x-export");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Makes the attachment an inline part that the HTML shows with
    /// `<img src="cid:CONTENT_ID">`. Surrounding `<` `>` are removed from the id.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailAttachment};
    ///
    /// # let png: &[u8] = b"\x89PNG\r\n\x1a\n";
    /// let logo = EmailAttachment::from_bytes("logo.png", png).inline("<logo>");
    /// let email = Email::new().from("robot@shop.example").to("ana@example.com").subject("Welcome");
    /// let json = email.html(r#"<img src="cid:logo"> Welcome!"#).attach(logo).to_json()?;
    /// assert_eq!(json["attachments"][0]["disposition"], "inline");
    /// assert_eq!(json["attachments"][0]["content_id"], "logo");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inline(mut self, content_id: impl Into<String>) -> Self {
        let content_id: String = content_id.into();
        let trimmed = content_id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned();
        self.content_id = Some(trimmed);
        self.inline = true;
        self
    }

    /// A short description for error messages: the file name, else the path.
    pub(crate) fn describe(&self) -> String {
        match (&self.filename, &self.source) {
            (Some(name), _) if !name.trim().is_empty() => format!("{name:?}"),
            (_, Source::Path(path)) => format!("{:?}", path.display().to_string()),
            _ => "without a file name".to_owned(),
        }
    }

    /// Checks the attachment and reads its content; every problem goes to `problems`,
    /// prefixed with `field` (`attachments[0]`).
    pub(crate) fn load(&self, field: &str, problems: &mut Vec<String>) -> Option<Loaded> {
        let before = problems.len();
        let filename = self
            .filename
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty());
        if filename.is_none() {
            problems.push(format!(
                "'{field}.filename' is required: every attachment needs a file name"
            ));
        }
        if filename.is_some_and(|name| name.contains(['\r', '\n'])) {
            problems.push(format!("'{field}.filename' must not contain line breaks"));
        }
        if self.inline && self.content_id.as_deref().is_none_or(str::is_empty) {
            problems.push(format!(
                "'{field}.content_id' is required for an inline attachment ({})",
                self.describe()
            ));
        }
        let content_type = match &self.content_type {
            Some(given) => {
                let given = given.trim();
                if !looks_like_media_type(given) {
                    problems.push(format!(
                        "'{field}.type' {given:?} is not a media type such as application/pdf"
                    ));
                }
                given.to_owned()
            }
            None => mime_guess::from_path(filename.unwrap_or_default())
                .first_or_octet_stream()
                .essence_str()
                .to_owned(),
        };
        let content = match &self.source {
            Source::Bytes(bytes) => Some(bytes.clone()),
            Source::Path(path) => match std::fs::read(path) {
                Ok(content) => Some(Bytes::from(content)),
                Err(err) => {
                    problems.push(format!(
                        "'{field}' could not be read from {}: {err}",
                        path.display()
                    ));
                    None
                }
            },
        };
        if content.as_ref().is_some_and(Bytes::is_empty) {
            problems.push(format!(
                "'{field}.content' is empty ({}): attach a file with content",
                self.describe()
            ));
        }
        if problems.len() > before {
            return None;
        }
        Some(Loaded {
            filename: filename.unwrap_or_default().to_owned(),
            content_type,
            content_id: self.content_id.clone().filter(|id| !id.is_empty()),
            inline: self.inline,
            content: content.unwrap_or_default(),
        })
    }
}

/// `type/subtype` without spaces or line breaks (parameters after `;` allowed).
fn looks_like_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    token(kind) && token(subtype) && !value.contains(['\r', '\n'])
}
