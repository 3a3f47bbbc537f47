//! Certificates for TLS: the local certificate authority, the server certificate it signs, and
//! the rustls server configuration both TLS servers (HTTPS and SMTP `STARTTLS`) are built with
//! (aws-lc-rs provider). Both serve the same certificate, so trusting the CA once is enough.
//!
//! The CA is generated once and, with a data directory, kept in `<data_dir>/tls/` so that a
//! user who trusted it keeps trusting the emulator across restarts. Its name constraints
//! limit it to `localhost` (and its subdomains), `127.0.0.0/8` and `::1`: a copy of its key
//! cannot vouch for any other site. The server certificate names `localhost`, `127.0.0.1` and
//! `::1`, lives 397 days (the longest any client accepts) and is issued again when less than
//! 30 days remain, when it is missing, or when it no longer matches the CA.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{Datelike as _, Days, NaiveDate, Utc};
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints,
};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::ServerCertVerifier as _;
use tokio_rustls::rustls::crypto::{CryptoProvider, aws_lc_rs};
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime,
};
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

/// The names the server certificate is valid for.
pub(crate) const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// The folder of the data directory holding the certificates.
pub(crate) const TLS_DIR: &str = "tls";
/// The CA certificate (PEM), the file users add to their trust store.
pub(crate) const CA_CERT_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
const SERVER_CERT_FILE: &str = "server.pem";
const SERVER_KEY_FILE: &str = "server-key.pem";

/// How long a new CA is valid.
const CA_LIFETIME_DAYS: u64 = 3650;
/// How long a server certificate is valid: Apple's limit for certificates issued since 2020.
const SERVER_LIFETIME_DAYS: u64 = 397;
/// A server certificate (or CA) closer than this to its end is replaced at start-up.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);

