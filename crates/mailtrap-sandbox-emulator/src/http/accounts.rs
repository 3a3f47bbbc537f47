//! Accounts, account accesses and permissions, API tokens, billing usage and sub-accounts.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::errors::{ApiError, ok};
use super::extract::{Flag, IdValue, Ids, JsonBody, Level, Query, from_json};
use super::views::{self, Naming};
use crate::store::accounts::{self, PermissionChange};
use crate::store::model::{Access, Resource, ResourceType, Specifier};
use crate::store::{State as StoreState, StoreError};

pub(super) async fn list_accounts(State(app): State<AppState>) -> Response {
    let body = app.store.read(|state| {
        json!([{
            "id": state.reg.account.id,
            "name": state.reg.account.name,
            "access_levels": [1000],
        }])
    });
    ok(&body)
}

/// Whether an access covers any of the filtered resources (account-wide accesses cover all).
fn access_matches(
    state: &StoreState,
    access: &Access,
    projects: &[u64],
    sandboxes: &[u64],
    domains: &[u64],
) -> bool {
    if projects.is_empty() && sandboxes.is_empty() && domains.is_empty() {
        return true;
    }
    let project_of = |sandbox: u64| state.reg.sandboxes.get(&sandbox).map(|s| s.project_id);
    access.resources.iter().any(|r| match r.resource_type {
        ResourceType::Account | ResourceType::Organization => true,
        ResourceType::Project => {
            projects.contains(&r.resource_id)
                || sandboxes
                    .iter()
                    .any(|s| project_of(*s) == Some(r.resource_id))
        }
        ResourceType::Sandbox => {
            sandboxes.contains(&r.resource_id)
                || project_of(r.resource_id).is_some_and(|p| projects.contains(&p))
        }
        ResourceType::Domain => domains.contains(&r.resource_id),
        ResourceType::Billing | ResourceType::EmailCampaignPermissionScope => false,
    })
}

/// Lists the accesses of people, as Mailtrap does: `User` and `Invite`. An API token's access is
/// not listed (its permissions are in the token's `resources`), but its id can still be given
/// to `DELETE .../account_accesses/{id}` and `PUT .../permissions/bulk`.
pub(super) async fn list_accesses(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    query: Query,
) -> Result<Response, ApiError> {
    let projects = query.ids(&["project_ids"])?;
    let sandboxes = query.ids(&["sandbox_ids", "inbox_ids"])?;
    let domains = query.ids(&["domain_ids"])?;
    let body = app.store.read(|state| {
        state
            .reg
            .accesses
            .values()
            .filter(|a| !matches!(a.specifier, Specifier::ApiToken { .. }))
            .filter(|a| access_matches(state, a, &projects, &sandboxes, &domains))
            .map(|a| views::access(state, a, naming))
            .collect::<Vec<_>>()
    });
    Ok(ok(&body))
}

pub(super) async fn delete_access(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.access()?;
    app.store
        .write(|state, changes| accounts::delete_access(state, changes, id))
        .await?;
    Ok(ok(&json!({ "id": id })))
}

#[derive(Debug, Deserialize)]
struct PermissionParams {
    resource_id: IdValue,
    resource_type: String,
    #[serde(default)]
    access_level: Option<Level>,
    #[serde(default, rename = "_destroy")]
    destroy: Option<Flag>,
}

#[derive(Debug, Deserialize)]
struct BulkParams {
    #[serde(default)]
    permissions: Option<Vec<PermissionParams>>,
}

fn resource_type(name: &str, field: &str) -> Result<ResourceType, ApiError> {
    ResourceType::parse(name).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!(
                "'{name}' is not a resource type (account, billing, project, sandbox, domain, \
                 email_campaign_permission_scope)"
            ),
        )
    })
}

pub(super) async fn bulk_permissions(
    State(app): State<AppState>,
    ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let id = ids.access()?;
    let params: BulkParams = from_json(body.0)?;
    let Some(list) = params.permissions else {
        return Err(ApiError::invalid("permissions", "can't be blank"));
    };
    let mut updates = Vec::with_capacity(list.len());
    for (i, p) in list.into_iter().enumerate() {
        let destroy = p.destroy.is_some_and(|f| f.0);
        let access_level = match (p.access_level, destroy) {
            (Some(level), _) => level.0,
            (None, true) => 0,
            (None, false) => {
                return Err(ApiError::invalid(
                    &format!("permissions[{i}].access_level"),
                    "can't be blank",
                ));
            }
        };
        updates.push(PermissionChange {
            resource_type: resource_type(
                &p.resource_type,
                &format!("permissions[{i}].resource_type"),
            )?,
            resource_id: p.resource_id.0,
            access_level,
            destroy,
        });
    }
    app.store
        .write(|state, changes| accounts::update_permissions(state, changes, id, &updates))
        .await?;
    Ok(ok(&json!({ "message": "Permissions updated" })))
}

