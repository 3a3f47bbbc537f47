//! The accept loop: one task per session, a connection limit, graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::session::Session;
use super::tls::Acceptor;
use super::{SmtpBackend, SmtpConfig};

/// Pause after a failed `accept` (out of file descriptors, say) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// How long telling a connection over the limit `421` may take.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) async fn run<B: SmtpBackend>(
    listener: TcpListener,
    backend: Arc<B>,
    config: SmtpConfig,
    acceptor: Option<Acceptor>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let config = Arc::new(config);
    // One permit per session, given back as soon as the session has ended (before its last
    // reply is written, so that a client that saw it end finds the slot free).
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let mut sessions: JoinSet<()> = JoinSet::new();
    tracing::info!(address = ?listener.local_addr().ok(), "SMTP server listening");

    loop {
        // Forget finished tasks so that the set does not grow.
        while sessions.try_join_next().is_some() {}
        let accepted = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(%error, "SMTP accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            sessions.spawn(refuse(stream));
            continue;
        };
        let session = Session::new(
            stream,
            peer.ip(),
            Arc::clone(&backend),
            Arc::clone(&config),
            acceptor.clone(),
            shutdown.clone(),
        );
        sessions.spawn(
            session
                .run(slot)
                .instrument(tracing::debug_span!("smtp_session", client = %peer.ip())),
        );
    }

    drop(listener);
    tracing::info!(sessions = sessions.len(), "SMTP server stopping");
    let drained = tokio::time::timeout(config.shutdown_grace, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            sessions = sessions.len(),
            "SMTP sessions still running after the grace period; dropping them"
        );
        sessions.shutdown().await;
    }
    Ok(())
}

/// Turns away a connection over the limit.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, async {
        let _ = stream
            .write_all(b"421 4.7.0 Too many connections, try again later\r\n")
            .await;
        let _ = stream.shutdown().await;
    })
    .await;
}
