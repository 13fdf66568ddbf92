//! Node-side helpers (for fake nodes and tests): read and write frames on an accepted module
//! connection, and a small request loop that behaves like node 0.1.83 in production: the first
//! frame must be a `Handshake`, requests are answered in order, and any failure closes the
//! connection without a reply (§8.2, §8.3 of `reference/blvm-ipc.md`).

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::UnixStream;
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

use super::error::IpcError;
use super::frame::{encode_frame, FrameCodec};
use super::types::*;

/// The node's side of one module connection.
pub struct NodeConnection {
    reader: FramedRead<OwnedReadHalf, FrameCodec>,
    writer: OwnedWriteHalf,
}

/// What the module sent in its handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// Correlation id of the handshake request.
    pub correlation_id: u64,
    /// `module_id`.
    pub module_id: String,
    /// `module_name`.
    pub module_name: String,
    /// `version`.
    pub version: String,
}

/// Why [`serve_connection`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServeEnd {
    /// The module closed the connection.
    ModuleClosed,
    /// The handler refused a request: the connection was dropped without a reply (the node's
    /// production behaviour).
    Refused {
        /// The request.
        request: &'static str,
        /// The handler's text (what the node would log).
        reason: String,
    },
    /// The event sender was dropped: the node side stops.
    Stopped,
}

impl NodeConnection {
    /// Wraps an accepted stream.
    pub fn new(stream: UnixStream) -> Self {
        let (rd, wr) = stream.into_split();
        NodeConnection {
            reader: FramedRead::new(rd, FrameCodec::new()),
            writer: wr,
        }
    }

    /// The next message, `None` on EOF. Oversize or undecodable frames are errors.
    pub async fn recv(&mut self) -> Result<Option<ModuleMessage>, IpcError> {
        match self.reader.next().await {
            None => Ok(None),
            Some(Err(e)) => Err(e.into()),
            Some(Ok(p)) => Ok(Some(decode_message_bytes(&p.freeze())?)),
        }
    }

    /// Sends one message.
    pub async fn send(&mut self, msg: &ModuleMessage) -> Result<(), IpcError> {
        let frame = encode_frame(msg)?;
        self.writer
            .write_all(&frame)
            .await
            .map_err(|e| IpcError::Codec(e.into()))
    }

    /// Reads the first frame, which must be a `Handshake` request, and answers `HandshakeAck`.
    pub async fn accept_handshake(&mut self, node_version: &str) -> Result<Handshake, IpcError> {
        let first = self.recv().await?.ok_or_else(|| IpcError::Protocol {
            detail: "module closed the connection before its handshake".into(),
        })?;
        let (correlation_id, module_id, module_name, version) = match first {
            ModuleMessage::Request(RequestMessage {
                correlation_id,
                payload:
                    RequestPayload::Handshake {
                        module_id,
                        module_name,
                        version,
                    },
                ..
            }) => (correlation_id, module_id, module_name, version),
            other => {
                return Err(IpcError::Protocol {
                    detail: format!(
                        "first message must be a Handshake request, got {}",
                        other.kind()
                    ),
                })
            }
        };
        self.send(&ModuleMessage::Response(ResponseMessage::ok(
            correlation_id,
            ResponsePayload::HandshakeAck {
                node_version: node_version.to_string(),
            },
        )))
        .await?;
        Ok(Handshake {
            correlation_id,
            module_id,
            module_name,
            version,
        })
    }
}

/// Serves requests after the handshake, in order, until the module leaves, the handler refuses a
/// request (`Err(text)`: the connection is dropped without a reply, like the node), or `events` is
/// closed. Messages from `events` (events, invocations) are written between responses.
/// `InvocationResult` and `Log` frames go to `on_other` (return value ignored).
pub async fn serve_connection<H, O>(
    mut conn: NodeConnection,
    mut events: mpsc::Receiver<ModuleMessage>,
    mut handler: H,
    mut on_other: O,
) -> Result<ServeEnd, IpcError>
where
    H: FnMut(&RequestPayload) -> Result<ResponsePayload, String>,
    O: FnMut(ModuleMessage),
{
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Some(m) => conn.send(&m).await?,
                None => return Ok(ServeEnd::Stopped),
            },
            msg = conn.recv() => match msg? {
                None => return Ok(ServeEnd::ModuleClosed),
                Some(ModuleMessage::Request(r)) => match handler(&r.payload) {
                    Ok(p) => {
                        conn.send(&ModuleMessage::Response(ResponseMessage::ok(r.correlation_id, p)))
                            .await?
                    }
                    Err(reason) => {
                        return Ok(ServeEnd::Refused {
                            request: r.payload.name(),
                            reason,
                        })
                    }
                },
                Some(other) => on_other(other),
            },
        }
    }
}
