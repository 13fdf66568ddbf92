//! Glue between the IPC client's types and the node view's JSON-facing shapes: events (hashes as
//! RPC-order hex), invocations, invocation results, published events.

use super::events::EventKind;
use crate::ipc::types::{
    EventPayload, EventType, Hash, InvocationMessage, InvocationResultPayload, InvocationType,
};
use serde_json::{json, Map, Value};

/// The events the node view subscribes to over the IPC.
pub(crate) const SUBSCRIBE: &[&str] = &[
    "NewBlock",
    "BlockDisconnected",
    "ChainReorg",
    "BlockMined",
    "BlockTemplateUpdated",
    "MiningDifficultyChanged",
    "MempoolTransactionAdded",
    "MempoolTransactionRemoved",
    "PeerConnected",
    "PeerDisconnected",
    "ShareSubmitted",
    "StratumClientConnected",
    "StratumClientDisconnected",
];

/// The subscription list as event types (names the codec does not know are skipped).
pub(crate) fn subscribe_types() -> Vec<EventType> {
    SUBSCRIBE
        .iter()
        .filter_map(|n| EventType::from_name(n))
        .collect()
}

/// A hash in the JSON-RPC display order (the IPC carries sha256d output in internal order).
pub(crate) fn hash_hex(h: &Hash) -> String {
    let mut b = *h;
    b.reverse();
    hex::encode(b)
}

fn is_hash_key(k: &str) -> bool {
    k.contains("hash") || k.ends_with("tip")
}

fn byte_array(v: &[Value]) -> Option<Vec<u8>> {
    v.iter()
        .map(|x| x.as_u64().filter(|n| *n <= 255).map(|n| n as u8))
        .collect()
}

/// Byte arrays become hex: 32-byte hashes in display order, other bytes as they are.
fn bytes_to_hex(key: &str, v: Value) -> Value {
    match v {
        Value::Array(items) if !items.is_empty() => match byte_array(&items) {
            Some(mut b) => {
                if b.len() == 32 && is_hash_key(key) {
                    b.reverse();
                }
                Value::String(hex::encode(b))
            }
            None => Value::Array(items.into_iter().map(|i| bytes_to_hex(key, i)).collect()),
        },
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = bytes_to_hex(&k, v);
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// The fields of an event payload as JSON (serde's external tag removed, bytes as hex).
pub(crate) fn payload_fields(p: &EventPayload) -> Map<String, Value> {
    match serde_json::to_value(p) {
        Ok(Value::Object(outer)) => match outer.into_iter().next() {
            Some((_, Value::Object(fields))) => fields
                .into_iter()
                .map(|(k, v)| {
                    let v = bytes_to_hex(&k, v);
                    (k, v)
                })
                .collect(),
            Some((_, other)) => {
                let mut m = Map::new();
                m.insert("value".into(), bytes_to_hex("value", other));
                m
            }
            None => Map::new(),
        },
        _ => Map::new(),
    }
}

/// An IPC event as a node view event kind (the four chain events typed, the rest by name).
pub(crate) fn event_kind(p: &EventPayload) -> EventKind {
    match p {
        EventPayload::NewBlock { block_hash, height } => EventKind::NewBlock {
            block_hash: hash_hex(block_hash),
            height: *height,
        },
        EventPayload::BlockDisconnected { hash, height } => EventKind::BlockDisconnected {
            hash: hash_hex(hash),
            height: *height,
        },
        EventPayload::ChainReorg { old_tip, new_tip } => EventKind::ChainReorg {
            old_tip: hash_hex(old_tip),
            new_tip: hash_hex(new_tip),
        },
        EventPayload::BlockMined {
            block_hash,
            height,
            miner_id,
        } => EventKind::BlockMined {
            block_hash: hash_hex(block_hash),
            height: *height,
            miner_id: miner_id.clone(),
        },
        other => EventKind::Ipc {
            name: other.event_type().name().to_string(),
            fields: payload_fields(other),
        },
    }
}

/// Hex strings back to byte arrays (hash keys: display order back to internal order).
fn hex_to_bytes(key: &str, v: Value) -> Value {
    match v {
        Value::String(s)
            if s.len() == 64 && is_hash_key(key) && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            match hex::decode(&s) {
                Ok(mut b) => {
                    b.reverse();
                    Value::Array(b.into_iter().map(Value::from).collect())
                }
                Err(_) => Value::String(s),
            }
        }
        other => other,
    }
}

/// Builds an event payload from its name and JSON fields (hashes as display-order hex).
pub(crate) fn payload_from_json(
    name: &str,
    fields: Value,
) -> Result<(EventType, EventPayload), String> {
    let ty = EventType::from_name(name).ok_or_else(|| format!("unknown event type {name:?}"))?;
    let fields = match fields {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = hex_to_bytes(&k, v);
                    (k, v)
                })
                .collect(),
        ),
        Value::Null => Value::Null,
        other => other,
    };
    let tagged = if fields.is_null() {
        Value::String(name.to_string())
    } else {
        json!({ name: fields })
    };
    let payload: EventPayload =
        serde_json::from_value(tagged).map_err(|e| format!("payload does not fit {name}: {e}"))?;
    Ok((ty, payload))
}

