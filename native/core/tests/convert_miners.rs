//! Miner book: identity by host, reconnects, status rules, snapshots in the MiningOS miner schema
//! (fixtures derived by hand from `miningos-rack.md` §3.2–3.3), pool workers.

mod convert_support;

use blvm_miningos_core::convert::{MinerBook, MinerBookConfig};
use blvm_miningos_core::Coded;
use convert_support::{assert_json_close, fixture, T0};
use serde_json::{json, Value};

const M5: &str = "a8b9ebbd4adb1ba"; // sha256("blvm-miningos/miner/10.0.0.5")[..15]
const M6: &str = "5533f3d09a5545f"; // sha256("blvm-miningos/miner/10.0.0.6")[..15]

fn book() -> MinerBook {
    MinerBook::new(MinerBookConfig {
        share_difficulty: 1000.0,
        pool_url: "stratum+tcp://127.0.0.1:3333".into(),
        pool_username: Some("rig".into()),
        ..MinerBookConfig::default()
    })
    .expect("valid config")
}

fn share(endpoint: &str, at: u64) -> Value {
    json!({"type": "ShareSubmitted", "job_id": "j", "share_hash": "00", "miner_id": endpoint, "at_ms": at})
}

/// The fixture batch, then 60 shares every 5 s (30 from port 40001, a reconnect from port 40002,
/// 30 more), then a late disconnect of the old port.
fn scenario() -> MinerBook {
    let mut b = book();
    let report = b
        .ingest(&fixture("miner_events.json"), T0 + 61_000)
        .expect("array");
    assert_json_close(
        &serde_json::to_value(&report).expect("json"),
        &fixture("miner_report_expected.json"),
    );
    let mut batch = Vec::new();
    for i in 1..=30u64 {
        batch.push(share("10.0.0.5:40001", T0 + i * 5_000));
    }
    batch.push(json!({"type": "StratumClientConnected", "endpoint": "10.0.0.5:40002", "protocol_version": 2, "at_ms": T0 + 150_000}));
    for i in 31..=60u64 {
        batch.push(share("10.0.0.5:40002", T0 + i * 5_000));
    }
    batch.push(json!({"type": "StratumClientDisconnected", "endpoint": "10.0.0.5:40001", "reason": "eof", "at_ms": T0 + 200_000}));
    let r = b.ingest(&Value::Array(batch), T0 + 300_000).expect("array");
    assert_eq!(r.applied, 62);
    assert!(r.errors.is_empty());
    b
}

#[test]
fn reconnect_from_a_new_port_is_the_same_miner_and_snapshot_matches_the_schema() {
    let mut b = scenario();
    assert_eq!(b.ids(), vec![M6.to_string(), M5.to_string()]);
    assert_eq!(
        b.id_for_address("10.0.0.5:1").expect("ok").as_deref(),
        Some(M5)
    );
    let snap = b.snapshot(M5, T0 + 300_000, true).expect("known");
    assert_json_close(&snap, &fixture("miner_snapshot_mining_expected.json"));
    // all_pools_shares is the change since the previous committed snapshot
    let again = b.snapshot(M5, T0 + 300_000, true).expect("known");
    assert_eq!(
        again["stats"]["all_pools_shares"],
        json!({"accepted": 0, "rejected": 0, "stale": 0})
    );
    assert_eq!(again["stats"]["pool_status"][0]["accepted"], json!(60));
}

#[test]
fn disconnected_miner_is_offline_with_the_reason_and_no_invented_figures() {
    let mut b = scenario();
    let snap = b.snapshot(M6, T0 + 300_000, false).expect("known");
    assert_json_close(&snap, &fixture("miner_snapshot_offline_expected.json"));
    let stats = snap["stats"].as_object().expect("object");
    for absent in ["hashrate_mhs", "power_w", "temperature_c", "uptime_ms"] {
        assert!(!stats.contains_key(absent), "{absent} must be omitted");
    }
}

