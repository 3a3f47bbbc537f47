//! A sandbox of its own for one test, removed afterwards whatever the test did: returned,
//! failed with an error, or panicked on a failed assertion.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;

use crate::error::Error;
use crate::inbox::random_suffix;
use crate::resources::{ProjectHandle, SandboxHandle};

impl ProjectHandle {
    /// Runs `test` with a new sandbox of this project, named `{label} {10 random
    /// characters}`, then deletes the sandbox, whether the test returned `Ok`, returned an
    /// error or panicked (the panic then goes on, so the test still fails as it should).
    /// Nothing of another test, or of an earlier run, is in it. The stricter sibling of
    /// [`SandboxHandle::test_inbox`], at the cost of two requests (create and delete) and a
    /// sandbox of the plan's quota while the test runs.
    ///
    /// A test cancelled from outside (its future dropped, by a `tokio::time::timeout` say)
    /// cannot clean up: give `wait_for` its own timeout instead, which ends the test with an
    /// error.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, MessageFilter};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let project_id = emulator.project().id;
    /// let project = client.project(project_id);
    /// let used = project
    ///     .with_temp_sandbox("sign-up", |sandbox| async move {
    ///         let email = Email::new().from("robot@shop.example").to("ana@example.com");
    ///         sandbox.send(email.subject("Welcome").text("Hi Ana")).await?;
    ///         sandbox.wait_for(MessageFilter::new().subject("Welcome")).send().await?;
    ///         Ok::<_, mailtrap_sandbox::Error>(sandbox.id())
    ///     })
    ///     .await?;
    /// assert!(client.sandbox(used).get().await.unwrap_err().is_not_found());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The test's own error when it fails (a sandbox that could not be deleted then is
    /// logged with `tracing`, at error level, with its id); otherwise an [`Error`] converted
    /// into `E` when the sandbox cannot be created, or cannot be deleted after a test that
    /// passed (a sandbox already gone counts as deleted).
    pub async fn with_temp_sandbox<F, Fut, T, E>(&self, label: &str, test: F) -> Result<T, E>
    where
        F: FnOnce(SandboxHandle) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let name = format!("{} {}", label.trim(), random_suffix());
        let created = self.create_sandbox(name.trim()).await?;
        let sandbox = self.client.sandbox(created.id);
        let outcome = AssertUnwindSafe(test(sandbox.clone())).catch_unwind().await;
        let removed = match sandbox.delete().await {
            Err(err) if !err.is_not_found() => Err(err),
            _ => Ok(()),
        };
        match (outcome, removed) {
            (Ok(Ok(value)), removed) => removed.map(|()| value).map_err(E::from),
            (Ok(Err(test_error)), removed) => {
                if let Err(err) = removed {
                    log_left_behind(&created.name, &sandbox, &err);
                }
                Err(test_error)
            }
            (Err(panic), removed) => {
                if let Err(err) = removed {
                    log_left_behind(&created.name, &sandbox, &err);
                }
                std::panic::resume_unwind(panic)
            }
        }
    }
}

/// A temporary sandbox outlives a failed test: say which, so that it can be removed by hand.
fn log_left_behind(name: &str, sandbox: &SandboxHandle, err: &Error) {
    tracing::error!(
        sandbox_id = %sandbox.id(),
        sandbox_name = name,
        "the temporary sandbox of a failed test could not be deleted: {err}"
    );
}
