//! JSON-RPC methods: the Bitcoin Core compatible subset the node answers, and `fake_*` controls.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use crate::btc::{self, display_hex, parse_display_hex, Block, Tx};
use crate::chain::{now_secs, BlockSource, Chain, MempoolEntry, StoredBlock, MAX_BLOCK_WEIGHT};
use crate::events::Ev;
use crate::rpc::{Restart, RpcError};
use crate::state::{CallReply, IpcMode, Node};

const SATS: f64 = 100_000_000.0;

/// Positional or named parameters.
struct Params(Value);

impl Params {
    fn get(&self, i: usize, name: &str) -> Option<&Value> {
        match &self.0 {
            Value::Array(a) => a.get(i),
            Value::Object(o) => o.get(name),
            _ => None,
        }
        .filter(|v| !v.is_null())
    }
    fn u64(&self, i: usize, name: &str) -> Result<Option<u64>, RpcError> {
        match self.get(i, name) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                RpcError::new(
                    -3,
                    format!("{name}: expected a non-negative integer, got {v}"),
                )
            }),
        }
    }
    fn f64(&self, i: usize, name: &str) -> Result<Option<f64>, RpcError> {
        match self.get(i, name) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| RpcError::new(-3, format!("{name}: expected a number, got {v}"))),
        }
    }
    fn str(&self, i: usize, name: &str) -> Result<Option<&str>, RpcError> {
        match self.get(i, name) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| RpcError::new(-3, format!("{name}: expected a string, got {v}"))),
        }
    }
    fn req_str(&self, i: usize, name: &str) -> Result<&str, RpcError> {
        self.str(i, name)?
            .ok_or_else(|| RpcError::new(-1, format!("missing required parameter {i} ({name})")))
    }
    fn bool_or_int(&self, i: usize, name: &str, default: u64) -> Result<u64, RpcError> {
        match self.get(i, name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(u64::from(*b)),
            Some(v) => v.as_u64().ok_or_else(|| {
                RpcError::new(-3, format!("{name}: expected a bool or integer, got {v}"))
            }),
        }
    }
    fn bool(&self, i: usize, name: &str, default: bool) -> Result<bool, RpcError> {
        match self.get(i, name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(RpcError::new(
                -3,
                format!("{name}: expected a bool, got {v}"),
            )),
        }
    }
}

fn hash_param(p: &Params, i: usize, name: &str) -> Result<btc::Hash, RpcError> {
    let s = p.req_str(i, name)?;
    if s.len() != 64 {
        return Err(RpcError::new(
            -8,
            format!("{name} must be of length 64 (not {}, for '{s}')", s.len()),
        ));
    }
    parse_display_hex(s)
        .ok_or_else(|| RpcError::new(-8, format!("{name} must be hexadecimal string (not '{s}')")))
}

fn btc_amount(sats: u64) -> Value {
    // 8 decimals, as Core prints amounts.
    let v = (sats as f64) / SATS;
    serde_json::Number::from_f64((v * SATS).round() / SATS).map_or(Value::Null, Value::Number)
}

fn bits_hex(bits: u32) -> String {
    format!("{bits:08x}")
}

fn chainwork_hex(w: u128) -> String {
    format!("{w:064x}")
}

fn tx_json(tx: &Tx, fee: Option<u64>) -> Value {
    let vin: Vec<Value> = tx
        .inputs
        .iter()
        .map(|i| {
            if tx.is_coinbase() {
                json!({"coinbase": hex::encode(&i.script_sig), "sequence": i.sequence})
            } else {
                json!({
                    "txid": display_hex(&i.prev_txid), "vout": i.prev_vout,
                    "scriptSig": {"asm": "", "hex": hex::encode(&i.script_sig)},
                    "sequence": i.sequence
                })
            }
        })
        .collect();
    let vout: Vec<Value> = tx
        .outputs
        .iter()
        .enumerate()
        .map(|(n, o)| {
            json!({"value": btc_amount(o.value.max(0) as u64), "n": n,
                   "scriptPubKey": {"asm": "", "hex": hex::encode(&o.script_pubkey), "type": "nonstandard"}})
        })
        .collect();
    let mut v = json!({
        "txid": display_hex(&tx.txid()), "hash": display_hex(&tx.wtxid()),
        "version": tx.version, "size": tx.size(), "vsize": tx.vsize(), "weight": tx.weight(),
        "locktime": tx.lock_time, "vin": vin, "vout": vout, "hex": hex::encode(tx.encode(true)),
    });
    if let (Some(f), Some(o)) = (fee, v.as_object_mut()) {
        o.insert("fee".into(), btc_amount(f));
    }
    v
}

