//! Typed ids.
//!
//! Every id the API hands out is a 64-bit number (message ids already exceed 2^32). Each kind
//! has its own type so that a sandbox id cannot be passed where a message id is expected.
//! They convert from `u64`, parse from strings, print as plain numbers and serialize as
//! JSON numbers.
//!
//! ```
//! use mailtrap_sandbox::ids::{MessageId, SandboxId};
//!
//! let sandbox = SandboxId::from(4_288_340);
//! let message: MessageId = "5273448410".parse()?;
//! assert_eq!(message.get(), 5_273_448_410);
//! assert_eq!(sandbox.to_string(), "4288340");
//! # Ok::<(), mailtrap_sandbox::ids::ParseIdError>(())
//! ```

use std::fmt;
use std::num::ParseIntError;
use std::str::FromStr;

/// The error returned when a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {kind}: expected a non-negative whole number ({source})")]
pub struct ParseIdError {
    kind: &'static str,
    input: String,
    source: ParseIntError,
}

impl ParseIdError {
    /// The kind of id that was expected, `sandbox id` for instance.
    ///
    /// ```
    /// use mailtrap_sandbox::SandboxId;
    ///
    /// let err = "inbox-7".parse::<SandboxId>().unwrap_err();
    /// assert_eq!(err.kind(), "sandbox id");
    /// ```
    #[must_use]
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The text that could not be parsed.
    ///
    /// ```
    /// use mailtrap_sandbox::MessageId;
    ///
    /// let err = "-5".parse::<MessageId>().unwrap_err();
    /// assert_eq!(err.input(), "-5");
    /// ```
    #[must_use]
    pub fn input(&self) -> &str {
        &self.input
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(u64);

        impl $name {
            /// Wraps a raw id.
            #[must_use]
            pub const fn new(id: u64) -> Self {
                Self(id)
            }

            /// The raw id.
            #[must_use]
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<u64>().map(Self).map_err(|source| ParseIdError {
                    kind: $kind,
                    input: s.to_owned(),
                    source,
                })
            }
        }

        impl crate::ids::ApiId for $name {
            fn raw(self) -> u64 {
                self.0
            }
            fn kind() -> &'static str {
                $kind
            }
        }
    };
}

/// Internal: what the transport needs to turn an id into the generated layer's `i64`.
pub(crate) trait ApiId: Copy {
    fn raw(self) -> u64;
    fn kind() -> &'static str;
}

/// Converts an id to the `i64` the generated layer takes, refusing ids above `i64::MAX`
/// (the API never hands those out).
pub(crate) fn to_api<I: ApiId>(id: I) -> crate::Result<i64> {
    i64::try_from(id.raw()).map_err(|_| {
        crate::Error::invalid_argument(format!(
            "{} {} is out of range: ids must be at most {}",
            I::kind(),
            id.raw(),
            i64::MAX
        ))
    })
}

/// Converts an id from the generated layer's `i64`; `None` for negative values.
pub(crate) fn from_api<I: From<u64>>(raw: i64) -> Option<I> {
    u64::try_from(raw).ok().map(I::from)
}

id_type!(
    /// The id of a project.
    ProjectId,
    "project id"
);
id_type!(
    /// The id of a sandbox (an "inbox" in older versions of the API).
    SandboxId,
    "sandbox id"
);
id_type!(
    /// The id of a message caught by a sandbox.
    MessageId,
    "message id"
);
id_type!(
    /// The id of a message's attachment.
    AttachmentId,
    "attachment id"
);
id_type!(
    /// The id of an account.
    AccountId,
    "account id"
);
id_type!(
    /// The id of an account access (someone's access to resources of an account).
    AccountAccessId,
    "account access id"
);
id_type!(
    /// The id of an API token.
    ApiTokenId,
    "API token id"
);
id_type!(
    /// The id of an organization.
    OrganizationId,
    "organization id"
);
id_type!(
    /// The id of a sending domain.
    DomainId,
    "domain id"
);
id_type!(
    /// The id of a user, invite or API token an account access belongs to.
    SpecifierId,
    "specifier id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_print_and_serialize_as_numbers() {
        let id: MessageId = "5273448410".parse().unwrap();
        assert_eq!(id, MessageId::from(5_273_448_410));
        assert_eq!(id.to_string(), "5273448410");
        assert_eq!(serde_json::to_string(&id).unwrap(), "5273448410");
        let back: MessageId = serde_json::from_str("5273448410").unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn bad_ids_name_the_kind() {
        let err = "abc".parse::<SandboxId>().unwrap_err();
        assert_eq!(err.kind(), "sandbox id");
        assert!(
            err.to_string()
                .starts_with("`abc` is not a valid sandbox id")
        );
        assert!("-3".parse::<ProjectId>().is_err());
    }

    #[test]
    fn out_of_range_ids_are_refused() {
        assert_eq!(to_api(SandboxId::new(7)).unwrap(), 7);
        let err = to_api(SandboxId::new(u64::MAX)).unwrap_err();
        assert!(err.to_string().contains("sandbox id"));
        assert_eq!(from_api::<SandboxId>(-1), None);
    }
}
