//! `rpc`: the node's Bitcoin Core compatible JSON-RPC (cookie or user/password auth, loopback).
//!
//! The channel that works on every node today (blvm-ipc.md, "What the real node does" §5). Typed
//! calls for what the module needs; JSON-RPC errors become coded [`RpcError`]s. The cookie is
//! re-read on HTTP 401 and after the node was unreachable (it writes a new one when it restarts).

mod client;
mod error;
mod types;

pub use client::{RpcClient, RpcClientConfig};
pub use error::RpcError;
pub use types::*;
