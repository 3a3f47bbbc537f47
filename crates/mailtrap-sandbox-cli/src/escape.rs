//! Terminal-safe text. Subjects, names, addresses, file names and error bodies come from
//! email senders and servers: an escape sequence in them could retitle, clear or rewrite the
//! user's terminal, and a line break could forge a line of output. Human output shows such
//! characters escaped (`\u{1b}`, `\n`); `--json` stays exact (JSON escapes them itself).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal as it is: C0 and C1 controls, DEL, and the
/// invisible formatting characters that reorder or hide text (bidirectional overrides and
/// isolates, zero-width characters, the byte order mark).
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
        )
}

/// Appends `c` escaped: `\n`, `\r`, `\t`, or `\u{1b}`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        other => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
        }
    }
}

/// One value from a mail or a server, on one line: every unsafe character escaped, line
/// breaks included.
pub(crate) fn inert(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// Text made of lines (a whole rendering): unsafe characters escaped, line breaks kept.
pub(crate) fn inert_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && is_unsafe(c))
}

/// A body shown on a terminal: line breaks and tabs kept (`\r\n` read as a line break),
/// every other unsafe character escaped.
pub(crate) fn inert_body(text: &str) -> Cow<'_, str> {
    let text: Cow<'_, str> = if text.contains("\r\n") {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    };
    match escape_where(&text, |c| c != '\n' && c != '\t' && is_unsafe(c)) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => Cow::Owned(escaped),
    }
}

fn escape_where(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Decodes a byte stream (a body written to a terminal chunk by chunk) as UTF-8 without
/// splitting a character between chunks; invalid bytes become `U+FFFD`.
#[derive(Debug, Default)]
pub(crate) struct Utf8Chunks {
    pending: Vec<u8>,
}

impl Utf8Chunks {
    /// The text of `chunk` (with what was left over from the previous one); an incomplete
    /// character at the end waits for the next chunk.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> String {
        self.pending.extend_from_slice(chunk);
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // An incomplete sequence at the very end: keep it for the next chunk.
            Err(err) if err.error_len().is_none() => err.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let rest = self.pending.split_off(complete);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        text
    }

    /// What is left at the end of the stream.
    pub(crate) fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_run() {
        let hostile = "Hi\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nFake: line\u{202e}txt.exe\u{9b}";
        assert_eq!(
            inert(hostile),
            "Hi\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\r\\nFake: line\\u{202e}txt.exe\\u{9b}"
        );
        assert_eq!(inert_lines("a\u{1b}[1m\nb\tc"), "a\\u{1b}[1m\nb\\tc");
        assert_eq!(inert_body("a\r\nb\tc\u{7}\r"), "a\nb\tc\\u{7}\\r");
        assert!(matches!(inert("Plain é ü 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn characters_split_between_chunks_are_kept_whole() {
        let bytes = "né\u{1b}日".as_bytes();
        let mut chunks = Utf8Chunks::default();
        let mut text = String::new();
        for byte in bytes {
            text.push_str(&chunks.push(std::slice::from_ref(byte)));
        }
        text.push_str(&chunks.finish());
        assert_eq!(text, "né\u{1b}日");
        assert_eq!(Utf8Chunks::default().push(b"a\xffb"), "a\u{fffd}b");
    }
}