/// The aws-lc-rs provider (the only one this crate uses).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// A TLS server configuration for one certificate chain and its key, HTTP/1.1 by ALPN when
/// `alpn` is given.
pub(crate) fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    alpn: &[&[u8]],
) -> Result<ServerConfig, tokio_rustls::rustls::Error> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// A key pair's private key, as rustls takes it.
pub(crate) fn private_key(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

/// The certificates of the HTTPS listener and of `STARTTLS`, ready to serve.
pub(crate) struct TlsCertificates {
    /// The CA certificate, PEM.
    pub(crate) ca_pem: String,
    /// The server certificate chain (the server certificate alone: clients hold the CA).
    pub(crate) chain: Vec<CertificateDer<'static>>,
    /// The server certificate's key.
    pub(crate) key: PrivateKeyDer<'static>,
}

impl TlsCertificates {
    /// A TLS acceptor serving the server certificate (HTTP/1.1 by ALPN when `alpn` is given).
    pub(crate) fn acceptor(
        &self,
        alpn: &[&[u8]],
    ) -> Result<tokio_rustls::TlsAcceptor, tokio_rustls::rustls::Error> {
        let config = server_config(self.chain.clone(), self.key.clone_key(), alpn)?;
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }
}

impl std::fmt::Debug for TlsCertificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsCertificates")
            .field("ca_pem", &self.ca_pem)
            .field("key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Why the certificates could not be made or kept.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CertError {
    /// Generating or signing failed.
    #[error("could not generate the TLS certificates: {0}")]
    Generate(#[from] rcgen::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
}

/// Fresh certificates that are kept nowhere (in-memory runs).
pub(crate) fn generate() -> Result<TlsCertificates, CertError> {
    let ca = LocalCa::generate()?;
    let (cert, key) = ca.issue_server_certificate()?;
    Ok(TlsCertificates {
        ca_pem: ca.cert_pem,
        chain: vec![cert.der().clone()],
        key: private_key(&key),
    })
}

/// The certificates kept in `dir` (`<data_dir>/tls`), made (or renewed) as needed.
pub(crate) fn load_or_create(dir: &Path) -> Result<TlsCertificates, CertError> {
    crate::private_files::create_dir(dir).map_err(|source| io_error(dir, source))?;
    let ca_cert_path = dir.join(CA_CERT_FILE);
    let ca_key_path = dir.join(CA_KEY_FILE);
    let server_cert_path = dir.join(SERVER_CERT_FILE);
    let server_key_path = dir.join(SERVER_KEY_FILE);
    // Keys saved by an older version, or opened up by hand, are closed to others again.
    for key in [&ca_key_path, &server_key_path] {
        crate::private_files::restrict_file(key).map_err(|source| io_error(key, source))?;
    }

    let saved_ca = match (read_optional(&ca_cert_path)?, read_optional(&ca_key_path)?) {
        (Some(cert_pem), Some(key_pem)) => match LocalCa::load(cert_pem, &key_pem) {
            Ok(ca) => Some(ca),
            Err(error) => {
                tracing::warn!(
                    path = %ca_cert_path.display(),
                    %error,
                    "the saved local certificate authority cannot be read; generating a new one \
                     (trust the new CA certificate again)"
                );
                None
            }
        },
        (None, None) => None,
        _ => {
            tracing::warn!(
                dir = %dir.display(),
                "half of the saved local certificate authority is missing; generating a new one \
                 (trust the new CA certificate again)"
            );
            None
        }
    };

    if let Some(ca) = &saved_ca {
        // The saved server certificate, while it is valid, signed by this CA and not expiring.
        if let (Some(cert_pem), Some(key_pem)) = (
            read_optional(&server_cert_path)?,
            read_optional(&server_key_path)?,
        ) && let Some((cert, key)) = parse_server_pair(&cert_pem, &key_pem)
            && ca.accepts(&cert, &key)
        {
            return Ok(TlsCertificates {
                ca_pem: ca.cert_pem.clone(),
                chain: vec![cert],
                key,
            });
        }
    }

    let mut ca = match saved_ca {
        Some(ca) => ca,
        None => create_ca(&ca_cert_path, &ca_key_path)?,
    };
    let (mut cert, mut key) = ca.issue_server_certificate()?;
    if !ca.accepts(cert.der(), &private_key(&key)) {
        // A CA refuses a certificate it has just issued only when it expires soon, or when
        // its saved key is not the certificate's.
        tracing::warn!(
            path = %ca_cert_path.display(),
            "the saved local certificate authority expires soon or does not match its key; \
             generating a new one (trust the new CA certificate again)"
        );
        ca = create_ca(&ca_cert_path, &ca_key_path)?;
        (cert, key) = ca.issue_server_certificate()?;
    }
    write_file(&server_key_path, key.serialize_pem().as_bytes(), true)?;
    write_file(&server_cert_path, cert.pem().as_bytes(), false)?;
    tracing::info!(path = %server_cert_path.display(), "issued a new TLS server certificate");
    Ok(TlsCertificates {
        ca_pem: ca.cert_pem,
        chain: vec![cert.der().clone()],
        key: private_key(&key),
    })
}

fn create_ca(cert_path: &Path, key_path: &Path) -> Result<LocalCa, CertError> {
    let ca = LocalCa::generate()?;
    write_file(key_path, ca.issuer.key().serialize_pem().as_bytes(), true)?;
    write_file(cert_path, ca.cert_pem.as_bytes(), false)?;
    tracing::info!(path = %cert_path.display(), "generated a new local certificate authority");
    Ok(ca)
}

/// The local certificate authority.
struct LocalCa {
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl LocalCa {
    fn generate() -> Result<Self, rcgen::Error> {
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        // A suffix tells apart the CAs of several emulators in a trust store.
        name.push(
            DnType::CommonName,
            format!(
                "Mailtrap Sandbox emulator local CA {:08x}",
                fastrand::u32(..)
            ),
        );
        name.push(DnType::OrganizationName, "mailtrap-sandbox-emulator");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![
                GeneralSubtree::DnsName("localhost".to_owned()),
                GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([127, 0, 0, 0], 8)),
                GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix(
                    std::net::Ipv6Addr::LOCALHOST.octets(),
                    128,
                )),
            ],
            excluded_subtrees: Vec::new(),
        });
        set_validity(&mut params, CA_LIFETIME_DAYS);
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    fn load(cert_pem: String, key_pem: &str) -> Result<Self, rcgen::Error> {
        let key = KeyPair::from_pem(key_pem)?;
        let cert_der =
            first_certificate(&cert_pem).ok_or(rcgen::Error::CouldNotParseCertificate)?;
        let issuer = Issuer::from_ca_cert_der(&cert_der, key)?;
        Ok(Self {
            cert_pem,
            cert_der,
            issuer,
        })
    }

    fn issue_server_certificate(&self) -> Result<(Certificate, KeyPair), rcgen::Error> {
        let mut params = CertificateParams::new(SERVER_NAMES.map(str::to_owned).to_vec())?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "localhost");
        name.push(DnType::OrganizationName, "mailtrap-sandbox-emulator");
        params.distinguished_name = name;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        set_validity(&mut params, SERVER_LIFETIME_DAYS);
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok((cert, key))
    }

    /// Whether a client trusting this CA accepts `cert` for every server name, now and in
    /// [`RENEW_BEFORE`], and whether `key` is its key.
    fn accepts(&self, cert: &CertificateDer<'static>, key: &PrivateKeyDer<'static>) -> bool {
        if server_config(vec![cert.clone()], key.clone_key(), &[]).is_err() {
            return false;
        }
        let mut roots = RootCertStore::empty();
        if roots.add(self.cert_der.clone()).is_err() {
            return false;
        }
        let Ok(verifier) =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build()
        else {
            return false;
        };
        let now = SystemTime::now();
        let times = [now, now + RENEW_BEFORE].map(unix_time);
        SERVER_NAMES.iter().all(|name| {
            ServerName::try_from(*name).is_ok_and(|server_name| {
                times.iter().all(|time| {
                    verifier
                        .verify_server_cert(cert, &[], &server_name, &[], *time)
                        .is_ok()
                })
            })
        })
    }
}

