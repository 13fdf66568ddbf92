//! Node events as the fake node publishes them, independent of the wire codec; `ipc.rs` turns
//! them into the node's `EventMessage`s. Every published event is also kept (last 1000) so tests
//! can see what the node published even when no module subscribed.

use serde::Serialize;

use crate::btc::{display_hex, Hash};

/// One event published by the node (or, for Stratum V2 ones, by the emulated stratum module).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Ev {
    /// A block connected to the tip (node's own miner, peers; JSON-RPC-mined only on a fixed node).
    NewBlock {
        /// Block hash (internal order).
        #[serde(serialize_with = "ser_hash")]
        hash: Hash,
        /// Height of the new tip.
        height: u64,
    },
    /// A block mined locally (node's miner, `submitblock`, `generatetoaddress`).
    BlockMined {
        /// Block hash.
        #[serde(serialize_with = "ser_hash")]
        hash: Hash,
        /// Height.
        height: u64,
    },
    /// A block disconnected by a reorg.
    BlockDisconnected {
        /// Block hash.
        #[serde(serialize_with = "ser_hash")]
        hash: Hash,
        /// Its height.
        height: u64,
    },
    /// The best chain switched.
    ChainReorg {
        /// Tip before.
        #[serde(serialize_with = "ser_hash")]
        old_tip: Hash,
        /// Tip after.
        #[serde(serialize_with = "ser_hash")]
        new_tip: Hash,
    },
    /// A transaction entered the mempool.
    NewTransaction {
        /// txid.
        #[serde(serialize_with = "ser_hash")]
        txid: Hash,
    },
    /// A transaction entered the mempool (with fee rate and size).
    MempoolTransactionAdded {
        /// txid.
        #[serde(serialize_with = "ser_hash")]
        txid: Hash,
        /// sat/vB.
        fee_rate: f64,
        /// Transactions in the mempool after the change.
        mempool_size: usize,
    },
    /// A transaction left the mempool.
    MempoolTransactionRemoved {
        /// txid.
        #[serde(serialize_with = "ser_hash")]
        txid: Hash,
        /// Reason (the node says "removed").
        reason: String,
        /// Transactions in the mempool after the change.
        mempool_size: usize,
    },
    /// A peer connected.
    PeerConnected {
        /// Address.
        addr: String,
        /// Transport (`tcp`).
        transport: String,
        /// Service bits.
        services: u64,
        /// Protocol version.
        version: u32,
    },
    /// A peer disconnected.
    PeerDisconnected {
        /// Address.
        addr: String,
        /// Reason (the node says "disconnected").
        reason: String,
    },
    /// A miner connected to the Stratum V2 module.
    StratumClientConnected {
        /// Miner endpoint (`ip:port`).
        endpoint: String,
        /// Stratum protocol version (2).
        protocol_version: u32,
    },
    /// A miner left the Stratum V2 module.
    StratumClientDisconnected {
        /// Miner endpoint.
        endpoint: String,
        /// Reason.
        reason: String,
    },
    /// A share reached the Stratum V2 module.
    ShareSubmitted {
        /// Job id.
        job_id: String,
        /// Share hash.
        #[serde(serialize_with = "ser_hash")]
        share_hash: Hash,
        /// Miner (endpoint) when known.
        miner_id: Option<String>,
    },
    /// `getblocktemplate` ran over JSON-RPC.
    BlockTemplateUpdated {
        /// Current tip.
        #[serde(serialize_with = "ser_hash")]
        prev_hash: Hash,
        /// Template height.
        height: u64,
        /// Transactions in the template.
        tx_count: usize,
    },
}

fn ser_hash<S: serde::Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&display_hex(h))
}

impl Ev {
    /// The event's name (the node's `EventType` name).
    pub fn name(&self) -> &'static str {
        match self {
            Ev::NewBlock { .. } => "NewBlock",
            Ev::BlockMined { .. } => "BlockMined",
            Ev::BlockDisconnected { .. } => "BlockDisconnected",
            Ev::ChainReorg { .. } => "ChainReorg",
            Ev::NewTransaction { .. } => "NewTransaction",
            Ev::MempoolTransactionAdded { .. } => "MempoolTransactionAdded",
            Ev::MempoolTransactionRemoved { .. } => "MempoolTransactionRemoved",
            Ev::PeerConnected { .. } => "PeerConnected",
            Ev::PeerDisconnected { .. } => "PeerDisconnected",
            Ev::StratumClientConnected { .. } => "StratumClientConnected",
            Ev::StratumClientDisconnected { .. } => "StratumClientDisconnected",
            Ev::ShareSubmitted { .. } => "ShareSubmitted",
            Ev::BlockTemplateUpdated { .. } => "BlockTemplateUpdated",
        }
    }
}

use blvm_miningos_core::ipc::EventPayload;

impl Ev {
    /// The node's wire payload for this event.
    pub fn to_payload(&self) -> EventPayload {
        match self.clone() {
            Ev::NewBlock { hash, height } => EventPayload::NewBlock {
                block_hash: hash,
                height,
            },
            Ev::BlockMined { hash, height } => EventPayload::BlockMined {
                block_hash: hash,
                height,
                miner_id: None,
            },
            Ev::BlockDisconnected { hash, height } => {
                EventPayload::BlockDisconnected { hash, height }
            }
            Ev::ChainReorg { old_tip, new_tip } => EventPayload::ChainReorg { old_tip, new_tip },
            Ev::NewTransaction { txid } => EventPayload::NewTransaction { tx_hash: txid },
            Ev::MempoolTransactionAdded {
                txid,
                fee_rate,
                mempool_size,
            } => EventPayload::MempoolTransactionAdded {
                tx_hash: txid,
                fee_rate,
                mempool_size: mempool_size as u64,
            },
            Ev::MempoolTransactionRemoved {
                txid,
                reason,
                mempool_size,
            } => EventPayload::MempoolTransactionRemoved {
                tx_hash: txid,
                reason,
                mempool_size: mempool_size as u64,
            },
            Ev::PeerConnected {
                addr,
                transport,
                services,
                version,
            } => EventPayload::PeerConnected {
                peer_addr: addr,
                transport_type: transport,
                services,
                version,
                peer_node_id: None,
            },
            Ev::PeerDisconnected { addr, reason } => EventPayload::PeerDisconnected {
                peer_addr: addr,
                reason,
            },
            Ev::StratumClientConnected {
                endpoint,
                protocol_version,
            } => EventPayload::StratumClientConnected {
                endpoint,
                protocol_version,
            },
            Ev::StratumClientDisconnected { endpoint, reason } => {
                EventPayload::StratumClientDisconnected { endpoint, reason }
            }
            Ev::ShareSubmitted {
                job_id,
                share_hash,
                miner_id,
            } => EventPayload::ShareSubmitted {
                job_id,
                share_hash,
                miner_id,
            },
            Ev::BlockTemplateUpdated {
                prev_hash,
                height,
                tx_count,
            } => EventPayload::BlockTemplateUpdated {
                prev_hash,
                height,
                tx_count: tx_count as u64,
            },
        }
    }
}
