//! Stat log entries (`stat-rtd`, `stat-5m`, `stat-30m`, `stat-3h`, `stat-1D` per tag) with the
//! miner stat keys of the MiningOS miner template (`miner_default` spec + pool share totals +
//! `alerts_cnt`), which the orchestrator's `aggr.stats.json` `miner` entry aggregates into the
//! `*_aggr` keys the header and charts read.
//!
//! Rules, as the template's spec filters define them: things in the `maintenance` container are
//! left out of the counts; `hashrate_mhs_1m_*` and `hashrate_mhs_5m_*` both read
//! `last.snap.stats.hashrate_mhs.t_5m`; container groups skip things with no container. Figures
//! no thing has (power, temperature, efficiency, frequency, nominal values) are **omitted**, not
//! zeroed; hashrate sums, counts and averages are always present (0 with no miner).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::error::ConvertError;

/// The `info.container` value that puts a thing in maintenance.
pub const MAINTENANCE: &str = "maintenance";
/// Tag prefixes that get no stat log (miner template `skipTagPrefixes`).
pub const SKIP_TAG_PREFIXES: [&str; 4] = ["pos-", "id-", "code-", "site-"];

/// Whether a tag gets `stat-*` logs.
pub fn stat_tag(tag: &str) -> bool {
    !SKIP_TAG_PREFIXES.iter().any(|p| tag.starts_with(p))
}

/// What the stat keys read from one thing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatThing {
    /// Thing type (e.g. `miner-blvm-sv2`).
    pub thing_type: String,
    /// `info.container`.
    pub container: Option<String>,
    /// `info.status` (inventory).
    pub info_status: Option<String>,
    /// `info.location` (inventory).
    pub info_location: Option<String>,
    /// Whether `last.snap` exists.
    pub has_snap: bool,
    /// `last.snap.stats.status`.
    pub status: Option<String>,
    /// `last.snap.stats.hashrate_mhs.t_5m` (MH/s).
    pub hashrate_t5m: Option<f64>,
    /// `last.snap.stats.uptime_ms`.
    pub uptime_ms: Option<f64>,
    /// `last.snap.stats.power_w`.
    pub power_w: Option<f64>,
    /// `last.snap.stats.efficiency_w_ths`.
    pub efficiency_w_ths: Option<f64>,
    /// `last.snap.stats.temperature_c.avg`.
    pub temperature_avg: Option<f64>,
    /// `last.snap.stats.temperature_c.max`.
    pub temperature_max: Option<f64>,
    /// `last.snap.stats.frequency_mhz.avg`.
    pub frequency_avg: Option<f64>,
    /// `last.snap.config.power_mode`.
    pub power_mode: Option<String>,
    /// `last.snap.stats.all_pools_shares` (accepted, rejected, stale), when present.
    pub shares: Option<(f64, f64, f64)>,
    /// Severities of `last.alerts`.
    pub alert_severities: Vec<String>,
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|f| f.is_finite())
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

impl StatThing {
    /// Reads a thing view (`{type, info, last: {snap, alerts}}`, as `listThings` with `status`
    /// returns it). `what` names the input in errors.
    pub fn from_view(view: &Value, what: &str) -> Result<Self, ConvertError> {
        let obj = view
            .as_object()
            .ok_or_else(|| ConvertError::input(what, "a thing view must be an object"))?;
        let thing_type = match obj.get("type") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(ConvertError::field(what, "type", "must be a string")),
        };
        let info = obj.get("info");
        let last = obj.get("last");
        let snap = last.and_then(|l| l.get("snap")).filter(|s| !s.is_null());
        let stats = snap.and_then(|s| s.get("stats"));
        let hashrate = stats.and_then(|s| s.get("hashrate_mhs"));
        let temp = stats.and_then(|s| s.get("temperature_c"));
        let shares = stats.and_then(|s| s.get("all_pools_shares")).map(|s| {
            (
                num(s.get("accepted")).unwrap_or(0.0),
                num(s.get("rejected")).unwrap_or(0.0),
                num(s.get("stale")).unwrap_or(0.0),
            )
        });
        let alert_severities = match last.and_then(|l| l.get("alerts")) {
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| text(x.get("severity")).unwrap_or_else(|| "medium".into()))
                .collect(),
            _ => Vec::new(),
        };
        Ok(StatThing {
            thing_type,
            container: text(info.and_then(|i| i.get("container"))),
            info_status: text(info.and_then(|i| i.get("status"))),
            info_location: text(info.and_then(|i| i.get("location"))),
            has_snap: snap.is_some(),
            status: text(stats.and_then(|s| s.get("status"))),
            hashrate_t5m: num(hashrate.and_then(|h| h.get("t_5m"))),
            uptime_ms: num(stats.and_then(|s| s.get("uptime_ms"))),
            power_w: num(stats.and_then(|s| s.get("power_w"))),
            efficiency_w_ths: num(stats.and_then(|s| s.get("efficiency_w_ths"))),
            temperature_avg: num(temp.and_then(|t| t.get("avg"))),
            temperature_max: num(temp.and_then(|t| t.get("max"))),
            frequency_avg: num(stats
                .and_then(|s| s.get("frequency_mhz"))
                .and_then(|f| f.get("avg"))),
            power_mode: text(
                snap.and_then(|s| s.get("config"))
                    .and_then(|c| c.get("power_mode")),
            ),
            shares,
            alert_severities,
        })
    }

    fn counted(&self) -> bool {
        self.container.as_deref() != Some(MAINTENANCE)
    }

    fn status_is(&self, s: &str) -> bool {
        self.status.as_deref() == Some(s)
    }
}