pub(super) async fn resources(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
) -> Response {
    ok(&app.store.read(|state| views::resource_tree(state, naming)))
}

pub(super) async fn list_tokens(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
) -> Response {
    let body = app.store.read(|state| {
        state
            .reg
            .api_tokens
            .values()
            .map(|t| views::api_token(state, t, false, naming))
            .collect::<Vec<_>>()
    });
    ok(&body)
}

#[derive(Debug, Deserialize)]
struct ResourceParams {
    resource_type: String,
    resource_id: IdValue,
    access_level: Level,
}

#[derive(Debug, Deserialize)]
struct TokenParams {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    resources: Vec<ResourceParams>,
}

fn token_view(
    state: &StoreState,
    id: u64,
    with_token: bool,
    naming: Naming,
) -> Result<Value, StoreError> {
    state
        .reg
        .api_tokens
        .get(&id)
        .map(|t| views::api_token(state, t, with_token, naming))
        .ok_or(StoreError::NotFound)
}

pub(super) async fn create_token(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let params: TokenParams = from_json(body.unwrap_envelope(&["api_token"]))?;
    let mut resources = Vec::with_capacity(params.resources.len());
    for (i, r) in params.resources.into_iter().enumerate() {
        let field = format!("resources[{i}].resource_type");
        let resource_type = resource_type(&r.resource_type, &field)?;
        if !matches!(
            resource_type,
            ResourceType::Account
                | ResourceType::Project
                | ResourceType::Sandbox
                | ResourceType::Domain
        ) {
            return Err(ApiError::invalid(
                &field,
                "must be account, project, sandbox or domain",
            ));
        }
        resources.push(Resource {
            resource_type,
            resource_id: r.resource_id.0,
            access_level: r.access_level.0,
        });
    }
    let view = app
        .store
        .write(|state, changes| {
            let id = accounts::create_api_token(state, changes, params.name.as_deref(), resources)?;
            token_view(state, id, true, naming)
        })
        .await?;
    Ok(ok(&view))
}

pub(super) async fn show_token(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.token()?;
    let view = app
        .store
        .read(|state| token_view(state, id, false, naming))?;
    Ok(ok(&view))
}

pub(super) async fn delete_token(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.token()?;
    app.store
        .write(|state, changes| accounts::delete_api_token(state, changes, id))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn reset_token(
    State(app): State<AppState>,
    Extension(naming): Extension<Naming>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let id = ids.token()?;
    let view = app
        .store
        .write(|state, changes| {
            accounts::reset_api_token(state, changes, id)?;
            token_view(state, id, true, naming)
        })
        .await?;
    Ok(ok(&view))
}

pub(super) async fn billing_usage(State(app): State<AppState>) -> Response {
    ok(&app.store.read(views::billing_usage))
}

pub(super) async fn list_sub_accounts(State(app): State<AppState>, _ids: Ids) -> Response {
    let body = app.store.read(|state| {
        state
            .reg
            .sub_accounts
            .values()
            .map(|a| json!({"id": a.id, "name": a.name}))
            .collect::<Vec<_>>()
    });
    ok(&body)
}

#[derive(Debug, Deserialize)]
struct SubAccountParams {
    #[serde(default)]
    name: Option<String>,
}

pub(super) async fn create_sub_account(
    State(app): State<AppState>,
    _ids: Ids,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let params: SubAccountParams = from_json(body.unwrap_envelope(&["account"]))?;
    let view = app
        .store
        .write(|state, changes| {
            let id = accounts::create_sub_account(state, changes, params.name.as_deref())?;
            state
                .reg
                .sub_accounts
                .get(&id)
                .map(|a| json!({"id": a.id, "name": a.name}))
                .ok_or(StoreError::NotFound)
        })
        .await?;
    Ok(ok(&view))
}
