//! Golden vectors: every line of `tests/vectors/blvm-ipc-0.1.83.txt` (bytes produced by the real
//! blvm-node 0.1.83 types, reference/blvm-ipc.md §13) is encoded from the described value and
//! compared byte for byte, then decoded back and compared value for value.

use std::collections::BTreeMap;

use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::{encode_frame, FrameCodec, MessageCodec};
use bytes::BytesMut;
use tokio_util::codec::Decoder;

const VECTORS: &str = include_str!("vectors/blvm-ipc-0.1.83.txt");

fn req(cid: u64, payload: RequestPayload) -> ModuleMessage {
    ModuleMessage::Request(RequestMessage::new(cid, payload))
}

fn ok(cid: u64, payload: ResponsePayload) -> ModuleMessage {
    ModuleMessage::Response(ResponseMessage::ok(cid, payload))
}

fn header() -> BlockHeader {
    BlockHeader {
        version: 0x2000_0000,
        prev_block_hash: [1; 32],
        merkle_root: [2; 32],
        timestamp: 1_700_000_000,
        bits: 0x207f_ffff,
        nonce: 5,
    }
}

fn coinbase() -> Transaction {
    Transaction {
        version: 2,
        inputs: vec![TransactionInput {
            prevout: OutPoint {
                hash: [0; 32],
                index: 0xffff_ffff,
            },
            sequence: 0xffff_ffff,
            script_sig: vec![0x51],
        }],
        outputs: vec![TransactionOutput {
            value: 5_000_000_000,
            script_pubkey: vec![0x51],
        }],
        lock_time: 0,
    }
}

fn invocation_result(cid: u64, payload: InvocationResultPayload) -> ModuleMessage {
    ModuleMessage::InvocationResult(InvocationResultMessage {
        correlation_id: cid,
        success: true,
        payload: Some(payload),
        error: None,
    })
}