/// Kinds of invocation, as shown to JS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InvKind {
    Cli,
    ModuleApi,
}

/// An invocation as `{ id, kind, payload }`, or `None` for kinds answered by the client itself.
pub(crate) fn invocation_json(m: &InvocationMessage) -> Option<(InvKind, Value)> {
    match &m.invocation_type {
        InvocationType::Cli { subcommand, args } => Some((
            InvKind::Cli,
            json!({"id": m.correlation_id, "kind": "Cli", "payload": {"subcommand": subcommand, "args": args}}),
        )),
        InvocationType::ModuleApi {
            method,
            params,
            caller_module_id,
        } => {
            let params = serde_json::from_slice::<Value>(params)
                .unwrap_or_else(|_| json!({"hex": hex::encode(params)}));
            Some((
                InvKind::ModuleApi,
                json!({"id": m.correlation_id, "kind": "ModuleApi", "payload": {"method": method, "params": params, "caller_module_id": caller_module_id}}),
            ))
        }
        InvocationType::Rpc { .. } => None,
    }
}

/// The answer to an invocation from JS: `{ error: "..." }` fails it; otherwise a CLI answer is
/// `{ stdout, stderr?, exit_code? }` and a module API answer is any JSON (sent as JSON bytes).
pub(crate) fn invocation_result(
    kind: InvKind,
    result: &Value,
) -> Result<Result<InvocationResultPayload, String>, String> {
    if let Some(e) = result.get("error").and_then(Value::as_str) {
        return Ok(Err(e.to_string()));
    }
    match kind {
        InvKind::Cli => {
            let stdout = result
                .get("stdout")
                .and_then(Value::as_str)
                .ok_or("a CLI answer needs `stdout` (string) or `error`")?;
            let stderr = result.get("stderr").and_then(Value::as_str).unwrap_or("");
            let exit_code = match result.get("exit_code") {
                None | Some(Value::Null) => 0,
                Some(v) => v
                    .as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or("`exit_code` must be a 32-bit integer")?,
            };
            Ok(Ok(InvocationResultPayload::Cli {
                stdout: stdout.to_string(),
                stderr: stderr.to_string(),
                exit_code,
            }))
        }
        InvKind::ModuleApi => serde_json::to_vec(result)
            .map(|b| Ok(InvocationResultPayload::ModuleApi(b)))
            .map_err(|e| format!("cannot encode the answer: {e}")),
    }
}

/// A module's reply bytes as JSON (JSON if it parses, else UTF-8 text, else `{ hex }`).
pub(crate) fn reply_json(bytes: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return v;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Value::String(s.to_string()),
        Err(_) => json!({"hex": hex::encode(bytes)}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_display_order_and_round_trip() {
        let mut h = [0u8; 32];
        h[0] = 0xab; // internal order: first byte is the last in display order
        let k = event_kind(&EventPayload::NewBlock {
            block_hash: h,
            height: 3,
        });
        match k {
            EventKind::NewBlock { block_hash, height } => {
                assert!(block_hash.ends_with("ab") && block_hash.starts_with("00"));
                assert_eq!(height, 3);
                let (_, p) =
                    payload_from_json("NewBlock", json!({"block_hash": block_hash, "height": 3}))
                        .unwrap();
                assert_eq!(
                    p,
                    EventPayload::NewBlock {
                        block_hash: h,
                        height: 3
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(payload_from_json("Nope", json!({})).is_err());
        assert!(payload_from_json("NewBlock", json!({"height": "x"})).is_err());
    }

    #[test]
    fn invocation_answers() {
        assert_eq!(
            invocation_result(InvKind::Cli, &json!({"error": "no"})).unwrap(),
            Err("no".to_string())
        );
        assert!(invocation_result(InvKind::Cli, &json!({"exit_code": 1})).is_err());
        assert_eq!(
            invocation_result(InvKind::Cli, &json!({"stdout": "ok"})).unwrap(),
            Ok(InvocationResultPayload::Cli {
                stdout: "ok".into(),
                stderr: String::new(),
                exit_code: 0
            })
        );
        assert_eq!(reply_json(b"{\"a\":1}"), json!({"a": 1}));
        assert_eq!(reply_json(&[0xff, 0x00]), json!({"hex": "ff00"}));
    }
}