fn unix_time(time: SystemTime) -> UnixTime {
    UnixTime::since_unix_epoch(
        time.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default(),
    )
}

/// Valid from yesterday (clocks differ a little) to `days` from today.
fn set_validity(params: &mut CertificateParams, days: u64) {
    let today = Utc::now().date_naive();
    let start = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    let end = today.checked_add_days(Days::new(days)).unwrap_or(today);
    let ymd = |date: NaiveDate| {
        // Months and days always fit in a u8.
        rcgen::date_time_ymd(
            date.year(),
            u8::try_from(date.month()).unwrap_or(1),
            u8::try_from(date.day()).unwrap_or(1),
        )
    };
    params.not_before = ymd(start);
    params.not_after = ymd(end);
}

/// The saved server certificate and key, when both parse.
fn parse_server_pair(
    cert_pem: &str,
    key_pem: &str,
) -> Option<(CertificateDer<'static>, PrivateKeyDer<'static>)> {
    let cert = first_certificate(cert_pem)?;
    let key = KeyPair::from_pem(key_pem).ok()?;
    Some((cert, private_key(&key)))
}

/// The first `CERTIFICATE` block of a PEM text.
fn first_certificate(text: &str) -> Option<CertificateDer<'static>> {
    use tokio_rustls::rustls::pki_types::pem::PemObject as _;
    CertificateDer::pem_slice_iter(text.as_bytes())
        .next()
        .and_then(Result::ok)
}

fn io_error(path: &Path, source: io::Error) -> CertError {
    CertError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The file's text, or `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, CertError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        // Not UTF-8, so not PEM: present but unusable, like any other garbage.
        Err(error) if error.kind() == io::ErrorKind::InvalidData => Ok(Some(String::new())),
        Err(error) => Err(io_error(path, error)),
    }
}

/// Writes a file whole (through a temporary file and a rename); `private` files are readable
/// by their owner only (on Unix).
pub(crate) fn write_file(path: &Path, contents: &[u8], private: bool) -> Result<(), CertError> {
    let temporary = path.with_extension("tmp");
    let written = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(if private { 0o600 } else { 0o644 });
        }
        #[cfg(not(unix))]
        let _ = private;
        // A leftover from an interrupted write would keep its old permissions.
        match fs::remove_file(&temporary) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        let mut file = options.open(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    written.map_err(|source| io_error(path, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_ca_accepts_its_server_certificate_for_every_name() {
        let ca = LocalCa::generate().unwrap();
        let (cert, key) = ca.issue_server_certificate().unwrap();
        assert!(ca.accepts(cert.der(), &private_key(&key)));
        let other = LocalCa::generate().unwrap();
        assert!(!other.accepts(cert.der(), &private_key(&key)), "another CA");
        let (_, other_key) = ca.issue_server_certificate().unwrap();
        assert!(
            !ca.accepts(cert.der(), &private_key(&other_key)),
            "another key"
        );
    }

    #[test]
    fn a_saved_ca_signs_certificates_its_clients_accept() {
        let ca = LocalCa::generate().unwrap();
        let reloaded =
            LocalCa::load(ca.cert_pem.clone(), &ca.issuer.key().serialize_pem()).unwrap();
        let (cert, key) = reloaded.issue_server_certificate().unwrap();
        assert!(ca.accepts(cert.der(), &private_key(&key)));
    }

    #[test]
    fn pem_round_trips() {
        let ca = LocalCa::generate().unwrap();
        assert_eq!(first_certificate(&ca.cert_pem).unwrap(), ca.cert_der);
        assert!(first_certificate("not a certificate").is_none());
    }
}
