//! `actions`: the MiningOS action engine (issue 6).
//!
//! - [`catalogue`]: which actions exist per target kind (miner thing, node thing, rack) and their
//!   MiningOS vote counts;
//! - [`config`]: the `[actions]` / `[actions.hooks.<name>]` configuration (strict serde structs);
//! - [`validate`]: `validateWriteAction`, precise `ERR_*` codes the UI can show;
//! - [`hooks`]: operator hooks (argv with placeholders, no shell, timeout killing the process group,
//!   capped output, cleared environment);
//! - [`pools`]: `setupPools` → `call_module("blvm-stratum-v2", "update_pool_config")`;
//! - [`journal`]: the durable audit journal (JSON lines, fsync), idempotency, interrupted actions;
//! - [`module_api`]: `trigger_action` / `get_action_status` for other modules (JSON in/out);
//! - [`ops`]: the [`NodeOps`] trait the node view implements (template, stats, block, call_module,
//!   publish);
//! - [`node_view_ops`]: [`NodeViewOps`], the trait over the node view;
//! - [`engine`]: [`ActionEngine`], tying it together.
//!
//! See `docs/actions.md` for the operator's view.

pub mod catalogue;
pub mod config;
pub mod engine;
pub mod error;
pub mod hooks;
pub mod journal;
pub mod module_api;
pub mod node_view_ops;
pub mod ops;
pub mod pools;
pub mod redact;
pub mod types;
pub mod validate;

pub use catalogue::TargetKind;
pub use config::{ActionsConfig, HookConfig, HookName, HooksConfig};
pub use engine::{ActionEngine, WriteCall};
pub use error::ActionError;
pub use journal::{ActionJournal, FileJournal, HistoryQuery, JournalEntry, OpenReport, Status};
pub use node_view_ops::NodeViewOps;
pub use ops::{ActionExecutedEvent, Cap, Capabilities, Disconnected, NodeOps, OpsError};
pub use pools::Pool;
pub use types::{ActionRequest, ActionResult, Target};
