//! The module's own IPC client (`blvm_miningos_core::ipc::IpcClient`) against the fake node: the
//! two sides of the module IPC that the project ships, tested together.

mod common;

use std::time::Duration;

use blvm_miningos_core::ipc::{
    CapabilitySet, EventPayload, EventType, IpcClient, IpcClientConfig, IpcItem, RequestPayload,
};
use blvm_miningos_core::Coded;
use common::FakeNode;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);

async fn events_until(
    client: &IpcClient,
    pred: impl Fn(&[EventPayload]) -> bool,
) -> Vec<EventPayload> {
    let mut got = Vec::new();
    while !pred(&got) {
        let batch = tokio::time::timeout(WAIT, client.next_events(64))
            .await
            .unwrap_or_else(|_| panic!("events so far: {got:?}"))
            .expect("client open");
        for item in batch {
            if let IpcItem::Event(e) = item {
                got.push(e.payload);
            }
        }
    }
    got
}

fn rpc(n: &FakeNode, method: &str, params: serde_json::Value) -> serde_json::Value {
    n.rpc(method, params)
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_on_a_concurrent_node_gets_events_templates_and_call_module() {
    let n = FakeNode::start(&[
        "--ipc-mode",
        "concurrent",
        "--subversion",
        "/BitcoinCommons:0.2.0/",
        "--grant-capabilities",
        "read_blockchain,read_chain_state,subscribe_events,read_mempool,call_module",
    ]);
    let mut cfg = IpcClientConfig::new(n.socket(), "blvm-miningos_0123", "blvm-miningos", "0.1.0");
    cfg.granted = CapabilitySet::from_names([
        "read_blockchain",
        "read_chain_state",
        "subscribe_events",
        "read_mempool",
        "call_module",
    ])
    .unwrap();
    cfg.subscribe = vec![
        EventType::NewBlock,
        EventType::BlockMined,
        EventType::MempoolTransactionAdded,
    ];
    cfg.request_timeout = WAIT;
    cfg.allow_unknown_layout = true;
    let client = IpcClient::connect(cfg).await.expect("connect");
    assert_eq!(client.get_chain_info().await.unwrap().height, 0);

    let hashes = rpc(
        &n,
        "generatetoaddress",
        json!([1, "bcrt1qfakefakefakefake"]),
    );
    rpc(
        &n,
        "fake_addmempooltx",
        json!({"fee_rate": 7, "vsize": 200}),
    );
    let evs = events_until(&client, |e| e.len() >= 3).await;
    assert!(
        matches!(evs[0], EventPayload::NewBlock { height: 1, .. }),
        "{evs:?}"
    );
    assert!(matches!(evs[1], EventPayload::BlockMined { height: 1, .. }));
    assert!(matches!(
        evs[2],
        EventPayload::MempoolTransactionAdded {
            mempool_size: 1,
            ..
        }
    ));
    let tip = client.get_chain_tip().await.unwrap();
    let mut shown = tip;
    shown.reverse();
    assert_eq!(hex::encode(shown), hashes[0].as_str().unwrap());

    let t = client
        .get_block_template(vec!["segwit".into()], None, Some("hex:51".into()))
        .await
        .unwrap();
    assert_eq!(t.height, 2);
    assert_eq!(t.coinbase_tx.outputs[0].script_pubkey, vec![0x51]);
    assert_eq!(t.transactions.len(), 1);

    rpc(
        &n,
        "fake_setcallmodulereply",
        json!({"mode": "ok", "payload": "{\"miners\":[]}"}),
    );
    let reply = client
        .call_module(
            Some("blvm-stratum-v2".into()),
            "get_connected_miners",
            b"{}".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(reply, b"{\"miners\":[]}");
    match client
        .request(RequestPayload::GetMempoolSize)
        .await
        .unwrap()
    {
        blvm_miningos_core::ipc::ResponsePayload::MempoolSize(m) => {
            assert_eq!(m.transaction_count, 1)
        }
        other => panic!("{other:?}"),
    }
    let st = n.status();
    assert_eq!(
        st["ipc"]["connections"][0]["module_id"],
        "blvm-miningos_0123"
    );
    assert_eq!(st["ipc"]["refused"], 0);
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_never_sends_what_a_single_node_would_refuse() {
    let n = FakeNode::start(&["--ipc-mode", "single"]);
    let mut cfg = IpcClientConfig::new(n.socket(), "blvm-miningos_0123", "blvm-miningos", "0.1.0");
    cfg.request_timeout = WAIT;
    cfg.reconnect = None;
    let client = IpcClient::connect(cfg).await.expect("connect");
    assert_eq!(client.get_block_height().await.unwrap(), 0);
    let e = client
        .request(RequestPayload::GetMempoolSize)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_CAPABILITY_NOT_GRANTED", "{e}");
    // Refused on the module side: the node never saw it and the connection is still up.
    assert_eq!(client.get_block_height().await.unwrap(), 0);
    let st = n.status();
    assert_eq!(st["ipc"]["refused"], 0);
    assert_eq!(
        st["ipc"]["connections"][0]["closed"],
        serde_json::Value::Null
    );
    // What the node does refuse (SubmitBlock on 0.1.83 needs submit_block it does not grant anyway).
    let e = client
        .request(RequestPayload::SubmitBlock {
            block: blvm_miningos_core::ipc::types::Block {
                header: blvm_miningos_core::ipc::types::BlockHeader {
                    version: 1,
                    prev_block_hash: [0; 32],
                    merkle_root: [0; 32],
                    timestamp: 0,
                    bits: 0,
                    nonce: 0,
                },
                transactions: vec![],
            },
        })
        .await
        .unwrap_err();
    assert!(
        ["ERR_CAPABILITY_NOT_GRANTED", "ERR_UNSUPPORTED_BY_NODE"].contains(&e.code()),
        "{e}"
    );
    client.close().await;
}
