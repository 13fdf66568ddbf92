//! The bounded item queue between the IPC reader task and the consumer (events, invocations,
//! connection-state items), drained in batches so JavaScript crosses N-API once per batch.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::Notify;

use super::types::{EventMessage, InvocationMessage};

/// One item delivered by [`super::IpcClient::next_events`].
#[derive(Debug, Clone, PartialEq)]
pub enum IpcItem {
    /// A connection (or reconnection) completed its handshake.
    Connected {
        /// The node version from `HandshakeAck`.
        node_version: String,
    },
    /// The connection dropped (pending requests have failed with `ERR_NODE_DISCONNECTED`).
    Disconnected {
        /// Why.
        reason: String,
    },
    /// A node event.
    Event(EventMessage),
    /// A node → module call (`Cli` or `ModuleApi`; `Rpc` ones are answered automatically).
    /// Answer with [`super::IpcClient::answer_invocation`] and the same correlation id.
    Invocation(InvocationMessage),
    /// `count` events were dropped here because the consumer lagged (queue full).
    Dropped {
        /// Number of consecutive events dropped at this point of the stream.
        count: u64,
    },
}

#[derive(Debug, Default)]
struct QueueState {
    items: VecDeque<IpcItem>,
    /// Events and invocations in `items` (the bounded part).
    bounded: usize,
    delivered: u64,
    dropped: u64,
    closed: bool,
}

/// Bounded queue: events and invocations count against the capacity; connection-state items
/// and drop markers do not (they are rare, and drop markers merge).
#[derive(Debug)]
pub(crate) struct ItemQueue {
    state: Mutex<QueueState>,
    notify: Notify,
    capacity: usize,
}

impl ItemQueue {
    pub(crate) fn new(capacity: usize) -> Self {
        ItemQueue {
            state: Mutex::new(QueueState::default()),
            notify: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pushes an event, or records a drop when full. Returns whether it was queued.
    pub(crate) fn push_event(&self, ev: EventMessage) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        if st.bounded >= self.capacity {
            st.dropped += 1;
            match st.items.back_mut() {
                Some(IpcItem::Dropped { count }) => *count += 1,
                _ => st.items.push_back(IpcItem::Dropped { count: 1 }),
            }
            drop(st);
            self.notify.notify_one();
            return false;
        }
        st.bounded += 1;
        st.items.push_back(IpcItem::Event(ev));
        drop(st);
        self.notify.notify_one();
        true
    }

    /// Pushes an invocation; `false` when full or closed (the caller answers it with an error).
    pub(crate) fn push_invocation(&self, inv: InvocationMessage) -> bool {
        let mut st = self.lock();
        if st.closed || st.bounded >= self.capacity {
            return false;
        }
        st.bounded += 1;
        st.items.push_back(IpcItem::Invocation(inv));
        drop(st);
        self.notify.notify_one();
        true
    }

    /// Pushes a connection-state item (never dropped while open).
    pub(crate) fn push_control(&self, item: IpcItem) {
        let mut st = self.lock();
        if st.closed {
            return;
        }
        st.items.push_back(item);
        drop(st);
        self.notify.notify_one();
    }

    /// Marks the queue closed: consumers drain what is left, then get `None`.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    /// Waits for at least one item and returns up to `max` (at least 1); `None` once closed and
    /// drained.
    pub(crate) async fn next_batch(&self, max: usize) -> Option<Vec<IpcItem>> {
        let max = max.max(1);
        loop {
            {
                let mut st = self.lock();
                if !st.items.is_empty() {
                    let n = st.items.len().min(max);
                    let batch: Vec<IpcItem> = st.items.drain(..n).collect();
                    let bounded = batch
                        .iter()
                        .filter(|i| matches!(i, IpcItem::Event(_) | IpcItem::Invocation(_)))
                        .count();
                    let events = batch
                        .iter()
                        .filter(|i| matches!(i, IpcItem::Event(_)))
                        .count();
                    st.bounded -= bounded;
                    st.delivered += events as u64;
                    if !st.items.is_empty() {
                        // Keep the wake-up for the next caller.
                        self.notify.notify_one();
                    }
                    return Some(batch);
                }
                if st.closed {
                    self.notify.notify_one();
                    return None;
                }
            }
            self.notify.notified().await;
        }
    }

    /// (events delivered, events dropped).
    pub(crate) fn counters(&self) -> (u64, u64) {
        let st = self.lock();
        (st.delivered, st.dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::types::EventPayload;

    fn ev(h: u64) -> EventMessage {
        EventMessage::new(EventPayload::NewBlock {
            block_hash: [0; 32],
            height: h,
        })
    }

    #[tokio::test]
    async fn bounded_with_merged_drop_markers_in_order() {
        let q = ItemQueue::new(2);
        assert!(q.push_event(ev(1)));
        assert!(q.push_event(ev(2)));
        assert!(!q.push_event(ev(3)));
        assert!(!q.push_event(ev(4)));
        let b = q.next_batch(10).await.unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[2], IpcItem::Dropped { count: 2 });
        assert_eq!(q.counters(), (2, 2));
        assert!(q.push_event(ev(5)));
        q.close();
        assert_eq!(q.next_batch(1).await.unwrap(), vec![IpcItem::Event(ev(5))]);
        assert_eq!(q.next_batch(1).await, None);
    }
}
