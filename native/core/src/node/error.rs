//! Node view errors.

use crate::error::Coded;
use crate::ipc::IpcError;
use crate::rpc::RpcError;

/// An error from the node view.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// A JSON-RPC failure (its own code).
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// An IPC failure (its own code).
    #[error(transparent)]
    Ipc(#[from] IpcError),
    /// A bad argument (never sent). `ERR_INVALID_ARGUMENT`.
    #[error("{what}: {reason}")]
    InvalidArgument {
        /// The operation.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// The request needs the module IPC, which is not in use. `ERR_IPC_UNAVAILABLE`.
    #[error("{what} needs the module IPC, which is not in use: {reason}")]
    IpcUnavailable {
        /// The refused operation.
        what: String,
        /// Why the IPC is not in use (the policy reason or the connection state).
        reason: String,
    },
    /// The view was closed. `ERR_NODE_CLOSED`.
    #[error("node client is closed")]
    Closed,
    /// No pending invocation has this id. `ERR_UNKNOWN_INVOCATION`.
    #[error("no pending invocation with id {0}")]
    UnknownInvocation(u64),
}

impl Coded for NodeError {
    fn code(&self) -> &'static str {
        match self {
            NodeError::Rpc(e) => e.code(),
            NodeError::Ipc(e) => e.code(),
            NodeError::InvalidArgument { .. } => "ERR_INVALID_ARGUMENT",
            NodeError::IpcUnavailable { .. } => "ERR_IPC_UNAVAILABLE",
            NodeError::Closed => "ERR_NODE_CLOSED",
            NodeError::UnknownInvocation(_) => "ERR_UNKNOWN_INVOCATION",
        }
    }
}
