//! The fake node's shared state: configuration, chain, event bus, stall flag, what the IPC side saw.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use blvm_miningos_core::ipc::{EventPayload, EventType};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

use crate::chain::{BlockSource, Chain};
use crate::events::Ev;

/// Per-connection event queue capacity (the node's `mpsc` of 100, drop when full).
pub const EVENT_QUEUE: usize = 100;

/// How the module IPC serves connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IpcMode {
    /// Node 0.1.83: one connection at a time, defaults-only capabilities, stalls when a module
    /// is served before the node's watchdog.
    Single,
    /// A fixed node: every connection served, manifest capabilities granted, no stall.
    Concurrent,
}

/// Limits applied to the spawned module (`None` = leave as inherited).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ModuleLimits {
    /// RLIMIT_AS bytes.
    pub address_space: Option<u64>,
    /// RLIMIT_NOFILE.
    pub open_files: Option<u64>,
    /// RLIMIT_NPROC.
    pub processes: Option<u64>,
}

/// Command-line configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Node data dir (`.cookie`, `modules/`, logs).
    pub data_dir: PathBuf,
    /// IPC mode.
    pub ipc_mode: IpcMode,
    /// `getnetworkinfo.subversion`, e.g. `/BitcoinCommons:0.1.83/`.
    pub subversion: String,
    /// Network name (`regtest`).
    pub network: String,
    /// JSON-RPC port (0 = any).
    pub rpc_port: u16,
    /// Module directory to spawn from.
    pub module_dir: Option<PathBuf>,
    /// Mine a block every this many seconds (node's own miner).
    pub auto_mine: Option<f64>,
    /// Limits for the spawned module.
    pub limits: ModuleLimits,
    /// Delay between spawning the module and the watchdog connecting.
    pub watchdog_delay: Duration,
    /// Watchdog ping interval.
    pub watchdog_ping: Duration,
    /// How long a mining call hangs on a stalled node before failing.
    pub stall_hang: Duration,
    /// Capabilities for connections of unknown modules in concurrent mode (None = defaults).
    pub grant: Option<Vec<String>>,
}

impl Config {
    /// The node version inside `subversion` (`/BitcoinCommons:0.1.83/` → `0.1.83`).
    pub fn node_version(&self) -> String {
        self.subversion
            .trim_matches('/')
            .rsplit(':')
            .next()
            .unwrap_or("0.1.83")
            .trim_end_matches('/')
            .to_string()
    }
    /// Socket path of the module IPC (`<data>/modules/sockets/node.sock`, the node's default).
    pub fn socket_path(&self) -> PathBuf {
        self.data_dir
            .join("modules")
            .join("sockets")
            .join("node.sock")
    }
    /// Events for JSON-RPC-mined blocks.
    pub fn rpc_source(&self) -> BlockSource {
        BlockSource::Rpc {
            new_block: self.ipc_mode == IpcMode::Concurrent,
        }
    }
}

/// The reply of the emulated Stratum V2 module to `CallModule`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum CallReply {
    /// `ModuleApiResponse(payload)`.
    Ok {
        /// Reply bytes (UTF-8 JSON by convention).
        payload: String,
    },
    /// The target answered with an error: the node drops the caller's connection.
    Error {
        /// Error text.
        error: String,
    },
    /// No such module / method: the node drops the caller's connection.
    Unavailable,
}

/// One event subscriber (an IPC connection).
struct Subscriber {
    conn: u64,
    kinds: Vec<EventType>,
    tx: mpsc::Sender<EventPayload>,
    dropped: Arc<AtomicU64>,
}

