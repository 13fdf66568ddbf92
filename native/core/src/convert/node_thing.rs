//! The node thing (type `node-blvm`, tag `t-node`): its `last.snap` from a node-view state, and
//! its alerts (`node_not_synced`, `no_block_template`, `stale_tip`, `low_peer_count`,
//! `node_unreachable`, `ipc_unavailable`) with stable uuids while they last.
//!
//! Every figure in the snapshot says where it came from (`source`) and how old it is
//! (`age_ms`); a figure that cannot be had is absent and listed in `stats.unavailable` with the
//! reason. As in MiningOS, only alerts configured in `conf.thing.alerts['node-blvm']` are raised.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::ConvertError;

/// The node thing's type.
pub const NODE_THING_TYPE: &str = "node-blvm";
/// The node thing's tag (never `t-miner`).
pub const NODE_THING_TAG: &str = "t-node";
/// The alert names this module raises.
pub const ALERT_NAMES: [&str; 6] = [
    "node_unreachable",
    "node_not_synced",
    "stale_tip",
    "low_peer_count",
    "no_block_template",
    "ipc_unavailable",
];

/// Provenance of a figure.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct Provenance {
    /// Channel (`rpc`, `ipc`, `module`).
    pub source: Option<String>,
    /// When it was read (ms).
    pub at_ms: Option<u64>,
}

/// The chain tip.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct TipFigure {
    /// Tip hash (display hex).
    pub hash: Option<String>,
    /// Tip height.
    pub height: Option<u64>,
    /// Tip block time (Unix seconds).
    pub time: Option<u64>,
    /// Provenance.
    #[serde(flatten)]
    pub from: Provenance,
}

/// Sync state.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct SyncFigure {
    /// Initial block download in progress.
    pub initial_block_download: Option<bool>,
    /// Verification progress 0..1.
    pub verification_progress: Option<f64>,
    /// Best header height.
    pub headers: Option<u64>,
    /// Best block height.
    pub blocks: Option<u64>,
    /// Provenance.
    #[serde(flatten)]
    pub from: Provenance,
}

/// Peer count.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct PeersFigure {
    /// Connected peers.
    pub count: Option<u64>,
    /// Provenance.
    #[serde(flatten)]
    pub from: Provenance,
}

/// Mempool figures.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct MempoolFigure {
    /// Transactions.
    pub count: Option<u64>,
    /// Virtual size in bytes (`getmempoolinfo.bytes`).
    pub bytes: Option<u64>,
    /// Memory usage in bytes.
    pub usage: Option<u64>,
    /// Total fees in sats.
    pub total_fee_sats: Option<u64>,
    /// Minimum fee rate accepted (sat/vB).
    pub min_fee_rate: Option<f64>,
    /// Fee estimates: conf target (blocks) → sat/vB.
    pub fee_estimates: Option<BTreeMap<String, f64>>,
    /// Provenance.
    #[serde(flatten)]
    pub from: Provenance,
}

/// The current template (its summary, see [`super::template::template_summary`]).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct TemplateFigure {
    /// Summary of the served template.
    pub summary: Option<Value>,
    /// Why there is none / the last error.
    pub error: Option<String>,
    /// Provenance.
    #[serde(flatten)]
    pub from: Provenance,
}

/// IPC channel state.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct IpcFigure {
    /// Configured mode (`auto`, `on`, `off`).
    pub mode: Option<String>,
    /// State (`connected`, `not_used`, `unavailable`, ...).
    pub state: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// What the node view knows, as the glue assembles it (every part optional).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct NodeState {
    /// JSON-RPC reachable (None = not yet known).
    pub reachable: Option<bool>,
    /// The last JSON-RPC error (code or message).
    pub rpc_error: Option<String>,
    /// Node version (e.g. `0.1.83`).
    pub version: Option<String>,
    /// Node `subversion`.
    pub subversion: Option<String>,
    /// Chain tip.
    pub tip: Option<TipFigure>,
    /// Sync state.
    pub sync: Option<SyncFigure>,
    /// Peers.
    pub peers: Option<PeersFigure>,
    /// Mempool.
    pub mempool: Option<MempoolFigure>,
    /// Template.
    pub template: Option<TemplateFigure>,
    /// Whether templates are enabled (`[template] enabled`).
    pub template_enabled: Option<bool>,
    /// IPC state.
    pub ipc: Option<IpcFigure>,
    /// Channel status (passed through: which channel serves what and why).
    pub channels: Option<Value>,
    /// Capabilities granted (passed through).
    pub capabilities: Option<Value>,
    /// Stratum V2 availability: `{available, reason}` (passed through).
    pub stratum: Option<Value>,
}

impl NodeState {
    /// Parses a node state from JSON.
    pub fn from_json(v: &Value) -> Result<Self, ConvertError> {
        serde_json::from_value(v.clone())
            .map_err(|e| ConvertError::input("node state", e.to_string()))
    }

