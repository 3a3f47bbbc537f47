//! The local emulator, in-process (feature `emulator`): a server on 127.0.0.1 speaking the
//! same HTTP API as Mailtrap, plus SMTP, and a [`Client`] for it in one line.
//!
//! ```
//! use mailtrap_sandbox::emulator::EmulatorConfig;
//! use mailtrap_sandbox::{Client, Email, MessageFilter};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = EmulatorConfig::ephemeral().start().await?;
//! let client = Client::for_emulator(&emulator)?;
//! let sandbox = client.sandbox(emulator.sandbox().id);
//! sandbox
//!     .send(Email::new().from("app@example.com").to("ana@example.com").subject("Hi").text("Hi"))
//!     .await?;
//! let message = sandbox.wait_for(MessageFilter::new().subject("Hi")).send().await?;
//! assert_eq!(message.subject, "Hi");
//! # Ok(())
//! # }
//! ```

pub use mailtrap_sandbox_emulator::{EmulatorConfig, RunningEmulator, StartError};

use crate::{Client, Result};

impl Client {
    /// A client for a running in-process emulator: its base URL (management and sending)
    /// and its API token; waits poll every 20 ms.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = mailtrap_sandbox::emulator::EmulatorConfig::ephemeral().start().await?;
    /// let client = mailtrap_sandbox::Client::for_emulator(&emulator)?;
    /// assert_eq!(client.base_url(), emulator.base_url());
    /// assert_eq!(client.send_base_url(), emulator.base_url());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfiguration`](crate::Error::InvalidConfiguration) should the
    /// emulator's address not form a base URL.
    pub fn for_emulator(emulator: &RunningEmulator) -> Result<Client> {
        Client::builder()
            .api_token(emulator.api_token())
            .base_url(emulator.base_url())
            .build()
    }
}
