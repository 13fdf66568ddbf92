//! The node view with the IPC wired: a loopback JSON-RPC node plus an in-test IPC server (a real
//! `UnixListener` speaking the real codec). Policy-gated connection, events merged and
//! de-duplicated, invocations, `call_module`, `publish_event`, handshake safety check.

mod common;

use blvm_miningos_core::config::{load, LoadOptions};
use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::{encode_frame, MessageCodec};
use blvm_miningos_core::node::{EventKind, NodeView, Source};
use blvm_miningos_core::Coded;
use common::FakeNode;
use futures_util::StreamExt;
use serde_json::json;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};
use tokio_util::codec::Framed;

const WAIT: Duration = Duration::from_secs(5);
type Conn = Framed<UnixStream, MessageCodec>;

fn view(node: &FakeNode, socket: &std::path::Path, extra: &str) -> NodeView {
    let body = format!(
        "[p2p]\nenabled = false\n[http]\nenabled = false\n[node]\nrpc_url = \"{}\"\nrpc_cookie_file = \"{}\"\ntip_poll_interval_ms = 20\nhandshake_timeout_ms = 500\nsocket_path = \"{}\"\n{extra}",
        node.url(),
        node.cookie.display(),
        socket.display()
    );
    let loaded = load(&LoadOptions {
        cwd: node.dir.path().to_path_buf(),
        inline: Some(("test".into(), toml::from_str(&body).unwrap())),
        ..Default::default()
    })
    .unwrap();
    NodeView::new(&loaded.config).unwrap()
}

async fn recv(c: &mut Conn) -> ModuleMessage {
    tokio::time::timeout(WAIT, c.next())
        .await
        .expect("frame in time")
        .expect("open")
        .expect("decodable")
}

async fn recv_request(c: &mut Conn) -> RequestMessage {
    match recv(c).await {
        ModuleMessage::Request(r) => r,
        other => panic!("expected a request, got {other:?}"),
    }
}

async fn send(c: &mut Conn, m: ModuleMessage) {
    let f = encode_frame(&m).unwrap();
    c.get_mut().write_all(&f).await.unwrap();
}

/// Accepts the module, answers its handshake with `version` and its subscription.
async fn accept(l: &UnixListener, version: &str) -> (Conn, Vec<EventType>) {
    let (s, _) = tokio::time::timeout(WAIT, l.accept())
        .await
        .unwrap()
        .unwrap();
    let mut c = Framed::new(s, MessageCodec::new());
    let r = recv_request(&mut c).await;
    assert!(
        matches!(r.payload, RequestPayload::Handshake { .. }),
        "{r:?}"
    );
    send(
        &mut c,
        ModuleMessage::Response(ResponseMessage::ok(
            r.correlation_id,
            ResponsePayload::HandshakeAck {
                node_version: version.into(),
            },
        )),
    )
    .await;
    let mut subscribed = vec![];
    {
        // the node CLI spec comes first (no capability needed), then the subscription
        let r = recv_request(&mut c).await;
        match r.payload {
            RequestPayload::RegisterCliSpec { spec } => assert_eq!(spec.name, "blvm-miningos"),
            other => panic!("expected RegisterCliSpec, got {other:?}"),
        }
        send(
            &mut c,
            ModuleMessage::Response(ResponseMessage::ok(
                r.correlation_id,
                ResponsePayload::Bool(true),
            )),
        )
        .await;
        let r = recv_request(&mut c).await;
        match r.payload {
            RequestPayload::SubscribeEvents { event_types } => subscribed = event_types,
            other => panic!("expected SubscribeEvents, got {other:?}"),
        }
        send(
            &mut c,
            ModuleMessage::Response(ResponseMessage::ok(
                r.correlation_id,
                ResponsePayload::SubscribeAck,
            )),
        )
        .await;
    }
    (c, subscribed)
}

async fn events_until(
    view: &NodeView,
    pred: impl Fn(&[(EventKind, Source)]) -> bool,
) -> Vec<(EventKind, Source)> {
    let mut got = vec![];
    let deadline = tokio::time::Instant::now() + WAIT;
    while !pred(&got) {
        match tokio::time::timeout_at(deadline, view.next_events(100)).await {
            Ok(Some(b)) => got.extend(b.into_iter().map(|e| (e.kind, e.source))),
            _ => panic!("events so far: {got:#?}\nstatus: {}", view.status()),
        }
    }
    got
}

/// Internal-order bytes of a display-order hex hash.
fn internal(hex_hash: &str) -> [u8; 32] {
    let mut b: [u8; 32] = hex::decode(hex_hash).unwrap().try_into().unwrap();
    b.reverse();
    b
}

