//! Starting and stopping the emulator.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

#[cfg(feature = "tls")]
use crate::certs::{self, TlsCertificates};
use crate::config::EmulatorConfig;
use crate::conn::{ConnInfo, KillableListener};
use crate::error::StartError;
use crate::faults::{FaultError, FaultRegistry, FaultSpec, SmtpFaultSpec};
use crate::http::{self, AppState, Shared};
#[cfg(feature = "tls")]
use crate::https::TlsListener;
use crate::ratelimit::RateLimiter;
use crate::smtp::{self, SmtpConfig};
use crate::store::seed;
use crate::store::{ServerInfo, Store, StoreOptions};
use crate::summary::{SeededProject, SeededSandbox, StartupSummary};

/// How long [`RunningEmulator::shutdown`] waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running emulator. Dropping it stops the servers (without waiting); call
/// [`RunningEmulator::shutdown`] to stop gracefully and make sure everything is saved.
#[derive(Debug)]
pub struct RunningEmulator {
    summary: StartupSummary,
    store: Arc<Store>,
    faults: Arc<FaultRegistry>,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    /// The local CA's certificate, PEM (with the `tls` feature).
    ca_cert_pem: Option<String>,
    /// Where the CA certificate is written for an in-memory run; removed on shutdown.
    #[cfg(feature = "tls")]
    temp_dir: Option<tempfile::TempDir>,
}

/// The TLS side, once set up: the certificates that HTTPS and `STARTTLS` serve, and where the
/// CA certificate was written.
#[cfg(feature = "tls")]
struct Tls {
    certificates: TlsCertificates,
    ca_cert_path: PathBuf,
    temp_dir: Option<tempfile::TempDir>,
}

/// Sets up the certificates, the HTTPS listener (when asked for) and the `STARTTLS` acceptor.
#[cfg(feature = "tls")]
async fn set_up_tls(
    config: &EmulatorConfig,
    https_listener: Option<TcpListener>,
) -> Result<(Tls, Option<TlsListener>, tokio_rustls::TlsAcceptor), StartError> {
    let data_dir = config.data_dir.clone();
    let tls = tokio::task::spawn_blocking(move || set_up_certificates(data_dir.as_deref()))
        .await
        .map_err(|e| StartError::Internal(e.to_string()))??;
    let tls_error = |error: tokio_rustls::rustls::Error| StartError::Tls(error.to_string());
    let https = match https_listener {
        Some(listener) => Some(TlsListener::new(listener, &tls.certificates).map_err(tls_error)?),
        None => None,
    };
    let starttls = tls.certificates.acceptor(&[]).map_err(tls_error)?;
    Ok((tls, https, starttls))
}

async fn bind(service: &'static str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind {
            service,
            addr,
            source,
        })
}

fn local_addr(
    service: &'static str,
    listener: &TcpListener,
    asked: SocketAddr,
) -> Result<SocketAddr, StartError> {
    listener.local_addr().map_err(|source| StartError::Bind {
        service,
        addr: asked,
        source,
    })
}

/// Makes (or loads, with a data directory) the certificates and writes the CA certificate
/// where the summary says.
#[cfg(feature = "tls")]
fn set_up_certificates(data_dir: Option<&Path>) -> Result<Tls, StartError> {
    let tls_error = |error: certs::CertError| StartError::Tls(error.to_string());
    match data_dir {
        Some(dir) => {
            let tls_dir = dir.join(certs::TLS_DIR);
            let certificates = certs::load_or_create(&tls_dir).map_err(tls_error)?;
            Ok(Tls {
                certificates,
                ca_cert_path: tls_dir.join(certs::CA_CERT_FILE),
                temp_dir: None,
            })
        }
        None => {
            let certificates = certs::generate().map_err(tls_error)?;
            let temp_dir = tempfile::Builder::new()
                .prefix("mailtrap-sandbox-emulator-")
                .tempdir()
                .map_err(|error| {
                    StartError::Tls(format!(
                        "cannot create a temporary directory for the CA certificate: {error}"
                    ))
                })?;
            let path = temp_dir.path().join(certs::CA_CERT_FILE);
            certs::write_file(&path, certificates.ca_pem.as_bytes(), false).map_err(tls_error)?;
            Ok(Tls {
                certificates,
                ca_cert_path: path,
                temp_dir: Some(temp_dir),
            })
        }
    }
}

