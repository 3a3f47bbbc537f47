//! Change notifications: every change to messages, sandboxes or projects is announced on a
//! broadcast channel, so that a reader (the web inbox's live updates) learns of it without
//! polling.
//!
//! A change records its events in [`super::Changes`] while it holds the store's write lock;
//! [`Events::send`] publishes them before the lock is released, so subscribers see events in
//! the order the changes were made, and a subscriber that reads the store after an event sees
//! that change (or a later state). Sending never blocks and never fails: with no subscriber
//! the events are dropped, and a subscriber that falls more than [`CAPACITY`] events behind
//! receives [`tokio::sync::broadcast::error::RecvError::Lagged`] and must read the state
//! afresh.

use tokio::sync::broadcast;

/// Events kept for a slow subscriber before it lags.
pub(crate) const CAPACITY: usize = 1024;

/// One change, as subscribers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreEvent {
    /// A message arrived in a sandbox.
    MessageAdded { sandbox_id: u64, message_id: u64 },
    /// A message was marked read or unread.
    MessageRead {
        sandbox_id: u64,
        message_id: u64,
        is_read: bool,
    },
    /// A message was deleted (by a request, by the sandbox's size limit, or because saving it
    /// failed).
    MessageDeleted { sandbox_id: u64, message_id: u64 },
    /// Many messages of a sandbox changed at once: it was cleaned, all its messages were
    /// marked read, or a lower size limit dropped some.
    SandboxMessagesChanged { sandbox_id: u64 },
    /// Projects or sandboxes were created, changed or deleted, or the emulator was reset:
    /// anything else may have changed too.
    ResourcesChanged,
}

/// The broadcast side of the store.
#[derive(Debug)]
pub(crate) struct Events {
    sender: broadcast::Sender<StoreEvent>,
}

impl Events {
    /// A channel with no subscriber yet.
    pub(crate) fn new() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        Self { sender }
    }

    /// A new subscriber, which receives the events sent from now on.
    #[allow(dead_code, reason = "the web inbox subscribes; it lands next")]
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<StoreEvent> {
        self.sender.subscribe()
    }

    /// Publishes events in order (dropped when nobody listens).
    pub(crate) fn send(&self, events: impl IntoIterator<Item = StoreEvent>) {
        if self.sender.receiver_count() == 0 {
            return;
        }
        for event in events {
            // An error only means that every subscriber has gone.
            let _ = self.sender.send(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribers_receive_events_in_order_and_late_ones_only_new_events() {
        let events = Events::new();
        events.send([StoreEvent::ResourcesChanged]);
        let mut early = events.subscribe();
        let added = StoreEvent::MessageAdded {
            sandbox_id: 1,
            message_id: 2,
        };
        let deleted = StoreEvent::MessageDeleted {
            sandbox_id: 1,
            message_id: 2,
        };
        events.send([added, deleted]);
        assert_eq!(early.try_recv(), Ok(added));
        assert_eq!(early.try_recv(), Ok(deleted));
        assert!(early.try_recv().is_err());
        let mut late = events.subscribe();
        assert!(late.try_recv().is_err());
    }

    /// An in-memory store with small sandboxes (two messages each).
    fn store() -> crate::store::Store {
        use crate::store::{ServerInfo, Store, StoreOptions};
        let faults = crate::faults::FaultRegistry::new(Vec::new(), Vec::new()).unwrap();
        Store::open(StoreOptions {
            data_dir: None,
            durability: crate::config::Durability::default(),
            api_token: Some("token".to_owned()),
            limits: crate::config::SandboxLimits {
                max_size: 2,
                ..Default::default()
            },
            info: ServerInfo {
                smtp_host: "127.0.0.1".to_owned(),
                smtp_port: 2525,
                http_host: "127.0.0.1:8025".to_owned(),
                base_url: "http://127.0.0.1:8025".to_owned(),
                email_domain: "inbox.localhost".to_owned(),
            },
            faults: std::sync::Arc::new(faults),
        })
        .unwrap()
    }

    fn deliver(store: &crate::store::Store, sandbox_id: u64) -> u64 {
        use crate::store::Incoming;
        use crate::store::model::{Origin, StoredEnvelope};
        store
            .deliver_blocking(Incoming {
                sandbox_id,
                raw: b"Subject: hi\r\n\r\nhello\r\n".to_vec(),
                envelope: StoredEnvelope {
                    mail_from: "a@example.com".to_owned(),
                    rcpt_to: vec!["b@example.com".to_owned()],
                    client_ip: None,
                },
                origin: Origin::Smtp,
                template: None,
            })
            .unwrap()
    }

    fn drain(receiver: &mut broadcast::Receiver<StoreEvent>) -> Vec<StoreEvent> {
        std::iter::from_fn(|| receiver.try_recv().ok()).collect()
    }

    #[tokio::test]
    async fn every_change_to_messages_and_sandboxes_is_announced() {
        let store = store();
        let sandbox_id = store.read(|state| *state.reg.sandboxes.keys().next().unwrap());
        let mut events = store.subscribe();
        let first = deliver(&store, sandbox_id);
        let second = deliver(&store, sandbox_id);
        // The limit of two drops the first message when the third arrives.
        let third = deliver(&store, sandbox_id);
        assert_eq!(
            drain(&mut events),
            [
                StoreEvent::MessageAdded {
                    sandbox_id,
                    message_id: first
                },
                StoreEvent::MessageAdded {
                    sandbox_id,
                    message_id: second
                },
                StoreEvent::MessageAdded {
                    sandbox_id,
                    message_id: third
                },
                StoreEvent::MessageDeleted {
                    sandbox_id,
                    message_id: first
                },
            ]
        );

        store
            .set_read(sandbox_id, second, Some(true))
            .await
            .unwrap();
        store.delete_message(sandbox_id, third).await.unwrap();
        assert!(store.delete_message(sandbox_id, third).await.is_err());
        assert_eq!(
            drain(&mut events),
            [
                StoreEvent::MessageRead {
                    sandbox_id,
                    message_id: second,
                    is_read: true
                },
                StoreEvent::MessageDeleted {
                    sandbox_id,
                    message_id: third
                },
            ],
            "a change that fails announces nothing"
        );

        store
            .write(|state, changes| {
                crate::store::resources::clean_sandbox(state, changes, sandbox_id)
            })
            .await
            .unwrap();
        store
            .write(|state, changes| {
                crate::store::resources::reset_credentials(state, changes, sandbox_id)
            })
            .await
            .unwrap();
        store.reset().await.unwrap();
        assert_eq!(
            drain(&mut events),
            [
                StoreEvent::SandboxMessagesChanged { sandbox_id },
                StoreEvent::ResourcesChanged,
                StoreEvent::ResourcesChanged,
            ]
        );
    }

    #[test]
    fn a_slow_subscriber_is_told_it_lagged() {
        let events = Events::new();
        let mut slow = events.subscribe();
        events.send(
            (0..CAPACITY as u64 + 5)
                .map(|id| StoreEvent::SandboxMessagesChanged { sandbox_id: id }),
        );
        assert_eq!(
            slow.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(5))
        );
        assert_eq!(
            slow.try_recv(),
            Ok(StoreEvent::SandboxMessagesChanged { sandbox_id: 5 })
        );
    }
}
