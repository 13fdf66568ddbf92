//! TypeScript shapes of what `NodeClient` returns. The values themselves cross as JSON, exactly as
//! the node (or the node view) produces them: snake_case names, and any field the node adds beyond
//! these is passed through too. These structs exist for `index.d.ts`; JS never constructs them.

use napi_derive::napi;

/// A change event. `type` is one of `NewBlock`, `BlockDisconnected`, `ChainReorg`, `BlockMined`,
/// `NodeReachable`, `NodeUnreachable`, `IpcConnected`, `IpcDisconnected`, `ChannelPolicy`; the other
/// fields depend on it (IPC `EventPayload` field names).
#[napi(object, object_from_js = false)]
pub struct NodeEvent {
    #[napi(
        ts_type = "'NewBlock' | 'BlockDisconnected' | 'ChainReorg' | 'BlockMined' | 'NodeReachable' | 'NodeUnreachable' | 'IpcConnected' | 'IpcDisconnected' | 'ChannelPolicy'"
    )]
    /// Event name.
    pub r#type: String,
    /// `rpc`, `ipc` or `module`.
    #[napi(ts_type = "'rpc' | 'ipc' | 'module'")]
    pub source: String,
    /// When seen, ms since the Unix epoch.
    #[napi(js_name = "at_ms")]
    pub at_ms: f64,
    /// NewBlock, BlockMined.
    #[napi(js_name = "block_hash")]
    pub block_hash: Option<String>,
    /// BlockDisconnected.
    pub hash: Option<String>,
    /// NewBlock, BlockDisconnected, BlockMined.
    pub height: Option<f64>,
    /// ChainReorg.
    #[napi(js_name = "old_tip")]
    pub old_tip: Option<String>,
    /// ChainReorg.
    #[napi(js_name = "new_tip")]
    pub new_tip: Option<String>,
    /// BlockMined.
    #[napi(js_name = "miner_id")]
    pub miner_id: Option<String>,
    /// NodeReachable.
    pub version: Option<String>,
    /// NodeReachable.
    pub subversion: Option<String>,
    /// NodeUnreachable.
    pub code: Option<String>,
    /// NodeUnreachable, IpcDisconnected, ChannelPolicy.
    pub reason: Option<String>,
    /// ChannelPolicy.
    #[napi(js_name = "connect_ipc")]
    pub connect_ipc: Option<bool>,
    /// ChannelPolicy.
    pub mode: Option<String>,
    /// IpcConnected.
    #[napi(js_name = "node_version")]
    pub node_version: Option<String>,
}

/// A figure of the node view.
#[napi(object, object_from_js = false)]
pub struct Figure {
    /// The value.
    #[napi(ts_type = "any")]
    pub value: serde_json::Value,
    /// The channel it came from.
    #[napi(ts_type = "'rpc' | 'ipc'")]
    pub source: String,
    /// When it was read (ms since the Unix epoch).
    #[napi(js_name = "at_ms")]
    pub at_ms: f64,
    /// How old it is now (ms).
    #[napi(js_name = "age_ms")]
    pub age_ms: f64,
}

/// The IPC policy decision.
#[napi(object, object_from_js = false)]
pub struct PolicyDecision {
    /// True when the IPC may be used.
    #[napi(js_name = "connect_ipc")]
    pub connect_ipc: bool,
    /// Configured `[node] ipc` mode.
    #[napi(ts_type = "'auto' | 'on' | 'off'")]
    pub mode: String,
    /// Why.
    pub reason: String,
}

