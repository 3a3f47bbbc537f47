//! The registry in the `registry` table: one row per project, sandbox, access, API token,
//! sub-account and template, one for the account (with its organization and owner), one for
//! the id counters and one for the forwards. A change writes the rows it touched
//! ([`crate::store::RegistryKey`]), so its cost does not grow with the number of projects or
//! sandboxes.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::store::RegistryKey;
use crate::store::model::{Account, Counters, Forward, Organization, Registry, User};

/// The account, its organization and owner (one row).
#[derive(Serialize, Deserialize)]
struct Identity {
    account: Account,
    organization: Organization,
    owner: User,
}

/// Registry rows to write: `(kind, key, JSON or None to delete)`.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    /// Every row is replaced (the registry was replaced as a whole).
    replace_all: bool,
    rows: Vec<(&'static str, String, Option<String>)>,
}

fn json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

fn row<T: Serialize>(
    kind: &'static str,
    key: String,
    value: Option<&T>,
) -> Result<(&'static str, String, Option<String>), String> {
    Ok((kind, key, value.map(json).transpose()?))
}

fn key_row(
    reg: &Registry,
    key: &RegistryKey,
) -> Result<(&'static str, String, Option<String>), String> {
    match key {
        RegistryKey::Identity => row(
            "identity",
            String::new(),
            Some(&Identity {
                account: reg.account.clone(),
                organization: reg.organization.clone(),
                owner: reg.owner.clone(),
            }),
        ),
        RegistryKey::Counters => row("counters", String::new(), Some(&reg.next)),
        RegistryKey::Forwards => row("forwards", String::new(), Some(&reg.forwards)),
        RegistryKey::Project(id) => row("project", id.to_string(), reg.projects.get(id)),
        RegistryKey::Sandbox(id) => row("sandbox", id.to_string(), reg.sandboxes.get(id)),
        RegistryKey::Access(id) => row("access", id.to_string(), reg.accesses.get(id)),
        RegistryKey::ApiToken(id) => row("api_token", id.to_string(), reg.api_tokens.get(id)),
        RegistryKey::SubAccount(id) => row("sub_account", id.to_string(), reg.sub_accounts.get(id)),
        RegistryKey::Template(id) => row("template", id.clone(), reg.templates.get(id)),
    }
}

impl Rows {
    /// The rows of `keys`.
    pub(crate) fn of<'a>(
        reg: &Registry,
        keys: impl IntoIterator<Item = &'a RegistryKey>,
    ) -> Result<Self, String> {
        Ok(Self {
            replace_all: false,
            rows: keys
                .into_iter()
                .map(|key| key_row(reg, key))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Every row of the registry, replacing what is saved.
    pub(crate) fn all(reg: &Registry) -> Result<Self, String> {
        let mut keys = vec![
            RegistryKey::Identity,
            RegistryKey::Counters,
            RegistryKey::Forwards,
        ];
        keys.extend(reg.projects.keys().map(|id| RegistryKey::Project(*id)));
        keys.extend(reg.sandboxes.keys().map(|id| RegistryKey::Sandbox(*id)));
        keys.extend(reg.accesses.keys().map(|id| RegistryKey::Access(*id)));
        keys.extend(reg.api_tokens.keys().map(|id| RegistryKey::ApiToken(*id)));
        keys.extend(
            reg.sub_accounts
                .keys()
                .map(|id| RegistryKey::SubAccount(*id)),
        );
        keys.extend(
            reg.templates
                .keys()
                .map(|id| RegistryKey::Template(id.clone())),
        );
        let mut rows = Self::of(reg, &keys)?;
        rows.replace_all = true;
        Ok(rows)
    }

    pub(crate) fn is_empty(&self) -> bool {
        !self.replace_all && self.rows.is_empty()
    }

    pub(crate) fn write(&self, conn: &Connection) -> rusqlite::Result<()> {
        if self.replace_all {
            conn.execute("DELETE FROM registry", [])?;
        }
        for (kind, key, value) in &self.rows {
            match value {
                Some(value) => conn
                    .prepare_cached(
                        "INSERT OR REPLACE INTO registry (kind, key, value) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![kind, key, value])?,
                None => conn
                    .prepare_cached("DELETE FROM registry WHERE kind = ?1 AND key = ?2")?
                    .execute(params![kind, key])?,
            };
        }
        Ok(())
    }
}

fn parse<T: for<'de> Deserialize<'de>>(kind: &str, key: &str, value: &str) -> Result<T, String> {
    serde_json::from_str(value).map_err(|e| format!("{kind} {key}: {e}"))
}

fn parse_id(kind: &str, key: &str) -> Result<u64, String> {
    key.parse()
        .map_err(|_| format!("{kind} has an id that is not a number: {key}"))
}

/// The saved registry (`None` when nothing is saved yet), or why it cannot be read.
pub(crate) fn load(conn: &Connection) -> rusqlite::Result<Result<Option<Registry>, String>> {
    let mut stmt = conn.prepare("SELECT kind, key, value FROM registry")?;
    let rows = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<Vec<(String, String, String)>>>()?;
    Ok(assemble(&rows))
}

fn assemble(rows: &[(String, String, String)]) -> Result<Option<Registry>, String> {
    let mut identity: Option<Identity> = None;
    let mut counters: Option<Counters> = None;
    let mut forwards: Vec<Forward> = Vec::new();
    let mut projects = BTreeMap::new();
    let mut sandboxes = BTreeMap::new();
    let mut accesses = BTreeMap::new();
    let mut api_tokens = BTreeMap::new();
    let mut sub_accounts = BTreeMap::new();
    let mut templates = BTreeMap::new();
    for (kind, key, value) in rows {
        match kind.as_str() {
            "identity" => identity = Some(parse(kind, key, value)?),
            "counters" => counters = Some(parse(kind, key, value)?),
            "forwards" => forwards = parse(kind, key, value)?,
            "project" => {
                projects.insert(parse_id(kind, key)?, parse(kind, key, value)?);
            }
            "sandbox" => {
                sandboxes.insert(parse_id(kind, key)?, parse(kind, key, value)?);
            }
            "access" => {
                accesses.insert(parse_id(kind, key)?, parse(kind, key, value)?);
            }
            "api_token" => {
                api_tokens.insert(parse_id(kind, key)?, parse(kind, key, value)?);
            }
            "sub_account" => {
                sub_accounts.insert(parse_id(kind, key)?, parse(kind, key, value)?);
            }
            "template" => {
                templates.insert(key.clone(), parse(kind, key, value)?);
            }
            other => return Err(format!("unknown registry entry {other}")),
        }
    }
    let (Some(identity), Some(next)) = (identity, counters) else {
        return Ok(None);
    };
    Ok(Some(Registry {
        account: identity.account,
        organization: identity.organization,
        owner: identity.owner,
        projects,
        sandboxes,
        accesses,
        api_tokens,
        sub_accounts,
        templates,
        forwards,
        next,
    }))
}
