//! The node view: owns the JSON-RPC client and the tip poller (and, once wired, the IPC client),
//! keeps every figure with its source and age, and turns tip changes into the change events the
//! IPC would give (`NewBlock`, `BlockDisconnected`, `ChainReorg`, `BlockMined`).

use super::events::{now_ms, EventKind, EventQueue, NodeEvent, Source};
use super::ipc_link::{self, InvKind};
use super::policy::{
    decide, node_version_from_subversion, parse_version, PolicyDecision, Version, LAST_UNSAFE,
};
use super::NodeError;
use crate::config::{Config, NodeSection, RpcAuthConfig};
use crate::ipc::types::RequestPayload;
use crate::ipc::{
    Backoff, Capability, CapabilitySet, IpcClient, IpcClientConfig, IpcItem, ModuleApiSpec,
};
use crate::rpc::*;
use crate::Coded;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinHandle;

/// Most blocks walked back to find a fork point before giving up.
const MAX_WALK: usize = 1000;
/// Heights remembered for reorg detection.
const WINDOW: usize = 1000;
/// Event queue capacity (oldest dropped beyond it, counted in status).
const QUEUE_CAPACITY: usize = 10_000;

/// A figure: a value, where it came from, when (ms since the Unix epoch).
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// The value.
    pub value: Value,
    /// The channel.
    pub source: Source,
    /// When it was read.
    pub at_ms: u64,
}

#[derive(Debug, Default)]
struct ViewState {
    started: bool,
    closed: bool,
    rpc_reachable: Option<bool>,
    rpc_last_ok_ms: Option<u64>,
    rpc_last_error: Option<(String, String, u64)>,
    version: Option<String>,
    subversion: Option<String>,
    policy: Option<PolicyDecision>,
    tip: Option<Figure>,
    figures: BTreeMap<&'static str, Figure>,
}

/// The IPC side: the client (when connected or reconnecting), its state and why.
#[derive(Default)]
struct IpcSlot {
    client: Option<Arc<IpcClient>>,
    state: Option<&'static str>,
    reason: Option<String>,
    node_version: Option<String>,
    task: Option<JoinHandle<()>>,
}

/// Node → module invocations waiting for JS, and the kinds of those not yet answered.
#[derive(Default)]
struct InvState {
    queue: VecDeque<Value>,
    kinds: HashMap<u64, InvKind>,
    closed: bool,
}

#[derive(Default)]
struct Invocations {
    st: Mutex<InvState>,
    notify: Notify,
}

impl Invocations {
    fn push(&self, id: u64, kind: InvKind, v: Value) {
        if let Ok(mut s) = self.st.lock() {
            if s.closed {
                return;
            }
            s.kinds.insert(id, kind);
            s.queue.push_back(v);
        }
        self.notify.notify_waiters();
    }

    async fn next(&self) -> Option<Value> {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = self.st.lock().ok()?;
                if s.closed {
                    return None;
                }
                if let Some(v) = s.queue.pop_front() {
                    return Some(v);
                }
            }
            notified.await;
        }
    }

    fn kind(&self, id: u64) -> Option<InvKind> {
        self.st.lock().ok().and_then(|s| s.kinds.get(&id).copied())
    }

    fn forget(&self, id: u64) {
        if let Ok(mut s) = self.st.lock() {
            s.kinds.remove(&id);
        }
    }

    fn close(&self) {
        if let Ok(mut s) = self.st.lock() {
            s.closed = true;
            s.queue.clear();
            s.kinds.clear();
        }
        self.notify.notify_waiters();
    }
}

struct Inner {
    node: NodeSection,
    ipc: Mutex<IpcSlot>,
    invocations: Invocations,
    safe_from: Version,
    rpc: RpcClient,
    events: EventQueue,
    state: Mutex<ViewState>,
    shutdown: watch::Sender<bool>,
    poke: Notify,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// The node view. Clone-free: share it behind an `Arc`; every method takes `&self`.
pub struct NodeView {
    inner: Arc<Inner>,
}

/// What the poller remembers about the chain (cleared when the node is unreachable).
#[derive(Debug, Default)]
struct Tracker {
    reachable: bool,
    tip: Option<(String, u64)>,
    chain: BTreeMap<u64, String>,
}

impl Inner {
    fn with_state<R>(&self, f: impl FnOnce(&mut ViewState) -> R) -> Option<R> {
        self.state.lock().ok().map(|mut s| f(&mut s))
    }

