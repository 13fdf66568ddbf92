//! The bincode 1.3.3 message types of the node's module IPC, node **0.1.83** layout.
//!
//! Every frame carries one [`ModuleMessage`]. Encode with [`encode_message`] and decode with
//! [`decode_message`] (never with plain `bincode::deserialize`, which cannot read the untagged JSON
//! of `Rpc` invocations, §9.2 of `reference/blvm-ipc.md`).
//!
//! Enum declaration order is the wire index everywhere: do not reorder variants. The tables per
//! node version are in [`crate::ipc::version`], and tests pin both to the real node's bytes.

pub mod data;
pub mod event;
pub mod request;
pub mod response;
pub mod txlist;
pub mod wire_bytes;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use data::*;
pub use event::{EventPayload, EventType};
pub use request::{MessageType, RequestPayload};
pub use response::ResponsePayload;
pub use txlist::TxList;

use super::frame::CodecError;

/// One message of the module IPC (the envelope of every frame).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModuleMessage {
    /// 0: module → node request.
    Request(RequestMessage),
    /// 1: node → module response.
    Response(ResponseMessage),
    /// 2: node → module event.
    Event(EventMessage),
    /// 3: module → node log line (no reply).
    Log(LogMessage),
    /// 4: node → module call (CLI, RPC, module API).
    Invocation(InvocationMessage),
    /// 5: module → node answer to an invocation.
    InvocationResult(InvocationResultMessage),
}

impl ModuleMessage {
    /// The envelope variant name (`Request`, `Response`, ...), for logs and errors.
    pub fn kind(&self) -> &'static str {
        match self {
            ModuleMessage::Request(_) => "Request",
            ModuleMessage::Response(_) => "Response",
            ModuleMessage::Event(_) => "Event",
            ModuleMessage::Log(_) => "Log",
            ModuleMessage::Invocation(_) => "Invocation",
            ModuleMessage::InvocationResult(_) => "InvocationResult",
        }
    }
}

/// A request (module → node).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestMessage {
    /// Echoed by the node in the response.
    pub correlation_id: u64,
    /// Name of the request (ignored by the node; we always send the matching one).
    pub request_type: MessageType,
    /// The request.
    pub payload: RequestPayload,
}

impl RequestMessage {
    /// Builds a request with the `request_type` that matches `payload`.
    pub fn new(correlation_id: u64, payload: RequestPayload) -> Self {
        RequestMessage {
            correlation_id,
            request_type: payload.message_type(),
            payload,
        }
    }
}

/// A response (node → module).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseMessage {
    /// The request's correlation id.
    pub correlation_id: u64,
    /// `true` on success (a production node never sends `false`: it drops the connection).
    pub success: bool,
    /// The answer, on success.
    pub payload: Option<ResponsePayload>,
    /// The error text, on failure.
    pub error: Option<String>,
}

impl ResponseMessage {
    /// A success response.
    pub fn ok(correlation_id: u64, payload: ResponsePayload) -> Self {
        ResponseMessage {
            correlation_id,
            success: true,
            payload: Some(payload),
            error: None,
        }
    }

    /// The (non-production) error form: `success=false, payload=None, error=Some(text)`.
    pub fn err(correlation_id: u64, error: impl Into<String>) -> Self {
        ResponseMessage {
            correlation_id,
            success: false,
            payload: None,
            error: Some(error.into()),
        }
    }
}

/// An event (node → module).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMessage {
    /// The event type (its own numbering, see [`EventType`]).
    pub event_type: EventType,
    /// The payload (its own numbering, see [`EventPayload`]).
    pub payload: EventPayload,
}

impl EventMessage {
    /// Builds an event whose type matches its payload.
    pub fn new(payload: EventPayload) -> Self {
        EventMessage {
            event_type: payload.event_type(),
            payload,
        }
    }
}

/// Log level of a [`LogMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogLevel {
    /// 0.
    Trace,
    /// 1.
    Debug,
    /// 2.
    Info,
    /// 3.
    Warn,
    /// 4.
    Error,
}

