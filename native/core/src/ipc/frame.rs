//! Framing of the module IPC: a `u32` **big-endian** payload length, then the payload (§3).
//!
//! [`FrameCodec`] is byte-compatible with tokio-util's `LengthDelimitedCodec` (default settings,
//! `max_frame_length` = [`MAX_FRAME_LEN`]) and yields raw payloads; [`MessageCodec`] adds the
//! bincode layer and yields [`ModuleMessage`]s. An oversize length prefix is an error as soon as
//! the 4 header bytes are seen: the claimed size is never allocated.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::types::{decode_message_bytes, ModuleMessage};
use crate::error::Coded;

/// Maximum payload length, 40 MiB, enforced by both ends.
pub const MAX_FRAME_LEN: usize = 40 * 1024 * 1024;

/// Length of the frame header.
pub const HEADER_LEN: usize = 4;

/// Errors of the codec layer.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// A length prefix above the cap (incoming or outgoing).
    #[error("IPC frame of {len} bytes exceeds the {max}-byte limit")]
    FrameTooLarge {
        /// Claimed or actual payload length.
        len: u64,
        /// The cap.
        max: usize,
    },
    /// A payload that is not a valid message of the node 0.1.83 layout.
    #[error("cannot decode IPC message: {detail}")]
    Decode {
        /// What failed, and where.
        detail: String,
    },
    /// A message that cannot be serialised.
    #[error("cannot encode IPC message: {detail}")]
    Encode {
        /// What failed.
        detail: String,
    },
    /// Socket I/O.
    #[error("IPC socket I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl Coded for CodecError {
    fn code(&self) -> &'static str {
        match self {
            CodecError::FrameTooLarge { .. } => "ERR_FRAME_TOO_LARGE",
            CodecError::Decode { .. } => "ERR_IPC_PROTOCOL",
            CodecError::Encode { .. } => "ERR_IPC_ENCODE",
            CodecError::Io(_) => "ERR_IPC_IO",
        }
    }
}

/// Length-delimited frames (u32 BE length + payload), payload ≤ `max_len`.
#[derive(Debug, Clone, Copy)]
pub struct FrameCodec {
    max_len: usize,
}

impl Default for FrameCodec {
    fn default() -> Self {
        FrameCodec {
            max_len: MAX_FRAME_LEN,
        }
    }
}

impl FrameCodec {
    /// A codec with the node's 40 MiB cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// A codec with a smaller (or larger) cap, e.g. for tests (at most `u32::MAX`, what the
    /// length prefix can express).
    pub fn with_max_len(max_len: usize) -> Self {
        FrameCodec {
            max_len: max_len.min(u32::MAX as usize),
        }
    }

    /// The cap.
    pub fn max_len(&self) -> usize {
        self.max_len
    }
}

impl Decoder for FrameCodec {
    type Item = BytesMut;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, CodecError> {
        let Some(header) = src.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        if len > self.max_len {
            return Err(CodecError::FrameTooLarge {
                len: len as u64,
                max: self.max_len,
            });
        }
        let total = HEADER_LEN + len;
        if src.len() < total {
            // Bounded by the cap checked above.
            src.reserve(total - src.len());
            return Ok(None);
        }
        src.advance(HEADER_LEN);
        Ok(Some(src.split_to(len)))
    }
}

impl Encoder<Bytes> for FrameCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Bytes, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&item[..], dst)
    }
}

impl Encoder<&[u8]> for FrameCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &[u8], dst: &mut BytesMut) -> Result<(), CodecError> {
        if item.len() > self.max_len {
            return Err(CodecError::FrameTooLarge {
                len: item.len() as u64,
                max: self.max_len,
            });
        }
        dst.reserve(HEADER_LEN + item.len());
        dst.put_u32(item.len() as u32);
        dst.put_slice(item);
        Ok(())
    }
}

/// Frames of bincode-encoded [`ModuleMessage`]s.
///
/// A frame whose payload does not decode yields `Err(CodecError::Decode)`; the framing stays in
/// sync, so a caller driving [`Decoder::decode`] itself may log it and continue. (`FramedRead`
/// stops after any error; the IPC client therefore uses [`FrameCodec`] and
/// [`super::types::decode_message_bytes`].)
#[derive(Debug, Clone, Copy, Default)]
pub struct MessageCodec {
    frames: FrameCodec,
}

