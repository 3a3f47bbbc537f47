//! The HTTPS listener: TLS (rustls, aws-lc-rs) over the same killable connections as the HTTP
//! listener, serving the same router, so that everything (the `drop` fault included) behaves
//! the same on both. Handshakes run concurrently, each within [`HANDSHAKE_TIMEOUT`]; a client
//! that refuses the certificate or never finishes its handshake is logged at debug level and
//! forgotten.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use axum::serve::Listener;
use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::certs::TlsCertificates;
use crate::conn::{self, ACCEPT_BACKOFF, ConnInfo, KillableStream};

/// Longest time a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most handshakes in progress at once; connections beyond are closed at once.
const MAX_HANDSHAKES: usize = 256;

type Handshake =
    Pin<Box<dyn Future<Output = Option<(TlsStream<KillableStream>, ConnInfo)>> + Send>>;

/// The listener.
pub(crate) struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: FuturesUnordered<Handshake>,
}

impl std::fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListener")
            .field("tcp", &self.tcp)
            .field("handshakes", &self.handshakes.len())
            .finish_non_exhaustive()
    }
}

impl TlsListener {
    /// Serves `certificates` (HTTP/1.1) on a bound listener.
    pub(crate) fn new(
        tcp: TcpListener,
        certificates: &TlsCertificates,
    ) -> Result<Self, tokio_rustls::rustls::Error> {
        Ok(Self {
            tcp,
            acceptor: certificates.acceptor(&[b"http/1.1"])?,
            handshakes: FuturesUnordered::new(),
        })
    }

    fn start_handshake(&mut self, stream: tokio::net::TcpStream, remote: SocketAddr) {
        if self.handshakes.len() >= MAX_HANDSHAKES {
            tracing::warn!(client = %remote, "too many TLS handshakes in progress; closing");
            return;
        }
        let (stream, info) = conn::killable(stream, remote);
        let accepting = self.acceptor.accept(stream);
        self.handshakes.push(Box::pin(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, accepting).await {
                Ok(Ok(tls)) => Some((tls, info)),
                Ok(Err(error)) => {
                    tracing::debug!(client = %remote, %error, "TLS handshake failed");
                    None
                }
                Err(_) => {
                    tracing::debug!(client = %remote, "TLS handshake timed out");
                    None
                }
            }
        }));
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<KillableStream>;
    type Addr = ConnInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                accepted = self.tcp.accept() => match accepted {
                    Ok((stream, remote)) => self.start_handshake(stream, remote),
                    Err(error) => {
                        tracing::warn!(%error, "accepting an HTTPS connection failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                },
                Some(done) = self.handshakes.next(), if !self.handshakes.is_empty() => {
                    if let Some(ready) = done {
                        return ready;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<ConnInfo> {
        Ok(ConnInfo::of_listener(self.tcp.local_addr()?))
    }
}
