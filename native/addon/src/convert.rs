//! N-API surface of `convert`: the stateful `MinerBook` and `NodeAlerts` classes (JSON batches in,
//! JSON out, one crossing per batch) and pure functions. Every error carries `err.code`.

use std::collections::HashMap;

use blvm_miningos_core::convert::{
    self as core, node_thing, pool, statlog, template, time, ConvertError,
};
use napi::Result;
use napi_derive::napi;
use serde_json::Value;

use crate::errors::{coded, CodeStatus};

/// A JS number of milliseconds as u64 (finite, non-negative, integral part taken).
fn ms(v: f64, name: &str) -> Result<u64, CodeStatus> {
    if (0.0..=9_007_199_254_740_991.0).contains(&v) {
        Ok(v as u64)
    } else {
        Err(coded(ConvertError::field(
            "arguments",
            name,
            "must be a non-negative number of milliseconds",
        )))
    }
}

/// JavaScript numbers arrive as `f64` even when integral (`1795633200000` becomes
/// `1795633200000.0`); turn integral values within ±2^53 back into integers so the core's integer
/// fields (timestamps, heights, counts) read them.
fn ints(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_991.0 => {
                if f >= 0.0 {
                    Value::from(f as u64)
                } else {
                    Value::from(f as i64)
                }
            }
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(ints).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, ints(v))).collect()),
        other => other,
    }
}

/// Parses a JSON string argument (`what` names it in errors).
fn parse(text: &str, what: &str) -> Result<Value, CodeStatus> {
    serde_json::from_str(text)
        .map_err(|e| coded(ConvertError::input(what, format!("not valid JSON: {e}"))))
}

