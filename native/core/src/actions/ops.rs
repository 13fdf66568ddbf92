//! What the engine needs from the node, behind a small trait so the engine is testable without one.
//! The node view (JSON-RPC + IPC) implements [`NodeOps`] later; the addon can also adapt a
//! JavaScript object. [`Disconnected`] is the default: every node-backed action is unavailable.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether one capability can be used now, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cap {
    /// Usable now.
    pub available: bool,
    /// Why not (shown to the operator and in `ERR_ACTION_UNAVAILABLE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Cap {
    /// Available.
    pub fn yes() -> Self {
        Cap {
            available: true,
            reason: None,
        }
    }

    /// Not available, with the reason.
    pub fn no(reason: impl Into<String>) -> Self {
        Cap {
            available: false,
            reason: Some(reason.into()),
        }
    }
}

/// What the node side offers right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Template refresh, statistics and block submission (JSON-RPC or IPC).
    pub node: Cap,
    /// `call_module` over the module IPC (IPC in use and `call_module` granted).
    pub call_module: Cap,
    /// `publish_events` over the module IPC (IPC in use and `publish_events` granted).
    pub publish_events: Cap,
}

impl Capabilities {
    /// Nothing available, with one reason for all.
    pub fn none(reason: &str) -> Self {
        Capabilities {
            node: Cap::no(reason),
            call_module: Cap::no(reason),
            publish_events: Cap::no(reason),
        }
    }
}

/// A node operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{code}: {message}")]
pub struct OpsError {
    /// `ERR_*` code (for example `ERR_NODE_DISCONNECTED`, `ERR_IPC_CLOSED`).
    pub code: String,
    /// Detail (never a secret).
    pub message: String,
}

impl OpsError {
    /// An error from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        OpsError {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The `ActionExecuted` node event (blvm-ipc.md §11.1, event 108).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionExecutedEvent {
    /// Action id.
    pub action_id: String,
    /// Action name.
    pub action_type: String,
    /// `kind:id` of the target.
    pub target: String,
    /// Outcome.
    pub success: bool,
}

/// Node operations the engine uses.
pub trait NodeOps: Send + Sync {
    /// What is available now (checked at validation and before each use).
    fn capabilities(&self) -> Capabilities;
    /// Fetches a fresh block template; returns a summary (height, tx count, ...).
    fn refresh_template(&self) -> BoxFuture<'_, Result<Value, OpsError>>;
    /// Chain, network and mempool statistics.
    fn query_stats(&self) -> BoxFuture<'_, Result<Value, OpsError>>;
    /// Submits a serialized block (hex); returns the node's verdict.
    fn submit_block(&self, block_hex: String) -> BoxFuture<'_, Result<Value, OpsError>>;
    /// `CallModule{target_module_id: Some(target), method, params}` → the reply bytes.
    fn call_module(
        &self,
        target: String,
        method: String,
        params: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, OpsError>>;
    /// `PublishEvent{ActionExecuted}`.
    fn publish_action_executed(
        &self,
        ev: ActionExecutedEvent,
    ) -> BoxFuture<'_, Result<(), OpsError>>;
}

/// No node connected: everything unavailable.
#[derive(Debug, Default, Clone, Copy)]
pub struct Disconnected;

const NOT_CONNECTED: &str = "node operations are not connected to the engine yet";

impl NodeOps for Disconnected {
    fn capabilities(&self) -> Capabilities {
        Capabilities::none(NOT_CONNECTED)
    }
    fn refresh_template(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(async { Err(OpsError::new("ERR_NODE_UNAVAILABLE", NOT_CONNECTED)) })
    }
    fn query_stats(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(async { Err(OpsError::new("ERR_NODE_UNAVAILABLE", NOT_CONNECTED)) })
    }
    fn submit_block(&self, _block_hex: String) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(async { Err(OpsError::new("ERR_NODE_UNAVAILABLE", NOT_CONNECTED)) })
    }
    fn call_module(
        &self,
        _target: String,
        _method: String,
        _params: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, OpsError>> {
        Box::pin(async { Err(OpsError::new("ERR_NODE_UNAVAILABLE", NOT_CONNECTED)) })
    }
    fn publish_action_executed(
        &self,
        _ev: ActionExecutedEvent,
    ) -> BoxFuture<'_, Result<(), OpsError>> {
        Box::pin(async { Err(OpsError::new("ERR_NODE_UNAVAILABLE", NOT_CONNECTED)) })
    }
}