#[test]
fn status_rules_mining_not_mining_offline() {
    let mut b = scenario();
    let idle = b.config().idle_after_ms;
    let st = |b: &mut MinerBook, now: u64| {
        b.snapshot(M5, now, false).expect("known")["stats"]["status"].clone()
    };
    assert_eq!(st(&mut b, T0 + 300_000 + idle), json!("mining"));
    assert_eq!(st(&mut b, T0 + 300_000 + idle + 1), json!("not_mining"));
    b.ingest(&json!([{"type": "StratumClientDisconnected", "endpoint": "10.0.0.5:40002", "reason": "closed", "at_ms": T0 + 700_000}]), T0 + 700_000)
        .expect("array");
    assert_eq!(st(&mut b, T0 + 700_000), json!("offline"));
    // a connected miner that never sent a share is not mining
    b.ingest(
        &json!([{"type": "StratumClientConnected", "endpoint": "10.0.0.9:1"}]),
        T0 + 800_000,
    )
    .expect("array");
    let id = b
        .id_for_address("10.0.0.9")
        .expect("ok")
        .expect("registered");
    assert_eq!(
        b.snapshot(&id, T0 + 800_000, false).expect("known")["stats"]["status"],
        json!("not_mining")
    );
    // reconnect starts a new session: uptime and avg restart
    b.ingest(&json!([{"type": "StratumClientConnected", "endpoint": "10.0.0.5:40003", "at_ms": T0 + 900_000}]), T0 + 900_000)
        .expect("array");
    let s = b.snapshot(M5, T0 + 960_000, false).expect("known");
    assert_eq!(s["stats"]["uptime_ms"], json!(60_000));
    assert_eq!(s["stats"]["hashrate_mhs"]["avg"], json!(0.0));
}

#[test]
fn registered_miners_on_a_node_without_stratum_data_say_why() {
    let mut b = book();
    b.set_stratum_status(
        false,
        Some("module IPC not used: node 0.1.83 serves one module connection".into()),
        T0,
    );
    b.register("rig-7", "10.0.0.7:4028", T0)
        .expect("registered");
    let snap = b.snapshot("rig-7", T0 + 1, true).expect("known");
    assert_eq!(snap["success"], json!(false));
    assert_eq!(snap["stats"]["status"], json!("offline"));
    assert_eq!(
        snap["stats"]["miner_specific"]["reason"],
        json!("no Stratum V2 data: module IPC not used: node 0.1.83 serves one module connection")
    );
    assert_eq!(
        snap["stats"]["miner_specific"]["registered"],
        json!("operator")
    );
    // the same host under another id is refused; a bad address too
    let e = b.register("rig-8", "10.0.0.7", T0).unwrap_err();
    assert_eq!(e.code(), "ERR_THING_IP_ADDRESS_EXISTS");
    assert_eq!(
        b.register("rig-9", "no such:addr", T0).unwrap_err().code(),
        "ERR_MINER_ADDRESS_INVALID"
    );
    assert_eq!(
        b.snapshot("nope", T0, false).unwrap_err().code(),
        "ERR_THING_NOTFOUND"
    );
}

#[test]
fn operator_registration_adopts_an_auto_registered_miner() {
    let mut b = scenario();
    b.register("rig-5", "10.0.0.5", T0 + 300_000)
        .expect("adopted");
    assert!(b.snapshot(M5, T0 + 300_000, false).is_err());
    let s = b.snapshot("rig-5", T0 + 300_000, false).expect("known");
    assert_eq!(s["stats"]["status"], json!("mining"));
    assert_eq!(
        s["stats"]["miner_specific"]["registered"],
        json!("operator")
    );
    assert!(b.forget("rig-5"));
    assert!(!b.forget("rig-5"));
}

#[test]
fn auto_register_off_counts_unknown_miners() {
    let mut b = MinerBook::new(MinerBookConfig {
        auto_register: false,
        ..MinerBookConfig::default()
    })
    .expect("ok");
    let r = b
        .ingest(&json!([{"type": "StratumClientConnected", "endpoint": "10.0.0.5:1"}, share("10.0.0.5:1", T0)]), T0)
        .expect("array");
    assert_eq!((r.applied, r.unknown_miner), (0, 2));
    assert!(b.is_empty());
    assert_eq!(
        b.ingest(&json!({"not": "an array"}), T0)
            .unwrap_err()
            .code(),
        "ERR_CONVERT_INPUT_INVALID"
    );
}

#[test]
fn get_connected_miners_reconciles() {
    let mut b = scenario();
    let r = b
        .sync_connected(&json!({"miners": ["10.0.0.6:7000", 42]}), T0 + 400_000)
        .expect("ok");
    assert_eq!(r.applied, 1);
    assert_eq!(r.errors.len(), 1);
    let st = |b: &mut MinerBook, id: &str| {
        b.snapshot(id, T0 + 400_000, false).expect("known")["stats"]["status"].clone()
    };
    assert_eq!(st(&mut b, M6), json!("not_mining"));
    assert_eq!(st(&mut b, M5), json!("offline"));
    assert_eq!(
        b.snapshot(M5, T0 + 400_000, false).expect("known")["stats"]["miner_specific"]["reason"],
        json!("disconnected from the Stratum V2 module: not in get_connected_miners")
    );
}

