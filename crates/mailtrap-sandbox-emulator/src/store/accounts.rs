//! Account accesses, permissions, API tokens, sub-accounts and templates.

use super::model::{Access, ApiToken, Resource, ResourceType, Specifier, SubAccount, take};
use super::seed;
use super::{Changes, FieldErrors, RegistryKey, State, StoreError};
use crate::random;
use crate::templates::Template;
use crate::time;

/// Whether a resource of this type and id exists in the account.
pub(crate) fn resource_exists(state: &State, resource_type: ResourceType, id: u64) -> bool {
    let reg = &state.reg;
    match resource_type {
        ResourceType::Account
        | ResourceType::Billing
        | ResourceType::EmailCampaignPermissionScope => id == reg.account.id,
        ResourceType::Organization => id == reg.organization.id,
        ResourceType::Project => reg.projects.contains_key(&id),
        ResourceType::Sandbox => reg.sandboxes.contains_key(&id),
        // The emulator has no sending domains.
        ResourceType::Domain => false,
    }
}

/// One entry of a bulk permission update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PermissionChange {
    pub(crate) resource_type: ResourceType,
    pub(crate) resource_id: u64,
    pub(crate) access_level: u32,
    pub(crate) destroy: bool,
}

fn access_mut(state: &mut State, id: u64) -> Result<&mut Access, StoreError> {
    state.reg.accesses.get_mut(&id).ok_or(StoreError::NotFound)
}

/// Removes an access: a teammate loses their permissions, an invite or an API token is deleted
/// with it. The owner's access cannot be removed.
pub(crate) fn delete_access(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    let access = access_mut(state, id)?;
    match access.specifier {
        Specifier::Owner => return Err(StoreError::Forbidden),
        Specifier::ApiToken { token_id } => {
            state.reg.api_tokens.remove(&token_id);
            changes.touch(RegistryKey::ApiToken(token_id));
        }
        Specifier::User(_) | Specifier::Invite { .. } => {}
    }
    state.reg.accesses.remove(&id);
    changes.touch(RegistryKey::Access(id));
    Ok(())
}