fn described(name: &str) -> Option<ModuleMessage> {
    let s = |x: &str| x.to_string();
    Some(match name {
        "handshake_req" => req(
            1,
            RequestPayload::Handshake {
                module_id: s("demo_00ff"),
                module_name: s("demo"),
                version: s("0.1.0"),
            },
        ),
        "handshake_ack" => ok(
            1,
            ResponsePayload::HandshakeAck {
                node_version: s("0.1.83"),
            },
        ),
        "subscribe_req" => req(
            2,
            RequestPayload::SubscribeEvents {
                event_types: vec![
                    EventType::NewBlock,
                    EventType::BlockTemplateUpdated,
                    EventType::PeerConnected,
                ],
            },
        ),
        "subscribe_ack" => ok(2, ResponsePayload::SubscribeAck),
        "error_resp" => ModuleMessage::Response(ResponseMessage::err(3, "boom")),
        "get_chain_info_req" => req(3, RequestPayload::GetChainInfo),
        "chain_info_resp" => ok(
            3,
            ResponsePayload::ChainInfo(ChainInfo {
                tip_hash: [0x11; 32],
                height: 5,
                difficulty: 1.0,
                chain_work: 7,
                is_synced: true,
            }),
        ),
        "event_new_block" => ModuleMessage::Event(EventMessage::new(EventPayload::NewBlock {
            block_hash: [0xab; 32],
            height: 0x0102,
        })),
        "event_peer_connected" => {
            ModuleMessage::Event(EventMessage::new(EventPayload::PeerConnected {
                peer_addr: s("1.2.3.4:8333"),
                transport_type: s("tcp"),
                services: 9,
                version: 70016,
                peer_node_id: None,
            }))
        }
        "call_module_req" => req(
            4,
            RequestPayload::CallModule {
                target_module_id: Some(s("blvm-stratum-v2")),
                method: s("update_pool_config"),
                params: b"{}".to_vec(),
            },
        ),
        "module_api_resp" => ok(4, ResponsePayload::ModuleApiResponse(b"{}".to_vec())),
        "register_module_api_req" => req(
            5,
            RequestPayload::RegisterModuleApi {
                methods: vec![s("m")],
                api_version: 1,
            },
        ),
        "invocation_module_api" => ModuleMessage::Invocation(InvocationMessage {
            correlation_id: 7,
            invocation_type: InvocationType::ModuleApi {
                method: s("m"),
                params: vec![1, 2],
                caller_module_id: s("blvm"),
            },
        }),
        "invocation_result_module_api" => {
            invocation_result(7, InvocationResultPayload::ModuleApi(vec![3]))
        }
        "invocation_cli" => ModuleMessage::Invocation(InvocationMessage {
            correlation_id: 8,
            invocation_type: InvocationType::Cli {
                subcommand: s("status"),
                args: vec![s("-v")],
            },
        }),
        "invocation_result_cli" => invocation_result(
            8,
            InvocationResultPayload::Cli {
                stdout: s("ok"),
                stderr: s(""),
                exit_code: 0,
            },
        ),
        "log" => ModuleMessage::Log(LogMessage {
            level: LogLevel::Info,
            module_id: s("demo_00ff"),
            message: s("hi"),
            target: s("module"),
            timestamp: 1_700_000_000,
        }),
        "register_cli_spec" => req(
            9,
            RequestPayload::RegisterCliSpec {
                spec: CliSpec {
                    version: 1,
                    name: s("demo"),
                    about: None,
                    subcommands: vec![CliSubcommandSpec {
                        name: s("status"),
                        about: Some(s("s")),
                        args: vec![CliArgSpec {
                            name: s("x"),
                            long_name: None,
                            short_name: None,
                            required: Some(false),
                            takes_value: Some(true),
                            default: None,
                        }],
                    }],
                },
            },
        ),
        "get_block_template_req" => req(
            10,
            RequestPayload::GetBlockTemplate {
                rules: vec![s("segwit")],
                coinbase_script: None,
                coinbase_address: Some(s("bcrt1q")),
            },
        ),
        "submit_block_result_resp" => ok(
            11,
            ResponsePayload::SubmitBlockResult(SubmitBlockResult::Rejected(s("bad"))),
        ),
        "block_template_resp" => ok(
            10,
            ResponsePayload::BlockTemplate(BlockTemplate {
                header: header(),
                coinbase_tx: coinbase(),
                transactions: TxList::default(),
                target: format!("{:0>64}", "7fffff"),
                height: 1,
                timestamp: 1_700_000_000,
            }),
        ),
        "submit_block_req" => req(
            11,
            RequestPayload::SubmitBlock {
                block: Block {
                    header: header(),
                    transactions: vec![coinbase()],
                },
            },
        ),
        "get_utxo_req" => req(
            12,
            RequestPayload::GetUtxo {
                outpoint: OutPoint {
                    hash: [3; 32],
                    index: 1,
                },
            },
        ),
        "metric_req" => req(
            13,
            RequestPayload::ReportMetric {
                metric: Metric {
                    name: s("n"),
                    value: MetricValue::Gauge(1.5),
                    labels: BTreeMap::new(),
                    timestamp: 1,
                },
            },
        ),
        "health_req" => req(
            14,
            RequestPayload::ReportModuleHealth {
                health: ModuleHealth::Crashed(s("x")),
            },
        ),
        "invocation_rpc" => ModuleMessage::Invocation(InvocationMessage {
            correlation_id: 20,
            invocation_type: InvocationType::Rpc {
                method: s("demo_x"),
                params: RpcValue::from_json(&serde_json::json!([1, "a"])).ok()?,
            },
        }),
        "invocation_result_rpc" => invocation_result(
            20,
            InvocationResultPayload::Rpc(RpcValue::from_json(&serde_json::json!({"a": 1})).ok()?),
        ),
        "invocation_result_rpc_null" => invocation_result(
            21,
            InvocationResultPayload::Rpc(RpcValue::from_json(&serde_json::Value::Null).ok()?),
        ),
        _ => return None,
    })
}

struct Vector {
    name: String,
    len: usize,
    bytes: Vec<u8>,
}

fn vectors() -> Vec<Vector> {
    VECTORS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cols.len(), 3, "bad vector line: {l}");
            Vector {
                name: cols[0].to_string(),
                len: cols[1].parse().expect("length column"),
                bytes: hex::decode(cols[2]).expect("hex column"),
            }
        })
        .collect()
}

