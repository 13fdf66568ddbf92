//! The miner book: miners seen on the node's Stratum V2 module (its events, or
//! `get_connected_miners`) and miners an operator registers, identified by host address, with
//! share counters and hashrate estimates; snapshots in the MiningOS miner schema
//! (`miningos-rack.md` §3.2–3.3) and the pool rack's `workers`.
//!
//! Status rules: a miner that is not connected is `offline`; a connected miner whose last
//! accepted share (of the current session) is at most `idle_after_ms` old is `mining`; a connected
//! miner with no share in that time (or none yet since it connected) is `not_mining`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::address::{host_of, miner_id_for_host};
use super::error::ConvertError;
use super::hashrate::{hs_to_mhs, HashrateEstimate, ShareWindows, HASHES_PER_DIFF1};
use super::statlog::{stat_entry, StatThing};

/// The thing type of miners (`miner-blvm-sv2`).
pub const MINER_THING_TYPE: &str = "miner-blvm-sv2";
/// The pool type of the pool rack.
pub const POOL_TYPE: &str = "blvm";

/// Settings of a [`MinerBook`].
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MinerBookConfig {
    /// Difficulty of a share when the event does not say (the Stratum V2 module's
    /// `difficulty_target`, default 1).
    pub share_difficulty: f64,
    /// The node's Stratum endpoint, for `config.pool_config[].url` and `pool_status[].pool`.
    pub pool_url: String,
    /// The Stratum username, for `config.pool_config[].username` (omitted when unknown).
    pub pool_username: Option<String>,
    /// Register miners the Stratum module reports (`auto_register_miners`).
    pub auto_register: bool,
    /// A connected miner with no accepted share for this long is `not_mining` (ms).
    pub idle_after_ms: u64,
    /// Thing type of the miners.
    pub thing_type: String,
    /// `username` of the pool rack's stats and workers.
    pub pool_rack_username: String,
}

impl Default for MinerBookConfig {
    fn default() -> Self {
        Self {
            share_difficulty: 1.0,
            pool_url: String::new(),
            pool_username: None,
            auto_register: true,
            idle_after_ms: 5 * 60_000,
            thing_type: MINER_THING_TYPE.to_string(),
            pool_rack_username: POOL_TYPE.to_string(),
        }
    }
}

impl MinerBookConfig {
    /// Checks the values (a difficulty must be positive and finite).
    pub fn validate(&self) -> Result<(), ConvertError> {
        if !(self.share_difficulty.is_finite() && self.share_difficulty > 0.0) {
            return Err(ConvertError::field(
                "miner book config",
                "share_difficulty",
                "must be a positive number",
            ));
        }
        if self.thing_type.is_empty() {
            return Err(ConvertError::field(
                "miner book config",
                "thing_type",
                "must not be empty",
            ));
        }
        Ok(())
    }
}

/// Whether Stratum V2 data can be had at all (on today's node it cannot: the IPC is not used).
#[derive(Debug, Clone, PartialEq)]
pub struct StratumStatus {
    /// True when Stratum V2 events or calls reach us.
    pub available: bool,
    /// Why not (or a note), for snapshots and the node thing.
    pub reason: Option<String>,
    /// When this was last set (ms).
    pub at_ms: u64,
}

#[derive(Debug, Clone)]
struct Miner {
    id: String,
    host: String,
    endpoint: Option<String>,
    registered: bool,
    connected: bool,
    connected_at: Option<u64>,
    disconnected_at: Option<u64>,
    disconnect_reason: Option<String>,
    protocol_version: Option<u32>,
    last_share_at: Option<u64>,
    accepted: u64,
    rejected: u64,
    stale: u64,
    session_accepted: u64,
    session_rejected: u64,
    session_stale: u64,
    base: (u64, u64, u64),
    windows: ShareWindows,
}

