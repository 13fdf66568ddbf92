//! The module-side IPC client (tokio): one reader task routing frames, one writer task, several
//! requests in flight, per-request timeouts, capability-aware refusal, reconnect with backoff,
//! re-handshake / re-register / re-subscribe, batched events, node → module invocations.
//!
//! Lifecycle: [`IpcClient::connect`] connects, handshakes (first frame), registers the CLI spec
//! and module API, subscribes, and returns; a supervisor task then keeps the connection up. When
//! the connection drops every pending request fails at once with `ERR_NODE_DISCONNECTED`, a
//! [`IpcItem::Disconnected`] is queued, and (if `reconnect` is set) the client reconnects with
//! exponential backoff and queues [`IpcItem::Connected`] again.
//!
//! **Node 0.1.83 warning** (reference/blvm-ipc.md, "What the real node does"): that node serves ONE
//! module connection and a module holding it stalls the node. Whoever creates this client decides
//! (see [`super::version::serves_single_module_connection`]); the client itself only guarantees it
//! never sends a request the node would reject.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;

use super::capability::{required_capability, CapabilitySet};
use super::error::IpcError;
use super::frame::{encode_frame, FrameCodec};
use super::queue::{IpcItem, ItemQueue};
use super::types::*;
use super::version::{self, LayoutSupport};

/// Reconnect backoff bounds (doubling from `min` to `max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// First delay.
    pub min: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            min: Duration::from_millis(250),
            max: Duration::from_secs(30),
        }
    }
}

/// The module API to register (`RegisterModuleApi`) after each handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleApiSpec {
    /// Method names other modules may call.
    pub methods: Vec<String>,
    /// API version.
    pub api_version: u32,
}

/// Configuration of an [`IpcClient`].
#[derive(Debug, Clone)]
pub struct IpcClientConfig {
    /// The node's socket (`SOCKET_PATH`).
    pub socket_path: PathBuf,
    /// `MODULE_ID` (`<name>_<32 hex>` when spawned by the node).
    pub module_id: String,
    /// Module name.
    pub module_name: String,
    /// Module version sent in the handshake.
    pub module_version: String,
    /// Per-request timeout (default 30 s).
    pub request_timeout: Duration,
    /// Timeout of `CallModule` (default 65 s: the node may wait 60 s on the target).
    pub call_module_timeout: Duration,
    /// Connect + `HandshakeAck` timeout (default 5 s).
    pub handshake_timeout: Duration,
    /// Capabilities the node grants this module (default: the node's four defaults).
    pub granted: CapabilitySet,
    /// Events to subscribe to after each handshake.
    pub subscribe: Vec<EventType>,
    /// CLI spec to register after each handshake.
    pub cli_spec: Option<CliSpec>,
    /// Module API to register after each handshake (needs `register_module_api`).
    pub module_api: Option<ModuleApiSpec>,
    /// Reconnect after a drop (`None`: the client stays down and its item stream ends).
    pub reconnect: Option<Backoff>,
    /// Also reconnect to nodes that serve a single module connection (0.1.83 and earlier), where
    /// a dropped connection is final: the node's watchdog then holds the one served connection and
    /// every attempt would only end in `ERR_HANDSHAKE_TIMEOUT` (default false).
    pub reconnect_single_connection_nodes: bool,
    /// Capacity of the event/invocation queue (default 4096).
    pub event_capacity: usize,
    /// Talk to nodes whose layout is unknown (not 0.1.79–0.1.x) anyway (default false).
    pub allow_unknown_layout: bool,
    /// Requests let through per sliding one-second window (default 90): node 0.1.83 drops a
    /// module that sends more than 100 (`Handshake` and `RegisterCliSpec` are not counted, §8.4).
    /// Requests beyond it wait for the window to move.
    pub max_requests_per_second: u32,
}

impl IpcClientConfig {
    /// A config with defaults for everything but the identity.
    pub fn new(
        socket_path: impl Into<PathBuf>,
        module_id: impl Into<String>,
        module_name: impl Into<String>,
        module_version: impl Into<String>,
    ) -> Self {
        IpcClientConfig {
            socket_path: socket_path.into(),
            module_id: module_id.into(),
            module_name: module_name.into(),
            module_version: module_version.into(),
            request_timeout: Duration::from_secs(30),
            call_module_timeout: Duration::from_secs(65),
            handshake_timeout: Duration::from_secs(5),
            granted: CapabilitySet::node_default(),
            subscribe: Vec::new(),
            cli_spec: None,
            module_api: None,
            reconnect: Some(Backoff::default()),
            reconnect_single_connection_nodes: false,
            event_capacity: 4096,
            allow_unknown_layout: false,
            max_requests_per_second: 90,
        }
    }

