//! Events (node → module): [`EventType`] and [`EventPayload`], node 0.1.83 layout (§11).
//!
//! Two **different** enums with different numbering: the type list has `MeshPacketReceived` /
//! `StratumV2MessageReceived` at 16–17, the payload list at 75–76. Generated from
//! `reference/blvm-ipc.md`; declaration order is the wire index. Do not reorder.

use serde::{Deserialize, Serialize};

use super::data::Hash;

/// An event type (subscription key and `EventMessage.event_type`), node 0.1.83 order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    /// `NewBlock` (type index 0, payload index 0). Emitted by node 0.1.83: yes: after each block connects (run_loop), local miner.
    NewBlock,
    /// `NewTransaction` (type index 1, payload index 1). Emitted by node 0.1.83: yes: mempool accept.
    NewTransaction,
    /// `BlockDisconnected` (type index 2, payload index 2). Emitted by node 0.1.83: yes: reorg, invalidateblock.
    BlockDisconnected,
    /// `ChainReorg` (type index 3, payload index 3). Emitted by node 0.1.83: yes: reorg, invalidateblock.
    ChainReorg,
    /// `PaymentRequestCreated` (type index 4, payload index 4). Emitted by node 0.1.83: no (never published by node code).
    PaymentRequestCreated,
    /// `PaymentSettled` (type index 5, payload index 5). Emitted by node 0.1.83: no (never published by node code).
    PaymentSettled,
    /// `PaymentFailed` (type index 6, payload index 6). Emitted by node 0.1.83: no (never published by node code).
    PaymentFailed,
    /// `PaymentVerified` (type index 7, payload index 7). Emitted by node 0.1.83: no (never published by node code).
    PaymentVerified,
    /// `PaymentRouteFound` (type index 8, payload index 8). Emitted by node 0.1.83: no (never published by node code).
    PaymentRouteFound,
    /// `PaymentRouteFailed` (type index 9, payload index 9). Emitted by node 0.1.83: no (never published by node code).
    PaymentRouteFailed,
    /// `ChannelOpened` (type index 10, payload index 10). Emitted by node 0.1.83: no (never published by node code).
    ChannelOpened,
    /// `ChannelClosed` (type index 11, payload index 11). Emitted by node 0.1.83: no (never published by node code).
    ChannelClosed,
    /// `BlockMined` (type index 12, payload index 12). Emitted by node 0.1.83: yes: local miner, submitblock/generate RPC.
    BlockMined,
    /// `BlockTemplateUpdated` (type index 13, payload index 13). Emitted by node 0.1.83: yes: only when RPC getblocktemplate runs.
    BlockTemplateUpdated,
    /// `MiningDifficultyChanged` (type index 14, payload index 14). Emitted by node 0.1.83: yes: run_loop on bits change.
    MiningDifficultyChanged,
    /// `MiningJobCreated` (type index 15, payload index 15). Emitted by node 0.1.83: no (never published by node code).
    MiningJobCreated,
    /// `MeshPacketReceived` (type index 16, payload index 75). Emitted by node 0.1.83: yes: P2P mesh frames.
    MeshPacketReceived,
    /// `StratumV2MessageReceived` (type index 17, payload index 76). Emitted by node 0.1.83: yes: P2P Stratum TLV.
    StratumV2MessageReceived,
    /// `ShareSubmitted` (type index 18, payload index 16). Emitted by node 0.1.83: modules (stratum-v2 publishes).
    ShareSubmitted,
    /// `MergeMiningReward` (type index 19, payload index 17). Emitted by node 0.1.83: no (never published by node code).
    MergeMiningReward,
    /// `MiningPoolConnected` (type index 20, payload index 18). Emitted by node 0.1.83: no (never published by node code).
    MiningPoolConnected,
    /// `MiningPoolDisconnected` (type index 21, payload index 19). Emitted by node 0.1.83: no (never published by node code).
    MiningPoolDisconnected,
    /// `GovernanceProposalCreated` (type index 22, payload index 20). Emitted by node 0.1.83: no (never published by node code).
    GovernanceProposalCreated,
    /// `GovernanceProposalVoted` (type index 23, payload index 21). Emitted by node 0.1.83: no (never published by node code).
    GovernanceProposalVoted,
    /// `GovernanceProposalMerged` (type index 24, payload index 22). Emitted by node 0.1.83: no (never published by node code).
    GovernanceProposalMerged,
    /// `WebhookSent` (type index 25, payload index 23). Emitted by node 0.1.83: no (never published by node code).
    WebhookSent,
    /// `WebhookFailed` (type index 26, payload index 24). Emitted by node 0.1.83: no (never published by node code).
    WebhookFailed,
    /// `GovernanceForkDetected` (type index 27, payload index 25). Emitted by node 0.1.83: no (never published by node code).
    GovernanceForkDetected,
    /// `PeerConnected` (type index 28, payload index 26). Emitted by node 0.1.83: yes (peer_node_id always None).
    PeerConnected,
    /// `PeerDisconnected` (type index 29, payload index 27). Emitted by node 0.1.83: yes (reason "disconnected").
    PeerDisconnected,
    /// `PeerBanned` (type index 30, payload index 28). Emitted by node 0.1.83: yes.
    PeerBanned,
    /// `PeerUnbanned` (type index 31, payload index 29). Emitted by node 0.1.83: yes.
    PeerUnbanned,
    /// `MessageReceived` (type index 32, payload index 30). Emitted by node 0.1.83: yes.
    MessageReceived,
    /// `MessageSent` (type index 33, payload index 31). Emitted by node 0.1.83: yes.
    MessageSent,
    /// `BroadcastStarted` (type index 34, payload index 32). Emitted by node 0.1.83: no (never published by node code).
    BroadcastStarted,
    /// `BroadcastCompleted` (type index 35, payload index 33). Emitted by node 0.1.83: no (never published by node code).
    BroadcastCompleted,
    /// `RouteDiscovered` (type index 36, payload index 34). Emitted by node 0.1.83: no (never published by node code).
    RouteDiscovered,
    /// `RouteFailed` (type index 37, payload index 35). Emitted by node 0.1.83: no (never published by node code).
    RouteFailed,
    /// `ConnectionAttempt` (type index 38, payload index 36). Emitted by node 0.1.83: no (never published by node code).
    ConnectionAttempt,
    /// `AddressDiscovered` (type index 39, payload index 37). Emitted by node 0.1.83: no (never published by node code).
    AddressDiscovered,
    /// `AddressExpired` (type index 40, payload index 38). Emitted by node 0.1.83: no (never published by node code).
    AddressExpired,
    /// `NetworkPartition` (type index 41, payload index 39). Emitted by node 0.1.83: no (never published by node code).
    NetworkPartition,
    /// `NetworkReconnected` (type index 42, payload index 40). Emitted by node 0.1.83: no (never published by node code).
    NetworkReconnected,
    /// `DoSAttackDetected` (type index 43, payload index 41). Emitted by node 0.1.83: no (never published by node code).
    DoSAttackDetected,
    /// `RateLimitExceeded` (type index 44, payload index 42). Emitted by node 0.1.83: no (never published by node code).
    RateLimitExceeded,
    /// `BlockValidationStarted` (type index 45, payload index 43). Emitted by node 0.1.83: yes.
    BlockValidationStarted,
    /// `BlockValidationCompleted` (type index 46, payload index 44). Emitted by node 0.1.83: yes.
    BlockValidationCompleted,
    /// `ScriptVerificationStarted` (type index 47, payload index 45). Emitted by node 0.1.83: no (never published by node code).
    ScriptVerificationStarted,
    /// `ScriptVerificationCompleted` (type index 48, payload index 46). Emitted by node 0.1.83: no (never published by node code).
    ScriptVerificationCompleted,
    /// `UTXOValidationStarted` (type index 49, payload index 47). Emitted by node 0.1.83: no (never published by node code).
    UTXOValidationStarted,
    /// `UTXOValidationCompleted` (type index 50, payload index 48). Emitted by node 0.1.83: no (never published by node code).
    UTXOValidationCompleted,
    /// `DifficultyAdjusted` (type index 51, payload index 49). Emitted by node 0.1.83: no (never published by node code).
    DifficultyAdjusted,
    /// `SoftForkActivated` (type index 52, payload index 50). Emitted by node 0.1.83: no (never published by node code).
    SoftForkActivated,
    /// `SoftForkLockedIn` (type index 53, payload index 51). Emitted by node 0.1.83: no (never published by node code).
    SoftForkLockedIn,
    /// `ConsensusRuleViolation` (type index 54, payload index 52). Emitted by node 0.1.83: no (never published by node code).
    ConsensusRuleViolation,
    /// `HeadersSyncStarted` (type index 55, payload index 53). Emitted by node 0.1.83: yes.
    HeadersSyncStarted,
    /// `HeadersSyncProgress` (type index 56, payload index 54). Emitted by node 0.1.83: yes.
    HeadersSyncProgress,
    /// `HeadersSyncCompleted` (type index 57, payload index 55). Emitted by node 0.1.83: yes.
    HeadersSyncCompleted,
    /// `BlockSyncStarted` (type index 58, payload index 56). Emitted by node 0.1.83: yes.
    BlockSyncStarted,
    /// `BlockSyncProgress` (type index 59, payload index 57). Emitted by node 0.1.83: yes.
    BlockSyncProgress,
    /// `BlockSyncCompleted` (type index 60, payload index 58). Emitted by node 0.1.83: yes.
    BlockSyncCompleted,
    /// `SyncStateChanged` (type index 61, payload index 59). Emitted by node 0.1.83: yes.
    SyncStateChanged,
    /// `MempoolTransactionAdded` (type index 62, payload index 60). Emitted by node 0.1.83: yes: fee_rate = sat/vB as f64, mempool_size = tx count.
    MempoolTransactionAdded,
    /// `MempoolTransactionRemoved` (type index 63, payload index 61). Emitted by node 0.1.83: yes: reason "removed".
    MempoolTransactionRemoved,
    /// `MempoolThresholdExceeded` (type index 64, payload index 62). Emitted by node 0.1.83: yes.
    MempoolThresholdExceeded,
    /// `FeeRateChanged` (type index 65, payload index 63). Emitted by node 0.1.83: yes.
    FeeRateChanged,
    /// `MempoolCleared` (type index 66, payload index 64). Emitted by node 0.1.83: yes.
    MempoolCleared,
    /// `StorageRead` (type index 67, payload index 65). Emitted by node 0.1.83: no (never published by node code).
    StorageRead,
    /// `StorageWrite` (type index 68, payload index 66). Emitted by node 0.1.83: no (never published by node code).
    StorageWrite,
    /// `StorageQuery` (type index 69, payload index 67). Emitted by node 0.1.83: no (never published by node code).
    StorageQuery,
    /// `DatabaseBackupStarted` (type index 70, payload index 68). Emitted by node 0.1.83: no (never published by node code).
    DatabaseBackupStarted,
    /// `DatabaseBackupCompleted` (type index 71, payload index 69). Emitted by node 0.1.83: no (never published by node code).
    DatabaseBackupCompleted,
    /// `ModuleLoaded` (type index 72, payload index 70). Emitted by node 0.1.83: yes: on SubscribeEvents (see §11).
    ModuleLoaded,
    /// `ModuleUnloaded` (type index 73, payload index 71). Emitted by node 0.1.83: yes.
    ModuleUnloaded,
    /// `ModuleReloaded` (type index 74, payload index 72). Emitted by node 0.1.83: yes.
    ModuleReloaded,
    /// `ModuleStarted` (type index 75, payload index 73). Emitted by node 0.1.83: no (never published by node code).
    ModuleStarted,
    /// `ModuleStopped` (type index 76, payload index 74). Emitted by node 0.1.83: no (never published by node code).
    ModuleStopped,
    /// `ModuleCrashed` (type index 77, payload index 77). Emitted by node 0.1.83: yes.
    ModuleCrashed,
    /// `ModuleHealthChanged` (type index 78, payload index 78). Emitted by node 0.1.83: yes.
    ModuleHealthChanged,
    /// `ModuleStateChanged` (type index 79, payload index 79). Emitted by node 0.1.83: yes.
    ModuleStateChanged,
    /// `ConfigLoaded` (type index 80, payload index 80). Emitted by node 0.1.83: yes.
    ConfigLoaded,
    /// `NodeShutdown` (type index 81, payload index 81). Emitted by node 0.1.83: yes ("graceful", 30).
    NodeShutdown,
    /// `NodeShutdownCompleted` (type index 82, payload index 82). Emitted by node 0.1.83: yes.
    NodeShutdownCompleted,
    /// `NodeStartupCompleted` (type index 83, payload index 83). Emitted by node 0.1.83: yes.
    NodeStartupCompleted,
    /// `MaintenanceStarted` (type index 84, payload index 84). Emitted by node 0.1.83: no (never published by node code).
    MaintenanceStarted,
    /// `MaintenanceCompleted` (type index 85, payload index 85). Emitted by node 0.1.83: no (never published by node code).
    MaintenanceCompleted,
    /// `DataMaintenance` (type index 86, payload index 86). Emitted by node 0.1.83: yes (shutdown flush).
    DataMaintenance,
    /// `HealthCheck` (type index 87, payload index 87). Emitted by node 0.1.83: yes (on demand).
    HealthCheck,
    /// `DiskSpaceLow` (type index 88, payload index 88). Emitted by node 0.1.83: yes.
    DiskSpaceLow,
    /// `ResourceLimitWarning` (type index 89, payload index 89). Emitted by node 0.1.83: no (never published by node code).
    ResourceLimitWarning,
    /// `DandelionStemStarted` (type index 90, payload index 90). Emitted by node 0.1.83: no (never published by node code).
    DandelionStemStarted,
    /// `DandelionStemAdvanced` (type index 91, payload index 91). Emitted by node 0.1.83: no (never published by node code).
    DandelionStemAdvanced,
    /// `DandelionFluffed` (type index 92, payload index 92). Emitted by node 0.1.83: no (never published by node code).
    DandelionFluffed,
    /// `DandelionStemPathExpired` (type index 93, payload index 93). Emitted by node 0.1.83: no (never published by node code).
    DandelionStemPathExpired,
    /// `CompactBlockReceived` (type index 94, payload index 94). Emitted by node 0.1.83: no (never published by node code).
    CompactBlockReceived,
    /// `BlockReconstructionStarted` (type index 95, payload index 95). Emitted by node 0.1.83: no (never published by node code).
    BlockReconstructionStarted,
    /// `BlockReconstructionCompleted` (type index 96, payload index 96). Emitted by node 0.1.83: no (never published by node code).
    BlockReconstructionCompleted,
    /// `FibreBlockEncoded` (type index 97, payload index 97). Emitted by node 0.1.83: no (never published by node code).
    FibreBlockEncoded,
    /// `FibreBlockSent` (type index 98, payload index 98). Emitted by node 0.1.83: no (never published by node code).
    FibreBlockSent,
    /// `CompanionUdpPeerRegistered` (type index 99, payload index 99). Emitted by node 0.1.83: yes.
    CompanionUdpPeerRegistered,
    /// `CompanionUdpPeerUnregistered` (type index 100, payload index 100). Emitted by node 0.1.83: yes.
    CompanionUdpPeerUnregistered,
    /// `PackageReceived` (type index 101, payload index 101). Emitted by node 0.1.83: no (never published by node code).
    PackageReceived,
    /// `PackageRejected` (type index 102, payload index 102). Emitted by node 0.1.83: no (never published by node code).
    PackageRejected,
    /// `UtxoCommitmentReceived` (type index 103, payload index 103). Emitted by node 0.1.83: no (never published by node code).
    UtxoCommitmentReceived,
    /// `UtxoCommitmentVerified` (type index 104, payload index 104). Emitted by node 0.1.83: no (never published by node code).
    UtxoCommitmentVerified,
    /// `BanListShared` (type index 105, payload index 105). Emitted by node 0.1.83: no (never published by node code).
    BanListShared,
    /// `BanListReceived` (type index 106, payload index 106). Emitted by node 0.1.83: no (never published by node code).
    BanListReceived,
    /// `SelectiveSyncPolicyApplied` (type index 107, payload index 107). Emitted by node 0.1.83: no (never published by node code).
    SelectiveSyncPolicyApplied,
    /// `ActionExecuted` (type index 108, payload index 108). Emitted by node 0.1.83: modules (miningos).
    ActionExecuted,
    /// `ModulePurchaseCompleted` (type index 109, payload index 109). Emitted by node 0.1.83: no (never published by node code).
    ModulePurchaseCompleted,
    /// `StratumClientConnected` (type index 110, payload index 110). Emitted by node 0.1.83: modules (stratum-v2).
    StratumClientConnected,
    /// `StratumClientDisconnected` (type index 111, payload index 111). Emitted by node 0.1.83: modules (stratum-v2).
    StratumClientDisconnected,
    /// `IBDBlockFiltered` (type index 112, payload index 112). Emitted by node 0.1.83: no (never published by node code).
    IBDBlockFiltered,
    /// `ModuleDiscovered` (type index 113, payload index 113). Emitted by node 0.1.83: yes.
    ModuleDiscovered,
    /// `ModuleInstalled` (type index 114, payload index 114). Emitted by node 0.1.83: yes.
    ModuleInstalled,
    /// `ModuleUpdated` (type index 115, payload index 115). Emitted by node 0.1.83: yes.
    ModuleUpdated,
    /// `ModuleRemoved` (type index 116, payload index 116). Emitted by node 0.1.83: yes.
    ModuleRemoved,
    /// `PeerPayment` (type index 117, payload index 117). Emitted by node 0.1.83: yes (BIP70 frames; variant added after 0.1.79).
    PeerPayment,
}