impl LogLevel {
    /// Parses `trace|debug|info|warn|warning|error` (case-insensitive).
    pub fn parse(s: &str) -> Option<LogLevel> {
        match s.to_ascii_lowercase().as_str() {
            "trace" => Some(LogLevel::Trace),
            "debug" => Some(LogLevel::Debug),
            "info" => Some(LogLevel::Info),
            "warn" | "warning" => Some(LogLevel::Warn),
            "error" => Some(LogLevel::Error),
            _ => None,
        }
    }
}

/// A log line sent to the node (re-emitted through the node's `tracing`; `target` is dropped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogMessage {
    /// Level.
    pub level: LogLevel,
    /// The module id of the connection.
    pub module_id: String,
    /// The text.
    pub message: String,
    /// Target (module path); the node drops it.
    pub target: String,
    /// Unix seconds.
    pub timestamp: u64,
}

/// A node → module call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvocationMessage {
    /// Node-wide counter; answer with the same id.
    pub correlation_id: u64,
    /// What is called.
    pub invocation_type: InvocationType,
}

/// What a node → module invocation calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InvocationType {
    /// 0: a CLI subcommand (`blvm <module> <subcommand> <args...>`).
    Cli {
        /// Subcommand name.
        subcommand: String,
        /// Raw argv after the subcommand.
        args: Vec<String>,
    },
    /// 1: an RPC endpoint call. `params` is an untagged JSON value that cannot be decoded (§9.2):
    /// it is kept opaque, and such invocations must be answered `success=false`.
    Rpc {
        /// RPC method.
        method: String,
        /// Opaque params.
        params: RpcValue,
    },
    /// 2: a module API call (another module's `CallModule`, or a node pipeline hook).
    ModuleApi {
        /// Method name.
        method: String,
        /// Opaque params (JSON by convention).
        #[serde(with = "crate::ipc::types::wire_bytes")]
        params: Vec<u8>,
        /// Always `"blvm"` for IPC callers on 0.1.83.
        caller_module_id: String,
    },
}

/// The answer to an invocation (module → node).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvocationResultMessage {
    /// The invocation's correlation id.
    pub correlation_id: u64,
    /// Success flag.
    pub success: bool,
    /// The result, on success.
    pub payload: Option<InvocationResultPayload>,
    /// The error text, on failure.
    pub error: Option<String>,
}

/// The result of an invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InvocationResultPayload {
    /// 0: CLI output.
    Cli {
        /// Standard output text.
        stdout: String,
        /// Standard error text.
        stderr: String,
        /// Exit code.
        exit_code: i32,
    },
    /// 1: RPC result (untagged JSON; the node cannot decode it, §9.2: never send `success=true`
    /// with this variant to a real node).
    Rpc(RpcValue),
    /// 2: module API result bytes.
    ModuleApi(#[serde(with = "crate::ipc::types::wire_bytes")] Vec<u8>),
}

/// An opaque `serde_json::Value` as bincode writes it: **untagged**, so it cannot be decoded back
/// (§4, §9.2). Holds the raw bytes; encodes them verbatim (no length prefix).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpcValue {
    raw: Vec<u8>,
}

impl RpcValue {
    /// The bytes bincode writes for `value` (what the node would put on the wire).
    pub fn from_json(value: &serde_json::Value) -> Result<RpcValue, CodecError> {
        bincode::serialize(value)
            .map(|raw| RpcValue { raw })
            .map_err(|e| CodecError::Encode {
                detail: format!("JSON value for an Rpc payload: {e}"),
            })
    }

    /// Wraps raw untagged bytes (e.g. the tail of a received frame).
    pub fn from_raw(raw: Vec<u8>) -> RpcValue {
        RpcValue { raw }
    }

    /// The raw untagged bytes.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// `true` when the bytes are empty, i.e. `Value::Null` (or nothing at all).
    pub fn is_null(&self) -> bool {
        self.raw.is_empty()
    }
}