    fn record(&self, name: &'static str, value: Value) {
        self.with_state(|s| {
            s.figures.insert(
                name,
                Figure {
                    value,
                    source: Source::Rpc,
                    at_ms: now_ms(),
                },
            );
            s.rpc_last_ok_ms = Some(now_ms());
        });
    }

    fn set_policy(self: &Arc<Self>, p: PolicyDecision) {
        let changed = self
            .with_state(|s| {
                if s.policy.as_ref() == Some(&p) {
                    false
                } else {
                    s.policy = Some(p.clone());
                    true
                }
            })
            .unwrap_or(false);
        if changed {
            tracing::info!(connect_ipc = p.connect_ipc, reason = %p.reason, "IPC channel policy");
            let connect = p.connect_ipc;
            self.events.push(
                EventKind::ChannelPolicy {
                    connect_ipc: p.connect_ipc,
                    mode: p.mode,
                    reason: p.reason.clone(),
                },
                Source::Module,
            );
            if connect {
                self.start_ipc();
            } else {
                self.stop_ipc("not_used", p.reason);
            }
        }
    }

    fn slot<R>(&self, f: impl FnOnce(&mut IpcSlot) -> R) -> Option<R> {
        self.ipc.lock().ok().map(|mut s| f(&mut s))
    }

    /// Connects the IPC (in the background) unless it is already connected or connecting.
    fn start_ipc(self: &Arc<Self>) {
        let Some(socket) = self.node.socket_path.clone() else {
            let reason = "no IPC socket: SOCKET_PATH is not set and [node] socket_path is not configured; using JSON-RPC only".to_string();
            let first = self
                .slot(|s| {
                    let first = s.state != Some("unavailable");
                    s.state = Some("unavailable");
                    s.reason = Some(reason.clone());
                    first
                })
                .unwrap_or(false);
            if first {
                self.events
                    .push(EventKind::IpcDisconnected { reason }, Source::Module);
            }
            return;
        };
        let busy = self
            .slot(|s| {
                // a handshake already showed a node known unsafe: never again
                let unsafe_node = s
                    .node_version
                    .as_deref()
                    .and_then(parse_version)
                    .is_some_and(|v| v <= LAST_UNSAFE);
                let busy = unsafe_node || s.client.is_some() || s.state == Some("connecting");
                if !busy {
                    s.state = Some("connecting");
                    s.reason = None;
                }
                busy
            })
            .unwrap_or(true);
        if busy {
            return;
        }
        let mut cfg = IpcClientConfig::new(
            socket,
            self.node.module_id.clone(),
            self.node.module_name.clone(),
            crate::VERSION,
        );
        cfg.handshake_timeout = Duration::from_millis(self.node.handshake_timeout_ms);
        cfg.request_timeout = Duration::from_millis(self.node.request_timeout_ms);
        cfg.granted = CapabilitySet::from_names(&self.node.capabilities)
            .unwrap_or_else(|_| CapabilitySet::node_default());
        cfg.subscribe = ipc_link::subscribe_types();
        // The node CLI (`blvm module <name> ...`, no capability needed) and, where granted, the
        // module API other modules call; both re-sent after every handshake.
        cfg.cli_spec = Some(crate::actions::module_api::cli_spec(&self.node.module_name));
        if cfg.granted.contains(Capability::RegisterModuleApi) {
            cfg.module_api = Some(ModuleApiSpec {
                methods: crate::actions::module_api::METHODS
                    .iter()
                    .map(|m| m.to_string())
                    .collect(),
                api_version: crate::actions::module_api::API_VERSION,
            });
        }
        cfg.reconnect = Some(Backoff::default());
        let inner = self.clone();
        let task = tokio::spawn(async move {
            match IpcClient::connect(cfg).await {
                Ok(client) => {
                    let client = Arc::new(client);
                    inner.slot(|s| s.client = Some(client.clone()));
                    inner.pump(client).await;
                }
                Err(e) => {
                    let reason = format!(
                        "IPC connect failed ({}): {e}; using JSON-RPC only",
                        e.code()
                    );
                    tracing::warn!(%reason, "IPC fall back");
                    inner.slot(|s| {
                        s.state = Some("failed");
                        s.reason = Some(reason.clone());
                    });
                    inner
                        .events
                        .push(EventKind::IpcDisconnected { reason }, Source::Module);
                }
            }
        });
        self.slot(|s| s.task = Some(task));
    }

    /// Closes the IPC client, if any, leaving `state` and `reason` behind.
    fn stop_ipc(&self, state: &'static str, reason: String) {
        let (client, task) = self
            .slot(|s| {
                s.state = Some(state);
                s.reason = Some(reason);
                (s.client.take(), s.task.take())
            })
            .unwrap_or((None, None));
        if let Some(t) = task {
            t.abort();
        }
        if let Some(c) = client {
            tokio::spawn(async move { c.close().await });
        }
    }

