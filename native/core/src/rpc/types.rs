//! Typed results of the JSON-RPC calls. The fields the module uses are typed; everything else the
//! node sends is kept in `extra` (and serialized back flat), so nothing is lost on the way to JS.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `getnetworkinfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInfo {
    /// Numeric version.
    pub version: i64,
    /// User agent, e.g. `/BitcoinCommons:0.1.83/` (the BLVM node version lives here).
    pub subversion: String,
    /// P2P protocol version.
    #[serde(default)]
    pub protocolversion: Option<i64>,
    /// Number of connections.
    #[serde(default)]
    pub connections: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `getblockchaininfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockchainInfo {
    /// `main`, `test`, `signet`, `regtest`.
    pub chain: String,
    /// Height of the best validated block.
    pub blocks: u64,
    /// Height of the best known header.
    #[serde(default)]
    pub headers: Option<u64>,
    /// Best block hash.
    pub bestblockhash: String,
    /// Difficulty.
    #[serde(default)]
    pub difficulty: Option<f64>,
    /// Median time past.
    #[serde(default)]
    pub mediantime: Option<u64>,
    /// Verification progress 0..1.
    #[serde(default)]
    pub verificationprogress: Option<f64>,
    /// In initial block download.
    #[serde(default)]
    pub initialblockdownload: Option<bool>,
    /// Total chain work (hex).
    #[serde(default)]
    pub chainwork: Option<String>,
    /// Size on disk in bytes.
    #[serde(default)]
    pub size_on_disk: Option<u64>,
    /// Pruned node.
    #[serde(default)]
    pub pruned: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `getblockheader <hash> true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockHeader {
    /// Block hash.
    pub hash: String,
    /// Height.
    pub height: u64,
    /// Confirmations (-1 when not on the best chain).
    #[serde(default)]
    pub confirmations: Option<i64>,
    /// Block version.
    #[serde(default)]
    pub version: Option<i64>,
    /// Merkle root.
    #[serde(default)]
    pub merkleroot: Option<String>,
    /// Block time.
    #[serde(default)]
    pub time: Option<u64>,
    /// Median time past.
    #[serde(default)]
    pub mediantime: Option<u64>,
    /// Nonce.
    #[serde(default)]
    pub nonce: Option<u64>,
    /// Compact target (hex).
    #[serde(default)]
    pub bits: Option<String>,
    /// Difficulty.
    #[serde(default)]
    pub difficulty: Option<f64>,
    /// Chain work (hex).
    #[serde(default)]
    pub chainwork: Option<String>,
    /// Transaction count.
    #[serde(default, rename = "nTx")]
    pub n_tx: Option<u64>,
    /// Parent hash (absent for genesis).
    #[serde(default)]
    pub previousblockhash: Option<String>,
    /// Child hash on the best chain.
    #[serde(default)]
    pub nextblockhash: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `getblock <hash> 1` (transactions as ids) or `2` (transactions as objects).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Block hash.
    pub hash: String,
    /// Height.
    pub height: u64,
    /// Confirmations.
    #[serde(default)]
    pub confirmations: Option<i64>,
    /// Parent hash.
    #[serde(default)]
    pub previousblockhash: Option<String>,
    /// Block time.
    #[serde(default)]
    pub time: Option<u64>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Weight.
    #[serde(default)]
    pub weight: Option<u64>,
    /// Transactions: ids (verbosity 1) or objects (verbosity 2).
    #[serde(default)]
    pub tx: Vec<Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One transaction of a block template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateTransaction {
    /// Raw transaction hex.
    pub data: String,
    /// Txid.
    #[serde(default)]
    pub txid: Option<String>,
    /// Wtxid.
    #[serde(default)]
    pub hash: Option<String>,
    /// Fee in sats.
    #[serde(default)]
    pub fee: Option<i64>,
    /// Sigops.
    #[serde(default)]
    pub sigops: Option<i64>,
    /// Weight.
    #[serde(default)]
    pub weight: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `getblocktemplate` (BIP 22/23).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockTemplate {
    /// Block version.
    pub version: i64,
    /// Parent hash.
    pub previousblockhash: String,
    /// Transactions to include.
    #[serde(default)]
    pub transactions: Vec<TemplateTransaction>,
    /// Coinbase value in sats.
    pub coinbasevalue: u64,
    /// Full 256-bit target (hex).
    pub target: String,
    /// Compact target.
    pub bits: String,
    /// Height of the block to mine.
    pub height: u64,
    /// Current time.
    pub curtime: u64,
    /// Minimum time.
    #[serde(default)]
    pub mintime: Option<u64>,
    /// Long-poll id (long polling is not implemented by the node).
    #[serde(default)]
    pub longpollid: Option<String>,
    /// Rules.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `getmempoolinfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MempoolInfo {
    /// Transaction count.
    pub size: u64,
    /// Sum of virtual sizes.
    pub bytes: u64,
    /// Memory usage.
    #[serde(default)]
    pub usage: Option<u64>,
    /// Maximum mempool memory.
    #[serde(default)]
    pub maxmempool: Option<u64>,
    /// Minimum fee rate (BTC/kvB).
    #[serde(default)]
    pub mempoolminfee: Option<f64>,
    /// Total fees (BTC).
    #[serde(default)]
    pub total_fee: Option<f64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `estimatesmartfee`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmartFee {
    /// Fee rate in BTC/kvB, when an estimate exists.
    #[serde(default)]
    pub feerate: Option<f64>,
    /// Estimator messages.
    #[serde(default)]
    pub errors: Vec<String>,
    /// Blocks the estimate is for.
    pub blocks: u64,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One entry of `getpeerinfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Peer id.
    pub id: i64,
    /// Address.
    pub addr: String,
    /// User agent.
    #[serde(default)]
    pub subver: Option<String>,
    /// Inbound connection.
    #[serde(default)]
    pub inbound: Option<bool>,
    /// Bytes sent.
    #[serde(default)]
    pub bytessent: Option<u64>,
    /// Bytes received.
    #[serde(default)]
    pub bytesrecv: Option<u64>,
    /// Ping time in seconds.
    #[serde(default)]
    pub pingtime: Option<f64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `getnettotals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetTotals {
    /// Total bytes received.
    pub totalbytesrecv: u64,
    /// Total bytes sent.
    pub totalbytessent: u64,
    /// Node time in ms.
    #[serde(default)]
    pub timemillis: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `getmininginfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MiningInfo {
    /// Height.
    pub blocks: u64,
    /// Difficulty.
    #[serde(default)]
    pub difficulty: Option<f64>,
    /// Network hash rate estimate (H/s).
    #[serde(default)]
    pub networkhashps: Option<f64>,
    /// Mempool transactions.
    #[serde(default)]
    pub pooledtx: Option<u64>,
    /// Chain name.
    #[serde(default)]
    pub chain: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Result of `submitblock`: `null` from the node means accepted, a string is the rejection reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitResult {
    /// True when the node accepted the block.
    pub accepted: bool,
    /// The node's reason when it did not (`duplicate`, `inconclusive`, `high-hash`, ...).
    pub reason: Option<String>,
    /// The block hash (double SHA-256 of the header), computed locally.
    pub block_hash: String,
}
