//! Media types and file extensions, from `mime_guess`'s table: an attachment's type guessed
//! from its file name (compose), and an extension to name a part that has no file name (parse).

/// The media type a file name suggests, `application/octet-stream` when unknown.
pub(crate) fn guess_from_filename(filename: &str) -> &'static str {
    mime_guess::from_path(filename)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

/// An extension for a media type, when one is known: `txt`, `jpg` and `bin` for the types whose
/// usual extension is not the one below, otherwise the one named like its subtype
/// (`application/pdf` → `pdf`), otherwise the first one listed.
pub(crate) fn extension_for(media_type: &str) -> Option<&'static str> {
    let media_type = media_type.to_ascii_lowercase();
    match media_type.as_str() {
        "text/plain" => return Some("txt"),
        "image/jpeg" => return Some("jpg"),
        "application/octet-stream" => return Some("bin"),
        _ => {}
    }
    let extensions = mime_guess::get_mime_extensions_str(&media_type)?;
    let subtype = media_type
        .split_once('/')
        .map_or("", |(_, subtype)| subtype);
    extensions
        .iter()
        .find(|extension| **extension == subtype)
        .or_else(|| extensions.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_by_extension_case_insensitively() {
        assert_eq!(guess_from_filename("report.PDF"), "application/pdf");
        assert_eq!(guess_from_filename("a.b.png"), "image/png");
        assert_eq!(guess_from_filename("invite.ics"), "text/calendar");
        assert_eq!(
            guess_from_filename("noextension"),
            "application/octet-stream"
        );
        assert_eq!(
            guess_from_filename("x.unknownext"),
            "application/octet-stream"
        );
    }

    #[test]
    fn an_extension_for_a_media_type() {
        assert_eq!(extension_for("image/jpeg"), Some("jpg"));
        assert_eq!(extension_for("image/png"), Some("png"));
        assert_eq!(extension_for("TEXT/PLAIN"), Some("txt"));
        assert_eq!(extension_for("application/pdf"), Some("pdf"));
        assert_eq!(extension_for("text/html"), Some("html"));
        assert_eq!(extension_for("message/rfc822"), Some("eml"));
        assert_eq!(extension_for("application/octet-stream"), Some("bin"));
        assert_eq!(extension_for("application/x-unknown"), None);
    }
}