/// An event payload, node 0.1.83 order (differs from [`EventType`] order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EventPayload {
    /// `NewBlock` (payload index 0, type index 0).
    NewBlock { block_hash: Hash, height: u64 },
    /// `NewTransaction` (payload index 1, type index 1).
    NewTransaction { tx_hash: Hash },
    /// `BlockDisconnected` (payload index 2, type index 2).
    BlockDisconnected { hash: Hash, height: u64 },
    /// `ChainReorg` (payload index 3, type index 3).
    ChainReorg { old_tip: Hash, new_tip: Hash },
    /// `PaymentRequestCreated` (payload index 4, type index 4).
    PaymentRequestCreated {
        payment_id: String,
        amount_sats: u64,
        invoice: Option<String>,
    },
    /// `PaymentSettled` (payload index 5, type index 5).
    PaymentSettled {
        payment_id: String,
        tx_hash: Hash,
        confirmations: u32,
    },
    /// `PaymentFailed` (payload index 6, type index 6).
    PaymentFailed { payment_id: String, reason: String },
    /// `PaymentVerified` (payload index 7, type index 7).
    PaymentVerified {
        payment_id: String,
        amount_msats: u64,
        invoice: String,
    },
    /// `PaymentRouteFound` (payload index 8, type index 8).
    PaymentRouteFound {
        payment_id: String,
        route_hops: u64,
        route_cost_msats: u64,
    },
    /// `PaymentRouteFailed` (payload index 9, type index 9).
    PaymentRouteFailed { payment_id: String, reason: String },
    /// `ChannelOpened` (payload index 10, type index 10).
    ChannelOpened {
        channel_id: String,
        #[serde(with = "crate::ipc::types::wire_bytes")]
        peer_pubkey: Vec<u8>,
        capacity_sats: u64,
    },
    /// `ChannelClosed` (payload index 11, type index 11).
    ChannelClosed { channel_id: String, reason: String },
    /// `BlockMined` (payload index 12, type index 12).
    BlockMined {
        block_hash: Hash,
        height: u64,
        miner_id: Option<String>,
    },
    /// `BlockTemplateUpdated` (payload index 13, type index 13).
    BlockTemplateUpdated {
        prev_hash: Hash,
        height: u64,
        tx_count: u64,
    },
    /// `MiningDifficultyChanged` (payload index 14, type index 14).
    MiningDifficultyChanged {
        old_difficulty: u32,
        new_difficulty: u32,
        height: u64,
    },
    /// `MiningJobCreated` (payload index 15, type index 15).
    MiningJobCreated {
        job_id: String,
        prev_hash: Hash,
        height: u64,
    },
    /// `ShareSubmitted` (payload index 16, type index 18).
    ShareSubmitted {
        job_id: String,
        share_hash: Hash,
        miner_id: Option<String>,
    },
    /// `MergeMiningReward` (payload index 17, type index 19).
    MergeMiningReward {
        secondary_chain: String,
        reward_amount: u64,
        block_hash: Hash,
    },
    /// `MiningPoolConnected` (payload index 18, type index 20).
    MiningPoolConnected {
        pool_url: String,
        pool_id: Option<String>,
    },
    /// `MiningPoolDisconnected` (payload index 19, type index 21).
    MiningPoolDisconnected { pool_url: String, reason: String },
    /// `GovernanceProposalCreated` (payload index 20, type index 22).
    GovernanceProposalCreated {
        proposal_id: String,
        repository: String,
        pr_number: u64,
        tier: String,
    },
    /// `GovernanceProposalVoted` (payload index 21, type index 23).
    GovernanceProposalVoted {
        proposal_id: String,
        voter: String,
        vote: String,
    },
    /// `GovernanceProposalMerged` (payload index 22, type index 24).
    GovernanceProposalMerged {
        proposal_id: String,
        repository: String,
        pr_number: u64,
    },
    /// `WebhookSent` (payload index 23, type index 25).
    WebhookSent {
        webhook_url: String,
        event_type: String,
        success: bool,
    },
    /// `WebhookFailed` (payload index 24, type index 26).
    WebhookFailed {
        webhook_url: String,
        event_type: String,
        error: String,
    },
    /// `GovernanceForkDetected` (payload index 25, type index 27).
    GovernanceForkDetected {
        fork_id: String,
        ruleset_version: String,
        adoption_count: u64,
    },
    /// `PeerConnected` (payload index 26, type index 28).
    PeerConnected {
        peer_addr: String,
        transport_type: String,
        services: u64,
        version: u32,
        #[serde(with = "crate::ipc::types::wire_bytes::option")]
        peer_node_id: Option<Vec<u8>>,
    },
    /// `PeerDisconnected` (payload index 27, type index 29).
    PeerDisconnected { peer_addr: String, reason: String },
    /// `PeerBanned` (payload index 28, type index 30).
    PeerBanned {
        peer_addr: String,
        reason: String,
        ban_duration_seconds: u64,
    },
    /// `PeerUnbanned` (payload index 29, type index 31).
    PeerUnbanned { peer_addr: String },
    /// `MessageReceived` (payload index 30, type index 32).
    MessageReceived {
        peer_addr: String,
        message_type: String,
        message_size: u64,
        protocol_version: u32,
    },
    /// `MessageSent` (payload index 31, type index 33).
    MessageSent {
        peer_addr: String,
        message_type: String,
        message_size: u64,
    },
    /// `BroadcastStarted` (payload index 32, type index 34).
    BroadcastStarted {
        message_type: String,
        target_peers: u64,
    },
    /// `BroadcastCompleted` (payload index 33, type index 35).
    BroadcastCompleted {
        message_type: String,
        successful: u64,
        failed: u64,
    },
    /// `RouteDiscovered` (payload index 34, type index 36).
    RouteDiscovered {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        destination: Vec<u8>,
        route_path: Vec<String>,
        route_cost: u64,
    },
    /// `RouteFailed` (payload index 35, type index 37).
    RouteFailed {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        destination: Vec<u8>,
        reason: String,
    },
    /// `ConnectionAttempt` (payload index 36, type index 38).
    ConnectionAttempt {
        peer_addr: String,
        success: bool,
        error: Option<String>,
    },
    /// `AddressDiscovered` (payload index 37, type index 39).
    AddressDiscovered { peer_addr: String, source: String },
    /// `AddressExpired` (payload index 38, type index 40).
    AddressExpired { peer_addr: String },
    /// `NetworkPartition` (payload index 39, type index 41).
    NetworkPartition {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        partition_id: Vec<u8>,
        disconnected_peers: Vec<String>,
        partition_size: u64,
    },
    /// `NetworkReconnected` (payload index 40, type index 42).
    NetworkReconnected {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        partition_id: Vec<u8>,
        reconnected_peers: Vec<String>,
    },
    /// `DoSAttackDetected` (payload index 41, type index 43).
    DoSAttackDetected {
        peer_addr: String,
        attack_type: String,
        severity: String,
    },
    /// `RateLimitExceeded` (payload index 42, type index 44).
    RateLimitExceeded {
        peer_addr: String,
        limit_type: String,
        current_rate: f64,
        limit: f64,
    },
    /// `BlockValidationStarted` (payload index 43, type index 45).
    BlockValidationStarted { block_hash: Hash, height: u64 },
    /// `BlockValidationCompleted` (payload index 44, type index 46).
    BlockValidationCompleted {
        block_hash: Hash,
        height: u64,
        success: bool,
        validation_time_ms: u64,
        error: Option<String>,
    },
    /// `ScriptVerificationStarted` (payload index 45, type index 47).
    ScriptVerificationStarted { tx_hash: Hash, input_index: u64 },
    /// `ScriptVerificationCompleted` (payload index 46, type index 48).
    ScriptVerificationCompleted {
        tx_hash: Hash,
        input_index: u64,
        success: bool,
        verification_time_ms: u64,
    },
    /// `UTXOValidationStarted` (payload index 47, type index 49).
    UTXOValidationStarted { block_hash: Hash, height: u64 },
    /// `UTXOValidationCompleted` (payload index 48, type index 50).
    UTXOValidationCompleted {
        block_hash: Hash,
        height: u64,
        success: bool,
    },
    /// `DifficultyAdjusted` (payload index 49, type index 51).
    DifficultyAdjusted {
        old_difficulty: u32,
        new_difficulty: u32,
        height: u64,
    },
    /// `SoftForkActivated` (payload index 50, type index 52).
    SoftForkActivated { fork_name: String, height: u64 },
    /// `SoftForkLockedIn` (payload index 51, type index 53).
    SoftForkLockedIn { fork_name: String, height: u64 },
    /// `ConsensusRuleViolation` (payload index 52, type index 54).
    ConsensusRuleViolation {
        rule_name: String,
        block_hash: Option<Hash>,
        tx_hash: Option<Hash>,
        error: String,
    },
    /// `HeadersSyncStarted` (payload index 53, type index 55).
    HeadersSyncStarted { start_height: u64 },
    /// `HeadersSyncProgress` (payload index 54, type index 56).
    HeadersSyncProgress {
        current_height: u64,
        target_height: u64,
        progress_percent: f64,
    },
    /// `HeadersSyncCompleted` (payload index 55, type index 57).
    HeadersSyncCompleted {
        final_height: u64,
        duration_seconds: u64,
    },
    /// `BlockSyncStarted` (payload index 56, type index 58).
    BlockSyncStarted {
        start_height: u64,
        target_height: u64,
    },
    /// `BlockSyncProgress` (payload index 57, type index 59).
    BlockSyncProgress {
        current_height: u64,
        target_height: u64,
        progress_percent: f64,
        blocks_per_second: f64,
    },
    /// `BlockSyncCompleted` (payload index 58, type index 60).
    BlockSyncCompleted {
        final_height: u64,
        duration_seconds: u64,
    },
    /// `SyncStateChanged` (payload index 59, type index 61).
    SyncStateChanged {
        old_state: String,
        new_state: String,
    },
    /// `MempoolTransactionAdded` (payload index 60, type index 62).
    MempoolTransactionAdded {
        tx_hash: Hash,
        fee_rate: f64,
        mempool_size: u64,
    },
    /// `MempoolTransactionRemoved` (payload index 61, type index 63).
    MempoolTransactionRemoved {
        tx_hash: Hash,
        reason: String,
        mempool_size: u64,
    },
    /// `MempoolThresholdExceeded` (payload index 62, type index 64).
    MempoolThresholdExceeded { current_size: u64, threshold: u64 },
    /// `FeeRateChanged` (payload index 63, type index 65).
    FeeRateChanged {
        old_fee_rate: f64,
        new_fee_rate: f64,
        mempool_size: u64,
    },
    /// `MempoolCleared` (payload index 64, type index 66).
    MempoolCleared { cleared_count: u64 },
    /// `StorageRead` (payload index 65, type index 67).
    StorageRead { operation: String, duration_ms: u64 },
    /// `StorageWrite` (payload index 66, type index 68).
    StorageWrite {
        operation: String,
        duration_ms: u64,
        bytes_written: u64,
    },
    /// `StorageQuery` (payload index 67, type index 69).
    StorageQuery {
        query_type: String,
        duration_ms: u64,
    },
    /// `DatabaseBackupStarted` (payload index 68, type index 70).
    DatabaseBackupStarted { backup_path: String },
    /// `DatabaseBackupCompleted` (payload index 69, type index 71).
    DatabaseBackupCompleted {
        backup_path: String,
        success: bool,
        size_bytes: u64,
        duration_seconds: u64,
    },
    /// `ModuleLoaded` (payload index 70, type index 72).
    ModuleLoaded {
        module_name: String,
        version: String,
    },
    /// `ModuleUnloaded` (payload index 71, type index 73).
    ModuleUnloaded {
        module_name: String,
        version: String,
    },
    /// `ModuleReloaded` (payload index 72, type index 74).
    ModuleReloaded {
        module_name: String,
        old_version: String,
        new_version: String,
    },
    /// `ModuleStarted` (payload index 73, type index 75).
    ModuleStarted { module_name: String },
    /// `ModuleStopped` (payload index 74, type index 76).
    ModuleStopped { module_name: String },
    /// `MeshPacketReceived` (payload index 75, type index 16).
    MeshPacketReceived {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        packet_data: Vec<u8>,
        peer_addr: String,
    },
    /// `StratumV2MessageReceived` (payload index 76, type index 17).
    StratumV2MessageReceived {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        message_data: Vec<u8>,
        peer_addr: String,
    },
    /// `ModuleCrashed` (payload index 77, type index 77).
    ModuleCrashed { module_name: String, error: String },
    /// `ModuleHealthChanged` (payload index 78, type index 78).
    ModuleHealthChanged {
        module_name: String,
        old_health: String,
        new_health: String,
    },
    /// `ModuleStateChanged` (payload index 79, type index 79).
    ModuleStateChanged {
        module_name: String,
        old_state: String,
        new_state: String,
    },
    /// `ConfigLoaded` (payload index 80, type index 80).
    ConfigLoaded {
        changed_sections: Vec<String>,
        config_json: Option<String>,
    },
    /// `NodeShutdown` (payload index 81, type index 81).
    NodeShutdown {
        reason: String,
        timeout_seconds: u64,
    },
    /// `NodeShutdownCompleted` (payload index 82, type index 82).
    NodeShutdownCompleted { duration_ms: u64 },
    /// `NodeStartupCompleted` (payload index 83, type index 83).
    NodeStartupCompleted {
        duration_ms: u64,
        components: Vec<String>,
    },
    /// `MaintenanceStarted` (payload index 84, type index 84).
    MaintenanceStarted {
        maintenance_type: String,
        estimated_duration_seconds: Option<u64>,
    },
    /// `MaintenanceCompleted` (payload index 85, type index 85).
    MaintenanceCompleted {
        maintenance_type: String,
        success: bool,
        duration_ms: u64,
        results: Option<String>,
    },
    /// `DataMaintenance` (payload index 86, type index 86).
    DataMaintenance {
        operation: String,
        urgency: String,
        reason: String,
        target_age_days: Option<u64>,
        timeout_seconds: Option<u64>,
    },
    /// `HealthCheck` (payload index 87, type index 87).
    HealthCheck {
        check_type: String,
        node_healthy: bool,
        health_report: Option<String>,
    },
    /// `DiskSpaceLow` (payload index 88, type index 88).
    DiskSpaceLow {
        available_bytes: u64,
        total_bytes: u64,
        percent_free: f64,
        disk_path: String,
    },
    /// `ResourceLimitWarning` (payload index 89, type index 89).
    ResourceLimitWarning {
        resource_type: String,
        usage_percent: f64,
        current_usage: u64,
        limit: u64,
        threshold_percent: f64,
    },
    /// `DandelionStemStarted` (payload index 90, type index 90).
    DandelionStemStarted {
        tx_hash: Hash,
        current_peer: String,
        next_peer: String,
    },
    /// `DandelionStemAdvanced` (payload index 91, type index 91).
    DandelionStemAdvanced {
        tx_hash: Hash,
        hop_count: u8,
        next_peer: String,
    },
    /// `DandelionFluffed` (payload index 92, type index 92).
    DandelionFluffed { tx_hash: Hash, stem_hops: u8 },
    /// `DandelionStemPathExpired` (payload index 93, type index 93).
    DandelionStemPathExpired { peer_addr: String },
    /// `CompactBlockReceived` (payload index 94, type index 94).
    CompactBlockReceived {
        block_hash: Hash,
        height: u64,
        short_ids_count: u64,
    },
    /// `BlockReconstructionStarted` (payload index 95, type index 95).
    BlockReconstructionStarted { block_hash: Hash, height: u64 },
    /// `BlockReconstructionCompleted` (payload index 96, type index 96).
    BlockReconstructionCompleted {
        block_hash: Hash,
        height: u64,
        success: bool,
        missing_txs: u64,
    },
    /// `FibreBlockEncoded` (payload index 97, type index 97).
    FibreBlockEncoded {
        block_hash: Hash,
        height: u64,
        chunks: u64,
        encoding_time_ms: u64,
    },
    /// `FibreBlockSent` (payload index 98, type index 98).
    FibreBlockSent {
        block_hash: Hash,
        height: u64,
        peer_addr: String,
    },
    /// `CompanionUdpPeerRegistered` (payload index 99, type index 99).
    CompanionUdpPeerRegistered {
        p2p_peer_addr: String,
        udp_addr: String,
    },
    /// `CompanionUdpPeerUnregistered` (payload index 100, type index 100).
    CompanionUdpPeerUnregistered { p2p_peer_addr: String },
    /// `PackageReceived` (payload index 101, type index 101).
    PackageReceived {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        package_id: Vec<u8>,
        transaction_count: u64,
        peer_addr: String,
    },
    /// `PackageRejected` (payload index 102, type index 102).
    PackageRejected {
        #[serde(with = "crate::ipc::types::wire_bytes")]
        package_id: Vec<u8>,
        reason: String,
        peer_addr: String,
    },
    /// `UtxoCommitmentReceived` (payload index 103, type index 103).
    UtxoCommitmentReceived {
        block_hash: Hash,
        height: u64,
        commitment_hash: Hash,
        peer_addr: String,
    },
    /// `UtxoCommitmentVerified` (payload index 104, type index 104).
    UtxoCommitmentVerified {
        block_hash: Hash,
        height: u64,
        commitment_hash: Hash,
        valid: bool,
    },
    /// `BanListShared` (payload index 105, type index 105).
    BanListShared { peer_addr: String, ban_count: u64 },
    /// `BanListReceived` (payload index 106, type index 106).
    BanListReceived { peer_addr: String, ban_count: u64 },
    /// `SelectiveSyncPolicyApplied` (payload index 107, type index 107).
    SelectiveSyncPolicyApplied {
        policy_source: String,
        registry_count: u64,
    },
    /// `ActionExecuted` (payload index 108, type index 108).
    ActionExecuted {
        action_id: String,
        action_type: String,
        target: String,
        success: bool,
    },
    /// `ModulePurchaseCompleted` (payload index 109, type index 109).
    ModulePurchaseCompleted {
        module_id: String,
        payment_id: String,
        amount_sats: u64,
    },
    /// `StratumClientConnected` (payload index 110, type index 110).
    StratumClientConnected {
        endpoint: String,
        protocol_version: u32,
    },
    /// `StratumClientDisconnected` (payload index 111, type index 111).
    StratumClientDisconnected { endpoint: String, reason: String },
    /// `IBDBlockFiltered` (payload index 112, type index 112).
    IBDBlockFiltered {
        block_hash: Hash,
        height: u64,
        reason: String,
    },
    /// `ModuleDiscovered` (payload index 113, type index 113).
    ModuleDiscovered {
        module_name: String,
        version: String,
        source: String,
    },
    /// `ModuleInstalled` (payload index 114, type index 114).
    ModuleInstalled {
        module_name: String,
        version: String,
    },
    /// `ModuleUpdated` (payload index 115, type index 115).
    ModuleUpdated {
        module_name: String,
        old_version: String,
        new_version: String,
    },
    /// `ModuleRemoved` (payload index 116, type index 116).
    ModuleRemoved {
        module_name: String,
        version: String,
    },
    /// `PeerPayment` (payload index 117, type index 117).
    PeerPayment {
        command: String,
        #[serde(with = "crate::ipc::types::wire_bytes")]
        payload: Vec<u8>,
        peer_addr: String,
    },
}

