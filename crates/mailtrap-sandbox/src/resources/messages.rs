//! Messages of a sandbox: list, stream, read, mark, delete, forward, reports and bodies.

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use mailtrap_sandbox_api::sandbox::types as api;
use mailtrap_sandbox_api::sandbox::{ByteStream, ResponseValue};

use crate::Client;
use crate::error::{Error, Result};
use crate::ids::{MessageId, SandboxId, to_api};
use crate::models::{
    ForwardOutcome, HtmlAnalysis, Message, MessageHeaders, SpamReport, convert_list,
};
use crate::pagination::{MessageStream, Page};
use crate::resources::attachments::AttachmentsHandle;
use crate::transport::{ApiResult, Op};

const LIST: Op = Op::safe("GET", "/api/sandboxes/{sandbox_id}/messages");
const GET: Op = Op::safe("GET", "/api/sandboxes/{sandbox_id}/messages/{message_id}");
const UPDATE: Op = Op::safe("PATCH", "/api/sandboxes/{sandbox_id}/messages/{message_id}");
const DELETE: Op = Op::safe(
    "DELETE",
    "/api/sandboxes/{sandbox_id}/messages/{message_id}",
);
const FORWARD: Op = Op::once(
    "POST",
    "/api/sandboxes/{sandbox_id}/messages/{message_id}/forward",
);
const SPAM: Op = Op::safe(
    "GET",
    "/api/sandboxes/{sandbox_id}/messages/{message_id}/spam_report",
);
const ANALYZE: Op = Op::safe(
    "GET",
    "/api/sandboxes/{sandbox_id}/messages/{message_id}/analyze",
);
const HEADERS: Op = Op::safe(
    "GET",
    "/api/sandboxes/{sandbox_id}/messages/{message_id}/mail_headers",
);
const TXT: Op = Op::body_part("/api/sandboxes/{sandbox_id}/messages/{message_id}/body.txt");
const HTML: Op = Op::body_part("/api/sandboxes/{sandbox_id}/messages/{message_id}/body.html");
const HTML_SOURCE: Op =
    Op::body_part("/api/sandboxes/{sandbox_id}/messages/{message_id}/body.htmlsource");
const RAW: Op = Op::body_part("/api/sandboxes/{sandbox_id}/messages/{message_id}/body.raw");
const EML: Op = Op::body_part("/api/sandboxes/{sandbox_id}/messages/{message_id}/body.eml");

/// The messages of a sandbox: `client.sandbox(id).messages()`.
#[derive(Debug, Clone)]
pub struct MessagesHandle {
    pub(crate) client: Client,
    pub(crate) sandbox: SandboxId,
}

impl MessagesHandle {
    /// Lists messages, newest first: one page with [`ListMessages::send`], or all of them
    /// with [`ListMessages::stream`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let page = sandbox.messages().list().send().await?;
    /// assert_eq!(page.len(), 1);
    /// assert_eq!(page.items()[0].subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListMessages {
        ListMessages {
            client: self.client.clone(),
            sandbox: self.sandbox,
            search: None,
            last_id: None,
            page: None,
        }
    }

    /// Every message of the sandbox, newest first, as a stream (shorthand for
    /// `list().stream()`).
    ///
    /// ```
    /// use futures_util::TryStreamExt as _;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let mut all = sandbox.messages().stream();
    /// while let Some(message) = all.try_next().await? {
    ///     assert_eq!(message.subject, "Welcome");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream(&self) -> MessageStream {
        self.list().stream()
    }
}

/// Lists the messages of a sandbox. Built by [`MessagesHandle::list`].
#[derive(Debug, Clone)]
#[must_use = "call .send() for one page or .stream() for all messages"]
pub struct ListMessages {
    client: Client,
    sandbox: SandboxId,
    search: Option<String>,
    last_id: Option<MessageId>,
    page: Option<u64>,
}

