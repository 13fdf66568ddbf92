//! Requests (module → node): [`MessageType`] and [`RequestPayload`], node 0.1.83 layout.
//!
//! Generated from the tables of `reference/blvm-ipc.md` §6; the declaration order of every enum is
//! its wire index (bincode `u32` tag). Do not reorder. The index tables per node version live in
//! [`crate::ipc::version`], and a test checks these enums against them.

use serde::{Deserialize, Serialize};

use super::data::*;
use super::event::{EventPayload, EventType};

/// The `request_type` name of a request. Its own order, not the [`RequestPayload`] order
/// (e.g. `Handshake` is `MessageType` 8 but `RequestPayload` 0). The node ignores it and
/// dispatches on the payload, but we always send the matching name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageType {
    /// `MessageType` index 0 (node 0.1.83).
    GetBlock,
    /// `MessageType` index 1 (node 0.1.83).
    GetBlockHeader,
    /// `MessageType` index 2 (node 0.1.83).
    GetTransaction,
    /// `MessageType` index 3 (node 0.1.83).
    HasTransaction,
    /// `MessageType` index 4 (node 0.1.83).
    GetChainTip,
    /// `MessageType` index 5 (node 0.1.83).
    GetBlockHeight,
    /// `MessageType` index 6 (node 0.1.83).
    GetUtxo,
    /// `MessageType` index 7 (node 0.1.83).
    SubscribeEvents,
    /// `MessageType` index 8 (node 0.1.83).
    Handshake,
    /// `MessageType` index 9 (node 0.1.83).
    GetMempoolTransactions,
    /// `MessageType` index 10 (node 0.1.83).
    GetMempoolTransaction,
    /// `MessageType` index 11 (node 0.1.83).
    GetMempoolSize,
    /// `MessageType` index 12 (node 0.1.83).
    GetNetworkStats,
    /// `MessageType` index 13 (node 0.1.83).
    GetNetworkPeers,
    /// `MessageType` index 14 (node 0.1.83).
    GetChainInfo,
    /// `MessageType` index 15 (node 0.1.83).
    GetBlockByHeight,
    /// `MessageType` index 16 (node 0.1.83).
    GetBlockAndWitnesses,
    /// `MessageType` index 17 (node 0.1.83).
    GetLightningNodeUrl,
    /// `MessageType` index 18 (node 0.1.83).
    GetLightningInfo,
    /// `MessageType` index 19 (node 0.1.83).
    GetPaymentState,
    /// `MessageType` index 20 (node 0.1.83).
    CheckTransactionInMempool,
    /// `MessageType` index 21 (node 0.1.83).
    GetFeeEstimate,
    /// `MessageType` index 22 (node 0.1.83).
    ReadFile,
    /// `MessageType` index 23 (node 0.1.83).
    WriteFile,
    /// `MessageType` index 24 (node 0.1.83).
    DeleteFile,
    /// `MessageType` index 25 (node 0.1.83).
    ListDirectory,
    /// `MessageType` index 26 (node 0.1.83).
    CreateDirectory,
    /// `MessageType` index 27 (node 0.1.83).
    GetFileMetadata,
    /// `MessageType` index 28 (node 0.1.83).
    RegisterRpcEndpoint,
    /// `MessageType` index 29 (node 0.1.83).
    UnregisterRpcEndpoint,
    /// `MessageType` index 30 (node 0.1.83).
    RegisterCoreRpcOverride,
    /// `MessageType` index 31 (node 0.1.83).
    UnregisterCoreRpcOverride,
    /// `MessageType` index 32 (node 0.1.83).
    RegisterTimer,
    /// `MessageType` index 33 (node 0.1.83).
    CancelTimer,
    /// `MessageType` index 34 (node 0.1.83).
    ScheduleTask,
    /// `MessageType` index 35 (node 0.1.83).
    ReportMetric,
    /// `MessageType` index 36 (node 0.1.83).
    GetModuleMetrics,
    /// `MessageType` index 37 (node 0.1.83).
    GetAllMetrics,
    /// `MessageType` index 38 (node 0.1.83).
    DiscoverModules,
    /// `MessageType` index 39 (node 0.1.83).
    GetModuleInfo,
    /// `MessageType` index 40 (node 0.1.83).
    IsModuleAvailable,
    /// `MessageType` index 41 (node 0.1.83).
    PublishEvent,
    /// `MessageType` index 42 (node 0.1.83).
    CallModule,
    /// `MessageType` index 43 (node 0.1.83).
    RegisterModuleApi,
    /// `MessageType` index 44 (node 0.1.83).
    UnregisterModuleApi,
    /// `MessageType` index 45 (node 0.1.83).
    GetModuleHealth,
    /// `MessageType` index 46 (node 0.1.83).
    GetAllModuleHealth,
    /// `MessageType` index 47 (node 0.1.83).
    ReportModuleHealth,
    /// `MessageType` index 48 (node 0.1.83).
    SendMeshPacketToPeer,
    /// `MessageType` index 49 (node 0.1.83).
    SendStratumV2MessageToPeer,
    /// `MessageType` index 50 (node 0.1.83).
    GetBlockTemplate,
    /// `MessageType` index 51 (node 0.1.83).
    SubmitBlock,
    /// `MessageType` index 52 (node 0.1.83).
    QueueReceivedBlock,
    /// `MessageType` index 53 (node 0.1.83).
    MergeBlockServeDenylist,
    /// `MessageType` index 54 (node 0.1.83).
    GetBlockServeDenylistSnapshot,
    /// `MessageType` index 55 (node 0.1.83).
    ClearBlockServeDenylist,
    /// `MessageType` index 56 (node 0.1.83).
    ReplaceBlockServeDenylist,
    /// `MessageType` index 57 (node 0.1.83).
    MergeTxServeDenylist,
    /// `MessageType` index 58 (node 0.1.83).
    GetTxServeDenylistSnapshot,
    /// `MessageType` index 59 (node 0.1.83).
    ClearTxServeDenylist,
    /// `MessageType` index 60 (node 0.1.83).
    ReplaceTxServeDenylist,
    /// `MessageType` index 61 (node 0.1.83).
    GetSyncStatus,
    /// `MessageType` index 62 (node 0.1.83).
    BanPeer,
    /// `MessageType` index 63 (node 0.1.83).
    SetBlockServeMaintenanceMode,
    /// `MessageType` index 64 (node 0.1.83).
    RegisterCliSpec,
    /// `MessageType` index 65 (node 0.1.83).
    Invocation,
    /// `MessageType` index 66 (node 0.1.83).
    InvocationResult,
    /// `MessageType` index 67 (node 0.1.83).
    Log,
    /// `MessageType` index 68 (node 0.1.83).
    Response,
    /// `MessageType` index 69 (node 0.1.83).
    Event,
    /// `MessageType` index 70 (node 0.1.83).
    Error,
    /// `MessageType` index 71 (node 0.1.83).
    GetBlockTemplateWithOutputs,
    /// `MessageType` index 72 (node 0.1.83).
    GetBlockTemplateDeclared,
    /// `MessageType` index 73 (node 0.1.83).
    SubmitMempoolTransaction,
    /// `MessageType` index 74 (node 0.1.83).
    GetTxMetadata,
    /// `MessageType` index 75 (node 0.1.83).
    GetMempoolFeeRateSummary,
}