fn header_json(c: &Chain, b: &StoredBlock) -> Map<String, Value> {
    let h = &b.block.header;
    let mut m = Map::new();
    m.insert("hash".into(), json!(display_hex(&b.hash)));
    m.insert("confirmations".into(), json!(c.confirmations(b)));
    m.insert("height".into(), json!(b.height));
    m.insert("version".into(), json!(h.version));
    m.insert("versionHex".into(), json!(format!("{:08x}", h.version)));
    m.insert("merkleroot".into(), json!(display_hex(&h.merkle_root)));
    m.insert("time".into(), json!(h.time));
    m.insert("mediantime".into(), json!(c.median_time_past(b.height)));
    m.insert("nonce".into(), json!(h.nonce));
    m.insert("bits".into(), json!(bits_hex(h.bits)));
    m.insert("difficulty".into(), json!(btc::difficulty(h.bits)));
    m.insert("chainwork".into(), json!(chainwork_hex(b.chainwork)));
    m.insert("nTx".into(), json!(b.block.txs.len()));
    if b.height > 0 {
        m.insert("previousblockhash".into(), json!(display_hex(&h.prev)));
    }
    if c.is_active(b) {
        if let Some(next) = c.at(b.height + 1) {
            m.insert("nextblockhash".into(), json!(display_hex(&next.hash)));
        }
    }
    m
}

/// Minimal address check (regtest/testnet/mainnet shapes) and the script it pays to.
fn address_script(addr: &str) -> Result<Vec<u8>, RpcError> {
    let ok_bech = addr.len() >= 14
        && (addr.starts_with("bcrt1") || addr.starts_with("tb1") || addr.starts_with("bc1"))
        && addr.bytes().skip(4).all(|b| b.is_ascii_alphanumeric());
    let ok_b58 = (26..=35).contains(&addr.len())
        && addr
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() && !b"0OIl".contains(&b));
    if !(ok_bech || ok_b58) {
        return Err(RpcError::new(-5, "Error: Invalid address"));
    }
    // A P2WSH-shaped script derived from the address text: deterministic, distinct per address.
    let mut s = vec![0x00, 0x20];
    s.extend_from_slice(&btc::sha256d(addr.as_bytes()));
    Ok(s)
}

async fn mining_gate(node: &Node) -> Result<(), RpcError> {
    node.stall
        .wait(node.cfg.stall_hang)
        .await
        .map_err(|reason| RpcError::new(-1, format!("node stalled (mining blocked): {reason}")))
}

/// Runs one method.
pub async fn dispatch(
    node: &Arc<Node>,
    restart: &mpsc::Sender<Restart>,
    method: &str,
    params: Value,
) -> Result<Value, RpcError> {
    let p = Params(params);
    match method {
        "getbestblockhash" => Ok(json!(display_hex(&node.chain().tip().hash))),
        "getblockcount" => Ok(json!(node.chain().height())),
        "getconnectioncount" => Ok(json!(node.chain().peers.len())),
        "uptime" => Ok(json!(node.started.elapsed().as_secs())),
        "getnetworkinfo" => Ok(getnetworkinfo(node)),
        "getblockchaininfo" => Ok(getblockchaininfo(node)),
        "getblockhash" => {
            let h = p
                .u64(0, "height")?
                .ok_or_else(|| RpcError::new(-1, "missing height"))?;
            node.chain()
                .at(h)
                .map(|b| json!(display_hex(&b.hash)))
                .ok_or_else(|| RpcError::new(-8, "Block height out of range"))
        }
        "getblock" => getblock(node, &p),
        "getblockheader" => getblockheader(node, &p),
        "getblocktemplate" => getblocktemplate(node, &p).await,
        "submitblock" => submitblock(node, &p).await,
        "generatetoaddress" => generatetoaddress(node, &p).await,
        "getmempoolinfo" => Ok(getmempoolinfo(&node.chain())),
        "getrawmempool" => Ok(getrawmempool(&node.chain(), p.bool(0, "verbose", false)?)),
        "estimatesmartfee" => estimatesmartfee(node, &p),
        "getpeerinfo" => Ok(getpeerinfo(&node.chain())),
        "getnettotals" => {
            let (recv, sent) = node.chain().net_totals;
            Ok(json!({"totalbytesrecv": recv, "totalbytessent": sent,
                      "timemillis": now_secs() * 1000,
                      "uploadtarget": {"timeframe": 86400, "target": 0, "target_reached": false,
                                       "serve_historical_blocks": true, "bytes_left_in_cycle": 0, "time_left_in_cycle": 0}}))
        }
        "getmininginfo" => {
            mining_gate(node).await?;
            let c = node.chain();
            Ok(
                json!({"blocks": c.height(), "difficulty": btc::difficulty(c.tip().block.header.bits),
                      "networkhashps": networkhashps(&c), "pooledtx": c.mempool.len(),
                      "chain": node.cfg.network, "warnings": ""}),
            )
        }
        "listmodules" => Ok(listmodules(node)),
        m if m.starts_with("fake_") => control(node, restart, m, &p).await,
        _ => Err(RpcError::new(-32601, "Method not found")),
    }
}

