//! The JSON-RPC client: one `reqwest` client, basic auth from the cookie (re-read on 401 and after
//! the node was unreachable) or from `rpc_user` + password.

use super::{types::*, RpcError};
use crate::config::{RpcAuthConfig, Secret};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// What the client needs: where, how to authenticate, how long to wait.
#[derive(Debug, Clone)]
pub struct RpcClientConfig {
    /// `http://127.0.0.1:<port>` (loopback) or an `https` URL.
    pub url: String,
    /// Credentials.
    pub auth: RpcAuthConfig,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// A JSON-RPC client for the node. Cheap to share behind an `Arc`; all methods take `&self`.
#[derive(Debug)]
pub struct RpcClient {
    http: reqwest::Client,
    url: String,
    auth: RpcAuthConfig,
    creds: Mutex<Option<(String, Secret)>>,
    next_id: AtomicU64,
}

/// Accepts a 64-hex block hash (any case), refusing anything else before it is sent.
fn check_hash(method: &str, hash: &str) -> Result<(), RpcError> {
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(RpcError::BadRequest {
            method: method.to_string(),
            reason: format!(
                "block hash must be 64 hex digits, got {:?}",
                truncate(hash, 80)
            ),
        })
    }
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The block hash of a serialized block (hex): double SHA-256 of the 80-byte header, byte-reversed.
pub(crate) fn block_hash_of_hex(block_hex: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let header = hex::decode(block_hex.get(..160)?).ok()?;
    let h = Sha256::digest(Sha256::digest(&header));
    let mut bytes = h.to_vec();
    bytes.reverse();
    Some(hex::encode(bytes))
}

async fn read_cookie(path: &Path, url: &str) -> Result<(String, Secret), RpcError> {
    let text = tokio::fs::read_to_string(path).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            RpcError::Unavailable {
                url: url.to_string(),
                reason: format!(
                    "cookie file {} not found (node not running?)",
                    path.display()
                ),
            }
        } else {
            RpcError::Auth {
                url: url.to_string(),
                reason: format!("cannot read cookie file {}: {e}", path.display()),
            }
        }
    })?;
    let line = text.lines().next().unwrap_or("").trim();
    match line.split_once(':') {
        Some((user, pass)) if !user.is_empty() && !pass.is_empty() => {
            Ok((user.to_string(), Secret::new(pass)))
        }
        _ => Err(RpcError::Auth {
            url: url.to_string(),
            reason: format!("cookie file {} is not `user:password`", path.display()),
        }),
    }
}