/// A request payload (module → node), node 0.1.83 layout (`RequestPayload`, §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RequestPayload {
    /// `Handshake` (index 0; 0.1.54: 0). Answer: `HandshakeAck{node_version}`.
    /// Capability: none (connection level).
    Handshake {
        module_id: String,
        module_name: String,
        version: String,
    },
    /// `GetBlock` (index 1; 0.1.54: 1). Answer: `Block(Option<Block>)`.
    /// Capability: read_blockchain.
    GetBlock { hash: Hash },
    /// `GetBlockHeader` (index 2; 0.1.54: 2). Answer: `BlockHeader(Option<BlockHeader>)`.
    /// Capability: read_blockchain.
    GetBlockHeader { hash: Hash },
    /// `GetTransaction` (index 3; 0.1.54: 3). Answer: `Transaction(Option<Transaction>)`.
    /// Capability: read_blockchain.
    GetTransaction { hash: Hash },
    /// `HasTransaction` (index 4; 0.1.54: 4). Answer: `Bool`.
    /// Capability: read_blockchain.
    HasTransaction { hash: Hash },
    /// `GetChainTip` (index 5; 0.1.54: 5). Answer: `Hash`.
    /// Capability: read_chain_state.
    GetChainTip,
    /// `GetBlockHeight` (index 6; 0.1.54: 6). Answer: `U64`.
    /// Capability: read_chain_state.
    GetBlockHeight,
    /// `GetUtxo` (index 7; 0.1.54: 7). Answer: `Utxo(Option<UTXO>)`.
    /// Capability: read_utxo.
    GetUtxo { outpoint: OutPoint },
    /// `SubscribeEvents` (index 8; 0.1.54: 8). Answer: `SubscribeAck (see §7, §11)`.
    /// Capability: subscribe_events.
    SubscribeEvents { event_types: Vec<EventType> },
    /// `GetMempoolTransactions` (index 9; 0.1.54: 9). Answer: `MempoolTransactions(Vec<Hash>)`.
    /// Capability: read_mempool.
    GetMempoolTransactions,
    /// `GetMempoolTransaction` (index 10; 0.1.54: 10). Answer: `MempoolTransaction(Option<Transaction>)`.
    /// Capability: read_mempool.
    GetMempoolTransaction { tx_hash: Hash },
    /// `GetMempoolSize` (index 11; 0.1.54: 11). Answer: `MempoolSize`.
    /// Capability: read_mempool.
    GetMempoolSize,
    /// `GetNetworkStats` (index 12; 0.1.54: 12). Answer: `NetworkStats`.
    /// Capability: read_network.
    GetNetworkStats,
    /// `GetNetworkPeers` (index 13; 0.1.54: 13). Answer: `NetworkPeers(Vec<PeerInfo>)`.
    /// Capability: read_network.
    GetNetworkPeers,
    /// `GetChainInfo` (index 14; 0.1.54: 14). Answer: `ChainInfo`.
    /// Capability: read_chain_state.
    GetChainInfo,
    /// `GetBlockByHeight` (index 15; 0.1.54: 15). Answer: `BlockByHeight(Option<Block>)`.
    /// Capability: read_blockchain.
    GetBlockByHeight { height: u64 },
    /// `GetBlockAndWitnesses` (index 16; 0.1.54: absent). Answer: `BlockAndWitnesses{block,witnesses}`.
    /// Capability: read_blockchain.
    GetBlockAndWitnesses { hash: Hash },
    /// `GetLightningNodeUrl` (index 17; 0.1.54: 16). Answer: `LightningNodeUrl(Option<String>) (node: always None)`.
    /// Capability: read_lightning.
    GetLightningNodeUrl,
    /// `GetLightningInfo` (index 18; 0.1.54: 17). Answer: `LightningInfo(Option<..>) (node: always None)`.
    /// Capability: read_lightning.
    GetLightningInfo,
    /// `GetPaymentState` (index 19; 0.1.54: 18). Answer: `PaymentState(Option<..>) (node: always Err)`.
    /// Capability: read_payment.
    GetPaymentState { payment_id: String },
    /// `CheckTransactionInMempool` (index 20; 0.1.54: 19). Answer: `CheckTransactionInMempool(bool)`.
    /// Capability: read_mempool.
    CheckTransactionInMempool { tx_hash: Hash },
    /// `GetFeeEstimate` (index 21; 0.1.54: 20). Answer: `FeeEstimate(u64) sat/vB; Err if target 0 or empty pool`.
    /// Capability: read_mempool.
    GetFeeEstimate { target_blocks: u32 },
    /// `ReadFile` (index 22; 0.1.54: 21). Answer: `FileData(Vec<u8>)`.
    /// Capability: read_filesystem.
    ReadFile { path: String },
    /// `WriteFile` (index 23; 0.1.54: 22). Answer: `Bool(true)`.
    /// Capability: write_filesystem.
    WriteFile {
        path: String,
        #[serde(with = "crate::ipc::types::wire_bytes")]
        data: Vec<u8>,
    },
    /// `DeleteFile` (index 24; 0.1.54: 23). Answer: `Bool(true)`.
    /// Capability: manage_filesystem.
    DeleteFile { path: String },
    /// `ListDirectory` (index 25; 0.1.54: 24). Answer: `DirectoryListing(Vec<String>)`.
    /// Capability: read_filesystem.
    ListDirectory { path: String },
    /// `CreateDirectory` (index 26; 0.1.54: 25). Answer: `Bool(true)`.
    /// Capability: manage_filesystem.
    CreateDirectory { path: String },
    /// `GetFileMetadata` (index 27; 0.1.54: 26). Answer: `FileMetadata`.
    /// Capability: read_filesystem.
    GetFileMetadata { path: String },
    /// `RegisterRpcEndpoint` (index 28; 0.1.54: 27). Answer: `RpcEndpointRegistered (node 0.1.83: always Err, §8)`.
    /// Capability: register_rpc_endpoint.
    RegisterRpcEndpoint { method: String, description: String },
    /// `UnregisterRpcEndpoint` (index 29; 0.1.54: 28). Answer: `RpcEndpointUnregistered`.
    /// Capability: register_rpc_endpoint.
    UnregisterRpcEndpoint { method: String },
    /// `RegisterCoreRpcOverride` (index 30; 0.1.54: 29). Answer: `CoreRpcOverrideRegistered (node: always Err)`.
    /// Capability: register_rpc_endpoint.
    RegisterCoreRpcOverride { method: String, description: String },
    /// `UnregisterCoreRpcOverride` (index 31; 0.1.54: 30). Answer: `CoreRpcOverrideUnregistered`.
    /// Capability: register_rpc_endpoint.
    UnregisterCoreRpcOverride { method: String },
    /// `RegisterTimer` (index 32; 0.1.54: 31). Answer: `always Err`.
    /// Capability: manage_timers.
    RegisterTimer { interval_seconds: u64 },
    /// `CancelTimer` (index 33; 0.1.54: 32). Answer: `always Err`.
    /// Capability: manage_timers.
    CancelTimer { timer_id: u64 },
    /// `ScheduleTask` (index 34; 0.1.54: 33). Answer: `always Err`.
    /// Capability: manage_timers.
    ScheduleTask { delay_seconds: u64 },
    /// `ReportMetric` (index 35; 0.1.54: 34). Answer: `MetricReported (node 0.1.83: always Err)`.
    /// Capability: report_metrics.
    ReportMetric { metric: Metric },
    /// `GetModuleMetrics` (index 36; 0.1.54: 35). Answer: `ModuleMetrics(Vec<Metric>)`.
    /// Capability: read_metrics.
    GetModuleMetrics { module_id: String },
    /// `GetAllMetrics` (index 37; 0.1.54: 36). Answer: `AllMetrics(HashMap<String,Vec<Metric>>)`.
    /// Capability: read_metrics.
    GetAllMetrics,
    /// `DiscoverModules` (index 38; 0.1.54: 37). Answer: `ModuleList(Vec<ModuleInfo>)`.
    /// Capability: discover_modules.
    DiscoverModules,
    /// `GetModuleInfo` (index 39; 0.1.54: 38). Answer: `ModuleInfo(Option<ModuleInfo>)`.
    /// Capability: discover_modules.
    GetModuleInfo { module_id: String },
    /// `IsModuleAvailable` (index 40; 0.1.54: 39). Answer: `ModuleAvailable(bool)`.
    /// Capability: discover_modules.
    IsModuleAvailable { module_id: String },
    /// `PublishEvent` (index 41; 0.1.54: 40). Answer: `EventPublished`.
    /// Capability: publish_events.
    PublishEvent {
        event_type: EventType,
        payload: EventPayload,
    },
    /// `CallModule` (index 42; 0.1.54: 41). Answer: `ModuleApiResponse(Vec<u8>) (see §10)`.
    /// Capability: call_module.
    CallModule {
        target_module_id: Option<String>,
        method: String,
        #[serde(with = "crate::ipc::types::wire_bytes")]
        params: Vec<u8>,
    },
    /// `RegisterModuleApi` (index 43; 0.1.54: 42). Answer: `ModuleApiRegistered`.
    /// Capability: register_module_api.
    RegisterModuleApi {
        methods: Vec<String>,
        api_version: u32,
    },
    /// `UnregisterModuleApi` (index 44; 0.1.54: 43). Answer: `ModuleApiUnregistered (node: always Err, no module id)`.
    /// Capability: register_module_api.
    UnregisterModuleApi,
    /// `GetModuleHealth` (index 45; 0.1.54: 44). Answer: `ModuleHealth(Option<ModuleHealth>)`.
    /// Capability: read_metrics.
    GetModuleHealth { module_id: String },
    /// `GetAllModuleHealth` (index 46; 0.1.54: 45). Answer: `AllModuleHealth(Vec<(String,ModuleHealth)>)`.
    /// Capability: read_metrics.
    GetAllModuleHealth,
    /// `ReportModuleHealth` (index 47; 0.1.54: 46). Answer: `HealthReported (node: always Err, no module id)`.
    /// Capability: report_metrics.
    ReportModuleHealth { health: ModuleHealth },
    /// `SendMeshPacketToPeer` (index 48; 0.1.54: 47). Answer: `Bool(true)`.
    /// Capability: network_access.
    SendMeshPacketToPeer {
        peer_addr: String,
        #[serde(with = "crate::ipc::types::wire_bytes")]
        packet_data: Vec<u8>,
    },
    /// `SendStratumV2MessageToPeer` (index 49; 0.1.54: 48). Answer: `Bool(true)`.
    /// Capability: network_access.
    SendStratumV2MessageToPeer {
        peer_addr: String,
        #[serde(with = "crate::ipc::types::wire_bytes")]
        message_data: Vec<u8>,
    },
    /// `GetBlockTemplate` (index 50; 0.1.54: 49). Answer: `BlockTemplate`.
    /// Capability: read_blockchain.
    GetBlockTemplate {
        rules: Vec<String>,
        #[serde(with = "crate::ipc::types::wire_bytes::option")]
        coinbase_script: Option<Vec<u8>>,
        coinbase_address: Option<String>,
    },
    /// `SubmitBlock` (index 51; 0.1.54: 50). Answer: `SubmitBlockResult`.
    /// Capability: submit_block.
    SubmitBlock { block: Block },
    /// `QueueReceivedBlock` (index 52; 0.1.54: 51). Answer: `ReceivedBlockQueued`.
    /// Capability: queue_inbound_block.
    QueueReceivedBlock {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        block_bytes: Vec<u8>,
    },
    /// `MergeBlockServeDenylist` (index 53; 0.1.54: 52). Answer: `BlockServeDenylistMerged`.
    /// Capability: network_access.
    MergeBlockServeDenylist { block_hashes: Vec<Hash> },
    /// `GetBlockServeDenylistSnapshot` (index 54; 0.1.54: 53). Answer: `BlockServeDenylistSnapshot`.
    /// Capability: read_network.
    GetBlockServeDenylistSnapshot,
    /// `ClearBlockServeDenylist` (index 55; 0.1.54: 54). Answer: `Bool(true)`.
    /// Capability: network_access.
    ClearBlockServeDenylist,
    /// `ReplaceBlockServeDenylist` (index 56; 0.1.54: 55). Answer: `Bool(true)`.
    /// Capability: network_access.
    ReplaceBlockServeDenylist { block_hashes: Vec<Hash> },
    /// `MergeTxServeDenylist` (index 57; 0.1.54: 56). Answer: `TxServeDenylistMerged`.
    /// Capability: network_access.
    MergeTxServeDenylist { tx_hashes: Vec<Hash> },
    /// `GetTxServeDenylistSnapshot` (index 58; 0.1.54: 57). Answer: `TxServeDenylistSnapshot`.
    /// Capability: read_network.
    GetTxServeDenylistSnapshot,
    /// `ClearTxServeDenylist` (index 59; 0.1.54: 58). Answer: `Bool(true)`.
    /// Capability: network_access.
    ClearTxServeDenylist,
    /// `ReplaceTxServeDenylist` (index 60; 0.1.54: 59). Answer: `Bool(true)`.
    /// Capability: network_access.
    ReplaceTxServeDenylist { tx_hashes: Vec<Hash> },
    /// `GetSyncStatus` (index 61; 0.1.54: 60). Answer: `NodeSyncStatus(SyncStatus)`.
    /// Capability: read_chain_state.
    GetSyncStatus,
    /// `BanPeer` (index 62; 0.1.54: 61). Answer: `Bool(true)`.
    /// Capability: network_access.
    BanPeer {
        peer_addr: String,
        ban_duration_seconds: Option<u64>,
    },
    /// `SetBlockServeMaintenanceMode` (index 63; 0.1.54: 62). Answer: `Bool(true)`.
    /// Capability: network_access.
    SetBlockServeMaintenanceMode { enabled: bool },
    /// `RegisterCliSpec` (index 64; 0.1.54: 63). Answer: `Bool(true)`.
    /// Capability: none (handled before the hub).
    RegisterCliSpec { spec: CliSpec },
    /// `GetBlockTemplateWithOutputs` (index 65; 0.1.54: absent). Answer: `BlockTemplate`.
    /// Capability: read_blockchain.
    GetBlockTemplateWithOutputs {
        rules: Vec<String>,
        #[serde(with = "crate::ipc::types::wire_bytes::option")]
        coinbase_script: Option<Vec<u8>>,
        coinbase_outputs: Vec<(i64, Vec<u8>)>,
    },
    /// `GetBlockTemplateDeclared` (index 66; 0.1.54: absent). Answer: `BlockTemplate`.
    /// Capability: read_blockchain.
    GetBlockTemplateDeclared {
        rules: Vec<String>,
        #[serde(with = "crate::ipc::types::wire_bytes::option")]
        coinbase_script: Option<Vec<u8>>,
        coinbase_outputs: Vec<(i64, Vec<u8>)>,
        declared_txids: Vec<Hash>,
    },
    /// `SubmitMempoolTransaction` (index 67; 0.1.54: absent). Answer: `MempoolTransactionSubmitted(bool)`.
    /// Capability: send_transactions.
    SubmitMempoolTransaction {
        tx: Transaction,
        witnesses: Option<Vec<Witness>>,
    },
    /// `GetTxMetadata` (index 68; 0.1.54: absent). Answer: `TxMetadata(Option<TxBlockMetadata>)`.
    /// Capability: read_blockchain.
    GetTxMetadata { txid: Hash },
    /// `GetMempoolFeeRateSummary` (index 69; 0.1.54: absent). Answer: `MempoolFeeRateSummary`.
    /// Capability: read_mempool.
    GetMempoolFeeRateSummary,
}

