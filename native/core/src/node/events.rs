//! Unified change events (same names as the IPC `EventPayload` variants where one exists) and the
//! bounded queue that hands them out in batches.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::Notify;

/// Which channel a figure or event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The node's JSON-RPC.
    Rpc,
    /// The module IPC.
    Ipc,
    /// The module itself (policy decisions, channel state).
    Module,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum EventKind {
    /// A block was connected; `height` is the new tip height.
    NewBlock {
        /// Block hash.
        block_hash: String,
        /// Height.
        height: u64,
    },
    /// A block was disconnected (reorg).
    BlockDisconnected {
        /// Block hash.
        hash: String,
        /// Height.
        height: u64,
    },
    /// The best chain changed branch.
    ChainReorg {
        /// Tip before.
        old_tip: String,
        /// Tip after.
        new_tip: String,
    },
    /// A block was mined locally or submitted (over JSON-RPC: by this module's `submitBlock`).
    BlockMined {
        /// Block hash.
        block_hash: String,
        /// Height.
        height: u64,
        /// Miner id, when known.
        miner_id: Option<String>,
    },
    /// The JSON-RPC channel answers (again).
    NodeReachable {
        /// Node version, when it could be read from `subversion`.
        version: Option<String>,
        /// The node's `subversion`.
        subversion: Option<String>,
    },
    /// The JSON-RPC channel stopped answering; node state was cleared.
    NodeUnreachable {
        /// Error code (`ERR_RPC_UNAVAILABLE`, `ERR_RPC_AUTH`, ...).
        code: String,
        /// Why.
        reason: String,
    },
    /// The IPC session is up.
    IpcConnected {
        /// Node version from the handshake.
        node_version: String,
    },
    /// The IPC session is down.
    IpcDisconnected {
        /// Why.
        reason: String,
    },
    /// Any other IPC event, named as the node names it (`MempoolTransactionAdded`, ...), its
    /// fields as JSON (hashes as hex in JSON-RPC order, other bytes as hex).
    #[serde(skip)]
    Ipc {
        /// The event name.
        name: String,
        /// The payload fields.
        fields: serde_json::Map<String, serde_json::Value>,
    },
    /// The IPC policy decision changed.
    ChannelPolicy {
        /// True when the IPC may be used.
        connect_ipc: bool,
        /// Configured mode.
        mode: String,
        /// Why.
        reason: String,
    },
}

/// One event: what, from which channel, when (ms since the Unix epoch). Serializes flat:
/// `{ type, ...fields, source, at_ms }`.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeEvent {
    /// What happened.
    pub kind: EventKind,
    /// Where it came from.
    pub source: Source,
    /// When it was seen (ms since the Unix epoch).
    pub at_ms: u64,
}

impl Serialize for NodeEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde_json::Value;
        let mut m = match &self.kind {
            EventKind::Ipc { name, fields } => {
                let mut m = fields.clone();
                m.insert("type".into(), Value::String(name.clone()));
                m
            }
            k => match serde_json::to_value(k) {
                Ok(Value::Object(m)) => m,
                Ok(_) => serde_json::Map::new(),
                Err(e) => return Err(serde::ser::Error::custom(e)),
            },
        };
        m.insert(
            "source".into(),
            serde_json::to_value(self.source).map_err(serde::ser::Error::custom)?,
        );
        m.insert("at_ms".into(), Value::from(self.at_ms));
        m.serialize(s)
    }
}

