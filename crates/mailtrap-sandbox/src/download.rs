//! Streaming downloads of message bodies and attachments.
//!
//! A [`Download`] starts when the API's headers are in; the body is read as you consume it:
//! as a [`Stream`] of [`Bytes`] ([`Download::into_stream`]), into a file
//! ([`Download::save_to`]), or whole ([`Download::bytes`], [`Download::text`],
//! [`Download::eml`]). Nothing but the current chunk is held in memory when streaming or
//! saving, whatever the size of the message.
//!
//! ```
//! use futures_util::TryStreamExt as _;
//! use mailtrap_sandbox::{Email, EmailAttachment};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
//! # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
//! # let sandbox = client.sandbox(emulator.sandbox().id);
//! # let dir = tempfile::tempdir()?;
//! # let pdf = EmailAttachment::from_bytes("invoice.pdf", b"%PDF-1.7".to_vec());
//! # let email = Email::new().from("shop@example.com").to("ana@example.com").subject("Invoice");
//! # let sent = sandbox.send(email.text("Attached.").attach(pdf)).await?;
//! # let message_id = sent.sandbox_message_ids()[0];
//! let message = sandbox.message(message_id);
//!
//! // The whole message as an .eml file, written atomically.
//! let written = message.download_eml().await?.save_to(dir.path().join("invoice.eml")).await?;
//!
//! // Every attachment, streamed chunk by chunk.
//! for attachment in message.attachments().list().send().await? {
//!     let mut stream = message.attachments().download(&attachment).await?.into_stream();
//!     let mut size = 0;
//!     while let Some(chunk) = stream.try_next().await? {
//!         size += chunk.len();
//!     }
//!     println!("{}: {size} bytes", attachment.filename);
//! }
//! # assert!(written > 0);
//! # Ok(())
//! # }
//! ```
//!
//! Message-part links (`download_path`, `raw_path`, an attachment's `download_path`...) are
//! followed verbatim: their tokens hold `%2F`, `+` and `=`, which must not be re-encoded.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt as _, TryStreamExt as _};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use crate::Client;
use crate::eml::Eml;
use crate::error::{DecodeError, Error, Result};
use crate::ids::AttachmentId;
use crate::models::Attachment;
use crate::resources::{AttachmentsHandle, MessageHandle};
use crate::transport::Transport;

/// Names a download in logs and errors (never the real link, which holds a secret token).
const EML_LABEL: &str = "/api/sandboxes/{sandbox_id}/messages/{message_id}/body.eml";
const RAW_LABEL: &str = "/api/sandboxes/{sandbox_id}/messages/{message_id}/body.raw";
const ATTACHMENT_LABEL: &str = "/api/testing_message_parts/{token}/attachment_download";
const PART_LABEL: &str = "/api/testing_message_parts/{token}/{part}";

/// A body being downloaded: the answer's headers are in, the body is read on demand.
pub struct Download {
    response: reqwest::Response,
    label: &'static str,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("request", &self.label)
            .field("status", &self.response.status())
            .field("content_length", &self.content_length())
            .field("content_type", &self.content_type())
            .finish()
    }
}

impl Download {
    fn new(response: reqwest::Response, label: &'static str) -> Self {
        Self { response, label }
    }

