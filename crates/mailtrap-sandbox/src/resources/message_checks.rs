//! What a test asserts on a message, straight from its handle: every recipient, the links,
//! the one-time code, unrendered placeholders. No `.eml` knowledge needed: each method reads
//! what it needs (the parsed message, or the headers and the SMTP envelope) and answers.

use crate::error::{Error, Result};
use crate::extract::{CodeFinder, Placeholder};
use crate::models::Recipients;
use crate::resources::MessageHandle;

impl MessageHandle {
    /// Every `To`, `Cc` and `Bcc` address, as lists (see [`Recipients`]): from the message's
    /// headers and, for mail sent over SMTP, its envelope (a Bcc recipient is named by no
    /// header). Two requests, made together: the headers and the message's metadata.
    ///
    /// ```
    /// use mailtrap_sandbox::Email;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let email = Email::new().from("robot@shop.example").subject("Order 42").text("Shipped");
    /// let email = email.to("ana@example.com").cc("bo@example.com").bcc("audit@example.com");
    /// let sent = sandbox.send(email).await?;
    /// let recipients = sandbox.message(sent.sandbox_message_ids()[0]).recipients().await?;
    /// assert_eq!(recipients.to_emails(), ["ana@example.com"]);
    /// assert_eq!(recipients.cc_emails(), ["bo@example.com"]);
    /// assert_eq!(recipients.bcc_emails(), ["audit@example.com"]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`]; [`Error::is_not_found`] when the message does not exist.
    pub async fn recipients(&self) -> Result<Recipients> {
        let (message, headers) = futures_util::future::try_join(self.get(), self.headers()).await?;
        let envelope = message
            .smtp_information
            .and_then(|info| info.envelope)
            .map(|envelope| envelope.rcpt_to)
            .unwrap_or_default();
        Ok(Recipients::from_parts(&headers, &envelope))
    }

    /// Every link of the message: those of the HTML body, then the URLs of the text body,
    /// without duplicates (see [`Eml::links`](crate::Eml::links)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let html = "<p>Hello Ana, <a href=\"https://shop.example/c?t=1\">Confirm</a></p>";
    /// # let sent = sandbox.send(email.subject("Welcome").html(html)).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// // The HTML says <a href="https://shop.example/c?t=1">Confirm</a>.
    /// assert_eq!(message.links().await?, ["https://shop.example/c?t=1"]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn links(&self) -> Result<Vec<String>> {
        Ok(self.eml().await?.links())
    }

    /// The first link containing `needle` (`"/reset"`, `"token="`), if any.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// // The text says "Hello Ana, https://shop.example/c?t=1".
    /// let confirm = message.link_containing("/c?t=").await?;
    /// assert_eq!(confirm.as_deref(), Some("https://shop.example/c?t=1"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn link_containing(&self, needle: &str) -> Result<Option<String>> {
        Ok(self.eml().await?.link_containing(needle))
    }

    /// The one-time code, found by the default [`CodeFinder`] in the text body, then in the
    /// HTML body's text (see [`Eml::one_time_code`](crate::Eml::one_time_code)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Sign in").text("Order 20251. Your code is 482 913.")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// // The text says "Order 20251. Your code is 482 913."
    /// assert_eq!(message.one_time_code().await?.as_deref(), Some("482913"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn one_time_code(&self) -> Result<Option<String>> {
        Ok(self.eml().await?.one_time_code())
    }

    /// The one-time code found by `finder`.
    ///
    /// ```
    /// use mailtrap_sandbox::CodeFinder;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Entrar").text("Seu código: 42")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// // The text says "Seu código: 42".
    /// let finder = CodeFinder::new().length(2..=6).keyword("código");
    /// assert_eq!(message.one_time_code_with(&finder).await?.as_deref(), Some("42"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn one_time_code_with(&self, finder: &CodeFinder) -> Result<Option<String>> {
        Ok(self.eml().await?.one_time_code_with(finder))
    }

    /// Unrendered template placeholders (`{{name}}`, `%name%`...) in the subject, text and
    /// HTML.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome, {{name}}").text("Hello")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// // The subject is "Welcome, {{name}}": the template was not rendered.
    /// let found = message.placeholders().await?;
    /// assert_eq!(found[0].name, "name");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn placeholders(&self) -> Result<Vec<Placeholder>> {
        Ok(self.eml().await?.placeholders())
    }

    /// `Ok(())` when the subject and bodies hold no unrendered placeholder.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Welcome").text("Hello Ana, https://shop.example/c?t=1")).await?;
    /// # let message = sandbox.message(sent.sandbox_message_ids()[0]);
    /// message.check_placeholders().await?; // "Welcome" / "Hello Ana, ...": rendered
    /// # let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// # let sent = sandbox.send(email.subject("Hi").text("Hello {{name}}")).await?;
    /// # let unrendered = sandbox.message(sent.sandbox_message_ids()[0]);
    /// let outcome = unrendered.check_placeholders().await; // "Hello {{name}}"
    /// assert!(outcome.is_err_and(|err| err.to_string().contains("{{name}}")));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Placeholders`] listing each one and where it is; otherwise any [`Error`] of
    /// reading the message ([`eml`](Self::eml)).
    pub async fn check_placeholders(&self) -> Result<()> {
        self.eml()
            .await?
            .check_placeholders()
            .map_err(|found| Error::Placeholders(Box::new(found)))
    }
}