impl ListMessages {
    /// Only messages whose subject, addresses or text match.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let found = sandbox.messages().list().search("welcome").send().await?;
    /// assert_eq!(found.len(), 1);
    /// assert!(sandbox.messages().list().search("invoice").send().await?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn search(mut self, query: impl Into<String>) -> Self {
        self.search = Some(query.into());
        self
    }

    /// Only messages with an id below this one (the cursor of the next page:
    /// [`Page::next_last_id`]). The id need not exist.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let first = sandbox.messages().list().send().await?;
    /// if let Some(below) = first.next_last_id() {
    ///     let next = sandbox.messages().list().last_id(below).send().await?;
    ///     assert!(next.is_empty()); // one message in all
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn last_id(mut self, id: impl Into<MessageId>) -> Self {
        self.last_id = Some(id.into());
        self
    }

    /// A page number (the API accepts it, but `last_id` is how its own clients page).
    /// Ignored by [`stream`](Self::stream).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let second = sandbox.messages().list().page(2).send().await?;
    /// assert!(second.is_empty()); // one message in all
    /// # Ok(())
    /// # }
    /// ```
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Fetches one page (up to 30 messages, newest first; empty at the end).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let page = sandbox.messages().list().send().await?;
    /// for message in &page {
    ///     println!("#{} from {}: {}", message.id, message.from_email, message.subject);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when the sandbox does not exist.
    pub async fn send(self) -> Result<Page<Message>> {
        fetch_message_page(
            &self.client,
            self.sandbox,
            self.search.as_deref(),
            self.last_id,
            self.page,
        )
        .await
    }

    /// Streams every matching message, newest first, fetching the next page when the
    /// previous one is used up. Starts below [`last_id`](Self::last_id) when one was set.
    ///
    /// ```
    /// use futures_util::TryStreamExt as _;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let subjects: Vec<String> = sandbox
    ///     .messages()
    ///     .list()
    ///     .search("welcome")
    ///     .stream()
    ///     .map_ok(|message| message.subject)
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(subjects, ["Welcome"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream(self) -> MessageStream {
        MessageStream::new(self.client, self.sandbox, self.search, self.last_id)
    }
}

/// Fetches one page of messages (shared by [`ListMessages::send`] and [`MessageStream`]).
pub(crate) async fn fetch_message_page(
    client: &Client,
    sandbox: SandboxId,
    search: Option<&str>,
    last_id: Option<MessageId>,
    page: Option<u64>,
) -> Result<Page<Message>> {
    let sandbox_id = to_api(sandbox)?;
    let last_id = last_id.map(to_api).transpose()?;
    let page = page
        .map(|page| {
            i64::try_from(page)
                .map_err(|_| Error::invalid_argument(format!("page {page} is out of range")))
        })
        .transpose()?;
    let transport = &client.transport;
    let api = &transport.sandbox;
    let messages = transport
        .fetch(
            LIST,
            || api.get_sandbox_email_message(sandbox_id, last_id, page, search),
            |raw| convert_list(raw, Message::from_api),
        )
        .await?;
    let next = messages.iter().map(|message| message.id).min();
    Ok(Page::new(messages, next))
}

/// The newest page of messages (below `last_id`), with the server's `Date` (for waits).
pub(crate) async fn fetch_message_page_dated(
    client: &Client,
    sandbox: SandboxId,
    search: Option<&str>,
    last_id: Option<MessageId>,
) -> Result<(Page<Message>, Option<chrono::DateTime<chrono::Utc>>)> {
    let sandbox_id = to_api(sandbox)?;
    let last_id = last_id.map(to_api).transpose()?;
    let transport = &client.transport;
    let api = &transport.sandbox;
    let (messages, date) = transport
        .fetch_dated(
            LIST,
            || api.get_sandbox_email_message(sandbox_id, last_id, None, search),
            |raw| convert_list(raw, Message::from_api),
        )
        .await?;
    let next = messages.iter().map(|message| message.id).min();
    Ok((Page::new(messages, next), date))
}

/// One message: `client.sandbox(id).message(message_id)`.
#[derive(Debug, Clone)]
pub struct MessageHandle {
    pub(crate) client: Client,
    pub(crate) sandbox: SandboxId,
    pub(crate) id: MessageId,
}

impl MessageHandle {
    /// The sandbox holding the message.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let message = client.sandbox(4_288_340).message(5_273_448_410_u64);
    /// assert_eq!(message.sandbox_id().get(), 4_288_340);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn sandbox_id(&self) -> SandboxId {
        self.sandbox
    }

    /// The message's id.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let message = client.sandbox(4_288_340).message(5_273_448_410_u64);
    /// assert_eq!(message.id().get(), 5_273_448_410);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// The two ids as the generated layer takes them.
    fn ids(&self) -> Result<(i64, i64)> {
        Ok((to_api(self.sandbox)?, to_api(self.id)?))
    }

    /// The message's metadata.
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
    /// let details = message.get().await?;
    /// assert_eq!(details.subject, "Welcome");
    /// assert_eq!(details.from_email, "robot@shop.example");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when the message does not exist.
    pub async fn get(&self) -> Result<Message> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                GET,
                || api.show_sandbox_email_message(sandbox, message),
                Message::from_api,
            )
            .await
    }

    /// Marks the message read; answers with the updated message.
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
    /// assert!(message.mark_read().await?.is_read);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn mark_read(&self) -> Result<Message> {
        self.set_read(true).await
    }

    /// Marks the message unread; answers with the updated message.
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
    /// message.mark_read().await?;
    /// assert!(!message.mark_unread().await?.is_read);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn mark_unread(&self) -> Result<Message> {
        self.set_read(false).await
    }

    /// Sets the read state (`{"message": {"is_read": <bool>}}`); answers with the updated
    /// message.
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
    /// let seen = true; // from a command-line flag, say
    /// assert_eq!(message.set_read(seen).await?.is_read, seen);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn set_read(&self, is_read: bool) -> Result<Message> {
        let (sandbox, message) = self.ids()?;
        let body = api::UpdateMessageRequest {
            message: api::MessageFields {
                is_read: Some(is_read),
            },
        };
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                UPDATE,
                || api.update_sandbox_email_message(sandbox, message, &body),
                Message::from_api,
            )
            .await
    }

    /// Deletes the message; answers with the message as it was, or `None` when an attempt
    /// whose answer was lost deleted it (the retry then found it gone: the delete happened).
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
    /// message.delete().await?;
    /// assert!(message.get().await.is_err_and(|err| err.is_not_found()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when it did not exist.
    pub async fn delete(&self) -> Result<Option<Message>> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .remove_fetch(
                DELETE,
                || api.delete_sandbox_email_message(sandbox, message),
                Message::from_api,
            )
            .await
    }

    /// Forwards the message to an address (which must be confirmed in Mailtrap first).
    /// Never retried once sent. Succeeds only when the answer says so (`"success": true`,
    /// or a message without `"success": false`).
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
    /// let outcome = message.forward("qa-team@example.com").await?;
    /// assert!(outcome.success);
    /// assert!(message.forward("qa-team").await.is_err()); // refused before any request
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an address without `@`; [`Error::Api`] with kind
    /// [`Unsuccessful`](crate::ApiErrorKind::Unsuccessful) when the answer says it failed;
    /// [`Error::Decode`] when the answer says neither; otherwise any [`Error`].
    pub async fn forward(&self, email: impl Into<String>) -> Result<ForwardOutcome> {
        let email = email.into();
        let email = email.trim();
        if !email.contains('@') {
            return Err(Error::invalid_argument(format!(
                "cannot forward to `{email}`: expected an email address such as qa@example.com"
            )));
        }
        let (sandbox, message) = self.ids()?;
        let body = api::ForwardRequest {
            email: email.to_owned(),
        };
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                FORWARD,
                || api.forward_sandbox_email_message(sandbox, message, &body),
                |raw| Ok(ForwardOutcome::from_api(raw)),
            )
            .await
            .and_then(|outcome| outcome.confirmed(FORWARD.label()))
    }

    /// The message's spam report.
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
    /// let report = message.spam_report().await?;
    /// assert!(!report.spam, "spam score {} (threshold {:?})", report.score, report.threshold);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn spam_report(&self) -> Result<SpamReport> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                SPAM,
                || api.get_sandbox_email_message_spam_report(sandbox, message),
                |raw| Ok(SpamReport::from_api(raw)),
            )
            .await
    }

    /// Which constructs of the HTML body some email clients do not support.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let html = "<p>Hello Ana, <a href=\"https://shop.example/c?t=1\">Confirm</a></p>";
    /// # let sent = sandbox.send(email.subject("Welcome").html(html)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let analysis = message.html_analysis().await?;
    /// for issue in &analysis.errors {
    ///     println!("{issue:?}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn html_analysis(&self) -> Result<HtmlAnalysis> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                ANALYZE,
                || api.get_sandbox_email_message_html_analysis(sandbox, message),
                |raw| Ok(HtmlAnalysis::from_api(raw)),
            )
            .await
    }

    /// The message's headers.
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
    /// let headers = message.headers().await?.headers;
    /// assert_eq!(headers.get("subject").map(String::as_str), Some("Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn headers(&self) -> Result<MessageHeaders> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                HEADERS,
                || api.get_mail_headers_of_email_message(sandbox, message),
                |raw| Ok(MessageHeaders::from_api(raw)),
            )
            .await
    }

    /// The text body.
    ///
    /// ```
    /// use mailtrap_sandbox::ApiErrorKind;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// assert!(message.text().await?.contains("https://shop.example/c?t=1"));
    /// # let email = mailtrap_sandbox::Email::new().from("a@shop.example").to("b@example.com");
    /// # let sent = sandbox.send(email.subject("Hi").html("<p>Hi</p>")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// // An HTML-only message has no text part:
    /// let missing = message.text().await.map_err(|err| err.kind());
    /// assert_eq!(missing, Err(Some(ApiErrorKind::MissingPart)));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ApiErrorKind::MissingPart`](crate::ApiErrorKind::MissingPart) when the message has no
    /// text part; otherwise any [`Error`].
    pub async fn text(&self) -> Result<String> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.body(TXT, || {
            api.get_sandbox_email_message_body_as_txt(sandbox, message)
        })
        .await
        .map(into_text)
    }

    /// The HTML body as Mailtrap shows it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let html = "<p>Hello Ana, <a href=\"https://shop.example/c?t=1\">Confirm</a></p>";
    /// # let sent = sandbox.send(email.subject("Welcome").html(html)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let html = message.html().await?;
    /// assert!(html.contains("Confirm</a>"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ApiErrorKind::MissingPart`](crate::ApiErrorKind::MissingPart) when the message has no
    /// HTML part; otherwise any [`Error`].
    pub async fn html(&self) -> Result<String> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.body(HTML, || {
            api.get_sandbox_email_message_body_as_html(sandbox, message)
        })
        .await
        .map(into_text)
    }

    /// The HTML body as it was sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let html = "<p>Hello Ana, <a href=\"https://shop.example/c?t=1\">Confirm</a></p>";
    /// # let sent = sandbox.send(email.subject("Welcome").html(html)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let source = message.html_source().await?;
    /// assert!(source.contains(r#"<a href="https://shop.example/c?t=1">Confirm</a>"#));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ApiErrorKind::MissingPart`](crate::ApiErrorKind::MissingPart) when the message has no
    /// HTML part; otherwise any [`Error`].
    pub async fn html_source(&self) -> Result<String> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.body(HTML_SOURCE, || {
            api.get_sandbox_email_message_body_as_html_source(sandbox, message)
        })
        .await
        .map(into_text)
    }

    /// The raw message as received, byte for byte.
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
    /// let raw = message.raw_bytes().await?; // byte for byte, whatever the charset
    /// let parsed = mailtrap_sandbox::Eml::parse(&raw)?;
    /// assert_eq!(parsed.subject(), Some("Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn raw_bytes(&self) -> Result<Bytes> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.body(RAW, || {
            api.get_sandbox_email_message_body_as_raw(sandbox, message)
        })
        .await
    }

    /// The raw message as received, as text (bytes that are not UTF-8 are replaced with
    /// `U+FFFD`; use [`raw_bytes`](Self::raw_bytes) to keep them).
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
    /// let raw = message.raw_text().await?;
    /// assert!(raw.contains("Subject: Welcome"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn raw_text(&self) -> Result<String> {
        self.raw_bytes().await.map(into_text)
    }

    /// The message as an `.eml` file (`message/rfc822`), byte for byte; [`eml`](Self::eml)
    /// gives it parsed, [`download_eml`](Self::download_eml) streams it.
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
    /// let eml = message.eml_bytes().await?;
    /// std::fs::write(dir.path().join("welcome.eml"), &eml)?; // to open in a mail reader
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn eml_bytes(&self) -> Result<Bytes> {
        let (sandbox, message) = self.ids()?;
        let api = &self.client.transport.sandbox;
        self.body(EML, || {
            api.get_sandbox_email_message_body_as_eml(sandbox, message)
        })
        .await
    }

    /// The message's attachments.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailAttachment};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let pdf = EmailAttachment::from_bytes("invoice.pdf", b"%PDF-1.7".to_vec());
    /// let email = Email::new().from("shop@example.com").to("ana@example.com").subject("Invoice");
    /// let sent = sandbox.send(email.text("Attached.").attach(pdf)).await?;
    /// let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let files = message.attachments().list().send().await?;
    /// assert_eq!(files[0].filename, "invoice.pdf");
    /// let content = message.attachments().download(&files[0]).await?.bytes().await?;
    /// assert_eq!(content.as_ref(), b"%PDF-1.7");
    /// # Ok(())
    /// # }
    /// ```
    pub fn attachments(&self) -> AttachmentsHandle {
        AttachmentsHandle {
            client: self.client.clone(),
            sandbox: self.sandbox,
            message: self.id,
        }
    }

    /// Runs a body endpoint and reads the whole body (a failure while reading is retried
    /// like a failed request).
    async fn body<F, Fut>(&self, op: Op, mut send: F) -> Result<Bytes>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<ByteStream>>,
    {
        self.client
            .transport
            .call_opaque(op, || {
                let response = send();
                async move {
                    let response = response.await?;
                    let status = response.status();
                    let headers = response.headers().clone();
                    let mut stream = response.into_inner_stream();
                    let mut body = BytesMut::new();
                    while let Some(chunk) = stream.next().await {
                        let chunk = chunk
                            .map_err(mailtrap_sandbox_api::sandbox::Error::ResponseBodyError)?;
                        body.extend_from_slice(&chunk);
                    }
                    Ok(ResponseValue::new(body.freeze(), status, headers))
                }
            })
            .await
    }
}

/// Bytes as text, replacing what is not UTF-8.
fn into_text(bytes: Bytes) -> String {
    match String::from_utf8(Vec::from(bytes)) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}
