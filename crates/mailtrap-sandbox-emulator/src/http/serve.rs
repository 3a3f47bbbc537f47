//! Serving the router on a listener (plain or TLS) with hyper's HTTP/1.1 server, bounded:
//! at most [`MAX_CONNECTIONS`] connections at once, request heads of at most
//! [`MAX_HEAD_BYTES`], and a connection that sends no complete request head within the idle
//! timeout (a partial head, or nothing after its last answer) is closed. On shutdown, idle
//! connections close at once and requests in progress are answered first.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

use crate::conn::ConnInfo;

/// Most connections served at once per listener; more are closed as soon as they are accepted.
pub(crate) const MAX_CONNECTIONS: usize = 1024;
/// Largest request head (request line and headers) accepted; a larger one is answered `431`.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Serves `app` on `listener` until `shutdown` is cancelled, then waits for the connections
/// to finish.
pub(crate) async fn serve<L>(
    mut listener: L,
    app: Router,
    idle_timeout: Duration,
    shutdown: CancellationToken,
) where
    L: Listener<Addr = ConnInfo>,
{
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        // Forget finished tasks so that the set does not grow.
        while connections.try_join_next().is_some() {}
        let (io, info) = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(
                client = %info.remote,
                "more than {MAX_CONNECTIONS} HTTP connections; closing the new one"
            );
            continue;
        };
        let app = app.clone();
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            serve_connection(io, info, app, idle_timeout, shutdown).await;
            drop(slot);
        });
    }
    while connections.join_next().await.is_some() {}
}

async fn serve_connection<I>(
    io: I,
    info: ConnInfo,
    app: Router,
    idle_timeout: Duration,
    shutdown: CancellationToken,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let remote = info.remote;
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(info.clone()));
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.oneshot(request).await.unwrap_or_else(|e| match e {})) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(idle_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let served = tokio::select! {
        served = connection.as_mut() => served,
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = served {
        tracing::debug!(client = %remote, %error, "HTTP connection ended with an error");
    }
}
