//! Responses (node → module): [`ResponsePayload`], node 0.1.83 layout (§6.1).
//!
//! Generated from `reference/blvm-ipc.md`; declaration order is the wire index. Do not reorder.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::data::*;

/// The payload of a successful `Response`, node 0.1.83 layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResponsePayload {
    /// `HandshakeAck` (index 0; 0.1.54: 0).
    HandshakeAck { node_version: String },
    /// `Block` (index 1; 0.1.54: 1).
    Block(Option<Block>),
    /// `BlockHeader` (index 2; 0.1.54: 2).
    BlockHeader(Option<BlockHeader>),
    /// `Transaction` (index 3; 0.1.54: 3).
    Transaction(Option<Transaction>),
    /// `Bool` (index 4; 0.1.54: 4).
    Bool(bool),
    /// `Hash` (index 5; 0.1.54: 5).
    Hash(Hash),
    /// `U64` (index 6; 0.1.54: 6).
    U64(u64),
    /// `Utxo` (index 7; 0.1.54: 7).
    Utxo(Option<Utxo>),
    /// `SubscribeAck` (index 8; 0.1.54: 8).
    SubscribeAck,
    /// `MempoolTransactions` (index 9; 0.1.54: 9).
    MempoolTransactions(Vec<Hash>),
    /// `MempoolTransaction` (index 10; 0.1.54: 10).
    MempoolTransaction(Option<Transaction>),
    /// `MempoolSize` (index 11; 0.1.54: 11).
    MempoolSize(MempoolSize),
    /// `NetworkStats` (index 12; 0.1.54: 12).
    NetworkStats(NetworkStats),
    /// `NetworkPeers` (index 13; 0.1.54: 13).
    NetworkPeers(Vec<PeerInfo>),
    /// `ChainInfo` (index 14; 0.1.54: 14).
    ChainInfo(ChainInfo),
    /// `BlockByHeight` (index 15; 0.1.54: 15).
    BlockByHeight(Option<Block>),
    /// `BlockAndWitnesses` (index 16; 0.1.54: absent).
    BlockAndWitnesses {
        block: Option<Block>,
        witnesses: Vec<Vec<Witness>>,
    },
    /// `LightningNodeUrl` (index 17; 0.1.54: 16).
    LightningNodeUrl(Option<String>),
    /// `LightningInfo` (index 18; 0.1.54: 17).
    LightningInfo(Option<LightningInfo>),
    /// `PaymentState` (index 19; 0.1.54: 18).
    PaymentState(Option<PaymentState>),
    /// `CheckTransactionInMempool` (index 20; 0.1.54: 19).
    CheckTransactionInMempool(bool),
    /// `FeeEstimate` (index 21; 0.1.54: 20).
    FeeEstimate(u64),
    /// `FileData` (index 22; 0.1.54: 21).
    FileData(#[serde(with = "crate::ipc::types::wire_bytes")] Vec<u8>),
    /// `DirectoryListing` (index 23; 0.1.54: 22).
    DirectoryListing(Vec<String>),
    /// `FileMetadata` (index 24; 0.1.54: 23).
    FileMetadata(FileMetadata),
    /// `RpcEndpointRegistered` (index 25; 0.1.54: 24).
    RpcEndpointRegistered,
    /// `RpcEndpointUnregistered` (index 26; 0.1.54: 25).
    RpcEndpointUnregistered,
    /// `CoreRpcOverrideRegistered` (index 27; 0.1.54: 26).
    CoreRpcOverrideRegistered,
    /// `CoreRpcOverrideUnregistered` (index 28; 0.1.54: 27).
    CoreRpcOverrideUnregistered,
    /// `TimerId` (index 29; 0.1.54: 28).
    TimerId(u64),
    /// `TaskId` (index 30; 0.1.54: 29).
    TaskId(u64),
    /// `TimerCancelled` (index 31; 0.1.54: 30).
    TimerCancelled,
    /// `TaskScheduled` (index 32; 0.1.54: 31).
    TaskScheduled,
    /// `MetricReported` (index 33; 0.1.54: 32).
    MetricReported,
    /// `ModuleMetrics` (index 34; 0.1.54: 33).
    ModuleMetrics(Vec<Metric>),
    /// `AllMetrics` (index 35; 0.1.54: 34).
    AllMetrics(BTreeMap<String, Vec<Metric>>),
    /// `ModuleList` (index 36; 0.1.54: 35).
    ModuleList(Vec<ModuleInfo>),
    /// `ModuleInfo` (index 37; 0.1.54: 36).
    ModuleInfo(Option<ModuleInfo>),
    /// `ModuleAvailable` (index 38; 0.1.54: 37).
    ModuleAvailable(bool),
    /// `EventPublished` (index 39; 0.1.54: 38).
    EventPublished,
    /// `ModuleApiResponse` (index 40; 0.1.54: 39).
    ModuleApiResponse(#[serde(with = "crate::ipc::types::wire_bytes")] Vec<u8>),
    /// `ModuleApiRegistered` (index 41; 0.1.54: 40).
    ModuleApiRegistered,
    /// `ModuleApiUnregistered` (index 42; 0.1.54: 41).
    ModuleApiUnregistered,
    /// `ModuleHealth` (index 43; 0.1.54: 42).
    ModuleHealth(Option<ModuleHealth>),
    /// `AllModuleHealth` (index 44; 0.1.54: 43).
    AllModuleHealth(Vec<(String, ModuleHealth)>),
    /// `HealthReported` (index 45; 0.1.54: 44).
    HealthReported,
    /// `BlockTemplate` (index 46; 0.1.54: 45).
    BlockTemplate(BlockTemplate),
    /// `SubmitBlockResult` (index 47; 0.1.54: 46).
    SubmitBlockResult(SubmitBlockResult),
    /// `ReceivedBlockQueued` (index 48; 0.1.54: 47).
    ReceivedBlockQueued,
    /// `BlockServeDenylistMerged` (index 49; 0.1.54: 48).
    BlockServeDenylistMerged,
    /// `TxServeDenylistMerged` (index 50; 0.1.54: 49).
    TxServeDenylistMerged,
    /// `BlockServeDenylistSnapshot` (index 51; 0.1.54: 50).
    BlockServeDenylistSnapshot(BlockServeDenylistSnapshot),
    /// `TxServeDenylistSnapshot` (index 52; 0.1.54: 51).
    TxServeDenylistSnapshot(TxServeDenylistSnapshot),
    /// `NodeSyncStatus` (index 53; 0.1.54: 52).
    NodeSyncStatus(SyncStatus),
    /// `MempoolTransactionSubmitted` (index 54; 0.1.54: absent).
    MempoolTransactionSubmitted(bool),
    /// `TxMetadata` (index 55; 0.1.54: absent).
    TxMetadata(Option<TxBlockMetadata>),
    /// `MempoolFeeRateSummary` (index 56; 0.1.54: absent).
    MempoolFeeRateSummary(MempoolFeeRateSummary),
}

impl ResponsePayload {
    /// The variant name, as the node spells it.
    pub fn name(&self) -> &'static str {
        match self {
            ResponsePayload::HandshakeAck { .. } => "HandshakeAck",
            ResponsePayload::Block(..) => "Block",
            ResponsePayload::BlockHeader(..) => "BlockHeader",
            ResponsePayload::Transaction(..) => "Transaction",
            ResponsePayload::Bool(..) => "Bool",
            ResponsePayload::Hash(..) => "Hash",
            ResponsePayload::U64(..) => "U64",
            ResponsePayload::Utxo(..) => "Utxo",
            ResponsePayload::SubscribeAck => "SubscribeAck",
            ResponsePayload::MempoolTransactions(..) => "MempoolTransactions",
            ResponsePayload::MempoolTransaction(..) => "MempoolTransaction",
            ResponsePayload::MempoolSize(..) => "MempoolSize",
            ResponsePayload::NetworkStats(..) => "NetworkStats",
            ResponsePayload::NetworkPeers(..) => "NetworkPeers",
            ResponsePayload::ChainInfo(..) => "ChainInfo",
            ResponsePayload::BlockByHeight(..) => "BlockByHeight",
            ResponsePayload::BlockAndWitnesses { .. } => "BlockAndWitnesses",
            ResponsePayload::LightningNodeUrl(..) => "LightningNodeUrl",
            ResponsePayload::LightningInfo(..) => "LightningInfo",
            ResponsePayload::PaymentState(..) => "PaymentState",
            ResponsePayload::CheckTransactionInMempool(..) => "CheckTransactionInMempool",
            ResponsePayload::FeeEstimate(..) => "FeeEstimate",
            ResponsePayload::FileData(..) => "FileData",
            ResponsePayload::DirectoryListing(..) => "DirectoryListing",
            ResponsePayload::FileMetadata(..) => "FileMetadata",
            ResponsePayload::RpcEndpointRegistered => "RpcEndpointRegistered",
            ResponsePayload::RpcEndpointUnregistered => "RpcEndpointUnregistered",
            ResponsePayload::CoreRpcOverrideRegistered => "CoreRpcOverrideRegistered",
            ResponsePayload::CoreRpcOverrideUnregistered => "CoreRpcOverrideUnregistered",
            ResponsePayload::TimerId(..) => "TimerId",
            ResponsePayload::TaskId(..) => "TaskId",
            ResponsePayload::TimerCancelled => "TimerCancelled",
            ResponsePayload::TaskScheduled => "TaskScheduled",
            ResponsePayload::MetricReported => "MetricReported",
            ResponsePayload::ModuleMetrics(..) => "ModuleMetrics",
            ResponsePayload::AllMetrics(..) => "AllMetrics",
            ResponsePayload::ModuleList(..) => "ModuleList",
            ResponsePayload::ModuleInfo(..) => "ModuleInfo",
            ResponsePayload::ModuleAvailable(..) => "ModuleAvailable",
            ResponsePayload::EventPublished => "EventPublished",
            ResponsePayload::ModuleApiResponse(..) => "ModuleApiResponse",
            ResponsePayload::ModuleApiRegistered => "ModuleApiRegistered",
            ResponsePayload::ModuleApiUnregistered => "ModuleApiUnregistered",
            ResponsePayload::ModuleHealth(..) => "ModuleHealth",
            ResponsePayload::AllModuleHealth(..) => "AllModuleHealth",
            ResponsePayload::HealthReported => "HealthReported",
            ResponsePayload::BlockTemplate(..) => "BlockTemplate",
            ResponsePayload::SubmitBlockResult(..) => "SubmitBlockResult",
            ResponsePayload::ReceivedBlockQueued => "ReceivedBlockQueued",
            ResponsePayload::BlockServeDenylistMerged => "BlockServeDenylistMerged",
            ResponsePayload::TxServeDenylistMerged => "TxServeDenylistMerged",
            ResponsePayload::BlockServeDenylistSnapshot(..) => "BlockServeDenylistSnapshot",
            ResponsePayload::TxServeDenylistSnapshot(..) => "TxServeDenylistSnapshot",
            ResponsePayload::NodeSyncStatus(..) => "NodeSyncStatus",
            ResponsePayload::MempoolTransactionSubmitted(..) => "MempoolTransactionSubmitted",
            ResponsePayload::TxMetadata(..) => "TxMetadata",
            ResponsePayload::MempoolFeeRateSummary(..) => "MempoolFeeRateSummary",
        }
    }
}
