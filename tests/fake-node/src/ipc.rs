//! The module IPC server on `<data>/modules/sockets/node.sock`, using the module's own codec
//! (`blvm_miningos_core::ipc`), and the node's watchdog client.
//!
//! `single` mode reproduces node 0.1.83 (reference/blvm-ipc.md §8, "What the real node does"):
//! connections are accepted into a queue and served strictly one at a time; a module connection
//! served before the node's own watchdog stalls the node until it closes; only the four default
//! capabilities are granted; any refused request or undecodable frame closes the connection
//! without a reply; a first frame that is not a `Request` stops the whole server. `concurrent`
//! mode serves every connection at once and grants manifest capabilities. Both modes: per
//! connection event queue of 100 (excess dropped), rate limit of 100 requests per second.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use blvm_miningos_core::ipc::types::{
    Block as WBlock, BlockHeader as WHeader, BlockTemplate as WTemplate, ChainInfo,
    MempoolFeeRateSummary, MempoolSize, ModuleInfo, ModuleState, NetworkStats, OutPoint, PeerInfo,
    SubmitBlockResult, SyncStatus, Transaction as WTx, TransactionInput, TransactionOutput,
    TxBlockMetadata,
};
use blvm_miningos_core::ipc::{
    decode_message, required_capability, CapabilitySet, EventMessage, EventPayload, EventType,
    FrameCodec, InvocationMessage, InvocationResultMessage, InvocationType, MessageCodec,
    ModuleMessage, RequestMessage, RequestPayload, ResponseMessage, ResponsePayload,
};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

use crate::btc::{self, Block, Header, Tx, TxIn, TxOut};
use crate::chain::{BlockSource, Chain};
use crate::state::{CallReply, IpcMode, Node, EVENT_QUEUE};

/// Requests per wall-clock second above which the node closes the connection.
pub const RATE_LIMIT: u32 = 100;

/// One IPC connection as the node saw it.
#[derive(Debug, Clone, Serialize)]
pub struct ConnRecord {
    /// Sequence number (1 = first accepted).
    pub id: u64,
    /// Peer process id (SO_PEERCRED).
    pub peer_pid: Option<i32>,
    /// The node's own watchdog connection.
    pub watchdog: bool,
    /// Handshake `module_id` (or the node's `module_<n>_<nanos>` when there was none).
    pub module_id: Option<String>,
    /// A `Handshake` was answered.
    pub handshake: bool,
    /// ms since node start: accepted by the kernel / picked up for serving.
    pub accepted_ms: u64,
    /// ms since node start when the server started serving it (`None`: still queued).
    pub served_ms: Option<u64>,
    /// Requests handled (names, last 500).
    pub requests: VecDeque<String>,
    /// Requests refused (each closed the connection).
    pub refused: Vec<Value>,
    /// Subscribed event types.
    pub subscriptions: Vec<String>,
    /// Capabilities granted.
    pub granted: Vec<String>,
    /// `CallModule` requests (target, method, params as text).
    pub call_module: Vec<Value>,
    /// `Log` frames received.
    pub logs: u64,
    /// Why it closed (`None`: open).
    pub closed: Option<String>,
    /// Events delivered / dropped (queue full).
    #[serde(skip)]
    pub events_sent: Arc<AtomicU64>,
    #[serde(skip)]
    dropped: Arc<AtomicU64>,
    /// This connection stalled the node (served before the watchdog).
    pub stalled_node: bool,
}

/// The watchdog's view.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WatchdogStatus {
    /// A module was spawned, so a watchdog is due.
    pub expected: bool,
    /// Module id it handshakes with.
    pub module_id: Option<String>,
    /// ms since start when it connected.
    pub connected_ms: Option<u64>,
    /// ms since start when its handshake was answered.
    pub acked_ms: Option<u64>,
    /// The server picked up its connection.
    pub served: bool,
    /// Pings answered.
    pub pings: u64,
    /// Pings that failed or timed out.
    pub ping_failures: u64,
}

/// Everything the IPC side saw.
#[derive(Debug, Default)]
pub struct IpcStatus {
    /// Listening on the socket.
    pub listening: bool,
    /// The server task exited (single mode: a first frame that was not a Request).
    pub server_dead: Option<String>,
    /// Connections in accept order.
    pub conns: Vec<ConnRecord>,
    /// Watchdog.
    pub watchdog: WatchdogStatus,
    next_id: u64,
}

