//! Up to 500 emails sharing a base, sent in one request.

use std::collections::HashSet;
use std::fmt::Write as _;

use mailtrap_sandbox_api::sending::types as api;

use super::{Email, InvalidEmail, Mode, api_address, api_attachment};

/// Most emails in one batch.
pub const MAX_BATCH_EMAILS: usize = 500;
/// Largest batch request, in bytes of JSON.
pub const MAX_BATCH_BYTES: usize = 50 * 1000 * 1000;

/// A batch for [`SandboxHandle::send_batch`](crate::resources::SandboxHandle::send_batch):
/// a base (sender, subject, bodies, attachments, headers, category... but no recipients) and
/// up to 500 emails, each with its own recipients, overriding whichever base fields it sets.
///
/// Each email is checked as it will be sent (merged with the base) by the rules of
/// [`Email`]; problems name their place, `requests[3].'to' address is invalid: "..."`.
///
/// ```
/// use mailtrap_sandbox::email::{Email, EmailBatch};
///
/// let batch = EmailBatch::new(
///     Email::new()
///         .from("Example App <no-reply@app.example.com>")
///         .subject("Your weekly digest")
///         .text("Here is what happened this week."),
/// )
/// .email(Email::new().to("ana@example.com"))
/// .email(Email::new().to("ben@example.com").subject("Your first digest"));
/// let json = batch.to_json().unwrap();
/// assert_eq!(json["requests"].as_array().map(Vec::len), Some(2));
/// assert_eq!(json["requests"][1]["subject"], "Your first digest");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "an EmailBatch does nothing until it is sent with SandboxHandle::send_batch"]
pub struct EmailBatch {
    base: Email,
    requests: Vec<Email>,
}

