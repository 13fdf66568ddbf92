//! Block templates in BIP 22/23 shape: rendered from the IPC `BlockTemplate` (node 0.1.83 serde
//! layout) or normalised from a JSON-RPC `getblocktemplate` answer, so both channels serve the
//! same JSON; plus the rule "never serve a template whose parent is not the current tip".
//!
//! Byte order: IPC hashes are in internal order (sha256d output); BIP 22 hex hashes are in
//! display order (reversed), as JSON-RPC shows them.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::error::ConvertError;

/// BIP 22 `sigoplimit` of a block.
pub const SIGOP_LIMIT: u64 = 80_000;
/// BIP 22 `sizelimit` / BIP 141 `weightlimit`.
pub const WEIGHT_LIMIT: u64 = 4_000_000;

/// Bytes in JSON: either an array of numbers (serde of `Vec<u8>` / `[u8; 32]`, as the IPC types
/// serialise) or a hex string (same byte order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Hex(String),
            Arr(Vec<u8>),
        }
        match Repr::deserialize(d)? {
            Repr::Arr(v) => Ok(Bytes(v)),
            Repr::Hex(s) => hex::decode(&s)
                .map(Bytes)
                .map_err(|e| serde::de::Error::custom(format!("bad hex: {e}"))),
        }
    }
}

/// A 32-byte hash in internal byte order (array of 32 numbers or 64 hex characters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hash32(pub [u8; 32]);

impl<'de> Deserialize<'de> for Hash32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let b = Bytes::deserialize(d)?;
        <[u8; 32]>::try_from(b.0.as_slice())
            .map(Hash32)
            .map_err(|_| {
                serde::de::Error::custom(format!("a hash has 32 bytes, not {}", b.0.len()))
            })
    }
}

impl Hash32 {
    /// Display-order hex (reversed), as JSON-RPC shows hashes.
    pub fn display_hex(&self) -> String {
        let mut r = self.0;
        r.reverse();
        hex::encode(r)
    }
}

/// IPC `OutPoint`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct IpcOutPoint {
    /// Spent transaction (internal order).
    pub hash: Hash32,
    /// Output index.
    pub index: u32,
}

/// IPC `TransactionInput`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct IpcTxIn {
    /// Spent output.
    pub prevout: IpcOutPoint,
    /// Sequence (8 bytes on the IPC; must fit 4 on the Bitcoin wire).
    pub sequence: u64,
    /// Input script.
    pub script_sig: Bytes,
}

/// IPC `TransactionOutput`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct IpcTxOut {
    /// Value (sats).
    pub value: i64,
    /// Output script.
    pub script_pubkey: Bytes,
}

/// IPC `Transaction` (no witnesses).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct IpcTx {
    /// Version.
    pub version: u64,
    /// Inputs.
    pub inputs: Vec<IpcTxIn>,
    /// Outputs.
    pub outputs: Vec<IpcTxOut>,
    /// Lock time.
    pub lock_time: u64,
}

/// IPC `BlockHeader`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct IpcHeader {
    /// Version.
    pub version: i64,
    /// Parent (internal order).
    pub prev_block_hash: Hash32,
    /// Merkle root.
    pub merkle_root: Hash32,
    /// Time (s).
    pub timestamp: u64,
    /// Compact target.
    pub bits: u64,
    /// Nonce.
    pub nonce: u64,
}

/// IPC `BlockTemplate` (node 0.1.83: `target` is 64 hex characters, big-endian).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct IpcBlockTemplate {
    /// Header to mine on.
    pub header: IpcHeader,
    /// Coinbase transaction built by the node.
    pub coinbase_tx: IpcTx,
    /// Other transactions.
    pub transactions: Vec<IpcTx>,
    /// Target, 64 hex characters (cross-checked against `bits`).
    pub target: String,
    /// Height of the block being built.
    pub height: u64,
    /// Template time (s).
    pub timestamp: u64,
}

