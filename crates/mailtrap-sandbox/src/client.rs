//! The [`Client`] and its [`ClientBuilder`].
//!
//! One client talks to both Mailtrap hosts (management, `https://mailtrap.io`, and sending,
//! `https://sandbox.api.mailtrap.io`) over one connection pool. It is cheap to clone (the
//! state is shared behind an `Arc`) and can be used from many tasks at once.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mailtrap_sandbox_api::{accounts, sandbox, sending};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret as _, SecretString};

use crate::error::{Error, Result};
use crate::limiter::{Limiter, RateLimit};
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The management API host used when no other is configured.
pub const DEFAULT_BASE_URL: &str = "https://mailtrap.io";
/// The sending API host used when no other is configured.
pub const DEFAULT_SEND_BASE_URL: &str = "https://sandbox.api.mailtrap.io";
/// Environment variable holding the API token.
pub const ENV_API_TOKEN: &str = "MAILTRAP_API_TOKEN";
/// Environment variable overriding the management API host.
pub const ENV_BASE_URL: &str = "MAILTRAP_BASE_URL";
/// Environment variable overriding the sending API host.
pub const ENV_SEND_BASE_URL: &str = "MAILTRAP_SEND_BASE_URL";

/// The default `User-Agent`, `mailtrap-sandbox-rs/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("mailtrap-sandbox-rs/", env!("CARGO_PKG_VERSION"));

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of the Mailtrap Sandbox API.
///
/// Build one with [`Client::builder`] or [`Client::from_env`], then reach every operation
/// through resource handles: [`sandbox`](Client::sandbox), [`project`](Client::project),
/// [`projects`](Client::projects), [`account_accesses`](Client::account_accesses), ...
///
/// ```no_run
/// # // Not run: it needs a Mailtrap account (the examples of the handles' methods run
/// # // against the in-process emulator).
/// # async fn run() -> mailtrap_sandbox::Result<()> {
/// let client = mailtrap_sandbox::Client::builder()
///     .api_token("my-api-token")
///     .build()?;
/// let page = client.sandbox(42).messages().list().search("reset").send().await?;
/// for message in page.items() {
///     println!("{} {}", message.id, message.subject);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) transport: Arc<Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.transport.base_url)
            .field("send_base_url", &self.transport.send_base_url)
            .field("api_token", &"[redacted]")
            .field("retry", &self.transport.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    ///
    /// ```
    /// use mailtrap_sandbox::Client;
    ///
    /// let client = Client::builder().api_token("my-api-token").build()?;
    /// assert_eq!(client.base_url(), "https://mailtrap.io");
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `MAILTRAP_API_TOKEN` (required),
    /// `MAILTRAP_BASE_URL` and `MAILTRAP_SEND_BASE_URL` (optional).
    ///
    /// ```
    /// use mailtrap_sandbox::Client;
    ///
    /// match Client::from_env() {
    ///     Ok(client) => println!("talking to {}", client.base_url()),
    ///     Err(err) => println!("{err}"), // names MAILTRAP_API_TOKEN and how to set it
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MissingConfiguration`] naming `MAILTRAP_API_TOKEN` when it is unset or empty,
    /// [`Error::InvalidConfiguration`] when a variable holds something unusable.
    pub fn from_env() -> Result<Self> {
        Self::builder().from_env()?.build()
    }

    /// The management API base URL in use.
    ///
    /// ```
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("t").base_url("http://127.0.0.1:8025").build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8025");
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.transport.base_url
    }

    /// The sending API base URL in use.
    ///
    /// ```
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("t").build()?;
    /// assert_eq!(client.send_base_url(), "https://sandbox.api.mailtrap.io");
    /// // A local emulator serves both APIs: sending follows a loopback base URL.
    /// let local = Client::builder().api_token("t").base_url("http://127.0.0.1:8025").build()?;
    /// assert_eq!(local.send_base_url(), local.base_url());
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn send_base_url(&self) -> &str {
        &self.transport.send_base_url
    }

    /// The underlying `reqwest` client (one connection pool for both hosts).
    ///
    /// ```
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("t").build()?;
    /// let http = client.http_client().clone(); // the same connection pool, for your own requests
    /// # let _ = http;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    #[must_use]
    pub fn http_client(&self) -> &reqwest::Client {
        &self.transport.http
    }
}

/// Configures a [`Client`]. Every setting but the API token has a default.
///
/// ```no_run
/// # // Not run: the token of a Mailtrap account comes from the environment.
/// use std::time::Duration;
/// use mailtrap_sandbox::{Client, RetryPolicy};
///
/// # fn run() -> mailtrap_sandbox::Result<()> {
/// let client = Client::builder()
///     .api_token(std::env::var("MY_TOKEN").unwrap_or_default())
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().max_retries(5))
///     .build()?;
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    api_token: Option<SecretString>,
    base_url: Option<String>,
    send_base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    retry: RetryPolicy,
    rate_limit: Option<RateLimit>,
    http: Option<Http>,
}

