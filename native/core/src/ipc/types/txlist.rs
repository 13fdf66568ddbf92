//! [`TxList`]: the transactions of a [`super::BlockTemplate`], decoded lazily.
//!
//! A 4 MB template holds thousands of transactions; decoding them into owned structs costs
//! ~6 allocations each and a per-byte serde walk over every 32-byte hash.
//! [`decode_message`](super::decode_message) therefore only *validates* the transaction list
//! (every length and bound is checked, so every transaction is known to decode) and keeps its
//! bytes (shared with the frame when decoded with `decode_message_bytes`, so the frame's buffer
//! stays alive as long as the list); transactions are materialised on access ([`TxList::get`], [`TxList::iter`], [`TxList::to_vec`]). A list built
//! from values ([`From<Vec<Transaction>>`], `collect()`) holds them as they are. Equality, `Debug`
//! and serialisation look at the transactions, never at the representation.

use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::data::{OutPoint, Transaction, TransactionInput, TransactionOutput};

/// Smallest encoded transaction: version, input count, output count, lock time.
const MIN_TX_LEN: usize = 32;
/// Smallest encoded input: outpoint (32 + 4), sequence, script length.
const MIN_INPUT_LEN: usize = 52;
/// Smallest encoded output: value, script length.
const MIN_OUTPUT_LEN: usize = 16;

/// The transactions of a block template (coinbase excluded), possibly still encoded.
#[derive(Clone)]
pub struct TxList {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Decoded(Vec<Transaction>),
    /// bincode bytes of the transactions (no count prefix) and each one's start offset.
    Encoded {
        bytes: Bytes,
        starts: Vec<u32>,
    },
}

impl TxList {
    /// Number of transactions.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Decoded(v) => v.len(),
            Repr::Encoded { starts, .. } => starts.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the transactions are still encoded (decoded on access).
    pub fn is_lazy(&self) -> bool {
        matches!(self.repr, Repr::Encoded { .. })
    }

    /// Transaction `i` (decoded now if the list is lazy).
    pub fn get(&self, i: usize) -> Option<Transaction> {
        match &self.repr {
            Repr::Decoded(v) => v.get(i).cloned(),
            Repr::Encoded { bytes, starts } => {
                let start = *starts.get(i)? as usize;
                let end = starts.get(i + 1).map_or(bytes.len(), |e| *e as usize);
                let mut r = Reader::new(bytes.get(start..end)?);
                read_tx(&mut r).ok()
            }
        }
    }

    /// The encoded size of transaction `i` in bytes (bincode layout), without decoding it.
    pub fn encoded_len(&self, i: usize) -> Option<usize> {
        match &self.repr {
            Repr::Decoded(v) => v
                .get(i)
                .and_then(|t| bincode::serialized_size(t).ok())
                .map(|n| n as usize),
            Repr::Encoded { bytes, starts } => {
                let start = *starts.get(i)? as usize;
                let end = starts.get(i + 1).map_or(bytes.len(), |e| *e as usize);
                end.checked_sub(start)
            }
        }
    }

    /// The transactions, in order (decoded one by one if the list is lazy).
    pub fn iter(&self) -> impl Iterator<Item = Transaction> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// All transactions as a vector.
    pub fn to_vec(&self) -> Vec<Transaction> {
        match &self.repr {
            Repr::Decoded(v) => v.clone(),
            Repr::Encoded { .. } => self.iter().collect(),
        }
    }

    /// All transactions as a vector, consuming the list.
    pub fn into_vec(self) -> Vec<Transaction> {
        match self.repr {
            Repr::Decoded(v) => v,
            Repr::Encoded { .. } => self.iter().collect(),
        }
    }

    /// Validates the bincode encoding of a `Vec<Transaction>` at the start of `input` (u64 count,
    /// then the transactions) and keeps its bytes. Returns the list and the bytes consumed.
    /// `owner`, when given, holds `input` at `owner_offset`: the list then shares it (no copy).
    pub(crate) fn scan(
        input: &[u8],
        owner: Option<(&Bytes, usize)>,
    ) -> Result<(TxList, usize), String> {
        let mut r = Reader::new(input);
        let count = r.u64()?;
        let body_at = r.pos;
        let cap = usize::try_from(count)
            .unwrap_or(usize::MAX)
            .min(r.remaining() / MIN_TX_LEN);
        let mut starts = Vec::with_capacity(cap);
        for i in 0..count {
            let at = r.pos - body_at;
            let at =
                u32::try_from(at).map_err(|_| "transaction list larger than 4 GiB".to_string())?;
            starts.push(at);
            skip_tx(&mut r).map_err(|e| format!("transaction {i}: {e}"))?;
        }
        let end = r.pos;
        let bytes = match owner {
            Some((b, off)) if off + end <= b.len() => b.slice(off + body_at..off + end),
            _ => Bytes::copy_from_slice(&input[body_at..end]),
        };
        Ok((
            TxList {
                repr: Repr::Encoded { bytes, starts },
            },
            end,
        ))
    }
}

impl Default for TxList {
    fn default() -> Self {
        TxList {
            repr: Repr::Decoded(Vec::new()),
        }
    }
}

impl From<Vec<Transaction>> for TxList {
    fn from(v: Vec<Transaction>) -> Self {
        TxList {
            repr: Repr::Decoded(v),
        }
    }
}