/// Options of [`render_ipc_template`].
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Known fees (sats) by display txid (e.g. from the mempool); a transaction without one has
    /// no `fee` key (BIP 22: unknown).
    pub fees: HashMap<String, i64>,
    /// `rules` to announce (default `["segwit"]`).
    pub rules: Option<Vec<String>>,
    /// A counter mixed into `longpollid` (e.g. the mempool generation).
    pub longpoll_seq: u64,
}

/// The 256-bit target (big-endian) of a compact `bits` value. Refuses negative, zero and
/// overflowing encodings.
pub fn bits_to_target(bits: u64) -> Result<[u8; 32], ConvertError> {
    let bits32 = u32::try_from(bits).map_err(|_| ConvertError::Bits(bits))?;
    let exponent = (bits32 >> 24) as usize;
    let mantissa = bits32 & 0x007f_ffff;
    if mantissa == 0 || bits32 & 0x0080_0000 != 0 {
        return Err(ConvertError::Bits(bits));
    }
    let m = mantissa.to_be_bytes(); // [0, b1, b2, b3]
    let mut out = [0u8; 32];
    // mantissa bytes m[1..4] occupy positions (from the right) exponent-1 .. exponent-3
    for (k, byte) in m[1..4].iter().enumerate() {
        let pos_from_right = exponent as isize - 1 - k as isize; // 0 = least significant
        if pos_from_right < 0 {
            continue;
        }
        if pos_from_right >= 32 {
            if *byte != 0 {
                return Err(ConvertError::Bits(bits));
            }
            continue;
        }
        out[31 - pos_from_right as usize] = *byte;
    }
    if out.iter().all(|b| *b == 0) {
        return Err(ConvertError::Bits(bits));
    }
    Ok(out)
}

/// The target of `bits` as 64 lowercase hex characters.
pub fn target_hex(bits: u64) -> Result<String, ConvertError> {
    bits_to_target(bits).map(hex::encode)
}