fn client_version(subversion: &str) -> u64 {
    let v = subversion
        .trim_matches('/')
        .rsplit(':')
        .next()
        .unwrap_or("");
    let mut parts = v.split('.').map(|s| s.parse::<u64>().unwrap_or(0));
    let (a, b, c) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    a * 1_000_000 + b * 10_000 + c * 100
}

fn getnetworkinfo(node: &Node) -> Value {
    let c = node.chain();
    let inbound = c.peers.iter().filter(|p| p.inbound).count();
    json!({
        "version": client_version(&node.cfg.subversion),
        "subversion": node.cfg.subversion,
        "protocolversion": 70016,
        "localservices": "0000000000000409",
        "localservicesnames": ["NETWORK", "WITNESS", "NETWORK_LIMITED"],
        "localrelay": true, "timeoffset": 0, "networkactive": true,
        "connections": c.peers.len(), "connections_in": inbound, "connections_out": c.peers.len() - inbound,
        "networks": [{"name": "ipv4", "limited": false, "reachable": true, "proxy": "", "proxy_randomize_credentials": false}],
        "relayfee": 0.00001, "incrementalfee": 0.00001, "localaddresses": [], "warnings": ""
    })
}

fn getblockchaininfo(node: &Node) -> Value {
    let (ibd, behind) = *node.lock(&node.ibd);
    let c = node.chain();
    let tip = c.tip();
    json!({
        "chain": node.cfg.network, "blocks": c.height(), "headers": c.height() + behind,
        "bestblockhash": display_hex(&tip.hash), "difficulty": btc::difficulty(tip.block.header.bits),
        "time": tip.block.header.time, "mediantime": c.median_time_past(c.height()),
        "verificationprogress": if ibd { 0.5 } else { 1.0 }, "initialblockdownload": ibd,
        "chainwork": chainwork_hex(tip.chainwork), "size_on_disk": c.height() * 250 + 293,
        "pruned": false, "warnings": ""
    })
}

fn getblock(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let hash = hash_param(p, 0, "blockhash")?;
    let verbosity = p.bool_or_int(1, "verbosity", 1)?;
    let c = node.chain();
    let b = c
        .get(&hash)
        .ok_or_else(|| RpcError::new(-5, "Block not found"))?;
    if verbosity == 0 {
        return Ok(json!(hex::encode(b.block.encode())));
    }
    let mut m = header_json(&c, b);
    let enc = b.block.encode();
    let stripped: usize = 80
        + 1
        + b.block
            .txs
            .iter()
            .map(|t| t.encode(false).len())
            .sum::<usize>();
    m.insert("size".into(), json!(enc.len()));
    m.insert("strippedsize".into(), json!(stripped));
    m.insert("weight".into(), json!(stripped * 3 + enc.len()));
    let txs: Vec<Value> = if verbosity >= 2 {
        b.block
            .txs
            .iter()
            .zip(&b.fees)
            .map(|(t, f)| tx_json(t, if t.is_coinbase() { None } else { Some(*f) }))
            .collect()
    } else {
        b.block
            .txs
            .iter()
            .map(|t| json!(display_hex(&t.txid())))
            .collect()
    };
    m.insert("tx".into(), Value::Array(txs));
    Ok(Value::Object(m))
}

