//! Facts derived from a parsed message for lists and search.

use super::model::{Digest, Person, StoredEnvelope};
use crate::mail::{Mailbox, ParsedMail};

fn person(mailbox: &Mailbox) -> Person {
    Person {
        email: mailbox.email.clone(),
        name: mailbox.name.clone(),
    }
}

/// Derives the list and search facts of a message.
pub(crate) fn digest(mail: &ParsedMail, envelope: &StoredEnvelope) -> Digest {
    let from = mail.from.as_ref().map(person).unwrap_or_else(|| Person {
        email: envelope.mail_from.clone(),
        name: String::new(),
    });
    let to = mail.to.first().map(person).unwrap_or_else(|| Person {
        email: envelope.rcpt_to.first().cloned().unwrap_or_default(),
        name: String::new(),
    });
    let mut haystack = String::new();
    let mut add = |s: &str| {
        if !s.is_empty() {
            haystack.push_str(&s.to_lowercase());
            haystack.push('\n');
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
    match (&mail.text, &mail.html) {
        (Some(text), _) => add(text),
        (None, Some(html)) => add(html),
        (None, None) => {}
    }
    Digest {
        subject: mail.subject.clone(),
        from,
        to,
        text_size: mail.text.as_ref().map_or(0, String::len),
        html_size: mail.html.as_ref().map_or(0, String::len),
        attachment_count: mail.attachments.len(),
        haystack,
    }
}
