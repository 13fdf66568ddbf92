//! The engine over the real node view (`NodeViewOps`): a loopback JSON-RPC node (the node view's
//! test node) and, for a node that serves the IPC safely, an in-test IPC server speaking the real
//! codec that plays the Stratum V2 module (`update_pool_config`) and receives `ActionExecuted`.

mod actions_common;
mod common;

use actions_common::{miner, node as node_target, req};
use blvm_miningos_core::actions::{ActionEngine, ActionsConfig, FileJournal, NodeViewOps};
use blvm_miningos_core::config::{load, LoadOptions};
use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::{encode_frame, MessageCodec};
use blvm_miningos_core::node::NodeView;
use blvm_miningos_core::Coded;
use common::FakeNode;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
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

fn engine(dir: &std::path::Path, view: Arc<NodeView>) -> ActionEngine {
    let (j, _) = FileJournal::open(dir.join("actions.jsonl")).unwrap();
    let e = ActionEngine::new(ActionsConfig::default(), Arc::new(j)).unwrap();
    e.set_node_ops(Arc::new(NodeViewOps::new(view)));
    e
}

async fn recv_request(c: &mut Conn) -> RequestMessage {
    let m = tokio::time::timeout(WAIT, c.next())
        .await
        .expect("frame in time")
        .expect("open")
        .expect("decodable");
    match m {
        ModuleMessage::Request(r) => r,
        other => panic!("expected a request, got {other:?}"),
    }
}

async fn reply(c: &mut Conn, id: u64, p: ResponsePayload) {
    let f = encode_frame(&ModuleMessage::Response(ResponseMessage::ok(id, p))).unwrap();
    c.get_mut().write_all(&f).await.unwrap();
}

/// Accepts the module, answers its handshake and its subscription.
async fn accept(l: &UnixListener) -> Conn {
    let (s, _) = tokio::time::timeout(WAIT, l.accept())
        .await
        .unwrap()
        .unwrap();
    let mut c = Framed::new(s, MessageCodec::new());
    let r = recv_request(&mut c).await;
    assert!(matches!(r.payload, RequestPayload::Handshake { .. }));
    reply(
        &mut c,
        r.correlation_id,
        ResponsePayload::HandshakeAck {
            node_version: "0.1.84".into(),
        },
    )
    .await;
    // setup steps: the CLI spec (always), the module API (when granted), then the subscription
    let r = recv_request(&mut c).await;
    assert!(matches!(r.payload, RequestPayload::RegisterCliSpec { .. }));
    reply(&mut c, r.correlation_id, ResponsePayload::Bool(true)).await;
    let mut r = recv_request(&mut c).await;
    if matches!(r.payload, RequestPayload::RegisterModuleApi { .. }) {
        reply(
            &mut c,
            r.correlation_id,
            ResponsePayload::ModuleApiRegistered,
        )
        .await;
        r = recv_request(&mut c).await;
    }
    assert!(matches!(r.payload, RequestPayload::SubscribeEvents { .. }));
    reply(&mut c, r.correlation_id, ResponsePayload::SubscribeAck).await;
    c
}

fn pools() -> Value {
    json!({"config": {"poolUrls": [
        {"url": "stratum2+tcp://pool.example:3336", "workerName": "acct", "workerPassword": "pw"}]}})
}

#[tokio::test]
async fn node_0_1_83_json_rpc_only() {
    let node = FakeNode::start("/BitcoinCommons:0.1.83/").await;
    let sock = node.dir.path().join("node.sock");
    let _listener = UnixListener::bind(&sock).unwrap();
    let v = Arc::new(view(&node, &sock, ""));
    v.start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), v.clone());

    let caps = e.capabilities();
    assert!(caps.node.available, "{caps:?}");
    assert!(!caps.call_module.available);
    assert!(!caps.publish_events.available);
    // setupPools is never offered on this node, with the policy's reason.
    assert!(!e.whitelist().iter().any(|(a, _)| a == "setupPools"));
    let err = e
        .validate(&miner("m1", "10.0.0.2"), "setupPools", &[pools()])
        .unwrap_err();
    assert_eq!(err.code(), "ERR_ACTION_UNAVAILABLE");
    assert!(err.to_string().contains("IPC"), "{err}");

    // queryStats over JSON-RPC: sections the node answers, and a coded error for the one it lacks.
    let r = e
        .execute(req(Some("q1"), node_target(), "queryStats", vec![]))
        .await
        .unwrap();
    assert!(r.success, "{r:?}");
    let d = r.data.unwrap();
    assert_eq!(d["chain"]["chain"], "regtest");
    assert_eq!(d["network"]["subversion"], "/BitcoinCommons:0.1.83/");
    assert_eq!(d["mempool"]["size"], 0);
    assert!(
        d["mining"]["error"]["code"]
            .as_str()
            .unwrap()
            .starts_with("ERR_"),
        "{d}"
    );

    // submitBlock: accepted (null), then rejected with the node's reason.
    let block = "00".repeat(200);
    let r = e
        .execute(req(
            Some("s1"),
            node_target(),
            "submitBlock",
            vec![json!(block)],
        ))
        .await
        .unwrap();
    assert!(r.success, "{r:?}");
    node.state.lock().unwrap().submit_answer = json!("high-hash");
    let r = e
        .execute(req(
            Some("s2"),
            node_target(),
            "submitBlock",
            vec![json!(block)],
        ))
        .await
        .unwrap();
    assert_eq!(r.error.as_deref(), Some("ERR_BLOCK_REJECTED"), "{r:?}");
    assert!(r.message.unwrap().contains("high-hash"));
    assert!(
        node.state
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| *c == "submitblock")
            .count()
            == 2
    );

    // refreshTemplate: this test node has no getblocktemplate → a failure with the RPC's code.
    let r = e
        .execute(req(Some("t1"), node_target(), "refreshTemplate", vec![]))
        .await
        .unwrap();
    assert!(!r.success);
    assert!(r.error.unwrap().starts_with("ERR_"));

    // The node goes away: node actions become unavailable with the reason.
    let mut node = node;
    node.stop().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = e.validate(&node_target(), "queryStats", &[]).unwrap_err();
    assert_eq!(err.code(), "ERR_ACTION_UNAVAILABLE", "{err}");
    v.close().await;
}

