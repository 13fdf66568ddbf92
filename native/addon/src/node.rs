//! `NodeClient`: the node view for JavaScript (JSON-RPC channel, tip events, status, and the IPC
//! surface that is refused with coded errors while the IPC is not in use).
//!
//! Every async method builds its future from an `Arc` clone (napi-notes §2.3) and rejects with an
//! `Error` whose `code` is stable (`spawn_coded`). Values cross as the node sends them (snake_case
//! field names, unknown fields kept); `index.d.ts` types them with the interfaces in `types.rs`.

use crate::config::{load_from, ConfigOptions};
use crate::errors::{coded, spawn_coded, CodeStatus, CodedError};
use blvm_miningos_core::node::{NodeError, NodeView};
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// The BLVM node as the module sees it: one view over the JSON-RPC channel (and the IPC, where
/// the safety policy allows it).
#[napi]
pub struct NodeClient {
    view: Arc<NodeView>,
    config: Value,
}

fn to_json<T: Serialize>(v: T) -> Result<Value, CodedError> {
    serde_json::to_value(v)
        .map_err(|e| CodedError::new("ERR_INTERNAL", format!("cannot encode result: {e}")))
}

impl NodeClient {
    /// The shared node view (used by `ActionEngine.setNodeClient`).
    pub(crate) fn view(&self) -> Arc<NodeView> {
        self.view.clone()
    }

    fn call<'e, T, F, Fut>(&self, env: &'e Env, f: F) -> napi::Result<PromiseRaw<'e, Value>>
    where
        T: Serialize + Send + 'static,
        F: FnOnce(Arc<NodeView>) -> Fut,
        Fut: std::future::Future<Output = Result<T, NodeError>> + Send + 'static,
    {
        let fut = f(self.view.clone());
        spawn_coded(env, async move { to_json(fut.await?) })
    }
}

#[napi]
impl NodeClient {
    /// Loads and validates the config (`ERR_CONFIG` on any problem) and prepares the client.
    /// Nothing is contacted until `start()` or a request.
    #[napi(constructor)]
    pub fn new(options: Option<ConfigOptions>) -> napi::Result<Self, CodeStatus> {
        let loaded = load_from(options).map_err(coded)?;
        let view = NodeView::new(&loaded.config).map_err(coded)?;
        Ok(NodeClient {
            view: Arc::new(view),
            config: loaded.to_json(),
        })
    }

    /// The loaded config (`{ source, searched, overrides, config }`, secrets redacted).
    #[napi(getter, ts_return_type = "LoadedConfig")]
    pub fn config(&self) -> Value {
        self.config.clone()
    }

