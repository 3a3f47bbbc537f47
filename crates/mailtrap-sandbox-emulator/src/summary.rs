//! What a started emulator tells its user: addresses, token, and the seeded account, project,
//! sandbox and template.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Serialize;

/// The seeded project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SeededProject {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
}

/// The seeded sandbox, with what SMTP clients need.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SeededSandbox {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// SMTP username.
    pub smtp_username: String,
    /// SMTP password.
    pub smtp_password: String,
    /// Its email address (mail sent to it over SMTP, without authentication, lands there).
    pub email_address: String,
}

impl fmt::Debug for SeededSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeededSandbox")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &"[redacted]")
            .field("email_address", &self.email_address)
            .finish()
    }
}

/// The start-up summary. `Display` writes it for people; `Serialize` gives the same facts as
/// JSON (for `serve --json`). It contains the API token and SMTP password on purpose: they are
/// what a user needs to connect; `Debug` hides them.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StartupSummary {
    /// `http://127.0.0.1:8025`: the base URL of both the management and the sending API.
    pub base_url: String,
    /// The HTTP listener.
    pub http_addr: SocketAddr,
    /// The SMTP listener.
    pub smtp_addr: SocketAddr,
    /// The HTTPS listener, when there is one.
    pub https_addr: Option<SocketAddr>,
    /// `https://127.0.0.1:8443`: the same API over HTTPS, when there is an HTTPS listener.
    pub https_base_url: Option<String>,
    /// The certificate (PEM) of the local certificate authority that signed the HTTPS and
    /// `STARTTLS` certificates: add it to a client's trusted roots. In the data directory, or in
    /// a temporary directory (removed on shutdown) when running in memory. `None` only when the
    /// crate is built without its `tls` feature.
    pub ca_cert_path: Option<PathBuf>,
    /// The web inbox, as a link that signs the browser in (it carries the API token; opening
    /// it keeps the token in a cookie and leaves the plain address). `None` when the emulator
    /// runs without it ([`crate::EmulatorConfig::web_ui`]).
    pub web_inbox_url: Option<String>,
    /// The API token.
    pub api_token: String,
    /// The account id (legacy paths are `/api/accounts/{account_id}/...`).
    pub account_id: u64,
    /// The organization id (for sub-accounts).
    pub organization_id: u64,
    /// The seeded project.
    pub project: SeededProject,
    /// The seeded sandbox.
    pub sandbox: SeededSandbox,
    /// The uuid of the example template for `template_uuid` sends.
    pub template_uuid: String,
    /// Where data is kept; `None` in memory.
    pub data_dir: Option<PathBuf>,
    /// Whether 429 is answered beyond the rate limit.
    pub rate_limit_enforced: bool,
}

impl fmt::Debug for StartupSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartupSummary")
            .field("base_url", &self.base_url)
            .field("http_addr", &self.http_addr)
            .field("smtp_addr", &self.smtp_addr)
            .field("https_addr", &self.https_addr)
            .field("https_base_url", &self.https_base_url)
            .field("ca_cert_path", &self.ca_cert_path)
            .field(
                "web_inbox_url",
                &self
                    .web_inbox_url
                    .as_ref()
                    .map(|_| "[redacted: holds the token]"),
            )
            .field("api_token", &"[redacted]")
            .field("account_id", &self.account_id)
            .field("organization_id", &self.organization_id)
            .field("project", &self.project)
            .field("sandbox", &self.sandbox)
            .field("template_uuid", &self.template_uuid)
            .field("data_dir", &self.data_dir)
            .field("rate_limit_enforced", &self.rate_limit_enforced)
            .finish()
    }
}

impl fmt::Display for StartupSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Mailtrap Sandbox emulator")?;
        writeln!(
            f,
            "  API base URL   {}  (management and sending)",
            self.base_url
        )?;
        if let Some(url) = &self.web_inbox_url {
            writeln!(f, "  Web inbox      {url}  (open it in a browser)")?;
        }
        if let Some(https_base_url) = &self.https_base_url {
            writeln!(
                f,
                "  HTTPS base URL {https_base_url}  (the same API over TLS)"
            )?;
        }
        if let Some(path) = &self.ca_cert_path {
            writeln!(
                f,
                "  CA certificate {}  (trust it for HTTPS and STARTTLS)",
                path.display()
            )?;
        }
        writeln!(f, "  API token      {}", self.api_token)?;
        writeln!(
            f,
            "  SMTP           {}  username {}  password {}",
            self.smtp_addr, self.sandbox.smtp_username, self.sandbox.smtp_password
        )?;
        writeln!(f, "  Account        {}", self.account_id)?;
        writeln!(f, "  Organization   {}", self.organization_id)?;
        writeln!(
            f,
            "  Project        {}  \"{}\"",
            self.project.id, self.project.name
        )?;
        writeln!(
            f,
            "  Sandbox        {}  \"{}\"  address {}",
            self.sandbox.id, self.sandbox.name, self.sandbox.email_address
        )?;
        writeln!(f, "  Template       {}", self.template_uuid)?;
        match &self.data_dir {
            Some(dir) => writeln!(f, "  Storage        {} (SQLite)", dir.display())?,
            None => writeln!(f, "  Storage        in memory")?,
        }
        writeln!(
            f,
            "  Rate limit     150 requests per 10 s per token ({})",
            if self.rate_limit_enforced {
                "enforced"
            } else {
                "headers only"
            }
        )?;
        write!(f, "  Control API    {}/_emulator/status", self.base_url)
    }
}
