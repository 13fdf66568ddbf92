//! JSON-RPC channel errors.

use crate::error::Coded;

/// An error from the node's JSON-RPC channel.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RpcError {
    /// The node cannot be reached (connection refused, timeout, cookie file missing). `ERR_RPC_UNAVAILABLE`.
    #[error("node JSON-RPC at {url} unavailable: {reason}")]
    Unavailable {
        /// The URL tried.
        url: String,
        /// Why.
        reason: String,
    },
    /// The node refused our credentials. `ERR_RPC_AUTH`.
    #[error("node JSON-RPC at {url} refused authentication: {reason}")]
    Auth {
        /// The URL tried.
        url: String,
        /// Why (never the credentials).
        reason: String,
    },
    /// The node answered with a JSON-RPC error. `ERR_RPC_ERROR`.
    #[error("node JSON-RPC {method} failed: code {code}: {message}")]
    Rpc {
        /// The method called.
        method: String,
        /// The node's error code.
        code: i64,
        /// The node's error message.
        message: String,
    },
    /// The node's answer is not what the method returns. `ERR_RPC_BAD_RESPONSE`.
    #[error("node JSON-RPC {method}: bad response: {reason}")]
    BadResponse {
        /// The method called.
        method: String,
        /// What was wrong.
        reason: String,
    },
    /// A bad argument given by the caller (never sent). `ERR_RPC_BAD_REQUEST`.
    #[error("node JSON-RPC {method}: bad request: {reason}")]
    BadRequest {
        /// The method.
        method: String,
        /// What was wrong with the argument.
        reason: String,
    },
}

impl Coded for RpcError {
    fn code(&self) -> &'static str {
        match self {
            RpcError::Unavailable { .. } => "ERR_RPC_UNAVAILABLE",
            RpcError::Auth { .. } => "ERR_RPC_AUTH",
            RpcError::Rpc { .. } => "ERR_RPC_ERROR",
            RpcError::BadResponse { .. } => "ERR_RPC_BAD_RESPONSE",
            RpcError::BadRequest { .. } => "ERR_RPC_BAD_REQUEST",
        }
    }
}
