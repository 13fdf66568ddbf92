//! Errors of the action engine. Every variant has a stable `ERR_*` code (see [`Coded`]) that the
//! rack hands MiningOS as `[HRPC_ERR]=ERR_X`, and a message the UI can show (never a secret).

use crate::Coded;

/// Why an action was rejected (validation) or could not be recorded (journal).
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The action name is not in the catalogue for this kind of target.
    #[error("action '{action}' does not exist for a {kind} target")]
    Unknown {
        /// Action name as received.
        action: String,
        /// Target kind (`miner`, `node`, `rack`).
        kind: &'static str,
    },
    /// The action exists but needs an operator hook that is not configured.
    #[error("{0}")]
    Unsupported(String),
    /// The action is destructive and disabled until the operator enables it.
    #[error("{0}")]
    Disabled(String),
    /// The action needs a node capability or channel that is not available right now.
    #[error("{0}")]
    Unavailable(String),
    /// The target descriptor is malformed.
    #[error("invalid target: {0}")]
    Target(String),
    /// A parameter is missing or malformed (generic).
    #[error("{action}: {reason}")]
    Params {
        /// Action name.
        action: String,
        /// What is wrong, naming the parameter.
        reason: String,
    },
    /// `setPowerMode` with a mode the target does not accept.
    #[error("{0}")]
    PowerMode(String),
    /// `setLED` with something other than a boolean.
    #[error("{0}")]
    Led(String),
    /// A pool URL that is not a usable stratum URL.
    #[error("{0}")]
    PoolUrl(String),
    /// A pool configuration that is not usable (shape, worker name, count).
    #[error("{0}")]
    PoolConfig(String),
    /// `submitBlock` with something that is not a serialized block in hex.
    #[error("{0}")]
    BlockHex(String),
    /// A value that would be substituted into a hook argv is unsafe (control characters, NUL,
    /// leading dash, too long) or missing.
    #[error("{0}")]
    Placeholder(String),
    /// The `[actions]` configuration is invalid.
    #[error("invalid [actions] configuration: {0}")]
    Config(String),
    /// The request envelope (action id, user) is malformed.
    #[error("invalid action request: {0}")]
    Request(String),
    /// The audit journal could not be written or read.
    #[error("action journal {path}: {reason}")]
    Journal {
        /// Journal file.
        path: String,
        /// What failed.
        reason: String,
    },
}

impl Coded for ActionError {
    fn code(&self) -> &'static str {
        match self {
            ActionError::Unknown { .. } => "ERR_ACTION_UNKNOWN",
            ActionError::Unsupported(_) => "ERR_ACTION_UNSUPPORTED",
            ActionError::Disabled(_) => "ERR_ACTION_DISABLED",
            ActionError::Unavailable(_) => "ERR_ACTION_UNAVAILABLE",
            ActionError::Target(_) => "ERR_ACTION_TARGET_INVALID",
            ActionError::Params { .. } => "ERR_ACTION_PARAMS_INVALID",
            ActionError::PowerMode(_) => "ERR_POWER_MODE_INVALID",
            ActionError::Led(_) => "ERR_LED_INVALID",
            ActionError::PoolUrl(_) => "ERR_POOL_URL_INVALID",
            ActionError::PoolConfig(_) => "ERR_POOL_CONFIG_INVALID",
            ActionError::BlockHex(_) => "ERR_BLOCK_HEX_INVALID",
            ActionError::Placeholder(_) => "ERR_HOOK_PLACEHOLDER_INVALID",
            ActionError::Config(_) => "ERR_ACTIONS_CONFIG_INVALID",
            ActionError::Request(_) => "ERR_ACTION_REQUEST_INVALID",
            ActionError::Journal { .. } => "ERR_ACTION_JOURNAL",
        }
    }
}

impl ActionError {
    /// A generic parameter error for `action`.
    pub fn params(action: &str, reason: impl Into<String>) -> Self {
        ActionError::Params {
            action: action.to_string(),
            reason: reason.into(),
        }
    }
}