impl EventType {
    /// Every event type, in wire (type index) order.
    pub const ALL: [EventType; 118] = [
        EventType::NewBlock,
        EventType::NewTransaction,
        EventType::BlockDisconnected,
        EventType::ChainReorg,
        EventType::PaymentRequestCreated,
        EventType::PaymentSettled,
        EventType::PaymentFailed,
        EventType::PaymentVerified,
        EventType::PaymentRouteFound,
        EventType::PaymentRouteFailed,
        EventType::ChannelOpened,
        EventType::ChannelClosed,
        EventType::BlockMined,
        EventType::BlockTemplateUpdated,
        EventType::MiningDifficultyChanged,
        EventType::MiningJobCreated,
        EventType::MeshPacketReceived,
        EventType::StratumV2MessageReceived,
        EventType::ShareSubmitted,
        EventType::MergeMiningReward,
        EventType::MiningPoolConnected,
        EventType::MiningPoolDisconnected,
        EventType::GovernanceProposalCreated,
        EventType::GovernanceProposalVoted,
        EventType::GovernanceProposalMerged,
        EventType::WebhookSent,
        EventType::WebhookFailed,
        EventType::GovernanceForkDetected,
        EventType::PeerConnected,
        EventType::PeerDisconnected,
        EventType::PeerBanned,
        EventType::PeerUnbanned,
        EventType::MessageReceived,
        EventType::MessageSent,
        EventType::BroadcastStarted,
        EventType::BroadcastCompleted,
        EventType::RouteDiscovered,
        EventType::RouteFailed,
        EventType::ConnectionAttempt,
        EventType::AddressDiscovered,
        EventType::AddressExpired,
        EventType::NetworkPartition,
        EventType::NetworkReconnected,
        EventType::DoSAttackDetected,
        EventType::RateLimitExceeded,
        EventType::BlockValidationStarted,
        EventType::BlockValidationCompleted,
        EventType::ScriptVerificationStarted,
        EventType::ScriptVerificationCompleted,
        EventType::UTXOValidationStarted,
        EventType::UTXOValidationCompleted,
        EventType::DifficultyAdjusted,
        EventType::SoftForkActivated,
        EventType::SoftForkLockedIn,
        EventType::ConsensusRuleViolation,
        EventType::HeadersSyncStarted,
        EventType::HeadersSyncProgress,
        EventType::HeadersSyncCompleted,
        EventType::BlockSyncStarted,
        EventType::BlockSyncProgress,
        EventType::BlockSyncCompleted,
        EventType::SyncStateChanged,
        EventType::MempoolTransactionAdded,
        EventType::MempoolTransactionRemoved,
        EventType::MempoolThresholdExceeded,
        EventType::FeeRateChanged,
        EventType::MempoolCleared,
        EventType::StorageRead,
        EventType::StorageWrite,
        EventType::StorageQuery,
        EventType::DatabaseBackupStarted,
        EventType::DatabaseBackupCompleted,
        EventType::ModuleLoaded,
        EventType::ModuleUnloaded,
        EventType::ModuleReloaded,
        EventType::ModuleStarted,
        EventType::ModuleStopped,
        EventType::ModuleCrashed,
        EventType::ModuleHealthChanged,
        EventType::ModuleStateChanged,
        EventType::ConfigLoaded,
        EventType::NodeShutdown,
        EventType::NodeShutdownCompleted,
        EventType::NodeStartupCompleted,
        EventType::MaintenanceStarted,
        EventType::MaintenanceCompleted,
        EventType::DataMaintenance,
        EventType::HealthCheck,
        EventType::DiskSpaceLow,
        EventType::ResourceLimitWarning,
        EventType::DandelionStemStarted,
        EventType::DandelionStemAdvanced,
        EventType::DandelionFluffed,
        EventType::DandelionStemPathExpired,
        EventType::CompactBlockReceived,
        EventType::BlockReconstructionStarted,
        EventType::BlockReconstructionCompleted,
        EventType::FibreBlockEncoded,
        EventType::FibreBlockSent,
        EventType::CompanionUdpPeerRegistered,
        EventType::CompanionUdpPeerUnregistered,
        EventType::PackageReceived,
        EventType::PackageRejected,
        EventType::UtxoCommitmentReceived,
        EventType::UtxoCommitmentVerified,
        EventType::BanListShared,
        EventType::BanListReceived,
        EventType::SelectiveSyncPolicyApplied,
        EventType::ActionExecuted,
        EventType::ModulePurchaseCompleted,
        EventType::StratumClientConnected,
        EventType::StratumClientDisconnected,
        EventType::IBDBlockFiltered,
        EventType::ModuleDiscovered,
        EventType::ModuleInstalled,
        EventType::ModuleUpdated,
        EventType::ModuleRemoved,
        EventType::PeerPayment,
    ];

