//! Building a [`Client`]: explicit settings, then the environment, then
//! defaults.

use std::{fmt, time::Duration};

use reqwest::header::HeaderValue;
use token_bowl_chat_api::{ApiKey, Credentials};

use crate::{
    Client, Error, Result,
    error::API_KEY_ENV,
    retry::{Executor, RetryPolicy},
};

/// The environment variable that holds the base URL.
pub const BASE_URL_ENV: &str = "TOKEN_BOWL_CHAT_BASE_URL";
/// The server used when no base URL is given.
pub const DEFAULT_BASE_URL: &str = "https://api.tokenbowl.ai";
/// The default total time one attempt of a request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an idle pooled connection is kept: below the server's 5 s
/// keep-alive. (A connection the server closes anyway is no failure for
/// requests that are safe to repeat: they are retried on a new one.)
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(4);
/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("token-bowl-chat-rust/", env!("CARGO_PKG_VERSION"));

impl Client {
    /// A client configured from the environment: the key from
    /// `TOKEN_BOWL_CHAT_API_KEY`, the server from `TOKEN_BOWL_CHAT_BASE_URL`
    /// (default `https://api.tokenbowl.ai`).
    pub fn from_env() -> Result<Self> {
        ClientBuilder::new().build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }
}

/// Settings for a [`Client`]. Each value resolves in one order: what was set
/// here, then the environment ([`API_KEY_ENV`], [`BASE_URL_ENV`]), then the
/// default.
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    use_env: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            retry: RetryPolicy::default(),
            user_agent: None,
            http: None,
            use_env: true,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .field("use_env", &self.use_env)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The API key (else [`API_KEY_ENV`]). Without one, only public calls
    /// (register, logos, health, magic link) work.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The server (else [`BASE_URL_ENV`], else [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The total time one attempt may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time connecting may take (default: bounded by `timeout` only).
    /// Ignored with [`http_client`](Self::http_client): configure that one.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]; `RetryPolicy::none()`
    /// turns retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Sends requests with this `reqwest::Client` (its pool, proxy, TLS
    /// settings). The timeout, user agent, key and retries still apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Whether unset values are read from the environment (default: yes).
    pub fn use_env(mut self, yes: bool) -> Self {
        self.use_env = yes;
        self
    }

    /// Builds the client. Fails on a bad base URL, key or user agent; a
    /// missing key is not an error until an authenticated call.
    pub fn build(self) -> Result<Client> {
        let use_env = self.use_env;
        self.build_with_env(|name| {
            if use_env {
                std::env::var(name).ok()
            } else {
                None
            }
        })
    }

    pub(crate) fn build_with_env(self, env: impl Fn(&str) -> Option<String>) -> Result<Client> {
        let base_url = match self.base_url.or_else(|| env(BASE_URL_ENV)) {
            Some(url) => parse_base_url(&url)?,
            None => DEFAULT_BASE_URL.to_owned(),
        };
        let (key, key_source) = match self.api_key {
            Some(key) => (Some(key), "the api_key(..) value"),
            None => (
                env(API_KEY_ENV).filter(|k| !k.trim().is_empty()),
                API_KEY_ENV,
            ),
        };
        let key = key
            .map(ApiKey::new)
            .transpose()
            .map_err(|e| Error::Config(format!("{key_source} is not a usable API key: {e}")))?;
        // reqwest clones the agent into every request: the default one is
        // static, so that clone writes no reference count shared between
        // threads.
        let user_agent = match self.user_agent.as_deref() {
            None => HeaderValue::from_static(DEFAULT_USER_AGENT),
            Some(agent) => HeaderValue::from_str(agent).map_err(|_| {
                Error::Config(format!("user agent {agent:?} is not a valid header value"))
            })?,
        };
        let client_is_ours = self.http.is_none();
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder()
                    .timeout(self.timeout)
                    .user_agent(user_agent.clone())
                    // The server (uvicorn) closes idle connections after
                    // about 5 s; dropping ours after 4 s means a request
                    // rarely meets a connection the server is closing.
                    .pool_idle_timeout(POOL_IDLE_TIMEOUT)
                    // The API never redirects; following one would send the
                    // key (a custom header, which reqwest does not strip)
                    // to wherever it points. A 3xx is an `Error::Status`.
                    .redirect(reqwest::redirect::Policy::none())
                    // The generated client's attempts retry, with backoff,
                    // what is safe to retry, HTTP/2 refusals included;
                    // reqwest's own retry layer would copy every request
                    // for nothing.
                    .retry(reqwest::retry::never().max_retries_per_request(0));
                if let Some(connect) = self.connect_timeout {
                    builder = builder.connect_timeout(connect);
                }
                builder
                    .build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let executor = Executor {
            timeout: Some(self.timeout),
            client_is_ours,
            // The client the SDK builds sends it itself.
            user_agent: (!client_is_ours).then_some(user_agent),
        };
        Ok(Client::assemble(
            &base_url,
            http,
            Credentials::new(key),
            self.retry,
            std::sync::Arc::new(executor),
        ))
    }
}

/// Checks a base URL and drops a trailing `/` (paths are appended to it).
fn parse_base_url(url: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| Error::Config(format!("base URL {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "base URL {url:?} must start with http:// or https://"
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::Config(format!("base URL {url:?} has no host")));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL {url:?} must not have a query or fragment"
        )));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults() {
        let client = ClientBuilder::new().build_with_env(env_of(&[])).unwrap();
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
        assert!(!client.has_api_key());
        assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
        assert!(DEFAULT_USER_AGENT.starts_with("token-bowl-chat-rust/0."));
    }

    #[test]
    fn environment_fills_what_is_not_set() {
        let env = env_of(&[
            (API_KEY_ENV, "abc123"),
            (BASE_URL_ENV, "http://localhost:8000/"),
        ]);
        let client = ClientBuilder::new().build_with_env(env).unwrap();
        assert_eq!(client.base_url(), "http://localhost:8000");
        assert!(client.has_api_key());
    }

    #[test]
    fn explicit_values_win_over_the_environment() {
        let env = env_of(&[(API_KEY_ENV, "from-env"), (BASE_URL_ENV, "http://env:1")]);
        let client = ClientBuilder::new()
            .api_key("explicit")
            .base_url("https://example.com/api/")
            .build_with_env(env)
            .unwrap();
        assert_eq!(client.base_url(), "https://example.com/api");
        assert_eq!(
            client.credentials().get().unwrap().expose_secret(),
            "explicit"
        );
    }

    #[test]
    fn bad_base_urls_are_clear_errors() {
        for (url, expect) in [
            ("not a url", "is not a URL"),
            ("ftp://example.com", "must start with http:// or https://"),
            ("http://example.com/?x=1", "must not have a query"),
        ] {
            let err = ClientBuilder::new()
                .base_url(url)
                .build_with_env(env_of(&[]))
                .unwrap_err();
            assert!(err.to_string().contains(expect), "{url}: {err}");
        }
    }

    #[test]
    fn a_bad_key_is_an_error_that_does_not_show_it() {
        let err = ClientBuilder::new()
            .build_with_env(env_of(&[(API_KEY_ENV, "sec ret")]))
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(API_KEY_ENV), "{text}");
        assert!(!text.contains("sec ret"), "{text}");
    }

    #[test]
    fn builder_debug_redacts_the_key() {
        let text = format!("{:?}", ClientBuilder::new().api_key("topsecret"));
        assert!(
            !text.contains("topsecret") && text.contains("<redacted>"),
            "{text}"
        );
    }
}
