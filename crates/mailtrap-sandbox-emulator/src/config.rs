//! Start-up settings.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::StartError;
use crate::faults::{FaultSpec, SmtpFaultSpec};

/// The HTTP address used when none is given: `127.0.0.1:8025`.
pub const DEFAULT_HTTP_ADDR: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8025));

/// The SMTP address used when none is given: `127.0.0.1:2525`.
pub const DEFAULT_SMTP_ADDR: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 2525));

/// [`EmulatorConfig::http_idle_timeout`] when none is given: 30 s.
const DEFAULT_HTTP_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a data directory is refused without the `persist` feature.
pub(crate) const PERSIST_FEATURE_NEEDED: &str = "a data directory needs the emulator's `persist` \
     feature (mailtrap-sandbox-emulator = { features = [\"persist\"] }); without it the emulator \
     keeps everything in memory";

/// How far a change must get before it is acknowledged, with a data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Written to the database file (SQLite WAL, `synchronous=NORMAL`): an acknowledged message
    /// survives the emulator being killed, not the machine losing power. The default: it never
    /// waits for the disk, so it is at least as fast as [`Durability::Flushed`].
    #[default]
    Written,
    /// Flushed to the disk on every commit (`synchronous=FULL`): an acknowledged message also
    /// survives a power loss. One flush per group commit; what it costs depends on the disk.
    Flushed,
}

/// Limits given to every sandbox the emulator creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxLimits {
    /// Most messages kept per sandbox; the oldest are dropped on delivery beyond it.
    /// `0` means no limit.
    pub max_size: u64,
    /// Largest message accepted, in bytes (SMTP and the sending API enforce it).
    pub max_message_size: u64,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            max_size: 10_000,
            max_message_size: 10 * 1024 * 1024,
        }
    }
}

/// How to start the emulator. Every field has a default ([`EmulatorConfig::default`]); set
/// the ones you need, then call [`EmulatorConfig::start`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), mailtrap_sandbox_emulator::StartError> {
/// let mut config = mailtrap_sandbox_emulator::EmulatorConfig::ephemeral();
/// config.api_token = Some("test-token".to_owned());
/// let emulator = config.start().await?;
/// println!("{}", emulator.summary());
/// emulator.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Where the HTTP API listens (management, sending, message parts, control). Port 0 picks a
    /// free port.
    pub http_addr: SocketAddr,
    /// Where the SMTP server listens. Port 0 picks a free port.
    pub smtp_addr: SocketAddr,
    /// Where the same HTTP API is also served over HTTPS, for clients that only speak HTTPS
    /// (the official Mailtrap SDKs). `None` (the default) serves no HTTPS. The certificate is
    /// valid for `localhost`, `127.0.0.1` and `::1` and signed by the local certificate
    /// authority that also signs the `STARTTLS` certificate; its certificate is written to
    /// [`crate::StartupSummary::ca_cert_path`] (kept in `data_dir`, when there is one, so that
    /// trusting it once is enough). Port 0 picks a free port. Needs the crate's `tls` feature:
    /// without it, [`EmulatorConfig::start`] refuses an HTTPS address.
    pub https_addr: Option<SocketAddr>,
    /// The API token. When `None`, the token saved in `data_dir` is reused, or a random one is
    /// made.
    pub api_token: Option<String>,
    /// Where to keep everything (an SQLite file inside; the directory is made readable by its
    /// owner only). `None` keeps everything in memory. Needs the crate's `persist` feature:
    /// without it, [`EmulatorConfig::start`] refuses a data directory.
    pub data_dir: Option<PathBuf>,
    /// With a data directory, how far a change must get before it is acknowledged.
    pub durability: Durability,
    /// Answer 429 beyond 150 requests per token per 10 s window (the rate-limit headers are sent
    /// either way).
    pub enforce_rate_limit: bool,
    /// HTTP fault rules active from the start.
    pub faults: Vec<FaultSpec>,
    /// SMTP fault rules active from the start.
    pub smtp_faults: Vec<SmtpFaultSpec>,
    /// Limits of the sandboxes the emulator creates.
    pub sandbox_limits: SandboxLimits,
    /// The host name in the SMTP greeting.
    pub smtp_hostname: String,
    /// Serve the web inbox at `/` of the HTTP address (and the HTTPS one): see the crate's
    /// README. `true` by default.
    pub web_ui: bool,
    /// How long an HTTP connection may go without sending a complete request head: a client
    /// that sends part of a head, or nothing after its last answer (an idle keep-alive
    /// connection), is disconnected after it. A request body that pauses longer than this
    /// between two chunks is refused (`408`). Default 30 s.
    pub http_idle_timeout: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            http_addr: DEFAULT_HTTP_ADDR,
            smtp_addr: DEFAULT_SMTP_ADDR,
            https_addr: None,
            api_token: None,
            data_dir: None,
            durability: Durability::default(),
            enforce_rate_limit: false,
            faults: Vec::new(),
            smtp_faults: Vec::new(),
            sandbox_limits: SandboxLimits::default(),
            smtp_hostname: "localhost".to_owned(),
            web_ui: true,
            http_idle_timeout: DEFAULT_HTTP_IDLE_TIMEOUT,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("http_addr", &self.http_addr)
            .field("smtp_addr", &self.smtp_addr)
            .field("https_addr", &self.https_addr)
            .field("api_token", &self.api_token.as_ref().map(|_| "[redacted]"))
            .field("data_dir", &self.data_dir)
            .field("durability", &self.durability)
            .field("enforce_rate_limit", &self.enforce_rate_limit)
            .field("faults", &self.faults)
            .field("smtp_faults", &self.smtp_faults)
            .field("sandbox_limits", &self.sandbox_limits)
            .field("smtp_hostname", &self.smtp_hostname)
            .field("web_ui", &self.web_ui)
            .field("http_idle_timeout", &self.http_idle_timeout)
            .finish()
    }
}

