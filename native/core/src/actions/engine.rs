//! The action engine: catalogue + validation + execution + audit + idempotency.
//!
//! `execute` for one request:
//! 1. key = `<actionId>|<kind>:<target id>|<action>` (the ork sends one action id to every target of
//!    an action, so the id alone is not unique);
//! 2. journal lookup: finished (or interrupted) → the recorded result, nothing runs; the same key
//!    running in this process → wait for it and return its result;
//! 3. validation (a refusal is journaled as `rejected` and returned as an error);
//! 4. `started` record (fsync) → execution → `finished` record (fsync);
//! 5. `ActionExecuted` published to the node when `publish_events` is available (best effort).
//!
//! Logs carry the action id, target, action name, outcome and duration, never parameters.

use super::catalogue::{self, Executor, TargetKind};
use super::config::{ActionsConfig, HookName};
use super::error::ActionError;
use super::hooks;
use super::journal::{now_ms, ActionJournal, HistoryQuery, JournalEntry, Status};
use super::ops::{ActionExecutedEvent, Capabilities, Disconnected, NodeOps};
use super::pools::{self, Pool};
use super::redact::redact_value;
use super::types::{ActionRequest, ActionResult, Target};
use super::validate::{self, Plan};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Timeout of a node operation or `call_module` (the node waits up to 60 s on the target module).
pub const NODE_OP_TIMEOUT: Duration = Duration::from_secs(65);
/// Timeout of the best-effort `ActionExecuted` publication.
pub const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);

/// One row of the catalogue as `getWriteCalls` and the CLI see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteCall {
    /// Action name.
    pub action: String,
    /// Target kind.
    pub kind: TargetKind,
    /// Votes required.
    pub req_votes: u32,
    /// Whether it can be performed now (hook configured and enabled, capability available).
    pub supported: bool,
    /// `ERR_*` code why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// One-line description.
    pub about: String,
    /// Named parameters for the CLI (`--param k=v`).
    pub params: String,
}

type Inflight = HashMap<String, watch::Sender<Option<ActionResult>>>;

/// The engine. Cheap to share behind an `Arc`.
pub struct ActionEngine {
    cfg: ActionsConfig,
    journal: Arc<dyn ActionJournal>,
    ops: RwLock<Arc<dyn NodeOps>>,
    rack_pools: RwLock<Vec<Pool>>,
    inflight: Mutex<Inflight>,
    hook_slots: Arc<tokio::sync::Semaphore>,
}

