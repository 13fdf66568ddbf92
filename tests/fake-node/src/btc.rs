//! Just enough Bitcoin: sha256d, compact sizes, transactions and headers in consensus encoding,
//! parsing of submitted blocks, targets and difficulty. Hashes are kept in internal byte order
//! (as on the module IPC); RPC shows them reversed (`display_hex`).

/// A 32-byte hash in internal byte order.
pub type Hash = [u8; 32];

/// Double SHA-256 (shared with the module's converters).
pub use blvm_miningos_core::convert::template::sha256d;

/// RPC display form: reversed bytes as lowercase hex.
pub fn display_hex(h: &Hash) -> String {
    let mut r = *h;
    r.reverse();
    hex::encode(r)
}

/// Parses an RPC display hash (64 hex chars) into internal order.
pub fn parse_display_hex(s: &str) -> Option<Hash> {
    if s.len() != 64 {
        return None;
    }
    let v = hex::decode(s).ok()?;
    let mut h: Hash = v.try_into().ok()?;
    h.reverse();
    Some(h)
}

/// Bad bytes in a submitted block or transaction.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// Ran out of bytes.
    #[error("unexpected end of data at byte {0}")]
    Eof(usize),
    /// A count that cannot be right.
    #[error("implausible count {0} at byte {1}")]
    Count(u64, usize),
}

/// Appends a Bitcoin compact size (the module's own encoder, so both sides agree).
pub use blvm_miningos_core::convert::template::write_compact_size as put_compact;

/// A reader over consensus-encoded bytes.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts at byte 0.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }
    /// Current offset.
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// True when every byte was read.
    pub fn done(&self) -> bool {
        self.pos == self.data.len()
    }
    /// Takes `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Eof(self.pos))?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or(DecodeError::Eof(self.pos))?;
        self.pos = end;
        Ok(s)
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    /// u8.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.arr::<1>()?[0])
    }
    /// u32 LE.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    /// i64 LE.
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.arr()?))
    }
    /// 32 bytes.
    pub fn hash(&mut self) -> Result<Hash, DecodeError> {
        self.arr()
    }
    /// Compact size, bounded by the bytes left (every counted item takes at least one byte).
    pub fn compact(&mut self) -> Result<u64, DecodeError> {
        let at = self.pos;
        let n = match self.u8()? {
            0xfd => u64::from(u16::from_le_bytes(self.arr()?)),
            0xfe => u64::from(u32::from_le_bytes(self.arr()?)),
            0xff => u64::from_le_bytes(self.arr()?),
            b => u64::from(b),
        };
        if n > (self.data.len() - self.pos) as u64 {
            return Err(DecodeError::Count(n, at));
        }
        Ok(n)
    }
    /// Length-prefixed bytes.
    pub fn var_bytes(&mut self) -> Result<Vec<u8>, DecodeError> {
        let n = self.compact()? as usize;
        Ok(self.take(n)?.to_vec())
    }
}

/// A transaction input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxIn {
    /// Previous txid (internal order); all zeros for a coinbase.
    pub prev_txid: Hash,
    /// Previous output index (`0xffffffff` for a coinbase).
    pub prev_vout: u32,
    /// scriptSig.
    pub script_sig: Vec<u8>,
    /// nSequence.
    pub sequence: u32,
    /// Witness stack (empty when none).
    pub witness: Vec<Vec<u8>>,
}

/// A transaction output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxOut {
    /// Value in satoshis.
    pub value: i64,
    /// scriptPubKey.
    pub script_pubkey: Vec<u8>,
}

/// A transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tx {
    /// nVersion.
    pub version: i32,
    /// Inputs.
    pub inputs: Vec<TxIn>,
    /// Outputs.
    pub outputs: Vec<TxOut>,
    /// nLockTime.
    pub lock_time: u32,
}

impl Tx {
    /// True when any input carries witness data.
    pub fn has_witness(&self) -> bool {
        self.inputs.iter().any(|i| !i.witness.is_empty())
    }