/// Fan-out of node events to subscribed IPC connections, with a log of everything published.
#[derive(Default)]
pub struct EventBus {
    subs: Mutex<Vec<Subscriber>>,
    log: Mutex<VecDeque<Value>>,
    dropped: AtomicU64,
    published: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl EventBus {
    /// Adds subscriptions for `conn` (additive; the same type twice is delivered twice).
    pub fn subscribe(
        &self,
        conn: u64,
        kinds: &[EventType],
        tx: &mpsc::Sender<EventPayload>,
        dropped: &Arc<AtomicU64>,
    ) {
        let mut subs = lock(&self.subs);
        for k in kinds {
            subs.push(Subscriber {
                conn,
                kinds: vec![*k],
                tx: tx.clone(),
                dropped: dropped.clone(),
            });
        }
    }
    /// Removes every subscription of `conn`.
    pub fn unsubscribe(&self, conn: u64) {
        lock(&self.subs).retain(|s| s.conn != conn);
    }
    /// Publishes node events.
    pub fn publish(&self, evs: Vec<Ev>) {
        for ev in evs {
            tracing::debug!(event = ev.name(), "publish");
            let logged = serde_json::to_value(&ev).unwrap_or(Value::Null);
            self.publish_payload(ev.to_payload(), logged);
        }
    }
    /// Publishes one wire payload (node event or a module's `PublishEvent`).
    pub fn publish_payload(&self, payload: EventPayload, logged: Value) {
        self.published.fetch_add(1, Ordering::Relaxed);
        {
            let mut log = lock(&self.log);
            if log.len() >= 1000 {
                log.pop_front();
            }
            log.push_back(logged);
        }
        let kind = payload.event_type();
        let mut subs = lock(&self.subs);
        subs.retain(|s| {
            if !s.kinds.contains(&kind) {
                return true;
            }
            match s.tx.try_send(payload.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    s.dropped.fetch_add(1, Ordering::Relaxed);
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }
    /// Status for `fake_status`.
    pub fn status(&self) -> Value {
        json!({
            "published": self.published.load(Ordering::Relaxed),
            "dropped": self.dropped.load(Ordering::Relaxed),
            "subscriptions": lock(&self.subs).len(),
            "recent": lock(&self.log).iter().rev().take(200).rev().cloned().collect::<Vec<_>>(),
        })
    }
}

/// The stall of node 0.1.83: the spawner blocks on its watchdog handshake while holding the module
/// table, so mining and mining calls stop.
pub struct Stall {
    tx: watch::Sender<bool>,
    episodes: AtomicU64,
    reason: Mutex<Option<String>>,
}

impl Default for Stall {
    fn default() -> Self {
        Self {
            tx: watch::channel(false).0,
            episodes: AtomicU64::new(0),
            reason: Mutex::new(None),
        }
    }
}

impl Stall {
    /// Enters the stalled state.
    pub fn begin(&self, reason: String) {
        tracing::warn!(%reason, "node STALLED");
        self.episodes.fetch_add(1, Ordering::Relaxed);
        *lock(&self.reason) = Some(reason);
        self.tx.send_replace(true);
    }
    /// Leaves it (the module connection closed and the watchdog got served).
    pub fn end(&self) {
        if self.tx.send_replace(false) {
            tracing::warn!("node no longer stalled");
        }
    }
    /// True while stalled.
    pub fn is_stalled(&self) -> bool {
        *self.tx.borrow()
    }
    /// Waits until not stalled, at most `limit`; `Err` with the reason if still stalled.
    pub async fn wait(&self, limit: Duration) -> Result<(), String> {
        let mut rx = self.tx.subscribe();
        let ok = tokio::time::timeout(limit, rx.wait_for(|s| !*s)).await;
        match ok {
            Ok(Ok(_)) => Ok(()),
            _ => Err(lock(&self.reason)
                .clone()
                .unwrap_or_else(|| "node stalled".into())),
        }
    }
    /// Status for `fake_status`.
    pub fn status(&self) -> Value {
        json!({
            "stalled": self.is_stalled(),
            "stalled_ever": self.episodes.load(Ordering::Relaxed) > 0,
            "episodes": self.episodes.load(Ordering::Relaxed),
            "reason": *lock(&self.reason),
        })
    }
}

/// Everything the tasks share.
pub struct Node {
    /// Configuration.
    pub cfg: Config,
    /// The chain.
    pub chain: Mutex<Chain>,
    /// Event fan-out.
    pub bus: EventBus,
    /// Stall state.
    pub stall: Stall,
    /// Emulated Stratum V2 replies: per method, then the default (`None` key).
    pub call_replies: Mutex<Vec<(Option<String>, CallReply)>>,
    /// What the IPC side saw.
    pub ipc: Mutex<crate::ipc::IpcStatus>,
    /// Node → module invocations.
    pub invocations: crate::ipc::Invocations,
    /// The spawned module, if any.
    pub module: Mutex<Option<crate::spawn::ModuleStatus>>,
    /// Start time (uptime).
    pub started: Instant,
    /// Cookie secret (`__cookie__:<hex>`), regenerated on RPC restart when asked.
    pub cookie: Mutex<String>,
    /// JSON-RPC requests served.
    pub rpc_requests: AtomicU64,
    /// Initial block download flag (scripted with `fake_setsync`).
    pub ibd: Mutex<(bool, u64)>,
}

impl Node {
    /// A node with a genesis-only chain.
    pub fn new(cfg: Config) -> Self {
        Node {
            cfg,
            chain: Mutex::new(Chain::new()),
            bus: EventBus::default(),
            stall: Stall::default(),
            call_replies: Mutex::new(vec![(None, CallReply::Unavailable)]),
            ipc: Mutex::new(crate::ipc::IpcStatus::default()),
            invocations: crate::ipc::Invocations::default(),
            module: Mutex::new(None),
            started: Instant::now(),
            cookie: Mutex::new(String::new()),
            rpc_requests: AtomicU64::new(0),
            ibd: Mutex::new((false, 0)),
        }
    }
    /// Locks the chain.
    pub fn chain(&self) -> MutexGuard<'_, Chain> {
        lock(&self.chain)
    }
    /// Locks any other field.
    pub fn lock<'a, T>(&self, m: &'a Mutex<T>) -> MutexGuard<'a, T> {
        lock(m)
    }
    /// The reply for a `CallModule` of `method`.
    pub fn call_reply(&self, method: &str) -> CallReply {
        let r = lock(&self.call_replies);
        r.iter()
            .find(|(m, _)| m.as_deref() == Some(method))
            .or_else(|| r.iter().find(|(m, _)| m.is_none()))
            .map(|(_, c)| c.clone())
            .unwrap_or(CallReply::Unavailable)
    }
}
