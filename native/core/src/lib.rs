//! blvm-miningos core: everything that talks to the BLVM node or to HTTP, and the pure logic.
//!
//! No N-API here: `native/addon` wraps this crate for JavaScript, `tests/fake-node` uses the IPC
//! codec so the test node and the module can never disagree about types silently.

pub mod actions;
pub mod appnode;
pub mod auth;
pub mod config;
pub mod convert;
pub mod error;
pub mod ipc;
pub mod node;
pub mod rpc;

pub use error::Coded;

/// Version of this crate, reported in handshakes and status.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
