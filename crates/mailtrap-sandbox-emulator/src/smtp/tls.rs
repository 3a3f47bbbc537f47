//! `STARTTLS`: the acceptor that upgrades a session (rustls with the aws-lc-rs provider, the
//! configuration the HTTPS listener uses too). Without the `tls` feature there is no acceptor,
//! so `STARTTLS` is never offered.

#[cfg(feature = "tls")]
pub(crate) use tokio_rustls::TlsAcceptor as Acceptor;

/// Stands for the acceptor when the crate is built without TLS: it has no value, so a session
/// never has one.
#[cfg(not(feature = "tls"))]
#[derive(Debug, Clone)]
pub(crate) enum Acceptor {}

/// An acceptor for a server certificate signed by a fresh local certificate authority that is
/// kept nowhere ([`crate::smtp::serve`] on its own; the emulator passes the one of its CA).
#[cfg(feature = "tls")]
pub(crate) fn throwaway_acceptor() -> std::io::Result<Acceptor> {
    let certificates = crate::certs::generate().map_err(std::io::Error::other)?;
    certificates.acceptor(&[]).map_err(std::io::Error::other)
}
