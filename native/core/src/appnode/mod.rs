//! The MiningOS app-node REST client (miningos-rack.md §4, miningos-extdata-ui.md §3).
//!
//! Typed calls for the routes a rack operator needs; responses keep app-node's shapes (one array
//! per ork for `list-*`, `tail-log`, `ext-data`, ...). Every call goes through one request path:
//! a bearer from the [`TokenManager`] (refreshed ahead of expiry), one refresh-and-retry on a
//! 401, `ERR_*` messages of 400 bodies passed through, 403 → `ERR_AUTH_FAIL_NO_PERMS`, and
//! timeouts / 5xx retried with backoff for idempotent requests only, then
//! `ERR_APPNODE_UNAVAILABLE`.

mod client;
mod types;

pub use client::{parse_options, AppNodeClient, AppNodeConfig};
pub use types::*;

use crate::auth::AuthError;
use crate::error::Coded;

/// Errors of app-node calls. Messages name the route; none carries a token.
#[derive(Debug, thiserror::Error)]
pub enum AppNodeError {
    /// No `app_node_url` configured.
    #[error("app-node is not configured (set app_node_url)")]
    NotConfigured,
    /// A configuration value is invalid.
    #[error("app-node config: {key}: {reason}")]
    Config {
        /// The key at fault.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A caller-supplied argument is invalid (checked before anything is sent).
    #[error("{what}: {reason}")]
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// app-node answered 400 with an `ERR_*` message: passed through as the error code.
    #[error("{route}: app-node answered {code}")]
    Rejected {
        /// The route, e.g. `GET /auth/list-things`.
        route: String,
        /// app-node's code, e.g. `ERR_TYPE_INVALID`.
        code: String,
    },
    /// app-node answered a 4xx without an `ERR_*` message.
    #[error("{route}: app-node answered HTTP {status}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    BadRequest {
        /// The route.
        route: String,
        /// HTTP status.
        status: u16,
        /// app-node's message, if any.
        message: Option<String>,
    },
    /// 404: the route does not exist on this app-node.
    #[error("{route}: not found on this app-node (HTTP 404)")]
    NotFound {
        /// The route.
        route: String,
    },
    /// Still 401 after one refresh-and-retry (or the refresh itself failed).
    #[error("{route}: authentication failed: {reason}")]
    AuthFail {
        /// The route.
        route: String,
        /// Why.
        reason: String,
    },
    /// 403, or 401 with `ERR_AUTH_FAIL_NO_PERMS`: the user lacks the permission.
    #[error("{route}: the token's user lacks the permission for this route")]
    NoPerms {
        /// The route.
        route: String,
    },
    /// Unreachable, timed out, or 5xx (after the retries idempotent requests get).
    #[error("{route}: app-node unavailable after {attempts} attempt(s): {reason}")]
    Unavailable {
        /// The route.
        route: String,
        /// Attempts made.
        attempts: u32,
        /// Last reason.
        reason: String,
    },
    /// A 2xx whose body is not the documented JSON.
    #[error("{route}: invalid response from app-node: {reason}")]
    BadResponse {
        /// The route.
        route: String,
        /// What was wrong (a JSON path, never the body).
        reason: String,
    },
    /// No usable token (not logged in, provider down, ...).
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl Coded for AppNodeError {
    fn code(&self) -> &'static str {
        match self {
            AppNodeError::NotConfigured => "ERR_APPNODE_NOT_CONFIGURED",
            AppNodeError::Config { .. } => "ERR_APPNODE_CONFIG",
            AppNodeError::InvalidArgument { .. } => "ERR_APPNODE_INVALID_ARGUMENT",
            AppNodeError::Rejected { .. } => "ERR_APPNODE_REJECTED",
            AppNodeError::BadRequest { .. } => "ERR_APPNODE_BAD_REQUEST",
            AppNodeError::NotFound { .. } => "ERR_APPNODE_NOT_FOUND",
            AppNodeError::AuthFail { .. } => "ERR_AUTH_FAIL",
            AppNodeError::NoPerms { .. } => "ERR_AUTH_FAIL_NO_PERMS",
            AppNodeError::Unavailable { .. } => "ERR_APPNODE_UNAVAILABLE",
            AppNodeError::BadResponse { .. } => "ERR_APPNODE_BAD_RESPONSE",
            AppNodeError::Auth(e) => e.code(),
        }
    }
}

impl AppNodeError {
    /// The code to show callers: app-node's own `ERR_*` for [`AppNodeError::Rejected`], else
    /// [`Coded::code`].
    pub fn wire_code(&self) -> String {
        match self {
            AppNodeError::Rejected { code, .. } => code.clone(),
            other => other.code().to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