/// Where the `reqwest` client comes from when the caller brings one.
enum Http {
    /// Used as is; it must already send the `Authorization` header.
    Client(reqwest::Client),
    /// Completed with the token, user agent and timeouts.
    Builder(Box<reqwest::ClientBuilder>),
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_token", &self.api_token.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("send_base_url", &self.send_base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field(
                "http",
                &match self.http {
                    None => "default",
                    Some(Http::Client(_)) => "caller's client",
                    Some(Http::Builder(_)) => "caller's builder",
                },
            )
            .finish()
    }
}

impl ClientBuilder {
    /// The API token (Mailtrap → Settings → API Tokens). Sent as
    /// `Authorization: Bearer <token>`; never logged, and redacted from `Debug` output.
    ///
    /// ```
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("my-api-token").build()?;
    /// assert!(!format!("{client:?}").contains("my-api-token")); // redacted
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.api_token = Some(SecretString::from(token.into()));
        self
    }

    /// The management API base URL (default `https://mailtrap.io`). Point it at a local
    /// emulator or a proxy; a path prefix is kept.
    ///
    /// ```
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("t").base_url("https://proxy.example/mailtrap").build()?;
    /// assert_eq!(client.base_url(), "https://proxy.example/mailtrap");
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The sending API base URL (default `https://sandbox.api.mailtrap.io`, or the
    /// management base URL when that is a loopback address such as a local emulator's).
    ///
    /// ```
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder()
    ///     .api_token("t")
    ///     .send_base_url("https://send-proxy.example")
    ///     .build()?;
    /// assert_eq!(client.send_base_url(), "https://send-proxy.example");
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn send_base_url(mut self, url: impl Into<String>) -> Self {
        self.send_base_url = Some(url.into());
        self
    }

    /// The longest a whole request may take, answer included (default 30 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("t").timeout(Duration::from_secs(10)).build()?;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The longest opening a connection may take (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("t").connect_timeout(Duration::from_secs(2)).build()?;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `mailtrap-sandbox-rs/<version>`). Mailtrap's edge may
    /// refuse requests without one.
    ///
    /// ```
    /// # use mailtrap_sandbox::Client;
    /// let client = Client::builder().api_token("t").user_agent("checkout-tests/1.0").build()?;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// When to retry failed requests (default [`RetryPolicy::default`]; [`RetryPolicy::none`]
    /// turns retries off).
    ///
    /// ```
    /// use mailtrap_sandbox::{Client, RetryPolicy};
    ///
    /// let patient = Client::builder().api_token("t").retry(RetryPolicy::default().max_retries(5)).build()?;
    /// let strict = Client::builder().api_token("t").retry(RetryPolicy::none()).build()?;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Turns on the client-side rate limiter: this client and its clones start at most
    /// `limit.requests()` requests per `limit.window()` ([`RateLimit::mailtrap`] matches the
    /// server's 150 per 10 s). Off by default.
    ///
    /// ```
    /// use mailtrap_sandbox::{Client, RateLimit};
    ///
    /// // Many test binaries sharing one account: stay under Mailtrap's 150 requests per 10 s.
    /// let client = Client::builder().api_token("t").rate_limit(RateLimit::mailtrap()).build()?;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Uses this `reqwest` client as is, for both hosts.
    ///
    /// A `reqwest::Client` cannot gain headers once built, so it must already send
    /// `Authorization: Bearer <token>` (see [`ClientBuilder::auth_headers`]) and its own
    /// `User-Agent`. `api_token` then becomes optional, and `timeout`, `connect_timeout`
    /// and `user_agent` cannot be combined with it ([`build`](Self::build) says so). To
    /// keep those settings, pass a `reqwest::ClientBuilder` to
    /// [`http_client_builder`](Self::http_client_builder) instead.
    ///
    /// ```
    /// use mailtrap_sandbox::{Client, ClientBuilder, reqwest};
    ///
    /// let http = reqwest::Client::builder()
    ///     .default_headers(ClientBuilder::auth_headers("my-api-token")?)
    ///     .user_agent("checkout-tests/1.0")
    ///     .build()?;
    /// let client = Client::builder().http_client(http).build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(Http::Client(client));
        self
    }

    /// Starts from this `reqwest::ClientBuilder` (proxies, root certificates, pool
    /// settings, ...) and adds the token, user agent and timeouts to it.
    ///
    /// ```
    /// use mailtrap_sandbox::{Client, reqwest};
    ///
    /// let http = reqwest::Client::builder().pool_max_idle_per_host(4);
    /// let client = Client::builder().api_token("t").http_client_builder(http).build()?;
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(Http::Builder(Box::new(builder)));
        self
    }

    /// Fills the settings from the environment: `MAILTRAP_API_TOKEN` (required),
    /// `MAILTRAP_BASE_URL` and `MAILTRAP_SEND_BASE_URL` (optional). Settings made before
    /// this call are overridden by the variables that are set.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailtrap_sandbox::Client;
    ///
    /// // The token and hosts from MAILTRAP_*, the rest set here.
    /// match Client::builder().timeout(Duration::from_secs(10)).from_env() {
    ///     Ok(builder) => println!("{:?}", builder.build()),
    ///     Err(err) => println!("{err}"), // names MAILTRAP_API_TOKEN and how to set it
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MissingConfiguration`] when `MAILTRAP_API_TOKEN` is unset or empty;
    /// [`Error::InvalidConfiguration`] when a variable is not valid Unicode.
    pub fn from_env(mut self) -> Result<Self> {
        let token = read_env(ENV_API_TOKEN)?.ok_or(Error::MissingConfiguration {
            name: ENV_API_TOKEN,
            hint: "Set it to an API token from Mailtrap (Settings → API Tokens), \
                   for instance `export MAILTRAP_API_TOKEN=...`.",
        })?;
        self = self.api_token(token);
        if let Some(url) = read_env(ENV_BASE_URL)? {
            self = self.base_url(url);
        }
        if let Some(url) = read_env(ENV_SEND_BASE_URL)? {
            self = self.send_base_url(url);
        }
        Ok(self)
    }

    /// The default headers that authenticate requests with `token`, for a `reqwest::Client`
    /// passed to [`http_client`](Self::http_client).
    ///
    /// ```
    /// use mailtrap_sandbox::ClientBuilder;
    ///
    /// let headers = ClientBuilder::auth_headers("my-api-token")?;
    /// assert!(headers.contains_key("authorization"));
    /// assert!(ClientBuilder::auth_headers("line\nbreak").is_err());
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfiguration`] when the token cannot be sent in a header (it holds a
    /// line break, for instance).
    pub fn auth_headers(token: &str) -> Result<HeaderMap> {
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", token.trim())).map_err(|_| {
                Error::InvalidConfiguration {
                    name: "api_token",
                    reason: "the token holds characters that cannot be sent in an HTTP header; \
                         copy it again from Mailtrap"
                        .to_owned(),
                }
            })?;
        value.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value);
        Ok(headers)
    }

    /// Builds the client.
    ///
    /// ```
    /// use mailtrap_sandbox::{Client, Error};
    ///
    /// let client = Client::builder().api_token("my-api-token").build()?;
    /// let missing = Client::builder().build();
    /// assert!(matches!(missing, Err(Error::MissingConfiguration { .. })));
    /// # Ok::<(), mailtrap_sandbox::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::MissingConfiguration`] without an API token (unless a ready `reqwest::Client`
    /// was given), [`Error::InvalidConfiguration`] for a malformed base URL, a token or user
    /// agent that cannot be sent in a header, settings that cannot apply to a ready
    /// `reqwest::Client`, or a `reqwest` builder that fails.
    pub fn build(self) -> Result<Client> {
        let base_url = normalize_url(
            "base_url",
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
        )?;
        let loopback = is_loopback(&base_url);
        // A local emulator serves both APIs: when the management host is a loopback
        // address, sending goes there too unless told otherwise.
        let send_base_url = match self.send_base_url.as_deref() {
            Some(url) => normalize_url("send_base_url", url)?,
            None if loopback => base_url.clone(),
            None => normalize_url("send_base_url", DEFAULT_SEND_BASE_URL)?,
        };
        let http = match self.http {
            Some(Http::Client(client)) => {
                let conflicting = [
                    ("timeout", self.timeout.is_some()),
                    ("connect_timeout", self.connect_timeout.is_some()),
                    ("user_agent", self.user_agent.is_some()),
                ];
                if let Some((name, _)) = conflicting.iter().find(|(_, set)| *set) {
                    return Err(Error::InvalidConfiguration {
                        name,
                        reason: "cannot be applied to a ready reqwest::Client given to \
                                 http_client(); configure it on that client, or pass a \
                                 reqwest::ClientBuilder to http_client_builder()"
                            .to_owned(),
                    });
                }
                if self.api_token.is_some() {
                    return Err(Error::InvalidConfiguration {
                        name: "api_token",
                        reason: "cannot be added to a ready reqwest::Client given to \
                                 http_client(); give it the header from \
                                 ClientBuilder::auth_headers(), or pass a reqwest::ClientBuilder \
                                 to http_client_builder()"
                            .to_owned(),
                    });
                }
                client
            }
            other => {
                let token = self.api_token.ok_or(Error::MissingConfiguration {
                    name: "api_token",
                    hint: "Call ClientBuilder::api_token, or use Client::from_env with \
                           MAILTRAP_API_TOKEN set.",
                })?;
                if token.expose_secret().trim().is_empty() {
                    return Err(Error::InvalidConfiguration {
                        name: "api_token",
                        reason: "the token is empty".to_owned(),
                    });
                }
                let builder = match other {
                    Some(Http::Builder(builder)) => *builder,
                    _ => reqwest::Client::builder(),
                };
                let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
                let user_agent =
                    HeaderValue::from_str(user_agent).map_err(|_| Error::InvalidConfiguration {
                        name: "user_agent",
                        reason: "holds characters that cannot be sent in an HTTP header".to_owned(),
                    })?;
                builder
                    .default_headers(ClientBuilder::auth_headers(token.expose_secret())?)
                    .user_agent(user_agent)
                    .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .build()
                    .map_err(|err| Error::InvalidConfiguration {
                        name: "http_client",
                        reason: format!("the HTTP client could not be built: {err}"),
                    })?
            }
        };
        let transport = Transport {
            sandbox: sandbox::Client::new_with_client(&base_url, http.clone()),
            sending: sending::Client::new_with_client(&send_base_url, http.clone()),
            accounts: accounts::Client::new_with_client(&base_url, http.clone()),
            http,
            base_url,
            send_base_url,
            retry: self.retry,
            limiter: self.rate_limit.map(Limiter::new),
            loopback,
        };
        Ok(Client {
            transport: Arc::new(transport),
        })
    }
}