fn getblockheader(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let hash = hash_param(p, 0, "blockhash")?;
    let verbose = p.bool(1, "verbose", true)?;
    let c = node.chain();
    let b = c
        .get(&hash)
        .ok_or_else(|| RpcError::new(-5, "Block not found"))?;
    if !verbose {
        return Ok(json!(hex::encode(b.block.header.encode())));
    }
    Ok(Value::Object(header_json(&c, b)))
}

fn networkhashps(c: &Chain) -> f64 {
    // work of the last 120 blocks over their time span
    let h = c.height();
    if h == 0 {
        return 0.0;
    }
    let from = h.saturating_sub(120);
    let (Some(a), Some(b)) = (c.at(from), c.at(h)) else {
        return 0.0;
    };
    let span = (u64::from(b.block.header.time))
        .saturating_sub(u64::from(a.block.header.time))
        .max(1);
    (b.chainwork - a.chainwork) as f64 / span as f64
}

fn witness_commitment(txs: &[MempoolEntry]) -> String {
    let mut ids = vec![[0u8; 32]];
    ids.extend(txs.iter().map(|e| e.tx.wtxid()));
    let root = btc::merkle_root(&ids);
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(&root);
    let c = btc::sha256d(&buf);
    format!("6a24aa21a9ed{}", hex::encode(c))
}

async fn getblocktemplate(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let req = p.get(0, "template_request").cloned().unwrap_or(Value::Null);
    let has_segwit = req
        .get("rules")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|x| x.as_str() == Some("segwit")));
    if !has_segwit {
        return Err(RpcError::new(
            -8,
            "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})",
        ));
    }
    if let Some(mode) = req.get("mode").and_then(Value::as_str) {
        if mode != "template" {
            return Err(RpcError::new(-8, "Invalid mode"));
        }
    }
    mining_gate(node).await?;
    // Long polling is not implemented by the node: a longpollid returns at once.
    let (t, v) =
        {
            let c = node.chain();
            let t = c.template();
            let txs: Vec<Value> = t
            .txs
            .iter()
            .map(|e| json!({
                "data": hex::encode(e.tx.encode(true)), "txid": display_hex(&e.txid),
                "hash": display_hex(&e.tx.wtxid()), "depends": [], "fee": e.fee, "sigops": 4,
                "weight": e.weight
            }))
            .collect();
            let v = json!({
                "capabilities": ["proposal"], "version": t.version,
                "rules": ["csv", "!segwit", "taproot"], "vbavailable": {}, "vbrequired": 0,
                "previousblockhash": display_hex(&t.prev), "transactions": txs,
                "coinbaseaux": {}, "coinbasevalue": t.coinbase_value, "longpollid": t.longpollid,
                "target": hex::encode(btc::target_from_bits(t.bits)), "mintime": t.mintime,
                "mutable": ["time", "transactions", "prevblock"], "noncerange": "00000000ffffffff",
                "sigoplimit": 80000, "sizelimit": 4_000_000, "weightlimit": MAX_BLOCK_WEIGHT,
                "curtime": t.curtime, "bits": bits_hex(t.bits), "height": t.height,
                "default_witness_commitment": witness_commitment(&t.txs)
            });
            (t, v)
        };
    node.bus.publish(vec![Ev::BlockTemplateUpdated {
        prev_hash: t.prev,
        height: t.height,
        tx_count: t.txs.len(),
    }]);
    Ok(v)
}

async fn submitblock(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let hexdata = p.req_str(0, "hexdata")?;
    let bytes = hex::decode(hexdata).map_err(|_| RpcError::new(-22, "Block decode failed"))?;
    let block = Block::decode(&bytes).map_err(|_| RpcError::new(-22, "Block decode failed"))?;
    if !matches!(block.txs.first(), Some(t) if t.is_coinbase()) {
        return Err(RpcError::new(-22, "Block does not start with a coinbase"));
    }
    mining_gate(node).await?;
    let res = node.chain().submit(block, node.cfg.rpc_source());
    match res {
        Ok(evs) => {
            node.bus.publish(evs);
            Ok(Value::Null)
        }
        Err(r) => Ok(json!(r.to_string())),
    }
}

