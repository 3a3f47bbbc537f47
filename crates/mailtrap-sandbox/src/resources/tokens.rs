//! API tokens, billing usage and organization sub-accounts.

use mailtrap_sandbox_api::accounts::types as api;
use mailtrap_sandbox_api::sandbox::ResponseValue;

use crate::Client;
use crate::error::{Error, Result};
use crate::ids::{ApiTokenId, OrganizationId, to_api};
use crate::models::{ApiToken, BillingUsage, NewApiToken, SubAccount, TokenResource, convert_list};
use crate::transport::Op;

const LIST_TOKENS: Op = Op::safe("GET", "/api/api_tokens");
const CREATE_TOKEN: Op = Op::once("POST", "/api/api_tokens");
const GET_TOKEN: Op = Op::safe("GET", "/api/api_tokens/{id}");
const DELETE_TOKEN: Op = Op::safe("DELETE", "/api/api_tokens/{id}");
const RESET_TOKEN: Op = Op::once("POST", "/api/api_tokens/{id}/reset");
const BILLING: Op = Op::safe("GET", "/api/billing/usage");
const LIST_SUB_ACCOUNTS: Op = Op::safe("GET", "/api/organizations/{organization_id}/sub_accounts");
const CREATE_SUB_ACCOUNT: Op =
    Op::once("POST", "/api/organizations/{organization_id}/sub_accounts");

impl Client {
    /// API tokens: list and create.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// for token in client.api_tokens().list().await? {
    ///     println!("#{} {} (by {:?}, expires {:?})", token.id, token.name, token.created_by, token.expires_at);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn api_tokens(&self) -> ApiTokensHandle {
        ApiTokensHandle {
            client: self.clone(),
        }
    }

    /// One API token: read, delete, reset.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let token = client.api_token(61_244); // an id from api_tokens().list()
    /// assert_eq!(token.id().get(), 61_244);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn api_token(&self, id: impl Into<ApiTokenId>) -> ApiTokenHandle {
        ApiTokenHandle {
            client: self.clone(),
            id: id.into(),
        }
    }

    /// The account's usage in the current billing cycle.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let usage = client.billing_usage().await?;
    /// if let Some(sent) = usage.testing.and_then(|testing| testing.sent_messages) {
    ///     println!("sandbox messages this cycle: {} of {:?}", sent.current, sent.limit);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn billing_usage(&self) -> Result<BillingUsage> {
        let api = &self.transport.accounts;
        self.transport
            .fetch(
                BILLING,
                || api.get_account_billing_usage(),
                |raw| Ok(BillingUsage::from_api(raw)),
            )
            .await
    }

    /// An organization: its sub-accounts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let organization_id = emulator.summary().organization_id;
    /// for account in client.organization(organization_id).sub_accounts().await? {
    ///     println!("#{} {}", account.id, account.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn organization(&self, id: impl Into<OrganizationId>) -> OrganizationHandle {
        OrganizationHandle {
            client: self.clone(),
            id: id.into(),
        }
    }
}

/// All API tokens: `client.api_tokens()`.
#[derive(Debug, Clone)]
pub struct ApiTokensHandle {
    client: Client,
}

impl ApiTokensHandle {
    /// Every API token of the account (without their values).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let tokens = client.api_tokens().list().await?;
    /// assert!(tokens.iter().all(|token| !token.name.is_empty()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn list(&self) -> Result<Vec<ApiToken>> {
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .fetch(
                LIST_TOKENS,
                || api.list_api_tokens(),
                |raw| convert_list(raw, ApiToken::from_api),
            )
            .await
    }

    /// Creates a token; add the resources it may access with
    /// [`CreateApiToken::resource`].
    ///
    /// ```
    /// use mailtrap_sandbox::Client;
    /// use mailtrap_sandbox::models::{AccessLevel, ResourceType, TokenResource};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox_id = emulator.sandbox().id;
    /// let read_one_sandbox = TokenResource::new(ResourceType::Sandbox, sandbox_id, AccessLevel::Viewer);
    /// let created = client.api_tokens().create("CI").resource(read_one_sandbox).send().await?;
    /// // The value is shown this once: store it (in the CI's secrets) now.
    /// let ci = Client::builder().api_token(created.value.expose()).base_url(emulator.base_url()).build()?;
    /// let page = ci.sandbox(sandbox_id).messages().list().send().await?;
    /// # assert!(page.items().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateApiToken {
        CreateApiToken {
            client: self.client.clone(),
            name: name.into(),
            resources: Vec::new(),
        }
    }
}

/// Creates an API token. Built by [`ApiTokensHandle::create`].
#[derive(Debug, Clone)]
#[must_use = "call .send() to create the token"]
pub struct CreateApiToken {
    client: Client,
    name: String,
    resources: Vec<TokenResource>,
}

