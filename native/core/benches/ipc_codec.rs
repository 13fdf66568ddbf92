//! Benchmark: decoding a ~4 MB `BlockTemplate` response frame vs a 4 MB memcpy.
//! Prints `ipc decode 4MB template: X ms (Y x memcpy)`. Target: ≤ 10× memcpy.
//! Run with `cargo bench -p blvm-miningos-core --bench ipc_codec`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use blvm_miningos_core::ipc::types::*;
use blvm_miningos_core::ipc::{encode_frame, FrameCodec};
use bytes::BytesMut;
use tokio_util::codec::Decoder;

fn template(target_bytes: usize) -> ModuleMessage {
    // Typical-ish transactions: 2 inputs, 2 outputs, ~250 bytes of scripts.
    let mk = |i: u64| Transaction {
        version: 2,
        inputs: (0..2)
            .map(|k| TransactionInput {
                prevout: OutPoint {
                    hash: [(i as u8).wrapping_add(k); 32],
                    index: k as u32,
                },
                sequence: 0xffff_fffe,
                script_sig: vec![0x47; 107],
            })
            .collect(),
        outputs: (0..2)
            .map(|k| TransactionOutput {
                value: 10_000 + k,
                script_pubkey: vec![0x00; 22],
            })
            .collect(),
        lock_time: 0,
    };
    let one = bincode::serialize(&mk(0)).map(|b| b.len()).unwrap_or(400);
    let n = target_bytes / one;
    ModuleMessage::Response(ResponseMessage::ok(
        10,
        ResponsePayload::BlockTemplate(BlockTemplate {
            header: BlockHeader::default(),
            coinbase_tx: mk(u64::MAX),
            transactions: (0..n as u64).map(mk).collect(),
            target: format!("{:0>64}", "7fffff"),
            height: 1,
            timestamp: 1_700_000_000,
        }),
    ))
}

/// Best of `iters` runs of `run(setup())`; only `run` is timed, and what it returns is dropped
/// after the clock stops.
fn best_of<S, T>(
    iters: usize,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(S) -> T,
) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..iters {
        let input = setup();
        let t = Instant::now();
        let out = black_box(run(input));
        best = best.min(t.elapsed());
        drop(out);
    }
    best
}

fn serde_bytes_of(txs: &TxList) -> Vec<u8> {
    thread_local! {
        static CACHE: std::cell::RefCell<Option<Vec<u8>>> = const { std::cell::RefCell::new(None) };
    }
    CACHE.with(|c| {
        c.borrow_mut()
            .get_or_insert_with(|| bincode::serialize(txs).unwrap_or_default())
            .clone()
    })
}

fn main() {
    let msg = template(4 * 1024 * 1024);
    let frame = match encode_frame(&msg) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("encode failed: {e}");
            std::process::exit(1);
        }
    };
    let size = frame.len();

    // The frame as it sits in the socket read buffer; decoding = split the frame + bincode.
    let decode = best_of(
        20,
        || BytesMut::from(&frame[..]),
        |mut buf| {
            let payload = FrameCodec::new().decode(&mut buf).ok().flatten();
            payload.map(|p| decode_message_bytes(&p.freeze()))
        },
    );
    let mut dst = vec![0u8; size];
    let memcpy = best_of(
        20,
        || (),
        |()| {
            dst.copy_from_slice(black_box(&frame[..]));
            black_box(dst.len())
        },
    );
    let encode = best_of(20, || (), |()| encode_frame(black_box(&msg)).ok());
    // What the lazy transaction list defers: decoding every transaction into owned structs.
    let decoded = {
        let mut buf = BytesMut::from(&frame[..]);
        FrameCodec::new()
            .decode(&mut buf)
            .ok()
            .flatten()
            .and_then(|p| decode_message(&p).ok())
    };
    let txs = match &decoded {
        Some(ModuleMessage::Response(ResponseMessage {
            payload: Some(ResponsePayload::BlockTemplate(t)),
            ..
        })) => t.transactions.clone(),
        _ => {
            eprintln!("decode failed");
            std::process::exit(1);
        }
    };
    let materialize = best_of(20, || txs.clone(), |t| t.into_vec());
    // The same through plain serde/bincode (what a derive-only decoder costs).
    let serde_full = best_of(
        20,
        || serde_bytes_of(&txs),
        |b| bincode::deserialize::<Vec<Transaction>>(black_box(&b[..])).ok(),
    );
    let ratio = decode.as_secs_f64() / memcpy.as_secs_f64().max(1e-9);
    println!(
        "ipc decode 4MB template: {:.2} ms ({:.1} x memcpy); memcpy {:.3} ms; encode {:.2} ms; frame {} bytes, {} txs",
        decode.as_secs_f64() * 1e3,
        ratio,
        memcpy.as_secs_f64() * 1e3,
        encode.as_secs_f64() * 1e3,
        size,
        txs.len()
    );
    println!(
        "ipc materialize all txs: {:.2} ms ({:.1} x memcpy); serde/bincode Vec<Transaction> decode: {:.2} ms ({:.1} x memcpy)",
        materialize.as_secs_f64() * 1e3,
        materialize.as_secs_f64() / memcpy.as_secs_f64().max(1e-9),
        serde_full.as_secs_f64() * 1e3,
        serde_full.as_secs_f64() / memcpy.as_secs_f64().max(1e-9),
    );
}
