//! Stat log entries: the miner-template keys over a mixed set of things (expected values worked
//! out by hand from the `miner_default` spec filters), tags and alignment.

mod convert_support;

use blvm_miningos_core::convert::statlog::{stat_entry, stat_entry_from_views, stat_tag};
use blvm_miningos_core::convert::time::{align, Timeframe};
use blvm_miningos_core::Coded;
use convert_support::{assert_json_close, fixture, T0};
use serde_json::{json, Value};

#[test]
fn entry_over_mixed_things_matches_the_hand_derived_figures() {
    let ts = align(T0 + 301_234, Timeframe::FiveMinutes.ms());
    assert_eq!(ts, T0 + 300_000);
    let e = stat_entry_from_views(&fixture("stat_views.json"), ts).expect("valid");
    assert_json_close(&Value::Object(e), &fixture("stat_entry_expected.json"));
}

#[test]
fn no_miners_gives_zero_hashrate_and_omits_unknown_figures() {
    let e = stat_entry(&[], T0);
    assert_eq!(e["hashrate_mhs_1m_sum"], json!(0.0));
    assert_eq!(e["hashrate_mhs_1m_avg"], json!(0.0));
    assert_eq!(e["hashrate_mhs_1m_cnt"], json!(0));
    assert_eq!(
        e["alerts_cnt"],
        json!({"critical": 0, "high": 0, "medium": 0, "low": 0})
    );
    for k in [
        "power_w_sum",
        "temperature_c_avg",
        "uptime_ms_avg",
        "efficiency_w_ths_avg",
        "frequency_mhz_avg",
    ] {
        assert!(!e.contains_key(k), "{k}");
    }
}

#[test]
fn bad_views_are_refused_with_the_index() {
    let e = stat_entry_from_views(&json!([{"type": "miner-x"}, {"id": 1}]), T0).unwrap_err();
    assert_eq!(e.code(), "ERR_CONVERT_FIELD_INVALID");
    assert!(e.to_string().contains("views[1]"), "{e}");
    assert_eq!(
        stat_entry_from_views(&json!({}), T0).unwrap_err().code(),
        "ERR_CONVERT_INPUT_INVALID"
    );
}

#[test]
fn tags_with_stat_logs() {
    assert!(stat_tag("t-miner"));
    assert!(stat_tag("t-miner-blvm-sv2"));
    assert!(stat_tag("container-c1"));
    for skipped in ["id-abc", "code-MINER-0001", "pos-1_2", "site-x"] {
        assert!(!stat_tag(skipped), "{skipped}");
    }
    assert_eq!(Timeframe::OneDay.log_key("t-miner"), "stat-1D-t-miner");
}
