//! The table of every key: its section, name and type. Adding a key = one line here + one field.

/// The type of a config value (and how an environment string is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `true` / `false`.
    Bool,
    /// A string.
    Str,
    /// An integer `>= min`.
    Int {
        /// Smallest accepted value.
        min: i64,
    },
    /// An array of strings (env: `a,b` or `"a","b"` or a TOML array `["a", "b"]`).
    StrList,
}

use Kind::*;

/// Every section and key the config accepts.
pub const SCHEMA: &[(&str, &[(&str, Kind)])] = &[
    ("miningos", &[("enabled", Bool)]),
    (
        "p2p",
        &[
            ("enabled", Bool),
            ("rack_id", Str),
            ("rack_type", Str),
            ("auto_register", Bool),
            ("orks", StrList),
            ("allow", StrList),
            ("allow_read_only", StrList),
        ],
    ),
    (
        "http",
        &[
            ("enabled", Bool),
            ("app_node_url", Str),
            ("oauth_provider", Str),
            ("oauth_issuer", Str),
            ("oauth_device_authorization_url", Str),
            ("oauth_token_url", Str),
            ("oauth_client_id", Str),
            ("oauth_scopes", StrList),
            ("oauth_client_secret_file", Str),
            ("app_node_token_file", Str),
            ("token_cache_file", Str),
            ("request_timeout_seconds", Int { min: 1 }),
        ],
    ),
    (
        "stats",
        &[
            ("enabled", Bool),
            ("collection_interval_seconds", Int { min: 1 }),
        ],
    ),
    (
        "template",
        &[
            ("enabled", Bool),
            ("update_interval_seconds", Int { min: 1 }),
        ],
    ),
    (
        "node",
        &[
            ("ipc", Str),
            ("ipc_safe_from", Str),
            ("rpc_url", Str),
            ("rpc_cookie_file", Str),
            ("rpc_user", Str),
            ("rpc_password_file", Str),
            ("tip_poll_interval_ms", Int { min: 10 }),
            ("request_timeout_ms", Int { min: 1 }),
            ("handshake_timeout_ms", Int { min: 1 }),
            ("capabilities", StrList),
            ("socket_path", Str),
        ],
    ),
    // `[actions]` scalar keys; the nested `[actions.votes]` and `[actions.hooks.*]` tables are
    // file-only (see `ACTIONS_TABLES`) and parsed strictly by `crate::actions::ActionsConfig`.
    (
        "actions",
        &[
            ("enabled", Bool),
            ("hook_timeout_seconds", Int { min: 1 }),
            ("max_output_bytes", Int { min: 256 }),
            ("max_concurrent_hooks", Int { min: 1 }),
        ],
    ),
];

/// Sub-tables of `[actions]` (file or inline only; no environment override: an argv is not a
/// one-line value).
pub const ACTIONS_TABLES: &[&str] = &["votes", "hooks"];

/// Secret keys that must never be written in a file, with the way to give them instead.
pub const SECRET_KEYS: &[(&str, &str, &str, &str)] = &[
    (
        "http",
        "oauth_client_secret",
        "MININGOS_OAUTH_CLIENT_SECRET",
        "oauth_client_secret_file",
    ),
    (
        "http",
        "app_node_token",
        "MININGOS_APP_NODE_TOKEN",
        "app_node_token_file",
    ),
    (
        "node",
        "rpc_password",
        "MININGOS_NODE_RPC_PASSWORD",
        "rpc_password_file",
    ),
];

/// The kind of `[section] key`, or `None` when the key does not exist.
pub fn kind_of(section: &str, key: &str) -> Option<Kind> {
    SCHEMA
        .iter()
        .find(|(s, _)| *s == section)
        .and_then(|(_, keys)| keys.iter().find(|(k, _)| *k == key).map(|(_, t)| *t))
}

/// True when `section` exists.
pub fn has_section(section: &str) -> bool {
    SCHEMA.iter().any(|(s, _)| *s == section)
}

/// The key names of `section`, for "expected one of" messages.
pub fn keys_of(section: &str) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = SCHEMA
        .iter()
        .find(|(s, _)| *s == section)
        .map(|(_, keys)| keys.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default();
    if section == "actions" {
        keys.extend(ACTIONS_TABLES.iter().copied());
    }
    keys
}

/// The section names, for "expected one of" messages.
pub fn sections() -> Vec<&'static str> {
    SCHEMA.iter().map(|(s, _)| *s).collect()
}

/// The capability names the node knows (blvm-ipc.md §17).
pub const KNOWN_CAPABILITIES: &[&str] = &[
    "read_blockchain",
    "read_utxo",
    "read_chain_state",
    "subscribe_events",
    "send_transactions",
    "read_mempool",
    "read_network",
    "network_access",
    "read_lightning",
    "read_payment",
    "read_storage",
    "write_storage",
    "manage_storage",
    "read_filesystem",
    "write_filesystem",
    "manage_filesystem",
    "register_rpc_endpoint",
    "manage_timers",
    "report_metrics",
    "read_metrics",
    "discover_modules",
    "publish_events",
    "call_module",
    "register_module_api",
    "submit_block",
    "queue_inbound_block",
];

/// The four capabilities a node grants a module with no registered set (blvm-ipc.md §17).
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "read_blockchain",
    "read_utxo",
    "read_chain_state",
    "subscribe_events",
];
