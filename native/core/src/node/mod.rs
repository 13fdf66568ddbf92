//! `node`: the node view that merges the JSON-RPC and IPC channels (each figure with source and
//! age), and the IPC safety policy. See ARCHITECTURE.md ("Two channels to the node").
//!
//! The JSON-RPC channel is always used (tip poller, typed requests, `submitblock`). The IPC client
//! is connected only when [`policy`] allows it; it then adds node events (chain changes
//! de-duplicated against the poller), invocations, `call_module` and `publish_event`. Requests
//! that need the IPC are refused with `ERR_IPC_UNAVAILABLE` and the reason while it is not in use.

mod error;
pub mod events;
mod ipc_link;
pub mod policy;
mod view;

pub use error::NodeError;
pub use events::{EventKind, NodeEvent, Source};
pub use policy::PolicyDecision;
pub use view::{Figure, NodeView};