    fn synced(&self, min_progress: f64) -> Option<bool> {
        let s = self.sync.as_ref()?;
        let ibd = s.initial_block_download?;
        let progress_ok = s.verification_progress.is_none_or(|p| p >= min_progress);
        let headers_ok = match (s.headers, s.blocks) {
            (Some(h), Some(b)) => h <= b + 1,
            _ => true,
        };
        Some(!ibd && progress_ok && headers_ok)
    }
}

fn age(from: &Provenance, now: u64) -> Value {
    match from.at_ms {
        Some(a) => json!(now.saturating_sub(a)),
        None => Value::Null,
    }
}

fn with_from(mut v: Value, from: &Provenance, now: u64) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.insert("source".into(), json!(from.source));
        o.insert("at_ms".into(), json!(from.at_ms));
        o.insert("age_ms".into(), age(from, now));
    }
    v
}

/// The node thing's `last.snap` at `now_ms`.
pub fn node_snapshot(state: &NodeState, now_ms: u64, min_sync_progress: f64) -> Value {
    let mut stats = Map::new();
    let mut unavailable = Map::new();
    let unreachable = state.reachable == Some(false);
    let why_missing = |fallback: &str| -> String {
        if unreachable {
            format!(
                "node unreachable over JSON-RPC{}",
                state
                    .rpc_error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            )
        } else {
            fallback.to_string()
        }
    };
    let synced = state.synced(min_sync_progress);
    let status = if unreachable {
        "offline"
    } else if state.reachable.is_none() {
        "unknown"
    } else if synced == Some(false) {
        "syncing"
    } else {
        "online"
    };
    stats.insert("status".into(), json!(status));
    match &state.tip {
        Some(t) if t.hash.is_some() && !unreachable => {
            let tip_age = t
                .time
                .map(|s| now_ms.saturating_sub(s.saturating_mul(1000)));
            stats.insert(
                "chain".into(),
                with_from(
                    json!({"tip_height": t.height, "tip_hash": t.hash, "tip_time": t.time, "tip_age_ms": tip_age}),
                    &t.from,
                    now_ms,
                ),
            );
        }
        _ => {
            unavailable.insert("chain".into(), json!(why_missing("tip not read yet")));
        }
    }
    match &state.sync {
        Some(s) if !unreachable => {
            stats.insert(
                "sync".into(),
                with_from(
                    json!({
                        "synced": synced,
                        "initial_block_download": s.initial_block_download,
                        "progress": s.verification_progress,
                        "headers": s.headers,
                        "blocks": s.blocks,
                    }),
                    &s.from,
                    now_ms,
                ),
            );
        }
        _ => {
            unavailable.insert("sync".into(), json!(why_missing("sync state not read yet")));
        }
    }
    match &state.peers {
        Some(p) if p.count.is_some() && !unreachable => {
            stats.insert(
                "peers".into(),
                with_from(json!({"count": p.count}), &p.from, now_ms),
            );
        }
        _ => {
            unavailable.insert(
                "peers".into(),
                json!(why_missing("peer count not read yet")),
            );
        }
    }
    match &state.mempool {
        Some(m) if !unreachable => {
            let mut o = Map::new();
            for (k, v) in [
                ("tx_count", m.count),
                ("bytes", m.bytes),
                ("usage", m.usage),
                ("total_fee_sats", m.total_fee_sats),
            ] {
                if let Some(v) = v {
                    o.insert(k.into(), json!(v));
                }
            }
            if let Some(r) = m.min_fee_rate {
                o.insert("min_fee_rate_sat_vb".into(), json!(r));
            }
            if let Some(f) = &m.fee_estimates {
                o.insert("fee_estimates_sat_vb".into(), json!(f));
            }
            stats.insert(
                "mempool".into(),
                with_from(Value::Object(o), &m.from, now_ms),
            );
        }
        _ => {
            unavailable.insert(
                "mempool".into(),
                json!(why_missing("mempool figures not read yet")),
            );
        }
    }
    let template_enabled = state.template_enabled.unwrap_or(true);
    match &state.template {
        _ if !template_enabled => {
            unavailable.insert(
                "template".into(),
                json!("templates disabled ([template] enabled = false)"),
            );
        }
        Some(TemplateFigure {
            summary: Some(s),
            from,
            ..
        }) if !unreachable => {
            stats.insert("template".into(), with_from(s.clone(), from, now_ms));
        }
        Some(TemplateFigure { error: Some(e), .. }) => {
            unavailable.insert("template".into(), json!(why_missing(e)));
        }
        _ => {
            unavailable.insert(
                "template".into(),
                json!(why_missing("no template fetched yet")),
            );
        }
    }
    stats.insert(
        "node".into(),
        json!({"version": state.version, "subversion": state.subversion}),
    );
    let mut channels = Map::new();
    channels.insert(
        "rpc".into(),
        json!({"reachable": state.reachable, "last_error": state.rpc_error}),
    );
    if let Some(ipc) = &state.ipc {
        channels.insert(
            "ipc".into(),
            json!({"mode": ipc.mode, "state": ipc.state, "reason": ipc.reason}),
        );
    }
    if let Some(Value::Object(extra)) = &state.channels {
        channels.insert("detail".into(), Value::Object(extra.clone()));
    }
    stats.insert("channels".into(), Value::Object(channels));
    if let Some(c) = &state.capabilities {
        stats.insert("capabilities".into(), c.clone());
    }
    if let Some(s) = &state.stratum {
        stats.insert("stratum_v2".into(), s.clone());
    }
    stats.insert("unavailable".into(), Value::Object(unavailable));
    json!({
        "success": !unreachable && state.reachable.is_some(),
        "stats": stats,
    })
}