impl IpcStatus {
    fn conn(&mut self, id: u64) -> Option<&mut ConnRecord> {
        self.conns.iter_mut().find(|c| c.id == id)
    }
    /// JSON for `fake_status`.
    pub fn to_json(&self) -> Value {
        let conns: Vec<Value> = self
            .conns
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "events_sent".into(),
                        json!(c.events_sent.load(Ordering::Relaxed)),
                    );
                    o.insert(
                        "events_dropped".into(),
                        json!(c.dropped.load(Ordering::Relaxed)),
                    );
                }
                v
            })
            .collect();
        let module_conns = self.conns.iter().filter(|c| !c.watchdog).count();
        let served_before_wd = self.conns.iter().filter(|c| c.stalled_node).count();
        json!({
            "listening": self.listening,
            "server_dead": self.server_dead,
            "connections": conns,
            "module_connections": module_conns,
            "handshakes": self.conns.iter().filter(|c| c.handshake).count(),
            "refused": self.conns.iter().map(|c| c.refused.len()).sum::<usize>(),
            "served_before_watchdog": served_before_wd,
            "events_dropped": self.conns.iter().map(|c| c.dropped.load(Ordering::Relaxed)).sum::<u64>(),
            "watchdog": self.watchdog,
        })
    }
}

/// Node → module invocations: the served connections that can receive them and the pending ones.
#[derive(Default)]
pub struct Invocations {
    senders: std::sync::Mutex<Vec<(u64, String, mpsc::UnboundedSender<ModuleMessage>)>>,
    pending: std::sync::Mutex<
        std::collections::HashMap<u64, tokio::sync::oneshot::Sender<InvocationResultMessage>>,
    >,
    next: AtomicU64,
}