impl EmulatorConfig {
    /// The defaults: HTTP on `127.0.0.1:8025`, SMTP on `127.0.0.1:2525`, in memory.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{DEFAULT_HTTP_ADDR, DEFAULT_SMTP_ADDR, EmulatorConfig};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = EmulatorConfig::new();
    /// assert_eq!((config.http_addr, config.smtp_addr), (DEFAULT_HTTP_ADDR, DEFAULT_SMTP_ADDR));
    /// assert_eq!(config.data_dir, None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Both servers on `127.0.0.1` port 0 (free ports), in memory: the usual choice in tests.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// assert_ne!(emulator.http_addr().port(), 0); // the free ports the system picked
    /// assert_ne!(emulator.smtp_addr().port(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn ephemeral() -> Self {
        let any = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0));
        Self {
            http_addr: any,
            smtp_addr: any,
            ..Self::default()
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StartError> {
        if let Some(token) = &self.api_token
            && (token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err(StartError::InvalidConfig(
                "the API token must be non-empty printable ASCII without spaces".to_owned(),
            ));
        }
        if self.http_idle_timeout.is_zero() {
            return Err(StartError::InvalidConfig(
                "the HTTP idle timeout must be longer than zero".to_owned(),
            ));
        }
        if cfg!(not(feature = "tls")) && self.https_addr.is_some() {
            return Err(StartError::InvalidConfig(
                "serving HTTPS needs the emulator's `tls` feature (mailtrap-sandbox-emulator = \
                 { features = [\"tls\"] })"
                    .to_owned(),
            ));
        }
        if cfg!(not(feature = "persist")) && self.data_dir.is_some() {
            return Err(StartError::InvalidConfig(PERSIST_FEATURE_NEEDED.to_owned()));
        }
        if self.sandbox_limits.max_message_size == 0 {
            return Err(StartError::InvalidConfig(
                "the sandbox max_message_size must be at least 1 byte".to_owned(),
            ));
        }
        if self.smtp_hostname.is_empty() || self.smtp_hostname.chars().any(char::is_whitespace) {
            return Err(StartError::InvalidConfig(
                "the SMTP host name must be non-empty and without spaces".to_owned(),
            ));
        }
        Ok(())
    }
}
