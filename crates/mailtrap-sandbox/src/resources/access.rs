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
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// for account in client.accounts().await? {
    ///     println!("#{} {} {:?}", account.id, account.name, account.access_levels);
    /// }
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// for access in client.account_accesses().list().send().await? {
    ///     let who = access.specifier.email.or(access.specifier.name).unwrap_or_default();
    ///     println!("{:?} {who}: {} resources", access.specifier_type, access.resources.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn account_accesses(&self) -> AccountAccessesHandle {
        AccountAccessesHandle {
            client: self.clone(),
        }
    }

    /// One account access.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let access = client.account_access(4_821); // an id from account_accesses().list()
    /// assert_eq!(access.id().get(), 4_821);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn account_access(&self, id: impl Into<AccountAccessId>) -> AccountAccessHandle {
        AccountAccessHandle {
            client: self.clone(),
            id: id.into(),
        }
    }

    /// The resources access can be granted on (accounts, projects, sandboxes, domains, ...),
    /// as a tree.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// for account in client.permission_resources().await? {
    ///     println!("{:?} #{} {}", account.resource_type, account.id, account.name);
    ///     for child in &account.resources {
    ///         println!("  {:?} #{} {}", child.resource_type, child.id, child.name);
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let everyone = client.account_accesses().list().send().await?;
    /// # let project_id = emulator.project().id;
    /// let on_project = client.account_accesses().list().project_ids([project_id]).send().await?;
    /// assert!(on_project.len() <= everyone.len());
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = emulator.project().id;
    /// let on_project = client.account_accesses().list().project_ids([project_id]).send().await?;
    /// # assert!(!on_project.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn project_ids<I>(mut self, ids: impl IntoIterator<Item = I>) -> Self
    where
        I: Into<ProjectId>,
    {
        self.project_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only accesses to these sandboxes (added to any given before).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox_id = emulator.sandbox().id;
    /// let on_sandbox = client.account_accesses().list().sandbox_ids([sandbox_id]).send().await?;
    /// # assert!(!on_sandbox.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn sandbox_ids<I>(mut self, ids: impl IntoIterator<Item = I>) -> Self
    where
        I: Into<SandboxId>,
    {
        self.sandbox_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only accesses to these sending domains (added to any given before).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let on_domain = client.account_accesses().list().domain_ids([3_938_u64]).send().await?;
    /// println!("{} accesses to domain 3938", on_domain.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn domain_ids<I>(mut self, ids: impl IntoIterator<Item = I>) -> Self
    where
        I: Into<DomainId>,
    {
        self.domain_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Fetches the list.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let accesses = client.account_accesses().list().send().await?;
    /// # assert!(!accesses.is_empty());
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// assert_eq!(client.account_access(4_821).id().get(), 4_821);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> AccountAccessId {
        self.id
    }

    /// Removes the access (the user, invite or token loses access to the account's
    /// resources); answers with the removed access's id (also when an attempt whose answer
    /// was lost removed it and the retry found it gone).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let accesses = client.account_accesses().list().send().await?;
    /// # let teammate = accesses.iter().find(|a| a.specifier.email.as_deref() == Some("teammate@emulator.localhost"));
    /// # let access_id = teammate.ok_or("no teammate")?.id;
    /// let access = client.account_access(access_id);
    /// assert_eq!(access.remove().await?, access_id);
    /// # Ok(())
    /// # }
    /// ```
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
    /// ```
    /// use mailtrap_sandbox::models::{AccessLevel, PermissionChange, ResourceType};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let accesses = client.account_accesses().list().send().await?;
    /// # let teammate = accesses.iter().find(|a| a.specifier.email.as_deref() == Some("teammate@emulator.localhost"));
    /// # let access_id = teammate.ok_or("no teammate")?.id;
    /// # let sandbox_id = emulator.sandbox().id;
    /// let viewer = PermissionChange::grant(ResourceType::Sandbox, sandbox_id, AccessLevel::Viewer);
    /// let message = client.account_access(access_id).update_permissions([viewer]).await?;
    /// println!("{message}");
    /// # Ok(())
    /// # }
    /// ```
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
