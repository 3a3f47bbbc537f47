//! Facts derived from a parsed message for lists and search.
//!
//! `search` matches a message when its subject, addresses, names or text (the HTML when there
//! is no text) contain the search string, ignoring case (lowercased as [`str::to_lowercase`]
//! does): [`Searchable`] holds that text for both storages.

use super::model::{Digest, Person, StoredEnvelope};
use crate::mail::{Mailbox, ParsedMail};

fn person(mailbox: &Mailbox) -> Person {
    Person {
        email: mailbox.email.clone(),
        name: mailbox.name.clone(),
    }
}

/// What `search` looks in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Searchable {
    /// Subject, addresses and names (of the headers and the envelope), lowercased, one a line.
    pub(crate) head: String,
    /// The text body (or the HTML one when there is no text), as decoded: not lowercased.
    pub(crate) body: Option<String>,
}

impl Searchable {
    /// Everything lowercased in one string (what the data directory's index holds).
    #[cfg(feature = "persist")]
    pub(crate) fn lowercased(&self) -> String {
        match &self.body {
            Some(body) => format!("{}{}", self.head, body.to_lowercase()),
            None => self.head.clone(),
        }
    }
}

/// Derives the list and search facts of a message.
pub(crate) fn digest(mail: &ParsedMail, envelope: &StoredEnvelope) -> (Digest, Searchable) {
    let from = mail.from.as_ref().map(person).unwrap_or_else(|| Person {
        email: envelope.mail_from.clone(),
        name: String::new(),
    });
    let to = mail.to.first().map(person).unwrap_or_else(|| Person {
        email: envelope.rcpt_to.first().cloned().unwrap_or_default(),
        name: String::new(),
    });
    let mut head = String::new();
    let mut add = |s: &str| {
        if !s.is_empty() {
            head.push_str(&s.to_lowercase());
            head.push('\n');
        }
    };
    add(&mail.subject);
    for mailbox in mail
        .from
        .iter()
        .chain(&mail.to)
        .chain(&mail.cc)
        .chain(&mail.bcc)
        .chain(&mail.reply_to)
    {
        add(&mailbox.email);
        add(&mailbox.name);
    }
    add(&envelope.mail_from);
    for rcpt in &envelope.rcpt_to {
        add(rcpt);
    }
    let body = mail.text.clone().or_else(|| mail.html.clone());
    let digest = Digest {
        subject: mail.subject.clone(),
        from,
        to,
        text_size: mail.text.as_ref().map_or(0, String::len),
        html_size: mail.html.as_ref().map_or(0, String::len),
        attachment_count: mail.attachments.len(),
    };
    (digest, Searchable { head, body })
}

/// Whether lowercasing `text` as ASCII gives what [`str::to_lowercase`] gives (then the
/// in-memory storage can search the raw bytes instead of keeping a lowercased copy).
pub(crate) fn ascii_lowercase_is_enough(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii() || !c.is_uppercase() && c.to_lowercase().eq([c]))
}

/// Whether `text`, lowercased as ASCII, contains `needle` (already lowercased). `buffer` is
/// reused between calls (no allocation once grown).
pub(crate) fn contains_ascii_lowercased(text: &[u8], needle: &str, buffer: &mut Vec<u8>) -> bool {
    buffer.clear();
    buffer.extend_from_slice(text);
    buffer.make_ascii_lowercase();
    memchr::memmem::find(buffer, needle.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_lowercasing_is_used_only_where_it_equals_unicode_lowercasing() {
        let mut buffer = Vec::new();
        assert!(contains_ascii_lowercased(
            b"Your ORDER shipped",
            "order",
            &mut buffer
        ));
        assert!(!contains_ascii_lowercased(
            b"Your ORDER shipped",
            "orders",
            &mut buffer
        ));
        assert!(contains_ascii_lowercased(b"anything", "", &mut buffer));
        assert!(ascii_lowercase_is_enough("Plain ASCII, UPPER too"));
        assert!(ascii_lowercase_is_enough("café – “quoted” ✓"));
        assert!(!ascii_lowercase_is_enough("ÉCOLE"));
        assert!(!ascii_lowercase_is_enough("İ"));
    }
}
