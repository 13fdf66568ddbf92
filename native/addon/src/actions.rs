//! `ActionEngine` for JavaScript: a thin wrapper over `blvm_miningos_core::actions::ActionEngine`.
//!
//! Shapes are JSON (`serde_json::Value`) because they are MiningOS's open shapes; every refusal
//! carries a stable `err.code` (`ERR_*`), sync (`validate`) and async (`execute`) alike.
//!
//! Node operations can be plugged in from JavaScript with `setNodeOps(capabilities, callback)`:
//! `callback(requestJson) → Promise<replyJson>` where the request is
//! `{"op": "refreshTemplate" | "queryStats" | "submitBlock" | "callModule" | "publishActionExecuted", ...}`
//! and the reply `{"ok": <value>}` or `{"error": {"code", "message"}}` (a rejection becomes
//! `ERR_NODE_OP_FAILED`). The Rust node view will implement `NodeOps` directly when it lands.

use crate::errors::{coded, spawn_coded, CodeStatus, CodedError};
use blvm_miningos_core::actions::{
    self as core, ActionExecutedEvent, ActionRequest, ActionResult, Capabilities, FileJournal,
    HistoryQuery, NodeOps, OpsError, Pool, Target,
};
use napi::bindgen_prelude::{Promise, PromiseRaw};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, Status};
use napi_derive::napi;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, RwLock};

/// `futures::BoxFuture` without the dependency.
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

type OpsCallback = ThreadsafeFunction<String, Promise<String>, String, Status, false, true>;