impl EmailBatch {
    /// A batch whose emails inherit the fields set on `base` (which must not have recipients).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    ///
    /// let base = Email::new().from("robot@shop.example").subject("Your digest").text("News");
    /// let batch = EmailBatch::new(base).email(Email::new().to("ana@example.com"));
    /// assert_eq!(batch.to_json()?["base"]["subject"], "Your digest");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(base: Email) -> Self {
        Self {
            base,
            requests: Vec::new(),
        }
    }

    /// Adds an email (its recipients, and any field that overrides the base).
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    ///
    /// # let base = Email::new().from("robot@shop.example").subject("Your digest").text("News");
    /// let batch = EmailBatch::new(base)
    ///     .email(Email::new().to("ana@example.com"))
    ///     .email(Email::new().to("ben@example.com").subject("Your first digest"));
    /// assert_eq!(batch.to_json()?["requests"][1]["subject"], "Your first digest");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn email(mut self, email: Email) -> Self {
        self.requests.push(email);
        self
    }

    /// Adds several emails.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    ///
    /// # let base = Email::new().from("robot@shop.example").subject("Your digest").text("News");
    /// let subscribers = ["ana@example.com", "ben@example.com", "eva@example.com"];
    /// let batch = EmailBatch::new(base).emails(subscribers.map(|to| Email::new().to(to)));
    /// assert_eq!(batch.len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn emails(mut self, emails: impl IntoIterator<Item = Email>) -> Self {
        self.requests.extend(emails);
        self
    }

    /// How many emails the batch holds.
    ///
    /// ```
    /// # use mailtrap_sandbox::{Email, EmailBatch};
    /// # let base = Email::new().from("robot@shop.example").subject("Your digest").text("News");
    /// let batch = EmailBatch::new(base).email(Email::new().to("ana@example.com"));
    /// assert_eq!(batch.len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.requests.len()
    }

    /// Whether the batch holds no email.
    ///
    /// ```
    /// # use mailtrap_sandbox::{Email, EmailBatch};
    /// # let base = Email::new().from("robot@shop.example").subject("Your digest").text("News");
    /// let batch = EmailBatch::new(base);
    /// assert!(batch.is_empty());
    /// assert!(batch.validate().is_err()); // a batch needs at least one email
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Checks the base and every email without sending anything.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    ///
    /// let base = Email::new().from("robot@shop.example").subject("Your digest").text("News");
    /// let batch = EmailBatch::new(base)
    ///     .email(Email::new().to("ana@example.com"))
    ///     .email(Email::new().to("not an address"));
    /// let problems = batch.validate().unwrap_err().to_string();
    /// assert!(problems.contains("requests[1]"), "{problems}"); // which email, and what is wrong
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidEmail`] listing every problem found.
    pub fn validate(&self) -> Result<(), InvalidEmail> {
        self.to_request().map(|_| ())
    }

    /// Validates the batch and gives the JSON body the sending API receives: to look at,
    /// log or snapshot what would be sent.
    ///
    /// ```
    /// use mailtrap_sandbox::{Email, EmailBatch};
    ///
    /// let base = Email::new().from("robot@shop.example").subject("Your digest").text("News");
    /// let batch = EmailBatch::new(base).email(Email::new().to("ana@example.com"));
    /// let json = batch.to_json()?;
    /// assert_eq!(json["base"]["from"]["email"], "robot@shop.example");
    /// assert_eq!(json["requests"][0]["to"][0]["email"], "ana@example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidEmail`] listing every problem found.
    pub fn to_json(&self) -> Result<serde_json::Value, InvalidEmail> {
        super::as_json(&self.to_request()?)
    }

    /// Validates the batch and converts it into the sending API's request.
    pub(crate) fn to_request(&self) -> Result<api::BatchSendRequest, InvalidEmail> {
        let mut problems = Vec::new();
        if self.requests.is_empty() {
            problems
                .push("'requests' is empty: add at least one email with .email(...)".to_owned());
        } else if self.requests.len() > MAX_BATCH_EMAILS {
            problems.push(format!(
                "'requests' must not contain more than {MAX_BATCH_EMAILS} emails (got {}): split the batch",
                self.requests.len()
            ));
        }
        let mut base_problems = Vec::new();
        let base_attachments = self
            .base
            .check(&mut base_problems, "base.", Mode::BatchBase);
        // A problem of an inherited field is reported once, for the base.
        let inherited: HashSet<String> = base_problems
            .iter()
            .map(|p| p.replace("base.", ""))
            .collect();
        problems.append(&mut base_problems);
        let mut items = Vec::with_capacity(self.requests.len());
        for (index, email) in self.requests.iter().enumerate() {
            let merged = merge(&self.base, email);
            let mut prefix = String::new();
            let _ = write!(prefix, "requests[{index}].");
            let mut item_problems = Vec::new();
            let attachments = merged.check(&mut item_problems, &prefix, Mode::Single);
            problems.extend(
                item_problems
                    .into_iter()
                    .filter(|problem| !inherited.contains(&problem.replace(&prefix, ""))),
            );
            items.push(api::BatchItem {
                from: email.from.as_ref().map(api_address),
                to: email.to.iter().map(api_address).collect(),
                cc: email.cc.iter().map(api_address).collect(),
                bcc: email.bcc.iter().map(api_address).collect(),
                reply_to: email.reply_to.as_ref().map(api_address),
                subject: email.subject.clone(),
                text: email.text.clone(),
                html: email.html.clone(),
                attachments: attachments.iter().map(api_attachment).collect(),
                headers: email.headers.clone(),
                category: email.category.clone(),
                custom_variables: email.custom_variables.clone(),
                template_uuid: email
                    .template_uuid
                    .as_ref()
                    .map(|uuid| uuid.trim().to_owned()),
                template_variables: email.template_variables.clone(),
            });
        }
        if !problems.is_empty() {
            return Err(InvalidEmail { problems });
        }
        let base = &self.base;
        let request = api::BatchSendRequest {
            base: Some(api::BatchBase {
                from: base.from.as_ref().map(api_address),
                reply_to: base.reply_to.as_ref().map(api_address),
                subject: base.subject.clone(),
                text: base.text.clone(),
                html: base.html.clone(),
                attachments: base_attachments.iter().map(api_attachment).collect(),
                headers: base.headers.clone(),
                category: base.category.clone(),
                custom_variables: base.custom_variables.clone(),
                template_uuid: base
                    .template_uuid
                    .as_ref()
                    .map(|uuid| uuid.trim().to_owned()),
                template_variables: base.template_variables.clone(),
            }),
            requests: items,
        };
        let size = serde_json::to_vec(&request).map_or(0, |json| json.len());
        if size > MAX_BATCH_BYTES {
            return Err(InvalidEmail {
                problems: vec![format!(
                    "the batch is {size} bytes as JSON, more than the API's {MAX_BATCH_BYTES}: split it"
                )],
            });
        }
        Ok(request)
    }

    pub(crate) async fn preload_files(&mut self) {
        self.base.preload_files().await;
        for email in &mut self.requests {
            email.preload_files().await;
        }
    }
}

/// The email as the API will see it: the item's fields over the base's. The base's
/// attachments are checked once with the base, so only the item's are kept.
fn merge(base: &Email, item: &Email) -> Email {
    fn pick<T: Clone>(item: &Option<T>, base: &Option<T>) -> Option<T> {
        item.as_ref().or(base.as_ref()).cloned()
    }
    Email {
        from: pick(&item.from, &base.from),
        to: item.to.clone(),
        cc: item.cc.clone(),
        bcc: item.bcc.clone(),
        reply_to: pick(&item.reply_to, &base.reply_to),
        subject: pick(&item.subject, &base.subject),
        text: pick(&item.text, &base.text),
        html: pick(&item.html, &base.html),
        attachments: item.attachments.clone(),
        headers: if item.headers.is_empty() {
            base.headers.clone()
        } else {
            item.headers.clone()
        },
        category: pick(&item.category, &base.category),
        custom_variables: if item.custom_variables.is_empty() {
            base.custom_variables.clone()
        } else {
            item.custom_variables.clone()
        },
        template_uuid: pick(&item.template_uuid, &base.template_uuid),
        template_variables: if item.template_variables.is_empty() {
            base.template_variables.clone()
        } else {
            item.template_variables.clone()
        },
        deferred: item.deferred.clone(),
    }
}
