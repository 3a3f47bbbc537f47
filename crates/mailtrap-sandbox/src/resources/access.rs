//! Accounts, account accesses (who may access what) and permissions.

use mailtrap_sandbox_api::accounts::types as api;

use crate::Client;
use crate::error::{Error, Result};
use crate::ids::{AccountAccessId, DomainId, ProjectId, SandboxId, to_api};
use crate::models::{Account, AccountAccess, PermissionChange, PermissionResource, convert_list};
use crate::transport::Op;

const ACCOUNTS: Op = Op::safe("GET", "/api/accounts");
const LIST_ACCESSES: Op = Op::safe("GET", "/api/account_accesses");
const DELETE_ACCESS: Op = Op::safe("DELETE", "/api/account_accesses/{account_access_id}");
const BULK_PERMISSIONS: Op = Op::safe(
    "PUT",
    "/api/account_accesses/{account_access_id}/permissions/bulk",
);
const RESOURCES: Op = Op::safe("GET", "/api/permissions/resources");

impl Client {
    /// The accounts the token can access.
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let api = &self.transport.accounts;
        self.transport
            .fetch(
                ACCOUNTS,
                || api.get_all_accounts(),
                |raw| convert_list(raw, Account::from_api),
            )
            .await
    }

    /// Account accesses: who (users, invites, tokens) may access which resources.
    pub fn account_accesses(&self) -> AccountAccessesHandle {
        AccountAccessesHandle {
            client: self.clone(),
        }
    }

    /// One account access.
    pub fn account_access(&self, id: impl Into<AccountAccessId>) -> AccountAccessHandle {
        AccountAccessHandle {
            client: self.clone(),
            id: id.into(),
        }
    }

    /// The resources access can be granted on (accounts, projects, sandboxes, domains, ...),
    /// as a tree.
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn permission_resources(&self) -> Result<Vec<PermissionResource>> {
        let api = &self.transport.accounts;
        self.transport
            .fetch(
                RESOURCES,
                || api.get_resources(),
                |raw| convert_list(raw, PermissionResource::from_api),
            )
            .await
    }
}

/// All account accesses: `client.account_accesses()`.
#[derive(Debug, Clone)]
pub struct AccountAccessesHandle {
    client: Client,
}

impl AccountAccessesHandle {
    /// Lists account accesses, optionally only those on given projects, sandboxes or domains.
    pub fn list(&self) -> ListAccountAccesses {
        ListAccountAccesses {
            client: self.client.clone(),
            project_ids: Vec::new(),
            sandbox_ids: Vec::new(),
            domain_ids: Vec::new(),
        }
    }
}

/// Lists account accesses. Built by [`AccountAccessesHandle::list`],
/// [`ProjectHandle::users`](crate::resources::ProjectHandle::users) or
/// [`SandboxHandle::users`](crate::resources::SandboxHandle::users). Filters are sent as
/// repeated `project_ids[]=...` keys.
#[derive(Debug, Clone)]
#[must_use = "call .send() to fetch the list"]
pub struct ListAccountAccesses {
    client: Client,
    project_ids: Vec<ProjectId>,
    sandbox_ids: Vec<SandboxId>,
    domain_ids: Vec<DomainId>,
}

impl ListAccountAccesses {
    /// Only accesses to these projects (added to any given before).
    pub fn project_ids<I>(mut self, ids: impl IntoIterator<Item = I>) -> Self
    where
        I: Into<ProjectId>,
    {
        self.project_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only accesses to these sandboxes (added to any given before).
    pub fn sandbox_ids<I>(mut self, ids: impl IntoIterator<Item = I>) -> Self
    where
        I: Into<SandboxId>,
    {
        self.sandbox_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only accesses to these sending domains (added to any given before).
    pub fn domain_ids<I>(mut self, ids: impl IntoIterator<Item = I>) -> Self
    where
        I: Into<DomainId>,
    {
        self.domain_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Fetches the list.
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn send(self) -> Result<Vec<AccountAccess>> {
        fn raw<I: crate::ids::ApiId>(ids: Vec<I>) -> Result<Option<Vec<i64>>> {
            if ids.is_empty() {
                return Ok(None);
            }
            ids.into_iter()
                .map(to_api)
                .collect::<Result<Vec<_>>>()
                .map(Some)
        }
        let project_ids = raw(self.project_ids)?;
        let sandbox_ids = raw(self.sandbox_ids)?;
        let domain_ids = raw(self.domain_ids)?;
        let transport = &self.client.transport;
        let api = &transport.accounts;
        transport
            .fetch(
                LIST_ACCESSES,
                || {
                    api.get_all_users_in_account(
                        domain_ids.as_ref(),
                        project_ids.as_ref(),
                        sandbox_ids.as_ref(),
                    )
                },
                |raw| convert_list(raw, AccountAccess::from_api),
            )
            .await
    }
}

/// One account access: `client.account_access(id)`.
#[derive(Debug, Clone)]
pub struct AccountAccessHandle {
    client: Client,
    id: AccountAccessId,
}

impl AccountAccessHandle {
    /// The access's id.
    #[must_use]
    pub fn id(&self) -> AccountAccessId {
        self.id
    }

    /// Removes the access (the user, invite or token loses access to the account's
    /// resources); answers with the removed access's id (also when an attempt whose answer
    /// was lost removed it and the retry found it gone).
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn remove(&self) -> Result<AccountAccessId> {
        let id = to_api(self.id)?;
        let fallback = self.id;
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .remove_fetch(
                DELETE_ACCESS,
                || api.delete_account_access_by_id(id),
                |raw| Ok(crate::ids::from_api(raw.id.unwrap_or(-1)).unwrap_or(fallback)),
            )
            .await
            .map(|id| id.unwrap_or(fallback))
    }

    /// Grants, changes or removes access to several resources in one request; answers with
    /// the server's message. Setting the same permissions twice has the same effect as once,
    /// so the request is retried like a read.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty list; otherwise any [`Error`].
    pub async fn update_permissions(
        &self,
        changes: impl IntoIterator<Item = PermissionChange>,
    ) -> Result<String> {
        let id = to_api(self.id)?;
        let body = api::BulkPermissionsRequest {
            permissions: changes.into_iter().map(|change| change.to_api()).collect(),
        };
        if body.permissions.is_empty() {
            return Err(Error::invalid_argument(
                "no permission changes given: pass at least one PermissionChange",
            ));
        }
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .fetch(
                BULK_PERMISSIONS,
                || api.update_user_permissions(id, &body),
                |raw| Ok(raw.message.unwrap_or_default()),
            )
            .await
    }
}