    /// Consensus encoding; `with_witness` adds marker, flag and witnesses when there are any.
    pub fn encode(&self, with_witness: bool) -> Vec<u8> {
        let wit = with_witness && self.has_witness();
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&self.version.to_le_bytes());
        if wit {
            out.extend_from_slice(&[0, 1]);
        }
        put_compact(&mut out, self.inputs.len() as u64);
        for i in &self.inputs {
            out.extend_from_slice(&i.prev_txid);
            out.extend_from_slice(&i.prev_vout.to_le_bytes());
            put_compact(&mut out, i.script_sig.len() as u64);
            out.extend_from_slice(&i.script_sig);
            out.extend_from_slice(&i.sequence.to_le_bytes());
        }
        put_compact(&mut out, self.outputs.len() as u64);
        for o in &self.outputs {
            out.extend_from_slice(&o.value.to_le_bytes());
            put_compact(&mut out, o.script_pubkey.len() as u64);
            out.extend_from_slice(&o.script_pubkey);
        }
        if wit {
            for i in &self.inputs {
                put_compact(&mut out, i.witness.len() as u64);
                for item in &i.witness {
                    put_compact(&mut out, item.len() as u64);
                    out.extend_from_slice(item);
                }
            }
        }
        out.extend_from_slice(&self.lock_time.to_le_bytes());
        out
    }

    /// txid (internal order).
    pub fn txid(&self) -> Hash {
        sha256d(&self.encode(false))
    }
    /// wtxid (internal order).
    pub fn wtxid(&self) -> Hash {
        sha256d(&self.encode(true))
    }
    /// Serialized size with witness.
    pub fn size(&self) -> usize {
        self.encode(true).len()
    }
    /// BIP 141 weight.
    pub fn weight(&self) -> usize {
        self.encode(false).len() * 3 + self.size()
    }
    /// Virtual size (weight / 4, rounded up).
    pub fn vsize(&self) -> usize {
        self.weight().div_ceil(4)
    }
    /// True for a coinbase (one input spending the null outpoint).
    pub fn is_coinbase(&self) -> bool {
        self.inputs.len() == 1
            && self.inputs[0].prev_txid == [0; 32]
            && self.inputs[0].prev_vout == u32::MAX
    }

    /// Decodes one transaction (with or without witness serialization).
    pub fn decode(r: &mut Reader<'_>) -> Result<Tx, DecodeError> {
        let version = r.u32()? as i32;
        let mut n_in = r.compact()?;
        let mut segwit = false;
        if n_in == 0 {
            // BIP 144 marker (0) + flag (1).
            let at = r.pos();
            if r.u8()? != 1 {
                return Err(DecodeError::Count(0, at));
            }
            segwit = true;
            n_in = r.compact()?;
        }
        let mut inputs = Vec::with_capacity(n_in as usize);
        for _ in 0..n_in {
            inputs.push(TxIn {
                prev_txid: r.hash()?,
                prev_vout: r.u32()?,
                script_sig: r.var_bytes()?,
                sequence: r.u32()?,
                witness: vec![],
            });
        }
        let n_out = r.compact()?;
        let mut outputs = Vec::with_capacity(n_out as usize);
        for _ in 0..n_out {
            outputs.push(TxOut {
                value: r.i64()?,
                script_pubkey: r.var_bytes()?,
            });
        }
        if segwit {
            for i in inputs.iter_mut() {
                let n = r.compact()?;
                for _ in 0..n {
                    i.witness.push(r.var_bytes()?);
                }
            }
        }
        Ok(Tx {
            version,
            inputs,
            outputs,
            lock_time: r.u32()?,
        })
    }
}

/// An 80-byte block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// nVersion.
    pub version: i32,
    /// Previous block hash (internal order).
    pub prev: Hash,
    /// Merkle root (internal order).
    pub merkle_root: Hash,
    /// nTime.
    pub time: u32,
    /// nBits.
    pub bits: u32,
    /// nNonce.
    pub nonce: u32,
}