impl ActionEngine {
    /// An engine over a validated config and a journal; node operations start [`Disconnected`].
    pub fn new(cfg: ActionsConfig, journal: Arc<dyn ActionJournal>) -> Result<Self, ActionError> {
        cfg.validate()?;
        Ok(ActionEngine {
            journal,
            ops: RwLock::new(Arc::new(Disconnected)),
            rack_pools: RwLock::new(Vec::new()),
            inflight: Mutex::new(HashMap::new()),
            hook_slots: Arc::new(tokio::sync::Semaphore::new(cfg.hook_slots())),
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ActionsConfig {
        &self.cfg
    }

    /// Plugs in the node side (the node view, or an adapter).
    pub fn set_node_ops(&self, ops: Arc<dyn NodeOps>) {
        if let Ok(mut g) = self.ops.write() {
            *g = ops;
        }
    }

    fn ops(&self) -> Arc<dyn NodeOps> {
        match self.ops.read() {
            Ok(g) => g.clone(),
            Err(_) => Arc::new(Disconnected),
        }
    }

    /// What the node side offers now.
    pub fn capabilities(&self) -> Capabilities {
        self.ops().capabilities()
    }

    /// Sets the rack's pool list (`thing.miner.pools`), used by `setupPools` without `{config}`.
    pub fn set_rack_pools(&self, pools: Vec<Pool>) -> Result<(), ActionError> {
        if !pools.is_empty() {
            pools::check_pools(&pools)?;
        }
        if let Ok(mut g) = self.rack_pools.write() {
            *g = pools;
        }
        Ok(())
    }

    fn rack_pools(&self) -> Vec<Pool> {
        self.rack_pools
            .read()
            .map(|g| g.clone())
            .unwrap_or_default()
    }

    /// Every catalogue entry with its votes and whether it is supported now.
    pub fn write_calls(&self) -> Vec<WriteCall> {
        let caps = self.capabilities();
        catalogue::CATALOGUE
            .iter()
            .map(|e| {
                let why = self.unsupported_reason(&caps, e.kind, e.action, e.executor);
                WriteCall {
                    action: e.action.to_string(),
                    kind: e.kind,
                    req_votes: self.cfg.votes_for(e.action),
                    supported: why.is_none(),
                    code: why.as_ref().map(|(c, _)| c.to_string()),
                    reason: why.map(|(_, r)| r),
                    about: e.about.to_string(),
                    params: e.params.to_string(),
                }
            })
            .collect()
    }

    /// `[action, reqVotes]` for every action supported on at least one target kind: exactly what
    /// the rack whitelists for `getWriteCalls`.
    pub fn whitelist(&self) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = Vec::new();
        for w in self.write_calls().into_iter().filter(|w| w.supported) {
            if !out.iter().any(|(a, _)| a == &w.action) {
                out.push((w.action, w.req_votes));
            }
        }
        out
    }

    fn unsupported_reason(
        &self,
        caps: &Capabilities,
        kind: TargetKind,
        action: &str,
        executor: Executor,
    ) -> Option<(&'static str, String)> {
        if !self.cfg.is_enabled() {
            return Some((
                "ERR_ACTION_DISABLED",
                "actions are disabled ([actions] enabled = false)".into(),
            ));
        }
        match executor {
            Executor::Hook => {
                let name = HookName::for_action(kind, action)?;
                match self.cfg.hooks.get(name) {
                    None if name.enabled_by_default() => Some((
                        "ERR_ACTION_UNSUPPORTED",
                        format!("no hook: configure [actions.hooks.{}]", name.key()),
                    )),
                    None => Some((
                        "ERR_ACTION_DISABLED",
                        format!(
                            "disabled until configured: [actions.hooks.{}] enabled = true + argv",
                            name.key()
                        ),
                    )),
                    Some(h) if !h.enabled.unwrap_or(name.enabled_by_default()) => Some((
                        "ERR_ACTION_DISABLED",
                        format!(
                            "disabled until enabled: [actions.hooks.{}] enabled = true",
                            name.key()
                        ),
                    )),
                    Some(_) => None,
                }
            }
            Executor::StratumModule if !caps.call_module.available => Some((
                "ERR_ACTION_UNAVAILABLE",
                caps.call_module
                    .reason
                    .clone()
                    .unwrap_or_else(|| "call_module not available".into()),
            )),
            Executor::Node if !caps.node.available => Some((
                "ERR_ACTION_UNAVAILABLE",
                caps.node
                    .reason
                    .clone()
                    .unwrap_or_else(|| "node not available".into()),
            )),
            _ => None,
        }
    }

    /// `validateWriteAction`: `Ok` when `action` with `params` (without the trailing
    /// `{actionId, user}`) can be performed on `target`.
    pub fn validate(
        &self,
        target: &Target,
        action: &str,
        params: &[Value],
    ) -> Result<(), ActionError> {
        self.plan(target, action, params).map(|_| ())
    }

    fn plan(&self, target: &Target, action: &str, params: &[Value]) -> Result<Plan, ActionError> {
        validate::plan(
            &self.cfg,
            &self.capabilities(),
            &self.rack_pools(),
            target,
            action,
            params,
        )
    }

    /// Every journal entry of an action id (one per target).
    pub fn status(&self, action_id: &str) -> Vec<JournalEntry> {
        self.journal.by_action_id(action_id)
    }

    /// Action history, newest first.
    pub fn history(&self, q: &HistoryQuery) -> Vec<JournalEntry> {
        self.journal.history(q)
    }

    /// Executes a miner or node action (see the module doc for the sequence). `Err` = refused
    /// (validation, journal); `Ok(result)` = executed (or already executed), `result.success` tells
    /// whether it took effect.
    pub async fn execute(&self, req: ActionRequest) -> Result<ActionResult, ActionError> {
        req.check()?;
        if req.target.kind == TargetKind::Rack {
            return Err(ActionError::Target(
                "rack-level actions are performed by the rack worker: use begin_external / finish_external".into(),
            ));
        }
        match self.begin(&req).await? {
            Begin::Done(r) => Ok(r),
            Begin::Run { key, entry, plan } => {
                let started = Instant::now();
                let result = self.run(&req, &entry, plan).await;
                let dur = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                self.finish_inner(&key, &entry, result, dur).await
            }
            Begin::Record { key, entry } => {
                let r = ActionResult::fail(
                    "ERR_ACTION_UNSUPPORTED",
                    "rack-level action reached the executor",
                    None,
                );
                self.finish_inner(&key, &entry, r, 0).await
            }
        }
    }

    /// For rack-level actions the rack performs itself (`registerThing`, `updateThing`,
    /// `forgetThings`, `rackReboot`): validates, checks idempotency and records `started`.
    /// Returns the effective action id (generated when the request has none) and
    /// `Some(result)` when the action was already done (return it, do not perform it again), or
    /// `None`: perform it, then call [`finish_external`](Self::finish_external) with that id.
    pub async fn begin_external(
        &self,
        req: &ActionRequest,
    ) -> Result<(String, Option<ActionResult>), ActionError> {
        req.check()?;
        if req.target.kind != TargetKind::Rack {
            return Err(ActionError::Target(
                "begin_external is for rack-level actions (target.kind = rack)".into(),
            ));
        }
        let mut req = req.clone();
        let id = req.action_id.clone().unwrap_or_else(local_action_id);
        req.action_id = Some(id.clone());
        match self.begin(&req).await? {
            Begin::Done(r) => Ok((id, Some(r))),
            Begin::Run { .. } | Begin::Record { .. } => Ok((id, None)),
        }
    }

    /// Records the outcome of a rack-level action begun with
    /// [`begin_external`](Self::begin_external) (`req.action_id` = the id it returned).
    pub async fn finish_external(
        &self,
        req: &ActionRequest,
        result: ActionResult,
    ) -> Result<ActionResult, ActionError> {
        let key = key_of(req);
        let entry = self
            .journal
            .get(&key)
            .filter(|e| e.status == Status::Running)
            .ok_or_else(|| {
                ActionError::Request(format!("no running action for {key}: call begin first"))
            })?;
        let dur = now_ms().saturating_sub(entry.started_at);
        self.finish_inner(&key, &entry, result, dur).await
    }

    async fn begin(&self, req: &ActionRequest) -> Result<Begin, ActionError> {
        let mut req = req.clone();
        let action_id = req.action_id.clone().unwrap_or_else(local_action_id);
        req.action_id = Some(action_id.clone());
        let key = key_of(&req);
        enum Next {
            Wait(watch::Receiver<Option<ActionResult>>),
            Done(ActionResult),
            New,
        }
        loop {
            let next = {
                let mut inflight = self
                    .inflight
                    .lock()
                    .map_err(|_| ActionError::Request("engine lock poisoned".into()))?;
                match inflight.get(&key) {
                    Some(tx) => Next::Wait(tx.subscribe()),
                    None => match self
                        .journal
                        .get(&key)
                        .filter(|d| d.status != Status::Running)
                        .and_then(|d| d.result.map(|r| (d.status, r)))
                    {
                        Some((status, r)) => {
                            tracing::info!(action_id = %action_id, target = %req.target.label(),
                                action = %req.action, status = ?status,
                                "action re-delivered: returning the recorded result");
                            Next::Done(r)
                        }
                        None => {
                            let (tx, _) = watch::channel(None);
                            inflight.insert(key.clone(), tx);
                            Next::New
                        }
                    },
                }
            };
            match next {
                Next::Done(r) => return Ok(Begin::Done(r)),
                Next::New => return self.begin_new(req, key).await,
                Next::Wait(mut rx) => {
                    // Same action already running here: wait for its result.
                    let done = rx
                        .wait_for(Option::is_some)
                        .await
                        .ok()
                        .and_then(|v| v.clone());
                    if let Some(r) = done {
                        return Ok(Begin::Done(r));
                    }
                }
            }
        }
    }

    fn release(&self, key: &str, result: Option<ActionResult>) {
        let tx = self.inflight.lock().ok().and_then(|mut m| m.remove(key));
        if let (Some(tx), Some(r)) = (tx, result) {
            tx.send_replace(Some(r));
        }
    }

    async fn begin_new(&self, req: ActionRequest, key: String) -> Result<Begin, ActionError> {
        let entry = JournalEntry {
            key: key.clone(),
            action_id: req.action_id.clone().unwrap_or_default(),
            user: req.user.clone(),
            target: req.target.clone(),
            action: req.action.clone(),
            params: redact_value(&Value::Array(req.params.clone())),
            status: Status::Running,
            result: None,
            started_at: now_ms(),
            finished_at: None,
            duration_ms: None,
        };
        let plan = match self.plan(&req.target, &req.action, &req.params) {
            Ok(p) => p,
            Err(e) => {
                let mut rej = entry.clone();
                rej.status = Status::Rejected;
                rej.result = Some(ActionResult::fail(
                    crate::Coded::code(&e),
                    e.to_string(),
                    None,
                ));
                rej.finished_at = Some(rej.started_at);
                let j = self.journal.clone();
                match tokio::task::spawn_blocking(move || j.rejected(&rej)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(je)) => {
                        tracing::warn!(error = %je, "rejected action not recorded in the journal")
                    }
                    Err(je) => tracing::warn!(error = %je, "journal task failed"),
                }
                tracing::info!(action_id = %entry.action_id, target = %req.target.label(),
                    action = %req.action, code = crate::Coded::code(&e), "action rejected");
                self.release(&key, None);
                return Err(e);
            }
        };
        let j = self.journal.clone();
        let e2 = entry.clone();
        let written = tokio::task::spawn_blocking(move || j.started(&e2))
            .await
            .map_err(|e| ActionError::Journal {
                path: "(journal task)".into(),
                reason: format!("journal task failed: {e}"),
            })
            .and_then(|r| r);
        if let Err(e) = written {
            tracing::error!(action_id = %entry.action_id, error = %e,
                "action not executed: the journal could not record its start");
            self.release(&key, None);
            return Err(e);
        }
        tracing::info!(action_id = %entry.action_id, target = %req.target.label(),
            action = %req.action, user = req.user.as_deref().unwrap_or("-"), "action started");
        if matches!(plan, Plan::Rack) {
            return Ok(Begin::Record { key, entry });
        }
        Ok(Begin::Run { key, entry, plan })
    }

    async fn run(&self, req: &ActionRequest, entry: &JournalEntry, plan: Plan) -> ActionResult {
        let ops = self.ops();
        match plan {
            Plan::Hook { name, mut values } => {
                values.insert("action_id", entry.action_id.clone());
                self.run_hook(name, &values, req).await
            }
            Plan::SetupPools(pools) => {
                let bytes = pools::payload(&pools, &req.target);
                let call = ops.call_module(
                    pools::STRATUM_MODULE.to_string(),
                    pools::STRATUM_METHOD.to_string(),
                    bytes,
                );
                match tokio::time::timeout(NODE_OP_TIMEOUT, call).await {
                    Err(_) => ActionResult::fail(
                        "ERR_POOL_TIMEOUT",
                        "no reply from the stratum module within 65 s",
                        None,
                    ),
                    Ok(Err(e)) => ActionResult::fail(e.code, e.message, None),
                    Ok(Ok(reply)) => match pools::check_reply(&reply) {
                        Ok(v) => ActionResult::ok(
                            format!("pool config sent to {}", pools::STRATUM_MODULE),
                            Some(json!({
                                "poolConfig": pools::pool_config_info(&pools, &req.target),
                                "reply": redact_value(&v),
                            })),
                        ),
                        Err((code, msg)) => ActionResult::fail(code, msg, None),
                    },
                }
            }
            Plan::RefreshTemplate => node_result(
                "block template refreshed",
                tokio::time::timeout(NODE_OP_TIMEOUT, ops.refresh_template()).await,
            ),
            Plan::QueryStats => node_result(
                "node statistics",
                tokio::time::timeout(NODE_OP_TIMEOUT, ops.query_stats()).await,
            ),
            Plan::SubmitBlock(hex) => {
                let r = tokio::time::timeout(NODE_OP_TIMEOUT, ops.submit_block(hex)).await;
                match r {
                    Ok(Ok(v)) => submit_block_result(v),
                    other => node_result("", other),
                }
            }
            Plan::Rack => ActionResult::fail(
                "ERR_ACTION_UNSUPPORTED",
                "rack-level action reached the executor",
                None,
            ),
        }
    }

    async fn run_hook(
        &self,
        name: HookName,
        values: &std::collections::BTreeMap<&'static str, String>,
        req: &ActionRequest,
    ) -> ActionResult {
        let Some(hook) = self.cfg.hooks.get(name) else {
            return ActionResult::fail("ERR_ACTION_UNSUPPORTED", "hook not configured", None);
        };
        let argv = match hooks::render_argv(&hook.argv, values) {
            Ok(a) => a,
            Err(e) => return ActionResult::fail(crate::Coded::code(&e), e.to_string(), None),
        };
        let timeout = Duration::from_secs(hook.timeout_seconds.unwrap_or(self.cfg.hook_timeout()));
        let env = [
            ("BLVM_MININGOS_ACTION", req.action.clone()),
            (
                "BLVM_MININGOS_ACTION_ID",
                values.get("action_id").cloned().unwrap_or_default(),
            ),
            ("BLVM_MININGOS_TARGET_ID", req.target.id.clone()),
            (
                "BLVM_MININGOS_TARGET_KIND",
                req.target.kind.as_str().to_string(),
            ),
        ];
        let Ok(_slot) = self.hook_slots.acquire().await else {
            return ActionResult::fail("ERR_HOOK_SPAWN_FAILED", "hook slots closed", None);
        };
        match hooks::run(&argv, &env, timeout, self.cfg.output_cap()).await {
            Err(e) => ActionResult::fail("ERR_HOOK_SPAWN_FAILED", e.to_string(), None),
            Ok(out) => {
                let data = serde_json::to_value(&out).ok();
                if out.timed_out {
                    ActionResult::fail(
                        "ERR_HOOK_TIMEOUT",
                        format!(
                            "hook {} did not finish within {} s and was killed",
                            name.key(),
                            timeout.as_secs()
                        ),
                        data,
                    )
                } else if out.succeeded() {
                    ActionResult::ok(format!("hook {} succeeded", name.key()), data)
                } else {
                    let how = match (out.exit_code, out.signal) {
                        (Some(c), _) => format!("exited with code {c}"),
                        (None, Some(s)) => format!("was killed by signal {s}"),
                        _ => "ended abnormally".to_string(),
                    };
                    let tail: String = out
                        .stderr
                        .trim()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .chars()
                        .take(200)
                        .collect();
                    let msg = if tail.is_empty() {
                        format!("hook {} {how}", name.key())
                    } else {
                        format!("hook {} {how}: {tail}", name.key())
                    };
                    ActionResult::fail("ERR_HOOK_FAILED", msg, data)
                }
            }
        }
    }

    async fn finish_inner(
        &self,
        key: &str,
        entry: &JournalEntry,
        result: ActionResult,
        duration_ms: u64,
    ) -> Result<ActionResult, ActionError> {
        let status = if result.success {
            Status::Succeeded
        } else {
            Status::Failed
        };
        let j = self.journal.clone();
        let (k, r) = (key.to_string(), result.clone());
        let written =
            tokio::task::spawn_blocking(move || j.finished(&k, status, &r, now_ms(), duration_ms))
                .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(action_id = %entry.action_id, error = %e,
                    "action finished but the journal could not record it")
            }
            Err(e) => tracing::error!(action_id = %entry.action_id, error = %e,
                "action finished but the journal task failed"),
        }
        tracing::info!(action_id = %entry.action_id, target = %entry.target.label(),
            action = %entry.action, success = result.success,
            code = result.error.as_deref().unwrap_or("-"), duration_ms, "action finished");
        // Waiters get the result first; the best-effort publication must not delay them.
        self.release(key, Some(result.clone()));
        self.publish(entry, &result).await;
        Ok(result)
    }

    async fn publish(&self, entry: &JournalEntry, result: &ActionResult) {
        let ops = self.ops();
        if !ops.capabilities().publish_events.available {
            return;
        }
        let ev = ActionExecutedEvent {
            action_id: entry.action_id.clone(),
            action_type: entry.action.clone(),
            target: entry.target.label(),
            success: result.success,
        };
        match tokio::time::timeout(PUBLISH_TIMEOUT, ops.publish_action_executed(ev)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(action_id = %entry.action_id, error = %e, "ActionExecuted not published")
            }
            Err(_) => {
                tracing::warn!(action_id = %entry.action_id, "ActionExecuted publication timed out")
            }
        }
    }
}

