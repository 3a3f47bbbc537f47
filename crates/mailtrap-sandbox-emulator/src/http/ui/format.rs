//! How values read on a page: times, sizes, people, long text cut to a bound.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use crate::mail::Mailbox;

/// Text longer than this is cut on a page (the whole is a download away): a page must stay
/// usable with a 10 MB message.
pub(super) const SHOWN_TEXT_LIMIT: usize = 512 * 1024;

/// A time as `<time>`: UTC in the page, turned into local time by the script.
pub(super) fn time(at: &DateTime<Utc>) -> Markup {
    html! {
        time datetime=(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) {
            (at.format("%Y-%m-%d %H:%M UTC"))
        }
    }
}

/// `1.7 KB`, as the API writes sizes.
pub(super) fn size(bytes: usize) -> String {
    crate::http::views::human_size(bytes as u64)
}

/// `Name <address>`, or the address alone.
pub(super) fn person(name: &str, email: &str) -> String {
    match (name.trim(), email.trim()) {
        ("", "") => String::new(),
        ("", email) => email.to_owned(),
        (name, "") => name.to_owned(),
        (name, email) => format!("{name} <{email}>"),
    }
}

/// Mailboxes joined with commas.
pub(super) fn mailboxes(list: &[Mailbox]) -> String {
    list.iter()
        .map(|m| person(&m.name, &m.email))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first `SHOWN_TEXT_LIMIT` bytes of `text` (at a character boundary), and whether it
/// was cut.
pub(super) fn bounded(text: &str) -> (&str, bool) {
    if text.len() <= SHOWN_TEXT_LIMIT {
        return (text, false);
    }
    let mut end = SHOWN_TEXT_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text.get(..end).unwrap_or_default(), true)
}

/// The note under a text that was cut.
pub(super) fn cut_note(cut: bool, download: &str) -> Markup {
    html! {
        @if cut {
            p.note {
                "Only the first " (size(SHOWN_TEXT_LIMIT)) " are shown. "
                a href=(download) { "Download the message" } " for the rest."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_read_naturally() {
        assert_eq!(person("Ana", "ana@example.com"), "Ana <ana@example.com>");
        assert_eq!(person(" ", "ana@example.com"), "ana@example.com");
        assert_eq!(person("", ""), "");
    }

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        let text = "é".repeat(SHOWN_TEXT_LIMIT);
        let (shown, cut) = bounded(&text);
        assert!(cut);
        assert!(shown.len() <= SHOWN_TEXT_LIMIT && shown.len() >= SHOWN_TEXT_LIMIT - 1);
        assert_eq!(bounded("short"), ("short", false));
    }
}