    /// Moves IPC items into the node view: events (chain changes de-duplicated against the
    /// JSON-RPC poller), invocations, connection state.
    async fn pump(self: &Arc<Self>, client: Arc<IpcClient>) {
        while let Some(items) = client.next_events(256).await {
            for item in items {
                match item {
                    IpcItem::Connected { node_version } => {
                        if parse_version(&node_version).is_some_and(|v| v <= LAST_UNSAFE) {
                            let reason = format!("the handshake says node {node_version}, which serves a single module connection: IPC closed");
                            tracing::warn!(%reason, "IPC policy");
                            self.events.push(
                                EventKind::IpcDisconnected {
                                    reason: reason.clone(),
                                },
                                Source::Module,
                            );
                            let c = self.slot(|s| {
                                s.state = Some("not_used");
                                s.reason = Some(reason);
                                s.node_version = Some(node_version.clone());
                                s.client.take()
                            });
                            if let Some(Some(c)) = c {
                                c.close().await;
                            }
                            return;
                        }
                        self.slot(|s| {
                            s.state = Some("connected");
                            s.reason = None;
                            s.node_version = Some(node_version.clone());
                        });
                        self.events
                            .push(EventKind::IpcConnected { node_version }, Source::Ipc);
                    }
                    IpcItem::Disconnected { reason } => {
                        self.slot(|s| {
                            s.state = Some("disconnected");
                            s.reason = Some(reason.clone());
                        });
                        self.events
                            .push(EventKind::IpcDisconnected { reason }, Source::Ipc);
                    }
                    IpcItem::Event(m) => {
                        let kind = ipc_link::event_kind(&m.payload);
                        if let EventKind::NewBlock { block_hash, height } = &kind {
                            self.set_tip_from(block_hash, *height, Source::Ipc);
                        }
                        self.events.push(kind, Source::Ipc);
                    }
                    IpcItem::Invocation(m) => {
                        if let Some((kind, v)) = ipc_link::invocation_json(&m) {
                            self.invocations.push(m.correlation_id, kind, v);
                        }
                    }
                    IpcItem::Dropped { count } => {
                        tracing::warn!(count, "IPC events dropped (consumer lagging)");
                    }
                }
            }
        }
        self.slot(|s| {
            if matches!(s.state, Some("connected") | Some("disconnected")) {
                s.state = Some("disconnected");
            }
            s.client = None;
        });
    }

    /// The IPC client when connected, else `ERR_IPC_UNAVAILABLE` with the reason.
    fn ipc_client(&self, what: String) -> Result<Arc<IpcClient>, NodeError> {
        let (client, state, reason) = self
            .slot(|s| (s.client.clone(), s.state, s.reason.clone()))
            .unwrap_or((None, None, None));
        match (client, state) {
            (Some(c), Some("connected")) => Ok(c),
            _ => Err(NodeError::IpcUnavailable {
                what,
                reason: reason
                    .or_else(|| {
                        self.with_state(|s| s.policy.as_ref().map(|p| p.reason.clone()))
                            .flatten()
                    })
                    .unwrap_or_else(|| {
                        "the IPC policy is not decided yet (start() first)".to_string()
                    }),
            }),
        }
    }

    fn on_reachable(self: &Arc<Self>, ni: Option<NetworkInfo>) {
        let sub = ni.as_ref().map(|n| n.subversion.clone());
        let ver = sub.as_deref().and_then(node_version_from_subversion);
        let now = now_ms();
        self.with_state(|s| {
            s.rpc_reachable = Some(true);
            s.rpc_last_ok_ms = Some(now);
            s.version = ver.as_ref().map(|v| v.0.clone());
            s.subversion = sub.clone();
            if let Some(n) = &ni {
                s.figures.insert(
                    "network_info",
                    Figure {
                        value: serde_json::to_value(n).unwrap_or(Value::Null),
                        source: Source::Rpc,
                        at_ms: now,
                    },
                );
            }
        });
        tracing::info!(version = ?ver.as_ref().map(|v| &v.0), "node JSON-RPC reachable");
        self.events.push(
            EventKind::NodeReachable {
                version: ver.as_ref().map(|v| v.0.clone()),
                subversion: sub.clone(),
            },
            Source::Rpc,
        );
        self.set_policy(decide(
            self.node.ipc,
            self.safe_from,
            ver.map(|v| v.1),
            sub.as_deref(),
        ));
        // the node is back (maybe restarted): retry an IPC that failed or went down for good
        let allowed = self
            .with_state(|s| s.policy.as_ref().is_some_and(|p| p.connect_ipc))
            .unwrap_or(false);
        if allowed {
            self.start_ipc();
        }
    }

