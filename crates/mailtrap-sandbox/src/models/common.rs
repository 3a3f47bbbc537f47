//! Pieces shared by the models: conversion helpers, open string enums, secrets, permissions.

use std::fmt;

use serde::Serialize;

/// Why a generated value could not become a model: where, and what was wrong.
#[derive(Debug)]
pub(crate) struct Invalid {
    pub(crate) path: String,
    pub(crate) reason: String,
}

impl Invalid {
    pub(crate) fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// Prefixes the path (`[3]` + `.id` → `[3].id`).
    pub(crate) fn within(mut self, prefix: &str) -> Self {
        self.path = if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}

/// The result of a conversion from the generated layer.
pub(crate) type Conv<T> = Result<T, Invalid>;

/// Converts every item of a list, naming the failing index.
pub(crate) fn convert_list<A, B>(items: Vec<A>, convert: fn(A) -> Conv<B>) -> Conv<Vec<B>> {
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| convert(item).map_err(|err| err.within(&format!("[{index}]"))))
        .collect()
}

/// A required id: present and not negative.
pub(crate) fn required_id<I: From<u64>>(raw: Option<i64>, field: &str) -> Conv<I> {
    match raw {
        Some(raw) => crate::ids::from_api(raw)
            .ok_or_else(|| Invalid::new(field, format!("expected a non-negative id, got {raw}"))),
        None => Err(Invalid::new(field, "missing field")),
    }
}

/// An optional id; negative values count as absent.
pub(crate) fn optional_id<I: From<u64>>(raw: Option<i64>) -> Option<I> {
    raw.and_then(crate::ids::from_api)
}

/// A count or size; absent or negative values become 0.
pub(crate) fn count(raw: Option<i64>) -> u64 {
    raw.and_then(|value| u64::try_from(value).ok()).unwrap_or(0)
}

/// `None` for absent, empty or blank strings.
pub(crate) fn non_empty(raw: Option<String>) -> Option<String> {
    // Runs for several fields of every message: settle the usual case (an ASCII letter or
    // digit first) from one byte, and trim only what starts with a space or non-ASCII.
    raw.filter(|value| match value.as_bytes().first() {
        None => false,
        Some(byte) if byte.is_ascii_graphic() => true,
        Some(_) => !value.trim().is_empty(),
    })
}

/// Declares an enum over an open set of strings, with an `Other(String)` case for values
/// this version does not know.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, as the API sent it.
            Other(String),
        }

        impl $name {
            /// The value as the API spells it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $text $(| $alias)* => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Other(_) => Self::Other(value),
                    known => known,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}
pub(crate) use open_enum;

/// A secret value (an SMTP password, a new API token): `Debug` shows `[redacted]`, so it
/// never lands in a log by accident. Read it with [`Secret::expose`]; serializing writes the
/// real value (that is an explicit request for it).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself (`Debug` shows `[redacted]`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral().start().await?;
    /// # let client = mailtrap_sandbox::Client::builder().api_token(emulator.api_token()).base_url(emulator.base_url()).build()?;
    /// let created = client.api_tokens().create("CI").send().await?;
    /// assert!(!format!("{:?}", created.value).contains(created.value.expose()));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// What the API token may do with a resource (project, sandbox, account access).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Permissions {
    /// May read it.
    pub can_read: bool,
    /// May change it.
    pub can_update: bool,
    /// May delete it.
    pub can_destroy: bool,
    /// May leave it (give up its own access).
    pub can_leave: bool,
}

impl Permissions {
    pub(crate) fn new(
        can_read: Option<bool>,
        can_update: Option<bool>,
        can_destroy: Option<bool>,
        can_leave: Option<bool>,
    ) -> Self {
        Self {
            can_read: can_read.unwrap_or(false),
            can_update: can_update.unwrap_or(false),
            can_destroy: can_destroy.unwrap_or(false),
            can_leave: can_leave.unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::non_empty;

    #[test]
    fn non_empty_drops_absent_empty_and_blank_strings_only() {
        for blank in ["", " ", "\t\r\n", "\u{a0}", " \u{2003} "] {
            assert_eq!(non_empty(Some(blank.to_owned())), None, "{blank:?}");
        }
        assert_eq!(non_empty(None), None);
        for visible in ["ada", " ada", "\tx", "Ünal", "\u{a0}é", "-", "0"] {
            assert_eq!(
                non_empty(Some(visible.to_owned())).as_deref(),
                Some(visible),
                "{visible:?}"
            );
        }
    }
}
