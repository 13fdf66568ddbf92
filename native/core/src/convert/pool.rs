//! The pool rack's ext data (`miningos-extdata-ui.md` §2.2) beyond what the miner book gives:
//! `stats-history` buckets, blocks found as `transactions` (coinbase revenue per UTC day, BTC),
//! `revenue_24h`, and recognising a block whose coinbase pays the configured payout.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::ConvertError;
use super::time::{align, utc_day, Timeframe, DAY_MS, HOUR_MS};

/// Satoshis per BTC.
pub const SATS_PER_BTC: f64 = 100_000_000.0;

/// A block found by this node's miners.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BlockFound {
    /// Block hash (display hex).
    pub hash: String,
    /// Height.
    pub height: u64,
    /// When it was found (ms).
    pub ts: u64,
    /// Coinbase revenue to the payout (sats).
    pub coinbase_sats: u64,
    /// How it was recognised (`BlockMined`, `payout`, `submitblock`).
    #[serde(default)]
    pub source: Option<String>,
}

fn parse_blocks(v: &Value) -> Result<Vec<BlockFound>, ConvertError> {
    let arr = v
        .as_array()
        .ok_or_else(|| ConvertError::input("blocks", "must be an array"))?;
    arr.iter()
        .enumerate()
        .map(|(i, b)| {
            serde_json::from_value(b.clone())
                .map_err(|e| ConvertError::input(format!("blocks[{i}]"), e.to_string()))
        })
        .collect()
}

/// `transactions` for `[start, end]` (ms, inclusive, by the block's time):
/// `[{ts: UTC day, transactions: [{ts, username, changed_balance (BTC), satoshis_net_earned,
/// blockHash, height, source}]}]`, days ascending, a block counted once.
pub fn transactions(
    blocks: &Value,
    start: u64,
    end: u64,
    username: &str,
) -> Result<Vec<Value>, ConvertError> {
    if start > end {
        return Err(ConvertError::Range(format!(
            "start {start} is after end {end}"
        )));
    }
    let mut seen = HashSet::new();
    let mut days: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    let mut blocks = parse_blocks(blocks)?;
    blocks.sort_by_key(|b| b.ts);
    for b in blocks {
        if b.ts < start || b.ts > end || !seen.insert(b.hash.to_ascii_lowercase()) {
            continue;
        }
        days.entry(utc_day(b.ts)).or_default().push(json!({
            "ts": b.ts,
            "username": username,
            "changed_balance": b.coinbase_sats as f64 / SATS_PER_BTC,
            "satoshis_net_earned": b.coinbase_sats,
            "blockHash": b.hash,
            "height": b.height,
            "source": b.source,
        }));
    }
    Ok(days
        .into_iter()
        .map(|(ts, txs)| json!({"ts": ts, "transactions": txs}))
        .collect())
}

