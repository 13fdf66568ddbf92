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
    #[napi(ts_type = "any")]
    pub value: serde_json::Value,
    #[napi(ts_type = "'rpc' | 'ipc'")]
    pub source: String,
    #[napi(js_name = "at_ms")]
    pub at_ms: f64,
    #[napi(js_name = "age_ms")]
    pub age_ms: f64,
}

/// The IPC policy decision.
#[napi(object, object_from_js = false)]
pub struct PolicyDecision {
    #[napi(js_name = "connect_ipc")]
    pub connect_ipc: bool,
    #[napi(ts_type = "'auto' | 'on' | 'off'")]
    pub mode: String,
    pub reason: String,
}

/// `NodeClient.status()`.
#[napi(object, object_from_js = false)]
pub struct NodeStatus {
    pub started: bool,
    pub closed: bool,
    pub policy: Option<PolicyDecision>,
    #[napi(ts_type = "{ version: string | null; subversion: string | null }")]
    pub node: serde_json::Value,
    #[napi(
        ts_type = "{ rpc: { url: string; auth: 'cookie' | 'user_password' | 'none'; cookie_file: string | null; reachable: boolean | null; last_ok_ms: number | null; last_error: { code: string; message: string; at_ms: number } | null; tip_poll_interval_ms: number }; ipc: { mode: 'auto' | 'on' | 'off'; state: 'undecided' | 'not_used' | 'unavailable' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'; reason: string | null; node_version: string | null; socket_path: string | null; client: { connected: boolean; in_flight: number; reconnects: number; last_error: string | null; events_delivered: number; events_dropped: number; decode_errors: number } | null } }"
    )]
    pub channels: serde_json::Value,
    #[napi(ts_type = "{ granted: string[]; source: 'config' | 'ipc' }")]
    pub capabilities: serde_json::Value,
    pub tip: Option<Figure>,
    #[napi(ts_type = "Record<string, Figure>")]
    pub figures: serde_json::Value,
    #[napi(ts_type = "{ queued: number; dropped: number; duplicates_skipped: number }")]
    pub events: serde_json::Value,
}

/// A node → module invocation (IPC only). `payload`: `{ subcommand, args }` for `Cli`,
/// `{ method, params, caller_module_id }` for `ModuleApi`.
#[napi(object, object_from_js = false)]
pub struct Invocation {
    pub id: f64,
    #[napi(ts_type = "'Cli' | 'ModuleApi'")]
    pub kind: String,
    #[napi(ts_type = "any")]
    pub payload: serde_json::Value,
}

/// `getnetworkinfo`.
#[napi(object, object_from_js = false)]
pub struct NetworkInfo {
    pub version: f64,
    /// e.g. `/BitcoinCommons:0.1.83/`.
    pub subversion: String,
    pub protocolversion: Option<f64>,
    pub connections: Option<f64>,
}

/// `getblockchaininfo`.
#[napi(object, object_from_js = false)]
pub struct BlockchainInfo {
    pub chain: String,
    pub blocks: f64,
    pub headers: Option<f64>,
    pub bestblockhash: String,
    pub difficulty: Option<f64>,
    pub mediantime: Option<f64>,
    pub verificationprogress: Option<f64>,
    pub initialblockdownload: Option<bool>,
    pub chainwork: Option<String>,
    #[napi(js_name = "size_on_disk")]
    pub size_on_disk: Option<f64>,
    pub pruned: Option<bool>,
}

/// `getblockheader`.
#[napi(object, object_from_js = false)]
pub struct BlockHeader {
    pub hash: String,
    pub height: f64,
    pub confirmations: Option<f64>,
    pub version: Option<f64>,
    pub merkleroot: Option<String>,
    pub time: Option<f64>,
    pub mediantime: Option<f64>,
    pub nonce: Option<f64>,
    pub bits: Option<String>,
    pub difficulty: Option<f64>,
    pub chainwork: Option<String>,
    #[napi(js_name = "nTx")]
    pub n_tx: Option<f64>,
    pub previousblockhash: Option<String>,
    pub nextblockhash: Option<String>,
}

/// `getblock`.
#[napi(object, object_from_js = false)]
pub struct Block {
    pub hash: String,
    pub height: f64,
    pub confirmations: Option<f64>,
    pub previousblockhash: Option<String>,
    pub time: Option<f64>,
    pub size: Option<f64>,
    pub weight: Option<f64>,
    /// txids (verbosity 1) or transaction objects (verbosity 2).
    #[napi(ts_type = "Array<string | Record<string, any>>")]
    pub tx: Vec<serde_json::Value>,
}

/// One transaction of a block template.
#[napi(object, object_from_js = false)]
pub struct TemplateTransaction {
    pub data: String,
    pub txid: Option<String>,
    pub hash: Option<String>,
    pub fee: Option<f64>,
    pub sigops: Option<f64>,
    pub weight: Option<f64>,
}

/// `getblocktemplate`.
#[napi(object, object_from_js = false)]
pub struct BlockTemplate {
    pub version: f64,
    pub previousblockhash: String,
    pub transactions: Vec<TemplateTransaction>,
    pub coinbasevalue: f64,
    pub target: String,
    pub bits: String,
    pub height: f64,
    pub curtime: f64,
    pub mintime: Option<f64>,
    pub longpollid: Option<String>,
    pub rules: Vec<String>,
}

/// `submitblock`.
#[napi(object, object_from_js = false)]
pub struct SubmitBlockResult {
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
    pub size: f64,
    pub bytes: f64,
    pub usage: Option<f64>,
    pub maxmempool: Option<f64>,
    pub mempoolminfee: Option<f64>,
    #[napi(js_name = "total_fee")]
    pub total_fee: Option<f64>,
}

/// `estimatesmartfee`.
#[napi(object, object_from_js = false)]
pub struct SmartFee {
    /// BTC/kvB, absent when no estimate.
    pub feerate: Option<f64>,
    pub errors: Vec<String>,
    pub blocks: f64,
}

/// One `getpeerinfo` entry.
#[napi(object, object_from_js = false)]
pub struct PeerInfo {
    pub id: f64,
    pub addr: String,
    pub subver: Option<String>,
    pub inbound: Option<bool>,
    pub bytessent: Option<f64>,
    pub bytesrecv: Option<f64>,
    pub pingtime: Option<f64>,
}

/// `getnettotals`.
#[napi(object, object_from_js = false)]
pub struct NetTotals {
    pub totalbytesrecv: f64,
    pub totalbytessent: f64,
    pub timemillis: Option<f64>,
}

/// `getmininginfo`.
#[napi(object, object_from_js = false)]
pub struct MiningInfo {
    pub blocks: f64,
    pub difficulty: Option<f64>,
    pub networkhashps: Option<f64>,
    pub pooledtx: Option<f64>,
    pub chain: Option<String>,
}