async fn generatetoaddress(node: &Node, p: &Params) -> Result<Value, RpcError> {
    if node.cfg.network != "regtest" {
        return Err(RpcError::new(-32601, "Method not found (regtest only)"));
    }
    let n = p
        .u64(0, "nblocks")?
        .ok_or_else(|| RpcError::new(-1, "missing nblocks"))?;
    let script = address_script(p.req_str(1, "address")?)?;
    if n > 10_000 {
        return Err(RpcError::new(-8, "nblocks must be at most 10000"));
    }
    mining_gate(node).await?;
    let (hashes, evs) = node.chain().mine(n, &script, node.cfg.rpc_source());
    node.bus.publish(evs);
    Ok(json!(hashes.iter().map(display_hex).collect::<Vec<_>>()))
}

fn getmempoolinfo(c: &Chain) -> Value {
    let bytes: usize = c.mempool.iter().map(|e| e.vsize).sum();
    let fee: u64 = c.mempool.iter().map(|e| e.fee).sum();
    json!({
        "loaded": true, "size": c.mempool.len(), "bytes": bytes, "usage": bytes * 4,
        "total_fee": btc_amount(fee), "maxmempool": 300_000_000, "mempoolminfee": 0.00001,
        "minrelaytxfee": 0.00001, "incrementalrelayfee": 0.00001, "unbroadcastcount": 0, "fullrbf": true
    })
}

fn getrawmempool(c: &Chain, verbose: bool) -> Value {
    if !verbose {
        return json!(c
            .mempool
            .iter()
            .map(|e| display_hex(&e.txid))
            .collect::<Vec<_>>());
    }
    let mut m = Map::new();
    for e in &c.mempool {
        let fee = btc_amount(e.fee);
        m.insert(
            display_hex(&e.txid),
            json!({
                "vsize": e.vsize, "weight": e.weight, "time": e.time, "height": e.height,
                "descendantcount": 1, "descendantsize": e.vsize, "ancestorcount": 1, "ancestorsize": e.vsize,
                "wtxid": display_hex(&e.tx.wtxid()),
                "fees": {"base": fee, "modified": fee, "ancestor": fee, "descendant": fee},
                "depends": [], "spentby": [], "bip125-replaceable": true, "unbroadcast": false
            }),
        );
    }
    Value::Object(m)
}

fn estimatesmartfee(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let target = p
        .u64(0, "conf_target")?
        .ok_or_else(|| RpcError::new(-1, "missing conf_target"))?;
    if !(1..=1008).contains(&target) {
        return Err(RpcError::new(
            -8,
            "Invalid conf_target, must be between 1 and 1008",
        ));
    }
    if let Some(mode) = p.str(1, "estimate_mode")? {
        if !["unset", "economical", "conservative"].contains(&mode.to_ascii_lowercase().as_str()) {
            return Err(RpcError::new(-8, "Invalid estimate_mode parameter, must be one of: \"unset\", \"economical\", \"conservative\""));
        }
    }
    let c = node.chain();
    Ok(match c.fee_estimate(target as u32) {
        // sat/vB → BTC/kvB
        Some(r) => json!({"feerate": btc_amount(r * 1000), "blocks": target}),
        None => json!({"errors": ["Insufficient data or no feerate found"], "blocks": 0}),
    })
}

fn getpeerinfo(c: &Chain) -> Value {
    let now = now_secs();
    json!(c
        .peers
        .iter()
        .map(|p| json!({
            "id": p.id, "addr": p.addr, "addrbind": "127.0.0.1:18444", "network": "ipv4",
            "services": format!("{:016x}", p.services), "servicesnames": ["NETWORK", "WITNESS", "NETWORK_LIMITED"],
            "relaytxes": true, "lastsend": now, "lastrecv": now, "last_transaction": 0, "last_block": 0,
            "bytessent": p.bytes_sent, "bytesrecv": p.bytes_recv, "conntime": p.conntime, "timeoffset": 0,
            "pingtime": 0.001, "minping": 0.001, "version": p.version, "subver": p.subver,
            "inbound": p.inbound, "bip152_hb_to": false, "bip152_hb_from": false,
            "startingheight": p.starting_height, "presynced_headers": -1,
            "synced_headers": c.height(), "synced_blocks": c.height(),
            "connection_type": if p.inbound { "inbound" } else { "outbound-full-relay" },
            "transport_protocol_type": "v1"
        }))
        .collect::<Vec<_>>())
}

