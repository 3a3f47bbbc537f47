//! The emulator's state: an in-memory registry and message store, optionally written through to
//! SQLite ([`crate::persist`]).
//!
//! All state sits behind one read-write lock. Readers (every `GET`) share it; a change takes it
//! exclusively, makes the change in memory, queues the matching database change while still
//! holding it (so the database sees changes in memory order), releases it, and only then waits
//! for the database to acknowledge. Parsing a message happens before the lock is taken.

pub(crate) mod accounts;
mod backend;
mod digest;
pub(crate) mod events;
mod messages;
pub(crate) mod model;
pub(crate) mod parts;
pub(crate) mod resources;
pub(crate) mod seed;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{DateTime, Utc};

use self::events::Events;
pub(crate) use self::events::StoreEvent;
pub(crate) use self::messages::{Incoming, ListQuery, PAGE_SIZE};
use self::model::{MessageData, MessageEntry, MessageMeta, Registry, SandboxMessages};
use crate::config::SandboxLimits;
use crate::error::StartError;
use crate::faults::FaultRegistry;
use crate::persist::{Op, Persist, WaitMode, Waiter};
use crate::random;
use crate::time;

/// Field name to error messages, as in a 422 body.
pub(crate) type FieldErrors = BTreeMap<String, Vec<String>>;

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoreError {
    /// No such resource.
    NotFound,
    /// The request is not allowed (the owner's access cannot be removed).
    Forbidden,
    /// Validation failed.
    Invalid(FieldErrors),
    /// Saving failed.
    Storage(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NotFound => f.write_str("not found"),
            StoreError::Forbidden => f.write_str("not allowed"),
            StoreError::Invalid(errors) => {
                let described: Vec<String> = errors
                    .iter()
                    .map(|(field, messages)| format!("{field} {}", messages.join(", ")))
                    .collect();
                write!(f, "invalid: {}", described.join("; "))
            }
            StoreError::Storage(e) => f.write_str(e),
        }
    }
}

impl StoreError {
    /// A validation error on one field.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(BTreeMap::from([(field.to_owned(), vec![message.into()])]))
    }
}

/// Addresses the views mention (SMTP host and port, HTTP host).
#[derive(Debug, Clone)]
pub(crate) struct ServerInfo {
    pub(crate) smtp_host: String,
    pub(crate) smtp_port: u16,
    pub(crate) http_host: String,
    pub(crate) base_url: String,
    pub(crate) email_domain: String,
}

/// Everything the lock protects.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) reg: Registry,
    /// What `POST /_emulator/reset` returns to.
    pub(crate) seed: Registry,
    pub(crate) messages: HashMap<u64, SandboxMessages>,
    pub(crate) limits: SandboxLimits,
}

impl State {
    /// The messages of a sandbox (empty when it has none yet).
    pub(crate) fn sandbox_messages(&self, sandbox_id: u64) -> Option<&SandboxMessages> {
        self.messages.get(&sandbox_id)
    }
}

/// Database changes collected during one change to the state.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    pub(crate) ops: Vec<Op>,
    pub(crate) registry: bool,
    /// What subscribers are told once the change is made.
    pub(crate) events: Vec<StoreEvent>,
}

impl Changes {
    /// The registry changed: save it.
    pub(crate) fn registry(&mut self) {
        self.registry = true;
    }

    /// Another change to save.
    pub(crate) fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    /// Another event to announce ([`events`]).
    pub(crate) fn notify(&mut self, event: StoreEvent) {
        self.events.push(event);
    }
}

/// The emulator's store. It implements [`crate::smtp::SmtpBackend`], so messages can be
/// delivered to it directly (as the SMTP server does); get it from
/// [`crate::RunningEmulator::store`].
#[derive(Debug)]
pub struct Store {
    state: RwLock<State>,
    persist: Option<Persist>,
    faults: Arc<FaultRegistry>,
    info: ServerInfo,
    api_token: String,
    events: Events,
}

/// What [`Store::open`] needs.
#[derive(Debug)]
pub(crate) struct StoreOptions {
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) durability: crate::config::Durability,
    pub(crate) api_token: Option<String>,
    pub(crate) limits: SandboxLimits,
    pub(crate) info: ServerInfo,
    pub(crate) faults: Arc<FaultRegistry>,
}