/// Serves `app` on a listener until `shutdown`, then cancels `shutdown` (a server that stops
/// by itself stops the emulator).
fn spawn_server<L>(
    listener: L,
    app: Router,
    idle_timeout: Duration,
    shutdown: CancellationToken,
) -> JoinHandle<()>
where
    L: axum::serve::Listener<Addr = ConnInfo>,
{
    tokio::spawn(async move {
        http::serve::serve(listener, app, idle_timeout, shutdown.clone()).await;
        shutdown.cancel();
    })
}

// Here rather than in `config.rs`: the settings stay a plain layer below everything they
// configure, and only this top layer knows how to start the servers.
impl EmulatorConfig {
    /// Starts the emulator with these settings (same as [`start`]).
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{EmulatorConfig, StartError};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut config = EmulatorConfig::ephemeral();
    /// config.api_token = Some("test-token".to_owned());
    /// let emulator = config.start().await?;
    /// assert_eq!(emulator.api_token(), "test-token");
    ///
    /// // A port already in use is an error that says so.
    /// let mut taken = EmulatorConfig::ephemeral();
    /// taken.http_addr = emulator.http_addr();
    /// assert!(matches!(taken.start().await, Err(StartError::Bind { service: "HTTP", .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(self) -> Result<RunningEmulator, StartError> {
        start(self).await
    }
}

/// Starts the emulator: binds the listeners, sets up the HTTPS certificates (when asked),
/// opens the store (loading the data directory if one is given), and serves until
/// [`RunningEmulator::shutdown`].
///
/// ```
/// use mailtrap_sandbox_emulator::{EmulatorConfig, start};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = start(EmulatorConfig::ephemeral()).await?;
/// println!("{}", emulator.summary());
/// emulator.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, StartError> {
    config.validate()?;
    let http_listener = bind("HTTP", config.http_addr).await?;
    let smtp_listener = bind("SMTP", config.smtp_addr).await?;
    let https_listener = match config.https_addr {
        Some(addr) => Some((bind("HTTPS", addr).await?, addr)),
        None => None,
    };
    let http_addr = local_addr("HTTP", &http_listener, config.http_addr)?;
    let smtp_addr = local_addr("SMTP", &smtp_listener, config.smtp_addr)?;
    let https_addr = match &https_listener {
        Some((listener, asked)) => Some(local_addr("HTTPS", listener, *asked)?),
        None => None,
    };
    let https_listener = https_listener.map(|(listener, _)| listener);
    let info = server_info(http_addr, smtp_addr);
    let faults = Arc::new(FaultRegistry::new(
        config.faults.clone(),
        config.smtp_faults.clone(),
    )?);
    let options = StoreOptions {
        data_dir: config.data_dir.clone(),
        durability: config.durability,
        api_token: config.api_token.clone(),
        limits: config.sandbox_limits,
        info: info.clone(),
        faults: Arc::clone(&faults),
    };
    let store = tokio::task::spawn_blocking(move || Store::open(options))
        .await
        .map_err(|e| StartError::Internal(e.to_string()))??;
    let store = Arc::new(store);
    // After the store, so that a data directory that cannot be used is reported as such; the
    // store is closed again when the certificates fail.
    #[cfg(feature = "tls")]
    let (tls, https_server, starttls) = match set_up_tls(&config, https_listener).await {
        Ok(prepared) => prepared,
        Err(error) => {
            let store = Arc::clone(&store);
            let _ = tokio::task::spawn_blocking(move || store.close()).await;
            return Err(error);
        }
    };
    #[cfg(feature = "tls")]
    let ca_cert_path = Some(tls.ca_cert_path.clone());
    #[cfg(not(feature = "tls"))]
    let ca_cert_path = None;
    let summary = summarize(
        &store,
        &info,
        (http_addr, smtp_addr, https_addr),
        ca_cert_path,
        &config,
    );

    let shutdown = CancellationToken::new();
    let app = http::router(AppState::new(Shared {
        store: Arc::clone(&store),
        faults: Arc::clone(&faults),
        limiter: RateLimiter::new(config.enforce_rate_limit),
        account_id: seed::ACCOUNT_ID,
        organization_id: seed::ORGANIZATION_ID,
        summary: summary.clone(),
        web_ui: config.web_ui,
        stopping: shutdown.clone(),
        idle_timeout: config.http_idle_timeout,
    }));
    let mut tasks = Vec::new();
    #[cfg(feature = "tls")]
    if let Some(listener) = https_server {
        tasks.push(spawn_server(
            listener,
            app.clone(),
            config.http_idle_timeout,
            shutdown.clone(),
        ));
        tracing::info!(https_addr = ?https_addr, ca_cert = %tls.ca_cert_path.display(), "serving HTTPS");
    }
    #[cfg(not(feature = "tls"))]
    drop(https_listener);
    tasks.push(spawn_server(
        KillableListener(http_listener),
        app,
        config.http_idle_timeout,
        shutdown.clone(),
    ));
    let smtp_config = SmtpConfig {
        hostname: config.smtp_hostname.clone(),
        ..SmtpConfig::default()
    };
    #[cfg(feature = "tls")]
    let smtp_server = smtp::serve_with_tls(
        smtp_listener,
        Arc::clone(&store),
        smtp_config,
        starttls,
        shutdown.clone(),
    );
    #[cfg(not(feature = "tls"))]
    let smtp_server = smtp::serve(
        smtp_listener,
        Arc::clone(&store),
        smtp_config,
        shutdown.clone(),
    );
    let smtp_task = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            if let Err(e) = smtp_server.await {
                tracing::error!(error = %e, "the SMTP server stopped");
            }
            shutdown.cancel();
        })
    };
    tasks.push(smtp_task);
    tracing::info!(%http_addr, %smtp_addr, "emulator started");
    Ok(RunningEmulator {
        summary,
        store,
        faults,
        shutdown,
        tasks,
        #[cfg(feature = "tls")]
        ca_cert_pem: Some(tls.certificates.ca_pem),
        #[cfg(not(feature = "tls"))]
        ca_cert_pem: None,
        #[cfg(feature = "tls")]
        temp_dir: tls.temp_dir,
    })
}