impl CreateApiToken {
    /// Lets the token access a resource.
    ///
    /// ```
    /// use mailtrap_sandbox::models::{AccessLevel, ResourceType, TokenResource};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = emulator.project().id;
    /// let admin = TokenResource::new(ResourceType::Project, project_id, AccessLevel::Admin);
    /// let created = client.api_tokens().create("Deploy").resource(admin).send().await?;
    /// assert_eq!(created.token.resources.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn resource(mut self, resource: TokenResource) -> Self {
        self.resources.push(resource);
        self
    }

    /// Creates the token; the answer holds its value, shown this once. Never retried once
    /// sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let created = client.api_tokens().create("Nightly").send().await?;
    /// println!("store it now: {}", created.value.expose());
    /// assert!(client.api_tokens().create("").send().await.is_err()); // refused before sending
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty name; otherwise any [`Error`].
    pub async fn send(self) -> Result<NewApiToken> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Error::invalid_argument("the API token name is empty"));
        }
        let body = api::CreateApiTokenRequest {
            name: name.to_owned(),
            resources: self.resources.iter().map(TokenResource::to_api).collect(),
        };
        let transport = &self.client.transport;
        let api = &transport.accounts;
        transport
            .fetch(
                CREATE_TOKEN,
                || api.create_api_token(&body),
                NewApiToken::from_api,
            )
            .await
    }
}

/// One API token: `client.api_token(id)`.
#[derive(Debug, Clone)]
pub struct ApiTokenHandle {
    client: Client,
    id: ApiTokenId,
}

impl ApiTokenHandle {
    /// The token's id.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// assert_eq!(client.api_token(61_244).id().get(), 61_244);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> ApiTokenId {
        self.id
    }

    /// The token's details (not its value).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # use mailtrap_sandbox::models::{AccessLevel, ResourceType, TokenResource};
    /// # let ci = TokenResource::new(ResourceType::Sandbox, emulator.sandbox().id, AccessLevel::Viewer);
    /// # let created = client.api_tokens().create("CI").resource(ci).send().await?;
    /// # let token_id = created.token.id;
    /// let token = client.api_token(token_id).get().await?;
    /// assert_eq!(token.name, "CI");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when it does not exist.
    pub async fn get(&self) -> Result<ApiToken> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .fetch(GET_TOKEN, || api.get_api_token(id), ApiToken::from_api)
            .await
    }

    /// Deletes the token; it stops working at once. A 404 to a retry after an attempt
    /// whose answer was lost counts as deleted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # use mailtrap_sandbox::models::{AccessLevel, ResourceType, TokenResource};
    /// # let ci = TokenResource::new(ResourceType::Sandbox, emulator.sandbox().id, AccessLevel::Viewer);
    /// # let created = client.api_tokens().create("CI").resource(ci).send().await?;
    /// # let token_id = created.token.id;
    /// let token = client.api_token(token_id);
    /// token.delete().await?;
    /// assert!(matches!(token.get().await, Err(err) if err.is_not_found()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn delete(&self) -> Result<()> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .remove(DELETE_TOKEN, || async move {
                // The description says 204; accept any other success status too.
                match api.delete_api_token(id).await {
                    Err(mailtrap_sandbox_api::accounts::Error::UnexpectedResponse(response))
                        if response.status().is_success() =>
                    {
                        Ok(ResponseValue::new(
                            (),
                            response.status(),
                            response.headers().clone(),
                        ))
                    }
                    other => other,
                }
            })
            .await
            .map(|_| ())
    }

    /// Replaces the token's value (the old one stops working); the answer holds the new
    /// value, shown this once. Never retried once sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # use mailtrap_sandbox::models::{AccessLevel, ResourceType, TokenResource};
    /// # let ci = TokenResource::new(ResourceType::Sandbox, emulator.sandbox().id, AccessLevel::Viewer);
    /// # let created = client.api_tokens().create("CI").resource(ci).send().await?;
    /// # let token_id = created.token.id;
    /// let renewed = client.api_token(token_id).reset().await?;
    /// assert_ne!(renewed.value.expose(), created.value.expose()); // the old value no longer works
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn reset(&self) -> Result<NewApiToken> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .fetch(
                RESET_TOKEN,
                || api.reset_api_token(id),
                NewApiToken::from_api,
            )
            .await
    }
}

/// An organization: `client.organization(id)`.
#[derive(Debug, Clone)]
pub struct OrganizationHandle {
    client: Client,
    id: OrganizationId,
}

impl OrganizationHandle {
    /// The organization's id.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// assert_eq!(client.organization(17).id().get(), 17);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> OrganizationId {
        self.id
    }

    /// The organization's sub-accounts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let organization_id = emulator.summary().organization_id;
    /// let organization = client.organization(organization_id);
    /// for account in organization.sub_accounts().await? {
    ///     println!("#{} {}", account.id, account.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn sub_accounts(&self) -> Result<Vec<SubAccount>> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .fetch(
                LIST_SUB_ACCOUNTS,
                || api.get_organization_sub_accounts(id),
                |raw| convert_list(raw, SubAccount::from_api),
            )
            .await
    }

    /// Creates a sub-account. Never retried once sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let organization_id = emulator.summary().organization_id;
    /// let organization = client.organization(organization_id);
    /// let created = organization.create_sub_account("Client: Acme").await?;
    /// assert!(organization.sub_accounts().await?.iter().any(|account| account.id == created.id));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty name; otherwise any [`Error`].
    pub async fn create_sub_account(&self, name: impl Into<String>) -> Result<SubAccount> {
        let name = name.into();
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid_argument("the sub-account name is empty"));
        }
        let id = to_api(self.id)?;
        let body = api::CreateSubAccountRequest {
            account: api::SubAccountFields {
                name: name.to_owned(),
            },
        };
        let api = &self.client.transport.accounts;
        self.client
            .transport
            .fetch(
                CREATE_SUB_ACCOUNT,
                || api.create_organization_sub_account(id, &body),
                SubAccount::from_api,
            )
            .await
    }
}