    /// Identity from the env the node sets: `SOCKET_PATH`, `MODULE_ID`, `MODULE_NAME` (default:
    /// `MODULE_ID` up to its first `_`).
    pub fn from_env(module_version: impl Into<String>) -> Result<Self, IpcError> {
        let var = |name: &'static str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or(IpcError::InvalidConfig {
                    field: name,
                    reason: "environment variable is missing or empty".into(),
                })
        };
        let socket = var("SOCKET_PATH")?;
        let id = var("MODULE_ID")?;
        let name =
            var("MODULE_NAME").unwrap_or_else(|_| id.split('_').next().unwrap_or(&id).to_string());
        Ok(Self::new(socket, id, name, module_version))
    }

    fn validate(&self) -> Result<(), IpcError> {
        let bad = |field, reason: &str| {
            Err(IpcError::InvalidConfig {
                field,
                reason: reason.to_string(),
            })
        };
        if self.module_id.is_empty() {
            return bad("module_id", "must not be empty");
        }
        if self.socket_path.as_os_str().is_empty() {
            return bad("socket_path", "must not be empty");
        }
        for (field, d) in [
            ("request_timeout", self.request_timeout),
            ("call_module_timeout", self.call_module_timeout),
            ("handshake_timeout", self.handshake_timeout),
        ] {
            if d.is_zero() {
                return bad(field, "must be greater than zero");
            }
        }
        if self.max_requests_per_second == 0 || self.max_requests_per_second > 100 {
            return bad(
                "max_requests_per_second",
                "must be 1 to 100 (the node's limit)",
            );
        }
        if self.event_capacity == 0 {
            return bad("event_capacity", "must be at least 1");
        }
        if let Some(b) = self.reconnect {
            if b.min.is_zero() || b.min > b.max {
                return bad("reconnect", "needs 0 < min <= max");
            }
        }
        Ok(())
    }
}

/// A snapshot of the client's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcStatus {
    /// Handshaken and usable.
    pub connected: bool,
    /// Node version from the last `HandshakeAck`.
    pub node_version: Option<String>,
    /// Granted capabilities (snake_case).
    pub granted: Vec<&'static str>,
    /// Requests awaiting a response.
    pub in_flight: usize,
    /// Reconnect attempts so far.
    pub reconnects: u64,
    /// Last error text.
    pub last_error: Option<String>,
    /// Events handed to the consumer.
    pub events_delivered: u64,
    /// Events dropped because the consumer lagged.
    pub events_dropped: u64,
    /// Frames that failed to decode (skipped).
    pub decode_errors: u64,
    /// `close()` was called.
    pub closed: bool,
}

#[derive(Clone)]
struct Conn {
    generation: u64,
    tx: mpsc::Sender<Bytes>,
    cancel: CancellationToken,
}

struct Pending {
    generation: u64,
    request: &'static str,
    tx: oneshot::Sender<Result<ResponseMessage, IpcError>>,
}

enum Setup {
    Cli(CliSpec),
    Api(ModuleApiSpec),
}

#[derive(Default)]
struct State {
    conn: Option<Conn>,
    ready: bool,
    generation: u64,
    node_version: Option<String>,
    pending: HashMap<u64, Pending>,
    invocations: HashMap<u64, u64>,
    subscribed: Vec<EventType>,
    cli_spec: Option<CliSpec>,
    module_api: Option<ModuleApiSpec>,
    last_error: Option<String>,
    decode_errors: u64,
    closed: bool,
}

struct Inner {
    config: IpcClientConfig,
    next_cid: AtomicU64,
    reconnects: AtomicU64,
    state: Mutex<State>,
    queue: ItemQueue,
    shutdown: CancellationToken,
    /// Send times of the requests of the last second (rate limit).
    sent: Mutex<VecDeque<Instant>>,
}

/// The IPC client. Dropping it stops its tasks (like [`IpcClient::close`]).
pub struct IpcClient {
    inner: Arc<Inner>,
}

const RPC_UNSUPPORTED: &str = "Rpc invocations are not supported by this module: their untagged \
JSON params cannot be decoded with bincode (blvm-ipc §9.2)";

