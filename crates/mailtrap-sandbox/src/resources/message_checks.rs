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
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn links(&self) -> Result<Vec<String>> {
        Ok(self.eml().await?.links())
    }

    /// The first link containing `needle` (`"/reset"`, `"token="`), if any.
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
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn one_time_code(&self) -> Result<Option<String>> {
        Ok(self.eml().await?.one_time_code())
    }

    /// The one-time code found by `finder`.
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
    /// # Errors
    ///
    /// Any [`Error`] of reading the message ([`eml`](Self::eml)).
    pub async fn placeholders(&self) -> Result<Vec<Placeholder>> {
        Ok(self.eml().await?.placeholders())
    }

    /// `Ok(())` when the subject and bodies hold no unrendered placeholder.
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
