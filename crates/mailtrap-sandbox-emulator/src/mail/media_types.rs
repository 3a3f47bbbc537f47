//! A small table of common file extensions and their media types, used to guess an
//! attachment's type from its file name (compose) and to name an unnamed part (parse).
//! Anything not listed is `application/octet-stream` / `.bin`.

/// (extension, media type); the first entry for a media type is its preferred extension.
const TABLE: &[(&str, &str)] = &[
    ("txt", "text/plain"),
    ("text", "text/plain"),
    ("log", "text/plain"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("ics", "text/calendar"),
    ("md", "text/markdown"),
    ("xml", "application/xml"),
    ("json", "application/json"),
    ("js", "text/javascript"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("tar", "application/x-tar"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("rtf", "application/rtf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("svg", "image/svg+xml"),
    ("bmp", "image/bmp"),
    ("ico", "image/vnd.microsoft.icon"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("ogg", "audio/ogg"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("mov", "video/quicktime"),
    ("eml", "message/rfc822"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("bin", "application/octet-stream"),
];

/// The media type a file name suggests, `application/octet-stream` when unknown.
pub(crate) fn guess_from_filename(filename: &str) -> &'static str {
    filename
        .rsplit_once('.')
        .and_then(|(_, extension)| {
            TABLE
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(extension))
        })
        .map_or("application/octet-stream", |(_, media_type)| media_type)
}

/// The preferred extension for a media type, when listed.
pub(crate) fn extension_for(media_type: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .find(|(_, known)| known.eq_ignore_ascii_case(media_type))
        .map(|(extension, _)| *extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_by_extension_case_insensitively() {
        assert_eq!(guess_from_filename("report.PDF"), "application/pdf");
        assert_eq!(guess_from_filename("a.b.png"), "image/png");
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
    fn preferred_extension() {
        assert_eq!(extension_for("image/jpeg"), Some("jpg"));
        assert_eq!(extension_for("TEXT/PLAIN"), Some("txt"));
        assert_eq!(extension_for("application/x-unknown"), None);
    }
}
