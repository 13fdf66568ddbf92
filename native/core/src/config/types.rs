//! The validated configuration. Serializing it (for status and `loadConfig`) never shows a secret:
//! secret fields serialize as `"<redacted>"` when set and `null` when not.

use super::Secret;
use serde::{Serialize, Serializer};
use std::path::PathBuf;

fn redact<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str("<redacted>"),
        None => s.serialize_none(),
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// `[actions]`: the action engine's configuration (votes, hooks, limits); hooks' argv are
    /// not secrets and are shown as configured.
    pub actions: crate::actions::ActionsConfig,
    /// `[miningos]`.
    pub miningos: MiningosSection,
    /// `[p2p]`: the MiningOS rack over Hyperswarm RPC.
    pub p2p: P2pSection,
    /// `[http]`: the MiningOS app-node REST client and its OAuth2 login.
    pub http: HttpSection,
    /// `[stats]`.
    pub stats: StatsSection,
    /// `[template]`.
    pub template: TemplateSection,
    /// `[node]`: how the module reaches the BLVM node.
    pub node: NodeSection,
    /// The module's data directory (`DATA_DIR`), when known.
    pub data_dir: Option<PathBuf>,
}

/// `[miningos]`.
#[derive(Debug, Clone, Serialize)]
pub struct MiningosSection {
    /// Master switch (default `true`).
    pub enabled: bool,
}

/// `[p2p]`.
#[derive(Debug, Clone, Serialize)]
pub struct P2pSection {
    /// Run the Hyperswarm RPC rack (default `true`).
    pub enabled: bool,
    /// Unique rack id (required when enabled).
    pub rack_id: Option<String>,
    /// Rack type (default `"miner"`).
    pub rack_type: String,
    /// Register with the orchestrators automatically (default `true`).
    pub auto_register: bool,
    /// Orchestrator RPC public keys (64 hex, lower-cased).
    pub orks: Vec<String>,
    /// Client keys with full access (64 hex, lower-cased).
    pub allow: Vec<String>,
    /// Client keys with read-only access (64 hex, lower-cased).
    pub allow_read_only: Vec<String>,
}

/// How the module logs in to MiningOS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OauthProvider {
    /// Google's OAuth2 device flow (preset endpoints).
    Google,
    /// Any OpenID Connect provider, endpoints discovered from `oauth_issuer`.
    Oidc,
    /// Explicit `oauth_device_authorization_url` + `oauth_token_url`.
    Custom,
    /// No OAuth2: an app-node token (bootstrap) only.
    AppNode,
}

impl OauthProvider {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OauthProvider::Google => "google",
            OauthProvider::Oidc => "oidc",
            OauthProvider::Custom => "custom",
            OauthProvider::AppNode => "app-node",
        }
    }
}

/// `[http]`.
#[derive(Debug, Clone, Serialize)]
pub struct HttpSection {
    /// Use the app-node REST API (default `true`).
    pub enabled: bool,
    /// App-node base URL (required when enabled).
    pub app_node_url: Option<String>,
    /// OAuth2 provider (default `google`).
    pub oauth_provider: OauthProvider,
    /// OIDC issuer URL (provider `oidc`).
    pub oauth_issuer: Option<String>,
    /// Device authorization endpoint (provider `custom`).
    pub oauth_device_authorization_url: Option<String>,
    /// Token endpoint (provider `custom`).
    pub oauth_token_url: Option<String>,
    /// OAuth2 client id (required for every provider but `app-node`).
    pub oauth_client_id: Option<String>,
    /// OAuth2 scopes (default `["openid", "email", "profile"]`).
    pub oauth_scopes: Vec<String>,
    /// File the client secret was read from, if any.
    pub oauth_client_secret_file: Option<PathBuf>,
    /// The OAuth2 client secret (env or file only).
    #[serde(serialize_with = "redact")]
    pub oauth_client_secret: Option<Secret>,
    /// File the app-node token was read from, if any.
    pub app_node_token_file: Option<PathBuf>,
    /// The app-node token (env or file only).
    #[serde(serialize_with = "redact")]
    pub app_node_token: Option<Secret>,
    /// Token cache, resolved inside the data dir (default `miningos-token.json`).
    pub token_cache_file: PathBuf,
    /// HTTP request timeout in seconds (default 30).
    pub request_timeout_seconds: u64,
}

/// `[stats]`.
#[derive(Debug, Clone, Serialize)]
pub struct StatsSection {
    /// Collect statistics (default `true`).
    pub enabled: bool,
    /// Safety-net collection interval in seconds (default 60).
    pub collection_interval_seconds: u64,
}

/// `[template]`.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateSection {
    /// Provide block templates (default `true`).
    pub enabled: bool,
    /// Safety-net template refresh in seconds (default 30).
    pub update_interval_seconds: u64,
}

/// `[node] ipc`: when the module IPC may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IpcMode {
    /// Only on nodes known to serve the IPC safely (version >= `ipc_safe_from`).
    Auto,
    /// Also when the version cannot be read; never on a version known unsafe.
    On,
    /// Never.
    Off,
}

impl IpcMode {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IpcMode::Auto => "auto",
            IpcMode::On => "on",
            IpcMode::Off => "off",
        }
    }
}

/// How the JSON-RPC channel authenticates.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RpcAuthConfig {
    /// Cookie file written by the node (`__cookie__:<password>`), re-read when the node restarts.
    Cookie {
        /// The cookie file.
        file: PathBuf,
    },
    /// `rpc_user` + a password from env or `rpc_password_file`.
    UserPassword {
        /// The user name.
        user: String,
        /// The password.
        #[serde(serialize_with = "redact_secret")]
        password: Secret,
    },
    /// No credentials known (no data dir, no cookie file, no user).
    None,
}

fn redact_secret<S: Serializer>(_: &Secret, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("<redacted>")
}

/// `[node]`.
#[derive(Debug, Clone, Serialize)]
pub struct NodeSection {
    /// IPC policy (default `auto`).
    pub ipc: IpcMode,
    /// Lowest node version assumed to serve several module connections (default `0.1.84`).
    pub ipc_safe_from: String,
    /// The node's JSON-RPC URL (loopback `http`, or `https`).
    pub rpc_url: String,
    /// Where the default `rpc_url` came from (or `"config"`).
    pub rpc_url_reason: String,
    /// Credentials for the JSON-RPC channel.
    pub rpc_auth: RpcAuthConfig,
    /// Tip poll interval in ms (default 250, minimum 10).
    pub tip_poll_interval_ms: u64,
    /// JSON-RPC request timeout in ms (default 10000).
    pub request_timeout_ms: u64,
    /// IPC handshake timeout in ms (default 5000).
    pub handshake_timeout_ms: u64,
    /// Capabilities the node grants us (default: the four defaults).
    pub capabilities: Vec<String>,
    /// The module IPC socket (default: env `SOCKET_PATH`).
    pub socket_path: Option<PathBuf>,
    /// Module id for the IPC handshake (env `MODULE_ID`, default `blvm-miningos`); not a key.
    pub module_id: String,
    /// Module name (env `MODULE_NAME`, default: `module_id` up to its first `_`); not a key.
    pub module_name: String,
}
