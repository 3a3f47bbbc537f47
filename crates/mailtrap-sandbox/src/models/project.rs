//! Projects, which hold sandboxes.

use mailtrap_sandbox_api::sandbox::types as api;
use serde::Serialize;

use super::common::{Conv, Permissions, convert_list, non_empty, required_id};
use super::sandbox::Sandbox;
use crate::ids::ProjectId;

/// A project and the sandboxes it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Project {
    /// Project id.
    pub id: ProjectId,
    /// Name.
    pub name: String,
    /// Links that share the project; absent for some tokens.
    pub share_links: Option<ShareLinks>,
    /// Its sandboxes (`sandboxes`, or `inboxes` in older answers).
    pub sandboxes: Vec<Sandbox>,
    /// What the token may do with it.
    pub permissions: Permissions,
}

/// Links that share a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ShareLinks {
    /// Link that grants admin access.
    pub admin: Option<String>,
    /// Link that grants read access.
    pub viewer: Option<String>,
}

impl Project {
    pub(crate) fn from_api(raw: api::Project) -> Conv<Self> {
        let sandboxes = if raw.sandboxes.is_empty() {
            raw.inboxes
        } else {
            raw.sandboxes
        };
        let permissions = raw.permissions.unwrap_or_default();
        Ok(Self {
            id: required_id(raw.id, "id")?,
            name: raw.name.unwrap_or_default(),
            share_links: raw.share_links.map(|links| ShareLinks {
                admin: non_empty(links.admin),
                viewer: non_empty(links.viewer),
            }),
            sandboxes: convert_list(sandboxes, Sandbox::from_api)
                .map_err(|err| err.within("sandboxes"))?,
            permissions: Permissions::new(
                permissions.can_read,
                permissions.can_update,
                permissions.can_destroy,
                permissions.can_leave,
            ),
        })
    }
}
