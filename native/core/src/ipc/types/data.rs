//! Embedded data types (§12 of `reference/blvm-ipc.md`), node 0.1.83 layout
//! (blvm-primitives 0.1.30 / blvm-consensus 0.1.72).
//!
//! Serde layout, **not** Bitcoin wire format: bincode writes the fields in declaration order.
//! `usize` fields of the node are `u64` here (bincode always writes `usize` as 8 bytes), and
//! `HashMap`s are `BTreeMap`s (same bytes, deterministic order when we encode).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::txlist::TxList;

/// A 32-byte hash (sha256d output in internal byte order, i.e. the reverse of RPC display hex).
/// On the wire: exactly 32 raw bytes, no length prefix.
pub type Hash = [u8; 32];

/// A witness: the stack items of one input.
pub type Witness = Vec<Vec<u8>>;

/// A transaction outpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OutPoint {
    /// Hash of the transaction holding the output.
    pub hash: Hash,
    /// Output index.
    pub index: u32,
}

/// A transaction input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionInput {
    /// The output spent.
    pub prevout: OutPoint,
    /// Sequence number (8 bytes on this wire, not 4).
    pub sequence: u64,
    /// Input script.
    #[serde(with = "crate::ipc::types::wire_bytes")]
    pub script_sig: Vec<u8>,
}

/// A transaction output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionOutput {
    /// Value in satoshis.
    pub value: i64,
    /// Output script.
    #[serde(with = "crate::ipc::types::wire_bytes")]
    pub script_pubkey: Vec<u8>,
}

/// A transaction (no witness field; see [`Witness`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// Transaction version (8 bytes on this wire).
    pub version: u64,
    /// Inputs.
    pub inputs: Vec<TransactionInput>,
    /// Outputs.
    pub outputs: Vec<TransactionOutput>,
    /// Lock time (8 bytes on this wire).
    pub lock_time: u64,
}

/// A block header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockHeader {
    /// Block version.
    pub version: i64,
    /// Previous block hash.
    pub prev_block_hash: Hash,
    /// Merkle root.
    pub merkle_root: Hash,
    /// Unix timestamp (seconds).
    pub timestamp: u64,
    /// Compact target.
    pub bits: u64,
    /// Nonce.
    pub nonce: u64,
}

/// A block (coinbase first, no witnesses).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Header.
    pub header: BlockHeader,
    /// Transactions, coinbase first.
    pub transactions: Vec<Transaction>,
}

/// An unspent output (`UTXO` in the node).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utxo {
    /// Value in satoshis.
    pub value: i64,
    /// Output script.
    #[serde(with = "crate::ipc::types::wire_bytes")]
    pub script_pubkey: Vec<u8>,
    /// Height of the block that created it.
    pub height: u64,
    /// Whether it is a coinbase output.
    pub is_coinbase: bool,
}

/// A block template (blvm-consensus 0.1.72: `target` is a 64-char lowercase big-endian hex string;
/// blvm-consensus ≤ 0.1.34 had a `u128` there, not supported here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockTemplate {
    /// Header to mine on (merkle root and nonce to be filled by the miner).
    pub header: BlockHeader,
    /// Coinbase transaction.
    pub coinbase_tx: Transaction,
    /// Other transactions (coinbase excluded); decoded lazily when received (see [`TxList`]).
    pub transactions: TxList,
    /// Target, 64 lowercase hex chars, big-endian (GBT style).
    pub target: String,
    /// Height of the block being built.
    pub height: u64,
    /// Template timestamp (seconds).
    pub timestamp: u64,
}

/// Chain summary (`difficulty` is `f64` from 0.1.79 on; `u32` in 0.1.54).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChainInfo {
    /// Tip hash.
    pub tip_hash: Hash,
    /// Tip height.
    pub height: u64,
    /// Difficulty.
    pub difficulty: f64,
    /// Low 64 bits of the chain work.
    pub chain_work: u64,
    /// Whether the node considers itself synced.
    pub is_synced: bool,
}

/// Mempool size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MempoolSize {
    /// Number of transactions.
    pub transaction_count: u64,
    /// Total size in bytes.
    pub size_bytes: u64,
    /// Total fees in satoshis.
    pub total_fee_sats: u64,
}

/// Network statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkStats {
    /// Connected peers.
    pub peer_count: u64,
    /// Estimated network hash rate.
    pub hash_rate: f64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
}

/// A connected peer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Peer address.
    pub addr: String,
    /// `tcp`, `quinn` or `iroh`.
    pub transport_type: String,
    /// Service bits.
    pub services: u64,
    /// Protocol version.
    pub version: u32,
    /// Connection time (Unix seconds).
    pub connected_since: u64,
}

/// Sync status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Phase name.
    pub phase: String,
    /// Progress, 0..1.
    pub progress: f64,
    /// Whether synced.
    pub is_synced: bool,
    /// Last error, if any.
    pub error_message: Option<String>,
}

