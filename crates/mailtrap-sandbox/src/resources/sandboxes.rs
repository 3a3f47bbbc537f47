//! Sandboxes: list, read, change, empty, delete, credentials and the sandbox's own address.

use mailtrap_sandbox_api::sandbox::types as api;

use crate::Client;
use crate::error::{Error, Result};
use crate::ids::{MessageId, SandboxId, to_api};
use crate::models::{Sandbox, convert_list};
use crate::resources::access::ListAccountAccesses;
use crate::resources::messages::{MessageHandle, MessagesHandle};
use crate::transport::Op;

const LIST: Op = Op::safe("GET", "/api/sandboxes");
const GET: Op = Op::safe("GET", "/api/sandboxes/{sandbox_id}");
const UPDATE: Op = Op::safe("PATCH", "/api/sandboxes/{sandbox_id}");
const DELETE: Op = Op::safe("DELETE", "/api/sandboxes/{sandbox_id}");
const CLEAN: Op = Op::safe("PATCH", "/api/sandboxes/{sandbox_id}/clean");
const ALL_READ: Op = Op::safe("PATCH", "/api/sandboxes/{sandbox_id}/all_read");
const RESET_CREDENTIALS: Op = Op::once("PATCH", "/api/sandboxes/{sandbox_id}/reset_credentials");
const TOGGLE_EMAIL: Op = Op::once("PATCH", "/api/sandboxes/{sandbox_id}/toggle_email_username");
const RESET_EMAIL: Op = Op::once("PATCH", "/api/sandboxes/{sandbox_id}/reset_email_username");

impl Client {
    /// Every sandbox the token can access: `client.sandboxes().list().await`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let all = client.sandboxes().list().await?;
    /// assert!(all.iter().any(|found| found.id == sandbox.id()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn sandboxes(&self) -> SandboxesHandle {
        SandboxesHandle {
            client: self.clone(),
        }
    }

    /// One sandbox, its messages, and sending into it.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let sandbox = client.sandbox(4_288_340); // the id in the sandbox's URL in Mailtrap
    /// assert_eq!(sandbox.id().get(), 4_288_340);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn sandbox(&self, id: impl Into<SandboxId>) -> SandboxHandle {
        SandboxHandle {
            client: self.clone(),
            id: id.into(),
        }
    }
}

/// All sandboxes: `client.sandboxes()`.
#[derive(Debug, Clone)]
pub struct SandboxesHandle {
    client: Client,
}

impl SandboxesHandle {
    /// Every sandbox the token can access, across projects.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// for found in client.sandboxes().list().await? {
    ///     println!("#{} {} ({} messages)", found.id, found.name, found.emails_count);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn list(&self) -> Result<Vec<Sandbox>> {
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(
                LIST,
                || api.get_sandboxes(),
                |raw| convert_list(raw, Sandbox::from_api),
            )
            .await
    }
}

/// One sandbox: `client.sandbox(id)`.
#[derive(Debug, Clone)]
pub struct SandboxHandle {
    pub(crate) client: Client,
    pub(crate) id: SandboxId,
}