/// `NodeClient.status()`.
#[napi(object, object_from_js = false)]
pub struct NodeStatus {
    /// `start()` was called.
    pub started: bool,
    /// `close()` was called.
    pub closed: bool,
    /// The IPC policy decision (`null` before the first poll).
    pub policy: Option<PolicyDecision>,
    /// Node version (from `subversion`) and `subversion`.
    #[napi(ts_type = "{ version: string | null; subversion: string | null }")]
    pub node: serde_json::Value,
    #[napi(
        ts_type = "{ rpc: { url: string; auth: 'cookie' | 'user_password' | 'none'; cookie_file: string | null; reachable: boolean | null; last_ok_ms: number | null; last_error: { code: string; message: string; at_ms: number } | null; tip_poll_interval_ms: number }; ipc: { mode: 'auto' | 'on' | 'off'; state: 'undecided' | 'not_used' | 'unavailable' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'; reason: string | null; node_version: string | null; socket_path: string | null; client: { connected: boolean; in_flight: number; reconnects: number; last_error: string | null; events_delivered: number; events_dropped: number; decode_errors: number } | null } }"
    )]
    /// JSON-RPC and IPC channel state.
    pub channels: serde_json::Value,
    /// Capabilities the node grants this module.
    #[napi(ts_type = "{ granted: string[]; source: 'config' | 'ipc' }")]
    pub capabilities: serde_json::Value,
    /// The best block `{ hash, height }`.
    pub tip: Option<Figure>,
    /// Figures by name (`blockchain_info`, `mempool_info`, `peers`, ...).
    #[napi(ts_type = "Record<string, Figure>")]
    pub figures: serde_json::Value,
    /// Event queue counters.
    #[napi(ts_type = "{ queued: number; dropped: number; duplicates_skipped: number }")]
    pub events: serde_json::Value,
}

/// A node → module invocation (IPC only). `payload`: `{ subcommand, args }` for `Cli`,
/// `{ method, params, caller_module_id }` for `ModuleApi`.
#[napi(object, object_from_js = false)]
pub struct Invocation {
    /// Id to answer with.
    pub id: f64,
    /// Invocation kind.
    #[napi(ts_type = "'Cli' | 'ModuleApi'")]
    pub kind: String,
    /// Invocation arguments.
    #[napi(ts_type = "any")]
    pub payload: serde_json::Value,
}

/// `getnetworkinfo`.
#[napi(object, object_from_js = false)]
pub struct NetworkInfo {
    /// Version.
    pub version: f64,
    /// e.g. `/BitcoinCommons:0.1.83/`.
    pub subversion: String,
    /// P2P protocol version.
    pub protocolversion: Option<f64>,
    /// Peer connections.
    pub connections: Option<f64>,
}

/// `getblockchaininfo`.
#[napi(object, object_from_js = false)]
pub struct BlockchainInfo {
    /// Chain name (`main`, `test`, `signet`, `regtest`).
    pub chain: String,
    /// Best validated height.
    pub blocks: f64,
    /// Best header height.
    pub headers: Option<f64>,
    /// Best block hash.
    pub bestblockhash: String,
    /// Difficulty.
    pub difficulty: Option<f64>,
    /// Median time past.
    pub mediantime: Option<f64>,
    /// Verification progress (0..1).
    pub verificationprogress: Option<f64>,
    /// In initial block download.
    pub initialblockdownload: Option<bool>,
    /// Chain work (hex).
    pub chainwork: Option<String>,
    /// Size on disk (bytes).
    #[napi(js_name = "size_on_disk")]
    pub size_on_disk: Option<f64>,
    /// Pruned node.
    pub pruned: Option<bool>,
}

/// `getblockheader`.
#[napi(object, object_from_js = false)]
pub struct BlockHeader {
    /// Block hash.
    pub hash: String,
    /// Height.
    pub height: f64,
    /// Confirmations.
    pub confirmations: Option<f64>,
    /// Version.
    pub version: Option<f64>,
    /// Merkle root.
    pub merkleroot: Option<String>,
    /// Block time.
    pub time: Option<f64>,
    /// Median time past.
    pub mediantime: Option<f64>,
    /// Nonce.
    pub nonce: Option<f64>,
    /// Compact target.
    pub bits: Option<String>,
    /// Difficulty.
    pub difficulty: Option<f64>,
    /// Chain work (hex).
    pub chainwork: Option<String>,
    /// Transaction count.
    #[napi(js_name = "nTx")]
    pub n_tx: Option<f64>,
    /// Parent hash.
    pub previousblockhash: Option<String>,
    /// Child hash on the best chain.
    pub nextblockhash: Option<String>,
}

/// `getblock`.
#[napi(object, object_from_js = false)]
pub struct Block {
    /// Block hash.
    pub hash: String,
    /// Height.
    pub height: f64,
    /// Confirmations.
    pub confirmations: Option<f64>,
    /// Parent hash.
    pub previousblockhash: Option<String>,
    /// Block time.
    pub time: Option<f64>,
    /// Size in bytes (mempool: transaction count).
    pub size: Option<f64>,
    /// Weight.
    pub weight: Option<f64>,
    /// txids (verbosity 1) or transaction objects (verbosity 2).
    #[napi(ts_type = "Array<string | Record<string, any>>")]
    pub tx: Vec<serde_json::Value>,
}

