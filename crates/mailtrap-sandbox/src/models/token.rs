//! API tokens and organization sub-accounts.

use chrono::{DateTime, Utc};
use mailtrap_sandbox_api::accounts::types as api;
use serde::Serialize;

use super::account::{AccessLevel, ResourceType};
use super::common::{Conv, Invalid, Secret, non_empty, required_id};
use crate::ids::{AccountId, ApiTokenId};

/// An API token (its value is shown only when created or reset: see [`NewApiToken`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ApiToken {
    /// Token id.
    pub id: ApiTokenId,
    /// Name.
    pub name: String,
    /// The end of the token's value, to recognise it.
    pub last_4_digits: Option<String>,
    /// Who created it.
    pub created_by: Option<String>,
    /// When it expires, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// What it may access.
    pub resources: Vec<TokenResource>,
}

/// A resource and the access level on it, as an API token or an account access
/// ([`AccessResource`](super::AccessResource)) holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TokenResource {
    /// Kind of resource.
    pub resource_type: ResourceType,
    /// Its id.
    pub resource_id: u64,
    /// The access level on it.
    pub access_level: AccessLevel,
}

impl TokenResource {
    /// Access to a resource, for [`CreateApiToken::resource`](crate::resources::CreateApiToken::resource).
    ///
    /// ```
    /// use mailtrap_sandbox::models::{AccessLevel, ResourceType, TokenResource};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox_id = emulator.sandbox().id;
    /// let read_only = TokenResource::new(ResourceType::Sandbox, sandbox_id, AccessLevel::Viewer);
    /// let created = client.api_tokens().create("CI").resource(read_only).send().await?;
    /// assert_eq!(created.token.resources[0].access_level, AccessLevel::Viewer);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn new(resource_type: ResourceType, resource_id: u64, access_level: AccessLevel) -> Self {
        Self {
            resource_type,
            resource_id,
            access_level,
        }
    }

    pub(crate) fn to_api(&self) -> api::TokenResourceInput {
        api::TokenResourceInput {
            access_level: self.access_level.number(),
            resource_id: api::ResourceId::Int64(
                i64::try_from(self.resource_id).unwrap_or(i64::MAX),
            ),
            resource_type: self.resource_type.as_str().to_owned(),
        }
    }

    fn from_api(raw: api::TokenResource) -> Option<Self> {
        let resource_id = match raw.resource_id? {
            api::ResourceId::Int64(id) => u64::try_from(id).ok()?,
            api::ResourceId::String(text) => text.trim().parse().ok()?,
        };
        Some(Self {
            resource_type: ResourceType::from(raw.resource_type?),
            resource_id,
            access_level: AccessLevel::from_number(raw.access_level.unwrap_or(0)),
        })
    }
}

impl ApiToken {
    pub(crate) fn from_api(raw: api::ApiToken) -> Conv<Self> {
        Ok(Self {
            id: required_id(raw.id, "id")?,
            name: raw.name.unwrap_or_default(),
            last_4_digits: non_empty(raw.last_4_digits),
            created_by: non_empty(raw.created_by),
            expires_at: raw.expires_at,
            resources: raw
                .resources
                .into_iter()
                .filter_map(TokenResource::from_api)
                .collect(),
        })
    }
}

/// A token just created or reset, with its value. Store the value now: the API never shows
/// it again. `Debug` redacts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NewApiToken {
    /// The token's details.
    pub token: ApiToken,
    /// The token's value (use it as an API token).
    pub value: Secret,
}

impl NewApiToken {
    pub(crate) fn from_api(raw: api::ApiTokenWithToken) -> Conv<Self> {
        let value = non_empty(raw.token).ok_or_else(|| Invalid::new("token", "missing field"))?;
        Ok(Self {
            token: ApiToken {
                id: required_id(raw.id, "id")?,
                name: raw.name.unwrap_or_default(),
                last_4_digits: non_empty(raw.last_4_digits),
                created_by: non_empty(raw.created_by),
                expires_at: raw.expires_at,
                resources: raw
                    .resources
                    .into_iter()
                    .filter_map(TokenResource::from_api)
                    .collect(),
            },
            value: Secret::new(value),
        })
    }
}

/// A sub-account of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SubAccount {
    /// Its account id.
    pub id: AccountId,
    /// Name.
    pub name: String,
}

impl SubAccount {
    pub(crate) fn from_api(raw: api::SubAccount) -> Conv<Self> {
        Ok(Self {
            id: required_id(raw.id, "id")?,
            name: raw.name.unwrap_or_default(),
        })
    }
}