    /// The size announced by the server (`Content-Length`), when it gave one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let download = message.download_eml().await?;
    /// let announced = download.content_length();
    /// let body = download.bytes().await?;
    /// assert_eq!(announced, Some(body.len() as u64));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The media type announced by the server, `message/rfc822` for instance.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let download = message.download_eml().await?;
    /// assert_eq!(download.content_type(), Some("message/rfc822"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
    }

    /// The file name suggested by the server (`Content-Disposition: attachment;
    /// filename=...`), without any directory part.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let download = message.download_eml().await?;
    /// let name = download.filename(); // a bare file name, never a path
    /// assert!(name.is_some_and(|name| name.ends_with(".eml") && !name.contains('/')));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn filename(&self) -> Option<String> {
        let header = self
            .response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)?
            .to_str()
            .ok()?;
        filename_from_disposition(header)
    }

    /// The body as a stream of chunks, as they arrive. A connection that fails or closes
    /// before the announced end gives an error as the last item.
    ///
    /// ```
    /// use futures_util::TryStreamExt as _;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let mut stream = message.download_raw().await?.into_stream();
    /// let mut size = 0;
    /// while let Some(chunk) = stream.try_next().await? {
    ///     size += chunk.len(); // hash it, scan it, forward it...
    /// }
    /// assert!(size > 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_stream(self) -> BodyStream {
        let label = self.label;
        BodyStream {
            inner: self
                .response
                .bytes_stream()
                .map_err(move |err| Transport::body_error(label, err))
                .boxed(),
        }
    }

    /// The next chunk of the body, `None` at the end.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let mut download = message.download_raw().await?;
    /// let mut size = 0;
    /// while let Some(chunk) = download.chunk().await? {
    ///     size += chunk.len();
    /// }
    /// assert!(size > 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MaybeApplied`] when the connection fails or times out.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        let label = self.label;
        self.response
            .chunk()
            .await
            .map_err(|err| Transport::body_error(label, err))
    }

    /// Reads the whole body into memory.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let raw = message.download_raw().await?.bytes().await?;
    /// assert!(String::from_utf8_lossy(&raw).contains("Subject: Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MaybeApplied`] when the connection fails or times out.
    pub async fn bytes(mut self) -> Result<Bytes> {
        let capacity = self
            .content_length()
            .and_then(|len| usize::try_from(len).ok())
            .unwrap_or(0)
            .min(64 << 20);
        let mut body = BytesMut::with_capacity(capacity);
        while let Some(chunk) = self.chunk().await? {
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// Reads the whole body as text (bytes that are not UTF-8 become `U+FFFD`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let eml = message.download_eml().await?.text().await?;
    /// assert!(eml.contains("Subject: Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MaybeApplied`] when the connection fails or times out.
    pub async fn text(self) -> Result<String> {
        let bytes = self.bytes().await?;
        Ok(match String::from_utf8(bytes.into()) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        })
    }

    /// Reads the whole body and parses it as an email message.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let eml = message.download_eml().await?.eml().await?;
    /// assert_eq!(eml.subject(), Some("Welcome"));
    /// assert!(eml.has_recipient("ana@example.com"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the body holds no message; [`Error::MaybeApplied`]
    /// when the connection fails or times out.
    pub async fn eml(self) -> Result<Eml> {
        let label = self.label;
        let status = self.response.status();
        let bytes = self.bytes().await?;
        Eml::parse(&bytes).map_err(|err| {
            DecodeError::new(
                format!("GET {label}"),
                status,
                ".".to_owned(),
                err.to_string(),
                &bytes,
            )
            .into()
        })
    }

    /// Writes the body to `writer` as it arrives, and flushes it; returns the number of bytes
    /// written.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let mut buffer = Vec::new(); // or a tokio::fs::File, a socket...
    /// let written = message.download_eml().await?.write_to(&mut buffer).await?;
    /// assert_eq!(written, buffer.len() as u64);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MaybeApplied`] when the connection fails or times out;
    /// [`Error::Io`] (with `path` empty) when writing fails.
    pub async fn write_to<W: AsyncWrite + Unpin>(mut self, writer: &mut W) -> Result<u64> {
        let mut written: u64 = 0;
        while let Some(chunk) = self.chunk().await? {
            writer
                .write_all(&chunk)
                .await
                .map_err(|source| io_error("write to", PathBuf::new(), source))?;
            written += chunk.len() as u64;
        }
        writer
            .flush()
            .await
            .map_err(|source| io_error("flush", PathBuf::new(), source))?;
        Ok(written)
    }

    /// Saves the body to `path` and returns the number of bytes written.
    ///
    /// The body goes to a temporary file in the same folder (`.NAME.part-XXXXXXXX`), which is
    /// synced to disk and then renamed to `path`, replacing any file there. If the download
    /// fails (or the future is dropped) part way, the temporary file is removed and `path` is
    /// left as it was: never a half-written file under the final name.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("welcome.eml");
    /// let written = message.download_eml().await?.save_to(&path).await?;
    /// assert_eq!(std::fs::metadata(&path)?.len(), written);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MaybeApplied`] when the connection fails or times out; [`Error::Io`]
    /// when the file cannot be created, written or renamed.
    pub async fn save_to(mut self, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let file_name = path.file_name().ok_or_else(|| {
            Error::invalid_argument(format!(
                "cannot save to {}: it names no file",
                path.display()
            ))
        })?;
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp_path = folder.join(format!(
            ".{}.part-{:08x}",
            file_name.to_string_lossy(),
            fastrand::u32(..)
        ));
        // Created synchronously (a quick call) so that the guard exists as soon as the file
        // does: a future dropped at any await point then leaves nothing behind.
        let std_file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
            .map_err(|source| io_error("create", temp_path.clone(), source))?;
        let mut guard = TempFile {
            path: Some(temp_path.clone()),
        };
        let mut file = tokio::fs::File::from_std(std_file);
        let mut written: u64 = 0;
        while let Some(chunk) = self.chunk().await? {
            file.write_all(&chunk)
                .await
                .map_err(|source| io_error("write", temp_path.clone(), source))?;
            written += chunk.len() as u64;
        }
        file.flush()
            .await
            .map_err(|source| io_error("write", temp_path.clone(), source))?;
        file.sync_all()
            .await
            .map_err(|source| io_error("sync", temp_path.clone(), source))?;
        drop(file);
        tokio::fs::rename(&temp_path, path)
            .await
            .map_err(|source| io_error("rename the download to", path.to_path_buf(), source))?;
        guard.path = None;
        tracing::debug!(request = self.label, bytes = written, "download saved");
        Ok(written)
    }
}