    fn mark_down(self: &Arc<Self>, e: &RpcError, t: &mut Tracker) {
        t.reachable = false;
        t.tip = None;
        t.chain.clear();
        self.rpc.invalidate_credentials();
        let now = now_ms();
        let (was, had_policy) = self
            .with_state(|s| {
                let was = s.rpc_reachable;
                s.rpc_reachable = Some(false);
                s.rpc_last_error = Some((e.code().to_string(), e.to_string(), now));
                s.version = None;
                s.subversion = None;
                s.tip = None;
                s.figures.clear();
                (was, s.policy.is_some())
            })
            .unwrap_or((None, true));
        if was != Some(false) {
            self.events.forget_recent();
            tracing::warn!(code = e.code(), error = %e, "node JSON-RPC unreachable");
            self.events.push(
                EventKind::NodeUnreachable {
                    code: e.code().to_string(),
                    reason: e.to_string(),
                },
                Source::Rpc,
            );
        }
        if !had_policy {
            self.set_policy(decide(self.node.ipc, self.safe_from, None, None));
        }
    }

    fn set_tip(&self, hash: &str, height: u64) {
        self.set_tip_from(hash, height, Source::Rpc);
        self.with_state(|s| s.rpc_last_ok_ms = Some(now_ms()));
    }

    fn set_tip_from(&self, hash: &str, height: u64, source: Source) {
        let now = now_ms();
        self.with_state(|s| {
            s.tip = Some(Figure {
                value: json!({"hash": hash, "height": height}),
                source,
                at_ms: now,
            });
        });
    }

    fn touch(&self) {
        let now = now_ms();
        self.with_state(|s| {
            s.rpc_last_ok_ms = Some(now);
            if let Some(t) = &mut s.tip {
                t.at_ms = now; // the tip was confirmed just now
            }
        });
    }

    fn closed(&self) -> bool {
        self.with_state(|s| s.closed).unwrap_or(true)
    }

