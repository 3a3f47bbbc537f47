//! The command line: every command, subcommand, flag and its help text (clap derive).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::values::{Grant, Revoke, parse_duration, parse_grant, parse_revoke, parse_variable};

/// The heading of the flags every command accepts.
const GLOBAL: &str = "Global options";

/// Exit codes, shown at the end of `--help`.
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error (the API refused the request or answered success: false, a file could not be
     read, an attachment could not be saved, the network failed, ...)
  2  usage: unknown command or flag, a flag value that cannot be used
  3  not found: a project, sandbox, message, attachment, token or user id that does not exist
  4  timed out: `wait` saw no matching message before --timeout (or a request took longer
     than --request-timeout)
  5  authentication: no API token, or the API rejected it or forbids the operation
  6  rate limited: the API still answered 429 after the client's retries

Environment:
  MAILTRAP_API_TOKEN       the API token (--token)
  MAILTRAP_BASE_URL        the management API (--base-url)
  MAILTRAP_SEND_BASE_URL   the sending API (--send-base-url)
  MAILTRAP_TIMEOUT         the longest one request may take (--request-timeout)
  MAILTRAP_EMULATOR_TOKEN  the token `serve` accepts (serve --api-token)";

/// Every Mailtrap Sandbox (email testing) operation from the shell, a local emulator of the
/// API (`serve`) and a guided demo (`demo`).
#[derive(Debug, Parser)]
#[command(
    name = "mailtrap-sandbox",
    version,
    after_help = EXIT_CODES,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags accepted by every command.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// API token (Mailtrap → Settings → API Tokens).
    #[arg(
        long,
        global = true,
        env = "MAILTRAP_API_TOKEN",
        hide_env_values = true,
        help_heading = GLOBAL
    )]
    pub(crate) token: Option<String>,

    /// Management API base URL, for instance an emulator's `http://127.0.0.1:8025`.
    #[arg(
        long,
        global = true,
        env = "MAILTRAP_BASE_URL",
        hide_env_values = true,
        value_name = "URL",
        help_heading = GLOBAL
    )]
    pub(crate) base_url: Option<String>,

    /// Sending API base URL (default: --base-url when that is a local address, as an
    /// emulator serves both; otherwise https://sandbox.api.mailtrap.io).
    #[arg(
        long,
        global = true,
        env = "MAILTRAP_SEND_BASE_URL",
        hide_env_values = true,
        value_name = "URL",
        help_heading = GLOBAL
    )]
    pub(crate) send_base_url: Option<String>,

    /// How many times a failed request that is safe to repeat is retried (429, 5xx, network).
    #[arg(long, global = true, value_name = "N", default_value_t = 3, help_heading = GLOBAL)]
    pub(crate) retries: u32,

    /// The longest one request may take, answer included: 30s, 2m, 500ms (default 30s;
    /// `wait --timeout` also bounds every request of the wait).
    #[arg(
        long,
        global = true,
        env = "MAILTRAP_TIMEOUT",
        hide_env_values = true,
        value_name = "DURATION",
        value_parser = parse_duration,
        help_heading = GLOBAL
    )]
    pub(crate) request_timeout: Option<Duration>,

    /// Print one JSON document on stdout instead of tables and summaries.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub(crate) json: bool,

    /// Trace requests on stderr (-v: each request; -vv: everything).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    pub(crate) verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Projects: list, show, create, rename, delete.
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// Sandboxes: list, show, create, change, empty, delete, credentials, email address.
    #[command(subcommand)]
    Sandboxes(SandboxesCommand),
    /// Messages of a sandbox: list, read, bodies, reports, links, mark, forward, delete.
    #[command(subcommand)]
    Messages(MessagesCommand),
    /// Attachments of a message: list, show, download.
    #[command(subcommand)]
    Attachments(AttachmentsCommand),
    /// Wait for a message to arrive, then print it (or its links, or its one-time code).
    Wait(WaitArgs),
    /// Send an email into a sandbox through the sending API.
    Send(Box<SendArgs>),
    /// Who may access what: list, remove, grant or revoke permissions.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Resources permissions can be given on.
    #[command(subcommand)]
    Permissions(PermissionsCommand),
    /// Accounts the token can access.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// API tokens: list, show, create, delete, reset.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Billing: usage of the current cycle.
    #[command(subcommand)]
    Billing(BillingCommand),
    /// Sub-accounts of an organization: list, create.
    #[command(subcommand, name = "sub-accounts")]
    SubAccounts(SubAccountsCommand),
    /// Run the local emulator (HTTP API and SMTP) until Ctrl-C.
    Serve(ServeArgs),
    /// Run the whole email-testing flow and print a report (offline unless --live).
    Demo(DemoArgs),
}

