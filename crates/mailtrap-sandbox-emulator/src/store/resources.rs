//! Projects and sandboxes: creating, renaming, deleting, and the sandbox actions.

use super::model::{Project, take};
use super::seed;
use super::{Changes, FieldErrors, RegistryKey, State, StoreError, StoreEvent};
use crate::random;
use crate::time;

/// The errors of a project or sandbox name (2 to 100 characters, not blank).
pub(crate) fn name_errors(name: Option<&str>) -> Vec<String> {
    let name = name.unwrap_or("");
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push("can't be blank".to_owned());
    }
    let length = name.chars().count();
    if length < 2 {
        errors.push("is too short (minimum is 2 characters)".to_owned());
    } else if length > 100 {
        errors.push("is too long (maximum is 100 characters)".to_owned());
    }
    errors
}

fn check_name(name: Option<&str>) -> Result<String, StoreError> {
    let errors = name_errors(name);
    if errors.is_empty() {
        Ok(name.unwrap_or("").to_owned())
    } else {
        Err(StoreError::Invalid(FieldErrors::from([(
            "name".to_owned(),
            errors,
        )])))
    }
}

/// Creates a project; returns its id.
pub(crate) fn create_project(
    state: &mut State,
    changes: &mut Changes,
    name: Option<&str>,
) -> Result<u64, StoreError> {
    let name = check_name(name)?;
    let id = take(&mut state.reg.next.project);
    state
        .reg
        .projects
        .insert(id, seed::new_project(id, &name, time::now()));
    changes.touch(RegistryKey::Project(id));
    changes.touch(RegistryKey::Counters);
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(id)
}

fn project_mut(state: &mut State, id: u64) -> Result<&mut Project, StoreError> {
    state.reg.projects.get_mut(&id).ok_or(StoreError::NotFound)
}

/// Renames a project (no name: no change).
pub(crate) fn update_project(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
    name: Option<&str>,
) -> Result<(), StoreError> {
    project_mut(state, id)?;
    let Some(name) = name else {
        return Ok(());
    };
    let name = check_name(Some(name))?;
    project_mut(state, id)?.name = name;
    changes.touch(RegistryKey::Project(id));
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(())
}

/// Deletes a project with its sandboxes and their messages.
pub(crate) fn delete_project(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    state.reg.projects.remove(&id).ok_or(StoreError::NotFound)?;
    let sandboxes: Vec<u64> = state
        .reg
        .sandboxes
        .values()
        .filter(|s| s.project_id == id)
        .map(|s| s.id)
        .collect();
    for sandbox_id in sandboxes {
        remove_sandbox(state, changes, sandbox_id);
    }
    forget_resource(state, changes, super::model::ResourceType::Project, id);
    changes.touch(RegistryKey::Project(id));
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(())
}

fn remove_sandbox(state: &mut State, changes: &mut Changes, id: u64) {
    state.reg.sandboxes.remove(&id);
    state.messages.remove_sandbox(id);
    changes.touch(RegistryKey::Sandbox(id));
    forget_resource(state, changes, super::model::ResourceType::Sandbox, id);
}

fn forget_resource(
    state: &mut State,
    changes: &mut Changes,
    resource_type: super::model::ResourceType,
    id: u64,
) {
    for access in state.reg.accesses.values_mut() {
        let before = access.resources.len();
        access
            .resources
            .retain(|r| !(r.resource_type == resource_type && r.resource_id == id));
        if access.resources.len() != before {
            changes.touch(RegistryKey::Access(access.id));
        }
    }
}

/// Creates a sandbox in a project; returns its id.
pub(crate) fn create_sandbox(
    state: &mut State,
    changes: &mut Changes,
    project_id: u64,
    name: Option<&str>,
) -> Result<u64, StoreError> {
    project_mut(state, project_id)?;
    let name = check_name(name)?;
    let id = take(&mut state.reg.next.sandbox);
    let sandbox = seed::new_sandbox(id, project_id, &name, state.limits, time::now());
    state.reg.sandboxes.insert(id, sandbox);
    changes.touch(RegistryKey::Sandbox(id));
    changes.touch(RegistryKey::Counters);
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(id)
}

