//! A TCP listener whose connections can be closed from inside a request, without an answer
//! (the `drop` fault). Each accepted stream shares a switch with its [`ConnInfo`], which handlers
//! get as `ConnectInfo<ConnInfo>`; once the switch is on, every read and write of the stream
//! fails, so the server abandons the connection and the socket is closed. The HTTPS listener
//! runs TLS over the same streams ([`killable`]), so the switch works there too.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Pause after a failed `accept` (out of file descriptors, say) before trying again.
pub(crate) const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Wraps an accepted connection: the stream, and the information that can close it.
pub(crate) fn killable(stream: TcpStream, remote: SocketAddr) -> (KillableStream, ConnInfo) {
    // Small answers should not wait for Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    let switch = Arc::new(AtomicBool::new(false));
    (
        KillableStream {
            inner: stream,
            switch: Arc::clone(&switch),
        },
        ConnInfo { remote, switch },
    )
}

/// The listener.
#[derive(Debug)]
pub(crate) struct KillableListener(pub(crate) TcpListener);

/// The peer address and the switch of one connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    pub(crate) remote: SocketAddr,
    switch: Arc<AtomicBool>,
}

impl ConnInfo {
    /// The information of a listener (its own address, a switch that is never used).
    pub(crate) fn of_listener(local: SocketAddr) -> Self {
        Self {
            remote: local,
            switch: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Closes the connection without answering.
    pub(crate) fn drop_connection(&self) {
        self.switch.store(true, Ordering::SeqCst);
    }
}

/// A TCP stream that fails once its switch is on.
#[derive(Debug)]
pub(crate) struct KillableStream {
    inner: TcpStream,
    switch: Arc<AtomicBool>,
}

impl KillableStream {
    fn killed(&self) -> bool {
        self.switch.load(Ordering::SeqCst)
    }
}

fn aborted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by an emulator fault rule",
    )
}

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = ConnInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, remote)) => return killable(stream, remote),
                Err(e) => {
                    tracing::warn!(error = %e, "accepting an HTTP connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<ConnInfo> {
        Ok(ConnInfo::of_listener(self.0.local_addr()?))
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.killed() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