impl Invocations {
    fn register(&self, conn: u64, module_id: String, tx: mpsc::UnboundedSender<ModuleMessage>) {
        lock(&self.senders).push((conn, module_id, tx));
    }
    fn unregister(&self, conn: u64) {
        lock(&self.senders).retain(|(c, _, _)| *c != conn);
    }
    fn deliver(&self, r: InvocationResultMessage) -> bool {
        match lock(&self.pending).remove(&r.correlation_id) {
            Some(tx) => tx.send(r).is_ok(),
            None => false,
        }
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sends an invocation to the connection of `module_id` (exact, or `<module_id>_` prefix; `None`:
/// the first module connection) and waits for its `InvocationResult` (the node waits 60 s).
pub async fn invoke(
    node: &Node,
    module_id: Option<&str>,
    invocation: InvocationType,
    timeout: Duration,
) -> Result<InvocationResultMessage, String> {
    let inv = &node.invocations;
    let target = {
        let senders = lock(&inv.senders);
        senders
            .iter()
            .find(|(_, m, _)| match module_id {
                None => true,
                Some(want) => m == want || m.starts_with(&format!("{want}_")),
            })
            .map(|(_, m, tx)| (m.clone(), tx.clone()))
    };
    let Some((target_id, tx)) = target else {
        return Err(format!(
            "Module {} not found (no served module connection)",
            module_id.unwrap_or("(any)")
        ));
    };
    let cid = inv.next.fetch_add(1, Ordering::Relaxed) + 1;
    let (rtx, rrx) = tokio::sync::oneshot::channel();
    lock(&inv.pending).insert(cid, rtx);
    let kind = match &invocation {
        InvocationType::Cli { .. } => "CLI",
        InvocationType::Rpc { .. } => "RPC",
        InvocationType::ModuleApi { .. } => "ModuleAPI",
    };
    let msg = ModuleMessage::Invocation(InvocationMessage {
        correlation_id: cid,
        invocation_type: invocation,
    });
    if tx.send(msg).is_err() {
        lock(&inv.pending).remove(&cid);
        return Err(format!("connection of {target_id} is closed"));
    }
    match tokio::time::timeout(timeout, rrx).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(_)) => Err(format!("connection of {target_id} closed before answering")),
        Err(_) => {
            lock(&inv.pending).remove(&cid);
            Err(format!(
                "Module did not respond to {kind} invocation within {} seconds",
                timeout.as_secs()
            ))
        }
    }
}

fn ms(node: &Node) -> u64 {
    node.started.elapsed().as_millis() as u64
}

/// Binds the socket (deleting a stale file, mode 0600) and starts serving in the configured mode.
pub fn start(node: Arc<Node>) -> std::io::Result<()> {
    let path = node.cfg.socket_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    node.lock(&node.ipc).listening = true;
    let (tx, mut rx) = mpsc::unbounded_channel::<(UnixStream, u64)>();
    let n = node.clone();
    let acceptor = tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let pid = stream.peer_cred().ok().and_then(|c| c.pid());
                    let id = {
                        let mut st = n.lock(&n.ipc);
                        st.next_id += 1;
                        let id = st.next_id;
                        let rec = ConnRecord {
                            id,
                            peer_pid: pid,
                            watchdog: pid == Some(std::process::id() as i32),
                            module_id: None,
                            handshake: false,
                            accepted_ms: ms(&n),
                            served_ms: None,
                            requests: VecDeque::new(),
                            refused: vec![],
                            subscriptions: vec![],
                            granted: vec![],
                            call_module: vec![],
                            logs: 0,
                            closed: None,
                            events_sent: Arc::default(),
                            dropped: Arc::default(),
                            stalled_node: false,
                        };
                        st.conns.push(rec);
                        id
                    };
                    tracing::info!(conn = id, pid, "ipc connection accepted");
                    if tx.send((stream, id)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "ipc accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    });
    match node.cfg.ipc_mode {
        IpcMode::Single => {
            tokio::spawn(async move {
                // The node's accept loop: serve one connection to completion, then the next.
                while let Some((stream, id)) = rx.recv().await {
                    let watchdog_conn = node.lock(&node.ipc).conn(id).is_some_and(|c| c.watchdog);
                    let stalls = {
                        let mut st = node.lock(&node.ipc);
                        let stalls = !watchdog_conn && st.watchdog.expected && !st.watchdog.served;
                        if watchdog_conn {
                            st.watchdog.served = true;
                        }
                        if let Some(c) = st.conn(id) {
                            c.served_ms = Some(ms(&node));
                            c.stalled_node = stalls;
                        }
                        stalls
                    };
                    if stalls {
                        node.stall.begin(format!(
                            "module connection #{id} was served before the node's watchdog: the spawner waits for its \
                             watchdog handshake while holding the module table (node 0.1.83)"
                        ));
                    }
                    let end = serve_conn(node.clone(), stream, id).await;
                    if stalls {
                        node.stall.end();
                    }
                    if let End::KillServer(reason) = end {
                        tracing::error!(%reason, "ipc server task exits");
                        let mut st = node.lock(&node.ipc);
                        st.server_dead = Some(reason);
                        st.listening = false;
                        acceptor.abort();
                        break;
                    }
                }
            });
        }
        IpcMode::Concurrent => {
            tokio::spawn(async move {
                while let Some((stream, id)) = rx.recv().await {
                    let watchdog_conn = {
                        let mut st = node.lock(&node.ipc);
                        let w = st.conn(id).is_some_and(|c| c.watchdog);
                        if w {
                            st.watchdog.served = true;
                        }
                        if let Some(c) = st.conn(id) {
                            c.served_ms = Some(ms(&node));
                        }
                        w
                    };
                    let _ = watchdog_conn;
                    tokio::spawn(serve_conn(node.clone(), stream, id));
                }
            });
        }
    }
    Ok(())
}

/// Writes one frame (u32 BE length + bincode) with the shared codec.
async fn write_msg<W: tokio::io::AsyncWrite + Unpin>(
    w: &mut W,
    msg: &ModuleMessage,
) -> std::io::Result<()> {
    let frame = blvm_miningos_core::ipc::encode_frame(msg)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
    w.write_all(&frame).await
}

enum End {
    Closed,
    KillServer(String),
}

fn record<F: FnOnce(&mut ConnRecord)>(node: &Node, id: u64, f: F) {
    if let Some(c) = node.lock(&node.ipc).conn(id) {
        f(c);
    }
}

fn close(node: &Node, id: u64, reason: String) -> End {
    tracing::info!(conn = id, %reason, "ipc connection closed");
    node.bus.unsubscribe(id);
    record(node, id, |c| c.closed = Some(reason));
    End::Closed
}

async fn serve_conn(node: Arc<Node>, stream: UnixStream, id: u64) -> End {
    let single = node.cfg.ipc_mode == IpcMode::Single;
    let (rd, wr) = stream.into_split();
    let mut frames = FramedRead::new(rd, FrameCodec::new());
    let mut sink = wr;
    let (resp_tx, mut resp_rx) = mpsc::unbounded_channel::<ModuleMessage>();
    let (ev_tx, mut ev_rx) = mpsc::channel::<EventPayload>(EVENT_QUEUE);
    let (sent, dropped) = {
        let st = node.lock(&node.ipc);
        let c = st.conns.iter().find(|c| c.id == id);
        (
            c.map(|c| c.events_sent.clone()).unwrap_or_default(),
            c.map(|c| c.dropped.clone()).unwrap_or_default(),
        )
    };
    let writer = tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                biased;
                m = resp_rx.recv() => match m { Some(m) => m, None => break },
                e = ev_rx.recv() => match e {
                    Some(p) => { sent.fetch_add(1, Ordering::Relaxed); ModuleMessage::Event(EventMessage::new(p)) }
                    None => break,
                },
            };
            if let Err(e) = write_msg(&mut sink, &msg).await {
                tracing::debug!(error = %e, "ipc write failed");
                break;
            }
        }
    });

    // First frame (§8.2).
    let first = match frames.next().await {
        None => {
            return finish(
                &node,
                id,
                writer,
                close(&node, id, "eof before the first frame".into()),
            )
            .await
        }
        Some(Err(e)) => {
            let reason = format!("first frame unreadable: {e}");
            return finish(&node, id, writer, kill_or_close(&node, id, single, reason)).await;
        }
        Some(Ok(bytes)) => decode_message(&bytes),
    };
    let mut module_id = match first {
        Ok(ModuleMessage::Request(RequestMessage {
            correlation_id,
            payload: RequestPayload::Handshake { module_id, .. },
            ..
        })) => {
            let _ = resp_tx.send(ModuleMessage::Response(ResponseMessage::ok(
                correlation_id,
                ResponsePayload::HandshakeAck {
                    node_version: node.cfg.node_version(),
                },
            )));
            record(&node, id, |c| {
                c.handshake = true;
                c.module_id = Some(module_id.clone());
                c.requests.push_back("Handshake".into());
            });
            module_id
        }
        Ok(ModuleMessage::Request(r)) => {
            // Consumed without a reply; the connection gets a generated id.
            let mid = format!("module_{id}_{}", now_nanos());
            record(&node, id, |c| {
                c.module_id = Some(mid.clone());
                c.requests
                    .push_back(format!("{} (first frame, no reply)", r.payload.name()));
            });
            mid
        }
        Ok(other) => {
            let reason = format!(
                "First message must be a handshake request (got {})",
                other.kind()
            );
            return finish(&node, id, writer, kill_or_close(&node, id, single, reason)).await;
        }
        Err(e) => {
            let reason = format!("first frame does not decode: {e}");
            return finish(&node, id, writer, kill_or_close(&node, id, single, reason)).await;
        }
    };
    let is_watchdog = node.lock(&node.ipc).conn(id).is_some_and(|c| c.watchdog);
    if !is_watchdog {
        node.invocations
            .register(id, module_id.clone(), resp_tx.clone());
    }
    let granted = granted_caps(&node, &module_id);
    record(&node, id, |c| {
        c.granted = granted.names().iter().map(|s| s.to_string()).collect()
    });

    let mut window = (Instant::now(), 0u32);
    loop {
        let bytes = match frames.next().await {
            None => return finish(&node, id, writer, close(&node, id, "eof".into())).await,
            Some(Err(e)) => {
                return finish(
                    &node,
                    id,
                    writer,
                    close(&node, id, format!("frame error: {e}")),
                )
                .await
            }
            Some(Ok(b)) => b,
        };
        let msg = match decode_message(&bytes) {
            Ok(m) => m,
            Err(e) => {
                let reason = format!("undecodable frame: {e}");
                record(&node, id, |c| {
                    c.refused.push(json!({"request": null, "reason": reason}))
                });
                return finish(&node, id, writer, close(&node, id, reason)).await;
            }
        };
        match msg {
            ModuleMessage::Request(req) => {
                let name = req.payload.name().to_string();
                let counted = !matches!(
                    req.payload,
                    RequestPayload::Handshake { .. } | RequestPayload::RegisterCliSpec { .. }
                );
                if counted {
                    if window.0.elapsed() >= Duration::from_secs(1) {
                        window = (Instant::now(), 0);
                    }
                    window.1 += 1;
                }
                let res = if counted && window.1 > RATE_LIMIT {
                    Err(format!("Rate limit exceeded: module {module_id} sent more than {RATE_LIMIT} requests in one second"))
                } else {
                    handle(
                        &node,
                        id,
                        &mut module_id,
                        &granted,
                        &ev_tx,
                        &dropped,
                        req.payload,
                    )
                    .await
                };
                match res {
                    Ok(payload) => {
                        record(&node, id, |c| {
                            if c.requests.len() >= 500 {
                                c.requests.pop_front();
                            }
                            c.requests.push_back(name);
                        });
                        let _ = resp_tx.send(ModuleMessage::Response(ResponseMessage::ok(
                            req.correlation_id,
                            payload,
                        )));
                    }
                    Err(reason) => {
                        tracing::warn!(conn = id, request = %name, %reason, "Error handling message: closing the connection");
                        record(&node, id, |c| {
                            c.refused.push(json!({"request": name, "reason": reason}))
                        });
                        return finish(
                            &node,
                            id,
                            writer,
                            close(&node, id, format!("refused {name}: {reason}")),
                        )
                        .await;
                    }
                }
            }
            ModuleMessage::Log(l) => {
                tracing::info!(module_id = %l.module_id, level = ?l.level, message = %l.message, "module log");
                record(&node, id, |c| c.logs += 1);
            }
            ModuleMessage::InvocationResult(r) => {
                let cid = r.correlation_id;
                if !node.invocations.deliver(r) {
                    tracing::debug!(
                        conn = id,
                        cid,
                        "invocation result for no pending invocation, ignored"
                    );
                }
            }
            other => tracing::warn!(
                conn = id,
                kind = other.kind(),
                "unexpected message from module, ignored"
            ),
        }
    }
}