fn invalid(code: &str, what: &str, e: impl std::fmt::Display) -> napi::Error<CodeStatus> {
    CodedError::new(code, format!("{what}: {e}")).into_napi()
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The MiningOS action engine (catalogue, validation, hooks, setupPools, audit journal).
#[napi]
pub struct ActionEngine {
    inner: Arc<core::ActionEngine>,
    js_ops: Mutex<Option<Arc<JsNodeOps>>>,
    open_report: Value,
}

#[napi]
impl ActionEngine {
    /// Builds an engine from the `[actions]` config (JSON object, `null` = defaults) and the path
    /// of its audit journal (created 0600 if missing; running actions found there are marked
    /// interrupted). Throws `ERR_ACTIONS_CONFIG_INVALID` / `ERR_ACTION_JOURNAL`.
    #[napi(constructor)]
    pub fn new(config: Value, journal_path: String) -> napi::Result<Self, CodeStatus> {
        let cfg = core::ActionsConfig::from_json(config).map_err(coded)?;
        let (journal, report) = FileJournal::open(&journal_path).map_err(coded)?;
        let inner = core::ActionEngine::new(cfg, Arc::new(journal)).map_err(coded)?;
        Ok(ActionEngine {
            inner: Arc::new(inner),
            js_ops: Mutex::new(None),
            open_report: to_json(&report),
        })
    }

    /// What opening the journal found: `{records, skippedLines, interrupted: [key]}`.
    #[napi(ts_return_type = "{ records: number, skippedLines: number, interrupted: string[] }")]
    pub fn open_report(&self) -> Value {
        self.open_report.clone()
    }

    /// Every catalogue entry: `[{action, kind, reqVotes, supported, code?, reason?, about, params}]`.
    #[napi(
        ts_return_type = "Array<{ action: string, kind: 'miner' | 'node' | 'rack', reqVotes: number, supported: boolean, code?: string, reason?: string, about: string, params: string }>"
    )]
    pub fn write_calls(&self) -> Value {
        to_json(&self.inner.write_calls())
    }

    /// `[[action, reqVotes]]` of the actions supported now (what `getWriteCalls` whitelists).
    #[napi(ts_return_type = "Array<[string, number]>")]
    pub fn whitelist(&self) -> Value {
        to_json(&self.inner.whitelist())
    }

    /// `validateWriteAction`: returns `true` or throws an `Error` with `err.code` (`ERR_*`).
    /// `target` = `{kind: 'miner'|'node'|'rack', id, address?, port?}`; `params` without the
    /// trailing `{actionId, user}`.
    #[napi]
    pub fn validate(
        &self,
        target: Value,
        action: String,
        params: Value,
    ) -> napi::Result<bool, CodeStatus> {
        let target: Target = serde_json::from_value(target)
            .map_err(|e| invalid("ERR_ACTION_TARGET_INVALID", "target", e))?;
        let params = params_of(params)?;
        self.inner
            .validate(&target, &action, &params)
            .map_err(coded)?;
        Ok(true)
    }

    /// Executes a miner / node action. `request` = `{actionId?, user?, target, action, params}`.
    /// Resolves with `{success, error?, message?, data?}` (a re-delivered `actionId` resolves with
    /// the recorded result); rejects with `err.code` when refused.
    #[napi(
        ts_return_type = "Promise<{ success: boolean, error?: string, message?: string, data?: any }>"
    )]
    pub fn execute<'e>(&self, env: &'e Env, request: Value) -> napi::Result<PromiseRaw<'e, Value>> {
        let inner = self.inner.clone();
        let req = serde_json::from_value::<ActionRequest>(request);
        spawn_coded(env, async move {
            let req = req.map_err(|e| {
                CodedError::new("ERR_ACTION_REQUEST_INVALID", format!("request: {e}"))
            })?;
            let r = inner.execute(req).await?;
            Ok(to_json(&r))
        })
    }

    /// `queryThing` convenience: `params` exactly as the orchestrator sent them (the trailing
    /// `{actionId, user}` is split off here), then `execute`.
    #[napi(
        ts_return_type = "Promise<{ success: boolean, error?: string, message?: string, data?: any }>"
    )]
    pub fn execute_query_thing<'e>(
        &self,
        env: &'e Env,
        target: Value,
        action: String,
        params: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let inner = self.inner.clone();
        let parsed = serde_json::from_value::<Target>(target)
            .map_err(|e| CodedError::new("ERR_ACTION_TARGET_INVALID", format!("target: {e}")))
            .and_then(|t| {
                params_of(params)
                    .map(|p| (t, p))
                    .map_err(|e| CodedError::new("ERR_ACTION_PARAMS_INVALID", e.reason.clone()))
            });
        spawn_coded(env, async move {
            let (target, params) = parsed?;
            let req = ActionRequest::from_query_thing(target, &action, params);
            Ok(to_json(&inner.execute(req).await?))
        })
    }

    /// Rack-level actions (`registerThing`, `updateThing`, `forgetThings`, `rackReboot`) that the
    /// rack performs itself: resolves `{actionId, done}`; `done` is the recorded result of an
    /// already-performed action (do not perform it again) or `null` (perform it, then call
    /// `finishExternal` with that `actionId`).
    #[napi(ts_return_type = "Promise<{ actionId: string, done: any | null }>")]
    pub fn begin_external<'e>(
        &self,
        env: &'e Env,
        request: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let inner = self.inner.clone();
        let req = serde_json::from_value::<ActionRequest>(request);
        spawn_coded(env, async move {
            let req = req.map_err(|e| {
                CodedError::new("ERR_ACTION_REQUEST_INVALID", format!("request: {e}"))
            })?;
            let (id, done) = inner.begin_external(&req).await?;
            Ok(json!({"actionId": id, "done": done}))
        })
    }

    /// Records the outcome `{success, error?, message?}` of a rack-level action begun with
    /// `beginExternal` (`request.actionId` = the id it returned).
    #[napi(
        ts_return_type = "Promise<{ success: boolean, error?: string, message?: string, data?: any }>"
    )]
    pub fn finish_external<'e>(
        &self,
        env: &'e Env,
        request: Value,
        result: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let inner = self.inner.clone();
        let req = serde_json::from_value::<ActionRequest>(request);
        let res = serde_json::from_value::<ActionResult>(result);
        spawn_coded(env, async move {
            let req = req.map_err(|e| {
                CodedError::new("ERR_ACTION_REQUEST_INVALID", format!("request: {e}"))
            })?;
            let res = res.map_err(|e| {
                CodedError::new("ERR_ACTION_REQUEST_INVALID", format!("result: {e}"))
            })?;
            Ok(to_json(&inner.finish_external(&req, res).await?))
        })
    }

    /// Named parameters (`--param k=v`, module API) → the action's MiningOS params, e.g.
    /// `paramsFromNamed('setPowerMode', {mode: 'sleep'})` → `['sleep']`. Throws `err.code`.
    #[napi]
    pub fn params_from_named(
        &self,
        action: String,
        named: std::collections::HashMap<String, String>,
    ) -> napi::Result<Value, CodeStatus> {
        let named = named.into_iter().collect();
        core::catalogue::params_from_named(&action, &named)
            .map(Value::Array)
            .map_err(coded)
    }

    /// Module API `trigger_action` (params text as received): resolves `{action, target, params,
    /// actionId}` with `target` = the thing id for the caller to resolve, then `execute` with
    /// `user = 'module:<caller>'`. Throws `ERR_ACTION_REQUEST_INVALID` / parameter codes.
    #[napi(
        ts_return_type = "{ action: string, target: string, params: any[], actionId: string | null }"
    )]
    pub fn parse_trigger_action(&self, params: String) -> napi::Result<Value, CodeStatus> {
        let t = core::module_api::parse_trigger_action(params.as_bytes()).map_err(coded)?;
        let positional = t.positional().map_err(coded)?;
        Ok(
            json!({"action": t.action, "target": t.target, "params": positional, "actionId": t.action_id}),
        )
    }

    /// Module API `get_action_status` (params text as received) → the reply object
    /// `{actionId, found, entries}`.
    #[napi]
    pub fn module_action_status(&self, params: String) -> napi::Result<Value, CodeStatus> {
        let id = core::module_api::parse_action_status(params.as_bytes()).map_err(coded)?;
        Ok(core::module_api::action_status_reply(
            &id,
            &self.inner.status(&id),
        ))
    }

    /// Journal entries of an action id (one per target): `[{key, actionId, user, target, action,
    /// params (redacted), status, result?, startedAt, finishedAt?, durationMs?}]`.
    #[napi(
        ts_return_type = "Array<{ key: string, actionId: string, user?: string, target: { kind: 'miner' | 'node' | 'rack', id: string, address?: string, port?: number }, action: string, params: any[], status: 'running' | 'succeeded' | 'failed' | 'interrupted' | 'rejected', result?: { success: boolean, error?: string, message?: string, data?: any }, startedAt: number, finishedAt?: number, durationMs?: number }>"
    )]
    pub fn status(&self, action_id: String) -> Value {
        to_json(&self.inner.status(&action_id))
    }

    /// Action history, newest first. `query` = `{start?, end?, offset?, limit?, targetId?,
    /// actionId?}` (or `null`).
    #[napi(
        ts_return_type = "Array<{ key: string, actionId: string, user?: string, target: { kind: 'miner' | 'node' | 'rack', id: string, address?: string, port?: number }, action: string, params: any[], status: 'running' | 'succeeded' | 'failed' | 'interrupted' | 'rejected', result?: { success: boolean, error?: string, message?: string, data?: any }, startedAt: number, finishedAt?: number, durationMs?: number }>"
    )]
    pub fn history(&self, query: Value) -> napi::Result<Value, CodeStatus> {
        let q: HistoryQuery = if query.is_null() {
            HistoryQuery::default()
        } else {
            serde_json::from_value(query)
                .map_err(|e| invalid("ERR_HISTORY_QUERY_INVALID", "history query", e))?
        };
        Ok(to_json(&self.inner.history(&q)))
    }

    /// Sets the rack's pool list (`thing.miner.pools`: `[{url, worker_name, worker_password}]`),
    /// used by `setupPools` without `{config}`. Throws `ERR_POOL_*` when invalid.
    #[napi]
    pub fn set_rack_pools(&self, pools: Value) -> napi::Result<(), CodeStatus> {
        let pools: Vec<Pool> = serde_json::from_value(pools)
            .map_err(|e| invalid("ERR_POOL_CONFIG_INVALID", "pools", e))?;
        self.inner.set_rack_pools(pools).map_err(coded)
    }

    /// What the node side offers now: `{node, callModule, publishEvents}` each
    /// `{available, reason?}`.
    #[napi(
        ts_return_type = "{ node: { available: boolean, reason?: string }, callModule: { available: boolean, reason?: string }, publishEvents: { available: boolean, reason?: string } }"
    )]
    pub fn capabilities(&self) -> Value {
        to_json(&self.inner.capabilities())
    }

    /// Plugs in node operations implemented in JavaScript (see the module doc for the protocol).
    #[napi(
        ts_args_type = "capabilities: { node: { available: boolean, reason?: string }, callModule: { available: boolean, reason?: string }, publishEvents: { available: boolean, reason?: string } }, callback: (requestJson: string) => Promise<string>"
    )]
    pub fn set_node_ops(
        &self,
        capabilities: Value,
        callback: OpsCallback,
    ) -> napi::Result<(), CodeStatus> {
        let caps: Capabilities = serde_json::from_value(capabilities)
            .map_err(|e| invalid("ERR_CAPABILITIES_INVALID", "capabilities", e))?;
        let ops = Arc::new(JsNodeOps {
            caps: RwLock::new(caps),
            callback: Arc::new(callback),
        });
        self.inner.set_node_ops(ops.clone());
        if let Ok(mut g) = self.js_ops.lock() {
            *g = Some(ops);
        }
        Ok(())
    }

    /// Plugs in the node view of a `NodeClient` (the real worker's wiring): node actions go over
    /// its JSON-RPC channel, `setupPools` / `ActionExecuted` over its IPC where it is in use and
    /// granted. Replaces any JavaScript node operations.
    #[napi]
    pub fn set_node_client(&self, client: &crate::node::NodeClient) {
        self.inner
            .set_node_ops(Arc::new(core::NodeViewOps::new(client.view())));
        if let Ok(mut g) = self.js_ops.lock() {
            *g = None;
        }
    }

    /// Updates the capabilities of the JavaScript node operations (IPC up / down, grants).
    #[napi(
        ts_args_type = "capabilities: { node: { available: boolean, reason?: string }, callModule: { available: boolean, reason?: string }, publishEvents: { available: boolean, reason?: string } }"
    )]
    pub fn set_capabilities(&self, capabilities: Value) -> napi::Result<(), CodeStatus> {
        let caps: Capabilities = serde_json::from_value(capabilities)
            .map_err(|e| invalid("ERR_CAPABILITIES_INVALID", "capabilities", e))?;
        let g = self
            .js_ops
            .lock()
            .map_err(|_| invalid("ERR_NODE_OPS_UNSET", "node ops", "lock poisoned"))?;
        match g.as_ref() {
            Some(ops) => {
                if let Ok(mut c) = ops.caps.write() {
                    *c = caps;
                }
                Ok(())
            }
            None => Err(invalid(
                "ERR_NODE_OPS_UNSET",
                "node ops",
                "call setNodeOps first",
            )),
        }
    }

    /// Disconnects the node operations (every node-backed action becomes unavailable) and
    /// releases the JavaScript callback.
    #[napi]
    pub fn clear_node_ops(&self) {
        self.inner.set_node_ops(Arc::new(core::Disconnected));
        if let Ok(mut g) = self.js_ops.lock() {
            *g = None;
        }
    }
}