// ---------------------------------------------------------------------------------------
// Projects

#[derive(Debug, Subcommand)]
pub(crate) enum ProjectsCommand {
    /// List projects with their sandboxes.
    List,
    /// Show one project.
    Get {
        /// Project id.
        id: u64,
    },
    /// Create a project.
    Create {
        /// Its name (2 to 100 characters).
        name: String,
    },
    /// Rename a project.
    Update {
        /// Project id.
        id: u64,
        /// The new name.
        #[arg(long)]
        name: String,
    },
    /// Delete a project and its sandboxes.
    Delete {
        /// Project id.
        id: u64,
    },
}

// ---------------------------------------------------------------------------------------
// Sandboxes

#[derive(Debug, Subcommand)]
pub(crate) enum SandboxesCommand {
    /// List every sandbox.
    List,
    /// Show one sandbox, its SMTP credentials and counters.
    Get {
        /// Sandbox id.
        id: u64,
    },
    /// Create a sandbox in a project.
    Create {
        /// The project to create it in.
        #[arg(long, value_name = "ID")]
        project: u64,
        /// Its name.
        name: String,
    },
    /// Rename a sandbox or change its email address's local part.
    Update {
        /// Sandbox id.
        id: u64,
        /// The new name.
        #[arg(long, required_unless_present = "email_username")]
        name: Option<String>,
        /// The new local part of its email address.
        #[arg(long, value_name = "LOCAL_PART")]
        email_username: Option<String>,
    },
    /// Delete a sandbox and its messages.
    Delete {
        /// Sandbox id.
        id: u64,
    },
    /// Delete every message of a sandbox.
    Clean {
        /// Sandbox id.
        id: u64,
    },
    /// Mark every message of a sandbox read.
    MarkRead {
        /// Sandbox id.
        id: u64,
    },
    /// Give a sandbox new SMTP credentials (the old ones stop working).
    ResetCredentials {
        /// Sandbox id.
        id: u64,
    },
    /// The sandbox's own email address: enable, disable or renew it.
    EmailAddress {
        /// What to do.
        action: EmailAddressAction,
        /// Sandbox id.
        id: u64,
    },
}

/// What `sandboxes email-address` does.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum EmailAddressAction {
    /// Catch mail sent to the sandbox's address.
    Enable,
    /// Stop catching mail sent to it.
    Disable,
    /// Give the sandbox a new address.
    Reset,
}

// ---------------------------------------------------------------------------------------
// Messages

/// The sandbox a message command works in.
#[derive(Debug, Args)]
pub(crate) struct SandboxArg {
    /// Sandbox id.
    #[arg(long, value_name = "ID")]
    pub(crate) sandbox: u64,
}