impl Store {
    /// Opens the store: fresh in memory, or loaded from (and written to) the data directory.
    pub(crate) fn open(options: StoreOptions) -> Result<Self, StartError> {
        let now = time::now();
        let Some(dir) = options.data_dir else {
            let token = options.api_token.unwrap_or_else(random::api_token);
            let seed = seed::build(&token, options.limits, now);
            return Ok(Self::assemble(
                seed.clone(),
                seed,
                HashMap::new(),
                options.limits,
                None,
                options.faults,
                options.info,
                token,
            ));
        };
        let storage_error = |message: String| StartError::Storage {
            path: dir.clone(),
            message,
        };
        let (persist, loaded) = Persist::open(&dir, options.durability)?;
        let parse = |json: &str, what: &str| -> Result<Registry, StartError> {
            serde_json::from_str(json)
                .map_err(|e| storage_error(format!("its saved {what} cannot be read: {e}")))
        };
        let saved_seed = loaded
            .seed
            .as_deref()
            .map(|s| parse(s, "seed"))
            .transpose()?;
        let saved_registry = loaded
            .registry
            .as_deref()
            .map(|s| parse(s, "state"))
            .transpose()?;
        let saved_token = saved_seed
            .as_ref()
            .and_then(|s| s.api_tokens.get(&seed::TOKEN_ID))
            .map(|t| t.token.clone());
        let token = options
            .api_token
            .or(saved_token)
            .unwrap_or_else(random::api_token);
        let mut seed_registry =
            saved_seed.unwrap_or_else(|| seed::build(&token, options.limits, now));
        seed::install_emulator_token(&mut seed_registry, &token, now);
        let mut registry = saved_registry.unwrap_or_else(|| seed_registry.clone());
        seed::install_emulator_token(&mut registry, &token, now);

        let mut messages: HashMap<u64, SandboxMessages> = registry
            .sandboxes
            .keys()
            .map(|id| (*id, SandboxMessages::default()))
            .collect();
        let mut orphans = Vec::new();
        for row in loaded.messages {
            let Some(list) = messages.get_mut(&row.sandbox_id) else {
                orphans.push(row.id);
                continue;
            };
            let meta: MessageMeta = serde_json::from_str(&row.meta)
                .map_err(|e| storage_error(format!("message {} cannot be read: {e}", row.id)))?;
            let parse_time = |s: &str| {
                DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(now)
            };
            let digest = digest::digest(&crate::mail::parse(&row.raw), &meta.envelope);
            registry.next.message = registry.next.message.max(row.id + 1);
            registry.next.attachment = registry
                .next
                .attachment
                .max(meta.first_attachment_id + digest.attachment_count as u64);
            list.insert(MessageEntry {
                data: Arc::new(MessageData {
                    id: row.id,
                    sandbox_id: row.sandbox_id,
                    raw: row.raw,
                    created_at: parse_time(&row.created_at),
                    meta,
                    digest,
                }),
                is_read: row.is_read,
                updated_at: parse_time(&row.updated_at),
            });
        }
        let store = Self::assemble(
            registry,
            seed_registry,
            messages,
            options.limits,
            Some(persist),
            options.faults,
            options.info,
            token,
        );
        // Save the (possibly new) seed and registry before serving anything.
        let saved: Result<(), StoreError> = store.write_blocking(|state, changes| {
            changes.push(Op::Seed(
                serde_json::to_string(&state.seed)
                    .map_err(|e| StoreError::Storage(e.to_string()))?,
            ));
            if !orphans.is_empty() {
                changes.push(Op::DeleteMessages(orphans));
            }
            changes.registry();
            Ok(())
        });
        saved.map_err(|e| storage_error(e.to_string()))?;
        Ok(store)
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        reg: Registry,
        seed: Registry,
        messages: HashMap<u64, SandboxMessages>,
        limits: SandboxLimits,
        persist: Option<Persist>,
        faults: Arc<FaultRegistry>,
        info: ServerInfo,
        api_token: String,
    ) -> Self {
        let mut messages = messages;
        for id in reg.sandboxes.keys() {
            messages.entry(*id).or_default();
        }
        Self {
            state: RwLock::new(State {
                reg,
                seed,
                messages,
                limits,
            }),
            persist,
            faults,
            info,
            api_token,
            events: Events::new(),
        }
    }

