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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let qa = client.projects().create("QA").await?;
    /// let all = client.projects().list().await?;
    /// assert!(all.iter().any(|project| project.id == qa.id));
    /// # Ok(())
    /// # }
    /// ```
    pub fn projects(&self) -> ProjectsHandle {
        ProjectsHandle {
            client: self.clone(),
        }
    }

    /// One project: read, rename or delete it, and create sandboxes in it.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let project = client.project(2_093_121); // the id in the project's URL in Mailtrap
    /// assert_eq!(project.id().get(), 2_093_121);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
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
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// for project in client.projects().list().await? {
    ///     let sandboxes: Vec<&str> = project.sandboxes.iter().map(|s| s.name.as_str()).collect();
    ///     println!("#{} {}: {}", project.id, project.name, sandboxes.join(", "));
    /// }
    /// # Ok(())
    /// # }
    /// ```
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
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let project = client.projects().create("Checkout").await?;
    /// assert_eq!(project.name, "Checkout");
    /// assert!(client.projects().create(" ").await.is_err()); // an empty name: refused before sending
    /// # Ok(())
    /// # }
    /// ```
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
    pub(crate) client: Client,
    id: ProjectId,
}

impl ProjectHandle {
    /// The project's id.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// assert_eq!(client.project(42).id(), mailtrap_sandbox::ProjectId::new(42));
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> ProjectId {
        self.id
    }

    /// The project and its sandboxes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = emulator.project().id;
    /// let project = client.project(project_id).get().await?;
    /// for sandbox in &project.sandboxes {
    ///     println!("#{} {} ({} messages)", sandbox.id, sandbox.name, sandbox.emails_count);
    /// }
    /// # assert!(!project.sandboxes.is_empty());
    /// # Ok(())
    /// # }
    /// ```
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
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = client.projects().create("Checkout").await?.id;
    /// let renamed = client.project(project_id).update("Checkout v2").await?;
    /// assert_eq!(renamed.name, "Checkout v2");
    /// # Ok(())
    /// # }
    /// ```
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
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = client.projects().create("Scratch").await?.id;
    /// let project = client.project(project_id);
    /// assert_eq!(project.delete().await?, project_id);
    /// assert!(matches!(project.get().await, Err(err) if err.is_not_found()));
    /// # Ok(())
    /// # }
    /// ```
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
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = emulator.project().id;
    /// let created = client.project(project_id).create_sandbox("Sign-up emails").await?;
    /// let sandbox = client.sandbox(created.id); // send into it, wait for mail in it
    /// assert_eq!(sandbox.get().await?.name, "Sign-up emails");
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = emulator.project().id;
    /// for access in client.project(project_id).users().send().await? {
    ///     let who = access.specifier.email.or(access.specifier.name).unwrap_or_default();
    ///     let levels: Vec<_> = access.resources.iter().map(|r| r.access_level).collect();
    ///     println!("{who}: {levels:?}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn users(&self) -> ListAccountAccesses {
        self.client.account_accesses().list().project_ids([self.id])
    }
}