impl Serialize for RpcValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        // A tuple has no length prefix in bincode: the bytes go out verbatim.
        let mut t = serializer.serialize_tuple(self.raw.len())?;
        for b in &self.raw {
            t.serialize_element(b)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for RpcValue {
    fn deserialize<D: Deserializer<'de>>(_deserializer: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom(
            "an untagged serde_json::Value (Rpc payload) cannot be decoded by bincode; use decode_message",
        ))
    }
}

const TAG_RESPONSE: u32 = 1;
const TAG_INVOCATION: u32 = 4;
/// `ResponsePayload::BlockTemplate` (checked against the version table by a test).
pub(crate) const BLOCK_TEMPLATE_VARIANT: u32 = 46;
const TAG_INVOCATION_RESULT: u32 = 5;
const RPC_VARIANT: u32 = 1;
const ENVELOPE_NAMES: [&str; 6] = [
    "Request",
    "Response",
    "Event",
    "Log",
    "Invocation",
    "InvocationResult",
];

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_le_bytes(a))
}

fn decode_err(payload: &[u8], what: impl std::fmt::Display) -> CodecError {
    let kind = u32_at(payload, 0)
        .and_then(|t| ENVELOPE_NAMES.get(t as usize).copied())
        .unwrap_or("unknown envelope");
    CodecError::Decode {
        detail: format!("{kind} frame of {} bytes: {what}", payload.len()),
    }
}

/// Serialises one message with bincode 1.3.3 legacy options (the payload of a frame).
pub fn encode_message(msg: &ModuleMessage) -> Result<Vec<u8>, CodecError> {
    bincode::serialize(msg).map_err(|e| CodecError::Encode {
        detail: format!("{} message: {e}", msg.kind()),
    })
}

/// Decodes one frame payload. Trailing bytes are ignored (as the node does). `Rpc` invocations
/// decode with their params kept opaque (everything after the method: `params` is the frame's last
/// field). An `InvocationResult` carrying an `Rpc` payload decodes only when its `error` is `None`
/// (the value is then everything up to the final `00`); otherwise it is an error, as on the node.
pub fn decode_message(payload: &[u8]) -> Result<ModuleMessage, CodecError> {
    decode_inner(payload, None)
}

/// [`decode_message`] for a payload the caller owns as [`Bytes`] (what [`super::FrameCodec`]
/// yields, frozen): a block template's transaction list then shares the frame instead of copying it.
pub fn decode_message_bytes(payload: &Bytes) -> Result<ModuleMessage, CodecError> {
    decode_inner(payload, Some(payload))
}

fn decode_inner(payload: &[u8], owner: Option<&Bytes>) -> Result<ModuleMessage, CodecError> {
    let tag =
        u32_at(payload, 0).ok_or_else(|| decode_err(payload, "shorter than an envelope tag"))?;
    if tag == TAG_INVOCATION && u32_at(payload, 12) == Some(RPC_VARIANT) {
        return decode_rpc_invocation(payload);
    }
    if tag == TAG_RESPONSE
        && payload.get(13) == Some(&1)
        && u32_at(payload, 14) == Some(BLOCK_TEMPLATE_VARIANT)
    {
        return decode_block_template_response(payload, owner);
    }
    if tag == TAG_INVOCATION_RESULT
        && payload.get(13) == Some(&1)
        && u32_at(payload, 14) == Some(RPC_VARIANT)
    {
        return decode_rpc_invocation_result(payload);
    }
    bincode::deserialize::<ModuleMessage>(payload).map_err(|e| decode_err(payload, e))
}

