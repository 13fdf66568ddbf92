//! [`NodeOps`] over the [`NodeView`]: what the engine uses in the real worker.
//!
//! - capabilities come from the view's status: `node` = the JSON-RPC channel is reachable;
//!   `call_module` / `publish_events` = the module IPC is connected **and** the capability is in
//!   `[node] capabilities` (what the node grants). The reasons are the view's own (for example
//!   the IPC safety policy on node 0.1.83).
//! - `refresh_template` = `getblocktemplate` (summary: height, previous block, transactions,
//!   coinbase value, bits, curtime); `query_stats` = `getblockchaininfo`, `getnetworkinfo`,
//!   `getmempoolinfo`, `getmininginfo` in parallel (a section that fails is reported as
//!   `{error: {code, message}}`, all failing is an error); `submit_block` = `submitblock`
//!   (JSON-RPC: the IPC `SubmitBlock` never succeeds on 0.1.83).
//! - `call_module` / `publish_action_executed` go through the view's IPC (JSON in, JSON out).

use super::ops::{ActionExecutedEvent, Cap, Capabilities, NodeOps, OpsError};
use crate::node::{NodeError, NodeView};
use crate::Coded;
use futures_util::future::BoxFuture;
use serde_json::{json, Value};
use std::sync::Arc;

/// The node view as the engine's [`NodeOps`].
#[derive(Clone)]
pub struct NodeViewOps {
    view: Arc<NodeView>,
}

impl NodeViewOps {
    /// Wraps a (started) view.
    pub fn new(view: Arc<NodeView>) -> Self {
        NodeViewOps { view }
    }
}

fn ops_err(e: NodeError) -> OpsError {
    OpsError::new(e.code(), e.to_string())
}

fn section<T: serde::Serialize>(r: Result<T, NodeError>) -> (bool, Value) {
    match r {
        Ok(v) => (true, serde_json::to_value(v).unwrap_or(Value::Null)),
        Err(e) => (
            false,
            json!({"error": {"code": e.code(), "message": e.to_string()}}),
        ),
    }
}

impl NodeOps for NodeViewOps {
    fn capabilities(&self) -> Capabilities {
        let st = self.view.status();
        let rpc = &st["channels"]["rpc"];
        let node = match rpc["reachable"].as_bool() {
            Some(true) => Cap::yes(),
            Some(false) => Cap::no(format!(
                "the node's JSON-RPC is unreachable: {}",
                rpc["last_error"]["message"].as_str().unwrap_or("no answer")
            )),
            None => Cap::no("the node has not been reached yet"),
        };
        let ipc = &st["channels"]["ipc"];
        let connected = ipc["state"].as_str() == Some("connected");
        let granted = |cap: &str| {
            st["capabilities"]["granted"]
                .as_array()
                .is_some_and(|a| a.iter().any(|c| c.as_str() == Some(cap)))
        };
        let ipc_cap = |cap: &str| {
            if !connected {
                Cap::no(format!(
                    "the module IPC is not in use ({}): {}",
                    ipc["state"].as_str().unwrap_or("unknown"),
                    ipc["reason"].as_str().unwrap_or("no reason given")
                ))
            } else if !granted(cap) {
                Cap::no(format!(
                    "the node does not grant {cap} (add it to [node] capabilities once the node grants it)"
                ))
            } else {
                Cap::yes()
            }
        };
        Capabilities {
            node,
            call_module: ipc_cap("call_module"),
            publish_events: ipc_cap("publish_events"),
        }
    }

    fn refresh_template(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(async move {
            let t = self.view.get_block_template().await.map_err(ops_err)?;
            Ok(json!({
                "height": t.height,
                "previousblockhash": t.previousblockhash,
                "transactions": t.transactions.len(),
                "coinbasevalue": t.coinbasevalue,
                "bits": t.bits,
                "curtime": t.curtime,
            }))
        })
    }

    fn query_stats(&self) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(async move {
            let (chain, network, mempool, mining) = tokio::join!(
                self.view.get_blockchain_info(),
                self.view.get_network_info(),
                self.view.get_mempool_info(),
                self.view.get_mining_info(),
            );
            let parts = [
                ("chain", section(chain)),
                ("network", section(network)),
                ("mempool", section(mempool)),
                ("mining", section(mining)),
            ];
            if parts.iter().all(|(_, (ok, _))| !ok) {
                let first = parts[0].1 .1["error"].clone();
                return Err(OpsError::new(
                    first["code"].as_str().unwrap_or("ERR_NODE_UNAVAILABLE"),
                    first["message"]
                        .as_str()
                        .unwrap_or("no statistics available"),
                ));
            }
            Ok(Value::Object(
                parts
                    .into_iter()
                    .map(|(k, (_, v))| (k.to_string(), v))
                    .collect(),
            ))
        })
    }

    fn submit_block(&self, block_hex: String) -> BoxFuture<'_, Result<Value, OpsError>> {
        Box::pin(async move {
            let r = self.view.submit_block(&block_hex).await.map_err(ops_err)?;
            Ok(json!({"accepted": r.accepted, "reason": r.reason, "blockHash": r.block_hash}))
        })
    }

    fn call_module(
        &self,
        target: String,
        method: String,
        params: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, OpsError>> {
        Box::pin(async move {
            let params: Value = serde_json::from_slice(&params).map_err(|e| {
                OpsError::new("ERR_INVALID_ARGUMENT", format!("call_module params: {e}"))
            })?;
            let reply = self
                .view
                .call_module(&target, &method, params)
                .await
                .map_err(ops_err)?;
            Ok(reply.to_string().into_bytes())
        })
    }

    fn publish_action_executed(
        &self,
        ev: ActionExecutedEvent,
    ) -> BoxFuture<'_, Result<(), OpsError>> {
        Box::pin(async move {
            self.view
                .publish_event(
                    "ActionExecuted",
                    json!({"action_id": ev.action_id, "action_type": ev.action_type,
                        "target": ev.target, "success": ev.success}),
                )
                .await
                .map_err(ops_err)
        })
    }
}
