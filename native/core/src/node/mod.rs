//! `node`: the node view that merges the JSON-RPC and IPC channels (each figure with source and
//! age), and the IPC safety policy. See ARCHITECTURE.md ("Two channels to the node").

pub mod policy;
