//! The emulator's state: the registry (projects, sandboxes, accesses, tokens, templates) in
//! memory, and the messages in memory or, with a data directory, in SQLite ([`storage`]).
//!
//! All state sits behind one read-write lock. Readers (every `GET`) share it; a change takes it
//! exclusively, makes the change, writes it to the database while still holding it (so the
//! database sees changes in order; the commit comes later, see [`disk`]), releases it, and only
//! then waits for the database to acknowledge. Parsing a message happens before the lock is
//! taken.

pub(crate) mod accounts;
mod backend;
mod digest;
#[cfg(feature = "persist")]
mod disk;
pub(crate) mod events;
mod memory;
mod messages;
pub(crate) mod model;
pub(crate) mod parts;
pub(crate) mod resources;
pub(crate) mod seed;
mod storage;
mod waiter;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use self::events::Events;
pub(crate) use self::events::StoreEvent;
pub(crate) use self::messages::{Incoming, ListQuery, PAGE_SIZE};
use self::model::Registry;
use self::storage::Messages;
use self::waiter::WaitMode;
pub(crate) use self::waiter::Waiter;
use crate::config::SandboxLimits;
use crate::error::StartError;
use crate::faults::FaultRegistry;
use crate::random;
use crate::time;

/// The name of the SQLite file the emulator keeps in its data directory.
pub const DB_FILE: &str = "emulator.sqlite3";

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
    pub(crate) messages: Messages,
    pub(crate) limits: SandboxLimits,
}

impl State {
    /// How many messages a sandbox holds, and how many of them are unread.
    pub(crate) fn counts(&self, sandbox_id: u64) -> (usize, usize) {
        self.messages.counts(sandbox_id)
    }
}

/// A part of the registry that a change touched (saved as one row with a data directory).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RegistryKey {
    /// The account, its organization and owner.
    #[cfg_attr(
        not(feature = "persist"),
        allow(dead_code, reason = "only a data directory saves")
    )]
    Identity,
    /// The next id of each kind.
    Counters,
    /// The recorded forwards.
    Forwards,
    Project(u64),
    Sandbox(u64),
    Access(u64),
    ApiToken(u64),
    SubAccount(u64),
    Template(String),
}

/// What one change to the state touched: registry rows to save, events to announce.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    keys: BTreeSet<RegistryKey>,
    /// The registry was replaced as a whole.
    all: bool,
    /// The seed changed.
    #[cfg_attr(
        not(feature = "persist"),
        allow(dead_code, reason = "only a data directory saves")
    )]
    seed: bool,
    /// What subscribers are told once the change is made.
    pub(crate) events: Vec<StoreEvent>,
}

impl Changes {
    /// A part of the registry changed: save it.
    pub(crate) fn touch(&mut self, key: RegistryKey) {
        self.keys.insert(key);
    }