impl SandboxHandle {
    /// The sandbox's id.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let sandbox = client.sandbox(4_288_340);
    /// assert_eq!(sandbox.id().get(), 4_288_340);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> SandboxId {
        self.id
    }

    /// The client this handle uses.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let sandbox = client.sandbox(1);
    /// let neighbour = sandbox.client().sandbox(2); // the same client, another sandbox
    /// assert_eq!(neighbour.id().get(), 2);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The sandbox's messages.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let page = sandbox.messages().list().send().await?; // one page, newest first
    /// assert_eq!(page.items()[0].subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    pub fn messages(&self) -> MessagesHandle {
        MessagesHandle {
            client: self.client.clone(),
            sandbox: self.id,
        }
    }

    /// One message of the sandbox.
    ///
    /// ```
    /// use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let found = sandbox.wait_for(MessageFilter::new().subject("Welcome")).send().await?;
    /// let message = sandbox.message(found.id);
    /// assert!(message.text().await?.starts_with("Hello Ana"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn message(&self, id: impl Into<MessageId>) -> MessageHandle {
        MessageHandle {
            client: self.client.clone(),
            sandbox: self.id,
            id: id.into(),
        }
    }

    /// Who may access this sandbox: account accesses filtered by its id.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let accesses = sandbox.users().send().await?;
    /// assert!(!accesses.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn users(&self) -> ListAccountAccesses {
        self.client.account_accesses().list().sandbox_ids([self.id])
    }

    /// The sandbox's settings and counters.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let info = sandbox.get().await?;
    /// assert_eq!(info.id, sandbox.id());
    /// println!("{}: {} messages, {} unread", info.name, info.emails_count, info.emails_unread_count);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when it does not exist.
    pub async fn get(&self) -> Result<Sandbox> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(GET, || api.get_sandbox_attributes(id), Sandbox::from_api)
            .await
    }

    /// Changes the name and/or the local part of the sandbox's email address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let renamed = sandbox.update().name("Checkout tests").send().await?;
    /// assert_eq!(renamed.name, "Checkout tests");
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self) -> UpdateSandbox {
        UpdateSandbox {
            handle: self.clone(),
            name: None,
            email_username: None,
        }
    }

    /// Deletes the sandbox and its messages; answers with the sandbox as it was, or `None`
    /// when an attempt whose answer was lost deleted it (the retry then found it gone).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// sandbox.delete().await?;
    /// assert!(sandbox.get().await.is_err_and(|err| err.is_not_found()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when it did not exist.
    pub async fn delete(&self) -> Result<Option<Sandbox>> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .remove_fetch(DELETE, || api.delete_sandbox(id), Sandbox::from_api)
            .await
    }

    /// Deletes every message of the sandbox.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// sandbox.clean().await?;
    /// assert!(sandbox.messages().list().send().await?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn clean(&self) -> Result<Sandbox> {
        self.simple(CLEAN, |api, id| Box::pin(api.clean_sandbox(id)))
            .await
    }

    /// Marks every message of the sandbox read.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// let after = sandbox.mark_all_read().await?;
    /// assert_eq!(after.emails_unread_count, 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn mark_all_read(&self) -> Result<Sandbox> {
        self.simple(ALL_READ, |api, id| Box::pin(api.mark_as_read_sandbox(id)))
            .await
    }

    /// Gives the sandbox new SMTP credentials (the old ones stop working). Never retried
    /// once sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let before = sandbox.get().await?;
    /// let after = sandbox.reset_credentials().await?;
    /// assert_ne!(after.username, before.username);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn reset_credentials(&self) -> Result<Sandbox> {
        self.simple(RESET_CREDENTIALS, |api, id| {
            Box::pin(api.reset_sandbox_credentials(id))
        })
        .await
    }

    /// Gives the sandbox a new email address (a new local part). Never retried once sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let before = sandbox.get().await?;
    /// let after = sandbox.reset_email_address().await?;
    /// assert_ne!(after.email_username, before.email_username);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn reset_email_address(&self) -> Result<Sandbox> {
        self.simple(RESET_EMAIL, |api, id| {
            Box::pin(api.reset_email_user_name_per_sandbox(id))
        })
        .await
    }

    /// Flips whether mail sent to the sandbox's own address is caught (the API has a single
    /// toggle). Never retried once sent: a repeat would flip it back.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let before = sandbox.get().await?.email_username_enabled;
    /// let after = sandbox.toggle_email_address().await?.email_username_enabled;
    /// assert_eq!(after, !before);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn toggle_email_address(&self) -> Result<Sandbox> {
        self.simple(TOGGLE_EMAIL, |api, id| {
            Box::pin(api.enable_sandbox_email_addresses(id))
        })
        .await
    }

    /// Makes sure mail sent to the sandbox's own address is caught.
    ///
    /// The API only has a toggle, so this reads the sandbox first and toggles only when the
    /// address is off: two requests, or one when it is already on. Not atomic: if someone else
    /// toggles it between the two requests, the result can be off; the returned sandbox says
    /// which.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// assert!(sandbox.enable_email_address().await?.email_username_enabled);
    /// // Already on: read, nothing toggled.
    /// assert!(sandbox.enable_email_address().await?.email_username_enabled);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn enable_email_address(&self) -> Result<Sandbox> {
        self.set_email_address(true).await
    }

    /// Makes sure mail sent to the sandbox's own address is not caught. Reads first, then
    /// toggles only when needed (see [`enable_email_address`](Self::enable_email_address)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// assert!(!sandbox.disable_email_address().await?.email_username_enabled);
    /// // Already off: read, nothing toggled.
    /// assert!(!sandbox.disable_email_address().await?.email_username_enabled);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`].
    pub async fn disable_email_address(&self) -> Result<Sandbox> {
        self.set_email_address(false).await
    }

    async fn set_email_address(&self, enabled: bool) -> Result<Sandbox> {
        let current = self.get().await?;
        if current.email_username_enabled == enabled {
            return Ok(current);
        }
        self.toggle_email_address().await
    }

    /// Runs an operation that takes only the sandbox id and answers with the sandbox.
    async fn simple(
        &self,
        op: Op,
        send: for<'a> fn(
            &'a mailtrap_sandbox_api::sandbox::Client,
            i64,
        ) -> crate::transport::BoxedCall<'a, api::Sandbox>,
    ) -> Result<Sandbox> {
        let id = to_api(self.id)?;
        let api = &self.client.transport.sandbox;
        self.client
            .transport
            .fetch(op, || send(api, id), Sandbox::from_api)
            .await
    }
}

/// Changes a sandbox. Built by [`SandboxHandle::update`]; fields left unset keep their value.
#[derive(Debug, Clone)]
#[must_use = "call .send() to apply the change"]
pub struct UpdateSandbox {
    handle: SandboxHandle,
    name: Option<String>,
    email_username: Option<String>,
}

impl UpdateSandbox {
    /// A new name.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// assert_eq!(sandbox.update().name("Checkout").send().await?.name, "Checkout");
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A new local part for the sandbox's email address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let updated = sandbox.update().email_username("checkout-tests").send().await?;
    /// assert_eq!(updated.email_username, "checkout-tests");
    /// # Ok(())
    /// # }
    /// ```
    pub fn email_username(mut self, local_part: impl Into<String>) -> Self {
        self.email_username = Some(local_part.into());
        self
    }

    /// Applies the change; answers with the updated sandbox.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let updated = sandbox.update().name("Checkout").email_username("checkout-tests").send().await?;
    /// assert_eq!(updated.name, "Checkout");
    /// assert!(sandbox.update().send().await.is_err()); // nothing to change: refused before sending
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when nothing was set; otherwise any [`Error`]
    /// ([`ApiErrorKind::Validation`](crate::ApiErrorKind::Validation) for a refused value).
    pub async fn send(self) -> Result<Sandbox> {
        if self.name.is_none() && self.email_username.is_none() {
            return Err(Error::invalid_argument(
                "nothing to update: set .name(...) and/or .email_username(...) before .send()",
            ));
        }
        let id = to_api(self.handle.id)?;
        let body = api::UpdateSandboxRequest {
            sandbox: api::SandboxFields {
                name: self.name,
                email_username: self.email_username,
            },
        };
        let transport = &self.handle.client.transport;
        let api = &transport.sandbox;
        transport
            .fetch(UPDATE, || api.update_sandbox(id, &body), Sandbox::from_api)
            .await
    }
}
