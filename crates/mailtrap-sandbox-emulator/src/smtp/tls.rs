//! The `STARTTLS` certificate: self-signed, generated at start-up with `rcgen`, served by
//! `tokio-rustls` with the aws-lc-rs provider.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// Builds a TLS acceptor for a fresh self-signed certificate naming `hostname`, `localhost`
/// and the loopback addresses.
pub(crate) fn self_signed_acceptor(hostname: &str) -> std::io::Result<TlsAcceptor> {
    let mut names = vec![
        hostname.to_owned(),
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    names.dedup();
    let certified = rcgen::generate_simple_self_signed(names).map_err(|error| {
        std::io::Error::other(format!(
            "could not generate the STARTTLS certificate: {error}"
        ))
    })?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|builder| {
            builder
                .with_no_client_auth()
                .with_single_cert(vec![certified.cert.der().clone()], key)
        })
        .map_err(|error| std::io::Error::other(format!("could not set up STARTTLS: {error}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