/// A message of a sandbox.
#[derive(Debug, Args)]
pub(crate) struct MessageArgs {
    #[command(flatten)]
    pub(crate) sandbox: SandboxArg,
    /// Message id.
    pub(crate) id: u64,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MessagesCommand {
    /// List messages, newest first (one page of 30 unless --all or --limit).
    List {
        #[command(flatten)]
        sandbox: SandboxArg,
        /// Only messages whose subject, addresses or text match.
        #[arg(long)]
        search: Option<String>,
        /// Every message, page after page.
        #[arg(long)]
        all: bool,
        /// At most this many messages (pages are fetched as needed).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
        /// Only messages older than this one (lower ids): the cursor to the next page, which
        /// a full page names at its end.
        #[arg(long, value_name = "MESSAGE_ID")]
        last_id: Option<u64>,
        /// This page of 30 (1 is the newest) instead of following --last-id cursors.
        #[arg(
            long,
            value_name = "N",
            value_parser = clap::value_parser!(u64).range(1..),
            conflicts_with_all = ["all", "last_id"]
        )]
        page: Option<u64>,
    },
    /// Show a message's details.
    Get(MessageArgs),
    /// Mark a message read.
    MarkRead(MessageArgs),
    /// Mark a message unread.
    MarkUnread(MessageArgs),
    /// Delete a message.
    Delete(MessageArgs),
    /// Forward a message to an address (confirmed in Mailtrap beforehand).
    Forward {
        #[command(flatten)]
        message: MessageArgs,
        /// The address to forward to.
        #[arg(long, value_name = "EMAIL")]
        to: String,
    },
    /// Show a message's spam report.
    Spam(MessageArgs),
    /// Show which HTML constructs some email clients do not support.
    Analyze(MessageArgs),
    /// Show a message's headers.
    Headers(MessageArgs),
    /// Write a message body to a file or stdout (eml and raw are streamed).
    Body {
        #[command(flatten)]
        message: MessageArgs,
        /// Which body.
        #[arg(long, value_enum, default_value_t = BodyFormat::Txt)]
        format: BodyFormat,
        /// Write it to this file instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the links of a message (HTML links with their text, then text URLs).
    Links(MessageArgs),
}

/// A message body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BodyFormat {
    /// The text part.
    Txt,
    /// The HTML part as Mailtrap shows it.
    Html,
    /// The HTML part as it was sent.
    HtmlSource,
    /// The message as received.
    Raw,
    /// The message as an .eml file.
    Eml,
}

impl BodyFormat {
    /// The name used on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Txt => "txt",
            Self::Html => "html",
            Self::HtmlSource => "html-source",
            Self::Raw => "raw",
            Self::Eml => "eml",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Attachments

/// The message an attachment command works on.
#[derive(Debug, Args)]
pub(crate) struct OfMessage {
    /// Sandbox id.
    #[arg(long, value_name = "ID")]
    pub(crate) sandbox: u64,
    /// Message id.
    #[arg(long, value_name = "ID")]
    pub(crate) message: u64,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AttachmentsCommand {
    /// List a message's attachments.
    List {
        #[command(flatten)]
        of: OfMessage,
    },
    /// Show one attachment.
    Get {
        #[command(flatten)]
        of: OfMessage,
        /// Attachment id.
        id: u64,
    },
    /// Download attachments into a directory (all of them unless ids are given).
    Download {
        #[command(flatten)]
        of: OfMessage,
        /// Attachment ids (default: every attachment of the message).
        ids: Vec<u64>,
        /// The directory to write into (created if needed).
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        output: PathBuf,
    },
}

// ---------------------------------------------------------------------------------------
// Wait and send

/// Where a wait starts counting (`wait --since`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Since {
    /// Messages newer than this one.
    Message(u64),
    /// Messages received at or after this time.
    Time(chrono::DateTime<chrono::Utc>),
}

/// The flags mean what the SDK's `MessageFilter` methods of the same name mean.
#[derive(Debug, Args)]
pub(crate) struct WaitArgs {
    /// Sandbox id.
    #[arg(long, value_name = "ID")]
    pub(crate) sandbox: u64,
    /// The subject contains this text, ignoring case.
    #[arg(long, conflicts_with = "subject_is")]
    pub(crate) subject: Option<String>,
    /// The subject is exactly this text.
    #[arg(long, value_name = "SUBJECT")]
    pub(crate) subject_is: Option<String>,
    /// The sender's address (ignoring case).
    #[arg(long, value_name = "EMAIL")]
    pub(crate) from: Option<String>,
    /// One of the recipients' addresses (ignoring case; Cc and Bcc too for mail that came
    /// over SMTP).
    #[arg(long, value_name = "EMAIL")]
    pub(crate) to: Option<String>,
    /// The text body contains this text.
    #[arg(long, value_name = "TEXT")]
    pub(crate) text: Option<String>,
    /// The HTML body contains this text.
    #[arg(long, value_name = "TEXT")]
    pub(crate) html: Option<String>,
    /// The text body or the HTML body contains this text.
    #[arg(long, value_name = "TEXT")]
    pub(crate) contains: Option<String>,
    /// Only messages newer than this message id, or received at or after this time
    /// (RFC 3339: 2025-03-04T10:31:02Z). Default: those received up to 30 s before the start.
    #[arg(
        long,
        value_name = "MESSAGE_ID|TIME",
        value_parser = parse_since,
        conflicts_with_all = ["only_new", "look_back"]
    )]
    pub(crate) since: Option<Since>,
    /// Only messages arriving after the wait started.
    #[arg(long, conflicts_with = "look_back")]
    pub(crate) only_new: bool,
    /// Also count messages received this long before the wait started (default 30s; in
    /// the server's clock).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) look_back: Option<Duration>,
    /// How long to wait, every request included: 90s, 2m, 500ms, or seconds.
    #[arg(long, value_parser = parse_duration, default_value = "60s")]
    pub(crate) timeout: Duration,
    /// Time between polls (default: 20ms against a local address, 1s otherwise).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) poll_interval: Option<Duration>,
    /// Print the message's links instead of the message.
    #[arg(long, conflicts_with = "code")]
    pub(crate) links: bool,
    /// Print the message's one-time code instead of the message.
    #[arg(long)]
    pub(crate) code: bool,
}

