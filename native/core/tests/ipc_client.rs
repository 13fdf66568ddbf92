//! The IPC client against an in-test node: a real tokio `UnixListener` speaking the real codec.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::{
    encode_frame, Backoff, Capability, IpcClient, IpcClientConfig, IpcItem, MessageCodec,
    ModuleApiSpec,
};
use blvm_miningos_core::Coded;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};
use tokio_util::codec::Framed;

const WAIT: Duration = Duration::from_secs(5);

type Conn = Framed<UnixStream, MessageCodec>;

struct TestNode {
    listener: UnixListener,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestNode {
    fn new() -> TestNode {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("node.sock");
        let listener = UnixListener::bind(&path).expect("bind");
        TestNode {
            listener,
            path,
            _dir: dir,
        }
    }

    fn config(&self) -> IpcClientConfig {
        let mut c = IpcClientConfig::new(&self.path, "demo_00ff", "demo", "0.1.0");
        c.request_timeout = WAIT;
        c.handshake_timeout = WAIT;
        c.reconnect = None;
        c
    }

    async fn accept(&self) -> Conn {
        let (s, _) = tokio::time::timeout(WAIT, self.listener.accept())
            .await
            .expect("accept in time")
            .expect("accept");
        Framed::new(s, MessageCodec::new())
    }

    /// Accepts and answers the handshake; returns the connection and the handshake's id.
    async fn accept_handshake(&self, node_version: &str) -> (Conn, u64) {
        let mut c = self.accept().await;
        let r = recv_request(&mut c).await;
        assert!(
            matches!(r.payload, RequestPayload::Handshake { .. }),
            "first frame must be Handshake, got {:?}",
            r.payload
        );
        assert_eq!(r.request_type, MessageType::Handshake);
        send(
            &mut c,
            ModuleMessage::Response(ResponseMessage::ok(
                r.correlation_id,
                ResponsePayload::HandshakeAck {
                    node_version: node_version.into(),
                },
            )),
        )
        .await;
        (c, r.correlation_id)
    }
}

async fn recv(c: &mut Conn) -> ModuleMessage {
    tokio::time::timeout(WAIT, c.next())
        .await
        .expect("frame in time")
        .expect("stream open")
        .expect("decodable")
}

async fn recv_request(c: &mut Conn) -> RequestMessage {
    match recv(c).await {
        ModuleMessage::Request(r) => r,
        other => panic!("expected a Request, got {other:?}"),
    }
}

async fn send(c: &mut Conn, m: ModuleMessage) {
    // Written straight to the socket (futures-util is built without its `sink` feature).
    let f = encode_frame(&m).expect("encode");
    c.get_mut().write_all(&f).await.expect("send");
}

async fn answer(c: &mut Conn, cid: u64, p: ResponsePayload) {
    send(c, ModuleMessage::Response(ResponseMessage::ok(cid, p))).await;
}

fn new_block(h: u64) -> ModuleMessage {
    ModuleMessage::Event(EventMessage::new(EventPayload::NewBlock {
        block_hash: [h as u8; 32],
        height: h,
    }))
}

async fn items(client: &IpcClient, max: usize) -> Vec<IpcItem> {
    tokio::time::timeout(WAIT, client.next_events(max))
        .await
        .expect("items in time")
        .expect("stream open")
}

/// Connects a client to `node` and returns it with the server side of the connection.
async fn connected(node: &TestNode, cfg: IpcClientConfig) -> (IpcClient, Conn) {
    let (client, (conn, _)) = tokio::join!(
        async { IpcClient::connect(cfg).await.expect("connect") },
        node.accept_handshake("0.1.83")
    );
    (client, conn)
}

#[tokio::test]
async fn handshake_is_the_first_frame_and_status_reports_it() {
    let node = TestNode::new();
    let (client, (_conn, cid)) = tokio::join!(
        async { IpcClient::connect(node.config()).await.expect("connect") },
        async {
            let mut c = node.accept().await;
            let r = recv_request(&mut c).await;
            assert_eq!(
                r.payload,
                RequestPayload::Handshake {
                    module_id: "demo_00ff".into(),
                    module_name: "demo".into(),
                    version: "0.1.0".into(),
                }
            );
            answer(
                &mut c,
                r.correlation_id,
                ResponsePayload::HandshakeAck {
                    node_version: "0.1.83".into(),
                },
            )
            .await;
            (c, r.correlation_id)
        }
    );
    assert_eq!(cid, 1, "correlation ids start at 1");
    let st = client.status();
    assert!(st.connected);
    assert_eq!(st.node_version.as_deref(), Some("0.1.83"));
    assert_eq!(
        st.granted,
        [
            "read_blockchain",
            "read_utxo",
            "read_chain_state",
            "subscribe_events"
        ]
    );
    assert_eq!(
        items(&client, 10).await,
        vec![IpcItem::Connected {
            node_version: "0.1.83".into()
        }]
    );
}

#[tokio::test]
async fn requests_in_flight_are_answered_in_order_with_events_interleaved() {
    let node = TestNode::new();
    let (client, mut conn) = connected(&node, node.config()).await;
    let server = async {
        let a = recv_request(&mut conn).await;
        let b = recv_request(&mut conn).await;
        let c = recv_request(&mut conn).await;
        let ids = [a.correlation_id, b.correlation_id, c.correlation_id];
        assert!(ids[0] < ids[1] && ids[1] < ids[2], "monotonic ids {ids:?}");
        let mut by_id = [a, b, c];
        by_id.sort_by_key(|r| r.correlation_id);
        send(&mut conn, new_block(1)).await;
        for (i, r) in by_id.iter().enumerate() {
            let p = match r.payload {
                RequestPayload::GetBlockHeight => ResponsePayload::U64(100),
                RequestPayload::GetChainTip => ResponsePayload::Hash([7; 32]),
                RequestPayload::GetBlockByHeight { height } => {
                    ResponsePayload::BlockByHeight(Some(Block {
                        header: BlockHeader {
                            nonce: height,
                            ..BlockHeader::default()
                        },
                        transactions: vec![],
                    }))
                }
                ref other => panic!("unexpected {other:?}"),
            };
            answer(&mut conn, r.correlation_id, p).await;
            send(&mut conn, new_block(2 + i as u64)).await;
        }
        conn
    };
    let (_conn, r1, r2, r3) = tokio::join!(
        server,
        client.request(RequestPayload::GetBlockHeight),
        client.request(RequestPayload::GetChainTip),
        client.request(RequestPayload::GetBlockByHeight { height: 21 }),
    );
    assert_eq!(r1.expect("height"), ResponsePayload::U64(100));
    assert_eq!(r2.expect("tip"), ResponsePayload::Hash([7; 32]));
    match r3.expect("by height") {
        ResponsePayload::BlockByHeight(Some(b)) => assert_eq!(b.header.nonce, 21),
        other => panic!("unexpected {other:?}"),
    }
    let mut got = Vec::new();
    while got.len() < 5 {
        got.extend(items(&client, 100).await);
    }
    let heights: Vec<u64> = got
        .iter()
        .filter_map(|i| match i {
            IpcItem::Event(EventMessage {
                payload: EventPayload::NewBlock { height, .. },
                ..
            }) => Some(*height),
            _ => None,
        })
        .collect();
    assert_eq!(heights, [1, 2, 3, 4]);
    assert_eq!(client.status().in_flight, 0);
}

#[tokio::test]
async fn refused_requests_never_reach_the_node_and_the_connection_survives() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.granted.insert(Capability::SubmitBlock);
    let (client, mut conn) = connected(&node, cfg).await;