/// Removes a temporary file when dropped, unless disarmed (`path` taken).
struct TempFile {
    path: Option<PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take()
            && let Err(err) = std::fs::remove_file(&path)
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %err, "could not remove a partial download");
        }
    }
}

fn io_error(action: &'static str, path: PathBuf, source: std::io::Error) -> Error {
    Error::Io {
        action,
        path,
        source,
    }
}

/// The body of a [`Download`] as a stream of [`Bytes`] chunks.
pub struct BodyStream {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>,
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyStream").finish_non_exhaustive()
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// The `filename` (or RFC 5987 `filename*`) of a `Content-Disposition` value, without any
/// directory part.
fn filename_from_disposition(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for parameter in header.split(';').skip(1) {
        let Some((name, value)) = parameter.split_once('=') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "filename" => plain = Some(value.trim_matches('"').replace("\\\"", "\"")),
            "filename*" => {
                // charset'language'percent-encoded
                let encoded = value.splitn(3, '\'').nth(2).unwrap_or(value);
                extended = Some(percent_decode(encoded));
            }
            _ => {}
        }
    }
    let name = extended.or(plain)?;
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                index += 3;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Client {
    /// Downloads any message-part link the API gave (a message's `download_path`,
    /// `raw_path`, `txt_path`, `html_path`, `html_source_path`, or an attachment's
    /// `download_path`), followed verbatim on the management host.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let raw_path = message.get().await?.raw_path.ok_or("the API gave no raw_path")?;
    /// let raw = client.download_path(&raw_path).await?.text().await?;
    /// assert!(raw.contains("Subject: Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for something that is not a path (`/api/...`); otherwise
    /// any [`Error`] of the request (the link may have expired: [`Error::is_not_found`]).
    pub async fn download_path(&self, path: &str) -> Result<Download> {
        let response = self.transport.get_path(path, PART_LABEL).await?;
        Ok(Download::new(response, PART_LABEL))
    }
}

impl MessageHandle {
    /// Starts downloading the message as an `.eml` file (`message/rfc822`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// # let dir = tempfile::tempdir()?;
    /// let download = message.download_eml().await?;
    /// assert_eq!(download.content_type(), Some("message/rfc822"));
    /// let written = download.save_to(dir.path().join("welcome.eml")).await?;
    /// assert!(written > 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the request; [`Error::is_not_found`] when the message does not exist.
    pub async fn download_eml(&self) -> Result<Download> {
        self.download_body("body.eml", EML_LABEL).await
    }

