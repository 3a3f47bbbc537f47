//! Live updates: `GET /ui/events` streams the store's change notifications as server-sent
//! events, one JSON object each, with the sandbox's message and unread counts after the
//! change:
//!
//! | `type` | when | other fields |
//! |---|---|---|
//! | `added` | a message arrived | `sandbox`, `message`, `count`, `unread` |
//! | `read` | a message was marked read or unread | `sandbox`, `message`, `read`, `count`, `unread` |
//! | `deleted` | a message was deleted | `sandbox`, `message`, `count`, `unread` |
//! | `sandbox` | many messages of a sandbox changed (cleaned, all read) | `sandbox`, `count`, `unread` |
//! | `resources` | projects or sandboxes changed | |
//! | `resync` | this stream fell behind and missed events: read everything again | |
//!
//! Nothing polls: the stream waits on the store's broadcast. It ends when the emulator stops
//! or when the session's token stops being valid (the browser then reconnects and is refused).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::data::{self, StoreEvent};
use super::{Ui, session};
use crate::http::AppState;

/// How often an idle stream sends a comment, so that proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

fn with_counts(app: &AppState, sandbox_id: u64, mut value: Value) -> Value {
    if let (Some((count, unread)), Value::Object(map)) = (data::counts(app, sandbox_id), &mut value)
    {
        map.insert("count".to_owned(), count.into());
        map.insert("unread".to_owned(), unread.into());
    }
    value
}

/// The JSON of one event.
fn describe(app: &AppState, event: StoreEvent) -> Value {
    match event {
        StoreEvent::MessageAdded {
            sandbox_id,
            message_id,
        } => with_counts(
            app,
            sandbox_id,
            json!({"type": "added", "sandbox": sandbox_id, "message": message_id}),
        ),
        StoreEvent::MessageRead {
            sandbox_id,
            message_id,
            is_read,
        } => with_counts(
            app,
            sandbox_id,
            json!({"type": "read", "sandbox": sandbox_id, "message": message_id, "read": is_read}),
        ),
        StoreEvent::MessageDeleted {
            sandbox_id,
            message_id,
        } => with_counts(
            app,
            sandbox_id,
            json!({"type": "deleted", "sandbox": sandbox_id, "message": message_id}),
        ),
        StoreEvent::SandboxMessagesChanged { sandbox_id } => with_counts(
            app,
            sandbox_id,
            json!({"type": "sandbox", "sandbox": sandbox_id}),
        ),
        StoreEvent::ResourcesChanged => json!({"type": "resources"}),
    }
}

/// `GET /ui/events`.
pub(super) async fn events(
    State(app): State<AppState>,
    Extension(ui): Extension<Arc<Ui>>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = data::subscribe(&app);
    let stream = futures_util::stream::unfold(
        (receiver, app, ui, headers),
        |(mut receiver, app, ui, headers)| async move {
            let value = tokio::select! {
                () = ui.stopping.cancelled() => return None,
                received = receiver.recv() => match received {
                    Ok(event) => describe(&app, event),
                    Err(RecvError::Lagged(_)) => json!({"type": "resync"}),
                    Err(RecvError::Closed) => return None,
                },
            };
            if !session::signed_in(&app, &ui, &headers) {
                return None;
            }
            let event = Event::default().data(value.to_string());
            Some((Ok(event), (receiver, app, ui, headers)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}