    let e = client
        .request(RequestPayload::GetMempoolSize)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_CAPABILITY_NOT_GRANTED");
    assert!(e.to_string().contains("read_mempool"), "{e}");

    // Granted, but node 0.1.83 always fails it (and would drop us).
    let e = client
        .request(RequestPayload::SubmitBlock {
            block: Block::default(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_UNSUPPORTED_BY_NODE");
    assert!(e.to_string().contains("JSON-RPC"), "{e}");

    let e = client
        .request(RequestPayload::Handshake {
            module_id: "x".into(),
            module_name: "x".into(),
            version: "1".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_IPC_PROTOCOL");

    // The next frame the node sees is the allowed request: the refused ones were never sent.
    let (_, r) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            assert_eq!(r.payload, RequestPayload::GetBlockHeight);
            answer(&mut conn, r.correlation_id, ResponsePayload::U64(5)).await;
        },
        client.request(RequestPayload::GetBlockHeight)
    );
    assert_eq!(r.expect("allowed request"), ResponsePayload::U64(5));
    assert!(client.status().connected);
}

#[tokio::test]
async fn node_drop_fails_pending_at_once_then_reconnects_and_resubscribes() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.reconnect = Some(Backoff {
        min: Duration::from_millis(20),
        max: Duration::from_millis(200),
    });
    cfg.subscribe = vec![
        EventType::NewBlock,
        EventType::ChainReorg,
        EventType::NewBlock,
    ];
    cfg.cli_spec = Some(CliSpec {
        version: 1,
        name: "demo".into(),
        ..CliSpec::default()
    });
    cfg.request_timeout = Duration::from_secs(30);
    cfg.granted.insert(Capability::RegisterModuleApi);
    cfg.module_api = Some(ModuleApiSpec {
        methods: vec!["get_miner_list".into()],
        api_version: 1,
    });

    async fn serve_setup(node: &TestNode) -> (Conn, u64) {
        // 0.1.84: a node that serves several module connections (0.1.83 would make the drop final).
        let (mut c, hs) = node.accept_handshake("0.1.84").await;
        let r = recv_request(&mut c).await;
        assert!(
            matches!(r.payload, RequestPayload::RegisterCliSpec { .. }),
            "{r:?}"
        );
        answer(&mut c, r.correlation_id, ResponsePayload::Bool(true)).await;
        let r = recv_request(&mut c).await;
        assert_eq!(
            r.payload,
            RequestPayload::RegisterModuleApi {
                methods: vec!["get_miner_list".into()],
                api_version: 1
            }
        );
        answer(
            &mut c,
            r.correlation_id,
            ResponsePayload::ModuleApiRegistered,
        )
        .await;
        let r = recv_request(&mut c).await;
        assert_eq!(
            r.payload,
            RequestPayload::SubscribeEvents {
                event_types: vec![EventType::NewBlock, EventType::ChainReorg]
            }
        );
        answer(&mut c, r.correlation_id, ResponsePayload::SubscribeAck).await;
        (c, hs)
    }

    let (client, (mut conn, hs1)) = tokio::join!(
        async { IpcClient::connect(cfg).await.expect("connect") },
        serve_setup(&node)
    );

    // Two requests in flight, then the node drops the connection without answering.
    let started = Instant::now();
    let (r1, r2, _) = tokio::join!(
        client.request(RequestPayload::GetBlockHeight),
        client.request(RequestPayload::GetChainInfo),
        async {
            recv_request(&mut conn).await;
            recv_request(&mut conn).await;
            drop(conn);
        }
    );
    for r in [r1, r2] {
        let e = r.unwrap_err();
        assert_eq!(e.code(), "ERR_NODE_DISCONNECTED", "{e}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "pending requests must fail at once, not at their 30 s timeout"
    );

    // The client comes back by itself: new handshake (larger id), CLI spec and subscriptions again.
    let (mut conn2, hs2) = serve_setup(&node).await;
    assert!(
        hs2 > hs1,
        "correlation ids stay monotonic across reconnects"
    );
    send(&mut conn2, new_block(9)).await;

    let mut got = Vec::new();
    while !got.iter().any(|i| matches!(i, IpcItem::Event(_))) {
        got.extend(items(&client, 100).await);
    }
    let kinds: Vec<&str> = got
        .iter()
        .map(|i| match i {
            IpcItem::Connected { .. } => "connected",
            IpcItem::Disconnected { .. } => "disconnected",
            IpcItem::Event(_) => "event",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["connected", "disconnected", "connected", "event"]);
    let st = client.status();
    assert!(st.connected);
    assert!(st.reconnects >= 1);
    assert!(st.last_error.is_some());
}

#[tokio::test]
async fn handshake_times_out_when_the_node_never_answers() {
    // Like a node whose single module connection is held by someone else: the connect succeeds
    // (kernel backlog), the handshake is never answered.
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.handshake_timeout = Duration::from_millis(200);
    let started = Instant::now();
    let (r, mut conn) = tokio::join!(IpcClient::connect(cfg), node.accept());
    let e = r.err().expect("must fail");
    assert_eq!(e.code(), "ERR_HANDSHAKE_TIMEOUT");
    assert!(started.elapsed() < Duration::from_secs(2));
    // The client sent exactly its handshake, then closed the socket (it must not hold a slot).
    assert!(matches!(
        recv(&mut conn).await,
        ModuleMessage::Request(RequestMessage {
            payload: RequestPayload::Handshake { .. },
            ..
        })
    ));
    let end = tokio::time::timeout(WAIT, conn.next())
        .await
        .expect("EOF in time");
    assert!(end.is_none(), "expected EOF, got {end:?}");
}

#[tokio::test]
async fn connect_error_is_coded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = IpcClientConfig::new(dir.path().join("missing.sock"), "demo_1", "demo", "0.1.0");
    let e = IpcClient::connect(cfg).await.err().expect("must fail");
    assert_eq!(e.code(), "ERR_IPC_CONNECT");
    assert!(e.to_string().contains("missing.sock"), "{e}");
}

#[tokio::test]
async fn unknown_node_layout_is_refused() {
    let node = TestNode::new();
    let (r, _c) = tokio::join!(
        IpcClient::connect(node.config()),
        node.accept_handshake("0.1.13")
    );
    let e = r.err().expect("must fail");
    assert_eq!(e.code(), "ERR_UNSUPPORTED_NODE_VERSION");
}

#[tokio::test]
async fn invocations_are_answered_with_the_same_id() {
    let node = TestNode::new();
    let (client, mut conn) = connected(&node, node.config()).await;
    assert!(matches!(
        items(&client, 10).await[..],
        [IpcItem::Connected { .. }]
    ));

    let inv = |cid, t| {
        ModuleMessage::Invocation(InvocationMessage {
            correlation_id: cid,
            invocation_type: t,
        })
    };
    send(
        &mut conn,
        inv(
            77,
            InvocationType::Cli {
                subcommand: "status".into(),
                args: vec!["-v".into()],
            },
        ),
    )
    .await;
    // An Rpc invocation carries untagged JSON: it must not break the connection and is answered
    // success=false automatically.
    send(
        &mut conn,
        inv(
            79,
            InvocationType::Rpc {
                method: "demo_x".into(),
                params: RpcValue::from_json(&serde_json::json!([1, "a"])).expect("json"),
            },
        ),
    )
    .await;
    send(
        &mut conn,
        inv(
            78,
            InvocationType::ModuleApi {
                method: "m".into(),
                params: vec![1, 2],
                caller_module_id: "blvm".into(),
            },
        ),
    )
    .await;

    match recv(&mut conn).await {
        ModuleMessage::InvocationResult(r) => {
            assert_eq!(r.correlation_id, 79);
            assert!(!r.success && r.payload.is_none());
            assert!(r.error.unwrap_or_default().contains("Rpc"));
        }
        other => panic!("expected the automatic Rpc answer, got {other:?}"),
    }

    let mut got = Vec::new();
    while got.len() < 2 {
        got.extend(items(&client, 10).await);
    }
    let ids: Vec<u64> = got
        .iter()
        .map(|i| match i {
            IpcItem::Invocation(m) => m.correlation_id,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(ids, [77, 78]);

    client
        .answer_invocation(78, Ok(InvocationResultPayload::ModuleApi(vec![3])))
        .await
        .expect("answer 78");
    client
        .answer_invocation(
            77,
            Ok(InvocationResultPayload::Cli {
                stdout: "ok".into(),
                stderr: String::new(),
                exit_code: 0,
            }),
        )
        .await
        .expect("answer 77");
    for want in [78u64, 77] {
        match recv(&mut conn).await {
            ModuleMessage::InvocationResult(r) => {
                assert_eq!(r.correlation_id, want);
                assert!(r.success);
            }
            other => panic!("expected InvocationResult, got {other:?}"),
        }
    }
    let e = client
        .answer_invocation(77, Err("again".into()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_UNKNOWN_INVOCATION");
}

#[tokio::test]
async fn events_come_in_batches_and_a_lagging_consumer_gets_drop_counts() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.event_capacity = 4;
    let (client, mut conn) = connected(&node, cfg).await;
    assert!(matches!(
        items(&client, 10).await[..],
        [IpcItem::Connected { .. }]
    ));

    // 10 events, then a response: once the response is in, the reader has routed all 10.
    let (_, r) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            for h in 0..10 {
                send(&mut conn, new_block(h)).await;
            }
            answer(&mut conn, r.correlation_id, ResponsePayload::U64(1)).await;
        },
        client.request(RequestPayload::GetBlockHeight)
    );
    r.expect("sync request");
    let got = items(&client, 100).await;
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got[4], IpcItem::Dropped { count: 6 });
    let st = client.status();
    assert_eq!((st.events_delivered, st.events_dropped), (4, 6));

    // Batching: 3 events arrive, a batch of at most 2 then the rest.
    let (_, r) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            for h in 20..23 {
                send(&mut conn, new_block(h)).await;
            }
            answer(&mut conn, r.correlation_id, ResponsePayload::U64(1)).await;
        },
        client.request(RequestPayload::GetBlockHeight)
    );
    r.expect("sync request");
    assert_eq!(items(&client, 2).await.len(), 2);
    assert_eq!(items(&client, 2).await.len(), 1);
}

#[tokio::test]
async fn request_timeout_is_coded_and_a_late_answer_is_ignored() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.request_timeout = Duration::from_millis(150);
    let (client, mut conn) = connected(&node, cfg).await;
    let (r, first) = tokio::join!(client.request(RequestPayload::GetBlockHeight), async {
        recv_request(&mut conn).await
    });
    let e = r.unwrap_err();
    assert_eq!(e.code(), "ERR_IPC_TIMEOUT");
    assert!(e.to_string().contains("GetBlockHeight"), "{e}");
    let (_, r) = tokio::join!(
        async {
            let second = recv_request(&mut conn).await;
            answer(&mut conn, first.correlation_id, ResponsePayload::U64(1)).await;
            answer(&mut conn, second.correlation_id, ResponsePayload::U64(2)).await;
        },
        client.request(RequestPayload::GetBlockHeight)
    );
    assert_eq!(r.expect("second"), ResponsePayload::U64(2));
}