/// Serialises a result to a JSON string.
fn stringify(v: &Value) -> Result<String, CodeStatus> {
    serde_json::to_string(v).map_err(|e| coded(ConvertError::input("result", e.to_string())))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, CodeStatus> {
    serde_json::to_value(v).map_err(|e| coded(ConvertError::input("result", e.to_string())))
}

/// The miner book: miners by host address, share counters, hashrate estimates, snapshots in the
/// MiningOS miner schema, pool workers and stats.
#[napi(js_name = "MinerBook")]
pub struct JsMinerBook {
    inner: core::MinerBook,
}

#[napi]
impl JsMinerBook {
    /// `config`: `{share_difficulty, pool_url, pool_username, auto_register, idle_after_ms,
    /// thing_type, pool_rack_username}` (all optional; unknown keys refused).
    #[napi(constructor)]
    pub fn new(config: Option<Value>) -> Result<Self, CodeStatus> {
        let cfg: core::MinerBookConfig = match config {
            None | Some(Value::Null) => core::MinerBookConfig::default(),
            Some(v) => serde_json::from_value(ints(v))
                .map_err(|e| coded(ConvertError::input("miner book config", e.to_string())))?,
        };
        Ok(Self {
            inner: core::MinerBook::new(cfg).map_err(coded)?,
        })
    }

    /// Applies a batch of events (`[{type, ...}]`); returns `{applied, ignored, unattributed,
    /// unknown_miner, errors: [{index, code, message}]}`.
    #[napi]
    pub fn ingest(&mut self, events: Value, now_ms: f64) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        let r = self.inner.ingest(&ints(events), now).map_err(coded)?;
        to_json(&r)
    }

    /// `ingest` with the batch as a JSON string (cheaper across N-API for large batches).
    #[napi]
    pub fn ingest_json(&mut self, events_json: String, now_ms: f64) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        let events = parse(&events_json, "events")?;
        let r = self.inner.ingest(&events, now).map_err(coded)?;
        to_json(&r)
    }

    /// `snapshots` as a JSON string (same paging).
    #[napi]
    pub fn snapshots_json(
        &mut self,
        now_ms: f64,
        commit: Option<bool>,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<String, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        stringify(&Value::Array(self.inner.snapshots_page(
            now,
            commit.unwrap_or(false),
            offset.unwrap_or(0) as usize,
            limit.map_or(usize::MAX, |l| l as usize),
        )))
    }

    /// `workers` as a JSON string.
    #[napi]
    pub fn workers_json(&self, now_ms: f64) -> Result<String, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        stringify(&Value::Array(self.inner.workers(now)))
    }

    /// Reconciles with a `get_connected_miners` answer (`{miners: [endpoint]}` or an array).
    #[napi]
    pub fn sync_connected(&mut self, answer: Value, now_ms: f64) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        let r = self
            .inner
            .sync_connected(&ints(answer), now)
            .map_err(coded)?;
        to_json(&r)
    }

    /// Says whether Stratum V2 data can be had, and why not.
    #[napi]
    pub fn set_stratum_status(
        &mut self,
        available: bool,
        reason: Option<String>,
        now_ms: f64,
    ) -> Result<(), CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        self.inner.set_stratum_status(available, reason, now);
        Ok(())
    }

    /// Registers an operator's miner (`id` = thing id, `address` = host, port ignored).
    #[napi]
    pub fn register(&mut self, id: String, address: String, now_ms: f64) -> Result<(), CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        self.inner.register(&id, &address, now).map_err(coded)
    }

    /// Restores an auto-registered miner kept by the rack across a restart (stays "auto").
    #[napi]
    pub fn restore(&mut self, id: String, address: String, now_ms: f64) -> Result<(), CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        self.inner.restore(&id, &address, now).map_err(coded)
    }

    /// Forgets a miner; true when it existed.
    #[napi]
    pub fn forget(&mut self, id: String) -> bool {
        self.inner.forget(&id)
    }

    /// Thing ids, sorted.
    #[napi]
    pub fn ids(&self) -> Vec<String> {
        self.inner.ids()
    }

    /// Number of miners.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The id of the miner at a host address, or null.
    #[napi]
    pub fn id_for_address(&self, address: String) -> Result<Option<String>, CodeStatus> {
        self.inner.id_for_address(&address).map_err(coded)
    }

    /// One miner's `last.snap`; with `commit`, `all_pools_shares` restarts from here.
    #[napi]
    pub fn snapshot(
        &mut self,
        id: String,
        now_ms: f64,
        commit: Option<bool>,
    ) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        self.inner
            .snapshot(&id, now, commit.unwrap_or(false))
            .map_err(coded)
    }

    /// Every miner's snapshot: `[{id, address, registered, snap}]`, sorted by id; `offset` /
    /// `limit` page through them so a large collection can be spread over event-loop turns.
    #[napi]
    pub fn snapshots(
        &mut self,
        now_ms: f64,
        commit: Option<bool>,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        Ok(Value::Array(self.inner.snapshots_page(
            now,
            commit.unwrap_or(false),
            offset.unwrap_or(0) as usize,
            limit.map_or(usize::MAX, |l| l as usize),
        )))
    }

    /// Approximate heap bytes held by the book (share windows, records, maps; for benchmarks).
    #[napi(getter)]
    pub fn approx_heap_bytes(&self) -> f64 {
        self.inner.approx_heap_bytes() as f64
    }

    /// The `stat-*` entry over every miner at the aligned `ts`. `info`: `{<id>: thing info}`;
    /// `alerts`: `{<id>: [severity]}`.
    #[napi]
    pub fn stat_entry(
        &self,
        now_ms: f64,
        ts: f64,
        info: Option<Value>,
        alerts: Option<Value>,
    ) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        let ts = ms(ts, "ts")?;
        let info: HashMap<String, Value> = match info {
            None | Some(Value::Null) => HashMap::new(),
            Some(v) => serde_json::from_value(ints(v))
                .map_err(|e| coded(ConvertError::input("info", e.to_string())))?,
        };
        let alerts: HashMap<String, Vec<String>> = match alerts {
            None | Some(Value::Null) => HashMap::new(),
            Some(v) => serde_json::from_value(v)
                .map_err(|e| coded(ConvertError::input("alerts", e.to_string())))?,
        };
        Ok(Value::Object(
            self.inner.stat_entry(now, ts, &info, &alerts),
        ))
    }

    /// The pool rack's workers (`name` = thing id, H/s).
    #[napi]
    pub fn workers(&self, now_ms: f64) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        Ok(Value::Array(self.inner.workers(now)))
    }

    /// The pool rack's `Stat` (H/s, worker counts, `revenue_24h` in BTC when given).
    #[napi]
    pub fn pool_stat(
        &self,
        now_ms: f64,
        ts: f64,
        revenue_btc: Option<f64>,
    ) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        let ts = ms(ts, "ts")?;
        Ok(self.inner.pool_stat(now, ts, revenue_btc))
    }
}