fn sandbox_mut(state: &mut State, id: u64) -> Result<&mut super::model::Sandbox, StoreError> {
    state.reg.sandboxes.get_mut(&id).ok_or(StoreError::NotFound)
}

fn email_username_errors(state: &State, id: u64, value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let valid = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if !valid {
        errors
            .push("is invalid (use 1 to 64 lowercase letters, digits, '-', '_' or '.')".to_owned());
    } else if state
        .reg
        .sandboxes
        .values()
        .any(|s| s.id != id && s.email_username == value)
    {
        errors.push("has already been taken".to_owned());
    }
    errors
}

/// Changes a sandbox's name and/or email username.
pub(crate) fn update_sandbox(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
    name: Option<&str>,
    email_username: Option<&str>,
) -> Result<(), StoreError> {
    sandbox_mut(state, id)?;
    let mut errors = FieldErrors::new();
    if let Some(name) = name {
        let e = name_errors(Some(name));
        if !e.is_empty() {
            errors.insert("name".to_owned(), e);
        }
    }
    let email_username = email_username.map(str::to_ascii_lowercase);
    if let Some(value) = &email_username {
        let e = email_username_errors(state, id, value);
        if !e.is_empty() {
            errors.insert("email_username".to_owned(), e);
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let sandbox = sandbox_mut(state, id)?;
    if let Some(name) = name {
        sandbox.name = name.to_owned();
    }
    if let Some(value) = email_username {
        sandbox.email_username = value;
    }
    changes.touch(RegistryKey::Sandbox(id));
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(())
}

/// Deletes a sandbox and its messages.
pub(crate) fn delete_sandbox(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    sandbox_mut(state, id)?;
    remove_sandbox(state, changes, id);
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(())
}

/// Deletes every message of a sandbox.
pub(crate) fn clean_sandbox(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    sandbox_mut(state, id)?;
    let next_id = state.reg.next.message;
    state.messages.clean(id, next_id);
    changes.notify(StoreEvent::SandboxMessagesChanged { sandbox_id: id });
    Ok(())
}

/// Marks every message of a sandbox read.
pub(crate) fn mark_all_read(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    sandbox_mut(state, id)?;
    state.messages.mark_all_read(id, time::now());
    changes.notify(StoreEvent::SandboxMessagesChanged { sandbox_id: id });
    Ok(())
}

/// New SMTP username and password.
pub(crate) fn reset_credentials(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    let sandbox = sandbox_mut(state, id)?;
    sandbox.username = random::hex(14);
    sandbox.password = random::hex(14);
    changes.touch(RegistryKey::Sandbox(id));
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(())
}

/// Turns the sandbox's email address on or off.
pub(crate) fn toggle_email_username(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    let sandbox = sandbox_mut(state, id)?;
    sandbox.email_username_enabled = !sandbox.email_username_enabled;
    changes.touch(RegistryKey::Sandbox(id));
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(())
}

/// A new random email username.
pub(crate) fn reset_email_username(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
) -> Result<(), StoreError> {
    let sandbox = sandbox_mut(state, id)?;
    sandbox.email_username = seed::new_email_username();
    changes.touch(RegistryKey::Sandbox(id));
    changes.notify(StoreEvent::ResourcesChanged);
    Ok(())
}

/// Changes a sandbox's limits (control API). Lowering `max_size` drops the oldest messages.
pub(crate) fn set_limits(
    state: &mut State,
    changes: &mut Changes,
    id: u64,
    max_size: Option<u64>,
    max_message_size: Option<u64>,
) -> Result<(), StoreError> {
    if max_message_size == Some(0) {
        return Err(StoreError::invalid(
            "max_message_size",
            "must be at least 1 byte",
        ));
    }
    let sandbox = sandbox_mut(state, id)?;
    if let Some(v) = max_message_size {
        sandbox.max_message_size = v;
    }
    if let Some(v) = max_size {
        sandbox.max_size = v;
    }
    let max_size = sandbox.max_size;
    changes.touch(RegistryKey::Sandbox(id));
    changes.notify(StoreEvent::ResourcesChanged);
    let dropped = state.messages.drop_oldest_beyond(id, max_size)?;
    if !dropped.is_empty() {
        changes.notify(StoreEvent::SandboxMessagesChanged { sandbox_id: id });
    }
    Ok(())
}