#[tokio::test]
async fn undecodable_frames_are_skipped_and_logs_are_sent() {
    let node = TestNode::new();
    let (client, mut conn) = connected(&node, node.config()).await;
    let (_, r) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            // A well-framed payload that is not a message (unknown envelope tag 9).
            conn.get_mut()
                .write_all(&[0, 0, 0, 5, 9, 0, 0, 0, 0])
                .await
                .expect("raw write");
            answer(&mut conn, r.correlation_id, ResponsePayload::U64(3)).await;
        },
        client.request(RequestPayload::GetBlockHeight)
    );
    assert_eq!(r.expect("answer after garbage"), ResponsePayload::U64(3));
    assert_eq!(client.status().decode_errors, 1);

    client
        .send_log(LogLevel::Warn, "hello", "worker")
        .await
        .expect("log");
    match recv(&mut conn).await {
        ModuleMessage::Log(l) => {
            assert_eq!(
                (
                    l.level,
                    l.module_id.as_str(),
                    l.message.as_str(),
                    l.target.as_str()
                ),
                (LogLevel::Warn, "demo_00ff", "hello", "worker")
            );
            assert!(l.timestamp > 1_700_000_000);
        }
        other => panic!("expected Log, got {other:?}"),
    }
}

#[tokio::test]
async fn runtime_subscriptions_send_only_new_types() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.subscribe = vec![EventType::NewBlock];
    let (client, mut conn) = tokio::join!(
        async { IpcClient::connect(cfg).await.expect("connect") },
        async {
            let (mut c, _) = node.accept_handshake("0.1.83").await;
            let r = recv_request(&mut c).await;
            answer(&mut c, r.correlation_id, ResponsePayload::SubscribeAck).await;
            c
        }
    );
    let (_, r) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            assert_eq!(
                r.payload,
                RequestPayload::SubscribeEvents {
                    event_types: vec![EventType::ShareSubmitted]
                }
            );
            answer(&mut conn, r.correlation_id, ResponsePayload::SubscribeAck).await;
        },
        client.subscribe(vec![EventType::NewBlock, EventType::ShareSubmitted])
    );
    r.expect("subscribe");
    // Nothing new: nothing sent (the next frame the node sees is the next request).
    client
        .subscribe(vec![EventType::NewBlock])
        .await
        .expect("no-op subscribe");
    let (_, r) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            assert_eq!(r.payload, RequestPayload::GetChainTip);
            answer(&mut conn, r.correlation_id, ResponsePayload::Hash([1; 32])).await;
        },
        client.request(RequestPayload::GetChainTip)
    );
    r.expect("tip");
}