#[test]
fn pool_workers_and_stat_use_thing_ids_and_h_per_s() {
    let b = scenario();
    let w = b.workers(T0 + 300_000);
    assert_eq!(w.len(), 2);
    assert_eq!(w[1]["name"], json!(M5));
    assert_eq!(w[1]["id"], json!(M5));
    assert_eq!(w[1]["online"], json!(1));
    assert_eq!(w[1]["poolType"], json!("blvm"));
    assert_json_close(&w[1]["hashrate"], &json!(858_993_459_200.0));
    assert_eq!(w[0]["online"], json!(0));
    assert_eq!(w[0]["hashrate"], json!(0.0));
    let stat = b.pool_stat(T0 + 300_000, T0 + 300_000, Some(3.125));
    assert_json_close(&stat["hashrate"], &json!(858_993_459_200.0));
    assert_eq!(stat["worker_count"], json!(2));
    assert_eq!(stat["active_workers_count"], json!(1));
    assert_eq!(stat["revenue_24h"], json!(3.125));
    assert!(stat.get("balance").is_none());
}

#[test]
fn stat_entry_from_the_book() {
    let b = scenario();
    let e = b.stat_entry(
        T0 + 300_000,
        T0 + 300_000,
        &Default::default(),
        &Default::default(),
    );
    assert_json_close(&e["hashrate_mhs_1m_sum"], &json!(858_993.459_2));
    assert_eq!(e["hashrate_mhs_1m_cnt"], json!(1));
    assert_eq!(e["hashrate_mhs_1m_cnt_active"], json!(1));
    assert_eq!(e["offline_or_sleeping_miners_cnt"], json!(1));
    assert_eq!(e["online_or_minor_error_miners_cnt"], json!(1));
    assert_eq!(e["type_cnt"], json!({"miner-blvm-sv2": 2}));
    assert_eq!(e["offline_type_cnt"], json!({"miner-blvm-sv2": 1}));
    assert_eq!(e["uptime_ms_avg"], json!(300_000.0));
    assert!(e.get("power_w_sum").is_none());
}

#[test]
fn snapshot_pages_cover_every_miner_once_in_id_order() {
    let mut b = scenario();
    for i in 0..5u64 {
        b.ingest(
            &json!([{"type": "StratumClientConnected", "endpoint": format!("10.1.0.{i}:1")}]),
            T0 + 300_000,
        )
        .expect("array");
    }
    let all: Vec<String> = b
        .snapshots(T0 + 300_000, false)
        .iter()
        .map(|s| s["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(all, b.ids());
    let mut paged = Vec::new();
    for off in (0..all.len()).step_by(3) {
        for s in b.snapshots_page(T0 + 300_000, false, off, 3) {
            paged.push(s["id"].as_str().unwrap_or("").to_string());
        }
    }
    assert_eq!(paged, all);
    assert!(b.snapshots_page(T0, false, 100, 3).is_empty());
    // one miner has sent shares: its two bucket rings (181 + 289 f32) are allocated
    assert!(b.approx_heap_bytes() >= (181 + 289) * 4);
}

#[test]
fn shares_of_a_previous_session_do_not_make_a_reconnected_miner_mining() {
    let mut b = scenario(); // last share at T0 + 300 s
    b.ingest(
        &json!([
            {"type": "StratumClientDisconnected", "endpoint": "10.0.0.5:40002", "reason": "eof", "at_ms": T0 + 300_100},
            {"type": "StratumClientConnected", "endpoint": "10.0.0.5:40011", "at_ms": T0 + 300_200}
        ]),
        T0 + 300_200,
    )
    .expect("array");
    let s = b.snapshot(M5, T0 + 300_300, false).expect("known");
    assert_eq!(s["stats"]["status"], json!("not_mining"));
    assert_eq!(s["stats"]["uptime_ms"], json!(100));
    b.ingest(
        &json!([share("10.0.0.5:40011", T0 + 300_250)]),
        T0 + 300_300,
    )
    .expect("array");
    let s = b.snapshot(M5, T0 + 300_300, false).expect("known");
    assert_eq!(s["stats"]["status"], json!("mining"));
}

#[test]
fn restored_auto_miners_stay_auto_and_keep_their_id() {
    let mut b = book();
    b.restore(M5, "10.0.0.5", T0).expect("restored");
    b.ingest(&json!([share("10.0.0.5:40100", T0 + 1_000)]), T0 + 1_000)
        .expect("array");
    assert_eq!(b.ids(), vec![M5.to_string()]);
    let s = b.snapshot(M5, T0 + 2_000, false).expect("known");
    assert_eq!(s["stats"]["miner_specific"]["registered"], json!("auto"));
    // an operator can still claim it
    b.register("rig-5", "10.0.0.5", T0 + 3_000)
        .expect("adopted");
    assert_eq!(b.ids(), vec!["rig-5".to_string()]);
}