impl RequestPayload {
    /// The `request_type` that goes with this payload.
    pub fn message_type(&self) -> MessageType {
        match self {
            RequestPayload::Handshake { .. } => MessageType::Handshake,
            RequestPayload::GetBlock { .. } => MessageType::GetBlock,
            RequestPayload::GetBlockHeader { .. } => MessageType::GetBlockHeader,
            RequestPayload::GetTransaction { .. } => MessageType::GetTransaction,
            RequestPayload::HasTransaction { .. } => MessageType::HasTransaction,
            RequestPayload::GetChainTip => MessageType::GetChainTip,
            RequestPayload::GetBlockHeight => MessageType::GetBlockHeight,
            RequestPayload::GetUtxo { .. } => MessageType::GetUtxo,
            RequestPayload::SubscribeEvents { .. } => MessageType::SubscribeEvents,
            RequestPayload::GetMempoolTransactions => MessageType::GetMempoolTransactions,
            RequestPayload::GetMempoolTransaction { .. } => MessageType::GetMempoolTransaction,
            RequestPayload::GetMempoolSize => MessageType::GetMempoolSize,
            RequestPayload::GetNetworkStats => MessageType::GetNetworkStats,
            RequestPayload::GetNetworkPeers => MessageType::GetNetworkPeers,
            RequestPayload::GetChainInfo => MessageType::GetChainInfo,
            RequestPayload::GetBlockByHeight { .. } => MessageType::GetBlockByHeight,
            RequestPayload::GetBlockAndWitnesses { .. } => MessageType::GetBlockAndWitnesses,
            RequestPayload::GetLightningNodeUrl => MessageType::GetLightningNodeUrl,
            RequestPayload::GetLightningInfo => MessageType::GetLightningInfo,
            RequestPayload::GetPaymentState { .. } => MessageType::GetPaymentState,
            RequestPayload::CheckTransactionInMempool { .. } => {
                MessageType::CheckTransactionInMempool
            }
            RequestPayload::GetFeeEstimate { .. } => MessageType::GetFeeEstimate,
            RequestPayload::ReadFile { .. } => MessageType::ReadFile,
            RequestPayload::WriteFile { .. } => MessageType::WriteFile,
            RequestPayload::DeleteFile { .. } => MessageType::DeleteFile,
            RequestPayload::ListDirectory { .. } => MessageType::ListDirectory,
            RequestPayload::CreateDirectory { .. } => MessageType::CreateDirectory,
            RequestPayload::GetFileMetadata { .. } => MessageType::GetFileMetadata,
            RequestPayload::RegisterRpcEndpoint { .. } => MessageType::RegisterRpcEndpoint,
            RequestPayload::UnregisterRpcEndpoint { .. } => MessageType::UnregisterRpcEndpoint,
            RequestPayload::RegisterCoreRpcOverride { .. } => MessageType::RegisterCoreRpcOverride,
            RequestPayload::UnregisterCoreRpcOverride { .. } => {
                MessageType::UnregisterCoreRpcOverride
            }
            RequestPayload::RegisterTimer { .. } => MessageType::RegisterTimer,
            RequestPayload::CancelTimer { .. } => MessageType::CancelTimer,
            RequestPayload::ScheduleTask { .. } => MessageType::ScheduleTask,
            RequestPayload::ReportMetric { .. } => MessageType::ReportMetric,
            RequestPayload::GetModuleMetrics { .. } => MessageType::GetModuleMetrics,
            RequestPayload::GetAllMetrics => MessageType::GetAllMetrics,
            RequestPayload::DiscoverModules => MessageType::DiscoverModules,
            RequestPayload::GetModuleInfo { .. } => MessageType::GetModuleInfo,
            RequestPayload::IsModuleAvailable { .. } => MessageType::IsModuleAvailable,
            RequestPayload::PublishEvent { .. } => MessageType::PublishEvent,
            RequestPayload::CallModule { .. } => MessageType::CallModule,
            RequestPayload::RegisterModuleApi { .. } => MessageType::RegisterModuleApi,
            RequestPayload::UnregisterModuleApi => MessageType::UnregisterModuleApi,
            RequestPayload::GetModuleHealth { .. } => MessageType::GetModuleHealth,
            RequestPayload::GetAllModuleHealth => MessageType::GetAllModuleHealth,
            RequestPayload::ReportModuleHealth { .. } => MessageType::ReportModuleHealth,
            RequestPayload::SendMeshPacketToPeer { .. } => MessageType::SendMeshPacketToPeer,
            RequestPayload::SendStratumV2MessageToPeer { .. } => {
                MessageType::SendStratumV2MessageToPeer
            }
            RequestPayload::GetBlockTemplate { .. } => MessageType::GetBlockTemplate,
            RequestPayload::SubmitBlock { .. } => MessageType::SubmitBlock,
            RequestPayload::QueueReceivedBlock { .. } => MessageType::QueueReceivedBlock,
            RequestPayload::MergeBlockServeDenylist { .. } => MessageType::MergeBlockServeDenylist,
            RequestPayload::GetBlockServeDenylistSnapshot => {
                MessageType::GetBlockServeDenylistSnapshot
            }
            RequestPayload::ClearBlockServeDenylist => MessageType::ClearBlockServeDenylist,
            RequestPayload::ReplaceBlockServeDenylist { .. } => {
                MessageType::ReplaceBlockServeDenylist
            }
            RequestPayload::MergeTxServeDenylist { .. } => MessageType::MergeTxServeDenylist,
            RequestPayload::GetTxServeDenylistSnapshot => MessageType::GetTxServeDenylistSnapshot,
            RequestPayload::ClearTxServeDenylist => MessageType::ClearTxServeDenylist,
            RequestPayload::ReplaceTxServeDenylist { .. } => MessageType::ReplaceTxServeDenylist,
            RequestPayload::GetSyncStatus => MessageType::GetSyncStatus,
            RequestPayload::BanPeer { .. } => MessageType::BanPeer,
            RequestPayload::SetBlockServeMaintenanceMode { .. } => {
                MessageType::SetBlockServeMaintenanceMode
            }
            RequestPayload::RegisterCliSpec { .. } => MessageType::RegisterCliSpec,
            RequestPayload::GetBlockTemplateWithOutputs { .. } => {
                MessageType::GetBlockTemplateWithOutputs
            }
            RequestPayload::GetBlockTemplateDeclared { .. } => {
                MessageType::GetBlockTemplateDeclared
            }
            RequestPayload::SubmitMempoolTransaction { .. } => {
                MessageType::SubmitMempoolTransaction
            }
            RequestPayload::GetTxMetadata { .. } => MessageType::GetTxMetadata,
            RequestPayload::GetMempoolFeeRateSummary => MessageType::GetMempoolFeeRateSummary,
        }
    }