impl Header {
    /// The 80 bytes.
    pub fn encode(&self) -> [u8; 80] {
        let mut out = [0u8; 80];
        out[0..4].copy_from_slice(&self.version.to_le_bytes());
        out[4..36].copy_from_slice(&self.prev);
        out[36..68].copy_from_slice(&self.merkle_root);
        out[68..72].copy_from_slice(&self.time.to_le_bytes());
        out[72..76].copy_from_slice(&self.bits.to_le_bytes());
        out[76..80].copy_from_slice(&self.nonce.to_le_bytes());
        out
    }
    /// Block hash (internal order).
    pub fn hash(&self) -> Hash {
        sha256d(&self.encode())
    }
    /// Decodes 80 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<Header, DecodeError> {
        Ok(Header {
            version: r.u32()? as i32,
            prev: r.hash()?,
            merkle_root: r.hash()?,
            time: r.u32()?,
            bits: r.u32()?,
            nonce: r.u32()?,
        })
    }
    /// True when the hash meets the target encoded in `bits`.
    pub fn meets_target(&self) -> bool {
        let mut h = self.hash();
        h.reverse(); // big-endian for comparison
        h <= target_from_bits(self.bits)
    }
}

/// Merkle root of txids (internal order).
pub fn merkle_root(ids: &[Hash]) -> Hash {
    if ids.is_empty() {
        return [0; 32];
    }
    let mut level: Vec<Hash> = ids.to_vec();
    while level.len() > 1 {
        if level.len() % 2 == 1 {
            if let Some(last) = level.last().copied() {
                level.push(last);
            }
        }
        level = level
            .chunks(2)
            .map(|p| {
                let mut buf = [0u8; 64];
                buf[..32].copy_from_slice(&p[0]);
                buf[32..].copy_from_slice(&p[1]);
                sha256d(&buf)
            })
            .collect();
    }
    level[0]
}

/// The 256-bit target for compact `bits`, big-endian.
pub fn target_from_bits(bits: u32) -> [u8; 32] {
    let exp = (bits >> 24) as usize;
    let mant = bits & 0x007f_ffff;
    let mut t = [0u8; 32];
    let m = mant.to_be_bytes(); // [0, b1, b2, b3]
    for (i, b) in m[1..].iter().enumerate() {
        // byte i of the mantissa sits at position (exp - 1 - i) counted from the least significant.
        let pos_from_lsb = exp as isize - 1 - i as isize;
        if (0..32).contains(&pos_from_lsb) {
            t[31 - pos_from_lsb as usize] = *b;
        }
    }
    t
}

/// Difficulty relative to the mainnet minimum (`0x1d00ffff`), as Bitcoin Core computes it.
pub fn difficulty(bits: u32) -> f64 {
    let mut shift = (bits >> 24) & 0xff;
    let mut diff = f64::from(0x0000_ffff) / f64::from(bits & 0x00ff_ffff);
    while shift < 29 {
        diff *= 256.0;
        shift += 1;
    }
    while shift > 29 {
        diff /= 256.0;
        shift -= 1;
    }
    diff
}

/// Work of one block with these bits: 2^256 / (target + 1), as an approximate f64 then u128.
pub fn block_work(bits: u32) -> u128 {
    let t = target_from_bits(bits);
    // target as f64
    let mut tf = 0f64;
    for b in t {
        tf = tf * 256.0 + f64::from(b);
    }
    let w = 2f64.powi(256) / (tf + 1.0);
    if w >= u128::MAX as f64 {
        u128::MAX
    } else {
        w as u128
    }
}

/// A block as the fake node stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Header.
    pub header: Header,
    /// Transactions, coinbase first.
    pub txs: Vec<Tx>,
}

