//! Block templates: compact bits → 256-bit target (known vectors), IPC template → BIP 22 JSON and
//! JSON-RPC answer → the same shape (fixtures computed independently from the Bitcoin wire format),
//! the stale-parent rule.

mod convert_support;

use blvm_miningos_core::convert::template::{
    bits_to_target, check_parent, normalize_rpc_template, render_ipc_json, render_ipc_template,
    target_hex, template_summary, RenderOptions,
};
use blvm_miningos_core::Coded;
use convert_support::{assert_json_close, fixture};
use serde_json::json;

#[test]
fn compact_bits_vectors() {
    // genesis difficulty 1
    assert_eq!(
        target_hex(0x1d00ffff).expect("valid"),
        "00000000ffff0000000000000000000000000000000000000000000000000000"
    );
    // regtest
    assert_eq!(
        target_hex(0x207fffff).expect("valid"),
        "7fffff0000000000000000000000000000000000000000000000000000000000"
    );
    // mainnet block 800000 (bits 0x17053894)
    assert_eq!(
        target_hex(0x17053894).expect("valid"),
        "0000000000000000000538940000000000000000000000000000000000000000"
    );
    // exponent below 3: the mantissa is shifted right
    assert_eq!(
        target_hex(0x02008000).expect("valid"),
        format!("{}80", "0".repeat(62))
    );
    for bad in [
        0u64,
        0x1d000000,
        0x1d800001,
        0x23000001,
        0x2200ffff,
        0x1_0000_0000,
        0x01003456,
    ] {
        let e = bits_to_target(bad).unwrap_err();
        assert_eq!(e.code(), "ERR_TEMPLATE_BITS_INVALID", "{bad:#x}");
    }
}

#[test]
fn ipc_template_renders_as_bip22() {
    let mut opts = RenderOptions {
        longpoll_seq: 7,
        ..Default::default()
    };
    opts.fees.insert(
        "d747e2e654cfe2ed452450ae1d56dc78a0cbe46193470eed5332c4d7ad88cffa".into(),
        1500,
    );
    let out = render_ipc_template(&fixture("ipc_template.json"), &opts).expect("renders");
    assert_json_close(&out, &fixture("ipc_template_bip22_expected.json"));
    // the text path (no JSON tree) serves the same JSON
    let text = render_ipc_json(&fixture("ipc_template.json").to_string(), &opts).expect("renders");
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(parsed, out);
    assert_eq!(
        render_ipc_json("{", &opts).unwrap_err().code(),
        "ERR_CONVERT_INPUT_INVALID"
    );
    // one fee unknown → the summary has no total
    let s = template_summary(&out);
    assert_eq!(s["tx_count"], json!(2));
    assert_eq!(s["height"], json!(101));
    assert!(s.get("fees").is_none());
}

#[test]
fn ipc_template_errors_name_the_field() {
    let mut t = fixture("ipc_template.json");
    t["transactions"][1]["version"] = json!(1u64 << 40);
    let e = render_ipc_template(&t, &RenderOptions::default()).unwrap_err();
    assert_eq!(e.code(), "ERR_CONVERT_FIELD_INVALID");
    assert!(
        e.to_string().contains("transactions[1]") && e.to_string().contains("version"),
        "{e}"
    );
    let mut t = fixture("ipc_template.json");
    t["header"]["prev_block_hash"] = json!("abcd");
    assert_eq!(
        render_ipc_template(&t, &RenderOptions::default())
            .unwrap_err()
            .code(),
        "ERR_CONVERT_INPUT_INVALID"
    );
    let mut t = fixture("ipc_template.json");
    t["header"]["bits"] = json!(0);
    assert_eq!(
        render_ipc_template(&t, &RenderOptions::default())
            .unwrap_err()
            .code(),
        "ERR_TEMPLATE_BITS_INVALID"
    );
}

#[test]
fn rpc_answer_normalises_to_the_same_shape() {
    let out = normalize_rpc_template(&fixture("rpc_gbt.json")).expect("valid");
    assert_json_close(&out, &fixture("rpc_gbt_expected.json"));
    let s = template_summary(&out);
    assert_eq!(s["fees"], json!(1750));
    assert_eq!(s["tx_count"], json!(2));
    // both channels serve the same keys
    let ipc = render_ipc_template(&fixture("ipc_template.json"), &RenderOptions::default())
        .expect("renders");
    for k in [
        "previousblockhash",
        "transactions",
        "coinbasevalue",
        "longpollid",
        "target",
        "bits",
        "height",
        "curtime",
        "version",
    ] {
        assert!(out.get(k).is_some() && ipc.get(k).is_some(), "{k}");
    }
}

#[test]
fn rpc_answer_errors() {
    let cases: [(&str, serde_json::Value); 6] = [
        ("previousblockhash", json!("xyz")),
        ("bits", json!("207fff")),
        ("target", json!("00ff")),
        ("height", json!(-1)),
        ("transactions", json!([{ "data": "zz", "txid": "11" }])),
        (
            "transactions",
            json!([{ "data": "00", "txid": "1111111111111111111111111111111111111111111111111111111111111111", "depends": [1] }]),
        ),
    ];
    for (k, v) in cases {
        let mut t = fixture("rpc_gbt.json");
        t[k] = v;
        let e = normalize_rpc_template(&t).unwrap_err();
        assert_eq!(e.code(), "ERR_CONVERT_FIELD_INVALID", "{k}: {e}");
        assert!(e.to_string().contains(k), "{e}");
    }
    assert_eq!(
        normalize_rpc_template(&json!([])).unwrap_err().code(),
        "ERR_CONVERT_INPUT_INVALID"
    );
}

#[test]
fn a_template_on_a_stale_parent_is_refused() {
    let t = normalize_rpc_template(&fixture("rpc_gbt.json")).expect("valid");
    check_parent(
        &t,
        "0F9188F13CB7B2C71F2A335E3A4FC328BF5BEB436012AFCA590B1A11466E2206",
    )
    .expect("current tip");
    // after a reorg the tip moved: the old template must not be served
    let e = check_parent(&t, "22".repeat(32).as_str()).unwrap_err();
    assert_eq!(e.code(), "ERR_TEMPLATE_STALE");
    assert_eq!(
        check_parent(&json!({}), "00").unwrap_err().code(),
        "ERR_CONVERT_FIELD_INVALID"
    );
}