/// Fast path for `Response{BlockTemplate}` (up to 40 MiB): fixed fields read directly, the
/// transaction list validated and kept encoded ([`TxList`]).
fn decode_block_template_response(
    payload: &[u8],
    owner: Option<&Bytes>,
) -> Result<ModuleMessage, CodecError> {
    use txlist::{read_tx, Reader};
    let mut r = Reader::new(payload);
    let parse = |r: &mut Reader<'_>| -> Result<ModuleMessage, String> {
        r.take(4)?; // envelope tag
        let correlation_id = r.u64()?;
        let success = r.bool()?;
        r.take(1 + 4)?; // Some + variant, checked by the caller
        let header = BlockHeader {
            version: r.i64()?,
            prev_block_hash: r.hash()?,
            merkle_root: r.hash()?,
            timestamp: r.u64()?,
            bits: r.u64()?,
            nonce: r.u64()?,
        };
        let coinbase_tx = read_tx(r).map_err(|e| format!("coinbase_tx: {e}"))?;
        let at = r.pos;
        let (transactions, used) = TxList::scan(&payload[at..], owner.map(|b| (b, at)))
            .map_err(|e| format!("transactions: {e}"))?;
        r.take(used)?;
        let target = r.string().map_err(|e| format!("target: {e}"))?;
        let height = r.u64()?;
        let timestamp = r.u64()?;
        let error = match r.u8()? {
            0 => None,
            1 => Some(r.string().map_err(|e| format!("error: {e}"))?),
            v => return Err(format!("invalid Option tag {v} for error")),
        };
        Ok(ModuleMessage::Response(ResponseMessage {
            correlation_id,
            success,
            payload: Some(ResponsePayload::BlockTemplate(BlockTemplate {
                header,
                coinbase_tx,
                transactions,
                target,
                height,
                timestamp,
            })),
            error,
        }))
    };
    parse(&mut r).map_err(|e| decode_err(payload, format!("BlockTemplate: {e}")))
}

fn decode_rpc_invocation(payload: &[u8]) -> Result<ModuleMessage, CodecError> {
    let correlation_id = u64_at(payload, 4).ok_or_else(|| decode_err(payload, "truncated"))?;
    let rest = payload.get(16..).unwrap_or_default();
    let method: String =
        bincode::deserialize(rest).map_err(|e| decode_err(payload, format!("Rpc method: {e}")))?;
    // 8-byte length prefix + the UTF-8 bytes; cannot overflow: the string came from `rest`.
    let params_at = 16 + 8 + method.len();
    let params = RpcValue::from_raw(payload.get(params_at..).unwrap_or_default().to_vec());
    Ok(ModuleMessage::Invocation(InvocationMessage {
        correlation_id,
        invocation_type: InvocationType::Rpc { method, params },
    }))
}

fn decode_rpc_invocation_result(payload: &[u8]) -> Result<ModuleMessage, CodecError> {
    let correlation_id = u64_at(payload, 4).ok_or_else(|| decode_err(payload, "truncated"))?;
    let success = match payload.get(12) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(decode_err(payload, "invalid bool for success")),
    };
    // tag(4) cid(8) success(1) Some(1) variant(4) = 18 bytes, then value ++ error.
    match payload.split_last() {
        Some((0, body)) if body.len() >= 18 => {
            Ok(ModuleMessage::InvocationResult(InvocationResultMessage {
                correlation_id,
                success,
                payload: Some(InvocationResultPayload::Rpc(RpcValue::from_raw(
                    body[18..].to_vec(),
                ))),
                error: None,
            }))
        }
        _ => Err(decode_err(
            payload,
            "Rpc result (untagged JSON) followed by an error text cannot be decoded",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_value_null_is_empty() {
        let v = RpcValue::from_json(&serde_json::Value::Null).unwrap();
        assert!(v.is_null());
        assert_eq!(bincode::serialize(&v).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn block_template_variant_index_matches_the_table() {
        let v = crate::ipc::version::RESPONSE_PAYLOAD
            .iter()
            .find(|v| v.name == "BlockTemplate")
            .and_then(|v| v.v0_1_83);
        assert_eq!(v, Some(BLOCK_TEMPLATE_VARIANT));
    }

    #[test]
    fn short_payload_is_typed_error() {
        let e = decode_message(&[1, 0]).unwrap_err();
        assert!(e.to_string().contains("shorter"), "{e}");
    }
}