#[tokio::test]
async fn close_is_idempotent_and_ends_the_item_stream() {
    let node = TestNode::new();
    let (client, mut conn) = connected(&node, node.config()).await;
    let (r, _) = tokio::join!(client.request(RequestPayload::GetBlockHeight), async {
        recv_request(&mut conn).await;
        client.close().await;
    });
    assert_eq!(r.unwrap_err().code(), "ERR_IPC_CLOSED");
    client.close().await;
    assert_eq!(
        client
            .request(RequestPayload::GetBlockHeight)
            .await
            .unwrap_err()
            .code(),
        "ERR_IPC_CLOSED"
    );
    // Whatever was queued (the Connected item) is still delivered, then the stream ends.
    let mut n = 0;
    while let Some(batch) = tokio::time::timeout(WAIT, client.next_events(10))
        .await
        .expect("in time")
    {
        n += batch.len();
    }
    assert_eq!(n, 1);
    assert!(client.status().closed);
    // The node sees the socket closed.
    let end = tokio::time::timeout(WAIT, conn.next())
        .await
        .expect("EOF in time");
    assert!(end.is_none());
}

#[test]
fn frames_are_the_length_prefixed_payloads() {
    let f = encode_frame(&new_block(1)).expect("frame");
    assert_eq!(&f[..4], &52u32.to_be_bytes());
}