    /// The variant name, as the node spells it (`NewBlock`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            EventType::NewBlock => "NewBlock",
            EventType::NewTransaction => "NewTransaction",
            EventType::BlockDisconnected => "BlockDisconnected",
            EventType::ChainReorg => "ChainReorg",
            EventType::PaymentRequestCreated => "PaymentRequestCreated",
            EventType::PaymentSettled => "PaymentSettled",
            EventType::PaymentFailed => "PaymentFailed",
            EventType::PaymentVerified => "PaymentVerified",
            EventType::PaymentRouteFound => "PaymentRouteFound",
            EventType::PaymentRouteFailed => "PaymentRouteFailed",
            EventType::ChannelOpened => "ChannelOpened",
            EventType::ChannelClosed => "ChannelClosed",
            EventType::BlockMined => "BlockMined",
            EventType::BlockTemplateUpdated => "BlockTemplateUpdated",
            EventType::MiningDifficultyChanged => "MiningDifficultyChanged",
            EventType::MiningJobCreated => "MiningJobCreated",
            EventType::MeshPacketReceived => "MeshPacketReceived",
            EventType::StratumV2MessageReceived => "StratumV2MessageReceived",
            EventType::ShareSubmitted => "ShareSubmitted",
            EventType::MergeMiningReward => "MergeMiningReward",
            EventType::MiningPoolConnected => "MiningPoolConnected",
            EventType::MiningPoolDisconnected => "MiningPoolDisconnected",
            EventType::GovernanceProposalCreated => "GovernanceProposalCreated",
            EventType::GovernanceProposalVoted => "GovernanceProposalVoted",
            EventType::GovernanceProposalMerged => "GovernanceProposalMerged",
            EventType::WebhookSent => "WebhookSent",
            EventType::WebhookFailed => "WebhookFailed",
            EventType::GovernanceForkDetected => "GovernanceForkDetected",
            EventType::PeerConnected => "PeerConnected",
            EventType::PeerDisconnected => "PeerDisconnected",
            EventType::PeerBanned => "PeerBanned",
            EventType::PeerUnbanned => "PeerUnbanned",
            EventType::MessageReceived => "MessageReceived",
            EventType::MessageSent => "MessageSent",
            EventType::BroadcastStarted => "BroadcastStarted",
            EventType::BroadcastCompleted => "BroadcastCompleted",
            EventType::RouteDiscovered => "RouteDiscovered",
            EventType::RouteFailed => "RouteFailed",
            EventType::ConnectionAttempt => "ConnectionAttempt",
            EventType::AddressDiscovered => "AddressDiscovered",
            EventType::AddressExpired => "AddressExpired",
            EventType::NetworkPartition => "NetworkPartition",
            EventType::NetworkReconnected => "NetworkReconnected",
            EventType::DoSAttackDetected => "DoSAttackDetected",
            EventType::RateLimitExceeded => "RateLimitExceeded",
            EventType::BlockValidationStarted => "BlockValidationStarted",
            EventType::BlockValidationCompleted => "BlockValidationCompleted",
            EventType::ScriptVerificationStarted => "ScriptVerificationStarted",
            EventType::ScriptVerificationCompleted => "ScriptVerificationCompleted",
            EventType::UTXOValidationStarted => "UTXOValidationStarted",
            EventType::UTXOValidationCompleted => "UTXOValidationCompleted",
            EventType::DifficultyAdjusted => "DifficultyAdjusted",
            EventType::SoftForkActivated => "SoftForkActivated",
            EventType::SoftForkLockedIn => "SoftForkLockedIn",
            EventType::ConsensusRuleViolation => "ConsensusRuleViolation",
            EventType::HeadersSyncStarted => "HeadersSyncStarted",
            EventType::HeadersSyncProgress => "HeadersSyncProgress",
            EventType::HeadersSyncCompleted => "HeadersSyncCompleted",
            EventType::BlockSyncStarted => "BlockSyncStarted",
            EventType::BlockSyncProgress => "BlockSyncProgress",
            EventType::BlockSyncCompleted => "BlockSyncCompleted",
            EventType::SyncStateChanged => "SyncStateChanged",
            EventType::MempoolTransactionAdded => "MempoolTransactionAdded",
            EventType::MempoolTransactionRemoved => "MempoolTransactionRemoved",
            EventType::MempoolThresholdExceeded => "MempoolThresholdExceeded",
            EventType::FeeRateChanged => "FeeRateChanged",
            EventType::MempoolCleared => "MempoolCleared",
            EventType::StorageRead => "StorageRead",
            EventType::StorageWrite => "StorageWrite",
            EventType::StorageQuery => "StorageQuery",
            EventType::DatabaseBackupStarted => "DatabaseBackupStarted",
            EventType::DatabaseBackupCompleted => "DatabaseBackupCompleted",
            EventType::ModuleLoaded => "ModuleLoaded",
            EventType::ModuleUnloaded => "ModuleUnloaded",
            EventType::ModuleReloaded => "ModuleReloaded",
            EventType::ModuleStarted => "ModuleStarted",
            EventType::ModuleStopped => "ModuleStopped",
            EventType::ModuleCrashed => "ModuleCrashed",
            EventType::ModuleHealthChanged => "ModuleHealthChanged",
            EventType::ModuleStateChanged => "ModuleStateChanged",
            EventType::ConfigLoaded => "ConfigLoaded",
            EventType::NodeShutdown => "NodeShutdown",
            EventType::NodeShutdownCompleted => "NodeShutdownCompleted",
            EventType::NodeStartupCompleted => "NodeStartupCompleted",
            EventType::MaintenanceStarted => "MaintenanceStarted",
            EventType::MaintenanceCompleted => "MaintenanceCompleted",
            EventType::DataMaintenance => "DataMaintenance",
            EventType::HealthCheck => "HealthCheck",
            EventType::DiskSpaceLow => "DiskSpaceLow",
            EventType::ResourceLimitWarning => "ResourceLimitWarning",
            EventType::DandelionStemStarted => "DandelionStemStarted",
            EventType::DandelionStemAdvanced => "DandelionStemAdvanced",
            EventType::DandelionFluffed => "DandelionFluffed",
            EventType::DandelionStemPathExpired => "DandelionStemPathExpired",
            EventType::CompactBlockReceived => "CompactBlockReceived",
            EventType::BlockReconstructionStarted => "BlockReconstructionStarted",
            EventType::BlockReconstructionCompleted => "BlockReconstructionCompleted",
            EventType::FibreBlockEncoded => "FibreBlockEncoded",
            EventType::FibreBlockSent => "FibreBlockSent",
            EventType::CompanionUdpPeerRegistered => "CompanionUdpPeerRegistered",
            EventType::CompanionUdpPeerUnregistered => "CompanionUdpPeerUnregistered",
            EventType::PackageReceived => "PackageReceived",
            EventType::PackageRejected => "PackageRejected",
            EventType::UtxoCommitmentReceived => "UtxoCommitmentReceived",
            EventType::UtxoCommitmentVerified => "UtxoCommitmentVerified",
            EventType::BanListShared => "BanListShared",
            EventType::BanListReceived => "BanListReceived",
            EventType::SelectiveSyncPolicyApplied => "SelectiveSyncPolicyApplied",
            EventType::ActionExecuted => "ActionExecuted",
            EventType::ModulePurchaseCompleted => "ModulePurchaseCompleted",
            EventType::StratumClientConnected => "StratumClientConnected",
            EventType::StratumClientDisconnected => "StratumClientDisconnected",
            EventType::IBDBlockFiltered => "IBDBlockFiltered",
            EventType::ModuleDiscovered => "ModuleDiscovered",
            EventType::ModuleInstalled => "ModuleInstalled",
            EventType::ModuleUpdated => "ModuleUpdated",
            EventType::ModuleRemoved => "ModuleRemoved",
            EventType::PeerPayment => "PeerPayment",
        }
    }

    /// Parses a variant name exactly as the node spells it (`"NewBlock"`).
    pub fn from_name(name: &str) -> Option<EventType> {
        EventType::ALL.iter().copied().find(|t| t.name() == name)
    }
}

