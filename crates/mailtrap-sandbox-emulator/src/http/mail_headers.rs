//! `GET .../messages/{id}/mail_headers`: the top-level headers as lower snake_case keys with
//! string values. Address headers show each mailbox as Mailtrap does, `addr` or
//! `Name <addr>`, comma-separated, whatever the raw header looked like (`<addr>`, comments,
//! encoded words, folding); `bcc` adds the envelope recipients that no header names.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::AppState;
use super::errors::{ApiError, ok};
use super::extract::Ids;
use super::messages::entry;
use crate::mail::{self, Mailbox};

/// Characters that would make an unquoted display name ambiguous in a comma-separated list.
const NAME_SPECIALS: &[char] = &[',', ';', ':', '<', '>', '@', '"', '\\', '(', ')', '[', ']'];

/// `Content-Type` → `content_type`.
fn header_key(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// `addr`, or `Name <addr>` (the name quoted when it holds a character that would be ambiguous).
fn render_mailbox(mailbox: &Mailbox) -> String {
    let name = mailbox.name.trim();
    if name.is_empty() {
        mailbox.email.clone()
    } else if name.contains(NAME_SPECIALS) {
        let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\" <{}>", mailbox.email)
    } else {
        format!("{name} <{}>", mailbox.email)
    }
}

fn render_mailboxes<'a>(mailboxes: impl IntoIterator<Item = &'a Mailbox>) -> String {
    mailboxes
        .into_iter()
        .map(render_mailbox)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Bcc recipients: the header's mailboxes (rarely kept in a message), then the envelope
/// recipients that no header names.
pub(crate) fn bcc(parsed: &mail::ParsedMail, rcpt_to: &[String]) -> Vec<Mailbox> {
    let named: Vec<&str> = parsed
        .to
        .iter()
        .chain(&parsed.cc)
        .chain(&parsed.bcc)
        .map(|m| m.email.as_str())
        .collect();
    let mut bcc: Vec<Mailbox> = parsed.bcc.clone();
    for rcpt in rcpt_to {
        let known = named.iter().any(|email| email.eq_ignore_ascii_case(rcpt))
            || bcc.iter().any(|m| m.email.eq_ignore_ascii_case(rcpt));
        if !known {
            bcc.push(Mailbox {
                email: rcpt.clone(),
                name: String::new(),
            });
        }
    }
    bcc
}

pub(super) async fn mail_headers(
    State(app): State<AppState>,
    ids: Ids,
) -> Result<Response, ApiError> {
    let entry = entry(&app, ids)?;
    let parsed = mail::parse(&entry.raw);
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parsed.headers {
        headers
            .entry(header_key(name))
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(value);
            })
            .or_insert_with(|| value.clone());
    }
    // Address headers from their parsed mailboxes; a header without any mailbox (a group with
    // no member, say) keeps its text.
    for (key, mailboxes) in [
        ("from", &parsed.from_all),
        ("to", &parsed.to),
        ("cc", &parsed.cc),
        ("reply_to", &parsed.reply_to),
    ] {
        if !mailboxes.is_empty() {
            headers.insert(key.to_owned(), render_mailboxes(mailboxes));
        }
    }
    let bcc = bcc(&parsed, &entry.entry.data.meta.envelope.rcpt_to);
    if !bcc.is_empty() {
        headers.insert("bcc".to_owned(), render_mailboxes(&bcc));
    }
    Ok(ok(&json!({ "headers": headers })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(name: &str, email: &str) -> Mailbox {
        Mailbox {
            email: email.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn mailboxes_render_bare_or_with_their_name() {
        assert_eq!(
            render_mailbox(&mailbox("", "bob@example.com")),
            "bob@example.com"
        );
        assert_eq!(
            render_mailbox(&mailbox("Bob Smith", "bob@example.com")),
            "Bob Smith <bob@example.com>"
        );
        assert_eq!(
            render_mailbox(&mailbox("Smith, Bob", "bob@example.com")),
            "\"Smith, Bob\" <bob@example.com>"
        );
        assert_eq!(
            render_mailbox(&mailbox("The \"Boss\"", "boss@example.com")),
            "\"The \\\"Boss\\\"\" <boss@example.com>"
        );
        assert_eq!(
            render_mailboxes(&[mailbox("", "a@example.com"), mailbox("B", "b@example.com")]),
            "a@example.com, B <b@example.com>"
        );
    }
}