/// `aggrHourly`: `[{ts: day, hourlyRevenues: [{ts: hour, revenue: BTC}]}]` from [`transactions`].
pub fn hourly_revenues(days: &[Value]) -> Vec<Value> {
    days.iter()
        .map(|d| {
            let mut hours: BTreeMap<u64, f64> = BTreeMap::new();
            for t in d.get("transactions").and_then(Value::as_array).into_iter().flatten() {
                let ts = t.get("ts").and_then(Value::as_u64).unwrap_or(0);
                *hours.entry(align(ts, HOUR_MS)).or_insert(0.0) +=
                    t.get("changed_balance").and_then(Value::as_f64).unwrap_or(0.0);
            }
            json!({
                "ts": d.get("ts"),
                "hourlyRevenues": hours.into_iter().map(|(ts, revenue)| json!({"ts": ts, "revenue": revenue})).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Coinbase revenue of the blocks found in the 24 hours up to `now_ms`, in BTC.
pub fn revenue_24h_btc(blocks: &Value, now_ms: u64) -> Result<f64, ConvertError> {
    let from = now_ms.saturating_sub(DAY_MS);
    let mut seen = HashSet::new();
    Ok(parse_blocks(blocks)?
        .into_iter()
        .filter(|b| b.ts > from && b.ts <= now_ms && seen.insert(b.hash.to_ascii_lowercase()))
        .map(|b| b.coinbase_sats as f64 / SATS_PER_BTC)
        .sum())
}

/// `stats-history` with `interval`: 5-minute rows `[{ts, stats: [Stat]}]` grouped into
/// `interval` buckets (`ts` = bucket start); each bucket keeps the last row's stats with
/// `hashrate` averaged over the bucket's rows (per pool entry, matched by `poolType` and
/// `username`). Without an interval, rows come back unchanged, sorted by `ts`.
pub fn stats_history(rows: &Value, interval: Option<&str>) -> Result<Vec<Value>, ConvertError> {
    let arr = rows
        .as_array()
        .ok_or_else(|| ConvertError::input("stats rows", "must be an array"))?;
    let mut rows: Vec<&Value> = arr.iter().collect();
    for (i, r) in rows.iter().enumerate() {
        if r.get("ts").and_then(Value::as_u64).is_none() {
            return Err(ConvertError::field(
                format!("stats rows[{i}]"),
                "ts",
                "must be a non-negative integer",
            ));
        }
        if !r.get("stats").is_some_and(Value::is_array) {
            return Err(ConvertError::field(
                format!("stats rows[{i}]"),
                "stats",
                "must be an array",
            ));
        }
    }
    rows.sort_by_key(|r| r.get("ts").and_then(Value::as_u64).unwrap_or(0));
    let Some(interval) = interval else {
        return Ok(rows.into_iter().cloned().collect());
    };
    let tf = Timeframe::parse(interval)?;
    if tf == Timeframe::Rtd {
        return Err(ConvertError::Interval(interval.to_string()));
    }
    let mut buckets: BTreeMap<u64, Vec<&Value>> = BTreeMap::new();
    for r in rows {
        let ts = r.get("ts").and_then(Value::as_u64).unwrap_or(0);
        buckets.entry(align(ts, tf.ms())).or_default().push(r);
    }
    let key = |s: &Value| {
        (
            s.get("poolType")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            s.get("username")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        )
    };
    Ok(buckets
        .into_iter()
        .map(|(ts, list)| {
            let mut sums: BTreeMap<(String, String), (f64, u64)> = BTreeMap::new();
            for r in &list {
                for s in r
                    .get("stats")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let e = sums.entry(key(s)).or_insert((0.0, 0));
                    e.0 += s.get("hashrate").and_then(Value::as_f64).unwrap_or(0.0);
                    e.1 += 1;
                }
            }
            let last = list
                .last()
                .and_then(|r| r.get("stats"))
                .and_then(Value::as_array);
            let stats: Vec<Value> = last
                .into_iter()
                .flatten()
                .map(|s| {
                    let mut s = s.clone();
                    if let (Some((sum, n)), Some(o)) =
                        (sums.get(&key(&s)).copied(), s.as_object_mut())
                    {
                        o.insert(
                            "hashrate".into(),
                            json!(if n == 0 { 0.0 } else { sum / n as f64 }),
                        );
                    }
                    s
                })
                .collect();
            json!({"ts": ts, "stats": stats})
        })
        .collect())
}

/// Sats a block's coinbase pays to `payout_script_hex`, from a `getblock` verbosity-2 answer
/// (`tx[0].vout[].{value (BTC), scriptPubKey.hex}`); `None` when it pays nothing there.
pub fn coinbase_payout_sats(
    block: &Value,
    payout_script_hex: &str,
) -> Result<Option<u64>, ConvertError> {
    let want = payout_script_hex.trim().to_ascii_lowercase();
    if want.is_empty()
        || !want.len().is_multiple_of(2)
        || !want.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(ConvertError::field(
            "payout",
            "script",
            "must be non-empty hex",
        ));
    }
    let vout = block
        .get("tx")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(|cb| cb.get("vout"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ConvertError::field(
                "block",
                "tx[0].vout",
                "is missing (getblock verbosity 2 expected)",
            )
        })?;
    let mut total: u64 = 0;
    let mut hit = false;
    for (i, o) in vout.iter().enumerate() {
        let script = o
            .get("scriptPubKey")
            .and_then(|s| s.get("hex"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ConvertError::field(
                    "block",
                    format!("tx[0].vout[{i}].scriptPubKey.hex"),
                    "is missing",
                )
            })?;
        if script.eq_ignore_ascii_case(&want) {
            let btc = o
                .get("value")
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    ConvertError::field(
                        "block",
                        format!("tx[0].vout[{i}].value"),
                        "must be a non-negative number (BTC)",
                    )
                })?;
            total += (btc * SATS_PER_BTC).round() as u64;
            hit = true;
        }
    }
    Ok(hit.then_some(total))
}

/// The pool `stats` document: `{ts: minute, stats: [stat]}` (the stat from
/// [`super::miners::MinerBook::pool_stat`]).
pub fn stats_doc(ts_minute: u64, stat: Value) -> Value {
    json!({"ts": ts_minute, "stats": [stat]})
}

/// `workers-count` entry.
pub fn workers_count_entry(ts: u64, count: usize) -> Value {
    let mut m = Map::new();
    m.insert("ts".into(), json!(ts));
    m.insert("count".into(), json!(count));
    Value::Object(m)
}