fn params_of(params: Value) -> Result<Vec<Value>, napi::Error<CodeStatus>> {
    match params {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => Ok(a),
        other => Err(invalid(
            "ERR_ACTION_PARAMS_INVALID",
            "params",
            format!("must be an array, not {other}"),
        )),
    }
}

/// Node operations answered by a JavaScript callback.
struct JsNodeOps {
    caps: RwLock<Capabilities>,
    callback: Arc<OpsCallback>,
}

impl JsNodeOps {
    async fn call(&self, req: Value) -> Result<Value, OpsError> {
        let promise = self
            .callback
            .call_async_catch(req.to_string())
            .await
            .map_err(|e| OpsError::new("ERR_NODE_OP_FAILED", e.reason.clone()))?;
        let text = promise
            .await
            .map_err(|e| OpsError::new("ERR_NODE_OP_FAILED", e.reason.clone()))?;
        let reply: Value = serde_json::from_str(&text)
            .map_err(|e| OpsError::new("ERR_NODE_OP_FAILED", format!("reply is not JSON: {e}")))?;
        if let Some(err) = reply.get("error").filter(|e| !e.is_null()) {
            let code = err
                .get("code")
                .and_then(Value::as_str)
                .filter(|c| blvm_miningos_core::error::is_valid_code(c))
                .unwrap_or("ERR_NODE_OP_FAILED");
            let msg = err
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("node operation failed");
            return Err(OpsError::new(code, msg));
        }
        Ok(reply.get("ok").cloned().unwrap_or(Value::Null))
    }
}