/// Parses `wait --since`: a message id or an RFC 3339 time.
fn parse_since(input: &str) -> Result<Since, String> {
    let text = input.trim();
    if let Ok(id) = text.parse::<u64>() {
        return Ok(Since::Message(id));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|time| Since::Time(time.with_timezone(&chrono::Utc)))
        .map_err(|_| {
            format!(
                "`{input}` is neither a message id nor a time: use a number or an RFC 3339 time \
                 such as 2025-03-04T10:31:02Z"
            )
        })
}

#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// Sandbox id.
    #[arg(long, value_name = "ID")]
    pub(crate) sandbox: u64,
    /// Send every email of this JSON file in one request, in the sending API's batch shape:
    /// {"base": {...}, "requests": [{"to": [...]}, ...]} (up to 500 emails).
    #[arg(
        long,
        value_name = "FILE.json",
        conflicts_with_all = [
            "from", "to", "cc", "bcc", "subject", "text", "text_file", "html", "html_file",
            "attach", "category", "template", "var", "vars_file",
        ]
    )]
    pub(crate) batch: Option<PathBuf>,
    /// Sender: `ana@example.com` or `Ana Lima <ana@example.com>`.
    #[arg(long, value_name = "ADDRESS", required_unless_present = "batch")]
    pub(crate) from: Option<String>,
    /// Recipient (repeat for more).
    #[arg(long, value_name = "ADDRESS", required_unless_present = "batch")]
    pub(crate) to: Vec<String>,
    /// Copy recipient (repeat for more).
    #[arg(long, value_name = "ADDRESS")]
    pub(crate) cc: Vec<String>,
    /// Blind copy recipient (repeat for more).
    #[arg(long, value_name = "ADDRESS")]
    pub(crate) bcc: Vec<String>,
    /// Subject.
    #[arg(long, required_unless_present_any = ["batch", "template"])]
    pub(crate) subject: Option<String>,
    /// Text body.
    #[arg(long, conflicts_with = "text_file")]
    pub(crate) text: Option<String>,
    /// Text body read from a file.
    #[arg(long, value_name = "FILE")]
    pub(crate) text_file: Option<PathBuf>,
    /// HTML body.
    #[arg(long, conflicts_with = "html_file")]
    pub(crate) html: Option<String>,
    /// HTML body read from a file.
    #[arg(long, value_name = "FILE")]
    pub(crate) html_file: Option<PathBuf>,
    /// Attach a file (repeat for more).
    #[arg(long, value_name = "FILE")]
    pub(crate) attach: Vec<PathBuf>,
    /// Category for statistics.
    #[arg(long)]
    pub(crate) category: Option<String>,
    /// Render this template (its uuid) instead of a subject and bodies.
    #[arg(
        long,
        value_name = "UUID",
        conflicts_with_all = ["subject", "text", "text_file", "html", "html_file", "category"]
    )]
    pub(crate) template: Option<String>,
    /// A template variable, NAME=VALUE (repeat for more; the value is a string).
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_variable)]
    pub(crate) var: Vec<(String, String)>,
    /// Template variables from a JSON object in a file (any JSON values); --var adds to them.
    #[arg(long, value_name = "FILE.json")]
    pub(crate) vars_file: Option<PathBuf>,
}