fn listmodules(node: &Node) -> Value {
    match &*node.lock(&node.module) {
        Some(m) => {
            json!([{"name": m.name, "version": m.version, "state": if m.exit.is_some() { "Stopped" } else { "Running" }}])
        }
        None => json!([]),
    }
}

/// Mines on the node's own miner (used by `--auto-mine` and `fake_mine`).
pub async fn own_mine(
    node: &Node,
    count: u64,
    source: BlockSource,
) -> Result<Vec<btc::Hash>, RpcError> {
    mining_gate(node).await?;
    let (hashes, evs) = node.chain().mine(count, &[0x51], source);
    node.bus.publish(evs);
    Ok(hashes)
}

fn parse_source(node: &Node, s: Option<&str>) -> Result<BlockSource, RpcError> {
    match s.unwrap_or("miner") {
        "miner" => Ok(BlockSource::Miner),
        "peer" => Ok(BlockSource::Peer),
        "rpc" => Ok(node.cfg.rpc_source()),
        other => Err(RpcError::new(
            -8,
            format!("source must be miner, peer or rpc (not '{other}')"),
        )),
    }
}

fn parse_hash_or_random(p: &Params, i: usize, name: &str) -> Result<btc::Hash, RpcError> {
    match p.get(i, name) {
        None => Ok(rand::random()),
        Some(_) => hash_param(p, i, name),
    }
}

