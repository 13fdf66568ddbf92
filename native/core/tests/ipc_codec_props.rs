//! Property tests of the IPC codec: garbage, truncated frames, oversize prefixes and random valid
//! messages. Never a panic; always a value or a typed error.

use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::{encode_frame, CodecError, FrameCodec, MessageCodec, MAX_FRAME_LEN};
use blvm_miningos_core::Coded;
use bytes::BytesMut;
use proptest::prelude::*;
use tokio_util::codec::Decoder;

fn s() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_:. -]{0,24}"
}

fn hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>()
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..64)
}

fn finite() -> impl Strategy<Value = f64> {
    -1e12f64..1e12f64
}

fn tx() -> impl Strategy<Value = Transaction> {
    (
        any::<u64>(),
        proptest::collection::vec((hash(), any::<u32>(), any::<u64>(), bytes()), 0..3),
        proptest::collection::vec((any::<i64>(), bytes()), 0..3),
        any::<u64>(),
    )
        .prop_map(|(version, ins, outs, lock_time)| Transaction {
            version,
            inputs: ins
                .into_iter()
                .map(|(hash, index, sequence, script_sig)| TransactionInput {
                    prevout: OutPoint { hash, index },
                    sequence,
                    script_sig,
                })
                .collect(),
            outputs: outs
                .into_iter()
                .map(|(value, script_pubkey)| TransactionOutput {
                    value,
                    script_pubkey,
                })
                .collect(),
            lock_time,
        })
}

