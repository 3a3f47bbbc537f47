//! The SMTP server.
//!
//! SEAM (keep these names and signatures): the store implements [`SmtpBackend`]; the emulator's
//! start-up calls [`serve`] with a bound listener.
//!
//! # Behaviour
//!
//! Sandbox SMTP as Mailtrap runs it: a client logs in with a sandbox's SMTP username and
//! password (`AUTH PLAIN`, initial response or continuation, or `AUTH LOGIN`) and every message
//! it sends lands in that sandbox, whatever the recipients. Without logging in, a message is
//! accepted only for recipients that are a sandbox's enabled email address
//! ([`SmtpBackend::sandbox_for_address`]), and lands in each sandbox so addressed.
//! The message is stored byte for byte as received (after dot-unstuffing; no `Received:` header
//! is added); the envelope (MAIL FROM, every RCPT TO, client IP) travels beside it.
//!
//! `EHLO` advertises `PIPELINING`, `SIZE <max_message_bytes>`, `8BITMIME`, `SMTPUTF8`,
//! `ENHANCEDSTATUSCODES`, `AUTH PLAIN LOGIN`, `STARTTLS` (with the `tls` feature, until TLS is
//! on) and `HELP`. The emulator's `STARTTLS` certificate is signed by its local CA
//! ([`crate::RunningEmulator::ca_cert_pem`]); [`serve`] on its own signs with a CA that it makes
//! at start and keeps nowhere. After `STARTTLS` the session is reset and the client must send
//! `EHLO` again; any plaintext pipelined after `STARTTLS` is discarded.
//!
//! A refused recipient (over the recipient limit, not a sandbox's address without logging in,
//! refused by a fault rule) is an answer about that address: it does not count as a failed
//! command, so the message is still delivered to the accepted recipients, up to 1,000
//! `RCPT TO` past [`SmtpConfig::max_recipients`] per message. Each session holds one of
//! [`SmtpConfig::max_connections`] slots until it ends, and gives it back before its last reply.
//!
//! # Replies
//!
//! | situation | reply |
//! |---|---|
//! | greeting | `220 <hostname> ESMTP Mailtrap Sandbox emulator ready` |
//! | unknown command | `500 5.5.2 Command unrecognized` |
//! | EXPN, ETRN, ATRN, BDAT, BURL, LHLO | `502 5.5.1 Command not implemented` |
//! | syntax error in arguments | `501 5.5.4 Syntax: …`, bad addresses `501 5.1.7` / `501 5.1.3` |
//! | unsupported MAIL/RCPT parameter | `555 5.5.4 Unsupported parameter …` |
//! | `STARTTLS` with parameters | `501 5.5.4` |
//! | command out of order (MAIL before EHLO, RCPT before MAIL, DATA before RCPT, nested MAIL, AUTH twice or during a transaction) | `503 5.5.1 …` |
//! | AUTH ok / wrong credentials | `235 2.7.0` / `535 5.7.8 Authentication credentials invalid` |
//! | AUTH with bad base64 or malformed PLAIN / cancelled with `*` | `501 5.5.2` / `501 5.7.0` |
//! | AUTH mechanism other than PLAIN, LOGIN | `504 5.5.4` |
//! | RCPT without AUTH, to an address that is no sandbox's | `530 5.7.0 Authentication required` |
//! | too many recipients ([`SmtpConfig::max_recipients`]) | `452 4.5.3 Too many recipients` (not a failed command) |
//! | declared `SIZE=` or actual data over the sandbox's `max_message_size` (or [`SmtpConfig::max_message_bytes`]) | `552 5.3.4` |
//! | data line over [`DATA_LINE_LIMIT`] octets | `500 5.5.2` after the final dot (nothing stored) |
//! | command line over [`COMMAND_LINE_LIMIT`] octets | `500 5.5.2 Line too long`; `421` and close when no line end follows within 64 KiB |
//! | delivered | `250 2.0.0 Ok: queued as <id>[, <id>…]` (after [`SmtpBackend::deliver`] returned) |
//! | delivery failed | `TooLarge` → `552 5.3.4`, `NoSuchSandbox` → `550 5.1.1`, `Storage` → `451 4.3.0` |
//! | VRFY / HELP / NOOP / RSET / QUIT | `252 2.5.0` / `214 2.0.0` / `250 2.0.0` / `250 2.0.0` / `221 2.0.0` |
//! | fault rule ([`SmtpBackend::smtp_fault`]) at AUTH, MAIL FROM, RCPT TO | its own code and text (`421` also closes) |
//! | no complete line (command, or line inside `DATA`) within [`SmtpConfig::idle_timeout`] | `421 4.4.2 … timeout` and close (nothing stored) |
//! | `DATA` longer than 600 s in all | `421 4.4.2` and close (nothing stored) |
//! | replies left unread for [`SmtpConfig::idle_timeout`] | close |
//! | 20 failed commands in a row (refused recipients aside), or [`SmtpConfig::max_commands_per_message`] commands without a delivery | `421 4.7.0` and close |
//! | more than [`SmtpConfig::max_connections`] sessions | `421 4.7.0 Too many connections` and close |
//! | server shutting down | `421 4.3.2 Service shutting down` at the next command |

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

