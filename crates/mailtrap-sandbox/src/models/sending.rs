//! Outcomes of sending email into a sandbox.

use mailtrap_sandbox_api::sending::types as api;
use serde::Serialize;

use crate::ids::MessageId;

/// The outcome of sending one email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SendOutcome {
    /// Whether it was accepted (assumed when the API does not say).
    pub success: bool,
    /// Ids of the stored messages as the API sent them (decimal strings in a sandbox); may
    /// be empty, the API does not always send them.
    pub message_ids: Vec<String>,
}

impl SendOutcome {
    /// The stored messages' ids as sandbox message ids (those that are numbers).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let email = mailtrap_sandbox::Email::new().from("robot@shop.example").to("ana@example.com");
    /// let sent = sandbox.send(email.subject("Welcome").text("Hello")).await?;
    /// let id = sent.sandbox_message_ids()[0];
    /// assert_eq!(sandbox.message(id).get().await?.subject, "Welcome");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn sandbox_message_ids(&self) -> Vec<MessageId> {
        parse_ids(&self.message_ids)
    }

    pub(crate) fn from_api(raw: api::SendResponse) -> Self {
        Self {
            success: raw.success.unwrap_or(true),
            message_ids: raw.message_ids,
        }
    }
}

/// The outcome of a batch: the API answers 200 even when some emails were refused; each has
/// its own outcome in [`responses`](BatchOutcome::responses), in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BatchOutcome {
    /// Whether the batch as a whole was accepted.
    pub success: bool,
    /// One outcome per email, in order.
    pub responses: Vec<BatchItemOutcome>,
    /// Problems with the batch as a whole.
    pub errors: Vec<String>,
}

impl BatchOutcome {
    /// Whether the batch and every email in it were accepted.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let base = Email::new().from("robot@shop.example").subject("Digest").text("News");
    /// let batch = EmailBatch::new(base).email(Email::new().to("ana@example.com"));
    /// assert!(sandbox.send_batch(batch).await?.all_succeeded()); // else send_batch errs
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn all_succeeded(&self) -> bool {
        self.success && self.errors.is_empty() && self.responses.iter().all(|item| item.success)
    }

    /// The emails that were refused, with their position in the batch.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch, Error};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let base = Email::new().from("robot@shop.example").subject("Digest").text("News");
    /// let batch = EmailBatch::new(base).email(Email::new().to("ana@example.com"));
    /// match sandbox.send_batch(batch).await {
    ///     Ok(outcome) => assert_eq!(outcome.failures().count(), 0),
    ///     Err(Error::Batch(refused)) => {
    ///         for (index, item) in refused.outcome().failures() {
    ///             println!("email {index}: {:?}", item.errors);
    ///         }
    ///     }
    ///     Err(other) => return Err(other.into()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn failures(&self) -> impl Iterator<Item = (usize, &BatchItemOutcome)> {
        self.responses
            .iter()
            .enumerate()
            .filter(|(_, item)| !item.success)
    }

    pub(crate) fn from_api(raw: api::BatchSendResponse) -> Self {
        Self {
            success: raw.success.unwrap_or(true),
            responses: raw
                .responses
                .into_iter()
                .map(|item| BatchItemOutcome {
                    success: item.success.unwrap_or(item.errors.is_empty()),
                    message_ids: item.message_ids,
                    errors: item.errors,
                })
                .collect(),
            errors: raw.errors,
        }
    }
}

/// The outcome of one email of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BatchItemOutcome {
    /// Whether this email was accepted.
    pub success: bool,
    /// Ids of its stored messages, when accepted.
    pub message_ids: Vec<String>,
    /// Why it was refused, when it was.
    pub errors: Vec<String>,
}

impl BatchItemOutcome {
    /// The stored messages' ids as sandbox message ids (those that are numbers).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let base = Email::new().from("robot@shop.example").subject("Digest").text("News");
    /// let batch = EmailBatch::new(base).email(Email::new().to("ana@example.com"));
    /// let outcome = sandbox.send_batch(batch).await?;
    /// let id = outcome.responses[0].sandbox_message_ids()[0];
    /// assert_eq!(sandbox.message(id).get().await?.subject, "Digest");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn sandbox_message_ids(&self) -> Vec<MessageId> {
        parse_ids(&self.message_ids)
    }
}

fn parse_ids(ids: &[String]) -> Vec<MessageId> {
    ids.iter().filter_map(|id| id.parse().ok()).collect()
}