#[tokio::test]
async fn typed_helpers_and_mismatched_answers() {
    let node = TestNode::new();
    let (client, mut conn) = connected(&node, node.config()).await;
    let info = ChainInfo {
        tip_hash: [0x11; 32],
        height: 5,
        difficulty: 1.0,
        chain_work: 7,
        is_synced: true,
    };
    let (_, got) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            assert_eq!(r.payload, RequestPayload::GetChainInfo);
            answer(
                &mut conn,
                r.correlation_id,
                ResponsePayload::ChainInfo(info.clone()),
            )
            .await;
        },
        client.get_chain_info()
    );
    assert_eq!(got.expect("chain info"), info);

    // A node answering with the wrong variant is a protocol error naming both.
    let (_, got) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            answer(&mut conn, r.correlation_id, ResponsePayload::Bool(true)).await;
        },
        client.get_block_height()
    );
    let e = got.unwrap_err();
    assert_eq!(e.code(), "ERR_IPC_PROTOCOL");
    assert!(
        e.to_string().contains("GetBlockHeight") && e.to_string().contains("Bool"),
        "{e}"
    );

    // success=false (lenient fakes) is a coded node error with the node's text.
    let (_, got) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            send(
                &mut conn,
                ModuleMessage::Response(ResponseMessage::err(
                    r.correlation_id,
                    "Chain not yet initialized",
                )),
            )
            .await;
        },
        client.get_chain_tip()
    );
    let e = got.unwrap_err();
    assert_eq!(e.code(), "ERR_NODE_ERROR");
    assert!(e.to_string().contains("Chain not yet initialized"), "{e}");

    // call_module needs a capability the node does not grant by default.
    let e = client
        .call_module(
            Some("blvm-stratum-v2".into()),
            "get_pool_stats",
            b"{}".to_vec(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_CAPABILITY_NOT_GRANTED");
    assert!(e.to_string().contains("call_module"), "{e}");
}

#[tokio::test]
async fn requests_beyond_the_rate_limit_wait_for_the_window() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.max_requests_per_second = 3;
    let (client, mut conn) = connected(&node, cfg).await;
    let server = async {
        let mut seen = Vec::new();
        for _ in 0..5 {
            let r = recv_request(&mut conn).await;
            seen.push(Instant::now());
            answer(&mut conn, r.correlation_id, ResponsePayload::U64(0)).await;
        }
        seen
    };
    let (seen, a, b, c, d, e) = tokio::join!(
        server,
        client.get_block_height(),
        client.get_block_height(),
        client.get_block_height(),
        client.get_block_height(),
        client.get_block_height(),
    );
    for r in [a, b, c, d, e] {
        r.expect("answered");
    }
    // Three go at once; the 4th waits until the first leaves the one-second window.
    assert!(seen[2] - seen[0] < Duration::from_millis(500));
    assert!(
        seen[3] - seen[0] >= Duration::from_millis(990),
        "{:?}",
        seen[3] - seen[0]
    );
}