async fn control(
    node: &Arc<Node>,
    restart: &mpsc::Sender<Restart>,
    method: &str,
    p: &Params,
) -> Result<Value, RpcError> {
    match method {
        // fake_mine {count=1, source="miner"|"peer"|"rpc"}
        "fake_mine" => {
            let n = p.u64(0, "count")?.unwrap_or(1);
            let source = parse_source(node, p.str(1, "source")?)?;
            let hashes = own_mine(node, n, source).await?;
            Ok(json!(hashes.iter().map(display_hex).collect::<Vec<_>>()))
        }
        // fake_reorg {depth}
        "fake_reorg" => {
            let depth = p
                .u64(0, "depth")?
                .ok_or_else(|| RpcError::new(-1, "missing depth"))?;
            mining_gate(node).await?;
            let (old, res) = {
                let mut c = node.chain();
                (c.tip().hash, c.reorg(depth, &[0x52]))
            };
            let (hashes, evs) = res.map_err(|e| RpcError::new(-8, e))?;
            node.bus.publish(evs);
            Ok(
                json!({"old_tip": display_hex(&old), "new_tip": hashes.last().map(display_hex),
                      "connected": hashes.iter().map(display_hex).collect::<Vec<_>>()}),
            )
        }
        // fake_addmempooltx {fee_rate (sat/vB), vsize=141, count=1}
        "fake_addmempooltx" => {
            let rate = p.f64(0, "fee_rate")?.unwrap_or(1.0);
            let vsize = p.u64(1, "vsize")?.unwrap_or(141);
            let count = p.u64(2, "count")?.unwrap_or(1);
            if !(rate.is_finite() && rate >= 0.0 && (60..=400_000).contains(&vsize))
                || count > 100_000
            {
                return Err(RpcError::new(
                    -8,
                    "fee_rate must be >= 0, vsize in 60..=400000, count <= 100000",
                ));
            }
            let mut ids = Vec::new();
            let mut evs = Vec::new();
            {
                let mut c = node.chain();
                for _ in 0..count {
                    let (id, e) = c.add_synthetic_tx(rate, vsize as usize);
                    ids.push(display_hex(&id));
                    evs.extend(e);
                }
            }
            node.bus.publish(evs);
            Ok(json!(ids))
        }
        // fake_removemempooltx {txid}
        "fake_removemempooltx" => {
            let id = hash_param(p, 0, "txid")?;
            let evs = node
                .chain()
                .remove_tx(&id)
                .ok_or_else(|| RpcError::new(-5, "Transaction not in mempool"))?;
            node.bus.publish(evs);
            Ok(Value::Null)
        }
        // fake_connectpeer {addr, inbound=false, subver}
        "fake_connectpeer" => {
            let addr = p.req_str(0, "addr")?.to_string();
            let inbound = p.bool(1, "inbound", false)?;
            let subver = p
                .str(2, "subver")?
                .unwrap_or("/Satoshi:27.0.0/")
                .to_string();
            let (id, evs) = node.chain().connect_peer(addr, inbound, subver);
            node.bus.publish(evs);
            Ok(json!(id))
        }
        // fake_disconnectpeer {addr}
        "fake_disconnectpeer" => {
            let addr = p.req_str(0, "addr")?;
            let evs = node
                .chain()
                .disconnect_peer(addr)
                .ok_or_else(|| RpcError::new(-29, "Node not found in connected nodes"))?;
            node.bus.publish(evs);
            Ok(Value::Null)
        }
        // fake_setsync {ibd, headers_ahead}
        "fake_setsync" => {
            let ibd = p.bool(0, "ibd", false)?;
            let ahead = p.u64(1, "headers_ahead")?.unwrap_or(0);
            *node.lock(&node.ibd) = (ibd, ahead);
            Ok(Value::Null)
        }
        // fake_stratumconnect {endpoint, protocol_version=2}
        "fake_stratumconnect" => {
            let endpoint = p.req_str(0, "endpoint")?.to_string();
            let pv = p.u64(1, "protocol_version")?.unwrap_or(2);
            node.bus.publish(vec![Ev::StratumClientConnected {
                endpoint,
                protocol_version: u32::try_from(pv)
                    .map_err(|_| RpcError::new(-8, "protocol_version too large"))?,
            }]);
            Ok(Value::Null)
        }
        // fake_stratumdisconnect {endpoint, reason}
        "fake_stratumdisconnect" => {
            let endpoint = p.req_str(0, "endpoint")?.to_string();
            let reason = p
                .str(1, "reason")?
                .unwrap_or("connection closed")
                .to_string();
            node.bus
                .publish(vec![Ev::StratumClientDisconnected { endpoint, reason }]);
            Ok(Value::Null)
        }
        // fake_sharesubmitted {job_id, miner_id, share_hash?, count=1}
        "fake_sharesubmitted" => {
            let job_id = p.str(0, "job_id")?.unwrap_or("1").to_string();
            let miner_id = p.str(1, "miner_id")?.map(str::to_string);
            let count = p.u64(3, "count")?.unwrap_or(1);
            let mut evs = Vec::new();
            for _ in 0..count.min(100_000) {
                evs.push(Ev::ShareSubmitted {
                    job_id: job_id.clone(),
                    share_hash: parse_hash_or_random(p, 2, "share_hash")?,
                    miner_id: miner_id.clone(),
                });
            }
            node.bus.publish(evs);
            Ok(Value::Null)
        }
        // fake_setcallmodulereply {mode: ok|error|unavailable, payload, error, method?}
        "fake_setcallmodulereply" => {
            let mode = p.req_str(0, "mode")?;
            let reply = match mode {
                "ok" => CallReply::Ok {
                    payload: match p.get(1, "payload") {
                        None => "{\"ok\":true}".to_string(),
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                    },
                },
                "error" => CallReply::Error {
                    error: p.str(2, "error")?.unwrap_or("module error").to_string(),
                },
                "unavailable" => CallReply::Unavailable,
                other => {
                    return Err(RpcError::new(
                        -8,
                        format!("mode must be ok, error or unavailable (not '{other}')"),
                    ))
                }
            };
            let method = p.str(3, "method")?.map(str::to_string);
            let mut r = node.lock(&node.call_replies);
            r.retain(|(m, _)| *m != method);
            r.push((method, reply));
            Ok(Value::Null)
        }
        "fake_status" => Ok(status(node)),
        // fake_invoke {kind: "cli"|"module_api", module_id?, subcommand, args, method, params, timeout_ms=60000}
        "fake_invoke" => invoke(node, p).await,
        // fake_watchdog {module_id, delay_ms=100}: what the node does after spawning a module,
        // without a process (for tests that play the module themselves).
        "fake_watchdog" => {
            let module_id = p.req_str(0, "module_id")?.to_string();
            let delay = Duration::from_millis(p.u64(1, "delay_ms")?.unwrap_or(100));
            let name = module_id.split('_').next().unwrap_or_default().to_string();
            {
                let mut st = node.lock(&node.ipc);
                st.watchdog.expected = true;
                st.watchdog.module_id = Some(module_id.clone());
            }
            tokio::spawn(crate::ipc::watchdog(
                node.clone(),
                module_id,
                name,
                "0.1.0".into(),
                delay,
            ));
            Ok(Value::Null)
        }
        // fake_rpcrestart {down_ms=200, new_cookie=false}
        "fake_rpcrestart" => {
            let down = Duration::from_millis(p.u64(0, "down_ms")?.unwrap_or(200));
            let new_cookie = p.bool(1, "new_cookie", false)?;
            restart
                .send(Restart { down, new_cookie })
                .await
                .map_err(|_| RpcError::new(-1, "rpc server is not running"))?;
            Ok(Value::Null)
        }
        _ => Err(RpcError::new(-32601, "Method not found")),
    }
}