fn host_of(ip: IpAddr) -> String {
    if ip.is_unspecified() {
        "localhost".to_owned()
    } else {
        ip.to_string()
    }
}

/// `host:port` for URLs (`[::1]:8025` for IPv6; `localhost` for an unspecified address).
fn url_host(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V6(ip) if !ip.is_unspecified() => format!("[{ip}]:{}", addr.port()),
        ip => format!("{}:{}", host_of(ip), addr.port()),
    }
}

fn server_info(http: SocketAddr, smtp: SocketAddr) -> ServerInfo {
    let http_host = url_host(http);
    ServerInfo {
        smtp_host: host_of(smtp.ip()),
        smtp_port: smtp.port(),
        base_url: format!("http://{http_host}"),
        http_host,
        email_domain: "inbox.localhost".to_owned(),
    }
}

fn summarize(
    store: &Store,
    info: &ServerInfo,
    (http_addr, smtp_addr, https_addr): (SocketAddr, SocketAddr, Option<SocketAddr>),
    ca_cert_path: Option<PathBuf>,
    config: &EmulatorConfig,
) -> StartupSummary {
    store.read(|state| {
        let seed_reg = &state.seed;
        let project = seed_reg.projects.values().next();
        let sandbox = seed_reg.sandboxes.values().next();
        StartupSummary {
            base_url: info.base_url.clone(),
            http_addr,
            smtp_addr,
            https_addr,
            https_base_url: https_addr.map(|addr| format!("https://{}", url_host(addr))),
            ca_cert_path,
            web_inbox_url: config.web_ui.then(|| {
                let token: String =
                    url::form_urlencoded::byte_serialize(store.api_token().as_bytes()).collect();
                format!("{}/?token={token}", info.base_url)
            }),
            api_token: store.api_token().to_owned(),
            account_id: seed_reg.account.id,
            organization_id: seed_reg.organization.id,
            project: SeededProject {
                id: project.map_or(0, |p| p.id),
                name: project.map(|p| p.name.clone()).unwrap_or_default(),
            },
            sandbox: SeededSandbox {
                id: sandbox.map_or(0, |s| s.id),
                name: sandbox.map(|s| s.name.clone()).unwrap_or_default(),
                smtp_username: sandbox.map(|s| s.username.clone()).unwrap_or_default(),
                smtp_password: sandbox.map(|s| s.password.clone()).unwrap_or_default(),
                email_address: sandbox
                    .map(|s| format!("{}@{}", s.email_username, info.email_domain))
                    .unwrap_or_default(),
            },
            template_uuid: seed::TEMPLATE_UUID.to_owned(),
            data_dir: config.data_dir.clone(),
            rate_limit_enforced: config.enforce_rate_limit,
        }
    })
}