async fn finish(node: &Node, id: u64, writer: tokio::task::JoinHandle<()>, end: End) -> End {
    node.bus.unsubscribe(id);
    node.invocations.unregister(id);
    // Responses already queued are written; then the socket closes.
    let _ = tokio::time::timeout(Duration::from_millis(200), writer).await;
    end
}

fn kill_or_close(node: &Node, id: u64, single: bool, reason: String) -> End {
    record(node, id, |c| {
        c.refused.push(json!({"request": null, "reason": reason}))
    });
    if single {
        record(node, id, |c| {
            c.closed = Some(format!("server task exited: {reason}"))
        });
        End::KillServer(reason)
    } else {
        close(node, id, reason)
    }
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn granted_caps(node: &Node, module_id: &str) -> CapabilitySet {
    if node.cfg.ipc_mode == IpcMode::Single {
        return CapabilitySet::node_default();
    }
    let name = module_id.split('_').next().unwrap_or(module_id);
    let manifest_caps = node
        .lock(&node.module)
        .as_ref()
        .filter(|m| m.name == name)
        .map(|m| m.capabilities.clone());
    let names = manifest_caps.or_else(|| node.cfg.grant.clone());
    match names {
        // Unknown names are ignored by the node (logged), like its validator.
        Some(list) => list.iter().filter_map(|n| n.parse().ok()).collect(),
        None => CapabilitySet::node_default(),
    }
}

fn w_tx(t: &Tx) -> WTx {
    WTx {
        version: u64::from(t.version as u32),
        inputs: t
            .inputs
            .iter()
            .map(|i| TransactionInput {
                prevout: OutPoint {
                    hash: i.prev_txid,
                    index: i.prev_vout,
                },
                sequence: u64::from(i.sequence),
                script_sig: i.script_sig.clone(),
            })
            .collect(),
        outputs: t
            .outputs
            .iter()
            .map(|o| TransactionOutput {
                value: o.value,
                script_pubkey: o.script_pubkey.clone(),
            })
            .collect(),
        lock_time: u64::from(t.lock_time),
    }
}

fn w_header(h: &Header) -> WHeader {
    WHeader {
        version: i64::from(h.version),
        prev_block_hash: h.prev,
        merkle_root: h.merkle_root,
        timestamp: u64::from(h.time),
        bits: u64::from(h.bits),
        nonce: u64::from(h.nonce),
    }
}

fn w_block(b: &Block) -> WBlock {
    WBlock {
        header: w_header(&b.header),
        transactions: b.txs.iter().map(w_tx).collect(),
    }
}

fn from_w_block(b: &WBlock) -> Result<Block, String> {
    let n32 = |v: u64, what: &str| {
        u32::try_from(v).map_err(|_| format!("{what} {v} does not fit 32 bits"))
    };
    let header = Header {
        version: i32::try_from(b.header.version)
            .map_err(|_| "header version out of range".to_string())?,
        prev: b.header.prev_block_hash,
        merkle_root: b.header.merkle_root,
        time: n32(b.header.timestamp, "timestamp")?,
        bits: n32(b.header.bits, "bits")?,
        nonce: n32(b.header.nonce, "nonce")?,
    };
    let mut txs = Vec::new();
    for t in &b.transactions {
        txs.push(Tx {
            version: n32(t.version, "tx version")? as i32,
            inputs: t
                .inputs
                .iter()
                .map(|i| {
                    Ok(TxIn {
                        prev_txid: i.prevout.hash,
                        prev_vout: i.prevout.index,
                        script_sig: i.script_sig.clone(),
                        sequence: n32(i.sequence, "sequence")?,
                        witness: vec![],
                    })
                })
                .collect::<Result<_, String>>()?,
            outputs: t
                .outputs
                .iter()
                .map(|o| TxOut {
                    value: o.value,
                    script_pubkey: o.script_pubkey.clone(),
                })
                .collect(),
            lock_time: n32(t.lock_time, "lock_time")?,
        });
    }
    Ok(Block { header, txs })
}

fn find_tx(c: &Chain, txid: &btc::Hash) -> Option<(Tx, btc::Hash, u64)> {
    (0..=c.height()).rev().find_map(|h| {
        let b = c.at(h)?;
        b.block
            .txs
            .iter()
            .find(|t| &t.txid() == txid)
            .map(|t| (t.clone(), b.hash, h))
    })
}

fn template(node: &Node, script: Vec<u8>) -> WTemplate {
    let c = node.chain();
    let t = c.template();
    let mut sig = crate::chain::bip34_push(t.height);
    sig.extend_from_slice(b"/blvm-fake/");
    let coinbase = Tx {
        version: 2,
        inputs: vec![TxIn {
            prev_txid: [0; 32],
            prev_vout: u32::MAX,
            script_sig: sig,
            sequence: u32::MAX,
            witness: vec![],
        }],
        outputs: vec![TxOut {
            value: t.coinbase_value as i64,
            script_pubkey: script,
        }],
        lock_time: 0,
    };
    let mut ids = vec![coinbase.txid()];
    ids.extend(t.txs.iter().map(|e| e.txid));
    let header = Header {
        version: t.version,
        prev: t.prev,
        merkle_root: btc::merkle_root(&ids),
        time: t.curtime.min(u64::from(u32::MAX)) as u32,
        bits: t.bits,
        nonce: 0,
    };
    WTemplate {
        header: w_header(&header),
        coinbase_tx: w_tx(&coinbase),
        transactions: t.txs.iter().map(|e| w_tx(&e.tx)).collect(),
        target: hex::encode(btc::target_from_bits(t.bits)),
        height: t.height,
        timestamp: t.curtime,
    }
}

fn coinbase_script(addr: Option<String>) -> Result<Vec<u8>, String> {
    match addr {
        None => Ok(vec![]),
        Some(a) => match a.strip_prefix("hex:") {
            Some(h) => hex::decode(h).map_err(|e| format!("coinbase_address hex: {e}")),
            None if a.starts_with("bcrt1")
                || a.starts_with('m')
                || a.starts_with('n')
                || a.starts_with('2') =>
            {
                let mut s = vec![0x00, 0x20];
                s.extend_from_slice(&btc::sha256d(a.as_bytes()));
                Ok(s)
            }
            None => Err(format!("Invalid coinbase address '{a}' for regtest")),
        },
    }
}

#[allow(clippy::too_many_lines)]
async fn handle(
    node: &Arc<Node>,
    id: u64,
    module_id: &mut String,
    granted: &CapabilitySet,
    ev_tx: &mpsc::Sender<EventPayload>,
    dropped: &Arc<AtomicU64>,
    req: RequestPayload,
) -> Result<ResponsePayload, String> {
    use RequestPayload as R;
    use ResponsePayload as P;
    if let Some(cap) = required_capability(&req) {
        if !granted.contains(cap) {
            return Err(format!(
                "Module operation failed: Permission denied: module {module_id} does not have permission {}",
                cap.camel_name()
            ));
        }
    }
    let single = node.cfg.ipc_mode == IpcMode::Single;
    if let Some(why) = blvm_miningos_core::ipc::version::always_fails_on_0_1_83(&req) {
        if single || !matches!(req, R::SubmitBlock { .. }) {
            return Err(why.to_string());
        }
    }
    Ok(match req {
        R::Handshake { module_id: m, .. } => {
            if &m != module_id {
                return Err(format!(
                    "handshake module_id {m} differs from the connection's {module_id}"
                ));
            }
            P::HandshakeAck {
                node_version: node.cfg.node_version(),
            }
        }
        R::GetBlock { hash } => P::Block(node.chain().get(&hash).map(|b| w_block(&b.block))),
        R::GetBlockHeader { hash } => {
            P::BlockHeader(node.chain().get(&hash).map(|b| w_header(&b.block.header)))
        }
        R::GetTransaction { hash } => {
            P::Transaction(find_tx(&node.chain(), &hash).map(|(t, _, _)| w_tx(&t)))
        }
        R::HasTransaction { hash } => P::Bool(find_tx(&node.chain(), &hash).is_some()),
        R::GetTxMetadata { txid } => P::TxMetadata(find_tx(&node.chain(), &txid).map(
            |(_, block_hash, block_height)| TxBlockMetadata {
                block_hash,
                block_height,
            },
        )),
        R::GetChainTip => P::Hash(node.chain().tip().hash),
        R::GetBlockHeight => P::U64(node.chain().height()),
        R::GetUtxo { .. } => P::Utxo(None),
        R::GetBlockByHeight { height } => {
            P::BlockByHeight(node.chain().at(height).map(|b| w_block(&b.block)))
        }
        R::GetChainInfo => {
            let ibd = node.lock(&node.ibd).0;
            let c = node.chain();
            let tip = c.tip();
            P::ChainInfo(ChainInfo {
                tip_hash: tip.hash,
                height: tip.height,
                difficulty: btc::difficulty(tip.block.header.bits),
                chain_work: tip.chainwork as u64,
                is_synced: !ibd,
            })
        }
        R::GetSyncStatus => {
            let ibd = node.lock(&node.ibd).0;
            P::NodeSyncStatus(SyncStatus {
                phase: if ibd {
                    "block_sync".into()
                } else {
                    "synced".into()
                },
                progress: if ibd { 0.5 } else { 1.0 },
                is_synced: !ibd,
                error_message: None,
            })
        }
        R::SubscribeEvents { event_types } => {
            node.bus.subscribe(id, &event_types, ev_tx, dropped);
            record(node, id, |c| {
                c.subscriptions
                    .extend(event_types.iter().map(|t| t.name().to_string()))
            });
            if event_types.contains(&EventType::ModuleLoaded) {
                let loaded = node
                    .lock(&node.module)
                    .as_ref()
                    .map(|m| (m.name.clone(), m.version.clone()));
                if let Some((module_name, version)) = loaded {
                    if ev_tx
                        .try_send(EventPayload::ModuleLoaded {
                            module_name,
                            version,
                        })
                        .is_err()
                    {
                        dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            P::SubscribeAck
        }
        R::GetMempoolTransactions => {
            P::MempoolTransactions(node.chain().mempool.iter().map(|e| e.txid).collect())
        }
        R::GetMempoolTransaction { tx_hash } => P::MempoolTransaction(
            node.chain()
                .mempool
                .iter()
                .find(|e| e.txid == tx_hash)
                .map(|e| w_tx(&e.tx)),
        ),
        R::CheckTransactionInMempool { tx_hash } => {
            P::CheckTransactionInMempool(node.chain().mempool.iter().any(|e| e.txid == tx_hash))
        }
        R::GetMempoolSize => {
            let c = node.chain();
            P::MempoolSize(MempoolSize {
                transaction_count: c.mempool.len() as u64,
                size_bytes: c.mempool.iter().map(|e| e.vsize as u64).sum(),
                total_fee_sats: c.mempool.iter().map(|e| e.fee).sum(),
            })
        }
        R::GetMempoolFeeRateSummary => {
            let c = node.chain();
            let mut rates: Vec<f64> = c.mempool.iter().map(|e| e.fee_rate()).collect();
            rates.sort_by(f64::total_cmp);
            let n = rates.len();
            P::MempoolFeeRateSummary(MempoolFeeRateSummary {
                sample_count: n as u64,
                avg_sat_vb: if n == 0 {
                    0
                } else {
                    (rates.iter().sum::<f64>() / n as f64).round() as u64
                },
                median_sat_vb: rates.get(n / 2).map_or(0, |r| r.round() as u64),
            })
        }
        R::GetFeeEstimate { target_blocks } => P::FeeEstimate(
            node.chain()
                .fee_estimate(target_blocks)
                .ok_or_else(|| "fee estimation failed: the mempool has no fee rates".to_string())?,
        ),
        R::GetNetworkStats => {
            let c = node.chain();
            P::NetworkStats(NetworkStats {
                peer_count: c.peers.len() as u64,
                hash_rate: 0.0,
                bytes_sent: c.net_totals.1,
                bytes_received: c.net_totals.0,
            })
        }
        R::GetNetworkPeers => P::NetworkPeers(
            node.chain()
                .peers
                .iter()
                .map(|p| PeerInfo {
                    addr: p.addr.clone(),
                    transport_type: "tcp".into(),
                    services: p.services,
                    version: p.version,
                    connected_since: p.conntime,
                })
                .collect(),
        ),
        R::GetBlockTemplate {
            coinbase_address,
            coinbase_script: script,
            ..
        } => {
            let s = match script {
                Some(s) => s,
                None => coinbase_script(coinbase_address)?,
            };
            P::BlockTemplate(template(node, s))
        }
        R::SubmitBlock { block } => {
            let b = from_w_block(&block)?;
            let res = node.chain().submit(b, BlockSource::Rpc { new_block: true });
            match res {
                Ok(evs) => {
                    node.bus.publish(evs);
                    P::SubmitBlockResult(SubmitBlockResult::Accepted)
                }
                Err(crate::chain::Reject::Duplicate) => {
                    P::SubmitBlockResult(SubmitBlockResult::Duplicate)
                }
                Err(r) => P::SubmitBlockResult(SubmitBlockResult::Rejected(r.to_string())),
            }
        }
        R::PublishEvent { payload, .. } => {
            let logged =
                json!({"type": payload.event_type().name(), "published_by": module_id.clone()});
            node.bus.publish_payload(payload, logged);
            P::EventPublished
        }
        R::CallModule {
            target_module_id,
            method,
            params,
        } => {
            let target = target_module_id.clone().unwrap_or_default();
            record(node, id, |c| {
                c.call_module.push(json!({"target": target_module_id, "method": method, "params": String::from_utf8_lossy(&params)}));
            });
            if !(target.is_empty()
                || target == "blvm-stratum-v2"
                || target.starts_with("blvm-stratum-v2_"))
            {
                return Err(format!(
                    "Module '{target}' not found or has no API registered"
                ));
            }
            match node.call_reply(&method) {
                CallReply::Ok { payload } => P::ModuleApiResponse(payload.into_bytes()),
                CallReply::Error { error } => {
                    return Err(format!("Module operation failed: {error}"))
                }
                CallReply::Unavailable => {
                    return Err("Module blvm-stratum-v2 not found".to_string())
                }
            }
        }
        R::RegisterModuleApi { .. } => P::ModuleApiRegistered,
        R::RegisterCliSpec { .. } => P::Bool(true),
        R::IsModuleAvailable { module_id: m } => {
            let loaded = node
                .lock(&node.module)
                .as_ref()
                .is_some_and(|x| x.name == m || x.module_id == m);
            let stratum = m.starts_with("blvm-stratum-v2")
                && !matches!(node.call_reply(""), CallReply::Unavailable);
            P::ModuleAvailable(loaded || stratum)
        }
        R::DiscoverModules => P::ModuleList(
            node.lock(&node.module)
                .iter()
                .map(|m| ModuleInfo {
                    module_id: m.name.clone(),
                    module_name: m.name.clone(),
                    version: m.version.clone(),
                    capabilities: m.capabilities.clone(),
                    status: ModuleState::Running,
                    api_version: 1,
                })
                .collect(),
        ),
        other => return Err(format!("the fake node does not implement {}", other.name())),
    })
}

/// The node's watchdog: after `delay`, connect, handshake with the module's id (no timeout), then
/// ping `GetChainTip` (correlation id 0) every `ping` with a 2 s timeout, for the node's lifetime.
pub async fn watchdog(
    node: Arc<Node>,
    module_id: String,
    module_name: String,
    version: String,
    delay: Duration,
) {
    {
        let mut st = node.lock(&node.ipc);
        st.watchdog.expected = true;
        st.watchdog.module_id = Some(module_id.clone());
    }
    tokio::time::sleep(delay).await;
    let stream = match UnixStream::connect(node.cfg.socket_path()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "watchdog cannot connect");
            return;
        }
    };
    node.lock(&node.ipc).watchdog.connected_ms = Some(ms(&node));
    let (rd, wr) = stream.into_split();
    let mut rd = FramedRead::new(rd, MessageCodec::new());
    let mut wr = wr;
    let hs = ModuleMessage::Request(RequestMessage::new(
        1,
        RequestPayload::Handshake {
            module_id,
            module_name,
            version,
        },
    ));
    if write_msg(&mut wr, &hs).await.is_err() {
        return;
    }
    // No timeout, like the node's spawner.
    loop {
        match rd.next().await {
            Some(Ok(ModuleMessage::Response(r))) if r.correlation_id == 1 => break,
            Some(Ok(_)) => continue,
            _ => return,
        }
    }
    node.lock(&node.ipc).watchdog.acked_ms = Some(ms(&node));
    tracing::info!("watchdog handshake answered");
    loop {
        tokio::time::sleep(node.cfg.watchdog_ping).await;
        let ping = ModuleMessage::Request(RequestMessage::new(0, RequestPayload::GetChainTip));
        let ok = write_msg(&mut wr, &ping).await.is_ok();
        let answered = ok
            && matches!(
                tokio::time::timeout(Duration::from_secs(2), rd.next()).await,
                Ok(Some(Ok(ModuleMessage::Response(_))))
            );
        let mut st = node.lock(&node.ipc);
        if answered {
            st.watchdog.pings += 1;
        } else {
            st.watchdog.ping_failures += 1;
        }
        if !ok {
            return;
        }
    }
}