#[test]
fn config_from_the_node_env_and_validation() {
    // The only test of this binary that touches the environment.
    std::env::set_var("SOCKET_PATH", "/tmp/blvm-test/node.sock");
    std::env::set_var(
        "MODULE_ID",
        "blvm-miningos_0123456789abcdef0123456789abcdef",
    );
    std::env::remove_var("MODULE_NAME");
    let c = IpcClientConfig::from_env("0.1.0").expect("from env");
    assert_eq!(c.module_name, "blvm-miningos");
    assert_eq!(c.socket_path, PathBuf::from("/tmp/blvm-test/node.sock"));
    std::env::remove_var("SOCKET_PATH");
    let e = IpcClientConfig::from_env("0.1.0").unwrap_err();
    assert_eq!(e.code(), "ERR_IPC_CONFIG");
    assert!(e.to_string().contains("SOCKET_PATH"), "{e}");
}

#[tokio::test]
async fn invalid_config_is_refused_before_connecting() {
    let mut c = IpcClientConfig::new("/nonexistent.sock", "", "demo", "0.1.0");
    let e = IpcClient::connect(c.clone()).await.err().expect("empty id");
    assert_eq!(e.code(), "ERR_IPC_CONFIG");
    c.module_id = "demo_1".into();
    c.max_requests_per_second = 500;
    let e = IpcClient::connect(c)
        .await
        .err()
        .expect("rate above the node's");
    assert!(e.to_string().contains("max_requests_per_second"), "{e}");
}