impl EventKind {
    /// A key identifying the same chain change seen on both channels (for de-duplication).
    pub fn dedup_key(&self) -> Option<String> {
        match self {
            EventKind::NewBlock { block_hash, .. } => Some(format!("NewBlock:{block_hash}")),
            EventKind::BlockDisconnected { hash, .. } => Some(format!("BlockDisconnected:{hash}")),
            EventKind::ChainReorg { old_tip, new_tip } => {
                Some(format!("ChainReorg:{old_tip}:{new_tip}"))
            }
            EventKind::BlockMined { block_hash, .. } => Some(format!("BlockMined:{block_hash}")),
            _ => None,
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A bounded event queue: when full, the oldest events are dropped and counted.
#[derive(Debug)]
pub struct EventQueue {
    inner: Mutex<QueueState>,
    notify: Notify,
    capacity: usize,
}

/// How many recent chain-change keys are remembered for de-duplication.
const RECENT: usize = 512;

#[derive(Debug, Default)]
struct QueueState {
    events: VecDeque<NodeEvent>,
    recent: VecDeque<String>,
    duplicates: u64,
    dropped: u64,
    closed: bool,
}

impl EventQueue {
    /// A queue holding at most `capacity` events.
    pub fn new(capacity: usize) -> Self {
        EventQueue {
            inner: Mutex::new(QueueState::default()),
            notify: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    /// Appends an event (dropping the oldest when full). Ignored after close. A chain change
    /// (`NewBlock`, `BlockDisconnected`, `ChainReorg`, `BlockMined`) already queued from the other
    /// channel recently is not repeated.
    pub fn push(&self, kind: EventKind, source: Source) {
        if let Ok(mut q) = self.inner.lock() {
            if q.closed {
                return;
            }
            if let Some(key) = kind.dedup_key() {
                if q.recent.contains(&key) {
                    q.duplicates += 1;
                    return;
                }
                if q.recent.len() >= RECENT {
                    q.recent.pop_front();
                }
                q.recent.push_back(key);
            }
            if q.events.len() >= self.capacity {
                q.events.pop_front();
                q.dropped += 1;
            }
            tracing::debug!(?kind, "node event");
            q.events.push_back(NodeEvent {
                kind,
                source,
                at_ms: now_ms(),
            });
        }
        self.notify.notify_waiters();
    }

    /// Waits for at least one event and returns up to `max` of them; `None` once closed.
    pub async fn next_batch(&self, max: usize) -> Option<Vec<NodeEvent>> {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut q = self.inner.lock().ok()?;
                if q.closed {
                    return None;
                }
                if !q.events.is_empty() {
                    let n = q.events.len().min(max.max(1));
                    return Some(q.events.drain(..n).collect());
                }
            }
            notified.await;
        }
    }

    /// Closes the queue: pending and future `next_batch` calls return `None`.
    pub fn close(&self) {
        if let Ok(mut q) = self.inner.lock() {
            q.closed = true;
            q.events.clear();
        }
        self.notify.notify_waiters();
    }

    /// (queued, dropped, duplicates skipped).
    pub fn counts(&self) -> (usize, u64, u64) {
        self.inner
            .lock()
            .map(|q| (q.events.len(), q.dropped, q.duplicates))
            .unwrap_or((0, 0, 0))
    }

    /// Forgets the recent chain-change keys (after the node was unreachable, the same block may
    /// legitimately be reported again).
    pub fn forget_recent(&self) {
        if let Ok(mut q) = self.inner.lock() {
            q.recent.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn batches_drop_oldest_and_close() {
        let q = std::sync::Arc::new(EventQueue::new(3));
        for h in 0..5 {
            q.push(
                EventKind::NewBlock {
                    block_hash: format!("{h}"),
                    height: h,
                },
                Source::Rpc,
            );
        }
        assert_eq!(q.counts(), (3, 2, 0));
        // the same block from the other channel is not repeated
        q.push(
            EventKind::NewBlock {
                block_hash: "4".into(),
                height: 4,
            },
            Source::Ipc,
        );
        assert_eq!(q.counts(), (3, 2, 1));
        let b = q.next_batch(2).await.unwrap();
        assert_eq!(b.len(), 2);
        assert!(matches!(b[0].kind, EventKind::NewBlock { height: 2, .. }));
        let waiter = {
            let q = q.clone();
            tokio::spawn(async move {
                let _ = q.next_batch(10).await; // the one left
                q.next_batch(10).await // waits, then None on close
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        q.close();
        assert_eq!(waiter.await.unwrap(), None);
    }

    #[test]
    fn event_json_shape() {
        let e = NodeEvent {
            kind: EventKind::NewBlock {
                block_hash: "ab".into(),
                height: 7,
            },
            source: Source::Rpc,
            at_ms: 5,
        };
        let mut fields = serde_json::Map::new();
        fields.insert("tx_hash".into(), serde_json::json!("cd"));
        let other = NodeEvent {
            kind: EventKind::Ipc {
                name: "MempoolTransactionAdded".into(),
                fields,
            },
            source: Source::Ipc,
            at_ms: 6,
        };
        assert_eq!(
            serde_json::to_value(&other).unwrap(),
            serde_json::json!({"type": "MempoolTransactionAdded", "tx_hash": "cd", "source": "ipc", "at_ms": 6})
        );
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"type": "NewBlock", "block_hash": "ab", "height": 7, "source": "rpc", "at_ms": 5})
        );
    }
}