impl EventPayload {
    /// The [`EventType`] this payload belongs to (same name).
    pub fn event_type(&self) -> EventType {
        match self {
            EventPayload::NewBlock { .. } => EventType::NewBlock,
            EventPayload::NewTransaction { .. } => EventType::NewTransaction,
            EventPayload::BlockDisconnected { .. } => EventType::BlockDisconnected,
            EventPayload::ChainReorg { .. } => EventType::ChainReorg,
            EventPayload::PaymentRequestCreated { .. } => EventType::PaymentRequestCreated,
            EventPayload::PaymentSettled { .. } => EventType::PaymentSettled,
            EventPayload::PaymentFailed { .. } => EventType::PaymentFailed,
            EventPayload::PaymentVerified { .. } => EventType::PaymentVerified,
            EventPayload::PaymentRouteFound { .. } => EventType::PaymentRouteFound,
            EventPayload::PaymentRouteFailed { .. } => EventType::PaymentRouteFailed,
            EventPayload::ChannelOpened { .. } => EventType::ChannelOpened,
            EventPayload::ChannelClosed { .. } => EventType::ChannelClosed,
            EventPayload::BlockMined { .. } => EventType::BlockMined,
            EventPayload::BlockTemplateUpdated { .. } => EventType::BlockTemplateUpdated,
            EventPayload::MiningDifficultyChanged { .. } => EventType::MiningDifficultyChanged,
            EventPayload::MiningJobCreated { .. } => EventType::MiningJobCreated,
            EventPayload::ShareSubmitted { .. } => EventType::ShareSubmitted,
            EventPayload::MergeMiningReward { .. } => EventType::MergeMiningReward,
            EventPayload::MiningPoolConnected { .. } => EventType::MiningPoolConnected,
            EventPayload::MiningPoolDisconnected { .. } => EventType::MiningPoolDisconnected,
            EventPayload::GovernanceProposalCreated { .. } => EventType::GovernanceProposalCreated,
            EventPayload::GovernanceProposalVoted { .. } => EventType::GovernanceProposalVoted,
            EventPayload::GovernanceProposalMerged { .. } => EventType::GovernanceProposalMerged,
            EventPayload::WebhookSent { .. } => EventType::WebhookSent,
            EventPayload::WebhookFailed { .. } => EventType::WebhookFailed,
            EventPayload::GovernanceForkDetected { .. } => EventType::GovernanceForkDetected,
            EventPayload::PeerConnected { .. } => EventType::PeerConnected,
            EventPayload::PeerDisconnected { .. } => EventType::PeerDisconnected,
            EventPayload::PeerBanned { .. } => EventType::PeerBanned,
            EventPayload::PeerUnbanned { .. } => EventType::PeerUnbanned,
            EventPayload::MessageReceived { .. } => EventType::MessageReceived,
            EventPayload::MessageSent { .. } => EventType::MessageSent,
            EventPayload::BroadcastStarted { .. } => EventType::BroadcastStarted,
            EventPayload::BroadcastCompleted { .. } => EventType::BroadcastCompleted,
            EventPayload::RouteDiscovered { .. } => EventType::RouteDiscovered,
            EventPayload::RouteFailed { .. } => EventType::RouteFailed,
            EventPayload::ConnectionAttempt { .. } => EventType::ConnectionAttempt,
            EventPayload::AddressDiscovered { .. } => EventType::AddressDiscovered,
            EventPayload::AddressExpired { .. } => EventType::AddressExpired,
            EventPayload::NetworkPartition { .. } => EventType::NetworkPartition,
            EventPayload::NetworkReconnected { .. } => EventType::NetworkReconnected,
            EventPayload::DoSAttackDetected { .. } => EventType::DoSAttackDetected,
            EventPayload::RateLimitExceeded { .. } => EventType::RateLimitExceeded,
            EventPayload::BlockValidationStarted { .. } => EventType::BlockValidationStarted,
            EventPayload::BlockValidationCompleted { .. } => EventType::BlockValidationCompleted,
            EventPayload::ScriptVerificationStarted { .. } => EventType::ScriptVerificationStarted,
            EventPayload::ScriptVerificationCompleted { .. } => {
                EventType::ScriptVerificationCompleted
            }
            EventPayload::UTXOValidationStarted { .. } => EventType::UTXOValidationStarted,
            EventPayload::UTXOValidationCompleted { .. } => EventType::UTXOValidationCompleted,
            EventPayload::DifficultyAdjusted { .. } => EventType::DifficultyAdjusted,
            EventPayload::SoftForkActivated { .. } => EventType::SoftForkActivated,
            EventPayload::SoftForkLockedIn { .. } => EventType::SoftForkLockedIn,
            EventPayload::ConsensusRuleViolation { .. } => EventType::ConsensusRuleViolation,
            EventPayload::HeadersSyncStarted { .. } => EventType::HeadersSyncStarted,
            EventPayload::HeadersSyncProgress { .. } => EventType::HeadersSyncProgress,
            EventPayload::HeadersSyncCompleted { .. } => EventType::HeadersSyncCompleted,
            EventPayload::BlockSyncStarted { .. } => EventType::BlockSyncStarted,
            EventPayload::BlockSyncProgress { .. } => EventType::BlockSyncProgress,
            EventPayload::BlockSyncCompleted { .. } => EventType::BlockSyncCompleted,
            EventPayload::SyncStateChanged { .. } => EventType::SyncStateChanged,
            EventPayload::MempoolTransactionAdded { .. } => EventType::MempoolTransactionAdded,
            EventPayload::MempoolTransactionRemoved { .. } => EventType::MempoolTransactionRemoved,
            EventPayload::MempoolThresholdExceeded { .. } => EventType::MempoolThresholdExceeded,
            EventPayload::FeeRateChanged { .. } => EventType::FeeRateChanged,
            EventPayload::MempoolCleared { .. } => EventType::MempoolCleared,
            EventPayload::StorageRead { .. } => EventType::StorageRead,
            EventPayload::StorageWrite { .. } => EventType::StorageWrite,
            EventPayload::StorageQuery { .. } => EventType::StorageQuery,
            EventPayload::DatabaseBackupStarted { .. } => EventType::DatabaseBackupStarted,
            EventPayload::DatabaseBackupCompleted { .. } => EventType::DatabaseBackupCompleted,
            EventPayload::ModuleLoaded { .. } => EventType::ModuleLoaded,
            EventPayload::ModuleUnloaded { .. } => EventType::ModuleUnloaded,
            EventPayload::ModuleReloaded { .. } => EventType::ModuleReloaded,
            EventPayload::ModuleStarted { .. } => EventType::ModuleStarted,
            EventPayload::ModuleStopped { .. } => EventType::ModuleStopped,
            EventPayload::MeshPacketReceived { .. } => EventType::MeshPacketReceived,
            EventPayload::StratumV2MessageReceived { .. } => EventType::StratumV2MessageReceived,
            EventPayload::ModuleCrashed { .. } => EventType::ModuleCrashed,
            EventPayload::ModuleHealthChanged { .. } => EventType::ModuleHealthChanged,
            EventPayload::ModuleStateChanged { .. } => EventType::ModuleStateChanged,
            EventPayload::ConfigLoaded { .. } => EventType::ConfigLoaded,
            EventPayload::NodeShutdown { .. } => EventType::NodeShutdown,
            EventPayload::NodeShutdownCompleted { .. } => EventType::NodeShutdownCompleted,
            EventPayload::NodeStartupCompleted { .. } => EventType::NodeStartupCompleted,
            EventPayload::MaintenanceStarted { .. } => EventType::MaintenanceStarted,
            EventPayload::MaintenanceCompleted { .. } => EventType::MaintenanceCompleted,
            EventPayload::DataMaintenance { .. } => EventType::DataMaintenance,
            EventPayload::HealthCheck { .. } => EventType::HealthCheck,
            EventPayload::DiskSpaceLow { .. } => EventType::DiskSpaceLow,
            EventPayload::ResourceLimitWarning { .. } => EventType::ResourceLimitWarning,
            EventPayload::DandelionStemStarted { .. } => EventType::DandelionStemStarted,
            EventPayload::DandelionStemAdvanced { .. } => EventType::DandelionStemAdvanced,
            EventPayload::DandelionFluffed { .. } => EventType::DandelionFluffed,
            EventPayload::DandelionStemPathExpired { .. } => EventType::DandelionStemPathExpired,
            EventPayload::CompactBlockReceived { .. } => EventType::CompactBlockReceived,
            EventPayload::BlockReconstructionStarted { .. } => {
                EventType::BlockReconstructionStarted
            }
            EventPayload::BlockReconstructionCompleted { .. } => {
                EventType::BlockReconstructionCompleted
            }
            EventPayload::FibreBlockEncoded { .. } => EventType::FibreBlockEncoded,
            EventPayload::FibreBlockSent { .. } => EventType::FibreBlockSent,
            EventPayload::CompanionUdpPeerRegistered { .. } => {
                EventType::CompanionUdpPeerRegistered
            }
            EventPayload::CompanionUdpPeerUnregistered { .. } => {
                EventType::CompanionUdpPeerUnregistered
            }
            EventPayload::PackageReceived { .. } => EventType::PackageReceived,
            EventPayload::PackageRejected { .. } => EventType::PackageRejected,
            EventPayload::UtxoCommitmentReceived { .. } => EventType::UtxoCommitmentReceived,
            EventPayload::UtxoCommitmentVerified { .. } => EventType::UtxoCommitmentVerified,
            EventPayload::BanListShared { .. } => EventType::BanListShared,
            EventPayload::BanListReceived { .. } => EventType::BanListReceived,
            EventPayload::SelectiveSyncPolicyApplied { .. } => {
                EventType::SelectiveSyncPolicyApplied
            }
            EventPayload::ActionExecuted { .. } => EventType::ActionExecuted,
            EventPayload::ModulePurchaseCompleted { .. } => EventType::ModulePurchaseCompleted,
            EventPayload::StratumClientConnected { .. } => EventType::StratumClientConnected,
            EventPayload::StratumClientDisconnected { .. } => EventType::StratumClientDisconnected,
            EventPayload::IBDBlockFiltered { .. } => EventType::IBDBlockFiltered,
            EventPayload::ModuleDiscovered { .. } => EventType::ModuleDiscovered,
            EventPayload::ModuleInstalled { .. } => EventType::ModuleInstalled,
            EventPayload::ModuleUpdated { .. } => EventType::ModuleUpdated,
            EventPayload::ModuleRemoved { .. } => EventType::ModuleRemoved,
            EventPayload::PeerPayment { .. } => EventType::PeerPayment,
        }
    }
}