/// Whether a (normalized) base URL names a loopback host: `localhost`, `127.0.0.0/8`, `::1`.
fn is_loopback(url: &str) -> bool {
    match url::Url::parse(url)
        .ok()
        .and_then(|url| url.host().map(|host| host.to_owned()))
    {
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Reads an environment variable; `None` when unset or blank.
fn read_env(name: &'static str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::InvalidConfiguration {
            name,
            reason: "is not valid Unicode".to_owned(),
        }),
    }
}

/// Checks a base URL (`http` or `https`, a host, no query or fragment) and drops the
/// trailing slash.
fn normalize_url(name: &'static str, raw: &str) -> Result<String> {
    let invalid = |reason: String| Error::InvalidConfiguration { name, reason };
    let url = url::Url::parse(raw.trim()).map_err(|err| {
        invalid(format!(
            "`{raw}` is not a URL ({err}); expected something like https://mailtrap.io"
        ))
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid(format!(
            "`{raw}` must start with http:// or https://"
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("`{raw}` has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "`{raw}` must not have a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must not hold credentials; give the API token to api_token()".to_owned(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_trimmed() {
        assert_eq!(
            normalize_url("base_url", "https://mailtrap.io/").unwrap(),
            "https://mailtrap.io"
        );
        assert_eq!(
            normalize_url("base_url", "http://127.0.0.1:8080/prefix/").unwrap(),
            "http://127.0.0.1:8080/prefix"
        );
        for bad in [
            "mailtrap.io",
            "ftp://mailtrap.io",
            "https://x.io/?a=1",
            "https://u:p@x.io",
        ] {
            let err = normalize_url("base_url", bad).unwrap_err();
            assert!(err.to_string().contains("base_url"), "{err}");
        }
    }

    #[test]
    fn a_loopback_base_url_also_serves_sending() {
        for local in [
            "http://127.0.0.1:8025",
            "http://localhost:9000/",
            "http://[::1]:80",
        ] {
            let client = Client::builder()
                .api_token("t")
                .base_url(local)
                .build()
                .unwrap();
            assert_eq!(client.send_base_url(), client.base_url(), "{local}");
        }
        let remote = Client::builder()
            .api_token("t")
            .base_url("https://mailtrap.example.com")
            .build()
            .unwrap();
        assert_eq!(remote.send_base_url(), DEFAULT_SEND_BASE_URL);
        let told = Client::builder()
            .api_token("t")
            .base_url("http://127.0.0.1:1")
            .send_base_url("http://127.0.0.1:2")
            .build()
            .unwrap();
        assert_eq!(told.send_base_url(), "http://127.0.0.1:2");
    }

    #[test]
    fn missing_token_is_a_clear_error() {
        let err = Client::builder().build().unwrap_err();
        assert!(matches!(
            err,
            Error::MissingConfiguration {
                name: "api_token",
                ..
            }
        ));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let builder = Client::builder().api_token("very-secret-value");
        assert!(!format!("{builder:?}").contains("very-secret-value"));
        let client = builder.build().unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("very-secret-value"));
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Client>();
    }
}
