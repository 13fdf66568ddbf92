//! Shared helpers of the action engine tests: a scriptable `NodeOps`, hook scripts, temp dirs.
#![allow(dead_code)]

use blvm_miningos_core::actions::{
    ActionEngine, ActionExecutedEvent, ActionsConfig, Cap, Capabilities, FileJournal, NodeOps,
    OpsError,
};
use futures_util::future::BoxFuture;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A NodeOps whose capabilities and replies the test sets, recording every call.
pub struct MockOps {
    pub caps: Mutex<Capabilities>,
    pub calls: Mutex<Vec<(String, String, Vec<u8>)>>,
    pub published: Mutex<Vec<ActionExecutedEvent>>,
    pub module_reply: Mutex<Result<Vec<u8>, OpsError>>,
    pub submit_verdict: Mutex<Value>,
    pub node_calls: Mutex<Vec<String>>,
}

impl MockOps {
    /// Everything available; stratum answers `{"ok":true}`.
    pub fn all() -> Arc<Self> {
        Arc::new(MockOps {
            caps: Mutex::new(Capabilities {
                node: Cap::yes(),
                call_module: Cap::yes(),
                publish_events: Cap::yes(),
            }),
            calls: Mutex::new(Vec::new()),
            published: Mutex::new(Vec::new()),
            module_reply: Mutex::new(Ok(br#"{"ok":true}"#.to_vec())),
            submit_verdict: Mutex::new(Value::Null),
            node_calls: Mutex::new(Vec::new()),
        })
    }

    /// JSON-RPC only (no IPC): node yes, call_module / publish_events no.
    pub fn rpc_only() -> Arc<Self> {
        let m = Self::all();
        *m.caps.lock().unwrap() = Capabilities {
            node: Cap::yes(),
            call_module: Cap::no(
                "the module IPC is not in use (node 0.1.83 serves one connection)",
            ),
            publish_events: Cap::no("the module IPC is not in use"),
        };
        m
    }
}

impl NodeOps for MockOps {
    fn capabilities(&self) -> Capabilities {
        self.caps.lock().unwrap().clone()
    }
    fn refresh_template(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        self.node_calls
            .lock()
            .unwrap()
            .push("refreshTemplate".into());
        Box::pin(async { Ok(json!({"height": 101, "txCount": 3})) })
    }
    fn query_stats(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        self.node_calls.lock().unwrap().push("queryStats".into());
        Box::pin(async { Ok(json!({"chain": {"blocks": 100}, "mempool": {"size": 2}})) })
    }
    fn submit_block(&self, hex: String) -> BoxFuture<'_, Result<Value, OpsError>> {
        self.node_calls
            .lock()
            .unwrap()
            .push(format!("submitBlock:{}", hex.len()));
        let v = self.submit_verdict.lock().unwrap().clone();
        Box::pin(async move { Ok(v) })
    }
    fn call_module(
        &self,
        target: String,
        method: String,
        params: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, OpsError>> {
        self.calls.lock().unwrap().push((target, method, params));
        let r = self.module_reply.lock().unwrap().clone();
        Box::pin(async move { r })
    }
    fn publish_action_executed(
        &self,
        ev: ActionExecutedEvent,
    ) -> BoxFuture<'_, Result<(), OpsError>> {
        self.published.lock().unwrap().push(ev);
        Box::pin(async { Ok(()) })
    }
}

/// Writes an executable script.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// An engine over `toml` (the `[actions]` table) with a journal in `dir`.
pub fn engine(dir: &Path, toml: &str) -> ActionEngine {
    let cfg = ActionsConfig::from_toml(toml).unwrap();
    let (j, _) = FileJournal::open(dir.join("actions.jsonl")).unwrap();
    ActionEngine::new(cfg, Arc::new(j)).unwrap()
}

/// Lines of a file (empty when missing).
pub fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A miner target.
pub fn miner(id: &str, address: &str) -> blvm_miningos_core::actions::Target {
    serde_json::from_value(json!({"kind": "miner", "id": id, "address": address, "port": 4028}))
        .unwrap()
}

/// The node target.
pub fn node() -> blvm_miningos_core::actions::Target {
    serde_json::from_value(json!({"kind": "node", "id": "node-1"})).unwrap()
}

/// A request.
pub fn req(
    action_id: Option<&str>,
    target: blvm_miningos_core::actions::Target,
    action: &str,
    params: Vec<Value>,
) -> blvm_miningos_core::actions::ActionRequest {
    blvm_miningos_core::actions::ActionRequest {
        action_id: action_id.map(str::to_string),
        user: Some("op@example.com".into()),
        target,
        action: action.into(),
        params,
    }
}
