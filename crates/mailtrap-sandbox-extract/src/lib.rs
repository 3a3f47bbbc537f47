//! Pull what a test asserts on out of an email: links, one-time codes, and template
//! placeholders that were left unrendered.
//!
//! Everything here is a pure function of strings, usable on any email. The `mailtrap-sandbox`
//! client re-exports this crate as `mailtrap_sandbox::extract` (its parsed `Eml` offers the
//! same as methods), and the emulator's web inbox shows what it finds.
//!
//! ```
//! use mailtrap_sandbox_extract as extract;
//!
//! let html = r#"<p>Hi Ana, <a href="https://app.example.test/reset?t=k7Q&amp;u=12">reset your
//!   password</a>. Your code is <b>904 117</b>.</p>"#;
//! let reset = extract::anchors_in_html(html)
//!     .into_iter()
//!     .find(|anchor| anchor.text.contains("reset"))
//!     .map(|anchor| anchor.href);
//! assert_eq!(reset.as_deref(), Some("https://app.example.test/reset?t=k7Q&u=12"));
//! assert_eq!(extract::one_time_code(&extract::html_to_text(html)).as_deref(), Some("904117"));
//! assert!(extract::check_placeholders(None, None, Some(html)).is_ok());
//! ```

#![warn(missing_docs)]

mod code;
mod html_text;
mod links;
mod placeholders;

pub use code::{CodeFinder, one_time_code};
pub use html_text::html_to_text;
pub use links::{Anchor, anchors_in_html, links_in_body, links_in_html, links_in_text};
pub use placeholders::{
    Field, Placeholder, PlaceholderStyle, UnrenderedPlaceholders, check_placeholders,
    placeholders_in, unrendered_placeholders,
};

/// The README's example, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