async fn invoke(node: &Node, p: &Params) -> Result<Value, RpcError> {
    use blvm_miningos_core::ipc::{InvocationResultPayload, InvocationType};
    let kind = p.req_str(0, "kind")?;
    let module_id = p.str(1, "module_id")?;
    let timeout = Duration::from_millis(p.u64(6, "timeout_ms")?.unwrap_or(60_000));
    let inv = match kind {
        "cli" => InvocationType::Cli {
            subcommand: p.req_str(2, "subcommand")?.to_string(),
            args: match p.get(3, "args") {
                None => vec![],
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| RpcError::new(-3, "args must be strings"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(RpcError::new(-3, "args must be an array of strings")),
            },
        },
        "module_api" => InvocationType::ModuleApi {
            method: p.req_str(4, "method")?.to_string(),
            params: match p.get(5, "params") {
                None => vec![],
                Some(Value::String(s)) => s.clone().into_bytes(),
                Some(v) => v.to_string().into_bytes(),
            },
            caller_module_id: "blvm".into(),
        },
        other => {
            return Err(RpcError::new(
                -8,
                format!("kind must be cli or module_api (not '{other}')"),
            ))
        }
    };
    let r = crate::ipc::invoke(node, module_id, inv, timeout)
        .await
        .map_err(|e| RpcError::new(-1, e))?;
    let payload = match r.payload {
        None => Value::Null,
        Some(InvocationResultPayload::Cli {
            stdout,
            stderr,
            exit_code,
        }) => {
            json!({"cli": {"stdout": stdout, "stderr": stderr, "exit_code": exit_code}})
        }
        Some(InvocationResultPayload::ModuleApi(b)) => {
            json!({"module_api": String::from_utf8_lossy(&b)})
        }
        Some(InvocationResultPayload::Rpc(_)) => {
            json!({"rpc": "opaque (untagged JSON cannot be decoded)"})
        }
    };
    Ok(json!({"success": r.success, "payload": payload, "error": r.error}))
}

/// Everything a test may want to assert on.
pub fn status(node: &Node) -> Value {
    let (height, tip, mempool, peers) = {
        let c = node.chain();
        (
            c.height(),
            display_hex(&c.tip().hash),
            c.mempool.len(),
            c.peers.len(),
        )
    };
    json!({
        "pid": std::process::id(),
        "ipc_mode": node.cfg.ipc_mode,
        "node_version": node.cfg.node_version(),
        "subversion": node.cfg.subversion,
        "socket_path": node.cfg.socket_path(),
        "chain": {"height": height, "tip": tip, "mempool": mempool, "peers": peers},
        "rpc_requests": node.rpc_requests.load(Ordering::Relaxed),
        "stall": node.stall.status(),
        "ipc": node.lock(&node.ipc).to_json(),
        "events": node.bus.status(),
        "module": *node.lock(&node.module),
        "call_module_default": node.call_reply(""),
        "single_mode": node.cfg.ipc_mode == IpcMode::Single,
    })
}
