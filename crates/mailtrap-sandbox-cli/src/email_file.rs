//! Emails read from a JSON file in the sending API's own shape (`send --batch FILE.json`):
//! `{"base": {...}, "requests": [{...}, ...]}`, each email with `from`, `to`, `cc`, `bcc`,
//! `reply_to`, `subject`, `text`, `html`, `category`, `attachments` (base64 `content`),
//! `headers`, `custom_variables`, `template_uuid` and `template_variables`. Addresses are
//! `{"email": ..., "name": ...}` objects or plain strings (`"Ana <ana@example.com>"`).
//!
//! Unknown fields are refused (a misspelt `"subjet"` would otherwise send an email without
//! a subject); the SDK then checks every email by the API's rules before anything is sent.

use std::collections::BTreeMap;

use base64::Engine as _;
use mailtrap_sandbox::{Email, EmailAttachment, EmailBatch, Mailbox};
use serde::Deserialize;

/// A batch file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchFile {
    #[serde(default)]
    base: EmailJson,
    requests: Vec<EmailJson>,
}

/// One email, or the base of a batch.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailJson {
    from: Option<AddressJson>,
    #[serde(default)]
    to: Vec<AddressJson>,
    #[serde(default)]
    cc: Vec<AddressJson>,
    #[serde(default)]
    bcc: Vec<AddressJson>,
    reply_to: Option<AddressJson>,
    subject: Option<String>,
    text: Option<String>,
    html: Option<String>,
    category: Option<String>,
    #[serde(default)]
    attachments: Vec<AttachmentJson>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    custom_variables: BTreeMap<String, serde_json::Value>,
    template_uuid: Option<String>,
    template_variables: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `"ana@example.com"`, `"Ana <ana@example.com>"` or `{"email": ..., "name": ...}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AddressJson {
    Text(String),
    Object { email: String, name: Option<String> },
}

impl AddressJson {
    fn mailbox(self) -> Mailbox {
        match self {
            Self::Text(text) => Mailbox::parse(&text),
            Self::Object { email, name } => Mailbox::new(name, email),
        }
    }
}

/// An attachment: base64 content and a file name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentJson {
    content: String,
    filename: String,
    #[serde(rename = "type")]
    content_type: Option<String>,
    disposition: Option<String>,
    content_id: Option<String>,
}

/// Reads a batch from the text of a JSON file; the error says what is wrong and where.
pub(crate) fn parse_batch(json: &str) -> Result<EmailBatch, String> {
    let file: BatchFile = serde_json::from_str(json).map_err(|err| err.to_string())?;
    // Said here in the file's terms (the SDK's own words name its Rust methods).
    if file.requests.is_empty() {
        return Err("\"requests\" is empty: add at least one email".to_owned());
    }
    if let Some(index) = file
        .requests
        .iter()
        .position(|email| email.to.is_empty() && email.cc.is_empty() && email.bcc.is_empty())
    {
        return Err(format!(
            "requests[{index}] has no recipient: give it \"to\" (or \"cc\", \"bcc\")"
        ));
    }
    let base = file.base.into_email("base")?;
    let mut emails = Vec::with_capacity(file.requests.len());
    for (index, request) in file.requests.into_iter().enumerate() {
        emails.push(request.into_email(&format!("requests[{index}]"))?);
    }
    Ok(EmailBatch::new(base).emails(emails))
}

impl EmailJson {
    fn into_email(self, place: &str) -> Result<Email, String> {
        let mut email = Email::new();
        if let Some(from) = self.from {
            email = email.from(from.mailbox());
        }
        email = email
            .to_all(self.to.into_iter().map(AddressJson::mailbox))
            .cc_all(self.cc.into_iter().map(AddressJson::mailbox))
            .bcc_all(self.bcc.into_iter().map(AddressJson::mailbox));
        if let Some(reply_to) = self.reply_to {
            email = email.reply_to(reply_to.mailbox());
        }
        if let Some(subject) = self.subject {
            email = email.subject(subject);
        }
        if let Some(text) = self.text {
            email = email.text(text);
        }
        if let Some(html) = self.html {
            email = email.html(html);
        }
        if let Some(category) = self.category {
            email = email.category(category);
        }
        for (index, attachment) in self.attachments.into_iter().enumerate() {
            email =
                email.attach(attachment.into_attachment(&format!("{place}.attachments[{index}]"))?);
        }
        for (name, value) in self.headers {
            email = email.header(name, value);
        }
        for (name, value) in self.custom_variables {
            let value = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            email = email.custom_variable(name, value);
        }
        if let Some(uuid) = self.template_uuid {
            email = email.template(uuid);
        }
        if let Some(variables) = self.template_variables {
            email = email.template_variables(variables);
        }
        Ok(email)
    }
}

impl AttachmentJson {
    fn into_attachment(self, place: &str) -> Result<EmailAttachment, String> {
        let content = base64::engine::general_purpose::STANDARD
            .decode(self.content.trim())
            .map_err(|err| format!("{place}.content is not base64: {err}"))?;
        let mut attachment = EmailAttachment::from_bytes(self.filename, content);
        if let Some(content_type) = self.content_type {
            attachment = attachment.content_type(content_type);
        }
        match (self.disposition.as_deref(), self.content_id) {
            (Some("inline"), Some(content_id)) => attachment = attachment.inline(content_id),
            (Some("inline"), None) => {
                return Err(format!("{place}: an inline attachment needs a content_id"));
            }
            (None | Some("attachment"), _) => {}
            (Some(other), _) => {
                return Err(format!(
                    "{place}.disposition must be \"attachment\" or \"inline\", not {other:?}"
                ));
            }
        }
        Ok(attachment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_in_the_apis_shape_is_read() {
        let batch = parse_batch(
            r#"{
                "base": {"from": {"email": "app@example.test", "name": "App"},
                         "subject": "Hello", "text": "Hi",
                         "attachments": [{"content": "aGk=", "filename": "a.txt", "type": "text/plain"}]},
                "requests": [{"to": [{"email": "ana@example.test"}]},
                             {"to": ["Ben <ben@example.test>"], "subject": "Hello Ben"}]
            }"#,
        )
        .unwrap();
        assert_eq!(batch.len(), 2);
        assert!(batch.validate().is_ok(), "{:?}", batch.validate());
    }

    #[test]
    fn mistakes_are_named() {
        let err = parse_batch(r#"{"requests": [{"to": ["a@example.test"], "subjet": "x"}]}"#)
            .unwrap_err();
        assert!(err.contains("unknown field `subjet`"), "{err}");
        let err = parse_batch(
            r#"{"requests": [{"to": ["a@example.test"], "attachments": [{"content": "%%%", "filename": "a"}]}]}"#,
        )
        .unwrap_err();
        assert!(
            err.contains("requests[0].attachments[0].content is not base64"),
            "{err}"
        );
        assert!(parse_batch("[]").is_err());
        let err = parse_batch(r#"{"requests": []}"#).unwrap_err();
        assert!(err.contains("\"requests\" is empty"), "{err}");
        let err = parse_batch(r#"{"requests": [{"to": ["a@example.test"]}, {"subject": "x"}]}"#)
            .unwrap_err();
        assert!(err.contains("requests[1] has no recipient"), "{err}");
    }
}