/// Node alerts with stable uuids while they last.
#[napi(js_name = "NodeAlerts")]
pub struct JsNodeAlerts {
    inner: node_thing::NodeAlerts,
}

#[napi]
impl JsNodeAlerts {
    /// `conf`: `conf.thing.alerts['node-blvm']`; `params`: `{stale_tip_after_ms, min_peers,
    /// template_max_age_ms, min_sync_progress}` (optional).
    #[napi(constructor)]
    pub fn new(conf: Value, params: Option<Value>) -> Result<Self, CodeStatus> {
        let params: node_thing::NodeAlertParams = match params {
            None | Some(Value::Null) => node_thing::NodeAlertParams::default(),
            Some(v) => serde_json::from_value(ints(v))
                .map_err(|e| coded(ConvertError::input("alert params", e.to_string())))?,
        };
        Ok(Self {
            inner: node_thing::NodeAlerts::new(&ints(conf), params).map_err(coded)?,
        })
    }

    /// Evaluates a node state: `{alerts, raised, cleared}`.
    #[napi]
    pub fn evaluate(&mut self, state: Value, now_ms: f64) -> Result<Value, CodeStatus> {
        let now = ms(now_ms, "nowMs")?;
        let s = node_thing::NodeState::from_json(&ints(state)).map_err(coded)?;
        to_json(&self.inner.evaluate(&s, now))
    }
}

/// The node thing's `last.snap` from a node state.
#[napi]
pub fn node_snapshot(
    state: Value,
    now_ms: f64,
    min_sync_progress: Option<f64>,
) -> Result<Value, CodeStatus> {
    let now = ms(now_ms, "nowMs")?;
    let s = node_thing::NodeState::from_json(&ints(state)).map_err(coded)?;
    Ok(node_thing::node_snapshot(
        &s,
        now,
        min_sync_progress.unwrap_or(0.9999),
    ))
}

/// A `stat-*` entry over thing views (`listThings` with `status`) at the aligned `ts`.
#[napi]
pub fn stat_entry(views: Value, ts: f64) -> Result<Value, CodeStatus> {
    let ts = ms(ts, "ts")?;
    statlog::stat_entry_from_views(&ints(views), ts)
        .map(Value::Object)
        .map_err(coded)
}

/// `ts` aligned to the cron boundary of a timeframe (`rtd`, `5m`, `30m`, `3h`, `1D`, or `1m`).
#[napi]
pub fn align_ts(ts: f64, timeframe: String) -> Result<f64, CodeStatus> {
    let ts = ms(ts, "ts")?;
    let period = if timeframe == "1m" {
        time::MINUTE_MS
    } else {
        time::Timeframe::parse(&timeframe).map_err(coded)?.ms()
    };
    Ok(time::align(ts, period) as f64)
}

/// The 256-bit target (64 hex) of compact `bits`.
#[napi]
pub fn bits_to_target(bits: u32) -> Result<String, CodeStatus> {
    template::target_hex(u64::from(bits)).map_err(coded)
}

/// Options of `renderIpcTemplate`.
#[napi(object)]
pub struct RenderTemplateOptions {
    /// Known fees (sats) by display txid.
    pub fees: Option<HashMap<String, i64>>,
    /// `rules` to announce (default `["segwit"]`).
    pub rules: Option<Vec<String>>,
    /// Counter mixed into `longpollid`.
    pub longpoll_seq: Option<u32>,
}

