//! One SMTP session: the command loop, AUTH, the transaction and DATA.
//! Replies are listed in the module documentation of [`crate::smtp`].

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use smtp_proto::{AUTH_LOGIN, AUTH_PLAIN, Error as ProtoError, Request};
use tokio::io::{AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use super::auth::{self, SaslError};
use super::conn::{Conn, Line, read_line};
use super::tls::Acceptor;
use super::{
    COMMAND_LINE_LIMIT, DATA_LINE_LIMIT, DeliveryError, Envelope, SmtpBackend, SmtpConfig,
    SmtpStage,
};

/// Failed commands in a row after which the session is closed.
const MAX_ERRORS_IN_A_ROW: u32 = 20;
/// How many `RCPT TO` commands past [`SmtpConfig::max_recipients`] one message may have before
/// they count as failed commands (each is refused with `452` either way), as Postfix's
/// `smtpd_recipient_overshoot_limit`.
pub(crate) const RECIPIENT_OVERSHOOT: usize = 1000;
/// How far past the command limit a runaway line is drained looking for its end.
const COMMAND_DRAIN: usize = 64 * 1024;
/// How long the TLS handshake may take.
#[cfg(feature = "tls")]
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one `DATA` may take in total.
const DATA_DEADLINE: Duration = Duration::from_secs(600);
/// Read buffer size.
const READ_BUFFER: usize = 16 * 1024;

/// What to do after a command.
enum Flow {
    Continue,
    Close,
    StartTls,
}

/// A mail transaction in progress (after MAIL FROM).
#[derive(Debug, Default)]
struct Transaction {
    mail_from: String,
    declared_size: u64,
    rcpt_to: Vec<String>,
    /// Sandboxes the message goes to, without repeats.
    targets: Vec<u64>,
    /// Smallest size limit among the targets and the server.
    size_limit: u64,
    /// `RCPT TO` commands so far, accepted or refused.
    rcpt_commands: usize,
}

pub(crate) struct Session<B> {
    reader: BufReader<Conn>,
    client_ip: IpAddr,
    backend: Arc<B>,
    config: Arc<SmtpConfig>,
    acceptor: Option<Acceptor>,
    shutdown: CancellationToken,
    out: Vec<u8>,
    line: Vec<u8>,
    tls: bool,
    helo: Option<String>,
    /// The sandbox this session logged in to.
    sandbox: Option<u64>,
    transaction: Option<Transaction>,
    errors_in_a_row: u32,
    /// Commands since the last delivery, `RCPT TO` not counted (they are bounded per message by
    /// [`SmtpConfig::max_recipients`] plus [`RECIPIENT_OVERSHOOT`]).
    commands_since_delivery: usize,
    /// Set by a `RCPT TO` within that bound so that it is not counted.
    uncounted: bool,
}

impl<B: SmtpBackend> Session<B> {
    pub(crate) fn new(
        stream: TcpStream,
        client_ip: IpAddr,
        backend: Arc<B>,
        config: Arc<SmtpConfig>,
        acceptor: Option<Acceptor>,
        shutdown: CancellationToken,
    ) -> Self {
        let _ = stream.set_nodelay(true);
        Self {
            reader: BufReader::with_capacity(READ_BUFFER, Conn::Plain(stream)),
            client_ip,
            backend,
            config,
            acceptor,
            shutdown,
            out: Vec::with_capacity(512),
            line: Vec::with_capacity(1024),
            tls: false,
            helo: None,
            sandbox: None,
            transaction: None,
            errors_in_a_row: 0,
            commands_since_delivery: 0,
            uncounted: false,
        }
    }

    /// Runs the session to its end, holding `slot` (its place under the connection limit)
    /// until the session is over. Never panics; I/O errors end the session.
    pub(crate) async fn run(mut self, slot: OwnedSemaphorePermit) {
        let greeting = format!(
            "{} ESMTP Mailtrap Sandbox emulator ready",
            self.config.hostname
        );
        self.reply(220, "", &greeting);
        if let Err(error) = self.command_loop().await {
            tracing::debug!(%error, "SMTP session ended with an I/O error");
        }
        drop(slot);
        let _ = self.flush().await;
        let _ =
            tokio::time::timeout(self.config.idle_timeout, self.reader.get_mut().shutdown()).await;
    }

    async fn command_loop(&mut self) -> std::io::Result<()> {
        loop {
            if self.reader.buffer().is_empty() {
                self.flush().await?;
            }
            let idle = self.config.idle_timeout;
            let read = tokio::select! {
                biased;
                () = self.shutdown.cancelled() => {
                    self.reply(421, "4.3.2", "Service shutting down, closing connection");
                    return Ok(());
                }
                read = tokio::time::timeout(
                    idle,
                    read_line(&mut self.reader, &mut self.line, COMMAND_LINE_LIMIT, COMMAND_DRAIN),
                ) => read,
            };
            let Ok(read) = read else {
                self.reply(421, "4.4.2", "Idle timeout exceeded, closing connection");
                return Ok(());
            };
            match read? {
                Line::Eof => return Ok(()),
                Line::Runaway => {
                    self.reply(421, "4.7.0", "Line too long, closing connection");
                    return Ok(());
                }
                Line::TooLong => {
                    let text = format!("Line too long (limit {COMMAND_LINE_LIMIT} octets)");
                    self.fail(500, "5.5.2", &text);
                }
                Line::Complete => match self.command().await? {
                    Flow::Continue => {}
                    Flow::Close => return Ok(()),
                    Flow::StartTls => self.start_tls().await?,
                },
            }
            if self.errors_in_a_row >= MAX_ERRORS_IN_A_ROW {
                self.reply(421, "4.7.0", "Too many errors, closing connection");
                return Ok(());
            }
            if !std::mem::take(&mut self.uncounted) {
                self.commands_since_delivery += 1;
            }
            if self.commands_since_delivery > self.config.max_commands_per_message {
                self.reply(
                    421,
                    "4.7.0",
                    "Too many commands without a message, closing connection",
                );
                return Ok(());
            }
        }
    }

    /// Handles the command in `self.line`.
    async fn command(&mut self) -> std::io::Result<Flow> {
        let line = std::mem::take(&mut self.line);
        let parsed = Request::parse(&mut line.iter()).map(Request::into_owned);
        self.line = line;
        let request = match parsed {
            Ok(request) => request,
            Err(error) => {
                self.protocol_error(&error);
                return Ok(Flow::Continue);
            }
        };
        let flow = match request {
            Request::Ehlo { host } => {
                self.ehlo(host);
                Flow::Continue
            }
            Request::Helo { host } => {
                self.reset_for_greeting(host);
                let text = self.config.hostname.clone();
                self.ok(250, "", &text);
                Flow::Continue
            }
            Request::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, initial_response).await?,
            Request::Mail { from } => {
                self.mail(from.address, u64::try_from(from.size).unwrap_or(u64::MAX))
                    .await
            }
            Request::Rcpt { to } => {
                let errors_before = self.errors_in_a_row;
                let flow = self.rcpt(to.address).await;
                if let Some(transaction) = self.transaction.as_mut() {
                    transaction.rcpt_commands = transaction.rcpt_commands.saturating_add(1);
                    let allowed = self
                        .config
                        .max_recipients
                        .saturating_add(RECIPIENT_OVERSHOOT);
                    if transaction.rcpt_commands <= allowed {
                        // A refused recipient is an answer about that address, not a sign of
                        // a broken client: the message still goes to the accepted ones.
                        self.errors_in_a_row = self.errors_in_a_row.min(errors_before);
                        self.uncounted = true;
                    }
                }
                flow
            }
            Request::Data => self.data().await?,
            Request::StartTls if has_arguments(&self.line) => {
                self.fail(501, "5.5.4", "Syntax: STARTTLS takes no parameters");
                Flow::Continue
            }
            Request::StartTls => self.starttls(),
            Request::Rset => {
                self.transaction = None;
                self.ok(250, "2.0.0", "Ok");
                Flow::Continue
            }
            Request::Noop { .. } => {
                self.ok(250, "2.0.0", "Ok");
                Flow::Continue
            }
            Request::Vrfy { .. } => {
                self.ok(
                    252,
                    "2.5.0",
                    "Cannot VRFY user, but will accept message and attempt delivery",
                );
                Flow::Continue
            }
            Request::Help { .. } => {
                self.ok(
                    214,
                    "2.0.0",
                    "Commands: EHLO HELO AUTH STARTTLS MAIL RCPT DATA RSET NOOP VRFY HELP QUIT",
                );
                Flow::Continue
            }
            Request::Quit => {
                self.reply(221, "2.0.0", "Bye");
                Flow::Close
            }
            Request::Lhlo { .. }
            | Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. }
            | Request::Bdat { .. } => {
                self.fail(502, "5.5.1", "Command not implemented");
                Flow::Continue
            }
        };
        Ok(flow)
    }

    fn protocol_error(&mut self, error: &ProtoError) {
        match error {
            ProtoError::UnknownCommand | ProtoError::NeedsMoreData { .. } => {
                self.fail(500, "5.5.2", "Command unrecognized");
            }
            ProtoError::InvalidSenderAddress => {
                self.fail(501, "5.1.7", "Bad sender address syntax");
            }
            ProtoError::InvalidRecipientAddress => {
                self.fail(501, "5.1.3", "Bad recipient address syntax");
            }
            ProtoError::SyntaxError { syntax } => {
                let text = format!("Syntax: {syntax}");
                self.fail(501, "5.5.4", &text);
            }
            ProtoError::InvalidParameter { param } => {
                let text = format!("Invalid parameter {param}");
                self.fail(501, "5.5.4", &text);
            }
            ProtoError::UnsupportedParameter { param } => {
                let text = format!("Unsupported parameter {param}");
                self.fail(555, "5.5.4", &text);
            }
            ProtoError::ResponseTooLong | ProtoError::InvalidResponse { .. } => {
                self.fail(500, "5.5.2", "Command unrecognized");
            }
        }
    }

    fn reset_for_greeting(&mut self, host: String) {
        self.helo = Some(host);
        self.transaction = None;
    }

    fn ehlo(&mut self, host: String) {
        self.reset_for_greeting(host);
        let mut lines = vec![
            format!("{} Hello {}", self.config.hostname, self.client_ip),
            "PIPELINING".to_owned(),
            format!("SIZE {}", self.config.max_message_bytes),
            "8BITMIME".to_owned(),
            "SMTPUTF8".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
            "AUTH PLAIN LOGIN".to_owned(),
        ];
        if self.acceptor.is_some() && !self.tls {
            lines.push("STARTTLS".to_owned());
        }
        lines.push("HELP".to_owned());
        let last = lines.len().saturating_sub(1);
        for (index, line) in lines.iter().enumerate() {
            let separator = if index == last { ' ' } else { '-' };
            self.out
                .extend_from_slice(format!("250{separator}{line}\r\n").as_bytes());
        }
        self.errors_in_a_row = 0;
    }

    fn starttls(&mut self) -> Flow {
        if self.tls {
            self.fail(503, "5.5.1", "TLS already active");
            Flow::Continue
        } else if self.acceptor.is_none() {
            self.fail(502, "5.5.1", "STARTTLS not available");
            Flow::Continue
        } else {
            self.ok(220, "2.0.0", "Ready to start TLS");
            Flow::StartTls
        }
    }

    /// Upgrades the connection. Pipelined plaintext after STARTTLS is discarded (RFC 3207).
    #[cfg(feature = "tls")]
    async fn start_tls(&mut self) -> std::io::Result<()> {
        self.flush().await?;
        let Some(acceptor) = self.acceptor.clone() else {
            return Ok(());
        };
        let old = std::mem::replace(&mut self.reader, BufReader::new(Conn::Closed));
        let Conn::Plain(stream) = old.into_inner() else {
            return Err(std::io::ErrorKind::NotConnected.into());
        };
        let stream = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
        self.reader = BufReader::with_capacity(READ_BUFFER, Conn::Tls(Box::new(stream)));
        self.tls = true;
        self.helo = None;
        self.sandbox = None;
        self.transaction = None;
        Ok(())
    }

    /// Without TLS there is no acceptor, so `STARTTLS` was refused before getting here.
    #[cfg(not(feature = "tls"))]
    #[allow(clippy::unused_async)]
    async fn start_tls(&mut self) -> std::io::Result<()> {
        match self.acceptor.clone() {
            Some(acceptor) => match acceptor {},
            None => Ok(()),
        }
    }

    async fn auth(&mut self, mechanism: u64, initial: String) -> std::io::Result<Flow> {
        if self.helo.is_none() {
            self.fail(503, "5.5.1", "Send EHLO first");
            return Ok(Flow::Continue);
        }
        if self.sandbox.is_some() {
            self.fail(503, "5.5.1", "Already authenticated");
            return Ok(Flow::Continue);
        }
        if self.transaction.is_some() {
            self.fail(503, "5.5.1", "AUTH not allowed during a mail transaction");
            return Ok(Flow::Continue);
        }
        let credentials = if mechanism == AUTH_PLAIN {
            self.auth_plain(initial).await?
        } else if mechanism == AUTH_LOGIN {
            self.auth_login(initial).await?
        } else {
            self.fail(
                504,
                "5.5.4",
                "Unrecognized authentication type; use PLAIN or LOGIN",
            );
            return Ok(Flow::Continue);
        };
        let (user, password) = match credentials {
            Ok(pair) => pair,
            Err(Some(error)) => {
                self.sasl_error(error);
                return Ok(Flow::Continue);
            }
            // The client went away mid-exchange, or timed out.
            Err(None) => return Ok(Flow::Close),
        };

        let name = user.clone();
        let outcome = self
            .blocking(move |backend| {
                backend
                    .smtp_fault(SmtpStage::Auth, &name)
                    .map(Err)
                    .unwrap_or_else(|| Ok(backend.authenticate(&name, &password)))
            })
            .await;
        match outcome {
            None => self.fail(454, "4.7.0", "Temporary authentication failure"),
            Some(Err(fault)) => return Ok(self.fault(fault)),
            Some(Ok(Some(sandbox))) => {
                tracing::debug!(sandbox, "SMTP client authenticated");
                self.sandbox = Some(sandbox);
                self.ok(235, "2.7.0", "Authentication successful");
            }
            Some(Ok(None)) => self.fail(535, "5.7.8", "Authentication credentials invalid"),
        }
        Ok(Flow::Continue)
    }

    /// `Ok(Ok(credentials))`, `Ok(Err(Some(error)))` to report, `Ok(Err(None))` to hang up.
    async fn auth_plain(
        &mut self,
        initial: String,
    ) -> std::io::Result<Result<(String, String), Option<SaslError>>> {
        let response = if initial.is_empty() {
            self.reply(334, "", "");
            match self.read_sasl_line().await? {
                Some(line) => line,
                None => return Ok(Err(None)),
            }
        } else {
            initial
        };
        Ok(auth::decode(&response)
            .and_then(|decoded| auth::plain_credentials(&decoded))
            .map_err(Some))
    }

    async fn auth_login(
        &mut self,
        initial: String,
    ) -> std::io::Result<Result<(String, String), Option<SaslError>>> {
        let user_response = if initial.is_empty() {
            self.reply(334, "", auth::LOGIN_USERNAME_PROMPT);
            match self.read_sasl_line().await? {
                Some(line) => line,
                None => return Ok(Err(None)),
            }
        } else {
            initial
        };
        let user = match auth::decode(&user_response).and_then(auth::login_field) {
            Ok(user) if !user.is_empty() => user,
            Ok(_) => return Ok(Err(Some(SaslError::Malformed))),
            Err(error) => return Ok(Err(Some(error))),
        };
        self.reply(334, "", auth::LOGIN_PASSWORD_PROMPT);
        let Some(password_response) = self.read_sasl_line().await? else {
            return Ok(Err(None));
        };
        Ok(auth::decode(&password_response)
            .and_then(auth::login_field)
            .map(|password| (user, password))
            .map_err(Some))
    }

    /// Reads a SASL continuation line, without its line end. `None`: the session must end.
    async fn read_sasl_line(&mut self) -> std::io::Result<Option<String>> {
        self.flush().await?;
        let read = tokio::time::timeout(
            self.config.idle_timeout,
            read_line(
                &mut self.reader,
                &mut self.line,
                COMMAND_LINE_LIMIT,
                COMMAND_DRAIN,
            ),
        )
        .await;
        match read {
            Ok(Ok(Line::Complete)) => Ok(Some(
                String::from_utf8_lossy(&self.line)
                    .trim_end_matches(['\r', '\n'])
                    .to_owned(),
            )),
            // Too long to be a credential: refuse it as undecodable.
            Ok(Ok(Line::TooLong)) => Ok(Some("!".to_owned())),
            Ok(Ok(Line::Eof | Line::Runaway)) => Ok(None),
            Ok(Err(error)) => Err(error),
            Err(_) => {
                self.reply(421, "4.4.2", "Idle timeout exceeded, closing connection");
                Ok(None)
            }
        }
    }

    fn sasl_error(&mut self, error: SaslError) {
        match error {
            SaslError::BadBase64 => self.fail(501, "5.5.2", "Invalid base64 data"),
            SaslError::Malformed => self.fail(501, "5.5.2", "Malformed authentication response"),
            SaslError::Cancelled => self.fail(501, "5.7.0", "Authentication cancelled"),
        }
    }

    async fn mail(&mut self, from: String, declared_size: u64) -> Flow {
        if self.helo.is_none() {
            self.fail(503, "5.5.1", "Send EHLO/HELO first");
            return Flow::Continue;
        }
        if self.transaction.is_some() {
            self.fail(503, "5.5.1", "Nested MAIL command");
            return Flow::Continue;
        }
        let sandbox = self.sandbox;
        let sender = from.clone();
        let outcome = self
            .blocking(move |backend| {
                if let Some(fault) = backend.smtp_fault(SmtpStage::MailFrom, &sender) {
                    return Err(fault);
                }
                Ok(sandbox.map(|id| backend.max_message_size(id)))
            })
            .await;
        let sandbox_limit = match outcome {
            None => {
                self.fail(451, "4.3.0", "Local error, try again later");
                return Flow::Continue;
            }
            Some(Err(fault)) => return self.fault(fault),
            Some(Ok(None)) => None,
            Some(Ok(Some(None))) => {
                self.fail(550, "5.1.1", "The sandbox no longer exists");
                return Flow::Continue;
            }
            Some(Ok(Some(Some(limit)))) => Some(limit),
        };
        let size_limit = sandbox_limit.map_or(self.config.max_message_bytes, |limit| {
            limit.min(self.config.max_message_bytes)
        });
        if declared_size > size_limit {
            let text = format!("Message size exceeds the maximum of {size_limit} bytes");
            self.fail(552, "5.3.4", &text);
            return Flow::Continue;
        }
        self.transaction = Some(Transaction {
            mail_from: from,
            declared_size,
            rcpt_to: Vec::new(),
            targets: sandbox.into_iter().collect(),
            size_limit,
            rcpt_commands: 0,
        });
        self.ok(250, "2.1.0", "Ok");
        Flow::Continue
    }

    async fn rcpt(&mut self, to: String) -> Flow {
        let Some(transaction) = &self.transaction else {
            self.fail(503, "5.5.1", "Need MAIL before RCPT");
            return Flow::Continue;
        };
        if transaction.rcpt_to.len() >= self.config.max_recipients {
            self.fail(452, "4.5.3", "Too many recipients");
            return Flow::Continue;
        }
        let authenticated = self.sandbox.is_some();
        let recipient = to.clone();
        let outcome = self
            .blocking(move |backend| {
                if let Some(fault) = backend.smtp_fault(SmtpStage::RcptTo, &recipient) {
                    return Err(fault);
                }
                if authenticated {
                    return Ok(None);
                }
                Ok(Some(backend.sandbox_for_address(&recipient).map(
                    |sandbox| (sandbox, backend.max_message_size(sandbox)),
                )))
            })
            .await;
        let addressed = match outcome {
            None => {
                self.fail(451, "4.3.0", "Local error, try again later");
                return Flow::Continue;
            }
            Some(Err(fault)) => return self.fault(fault),
            Some(Ok(None)) => None,
            Some(Ok(Some(None))) => {
                self.fail(
                    530,
                    "5.7.0",
                    "Authentication required: log in with the sandbox's SMTP credentials",
                );
                return Flow::Continue;
            }
            Some(Ok(Some(Some(found)))) => Some(found),
        };
        let Some(transaction) = self.transaction.as_mut() else {
            return Flow::Continue;
        };
        if let Some((sandbox, limit)) = addressed {
            let limit = limit.unwrap_or(u64::MAX).min(transaction.size_limit);
            if transaction.declared_size > limit {
                let text = format!("Message size exceeds the sandbox's maximum of {limit} bytes");
                self.fail(552, "5.3.4", &text);
                return Flow::Continue;
            }
            transaction.size_limit = limit;
            if !transaction.targets.contains(&sandbox) {
                transaction.targets.push(sandbox);
            }
        }
        transaction.rcpt_to.push(to);
        self.ok(250, "2.1.5", "Ok");
        Flow::Continue
    }

    async fn data(&mut self) -> std::io::Result<Flow> {
        let Some(transaction) = self.transaction.take() else {
            self.fail(503, "5.5.1", "Need MAIL command");
            return Ok(Flow::Continue);
        };
        if transaction.rcpt_to.is_empty() {
            self.transaction = Some(transaction);
            self.fail(503, "5.5.1", "Need RCPT command");
            return Ok(Flow::Continue);
        }
        self.ok(354, "", "End data with <CR><LF>.<CR><LF>");
        self.flush().await?;

        let received =
            tokio::time::timeout(DATA_DEADLINE, self.receive_data(transaction.size_limit)).await;
        let message = match received {
            Err(_) => {
                self.reply(
                    421,
                    "4.4.2",
                    "Timeout while receiving data, closing connection",
                );
                return Ok(Flow::Close);
            }
            Ok(result) => result?,
        };
        let raw = match message {
            Received::Message(raw) => raw,
            Received::Closed => return Ok(Flow::Close),
            Received::Idle => {
                self.reply(
                    421,
                    "4.4.2",
                    "Idle timeout exceeded while receiving data, closing connection",
                );
                return Ok(Flow::Close);
            }
            Received::TooLarge { runaway } => {
                let text = format!(
                    "Message size exceeds the maximum of {} bytes",
                    transaction.size_limit
                );
                self.fail(552, "5.3.4", &text);
                return Ok(if runaway { Flow::Close } else { Flow::Continue });
            }
            Received::LineTooLong => {
                let text = format!("Message has a line longer than {DATA_LINE_LIMIT} octets");
                self.fail(500, "5.5.2", &text);
                return Ok(Flow::Continue);
            }
        };
        self.deliver(transaction, raw).await;
        Ok(Flow::Continue)
    }

    /// Reads the message up to the final dot, unstuffing dots.
    async fn receive_data(&mut self, size_limit: u64) -> std::io::Result<Received> {
        let limit = usize::try_from(size_limit).unwrap_or(usize::MAX);
        // Past this much data, stop reading and hang up rather than drain forever.
        let give_up = limit.saturating_mul(2).saturating_add(1024 * 1024);
        let mut raw = Vec::with_capacity(limit.min(64 * 1024));
        let mut total = 0usize;
        let mut too_large = false;
        let mut line_too_long = false;
        loop {
            // Each line must arrive within the idle timeout, so that a client gone quiet (or
            // dripping a byte at a time) mid-message does not hold its slot until the deadline.
            let line = tokio::time::timeout(
                self.config.idle_timeout,
                read_line(&mut self.reader, &mut self.line, DATA_LINE_LIMIT, give_up),
            )
            .await;
            let Ok(line) = line else {
                return Ok(Received::Idle);
            };
            match line? {
                Line::Eof => return Ok(Received::Closed),
                Line::Runaway => return Ok(Received::TooLarge { runaway: true }),
                Line::TooLong => {
                    line_too_long = true;
                    total = total.saturating_add(DATA_LINE_LIMIT);
                }
                Line::Complete => {
                    let line = self.line.as_slice();
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    let line = line.strip_prefix(b".").unwrap_or(line);
                    total = total.saturating_add(line.len());
                    if total > limit {
                        too_large = true;
                    }
                    if !too_large && !line_too_long {
                        raw.extend_from_slice(line);
                    }
                }
            }
            if total > give_up {
                return Ok(Received::TooLarge { runaway: true });
            }
        }
        Ok(if too_large {
            Received::TooLarge { runaway: false }
        } else if line_too_long {
            Received::LineTooLong
        } else {
            Received::Message(raw)
        })
    }

    async fn deliver(&mut self, transaction: Transaction, raw: Vec<u8>) {
        let envelope = Envelope {
            mail_from: transaction.mail_from,
            rcpt_to: transaction.rcpt_to,
            client_ip: self.client_ip,
        };
        let targets = transaction.targets;
        let outcome = self
            .blocking(move |backend| {
                let mut ids = Vec::with_capacity(targets.len());
                let last = targets.len().saturating_sub(1);
                let mut raw = Some(raw);
                for (index, sandbox) in targets.iter().enumerate() {
                    let bytes = if index == last {
                        raw.take().unwrap_or_default()
                    } else {
                        raw.clone().unwrap_or_default()
                    };
                    ids.push(backend.deliver(*sandbox, bytes, envelope.clone())?);
                }
                Ok::<_, DeliveryError>(ids)
            })
            .await;
        match outcome {
            Some(Ok(ids)) if !ids.is_empty() => {
                let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
                let text = format!("Ok: queued as {}", ids.join(", "));
                self.ok(250, "2.0.0", &text);
                self.commands_since_delivery = 0;
            }
            Some(Ok(_)) => self.fail(554, "5.5.0", "No valid recipients"),
            Some(Err(DeliveryError::TooLarge(limit))) => {
                let text = format!("Message size exceeds the sandbox's maximum of {limit} bytes");
                self.fail(552, "5.3.4", &text);
            }
            Some(Err(DeliveryError::NoSuchSandbox)) => {
                self.fail(550, "5.1.1", "The sandbox no longer exists");
            }
            Some(Err(DeliveryError::Storage(error))) => {
                tracing::warn!(%error, "SMTP delivery failed");
                self.fail(451, "4.3.0", "Storage failed, try again later");
            }
            None => self.fail(451, "4.3.0", "Local error, try again later"),
        }
    }

    /// Replies with a configured fault; `421` closes the session.
    fn fault(&mut self, (code, text): (u16, String)) -> Flow {
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let text = if text.trim().is_empty() {
            "Rejected by a fault rule".to_owned()
        } else {
            text
        };
        self.fail(code, "", &text);
        if code == 421 {
            Flow::Close
        } else {
            Flow::Continue
        }
    }

    /// Runs a backend call on the blocking pool. `None` when it panicked.
    async fn blocking<T, F>(&self, call: F) -> Option<T>
    where
        T: Send + 'static,
        F: FnOnce(&B) -> T + Send + 'static,
    {
        let backend = Arc::clone(&self.backend);
        match tokio::task::spawn_blocking(move || call(&backend)).await {
            Ok(value) => Some(value),
            Err(error) => {
                tracing::error!(%error, "SMTP backend call failed");
                None
            }
        }
    }

    fn ok(&mut self, code: u16, status: &str, text: &str) {
        self.errors_in_a_row = 0;
        self.reply(code, status, text);
    }

    fn fail(&mut self, code: u16, status: &str, text: &str) {
        self.errors_in_a_row += 1;
        self.reply(code, status, text);
    }

    fn reply(&mut self, code: u16, status: &str, text: &str) {
        let line = match (status.is_empty(), text.is_empty()) {
            (true, true) => format!("{code} \r\n"),
            (true, false) => format!("{code} {text}\r\n"),
            (false, _) => format!("{code} {status} {text}\r\n"),
        };
        self.out.extend_from_slice(line.as_bytes());
    }

    /// Writes the pending replies. A client that does not read them within the idle timeout
    /// (its receive window full) ends the session.
    async fn flush(&mut self) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let stream = self.reader.get_mut();
        let written = tokio::time::timeout(self.config.idle_timeout, async {
            stream.write_all(&self.out).await?;
            stream.flush().await
        })
        .await;
        match written {
            Ok(result) => result?,
            Err(_) => return Err(std::io::ErrorKind::TimedOut.into()),
        }
        self.out.clear();
        Ok(())
    }
}

/// Whether a command line has something after its verb (`STARTTLS foo`).
fn has_arguments(line: &[u8]) -> bool {
    let text = line.trim_ascii();
    text.iter()
        .position(u8::is_ascii_whitespace)
        .is_some_and(|end| !text.get(end..).unwrap_or_default().trim_ascii().is_empty())
}

/// How `DATA` ended.
enum Received {
    /// The whole message.
    Message(Vec<u8>),
    /// Over the size limit; `runaway` when the session must end.
    TooLarge { runaway: bool },
    /// A line over [`DATA_LINE_LIMIT`].
    LineTooLong,
    /// The client disconnected before the final dot.
    Closed,
    /// No complete line arrived within the idle timeout.
    Idle,
}

impl<B> std::fmt::Debug for Session<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("client_ip", &self.client_ip)
            .field("tls", &self.tls)
            .field("sandbox", &self.sandbox)
            .finish_non_exhaustive()
    }
}
