//! The scripted regtest-like chain: blocks, the best chain, a mempool and peers.
//!
//! Blocks are real (consensus-encoded, sha256d hashes, proof of work against regtest `bits`),
//! transactions are synthetic (random outpoints) so only blocks built from the fake node's own
//! mempool can be submitted back.

use std::collections::HashMap;

use rand::RngCore;

use crate::btc::{self, Block, Hash, Header, Tx, TxIn, TxOut, REGTEST_BITS};
use crate::events::Ev;

/// Regtest subsidy halving interval.
pub const HALVING_INTERVAL: u64 = 150;
/// Block weight limit.
pub const MAX_BLOCK_WEIGHT: usize = 4_000_000;

/// Who produced a block: decides which events the node publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockSource {
    /// The node's own miner: `NewBlock` and `BlockMined`.
    Miner,
    /// A peer: `NewBlock` only.
    Peer,
    /// JSON-RPC (`generatetoaddress`, `submitblock`): `BlockMined` only on node 0.1.83
    /// (`rpc_new_block` = false), both on a fixed node.
    Rpc {
        /// Also publish `NewBlock` (fixed node / concurrent mode).
        new_block: bool,
    },
}

impl BlockSource {
    fn events(self, hash: Hash, height: u64) -> Vec<Ev> {
        let nb = Ev::NewBlock { hash, height };
        let bm = Ev::BlockMined { hash, height };
        match self {
            BlockSource::Miner => vec![nb, bm],
            BlockSource::Peer => vec![nb],
            BlockSource::Rpc { new_block: true } => vec![nb, bm],
            BlockSource::Rpc { new_block: false } => vec![bm],
        }
    }
}

/// A block in the store.
#[derive(Debug, Clone)]
pub struct StoredBlock {
    /// The block.
    pub block: Block,
    /// Its hash.
    pub hash: Hash,
    /// Its height.
    pub height: u64,
    /// Cumulative work up to and including it.
    pub chainwork: u128,
    /// Fee of each transaction (coinbase: 0).
    pub fees: Vec<u64>,
}

/// A mempool entry.
#[derive(Debug, Clone)]
pub struct MempoolEntry {
    /// The transaction.
    pub tx: Tx,
    /// txid.
    pub txid: Hash,
    /// Fee in sats.
    pub fee: u64,
    /// Virtual size.
    pub vsize: usize,
    /// Weight.
    pub weight: usize,
    /// Entry time (Unix seconds).
    pub time: u64,
    /// Tip height at entry.
    pub height: u64,
}

impl MempoolEntry {
    /// sat/vB.
    pub fn fee_rate(&self) -> f64 {
        self.fee as f64 / self.vsize.max(1) as f64
    }
}

/// A connected peer.
#[derive(Debug, Clone)]
pub struct Peer {
    /// Peer id.
    pub id: u64,
    /// `ip:port`.
    pub addr: String,
    /// Inbound?
    pub inbound: bool,
    /// User agent.
    pub subver: String,
    /// Protocol version.
    pub version: u32,
    /// Service bits.
    pub services: u64,
    /// Connect time (Unix seconds).
    pub conntime: u64,
    /// Bytes sent to it.
    pub bytes_sent: u64,
    /// Bytes received from it.
    pub bytes_recv: u64,
    /// Best height it announced.
    pub starting_height: u64,
}

/// A block template (what `getblocktemplate` and IPC `GetBlockTemplate` describe).
#[derive(Debug, Clone)]
pub struct Template {
    /// Height of the block to build.
    pub height: u64,
    /// Previous block (the tip).
    pub prev: Hash,
    /// nVersion.
    pub version: i32,
    /// Mempool transactions selected, best fee rate first.
    pub txs: Vec<MempoolEntry>,
    /// Subsidy + fees.
    pub coinbase_value: u64,
    /// nBits.
    pub bits: u32,
    /// Current time.
    pub curtime: u64,
    /// Median time past + 1.
    pub mintime: u64,
    /// `longpollid` (tip + mempool sequence).
    pub longpollid: String,
}