    /// The variant name, as the node spells it (for errors and logs).
    pub fn name(&self) -> &'static str {
        match self {
            RequestPayload::Handshake { .. } => "Handshake",
            RequestPayload::GetBlock { .. } => "GetBlock",
            RequestPayload::GetBlockHeader { .. } => "GetBlockHeader",
            RequestPayload::GetTransaction { .. } => "GetTransaction",
            RequestPayload::HasTransaction { .. } => "HasTransaction",
            RequestPayload::GetChainTip => "GetChainTip",
            RequestPayload::GetBlockHeight => "GetBlockHeight",
            RequestPayload::GetUtxo { .. } => "GetUtxo",
            RequestPayload::SubscribeEvents { .. } => "SubscribeEvents",
            RequestPayload::GetMempoolTransactions => "GetMempoolTransactions",
            RequestPayload::GetMempoolTransaction { .. } => "GetMempoolTransaction",
            RequestPayload::GetMempoolSize => "GetMempoolSize",
            RequestPayload::GetNetworkStats => "GetNetworkStats",
            RequestPayload::GetNetworkPeers => "GetNetworkPeers",
            RequestPayload::GetChainInfo => "GetChainInfo",
            RequestPayload::GetBlockByHeight { .. } => "GetBlockByHeight",
            RequestPayload::GetBlockAndWitnesses { .. } => "GetBlockAndWitnesses",
            RequestPayload::GetLightningNodeUrl => "GetLightningNodeUrl",
            RequestPayload::GetLightningInfo => "GetLightningInfo",
            RequestPayload::GetPaymentState { .. } => "GetPaymentState",
            RequestPayload::CheckTransactionInMempool { .. } => "CheckTransactionInMempool",
            RequestPayload::GetFeeEstimate { .. } => "GetFeeEstimate",
            RequestPayload::ReadFile { .. } => "ReadFile",
            RequestPayload::WriteFile { .. } => "WriteFile",
            RequestPayload::DeleteFile { .. } => "DeleteFile",
            RequestPayload::ListDirectory { .. } => "ListDirectory",
            RequestPayload::CreateDirectory { .. } => "CreateDirectory",
            RequestPayload::GetFileMetadata { .. } => "GetFileMetadata",
            RequestPayload::RegisterRpcEndpoint { .. } => "RegisterRpcEndpoint",
            RequestPayload::UnregisterRpcEndpoint { .. } => "UnregisterRpcEndpoint",
            RequestPayload::RegisterCoreRpcOverride { .. } => "RegisterCoreRpcOverride",
            RequestPayload::UnregisterCoreRpcOverride { .. } => "UnregisterCoreRpcOverride",
            RequestPayload::RegisterTimer { .. } => "RegisterTimer",
            RequestPayload::CancelTimer { .. } => "CancelTimer",
            RequestPayload::ScheduleTask { .. } => "ScheduleTask",
            RequestPayload::ReportMetric { .. } => "ReportMetric",
            RequestPayload::GetModuleMetrics { .. } => "GetModuleMetrics",
            RequestPayload::GetAllMetrics => "GetAllMetrics",
            RequestPayload::DiscoverModules => "DiscoverModules",
            RequestPayload::GetModuleInfo { .. } => "GetModuleInfo",
            RequestPayload::IsModuleAvailable { .. } => "IsModuleAvailable",
            RequestPayload::PublishEvent { .. } => "PublishEvent",
            RequestPayload::CallModule { .. } => "CallModule",
            RequestPayload::RegisterModuleApi { .. } => "RegisterModuleApi",
            RequestPayload::UnregisterModuleApi => "UnregisterModuleApi",
            RequestPayload::GetModuleHealth { .. } => "GetModuleHealth",
            RequestPayload::GetAllModuleHealth => "GetAllModuleHealth",
            RequestPayload::ReportModuleHealth { .. } => "ReportModuleHealth",
            RequestPayload::SendMeshPacketToPeer { .. } => "SendMeshPacketToPeer",
            RequestPayload::SendStratumV2MessageToPeer { .. } => "SendStratumV2MessageToPeer",
            RequestPayload::GetBlockTemplate { .. } => "GetBlockTemplate",
            RequestPayload::SubmitBlock { .. } => "SubmitBlock",
            RequestPayload::QueueReceivedBlock { .. } => "QueueReceivedBlock",
            RequestPayload::MergeBlockServeDenylist { .. } => "MergeBlockServeDenylist",
            RequestPayload::GetBlockServeDenylistSnapshot => "GetBlockServeDenylistSnapshot",
            RequestPayload::ClearBlockServeDenylist => "ClearBlockServeDenylist",
            RequestPayload::ReplaceBlockServeDenylist { .. } => "ReplaceBlockServeDenylist",
            RequestPayload::MergeTxServeDenylist { .. } => "MergeTxServeDenylist",
            RequestPayload::GetTxServeDenylistSnapshot => "GetTxServeDenylistSnapshot",
            RequestPayload::ClearTxServeDenylist => "ClearTxServeDenylist",
            RequestPayload::ReplaceTxServeDenylist { .. } => "ReplaceTxServeDenylist",
            RequestPayload::GetSyncStatus => "GetSyncStatus",
            RequestPayload::BanPeer { .. } => "BanPeer",
            RequestPayload::SetBlockServeMaintenanceMode { .. } => "SetBlockServeMaintenanceMode",
            RequestPayload::RegisterCliSpec { .. } => "RegisterCliSpec",
            RequestPayload::GetBlockTemplateWithOutputs { .. } => "GetBlockTemplateWithOutputs",
            RequestPayload::GetBlockTemplateDeclared { .. } => "GetBlockTemplateDeclared",
            RequestPayload::SubmitMempoolTransaction { .. } => "SubmitMempoolTransaction",
            RequestPayload::GetTxMetadata { .. } => "GetTxMetadata",
            RequestPayload::GetMempoolFeeRateSummary => "GetMempoolFeeRateSummary",
        }
    }
}