    /// The whole registry changed.
    pub(crate) fn registry(&mut self) {
        self.all = true;
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
    faults: Arc<FaultRegistry>,
    info: ServerInfo,
    api_token: String,
    events: Events,
}

/// What [`Store::open`] needs.
#[derive(Debug)]
pub(crate) struct StoreOptions {
    pub(crate) data_dir: Option<PathBuf>,
    #[cfg_attr(
        not(feature = "persist"),
        allow(dead_code, reason = "only a data directory saves")
    )]
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
        let Some(dir) = options.data_dir.clone() else {
            let token = options.api_token.clone().unwrap_or_else(random::api_token);
            let seed = seed::build(&token, options.limits, now);
            let state = State {
                reg: seed.clone(),
                seed,
                messages: Messages::Memory(memory::MemoryMessages::default()),
                limits: options.limits,
            };
            return Ok(Self::assemble(state, options, token));
        };
        Self::open_dir(&dir, options)
    }

    #[cfg(not(feature = "persist"))]
    fn open_dir(_dir: &std::path::Path, _options: StoreOptions) -> Result<Self, StartError> {
        Err(StartError::InvalidConfig(
            crate::config::PERSIST_FEATURE_NEEDED.to_owned(),
        ))
    }

    #[cfg(feature = "persist")]
    fn open_dir(dir: &std::path::Path, options: StoreOptions) -> Result<Self, StartError> {
        let now = time::now();
        let storage_error = |message: String| StartError::Storage {
            path: dir.to_path_buf(),
            message,
        };
        let (mut messages, loaded) = disk::DiskMessages::open(dir, options.durability)?;
        let saved_token = loaded
            .seed
            .as_ref()
            .and_then(|s| s.api_tokens.get(&seed::TOKEN_ID))
            .map(|t| t.token.clone());
        let token = options
            .api_token
            .clone()
            .or(saved_token)
            .unwrap_or_else(random::api_token);
        let mut seed_registry = loaded
            .seed
            .unwrap_or_else(|| seed::build(&token, options.limits, now));
        seed::install_emulator_token(&mut seed_registry, &token, now);
        let mut registry = loaded.registry.unwrap_or_else(|| seed_registry.clone());
        seed::install_emulator_token(&mut registry, &token, now);
        let max_id = messages.max_id().map_err(storage_error)?;
        registry.next.message = registry.next.message.max(max_id + 1);
        let live: Vec<u64> = registry.sandboxes.keys().copied().collect();
        messages.forget_sandboxes_except(&live);
        let state = State {
            reg: registry,
            seed: seed_registry,
            messages: Messages::Disk(messages),
            limits: options.limits,
        };
        let store = Self::assemble(state, options, token);
        // Save the (possibly new) seed and registry before serving anything.
        let saved: Result<(), StoreError> = store.write_blocking(|_, changes| {
            changes.seed = true;
            changes.registry();
            Ok(())
        });
        saved.map_err(|e| storage_error(e.to_string()))?;
        Ok(store)
    }

    fn assemble(state: State, options: StoreOptions, api_token: String) -> Self {
        Self {
            state: RwLock::new(state),
            faults: options.faults,
            info: options.info,
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
    pub(crate) fn subscribe(&self) -> tokio::sync::broadcast::Receiver<StoreEvent> {
        self.events.subscribe()
    }

    /// Reads the state.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.read_guard())
    }

    /// Changes the state and writes the database changes; returns the result and what to
    /// wait for. `f` must validate before it changes anything: on error nothing is saved.
    fn apply<R, E: From<StoreError>>(
        &self,
        mode: WaitMode,
        f: impl FnOnce(&mut State, &mut Changes) -> Result<R, E>,
    ) -> Result<(R, Waiter), E> {
        let mut guard = self.write_guard();
        let mut changes = Changes::default();
        let result = match f(&mut guard, &mut changes) {
            Ok(result) => result,
            Err(e) => {
                #[cfg(feature = "persist")]
                if let Messages::Disk(disk) = &mut guard.messages {
                    disk.discard_pending();
                }
                return Err(e);
            }
        };
        // Under the lock, so that subscribers receive events in the order of the changes.
        self.events.send(std::mem::take(&mut changes.events));
        let waiter = save(&mut guard, &changes, mode).map_err(E::from)?;
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
    #[cfg(feature = "persist")]
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
            state.messages.clear();
            state.reg = reg;
            changes.registry();
            changes.notify(StoreEvent::ResourcesChanged);
            Ok(())
        })
        .await
    }

    /// Commits what is written and stops the database's committer (reads keep working).
    pub(crate) fn close(&self) {
        #[cfg(feature = "persist")]
        if let Messages::Disk(disk) = &self.read_guard().messages {
            disk.close();
        }
    }

    /// Whether `token` is a valid API token for the management and sending APIs.
    pub(crate) fn token_is_valid(&self, token: &str) -> bool {
        self.read(|state| state.reg.api_tokens.values().any(|t| t.token == token))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.close();
    }
}

/// Writes a change's database side (nothing to do in memory).
#[cfg(feature = "persist")]
fn save(state: &mut State, changes: &Changes, mode: WaitMode) -> Result<Waiter, StoreError> {
    let Messages::Disk(disk) = &mut state.messages else {
        return Ok(Waiter::Done);
    };
    let storage = StoreError::Storage;
    let rows = if changes.all {
        disk::Rows::all(&state.reg)
    } else {
        disk::Rows::of(&state.reg, &changes.keys)
    }
    .map_err(storage)?;
    let seed = changes
        .seed
        .then(|| serde_json::to_string(&state.seed))
        .transpose()
        .map_err(|e| StoreError::Storage(e.to_string()))?;
    Ok(disk.save(mode, &rows, seed.as_deref()))
}

/// Writes a change's database side (nothing to do in memory).
#[cfg(not(feature = "persist"))]
fn save(_state: &mut State, _changes: &Changes, _mode: WaitMode) -> Result<Waiter, StoreError> {
    Ok(Waiter::Done)
}
