//! The JSON-RPC client and the node view against a loopback JSON-RPC server: cookie auth, a node
//! restarting with a new cookie, node down then up, tip changes and reorg detection, policy.

mod common;

use blvm_miningos_core::config::{load, LoadOptions};
use blvm_miningos_core::node::{EventKind, NodeView, Source};
use blvm_miningos_core::rpc::{RpcClient, RpcClientConfig, RpcError};
use blvm_miningos_core::{config::RpcAuthConfig, Coded};
use common::{hash_of, FakeNode};
use std::time::Duration;

fn view_for(node: &FakeNode, extra: &str) -> NodeView {
    let body = format!(
        "[p2p]\nenabled = false\n[http]\nenabled = false\n[node]\nrpc_url = \"{}\"\nrpc_cookie_file = \"{}\"\ntip_poll_interval_ms = 20\nrequest_timeout_ms = 2000\n{extra}",
        node.url(),
        node.cookie.display()
    );
    let table: toml::Table = toml::from_str(&body).unwrap();
    let loaded = load(&LoadOptions {
        cwd: node.dir.path().to_path_buf(),
        inline: Some(("test".into(), table)),
        ..Default::default()
    })
    .unwrap();
    NodeView::new(&loaded.config).unwrap()
}

fn client(node: &FakeNode) -> RpcClient {
    RpcClient::new(RpcClientConfig {
        url: node.url(),
        auth: RpcAuthConfig::Cookie {
            file: node.cookie.clone(),
        },
        timeout: Duration::from_secs(2),
    })
    .unwrap()
}

/// Collects events until `pred` holds for the list or 3 s pass.
async fn events_until(view: &NodeView, pred: impl Fn(&[EventKind]) -> bool) -> Vec<EventKind> {
    let mut got = vec![];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while !pred(&got) {
        match tokio::time::timeout_at(deadline, view.next_events(100)).await {
            Ok(Some(b)) => got.extend(b.into_iter().map(|e| e.kind)),
            _ => panic!("events so far: {got:#?}"),
        }
    }
    got
}