/// Thresholds of the node alerts (each can be overridden by the alert's `params` in the alerts
/// configuration, key in brackets).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NodeAlertParams {
    /// `stale_tip` when the tip block is older than this (ms) [`max_age_ms`].
    pub stale_tip_after_ms: u64,
    /// `low_peer_count` below this many peers [`min_peers`].
    pub min_peers: u64,
    /// `no_block_template` when the served template is older than this (ms) [`max_age_ms`].
    pub template_max_age_ms: u64,
    /// `node_not_synced` below this verification progress [`min_progress`].
    pub min_sync_progress: f64,
}

impl Default for NodeAlertParams {
    fn default() -> Self {
        Self {
            stale_tip_after_ms: 60 * 60_000,
            min_peers: 2,
            template_max_age_ms: 5 * 60_000,
            min_sync_progress: 0.9999,
        }
    }
}

/// One alert of the alerts configuration (`conf.thing.alerts['node-blvm'][name]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct AlertConf {
    /// Human description.
    pub description: String,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    /// Optional display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Optional code.
    #[serde(default)]
    pub code: Option<String>,
    /// Threshold overrides.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
}

#[derive(Debug, Clone)]
struct Active {
    uuid: String,
    created_at: u64,
}

/// Result of one evaluation.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AlertEvaluation {
    /// The alerts now active (`last.alerts`), or none.
    pub alerts: Vec<Value>,
    /// Alerts raised by this evaluation (for the alert history).
    pub raised: Vec<Value>,
    /// Alerts cleared by this evaluation (with `clearedAt`).
    pub cleared: Vec<Value>,
}

/// Raises and clears node alerts, keeping each alert's uuid and `createdAt` while it lasts.
#[derive(Debug, Clone)]
pub struct NodeAlerts {
    conf: BTreeMap<String, AlertConf>,
    params: NodeAlertParams,
    active: BTreeMap<String, (Active, Value)>,
}

