//! Synthetic module-IPC node for the benchmarks in `bench/` (not a test double of the real node:
//! see `tests/fake-node` for that). It listens on a Unix socket, answers a module's handshake as a
//! fixed node (`0.1.84`), its `SubscribeEvents`, and `CallModule` (echoing the params), and 300 ms
//! after the module has subscribed writes `count` `ShareSubmitted` events as fast as the socket
//! takes them (no queue, no drops: the writer waits for the socket), or paced at `rate` events/s.
//!
//! Prints one JSON line when listening (`{"socket_path": ...}`) and one per finished burst
//! (`{"sent": N, "ms": X}`).
//!
//! ```sh
//! cargo run --release -p blvm-miningos-core --example ipc_event_server -- <socket_path> <count> [rate]
//! ```

use blvm_miningos_core::ipc::server::{serve_connection, NodeConnection};
use blvm_miningos_core::ipc::types::{
    EventMessage, EventPayload, ModuleMessage, RequestPayload, ResponsePayload,
};
use std::time::Instant;
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};

/// Pause between the module's `SubscribeEvents` and the burst.
const START_DELAY_MS: u64 = 300;

fn usage() -> ! {
    eprintln!("usage: ipc_event_server <socket_path> <event_count> [events_per_second]");
    std::process::exit(2)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(count)) = (args.next(), args.next()) else {
        usage()
    };
    let Ok(count) = count.parse::<u64>() else {
        usage()
    };
    let Ok(rate) = args.next().as_deref().unwrap_or("0").parse::<u64>() else {
        usage()
    };
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {path}: {e}");
            std::process::exit(1)
        }
    };
    println!("{}", serde_json::json!({ "socket_path": path }));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(serve(stream, count, rate));
    }
}

async fn serve(stream: tokio::net::UnixStream, count: u64, rate: u64) {
    let mut conn = NodeConnection::new(stream);
    if conn.accept_handshake("0.1.84").await.is_err() {
        return;
    }
    let (tx, rx) = mpsc::channel::<ModuleMessage>(1024);
    let (sub_tx, sub_rx) = oneshot::channel::<()>();
    let mut sub_tx = Some(sub_tx);
    tokio::spawn(async move {
        if sub_rx.await.is_err() {
            return;
        }
        // let the module finish starting, so the burst measures a consumer that is reading
        tokio::time::sleep(std::time::Duration::from_millis(START_DELAY_MS)).await;
        let t0 = Instant::now();
        // paced: `rate / 1000` events per millisecond tick (0 = as fast as the socket takes them)
        let per_tick = (rate / 1000).max(1);
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for i in 0..count {
            if rate > 0 && i % per_tick == 0 {
                tick.tick().await;
            }
            let mut share_hash = [0u8; 32];
            share_hash[..8].copy_from_slice(&i.to_le_bytes());
            let ev = EventPayload::ShareSubmitted {
                job_id: "1".into(),
                share_hash,
                miner_id: Some("bench-miner".into()),
            };
            if tx
                .send(ModuleMessage::Event(EventMessage::new(ev)))
                .await
                .is_err()
            {
                return;
            }
        }
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        println!("{}", serde_json::json!({ "sent": count, "ms": ms }));
        // keep `tx` open so the connection keeps being served
        std::future::pending::<()>().await;
    });
    let handler = move |req: &RequestPayload| match req {
        RequestPayload::SubscribeEvents { .. } => {
            if let Some(s) = sub_tx.take() {
                let _ = s.send(());
            }
            Ok(ResponsePayload::SubscribeAck)
        }
        RequestPayload::CallModule { params, .. } => {
            Ok(ResponsePayload::ModuleApiResponse(params.clone()))
        }
        other => Err(format!("not served by the bench server: {}", other.name())),
    };
    let _ = serve_connection(conn, rx, handler, |_| {}).await;
}