#[test]
fn vectors_file_is_complete() {
    let v = vectors();
    assert_eq!(v.len(), 28, "the 0.1.83 vectors file has 28 lines");
    for x in &v {
        assert_eq!(x.bytes.len(), x.len, "{}: declared length", x.name);
        assert!(
            described(&x.name).is_some(),
            "{}: no described value",
            x.name
        );
    }
}

#[test]
fn every_vector_encodes_to_the_node_bytes() {
    for x in vectors() {
        let msg = described(&x.name).expect("described");
        let got = encode_message(&msg).expect("encode");
        assert_eq!(
            hex::encode(&got),
            hex::encode(&x.bytes),
            "{}: encode",
            x.name
        );
        let frame = encode_frame(&msg).expect("frame");
        assert_eq!(
            &frame[..4],
            &(x.len as u32).to_be_bytes(),
            "{}: header",
            x.name
        );
        assert_eq!(&frame[4..], &x.bytes[..], "{}: frame payload", x.name);
    }
}

#[test]
fn every_vector_decodes_to_the_described_value() {
    for x in vectors() {
        let want = described(&x.name).expect("described");
        let got =
            decode_message(&x.bytes).unwrap_or_else(|e| panic!("{}: decode failed: {e}", x.name));
        assert_eq!(got, want, "{}: decode", x.name);
    }
}

#[test]
fn every_vector_survives_the_frame_codecs_in_one_stream() {
    let all = vectors();
    let mut stream = BytesMut::new();
    for x in &all {
        stream.extend_from_slice(&(x.len as u32).to_be_bytes());
        stream.extend_from_slice(&x.bytes);
    }
    let mut frames = FrameCodec::new();
    let mut messages = MessageCodec::new();
    let mut s2 = stream.clone();
    for x in &all {
        let payload = frames
            .decode(&mut stream)
            .expect("frame")
            .expect("complete");
        assert_eq!(&payload[..], &x.bytes[..], "{}", x.name);
        let msg = messages
            .decode(&mut s2)
            .expect("message")
            .expect("complete");
        assert_eq!(Some(msg), described(&x.name), "{}", x.name);
    }
    assert!(stream.is_empty() && s2.is_empty());
}

#[test]
fn trailing_bytes_are_ignored_like_the_node() {
    let x = vectors()
        .into_iter()
        .find(|v| v.name == "chain_info_resp")
        .expect("vector");
    let mut bytes = x.bytes.clone();
    bytes.extend_from_slice(&[0xde, 0xad]);
    assert_eq!(decode_message(&bytes).ok(), described(&x.name));
}

#[test]
fn rpc_result_with_error_text_is_a_typed_error() {
    let msg = ModuleMessage::InvocationResult(InvocationResultMessage {
        correlation_id: 1,
        success: true,
        payload: Some(InvocationResultPayload::Rpc(
            RpcValue::from_json(&serde_json::json!(true)).expect("json"),
        )),
        error: Some("x".into()),
    });
    let bytes = encode_message(&msg).expect("encode");
    let e = decode_message(&bytes).unwrap_err();
    assert!(e.to_string().contains("InvocationResult frame"), "{e}");
}

#[test]
fn frames_interoperate_with_tokio_length_delimited_codec() {
    use tokio_util::codec::{Encoder, LengthDelimitedCodec};
    let mut theirs = LengthDelimitedCodec::builder()
        .max_frame_length(blvm_miningos_core::ipc::MAX_FRAME_LEN)
        .new_codec();
    let mut ours = FrameCodec::new();
    for x in vectors() {
        // Theirs → ours.
        let mut buf = BytesMut::new();
        theirs
            .encode(bytes::Bytes::from(x.bytes.clone()), &mut buf)
            .expect("encode");
        let p = ours.decode(&mut buf).expect("decode").expect("frame");
        assert_eq!(&p[..], &x.bytes[..], "{}", x.name);
        // Ours → theirs.
        let mut buf = BytesMut::new();
        ours.encode(&x.bytes[..], &mut buf).expect("encode");
        let p = theirs.decode(&mut buf).expect("decode").expect("frame");
        assert_eq!(&p[..], &x.bytes[..], "{}", x.name);
    }
}