impl IpcClient {
    /// Connects, handshakes, registers and subscribes; fails with the first error
    /// (`ERR_IPC_CONNECT`, `ERR_HANDSHAKE_TIMEOUT`, `ERR_UNSUPPORTED_NODE_VERSION`, ...). After that
    /// the connection is kept up in the background.
    pub async fn connect(config: IpcClientConfig) -> Result<IpcClient, IpcError> {
        config.validate()?;
        let inner = Arc::new(Inner {
            queue: ItemQueue::new(config.event_capacity),
            state: Mutex::new(State {
                subscribed: dedup(&config.subscribe),
                cli_spec: config.cli_spec.clone(),
                module_api: config.module_api.clone(),
                ..State::default()
            }),
            config,
            next_cid: AtomicU64::new(1),
            reconnects: AtomicU64::new(0),
            shutdown: CancellationToken::new(),
            sent: Mutex::new(VecDeque::new()),
        });
        let (first_tx, first_rx) = oneshot::channel();
        tokio::spawn(supervise(inner.clone(), first_tx));
        let client = IpcClient { inner };
        match first_rx.await {
            Ok(Ok(())) => Ok(client),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(IpcError::Closed),
        }
    }

    /// Sends a request and waits for its response payload.
    ///
    /// Refused locally (never sent): a missing capability (`ERR_CAPABILITY_NOT_GRANTED`), a
    /// request the connected node always fails (`ERR_UNSUPPORTED_BY_NODE`), `Handshake` (the client
    /// owns it). `SubscribeEvents` goes through [`IpcClient::subscribe`], and a successful
    /// `RegisterCliSpec` / `RegisterModuleApi` replaces the configured one: all three are
    /// remembered and re-sent after every reconnect. Fails with `ERR_NODE_DISCONNECTED` when not connected or when the connection
    /// drops, `ERR_IPC_TIMEOUT` after the per-request timeout.
    pub async fn request(&self, payload: RequestPayload) -> Result<ResponsePayload, IpcError> {
        if let RequestPayload::SubscribeEvents { event_types } = payload {
            self.subscribe(event_types).await?;
            return Ok(ResponsePayload::SubscribeAck);
        }
        if matches!(payload, RequestPayload::Handshake { .. }) {
            return Err(IpcError::Protocol {
                detail: "Handshake is sent by the client itself on every (re)connect".into(),
            });
        }
        self.inner.check_allowed(&payload)?;
        let remember = match &payload {
            RequestPayload::RegisterCliSpec { spec } => Some(Setup::Cli(spec.clone())),
            RequestPayload::RegisterModuleApi {
                methods,
                api_version,
            } => Some(Setup::Api(ModuleApiSpec {
                methods: methods.clone(),
                api_version: *api_version,
            })),
            _ => None,
        };
        let answer = self.inner.send_request(payload, false, None).await?;
        match remember {
            Some(Setup::Cli(spec)) => self.inner.lock().cli_spec = Some(spec),
            Some(Setup::Api(api)) => self.inner.lock().module_api = Some(api),
            None => {}
        }
        Ok(answer)
    }

    /// `GetChainInfo` (needs `read_chain_state`).
    pub async fn get_chain_info(&self) -> Result<ChainInfo, IpcError> {
        match self.request(RequestPayload::GetChainInfo).await? {
            ResponsePayload::ChainInfo(i) => Ok(i),
            other => Err(unexpected("GetChainInfo", &other)),
        }
    }

    /// `GetBlockHeight` (needs `read_chain_state`).
    pub async fn get_block_height(&self) -> Result<u64, IpcError> {
        match self.request(RequestPayload::GetBlockHeight).await? {
            ResponsePayload::U64(h) => Ok(h),
            other => Err(unexpected("GetBlockHeight", &other)),
        }
    }

    /// `GetChainTip` (needs `read_chain_state`): the tip hash in internal byte order.
    pub async fn get_chain_tip(&self) -> Result<Hash, IpcError> {
        match self.request(RequestPayload::GetChainTip).await? {
            ResponsePayload::Hash(h) => Ok(h),
            other => Err(unexpected("GetChainTip", &other)),
        }
    }

    /// `GetSyncStatus` (needs `read_chain_state`).
    pub async fn get_sync_status(&self) -> Result<SyncStatus, IpcError> {
        match self.request(RequestPayload::GetSyncStatus).await? {
            ResponsePayload::NodeSyncStatus(s) => Ok(s),
            other => Err(unexpected("GetSyncStatus", &other)),
        }
    }

    /// `GetBlock` (needs `read_blockchain`).
    pub async fn get_block(&self, hash: Hash) -> Result<Option<Block>, IpcError> {
        match self.request(RequestPayload::GetBlock { hash }).await? {
            ResponsePayload::Block(b) => Ok(b),
            other => Err(unexpected("GetBlock", &other)),
        }
    }

    /// `GetBlockTemplate` (needs `read_blockchain`). `coinbase_address`: `None` → empty output
    /// script, `"hex:<hex>"` → raw script, otherwise an address of the node's network.
    pub async fn get_block_template(
        &self,
        rules: Vec<String>,
        coinbase_script: Option<Vec<u8>>,
        coinbase_address: Option<String>,
    ) -> Result<BlockTemplate, IpcError> {
        let req = RequestPayload::GetBlockTemplate {
            rules,
            coinbase_script,
            coinbase_address,
        };
        match self.request(req).await? {
            ResponsePayload::BlockTemplate(t) => Ok(t),
            other => Err(unexpected("GetBlockTemplate", &other)),
        }
    }

