//! The node's module IPC (reference/blvm-ipc.md): codec and client, node 0.1.83 layout.
//!
//! **Read first**: node 0.1.83 and earlier serve ONE module connection, and a module that holds it
//! stalls the node ("What the real node does"). Decide with
//! [`version::serves_single_module_connection`] (node version from JSON-RPC `subversion`) before
//! creating an [`IpcClient`].
//!
//! Public API:
//! - framing, [`frame`]: [`FrameCodec`] (u32 BE length + payload, 40 MiB cap, `Decoder<Item =
//!   BytesMut>` + `Encoder<Bytes | &[u8]>`; an oversize prefix is refused before any allocation),
//!   [`MessageCodec`] (`Decoder<Item = ModuleMessage>` + `Encoder<&ModuleMessage | ModuleMessage>`),
//!   [`encode_frame`], [`encode_frame_into`], [`CodecError`] (codes `ERR_FRAME_TOO_LARGE`,
//!   `ERR_IPC_PROTOCOL`, `ERR_IPC_ENCODE`, `ERR_IPC_IO`);
//! - messages, [`types`]: [`ModuleMessage`] and its structs, [`RequestPayload`], [`MessageType`],
//!   [`ResponsePayload`], [`EventType`], [`EventPayload`], [`InvocationType`],
//!   [`InvocationResultPayload`], [`RpcValue`] (opaque untagged JSON), [`LogMessage`], the §12 data
//!   types, [`types::TxList`] (lazily decoded template transactions); [`encode_message`] /
//!   [`decode_message`] / [`decode_message_bytes`] (payload only, no header). Never decode with
//!   plain `bincode::deserialize`: it cannot read `Rpc` invocations;
//! - versions, [`version`]: index tables per node version ([`version::MESSAGE_TYPE`],
//!   [`version::REQUEST_PAYLOAD`], [`version::RESPONSE_PAYLOAD`], [`version::EVENT_TYPE`],
//!   [`version::EVENT_PAYLOAD`], [`version::REQUEST_CAPABILITY`], [`version::REQUEST_RESPONSE`]),
//!   [`version::layout_support`], [`version::always_fails_on_0_1_83`],
//!   [`version::expected_response`], [`version::serves_single_module_connection`];
//! - capabilities, [`capability`]: [`Capability`] (26, snake_case or CamelCase `FromStr`),
//!   [`CapabilitySet`] (`node_default()`, `from_names`, `allows`), [`required_capability`];
//! - client, [`client`]: [`IpcClient`] (`connect(IpcClientConfig)`, `request`, typed helpers
//!   `get_chain_info`/`get_block_height`/`get_chain_tip`/`get_sync_status`/`get_block`/
//!   `get_block_template`/`call_module`, `subscribe`, `next_events(max) -> Option<Vec<IpcItem>>`,
//!   `answer_invocation`, `send_log`, `status() -> IpcStatus`, `close()`), [`IpcClientConfig`]
//!   (`new`, `from_env`), [`Backoff`], [`ModuleApiSpec`], [`IpcItem`], [`IpcError`] (codes
//!   `ERR_NODE_DISCONNECTED`, `ERR_IPC_TIMEOUT`, `ERR_HANDSHAKE_TIMEOUT`,
//!   `ERR_CAPABILITY_NOT_GRANTED`, `ERR_UNSUPPORTED_BY_NODE`, `ERR_UNSUPPORTED_NODE_VERSION`,
//!   `ERR_IPC_PROTOCOL`, `ERR_NODE_ERROR`, `ERR_IPC_CLOSED`, `ERR_IPC_CONNECT`,
//!   `ERR_UNKNOWN_INVOCATION`, `ERR_IPC_CONFIG`, and the codec's);
//! - node side, [`server`]: [`server::NodeConnection`] (`new`, `recv`, `send`,
//!   `accept_handshake`) and [`server::serve_connection`] (in-order answers, drop-on-error like the
//!   node), for fake nodes and tests.

pub mod capability;
pub mod client;
pub mod error;
pub mod frame;
mod queue;
pub mod server;
pub mod types;
pub mod version;

pub use capability::{required_capability, Capability, CapabilitySet, UnknownCapability};
pub use client::{Backoff, IpcClient, IpcClientConfig, IpcStatus, ModuleApiSpec};
pub use error::IpcError;
pub use frame::{
    encode_frame, encode_frame_into, CodecError, FrameCodec, MessageCodec, MAX_FRAME_LEN,
};
pub use queue::IpcItem;
pub use types::{
    decode_message, decode_message_bytes, encode_message, EventMessage, EventPayload, EventType,
    InvocationMessage, InvocationResultMessage, InvocationResultPayload, InvocationType, LogLevel,
    LogMessage, MessageType, ModuleMessage, RequestMessage, RequestPayload, ResponseMessage,
    ResponsePayload, RpcValue, TxList,
};
