//! Errors of the IPC client ([`IpcError`]), each with a stable `ERR_*` code.

use std::path::PathBuf;

use super::capability::Capability;
use super::frame::CodecError;
use crate::error::Coded;

/// Everything the IPC client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    /// The connection dropped (EOF, I/O error) or is not up; on node 0.1.83 an EOF right after a
    /// request means the node rejected it (permission, NodeAPI error, rate limit: §8.3).
    #[error("node IPC connection lost during {request}: {reason}")]
    NodeDisconnected {
        /// The request (or action) that was pending.
        request: &'static str,
        /// What happened.
        reason: String,
    },
    /// No response within the per-request timeout.
    #[error("{request} got no IPC response within {timeout_ms} ms")]
    Timeout {
        /// The request.
        request: &'static str,
        /// The timeout.
        timeout_ms: u64,
    },
    /// No `HandshakeAck` within the handshake timeout.
    #[error(
        "no HandshakeAck from {socket} within {timeout_ms} ms (a node that serves one module \
         connection, 0.1.83 and earlier, may be serving another one)"
    )]
    HandshakeTimeout {
        /// Socket path.
        socket: PathBuf,
        /// The timeout.
        timeout_ms: u64,
    },
    /// Refused locally: the node would drop the connection for a missing capability.
    #[error("{request} needs capability {capability}, which the node has not granted this module")]
    CapabilityNotGranted {
        /// The request.
        request: &'static str,
        /// The missing capability.
        capability: Capability,
    },
    /// Refused locally: the connected node always fails this request (and then drops the connection).
    #[error("{request} is not supported by node {node_version}: {reason}")]
    UnsupportedByNode {
        /// The request.
        request: &'static str,
        /// The node version.
        node_version: String,
        /// Why.
        reason: &'static str,
    },
    /// The node's wire layout is not the one this client speaks.
    #[error(
        "node version {node_version:?} uses an IPC layout this client does not implement \
         (supported: 0.1.79 to 0.1.x, reference 0.1.83)"
    )]
    UnsupportedNodeVersion {
        /// What the node reported.
        node_version: String,
    },
    /// The node answered something unexpected.
    #[error("IPC protocol error: {detail}")]
    Protocol {
        /// What and where.
        detail: String,
    },
    /// Codec failure (frame too large, undecodable, I/O).
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// `success=false` response (not sent by a production node, but by lenient fakes).
    #[error("node answered {request} with an error: {message}")]
    NodeError {
        /// The request.
        request: &'static str,
        /// The node's text.
        message: String,
    },
    /// The client was closed.
    #[error("IPC client is closed")]
    Closed,
    /// Connecting to the socket failed.
    #[error("cannot connect to node IPC socket {socket}: {source}")]
    Connect {
        /// Socket path.
        socket: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An invocation answer for an id that is not outstanding on the current connection.
    #[error("no outstanding node invocation with correlation id {correlation_id}")]
    UnknownInvocation {
        /// The id given.
        correlation_id: u64,
    },
    /// A configuration value is invalid.
    #[error("invalid IPC client config: {field}: {reason}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl Coded for IpcError {
    fn code(&self) -> &'static str {
        match self {
            IpcError::NodeDisconnected { .. } => "ERR_NODE_DISCONNECTED",
            IpcError::Timeout { .. } => "ERR_IPC_TIMEOUT",
            IpcError::HandshakeTimeout { .. } => "ERR_HANDSHAKE_TIMEOUT",
            IpcError::CapabilityNotGranted { .. } => "ERR_CAPABILITY_NOT_GRANTED",
            IpcError::UnsupportedByNode { .. } => "ERR_UNSUPPORTED_BY_NODE",
            IpcError::UnsupportedNodeVersion { .. } => "ERR_UNSUPPORTED_NODE_VERSION",
            IpcError::Protocol { .. } => "ERR_IPC_PROTOCOL",
            IpcError::Codec(e) => e.code(),
            IpcError::NodeError { .. } => "ERR_NODE_ERROR",
            IpcError::Closed => "ERR_IPC_CLOSED",
            IpcError::Connect { .. } => "ERR_IPC_CONNECT",
            IpcError::UnknownInvocation { .. } => "ERR_UNKNOWN_INVOCATION",
            IpcError::InvalidConfig { .. } => "ERR_IPC_CONFIG",
        }
    }
}

impl IpcError {
    /// Whether a reconnect may cure this error (connection-level failures).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            IpcError::NodeDisconnected { .. }
                | IpcError::HandshakeTimeout { .. }
                | IpcError::Connect { .. }
                | IpcError::Timeout { .. }
                | IpcError::Codec(_)
                | IpcError::Protocol { .. }
        )
    }
}