impl Miner {
    fn new(id: String, host: String, now: u64, registered: bool) -> Self {
        Self {
            id,
            host,
            endpoint: None,
            registered,
            connected: false,
            connected_at: None,
            disconnected_at: None,
            disconnect_reason: None,
            protocol_version: None,
            last_share_at: None,
            accepted: 0,
            rejected: 0,
            stale: 0,
            session_accepted: 0,
            session_rejected: 0,
            session_stale: 0,
            base: (0, 0, 0),
            windows: ShareWindows::new(now),
        }
    }

    fn connect(&mut self, endpoint: Option<String>, at: u64) {
        if !self.connected {
            self.connected = true;
            self.connected_at = Some(at);
            self.disconnect_reason = None;
            self.session_accepted = 0;
            self.session_rejected = 0;
            self.session_stale = 0;
            self.windows.new_session(at);
        }
        if endpoint.is_some() {
            self.endpoint = endpoint;
        }
    }

    fn disconnect(&mut self, reason: String, at: u64) {
        if self.connected {
            self.connected = false;
            self.disconnected_at = Some(at);
        }
        self.disconnect_reason = Some(reason);
    }
}

/// One ingested batch: what was applied, ignored, and the entries that were refused.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IngestReport {
    /// Events that changed the book.
    pub applied: u64,
    /// Events of other types (not about miners).
    pub ignored: u64,
    /// Shares with no `miner_id` (cannot be attributed).
    pub unattributed: u64,
    /// Events about a miner the book does not know while `auto_register` is off.
    pub unknown_miner: u64,
    /// Refused entries: `{index, code, message}`.
    pub errors: Vec<Value>,
}

/// The miner book.
#[derive(Debug, Clone)]
pub struct MinerBook {
    config: MinerBookConfig,
    miners: HashMap<String, Miner>,
    by_host: HashMap<String, String>,
    stratum: StratumStatus,
}

fn opt_u64(obj: &Map<String, Value>, key: &str, what: &str) -> Result<Option<u64>, ConvertError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| ConvertError::field(what, key, "must be a non-negative integer")),
    }
}

fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<Option<&'a str>, ConvertError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ConvertError::field(what, key, "must be a string")),
    }
}

fn opt_bool(obj: &Map<String, Value>, key: &str, what: &str) -> Result<Option<bool>, ConvertError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ConvertError::field(what, key, "must be a boolean")),
    }
}

impl MinerBook {
    /// A book with `config` (validated). Stratum data starts as unavailable with no reason,
    /// until [`set_stratum_status`](Self::set_stratum_status) says otherwise.
    pub fn new(config: MinerBookConfig) -> Result<Self, ConvertError> {
        config.validate()?;
        Ok(Self {
            config,
            miners: HashMap::new(),
            by_host: HashMap::new(),
            stratum: StratumStatus {
                available: false,
                reason: Some("no Stratum V2 data received yet".into()),
                at_ms: 0,
            },
        })
    }

    /// The settings.
    pub fn config(&self) -> &MinerBookConfig {
        &self.config
    }

    /// Number of miners.
    pub fn len(&self) -> usize {
        self.miners.len()
    }

    /// True when the book has no miner.
    pub fn is_empty(&self) -> bool {
        self.miners.is_empty()
    }