/// Applies a bulk permission update: adds or changes each resource, or removes it when
/// `destroy` is set. Every entry is checked before anything changes.
pub(crate) fn update_permissions(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
    updates: &[PermissionChange],
) -> Result<(), StoreError> {
    if matches!(access_mut(state, id)?.specifier, Specifier::Owner) {
        return Err(StoreError::Forbidden);
    }
    let mut errors = FieldErrors::new();
    for (i, update) in updates.iter().enumerate() {
        if !resource_exists(state, update.resource_type, update.resource_id) {
            errors
                .entry(format!("permissions[{i}].resource_id"))
                .or_default()
                .push(format!(
                    "no such resource in this account: {}",
                    update.resource_id
                ));
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let access = access_mut(state, id)?;
    for update in updates {
        let same = |r: &Resource| {
            r.resource_type == update.resource_type && r.resource_id == update.resource_id
        };
        if update.destroy {
            access.resources.retain(|r| !same(r));
        } else if let Some(existing) = access.resources.iter_mut().find(|r| same(r)) {
            existing.access_level = update.access_level;
        } else {
            access.resources.push(Resource {
                resource_type: update.resource_type,
                resource_id: update.resource_id,
                access_level: update.access_level,
            });
        }
    }
    changes.touch(RegistryKey::Access(id));
    Ok(())
}

/// Creates an API token (with its account access); returns its id. Without resources it gets
/// admin access to the account.
pub(crate) fn create_api_token(
    state: &mut State,
    changes: &mut Changes,
    name: Option<&str>,
    resources: Vec<Resource>,
) -> Result<u64, StoreError> {
    let mut errors = FieldErrors::new();
    let name = name.unwrap_or("").trim();
    if name.is_empty() {
        errors.insert("name".to_owned(), vec!["can't be blank".to_owned()]);
    }
    for (i, r) in resources.iter().enumerate() {
        if !resource_exists(state, r.resource_type, r.resource_id) {
            errors
                .entry(format!("resources[{i}].resource_id"))
                .or_default()
                .push(format!(
                    "no such resource in this account: {}",
                    r.resource_id
                ));
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let resources = if resources.is_empty() {
        vec![Resource {
            resource_type: ResourceType::Account,
            resource_id: state.reg.account.id,
            access_level: seed::ADMIN_LEVEL,
        }]
    } else {
        resources
    };
    let token_id = take(&mut state.reg.next.api_token);
    let access_id = take(&mut state.reg.next.access);
    state.reg.accesses.insert(
        access_id,
        Access {
            id: access_id,
            specifier: Specifier::ApiToken { token_id },
            resources,
        },
    );
    state.reg.api_tokens.insert(
        token_id,
        ApiToken {
            id: token_id,
            name: name.to_owned(),
            token: random::api_token(),
            access_id,
            created_at: time::now(),
            expires_at: None,
        },
    );
    changes.touch(RegistryKey::ApiToken(token_id));
    changes.touch(RegistryKey::Access(access_id));
    changes.touch(RegistryKey::Counters);
    Ok(token_id)
}

/// Deletes an API token and its access.
pub(crate) fn delete_api_token(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    let token = state
        .reg
        .api_tokens
        .remove(&id)
        .ok_or(StoreError::NotFound)?;
    state.reg.accesses.remove(&token.access_id);
    changes.touch(RegistryKey::ApiToken(id));
    changes.touch(RegistryKey::Access(token.access_id));
    Ok(())
}

/// Gives an API token a new value (the old one stops working).
pub(crate) fn reset_api_token(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    let token = state
        .reg
        .api_tokens
        .get_mut(&id)
        .ok_or(StoreError::NotFound)?;
    token.token = random::api_token();
    changes.touch(RegistryKey::ApiToken(id));
    Ok(())
}

/// Creates a sub-account of the organization; returns its id.
pub(crate) fn create_sub_account(
    state: &mut State,
    changes: &mut Changes,
    name: Option<&str>,
) -> Result<u64, StoreError> {
    let name = name.unwrap_or("").trim();
    if name.is_empty() {
        return Err(StoreError::invalid("name", "can't be blank"));
    }
    let id = take(&mut state.reg.next.sub_account);
    state.reg.sub_accounts.insert(
        id,
        SubAccount {
            id,
            name: name.to_owned(),
        },
    );
    changes.touch(RegistryKey::SubAccount(id));
    changes.touch(RegistryKey::Counters);
    Ok(id)
}

/// A template to register.
#[derive(Debug, Clone, Default)]
pub(crate) struct TemplateInput {
    pub(crate) uuid: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) html: Option<String>,
}

/// Registers a template; returns its uuid.
pub(crate) fn add_template(
    state: &mut State,
    changes: &mut Changes,
    input: TemplateInput,
) -> Result<String, StoreError> {
    let mut errors = FieldErrors::new();
    let mut add = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    };
    if let Some(uuid) = &input.uuid {
        if !random::is_uuid(uuid) {
            add(
                "uuid",
                "is not a UUID (expected 8-4-4-4-12 hexadecimal digits)",
            );
        } else if state.reg.templates.contains_key(&uuid.to_ascii_lowercase()) {
            add("uuid", "has already been taken");
        }
    }
    if input.subject.as_deref().is_none_or(|s| s.trim().is_empty()) {
        add("subject", "can't be blank");
    }
    if input.text.is_none() && input.html.is_none() {
        add("text", "either text or html is required");
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let uuid = input
        .uuid
        .map(|u| u.to_ascii_lowercase())
        .unwrap_or_else(random::uuid_v4);
    let id = take(&mut state.reg.next.template);
    let template = Template {
        id,
        uuid: uuid.clone(),
        name: input.name.unwrap_or_else(|| format!("Template {id}")),
        subject: input.subject.unwrap_or_default(),
        text: input.text,
        html: input.html,
        created_at: time::now(),
    };
    state.reg.templates.insert(uuid.clone(), template);
    changes.touch(RegistryKey::Template(uuid.clone()));
    changes.touch(RegistryKey::Counters);
    Ok(uuid)
}

/// Removes a template.
pub(crate) fn delete_template(
    state: &mut State,
    changes: &mut Changes,
    uuid: &str,
) -> Result<(), StoreError> {
    let uuid = uuid.to_ascii_lowercase();
    state
        .reg
        .templates
        .remove(&uuid)
        .ok_or(StoreError::NotFound)?;
    changes.touch(RegistryKey::Template(uuid));
    Ok(())
}
