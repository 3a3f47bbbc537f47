//! STARTTLS at the protocol level: the session is reset, STARTTLS is no longer offered, and
//! the server certificate is signed by a throwaway local CA when `serve` runs on its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod smtp_support;

use std::sync::Arc;

use smtp_support::{ALPHA, Raw, start};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{CryptoProvider, aws_lc_rs};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, Error, SignatureScheme};

/// Accepts any certificate (`serve` on its own signs with a CA kept nowhere) but still checks
/// signatures.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        tokio_rustls::rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        tokio_rustls::rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

async fn reply<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> String {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        all.push_str(&line);
        if line.as_bytes().get(3) != Some(&b'-') {
            return all;
        }
    }
}

#[tokio::test]
async fn starttls_resets_the_session() {
    let server = start().await;
    let mut client = Raw::ehlo(server.addr).await;
    client.login("alpha", "alpha-pass").await;
    client.cmd("STARTTLS", "220 2.0.0").await;

    let provider = Arc::new(aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        .with_no_client_auth();
    let stream = client.reader.into_inner();
    let tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), stream)
        .await
        .unwrap();
    let (_, connection) = tls.get_ref();
    let certificate = connection.peer_certificates().unwrap()[0].clone();
    assert!(!certificate.is_empty());
    let mut tls = BufReader::new(tls);

    // Everything before STARTTLS is forgotten: a new EHLO and a new AUTH are needed.
    tls.get_mut()
        .write_all(b"MAIL FROM:<a@client.test>\r\n")
        .await
        .unwrap();
    assert!(reply(&mut tls).await.starts_with("503"));
    tls.get_mut()
        .write_all(b"EHLO client.test\r\n")
        .await
        .unwrap();
    let ehlo = reply(&mut tls).await;
    assert!(ehlo.starts_with("250"), "{ehlo}");
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(ehlo.contains("AUTH PLAIN LOGIN"), "{ehlo}");
    tls.get_mut().write_all(b"STARTTLS\r\n").await.unwrap();
    assert!(reply(&mut tls).await.starts_with("503"));
    tls.get_mut()
        .write_all(b"MAIL FROM:<a@client.test>\r\nRCPT TO:<x@y.test>\r\n")
        .await
        .unwrap();
    assert!(reply(&mut tls).await.starts_with("250"));
    let rcpt = reply(&mut tls).await;
    assert!(rcpt.starts_with("530"), "authentication was reset: {rcpt}");
    tls.get_mut().write_all(b"RSET\r\n").await.unwrap();
    assert!(reply(&mut tls).await.starts_with("250"));

    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode("\0alpha\0alpha-pass");
    tls.get_mut()
        .write_all(
            format!(
                "AUTH PLAIN {token}\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    for code in ["235", "250", "250", "354"] {
        let line = reply(&mut tls).await;
        assert!(line.starts_with(code), "expected {code}: {line}");
    }
    tls.get_mut()
        .write_all(b"Subject: tls\r\n\r\nsecret\r\n.\r\n")
        .await
        .unwrap();
    assert!(reply(&mut tls).await.starts_with("250"));
    let delivered = server.backend.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].sandbox, ALPHA);
}
