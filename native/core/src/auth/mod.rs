//! OAuth2 and app-node tokens: provider presets and discovery, the device authorization grant
//! (RFC 8628), refresh-token and client-credentials grants, app-node's own `POST /auth/token`
//! renewal, and a token manager that refreshes ahead of expiry and once on a 401, with one shared
//! refresh for concurrent callers and an atomic 0600 token cache confined to the data dir.
//!
//! Nothing here ever logs a token, a secret or an `Authorization` header: every struct holding
//! one implements `Debug` by hand, redacted.

pub mod appnode_token;
pub mod cache;
pub mod manager;
pub mod oauth;
pub mod provider;
pub mod secret;
pub mod token;

use std::path::PathBuf;
use std::time::Duration;

use crate::error::Coded;

pub use cache::TokenCache;
pub use manager::{TokenManager, TokenStatus};
pub use oauth::DevicePrompt;
pub use provider::{check_url, ProviderKind};
pub use secret::Secret;
pub use token::{Token, TokenKind};

/// Env var holding the OAuth2 client secret (wins over `oauth_client_secret_file`).
pub const ENV_CLIENT_SECRET: &str = "MININGOS_OAUTH_CLIENT_SECRET";
/// Env var holding the app-node bootstrap token (wins over `app_node_token_file`).
pub const ENV_APP_NODE_TOKEN: &str = "MININGOS_APP_NODE_TOKEN";
/// Default token cache file name, relative to the data dir.
pub const DEFAULT_TOKEN_CACHE_FILE: &str = "miningos-token.json";
/// app-node's default token lifetime (`auth.config.json a0.ttl`), seconds.
pub const DEFAULT_APP_NODE_TOKEN_TTL: u64 = 300;

/// Everything the token side needs. Field names follow the `[http]` config section; secrets are
/// already resolved (from env or a 0600 file, see [`Secret::load`]).
#[derive(Clone)]
pub struct AuthConfig {
    /// Which provider issues tokens.
    pub oauth_provider: ProviderKind,
    /// Issuer URL for `oidc` (discovery via `/.well-known/openid-configuration`).
    pub oauth_issuer: Option<String>,
    /// Device authorization endpoint for `custom`.
    pub oauth_device_authorization_url: Option<String>,
    /// Token endpoint for `custom`.
    pub oauth_token_url: Option<String>,
    /// OAuth2 client id (required for every provider but `app-node`).
    pub oauth_client_id: Option<String>,
    /// OAuth2 client secret, if the client is confidential.
    pub oauth_client_secret: Option<Secret>,
    /// Scopes to request; empty means the provider's defaults.
    pub oauth_scopes: Vec<String>,
    /// app-node base URL (needed by the `app-node` provider for `POST /auth/token`).
    pub app_node_url: Option<String>,
    /// app-node bootstrap token (env `MININGOS_APP_NODE_TOKEN` or `app_node_token_file`).
    pub app_node_token: Option<Secret>,
    /// Lifetime app-node gives its tokens (`a0.ttl`), seconds.
    pub app_node_token_ttl_seconds: u64,
    /// The module's data dir; the token cache lives inside it.
    pub data_dir: PathBuf,
    /// Token cache file, relative to `data_dir` and confined to it. `None` disables the cache.
    pub token_cache_file: Option<String>,
    /// Per-request timeout.
    pub request_timeout_seconds: u64,
    /// Allow plain `http://` to non-loopback hosts (never needed for loopback).
    pub allow_insecure_http: bool,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("oauth_provider", &self.oauth_provider)
            .field("oauth_issuer", &self.oauth_issuer)
            .field(
                "oauth_device_authorization_url",
                &self.oauth_device_authorization_url,
            )
            .field("oauth_token_url", &self.oauth_token_url)
            .field("oauth_client_id", &self.oauth_client_id)
            .field("oauth_client_secret", &self.oauth_client_secret)
            .field("oauth_scopes", &self.oauth_scopes)
            .field("app_node_url", &self.app_node_url)
            .field("app_node_token", &self.app_node_token)
            .field(
                "app_node_token_ttl_seconds",
                &self.app_node_token_ttl_seconds,
            )
            .field("data_dir", &self.data_dir)
            .field("token_cache_file", &self.token_cache_file)
            .field("request_timeout_seconds", &self.request_timeout_seconds)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl AuthConfig {
    /// A config for `provider` with defaults for everything else.
    pub fn new(provider: ProviderKind, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            oauth_provider: provider,
            oauth_issuer: None,
            oauth_device_authorization_url: None,
            oauth_token_url: None,
            oauth_client_id: None,
            oauth_client_secret: None,
            oauth_scopes: Vec::new(),
            app_node_url: None,
            app_node_token: None,
            app_node_token_ttl_seconds: DEFAULT_APP_NODE_TOKEN_TTL,
            data_dir: data_dir.into(),
            token_cache_file: Some(DEFAULT_TOKEN_CACHE_FILE.to_string()),
            request_timeout_seconds: 30,
            allow_insecure_http: false,
        }
    }

