//! The node thing: `last.snap` from a node state (expected by hand), figures absent with reasons,
//! and alerts that raise, keep their uuid while they last, and clear.

mod convert_support;

use blvm_miningos_core::convert::node_thing::{
    node_snapshot, NodeAlertParams, NodeAlerts, NodeState,
};
use blvm_miningos_core::Coded;
use convert_support::{assert_json_close, fixture, T0};
use serde_json::{json, Value};

fn state() -> NodeState {
    NodeState::from_json(&fixture("node_state.json")).expect("valid")
}

fn names(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|a| a["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn snapshot_of_a_synced_node() {
    let snap = node_snapshot(&state(), T0 + 60_000, 0.9999);
    assert_json_close(&snap, &fixture("node_snapshot_expected.json"));
}

#[test]
fn unreachable_node_lists_every_missing_figure_with_the_reason() {
    let mut s = state();
    s.reachable = Some(false);
    s.rpc_error = Some("ERR_RPC_UNAVAILABLE".into());
    let snap = node_snapshot(&s, T0 + 60_000, 0.9999);
    assert_eq!(snap["success"], json!(false));
    assert_eq!(snap["stats"]["status"], json!("offline"));
    for k in ["chain", "sync", "peers", "mempool", "template"] {
        assert!(snap["stats"].get(k).is_none(), "{k} must be absent");
        assert_eq!(
            snap["stats"]["unavailable"][k],
            json!("node unreachable over JSON-RPC: ERR_RPC_UNAVAILABLE"),
            "{k}"
        );
    }
    // templates disabled: said so, not "missing"
    let mut s = state();
    s.template_enabled = Some(false);
    let snap = node_snapshot(&s, T0, 0.9999);
    assert!(snap["stats"].get("template").is_none());
    assert_eq!(
        snap["stats"]["unavailable"]["template"],
        json!("templates disabled ([template] enabled = false)")
    );
    // syncing
    let mut s = state();
    if let Some(sy) = s.sync.as_mut() {
        sy.initial_block_download = Some(true);
        sy.verification_progress = Some(0.5);
    }
    assert_eq!(
        node_snapshot(&s, T0, 0.9999)["stats"]["status"],
        json!("syncing")
    );
}

#[test]
fn alerts_raise_keep_their_uuid_and_clear() {
    let mut a = NodeAlerts::new(
        &fixture("node_alerts_conf.json"),
        NodeAlertParams::default(),
    )
    .expect("valid");
    let mut s = state();
    let e1 = a.evaluate(&s, T0 + 60_000);
    assert_eq!(names(&e1.alerts), vec!["ipc_unavailable"]);
    assert_eq!(names(&e1.raised), vec!["ipc_unavailable"]);
    let ipc = e1.alerts[0].clone();
    assert_eq!(ipc["severity"], json!("low"));
    assert_eq!(ipc["createdAt"], json!(T0 + 60_000));
    assert_eq!(ipc["uuid"].as_str().map(str::len), Some(36));

    // peers drop below the configured minimum (params.min_peers = 3)
    if let Some(p) = s.peers.as_mut() {
        p.count = Some(2);
    }
    let e2 = a.evaluate(&s, T0 + 120_000);
    assert_eq!(names(&e2.alerts), vec!["ipc_unavailable", "low_peer_count"]);
    assert_eq!(names(&e2.raised), vec!["low_peer_count"]);
    assert_eq!(
        e2.alerts[0]["uuid"], ipc["uuid"],
        "uuid stable while the alert lasts"
    );
    assert_eq!(e2.alerts[0]["createdAt"], ipc["createdAt"]);
    assert_eq!(e2.alerts[1]["message"], json!("2 peers (minimum 3)"));

    // the tip gets old (params.max_age_ms = 30 min) and the template too (default 5 min)
    let e3 = a.evaluate(&s, 1_795_633_190_000 + 1_800_001);
    assert_eq!(names(&e3.raised), vec!["no_block_template", "stale_tip"]);

    // node unreachable: node_unreachable raised, the figure-based alerts cleared
    s.reachable = Some(false);
    let e4 = a.evaluate(&s, T0 + 2_000_000);
    assert_eq!(
        names(&e4.alerts),
        vec!["ipc_unavailable", "node_unreachable"]
    );
    assert_eq!(
        names(&e4.cleared),
        vec!["low_peer_count", "no_block_template", "stale_tip"]
    );
    assert!(e4
        .cleared
        .iter()
        .all(|c| c["clearedAt"] == json!(T0 + 2_000_000)));

    // back, healthy, IPC off: everything clears
    let mut s = state();
    if let Some(i) = s.ipc.as_mut() {
        i.mode = Some("off".into());
    }
    if let Some(t) = s.tip.as_mut() {
        t.time = Some((T0 + 2_990_000) / 1000);
    }
    if let Some(t) = s.template.as_mut() {
        t.from.at_ms = Some(T0 + 2_990_000);
    }
    let e5 = a.evaluate(&s, T0 + 3_000_000);
    assert!(e5.alerts.is_empty(), "{:?}", e5.alerts);
    assert_eq!(
        names(&e5.cleared),
        vec!["ipc_unavailable", "node_unreachable"]
    );
    // raised again later: a new uuid
    s.reachable = Some(false);
    let e6 = a.evaluate(&s, T0 + 3_100_000);
    assert_ne!(e6.alerts[0]["uuid"], e4.alerts[1]["uuid"]);
}

#[test]
fn only_configured_alerts_are_raised_and_bad_config_is_refused() {
    let mut a = NodeAlerts::new(
        &json!({"low_peer_count": {"description": "d", "severity": "medium"}}),
        NodeAlertParams::default(),
    )
    .expect("valid");
    let mut s = state();
    s.reachable = Some(false);
    assert!(a.evaluate(&s, T0).alerts.is_empty());
    let mut none = NodeAlerts::new(&Value::Null, NodeAlertParams::default()).expect("valid");
    assert!(none.evaluate(&s, T0).alerts.is_empty());
    let e = NodeAlerts::new(
        &json!({"disk_full": {"description": "d", "severity": "low"}}),
        NodeAlertParams::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "ERR_CONVERT_FIELD_INVALID");
    let e = NodeAlerts::new(
        &json!({"stale_tip": {"description": "d", "severity": "urgent"}}),
        NodeAlertParams::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("stale_tip.severity"), "{e}");
    assert_eq!(
        NodeState::from_json(&json!({"peers": {"count": "many"}}))
            .unwrap_err()
            .code(),
        "ERR_CONVERT_INPUT_INVALID"
    );
}