#[tokio::test]
async fn setup_pools_through_the_ipc_to_a_stratum_emulation() {
    let node = FakeNode::start("/BitcoinCommons:0.1.84/").await;
    let sock = node.dir.path().join("node.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let v = Arc::new(view(
        &node,
        &sock,
        "capabilities = [\"read_blockchain\", \"subscribe_events\", \"call_module\", \"publish_events\"]",
    ));
    let (started, mut conn) = tokio::join!(v.start(), accept(&listener));
    started.unwrap();
    let t = std::time::Instant::now();
    while v.status()["channels"]["ipc"]["state"] != "connected" {
        assert!(t.elapsed() < WAIT, "{}", v.status());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let e = Arc::new(engine(dir.path(), v.clone()));
    assert!(e.whitelist().iter().any(|(a, _)| a == "setupPools"));

    // 1. The stratum module accepts.
    let task = tokio::spawn({
        let e = e.clone();
        async move {
            e.execute(req(
                Some("1700000000100"),
                miner("m1", "10.0.0.2"),
                "setupPools",
                vec![pools()],
            ))
            .await
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
            assert_eq!(method, "update_pool_config");
            let p: Value = serde_json::from_slice(params).unwrap();
            assert_eq!(p["action"], "update_pool_config");
            assert_eq!(p["pool_url"], "stratum2+tcp://pool.example:3336");
            assert_eq!(p["pool_user"], "acct.m1");
            assert_eq!(p["pool_password"], "pw");
        }
        other => panic!("{other:?}"),
    }
    reply(
        &mut conn,
        r.correlation_id,
        ResponsePayload::ModuleApiResponse(br#"{"ok":true}"#.to_vec()),
    )
    .await;
    // ActionExecuted is published after the action.
    let r = recv_request(&mut conn).await;
    match &r.payload {
        RequestPayload::PublishEvent {
            event_type,
            payload,
        } => {
            assert_eq!(*event_type, EventType::ActionExecuted);
            match payload {
                EventPayload::ActionExecuted {
                    action_id,
                    action_type,
                    target,
                    success,
                } => {
                    assert_eq!(action_id, "1700000000100");
                    assert_eq!(action_type, "setupPools");
                    assert_eq!(target, "miner:m1");
                    assert!(*success);
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    reply(&mut conn, r.correlation_id, ResponsePayload::EventPublished).await;
    let res = task.await.unwrap().unwrap();
    assert!(res.success, "{res:?}");
    assert_eq!(res.data.unwrap()["poolConfig"][0]["username"], "acct.m1");

    // 2. The stratum module answers with an error.
    let task = tokio::spawn({
        let e = e.clone();
        async move {
            e.execute(req(
                Some("1700000000101"),
                miner("m1", "10.0.0.2"),
                "setupPools",
                vec![pools()],
            ))
            .await
        }
    });
    let r = recv_request(&mut conn).await;
    assert!(matches!(r.payload, RequestPayload::CallModule { .. }));
    reply(
        &mut conn,
        r.correlation_id,
        ResponsePayload::ModuleApiResponse(
            br#"{"error":"Unknown method: update_pool_config"}"#.to_vec(),
        ),
    )
    .await;
    let r = recv_request(&mut conn).await;
    assert!(matches!(r.payload, RequestPayload::PublishEvent { .. }));
    reply(&mut conn, r.correlation_id, ResponsePayload::EventPublished).await;
    let res = task.await.unwrap().unwrap();
    assert_eq!(res.error.as_deref(), Some("ERR_POOL_REJECTED"));
    assert!(res.message.unwrap().contains("Unknown method"));

    // 3. The node drops the connection (what a real node does on an unknown method):
    //    setupPools is no longer available, with the reason.
    drop(conn);
    let t = std::time::Instant::now();
    while e.capabilities().call_module.available {
        assert!(t.elapsed() < WAIT);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let err = e
        .validate(&miner("m1", "10.0.0.2"), "setupPools", &[pools()])
        .unwrap_err();
    assert_eq!(err.code(), "ERR_ACTION_UNAVAILABLE");
    v.close().await;
}
