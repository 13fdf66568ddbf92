//! The node's module IPC (reference/blvm-ipc.md): codec and client, node 0.1.83 layout.
//!
//! Public API:
//! - framing, [`frame`]: [`FrameCodec`] (u32 BE length + payload, 40 MiB cap, `Decoder<Item =
//!   BytesMut>` + `Encoder<Bytes | &[u8]>`), [`MessageCodec`] (`Decoder<Item = ModuleMessage>` +
//!   `Encoder<&ModuleMessage | ModuleMessage>`), [`encode_frame`], [`encode_frame_into`],
//!   [`CodecError`] (codes `ERR_FRAME_TOO_LARGE`, `ERR_IPC_PROTOCOL`, `ERR_IPC_ENCODE`, `ERR_IPC_IO`);
//! - messages, [`types`]: [`ModuleMessage`] and its structs, [`RequestPayload`], [`MessageType`],
//!   [`ResponsePayload`], [`EventType`], [`EventPayload`], [`InvocationType`],
//!   [`InvocationResultPayload`], [`RpcValue`], [`LogMessage`], the §12 data types;
//!   [`encode_message`] / [`decode_message`] (payload only, no header);
//! - versions, [`version`]: index tables per node version, [`version::layout_support`],
//!   [`version::always_fails_on_0_1_83`], [`version::serves_single_module_connection`];
//! - capabilities, [`capability`]: [`Capability`], [`CapabilitySet`], [`required_capability`].

pub mod capability;
pub mod client;
pub mod error;
pub mod frame;
mod queue;
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
    decode_message, encode_message, EventMessage, EventPayload, EventType, InvocationMessage,
    InvocationResultMessage, InvocationResultPayload, InvocationType, LogLevel, LogMessage,
    MessageType, ModuleMessage, RequestMessage, RequestPayload, ResponseMessage, ResponsePayload,
    RpcValue,
};