// ---------------------------------------------------------------------------------------
// Users, permissions, accounts, tokens, billing, sub-accounts

#[derive(Debug, Subcommand)]
pub(crate) enum UsersCommand {
    /// List users, invites and API tokens with access (optionally to one project or sandbox).
    List {
        /// Only those with access to this project.
        #[arg(long, value_name = "ID", conflicts_with = "sandbox")]
        project: Option<u64>,
        /// Only those with access to this sandbox.
        #[arg(long, value_name = "ID")]
        sandbox: Option<u64>,
    },
    /// Remove an account access (a user, invite or token loses access).
    Remove {
        /// Account access id (from `users list`).
        id: u64,
    },
    /// Grant or revoke permissions of an account access, in one request.
    Grant {
        /// Account access id (from `users list`).
        id: u64,
        /// A permission to give: TYPE:ID:LEVEL, for instance sandbox:4310001:viewer
        /// (types: account, project, sandbox, domain, billing; levels: admin, viewer, or a number).
        #[arg(value_parser = parse_grant, value_name = "TYPE:ID:LEVEL")]
        grants: Vec<Grant>,
        /// A permission to take away: TYPE:ID (repeat for more).
        #[arg(long, value_parser = parse_revoke, value_name = "TYPE:ID")]
        revoke: Vec<Revoke>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PermissionsCommand {
    /// List the resources permissions can be given on, as a tree.
    Resources,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccountsCommand {
    /// List the accounts the token can access, with its access levels.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokensCommand {
    /// List API tokens.
    List,
    /// Show one API token.
    Get {
        /// Token id.
        id: u64,
    },
    /// Create an API token; its value is printed once.
    Create {
        /// Its name.
        name: String,
        /// A resource it may access: TYPE:ID:LEVEL (repeat for more).
        #[arg(long, value_parser = parse_grant, value_name = "TYPE:ID:LEVEL")]
        resource: Vec<Grant>,
    },
    /// Delete an API token.
    Delete {
        /// Token id.
        id: u64,
    },
    /// Give an API token a new value (the old one stops working); printed once.
    Reset {
        /// Token id.
        id: u64,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum BillingCommand {
    /// Usage of the current billing cycle.
    Usage,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SubAccountsCommand {
    /// List an organization's sub-accounts.
    List {
        /// Organization id.
        #[arg(long, value_name = "ID")]
        organization: u64,
    },
    /// Create a sub-account.
    Create {
        /// Organization id.
        #[arg(long, value_name = "ID")]
        organization: u64,
        /// Its name.
        name: String,
    },
}

// ---------------------------------------------------------------------------------------
// Serve and demo

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where the HTTP API listens (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8025", value_name = "ADDR")]
    pub(crate) http_addr: SocketAddr,
    /// Where the SMTP server listens (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:2525", value_name = "ADDR")]
    pub(crate) smtp_addr: SocketAddr,
    /// Also serve the API over HTTPS here, for clients that need HTTPS (port 0 picks a free
    /// port); trust the CA certificate named in the summary.
    #[arg(long, value_name = "ADDR")]
    pub(crate) https_addr: Option<SocketAddr>,
    /// The API token clients must send (default: the one saved in --data-dir, or a random one).
    #[arg(
        long,
        env = "MAILTRAP_EMULATOR_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) api_token: Option<String>,
    /// Keep everything in an SQLite file in this directory (default: in memory).
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Answer 429 beyond 150 requests per 10 s per token, as Mailtrap does.
    #[arg(long)]
    pub(crate) enforce_rate_limit: bool,
    /// Do not serve the web inbox at / (the API alone).
    #[arg(long)]
    pub(crate) no_ui: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Run against real Mailtrap (needs a token) instead of an in-process emulator.
    #[arg(long)]
    pub(crate) live: bool,
    /// Keep the project and sandbox the demo creates instead of deleting them.
    #[arg(long)]
    pub(crate) keep: bool,
    /// How long to wait for each message.
    #[arg(long, value_parser = parse_duration, default_value = "60s")]
    pub(crate) timeout: Duration,
}
