//! What every API command needs: a configured client and the output settings.

use std::time::Duration;

use mailtrap_sandbox::{Client, RetryPolicy};

use crate::cli::GlobalArgs;
use crate::failure::{CliResult, ExitCode, Failure};
use crate::output::Out;

/// The SDK's limit for one request, when `--request-timeout` is not given.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The SDK's limit for opening a connection, kept when `--request-timeout` is longer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client and the output settings.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) client: Client,
    pub(crate) out: Out,
}

/// Builds the client from `--token`, `--base-url` and `--send-base-url` (or their
/// environment variables, read by clap). Without `--send-base-url`, a local `--base-url` (an
/// emulator, which serves both APIs) is used for sending too.
pub(crate) fn client(global: &GlobalArgs) -> CliResult<Client> {
    client_with_timeout(global, global.request_timeout)
}

/// [`client`] with this request timeout instead of `--request-timeout`'s.
fn client_with_timeout(
    global: &GlobalArgs,
    request_timeout: Option<Duration>,
) -> CliResult<Client> {
    let token = global
        .token
        .as_deref()
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(Failure::missing_token)?;
    build_client(
        token,
        global.base_url.as_deref(),
        global
            .send_base_url
            .as_deref()
            .or_else(|| global.base_url.as_deref().filter(|url| is_local(url))),
        global.retries,
        request_timeout,
    )
}

/// Whether a base URL points at this machine (`localhost`, `127.0.0.1`, `[::1]`).
fn is_local(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return false;
    };
    match parsed.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Builds a client for these hosts (the defaults when `None`), retrying `retries` times, each
/// request bounded by `request_timeout` (the SDK's 30 s when `None`).
pub(crate) fn build_client(
    token: &str,
    base_url: Option<&str>,
    send_base_url: Option<&str>,
    retries: u32,
    request_timeout: Option<Duration>,
) -> CliResult<Client> {
    let mut builder = Client::builder()
        .api_token(token)
        .retry(RetryPolicy::default().max_retries(retries))
        .user_agent(concat!("mailtrap-sandbox-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(timeout) = request_timeout {
        if timeout.is_zero() {
            return Err(Failure::new(
                ExitCode::Usage,
                "invalid --request-timeout (MAILTRAP_TIMEOUT): it must be longer than 0",
            ));
        }
        builder = builder
            .timeout(timeout)
            .connect_timeout(timeout.min(CONNECT_TIMEOUT));
    }
    if let Some(url) = base_url.filter(|url| !url.trim().is_empty()) {
        builder = builder.base_url(url.trim());
    }
    if let Some(url) = send_base_url.filter(|url| !url.trim().is_empty()) {
        builder = builder.send_base_url(url.trim());
    }
    builder.build().map_err(|err| match err {
        mailtrap_sandbox::Error::InvalidConfiguration { name, reason, .. } => {
            let flag = match name {
                "base_url" => "--base-url (MAILTRAP_BASE_URL)",
                "send_base_url" => "--send-base-url (MAILTRAP_SEND_BASE_URL)",
                "api_token" => "--token (MAILTRAP_API_TOKEN)",
                other => other,
            };
            let code = if name == "api_token" {
                ExitCode::Auth
            } else {
                ExitCode::Usage
            };
            Failure::new(code, format!("invalid {flag}: {reason}"))
        }
        other => Failure::api("set up the API client", &other),
    })
}

impl Ctx {
    /// The client and output for the given global flags.
    pub(crate) fn new(global: &GlobalArgs) -> CliResult<Self> {
        Ok(Self {
            client: client(global)?,
            out: Out::new(global.json),
        })
    }

    /// For a command that must end within `limit` (`wait --timeout`): no single request may
    /// take longer than that (nor than `--request-timeout`).
    pub(crate) fn within(global: &GlobalArgs, limit: Duration) -> CliResult<Self> {
        let request_timeout = global
            .request_timeout
            .unwrap_or(DEFAULT_REQUEST_TIMEOUT)
            .min(limit)
            .max(Duration::from_millis(1));
        Ok(Self {
            client: client_with_timeout(global, Some(request_timeout))?,
            out: Out::new(global.json),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_local;

    #[test]
    fn local_base_urls() {
        for url in [
            "http://127.0.0.1:8025",
            "http://localhost:8025/",
            "http://[::1]:8025",
            "http://127.0.0.2",
        ] {
            assert!(is_local(url), "{url}");
        }
        for url in [
            "https://mailtrap.io",
            "http://10.0.0.5:8025",
            "not a url",
            "http://localhost.example.com",
        ] {
            assert!(!is_local(url), "{url}");
        }
    }
}