impl MessageType {
    /// The variant name, as the node spells it.
    pub fn name(&self) -> &'static str {
        match self {
            MessageType::GetBlock => "GetBlock",
            MessageType::GetBlockHeader => "GetBlockHeader",
            MessageType::GetTransaction => "GetTransaction",
            MessageType::HasTransaction => "HasTransaction",
            MessageType::GetChainTip => "GetChainTip",
            MessageType::GetBlockHeight => "GetBlockHeight",
            MessageType::GetUtxo => "GetUtxo",
            MessageType::SubscribeEvents => "SubscribeEvents",
            MessageType::Handshake => "Handshake",
            MessageType::GetMempoolTransactions => "GetMempoolTransactions",
            MessageType::GetMempoolTransaction => "GetMempoolTransaction",
            MessageType::GetMempoolSize => "GetMempoolSize",
            MessageType::GetNetworkStats => "GetNetworkStats",
            MessageType::GetNetworkPeers => "GetNetworkPeers",
            MessageType::GetChainInfo => "GetChainInfo",
            MessageType::GetBlockByHeight => "GetBlockByHeight",
            MessageType::GetBlockAndWitnesses => "GetBlockAndWitnesses",
            MessageType::GetLightningNodeUrl => "GetLightningNodeUrl",
            MessageType::GetLightningInfo => "GetLightningInfo",
            MessageType::GetPaymentState => "GetPaymentState",
            MessageType::CheckTransactionInMempool => "CheckTransactionInMempool",
            MessageType::GetFeeEstimate => "GetFeeEstimate",
            MessageType::ReadFile => "ReadFile",
            MessageType::WriteFile => "WriteFile",
            MessageType::DeleteFile => "DeleteFile",
            MessageType::ListDirectory => "ListDirectory",
            MessageType::CreateDirectory => "CreateDirectory",
            MessageType::GetFileMetadata => "GetFileMetadata",
            MessageType::RegisterRpcEndpoint => "RegisterRpcEndpoint",
            MessageType::UnregisterRpcEndpoint => "UnregisterRpcEndpoint",
            MessageType::RegisterCoreRpcOverride => "RegisterCoreRpcOverride",
            MessageType::UnregisterCoreRpcOverride => "UnregisterCoreRpcOverride",
            MessageType::RegisterTimer => "RegisterTimer",
            MessageType::CancelTimer => "CancelTimer",
            MessageType::ScheduleTask => "ScheduleTask",
            MessageType::ReportMetric => "ReportMetric",
            MessageType::GetModuleMetrics => "GetModuleMetrics",
            MessageType::GetAllMetrics => "GetAllMetrics",
            MessageType::DiscoverModules => "DiscoverModules",
            MessageType::GetModuleInfo => "GetModuleInfo",
            MessageType::IsModuleAvailable => "IsModuleAvailable",
            MessageType::PublishEvent => "PublishEvent",
            MessageType::CallModule => "CallModule",
            MessageType::RegisterModuleApi => "RegisterModuleApi",
            MessageType::UnregisterModuleApi => "UnregisterModuleApi",
            MessageType::GetModuleHealth => "GetModuleHealth",
            MessageType::GetAllModuleHealth => "GetAllModuleHealth",
            MessageType::ReportModuleHealth => "ReportModuleHealth",
            MessageType::SendMeshPacketToPeer => "SendMeshPacketToPeer",
            MessageType::SendStratumV2MessageToPeer => "SendStratumV2MessageToPeer",
            MessageType::GetBlockTemplate => "GetBlockTemplate",
            MessageType::SubmitBlock => "SubmitBlock",
            MessageType::QueueReceivedBlock => "QueueReceivedBlock",
            MessageType::MergeBlockServeDenylist => "MergeBlockServeDenylist",
            MessageType::GetBlockServeDenylistSnapshot => "GetBlockServeDenylistSnapshot",
            MessageType::ClearBlockServeDenylist => "ClearBlockServeDenylist",
            MessageType::ReplaceBlockServeDenylist => "ReplaceBlockServeDenylist",
            MessageType::MergeTxServeDenylist => "MergeTxServeDenylist",
            MessageType::GetTxServeDenylistSnapshot => "GetTxServeDenylistSnapshot",
            MessageType::ClearTxServeDenylist => "ClearTxServeDenylist",
            MessageType::ReplaceTxServeDenylist => "ReplaceTxServeDenylist",
            MessageType::GetSyncStatus => "GetSyncStatus",
            MessageType::BanPeer => "BanPeer",
            MessageType::SetBlockServeMaintenanceMode => "SetBlockServeMaintenanceMode",
            MessageType::RegisterCliSpec => "RegisterCliSpec",
            MessageType::Invocation => "Invocation",
            MessageType::InvocationResult => "InvocationResult",
            MessageType::Log => "Log",
            MessageType::Response => "Response",
            MessageType::Event => "Event",
            MessageType::Error => "Error",
            MessageType::GetBlockTemplateWithOutputs => "GetBlockTemplateWithOutputs",
            MessageType::GetBlockTemplateDeclared => "GetBlockTemplateDeclared",
            MessageType::SubmitMempoolTransaction => "SubmitMempoolTransaction",
            MessageType::GetTxMetadata => "GetTxMetadata",
            MessageType::GetMempoolFeeRateSummary => "GetMempoolFeeRateSummary",
        }
    }
}