#[tokio::test]
async fn ipc_events_invocations_and_calls_on_a_safe_node() {
    let node = FakeNode::start("/BitcoinCommons:0.1.84/").await;
    let sock = node.dir.path().join("node.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let v = view(
        &node,
        &sock,
        "capabilities = [\"read_blockchain\", \"subscribe_events\", \"call_module\"]",
    );
    let (started, (mut conn, subscribed)) = tokio::join!(v.start(), accept(&listener, "0.1.84"));
    started.unwrap();
    assert!(
        subscribed.contains(&EventType::NewBlock) && subscribed.contains(&EventType::BlockMined)
    );
    let ev = events_until(&v, |e| {
        e.iter()
            .any(|(k, _)| matches!(k, EventKind::IpcConnected { .. }))
    })
    .await;
    assert!(ev.iter().any(|(k, _)| matches!(
        k,
        EventKind::ChannelPolicy {
            connect_ipc: true,
            ..
        }
    )));
    assert_eq!(v.status()["channels"]["ipc"]["state"], "connected");
    assert_eq!(v.status()["channels"]["ipc"]["node_version"], "0.1.84");

    // the same block from both channels is reported once; the IPC's arrives first here
    let hashes = node.mine(1, "x");
    send(
        &mut conn,
        ModuleMessage::Event(EventMessage::new(EventPayload::NewBlock {
            block_hash: internal(&hashes[0]),
            height: 1,
        })),
    )
    .await;
    send(
        &mut conn,
        ModuleMessage::Event(EventMessage::new(EventPayload::MempoolTransactionAdded {
            tx_hash: [7u8; 32],
            fee_rate: 2.5,
            mempool_size: 3,
        })),
    )
    .await;
    let ev = events_until(&v, |e| {
        e.iter().any(|(k, _)| matches!(k, EventKind::Ipc { .. }))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await; // several polls see the same tip
    let mut all = ev;
    while let Ok(Some(b)) =
        tokio::time::timeout(Duration::from_millis(50), v.next_events(100)).await
    {
        all.extend(b.into_iter().map(|e| (e.kind, e.source)));
    }
    let new_blocks: Vec<_> = all
        .iter()
        .filter(|(k, _)| matches!(k, EventKind::NewBlock { .. }))
        .collect();
    assert_eq!(new_blocks.len(), 1, "{all:#?}");
    assert_eq!(
        new_blocks[0].0,
        EventKind::NewBlock {
            block_hash: hashes[0].clone(),
            height: 1
        }
    );
    let mempool = all
        .iter()
        .find_map(|(k, s)| match k {
            EventKind::Ipc { name, fields } if name == "MempoolTransactionAdded" => {
                Some((fields.clone(), *s))
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(mempool.1, Source::Ipc);
    assert_eq!(mempool.0["tx_hash"], json!("07".repeat(32)));
    assert_eq!(mempool.0["mempool_size"], json!(3));

    // a CLI invocation goes to JS and its answer back to the node
    send(
        &mut conn,
        ModuleMessage::Invocation(InvocationMessage {
            correlation_id: 77,
            invocation_type: InvocationType::Cli {
                subcommand: "status".into(),
                args: vec!["-v".into()],
            },
        }),
    )
    .await;
    let inv = tokio::time::timeout(WAIT, v.next_invocation())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        inv,
        json!({"id": 77, "kind": "Cli", "payload": {"subcommand": "status", "args": ["-v"]}})
    );
    assert_eq!(
        v.respond_invocation(77, json!({"exit_code": 0}))
            .await
            .unwrap_err()
            .code(),
        "ERR_INVALID_ARGUMENT"
    );
    v.respond_invocation(77, json!({"stdout": "ok\n"}))
        .await
        .unwrap();
    match recv(&mut conn).await {
        ModuleMessage::InvocationResult(r) => {
            assert_eq!(r.correlation_id, 77);
            assert!(r.success);
            assert_eq!(
                r.payload,
                Some(InvocationResultPayload::Cli {
                    stdout: "ok\n".into(),
                    stderr: String::new(),
                    exit_code: 0
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        v.respond_invocation(77, json!({"stdout": ""}))
            .await
            .unwrap_err()
            .code(),
        "ERR_UNKNOWN_INVOCATION"
    );

    // call_module: JSON in, JSON out
    let call = tokio::spawn({
        let v = std::sync::Arc::new(v);
        let v2 = v.clone();
        async move {
            (
                v2.call_module("blvm-stratum-v2", "get_pool_stats", json!({"a": 1}))
                    .await,
                v,
            )
        }
    });
    let r = recv_request(&mut conn).await;
    match &r.payload {
        RequestPayload::CallModule {
            target_module_id,
            method,
            params,
        } => {
            assert_eq!(target_module_id.as_deref(), Some("blvm-stratum-v2"));
            assert_eq!(method, "get_pool_stats");
            assert_eq!(
                serde_json::from_slice::<serde_json::Value>(params).unwrap(),
                json!({"a": 1})
            );
        }
        other => panic!("{other:?}"),
    }
    send(
        &mut conn,
        ModuleMessage::Response(ResponseMessage::ok(
            r.correlation_id,
            ResponsePayload::ModuleApiResponse(br#"{"miners":2}"#.to_vec()),
        )),
    )
    .await;
    let (res, v) = call.await.unwrap();
    assert_eq!(res.unwrap(), json!({"miners": 2}));

    // publish_events is not granted: refused locally, never sent
    let e = v
        .publish_event("NewBlock", json!({"block_hash": hashes[0], "height": 1}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_CAPABILITY_NOT_GRANTED", "{e}");
    let e = v.publish_event("NoSuchEvent", json!({})).await.unwrap_err();
    assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");

    // the node drops the connection: IpcDisconnected, requests refused with the reason
    drop(conn);
    events_until(&v, |e| {
        e.iter()
            .any(|(k, _)| matches!(k, EventKind::IpcDisconnected { .. }))
    })
    .await;
    let e = v.call_module("x", "y", json!(null)).await.unwrap_err();
    assert_eq!(e.code(), "ERR_IPC_UNAVAILABLE");
    v.close().await;
    assert!(v.next_invocation().await.is_none());
}

#[tokio::test]
async fn unsafe_node_is_never_connected_and_on_mode_backs_off_after_handshake() {
    // auto + 0.1.83 over JSON-RPC: the socket is never touched
    let node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    let sock = node.dir.path().join("node.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let v = view(&node, &sock, "ipc = \"on\"");
    v.start().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(50), listener.accept())
            .await
            .is_err(),
        "the module connected to a 0.1.83 node"
    );
    assert_eq!(v.status()["channels"]["ipc"]["state"], "not_used");
    v.close().await;

    // on + version unreadable (not a BLVM subversion) → tries; the handshake says 0.1.83 → closes
    let other = FakeNode::start("/Satoshi:27.0.0/").await;
    let sock2 = other.dir.path().join("node.sock");
    let listener2 = UnixListener::bind(&sock2).unwrap();
    let v = view(&other, &sock2, "ipc = \"on\"");
    let (started, (mut conn, _)) = tokio::join!(v.start(), accept(&listener2, "0.1.83"));
    started.unwrap();
    let ev = events_until(&v, |e| {
        e.iter()
            .any(|(k, _)| matches!(k, EventKind::IpcDisconnected { .. }))
    })
    .await;
    let reason = ev
        .iter()
        .find_map(|(k, _)| match k {
            EventKind::IpcDisconnected { reason } => Some(reason.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        reason.contains("0.1.83") && reason.contains("single module connection"),
        "{reason}"
    );
    // the module closed its side
    let end = tokio::time::timeout(WAIT, conn.next()).await.unwrap();
    assert!(end.is_none() || matches!(end, Some(Err(_))), "{end:?}");
    assert_eq!(v.status()["channels"]["ipc"]["state"], "not_used");
    v.close().await;

    // on + unreadable version + nobody answering the handshake → timeout, clean fall back
    let third = FakeNode::start("/Satoshi:27.0.0/").await;
    let sock3 = third.dir.path().join("node.sock");
    let _silent = UnixListener::bind(&sock3).unwrap();
    let v = view(&third, &sock3, "ipc = \"on\"");
    v.start().await.unwrap();
    let ev = events_until(&v, |e| {
        e.iter()
            .any(|(k, _)| matches!(k, EventKind::IpcDisconnected { .. }))
    })
    .await;
    assert!(ev.iter().any(|(k, _)| matches!(k, EventKind::IpcDisconnected { reason } if reason.contains("ERR_HANDSHAKE_TIMEOUT") && reason.contains("JSON-RPC only"))), "{ev:#?}");
    assert_eq!(v.status()["channels"]["ipc"]["state"], "failed");
    assert_eq!(
        v.get_best_block_hash().await.unwrap(),
        third.tip().hash,
        "JSON-RPC still works"
    );
    v.close().await;
}

#[tokio::test]
async fn failed_ipc_is_retried_when_the_node_comes_back() {
    let mut node = FakeNode::start("/BitcoinCommons:0.1.90/").await;
    let sock = node.dir.path().join("node.sock"); // nothing listening yet
    let v = view(&node, &sock, "");
    v.start().await.unwrap();
    let ev = events_until(&v, |e| {
        e.iter()
            .any(|(k, _)| matches!(k, EventKind::IpcDisconnected { .. }))
    })
    .await;
    assert!(ev.iter().any(|(k, _)| matches!(k, EventKind::IpcDisconnected { reason } if reason.contains("ERR_IPC_CONNECT"))), "{ev:#?}");
    assert_eq!(v.status()["channels"]["ipc"]["state"], "failed");

    // the node restarts, this time with its IPC socket
    node.stop().await;
    events_until(&v, |e| {
        e.iter()
            .any(|(k, _)| matches!(k, EventKind::NodeUnreachable { .. }))
    })
    .await;
    let listener = UnixListener::bind(&sock).unwrap();
    node.restart("pw-again").await;
    let (_conn, subscribed) = accept(&listener, "0.1.90").await;
    assert!(!subscribed.is_empty());
    events_until(&v, |e| {
        e.iter()
            .any(|(k, _)| matches!(k, EventKind::IpcConnected { .. }))
    })
    .await;
    assert_eq!(v.status()["channels"]["ipc"]["state"], "connected");
    v.close().await;
    assert_eq!(v.status()["channels"]["ipc"]["state"], "closed");
}