    /// Starts the tip poller and resolves after its first poll; a node that is down is a state
    /// (see `status()` and the `NodeUnreachable` event), not an error. Idempotent.
    /// Rejects with `ERR_NODE_CLOSED` after `close()`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn start<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, ()>> {
        let view = self.view.clone();
        spawn_coded(env, async move { Ok(view.start().await?) })
    }

    /// Stops the poller, resolves pending `nextEvents()`/`nextInvocation()` with `null`, and
    /// refuses later requests with `ERR_NODE_CLOSED`. Idempotent.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, ()>> {
        let view = self.view.clone();
        spawn_coded(env, async move {
            view.close().await;
            Ok(())
        })
    }

    /// Channels, IPC policy decision and reason, node version, JSON-RPC reachability, IPC state,
    /// granted capabilities, and every figure with `{ value, source, at_ms, age_ms }`.
    #[napi(ts_return_type = "NodeStatus")]
    pub fn status(&self) -> Value {
        self.view.status()
    }

    /// The next batch of change events (at most `max`, default 256), waiting for at least one;
    /// `null` after `close()`. Keep one call pending at a time: a call that is abandoned (say, on
    /// a timeout) still takes the next batch when it comes.
    #[napi(ts_return_type = "Promise<NodeEvent[] | null>")]
    pub fn next_events<'e>(
        &self,
        env: &'e Env,
        max: Option<u32>,
    ) -> napi::Result<PromiseRaw<'e, Option<Value>>> {
        let view = self.view.clone();
        let max = max.unwrap_or(256).max(1) as usize;
        spawn_coded(env, async move {
            match view.next_events(max).await {
                Some(b) => Ok(Some(to_json(b)?)),
                None => Ok(None),
            }
        })
    }

    /// The next node → module invocation (`{ id, kind: 'Cli' | 'ModuleApi', payload }`); `null`
    /// after `close()`. Invocations arrive over the IPC only (when the policy allows it).
    #[napi(ts_return_type = "Promise<Invocation | null>")]
    pub fn next_invocation<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Option<Value>>> {
        let view = self.view.clone();
        spawn_coded(env, async move { Ok(view.next_invocation().await) })
    }

    /// Answers invocation `id`: `{ error }` fails it; a CLI answer is `{ stdout, stderr?,
    /// exit_code? }`; a module API answer is any JSON. Rejects with `ERR_UNKNOWN_INVOCATION`,
    /// `ERR_INVALID_ARGUMENT`, `ERR_IPC_UNAVAILABLE` or `ERR_NODE_CLOSED`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn respond_invocation<'e>(
        &self,
        env: &'e Env,
        id: i64,
        result: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, move |v| async move {
            let id = u64::try_from(id).map_err(|_| NodeError::UnknownInvocation(0))?;
            v.respond_invocation(id, result).await.map(|_| Value::Null)
        })
    }

    /// Calls another module's API over the IPC. Rejects with `ERR_IPC_UNAVAILABLE` (and the
    /// policy's reason) while the IPC is not in use.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn call_module<'e>(
        &self,
        env: &'e Env,
        target: String,
        method: String,
        params: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, move |v| async move {
            v.call_module(&target, &method, params).await
        })
    }

    /// Publishes an event over the IPC: `eventType` as the node names it (`NewBlock`, ...),
    /// `payload` its fields (hashes as hex). Rejects with `ERR_IPC_UNAVAILABLE` while the IPC is not
    /// in use, `ERR_CAPABILITY_NOT_GRANTED` without `publish_events`, `ERR_INVALID_ARGUMENT`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn publish_event<'e>(
        &self,
        env: &'e Env,
        event_type: String,
        payload: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, move |v| async move {
            v.publish_event(&event_type, payload).await
        })
    }

    /// `getnetworkinfo`.
    #[napi(ts_return_type = "Promise<NetworkInfo>")]
    pub fn get_network_info<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_network_info().await })
    }

    /// `getbestblockhash`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn get_best_block_hash<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_best_block_hash().await })
    }

    /// `getblockchaininfo`.
    #[napi(ts_return_type = "Promise<BlockchainInfo>")]
    pub fn get_blockchain_info<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_blockchain_info().await })
    }

    /// `getblock <hash> <verbosity>` (1: tx ids, default; 2: tx objects). Rejects with
    /// `ERR_RPC_BAD_REQUEST` for a malformed hash or verbosity.
    #[napi(ts_return_type = "Promise<Block>")]
    pub fn get_block<'e>(
        &self,
        env: &'e Env,
        hash: String,
        verbosity: Option<u32>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let verbosity = u8::try_from(verbosity.unwrap_or(1)).unwrap_or(u8::MAX);
        self.call(
            env,
            move |v| async move { v.get_block(&hash, verbosity).await },
        )
    }

    /// `getblockheader <hash> true`.
    #[napi(ts_return_type = "Promise<BlockHeader>")]
    pub fn get_block_header<'e>(
        &self,
        env: &'e Env,
        hash: String,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, move |v| async move { v.get_block_header(&hash).await })
    }

    /// `getblocktemplate {"rules": ["segwit"]}`.
    #[napi(ts_return_type = "Promise<BlockTemplate>")]
    pub fn get_block_template<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_block_template().await })
    }

    /// `submitblock <hex>` over JSON-RPC (`SubmitBlock` over the IPC never succeeds on 0.1.83).
    /// An accepted block is also reported as a `BlockMined` event.
    #[napi(ts_return_type = "Promise<SubmitBlockResult>")]
    pub fn submit_block<'e>(
        &self,
        env: &'e Env,
        block_hex: String,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(
            env,
            move |v| async move { v.submit_block(&block_hex).await },
        )
    }

    /// `getmempoolinfo`.
    #[napi(ts_return_type = "Promise<MempoolInfo>")]
    pub fn get_mempool_info<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_mempool_info().await })
    }

    /// `getrawmempool false`: txids.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn get_raw_mempool<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_raw_mempool().await })
    }

    /// `estimatesmartfee <confTarget>` (1..=1008, default 6).
    #[napi(ts_return_type = "Promise<SmartFee>")]
    pub fn estimate_smart_fee<'e>(
        &self,
        env: &'e Env,
        conf_target: Option<u32>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let t = conf_target.unwrap_or(6);
        self.call(env, move |v| async move { v.estimate_smart_fee(t).await })
    }

    /// `getpeerinfo`.
    #[napi(ts_return_type = "Promise<PeerInfo[]>")]
    pub fn get_peer_info<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_peer_info().await })
    }

    /// `getnettotals`.
    #[napi(ts_return_type = "Promise<NetTotals>")]
    pub fn get_net_totals<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_net_totals().await })
    }

    /// `getmininginfo`.
    #[napi(ts_return_type = "Promise<MiningInfo>")]
    pub fn get_mining_info<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.get_mining_info().await })
    }

    /// `uptime` in seconds.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn uptime<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        self.call(env, |v| async move { v.uptime().await })
    }
}
