//! Starting and stopping the emulator.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::EmulatorConfig;
use crate::conn::{ConnInfo, KillableListener};
use crate::error::StartError;
use crate::faults::{FaultError, FaultRegistry, FaultSpec, SmtpFaultSpec};
use crate::http::{self, AppState, Shared};
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
}

/// Starts the emulator: binds both listeners, opens the store (loading the data directory if
/// one is given), and serves until [`RunningEmulator::shutdown`].
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, StartError> {
    config.validate()?;
    let http_listener = TcpListener::bind(config.http_addr)
        .await
        .map_err(|source| StartError::Bind {
            service: "HTTP",
            addr: config.http_addr,
            source,
        })?;
    let smtp_listener = TcpListener::bind(config.smtp_addr)
        .await
        .map_err(|source| StartError::Bind {
            service: "SMTP",
            addr: config.smtp_addr,
            source,
        })?;
    let local = |l: &TcpListener, addr: SocketAddr| {
        l.local_addr().map_err(|source| StartError::Bind {
            service: "HTTP",
            addr,
            source,
        })
    };
    let http_addr = local(&http_listener, config.http_addr)?;
    let smtp_addr = local(&smtp_listener, config.smtp_addr)?;
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
    let summary = summarize(&store, &info, http_addr, smtp_addr, &config);

    let shutdown = CancellationToken::new();
    let app = http::router(AppState::new(Shared {
        store: Arc::clone(&store),
        faults: Arc::clone(&faults),
        limiter: RateLimiter::new(config.enforce_rate_limit),
        account_id: seed::ACCOUNT_ID,
        organization_id: seed::ORGANIZATION_ID,
        summary: summary.clone(),
    }));
    let http_task = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let served = axum::serve(
                KillableListener(http_listener),
                app.into_make_service_with_connect_info::<ConnInfo>(),
            )
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the HTTP server stopped");
            }
            shutdown.cancel();
        })
    };
    let smtp_task = {
        let shutdown = shutdown.clone();
        let backend = Arc::clone(&store);
        let smtp_config = SmtpConfig {
            hostname: config.smtp_hostname.clone(),
            ..SmtpConfig::default()
        };
        tokio::spawn(async move {
            if let Err(e) = smtp::serve(smtp_listener, backend, smtp_config, shutdown.clone()).await
            {
                tracing::error!(error = %e, "the SMTP server stopped");
            }
            shutdown.cancel();
        })
    };
    tracing::info!(%http_addr, %smtp_addr, "emulator started");
    Ok(RunningEmulator {
        summary,
        store,
        faults,
        shutdown,
        tasks: vec![http_task, smtp_task],
    })
}

fn host_of(ip: IpAddr) -> String {
    if ip.is_unspecified() {
        "localhost".to_owned()
    } else {
        ip.to_string()
    }
}

fn server_info(http: SocketAddr, smtp: SocketAddr) -> ServerInfo {
    let http_host = match http.ip() {
        IpAddr::V6(ip) if !ip.is_unspecified() => format!("[{ip}]:{}", http.port()),
        ip => format!("{}:{}", host_of(ip), http.port()),
    };
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
    http_addr: SocketAddr,
    smtp_addr: SocketAddr,
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
    pub fn summary(&self) -> &StartupSummary {
        &self.summary
    }

    /// The HTTP address (with the real port when port 0 was asked for).
    pub fn http_addr(&self) -> SocketAddr {
        self.summary.http_addr
    }

    /// The SMTP address.
    pub fn smtp_addr(&self) -> SocketAddr {
        self.summary.smtp_addr
    }

    /// `http://127.0.0.1:<port>`: the base URL of the management and the sending API.
    pub fn base_url(&self) -> &str {
        &self.summary.base_url
    }

    /// The API token the emulator was started with.
    pub fn api_token(&self) -> &str {
        &self.summary.api_token
    }

    /// The account id.
    pub fn account_id(&self) -> u64 {
        self.summary.account_id
    }

    /// The seeded project.
    pub fn project(&self) -> &SeededProject {
        &self.summary.project
    }

    /// The seeded sandbox.
    pub fn sandbox(&self) -> &SeededSandbox {
        &self.summary.sandbox
    }

    /// The uuid of the example template.
    pub fn template_uuid(&self) -> &str {
        &self.summary.template_uuid
    }

    /// The store, which implements [`crate::smtp::SmtpBackend`]: messages can be delivered to
    /// it directly, as the SMTP server does.
    pub fn store(&self) -> Arc<Store> {
        Arc::clone(&self.store)
    }

    /// Adds an HTTP fault rule (as `POST /_emulator/faults` does); returns its id.
    pub fn add_fault(&self, spec: FaultSpec) -> Result<u64, FaultError> {
        let view = self.faults.add_http(spec)?;
        Ok(view
            .get("id")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0))
    }

    /// Adds an SMTP fault rule (as `POST /_emulator/smtp_faults` does); returns its id.
    pub fn add_smtp_fault(&self, spec: SmtpFaultSpec) -> Result<u64, FaultError> {
        let view = self.faults.add_smtp(spec)?;
        Ok(view
            .get("id")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0))
    }

    /// Removes every HTTP and SMTP fault rule.
    pub fn clear_faults(&self) {
        self.faults.clear_http();
        self.faults.clear_smtp();
    }

    /// Resolves when the emulator has stopped (after [`RunningEmulator::shutdown`] began, or
    /// because a server failed).
    pub async fn stopped(&self) {
        self.shutdown.cancelled().await;
    }

    /// Stops both servers, waits (up to 5 s) for open connections, and saves what is queued.
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
        tracing::info!("emulator stopped");
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