impl RunningEmulator {
    /// The start-up summary.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// println!("{}", emulator.summary()); // addresses, token, the seeded sandbox: what `serve` prints
    /// assert_eq!(emulator.summary().base_url, emulator.base_url());
    /// # Ok(())
    /// # }
    /// ```
    pub fn summary(&self) -> &StartupSummary {
        &self.summary
    }

    /// The HTTP address (with the real port when port 0 was asked for).
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let addr = emulator.http_addr();
    /// assert!(addr.ip().is_loopback());
    /// assert_ne!(addr.port(), 0); // the free port the system picked
    /// # Ok(())
    /// # }
    /// ```
    pub fn http_addr(&self) -> SocketAddr {
        self.summary.http_addr
    }

    /// The SMTP address.
    ///
    /// ```
    /// use lettre::transport::smtp::authentication::Credentials;
    /// use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// // Configure the application's SMTP client with it and the sandbox's credentials.
    /// let sandbox = emulator.sandbox();
    /// let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
    ///     .port(emulator.smtp_addr().port())
    ///     .credentials(Credentials::new(sandbox.smtp_username.clone(), sandbox.smtp_password.clone()))
    ///     .build();
    /// let email = Message::builder()
    ///     .from("robot@shop.example".parse()?)
    ///     .to("ana@example.com".parse()?)
    ///     .subject("Welcome")
    ///     .body("Hello Ana".to_owned())?;
    /// assert!(smtp.send(email).await?.is_positive());
    /// # Ok(())
    /// # }
    /// ```
    pub fn smtp_addr(&self) -> SocketAddr {
        self.summary.smtp_addr
    }

