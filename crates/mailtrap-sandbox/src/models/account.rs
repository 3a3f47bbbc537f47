//! Accounts, who may access what, and the resources access can be granted on.

use chrono::{DateTime, Utc};
use mailtrap_sandbox_api::accounts::types as api;
use serde::Serialize;

use super::common::{
    Conv, Permissions, convert_list, non_empty, open_enum, optional_id, required_id,
};
use crate::ids::{AccountAccessId, AccountId, SpecifierId};

/// An access level: what someone may do with a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessLevel {
    /// Owner (1000).
    Owner,
    /// Admin (100).
    Admin,
    /// Viewer (10).
    Viewer,
    /// Limited (1).
    Limited,
    /// A level this version of the crate does not know, as the API numbered it.
    Other(i64),
}

impl AccessLevel {
    /// The level's number as the API sends it (1000, 100, 10, 1).
    ///
    /// ```
    /// use mailtrap_sandbox::models::AccessLevel;
    ///
    /// assert_eq!(AccessLevel::Admin.number(), 100);
    /// ```
    #[must_use]
    pub fn number(self) -> i64 {
        match self {
            Self::Owner => 1000,
            Self::Admin => 100,
            Self::Viewer => 10,
            Self::Limited => 1,
            Self::Other(number) => number,
        }
    }

    /// The level for a number.
    ///
    /// ```
    /// use mailtrap_sandbox::models::AccessLevel;
    ///
    /// assert_eq!(AccessLevel::from_number(10), AccessLevel::Viewer);
    /// assert_eq!(AccessLevel::from_number(50), AccessLevel::Other(50)); // kept, not refused
    /// ```
    #[must_use]
    pub fn from_number(number: i64) -> Self {
        match number {
            1000 => Self::Owner,
            100 => Self::Admin,
            10 => Self::Viewer,
            1 => Self::Limited,
            other => Self::Other(other),
        }
    }

    /// How the permission endpoints accept it: a name for admin and viewer (as Mailtrap's
    /// own clients send them), a number otherwise.
    pub(crate) fn to_api(self) -> api::AccessLevelValue {
        match self {
            Self::Admin => api::AccessLevelValue::String("admin".to_owned()),
            Self::Viewer => api::AccessLevelValue::String("viewer".to_owned()),
            other => api::AccessLevelValue::Integer(other.number()),
        }
    }
}

impl From<i64> for AccessLevel {
    fn from(number: i64) -> Self {
        Self::from_number(number)
    }
}

impl Serialize for AccessLevel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.number())
    }
}

open_enum! {
    /// A kind of resource access is granted on.
    pub enum ResourceType {
        /// The whole account.
        Account => "account",
        /// Billing.
        Billing => "billing",
        /// An organization.
        Organization => "organization",
        /// A project.
        Project => "project",
        /// A sandbox (`inbox` in older answers).
        Sandbox => "sandbox" | "inbox",
        /// A sending domain.
        Domain => "domain",
        /// Email campaigns.
        EmailCampaignPermissionScope => "email_campaign_permission_scope",
    }
}

open_enum! {
    /// Who an account access belongs to.
    pub enum SpecifierType {
        /// A user of the account.
        User => "User",
        /// An invitation not accepted yet.
        Invite => "Invite",
        /// An API token.
        ApiToken => "ApiToken",
    }
}

/// An account the token can access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Account {
    /// Account id.
    pub id: AccountId,
    /// Name.
    pub name: String,
    /// The token's access levels in it.
    pub access_levels: Vec<AccessLevel>,
}

impl Account {
    pub(crate) fn from_api(raw: api::Account) -> Conv<Self> {
        Ok(Self {
            id: required_id(raw.id, "id")?,
            name: raw.name.unwrap_or_default(),
            access_levels: raw
                .access_levels
                .into_iter()
                .map(AccessLevel::from_number)
                .collect(),
        })
    }
}

/// Someone's access to resources of the account: a user, an invite or an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccountAccess {
    /// Account access id.
    pub id: AccountAccessId,
    /// What kind of holder it is.
    pub specifier_type: SpecifierType,
    /// The holder; which fields are set depends on the kind.
    pub specifier: Specifier,
    /// The resources covered, with their access levels.
    pub resources: Vec<AccessResource>,
    /// What the token may do with this access.
    pub permissions: Permissions,
}

/// The holder of an account access. An invite has only `id` and `email`; a user adds `name`
/// and `two_factor_authentication_enabled`; a token has `name`, `author_name`, `token`
/// (masked) and `expires_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Specifier {
    /// Id of the user, invite or token.
    pub id: Option<SpecifierId>,
    /// Email address (users and invites).
    pub email: Option<String>,
    /// Name (users and tokens).
    pub name: Option<String>,
    /// Whether the user has two-factor authentication on.
    pub two_factor_authentication_enabled: Option<bool>,
    /// Who created the token.
    pub author_name: Option<String>,
    /// The token, masked.
    pub token: Option<String>,
    /// When the token expires, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