fn only_chain(ev: &[EventKind]) -> Vec<EventKind> {
    ev.iter()
        .filter(|e| {
            matches!(
                e,
                EventKind::NewBlock { .. }
                    | EventKind::BlockDisconnected { .. }
                    | EventKind::ChainReorg { .. }
            )
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn typed_calls_and_error_codes() {
    let node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    let c = client(&node);
    let ni = c.get_network_info().await.unwrap();
    assert_eq!(ni.subversion, "/BitcoinCommons:0.1.83/");
    assert_eq!(
        ni.extra.get("version"),
        None,
        "typed field not duplicated in extra"
    );
    let bi = c.get_blockchain_info().await.unwrap();
    assert_eq!(bi.chain, "regtest");
    assert_eq!(bi.bestblockhash, hash_of("genesis"));
    assert!(bi.extra.contains_key("warnings"));
    assert_eq!(c.uptime().await.unwrap(), 12);

    let e = c.get_block_header(&hash_of("nope")).await.unwrap_err();
    assert_eq!(e.code(), "ERR_RPC_ERROR");
    assert!(
        matches!(&e, RpcError::Rpc { code: -5, message, .. } if message == "Block not found"),
        "{e}"
    );
    let e = c.get_peer_info().await.unwrap_err();
    assert!(matches!(e, RpcError::Rpc { code: -32601, .. }), "{e}");
    let e = c.get_block_header("xyz").await.unwrap_err();
    assert_eq!(e.code(), "ERR_RPC_BAD_REQUEST");
    node.state.lock().unwrap().bad_best_hash = true;
    let e = c.get_best_block_hash().await.unwrap_err();
    assert_eq!(e.code(), "ERR_RPC_BAD_RESPONSE", "{e}");

    // wrong cookie on disk: auth error, and the message never carries the password
    std::fs::write(&node.cookie, "__cookie__:wrongpassword").unwrap();
    let fresh = client(&node);
    let e = fresh.get_network_info().await.unwrap_err();
    assert_eq!(e.code(), "ERR_RPC_AUTH");
    assert!(!e.to_string().contains("wrongpassword"));

    // nothing listening
    let mut node = node;
    node.stop().await;
    let e = c.get_network_info().await.unwrap_err();
    assert_eq!(e.code(), "ERR_RPC_UNAVAILABLE", "{e}");
}

#[tokio::test]
async fn cookie_reread_on_401_after_restart() {
    let mut node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    let c = client(&node);
    c.get_best_block_hash().await.unwrap();
    node.rotate_cookie("pw2"); // cached cookie is stale now
    c.get_best_block_hash().await.unwrap();
    node.restart("pw3").await;
    c.get_best_block_hash().await.unwrap();
    let calls = node.state.lock().unwrap().calls.len();
    assert!(calls >= 3);
}

#[tokio::test]
async fn tip_changes_become_new_block_events() {
    let node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    let view = view_for(&node, "");
    view.start().await.unwrap();
    let ev = events_until(&view, |e| {
        e.iter()
            .any(|k| matches!(k, EventKind::ChannelPolicy { .. }))
    })
    .await;
    assert!(
        matches!(&ev[0], EventKind::NodeReachable { version: Some(v), .. } if v == "0.1.83"),
        "{ev:?}"
    );
    match ev
        .iter()
        .find(|k| matches!(k, EventKind::ChannelPolicy { .. }))
    {
        Some(EventKind::ChannelPolicy {
            connect_ipc,
            reason,
            ..
        }) => {
            assert!(!connect_ipc);
            assert!(
                reason.contains("node 0.1.83 serves a single module connection"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    let st = view.status();
    assert_eq!(st["tip"]["value"]["hash"], hash_of("genesis"));
    assert_eq!(st["tip"]["source"], "rpc");
    assert_eq!(st["channels"]["ipc"]["state"], "not_used");

    let one = node.mine(1, "a");
    let ev = events_until(&view, |e| !only_chain(e).is_empty()).await;
    assert_eq!(
        only_chain(&ev),
        vec![EventKind::NewBlock {
            block_hash: one[0].clone(),
            height: 1
        }]
    );
    // several blocks between two polls: one NewBlock each, in order
    let more = node.mine(3, "b");
    let ev = events_until(&view, |e| only_chain(e).len() >= 3).await;
    let want: Vec<_> = more
        .iter()
        .enumerate()
        .map(|(i, h)| EventKind::NewBlock {
            block_hash: h.clone(),
            height: 2 + i as u64,
        })
        .collect();
    assert_eq!(only_chain(&ev), want);
    assert_eq!(view.status()["tip"]["value"]["height"], 4);

    // call_module/publish_event refused with the policy's reason
    let e = view
        .call_module("blvm-stratum-v2", "get_pool_stats", serde_json::json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_IPC_UNAVAILABLE");
    assert!(e.to_string().contains("0.1.83"), "{e}");
    view.close().await;
    view.close().await; // idempotent
    assert!(view.next_events(10).await.is_none());
    assert_eq!(
        view.get_best_block_hash().await.unwrap_err().code(),
        "ERR_NODE_CLOSED"
    );
}

#[tokio::test]
async fn reorg_emits_disconnected_reorg_then_new_blocks() {
    let node = FakeNode::start("/BitcoinCommons:0.1.84/").await;
    node.mine(3, "main");
    let view = view_for(&node, "");
    view.start().await.unwrap();
    let ev = events_until(&view, |e| {
        e.iter()
            .any(|k| matches!(k, EventKind::ChannelPolicy { .. }))
    })
    .await;
    assert!(
        ev.iter().any(|k| matches!(
            k,
            EventKind::ChannelPolicy {
                connect_ipc: true,
                ..
            }
        )),
        "{ev:?}"
    );
    let old_tip = node.tip().hash;
    let removed = node.rewind(2); // heights 3, 2
    let added = node.mine(3, "fork"); // heights 2, 3, 4
    let ev = events_until(&view, |e| only_chain(e).len() >= 6).await;
    let mut want = vec![
        EventKind::BlockDisconnected {
            hash: removed[0].clone(),
            height: 3,
        },
        EventKind::BlockDisconnected {
            hash: removed[1].clone(),
            height: 2,
        },
        EventKind::ChainReorg {
            old_tip,
            new_tip: added[2].clone(),
        },
    ];
    want.extend(added.iter().enumerate().map(|(i, h)| EventKind::NewBlock {
        block_hash: h.clone(),
        height: 2 + i as u64,
    }));
    assert_eq!(only_chain(&ev), want);

    // tip moving back (invalidateblock): disconnects + reorg, no NewBlock
    let before = node.tip().hash;
    let gone = node.rewind(1);
    let ev = events_until(&view, |e| only_chain(e).len() >= 2).await;
    assert_eq!(
        only_chain(&ev),
        vec![
            EventKind::BlockDisconnected {
                hash: gone[0].clone(),
                height: 4
            },
            EventKind::ChainReorg {
                old_tip: before,
                new_tip: node.tip().hash
            },
        ]
    );
    view.close().await;
}

#[tokio::test]
async fn node_down_then_up_clears_state_and_recovers() {
    let mut node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    let view = view_for(&node, "");
    view.start().await.unwrap();
    view.get_mempool_info().await.unwrap();
    assert_eq!(view.status()["figures"]["mempool_info"]["source"], "rpc");
    events_until(&view, |e| {
        e.iter()
            .any(|k| matches!(k, EventKind::NodeReachable { .. }))
    })
    .await;

    node.stop().await;
    let ev = events_until(&view, |e| {
        e.iter()
            .any(|k| matches!(k, EventKind::NodeUnreachable { .. }))
    })
    .await;
    assert!(ev.iter().any(
        |k| matches!(k, EventKind::NodeUnreachable { code, .. } if code == "ERR_RPC_UNAVAILABLE")
    ));
    let st = view.status();
    assert_eq!(st["channels"]["rpc"]["reachable"], false);
    assert!(st["tip"].is_null() && st["node"]["version"].is_null());
    assert_eq!(st["figures"].as_object().map(|m| m.len()), Some(0));
    assert_eq!(
        view.get_mempool_info().await.unwrap_err().code(),
        "ERR_RPC_UNAVAILABLE"
    );

    node.restart("newpw").await; // a new cookie too
    node.mine(1, "after");
    let ev = events_until(&view, |e| {
        e.iter()
            .any(|k| matches!(k, EventKind::NodeReachable { .. }))
    })
    .await;
    assert!(ev
        .iter()
        .any(|k| matches!(k, EventKind::NodeReachable { version: Some(v), .. } if v == "0.1.83")));
    // back: the tip is a fresh baseline
    tokio::time::sleep(Duration::from_millis(100)).await;
    let st = view.status();
    assert_eq!(st["channels"]["rpc"]["reachable"], true);
    assert_eq!(st["tip"]["value"]["hash"], node.tip().hash);
    view.close().await;
}

#[tokio::test]
async fn start_with_node_down_is_a_state_not_an_error() {
    let mut node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    node.stop().await;
    let view = view_for(&node, "ipc = \"on\"");
    view.start().await.unwrap();
    let ev = events_until(&view, |e| {
        e.iter()
            .any(|k| matches!(k, EventKind::ChannelPolicy { .. }))
    })
    .await;
    assert!(ev
        .iter()
        .any(|k| matches!(k, EventKind::NodeUnreachable { .. })));
    // "on" with the version unreadable: the policy allows the IPC
    assert!(
        ev.iter().any(|k| matches!(
            k,
            EventKind::ChannelPolicy {
                connect_ipc: true,
                ..
            }
        )),
        "{ev:?}"
    );
    assert_eq!(view.status()["channels"]["ipc"]["state"], "unavailable");
    view.close().await;
}

#[tokio::test]
async fn submit_block_reports_block_mined() {
    let node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    let view = view_for(&node, "");
    // an 80-byte header; the fake node accepts anything (answer null)
    let header_hex = "00".repeat(80);
    let r = view.submit_block(&header_hex).await.unwrap();
    assert!(r.accepted);
    assert_eq!(r.block_hash.len(), 64);
    // make the fake node know that hash so the header lookup succeeds
    {
        let mut s = node.state.lock().unwrap();
        let tip = s.chain.last().unwrap().clone();
        let b = common::Blk {
            hash: r.block_hash.clone(),
            prev: Some(tip.hash),
            height: tip.height + 1,
        };
        s.chain.push(b.clone());
        s.all.push(b);
    }
    let r = view.submit_block(&header_hex).await.unwrap();
    let ev = events_until(&view, |e| {
        e.iter().any(|k| matches!(k, EventKind::BlockMined { .. }))
    })
    .await;
    assert!(ev.iter().any(|k| matches!(k, EventKind::BlockMined { block_hash, height: 1, miner_id: None } if *block_hash == r.block_hash)));
    node.state.lock().unwrap().submit_answer = serde_json::json!("duplicate");
    let r = view.submit_block(&header_hex).await.unwrap();
    assert!(!r.accepted && r.reason.as_deref() == Some("duplicate"));
    assert_eq!(
        view.submit_block("zz").await.unwrap_err().code(),
        "ERR_RPC_BAD_REQUEST"
    );
    let _ = Source::Rpc;
    view.close().await;
}
