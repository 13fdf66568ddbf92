//! `node`: the node view that merges the JSON-RPC and IPC channels (each figure with source and
//! age), and the IPC safety policy. See ARCHITECTURE.md ("Two channels to the node").
//!
//! Today only the JSON-RPC channel is wired: the IPC client lives on the `ipc` branch and plugs in
//! here (events, invocations, `call_module`, `publish_event`) once merged. Until then requests that
//! need the IPC are refused with `ERR_IPC_UNAVAILABLE` and the policy's reason.

mod error;
pub mod events;
pub mod policy;
mod view;

pub use error::NodeError;
pub use events::{EventKind, NodeEvent, Source};
pub use policy::PolicyDecision;
pub use view::{Figure, NodeView};
