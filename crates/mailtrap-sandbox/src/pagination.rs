//! One page of messages, and a stream over all of them.
//!
//! The message list answers 30 messages at a time, newest (highest id) first, with no
//! count and no link to the next page: the next page is asked for with `last_id`, the
//! lowest id seen so far, and the end is an empty page. [`Page`] is one answer;
//! [`MessageStream`] walks the pages for you, one at a time (memory stays at one page,
//! however many messages there are).
//!
//! ```
//! use futures_util::TryStreamExt as _;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
//! # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
//! # let sandbox = client.sandbox(emulator.sandbox().id);
//! # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
//! # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
//! let mut messages = sandbox.messages().list().search("welcome").stream();
//! while let Some(message) = messages.try_next().await? {
//!     println!("{} {}", message.id, message.subject);
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::Stream;
use futures_util::future::BoxFuture;

use crate::Client;
use crate::error::Result;
use crate::ids::{MessageId, SandboxId};
use crate::models::Message;
use crate::resources::fetch_message_page;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    items: Vec<T>,
    next_last_id: Option<MessageId>,
}

impl<T> Page<T> {
    pub(crate) fn new(items: Vec<T>, next_last_id: Option<MessageId>) -> Self {
        Self {
            items,
            next_last_id,
        }
    }

    /// The items, in the order the API gave them (newest first for messages).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # for subject in ["Welcome", "Your code"] {
    /// #     let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// #     sandbox.send(email.subject(subject).text("Hello Ana")).await?;
    /// # }
    /// let page = sandbox.messages().list().send().await?;
    /// let subjects: Vec<&str> = page.items().iter().map(|message| message.subject.as_str()).collect();
    /// assert_eq!(subjects, ["Your code", "Welcome"]); // newest first
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Takes the items.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # for subject in ["Welcome", "Your code"] {
    /// #     let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// #     sandbox.send(email.subject(subject).text("Hello Ana")).await?;
    /// # }
    /// let messages = sandbox.messages().list().send().await?.into_items();
    /// assert_eq!(messages.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// How many items the page holds.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # for subject in ["Welcome", "Your code"] {
    /// #     let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// #     sandbox.send(email.subject(subject).text("Hello Ana")).await?;
    /// # }
    /// assert_eq!(sandbox.messages().list().send().await?.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the page is empty (for messages: the end of the list).
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
    /// assert!(!page.is_empty());
    /// let below = page.next_last_id().ok_or("an empty page")?;
    /// let next = sandbox.messages().list().last_id(below).send().await?;
    /// assert!(next.is_empty()); // the end of the list
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `last_id` that asks for the next page (the lowest id on this one); `None` for an
    /// empty page.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # for subject in ["Welcome", "Your code"] {
    /// #     let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// #     sandbox.send(email.subject(subject).text("Hello Ana")).await?;
    /// # }
    /// // Every page by hand (MessageStream does this for you).
    /// let mut page = sandbox.messages().list().send().await?;
    /// let mut count = 0;
    /// while let Some(below) = page.next_last_id() {
    ///     count += page.len();
    ///     page = sandbox.messages().list().last_id(below).send().await?;
    /// }
    /// assert_eq!(count, 2);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn next_last_id(&self) -> Option<MessageId> {
        self.next_last_id
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Every message of a sandbox (matching a search, if one was given), newest first, fetched
/// a page at a time as the stream is polled.
///
/// The stream ends after an empty page, or when the API hands back a page whose cursor is not
/// below the previous one (a server that ignores `last_id` would otherwise loop forever). An
/// error ends it too, after being yielded once. Build it with
/// [`ListMessages::stream`](crate::resources::ListMessages::stream).
#[must_use = "streams do nothing unless polled"]
pub struct MessageStream {
    client: Client,
    sandbox: SandboxId,
    search: Option<String>,
    /// The cursor of the next page (`None` before the first page when no `last_id` was set).
    last_id: Option<MessageId>,
    /// What is left of the current page: handed out without any further work.
    buffered: std::vec::IntoIter<Message>,
    /// The request for the next page, while it is in flight.
    pending: Option<BoxFuture<'static, Result<Page<Message>>>>,
    finished: bool,
}

impl fmt::Debug for MessageStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageStream")
            .field("sandbox", &self.sandbox)
            .field("last_id", &self.last_id)
            .field("buffered", &self.buffered.len())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl MessageStream {
    pub(crate) fn new(
        client: Client,
        sandbox: SandboxId,
        search: Option<String>,
        last_id: Option<MessageId>,
    ) -> Self {
        Self {
            client,
            sandbox,
            search,
            last_id,
            buffered: Vec::new().into_iter(),
            pending: None,
            finished: false,
        }
    }

    /// The request for the page below the current cursor.
    fn next_page(&self) -> BoxFuture<'static, Result<Page<Message>>> {
        let client = self.client.clone();
        let sandbox = self.sandbox;
        let search = self.search.clone();
        let last_id = self.last_id;
        Box::pin(async move {
            fetch_message_page(&client, sandbox, search.as_deref(), last_id, None).await
        })
    }

    /// Takes in a fetched page; `false` when the walk is over.
    fn accept(&mut self, page: Page<Message>) -> bool {
        let Some(next) = page.next_last_id() else {
            return false;
        };
        if self.last_id.is_some_and(|previous| next >= previous) {
            tracing::warn!(
                sandbox_id = %self.sandbox,
                cursor = %next,
                "the message list did not move past its cursor; stopping the stream"
            );
            return false;
        }
        self.last_id = Some(next);
        self.buffered = page.into_items().into_iter();
        true
    }
}

impl Stream for MessageStream {
    type Item = Result<Message>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(message) = this.buffered.next() {
                return Poll::Ready(Some(Ok(message)));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            let pending = match &mut this.pending {
                Some(pending) => pending,
                None => this.pending.insert(this.next_page()),
            };
            let page = ready!(pending.as_mut().poll(cx));
            this.pending = None;
            match page {
                Ok(page) => {
                    if !this.accept(page) {
                        this.finished = true;
                    }
                }
                Err(err) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(err)));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.finished {
            (self.buffered.len(), Some(self.buffered.len()))
        } else {
            (self.buffered.len(), None)
        }
    }
}