    /// `CallModule` (needs `call_module`; timeout `call_module_timeout`): opaque bytes in and out.
    pub async fn call_module(
        &self,
        target_module_id: Option<String>,
        method: impl Into<String>,
        params: Vec<u8>,
    ) -> Result<Vec<u8>, IpcError> {
        let req = RequestPayload::CallModule {
            target_module_id,
            method: method.into(),
            params,
        };
        match self.request(req).await? {
            ResponsePayload::ModuleApiResponse(b) => Ok(b),
            other => Err(unexpected("CallModule", &other)),
        }
    }

    /// Adds event subscriptions (only types not yet subscribed are sent: the node would deliver a
    /// type twice otherwise). Remembered and re-sent after every reconnect. When not connected the
    /// types are only remembered.
    pub async fn subscribe(&self, types: Vec<EventType>) -> Result<(), IpcError> {
        let probe = RequestPayload::SubscribeEvents {
            event_types: Vec::new(),
        };
        self.inner.check_allowed(&probe)?;
        let (new, ready) = {
            let mut st = self.inner.lock();
            let new: Vec<EventType> = dedup(&types)
                .into_iter()
                .filter(|t| !st.subscribed.contains(t))
                .collect();
            st.subscribed.extend(new.iter().copied());
            (new, st.ready)
        };
        if new.is_empty() || !ready {
            return Ok(());
        }
        self.inner
            .send_request(
                RequestPayload::SubscribeEvents { event_types: new },
                false,
                None,
            )
            .await
            .map(|_| ())
    }

    /// Waits for items and returns up to `max` of them at once (events, invocations,
    /// connection-state items, drop markers), in arrival order. `None` once the client is closed
    /// (or down for good) and everything was delivered.
    pub async fn next_events(&self, max: usize) -> Option<Vec<IpcItem>> {
        self.inner.queue.next_batch(max).await
    }

    /// Answers a node → module invocation with the same correlation id: `Ok(payload)` →
    /// `success=true`, `Err(text)` → `success=false, error=text`. `InvocationResultPayload::Rpc`
    /// with success is refused (the node cannot decode it and would drop the connection).
    pub async fn answer_invocation(
        &self,
        correlation_id: u64,
        result: Result<InvocationResultPayload, String>,
    ) -> Result<(), IpcError> {
        if matches!(result, Ok(InvocationResultPayload::Rpc(_))) {
            return Err(IpcError::Protocol {
                detail: "an Rpc invocation result with success=true cannot be decoded by the node"
                    .into(),
            });
        }
        let conn = {
            let mut st = self.inner.lock();
            if st.closed {
                return Err(IpcError::Closed);
            }
            let generation = st
                .invocations
                .remove(&correlation_id)
                .ok_or(IpcError::UnknownInvocation { correlation_id })?;
            match st.conn.clone() {
                Some(c) if c.generation == generation => c,
                _ => {
                    return Err(IpcError::NodeDisconnected {
                        request: "InvocationResult",
                        reason: "the connection that carried the invocation is gone".into(),
                    })
                }
            }
        };
        let (success, payload, error) = match result {
            Ok(p) => (true, Some(p), None),
            Err(e) => (false, None, Some(e)),
        };
        let msg = ModuleMessage::InvocationResult(InvocationResultMessage {
            correlation_id,
            success,
            payload,
            error,
        });
        send_frame(&conn, &msg, "InvocationResult").await
    }

    /// Sends a `Log` frame (no reply; the node re-emits it through its own logging).
    pub async fn send_log(
        &self,
        level: LogLevel,
        message: &str,
        target: &str,
    ) -> Result<(), IpcError> {
        let conn = self.inner.ready_conn("Log")?;
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let msg = ModuleMessage::Log(LogMessage {
            level,
            module_id: self.inner.config.module_id.clone(),
            message: message.to_string(),
            target: target.to_string(),
            timestamp,
        });
        send_frame(&conn, &msg, "Log").await
    }

    /// A snapshot of the client's state.
    pub fn status(&self) -> IpcStatus {
        let (delivered, dropped) = self.inner.queue.counters();
        let st = self.inner.lock();
        IpcStatus {
            connected: st.ready,
            node_version: st.node_version.clone(),
            granted: self.inner.config.granted.names(),
            in_flight: st.pending.len(),
            reconnects: self.inner.reconnects.load(Ordering::Relaxed),
            last_error: st.last_error.clone(),
            events_delivered: delivered,
            events_dropped: dropped,
            decode_errors: st.decode_errors,
            closed: st.closed,
        }
    }