impl NodeOps for JsNodeOps {
    fn capabilities(&self) -> Capabilities {
        self.caps
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|_| Capabilities::none("capabilities lock poisoned"))
    }
    fn refresh_template(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(self.call(json!({"op": "refreshTemplate"})))
    }
    fn query_stats(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(self.call(json!({"op": "queryStats"})))
    }
    fn submit_block(&self, block_hex: String) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(self.call(json!({"op": "submitBlock", "blockHex": block_hex})))
    }
    fn call_module(
        &self,
        target: String,
        method: String,
        params: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, OpsError>> {
        Box::pin(async move {
            let params = String::from_utf8(params).map_err(|_| {
                OpsError::new("ERR_NODE_OP_FAILED", "callModule params are not UTF-8")
            })?;
            let v = self
                .call(json!({"op": "callModule", "target": target, "method": method, "params": params}))
                .await?;
            match v {
                Value::String(s) => Ok(s.into_bytes()),
                other => Ok(other.to_string().into_bytes()),
            }
        })
    }
    fn publish_action_executed(
        &self,
        ev: ActionExecutedEvent,
    ) -> BoxFuture<'_, Result<(), OpsError>> {
        Box::pin(async move {
            self.call(json!({"op": "publishActionExecuted", "event": ev}))
                .await
                .map(|_| ())
        })
    }
}