// What a delivery hands to the store, and what the store answers, live one layer below both
// (the store implements the backend without depending on this server); they are part of this
// module's public interface all the same.
pub use crate::delivery::{DeliveryError, Envelope, SmtpBackend, SmtpStage};

mod auth;
mod conn;
mod server;
mod session;
mod tls;

/// Longest command line accepted, CRLF included (as smtp-proto's own receiver; long enough for
/// an `AUTH PLAIN` initial response).
pub const COMMAND_LINE_LIMIT: usize = 4096;
/// Longest line accepted inside `DATA`, CRLF included. RFC 5321 asks for 1000, but generated
/// HTML often has longer lines, and a test sandbox should accept what a real relay would.
pub const DATA_LINE_LIMIT: usize = 1024 * 1024;

/// Server settings. Construct with `..SmtpConfig::default()` so that new settings keep working.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Name in the greeting and `EHLO` reply.
    pub hostname: String,
    /// Most recipients per message.
    pub max_recipients: usize,
    /// Largest message accepted whatever the sandbox (advertised in `EHLO` as `SIZE`).
    pub max_message_bytes: u64,
    /// How long the client may take to send a whole line (a command, or a line inside `DATA`),
    /// or to read its replies.
    pub idle_timeout: Duration,
    /// Most commands a session may send without delivering a message (NOOP loops and the
    /// like); `RCPT TO` commands do not count (up to `max_recipients` plus 1,000 per message).
    pub max_commands_per_message: usize,
    /// Most sessions at once; more are told `421` and closed.
    pub max_connections: usize,
    /// Whether `STARTTLS` is offered (only ever with the crate's `tls` feature).
    pub starttls: bool,
    /// On shutdown, how long to let running sessions finish before they are dropped.
    pub shutdown_grace: Duration,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            hostname: "localhost".to_owned(),
            max_recipients: 100,
            max_message_bytes: 50 * 1024 * 1024,
            idle_timeout: Duration::from_secs(300),
            max_commands_per_message: 100,
            max_connections: 512,
            starttls: true,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Accepts SMTP sessions on `listener` until `shutdown` is cancelled, then stops accepting,
/// tells idle sessions `421` and waits up to [`SmtpConfig::shutdown_grace`] for sessions to end.
///
/// Fails only when the TLS certificate for `STARTTLS` cannot be generated (with `starttls` on
/// and the `tls` feature).
pub async fn serve<B: SmtpBackend>(
    listener: TcpListener,
    backend: Arc<B>,
    config: SmtpConfig,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    #[cfg(feature = "tls")]
    let acceptor = if config.starttls {
        Some(tls::throwaway_acceptor()?)
    } else {
        None
    };
    #[cfg(not(feature = "tls"))]
    let acceptor = None;
    server::run(listener, backend, config, acceptor, shutdown).await
}

/// [`serve`] with the emulator's `STARTTLS` acceptor (its certificate signed by the local CA),
/// used when `config.starttls` is on.
#[cfg(feature = "tls")]
pub(crate) async fn serve_with_tls<B: SmtpBackend>(
    listener: TcpListener,
    backend: Arc<B>,
    config: SmtpConfig,
    acceptor: tls::Acceptor,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let acceptor = config.starttls.then_some(acceptor);
    server::run(listener, backend, config, acceptor, shutdown).await
}
