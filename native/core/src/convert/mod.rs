//! `convert`: BLVM data → MiningOS (see ARCHITECTURE.md, "Layers" and "The model").
//!
//! Pure logic, no I/O: the glue (the rack worker through the addon, or the node view) feeds
//! events and figures in and serves what comes out.
//! - [`hashrate`]: hashrate estimates from accepted shares × share difficulty over sliding windows.
//! - [`address`]: miner identity by host address.
//! - [`miners`]: the miner book: registry, status, snapshots in the MiningOS miner schema,
//!   pool workers and stats.
//! - [`statlog`]: `stat-*` log entries with the keys the orchestrator aggregates.
//! - [`node_thing`]: the `node-blvm` thing's `last.snap` and its alerts.
//! - [`template`]: BIP 22/23 block template JSON from the IPC template or a JSON-RPC answer, and
//!   the "parent is the current tip" check.
//! - [`pool`]: the pool rack's ext data (`stats-history` buckets, `transactions`, revenue).
//! - [`time`]: cron-boundary alignment.

pub mod address;
pub mod error;
pub mod hashrate;
pub mod miners;
pub mod node_thing;
pub mod pool;
pub mod statlog;
pub mod template;
pub mod time;

pub use error::ConvertError;
pub use miners::{IngestReport, MinerBook, MinerBookConfig};
