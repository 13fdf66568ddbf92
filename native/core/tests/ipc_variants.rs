//! Every variant of every wire enum encodes with the index the version tables give for node
//! 0.1.83 (tables from reference/blvm-ipc.md §6, §6.1, §11.1), and decodes back.

use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::version::{
    VariantIndex, EVENT_PAYLOAD, EVENT_TYPE, MESSAGE_TYPE, REQUEST_PAYLOAD, RESPONSE_PAYLOAD,
};

fn tag(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn index_in(table: &[VariantIndex], name: &str) -> u32 {
    table
        .iter()
        .find(|v| v.name == name)
        .and_then(|v| v.v0_1_83)
        .unwrap_or_else(|| panic!("{name} missing from table"))
}

#[test]
fn tables_are_dense_and_complete() {
    for (t, n) in [
        (MESSAGE_TYPE, 76),
        (REQUEST_PAYLOAD, 70),
        (RESPONSE_PAYLOAD, 57),
        (EVENT_TYPE, 118),
        (EVENT_PAYLOAD, 118),
    ] {
        let mut idx: Vec<u32> = t.iter().filter_map(|v| v.v0_1_83).collect();
        idx.sort_unstable();
        assert_eq!(idx, (0..n).collect::<Vec<u32>>());
    }
}

#[test]
fn every_request_variant_matches_the_tables() {
    let all = all_requests();
    assert_eq!(all.len(), REQUEST_PAYLOAD.len());
    for (i, p) in all.into_iter().enumerate() {
        let msg = ModuleMessage::Request(RequestMessage::new(i as u64, p.clone()));
        let b = encode_message(&msg).expect("encode");
        assert_eq!(
            tag(&b, 16),
            index_in(REQUEST_PAYLOAD, p.name()),
            "{}",
            p.name()
        );
        assert_eq!(tag(&b, 16), i as u32, "{} declared out of order", p.name());
        assert_eq!(tag(&b, 12), index_in(MESSAGE_TYPE, p.message_type().name()));
        assert_eq!(p.message_type().name(), p.name());
        assert_eq!(decode_message(&b).expect("decode"), msg, "{}", p.name());
    }
}

#[test]
fn every_response_variant_matches_the_tables() {
    let all = all_responses();
    assert_eq!(all.len(), RESPONSE_PAYLOAD.len());
    for (i, p) in all.into_iter().enumerate() {
        let msg = ModuleMessage::Response(ResponseMessage::ok(7, p.clone()));
        let b = encode_message(&msg).expect("encode");
        assert_eq!(
            tag(&b, 14),
            index_in(RESPONSE_PAYLOAD, p.name()),
            "{}",
            p.name()
        );
        assert_eq!(tag(&b, 14), i as u32, "{}", p.name());
        assert_eq!(decode_message(&b).expect("decode"), msg, "{}", p.name());
    }
}

#[test]
fn every_event_variant_matches_the_tables() {
    let all = all_event_payloads();
    assert_eq!(all.len(), EVENT_PAYLOAD.len());
    for (i, p) in all.into_iter().enumerate() {
        let t = p.event_type();
        let msg = ModuleMessage::Event(EventMessage::new(p.clone()));
        let b = encode_message(&msg).expect("encode");
        assert_eq!(tag(&b, 4), index_in(EVENT_TYPE, t.name()), "{}", t.name());
        assert_eq!(
            tag(&b, 8),
            index_in(EVENT_PAYLOAD, t.name()),
            "{}",
            t.name()
        );
        assert_eq!(tag(&b, 8), i as u32, "{}", t.name());
        assert_eq!(decode_message(&b).expect("decode"), msg, "{}", t.name());
        assert_eq!(EventType::from_name(t.name()), Some(t));
    }
    // The famous shift: MeshPacketReceived is type 16 but payload 75.
    assert_eq!(index_in(EVENT_TYPE, "MeshPacketReceived"), 16);
    assert_eq!(index_in(EVENT_PAYLOAD, "MeshPacketReceived"), 75);
    for (i, t) in EventType::ALL.iter().enumerate() {
        let b = bincode::serialize(t).expect("encode");
        assert_eq!(tag(&b, 0), i as u32);
    }
}

/// One value of every `RequestPayload` variant, in wire order.
fn all_requests() -> Vec<RequestPayload> {
    vec![
        RequestPayload::Handshake {
            module_id: Default::default(),
            module_name: Default::default(),
            version: Default::default(),
        },
        RequestPayload::GetBlock {
            hash: Default::default(),
        },
        RequestPayload::GetBlockHeader {
            hash: Default::default(),
        },
        RequestPayload::GetTransaction {
            hash: Default::default(),
        },
        RequestPayload::HasTransaction {
            hash: Default::default(),
        },
        RequestPayload::GetChainTip,
        RequestPayload::GetBlockHeight,
        RequestPayload::GetUtxo {
            outpoint: Default::default(),
        },
        RequestPayload::SubscribeEvents {
            event_types: Default::default(),
        },
        RequestPayload::GetMempoolTransactions,
        RequestPayload::GetMempoolTransaction {
            tx_hash: Default::default(),
        },
        RequestPayload::GetMempoolSize,
        RequestPayload::GetNetworkStats,
        RequestPayload::GetNetworkPeers,
        RequestPayload::GetChainInfo,
        RequestPayload::GetBlockByHeight {
            height: Default::default(),
        },
        RequestPayload::GetBlockAndWitnesses {
            hash: Default::default(),
        },
        RequestPayload::GetLightningNodeUrl,
        RequestPayload::GetLightningInfo,
        RequestPayload::GetPaymentState {
            payment_id: Default::default(),
        },
        RequestPayload::CheckTransactionInMempool {
            tx_hash: Default::default(),
        },
        RequestPayload::GetFeeEstimate {
            target_blocks: Default::default(),
        },
        RequestPayload::ReadFile {
            path: Default::default(),
        },
        RequestPayload::WriteFile {
            path: Default::default(),
            data: Default::default(),
        },
        RequestPayload::DeleteFile {
            path: Default::default(),
        },
        RequestPayload::ListDirectory {
            path: Default::default(),
        },
        RequestPayload::CreateDirectory {
            path: Default::default(),
        },
        RequestPayload::GetFileMetadata {
            path: Default::default(),
        },
        RequestPayload::RegisterRpcEndpoint {
            method: Default::default(),
            description: Default::default(),
        },
        RequestPayload::UnregisterRpcEndpoint {
            method: Default::default(),
        },
        RequestPayload::RegisterCoreRpcOverride {
            method: Default::default(),
            description: Default::default(),
        },
        RequestPayload::UnregisterCoreRpcOverride {
            method: Default::default(),
        },
        RequestPayload::RegisterTimer {
            interval_seconds: Default::default(),
        },
        RequestPayload::CancelTimer {
            timer_id: Default::default(),
        },
        RequestPayload::ScheduleTask {
            delay_seconds: Default::default(),
        },
        RequestPayload::ReportMetric {
            metric: Default::default(),
        },
        RequestPayload::GetModuleMetrics {
            module_id: Default::default(),
        },
        RequestPayload::GetAllMetrics,
        RequestPayload::DiscoverModules,
        RequestPayload::GetModuleInfo {
            module_id: Default::default(),
        },
        RequestPayload::IsModuleAvailable {
            module_id: Default::default(),
        },
        RequestPayload::PublishEvent {
            event_type: EventType::ActionExecuted,
            payload: EventPayload::ActionExecuted {
                action_id: "a".into(),
                action_type: "t".into(),
                target: "x".into(),
                success: true,
            },
        },
        RequestPayload::CallModule {
            target_module_id: Default::default(),
            method: Default::default(),
            params: Default::default(),
        },
        RequestPayload::RegisterModuleApi {
            methods: Default::default(),
            api_version: Default::default(),
        },
        RequestPayload::UnregisterModuleApi,
        RequestPayload::GetModuleHealth {
            module_id: Default::default(),
        },
        RequestPayload::GetAllModuleHealth,
        RequestPayload::ReportModuleHealth {
            health: Default::default(),
        },
        RequestPayload::SendMeshPacketToPeer {
            peer_addr: Default::default(),
            packet_data: Default::default(),
        },
        RequestPayload::SendStratumV2MessageToPeer {
            peer_addr: Default::default(),
            message_data: Default::default(),
        },
        RequestPayload::GetBlockTemplate {
            rules: Default::default(),
            coinbase_script: Default::default(),
            coinbase_address: Default::default(),
        },
        RequestPayload::SubmitBlock {
            block: Default::default(),
        },
        RequestPayload::QueueReceivedBlock {
            block_bytes: Default::default(),
        },
        RequestPayload::MergeBlockServeDenylist {
            block_hashes: Default::default(),
        },
        RequestPayload::GetBlockServeDenylistSnapshot,
        RequestPayload::ClearBlockServeDenylist,
        RequestPayload::ReplaceBlockServeDenylist {
            block_hashes: Default::default(),
        },
        RequestPayload::MergeTxServeDenylist {
            tx_hashes: Default::default(),
        },
        RequestPayload::GetTxServeDenylistSnapshot,
        RequestPayload::ClearTxServeDenylist,
        RequestPayload::ReplaceTxServeDenylist {
            tx_hashes: Default::default(),
        },
        RequestPayload::GetSyncStatus,
        RequestPayload::BanPeer {
            peer_addr: Default::default(),
            ban_duration_seconds: Default::default(),
        },
        RequestPayload::SetBlockServeMaintenanceMode {
            enabled: Default::default(),
        },
        RequestPayload::RegisterCliSpec {
            spec: Default::default(),
        },
        RequestPayload::GetBlockTemplateWithOutputs {
            rules: Default::default(),
            coinbase_script: Default::default(),
            coinbase_outputs: Default::default(),
        },
        RequestPayload::GetBlockTemplateDeclared {
            rules: Default::default(),
            coinbase_script: Default::default(),
            coinbase_outputs: Default::default(),
            declared_txids: Default::default(),
        },
        RequestPayload::SubmitMempoolTransaction {
            tx: Default::default(),
            witnesses: Default::default(),
        },
        RequestPayload::GetTxMetadata {
            txid: Default::default(),
        },
        RequestPayload::GetMempoolFeeRateSummary,
    ]
}

/// One value of every `ResponsePayload` variant, in wire order.
fn all_responses() -> Vec<ResponsePayload> {
    vec![
        ResponsePayload::HandshakeAck {
            node_version: Default::default(),
        },
        ResponsePayload::Block(Default::default()),
        ResponsePayload::BlockHeader(Default::default()),
        ResponsePayload::Transaction(Default::default()),
        ResponsePayload::Bool(Default::default()),
        ResponsePayload::Hash(Default::default()),
        ResponsePayload::U64(Default::default()),
        ResponsePayload::Utxo(Default::default()),
        ResponsePayload::SubscribeAck,
        ResponsePayload::MempoolTransactions(Default::default()),
        ResponsePayload::MempoolTransaction(Default::default()),
        ResponsePayload::MempoolSize(Default::default()),
        ResponsePayload::NetworkStats(Default::default()),
        ResponsePayload::NetworkPeers(Default::default()),
        ResponsePayload::ChainInfo(Default::default()),
        ResponsePayload::BlockByHeight(Default::default()),
        ResponsePayload::BlockAndWitnesses {
            block: Default::default(),
            witnesses: Default::default(),
        },
        ResponsePayload::LightningNodeUrl(Default::default()),
        ResponsePayload::LightningInfo(Default::default()),
        ResponsePayload::PaymentState(Default::default()),
        ResponsePayload::CheckTransactionInMempool(Default::default()),
        ResponsePayload::FeeEstimate(Default::default()),
        ResponsePayload::FileData(Default::default()),
        ResponsePayload::DirectoryListing(Default::default()),
        ResponsePayload::FileMetadata(Default::default()),
        ResponsePayload::RpcEndpointRegistered,
        ResponsePayload::RpcEndpointUnregistered,
        ResponsePayload::CoreRpcOverrideRegistered,
        ResponsePayload::CoreRpcOverrideUnregistered,
        ResponsePayload::TimerId(Default::default()),
        ResponsePayload::TaskId(Default::default()),
        ResponsePayload::TimerCancelled,
        ResponsePayload::TaskScheduled,
        ResponsePayload::MetricReported,
        ResponsePayload::ModuleMetrics(Default::default()),
        ResponsePayload::AllMetrics(Default::default()),
        ResponsePayload::ModuleList(Default::default()),
        ResponsePayload::ModuleInfo(Default::default()),
        ResponsePayload::ModuleAvailable(Default::default()),
        ResponsePayload::EventPublished,
        ResponsePayload::ModuleApiResponse(Default::default()),
        ResponsePayload::ModuleApiRegistered,
        ResponsePayload::ModuleApiUnregistered,
        ResponsePayload::ModuleHealth(Default::default()),
        ResponsePayload::AllModuleHealth(Default::default()),
        ResponsePayload::HealthReported,
        ResponsePayload::BlockTemplate(Default::default()),
        ResponsePayload::SubmitBlockResult(Default::default()),
        ResponsePayload::ReceivedBlockQueued,
        ResponsePayload::BlockServeDenylistMerged,
        ResponsePayload::TxServeDenylistMerged,
        ResponsePayload::BlockServeDenylistSnapshot(Default::default()),
        ResponsePayload::TxServeDenylistSnapshot(Default::default()),
        ResponsePayload::NodeSyncStatus(Default::default()),
        ResponsePayload::MempoolTransactionSubmitted(Default::default()),
        ResponsePayload::TxMetadata(Default::default()),
        ResponsePayload::MempoolFeeRateSummary(Default::default()),
    ]
}

/// One value of every `EventPayload` variant, in payload wire order.
fn all_event_payloads() -> Vec<EventPayload> {
    vec![
        EventPayload::NewBlock {
            block_hash: Default::default(),
            height: Default::default(),
        },
        EventPayload::NewTransaction {
            tx_hash: Default::default(),
        },
        EventPayload::BlockDisconnected {
            hash: Default::default(),
            height: Default::default(),
        },
        EventPayload::ChainReorg {
            old_tip: Default::default(),
            new_tip: Default::default(),
        },
        EventPayload::PaymentRequestCreated {
            payment_id: Default::default(),
            amount_sats: Default::default(),
            invoice: Default::default(),
        },
        EventPayload::PaymentSettled {
            payment_id: Default::default(),
            tx_hash: Default::default(),
            confirmations: Default::default(),
        },
        EventPayload::PaymentFailed {
            payment_id: Default::default(),
            reason: Default::default(),
        },
        EventPayload::PaymentVerified {
            payment_id: Default::default(),
            amount_msats: Default::default(),
            invoice: Default::default(),
        },
        EventPayload::PaymentRouteFound {
            payment_id: Default::default(),
            route_hops: Default::default(),
            route_cost_msats: Default::default(),
        },
        EventPayload::PaymentRouteFailed {
            payment_id: Default::default(),
            reason: Default::default(),
        },
        EventPayload::ChannelOpened {
            channel_id: Default::default(),
            peer_pubkey: Default::default(),
            capacity_sats: Default::default(),
        },
        EventPayload::ChannelClosed {
            channel_id: Default::default(),
            reason: Default::default(),
        },
        EventPayload::BlockMined {
            block_hash: Default::default(),
            height: Default::default(),
            miner_id: Default::default(),
        },
        EventPayload::BlockTemplateUpdated {
            prev_hash: Default::default(),
            height: Default::default(),
            tx_count: Default::default(),
        },
        EventPayload::MiningDifficultyChanged {
            old_difficulty: Default::default(),
            new_difficulty: Default::default(),
            height: Default::default(),
        },
        EventPayload::MiningJobCreated {
            job_id: Default::default(),
            prev_hash: Default::default(),
            height: Default::default(),
        },
        EventPayload::ShareSubmitted {
            job_id: Default::default(),
            share_hash: Default::default(),
            miner_id: Default::default(),
        },
        EventPayload::MergeMiningReward {
            secondary_chain: Default::default(),
            reward_amount: Default::default(),
            block_hash: Default::default(),
        },
        EventPayload::MiningPoolConnected {
            pool_url: Default::default(),
            pool_id: Default::default(),
        },
        EventPayload::MiningPoolDisconnected {
            pool_url: Default::default(),
            reason: Default::default(),
        },
        EventPayload::GovernanceProposalCreated {
            proposal_id: Default::default(),
            repository: Default::default(),
            pr_number: Default::default(),
            tier: Default::default(),
        },
        EventPayload::GovernanceProposalVoted {
            proposal_id: Default::default(),
            voter: Default::default(),
            vote: Default::default(),
        },
        EventPayload::GovernanceProposalMerged {
            proposal_id: Default::default(),
            repository: Default::default(),
            pr_number: Default::default(),
        },
        EventPayload::WebhookSent {
            webhook_url: Default::default(),
            event_type: Default::default(),
            success: Default::default(),
        },
        EventPayload::WebhookFailed {
            webhook_url: Default::default(),
            event_type: Default::default(),
            error: Default::default(),
        },
        EventPayload::GovernanceForkDetected {
            fork_id: Default::default(),
            ruleset_version: Default::default(),
            adoption_count: Default::default(),
        },
        EventPayload::PeerConnected {
            peer_addr: Default::default(),
            transport_type: Default::default(),
            services: Default::default(),
            version: Default::default(),
            peer_node_id: Default::default(),
        },
        EventPayload::PeerDisconnected {
            peer_addr: Default::default(),
            reason: Default::default(),
        },
        EventPayload::PeerBanned {
            peer_addr: Default::default(),
            reason: Default::default(),
            ban_duration_seconds: Default::default(),
        },
        EventPayload::PeerUnbanned {
            peer_addr: Default::default(),
        },
        EventPayload::MessageReceived {
            peer_addr: Default::default(),
            message_type: Default::default(),
            message_size: Default::default(),
            protocol_version: Default::default(),
        },
        EventPayload::MessageSent {
            peer_addr: Default::default(),
            message_type: Default::default(),
            message_size: Default::default(),
        },
        EventPayload::BroadcastStarted {
            message_type: Default::default(),
            target_peers: Default::default(),
        },
        EventPayload::BroadcastCompleted {
            message_type: Default::default(),
            successful: Default::default(),
            failed: Default::default(),
        },
        EventPayload::RouteDiscovered {
            destination: Default::default(),
            route_path: Default::default(),
            route_cost: Default::default(),
        },
        EventPayload::RouteFailed {
            destination: Default::default(),
            reason: Default::default(),
        },
        EventPayload::ConnectionAttempt {
            peer_addr: Default::default(),
            success: Default::default(),
            error: Default::default(),
        },
        EventPayload::AddressDiscovered {
            peer_addr: Default::default(),
            source: Default::default(),
        },
        EventPayload::AddressExpired {
            peer_addr: Default::default(),
        },
        EventPayload::NetworkPartition {
            partition_id: Default::default(),
            disconnected_peers: Default::default(),
            partition_size: Default::default(),
        },
        EventPayload::NetworkReconnected {
            partition_id: Default::default(),
            reconnected_peers: Default::default(),
        },
        EventPayload::DoSAttackDetected {
            peer_addr: Default::default(),
            attack_type: Default::default(),
            severity: Default::default(),
        },
        EventPayload::RateLimitExceeded {
            peer_addr: Default::default(),
            limit_type: Default::default(),
            current_rate: Default::default(),
            limit: Default::default(),
        },
        EventPayload::BlockValidationStarted {
            block_hash: Default::default(),
            height: Default::default(),
        },
        EventPayload::BlockValidationCompleted {
            block_hash: Default::default(),
            height: Default::default(),
            success: Default::default(),
            validation_time_ms: Default::default(),
            error: Default::default(),
        },
        EventPayload::ScriptVerificationStarted {
            tx_hash: Default::default(),
            input_index: Default::default(),
        },
        EventPayload::ScriptVerificationCompleted {
            tx_hash: Default::default(),
            input_index: Default::default(),
            success: Default::default(),
            verification_time_ms: Default::default(),
        },
        EventPayload::UTXOValidationStarted {
            block_hash: Default::default(),
            height: Default::default(),
        },
        EventPayload::UTXOValidationCompleted {
            block_hash: Default::default(),
            height: Default::default(),
            success: Default::default(),
        },
        EventPayload::DifficultyAdjusted {
            old_difficulty: Default::default(),
            new_difficulty: Default::default(),
            height: Default::default(),
        },
        EventPayload::SoftForkActivated {
            fork_name: Default::default(),
            height: Default::default(),
        },
        EventPayload::SoftForkLockedIn {
            fork_name: Default::default(),
            height: Default::default(),
        },
        EventPayload::ConsensusRuleViolation {
            rule_name: Default::default(),
            block_hash: Default::default(),
            tx_hash: Default::default(),
            error: Default::default(),
        },
        EventPayload::HeadersSyncStarted {
            start_height: Default::default(),
        },
        EventPayload::HeadersSyncProgress {
            current_height: Default::default(),
            target_height: Default::default(),
            progress_percent: Default::default(),
        },
        EventPayload::HeadersSyncCompleted {
            final_height: Default::default(),
            duration_seconds: Default::default(),
        },
        EventPayload::BlockSyncStarted {
            start_height: Default::default(),
            target_height: Default::default(),
        },
        EventPayload::BlockSyncProgress {
            current_height: Default::default(),
            target_height: Default::default(),
            progress_percent: Default::default(),
            blocks_per_second: Default::default(),
        },
        EventPayload::BlockSyncCompleted {
            final_height: Default::default(),
            duration_seconds: Default::default(),
        },
        EventPayload::SyncStateChanged {
            old_state: Default::default(),
            new_state: Default::default(),
        },
        EventPayload::MempoolTransactionAdded {
            tx_hash: Default::default(),
            fee_rate: Default::default(),
            mempool_size: Default::default(),
        },
        EventPayload::MempoolTransactionRemoved {
            tx_hash: Default::default(),
            reason: Default::default(),
            mempool_size: Default::default(),
        },
        EventPayload::MempoolThresholdExceeded {
            current_size: Default::default(),
            threshold: Default::default(),
        },
        EventPayload::FeeRateChanged {
            old_fee_rate: Default::default(),
            new_fee_rate: Default::default(),
            mempool_size: Default::default(),
        },
        EventPayload::MempoolCleared {
            cleared_count: Default::default(),
        },
        EventPayload::StorageRead {
            operation: Default::default(),
            duration_ms: Default::default(),
        },
        EventPayload::StorageWrite {
            operation: Default::default(),
            duration_ms: Default::default(),
            bytes_written: Default::default(),
        },
        EventPayload::StorageQuery {
            query_type: Default::default(),
            duration_ms: Default::default(),
        },
        EventPayload::DatabaseBackupStarted {
            backup_path: Default::default(),
        },
        EventPayload::DatabaseBackupCompleted {
            backup_path: Default::default(),
            success: Default::default(),
            size_bytes: Default::default(),
            duration_seconds: Default::default(),
        },
        EventPayload::ModuleLoaded {
            module_name: Default::default(),
            version: Default::default(),
        },
        EventPayload::ModuleUnloaded {
            module_name: Default::default(),
            version: Default::default(),
        },
        EventPayload::ModuleReloaded {
            module_name: Default::default(),
            old_version: Default::default(),
            new_version: Default::default(),
        },
        EventPayload::ModuleStarted {
            module_name: Default::default(),
        },
        EventPayload::ModuleStopped {
            module_name: Default::default(),
        },
        EventPayload::MeshPacketReceived {
            packet_data: Default::default(),
            peer_addr: Default::default(),
        },
        EventPayload::StratumV2MessageReceived {
            message_data: Default::default(),
            peer_addr: Default::default(),
        },
        EventPayload::ModuleCrashed {
            module_name: Default::default(),
            error: Default::default(),
        },
        EventPayload::ModuleHealthChanged {
            module_name: Default::default(),
            old_health: Default::default(),
            new_health: Default::default(),
        },
        EventPayload::ModuleStateChanged {
            module_name: Default::default(),
            old_state: Default::default(),
            new_state: Default::default(),
        },
        EventPayload::ConfigLoaded {
            changed_sections: Default::default(),
            config_json: Default::default(),
        },
        EventPayload::NodeShutdown {
            reason: Default::default(),
            timeout_seconds: Default::default(),
        },
        EventPayload::NodeShutdownCompleted {
            duration_ms: Default::default(),
        },
        EventPayload::NodeStartupCompleted {
            duration_ms: Default::default(),
            components: Default::default(),
        },
        EventPayload::MaintenanceStarted {
            maintenance_type: Default::default(),
            estimated_duration_seconds: Default::default(),
        },
        EventPayload::MaintenanceCompleted {
            maintenance_type: Default::default(),
            success: Default::default(),
            duration_ms: Default::default(),
            results: Default::default(),
        },
        EventPayload::DataMaintenance {
            operation: Default::default(),
            urgency: Default::default(),
            reason: Default::default(),
            target_age_days: Default::default(),
            timeout_seconds: Default::default(),
        },
        EventPayload::HealthCheck {
            check_type: Default::default(),
            node_healthy: Default::default(),
            health_report: Default::default(),
        },
        EventPayload::DiskSpaceLow {
            available_bytes: Default::default(),
            total_bytes: Default::default(),
            percent_free: Default::default(),
            disk_path: Default::default(),
        },
        EventPayload::ResourceLimitWarning {
            resource_type: Default::default(),
            usage_percent: Default::default(),
            current_usage: Default::default(),
            limit: Default::default(),
            threshold_percent: Default::default(),
        },
        EventPayload::DandelionStemStarted {
            tx_hash: Default::default(),
            current_peer: Default::default(),
            next_peer: Default::default(),
        },
        EventPayload::DandelionStemAdvanced {
            tx_hash: Default::default(),
            hop_count: Default::default(),
            next_peer: Default::default(),
        },
        EventPayload::DandelionFluffed {
            tx_hash: Default::default(),
            stem_hops: Default::default(),
        },
        EventPayload::DandelionStemPathExpired {
            peer_addr: Default::default(),
        },
        EventPayload::CompactBlockReceived {
            block_hash: Default::default(),
            height: Default::default(),
            short_ids_count: Default::default(),
        },
        EventPayload::BlockReconstructionStarted {
            block_hash: Default::default(),
            height: Default::default(),
        },
        EventPayload::BlockReconstructionCompleted {
            block_hash: Default::default(),
            height: Default::default(),
            success: Default::default(),
            missing_txs: Default::default(),
        },
        EventPayload::FibreBlockEncoded {
            block_hash: Default::default(),
            height: Default::default(),
            chunks: Default::default(),
            encoding_time_ms: Default::default(),
        },
        EventPayload::FibreBlockSent {
            block_hash: Default::default(),
            height: Default::default(),
            peer_addr: Default::default(),
        },
        EventPayload::CompanionUdpPeerRegistered {
            p2p_peer_addr: Default::default(),
            udp_addr: Default::default(),
        },
        EventPayload::CompanionUdpPeerUnregistered {
            p2p_peer_addr: Default::default(),
        },
        EventPayload::PackageReceived {
            package_id: Default::default(),
            transaction_count: Default::default(),
            peer_addr: Default::default(),
        },
        EventPayload::PackageRejected {
            package_id: Default::default(),
            reason: Default::default(),
            peer_addr: Default::default(),
        },
        EventPayload::UtxoCommitmentReceived {
            block_hash: Default::default(),
            height: Default::default(),
            commitment_hash: Default::default(),
            peer_addr: Default::default(),
        },
        EventPayload::UtxoCommitmentVerified {
            block_hash: Default::default(),
            height: Default::default(),
            commitment_hash: Default::default(),
            valid: Default::default(),
        },
        EventPayload::BanListShared {
            peer_addr: Default::default(),
            ban_count: Default::default(),
        },
        EventPayload::BanListReceived {
            peer_addr: Default::default(),
            ban_count: Default::default(),
        },
        EventPayload::SelectiveSyncPolicyApplied {
            policy_source: Default::default(),
            registry_count: Default::default(),
        },
        EventPayload::ActionExecuted {
            action_id: Default::default(),
            action_type: Default::default(),
            target: Default::default(),
            success: Default::default(),
        },
        EventPayload::ModulePurchaseCompleted {
            module_id: Default::default(),
            payment_id: Default::default(),
            amount_sats: Default::default(),
        },
        EventPayload::StratumClientConnected {
            endpoint: Default::default(),
            protocol_version: Default::default(),
        },
        EventPayload::StratumClientDisconnected {
            endpoint: Default::default(),
            reason: Default::default(),
        },
        EventPayload::IBDBlockFiltered {
            block_hash: Default::default(),
            height: Default::default(),
            reason: Default::default(),
        },
        EventPayload::ModuleDiscovered {
            module_name: Default::default(),
            version: Default::default(),
            source: Default::default(),
        },
        EventPayload::ModuleInstalled {
            module_name: Default::default(),
            version: Default::default(),
        },
        EventPayload::ModuleUpdated {
            module_name: Default::default(),
            old_version: Default::default(),
            new_version: Default::default(),
        },
        EventPayload::ModuleRemoved {
            module_name: Default::default(),
            version: Default::default(),
        },
        EventPayload::PeerPayment {
            command: Default::default(),
            payload: Default::default(),
            peer_addr: Default::default(),
        },
    ]
}