    /// Closes the connection and stops reconnecting; pending requests fail with `ERR_IPC_CLOSED`,
    /// and [`IpcClient::next_events`] returns what is queued, then `None`. Idempotent.
    pub async fn close(&self) {
        self.inner.close();
    }
}

impl Drop for IpcClient {
    fn drop(&mut self) {
        self.inner.close();
    }
}

fn unexpected(request: &'static str, got: &ResponsePayload) -> IpcError {
    IpcError::Protocol {
        detail: format!("{request} answered with {}", got.name()),
    }
}

fn dedup(types: &[EventType]) -> Vec<EventType> {
    let mut out: Vec<EventType> = Vec::with_capacity(types.len());
    for t in types {
        if !out.contains(t) {
            out.push(*t);
        }
    }
    out
}

async fn send_frame(conn: &Conn, msg: &ModuleMessage, what: &'static str) -> Result<(), IpcError> {
    let frame = encode_frame(msg)?;
    conn.tx
        .send(frame)
        .await
        .map_err(|_| IpcError::NodeDisconnected {
            request: what,
            reason: "the connection's writer has stopped".into(),
        })
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ready_conn(&self, what: &'static str) -> Result<Conn, IpcError> {
        let st = self.lock();
        if st.closed {
            return Err(IpcError::Closed);
        }
        match (&st.conn, st.ready) {
            (Some(c), true) => Ok(c.clone()),
            _ => Err(IpcError::NodeDisconnected {
                request: what,
                reason: "not connected to the node".into(),
            }),
        }
    }

    /// Local refusal of requests the node would reject (and then drop the connection).
    fn check_allowed(&self, req: &RequestPayload) -> Result<(), IpcError> {
        let name = req.name();
        if self.lock().closed {
            return Err(IpcError::Closed);
        }
        if let Some(cap) = required_capability(req) {
            if !self.config.granted.contains(cap) {
                return Err(IpcError::CapabilityNotGranted {
                    request: name,
                    capability: cap,
                });
            }
        }
        let node_version = self.lock().node_version.clone();
        if let Some(v) = node_version {
            if version::layout_support(&v) == LayoutSupport::MissingAppended
                && version::added_in_0_1_83(req)
            {
                return Err(IpcError::UnsupportedByNode {
                    request: name,
                    node_version: v,
                    reason: "the request was added in node 0.1.83",
                });
            }
            let old = matches!(version::parse_version(&v), Some((0, 1, p)) if p <= 83);
            if old {
                if let Some(reason) = version::always_fails_on_0_1_83(req) {
                    return Err(IpcError::UnsupportedByNode {
                        request: name,
                        node_version: v,
                        reason,
                    });
                }
            }
        }
        Ok(())
    }

    /// Waits until one more request fits in the node's rate limit (see
    /// [`IpcClientConfig::max_requests_per_second`]), then records it.
    async fn rate_limit(&self, req: &RequestPayload) {
        if matches!(
            req,
            RequestPayload::Handshake { .. } | RequestPayload::RegisterCliSpec { .. }
        ) {
            return;
        }
        let window = Duration::from_secs(1);
        let limit = self.config.max_requests_per_second as usize;
        loop {
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    sent.pop_front();
                }
                if sent.len() < limit {
                    sent.push_back(now);
                    None
                } else {
                    // Some margin over the node's own clock.
                    sent.front().map(|t| {
                        (*t + window + Duration::from_millis(10)).saturating_duration_since(now)
                    })
                }
            };
            match wait {
                None => return,
                Some(d) => {
                    tracing::debug!(wait_ms = d.as_millis() as u64, "IPC rate limit: waiting");
                    tokio::time::sleep(d).await;
                }
            }
        }
    }

    /// Sends a request on the current connection and awaits its response. `internal` requests
    /// (handshake, setup) may use a connection that is not ready yet.
    async fn send_request(
        &self,
        payload: RequestPayload,
        internal: bool,
        timeout: Option<Duration>,
    ) -> Result<ResponsePayload, IpcError> {
        let name = payload.name();
        let timeout = timeout.unwrap_or(match payload {
            RequestPayload::CallModule { .. } => self.config.call_module_timeout,
            _ => self.config.request_timeout,
        });
        self.rate_limit(&payload).await;
        let cid = self.next_cid.fetch_add(1, Ordering::Relaxed);
        let frame = encode_frame(&ModuleMessage::Request(RequestMessage::new(cid, payload)))?;
        let (tx, rx) = oneshot::channel();
        let conn = {
            let mut st = self.lock();
            if st.closed {
                return Err(IpcError::Closed);
            }
            let conn = match (&st.conn, st.ready || internal) {
                (Some(c), true) => c.clone(),
                _ => {
                    return Err(IpcError::NodeDisconnected {
                        request: name,
                        reason: "not connected to the node".into(),
                    })
                }
            };
            st.pending.insert(
                cid,
                Pending {
                    generation: conn.generation,
                    request: name,
                    tx,
                },
            );
            conn
        };
        if conn.tx.send(frame).await.is_err() {
            self.lock().pending.remove(&cid);
            return Err(IpcError::NodeDisconnected {
                request: name,
                reason: "the connection's writer has stopped".into(),
            });
        }
        let expected = version::expected_response_for_name(name);
        let resp = match tokio::time::timeout(timeout, rx).await {
            Err(_) => {
                self.lock().pending.remove(&cid);
                return Err(IpcError::Timeout {
                    request: name,
                    timeout_ms: timeout.as_millis() as u64,
                });
            }
            Ok(Err(_)) => {
                return Err(IpcError::NodeDisconnected {
                    request: name,
                    reason: "the connection was torn down".into(),
                })
            }
            Ok(Ok(r)) => r?,
        };
        match resp {
            ResponseMessage {
                success: true,
                payload: Some(p),
                ..
            } => match expected {
                Some(want) if p.name() != want => Err(IpcError::Protocol {
                    detail: format!(
                        "{name} (id {cid}) answered with {} instead of {want}",
                        p.name()
                    ),
                }),
                _ => Ok(p),
            },
            ResponseMessage { success: true, .. } => Err(IpcError::Protocol {
                detail: format!("response to {name} (id {cid}) has success=true but no payload"),
            }),
            ResponseMessage { error, .. } => Err(IpcError::NodeError {
                request: name,
                message: error.unwrap_or_else(|| "Unknown error".into()),
            }),
        }
    }

    /// Tears down connection `generation` (idempotent): fails its pending requests, forgets its
    /// invocations, queues `Disconnected` if it had been announced as connected.
    fn connection_lost(&self, generation: u64, reason: String) {
        let mut announced = false;
        let mut failed = Vec::new();
        {
            let mut st = self.lock();
            if st.conn.as_ref().is_some_and(|c| c.generation == generation) {
                if let Some(c) = st.conn.take() {
                    c.cancel.cancel();
                }
                announced = st.ready;
                st.ready = false;
                if !st.closed {
                    st.last_error = Some(reason.clone());
                }
            }
            let ids: Vec<u64> = st
                .pending
                .iter()
                .filter(|(_, p)| p.generation == generation)
                .map(|(id, _)| *id)
                .collect();
            for id in ids {
                if let Some(p) = st.pending.remove(&id) {
                    failed.push(p);
                }
            }
            st.invocations.retain(|_, g| *g != generation);
        }
        if !failed.is_empty() {
            tracing::warn!(
                pending = failed.len(),
                reason = %reason,
                "node IPC connection lost; failing pending requests"
            );
        }
        for p in failed {
            let _ = p.tx.send(Err(IpcError::NodeDisconnected {
                request: p.request,
                reason: reason.clone(),
            }));
        }
        if announced {
            self.queue.push_control(IpcItem::Disconnected { reason });
        }
    }

    fn close(&self) {
        let (conn, pending) = {
            let mut st = self.lock();
            if st.closed {
                return;
            }
            st.closed = true;
            st.ready = false;
            let pending: Vec<Pending> = st.pending.drain().map(|(_, p)| p).collect();
            (st.conn.take(), pending)
        };
        if let Some(c) = conn {
            c.cancel.cancel();
        }
        for p in pending {
            let _ = p.tx.send(Err(IpcError::Closed));
        }
        self.shutdown.cancel();
        self.queue.close();
    }

    /// One connection attempt: connect, start reader/writer, handshake, setup.
    async fn connect_once(self: &Arc<Self>) -> Result<CancellationToken, IpcError> {
        let cfg = &self.config;
        let hs_ms = cfg.handshake_timeout.as_millis() as u64;
        let stream = match tokio::time::timeout(
            cfg.handshake_timeout,
            UnixStream::connect(&cfg.socket_path),
        )
        .await
        {
            Err(_) => {
                return Err(IpcError::HandshakeTimeout {
                    socket: cfg.socket_path.clone(),
                    timeout_ms: hs_ms,
                })
            }
            Ok(Err(source)) => {
                return Err(IpcError::Connect {
                    socket: cfg.socket_path.clone(),
                    source,
                })
            }
            Ok(Ok(s)) => s,
        };
        let (rd, wr) = stream.into_split();
        let cancel = self.shutdown.child_token();
        let (tx, rx) = mpsc::channel::<Bytes>(256);
        let generation = {
            let mut st = self.lock();
            if st.closed {
                return Err(IpcError::Closed);
            }
            st.generation += 1;
            let generation = st.generation;
            st.conn = Some(Conn {
                generation,
                tx: tx.clone(),
                cancel: cancel.clone(),
            });
            st.ready = false;
            generation
        };
        tokio::spawn(write_loop(self.clone(), generation, wr, rx, cancel.clone()));
        tokio::spawn(read_loop(self.clone(), generation, rd, tx, cancel.clone()));

        let handshake = RequestPayload::Handshake {
            module_id: cfg.module_id.clone(),
            module_name: cfg.module_name.clone(),
            version: cfg.module_version.clone(),
        };
        let ack = self
            .send_request(handshake, true, Some(cfg.handshake_timeout))
            .await;
        let node_version = match ack {
            Ok(ResponsePayload::HandshakeAck { node_version }) => node_version,
            Ok(other) => {
                self.connection_lost(generation, "unexpected handshake answer".into());
                return Err(IpcError::Protocol {
                    detail: format!(
                        "Handshake answered with {} instead of HandshakeAck",
                        other.name()
                    ),
                });
            }
            Err(IpcError::Timeout { .. }) => {
                self.connection_lost(generation, "no HandshakeAck".into());
                return Err(IpcError::HandshakeTimeout {
                    socket: cfg.socket_path.clone(),
                    timeout_ms: hs_ms,
                });
            }
            Err(e) => {
                self.connection_lost(generation, e.to_string());
                return Err(e);
            }
        };
        if version::layout_support(&node_version) == LayoutSupport::Unknown
            && !cfg.allow_unknown_layout
        {
            self.connection_lost(
                generation,
                format!("unsupported node version {node_version}"),
            );
            return Err(IpcError::UnsupportedNodeVersion { node_version });
        }
        {
            let mut st = self.lock();
            st.node_version = Some(node_version.clone());
            st.ready = true;
        }
        tracing::info!(node_version = %node_version, generation, "node IPC connected");
        self.queue.push_control(IpcItem::Connected {
            node_version: node_version.clone(),
        });
        self.setup(generation).await?;
        Ok(cancel)
    }

    /// (Re-)registers the CLI spec and module API and (re-)subscribes, after a handshake.
    async fn setup(self: &Arc<Self>, generation: u64) -> Result<(), IpcError> {
        let mut steps = Vec::new();
        let (cli_spec, module_api, subscribed) = {
            let st = self.lock();
            (
                st.cli_spec.clone(),
                st.module_api.clone(),
                st.subscribed.clone(),
            )
        };
        if let Some(spec) = cli_spec {
            steps.push(RequestPayload::RegisterCliSpec { spec });
        }
        if let Some(api) = module_api {
            steps.push(RequestPayload::RegisterModuleApi {
                methods: api.methods,
                api_version: api.api_version,
            });
        }
        if !subscribed.is_empty() {
            steps.push(RequestPayload::SubscribeEvents {
                event_types: subscribed,
            });
        }
        for step in steps {
            let name = step.name();
            if let Err(e) = self.check_allowed(&step) {
                tracing::warn!(step = name, error = %e, "IPC setup step skipped");
                self.lock().last_error = Some(e.to_string());
                continue;
            }
            match self.send_request(step, true, None).await {
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(step = name, error = %e, "IPC setup step failed");
                    self.lock().last_error = Some(e.to_string());
                    if !matches!(e, IpcError::NodeError { .. }) {
                        self.connection_lost(generation, e.to_string());
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    fn route(&self, generation: u64, msg: ModuleMessage) -> Option<ModuleMessage> {
        match msg {
            ModuleMessage::Response(r) => {
                let pending = self.lock().pending.remove(&r.correlation_id);
                match pending {
                    Some(p) if p.generation == generation => {
                        let _ = p.tx.send(Ok(r));
                    }
                    Some(p) => {
                        // A response on a newer connection for an id of an older one: impossible
                        // with monotonic ids, kept defensive.
                        let _ = p.tx.send(Err(IpcError::NodeDisconnected {
                            request: p.request,
                            reason: "response arrived on another connection".into(),
                        }));
                    }
                    None => tracing::debug!(
                        correlation_id = r.correlation_id,
                        "IPC response for no pending request (timed out?)"
                    ),
                }
                None
            }
            ModuleMessage::Event(e) => {
                self.queue.push_event(e);
                None
            }
            ModuleMessage::Invocation(inv) => {
                let cid = inv.correlation_id;
                if let InvocationType::Rpc { method, .. } = &inv.invocation_type {
                    tracing::info!(method = %method, "Rpc invocation answered success=false");
                    return Some(invocation_error(cid, RPC_UNSUPPORTED));
                }
                self.lock().invocations.insert(cid, generation);
                if self.queue.push_invocation(inv) {
                    None
                } else {
                    self.lock().invocations.remove(&cid);
                    tracing::warn!(
                        correlation_id = cid,
                        "invocation refused: module queue full"
                    );
                    Some(invocation_error(
                        cid,
                        "module busy: its invocation queue is full or closed",
                    ))
                }
            }
            other => {
                tracing::warn!(
                    kind = other.kind(),
                    "unexpected IPC message from the node ignored"
                );
                None
            }
        }
    }
}

fn invocation_error(correlation_id: u64, text: &str) -> ModuleMessage {
    ModuleMessage::InvocationResult(InvocationResultMessage {
        correlation_id,
        success: false,
        payload: None,
        error: Some(text.to_string()),
    })
}

async fn read_loop(
    inner: Arc<Inner>,
    generation: u64,
    rd: OwnedReadHalf,
    tx: mpsc::Sender<Bytes>,
    cancel: CancellationToken,
) {
    let mut frames = FramedRead::new(rd, FrameCodec::new());
    let reason = loop {
        let next = tokio::select! {
            _ = cancel.cancelled() => break "connection closed by the client".to_string(),
            next = frames.next() => next,
        };
        let payload = match next {
            None => {
                break "node closed the connection (EOF; node 0.1.83 does this after rejecting a \
                       request: missing capability, NodeAPI error or rate limit)"
                    .to_string()
            }
            Some(Err(e)) => break e.to_string(),
            Some(Ok(p)) => p,
        };
        match decode_message_bytes(&payload.freeze()) {
            Ok(msg) => {
                if let Some(reply) = inner.route(generation, msg) {
                    match encode_frame(&reply) {
                        Ok(f) => {
                            if tx.send(f).await.is_err() {
                                break "the connection's writer has stopped".to_string();
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot encode automatic reply"),
                    }
                }
            }
            Err(e) => {
                inner.lock().decode_errors += 1;
                tracing::warn!(error = %e, "undecodable IPC frame skipped");
            }
        }
    };
    tracing::debug!(generation, reason = %reason, "IPC reader stopped");
    inner.connection_lost(generation, reason);
}

async fn write_loop(
    inner: Arc<Inner>,
    generation: u64,
    mut wr: OwnedWriteHalf,
    mut rx: mpsc::Receiver<Bytes>,
    cancel: CancellationToken,
) {
    loop {
        let frame = tokio::select! {
            _ = cancel.cancelled() => break,
            f = rx.recv() => f,
        };
        let Some(frame) = frame else { break };
        if let Err(e) = wr.write_all(&frame).await {
            inner.connection_lost(generation, format!("write to the node failed: {e}"));
            break;
        }
    }
    let _ = wr.shutdown().await;
}

async fn supervise(inner: Arc<Inner>, first: oneshot::Sender<Result<(), IpcError>>) {
    let mut first = Some(first);
    let backoff = inner.config.reconnect;
    let mut delay = backoff.map(|b| b.min).unwrap_or_default();
    loop {
        if inner.shutdown.is_cancelled() {
            break;
        }
        match inner.connect_once().await {
            Ok(conn_done) => {
                if let Some(f) = first.take() {
                    let _ = f.send(Ok(()));
                }
                delay = backoff.map(|b| b.min).unwrap_or_default();
                tokio::select! {
                    _ = conn_done.cancelled() => {}
                    _ = inner.shutdown.cancelled() => break,
                }
                let node_version = inner.lock().node_version.clone().unwrap_or_default();
                if backoff.is_some()
                    && !inner.config.reconnect_single_connection_nodes
                    && version::serves_single_module_connection(&node_version)
                {
                    let why = format!(
                        "not reconnecting: node {node_version} serves a single module connection, \
                         so a dropped connection is final (set reconnect_single_connection_nodes \
                         to try anyway)"
                    );
                    tracing::warn!("{why}");
                    inner.lock().last_error = Some(why);
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "node IPC connection attempt failed");
                if !inner.lock().closed {
                    inner.lock().last_error = Some(e.to_string());
                }
                let permanent = !e.is_transient();
                if let Some(f) = first.take() {
                    let _ = f.send(Err(e));
                    break;
                }
                if permanent {
                    break;
                }
            }
        }
        let Some(b) = backoff else { break };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = inner.shutdown.cancelled() => break,
        }
        delay = (delay * 2).min(b.max);
        inner.reconnects.fetch_add(1, Ordering::Relaxed);
    }
    // Down for good: end the item stream once drained (and stop any connection).
    if let Some(c) = inner.lock().conn.take() {
        c.cancel.cancel();
    }
    inner.queue.close();
}
