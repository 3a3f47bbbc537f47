//! Projects: list, create, read, rename, delete, and create sandboxes in them.

use mailtrap_sandbox_api::sandbox::types as api;

use crate::Client;
use crate::error::{Error, Result};
use crate::ids::{ProjectId, to_api};
use crate::models::{Project, Sandbox, convert_list};
use crate::resources::access::ListAccountAccesses;
use crate::transport::Op;

const LIST: Op = Op::safe("GET", "/api/projects");
const CREATE: Op = Op::once("POST", "/api/projects");
const GET: Op = Op::safe("GET", "/api/projects/{project_id}");
const UPDATE: Op = Op::safe("PATCH", "/api/projects/{project_id}");
const DELETE: Op = Op::safe("DELETE", "/api/projects/{project_id}");
const CREATE_SANDBOX: Op = Op::once("POST", "/api/projects/{project_id}/sandboxes");

impl Client {
    /// Every project: `client.projects().list().await`, `client.projects().create("QA")`.
    pub fn projects(&self) -> ProjectsHandle {
        ProjectsHandle {
            client: self.clone(),
        }
    }

    /// One project.
    pub fn project(&self, id: impl Into<ProjectId>) -> ProjectHandle {
        ProjectHandle {
            client: self.clone(),
            id: id.into(),
        }
    }
}

/// Checks a project or sandbox name before sending it.
fn checked_name(what: &str, name: &str) -> Result<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid_argument(format!("the {what} name is empty")));
    }
    Ok(trimmed.to_owned())
}

/// All projects: `client.projects()`.
#[derive(Debug, Clone)]
pub struct ProjectsHandle {
    client: Client,
}

impl ProjectsHandle {
    /// Every project the token can access, with its sandboxes (one unpaginated list).
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn list(&self) -> Result<Vec<Project>> {
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                LIST,
                || api.get_projects(),
                |raw| convert_list(raw, Project::from_api),
            )
            .await
    }

    /// Creates a project (names are 2 to 100 characters). Never retried once sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty name;
    /// [`ApiErrorKind::Validation`](crate::ApiErrorKind::Validation) when the API refuses
    /// the name; otherwise any [`Error`].
    pub async fn create(&self, name: impl Into<String>) -> Result<Project> {
        let body = api::ProjectRequest {
            project: api::ProjectFields {
                name: checked_name("project", &name.into())?,
            },
        };
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(CREATE, || api.create_project(&body), Project::from_api)
            .await
    }
}

/// One project: `client.project(id)`.
#[derive(Debug, Clone)]
pub struct ProjectHandle {
    client: Client,
    id: ProjectId,
}

impl ProjectHandle {
    /// The project's id.
    #[must_use]
    pub fn id(&self) -> ProjectId {
        self.id
    }

    /// The project and its sandboxes.
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when it does not exist.
    pub async fn get(&self) -> Result<Project> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(GET, || api.get_project(id), Project::from_api)
            .await
    }

    /// Renames the project.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty name; otherwise any [`Error`].
    pub async fn update(&self, name: impl Into<String>) -> Result<Project> {
        let id = to_api(self.id)?;
        let body = api::ProjectRequest {
            project: api::ProjectFields {
                name: checked_name("project", &name.into())?,
            },
        };
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(UPDATE, || api.update_project(id, &body), Project::from_api)
            .await
    }

    /// Deletes the project and its sandboxes; answers with the deleted project's id (also
    /// when an attempt whose answer was lost deleted it and the retry found it gone).
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn delete(&self) -> Result<ProjectId> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.sandbox;
        let fallback = self.id;
        self.client
            .transport
            .remove_fetch(
                DELETE,
                || api.delete_project(id),
                |raw| Ok(crate::ids::from_api(raw.id.unwrap_or(-1)).unwrap_or(fallback)),
            )
            .await
            .map(|id| id.unwrap_or(fallback))
    }

    /// Creates a sandbox in the project. Never retried once sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty name;
    /// [`ApiErrorKind::Validation`](crate::ApiErrorKind::Validation) when the API refuses it
    /// (plan limits arrive this way too); otherwise any [`Error`].
    pub async fn create_sandbox(&self, name: impl Into<String>) -> Result<Sandbox> {
        let id = to_api(self.id)?;
        let body = api::CreateSandboxRequest {
            sandbox: api::NewSandboxFields {
                name: checked_name("sandbox", &name.into())?,
            },
        };
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                CREATE_SANDBOX,
                || api.create_sandbox(id, &body),
                Sandbox::from_api,
            )
            .await
    }

    /// Who may access this project: account accesses filtered by its id.
    pub fn users(&self) -> ListAccountAccesses {
        self.client.account_accesses().list().project_ids([self.id])
    }
}