impl FromIterator<Transaction> for TxList {
    fn from_iter<T: IntoIterator<Item = Transaction>>(iter: T) -> Self {
        TxList::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl PartialEq for TxList {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for TxList {}

impl fmt::Debug for TxList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for TxList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match &self.repr {
            Repr::Decoded(v) => v.serialize(s),
            Repr::Encoded { .. } => {
                let mut seq = s.serialize_seq(Some(self.len()))?;
                for t in self.iter() {
                    seq.serialize_element(&t)?;
                }
                seq.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for TxList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Transaction>::deserialize(d).map(TxList::from)
    }
}

/// A bounds-checked little-endian reader over a slice (bincode fixint layout).
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| {
                format!(
                    "needs {n} bytes at offset {}, {} left",
                    self.pos,
                    self.remaining()
                )
            })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, String> {
        self.u64().map(|v| v as i64)
    }

    pub(crate) fn hash(&mut self) -> Result<[u8; 32], String> {
        let mut h = [0u8; 32];
        h.copy_from_slice(self.take(32)?);
        Ok(h)
    }

    /// A `u64` length that must fit in what is left (each element at least `min_elem` bytes).
    pub(crate) fn count(&mut self, min_elem: usize) -> Result<usize, String> {
        let n = self.u64()?;
        let fits = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(min_elem.max(1)))
            .is_some_and(|total| total <= self.remaining());
        if fits {
            Ok(n as usize)
        } else {
            Err(format!(
                "length {n} at offset {} exceeds the {} bytes left",
                self.pos - 8,
                self.remaining()
            ))
        }
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.count(1)?;
        self.take(n)
    }

    pub(crate) fn string(&mut self) -> Result<String, String> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|e| format!("invalid UTF-8 in a string: {e}"))
    }

    pub(crate) fn bool(&mut self) -> Result<bool, String> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(format!("invalid bool {v}")),
        }
    }
}

fn skip_tx(r: &mut Reader<'_>) -> Result<(), String> {
    r.take(8)?; // version
    let ins = r.count(MIN_INPUT_LEN)?;
    for _ in 0..ins {
        r.take(32 + 4 + 8)?;
        r.bytes()?;
    }
    let outs = r.count(MIN_OUTPUT_LEN)?;
    for _ in 0..outs {
        r.take(8)?;
        r.bytes()?;
    }
    r.take(8)?; // lock_time
    Ok(())
}

/// Decodes one transaction (bincode layout of [`Transaction`]).
pub(crate) fn read_tx(r: &mut Reader<'_>) -> Result<Transaction, String> {
    let version = r.u64()?;
    let ins = r.count(MIN_INPUT_LEN)?;
    let mut inputs = Vec::with_capacity(ins);
    for _ in 0..ins {
        let hash = r.hash()?;
        let index = r.u32()?;
        let sequence = r.u64()?;
        let script_sig = r.bytes()?.to_vec();
        inputs.push(TransactionInput {
            prevout: OutPoint { hash, index },
            sequence,
            script_sig,
        });
    }
    let outs = r.count(MIN_OUTPUT_LEN)?;
    let mut outputs = Vec::with_capacity(outs);
    for _ in 0..outs {
        let value = r.i64()?;
        let script_pubkey = r.bytes()?.to_vec();
        outputs.push(TransactionOutput {
            value,
            script_pubkey,
        });
    }
    let lock_time = r.u64()?;
    Ok(Transaction {
        version,
        inputs,
        outputs,
        lock_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(n: u8) -> Transaction {
        Transaction {
            version: 2,
            inputs: vec![TransactionInput {
                prevout: OutPoint {
                    hash: [n; 32],
                    index: n as u32,
                },
                sequence: 7,
                script_sig: vec![n; n as usize],
            }],
            outputs: vec![TransactionOutput {
                value: n as i64,
                script_pubkey: vec![0x51],
            }],
            lock_time: 9,
        }
    }

    #[test]
    fn scan_then_access_equals_the_values() {
        let v: Vec<Transaction> = (0..5).map(tx).collect();
        let bytes = bincode::serialize(&v).unwrap();
        let (lazy, used) = TxList::scan(&bytes, None).unwrap();
        assert_eq!(used, bytes.len());
        assert!(lazy.is_lazy());
        assert_eq!(lazy.len(), 5);
        assert_eq!(lazy.get(3), Some(tx(3)));
        assert_eq!(lazy.get(5), None);
        assert_eq!(lazy, TxList::from(v.clone()));
        assert_eq!(lazy.to_vec(), v);
        assert_eq!(bincode::serialize(&lazy).unwrap(), bytes);
        assert_eq!(
            lazy.encoded_len(1),
            Some(bincode::serialized_size(&tx(1)).unwrap() as usize)
        );
    }

    #[test]
    fn scan_rejects_every_truncation_and_huge_counts() {
        let v: Vec<Transaction> = (0..3).map(tx).collect();
        let bytes = bincode::serialize(&v).unwrap();
        for cut in 0..bytes.len() {
            assert!(TxList::scan(&bytes[..cut], None).is_err(), "cut at {cut}");
        }
        let mut huge = u64::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(&[0; 64]);
        assert!(TxList::scan(&huge, None).is_err());
    }
}