/// A batch that the API did not accept whole: [`send_batch`] returns it (inside
/// [`Error::Batch`](crate::Error::Batch)) when the batch was refused or any email in it was.
/// The emails that were sent keep their ids in [`outcome`](Self::outcome).
///
/// [`send_batch`]: crate::resources::SandboxHandle::send_batch
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    outcome: BatchOutcome,
}

impl BatchError {
    pub(crate) fn new(outcome: BatchOutcome) -> Self {
        Self { outcome }
    }

    /// The whole answer: one outcome per email, in request order.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch, Error};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut config = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral();
    /// # config.sandbox_limits.max_message_size = 4_000; // bytes: the second email is bigger
    /// # let emulator = config.start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let base = Email::new().from("robot@shop.example").subject("Digest");
    /// let batch = EmailBatch::new(base)
    ///     .email(Email::new().to("ana@example.com").text("Short news"))
    ///     .email(Email::new().to("ben@example.com").text("x".repeat(10_000))); // too large
    /// let Err(Error::Batch(refused)) = sandbox.send_batch(batch).await else {
    ///     return Err("the second email should have been refused".into());
    /// };
    /// let outcome = refused.outcome();
    /// assert!(outcome.responses[0].success && !outcome.responses[1].success);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn outcome(&self) -> &BatchOutcome {
        &self.outcome
    }

    /// The refused emails, with their position in the batch (from 0).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch, Error};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut config = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral();
    /// # config.sandbox_limits.max_message_size = 4_000; // bytes: the second email is bigger
    /// # let emulator = config.start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let base = Email::new().from("robot@shop.example").subject("Digest");
    /// let batch = EmailBatch::new(base)
    ///     .email(Email::new().to("ana@example.com").text("Short news"))
    ///     .email(Email::new().to("ben@example.com").text("x".repeat(10_000))); // too large
    /// let Err(Error::Batch(refused)) = sandbox.send_batch(batch).await else {
    ///     return Err("the second email should have been refused".into());
    /// };
    /// for (index, item) in refused.failures() {
    ///     println!("email {index} refused: {}", item.errors.join("; "));
    /// }
    /// # assert_eq!(refused.failures().map(|(index, _)| index).collect::<Vec<_>>(), [1]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn failures(&self) -> impl Iterator<Item = (usize, &BatchItemOutcome)> {
        self.outcome.failures()
    }

    /// The ids of the messages stored for the emails that were accepted.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch, Error};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut config = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral();
    /// # config.sandbox_limits.max_message_size = 4_000; // bytes: the second email is bigger
    /// # let emulator = config.start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// # let sandbox = client.sandbox(emulator.sandbox().id);
    /// let base = Email::new().from("robot@shop.example").subject("Digest");
    /// let batch = EmailBatch::new(base)
    ///     .email(Email::new().to("ana@example.com").text("Short news"))
    ///     .email(Email::new().to("ben@example.com").text("x".repeat(10_000))); // too large
    /// let Err(Error::Batch(refused)) = sandbox.send_batch(batch).await else {
    ///     return Err("the second email should have been refused".into());
    /// };
    /// let sent = refused.sent_message_ids(); // the first email was stored all the same
    /// assert_eq!(sandbox.message(sent[0]).get().await?.to_email, "ana@example.com");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn sent_message_ids(&self) -> Vec<MessageId> {
        self.outcome
            .responses
            .iter()
            .filter(|item| item.success)
            .flat_map(BatchItemOutcome::sandbox_message_ids)
            .collect()
    }
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.outcome.responses.len();
        let failed: Vec<(usize, &BatchItemOutcome)> = self.failures().collect();
        if !self.outcome.success || failed.is_empty() {
            f.write_str("the API refused the batch")?;
            if !self.outcome.errors.is_empty() {
                write!(f, ": {}", self.outcome.errors.join("; "))?;
            }
        } else {
            write!(
                f,
                "{} of {total} emails of the batch were refused",
                failed.len()
            )?;
        }
        for (index, item) in failed.iter().take(10) {
            let why = if item.errors.is_empty() {
                "no reason given".to_owned()
            } else {
                item.errors.join("; ")
            };
            write!(f, "; email #{index}: {why}")?;
        }
        if failed.len() > 10 {
            write!(f, "; and {} more", failed.len() - 10)?;
        }
        let sent = total - failed.len();
        if self.outcome.success && sent > 0 {
            write!(
                f,
                ". The other {sent} were sent (their ids are in BatchError::outcome); send \
                 only the refused ones again"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for BatchError {}