    /// One poll: (re)connect if needed, then compare the best block hash with the known tip.
    async fn poll_once(self: &Arc<Self>, t: &mut Tracker) -> Result<(), RpcError> {
        if !t.reachable {
            let ni = match self.rpc.get_network_info().await {
                Ok(ni) => Some(ni),
                Err(e @ (RpcError::Unavailable { .. } | RpcError::Auth { .. })) => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, "getnetworkinfo failed: node version unknown");
                    None
                }
            };
            t.reachable = true;
            self.on_reachable(ni);
        }
        let best = self.rpc.get_best_block_hash().await?;
        if t.tip.as_ref().map(|(h, _)| h) == Some(&best) {
            self.touch();
            return Ok(());
        }
        let header = self.rpc.get_block_header(&best).await?;
        let new_height = header.height;
        let Some((old_hash, _)) = t.tip.clone() else {
            // first sight of the chain: a baseline, not a change
            t.chain.insert(header.height, header.hash.clone());
            t.tip = Some((best.clone(), new_height));
            self.set_tip(&best, new_height);
            return Ok(());
        };
        let old_height = t.tip.as_ref().map_or(0, |(_, h)| *h);
        let fork = self
            .find_fork(
                t,
                (
                    header.height,
                    header.hash.clone(),
                    header.previousblockhash.clone(),
                ),
                (old_height, old_hash.clone()),
            )
            .await?;
        self.set_tip(&best, new_height);
        match fork {
            Some((connected, removed)) => {
                if !removed.is_empty() {
                    for (h, hash) in &removed {
                        t.chain.remove(h);
                        self.events.push(
                            EventKind::BlockDisconnected {
                                hash: hash.clone(),
                                height: *h,
                            },
                            Source::Rpc,
                        );
                    }
                    tracing::info!(depth = removed.len(), old = %old_hash, new = %best, "chain reorg");
                    self.events.push(
                        EventKind::ChainReorg {
                            old_tip: old_hash,
                            new_tip: best.clone(),
                        },
                        Source::Rpc,
                    );
                }
                for (h, hash) in connected {
                    t.chain.insert(h, hash.clone());
                    self.events.push(
                        EventKind::NewBlock {
                            block_hash: hash,
                            height: h,
                        },
                        Source::Rpc,
                    );
                }
            }
            None => {
                tracing::warn!(old = %old_hash, new = %best, "tip change without a fork point within {MAX_WALK} blocks");
                t.chain.clear();
                t.chain.insert(new_height, best.clone());
                self.events.push(
                    EventKind::ChainReorg {
                        old_tip: old_hash,
                        new_tip: best.clone(),
                    },
                    Source::Rpc,
                );
                self.events.push(
                    EventKind::NewBlock {
                        block_hash: best.clone(),
                        height: new_height,
                    },
                    Source::Rpc,
                );
            }
        }
        while t.chain.len() > WINDOW {
            t.chain.pop_first();
        }
        t.tip = Some((best, new_height));
        Ok(())
    }

    /// Finds the common ancestor of the new tip and the old tip by walking both branches back
    /// (headers from the node; the old branch from the tracker's window where it can). Returns the
    /// connected blocks (ascending) and the disconnected ones (descending), or `None` when no fork
    /// point is found within `MAX_WALK` steps.
    #[allow(clippy::type_complexity)]
    async fn find_fork(
        &self,
        t: &Tracker,
        new: (u64, String, Option<String>),
        old: (u64, String),
    ) -> Result<Option<(Vec<(u64, String)>, Vec<(u64, String)>)>, RpcError> {
        let mut connected: Vec<(u64, String)> = Vec::new();
        let mut removed: Vec<(u64, String)> = Vec::new();
        let (mut a_h, mut a_hash, mut a_prev) = new;
        let (mut b_h, mut b_hash) = old;
        for _ in 0..MAX_WALK {
            if a_h == b_h && a_hash == b_hash {
                connected.reverse();
                return Ok(Some((connected, removed)));
            }
            if a_h >= b_h {
                // step the new branch back
                connected.push((a_h, a_hash.clone()));
                let Some(p) = a_prev.take().filter(|_| a_h > 0) else {
                    return Ok(None);
                };
                let hdr = self.rpc.get_block_header(&p).await?;
                (a_h, a_hash, a_prev) = (hdr.height, hdr.hash, hdr.previousblockhash);
            } else {
                // step the old branch back
                removed.push((b_h, b_hash.clone()));
                if b_h == 0 {
                    return Ok(None);
                }
                let parent = match (t.chain.get(&b_h), t.chain.get(&(b_h - 1))) {
                    (Some(h), Some(p)) if *h == b_hash => p.clone(),
                    _ => match self.rpc.get_block_header(&b_hash).await?.previousblockhash {
                        Some(p) => p,
                        None => return Ok(None),
                    },
                };
                (b_h, b_hash) = (b_h - 1, parent);
            }
        }
        Ok(None)
    }
}

async fn run_poller(
    inner: Arc<Inner>,
    ready: oneshot::Sender<()>,
    mut shutdown: watch::Receiver<bool>,
) {
    let poll = Duration::from_millis(inner.node.tip_poll_interval_ms.max(1));
    let max_backoff = (poll * 20).clamp(Duration::from_secs(1), Duration::from_secs(5));
    let mut backoff: Option<Duration> = None;
    let mut ready = Some(ready);
    let mut tracker = Tracker::default();
    loop {
        if *shutdown.borrow() {
            break;
        }
        // fixed cadence: the next poll starts `wait` after this one started
        let began = tokio::time::Instant::now();
        let wait = match inner.poll_once(&mut tracker).await {
            Ok(()) => {
                backoff = None;
                poll
            }
            Err(e @ (RpcError::Unavailable { .. } | RpcError::Auth { .. })) => {
                inner.mark_down(&e, &mut tracker);
                let b = backoff.map_or(poll, |b| (b * 2).min(max_backoff));
                backoff = Some(b);
                b
            }
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "tip poll failed");
                inner.with_state(|s| {
                    s.rpc_last_error = Some((e.code().to_string(), e.to_string(), now_ms()))
                });
                poll
            }
        };
        if let Some(r) = ready.take() {
            let _ = r.send(());
        }
        tokio::select! {
            _ = tokio::time::sleep_until(began + wait) => {}
            _ = inner.poke.notified() => {}
            _ = shutdown.changed() => {}
        }
    }
}

