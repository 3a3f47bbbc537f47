//! What the API returns, as plain Rust types.
//!
//! Every model is `#[non_exhaustive]` with public fields: read them directly, match on
//! them, serialize them (`serde::Serialize`). Fields the API sometimes leaves out are
//! `Option`s; counts and sizes default to 0, texts to `""`. Names the API gives as `""`
//! when there is none (`from_name`, `content_id`, ...) become `None`. Values of open sets
//! (a sandbox's status, an attachment's type, ...) are enums with an `Other(String)` case,
//! so a value this version does not know never fails decoding.

mod account;
mod attachment;
mod billing;
mod common;
mod message;
mod project;
mod reports;
mod sandbox;
mod sending;
mod token;

pub use account::{
    AccessLevel, AccessResource, Account, AccountAccess, PermissionChange, PermissionResource,
    ResourceType, Specifier, SpecifierType,
};
pub use attachment::{Attachment, AttachmentType};
pub use billing::{BillingUsage, ProductUsage, UsageCounter};
pub use common::{Permissions, Secret};
pub use message::{
    BlacklistCheck, BlacklistResult, BlacklistsReport, Message, Recipients, SmtpEnvelope,
    SmtpInformation,
};
pub use project::{Project, ShareLinks};
pub use reports::{
    EmailClients, ForwardOutcome, HtmlAnalysis, HtmlAnalysisStatus, HtmlIssue, MessageHeaders,
    SpamReport, SpamRule,
};
pub use sandbox::{Sandbox, SandboxStatus};
pub use sending::{BatchError, BatchItemOutcome, BatchOutcome, SendOutcome};
pub use token::{ApiToken, NewApiToken, SubAccount, TokenResource};

pub(crate) use common::{Conv, Invalid, convert_list};