    /// Starts downloading the raw message as received.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let raw = message.download_raw().await?.text().await?;
    /// assert!(raw.contains("Subject: Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the request; [`Error::is_not_found`] when the message does not exist.
    pub async fn download_raw(&self) -> Result<Download> {
        self.download_body("body.raw", RAW_LABEL).await
    }

    /// Starts downloading one of the message's body files (`body.eml`, `body.raw`).
    async fn download_body(&self, file: &str, label: &'static str) -> Result<Download> {
        let path = format!(
            "/api/sandboxes/{}/messages/{}/{file}",
            self.sandbox, self.id
        );
        let response = self.client.transport.get_path(&path, label).await?;
        Ok(Download::new(response, label))
    }

    /// The message, parsed (see [`Eml`]): headers, addresses, bodies, attachments, links
    /// and codes. Downloads the `.eml` file ([`eml_bytes`](Self::eml_bytes) gives its bytes).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let eml = message.eml().await?;
    /// assert_eq!(eml.subject(), Some("Welcome"));
    /// assert!(eml.has_recipient("ana@example.com"));
    /// assert_eq!(eml.links(), ["https://shop.example/c?t=1"]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the request; [`Error::Decode`] when the body holds no message.
    pub async fn eml(&self) -> Result<Eml> {
        self.download_eml().await?.eml().await
    }
}

impl AttachmentsHandle {
    /// Starts downloading an attachment's content through its `download_path` (fetching the
    /// attachment's metadata first when it has none).
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
    /// let content = message.attachments().download(&files[0]).await?.bytes().await?;
    /// assert_eq!(content.as_ref(), b"%PDF-1.7");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the requests; [`Error::InvalidArgument`] when the API gives the
    /// attachment no download link.
    pub async fn download(&self, attachment: &Attachment) -> Result<Download> {
        let path = match &attachment.download_path {
            Some(path) => path.clone(),
            None => self
                .get(attachment.id)
                .await?
                .download_path
                .ok_or_else(|| no_link(attachment.id))?,
        };
        let response = self
            .client
            .transport
            .get_path(&path, ATTACHMENT_LABEL)
            .await?;
        Ok(Download::new(response, ATTACHMENT_LABEL))
    }

    /// Starts downloading the content of the attachment with this id (its metadata is
    /// fetched first, for the link).
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
    /// # let dir = tempfile::tempdir()?;
    /// # let id = message.attachments().list().send().await?[0].id;
    /// let download = message.attachments().download_id(id).await?;
    /// let name = download.filename().unwrap_or_else(|| "attachment".to_owned());
    /// let written = download.save_to(dir.path().join(name)).await?;
    /// assert_eq!(written, 8);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the requests; [`Error::is_not_found`] when there is no such attachment.
    pub async fn download_id(&self, id: impl Into<AttachmentId>) -> Result<Download> {
        let id = id.into();
        let path = self
            .get(id)
            .await?
            .download_path
            .ok_or_else(|| no_link(id))?;
        let response = self
            .client
            .transport
            .get_path(&path, ATTACHMENT_LABEL)
            .await?;
        Ok(Download::new(response, ATTACHMENT_LABEL))
    }
}

fn no_link(id: AttachmentId) -> Error {
    Error::invalid_argument(format!(
        "attachment {id} has no download_path in the API's answer, so its content cannot be downloaded"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_names() {
        let cases = [
            ("attachment; filename=\"reset.eml\"", Some("reset.eml")),
            ("attachment; filename=plain.eml", Some("plain.eml")),
            ("attachment; filename=\"../../etc/passwd\"", Some("passwd")),
            (
                "attachment; filename*=UTF-8''Rel%C3%A9%20de%20t%C3%A9st.eml",
                Some("Relé de tést.eml"),
            ),
            (
                "attachment; filename=\"a.eml\"; filename*=UTF-8''b%2Eeml",
                Some("b.eml"),
            ),
            ("attachment; filename=\"..\"", None),
            ("attachment", None),
            ("inline; filename=\"\"", None),
        ];
        for (header, expected) in cases {
            assert_eq!(
                filename_from_disposition(header).as_deref(),
                expected,
                "{header}"
            );
        }
    }
}
