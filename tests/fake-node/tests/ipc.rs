//! The fake node's module IPC, driven by a client built on the module's own codec.

mod common;

use std::time::Duration;

use blvm_miningos_core::ipc::{
    EventPayload, EventType, ModuleMessage, RequestPayload, ResponsePayload,
};
use common::{Client, FakeNode, Recv};
use serde_json::json;

fn events(c: &mut Client, n: usize) -> Vec<EventPayload> {
    let mut out = Vec::new();
    while out.len() < n {
        match c.recv(Duration::from_secs(5)) {
            Recv::Msg(ModuleMessage::Event(e)) => out.push(e.payload),
            Recv::Msg(_) => {}
            other => panic!("expected an event, got {other:?} after {out:?}"),
        }
    }
    out
}

fn no_more_events(c: &mut Client) -> bool {
    matches!(c.recv(Duration::from_millis(300)), Recv::Timeout)
}

#[test]
fn concurrent_mode_serves_everyone_and_publishes_newblock_for_rpc_blocks() {
    let n = FakeNode::start(&["--ipc-mode", "concurrent"]);
    let mut a = Client::connect(&n.socket());
    let mut b = Client::connect(&n.socket());
    let ca = a.handshake("m1_00");
    let cb = b.handshake("m2_00");
    assert_eq!(
        b.response(cb),
        ResponsePayload::HandshakeAck {
            node_version: "0.1.83".into()
        }
    );
    assert_eq!(
        a.response(ca),
        ResponsePayload::HandshakeAck {
            node_version: "0.1.83".into()
        }
    );
    let c = a.request(RequestPayload::SubscribeEvents {
        event_types: vec![EventType::NewBlock, EventType::BlockMined],
    });
    assert_eq!(a.response(c), ResponsePayload::SubscribeAck);
    let hashes = n
        .rpc("generatetoaddress", json!([1, "bcrt1qfakefakefakefake"]))
        .unwrap();
    let evs = events(&mut a, 2);
    let height = 1u64;
    assert!(
        matches!(&evs[0], EventPayload::NewBlock { height: h, .. } if *h == height),
        "{evs:?}"
    );
    assert!(matches!(&evs[1], EventPayload::BlockMined { height: h, .. } if *h == height));
    // Hashes on the IPC are in internal order: the RPC shows them reversed.
    if let EventPayload::NewBlock { block_hash, .. } = &evs[0] {
        let mut r = *block_hash;
        r.reverse();
        assert_eq!(hex::encode(r), hashes[0].as_str().unwrap());
    }
    let c = a.request(RequestPayload::GetChainInfo);
    match a.response(c) {
        ResponsePayload::ChainInfo(ci) => {
            assert_eq!(ci.height, 1);
            assert!(ci.is_synced);
        }
        other => panic!("{other:?}"),
    }
    let st = n.status();
    assert_eq!(st["ipc"]["handshakes"], 2);
    assert_eq!(st["stall"]["stalled_ever"], false);
}

#[test]
fn single_mode_serves_one_connection_at_a_time() {
    let n = FakeNode::start(&["--ipc-mode", "single"]);
    let mut a = Client::connect(&n.socket());
    let ca = a.handshake("m1_00");
    assert!(matches!(
        a.response(ca),
        ResponsePayload::HandshakeAck { .. }
    ));
    let mut b = Client::connect(&n.socket());
    b.handshake("m2_00");
    assert!(
        matches!(b.recv(Duration::from_millis(400)), Recv::Timeout),
        "B must wait while A is served"
    );
    let st = n.status();
    assert_eq!(
        st["ipc"]["connections"][1]["served_ms"],
        serde_json::Value::Null
    );
    drop(a);
    match b.recv(Duration::from_secs(5)) {
        Recv::Msg(ModuleMessage::Response(r)) => assert!(matches!(
            r.payload,
            Some(ResponsePayload::HandshakeAck { .. })
        )),
        other => panic!("B not served after A left: {other:?}"),
    }
}