enum Begin {
    Done(ActionResult),
    Run {
        key: String,
        entry: JournalEntry,
        plan: Plan,
    },
    Record {
        key: String,
        entry: JournalEntry,
    },
}

/// Idempotency key of a request (its action id must be set).
pub fn key_of(req: &ActionRequest) -> String {
    format!(
        "{}|{}|{}",
        req.action_id.as_deref().unwrap_or(""),
        req.target.label(),
        req.action
    )
}

fn local_action_id() -> String {
    format!("local-{}-{:08x}", now_ms(), rand::random::<u32>())
}

/// Maps the node's `submitblock` verdict to the action result. The verdict is BIP 22 (`null` /
/// `""` = accepted, text = the reason) or the node view's `{accepted, reason, blockHash}`.
/// Outcomes (`data.outcome`): `accepted`; `duplicate` (the node already has this block: what the
/// miner wanted has happened, so it is a success); `inconclusive` (valid but not on the best chain,
/// BIP 22 `inconclusive` / `duplicate-inconclusive`: not a success, `ERR_BLOCK_INCONCLUSIVE`);
/// anything else is `rejected` with the node's reason (`ERR_BLOCK_REJECTED`).
pub(crate) fn submit_block_result(v: Value) -> ActionResult {
    let reason = match &v {
        Value::String(s) if !s.is_empty() && s != "null" => Some(s.clone()),
        Value::Object(m) if m.get("accepted") == Some(&Value::Bool(false)) => Some(
            m.get("reason")
                .and_then(Value::as_str)
                .unwrap_or("rejected")
                .to_string(),
        ),
        _ => None,
    };
    let block_hash = v.get("blockHash").cloned().unwrap_or(Value::Null);
    let data = |outcome: &str, reason: Option<&str>| {
        Some(json!({"outcome": outcome, "reason": reason, "blockHash": block_hash, "verdict": v}))
    };
    match reason.as_deref() {
        None => ActionResult::ok("block accepted", data("accepted", None)),
        Some("duplicate") => ActionResult::ok(
            "the node already has this block (duplicate)",
            data("duplicate", Some("duplicate")),
        ),
        Some(r @ ("inconclusive" | "duplicate-inconclusive")) => ActionResult::fail(
            "ERR_BLOCK_INCONCLUSIVE",
            format!("the node kept the block but not on its best chain: {r}"),
            data("inconclusive", Some(r)),
        ),
        Some(r) => ActionResult::fail(
            "ERR_BLOCK_REJECTED",
            format!("the node rejected the block: {r}"),
            data("rejected", Some(r)),
        ),
    }
}

fn node_result(
    what: &str,
    r: Result<Result<Value, super::ops::OpsError>, tokio::time::error::Elapsed>,
) -> ActionResult {
    match r {
        Ok(Ok(v)) => ActionResult::ok(what, Some(v)),
        Ok(Err(e)) => ActionResult::fail(e.code, e.message, None),
        Err(_) => ActionResult::fail(
            "ERR_NODE_TIMEOUT",
            format!(
                "no answer from the node within {} s",
                NODE_OP_TIMEOUT.as_secs()
            ),
            None,
        ),
    }
}