impl MessageCodec {
    /// A codec with the node's 40 MiB cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// A codec with a custom cap.
    pub fn with_max_len(max_len: usize) -> Self {
        MessageCodec {
            frames: FrameCodec::with_max_len(max_len),
        }
    }
}

impl Decoder for MessageCodec {
    type Item = ModuleMessage;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ModuleMessage>, CodecError> {
        match self.frames.decode(src)? {
            Some(payload) => decode_message_bytes(&payload.freeze()).map(Some),
            None => Ok(None),
        }
    }
}

impl Encoder<&ModuleMessage> for MessageCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &ModuleMessage, dst: &mut BytesMut) -> Result<(), CodecError> {
        encode_frame_into(item, self.frames.max_len(), dst)
    }
}

impl Encoder<ModuleMessage> for MessageCodec {
    type Error = CodecError;

    fn encode(&mut self, item: ModuleMessage, dst: &mut BytesMut) -> Result<(), CodecError> {
        encode_frame_into(&item, self.frames.max_len(), dst)
    }
}

/// Appends one complete frame (header + bincode payload) for `msg` to `dst`, in one pass.
/// On error `dst` is left as it was.
pub fn encode_frame_into(
    msg: &ModuleMessage,
    max_len: usize,
    dst: &mut BytesMut,
) -> Result<(), CodecError> {
    let max_len = max_len.min(u32::MAX as usize);
    let start = dst.len();
    dst.put_u32(0);
    let mut writer = dst.writer();
    if let Err(e) = bincode::serialize_into(&mut writer, msg) {
        dst.truncate(start);
        return Err(CodecError::Encode {
            detail: format!("{} message: {e}", msg.kind()),
        });
    }
    let len = dst.len() - start - HEADER_LEN;
    if len > max_len {
        dst.truncate(start);
        return Err(CodecError::FrameTooLarge {
            len: len as u64,
            max: max_len,
        });
    }
    dst[start..start + HEADER_LEN].copy_from_slice(&(len as u32).to_be_bytes());
    Ok(())
}

/// One complete frame for `msg` (header + payload), with the node's cap.
pub fn encode_frame(msg: &ModuleMessage) -> Result<Bytes, CodecError> {
    let mut buf = BytesMut::new();
    encode_frame_into(msg, MAX_FRAME_LEN, &mut buf)?;
    Ok(buf.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_header_and_body_wait() {
        let mut c = FrameCodec::new();
        let mut b = BytesMut::from(&[0u8, 0, 0][..]);
        assert!(c.decode(&mut b).unwrap().is_none());
        b.put_u8(3);
        b.put_slice(&[1, 2]);
        assert!(c.decode(&mut b).unwrap().is_none());
        b.put_slice(&[3, 9]);
        assert_eq!(&c.decode(&mut b).unwrap().unwrap()[..], &[1, 2, 3]);
        assert_eq!(&b[..], &[9]);
    }

    #[test]
    fn oversize_prefix_rejected_without_allocation() {
        let mut c = FrameCodec::new();
        let mut b = BytesMut::from(&[0xffu8, 0xff, 0xff, 0xff][..]);
        let cap_before = b.capacity();
        let e = c.decode(&mut b).unwrap_err();
        assert_eq!(e.code(), "ERR_FRAME_TOO_LARGE");
        assert_eq!(b.capacity(), cap_before);
    }

    #[test]
    fn exact_cap_accepted_one_over_rejected() {
        let mut c = FrameCodec::with_max_len(8);
        let mut out = BytesMut::new();
        c.encode(&[0u8; 8][..], &mut out).unwrap();
        assert_eq!(
            c.encode(&[0u8; 9][..], &mut out).unwrap_err().code(),
            "ERR_FRAME_TOO_LARGE"
        );
        let mut b = BytesMut::from(&[0u8, 0, 0, 9][..]);
        assert!(c.decode(&mut b).is_err());
    }
}