/// BIP 22/23 JSON from an IPC `BlockTemplate` (serde JSON; hashes/scripts as arrays or hex).
#[napi]
pub fn render_ipc_template(
    tpl: Value,
    options: Option<RenderTemplateOptions>,
) -> Result<Value, CodeStatus> {
    let mut opts = template::RenderOptions::default();
    if let Some(o) = options {
        opts.fees = o.fees.unwrap_or_default();
        opts.rules = o.rules;
        opts.longpoll_seq = u64::from(o.longpoll_seq.unwrap_or(0));
    }
    template::render_ipc_template(&ints(tpl), &opts).map_err(coded)
}

/// `renderIpcTemplate` with the template as a JSON string, returning the BIP 22 JSON string
/// (ready to serve; no object crossing N-API).
#[napi]
pub fn render_ipc_template_json(
    tpl_json: String,
    options: Option<RenderTemplateOptions>,
) -> Result<String, CodeStatus> {
    let mut opts = template::RenderOptions::default();
    if let Some(o) = options {
        opts.fees = o.fees.unwrap_or_default();
        opts.rules = o.rules;
        opts.longpoll_seq = u64::from(o.longpoll_seq.unwrap_or(0));
    }
    template::render_ipc_json(&tpl_json, &opts).map_err(coded)
}

/// `normalizeRpcTemplate` on the answer's JSON text, returning the served JSON string.
#[napi]
pub fn normalize_rpc_template_json(answer_json: String) -> Result<String, CodeStatus> {
    let answer = parse(&answer_json, "getblocktemplate answer")?;
    stringify(&template::normalize_rpc_template(&answer).map_err(coded)?)
}

/// A JSON-RPC `getblocktemplate` answer, validated and normalised to the served shape.
#[napi]
pub fn normalize_rpc_template(answer: Value) -> Result<Value, CodeStatus> {
    template::normalize_rpc_template(&ints(answer)).map_err(coded)
}

/// Throws `ERR_TEMPLATE_STALE` when the template's parent is not `tipHash`.
#[napi]
pub fn check_template_parent(tpl: Value, tip_hash: String) -> Result<(), CodeStatus> {
    template::check_parent(&ints(tpl), &tip_hash).map_err(coded)
}

/// The figures of a template for the node thing.
#[napi]
pub fn template_summary(tpl: Value) -> Value {
    template::template_summary(&ints(tpl))
}

/// The pool rack's `transactions` for `[start, end]`.
#[napi]
pub fn pool_transactions(
    blocks: Value,
    start: f64,
    end: f64,
    username: String,
    aggr_hourly: Option<bool>,
) -> Result<Value, CodeStatus> {
    let start = ms(start, "start")?;
    let end = ms(end, "end")?;
    let days = pool::transactions(&ints(blocks), start, end, &username).map_err(coded)?;
    Ok(Value::Array(if aggr_hourly.unwrap_or(false) {
        pool::hourly_revenues(&days)
    } else {
        days
    }))
}

/// Coinbase revenue (BTC) of the blocks found in the 24 h up to `nowMs`.
#[napi(js_name = "poolRevenue24h")]
pub fn pool_revenue_24h(blocks: Value, now_ms: f64) -> Result<f64, CodeStatus> {
    let now = ms(now_ms, "nowMs")?;
    pool::revenue_24h_btc(&ints(blocks), now).map_err(coded)
}

/// `stats-history` rows, bucketed by `interval` when given.
#[napi(js_name = "poolStatsHistory")]
pub fn pool_stats_history(rows: Value, interval: Option<String>) -> Result<Value, CodeStatus> {
    pool::stats_history(&ints(rows), interval.as_deref())
        .map(Value::Array)
        .map_err(coded)
}

/// Sats a block's coinbase (`getblock` verbosity 2) pays to `payoutScriptHex`, or null.
#[napi]
pub fn coinbase_payout_sats(
    block: Value,
    payout_script_hex: String,
) -> Result<Option<f64>, CodeStatus> {
    pool::coinbase_payout_sats(&ints(block), &payout_script_hex)
        .map(|o| o.map(|s| s as f64))
        .map_err(coded)
}
