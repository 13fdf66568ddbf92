//! `config`: the module's TOML configuration.
//!
//! Found in this order, first hit wins: `{data_dir}/config/miningos.toml`, `{data_dir}/miningos.toml`,
//! `./config/miningos.toml`, `./miningos.toml`; none found: the documented defaults. Strict: an
//! unknown key, a wrong type, an interval below its minimum, a bad URL or key is an error that names
//! the file (or environment variable), the key and what is wrong; there is never a silent fallback.
//!
//! Overrides, applied over the file in this order: `MODULE_CONFIG_<SECTION>_<KEY>` (the node's
//! flattened module config, blvm-ipc.md §14.3), then `MININGOS_<SECTION>_<KEY>`. Secrets
//! (`oauth_client_secret`, `app_node_token`, `rpc_password`) come only from the environment
//! (`MININGOS_OAUTH_CLIENT_SECRET`, `MININGOS_APP_NODE_TOKEN`, `MININGOS_NODE_RPC_PASSWORD`) or from a
//! `*_file` that group and others cannot read.
//!
//! The structs are plain data so that later issues can add sections (`[actions]`, hooks) by adding a
//! schema entry in `schema.rs` and a field here.

mod error;
mod load;
mod schema;
mod secret;
mod types;

pub use error::ConfigError;
pub use load::{load, table_from_json, LoadOptions, Loaded};
pub use schema::{Kind, SCHEMA};
pub use secret::{read_secret_file, Secret};
pub use types::*;

#[cfg(test)]
mod tests;