/// Why a submitted block was refused (BIP 22 reason strings).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    /// Already known.
    #[error("duplicate")]
    Duplicate,
    /// Parent unknown.
    #[error("prev-blk-not-found")]
    PrevNotFound,
    /// Parent known but not the tip (side chains are not kept).
    #[error("inconclusive")]
    Inconclusive,
    /// Proof of work not met.
    #[error("high-hash")]
    HighHash,
    /// Wrong nBits.
    #[error("bad-diffbits")]
    BadBits,
    /// Merkle root mismatch.
    #[error("bad-txnmrklroot")]
    BadMerkle,
    /// First transaction not a coinbase.
    #[error("bad-cb-missing")]
    NoCoinbase,
    /// BIP 34 height missing or wrong.
    #[error("bad-cb-height")]
    BadHeight,
    /// Coinbase pays too much.
    #[error("bad-cb-amount")]
    BadAmount,
    /// A transaction this node does not know (its inputs do not exist here).
    #[error("bad-txns-inputs-missingorspent")]
    MissingInputs,
    /// Timestamp not after median time past.
    #[error("time-too-old")]
    TimeTooOld,
    /// Timestamp more than 2 h ahead.
    #[error("time-too-new")]
    TimeTooNew,
}

/// The chain state.
pub struct Chain {
    blocks: HashMap<Hash, StoredBlock>,
    active: Vec<Hash>,
    /// Mempool in arrival order.
    pub mempool: Vec<MempoolEntry>,
    /// Connected peers.
    pub peers: Vec<Peer>,
    next_peer_id: u64,
    mempool_seq: u64,
    /// Total bytes received / sent (getnettotals).
    pub net_totals: (u64, u64),
}

/// Unix time now, seconds.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Block subsidy at `height` (regtest: halves every 150 blocks).
pub fn subsidy(height: u64) -> u64 {
    let halvings = height / HALVING_INTERVAL;
    if halvings >= 64 {
        0
    } else {
        (50 * 100_000_000u64) >> halvings
    }
}

/// BIP 34 height push for a coinbase scriptSig.
pub fn bip34_push(height: u64) -> Vec<u8> {
    if height == 0 {
        return vec![0x00];
    }
    if height <= 16 {
        return vec![0x50 + height as u8];
    }
    let mut n = height;
    let mut bytes = Vec::new();
    while n > 0 {
        bytes.push((n & 0xff) as u8);
        n >>= 8;
    }
    if bytes.last().is_some_and(|b| b & 0x80 != 0) {
        bytes.push(0);
    }
    let mut out = vec![bytes.len() as u8];
    out.extend(bytes);
    out
}