impl NodeView {
    /// A view over the node described by `config.node`. Nothing is contacted until [`start`](Self::start)
    /// or a request.
    pub fn new(config: &Config) -> Result<Self, NodeError> {
        let node = config.node.clone();
        let rpc = RpcClient::new(RpcClientConfig {
            url: node.rpc_url.clone(),
            auth: node.rpc_auth.clone(),
            timeout: Duration::from_millis(node.request_timeout_ms),
        })?;
        let safe_from = parse_version(&node.ipc_safe_from).unwrap_or((0, 1, 84));
        let (shutdown, _) = watch::channel(false);
        Ok(NodeView {
            inner: Arc::new(Inner {
                node,
                ipc: Mutex::new(IpcSlot::default()),
                invocations: Invocations::default(),
                safe_from,
                rpc,
                events: EventQueue::new(QUEUE_CAPACITY),
                state: Mutex::new(ViewState::default()),
                shutdown,
                poke: Notify::new(),
                task: Mutex::new(None),
            }),
        })
    }

    /// Starts the tip poller and waits for its first poll (node up or not: a node that is down is
    /// a state, not an error). Idempotent. Must run inside a tokio runtime.
    pub async fn start(&self) -> Result<(), NodeError> {
        let first = self
            .inner
            .with_state(|s| {
                if s.closed {
                    Err(NodeError::Closed)
                } else {
                    let first = !s.started;
                    s.started = true;
                    Ok(first)
                }
            })
            .unwrap_or(Err(NodeError::Closed))?;
        if !first {
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        let handle = tokio::spawn(run_poller(
            self.inner.clone(),
            tx,
            self.inner.shutdown.subscribe(),
        ));
        if let Ok(mut t) = self.inner.task.lock() {
            *t = Some(handle);
        }
        let _ = rx.await;
        Ok(())
    }

    /// Stops the poller, ends the event stream (`next_events` → `None`) and refuses further
    /// requests with `ERR_NODE_CLOSED`. Idempotent.
    pub async fn close(&self) {
        let was_closed = self
            .inner
            .with_state(|s| std::mem::replace(&mut s.closed, true))
            .unwrap_or(true);
        let _ = self.inner.shutdown.send(true);
        self.inner.events.close();
        self.inner.invocations.close();
        if was_closed {
            return;
        }
        let (client, task) = self
            .inner
            .slot(|s| {
                s.state = Some("closed");
                (s.client.take(), s.task.take())
            })
            .unwrap_or((None, None));
        if let Some(t) = task {
            t.abort();
        }
        if let Some(c) = client {
            c.close().await;
        }
        let handle = self.inner.task.lock().ok().and_then(|mut t| t.take());
        if let Some(h) = handle {
            if tokio::time::timeout(Duration::from_secs(2), h)
                .await
                .is_err()
            {
                tracing::warn!("tip poller did not stop within 2 s");
            }
        }
    }

    /// Waits for change events and returns up to `max` of them; `None` after close.
    pub async fn next_events(&self, max: usize) -> Option<Vec<NodeEvent>> {
        self.inner.events.next_batch(max).await
    }

    /// Waits for a node → module invocation (`{ id, kind: "Cli" | "ModuleApi", payload }`);
    /// `None` after close. Invocations arrive over the IPC only.
    pub async fn next_invocation(&self) -> Option<Value> {
        self.inner.invocations.next().await
    }

    /// Answers invocation `id`: `{ error }` fails it; a CLI answer is `{ stdout, stderr?,
    /// exit_code? }`; a module API answer is any JSON.
    pub async fn respond_invocation(&self, id: u64, result: Value) -> Result<(), NodeError> {
        self.check_open()?;
        let kind = self
            .inner
            .invocations
            .kind(id)
            .ok_or(NodeError::UnknownInvocation(id))?;
        let answer = ipc_link::invocation_result(kind, &result).map_err(|reason| {
            NodeError::InvalidArgument {
                what: format!("respondInvocation({id})"),
                reason,
            }
        })?;
        let client = self.inner.ipc_client(format!("respondInvocation({id})"))?;
        self.inner.invocations.forget(id);
        client.answer_invocation(id, answer).await?;
        Ok(())
    }

    /// `call_module` over the IPC: `params` sent as JSON bytes, the reply parsed back
    /// (`ERR_IPC_UNAVAILABLE` while the IPC is not in use).
    pub async fn call_module(
        &self,
        target: &str,
        method: &str,
        params: Value,
    ) -> Result<Value, NodeError> {
        self.check_open()?;
        let client = self
            .inner
            .ipc_client(format!("call_module({target}, {method})"))?;
        let bytes = serde_json::to_vec(&params).map_err(|e| NodeError::InvalidArgument {
            what: "call_module".into(),
            reason: format!("params cannot be encoded: {e}"),
        })?;
        let reply = client
            .call_module(Some(target.to_string()), method, bytes)
            .await?;
        Ok(ipc_link::reply_json(&reply))
    }

    /// `publish_event` over the IPC: `event_type` as the node names it, `payload` its fields
    /// (hashes as hex) (`ERR_IPC_UNAVAILABLE` while the IPC is not in use).
    pub async fn publish_event(&self, event_type: &str, payload: Value) -> Result<(), NodeError> {
        self.check_open()?;
        let (ty, p) = ipc_link::payload_from_json(event_type, payload).map_err(|reason| {
            NodeError::InvalidArgument {
                what: format!("publish_event({event_type})"),
                reason,
            }
        })?;
        let client = self
            .inner
            .ipc_client(format!("publish_event({event_type})"))?;
        client
            .request(RequestPayload::PublishEvent {
                event_type: ty,
                payload: p,
            })
            .await?;
        Ok(())
    }

    fn check_open(&self) -> Result<(), NodeError> {
        if self.inner.closed() {
            Err(NodeError::Closed)
        } else {
            Ok(())
        }
    }

    /// The status: channels, policy decision and reason, node version, reachability, IPC state,
    /// granted capabilities, and every figure with its source and age.
    pub fn status(&self) -> Value {
        let now = now_ms();
        let (queued, dropped, duplicates) = self.inner.events.counts();
        let fig = |f: &Figure| json!({"value": f.value, "source": f.source, "at_ms": f.at_ms, "age_ms": now.saturating_sub(f.at_ms)});
        let node = &self.inner.node;
        let (ipc_state, ipc_reason, ipc_version, ipc_client) = self
            .inner
            .slot(|s| {
                (
                    s.state,
                    s.reason.clone(),
                    s.node_version.clone(),
                    s.client.clone(),
                )
            })
            .unwrap_or((None, None, None, None));
        let ipc_detail = ipc_client.map(|c| {
            let st = c.status();
            json!({"connected": st.connected, "in_flight": st.in_flight, "reconnects": st.reconnects, "last_error": st.last_error, "events_delivered": st.events_delivered, "events_dropped": st.events_dropped, "decode_errors": st.decode_errors})
        });
        self.inner
            .with_state(|s| {
                let ipc_state = ipc_state.unwrap_or(match &s.policy {
                    Some(_) => "not_used",
                    None => "undecided",
                });
                let reason = ipc_reason.clone().or_else(|| s.policy.as_ref().map(|p| p.reason.clone()));
                json!({
                    "started": s.started,
                    "closed": s.closed,
                    "policy": s.policy,
                    "node": {"version": s.version, "subversion": s.subversion},
                    "channels": {
                        "rpc": {
                            "url": node.rpc_url,
                            "auth": match &node.rpc_auth {
                                RpcAuthConfig::Cookie { .. } => "cookie",
                                RpcAuthConfig::UserPassword { .. } => "user_password",
                                RpcAuthConfig::None => "none",
                            },
                            "cookie_file": self.inner.rpc.cookie_file().map(|p| p.display().to_string()),
                            "reachable": s.rpc_reachable,
                            "last_ok_ms": s.rpc_last_ok_ms,
                            "last_error": s.rpc_last_error.as_ref().map(|(c, m, at)| json!({"code": c, "message": m, "at_ms": at})),
                            "tip_poll_interval_ms": node.tip_poll_interval_ms,
                        },
                        "ipc": {
                            "mode": node.ipc.as_str(),
                            "state": ipc_state,
                            "reason": reason,
                            "node_version": ipc_version,
                            "client": ipc_detail,
                            "socket_path": node.socket_path.as_ref().map(|p| p.display().to_string()),
                        },
                    },
                    "capabilities": {"granted": node.capabilities, "source": "config"},
                    "tip": s.tip.as_ref().map(fig),
                    "figures": s.figures.iter().map(|(k, f)| (k.to_string(), fig(f))).collect::<serde_json::Map<_, _>>(),
                    "events": {"queued": queued, "dropped": dropped, "duplicates_skipped": duplicates},
                })
            })
            .unwrap_or(Value::Null)
    }

    async fn req<T: Serialize>(
        &self,
        figure: Option<&'static str>,
        fut: impl std::future::Future<Output = Result<T, RpcError>>,
    ) -> Result<T, NodeError> {
        self.check_open()?;
        let v = fut.await?;
        if let Some(name) = figure {
            self.inner
                .record(name, serde_json::to_value(&v).unwrap_or(Value::Null));
        }
        Ok(v)
    }

    /// `getnetworkinfo`.
    pub async fn get_network_info(&self) -> Result<NetworkInfo, NodeError> {
        self.req(Some("network_info"), self.inner.rpc.get_network_info())
            .await
    }
    /// `getbestblockhash`.
    pub async fn get_best_block_hash(&self) -> Result<String, NodeError> {
        self.req(None, self.inner.rpc.get_best_block_hash()).await
    }
    /// `getblockchaininfo`.
    pub async fn get_blockchain_info(&self) -> Result<BlockchainInfo, NodeError> {
        self.req(
            Some("blockchain_info"),
            self.inner.rpc.get_blockchain_info(),
        )
        .await
    }
    /// `getblock` (verbosity 1 or 2).
    pub async fn get_block(&self, hash: &str, verbosity: u8) -> Result<Block, NodeError> {
        self.req(None, self.inner.rpc.get_block(hash, verbosity))
            .await
    }
    /// `getblockheader`.
    pub async fn get_block_header(&self, hash: &str) -> Result<BlockHeader, NodeError> {
        self.req(None, self.inner.rpc.get_block_header(hash)).await
    }
    /// `getblocktemplate`; the figure `block_template` keeps a summary.
    pub async fn get_block_template(&self) -> Result<BlockTemplate, NodeError> {
        let t = self.req(None, self.inner.rpc.get_block_template()).await?;
        self.inner.record(
            "block_template",
            json!({"height": t.height, "previousblockhash": t.previousblockhash, "transactions": t.transactions.len(), "coinbasevalue": t.coinbasevalue}),
        );
        Ok(t)
    }
    /// `submitblock`; an accepted block is reported as a `BlockMined` event (blocks submitted over
    /// JSON-RPC publish only `BlockMined` on the node) and the tip is polled at once.
    pub async fn submit_block(&self, block_hex: &str) -> Result<SubmitResult, NodeError> {
        let r = self
            .req(None, self.inner.rpc.submit_block(block_hex))
            .await?;
        if r.accepted {
            let height = match self.inner.rpc.get_block_header(&r.block_hash).await {
                Ok(h) => Some(h.height),
                Err(e) => {
                    tracing::warn!(error = %e, "submitted block accepted but its header could not be read");
                    None
                }
            };
            if let Some(height) = height {
                self.inner.events.push(
                    EventKind::BlockMined {
                        block_hash: r.block_hash.clone(),
                        height,
                        miner_id: None,
                    },
                    Source::Rpc,
                );
            }
            self.inner.poke.notify_one();
        }
        Ok(r)
    }
    /// `getmempoolinfo`.
    pub async fn get_mempool_info(&self) -> Result<MempoolInfo, NodeError> {
        self.req(Some("mempool_info"), self.inner.rpc.get_mempool_info())
            .await
    }
    /// `getrawmempool` (txids); the figure `mempool_txids` keeps the count.
    pub async fn get_raw_mempool(&self) -> Result<Vec<String>, NodeError> {
        let v = self.req(None, self.inner.rpc.get_raw_mempool()).await?;
        self.inner
            .record("mempool_txids", json!({"count": v.len()}));
        Ok(v)
    }
    /// `estimatesmartfee`.
    pub async fn estimate_smart_fee(&self, conf_target: u32) -> Result<SmartFee, NodeError> {
        self.req(
            Some("smart_fee"),
            self.inner.rpc.estimate_smart_fee(conf_target),
        )
        .await
    }
    /// `getpeerinfo`; the figure `peers` keeps the count.
    pub async fn get_peer_info(&self) -> Result<Vec<PeerInfo>, NodeError> {
        let v = self.req(None, self.inner.rpc.get_peer_info()).await?;
        self.inner.record("peers", json!({"count": v.len()}));
        Ok(v)
    }
    /// `getnettotals`.
    pub async fn get_net_totals(&self) -> Result<NetTotals, NodeError> {
        self.req(Some("net_totals"), self.inner.rpc.get_net_totals())
            .await
    }
    /// `getmininginfo`.
    pub async fn get_mining_info(&self) -> Result<MiningInfo, NodeError> {
        self.req(Some("mining_info"), self.inner.rpc.get_mining_info())
            .await
    }
    /// `uptime` (seconds).
    pub async fn uptime(&self) -> Result<u64, NodeError> {
        self.req(Some("uptime"), self.inner.rpc.uptime()).await
    }
}

impl Drop for NodeView {
    fn drop(&mut self) {
        let _ = self.inner.shutdown.send(true);
        self.inner.events.close();
        self.inner.invocations.close();
        if let Some((task, client)) = self.inner.slot(|s| (s.task.take(), s.client.take())) {
            if let Some(t) = task {
                t.abort();
            }
            drop(client); // the IPC client stops its tasks when dropped
        }
    }
}