impl RpcClient {
    /// Builds a client. Nothing is sent until the first call.
    pub fn new(cfg: RpcClientConfig) -> Result<Self, RpcError> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .no_proxy()
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|e| RpcError::Unavailable {
                url: cfg.url.clone(),
                reason: format!("cannot build HTTP client: {e}"),
            })?;
        Ok(RpcClient {
            http,
            url: cfg.url,
            auth: cfg.auth,
            creds: Mutex::new(None),
            next_id: AtomicU64::new(1),
        })
    }

    /// The node URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The cookie file, when cookie auth is used.
    pub fn cookie_file(&self) -> Option<PathBuf> {
        match &self.auth {
            RpcAuthConfig::Cookie { file } => Some(file.clone()),
            _ => None,
        }
    }

    /// Forgets cached cookie credentials, so the next call re-reads the cookie file.
    pub fn invalidate_credentials(&self) {
        if let Ok(mut c) = self.creds.lock() {
            *c = None;
        }
    }

    async fn credentials(&self, reread: bool) -> Result<Option<(String, Secret)>, RpcError> {
        match &self.auth {
            RpcAuthConfig::None => Ok(None),
            RpcAuthConfig::UserPassword { user, password } => {
                Ok(Some((user.clone(), password.clone())))
            }
            RpcAuthConfig::Cookie { file } => {
                if !reread {
                    if let Some(c) = self.creds.lock().ok().and_then(|c| c.clone()) {
                        return Ok(Some(c));
                    }
                }
                let c = read_cookie(file, &self.url).await?;
                if let Ok(mut slot) = self.creds.lock() {
                    *slot = Some(c.clone());
                }
                Ok(Some(c))
            }
        }
    }

    /// Calls `method` with positional `params` and decodes the result as `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<T, RpcError> {
        let result = self.call_value(method, params).await?;
        serde_json::from_value(result).map_err(|e| RpcError::BadResponse {
            method: method.to_string(),
            reason: format!("unexpected result shape: {e}"),
        })
    }

    /// Calls `method` and returns the raw `result`.
    pub async fn call_value(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let r = self.send(method, &params, false).await;
        match r {
            Err(RpcError::Auth { .. }) if matches!(self.auth, RpcAuthConfig::Cookie { .. }) => {
                // the node may have restarted with a new cookie: re-read it once
                tracing::debug!(method, "JSON-RPC auth refused, re-reading the cookie");
                self.send(method, &params, true).await
            }
            Err(e @ RpcError::Unavailable { .. }) => {
                self.invalidate_credentials();
                Err(e)
            }
            other => other,
        }
    }

    async fn send(&self, method: &str, params: &Value, reread: bool) -> Result<Value, RpcError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "1.0", "id": id, "method": method, "params": params});
        let mut req = self.http.post(&self.url).json(&body);
        if let Some((user, pass)) = self.credentials(reread).await? {
            req = req.basic_auth(user, Some(pass.expose()));
        }
        let resp = req.send().await.map_err(|e| RpcError::Unavailable {
            url: self.url.clone(),
            reason: if e.is_timeout() {
                "request timed out".to_string()
            } else if e.is_connect() {
                "connection failed (node down?)".to_string()
            } else {
                format!("request failed: {}", without_url(&e))
            },
        })?;
        let status = resp.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(RpcError::Auth {
                url: self.url.clone(),
                reason: format!("HTTP {}", status.as_u16()),
            });
        }
        let bytes = resp.bytes().await.map_err(|e| RpcError::Unavailable {
            url: self.url.clone(),
            reason: format!("reading the answer failed: {}", without_url(&e)),
        })?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| RpcError::BadResponse {
            method: method.to_string(),
            reason: format!(
                "HTTP {} with a body that is not JSON ({} bytes)",
                status.as_u16(),
                bytes.len()
            ),
        })?;
        match v.get("error") {
            Some(Value::Null) | None => {}
            Some(err) => {
                return Err(RpcError::Rpc {
                    method: method.to_string(),
                    code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                    message: err
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("(no message)")
                        .to_string(),
                })
            }
        }
        if !status.is_success() {
            return Err(RpcError::BadResponse {
                method: method.to_string(),
                reason: format!("HTTP {} without a JSON-RPC error", status.as_u16()),
            });
        }
        match v {
            Value::Object(mut m) if m.contains_key("result") => {
                Ok(m.remove("result").unwrap_or(Value::Null))
            }
            _ => Err(RpcError::BadResponse {
                method: method.to_string(),
                reason: "no `result` in the answer".to_string(),
            }),
        }
    }

    /// `getnetworkinfo`.
    pub async fn get_network_info(&self) -> Result<NetworkInfo, RpcError> {
        self.call("getnetworkinfo", json!([])).await
    }

    /// `getbestblockhash`.
    pub async fn get_best_block_hash(&self) -> Result<String, RpcError> {
        let h: String = self.call("getbestblockhash", json!([])).await?;
        check_hash("getbestblockhash", &h).map_err(|_| RpcError::BadResponse {
            method: "getbestblockhash".into(),
            reason: format!("not a block hash: {:?}", truncate(&h, 80)),
        })?;
        Ok(h)
    }

    /// `getblockchaininfo`.
    pub async fn get_blockchain_info(&self) -> Result<BlockchainInfo, RpcError> {
        self.call("getblockchaininfo", json!([])).await
    }

    /// `getblock <hash> <verbosity>` with verbosity 1 (tx ids) or 2 (tx objects).
    pub async fn get_block(&self, hash: &str, verbosity: u8) -> Result<Block, RpcError> {
        check_hash("getblock", hash)?;
        if !(1..=2).contains(&verbosity) {
            return Err(RpcError::BadRequest {
                method: "getblock".into(),
                reason: format!("verbosity must be 1 or 2, got {verbosity}"),
            });
        }
        self.call("getblock", json!([hash, verbosity])).await
    }

    /// `getblockheader <hash> true`.
    pub async fn get_block_header(&self, hash: &str) -> Result<BlockHeader, RpcError> {
        check_hash("getblockheader", hash)?;
        self.call("getblockheader", json!([hash, true])).await
    }

    /// `getblocktemplate {"rules": ["segwit"]}`.
    pub async fn get_block_template(&self) -> Result<BlockTemplate, RpcError> {
        self.call("getblocktemplate", json!([{"rules": ["segwit"]}]))
            .await
    }

    /// `submitblock <hex>`: `accepted` when the node answers `null`.
    pub async fn submit_block(&self, block_hex: &str) -> Result<SubmitResult, RpcError> {
        let block_hash = match block_hash_of_hex(block_hex) {
            Some(h)
                if block_hex.len() & 1 == 0 && block_hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                h
            }
            _ => {
                return Err(RpcError::BadRequest {
                    method: "submitblock".into(),
                    reason: "block must be hex with at least an 80-byte header".into(),
                })
            }
        };
        let v = self.call_value("submitblock", json!([block_hex])).await?;
        match v {
            Value::Null => Ok(SubmitResult {
                accepted: true,
                reason: None,
                block_hash,
            }),
            Value::String(s) => Ok(SubmitResult {
                accepted: false,
                reason: Some(s),
                block_hash,
            }),
            other => Err(RpcError::BadResponse {
                method: "submitblock".into(),
                reason: format!("expected null or a string, got {other}"),
            }),
        }
    }

    /// `getmempoolinfo`.
    pub async fn get_mempool_info(&self) -> Result<MempoolInfo, RpcError> {
        self.call("getmempoolinfo", json!([])).await
    }

    /// `getrawmempool false`: the txids.
    pub async fn get_raw_mempool(&self) -> Result<Vec<String>, RpcError> {
        self.call("getrawmempool", json!([false])).await
    }

    /// `estimatesmartfee <conf_target>` (1..=1008).
    pub async fn estimate_smart_fee(&self, conf_target: u32) -> Result<SmartFee, RpcError> {
        if !(1..=1008).contains(&conf_target) {
            return Err(RpcError::BadRequest {
                method: "estimatesmartfee".into(),
                reason: format!("conf_target must be 1..=1008, got {conf_target}"),
            });
        }
        self.call("estimatesmartfee", json!([conf_target])).await
    }

    /// `getpeerinfo`.
    pub async fn get_peer_info(&self) -> Result<Vec<PeerInfo>, RpcError> {
        self.call("getpeerinfo", json!([])).await
    }

    /// `getnettotals`.
    pub async fn get_net_totals(&self) -> Result<NetTotals, RpcError> {
        self.call("getnettotals", json!([])).await
    }

    /// `getmininginfo`.
    pub async fn get_mining_info(&self) -> Result<MiningInfo, RpcError> {
        self.call("getmininginfo", json!([])).await
    }

    /// `uptime` in seconds.
    pub async fn uptime(&self) -> Result<u64, RpcError> {
        self.call("uptime", json!([])).await
    }
}

/// reqwest's error text without the URL (it may carry credentials in other setups).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<url>");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_hash_of_genesis_header() {
        let genesis = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
        assert_eq!(
            block_hash_of_hex(genesis).as_deref(),
            Some("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
        );
        assert_eq!(block_hash_of_hex("00"), None);
        assert_eq!(block_hash_of_hex(&"zz".repeat(80)), None);
    }

    #[test]
    fn hash_check() {
        assert!(check_hash("m", &"a".repeat(64)).is_ok());
        assert!(check_hash("m", &"a".repeat(63)).is_err());
        assert!(check_hash("m", &"g".repeat(64)).is_err());
    }
}
