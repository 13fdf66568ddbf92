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

/// One event: what, from which channel, when (ms since the Unix epoch).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeEvent {
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
    /// Where it came from.
    pub source: Source,
    /// When it was seen (ms since the Unix epoch).
    pub at_ms: u64,
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

#[derive(Debug, Default)]
struct QueueState {
    events: VecDeque<NodeEvent>,
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

    /// Appends an event (dropping the oldest when full). Ignored after close.
    pub fn push(&self, kind: EventKind, source: Source) {
        if let Ok(mut q) = self.inner.lock() {
            if q.closed {
                return;
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

    /// (queued, dropped).
    pub fn counts(&self) -> (usize, u64) {
        self.inner
            .lock()
            .map(|q| (q.events.len(), q.dropped))
            .unwrap_or((0, 0))
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
        assert_eq!(q.counts(), (3, 2));
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
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"type": "NewBlock", "block_hash": "ab", "height": 7, "source": "rpc", "at_ms": 5})
        );
    }
}