impl Block {
    /// Consensus encoding (with witnesses).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.header.encode().to_vec();
        put_compact(&mut out, self.txs.len() as u64);
        for t in &self.txs {
            out.extend(t.encode(true));
        }
        out
    }
    /// Decodes a whole block; trailing bytes are an error.
    pub fn decode(data: &[u8]) -> Result<Block, DecodeError> {
        let mut r = Reader::new(data);
        let header = Header::decode(&mut r)?;
        let n = r.compact()?;
        let mut txs = Vec::with_capacity(n as usize);
        for _ in 0..n {
            txs.push(Tx::decode(&mut r)?);
        }
        if !r.done() {
            return Err(DecodeError::Count(n, r.pos()));
        }
        Ok(Block { header, txs })
    }
    /// Merkle root computed from the transactions.
    pub fn computed_merkle_root(&self) -> Hash {
        merkle_root(&self.txs.iter().map(Tx::txid).collect::<Vec<_>>())
    }
}

/// Regtest genesis coinbase (raw hex), the same transaction as mainnet's.
pub const GENESIS_COINBASE_HEX: &str = "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";

/// Regtest `bits`.
pub const REGTEST_BITS: u32 = 0x207f_ffff;

/// The regtest genesis block.
pub fn regtest_genesis() -> Block {
    let raw = hex::decode(GENESIS_COINBASE_HEX).unwrap_or_default();
    let cb = Tx::decode(&mut Reader::new(&raw)).unwrap_or(Tx {
        version: 1,
        inputs: vec![],
        outputs: vec![],
        lock_time: 0,
    });
    let header = Header {
        version: 1,
        prev: [0; 32],
        merkle_root: cb.txid(),
        time: 1_296_688_602,
        bits: REGTEST_BITS,
        nonce: 2,
    };
    Block {
        header,
        txs: vec![cb],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesis_matches_bitcoin_core_regtest() {
        let g = regtest_genesis();
        assert_eq!(
            display_hex(&g.txs[0].txid()),
            "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
        );
        assert_eq!(
            display_hex(&g.header.hash()),
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
        );
        assert!(g.header.meets_target());
        let enc = g.encode();
        assert_eq!(Block::decode(&enc).unwrap(), g);
    }

    #[test]
    fn targets_and_difficulty() {
        let t = target_from_bits(REGTEST_BITS);
        assert_eq!(
            hex::encode(t),
            "7fffff0000000000000000000000000000000000000000000000000000000000"
        );
        let t = target_from_bits(0x1d00ffff);
        assert_eq!(
            hex::encode(t),
            "00000000ffff0000000000000000000000000000000000000000000000000000"
        );
        assert!((difficulty(0x1d00ffff) - 1.0).abs() < 1e-12);
        assert!((difficulty(REGTEST_BITS) - 4.656542373906925e-10).abs() < 1e-20);
        assert_eq!(block_work(REGTEST_BITS), 2);
    }

    #[test]
    fn segwit_roundtrip_and_sizes() {
        let tx = Tx {
            version: 2,
            inputs: vec![TxIn {
                prev_txid: [7; 32],
                prev_vout: 1,
                script_sig: vec![],
                sequence: 0xffff_fffd,
                witness: vec![vec![1; 72], vec![2; 33]],
            }],
            outputs: vec![TxOut {
                value: 1000,
                script_pubkey: vec![0x00, 0x14, 0xaa],
            }],
            lock_time: 0,
        };
        let enc = tx.encode(true);
        let back = Tx::decode(&mut Reader::new(&enc)).unwrap();
        assert_eq!(back, tx);
        assert_ne!(tx.txid(), tx.wtxid());
        assert!(tx.vsize() < tx.size());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Block::decode(&[]).is_err());
        assert_eq!(Block::decode(&[0u8; 81]).map(|b| b.txs.len()), Ok(0));
        assert!(Block::decode(&[0u8; 82]).is_err());
        let mut data = vec![0u8; 80];
        data.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(Block::decode(&data), Err(DecodeError::Count(..))));
        assert!(parse_display_hex("zz").is_none());
    }
}
