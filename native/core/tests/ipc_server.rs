//! The node-side helpers against the real client: handshake, in-order answers, events and
//! invocations pushed between responses, and the node's drop-on-error behaviour.

use std::time::Duration;

use blvm_miningos_core::ipc::server::{serve_connection, NodeConnection, ServeEnd};
use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::{IpcClient, IpcClientConfig, IpcItem};
use blvm_miningos_core::Coded;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);

fn handler(req: &RequestPayload) -> Result<ResponsePayload, String> {
    match req {
        RequestPayload::GetBlockHeight => Ok(ResponsePayload::U64(321)),
        RequestPayload::SubscribeEvents { .. } => Ok(ResponsePayload::SubscribeAck),
        other => Err(format!(
            "{} failed: Chain not yet initialized",
            other.name()
        )),
    }
}

#[tokio::test]
async fn serves_the_client_and_drops_it_on_error_like_the_node() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("node.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    let (ev_tx, ev_rx) = mpsc::channel(16);

    let node = async {
        let (s, _) = listener.accept().await.expect("accept");
        let mut conn = NodeConnection::new(s);
        let hs = conn.accept_handshake("0.1.83").await.expect("handshake");
        assert_eq!(hs.module_id, "demo_00ff");
        let mut others = Vec::new();
        let end = serve_connection(conn, ev_rx, handler, |m| others.push(m))
            .await
            .expect("serve");
        (end, others)
    };
    let module = async {
        let mut cfg = IpcClientConfig::new(&path, "demo_00ff", "demo", "0.1.0");
        cfg.reconnect = None;
        cfg.subscribe = vec![EventType::NewBlock];
        cfg.request_timeout = WAIT;
        let client = IpcClient::connect(cfg).await.expect("connect");
        assert_eq!(client.get_block_height().await.expect("height"), 321);
        ev_tx
            .send(ModuleMessage::Event(EventMessage::new(
                EventPayload::NewBlock {
                    block_hash: [1; 32],
                    height: 1,
                },
            )))
            .await
            .expect("push event");
        let mut got = Vec::new();
        while !got.iter().any(|i| matches!(i, IpcItem::Event(_))) {
            got.extend(
                tokio::time::timeout(WAIT, client.next_events(10))
                    .await
                    .expect("in time")
                    .expect("open"),
            );
        }
        client
            .send_log(LogLevel::Info, "hi", "test")
            .await
            .expect("log");
        // The handler refuses: the node side drops the connection, the request fails at once.
        let e = client.get_chain_info().await.unwrap_err();
        assert_eq!(e.code(), "ERR_NODE_DISCONNECTED");
        client
    };
    let ((end, others), _client) = tokio::join!(node, module);
    assert_eq!(
        end,
        ServeEnd::Refused {
            request: "GetChainInfo",
            reason: "GetChainInfo failed: Chain not yet initialized".into()
        }
    );
    assert!(matches!(&others[..], [ModuleMessage::Log(l)] if l.message == "hi"));
}

#[tokio::test]
async fn a_first_frame_that_is_not_a_handshake_is_refused() {
    let (a, b) = UnixStream::pair().expect("pair");
    let mut node = NodeConnection::new(a);
    let mut module = NodeConnection::new(b);
    module
        .send(&ModuleMessage::Request(RequestMessage::new(
            1,
            RequestPayload::GetBlockHeight,
        )))
        .await
        .expect("send");
    let e = node.accept_handshake("0.1.83").await.unwrap_err();
    assert_eq!(e.code(), "ERR_IPC_PROTOCOL");
    assert!(e.to_string().contains("Handshake"), "{e}");
}