fn header() -> impl Strategy<Value = BlockHeader> {
    (
        any::<i64>(),
        hash(),
        hash(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(version, prev_block_hash, merkle_root, timestamp, bits, nonce)| BlockHeader {
                version,
                prev_block_hash,
                merkle_root,
                timestamp,
                bits,
                nonce,
            },
        )
}

fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        s().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(s(), inner, 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn request() -> impl Strategy<Value = RequestPayload> {
    prop_oneof![
        (s(), s(), s()).prop_map(
            |(module_id, module_name, version)| RequestPayload::Handshake {
                module_id,
                module_name,
                version
            }
        ),
        hash().prop_map(|hash| RequestPayload::GetBlock { hash }),
        any::<u64>().prop_map(|height| RequestPayload::GetBlockByHeight { height }),
        proptest::collection::vec(0usize..EventType::ALL.len(), 0..8).prop_map(|ix| {
            RequestPayload::SubscribeEvents {
                event_types: ix.into_iter().map(|i| EventType::ALL[i]).collect(),
            }
        }),
        (proptest::option::of(s()), s(), bytes()).prop_map(|(target_module_id, method, params)| {
            RequestPayload::CallModule {
                target_module_id,
                method,
                params,
            }
        }),
        (
            proptest::collection::vec(s(), 0..3),
            proptest::option::of(bytes()),
            proptest::option::of(s())
        )
            .prop_map(|(rules, coinbase_script, coinbase_address)| {
                RequestPayload::GetBlockTemplate {
                    rules,
                    coinbase_script,
                    coinbase_address,
                }
            }),
        (header(), proptest::collection::vec(tx(), 0..3)).prop_map(|(header, transactions)| {
            RequestPayload::SubmitBlock {
                block: Block {
                    header,
                    transactions,
                },
            }
        }),
        (proptest::collection::vec(s(), 0..3), any::<u32>()).prop_map(|(methods, api_version)| {
            RequestPayload::RegisterModuleApi {
                methods,
                api_version,
            }
        }),
    ]
}

fn response() -> impl Strategy<Value = ResponsePayload> {
    prop_oneof![
        s().prop_map(|node_version| ResponsePayload::HandshakeAck { node_version }),
        (hash(), any::<u64>(), finite(), any::<u64>(), any::<bool>()).prop_map(
            |(tip_hash, height, difficulty, chain_work, is_synced)| {
                ResponsePayload::ChainInfo(ChainInfo {
                    tip_hash,
                    height,
                    difficulty,
                    chain_work,
                    is_synced,
                })
            }
        ),
        (
            header(),
            tx(),
            proptest::collection::vec(tx(), 0..4),
            "[0-9a-f]{64}",
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(
                |(header, coinbase_tx, transactions, target, height, timestamp)| {
                    ResponsePayload::BlockTemplate(BlockTemplate {
                        header,
                        coinbase_tx,
                        transactions: transactions.into(),
                        target,
                        height,
                        timestamp,
                    })
                }
            ),
        bytes().prop_map(ResponsePayload::ModuleApiResponse),
        proptest::option::of(tx()).prop_map(ResponsePayload::Transaction),
        Just(ResponsePayload::SubscribeAck),
    ]
}

fn event() -> impl Strategy<Value = EventPayload> {
    prop_oneof![
        (hash(), any::<u64>())
            .prop_map(|(block_hash, height)| EventPayload::NewBlock { block_hash, height }),
        (
            s(),
            s(),
            any::<u64>(),
            any::<u32>(),
            proptest::option::of(bytes())
        )
            .prop_map(
                |(peer_addr, transport_type, services, version, peer_node_id)| {
                    EventPayload::PeerConnected {
                        peer_addr,
                        transport_type,
                        services,
                        version,
                        peer_node_id,
                    }
                }
            ),
        (hash(), finite(), any::<u64>()).prop_map(|(tx_hash, fee_rate, mempool_size)| {
            EventPayload::MempoolTransactionAdded {
                tx_hash,
                fee_rate,
                mempool_size,
            }
        }),
        (s(), hash(), proptest::option::of(s())).prop_map(|(job_id, share_hash, miner_id)| {
            EventPayload::ShareSubmitted {
                job_id,
                share_hash,
                miner_id,
            }
        }),
        (bytes(), s()).prop_map(
            |(packet_data, peer_addr)| EventPayload::MeshPacketReceived {
                packet_data,
                peer_addr
            }
        ),
    ]
}

fn message() -> impl Strategy<Value = ModuleMessage> {
    prop_oneof![
        (any::<u64>(), request())
            .prop_map(|(cid, p)| ModuleMessage::Request(RequestMessage::new(cid, p))),
        (any::<u64>(), response())
            .prop_map(|(cid, p)| ModuleMessage::Response(ResponseMessage::ok(cid, p))),
        (any::<u64>(), s())
            .prop_map(|(cid, e)| ModuleMessage::Response(ResponseMessage::err(cid, e))),
        event().prop_map(|p| ModuleMessage::Event(EventMessage::new(p))),
        (0u8..5, s(), s(), s(), any::<u64>()).prop_map(
            |(l, module_id, message, target, timestamp)| {
                let level = [
                    LogLevel::Trace,
                    LogLevel::Debug,
                    LogLevel::Info,
                    LogLevel::Warn,
                    LogLevel::Error,
                ][l as usize];
                ModuleMessage::Log(LogMessage {
                    level,
                    module_id,
                    message,
                    target,
                    timestamp,
                })
            }
        ),
        (any::<u64>(), s(), proptest::collection::vec(s(), 0..4)).prop_map(
            |(cid, subcommand, args)| {
                ModuleMessage::Invocation(InvocationMessage {
                    correlation_id: cid,
                    invocation_type: InvocationType::Cli { subcommand, args },
                })
            }
        ),
        (any::<u64>(), s(), bytes(), s()).prop_map(|(cid, method, params, caller_module_id)| {
            ModuleMessage::Invocation(InvocationMessage {
                correlation_id: cid,
                invocation_type: InvocationType::ModuleApi {
                    method,
                    params,
                    caller_module_id,
                },
            })
        }),
        (any::<u64>(), s(), json()).prop_map(|(cid, method, v)| {
            ModuleMessage::Invocation(InvocationMessage {
                correlation_id: cid,
                invocation_type: InvocationType::Rpc {
                    method,
                    params: RpcValue::from_json(&v).unwrap_or_default(),
                },
            })
        }),
        (any::<u64>(), any::<bool>(), s(), s(), any::<i32>()).prop_map(
            |(cid, success, stdout, stderr, exit_code)| {
                ModuleMessage::InvocationResult(InvocationResultMessage {
                    correlation_id: cid,
                    success,
                    payload: Some(InvocationResultPayload::Cli {
                        stdout,
                        stderr,
                        exit_code,
                    }),
                    error: None,
                })
            }
        ),
        (any::<u64>(), json()).prop_map(|(cid, v)| {
            ModuleMessage::InvocationResult(InvocationResultMessage {
                correlation_id: cid,
                success: true,
                payload: Some(InvocationResultPayload::Rpc(
                    RpcValue::from_json(&v).unwrap_or_default(),
                )),
                error: None,
            })
        }),
        (any::<u64>(), proptest::option::of(s())).prop_map(|(cid, error)| {
            ModuleMessage::InvocationResult(InvocationResultMessage {
                correlation_id: cid,
                success: false,
                payload: None,
                error,
            })
        }),
    ]
}

fn is_rpc(m: &ModuleMessage) -> bool {
    matches!(
        m,
        ModuleMessage::Invocation(InvocationMessage {
            invocation_type: InvocationType::Rpc { .. },
            ..
        }) | ModuleMessage::InvocationResult(InvocationResultMessage {
            payload: Some(InvocationResultPayload::Rpc(_)),
            ..
        })
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn garbage_payload_never_panics(b in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Err(e) = decode_message(&b) {
            prop_assert_eq!(e.code(), "ERR_IPC_PROTOCOL");
        }
    }

    #[test]
    fn garbage_payload_with_valid_envelope_tag_never_panics(
        tag in 0u32..6,
        sub in 0u32..130,
        b in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut p = tag.to_le_bytes().to_vec();
        p.extend_from_slice(&b[..b.len().min(8)]);
        p.extend_from_slice(&sub.to_le_bytes());
        p.extend_from_slice(&b);
        let _ = decode_message(&p);
    }

    #[test]
    fn garbage_stream_never_panics(b in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut codec = MessageCodec::with_max_len(256);
        let mut buf = BytesMut::from(&b[..]);
        // Drive the decoder like a caller that skips undecodable frames.
        for _ in 0..64 {
            match codec.decode(&mut buf) {
                Ok(Some(_)) | Err(CodecError::Decode { .. }) => continue,
                Ok(None) => break,
                Err(e) => { prop_assert_eq!(e.code(), "ERR_FRAME_TOO_LARGE"); break; }
            }
        }
    }

    #[test]
    fn oversize_prefix_is_rejected_before_allocation(len in (MAX_FRAME_LEN as u32 + 1)..=u32::MAX) {
        let mut buf = BytesMut::with_capacity(16);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(&[0u8; 8]);
        let cap = buf.capacity();
        let e = FrameCodec::new().decode(&mut buf).unwrap_err();
        prop_assert_eq!(e.code(), "ERR_FRAME_TOO_LARGE");
        prop_assert!(buf.capacity() <= cap.max(16));
    }

    #[test]
    fn valid_messages_round_trip(m in message()) {
        let frame = encode_frame(&m).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut buf = BytesMut::from(&frame[..]);
        let got = MessageCodec::new().decode(&mut buf).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(got, Some(m));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn truncated_frames_wait_and_truncated_payloads_fail(m in message(), cut in any::<prop::sample::Index>()) {
        let frame = encode_frame(&m).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let at = cut.index(frame.len());
        let mut buf = BytesMut::from(&frame[..at]);
        // An incomplete frame is never an item and never an error.
        prop_assert!(matches!(FrameCodec::new().decode(&mut buf), Ok(None)));
        // A complete frame whose payload was cut short decodes to an error (Rpc tails are opaque,
        // so a cut there may still decode).
        let payload = &frame[4..];
        let p_at = cut.index(payload.len());
        match decode_message(&payload[..p_at]) {
            Ok(_) => prop_assert!(is_rpc(&m), "truncated {} decoded", m.kind()),
            Err(e) => prop_assert_eq!(e.code(), "ERR_IPC_PROTOCOL"),
        }
    }

    #[test]
    fn mutated_block_templates_never_panic_and_agree_with_serde(
        r in response(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        error in proptest::option::of(s()),
    ) {
        let mut resp = ResponseMessage::ok(3, r);
        resp.error = error;
        let msg = ModuleMessage::Response(resp);
        let mut b = encode_message(&msg).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Unmutated: both decoders (fast path with and without a shared buffer) give the value.
        prop_assert_eq!(decode_message(&b).ok(), Some(msg.clone()));
        prop_assert_eq!(decode_message_bytes(&bytes::Bytes::from(b.clone())).ok(), Some(msg));
        let i = at.index(b.len());
        b[i] = byte;
        // Mutated: never a panic; the fast path accepts exactly what plain serde/bincode accepts.
        let fast = decode_message(&b);
        let slow = bincode::deserialize::<ModuleMessage>(&b);
        prop_assert_eq!(fast.is_ok(), slow.is_ok(), "fast {:?} / serde {:?}", fast.as_ref().err(), slow.as_ref().err());
        if let (Ok(f), Ok(s)) = (fast, slow) {
            prop_assert_eq!(f, s);
        }
    }
}