fn new_uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl NodeAlerts {
    /// An alert engine for `conf` (the `node-blvm` entry of `conf.thing.alerts`; unknown alert
    /// names are refused, severities must be critical/high/medium/low).
    pub fn new(conf: &Value, params: NodeAlertParams) -> Result<Self, ConvertError> {
        let conf: BTreeMap<String, AlertConf> = match conf {
            Value::Null => BTreeMap::new(),
            v => serde_json::from_value(v.clone())
                .map_err(|e| ConvertError::input("alerts config (node-blvm)", e.to_string()))?,
        };
        for (name, c) in &conf {
            if !ALERT_NAMES.contains(&name.as_str()) {
                return Err(ConvertError::field(
                    "alerts config (node-blvm)",
                    name.clone(),
                    format!("unknown alert (known: {})", ALERT_NAMES.join(", ")),
                ));
            }
            if !["critical", "high", "medium", "low"].contains(&c.severity.as_str()) {
                return Err(ConvertError::field(
                    "alerts config (node-blvm)",
                    format!("{name}.severity"),
                    "must be critical, high, medium or low",
                ));
            }
        }
        Ok(Self {
            conf,
            params,
            active: BTreeMap::new(),
        })
    }

    fn param_u64(&self, alert: &str, key: &str, default: u64) -> u64 {
        self.conf
            .get(alert)
            .and_then(|c| c.params.as_ref())
            .and_then(|p| p.get(key))
            .and_then(Value::as_u64)
            .unwrap_or(default)
    }

    fn param_f64(&self, alert: &str, key: &str, default: f64) -> f64 {
        self.conf
            .get(alert)
            .and_then(|c| c.params.as_ref())
            .and_then(|p| p.get(key))
            .and_then(Value::as_f64)
            .unwrap_or(default)
    }

    /// The conditions that hold now: alert name → message.
    pub fn conditions(&self, s: &NodeState, now_ms: u64) -> BTreeMap<&'static str, String> {
        let mut c = BTreeMap::new();
        if s.reachable == Some(false) {
            c.insert(
                "node_unreachable",
                format!(
                    "JSON-RPC does not answer{}",
                    s.rpc_error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ),
            );
        }
        let reachable = s.reachable == Some(true);
        if let Some(ipc) = &s.ipc {
            let mode = ipc.mode.as_deref().unwrap_or("auto");
            let state = ipc.state.as_deref().unwrap_or("unknown");
            if mode != "off" && state != "connected" {
                c.insert(
                    "ipc_unavailable",
                    format!(
                        "module IPC {state} (mode {mode}){}",
                        ipc.reason
                            .as_deref()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default()
                    ),
                );
            }
        }
        if !reachable {
            return c;
        }
        let min_progress = self.param_f64(
            "node_not_synced",
            "min_progress",
            self.params.min_sync_progress,
        );
        if s.synced(min_progress) == Some(false) {
            let sy = s.sync.clone().unwrap_or_default();
            c.insert(
                "node_not_synced",
                format!(
                    "initial block download {}, progress {}, blocks {} of {} headers",
                    sy.initial_block_download
                        .map_or("unknown".into(), |b| b.to_string()),
                    sy.verification_progress
                        .map_or("unknown".into(), |p| format!("{:.4}", p)),
                    sy.blocks.map_or("?".into(), |b| b.to_string()),
                    sy.headers.map_or("?".into(), |h| h.to_string()),
                ),
            );
        }
        if let Some(t) = s.tip.as_ref().and_then(|t| t.time) {
            let max = self.param_u64("stale_tip", "max_age_ms", self.params.stale_tip_after_ms);
            let a = now_ms.saturating_sub(t.saturating_mul(1000));
            if a > max {
                c.insert(
                    "stale_tip",
                    format!("tip is {} s old (limit {} s)", a / 1000, max / 1000),
                );
            }
        }
        if let Some(n) = s.peers.as_ref().and_then(|p| p.count) {
            let min = self.param_u64("low_peer_count", "min_peers", self.params.min_peers);
            if n < min {
                c.insert("low_peer_count", format!("{n} peers (minimum {min})"));
            }
        }
        if s.template_enabled.unwrap_or(true) {
            let max = self.param_u64(
                "no_block_template",
                "max_age_ms",
                self.params.template_max_age_ms,
            );
            match &s.template {
                Some(TemplateFigure {
                    summary: Some(_),
                    from,
                    ..
                }) => {
                    if let Some(at) = from.at_ms {
                        let a = now_ms.saturating_sub(at);
                        if a > max {
                            c.insert(
                                "no_block_template",
                                format!("template is {} s old (limit {} s)", a / 1000, max / 1000),
                            );
                        }
                    }
                }
                Some(TemplateFigure { error: Some(e), .. }) => {
                    c.insert("no_block_template", format!("no template: {e}"));
                }
                _ => {
                    c.insert("no_block_template", "no template fetched".to_string());
                }
            }
        }
        c
    }

    /// Evaluates the alerts at `now_ms`: configured conditions that hold are active (kept with
    /// their uuid and `createdAt` while they hold), the others are cleared.
    pub fn evaluate(&mut self, s: &NodeState, now_ms: u64) -> AlertEvaluation {
        let conds = self.conditions(s, now_ms);
        let mut ev = AlertEvaluation::default();
        let names: Vec<String> = self.active.keys().cloned().collect();
        for name in names {
            if !conds.contains_key(name.as_str()) {
                if let Some((_, mut alert)) = self.active.remove(&name) {
                    if let Some(o) = alert.as_object_mut() {
                        o.insert("clearedAt".into(), json!(now_ms));
                    }
                    ev.cleared.push(alert);
                }
            }
        }
        for (name, message) in conds {
            let Some(conf) = self.conf.get(name) else {
                continue;
            };
            let is_new = !self.active.contains_key(name);
            let (act, _) = self
                .active
                .entry(name.to_string())
                .or_insert_with(|| {
                    (
                        Active {
                            uuid: new_uuid(),
                            created_at: now_ms,
                        },
                        Value::Null,
                    )
                })
                .clone();
            let alert = json!({
                "name": conf.name.clone().unwrap_or_else(|| name.to_string()),
                "code": conf.code.clone().unwrap_or_else(|| name.to_string()),
                "description": conf.description,
                "severity": conf.severity,
                "createdAt": act.created_at,
                "uuid": act.uuid,
                "message": message,
            });
            if let Some(e) = self.active.get_mut(name) {
                e.1 = alert.clone();
            }
            if is_new {
                ev.raised.push(alert.clone());
            }
            ev.alerts.push(alert);
        }
        ev
    }
}
