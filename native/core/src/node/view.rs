//! The node view: owns the JSON-RPC client and the tip poller (and, once wired, the IPC client),
//! keeps every figure with its source and age, and turns tip changes into the change events the
//! IPC would give (`NewBlock`, `BlockDisconnected`, `ChainReorg`, `BlockMined`).

use super::events::{now_ms, EventKind, EventQueue, NodeEvent, Source};
use super::policy::{decide, node_version_from_subversion, parse_version, PolicyDecision, Version};
use super::NodeError;
use crate::config::{Config, NodeSection, RpcAuthConfig};
use crate::rpc::*;
use crate::Coded;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
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

struct Inner {
    node: NodeSection,
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

    fn set_policy(&self, p: PolicyDecision) {
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
            self.events.push(
                EventKind::ChannelPolicy {
                    connect_ipc: p.connect_ipc,
                    mode: p.mode,
                    reason: p.reason,
                },
                Source::Module,
            );
        }
    }

    fn on_reachable(&self, ni: Option<NetworkInfo>) {
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
    }

    fn mark_down(&self, e: &RpcError, t: &mut Tracker) {
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
        let now = now_ms();
        self.with_state(|s| {
            s.tip = Some(Figure {
                value: json!({"hash": hash, "height": height}),
                source: Source::Rpc,
                at_ms: now,
            });
            s.rpc_last_ok_ms = Some(now);
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
    async fn poll_once(&self, t: &mut Tracker) -> Result<(), RpcError> {
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
        if was_closed {
            return;
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

    /// Waits for a node → module invocation; `None` after close. Invocations arrive only over the
    /// IPC, which this build does not connect, so this resolves only at close.
    pub async fn next_invocation(&self) -> Option<Value> {
        let mut rx = self.inner.shutdown.subscribe();
        loop {
            if *rx.borrow() {
                return None;
            }
            if rx.changed().await.is_err() {
                return None;
            }
        }
    }

    /// Answers invocation `id`. No invocation is ever pending without the IPC.
    pub fn respond_invocation(&self, id: u64, _result: Value) -> Result<(), NodeError> {
        self.check_open()?;
        Err(NodeError::UnknownInvocation(id))
    }

    fn ipc_reason(&self) -> String {
        match self.inner.with_state(|s| s.policy.clone()).flatten() {
            Some(p) if !p.connect_ipc => p.reason,
            Some(_) => "the policy allows the IPC but the IPC client is not part of this build yet"
                .to_string(),
            None => "the IPC policy is not decided yet (start() first)".to_string(),
        }
    }

    /// `call_module` over the IPC (refused with `ERR_IPC_UNAVAILABLE` while the IPC is not in use).
    pub async fn call_module(
        &self,
        target: &str,
        method: &str,
        _params: Value,
    ) -> Result<Value, NodeError> {
        self.check_open()?;
        Err(NodeError::IpcUnavailable {
            what: format!("call_module({target}, {method})"),
            reason: self.ipc_reason(),
        })
    }

    /// `publish_event` over the IPC (refused with `ERR_IPC_UNAVAILABLE` while the IPC is not in use).
    pub async fn publish_event(&self, event_type: &str, _payload: Value) -> Result<(), NodeError> {
        self.check_open()?;
        Err(NodeError::IpcUnavailable {
            what: format!("publish_event({event_type})"),
            reason: self.ipc_reason(),
        })
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
        let (queued, dropped) = self.inner.events.counts();
        let fig = |f: &Figure| json!({"value": f.value, "source": f.source, "at_ms": f.at_ms, "age_ms": now.saturating_sub(f.at_ms)});
        let node = &self.inner.node;
        let reason = self.ipc_reason();
        self.inner
            .with_state(|s| {
                let ipc_state = match &s.policy {
                    Some(p) if p.connect_ipc => "unavailable",
                    Some(_) => "not_used",
                    None => "undecided",
                };
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
                            "socket_path": node.socket_path.as_ref().map(|p| p.display().to_string()),
                        },
                    },
                    "capabilities": {"granted": node.capabilities, "source": "config"},
                    "tip": s.tip.as_ref().map(fig),
                    "figures": s.figures.iter().map(|(k, f)| (k.to_string(), fig(f))).collect::<serde_json::Map<_, _>>(),
                    "events": {"queued": queued, "dropped": dropped},
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
    }
}