#[test]
fn single_mode_grants_defaults_only_and_a_refusal_closes_the_connection() {
    let n = FakeNode::start(&["--ipc-mode", "single"]);
    let mut a = Client::connect(&n.socket());
    let c = a.handshake("blvm-miningos_0011");
    a.response(c);
    let c = a.request(RequestPayload::GetBlockHeight);
    assert_eq!(a.response(c), ResponsePayload::U64(0));
    a.request(RequestPayload::GetMempoolSize);
    assert!(a.closed_without_reply());
    let st = n.status();
    let conn = &st["ipc"]["connections"][0];
    assert_eq!(conn["refused"][0]["request"], "GetMempoolSize");
    assert!(conn["refused"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("does not have permission ReadMempool"));
    assert_eq!(conn["granted"].as_array().unwrap().len(), 4);
    assert!(conn["closed"]
        .as_str()
        .unwrap()
        .starts_with("refused GetMempoolSize"));
}

#[test]
fn single_mode_submitblock_over_ipc_fails_and_rpc_blocks_publish_only_blockmined() {
    let n = FakeNode::start(&["--ipc-mode", "single"]);
    let mut a = Client::connect(&n.socket());
    let c = a.handshake("m_00");
    a.response(c);
    let c = a.request(RequestPayload::SubscribeEvents {
        event_types: vec![EventType::NewBlock, EventType::BlockMined],
    });
    a.response(c);
    n.rpc("generatetoaddress", json!([2, "bcrt1qfakefakefakefake"]))
        .unwrap();
    let evs = events(&mut a, 2);
    assert!(
        evs.iter()
            .all(|e| matches!(e, EventPayload::BlockMined { .. })),
        "{evs:?}"
    );
    assert!(no_more_events(&mut a));
    // The node's own miner publishes NewBlock too.
    n.rpc("fake_mine", json!({"count": 1, "source": "miner"}))
        .unwrap();
    let evs = events(&mut a, 2);
    assert!(
        matches!(evs[0], EventPayload::NewBlock { height: 3, .. }),
        "{evs:?}"
    );
    let c = a.request(RequestPayload::GetBlockTemplate {
        rules: vec!["segwit".into()],
        coinbase_script: None,
        coinbase_address: None,
    });
    let block = match a.response(c) {
        ResponsePayload::BlockTemplate(t) => {
            assert_eq!(t.height, 4);
            assert_eq!(t.target, format!("7fffff{}", "0".repeat(58)));
            blvm_miningos_core::ipc::types::Block {
                header: t.header,
                transactions: vec![t.coinbase_tx],
            }
        }
        other => panic!("{other:?}"),
    };
    a.request(RequestPayload::SubmitBlock { block });
    assert!(a.closed_without_reply());
}

#[test]
fn watchdog_first_keeps_the_node_healthy_and_the_module_unanswered() {
    let n = FakeNode::start(&["--ipc-mode", "single", "--stall-hang-ms", "300"]);
    n.rpc(
        "fake_watchdog",
        json!({"module_id": "blvm-miningos_ab", "delay_ms": 0}),
    )
    .unwrap();
    n.wait_status(|s| !s["ipc"]["watchdog"]["acked_ms"].is_null());
    let mut m = Client::connect(&n.socket());
    m.handshake("blvm-miningos_ab");
    assert!(matches!(m.recv(Duration::from_millis(500)), Recv::Timeout));
    assert_eq!(
        n.rpc("fake_mine", json!({"count": 1}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let st = n.status();
    assert_eq!(st["stall"]["stalled_ever"], false);
    assert_eq!(st["ipc"]["served_before_watchdog"], 0);
    assert_eq!(st["ipc"]["watchdog"]["served"], true);
}

#[test]
fn a_module_served_before_the_watchdog_stalls_the_node_until_it_leaves() {
    let n = FakeNode::start(&["--ipc-mode", "single", "--stall-hang-ms", "300"]);
    n.rpc(
        "fake_watchdog",
        json!({"module_id": "blvm-miningos_ab", "delay_ms": 400}),
    )
    .unwrap();
    let mut m = Client::connect(&n.socket());
    let c = m.handshake("blvm-miningos_ab");
    m.response(c); // served: ahead of the watchdog
    let st = n.wait_status(|s| s["stall"]["stalled"] == true);
    assert!(st["stall"]["reason"]
        .as_str()
        .unwrap()
        .contains("before the node's watchdog"));
    let err = n.rpc("fake_mine", json!({"count": 1})).unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("node stalled"),
        "{err}"
    );
    let err = n
        .rpc("generatetoaddress", json!([1, "bcrt1qfakefakefakefake"]))
        .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("node stalled"));
    // Chain reads still work.
    assert_eq!(n.rpc("getblockcount", json!([])).unwrap(), 0);
    drop(m);
    let st = n.wait_status(|s| {
        s["stall"]["stalled"] == false && !s["ipc"]["watchdog"]["acked_ms"].is_null()
    });
    assert_eq!(st["stall"]["stalled_ever"], true);
    assert_eq!(st["ipc"]["served_before_watchdog"], 1);
    assert_eq!(
        n.rpc("fake_mine", json!({"count": 1}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn single_mode_a_non_request_first_frame_kills_the_server() {
    let n = FakeNode::start(&["--ipc-mode", "single"]);
    let mut a = Client::connect(&n.socket());
    a.send(&ModuleMessage::Log(blvm_miningos_core::ipc::LogMessage {
        level: blvm_miningos_core::ipc::LogLevel::Info,
        module_id: "x".into(),
        message: "hi".into(),
        target: "t".into(),
        timestamp: 1,
    }));
    assert!(a.closed_without_reply());
    let st = n.wait_status(|s| !s["ipc"]["server_dead"].is_null());
    assert!(st["ipc"]["server_dead"]
        .as_str()
        .unwrap()
        .contains("First message must be a handshake"));
    assert!(
        std::os::unix::net::UnixStream::connect(n.socket()).is_err(),
        "socket must refuse connections"
    );
}

#[test]
fn events_past_a_queue_of_100_are_dropped_when_the_module_does_not_read() {
    let n = FakeNode::start(&["--ipc-mode", "concurrent"]);
    let mut a = Client::connect(&n.socket());
    let c = a.handshake("m_00");
    a.response(c);
    let c = a.request(RequestPayload::SubscribeEvents {
        event_types: vec![EventType::ShareSubmitted],
    });
    a.response(c);
    n.rpc(
        "fake_sharesubmitted",
        json!({"job_id": "j", "miner_id": "10.0.0.2:4000", "count": 20000}),
    )
    .unwrap();
    let st = n.wait_status(|s| {
        let c = &s["ipc"]["connections"][0];
        c["events_sent"].as_u64().unwrap() + c["events_dropped"].as_u64().unwrap() == 20000
    });
    let dropped = st["ipc"]["connections"][0]["events_dropped"]
        .as_u64()
        .unwrap();
    assert!(dropped > 0, "{st}");
    assert_eq!(st["ipc"]["events_dropped"].as_u64().unwrap(), dropped);
}

#[test]
fn call_module_reaches_the_emulated_stratum_module() {
    let n = FakeNode::start(&[
        "--ipc-mode",
        "concurrent",
        "--grant-capabilities",
        "read_chain_state,call_module,publish_events,subscribe_events",
    ]);
    let mut a = Client::connect(&n.socket());
    let c = a.handshake("blvm-miningos_01");
    a.response(c);
    let call = |a: &mut Client| {
        a.request(RequestPayload::CallModule {
            target_module_id: Some("blvm-stratum-v2".into()),
            method: "update_pool_config".into(),
            params: br#"{"action":"update_pool_config","pool_url":"stratum2+tcp://p:3336"}"#
                .to_vec(),
        })
    };
    n.rpc(
        "fake_setcallmodulereply",
        json!({"mode": "ok", "payload": {"ok": true}}),
    )
    .unwrap();
    let c = call(&mut a);
    assert_eq!(
        a.response(c),
        ResponsePayload::ModuleApiResponse(br#"{"ok":true}"#.to_vec())
    );
    // A second subscriber sees what a module publishes.
    let mut b = Client::connect(&n.socket());
    let c = b.handshake("watcher_02");
    b.response(c);
    let c = b.request(RequestPayload::SubscribeEvents {
        event_types: vec![EventType::StratumClientConnected],
    });
    b.response(c);
    n.rpc("fake_stratumconnect", json!({"endpoint": "10.0.0.9:5000"}))
        .unwrap();
    assert!(
        matches!(&events(&mut b, 1)[0], EventPayload::StratumClientConnected { endpoint, protocol_version: 2 } if endpoint == "10.0.0.9:5000")
    );
    n.rpc("fake_setcallmodulereply", json!({"mode": "unavailable"}))
        .unwrap();
    call(&mut a);
    assert!(a.closed_without_reply());
    let st = n.status();
    let calls = &st["ipc"]["connections"][0]["call_module"];
    assert_eq!(calls.as_array().unwrap().len(), 2);
    assert_eq!(calls[0]["method"], "update_pool_config");
    assert!(calls[0]["params"]
        .as_str()
        .unwrap()
        .contains("stratum2+tcp://p:3336"));
}

#[test]
fn fake_invoke_sends_cli_and_module_api_invocations_and_waits_for_the_result() {
    use blvm_miningos_core::ipc::{
        InvocationResultMessage, InvocationResultPayload, InvocationType,
    };
    let n = std::sync::Arc::new(FakeNode::start(&["--ipc-mode", "concurrent"]));
    let mut a = Client::connect(&n.socket());
    let c = a.handshake("blvm-miningos_77");
    a.response(c);
    let n2 = n.clone();
    let call = std::thread::spawn(move || {
        n2.rpc("fake_invoke", json!({"kind": "cli", "module_id": "blvm-miningos", "subcommand": "status", "args": ["-v"]}))
    });
    let inv = loop {
        match a.recv(Duration::from_secs(5)) {
            Recv::Msg(ModuleMessage::Invocation(i)) => break i,
            Recv::Msg(_) => continue,
            other => panic!("no invocation: {other:?}"),
        }
    };
    assert_eq!(
        inv.invocation_type,
        InvocationType::Cli {
            subcommand: "status".into(),
            args: vec!["-v".into()]
        }
    );
    a.send(&ModuleMessage::InvocationResult(InvocationResultMessage {
        correlation_id: inv.correlation_id,
        success: true,
        payload: Some(InvocationResultPayload::Cli {
            stdout: "running".into(),
            stderr: String::new(),
            exit_code: 0,
        }),
        error: None,
    }));
    let r = call.join().unwrap().unwrap();
    assert_eq!(r["success"], true);
    assert_eq!(r["payload"]["cli"]["stdout"], "running");

    let n2 = n.clone();
    let call = std::thread::spawn(move || {
        n2.rpc(
            "fake_invoke",
            json!({"kind": "module_api", "method": "get_miner_list", "params": {"x": 1}}),
        )
    });
    let inv = loop {
        if let Recv::Msg(ModuleMessage::Invocation(i)) = a.recv(Duration::from_secs(5)) {
            break i;
        }
    };
    match &inv.invocation_type {
        InvocationType::ModuleApi {
            method,
            params,
            caller_module_id,
        } => {
            assert_eq!(method, "get_miner_list");
            assert_eq!(params, br#"{"x":1}"#);
            assert_eq!(caller_module_id, "blvm");
        }
        other => panic!("{other:?}"),
    }
    a.send(&ModuleMessage::InvocationResult(InvocationResultMessage {
        correlation_id: inv.correlation_id,
        success: false,
        payload: None,
        error: Some("busy".into()),
    }));
    let r = call.join().unwrap().unwrap();
    assert_eq!(
        (r["success"].clone(), r["error"].clone()),
        (json!(false), json!("busy"))
    );

    let e = n
        .rpc(
            "fake_invoke",
            json!({"kind": "cli", "subcommand": "status", "timeout_ms": 200}),
        )
        .unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("did not respond to CLI invocation"),
        "{e}"
    );
    let e = n
        .rpc(
            "fake_invoke",
            json!({"kind": "cli", "module_id": "nobody", "subcommand": "x"}),
        )
        .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("not found"), "{e}");
}