    /// Per-request timeout as a `Duration` (at least one second).
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds.max(1))
    }
}

/// Errors of the token side. Messages name what failed and where, and never carry a secret.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A configuration value is missing or invalid.
    #[error("auth config: {key}: {reason}")]
    Config {
        /// The `[http]` key at fault.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A URL is plain http to a non-loopback host without `allow_insecure_http`.
    #[error("{what}: {url} is plain http to a non-loopback host; use https (or set allow_insecure_http)")]
    InsecureUrl {
        /// Which setting holds the URL.
        what: &'static str,
        /// The URL (never carries credentials: those are rejected).
        url: String,
    },
    /// The token cache path escapes the data dir or is otherwise unsafe.
    #[error("token cache {path}: {reason}")]
    CachePath {
        /// The configured path.
        path: String,
        /// Why it is refused.
        reason: String,
    },
    /// The token cache is readable by others, or owned by another user.
    #[error("token cache {path} has mode {mode:o}: it must be 0600 and owned by this user (chmod 600 {path})")]
    Permissions {
        /// The file.
        path: String,
        /// Its mode bits.
        mode: u32,
    },
    /// A secret file is readable by others, or owned by another user.
    #[error("secret file {path} has mode {mode:o}: it must be 0600 and owned by this user (chmod 600 {path})")]
    SecretPermissions {
        /// The file.
        path: String,
        /// Its mode bits.
        mode: u32,
    },
    /// Reading or writing the cache or a secret file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No usable token: the operator has to log in (or provide an app-node token).
    #[error("not logged in: {0}")]
    LoginRequired(String),
    /// The provider refused (invalid_grant, access_denied, expired_token, ...).
    #[error("{endpoint} refused the request: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Denied {
        /// Which endpoint.
        endpoint: &'static str,
        /// The OAuth2 error code.
        error: String,
        /// The provider's description, if any.
        description: Option<String>,
    },
    /// app-node refused a token renewal (401): token expired, revoked, or bound to another IP.
    #[error("app-node refused the token renewal: {0}")]
    AppNodeRefused(String),
    /// The provider or app-node could not be reached or timed out.
    #[error("{endpoint} unavailable: {reason}")]
    Unavailable {
        /// Which endpoint.
        endpoint: &'static str,
        /// Transport-level reason (no secrets).
        reason: String,
    },
    /// The provider answered something that is not a valid response.
    #[error("{endpoint} sent an invalid response: {reason}")]
    BadResponse {
        /// Which endpoint.
        endpoint: &'static str,
        /// What was wrong (never the body: it may hold tokens).
        reason: String,
    },
    /// A device login was awaited without being started, or the device code expired.
    #[error("device login: {0}")]
    Device(String),
}

impl Coded for AuthError {
    fn code(&self) -> &'static str {
        match self {
            AuthError::Config { .. } => "ERR_AUTH_CONFIG",
            AuthError::InsecureUrl { .. } => "ERR_AUTH_INSECURE_URL",
            AuthError::CachePath { .. } => "ERR_TOKEN_CACHE_PATH",
            AuthError::Permissions { .. } => "ERR_TOKEN_CACHE_PERMS",
            AuthError::SecretPermissions { .. } => "ERR_SECRET_FILE_PERMS",
            AuthError::Io { .. } => "ERR_TOKEN_CACHE_IO",
            AuthError::LoginRequired(_) => "ERR_AUTH_LOGIN_REQUIRED",
            AuthError::Denied { .. } => "ERR_OAUTH_DENIED",
            AuthError::AppNodeRefused(_) => "ERR_AUTH_FAIL",
            AuthError::Unavailable { .. } => "ERR_OAUTH_UNAVAILABLE",
            AuthError::BadResponse { .. } => "ERR_OAUTH_BAD_RESPONSE",
            AuthError::Device(_) => "ERR_OAUTH_DEVICE",
        }
    }
}

/// Builds the one shared HTTP client: rustls, no redirects (OAuth2 endpoints must not redirect,
/// and a redirect would forward the bearer), per-request timeout, loopback-friendly.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, AuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("blvm-miningos/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AuthError::Config {
            key: "http",
            reason: format!("cannot build the HTTP client: {e}"),
        })
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