/// One transaction of a block template.
#[napi(object, object_from_js = false)]
pub struct TemplateTransaction {
    /// Raw transaction hex.
    pub data: String,
    /// Txid.
    pub txid: Option<String>,
    /// Block hash.
    pub hash: Option<String>,
    /// Fee (sats).
    pub fee: Option<f64>,
    /// Signature operations.
    pub sigops: Option<f64>,
    /// Weight.
    pub weight: Option<f64>,
}

/// `getblocktemplate`.
#[napi(object, object_from_js = false)]
pub struct BlockTemplate {
    /// Version.
    pub version: f64,
    /// Parent hash.
    pub previousblockhash: String,
    /// Transactions to include.
    pub transactions: Vec<TemplateTransaction>,
    /// Coinbase value (sats).
    pub coinbasevalue: f64,
    /// Full 256-bit target (hex).
    pub target: String,
    /// Compact target.
    pub bits: String,
    /// Height.
    pub height: f64,
    /// Current time.
    pub curtime: f64,
    /// Minimum time.
    pub mintime: Option<f64>,
    /// Long-poll id (long polling is not implemented by the node).
    pub longpollid: Option<String>,
    /// Rules in force.
    pub rules: Vec<String>,
}

/// `submitblock`.
#[napi(object, object_from_js = false)]
pub struct SubmitBlockResult {
    /// True when the node accepted the block.
    pub accepted: bool,
    /// The node's rejection reason (`duplicate`, `high-hash`, ...).
    pub reason: Option<String>,
    /// Double SHA-256 of the header, computed locally.
    #[napi(js_name = "block_hash")]
    pub block_hash: String,
}

/// `getmempoolinfo`.
#[napi(object, object_from_js = false)]
pub struct MempoolInfo {
    /// Size in bytes (mempool: transaction count).
    pub size: f64,
    /// Sum of virtual sizes.
    pub bytes: f64,
    /// Memory usage.
    pub usage: Option<f64>,
    /// Maximum mempool memory.
    pub maxmempool: Option<f64>,
    /// Minimum fee rate (BTC/kvB).
    pub mempoolminfee: Option<f64>,
    /// Total fees (BTC).
    #[napi(js_name = "total_fee")]
    pub total_fee: Option<f64>,
}

/// `estimatesmartfee`.
#[napi(object, object_from_js = false)]
pub struct SmartFee {
    /// BTC/kvB, absent when no estimate.
    pub feerate: Option<f64>,
    /// Estimator messages.
    pub errors: Vec<String>,
    /// Best validated height.
    pub blocks: f64,
}

/// One `getpeerinfo` entry.
#[napi(object, object_from_js = false)]
pub struct PeerInfo {
    /// Id to answer with.
    pub id: f64,
    /// Peer address.
    pub addr: String,
    /// Peer user agent.
    pub subver: Option<String>,
    /// Inbound connection.
    pub inbound: Option<bool>,
    /// Bytes sent.
    pub bytessent: Option<f64>,
    /// Bytes received.
    pub bytesrecv: Option<f64>,
    /// Ping time (s).
    pub pingtime: Option<f64>,
}

/// `getnettotals`.
#[napi(object, object_from_js = false)]
pub struct NetTotals {
    /// Total bytes received.
    pub totalbytesrecv: f64,
    /// Total bytes sent.
    pub totalbytessent: f64,
    /// Node time (ms).
    pub timemillis: Option<f64>,
}

/// `getmininginfo`.
#[napi(object, object_from_js = false)]
pub struct MiningInfo {
    /// Best validated height.
    pub blocks: f64,
    /// Difficulty.
    pub difficulty: Option<f64>,
    /// Network hash rate estimate (H/s).
    pub networkhashps: Option<f64>,
    /// Mempool transactions.
    pub pooledtx: Option<f64>,
    /// Chain name (`main`, `test`, `signet`, `regtest`).
    pub chain: Option<String>,
}