    /// The token the emulator was started with.
    pub(crate) fn api_token(&self) -> &str {
        &self.api_token
    }

    /// Addresses for the views.
    pub(crate) fn info(&self) -> &ServerInfo {
        &self.info
    }

    /// The fault rules.
    pub(crate) fn faults(&self) -> &Arc<FaultRegistry> {
        &self.faults
    }

    fn read_guard(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_guard(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Subscribes to the change notifications ([`events`]).
    #[allow(dead_code, reason = "the web inbox subscribes; it lands next")]
    pub(crate) fn subscribe(&self) -> tokio::sync::broadcast::Receiver<StoreEvent> {
        self.events.subscribe()
    }

    /// Reads the state.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.read_guard())
    }

    /// Changes the state and queues the database changes; returns the result and what to wait
    /// for. `f` must validate before it changes anything: on error nothing is saved.
    fn apply<R, E: From<StoreError>>(
        &self,
        mode: WaitMode,
        f: impl FnOnce(&mut State, &mut Changes) -> Result<R, E>,
    ) -> Result<(R, Waiter), E> {
        let mut guard = self.write_guard();
        let mut changes = Changes::default();
        let result = f(&mut guard, &mut changes)?;
        // Under the lock, so that subscribers receive events in the order of the changes.
        self.events.send(std::mem::take(&mut changes.events));
        let Some(persist) = &self.persist else {
            return Ok((result, Waiter::Done));
        };
        if changes.registry {
            let json = serde_json::to_string(&guard.reg)
                .map_err(|e| E::from(StoreError::Storage(e.to_string())))?;
            changes.ops.push(Op::Registry(json));
        }
        let waiter = persist.submit(changes.ops, mode);
        drop(guard);
        Ok((result, waiter))
    }

    /// Changes the state and waits (async) until the change is saved.
    pub(crate) async fn write<R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut State, &mut Changes) -> Result<R, E>,
    ) -> Result<R, E> {
        let (result, waiter) = self.apply(WaitMode::Async, f)?;
        waiter
            .wait()
            .await
            .map_err(|e| E::from(StoreError::Storage(e)))?;
        Ok(result)
    }

    /// Changes the state and waits (blocking the thread) until the change is saved.
    pub(crate) fn write_blocking<R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut State, &mut Changes) -> Result<R, E>,
    ) -> Result<R, E> {
        let (result, waiter) = self.apply(WaitMode::Blocking, f)?;
        waiter
            .wait_blocking()
            .map_err(|e| E::from(StoreError::Storage(e)))?;
        Ok(result)
    }

    /// Changes the state and queues the save without waiting; returns what to wait for.
    pub(crate) fn write_deferred<R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut State, &mut Changes) -> Result<R, E>,
    ) -> Result<(R, Waiter), E> {
        self.apply(WaitMode::Async, f)
    }

    /// Back to the seeded state: messages deleted, registry restored (ids keep counting up).
    pub(crate) async fn reset(&self) -> Result<(), StoreError> {
        self.write(|state, changes| {
            let mut reg = state.seed.clone();
            reg.next.raise_to(&state.reg.next);
            state.messages = reg
                .sandboxes
                .keys()
                .map(|id| (*id, SandboxMessages::default()))
                .collect();
            state.reg = reg;
            changes.push(Op::DeleteAllMessages);
            changes.registry();
            changes.notify(StoreEvent::ResourcesChanged);
            Ok(())
        })
        .await
    }

    /// Saves what is queued and stops the database writer.
    pub(crate) fn close(&self) {
        if let Some(persist) = &self.persist {
            persist.close();
        }
    }

    /// Whether `token` is a valid API token for the management and sending APIs.
    pub(crate) fn token_is_valid(&self, token: &str) -> bool {
        self.read(|state| state.reg.api_tokens.values().any(|t| t.token == token))
    }
}