/// Running sum/count/max for one figure.
#[derive(Default, Clone, Copy)]
struct Acc {
    sum: f64,
    cnt: u64,
    max: Option<f64>,
}

impl Acc {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.cnt += 1;
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }
    fn avg(&self) -> f64 {
        if self.cnt == 0 {
            0.0
        } else {
            self.sum / self.cnt as f64
        }
    }
}

type Groups = BTreeMap<String, Acc>;
type Counts = BTreeMap<String, u64>;

fn inc(m: &mut Counts, k: &str) {
    *m.entry(k.to_string()).or_insert(0) += 1;
}

fn group_add(m: &mut Groups, k: &str, v: f64) {
    m.entry(k.to_string()).or_default().add(v);
}

fn sums(m: &Groups) -> Value {
    Value::Object(m.iter().map(|(k, a)| (k.clone(), json!(a.sum))).collect())
}
fn avgs(m: &Groups) -> Value {
    Value::Object(m.iter().map(|(k, a)| (k.clone(), json!(a.avg()))).collect())
}
fn maxes(m: &Groups) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, a)| (k.clone(), json!(a.max.unwrap_or(0.0))))
            .collect(),
    )
}
fn counts(m: &Counts) -> Value {
    Value::Object(m.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
}

const POWER_MODES: [&str; 4] = ["sleep", "low", "normal", "high"];

/// One stat entry (`{ts, <key>: value, ...}`) over `things` at the aligned `ts`.
pub fn stat_entry(things: &[StatThing], ts: u64) -> Map<String, Value> {
    let mut hr = Acc::default();
    let mut hr_cnt = 0u64;
    let mut hr_active = 0u64;
    let mut hr_by_container = Groups::new();
    let mut hr_by_type_counted = Groups::new();
    let mut hr_by_type = Groups::new();
    let mut hr_active_by_container = Counts::new();
    let (mut off_sleep, mut online, mut errors, mut not_mining) = (0u64, 0u64, 0u64, 0u64);
    let mut power = Acc::default();
    let mut power_by_type = Groups::new();
    let mut power_by_container = Groups::new();
    let (mut uptime, mut freq, mut eff, mut temp) = (
        Acc::default(),
        Acc::default(),
        Acc::default(),
        Acc::default(),
    );
    let mut eff_by_type = Groups::new();
    let mut eff_by_container = Groups::new();
    let mut temp_avg_by_container = Groups::new();
    let mut temp_max_by_container = Groups::new();
    let (mut offline_cnt, mut error_cnt, mut not_mining_cnt) =
        (Counts::new(), Counts::new(), Counts::new());
    let mut mode_cnt: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut mode_err_cnt: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut mode_type_cnt: BTreeMap<&str, Counts> = BTreeMap::new();
    let (mut type_cnt, mut offline_type, mut maint_type, mut pos_hr_type, mut no_hr_type) = (
        Counts::new(),
        Counts::new(),
        Counts::new(),
        Counts::new(),
        Counts::new(),
    );
    let (mut error_type, mut not_mining_type) = (Counts::new(), Counts::new());
    let (mut inv_status, mut inv_location) = (Counts::new(), Counts::new());
    let (mut acc_sh, mut rej_sh, mut stale_sh) = (0.0f64, 0.0f64, 0.0f64);
    let mut alerts: BTreeMap<&str, u64> = [("critical", 0), ("high", 0), ("medium", 0), ("low", 0)]
        .into_iter()
        .collect();

    for t in things {
        let counted = t.counted();
        let ty = t.thing_type.as_str();
        let cont = t.container.as_deref();
        if let Some(h) = t.hashrate_t5m {
            hr.add(h);
            if counted {
                hr_cnt += 1;
                group_add(&mut hr_by_type_counted, ty, h);
            }
            if t.status_is("mining") {
                hr_active += 1;
            }
            group_add(&mut hr_by_type, ty, h);
            if let Some(c) = cont {
                group_add(&mut hr_by_container, c, h);
                if h != 0.0 {
                    inc(&mut hr_active_by_container, c);
                }
            }
        }
        if counted {
            if t.status_is("offline") || t.status_is("sleeping") {
                off_sleep += 1;
            }
            if t.status_is("mining") {
                online += 1;
            }
            if t.status_is("error") {
                errors += 1;
                inc(&mut error_type, ty);
                if let Some(c) = cont {
                    inc(&mut error_cnt, c);
                }
            }
            if t.status_is("not_mining") {
                not_mining += 1;
                inc(&mut not_mining_type, ty);
                if let Some(c) = cont {
                    inc(&mut not_mining_cnt, c);
                }
            }
            if t.status_is("offline") {
                inc(&mut offline_type, ty);
                if let Some(c) = cont {
                    inc(&mut offline_cnt, c);
                }
            }
            if t.has_snap {
                inc(&mut type_cnt, ty);
            }
            if t.status.is_some() && !t.status_is("offline") {
                if t.hashrate_t5m.unwrap_or(0.0) > 0.0 {
                    inc(&mut pos_hr_type, ty);
                } else {
                    inc(&mut no_hr_type, ty);
                }
            }
        } else {
            inc(&mut maint_type, ty);
        }
        if let Some(p) = t.power_w {
            power.add(p);
            if counted {
                group_add(&mut power_by_type, ty, p);
            }
            if let Some(c) = cont {
                group_add(&mut power_by_container, c, p);
            }
        }
        if let Some(u) = t.uptime_ms {
            uptime.add(u);
        }
        if let Some(f) = t.frequency_avg {
            freq.add(f);
        }
        if let Some(e) = t.efficiency_w_ths {
            eff.add(e);
            group_add(&mut eff_by_type, ty, e);
            if let Some(c) = cont {
                group_add(&mut eff_by_container, c, e);
            }
        }
        if let Some(a) = t.temperature_avg {
            temp.add(a);
            if let Some(c) = cont {
                group_add(&mut temp_avg_by_container, c, a);
            }
        }
        if let (Some(m), Some(c)) = (t.temperature_max, cont) {
            group_add(&mut temp_max_by_container, c, m);
        }
        // power-mode counts (no maintenance filter in the template)
        if t.status_is("sleeping") {
            if let Some(c) = cont {
                inc(mode_cnt.entry("sleep").or_default(), c);
            }
            inc(mode_type_cnt.entry("sleep").or_default(), ty);
        }
        if let Some(mode) = t.power_mode.as_deref() {
            if let Some(m) = POWER_MODES.iter().find(|m| **m == mode && mode != "sleep") {
                if t.status_is("mining") {
                    if let Some(c) = cont {
                        inc(mode_cnt.entry(m).or_default(), c);
                    }
                    inc(mode_type_cnt.entry(m).or_default(), ty);
                }
                if let (true, Some(c)) = (
                    t.status_is("error") && t.hashrate_t5m.unwrap_or(0.0) > 0.0,
                    cont,
                ) {
                    inc(mode_err_cnt.entry(m).or_default(), c);
                }
            }
        }
        if let Some(s) = t.info_status.as_deref() {
            inc(&mut inv_status, s);
        }
        if let Some(l) = t.info_location.as_deref() {
            inc(&mut inv_location, l);
        }
        if let Some((a, r, s)) = t.shares {
            acc_sh += a;
            rej_sh += r;
            stale_sh += s;
        }
        for sev in &t.alert_severities {
            let key = match sev.as_str() {
                "critical" => "critical",
                "high" => "high",
                "low" => "low",
                _ => "medium",
            };
            *alerts.entry(key).or_insert(0) += 1;
        }
    }

    let mut m = Map::new();
    m.insert("ts".into(), json!(ts));
    m.insert("alerts_cnt".into(), json!(alerts));
    for p in ["1m", "5m"] {
        m.insert(format!("hashrate_mhs_{p}_sum"), json!(hr.sum));
        m.insert(format!("hashrate_mhs_{p}_avg"), json!(hr.avg()));
        m.insert(format!("hashrate_mhs_{p}_cnt_active"), json!(hr_active));
        m.insert(
            format!("hashrate_mhs_{p}_type_group_avg"),
            avgs(&hr_by_type),
        );
        m.insert(
            format!("hashrate_mhs_{p}_container_group_sum"),
            sums(&hr_by_container),
        );
        m.insert(
            format!("hashrate_mhs_{p}_container_group_avg"),
            avgs(&hr_by_container),
        );
    }
    m.insert("hashrate_mhs_1m_cnt".into(), json!(hr_cnt));
    m.insert("hashrate_mhs_5m_cnt".into(), json!(hr.cnt));
    m.insert("hashrate_mhs_1m_group_sum".into(), sums(&hr_by_container));
    m.insert(
        "hashrate_mhs_1m_type_group_sum".into(),
        sums(&hr_by_type_counted),
    );
    m.insert("hashrate_mhs_5m_type_group_sum".into(), sums(&hr_by_type));
    m.insert(
        "hashrate_mhs_5m_active_container_group_cnt".into(),
        counts(&hr_active_by_container),
    );
    m.insert("offline_or_sleeping_miners_cnt".into(), json!(off_sleep));
    m.insert("online_or_minor_error_miners_cnt".into(), json!(online));
    m.insert("error_miners_cnt".into(), json!(errors));
    m.insert("not_mining_miners_cnt".into(), json!(not_mining));
    m.insert("offline_cnt".into(), counts(&offline_cnt));
    m.insert("error_cnt".into(), counts(&error_cnt));
    m.insert("not_mining_cnt".into(), counts(&not_mining_cnt));
    for mode in POWER_MODES {
        let empty = Counts::new();
        m.insert(
            format!("power_mode_{mode}_cnt"),
            counts(mode_cnt.get(mode).unwrap_or(&empty)),
        );
        m.insert(
            format!("power_mode_{mode}_type_cnt"),
            counts(mode_type_cnt.get(mode).unwrap_or(&empty)),
        );
        if mode != "sleep" {
            m.insert(
                format!("power_mode_{mode}_include_error_cnt"),
                counts(mode_err_cnt.get(mode).unwrap_or(&empty)),
            );
        }
    }
    m.insert("type_cnt".into(), counts(&type_cnt));
    m.insert("offline_type_cnt".into(), counts(&offline_type));
    m.insert("maintenance_type_cnt".into(), counts(&maint_type));
    m.insert(
        "online_positive_hashrate_type_cnt".into(),
        counts(&pos_hr_type),
    );
    m.insert(
        "online_without_hashrate_type_cnt".into(),
        counts(&no_hr_type),
    );
    m.insert("error_type_cnt".into(), counts(&error_type));
    m.insert("not_mining_type_cnt".into(), counts(&not_mining_type));
    m.insert(
        "miner_inventory_status_group_cnt".into(),
        counts(&inv_status),
    );
    m.insert(
        "miner_inventory_location_group_cnt".into(),
        counts(&inv_location),
    );
    m.insert("pools_accepted_shares_total".into(), json!(acc_sh));
    m.insert("pools_rejected_shares_total".into(), json!(rej_sh));
    m.insert("pools_stale_shares_total".into(), json!(stale_sh));
    // figures only some miners report: omitted when no thing has them
    if power.cnt > 0 {
        m.insert("power_w_sum".into(), json!(power.sum));
        m.insert("power_w_avg".into(), json!(power.avg()));
        m.insert("power_w_type_group_sum".into(), sums(&power_by_type));
        m.insert("power_w_type_group_avg".into(), avgs(&power_by_type));
        m.insert(
            "power_w_container_group_sum".into(),
            sums(&power_by_container),
        );
        m.insert(
            "power_w_container_group_avg".into(),
            avgs(&power_by_container),
        );
    }
    if uptime.cnt > 0 {
        m.insert("uptime_ms_avg".into(), json!(uptime.avg()));
    }
    if freq.cnt > 0 {
        m.insert("frequency_mhz_avg".into(), json!(freq.avg()));
    }
    if eff.cnt > 0 {
        m.insert("efficiency_w_ths_avg".into(), json!(eff.avg()));
        m.insert("efficiency_w_ths_type_group_avg".into(), avgs(&eff_by_type));
        m.insert(
            "efficiency_w_ths_container_group_avg".into(),
            avgs(&eff_by_container),
        );
    }
    if temp.cnt > 0 {
        m.insert("temperature_c_avg".into(), json!(temp.avg()));
        m.insert(
            "temperature_c_group_avg".into(),
            avgs(&temp_avg_by_container),
        );
    }
    if !temp_max_by_container.is_empty() {
        m.insert(
            "temperature_c_group_max".into(),
            maxes(&temp_max_by_container),
        );
    }
    m
}

/// Reads a JSON array of thing views and computes the stat entry at `ts`.
pub fn stat_entry_from_views(views: &Value, ts: u64) -> Result<Map<String, Value>, ConvertError> {
    let arr = views
        .as_array()
        .ok_or_else(|| ConvertError::input("views", "must be an array of thing views"))?;
    let things = arr
        .iter()
        .enumerate()
        .map(|(i, v)| StatThing::from_view(v, &format!("views[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(stat_entry(&things, ts))
}
