//! The `STARTTLS` certificate: self-signed, generated at start-up with `rcgen`, served by
//! `tokio-rustls` with the aws-lc-rs provider (the configuration the HTTPS listener uses too).

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

use crate::certs;

/// Builds a TLS acceptor for a fresh self-signed certificate naming `hostname`, `localhost`
/// and the loopback addresses.
pub(crate) fn self_signed_acceptor(hostname: &str) -> std::io::Result<TlsAcceptor> {
    let mut names = vec![hostname.to_owned()];
    for name in certs::SERVER_NAMES {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
    }
    let certified = rcgen::generate_simple_self_signed(names).map_err(|error| {
        std::io::Error::other(format!(
            "could not generate the STARTTLS certificate: {error}"
        ))
    })?;
    let config = certs::server_config(
        vec![certified.cert.der().clone()],
        certs::private_key(&certified.signing_key),
        &[],
    )
    .map_err(|error| std::io::Error::other(format!("could not set up STARTTLS: {error}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