/// Reads the BIP 34 height from a coinbase scriptSig.
pub fn read_bip34(script: &[u8]) -> Option<u64> {
    let first = *script.first()?;
    match first {
        0x00 => Some(0),
        0x51..=0x60 => Some(u64::from(first - 0x50)),
        1..=8 => {
            let bytes = script.get(1..1 + first as usize)?;
            let mut n = 0u64;
            for (i, b) in bytes.iter().enumerate() {
                n |= u64::from(*b) << (8 * i);
            }
            Some(n)
        }
        _ => None,
    }
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A chain holding only the regtest genesis block.
    pub fn new() -> Self {
        let g = btc::regtest_genesis();
        let hash = g.header.hash();
        let mut blocks = HashMap::new();
        blocks.insert(
            hash,
            StoredBlock {
                chainwork: btc::block_work(g.header.bits),
                fees: vec![0],
                block: g,
                hash,
                height: 0,
            },
        );
        Chain {
            blocks,
            active: vec![hash],
            mempool: vec![],
            peers: vec![],
            next_peer_id: 0,
            mempool_seq: 0,
            net_totals: (0, 0),
        }
    }

    /// Height of the tip.
    pub fn height(&self) -> u64 {
        (self.active.len() - 1) as u64
    }
    /// The tip.
    pub fn tip(&self) -> &StoredBlock {
        let h = self.active[self.active.len() - 1];
        &self.blocks[&h]
    }
    /// A block by hash (active or stale).
    pub fn get(&self, hash: &Hash) -> Option<&StoredBlock> {
        self.blocks.get(hash)
    }
    /// The active block at `height`.
    pub fn at(&self, height: u64) -> Option<&StoredBlock> {
        let h = self.active.get(usize::try_from(height).ok()?)?;
        self.blocks.get(h)
    }
    /// True when `hash` is on the best chain.
    pub fn is_active(&self, b: &StoredBlock) -> bool {
        self.active.get(b.height as usize) == Some(&b.hash)
    }
    /// Confirmations as RPC reports them (-1 for a stale block).
    pub fn confirmations(&self, b: &StoredBlock) -> i64 {
        if self.is_active(b) {
            (self.height() - b.height + 1) as i64
        } else {
            -1
        }
    }
    /// Median time past of the 11 blocks ending at `height`.
    pub fn median_time_past(&self, height: u64) -> u64 {
        let from = height.saturating_sub(10);
        let mut times: Vec<u32> = (from..=height)
            .filter_map(|h| self.at(h).map(|b| b.block.header.time))
            .collect();
        times.sort_unstable();
        times.get(times.len() / 2).copied().map_or(0, u64::from)
    }
    /// Changes whenever the tip or the mempool changes.
    pub fn longpollid(&self) -> String {
        format!("{}{}", btc::display_hex(&self.tip().hash), self.mempool_seq)
    }

    /// The template for the next block.
    pub fn template(&self) -> Template {
        let mut txs: Vec<MempoolEntry> = self.mempool.clone();
        txs.sort_by(|a, b| b.fee_rate().total_cmp(&a.fee_rate()));
        let mut weight = 4000; // header + coinbase allowance
        txs.retain(|t| {
            if weight + t.weight <= MAX_BLOCK_WEIGHT {
                weight += t.weight;
                true
            } else {
                false
            }
        });
        let height = self.height() + 1;
        let fees: u64 = txs.iter().map(|t| t.fee).sum();
        let mtp = self.median_time_past(self.height());
        Template {
            height,
            prev: self.tip().hash,
            version: 0x2000_0000,
            coinbase_value: subsidy(height) + fees,
            bits: REGTEST_BITS,
            curtime: now_secs().max(mtp + 1),
            mintime: mtp + 1,
            longpollid: self.longpollid(),
            txs,
        }
    }

    /// Builds and grinds a block on the current tip paying `script`.
    pub fn build_block(&self, script: &[u8], with_mempool: bool, extra: u64) -> (Block, Vec<u64>) {
        let mut t = self.template();
        if !with_mempool {
            t.coinbase_value -= t.txs.iter().map(|e| e.fee).sum::<u64>();
            t.txs.clear();
        }
        let mut script_sig = bip34_push(t.height);
        script_sig.extend_from_slice(&extra.to_le_bytes());
        let coinbase = Tx {
            version: 2,
            inputs: vec![TxIn {
                prev_txid: [0; 32],
                prev_vout: u32::MAX,
                script_sig,
                sequence: u32::MAX,
                witness: vec![],
            }],
            outputs: vec![TxOut {
                value: t.coinbase_value as i64,
                script_pubkey: script.to_vec(),
            }],
            lock_time: 0,
        };
        let mut txs = vec![coinbase];
        let mut fees = vec![0];
        for e in &t.txs {
            txs.push(e.tx.clone());
            fees.push(e.fee);
        }
        let prev_time = u64::from(self.tip().block.header.time);
        let mut header = Header {
            version: t.version,
            prev: t.prev,
            merkle_root: btc::merkle_root(&txs.iter().map(Tx::txid).collect::<Vec<_>>()),
            time: t.curtime.max(prev_time + 1).min(u64::from(u32::MAX)) as u32,
            bits: t.bits,
            nonce: 0,
        };
        while !header.meets_target() {
            header.nonce = header.nonce.wrapping_add(1);
        }
        (Block { header, txs }, fees)
    }

    fn connect_unchecked(&mut self, block: Block, fees: Vec<u64>) -> (Hash, u64) {
        let hash = block.header.hash();
        let height = self.height() + 1;
        let chainwork = self.tip().chainwork + btc::block_work(block.header.bits);
        let included: Vec<Hash> = block.txs.iter().skip(1).map(Tx::txid).collect();
        let before = self.mempool.len();
        self.mempool.retain(|e| !included.contains(&e.txid));
        if self.mempool.len() != before {
            self.mempool_seq += 1;
        }
        self.blocks.insert(
            hash,
            StoredBlock {
                block,
                hash,
                height,
                chainwork,
                fees,
            },
        );
        self.active.push(hash);
        self.mempool_seq += 1;
        (hash, height)
    }

    /// Mines `count` blocks paying `script`; returns their hashes and the events to publish.
    pub fn mine(&mut self, count: u64, script: &[u8], source: BlockSource) -> (Vec<Hash>, Vec<Ev>) {
        let mut hashes = Vec::new();
        let mut evs = Vec::new();
        for _ in 0..count {
            let (block, fees) = self.build_block(script, true, rand::random());
            let (hash, height) = self.connect_unchecked(block, fees);
            hashes.push(hash);
            evs.extend(source.events(hash, height));
        }
        (hashes, evs)
    }

    /// Validates and connects a submitted block (BIP 22 semantics).
    pub fn submit(&mut self, block: Block, source: BlockSource) -> Result<Vec<Ev>, Reject> {
        let hash = block.header.hash();
        if self.blocks.contains_key(&hash) {
            return Err(Reject::Duplicate);
        }
        if !self.blocks.contains_key(&block.header.prev) {
            return Err(Reject::PrevNotFound);
        }
        if block.header.prev != self.tip().hash {
            return Err(Reject::Inconclusive);
        }
        if block.header.bits != REGTEST_BITS {
            return Err(Reject::BadBits);
        }
        if !block.header.meets_target() {
            return Err(Reject::HighHash);
        }
        if block.computed_merkle_root() != block.header.merkle_root {
            return Err(Reject::BadMerkle);
        }
        let height = self.height() + 1;
        let Some(cb) = block.txs.first().filter(|t| t.is_coinbase()) else {
            return Err(Reject::NoCoinbase);
        };
        if read_bip34(&cb.inputs[0].script_sig) != Some(height) {
            return Err(Reject::BadHeight);
        }
        let mtp = self.median_time_past(self.height());
        if u64::from(block.header.time) <= mtp {
            return Err(Reject::TimeTooOld);
        }
        if u64::from(block.header.time) > now_secs() + 7200 {
            return Err(Reject::TimeTooNew);
        }
        let mut fees = vec![0u64];
        for tx in block.txs.iter().skip(1) {
            let id = tx.txid();
            match self.mempool.iter().find(|e| e.txid == id) {
                Some(e) => fees.push(e.fee),
                None => return Err(Reject::MissingInputs),
            }
        }
        let paid: i64 = cb.outputs.iter().map(|o| o.value).sum();
        let allowed = subsidy(height) + fees.iter().sum::<u64>();
        if paid < 0 || paid as u64 > allowed {
            return Err(Reject::BadAmount);
        }
        let (hash, height) = self.connect_unchecked(block, fees);
        Ok(source.events(hash, height))
    }

    /// Replaces the top `depth` blocks with `depth + 1` new ones (coinbase only); the
    /// disconnected blocks' transactions return to the mempool.
    pub fn reorg(&mut self, depth: u64, script: &[u8]) -> Result<(Vec<Hash>, Vec<Ev>), String> {
        if depth == 0 || depth > self.height() {
            return Err(format!(
                "reorg depth must be between 1 and the tip height {}",
                self.height()
            ));
        }
        let old_tip = self.tip().hash;
        let mut evs = Vec::new();
        let mut returned = Vec::new();
        for _ in 0..depth {
            let Some(h) = self.active.pop() else { break };
            let b = &self.blocks[&h];
            evs.push(Ev::BlockDisconnected {
                hash: h,
                height: b.height,
            });
            for (tx, fee) in b.block.txs.iter().zip(&b.fees).skip(1) {
                returned.push((tx.clone(), *fee));
            }
        }
        let mut hashes = Vec::new();
        let mut connected = Vec::new();
        for _ in 0..=depth {
            let (block, fees) = self.build_block(script, false, rand::random());
            let (hash, height) = self.connect_unchecked(block, fees);
            hashes.push(hash);
            connected.push(Ev::NewBlock { hash, height });
        }
        evs.push(Ev::ChainReorg {
            old_tip,
            new_tip: self.tip().hash,
        });
        evs.extend(connected);
        for (tx, fee) in returned {
            self.add_tx(tx, fee);
        }
        Ok((hashes, evs))
    }

    fn add_tx(&mut self, tx: Tx, fee: u64) -> MempoolEntry {
        let e = MempoolEntry {
            txid: tx.txid(),
            fee,
            vsize: tx.vsize(),
            weight: tx.weight(),
            time: now_secs(),
            height: self.height(),
            tx,
        };
        self.mempool.push(e.clone());
        self.mempool_seq += 1;
        e
    }

    /// Adds a synthetic transaction of about `vsize` vbytes paying `fee_rate` sat/vB.
    pub fn add_synthetic_tx(&mut self, fee_rate: f64, vsize: usize) -> (Hash, Vec<Ev>) {
        let mut rng = rand::thread_rng();
        let mut prev = [0u8; 32];
        rng.fill_bytes(&mut prev);
        let make = |sig_len: usize| Tx {
            version: 2,
            inputs: vec![TxIn {
                prev_txid: prev,
                prev_vout: 0,
                script_sig: vec![0x51; sig_len],
                sequence: 0xffff_fffd,
                witness: vec![],
            }],
            outputs: vec![TxOut {
                value: 10_000,
                script_pubkey: [&[0x00, 0x14][..], &[0xab; 20][..]].concat(),
            }],
            lock_time: 0,
        };
        let base = make(0).vsize();
        let mut sig_len = vsize.saturating_sub(base);
        if sig_len >= 0xfd {
            sig_len -= 2; // the compact size grows to 3 bytes
        }
        let tx = make(sig_len);
        let fee = (fee_rate * tx.vsize() as f64).round().max(0.0) as u64;
        let e = self.add_tx(tx, fee);
        let evs = vec![
            Ev::NewTransaction { txid: e.txid },
            Ev::MempoolTransactionAdded {
                txid: e.txid,
                fee_rate: e.fee_rate(),
                mempool_size: self.mempool.len(),
            },
        ];
        (e.txid, evs)
    }

    /// Removes a transaction from the mempool.
    pub fn remove_tx(&mut self, txid: &Hash) -> Option<Vec<Ev>> {
        let pos = self.mempool.iter().position(|e| &e.txid == txid)?;
        self.mempool.remove(pos);
        self.mempool_seq += 1;
        Some(vec![Ev::MempoolTransactionRemoved {
            txid: *txid,
            reason: "removed".into(),
            mempool_size: self.mempool.len(),
        }])
    }

    /// Connects a peer.
    pub fn connect_peer(&mut self, addr: String, inbound: bool, subver: String) -> (u64, Vec<Ev>) {
        let id = self.next_peer_id;
        self.next_peer_id += 1;
        let p = Peer {
            id,
            addr: addr.clone(),
            inbound,
            subver,
            version: 70016,
            services: 0x0409,
            conntime: now_secs(),
            bytes_sent: 1200,
            bytes_recv: 3400,
            starting_height: self.height(),
        };
        self.net_totals.0 += p.bytes_recv;
        self.net_totals.1 += p.bytes_sent;
        self.peers.push(p);
        (
            id,
            vec![Ev::PeerConnected {
                addr,
                transport: "tcp".into(),
                services: 0x0409,
                version: 70016,
            }],
        )
    }

    /// Disconnects a peer by address.
    pub fn disconnect_peer(&mut self, addr: &str) -> Option<Vec<Ev>> {
        let pos = self.peers.iter().position(|p| p.addr == addr)?;
        self.peers.remove(pos);
        Some(vec![Ev::PeerDisconnected {
            addr: addr.to_string(),
            reason: "disconnected".into(),
        }])
    }

    /// Fee estimate the way BLVM computes it: median mempool rate ×2 (target 1), ×1 (2–6),
    /// ÷2 (> 6), at least 1 sat/vB; `None` when the mempool is empty.
    pub fn fee_estimate(&self, target: u32) -> Option<u64> {
        if self.mempool.is_empty() || target == 0 {
            return None;
        }
        let mut rates: Vec<f64> = self.mempool.iter().map(MempoolEntry::fee_rate).collect();
        rates.sort_by(f64::total_cmp);
        let median = rates[rates.len() / 2];
        let r = match target {
            1 => median * 2.0,
            2..=6 => median,
            _ => median / 2.0,
        };
        Some((r.round() as u64).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mine_and_submit_roundtrip() {
        let mut c = Chain::new();
        let (hashes, evs) = c.mine(3, &[0x51], BlockSource::Rpc { new_block: false });
        assert_eq!(c.height(), 3);
        assert_eq!(hashes.len(), 3);
        assert!(evs.iter().all(|e| e.name() == "BlockMined"));
        c.add_synthetic_tx(10.0, 200);
        c.add_synthetic_tx(2.0, 150);
        let (block, _) = c.build_block(&[0x51], true, 7);
        assert_eq!(block.txs.len(), 3);
        let enc = block.encode();
        let back = Block::decode(&enc).unwrap();
        assert_eq!(
            c.submit(back.clone(), BlockSource::Peer),
            Ok(vec![Ev::NewBlock {
                hash: back.header.hash(),
                height: 4
            }])
        );
        assert!(c.mempool.is_empty());
        assert_eq!(c.submit(back, BlockSource::Peer), Err(Reject::Duplicate));
    }

    #[test]
    fn submit_rejections() {
        let mut c = Chain::new();
        let (mut b, _) = c.build_block(&[0x51], false, 1);
        b.header.merkle_root = [9; 32];
        while !b.header.meets_target() {
            b.header.nonce += 1;
        }
        assert_eq!(
            c.submit(b.clone(), BlockSource::Peer),
            Err(Reject::BadMerkle)
        );
        b.header.prev = [1; 32];
        assert_eq!(c.submit(b, BlockSource::Peer), Err(Reject::PrevNotFound));
        let (mut b, _) = c.build_block(&[0x51], false, 2);
        b.txs[0].outputs[0].value += 1;
        b.header.merkle_root = b.computed_merkle_root();
        while !b.header.meets_target() {
            b.header.nonce += 1;
        }
        assert_eq!(c.submit(b, BlockSource::Peer), Err(Reject::BadAmount));
        let (mut b, _) = c.build_block(&[0x51], false, 3);
        // Find a nonce that does NOT meet the target (half of them don't).
        while b.header.meets_target() {
            b.header.nonce += 1;
        }
        assert_eq!(c.submit(b, BlockSource::Peer), Err(Reject::HighHash));
    }

    #[test]
    fn reorg_events_and_mempool_return() {
        let mut c = Chain::new();
        c.mine(2, &[0x51], BlockSource::Miner);
        c.add_synthetic_tx(5.0, 120);
        c.mine(1, &[0x51], BlockSource::Miner);
        assert!(c.mempool.is_empty());
        let old = c.tip().hash;
        let (hashes, evs) = c.reorg(2, &[0x52]).unwrap();
        assert_eq!(hashes.len(), 3);
        assert_eq!(c.height(), 4);
        let names: Vec<_> = evs.iter().map(Ev::name).collect();
        assert_eq!(
            names,
            [
                "BlockDisconnected",
                "BlockDisconnected",
                "ChainReorg",
                "NewBlock",
                "NewBlock",
                "NewBlock"
            ]
        );
        assert_eq!(c.mempool.len(), 1);
        let stale = c.get(&old).unwrap();
        assert_eq!(c.confirmations(stale), -1);
        assert!(c.reorg(99, &[0x51]).is_err());
    }

    #[test]
    fn synthetic_tx_sizes_and_fee_estimate() {
        let mut c = Chain::new();
        assert_eq!(c.fee_estimate(1), None);
        for (rate, vsize) in [(1.0, 100), (4.0, 300), (9.0, 1000)] {
            let (id, _) = c.add_synthetic_tx(rate, vsize);
            let e = c.mempool.iter().find(|e| e.txid == id).unwrap();
            assert!(
                (e.vsize as i64 - vsize as i64).abs() <= 1,
                "{} vs {vsize}",
                e.vsize
            );
        }
        assert_eq!(c.fee_estimate(1), Some(8));
        assert_eq!(c.fee_estimate(3), Some(4));
        assert_eq!(c.fee_estimate(10), Some(2));
        assert_eq!(c.fee_estimate(0), None);
    }

    #[test]
    fn bip34() {
        for h in [0u64, 1, 16, 17, 127, 128, 255, 256, 70_000, 8_388_608] {
            assert_eq!(read_bip34(&bip34_push(h)), Some(h), "{h}");
        }
        assert_eq!(subsidy(0), 5_000_000_000);
        assert_eq!(subsidy(150), 2_500_000_000);
    }
}
