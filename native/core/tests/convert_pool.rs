//! Pool rack ext data: blocks found as `transactions` per UTC day (BTC), `revenue_24h`,
//! `stats-history` buckets, and recognising a coinbase that pays the configured payout.

mod convert_support;

use blvm_miningos_core::convert::pool::{
    coinbase_payout_sats, hourly_revenues, revenue_24h_btc, stats_history, transactions,
};
use blvm_miningos_core::Coded;
use convert_support::{assert_json_close, fixture, T0};
use serde_json::{json, Value};

const DAY0: u64 = 1_795_564_800_000; // 2026-11-25T00:00Z

#[test]
fn transactions_group_blocks_by_utc_day_once_each() {
    let days = transactions(
        &fixture("blocks_found.json"),
        DAY0,
        DAY0 + 86_399_999,
        "blvm",
    )
    .expect("valid");
    assert_json_close(
        &Value::Array(days.clone()),
        &fixture("transactions_expected.json"),
    );
    let hourly = hourly_revenues(&days);
    assert_json_close(
        &Value::Array(hourly),
        &json!([{"ts": DAY0, "hourlyRevenues": [
            {"ts": DAY0, "revenue": 3.125},
            {"ts": T0, "revenue": 3.12512345},
            {"ts": T0 + 3_600_000, "revenue": 3.125}
        ]}]),
    );
    let all = transactions(&fixture("blocks_found.json"), 0, u64::MAX, "blvm").expect("valid");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["ts"], json!(DAY0 - 86_400_000));
    assert_eq!(
        transactions(&fixture("blocks_found.json"), 5, 4, "x")
            .unwrap_err()
            .code(),
        "ERR_RANGE_INVALID"
    );
    assert_eq!(
        transactions(&json!([{"hash": 1}]), 0, 1, "x")
            .unwrap_err()
            .code(),
        "ERR_CONVERT_INPUT_INVALID"
    );
}

#[test]
fn revenue_24h_counts_the_last_day_only() {
    // at T0 + 1 h: blocks 00aa (19 h ago), 00bb, 00cc (now) → 00dd is 2 days old
    let r = revenue_24h_btc(&fixture("blocks_found.json"), T0 + 3_600_000).expect("valid");
    assert!((r - (3.125 + 3.12512345 + 3.125)).abs() < 1e-12, "{r}");
    let r = revenue_24h_btc(&fixture("blocks_found.json"), DAY0 + 86_400_000 * 2).expect("valid");
    assert_eq!(r, 0.0);
}

#[test]
fn stats_history_buckets_average_hashrate() {
    let stat = |h: f64, w: u64| json!([{"poolType": "blvm", "username": "blvm", "hashrate": h, "worker_count": w}]);
    let rows = json!([
        {"ts": T0 + 600_000, "stats": stat(300.0, 3)},
        {"ts": T0, "stats": stat(100.0, 1)},
        {"ts": T0 + 300_000, "stats": stat(200.0, 2)},
        {"ts": T0 + 1_800_000, "stats": stat(50.0, 5)}
    ]);
    let plain = stats_history(&rows, None).expect("valid");
    assert_eq!(
        plain
            .iter()
            .map(|r| r["ts"].as_u64().unwrap_or(0))
            .collect::<Vec<_>>(),
        vec![T0, T0 + 300_000, T0 + 600_000, T0 + 1_800_000]
    );
    let b = stats_history(&rows, Some("30m")).expect("valid");
    assert_json_close(
        &Value::Array(b),
        &json!([
            {"ts": T0, "stats": [{"poolType": "blvm", "username": "blvm", "hashrate": 200.0, "worker_count": 3}]},
            {"ts": T0 + 1_800_000, "stats": [{"poolType": "blvm", "username": "blvm", "hashrate": 50.0, "worker_count": 5}]}
        ]),
    );
    assert_eq!(
        stats_history(&rows, Some("2h")).unwrap_err().code(),
        "ERR_INTERVAL_INVALID"
    );
    assert_eq!(
        stats_history(&rows, Some("rtd")).unwrap_err().code(),
        "ERR_INTERVAL_INVALID"
    );
    assert_eq!(
        stats_history(&json!([{"ts": "x", "stats": []}]), None)
            .unwrap_err()
            .code(),
        "ERR_CONVERT_FIELD_INVALID"
    );
}

#[test]
fn coinbase_paying_the_payout_is_recognised() {
    let block = json!({"hash": "00aa", "height": 5, "tx": [
        {"vout": [
            {"value": 3.125, "scriptPubKey": {"hex": "0014AABB"}},
            {"value": 0.00001, "scriptPubKey": {"hex": "0014aabb"}},
            {"value": 0.0, "scriptPubKey": {"hex": "6a24aa21a9ed"}}
        ]},
        {"vout": []}
    ]});
    assert_eq!(
        coinbase_payout_sats(&block, "0014aabb").expect("valid"),
        Some(312_501_000)
    );
    assert_eq!(
        coinbase_payout_sats(&block, "0014ccdd").expect("valid"),
        None
    );
    assert_eq!(
        coinbase_payout_sats(&block, "xyz").unwrap_err().code(),
        "ERR_CONVERT_FIELD_INVALID"
    );
    assert_eq!(
        coinbase_payout_sats(&json!({"tx": "00"}), "00")
            .unwrap_err()
            .code(),
        "ERR_CONVERT_FIELD_INVALID"
    );
}
