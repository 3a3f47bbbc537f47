//! One page of messages, and a stream over all of them.
//!
//! The message list answers 30 messages at a time, newest (highest id) first, with no
//! count and no link to the next page: the next page is asked for with `last_id`, the
//! lowest id seen so far, and the end is an empty page. [`Page`] is one answer;
//! [`MessageStream`] walks the pages for you, one at a time (memory stays at one page,
//! however many messages there are).
//!
//! ```no_run
//! use futures_util::TryStreamExt as _;
//!
//! # async fn run(client: mailtrap_sandbox::Client) -> mailtrap_sandbox::Result<()> {
//! let mut messages = client.sandbox(42).messages().list().search("invoice").stream();
//! while let Some(message) = messages.try_next().await? {
//!     println!("{} {}", message.id, message.subject);
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::BoxStream;

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
    #[must_use]
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Takes the items.
    #[must_use]
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// How many items the page holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the page is empty (for messages: the end of the list).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `last_id` that asks for the next page (the lowest id on this one); `None` for an
    /// empty page.
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
    inner: BoxStream<'static, Result<Message>>,
}

impl fmt::Debug for MessageStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageStream").finish_non_exhaustive()
    }
}

/// Where the walk through the pages stands.
struct Cursor {
    client: Client,
    sandbox: SandboxId,
    search: Option<String>,
    last_id: Option<MessageId>,
    buffered: std::vec::IntoIter<Message>,
    finished: bool,
}

impl MessageStream {
    pub(crate) fn new(
        client: Client,
        sandbox: SandboxId,
        search: Option<String>,
        last_id: Option<MessageId>,
    ) -> Self {
        let start = Cursor {
            client,
            sandbox,
            search,
            last_id,
            buffered: Vec::new().into_iter(),
            finished: false,
        };
        let inner = futures_util::stream::unfold(start, |mut cursor| async move {
            loop {
                if let Some(message) = cursor.buffered.next() {
                    return Some((Ok(message), cursor));
                }
                if cursor.finished {
                    return None;
                }
                let page = fetch_message_page(
                    &cursor.client,
                    cursor.sandbox,
                    cursor.search.as_deref(),
                    cursor.last_id,
                    None,
                )
                .await;
                let page = match page {
                    Ok(page) => page,
                    Err(err) => {
                        cursor.finished = true;
                        return Some((Err(err), cursor));
                    }
                };
                let next = page.next_last_id()?;
                if cursor.last_id.is_some_and(|previous| next >= previous) {
                    tracing::warn!(
                        sandbox_id = %cursor.sandbox,
                        cursor = %next,
                        "the message list did not move past its cursor; stopping the stream"
                    );
                    return None;
                }
                cursor.last_id = Some(next);
                cursor.buffered = page.into_items().into_iter();
            }
        });
        Self {
            inner: Box::pin(inner),
        }
    }
}

impl Stream for MessageStream {
    type Item = Result<Message>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