/// Snapshot of the block serve denylist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockServeDenylistSnapshot {
    /// Total entries.
    pub total_count: u64,
    /// Whether `hashes` was truncated (≤ 4096).
    pub truncated: bool,
    /// Hashes.
    pub hashes: Vec<Hash>,
}

/// Snapshot of the transaction serve denylist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxServeDenylistSnapshot {
    /// Total entries.
    pub total_count: u64,
    /// Whether `hashes` was truncated (≤ 4096).
    pub truncated: bool,
    /// Hashes.
    pub hashes: Vec<Hash>,
}

/// Lightning node information.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightningInfo {
    /// Node URL.
    pub node_url: String,
    /// Node public key.
    #[serde(with = "crate::ipc::types::wire_bytes")]
    pub node_pubkey: Vec<u8>,
    /// Channel count.
    pub channel_count: u64,
    /// Total capacity in satoshis.
    pub total_capacity_sats: u64,
}

/// Payment state (`reason` appended after 0.1.54).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentState {
    /// Payment id.
    pub payment_id: String,
    /// Status text.
    pub status: String,
    /// Amount in satoshis.
    pub amount_sats: u64,
    /// Settling transaction.
    pub tx_hash: Option<Hash>,
    /// Confirmations.
    pub confirmations: Option<u32>,
    /// Failure reason.
    pub reason: Option<String>,
}

/// File metadata (sandboxed filesystem requests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMetadata {
    /// Path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Is a regular file.
    pub is_file: bool,
    /// Is a directory.
    pub is_directory: bool,
    /// Modification time (Unix seconds).
    pub modified: Option<u64>,
    /// Creation time (Unix seconds).
    pub created: Option<u64>,
}

/// A metric value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MetricValue {
    /// Monotonic counter.
    Counter(u64),
    /// Gauge.
    Gauge(f64),
    /// Histogram samples.
    Histogram(Vec<f64>),
}

impl Default for MetricValue {
    fn default() -> Self {
        MetricValue::Counter(0)
    }
}

/// A metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Name.
    pub name: String,
    /// Value.
    pub value: MetricValue,
    /// Labels (a `HashMap` in the node; same bytes).
    pub labels: BTreeMap<String, String>,
    /// Unix seconds.
    pub timestamp: u64,
}

/// Module state as the node's manager sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModuleState {
    /// Stopped.
    #[default]
    Stopped,
    /// Initializing.
    Initializing,
    /// Running.
    Running,
    /// Stopping.
    Stopping,
    /// Error with text.
    Error(String),
}

/// Module health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModuleHealth {
    /// Healthy.
    #[default]
    Healthy,
    /// Unresponsive.
    Unresponsive,
    /// Crashed with text.
    Crashed(String),
}

/// Module information (`DiscoverModules`, `GetModuleInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleInfo {
    /// Module id (actually the module *name* in `DiscoverModules`).
    pub module_id: String,
    /// Module name.
    pub module_name: String,
    /// Version.
    pub version: String,
    /// Capability names.
    pub capabilities: Vec<String>,
    /// State.
    pub status: ModuleState,
    /// API version (node: always 1).
    pub api_version: u32,
}

/// Result of `SubmitBlock`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmitBlockResult {
    /// Accepted.
    #[default]
    Accepted,
    /// Rejected with the node's reason.
    Rejected(String),
    /// Already known.
    Duplicate,
}

/// Where a transaction was confirmed (0.1.83).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxBlockMetadata {
    /// Block hash.
    pub block_hash: Hash,
    /// Block height.
    pub block_height: u64,
}

/// Mempool fee-rate summary (0.1.83).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MempoolFeeRateSummary {
    /// Number of transactions sampled.
    pub sample_count: u64,
    /// Average fee rate, sat/vB.
    pub avg_sat_vb: u64,
    /// Median fee rate, sat/vB.
    pub median_sat_vb: u64,
}

/// A module's CLI description (`RegisterCliSpec`, §9.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CliSpec {
    /// Spec version (the SDK sends 1).
    pub version: u32,
    /// CLI name (the module name): `blvm <name> <subcommand>`.
    pub name: String,
    /// Description.
    pub about: Option<String>,
    /// Subcommands.
    pub subcommands: Vec<CliSubcommandSpec>,
}

/// One CLI subcommand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CliSubcommandSpec {
    /// Subcommand name.
    pub name: String,
    /// Description.
    pub about: Option<String>,
    /// Arguments.
    pub args: Vec<CliArgSpec>,
}

/// One CLI argument.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CliArgSpec {
    /// Argument name.
    pub name: String,
    /// `--long` form.
    pub long_name: Option<String>,
    /// `-s` form.
    pub short_name: Option<String>,
    /// Required.
    pub required: Option<bool>,
    /// Takes a value.
    pub takes_value: Option<bool>,
    /// Default value.
    pub default: Option<String>,
}