/// One resource an access covers: the same shape as an API token's resource.
pub type AccessResource = super::token::TokenResource;

impl AccountAccess {
    pub(crate) fn from_api(raw: api::AccountAccess) -> Conv<Self> {
        let specifier = raw.specifier.unwrap_or_default();
        let permissions = raw.permissions.unwrap_or_default();
        Ok(Self {
            id: required_id(raw.id, "id")?,
            specifier_type: raw
                .specifier_type
                .map_or_else(|| SpecifierType::Other(String::new()), SpecifierType::from),
            specifier: Specifier {
                id: optional_id(specifier.id),
                email: non_empty(specifier.email),
                name: non_empty(specifier.name),
                two_factor_authentication_enabled: specifier.two_factor_authentication_enabled,
                author_name: non_empty(specifier.author_name),
                token: non_empty(specifier.token),
                expires_at: specifier.expires_at,
            },
            resources: raw
                .resources
                .into_iter()
                .filter_map(|resource| {
                    Some(AccessResource {
                        resource_type: ResourceType::from(resource.resource_type?),
                        resource_id: u64::try_from(resource.resource_id?).ok()?,
                        access_level: AccessLevel::from_number(resource.access_level.unwrap_or(0)),
                    })
                })
                .collect(),
            permissions: Permissions::new(
                permissions.can_read,
                permissions.can_update,
                permissions.can_destroy,
                permissions.can_leave,
            ),
        })
    }
}

/// A resource access can be granted on, with the resources inside it (an account holds
/// projects, a project holds sandboxes, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PermissionResource {
    /// Resource id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Kind of resource.
    pub resource_type: ResourceType,
    /// The token's access level on it.
    pub access_level: Option<AccessLevel>,
    /// The resources inside it.
    pub resources: Vec<PermissionResource>,
}

impl PermissionResource {
    pub(crate) fn from_api(raw: api::PermissionResource) -> Conv<Self> {
        Ok(Self {
            id: required_id::<u64>(raw.id, "id")?,
            name: raw.name.unwrap_or_default(),
            resource_type: raw
                .type_
                .map_or_else(|| ResourceType::Other(String::new()), ResourceType::from),
            access_level: raw.access_level.map(AccessLevel::from_number),
            resources: convert_list(raw.resources, Self::from_api)
                .map_err(|err| err.within("resources"))?,
        })
    }
}

/// One change of a bulk permission update: grant or change access to a resource, or
/// remove it. Ids are plain numbers: pass `sandbox.id.get()` for a typed id.
///
/// ```
/// use mailtrap_sandbox::models::{AccessLevel, PermissionChange, ResourceType};
///
/// let changes = [
///     PermissionChange::grant(ResourceType::Project, 3_100_200, AccessLevel::Viewer),
///     PermissionChange::revoke(ResourceType::Sandbox, 4_200_100),
/// ];
/// # let _ = changes;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionChange {
    resource_type: ResourceType,
    resource_id: u64,
    access_level: AccessLevel,
    destroy: bool,
}

impl PermissionChange {
    /// Grants `level` on a resource, or changes the level already granted.
    ///
    /// ```
    /// use mailtrap_sandbox::models::{AccessLevel, PermissionChange, ResourceType};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox_id = emulator.sandbox().id;
    /// # let accesses = client.account_accesses().list().send().await?;
    /// # let access_id = accesses.iter().find(|a| a.specifier.email.as_deref() == Some("teammate@emulator.localhost")).ok_or("no teammate")?.id;
    /// let viewer = PermissionChange::grant(ResourceType::Sandbox, sandbox_id, AccessLevel::Viewer);
    /// client.account_access(access_id).update_permissions([viewer]).await?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn grant(resource_type: ResourceType, resource_id: u64, level: AccessLevel) -> Self {
        Self {
            resource_type,
            resource_id,
            access_level: level,
            destroy: false,
        }
    }

    /// Removes the access to a resource.
    ///
    /// ```
    /// use mailtrap_sandbox::models::{PermissionChange, ResourceType};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = emulator.project().id;
    /// # let accesses = client.account_accesses().list().send().await?;
    /// # let access_id = accesses.iter().find(|a| a.specifier.email.as_deref() == Some("teammate@emulator.localhost")).ok_or("no teammate")?.id;
    /// let revoke = PermissionChange::revoke(ResourceType::Project, project_id);
    /// client.account_access(access_id).update_permissions([revoke]).await?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn revoke(resource_type: ResourceType, resource_id: u64) -> Self {
        Self {
            resource_type,
            resource_id,
            access_level: AccessLevel::Viewer,
            destroy: true,
        }
    }

    /// The body entry. Ids go as strings and levels by name, as Mailtrap's own clients send
    /// them.
    pub(crate) fn to_api(&self) -> api::PermissionChange {
        api::PermissionChange {
            access_level: self.access_level.to_api(),
            destroy: self.destroy.then_some(true),
            resource_id: api::ResourceId::String(self.resource_id.to_string()),
            resource_type: self.resource_type.as_str().to_owned(),
        }
    }
}