    /// `http://127.0.0.1:<port>`: the base URL of the management and the sending API.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// // Any HTTP client or Mailtrap SDK whose base URL can be set; with the `mailtrap-sandbox`
    /// // crate, `Client::for_emulator(&emulator)`.
    /// let url = format!("{}/api/accounts", emulator.base_url());
    /// let answer = reqwest::Client::new().get(url).bearer_auth(emulator.api_token()).send().await?;
    /// assert_eq!(answer.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.summary.base_url
    }

    /// The HTTPS address, when [`EmulatorConfig::https_addr`] was set.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// assert_eq!(emulator.https_addr(), None); // no HTTPS unless asked for
    /// # Ok(())
    /// # }
    /// ```
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.summary.https_addr
    }

    /// `https://127.0.0.1:<port>`: the same API over HTTPS, when it is served.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut config = EmulatorConfig::ephemeral();
    /// config.https_addr = Some("127.0.0.1:0".parse()?);
    /// # if cfg!(not(feature = "tls")) { return Ok(()); } // serving HTTPS needs the `tls` feature
    /// let emulator = config.start().await?;
    /// assert!(emulator.https_base_url().is_some_and(|url| url.starts_with("https://127.0.0.1:")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn https_base_url(&self) -> Option<&str> {
        self.summary.https_base_url.as_deref()
    }

    /// Where the certificate (PEM) of the local CA that signed the HTTPS and `STARTTLS`
    /// certificates is. `Some` whenever the crate is built with its `tls` feature.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// if let Some(path) = emulator.ca_cert_path() {
    ///     println!("trust {} to speak HTTPS or STARTTLS to the emulator", path.display());
    ///     # assert!(path.exists());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.summary.ca_cert_path.as_deref()
    }

    /// The certificate (PEM) of the local CA that signed the HTTPS and `STARTTLS` certificates:
    /// add it to a client's trusted roots (`reqwest::Certificate::from_pem`,
    /// `lettre::transport::smtp::client::Certificate::from_pem`). `Some` whenever the crate is
    /// built with its `tls` feature, whether HTTPS is served or not.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut config = EmulatorConfig::ephemeral();
    /// config.https_addr = Some("127.0.0.1:0".parse()?);
    /// # if cfg!(not(feature = "tls")) { return Ok(()); } // serving HTTPS needs the `tls` feature
    /// let emulator = config.start().await?;
    /// let pem = emulator.ca_cert_pem().ok_or("built without the `tls` feature")?;
    /// let ca = reqwest::Certificate::from_pem(pem.as_bytes())?;
    /// let https = reqwest::Client::builder().tls_certs_only([ca]).build()?;
    /// let url = format!("{}/api/accounts", emulator.https_base_url().ok_or("no HTTPS")?);
    /// assert_eq!(https.get(url).bearer_auth(emulator.api_token()).send().await?.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.ca_cert_pem.as_deref()
    }

    /// The API token the emulator was started with.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let http = reqwest::Client::new();
    /// let url = format!("{}/api/accounts", emulator.base_url());
    /// assert_eq!(http.get(&url).bearer_auth(emulator.api_token()).send().await?.status(), 200);
    /// assert_eq!(http.get(&url).bearer_auth("not-the-token").send().await?.status(), 401);
    /// # Ok(())
    /// # }
    /// ```
    pub fn api_token(&self) -> &str {
        &self.summary.api_token
    }

    /// The account id.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let url = format!("{}/api/accounts", emulator.base_url());
    /// let answer = reqwest::Client::new().get(url).bearer_auth(emulator.api_token()).send().await?;
    /// let accounts: serde_json::Value = answer.json().await?;
    /// assert_eq!(accounts[0]["id"], emulator.account_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn account_id(&self) -> u64 {
        self.summary.account_id
    }

    /// The seeded project.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let project = emulator.project();
    /// let url = format!("{}/api/projects/{}", emulator.base_url(), project.id);
    /// let answer = reqwest::Client::new().get(url).bearer_auth(emulator.api_token()).send().await?;
    /// let body: serde_json::Value = answer.json().await?;
    /// assert_eq!(body["name"], project.name.as_str());
    /// # Ok(())
    /// # }
    /// ```
    pub fn project(&self) -> &SeededProject {
        &self.summary.project
    }

    /// The seeded sandbox.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let sandbox = emulator.sandbox();
    /// println!("sandbox #{}: SMTP user {}, address {}", sandbox.id, sandbox.smtp_username, sandbox.email_address);
    /// let url = format!("{}/api/sandboxes/{}/messages", emulator.base_url(), sandbox.id);
    /// let answer = reqwest::Client::new().get(url).bearer_auth(emulator.api_token()).send().await?;
    /// assert_eq!(answer.json::<serde_json::Value>().await?, serde_json::json!([])); // empty at start
    /// # Ok(())
    /// # }
    /// ```
    pub fn sandbox(&self) -> &SeededSandbox {
        &self.summary.sandbox
    }

    /// The uuid of the example template.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let email = serde_json::json!({
    ///     "from": {"email": "robot@shop.example"},
    ///     "to": [{"email": "ana@example.com"}],
    ///     "template_uuid": emulator.template_uuid(),
    ///     "template_variables": {"user": {"name": "Ana"}, "company": "Shop"},
    /// });
    /// let url = format!("{}/api/send/{}", emulator.base_url(), emulator.sandbox().id);
    /// let http = reqwest::Client::new();
    /// let answer = http.post(url).bearer_auth(emulator.api_token()).json(&email).send().await?;
    /// assert_eq!(answer.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn template_uuid(&self) -> &str {
        &self.summary.template_uuid
    }

    /// The store, which implements [`crate::smtp::SmtpBackend`]: messages can be delivered to
    /// it directly, as the SMTP server does.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// use mailtrap_sandbox_emulator::smtp::{Envelope, SmtpBackend};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let store = emulator.store();
    /// let sandbox_id = emulator.sandbox().id;
    /// let raw = b"From: robot@shop.example\r\nTo: ana@example.com\r\nSubject: Hi\r\n\r\nHello\r\n";
    /// let envelope = Envelope {
    ///     mail_from: "robot@shop.example".to_owned(),
    ///     rcpt_to: vec!["ana@example.com".to_owned()],
    ///     client_ip: [127, 0, 0, 1].into(),
    /// };
    /// // It may block (SQLite with a data directory): off the async threads.
    /// let delivered = tokio::task::spawn_blocking(move || store.deliver(sandbox_id, raw.to_vec(), envelope));
    /// let message_id = delivered.await??;
    /// # assert!(message_id > 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn store(&self) -> Arc<Store> {
        Arc::clone(&self.store)
    }

    /// Adds an HTTP fault rule (as `POST /_emulator/faults` does); returns its id.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{EmulatorConfig, FaultSpec};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// // The next request to /api/accounts answers 503; the one after it is served.
    /// emulator.add_fault(FaultSpec::fail(503).path_prefix("/api/accounts").times(1))?;
    /// let http = reqwest::Client::new();
    /// let url = format!("{}/api/accounts", emulator.base_url());
    /// assert_eq!(http.get(&url).bearer_auth(emulator.api_token()).send().await?.status(), 503);
    /// assert_eq!(http.get(&url).bearer_auth(emulator.api_token()).send().await?.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_fault(&self, spec: FaultSpec) -> Result<u64, FaultError> {
        let view = self.faults.add_http(spec)?;
        Ok(view
            .get("id")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0))
    }

    /// Adds an SMTP fault rule (as `POST /_emulator/smtp_faults` does); returns its id.
    ///
    /// ```
    /// use lettre::transport::smtp::authentication::Credentials;
    /// use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    /// use mailtrap_sandbox_emulator::{EmulatorConfig, SmtpFaultSpec, SmtpFaultStage};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// // Refuse `RCPT TO` for one domain, as a full or missing mailbox would be refused.
    /// let rule = SmtpFaultSpec::new(SmtpFaultStage::RcptTo, 550).matching("*@bounce.example");
    /// emulator.add_smtp_fault(rule.message("mailbox unavailable"))?;
    /// let sandbox = emulator.sandbox();
    /// let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
    ///     .port(emulator.smtp_addr().port())
    ///     .credentials(Credentials::new(sandbox.smtp_username.clone(), sandbox.smtp_password.clone()))
    ///     .build();
    /// let email = Message::builder()
    ///     .from("robot@shop.example".parse()?)
    ///     .to("gone@bounce.example".parse()?)
    ///     .subject("Welcome")
    ///     .body("Hello".to_owned())?;
    /// let refused = smtp.send(email).await.unwrap_err();
    /// assert_eq!(refused.status().map(|code| code.to_string()), Some("550".to_owned()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_smtp_fault(&self, spec: SmtpFaultSpec) -> Result<u64, FaultError> {
        let view = self.faults.add_smtp(spec)?;
        Ok(view
            .get("id")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0))
    }

    /// Removes every HTTP and SMTP fault rule.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::{EmulatorConfig, FaultSpec};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// emulator.add_fault(FaultSpec::fail(503))?;
    /// emulator.clear_faults();
    /// let url = format!("{}/api/accounts", emulator.base_url());
    /// let answer = reqwest::Client::new().get(url).bearer_auth(emulator.api_token()).send().await?;
    /// assert_eq!(answer.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn clear_faults(&self) {
        self.faults.clear_http();
        self.faults.clear_smtp();
    }

    /// Resolves when the emulator has stopped (after [`RunningEmulator::shutdown`] began, or
    /// because a server failed).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// // Serve until stopped (a program that only runs the emulator would just `.await` it).
    /// let waited = tokio::time::timeout(Duration::from_millis(20), emulator.stopped()).await;
    /// assert!(waited.is_err(), "still running");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stopped(&self) {
        self.shutdown.cancelled().await;
    }

    /// Stops the servers, waits (up to 5 s) for open connections, saves what is queued, and
    /// removes the temporary CA certificate of an in-memory run.
    ///
    /// ```
    /// use mailtrap_sandbox_emulator::EmulatorConfig;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = EmulatorConfig::ephemeral().start().await?;
    /// let addr = emulator.http_addr();
    /// emulator.shutdown().await;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        let tasks = std::mem::take(&mut self.tasks);
        for task in tasks {
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                tracing::warn!("a server did not stop within {SHUTDOWN_GRACE:?}");
            }
        }
        let store = Arc::clone(&self.store);
        let closed = tokio::task::spawn_blocking(move || store.close()).await;
        if let Err(e) = closed {
            tracing::error!(error = %e, "closing the store failed");
        }
        #[cfg(feature = "tls")]
        if let Some(temp_dir) = self.temp_dir.take() {
            let path = temp_dir.path().to_owned();
            if let Err(e) = temp_dir.close() {
                tracing::warn!(error = %e, path = %path.display(), "removing the temporary CA certificate failed");
            }
        }
        tracing::info!("emulator stopped");
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
