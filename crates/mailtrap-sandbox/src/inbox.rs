//! Per-test isolation: an address of its own for each test.
//!
//! `cargo test` runs tests in parallel, all sending into the same sandbox. Give each test its
//! own recipient with [`SandboxHandle::test_inbox`]: the application sends to
//! [`TestInbox::address`], and [`TestInbox::wait_for`] only matches mail to that address, so
//! mail of other tests (running now, or left by an earlier run) never matches. It works the
//! same against Mailtrap (a sandbox catches mail to any recipient) and against the emulator.
//!
//! ```
//! use mailtrap_sandbox::MessageFilter;
//!
//! # async fn sign_up(sandbox: &mailtrap_sandbox::resources::SandboxHandle, to: &str) -> mailtrap_sandbox::Result<()> {
//! #     let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to(to);
//! #     sandbox.send(email.subject("Confirm your address").text("Hi")).await.map(drop)
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
//! # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
//! # let sandbox = client.sandbox(emulator.sandbox().id);
//! let inbox = sandbox.test_inbox("sign-up");
//! sign_up(&sandbox, inbox.address()).await?; // your application, sending to sign-up.x7k2q9d4mf@example.com
//! let message = inbox.wait_for(MessageFilter::new().subject("Confirm")).send().await?;
//! assert_eq!(message.to_email, inbox.address());
//! # Ok(())
//! # }
//! ```

use crate::resources::SandboxHandle;
use crate::wait::{MessageFilter, WaitFor};

/// The domain of test addresses unless another is given: reserved for examples (RFC 2606),
/// so no real mailbox can receive the mail should it leave the sandbox.
pub const DEFAULT_TEST_DOMAIN: &str = "example.com";

/// A recipient address for one test, and waits that only match mail sent to it. Built by
/// [`SandboxHandle::test_inbox`].
#[derive(Debug, Clone)]
pub struct TestInbox {
    sandbox: SandboxHandle,
    address: String,
}

impl SandboxHandle {
    /// A fresh recipient address for one test, `{label}.{10 random characters}@example.com`
    /// (the label keeps `a-z`, `0-9`, `-` and `_`, up to 32 characters), and waits that only
    /// match mail sent to it. See the [`inbox`](crate::inbox) module.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let inbox = client.sandbox(1).test_inbox("Password reset");
    /// assert!(inbox.address().starts_with("password-reset."));
    /// assert!(inbox.address().ends_with("@example.com"));
    /// assert_ne!(inbox.address(), client.sandbox(1).test_inbox("Password reset").address());
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn test_inbox(&self, label: &str) -> TestInbox {
        self.test_inbox_at(label, DEFAULT_TEST_DOMAIN)
    }

    /// [`test_inbox`](Self::test_inbox) with another domain (one your application accepts).
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let inbox = client.sandbox(1).test_inbox_at("signup", "qa.example.org");
    /// assert!(inbox.address().ends_with("@qa.example.org"));
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn test_inbox_at(&self, label: &str, domain: &str) -> TestInbox {
        let mut local: String = label
            .trim()
            .chars()
            .map(|c| c.to_ascii_lowercase())
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(32)
            .collect();
        local = local.trim_matches('-').to_owned();
        if local.is_empty() {
            local = "test".to_owned();
        }
        let suffix = random_suffix();
        TestInbox {
            sandbox: self.clone(),
            address: format!("{local}.{suffix}@{}", domain.trim()),
        }
    }
}

impl TestInbox {
    /// The address to send to.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let inbox = client.sandbox(1).test_inbox("welcome");
    /// let to = inbox.address(); // welcome.3fk29dj1qz@example.com
    /// # assert!(to.contains('@'));
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The sandbox the mail lands in.
    ///
    /// ```
    /// # let client = mailtrap_sandbox::Client::builder().api_token("t").build()?;
    /// let inbox = client.sandbox(7).test_inbox("welcome");
    /// assert_eq!(inbox.sandbox().id().get(), 7);
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn sandbox(&self) -> &SandboxHandle {
        &self.sandbox
    }

    /// A wait for a message to this address that also matches `filter` (the
    /// [`to`](MessageFilter::to) condition is added).
    ///
    /// ```
    /// # use mailtrap_sandbox::MessageFilter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let inbox = sandbox.test_inbox("welcome");
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to(inbox.address());
    /// # sandbox.send(email.subject("Welcome").text("Hi")).await?;
    /// # let other = mailtrap_sandbox::Email::new().from("robot@shop.example").to("someone@example.com");
    /// # sandbox.send(other.subject("Welcome").text("Hi")).await?; // another test's mail
    /// let message = inbox.wait_for(MessageFilter::new().subject("Welcome")).send().await?;
    /// assert!(message.recipient_addresses().any(|to| to == inbox.address()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for(&self, filter: MessageFilter) -> WaitFor {
        self.sandbox.wait_for(filter.to(self.address.clone()))
    }
}

/// Ten random characters out of `a-z` and `0-9`: what makes a test's address, or sandbox
/// name, its own.
pub(crate) fn random_suffix() -> String {
    std::iter::repeat_with(|| {
        let n = fastrand::u8(0..36);
        char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
    })
    .take(10)
    .collect()
}