#[tokio::test]
async fn the_client_is_shareable_across_tasks() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    let node = TestNode::new();
    let (client, mut conn) = connected(&node, node.config()).await;
    let client = std::sync::Arc::new(client);
    assert_send_sync(&client);
    // Futures of the client are Send: they can run on any runtime thread (napi-rs spawns them).
    let c = client.clone();
    let task = tokio::spawn(async move { c.get_block_height().await });
    let r = recv_request(&mut conn).await;
    answer(&mut conn, r.correlation_id, ResponsePayload::U64(8)).await;
    assert_eq!(task.await.expect("join").expect("height"), 8);
    let c = client.clone();
    let events = tokio::spawn(async move { c.next_events(4).await });
    send(&mut conn, new_block(3)).await;
    let got = events.await.expect("join").expect("open");
    assert!(!got.is_empty());
}

#[tokio::test]
async fn a_drop_is_final_on_a_single_connection_node() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.reconnect = Some(Backoff {
        min: Duration::from_millis(10),
        max: Duration::from_millis(20),
    });
    let (client, conn) = connected(&node, cfg).await; // node 0.1.83
    drop(conn);
    let mut kinds = Vec::new();
    while let Some(batch) = tokio::time::timeout(WAIT, client.next_events(10))
        .await
        .expect("in time")
    {
        for i in batch {
            kinds.push(match i {
                IpcItem::Connected { .. } => "connected",
                IpcItem::Disconnected { .. } => "disconnected",
                _ => "other",
            });
        }
    }
    // The item stream ended: no reconnect was attempted.
    assert_eq!(kinds, ["connected", "disconnected"]);
    let st = client.status();
    assert!(!st.connected);
    assert_eq!(st.reconnects, 0);
    assert!(st
        .last_error
        .unwrap_or_default()
        .contains("single module connection"));
    // Nobody knocked again.
    let again = tokio::time::timeout(Duration::from_millis(100), node.listener.accept()).await;
    assert!(again.is_err(), "the client must not reconnect");
}

#[tokio::test]
async fn a_cli_spec_registered_at_runtime_is_re_registered_after_a_reconnect() {
    let node = TestNode::new();
    let mut cfg = node.config();
    cfg.reconnect = Some(Backoff {
        min: Duration::from_millis(10),
        max: Duration::from_millis(50),
    });
    let (client, (mut conn, _)) = tokio::join!(
        async { IpcClient::connect(cfg).await.expect("connect") },
        node.accept_handshake("0.1.84")
    );
    let spec = CliSpec {
        version: 1,
        name: "demo".into(),
        about: Some("runtime".into()),
        subcommands: vec![],
    };
    let (_, r) = tokio::join!(
        async {
            let r = recv_request(&mut conn).await;
            answer(&mut conn, r.correlation_id, ResponsePayload::Bool(true)).await;
        },
        client.request(RequestPayload::RegisterCliSpec { spec: spec.clone() })
    );
    assert_eq!(r.expect("registered"), ResponsePayload::Bool(true));
    drop(conn);
    let (mut conn2, _) = node.accept_handshake("0.1.84").await;
    let r = recv_request(&mut conn2).await;
    assert_eq!(r.payload, RequestPayload::RegisterCliSpec { spec });
}