    /// Ids of all miners, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.miners.keys().cloned().collect();
        v.sort();
        v
    }

    /// The id of the miner at a host address (any port), if known.
    pub fn id_for_address(&self, address: &str) -> Result<Option<String>, ConvertError> {
        let host = host_of(address)?;
        Ok(self.by_host.get(&host).cloned())
    }

    /// Says whether Stratum V2 data can be had, and why not.
    pub fn set_stratum_status(&mut self, available: bool, reason: Option<String>, at_ms: u64) {
        self.stratum = StratumStatus {
            available,
            reason,
            at_ms,
        };
    }

    /// The Stratum V2 availability.
    pub fn stratum_status(&self) -> &StratumStatus {
        &self.stratum
    }

    /// Registers a miner for an operator: `id` is the thing id the rack gave it, `address` its
    /// host (a port is ignored). Adopts an auto-registered miner at the same host (re-keyed to
    /// `id`); refuses an address that belongs to another registered miner.
    pub fn register(&mut self, id: &str, address: &str, now_ms: u64) -> Result<(), ConvertError> {
        self.register_with(id, address, now_ms, true)
    }

    /// Restores an auto-registered miner the rack kept across a restart (same rules as
    /// [`register`](Self::register), but it stays marked as auto-registered).
    pub fn restore(&mut self, id: &str, address: &str, now_ms: u64) -> Result<(), ConvertError> {
        self.register_with(id, address, now_ms, false)
    }

    fn register_with(
        &mut self,
        id: &str,
        address: &str,
        now_ms: u64,
        operator: bool,
    ) -> Result<(), ConvertError> {
        if id.is_empty() || id.len() > 128 {
            return Err(ConvertError::field(
                "register",
                "id",
                "must be 1..128 characters",
            ));
        }
        let host = host_of(address)?;
        if let Some(existing) = self.by_host.get(&host).cloned() {
            if existing == id {
                if let Some(m) = self.miners.get_mut(id) {
                    m.registered |= operator;
                }
                return Ok(());
            }
            let adoptable = self.miners.get(&existing).is_some_and(|m| !m.registered);
            if !adoptable {
                return Err(ConvertError::AddressTaken {
                    address: host,
                    id: existing,
                });
            }
            if let Some(mut m) = self.miners.remove(&existing) {
                m.id = id.to_string();
                m.registered = operator;
                self.remove_id(id);
                self.by_host.insert(host, id.to_string());
                self.miners.insert(id.to_string(), m);
            }
            return Ok(());
        }
        // a registered id moving to a new address
        self.remove_id(id);
        self.by_host.insert(host.clone(), id.to_string());
        self.miners.insert(
            id.to_string(),
            Miner::new(id.to_string(), host, now_ms, operator),
        );
        Ok(())
    }

    fn remove_id(&mut self, id: &str) -> bool {
        match self.miners.remove(id) {
            Some(m) => {
                self.by_host.remove(&m.host);
                true
            }
            None => false,
        }
    }

    /// Forgets a miner; true when it existed. An auto-registered miner that shows up again is
    /// registered again.
    pub fn forget(&mut self, id: &str) -> bool {
        self.remove_id(id)
    }

    fn miner_for_endpoint(
        &mut self,
        endpoint: &str,
        now: u64,
    ) -> Result<Option<&mut Miner>, ConvertError> {
        let host = host_of(endpoint)?;
        let id = match self.by_host.get(&host) {
            Some(id) => id.clone(),
            None if self.config.auto_register => {
                let id = miner_id_for_host(&host);
                self.by_host.insert(host.clone(), id.clone());
                self.miners
                    .insert(id.clone(), Miner::new(id.clone(), host, now, false));
                id
            }
            None => return Ok(None),
        };
        Ok(self.miners.get_mut(&id))
    }

    /// Applies a batch of events (a JSON array). Each event is an object with `type` and, as the
    /// node view and the IPC name them, `StratumClientConnected {endpoint, protocol_version?}`,
    /// `StratumClientDisconnected {endpoint, reason?}`, `ShareSubmitted {miner_id, difficulty?,
    /// accepted?, stale?}`, each with an optional `at_ms` (clamped to `now_ms`; missing = now).
    /// Other types are counted as ignored; a malformed event is reported in `errors` and the
    /// rest of the batch still applies. Stratum data counts as available from then on.
    pub fn ingest(&mut self, events: &Value, now_ms: u64) -> Result<IngestReport, ConvertError> {
        let arr = events
            .as_array()
            .ok_or_else(|| ConvertError::input("events", "must be an array of event objects"))?;
        let mut report = IngestReport::default();
        for (i, ev) in arr.iter().enumerate() {
            match self.apply(ev, i, now_ms, &mut report) {
                Ok(()) => {}
                Err(e) => report.errors.push(json!({
                    "index": i,
                    "code": crate::Coded::code(&e),
                    "message": e.to_string(),
                })),
            }
        }
        if report.applied > 0 && !self.stratum.available {
            self.set_stratum_status(true, None, now_ms);
        }
        Ok(report)
    }

    fn apply(
        &mut self,
        ev: &Value,
        index: usize,
        now: u64,
        report: &mut IngestReport,
    ) -> Result<(), ConvertError> {
        let what = format!("events[{index}]");
        let obj = ev
            .as_object()
            .ok_or_else(|| ConvertError::input(&what, "an event must be an object"))?;
        let ty = opt_str(obj, "type", &what)?
            .ok_or_else(|| ConvertError::field(&what, "type", "is required"))?;
        let at = opt_u64(obj, "at_ms", &what)?.unwrap_or(now).min(now);
        let share_difficulty = self.config.share_difficulty;
        match ty {
            "StratumClientConnected" => {
                let endpoint = opt_str(obj, "endpoint", &what)?
                    .ok_or_else(|| ConvertError::field(&what, "endpoint", "is required"))?;
                let pv = opt_u64(obj, "protocol_version", &what)?;
                match self.miner_for_endpoint(endpoint, at)? {
                    Some(m) => {
                        m.connect(Some(endpoint.to_string()), at);
                        m.protocol_version = pv.and_then(|v| u32::try_from(v).ok());
                        report.applied += 1;
                    }
                    None => report.unknown_miner += 1,
                }
            }
            "StratumClientDisconnected" => {
                let endpoint = opt_str(obj, "endpoint", &what)?
                    .ok_or_else(|| ConvertError::field(&what, "endpoint", "is required"))?;
                let reason = opt_str(obj, "reason", &what)?.unwrap_or("disconnected");
                let host = host_of(endpoint)?;
                match self
                    .by_host
                    .get(&host)
                    .and_then(|id| self.miners.get_mut(id))
                {
                    Some(m) => {
                        // a late disconnect of an old port must not take down the new session
                        let same_port = m.endpoint.as_deref().is_none_or(|e| e == endpoint);
                        if same_port {
                            m.disconnect(reason.to_string(), at);
                        }
                        report.applied += 1;
                    }
                    None => report.unknown_miner += 1,
                }
            }
            "ShareSubmitted" => {
                let Some(endpoint) = opt_str(obj, "miner_id", &what)? else {
                    report.unattributed += 1;
                    return Ok(());
                };
                let difficulty = match obj.get("difficulty") {
                    None | Some(Value::Null) => share_difficulty,
                    Some(v) => v
                        .as_f64()
                        .filter(|d| d.is_finite() && *d > 0.0)
                        .ok_or_else(|| {
                            ConvertError::field(&what, "difficulty", "must be a positive number")
                        })?,
                };
                let accepted = opt_bool(obj, "accepted", &what)?.unwrap_or(true);
                let stale = opt_bool(obj, "stale", &what)?.unwrap_or(false);
                match self.miner_for_endpoint(endpoint, at)? {
                    Some(m) => {
                        // a share proves a connection
                        m.connect(Some(endpoint.to_string()), at);
                        if stale {
                            m.stale += 1;
                            m.session_stale += 1;
                        } else if accepted {
                            m.accepted += 1;
                            m.session_accepted += 1;
                            m.last_share_at = Some(m.last_share_at.map_or(at, |l| l.max(at)));
                            m.windows.add(at, difficulty);
                        } else {
                            m.rejected += 1;
                            m.session_rejected += 1;
                        }
                        report.applied += 1;
                    }
                    None => report.unknown_miner += 1,
                }
            }
            _ => report.ignored += 1,
        }
        Ok(())
    }

    /// Reconciles with a `get_connected_miners` answer (`{"miners": [endpoint, ...]}` or a bare
    /// array): listed miners are connected (auto-registered if configured), the others are
    /// disconnected with the reason "not in get_connected_miners".
    pub fn sync_connected(
        &mut self,
        answer: &Value,
        now_ms: u64,
    ) -> Result<IngestReport, ConvertError> {
        let list = match answer {
            Value::Array(a) => a,
            Value::Object(o) => o.get("miners").and_then(Value::as_array).ok_or_else(|| {
                ConvertError::field("get_connected_miners", "miners", "must be an array")
            })?,
            _ => {
                return Err(ConvertError::input(
                    "get_connected_miners",
                    "must be an object or an array",
                ))
            }
        };
        let mut report = IngestReport::default();
        let mut seen = std::collections::HashSet::new();
        for (i, e) in list.iter().enumerate() {
            let Some(endpoint) = e
                .as_str()
                .or_else(|| e.get("endpoint").and_then(Value::as_str))
            else {
                report.errors.push(json!({"index": i, "code": "ERR_CONVERT_INPUT_INVALID", "message": "a miner must be an endpoint string or {endpoint}"}));
                continue;
            };
            match self.miner_for_endpoint(endpoint, now_ms) {
                Ok(Some(m)) => {
                    m.connect(Some(endpoint.to_string()), now_ms);
                    seen.insert(m.id.clone());
                    report.applied += 1;
                }
                Ok(None) => report.unknown_miner += 1,
                Err(err) => report.errors.push(json!({"index": i, "code": crate::Coded::code(&err), "message": err.to_string()})),
            }
        }
        for m in self.miners.values_mut() {
            if m.connected && !seen.contains(&m.id) {
                m.disconnect("not in get_connected_miners".into(), now_ms);
            }
        }
        self.set_stratum_status(true, None, now_ms);
        Ok(report)
    }

    /// Drops share buckets no window reaches any more (call now and then, e.g. each snapshot).
    pub fn prune(&mut self, now_ms: u64) {
        for m in self.miners.values_mut() {
            m.windows.prune(now_ms);
        }
    }

    fn status(&self, m: &Miner, now: u64) -> &'static str {
        if !m.connected {
            "offline"
        } else if m.last_share_at.is_some_and(|l| {
            // only a share of the current session counts
            l >= m.connected_at.unwrap_or(0) && now.saturating_sub(l) <= self.config.idle_after_ms
        }) {
            "mining"
        } else {
            "not_mining"
        }
    }

    fn pool_config(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("url".into(), json!(self.config.pool_url));
        if let Some(u) = &self.config.pool_username {
            entry.insert("username".into(), json!(u));
        }
        json!([Value::Object(entry)])
    }

    fn offline_reason(&self, m: &Miner) -> String {
        if !self.stratum.available {
            return format!(
                "no Stratum V2 data: {}",
                self.stratum.reason.as_deref().unwrap_or("unavailable")
            );
        }
        match (&m.disconnect_reason, m.connected_at) {
            (Some(r), _) => format!("disconnected from the Stratum V2 module: {r}"),
            (None, None) => "registered, not seen on the node's Stratum V2 module".into(),
            (None, Some(_)) => "disconnected from the Stratum V2 module".into(),
        }
    }

    fn snap_of(&self, m: &Miner, now: u64, est: &HashrateEstimate) -> Value {
        let status = self.status(m, now);
        let mut specific = Map::new();
        specific.insert("source".into(), json!("stratum_v2"));
        specific.insert("address".into(), json!(m.host));
        specific.insert(
            "registered".into(),
            json!(if m.registered { "operator" } else { "auto" }),
        );
        if let Some(e) = &m.endpoint {
            specific.insert("endpoint".into(), json!(e));
        }
        if let Some(l) = m.last_share_at {
            specific.insert("last_share_ms".into(), json!(l));
        }
        if status == "offline" {
            specific.insert("reason".into(), json!(self.offline_reason(m)));
            if let Some(d) = m.disconnected_at {
                specific.insert("disconnected_ms".into(), json!(d));
            }
            return json!({
                "success": false,
                "stats": {"status": "offline", "miner_specific": specific},
                "config": {"pool_config": self.pool_config()},
            });
        }
        specific.insert(
            "hashrate_estimate".into(),
            json!({
                "estimated": true,
                "method": "accepted shares x share difficulty x 2^32 / window",
                "share_difficulty": self.config.share_difficulty,
                "hashes_per_share_diff1": HASHES_PER_DIFF1,
                "session_shares": m.windows.session_shares(),
                "since_ms": m.windows.session_since_ms(),
            }),
        );
        if let Some(pv) = m.protocol_version {
            specific.insert("protocol_version".into(), json!(pv));
        }
        let uptime = m.connected_at.map_or(0, |c| now.saturating_sub(c));
        json!({
            "success": true,
            "raw_errors": [],
            "stats": {
                "status": status,
                "hashrate_mhs": {
                    "t_5m": hs_to_mhs(est.t_5m),
                    "t_30m": hs_to_mhs(est.t_30m),
                    "avg": hs_to_mhs(est.avg),
                },
                "uptime_ms": uptime,
                "all_pools_shares": {
                    "accepted": m.accepted - m.base.0,
                    "rejected": m.rejected - m.base.1,
                    "stale": m.stale - m.base.2,
                },
                "pool_status": [{
                    "pool": self.config.pool_url,
                    "accepted": m.session_accepted,
                    "rejected": m.session_rejected,
                    "stale": m.session_stale,
                }],
                "miner_specific": specific,
            },
            "config": {"pool_config": self.pool_config()},
        })
    }

    /// The snapshot of one miner at `now_ms`. With `commit`, `all_pools_shares` (the change
    /// since the previous committed snapshot) starts again from here, as a collection does.
    pub fn snapshot(&mut self, id: &str, now_ms: u64, commit: bool) -> Result<Value, ConvertError> {
        let m = self
            .miners
            .get(id)
            .ok_or_else(|| ConvertError::MinerNotFound(id.to_string()))?;
        let est = m.windows.estimate(now_ms);
        let snap = self.snap_of(m, now_ms, &est);
        if commit {
            if let Some(m) = self.miners.get_mut(id) {
                m.base = (m.accepted, m.rejected, m.stale);
            }
        }
        Ok(snap)
    }

    /// Snapshots of every miner (`[{id, address, registered, snap}]`, sorted by id); see
    /// [`snapshot`](Self::snapshot) for `commit`.
    pub fn snapshots(&mut self, now_ms: u64, commit: bool) -> Vec<Value> {
        self.snapshots_page(now_ms, commit, 0, usize::MAX)
    }

    /// One page of [`snapshots`](Self::snapshots) (`offset`, `limit` in id order), so a caller can
    /// spread a large collection over several turns of its event loop.
    pub fn snapshots_page(
        &mut self,
        now_ms: u64,
        commit: bool,
        offset: usize,
        limit: usize,
    ) -> Vec<Value> {
        let ids: Vec<String> = self.ids().into_iter().skip(offset).take(limit).collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Ok(snap) = self.snapshot(&id, now_ms, commit) {
                let (host, registered) = self
                    .miners
                    .get(&id)
                    .map(|m| (m.host.clone(), m.registered))
                    .unwrap_or_default();
                out.push(
                    json!({"id": id, "address": host, "registered": registered, "snap": snap}),
                );
            }
        }
        out
    }

    /// The stat entry (`stat-<tf>`) over every miner, at the aligned `ts`, computed from the
    /// current estimates (no JSON round trip). `info` maps an id to its thing `info` (container,
    /// ...) when the rack has one; `alerts` maps an id to its alert severities.
    pub fn stat_entry(
        &self,
        now_ms: u64,
        ts: u64,
        info: &HashMap<String, Value>,
        alerts: &HashMap<String, Vec<String>>,
    ) -> Map<String, Value> {
        let things: Vec<StatThing> = self
            .miners
            .values()
            .map(|m| {
                let est = m.windows.estimate(now_ms);
                let status = self.status(m, now_ms);
                let i = info.get(&m.id);
                let s = |k: &str| {
                    i.and_then(|i| i.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                let online = status != "offline";
                StatThing {
                    thing_type: self.config.thing_type.clone(),
                    container: s("container"),
                    info_status: s("status"),
                    info_location: s("location"),
                    has_snap: true,
                    status: Some(status.to_string()),
                    hashrate_t5m: online.then(|| hs_to_mhs(est.t_5m)),
                    uptime_ms: online
                        .then(|| m.connected_at.map(|c| now_ms.saturating_sub(c) as f64))
                        .flatten(),
                    shares: online.then(|| {
                        (
                            (m.accepted - m.base.0) as f64,
                            (m.rejected - m.base.1) as f64,
                            (m.stale - m.base.2) as f64,
                        )
                    }),
                    alert_severities: alerts.get(&m.id).cloned().unwrap_or_default(),
                    ..StatThing::default()
                }
            })
            .collect();
        stat_entry(&things, ts)
    }

    /// The pool rack's workers (`name` = thing id; hashrates in H/s; `online` 1/0).
    pub fn workers(&self, now_ms: u64) -> Vec<Value> {
        let mut out: Vec<(String, Value)> = self
            .miners
            .values()
            .map(|m| {
                let est = m.windows.estimate(now_ms);
                let online = self.status(m, now_ms) == "mining";
                let last = m
                    .last_share_at
                    .into_iter()
                    .chain(m.connected_at)
                    .chain(m.disconnected_at)
                    .max()
                    .unwrap_or(0);
                (
                    m.id.clone(),
                    json!({
                        "poolType": POOL_TYPE,
                        "username": self.config.pool_rack_username,
                        "id": m.id,
                        "name": m.id,
                        "online": u8::from(online),
                        "last_updated": last,
                        "hashrate": if m.connected { est.t_5m } else { 0.0 },
                        "hashrate_1h": est.t_1h,
                        "hashrate_24h": est.t_24h,
                    }),
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.into_iter().map(|(_, v)| v).collect()
    }

    /// The pool rack's `Stat` for the book at `now_ms` (`ts` minute-aligned by the caller):
    /// hashrates in H/s summed over workers, worker counts, and `revenue_24h` (BTC) when given.
    /// Balance and unsettled amounts do not exist for solo mining on a node and are omitted.
    pub fn pool_stat(&self, now_ms: u64, ts: u64, revenue_24h_btc: Option<f64>) -> Value {
        let (mut h, mut h1, mut h24, mut active) = (0.0, 0.0, 0.0, 0u64);
        for m in self.miners.values() {
            let est = m.windows.estimate(now_ms);
            if m.connected {
                h += est.t_5m;
            }
            h1 += est.t_1h;
            h24 += est.t_24h;
            if self.status(m, now_ms) == "mining" {
                active += 1;
            }
        }
        let mut stat = json!({
            "poolType": POOL_TYPE,
            "username": self.config.pool_rack_username,
            "timestamp": ts,
            "hashrate": h,
            "hashrate_1h": h1,
            "hashrate_24h": h24,
            "worker_count": self.miners.len(),
            "active_workers_count": active,
            "hashrate_estimated": true,
        });
        if let (Some(r), Some(o)) = (revenue_24h_btc, stat.as_object_mut()) {
            o.insert("revenue_24h".into(), json!(r));
        }
        stat
    }

    /// Approximate heap bytes held by the book: share windows, miner records, strings and the
    /// two maps (for the memory benchmark; allocator overhead not included).
    pub fn approx_heap_bytes(&self) -> usize {
        let per_entry =
            std::mem::size_of::<(String, Miner)>() + std::mem::size_of::<(String, String)>() + 16;
        let strings: usize = self
            .miners
            .values()
            .map(|m| {
                2 * m.id.len()
                    + 2 * m.host.len()
                    + m.endpoint.as_ref().map_or(0, String::len)
                    + m.disconnect_reason.as_ref().map_or(0, String::len)
            })
            .sum();
        let windows: usize = self.miners.values().map(|m| m.windows.heap_bytes()).sum();
        self.miners.capacity().max(self.by_host.capacity()) * per_entry + strings + windows
    }
}