fn write_varint(out: &mut Vec<u8>, n: u64) {
    match n {
        0..=0xfc => out.push(n as u8),
        0xfd..=0xffff => {
            out.push(0xfd);
            out.extend_from_slice(&(n as u16).to_le_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xfe);
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        _ => {
            out.push(0xff);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

fn fit_u32(v: u64, what: &str, field: &str) -> Result<u32, ConvertError> {
    u32::try_from(v).map_err(|_| {
        ConvertError::field(what, field, "does not fit the 4 bytes of the Bitcoin wire")
    })
}

/// Serialises an IPC transaction in Bitcoin wire format (non-witness).
pub fn serialize_tx(tx: &IpcTx, what: &str) -> Result<Vec<u8>, ConvertError> {
    let mut out = Vec::with_capacity(64 + 48 * tx.inputs.len() + 40 * tx.outputs.len());
    serialize_tx_into(tx, &mut out, &|| what.to_string())?;
    Ok(out)
}

/// [`serialize_tx`] into a reused buffer; `what` names the transaction, only on error.
pub fn serialize_tx_into(
    tx: &IpcTx,
    out: &mut Vec<u8>,
    what: &dyn Fn() -> String,
) -> Result<(), ConvertError> {
    let fit = |v: u64, field: &dyn Fn() -> String| {
        u32::try_from(v).map_err(|_| {
            ConvertError::field(
                what(),
                field(),
                "does not fit the 4 bytes of the Bitcoin wire",
            )
        })
    };
    out.extend_from_slice(&fit(tx.version, &|| "version".into())?.to_le_bytes());
    write_varint(out, tx.inputs.len() as u64);
    for (i, inp) in tx.inputs.iter().enumerate() {
        out.extend_from_slice(&inp.prevout.hash.0);
        out.extend_from_slice(&inp.prevout.index.to_le_bytes());
        write_varint(out, inp.script_sig.0.len() as u64);
        out.extend_from_slice(&inp.script_sig.0);
        out.extend_from_slice(
            &fit(inp.sequence, &|| format!("inputs[{i}].sequence"))?.to_le_bytes(),
        );
    }
    write_varint(out, tx.outputs.len() as u64);
    for (i, o) in tx.outputs.iter().enumerate() {
        if o.value < 0 {
            return Err(ConvertError::field(
                what(),
                format!("outputs[{i}].value"),
                "is negative",
            ));
        }
        out.extend_from_slice(&o.value.to_le_bytes());
        write_varint(out, o.script_pubkey.0.len() as u64);
        out.extend_from_slice(&o.script_pubkey.0);
    }
    out.extend_from_slice(&fit(tx.lock_time, &|| "lock_time".into())?.to_le_bytes());
    Ok(())
}

/// sha256d of `data` (internal order).
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    let first = Sha256::digest(data);
    let second = Sha256::digest(first);
    let mut out = [0u8; 32];
    out.copy_from_slice(&second);
    out
}

fn is_hex_len(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Renders an IPC template (as JSON: the serde form of the IPC type, or the same with hex
/// strings for hashes and scripts) as BIP 22/23 JSON.
pub fn render_ipc_template(tpl: &Value, opts: &RenderOptions) -> Result<Value, ConvertError> {
    let t = IpcBlockTemplate::deserialize(tpl)
        .map_err(|e| ConvertError::input("IPC block template", e.to_string()))?;
    render_ipc(&t, opts)
}

/// A transaction of a served template (BIP 22).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bip22Tx {
    /// Serialised transaction, hex.
    pub data: String,
    /// Txid, display hex.
    pub txid: String,
    /// Hash (= txid: the IPC type has no witnesses).
    pub hash: String,
    /// 1-based indices of in-template parents.
    pub depends: Vec<usize>,
    /// Fee in sats, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<i64>,
    /// Weight (4 × size, no witness).
    pub weight: usize,
}

/// The coinbase of a served template (BIP 22 `coinbasetxn`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bip22Coinbase {
    /// Serialised coinbase, hex.
    pub data: String,
    /// Txid, display hex.
    pub txid: String,
    /// Hash (= txid).
    pub hash: String,
}

/// A served template rendered from the IPC (BIP 22/23 keys).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bip22Template {
    /// `["proposal"]`.
    pub capabilities: [&'static str; 1],
    /// Block version.
    pub version: i64,
    /// Rules.
    pub rules: Vec<String>,
    /// Always empty here.
    pub vbavailable: BTreeMap<String, u32>,
    /// 0.
    pub vbrequired: u32,
    /// Parent, display hex.
    pub previousblockhash: String,
    /// Transactions (coinbase excluded).
    pub transactions: Vec<Bip22Tx>,
    /// Empty.
    pub coinbaseaux: BTreeMap<String, String>,
    /// Σ coinbase outputs (sats).
    pub coinbasevalue: i64,
    /// The node's coinbase.
    pub coinbasetxn: Bip22Coinbase,
    /// `<parent><seq>`.
    pub longpollid: String,
    /// 64 hex characters, from `bits`.
    pub target: String,
    /// `["time", "transactions", "prevblock"]`.
    pub mutable: [&'static str; 3],
    /// `00000000ffffffff`.
    pub noncerange: &'static str,
    /// Sigop limit.
    pub sigoplimit: u64,
    /// Size limit.
    pub sizelimit: u64,
    /// Weight limit.
    pub weightlimit: u64,
    /// Template time (s).
    pub curtime: u64,
    /// Compact target, 8 hex characters.
    pub bits: String,
    /// Height.
    pub height: u64,
}

/// [`render_ipc_template`] on a decoded template.
pub fn render_ipc(t: &IpcBlockTemplate, opts: &RenderOptions) -> Result<Value, ConvertError> {
    serde_json::to_value(render_ipc_typed(t, opts)?)
        .map_err(|e| ConvertError::input("template", e.to_string()))
}

/// Renders an IPC template (JSON text) straight to the served JSON text, with no intermediate
/// JSON tree (the fast path for large templates).
pub fn render_ipc_json(tpl_json: &str, opts: &RenderOptions) -> Result<String, ConvertError> {
    let t: IpcBlockTemplate = serde_json::from_str(tpl_json)
        .map_err(|e| ConvertError::input("IPC block template", e.to_string()))?;
    serde_json::to_string(&render_ipc_typed(&t, opts)?)
        .map_err(|e| ConvertError::input("template", e.to_string()))
}

/// Renders a decoded IPC template as a typed BIP 22 template.
pub fn render_ipc_typed(
    t: &IpcBlockTemplate,
    opts: &RenderOptions,
) -> Result<Bip22Template, ConvertError> {
    let bits = fit_u32(t.header.bits, "IPC block template", "header.bits")?;
    let target = target_hex(u64::from(bits))?;
    if !t.target.is_empty() && !t.target.eq_ignore_ascii_case(&target) {
        tracing::warn!(ipc_target = %t.target, bits_target = %target, "IPC template target differs from its bits; serving the target of bits");
    }
    let prev = t.header.prev_block_hash.display_hex();
    let mut txids_internal: HashMap<[u8; 32], usize> = HashMap::with_capacity(t.transactions.len());
    let mut txs = Vec::with_capacity(t.transactions.len());
    let mut buf = Vec::with_capacity(512);
    for (i, tx) in t.transactions.iter().enumerate() {
        buf.clear();
        serialize_tx_into(tx, &mut buf, &|| {
            format!("IPC block template transactions[{i}]")
        })?;
        let id = sha256d(&buf);
        let txid = Hash32(id).display_hex();
        let mut depends: Vec<usize> = tx
            .inputs
            .iter()
            .filter_map(|inp| txids_internal.get(&inp.prevout.hash.0).map(|j| j + 1))
            .collect();
        if depends.len() > 1 {
            depends.sort_unstable();
            depends.dedup();
        }
        txids_internal.insert(id, i);
        txs.push(Bip22Tx {
            data: hex::encode(&buf),
            fee: opts.fees.get(&txid).copied(),
            hash: txid.clone(),
            txid,
            depends,
            weight: buf.len() * 4,
        });
    }
    let cb_what = "IPC block template coinbase_tx";
    let cb = serialize_tx(&t.coinbase_tx, cb_what)?;
    let cb_txid = Hash32(sha256d(&cb)).display_hex();
    let mut coinbasevalue: i64 = 0;
    for (i, o) in t.coinbase_tx.outputs.iter().enumerate() {
        coinbasevalue = coinbasevalue.checked_add(o.value).ok_or_else(|| {
            ConvertError::field(cb_what, format!("outputs[{i}].value"), "overflows")
        })?;
    }
    Ok(Bip22Template {
        capabilities: ["proposal"],
        version: t.header.version,
        rules: opts
            .rules
            .clone()
            .unwrap_or_else(|| vec!["segwit".to_string()]),
        vbavailable: BTreeMap::new(),
        vbrequired: 0,
        longpollid: format!("{prev}{}", opts.longpoll_seq),
        previousblockhash: prev,
        transactions: txs,
        coinbaseaux: BTreeMap::new(),
        coinbasevalue,
        coinbasetxn: Bip22Coinbase {
            data: hex::encode(&cb),
            hash: cb_txid.clone(),
            txid: cb_txid,
        },
        target,
        mutable: ["time", "transactions", "prevblock"],
        noncerange: "00000000ffffffff",
        sigoplimit: SIGOP_LIMIT,
        sizelimit: WEIGHT_LIMIT,
        weightlimit: WEIGHT_LIMIT,
        curtime: t.timestamp,
        bits: format!("{bits:08x}"),
        height: t.height,
    })
}

/// Keys kept from a JSON-RPC `getblocktemplate` answer (BIP 22/23/9/141); others are dropped so
/// both channels serve the same shape.
const KEPT_KEYS: [&str; 11] = [
    "capabilities",
    "rules",
    "vbavailable",
    "vbrequired",
    "coinbaseaux",
    "mintime",
    "mutable",
    "noncerange",
    "sigoplimit",
    "default_witness_commitment",
    "coinbasetxn",
];

/// Validates and normalises a JSON-RPC `getblocktemplate` answer into the served shape: checks
/// `previousblockhash` (64 hex), `height`, `bits` (8 hex), `coinbasevalue`, `curtime`,
/// `version` and each transaction's `data` / `txid`; lower-cases hashes; computes `target` from
/// `bits` (a `target` that disagrees is refused); fills `longpollid` and the limits when absent.
pub fn normalize_rpc_template(v: &Value) -> Result<Value, ConvertError> {
    const W: &str = "getblocktemplate answer";
    let o = v
        .as_object()
        .ok_or_else(|| ConvertError::input(W, "must be an object"))?;
    let get_u64 = |k: &str| {
        o.get(k)
            .and_then(Value::as_u64)
            .ok_or_else(|| ConvertError::field(W, k, "must be a non-negative integer"))
    };
    let prev = o
        .get("previousblockhash")
        .and_then(Value::as_str)
        .filter(|s| is_hex_len(s, 64))
        .ok_or_else(|| ConvertError::field(W, "previousblockhash", "must be 64 hex characters"))?
        .to_ascii_lowercase();
    let height = get_u64("height")?;
    let coinbasevalue = get_u64("coinbasevalue")?;
    let curtime = get_u64("curtime")?;
    let version = o
        .get("version")
        .and_then(Value::as_i64)
        .ok_or_else(|| ConvertError::field(W, "version", "must be an integer"))?;
    let bits_s = o
        .get("bits")
        .and_then(Value::as_str)
        .filter(|s| is_hex_len(s, 8))
        .ok_or_else(|| ConvertError::field(W, "bits", "must be 8 hex characters"))?
        .to_ascii_lowercase();
    let bits = u64::from_str_radix(&bits_s, 16)
        .map_err(|_| ConvertError::field(W, "bits", "must be 8 hex characters"))?;
    let target = target_hex(bits)?;
    if let Some(t) = o.get("target") {
        let ok = t.as_str().is_some_and(|s| s.eq_ignore_ascii_case(&target));
        if !ok {
            return Err(ConvertError::field(
                W,
                "target",
                format!("does not match bits {bits_s} (expected {target})"),
            ));
        }
    }
    let txs_in = o
        .get("transactions")
        .and_then(Value::as_array)
        .ok_or_else(|| ConvertError::field(W, "transactions", "must be an array"))?;
    let mut txs = Vec::with_capacity(txs_in.len());
    for (i, tx) in txs_in.iter().enumerate() {
        let f = |k: &str| format!("transactions[{i}].{k}");
        let to = tx.as_object().ok_or_else(|| {
            ConvertError::field(W, format!("transactions[{i}]"), "must be an object")
        })?;
        let data = to
            .get("data")
            .and_then(Value::as_str)
            .filter(|s| {
                !s.is_empty()
                    && s.len().is_multiple_of(2)
                    && s.bytes().all(|b| b.is_ascii_hexdigit())
            })
            .ok_or_else(|| ConvertError::field(W, f("data"), "must be non-empty hex"))?;
        let txid = to
            .get("txid")
            .and_then(Value::as_str)
            .filter(|s| is_hex_len(s, 64))
            .ok_or_else(|| ConvertError::field(W, f("txid"), "must be 64 hex characters"))?
            .to_ascii_lowercase();
        let hash = match to.get("hash") {
            None => txid.clone(),
            Some(h) => h
                .as_str()
                .filter(|s| is_hex_len(s, 64))
                .ok_or_else(|| ConvertError::field(W, f("hash"), "must be 64 hex characters"))?
                .to_ascii_lowercase(),
        };
        let mut n = Map::new();
        n.insert("data".into(), json!(data.to_ascii_lowercase()));
        n.insert("txid".into(), json!(txid));
        n.insert("hash".into(), json!(hash));
        let depends = match to.get("depends") {
            None => json!([]),
            Some(Value::Array(d))
                if d.iter()
                    .all(|x| x.as_u64().is_some_and(|k| k >= 1 && (k as usize) <= i)) =>
            {
                json!(d)
            }
            Some(_) => {
                return Err(ConvertError::field(
                    W,
                    f("depends"),
                    "must list earlier transactions (1-based)",
                ))
            }
        };
        n.insert("depends".into(), depends);
        if let Some(fee) = to.get("fee") {
            let fee = fee
                .as_i64()
                .ok_or_else(|| ConvertError::field(W, f("fee"), "must be an integer (sats)"))?;
            n.insert("fee".into(), json!(fee));
        }
        for k in ["sigops", "weight"] {
            if let Some(x) = to.get(k) {
                let x = x.as_u64().ok_or_else(|| {
                    ConvertError::field(W, f(k), "must be a non-negative integer")
                })?;
                n.insert(k.into(), json!(x));
            }
        }
        txs.push(Value::Object(n));
    }
    let mut out = Map::new();
    for k in KEPT_KEYS {
        if let Some(x) = o.get(k) {
            out.insert(k.into(), x.clone());
        }
    }
    out.entry("capabilities")
        .or_insert_with(|| json!(["proposal"]));
    out.entry("rules").or_insert_with(|| json!(["segwit"]));
    out.entry("vbavailable").or_insert_with(|| json!({}));
    out.entry("vbrequired").or_insert_with(|| json!(0));
    out.entry("coinbaseaux").or_insert_with(|| json!({}));
    out.entry("mutable")
        .or_insert_with(|| json!(["time", "transactions", "prevblock"]));
    out.entry("noncerange")
        .or_insert_with(|| json!("00000000ffffffff"));
    out.entry("sigoplimit")
        .or_insert_with(|| json!(SIGOP_LIMIT));
    out.insert("version".into(), json!(version));
    out.insert("previousblockhash".into(), json!(prev));
    out.insert("transactions".into(), Value::Array(txs));
    out.insert("coinbasevalue".into(), json!(coinbasevalue));
    let longpollid = match o.get("longpollid").and_then(Value::as_str) {
        Some(l) if !l.is_empty() => l.to_string(),
        _ => format!("{prev}0"),
    };
    out.insert("longpollid".into(), json!(longpollid));
    out.insert("target".into(), json!(target));
    out.insert(
        "sizelimit".into(),
        o.get("sizelimit").cloned().unwrap_or(json!(WEIGHT_LIMIT)),
    );
    out.insert(
        "weightlimit".into(),
        o.get("weightlimit").cloned().unwrap_or(json!(WEIGHT_LIMIT)),
    );
    out.insert("curtime".into(), json!(curtime));
    out.insert("bits".into(), json!(bits_s));
    out.insert("height".into(), json!(height));
    Ok(Value::Object(out))
}

/// Refuses a template whose parent is not `tip_hash` (display hex, any case): a template on a
/// stale parent must never be served.
pub fn check_parent(template: &Value, tip_hash: &str) -> Result<(), ConvertError> {
    let parent = template
        .get("previousblockhash")
        .and_then(Value::as_str)
        .ok_or_else(|| ConvertError::field("template", "previousblockhash", "is missing"))?;
    if parent.eq_ignore_ascii_case(tip_hash.trim()) {
        Ok(())
    } else {
        Err(ConvertError::StaleTemplate {
            parent: parent.to_string(),
            tip: tip_hash.to_string(),
        })
    }
}

/// The figures of a served template for the node thing: height, parent, transaction count,
/// total fees (only when every transaction's fee is known), coinbase value, target and bits.
pub fn template_summary(template: &Value) -> Value {
    let txs = template
        .get("transactions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let fees: Option<i64> = txs
        .iter()
        .map(|t| t.get("fee").and_then(Value::as_i64))
        .sum();
    let mut s = json!({
        "height": template.get("height"),
        "previousblockhash": template.get("previousblockhash"),
        "tx_count": txs.len(),
        "coinbasevalue": template.get("coinbasevalue"),
        "target": template.get("target"),
        "bits": template.get("bits"),
        "curtime": template.get("curtime"),
        "longpollid": template.get("longpollid"),
    });
    if let (Some(f), Some(o)) = (fees, s.as_object_mut()) {
        o.insert("fees".into(), json!(f));
    }
    s
}
