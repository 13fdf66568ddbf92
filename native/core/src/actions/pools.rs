//! `setupPools`: the pool list (from `{config}` or the rack's list), its validation, the payload for
//! the Stratum V2 module and the check of its reply.
//!
//! What is real (blvm-ipc.md §10.3): blvm-stratum-v2 registers **no** pool-config method; the only
//! contract that exists is the one the original blvm-miningos sent: `CallModule{target
//! "blvm-stratum-v2", method "update_pool_config", params JSON {action, pool_url, pool_user,
//! pool_password}}`. We send exactly those keys for the primary pool, plus two additive keys a
//! receiver may ignore: `pools` (the whole ordered list, at most 3, MiningOS style) and `miner`
//! (`{id, address}` of the thing the action targets). Against today's stratum module the node
//! rejects the method, so the action is only offered where `call_module` is available, and the
//! reply is checked (`{"ok":true}` / `{"success":true}`), never assumed.

use super::error::ActionError;
use super::types::Target;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Module the pool config goes to.
pub const STRATUM_MODULE: &str = "blvm-stratum-v2";
/// Method called on it.
pub const STRATUM_METHOD: &str = "update_pool_config";
/// Most pools a miner takes (MiningOS pads to 3).
pub const MAX_POOLS: usize = 3;
const SCHEMES: &[&str] = &[
    "stratum+tcp",
    "stratum+ssl",
    "stratum+tls",
    "stratum2+tcp",
    "stratum2+ssl",
    "stratum2+tls",
];

/// One pool, MiningOS shape (`{url, workerName, workerPassword}`; snake_case accepted too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pool {
    /// Stratum URL.
    pub url: String,
    /// Worker (user) name.
    #[serde(alias = "worker_name")]
    pub worker_name: String,
    /// Worker password (a secret: redacted in the journal, never logged).
    #[serde(default, alias = "worker_password")]
    pub worker_password: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PoolConfig {
    /// The ork's pool-config id: accepted as MiningOS sends it, not needed to apply the pools.
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<Value>,
    pool_urls: Vec<Pool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupPoolsParam {
    #[serde(default)]
    config: Option<PoolConfig>,
}

/// Checks a stratum URL: scheme stratum(2)+tcp/ssl/tls, a host, a port, no credentials, a path only
/// for `stratum2` (the authority key).
pub fn check_pool_url(url: &str) -> Result<(), ActionError> {
    // The URL is echoed redacted: a URL with a password is exactly what this check refuses.
    let shown = super::redact::redact_url(url);
    let bad =
        |why: &str| ActionError::PoolUrl(format!("pool url '{}': {why}", shown.escape_debug()));
    if url.len() > 512 {
        return Err(bad("longer than 512 bytes"));
    }
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !SCHEMES.contains(&parsed.scheme()) {
        return Err(bad(&format!(
            "scheme must be one of {}",
            SCHEMES.join(", ")
        )));
    }
    if matches!(parsed.host_str(), None | Some("")) {
        return Err(bad("no host"));
    }
    if parsed.port().is_none() {
        return Err(bad("no port"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "credentials belong in workerName / workerPassword, not in the URL",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("no query or fragment allowed"));
    }
    let has_path = !matches!(parsed.path(), "" | "/");
    if has_path && !parsed.scheme().starts_with("stratum2") {
        return Err(bad(
            "only stratum2 URLs may carry a path (the authority key)",
        ));
    }
    Ok(())
}

/// Checks a pool list (1..=3 entries, URLs, worker names, password lengths).
pub fn check_pools(pools: &[Pool]) -> Result<(), ActionError> {
    if pools.is_empty() {
        return Err(ActionError::PoolConfig("the pool list is empty".into()));
    }
    if pools.len() > MAX_POOLS {
        return Err(ActionError::PoolConfig(format!(
            "{} pools given, a miner takes at most {MAX_POOLS}",
            pools.len()
        )));
    }
    for (i, p) in pools.iter().enumerate() {
        check_pool_url(&p.url)?;
        let w = &p.worker_name;
        if w.is_empty() || w.len() > 128 || w.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(ActionError::PoolConfig(format!(
                "pool {i}: workerName must be 1..=128 characters without spaces or control characters"
            )));
        }
        if let Some(pw) = &p.worker_password {
            if pw.len() > 128 || pw.chars().any(|c| c.is_control()) {
                return Err(ActionError::PoolConfig(format!(
                    "pool {i}: workerPassword must be at most 128 characters without control characters"
                )));
            }
        }
    }
    Ok(())
}

/// Resolves the pools of a `setupPools` call: `[]` / `[{}]` → the rack's list, `[{config:
/// {poolUrls}}]` → that list. Validated.
pub fn resolve(params: &[Value], rack_pools: &[Pool]) -> Result<Vec<Pool>, ActionError> {
    let param: SetupPoolsParam = match params {
        [] => SetupPoolsParam { config: None },
        [Value::Null] => SetupPoolsParam { config: None },
        [p] => serde_json::from_value(p.clone()).map_err(|e| {
            ActionError::PoolConfig(format!(
                "setupPools takes [{{config: {{poolUrls: [{{url, workerName, workerPassword}}]}}}}] or []: {e}"
            ))
        })?,
        _ => {
            return Err(ActionError::PoolConfig(
                "setupPools takes at most one parameter".into(),
            ))
        }
    };
    let pools = match param.config {
        Some(c) => c.pool_urls,
        None if rack_pools.is_empty() => {
            return Err(ActionError::PoolConfig(
                "no config given and the rack has no pool list (thing.miner.pools)".into(),
            ))
        }
        None => rack_pools.to_vec(),
    };
    check_pools(&pools)?;
    Ok(pools)
}

/// The worker name a miner gets: `<workerName>.<thing id>` (MiningOS `setPools(pools, appendId)`).
pub fn worker_for(pool: &Pool, target: &Target) -> String {
    format!("{}.{}", pool.worker_name, target.id)
}

/// The `update_pool_config` payload (JSON bytes) for `target`.
pub fn payload(pools: &[Pool], target: &Target) -> Vec<u8> {
    let list: Vec<Value> = pools
        .iter()
        .map(
            |p| json!({"url": p.url, "user": worker_for(p, target), "password": p.worker_password}),
        )
        .collect();
    let primary = pools.first();
    let v = json!({
        "action": STRATUM_METHOD,
        "pool_url": primary.map(|p| p.url.clone()),
        "pool_user": primary.map(|p| worker_for(p, target)),
        "pool_password": primary.and_then(|p| p.worker_password.clone()),
        "pools": list,
        "miner": {"id": target.id, "address": target.address},
    });
    v.to_string().into_bytes()
}

/// `info.poolConfig` to record on success: `[{url, username}]` (no password).
pub fn pool_config_info(pools: &[Pool], target: &Target) -> Value {
    Value::Array(
        pools
            .iter()
            .map(|p| json!({"url": p.url, "username": worker_for(p, target)}))
            .collect(),
    )
}

/// Checks the stratum module's reply: `Ok(reply JSON)` when it says ok, else `(code, message)`.
pub fn check_reply(bytes: &[u8]) -> Result<Value, (&'static str, String)> {
    if bytes.is_empty() {
        return Err((
            "ERR_POOL_REPLY_INVALID",
            "empty reply from the stratum module".into(),
        ));
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        (
            "ERR_POOL_REPLY_INVALID",
            format!("reply from the stratum module is not JSON: {e}"),
        )
    })?;
    if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
        let text = err
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| err.to_string());
        return Err(("ERR_POOL_REJECTED", format!("stratum module: {text}")));
    }
    let flag = v
        .get("ok")
        .or_else(|| v.get("success"))
        .and_then(Value::as_bool);
    match flag {
        Some(true) => Ok(v),
        Some(false) => Err((
            "ERR_POOL_REJECTED",
            "stratum module answered ok=false".into(),
        )),
        None => Err((
            "ERR_POOL_REPLY_INVALID",
            "reply from the stratum module carries neither ok nor success".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::catalogue::TargetKind;

    fn target() -> Target {
        Target {
            kind: TargetKind::Miner,
            id: "m1".into(),
            address: Some("10.0.0.2".into()),
            port: None,
        }
    }

    #[test]
    fn urls() {
        for ok in [
            "stratum+tcp://pool.example:3333",
            "stratum2+tcp://127.0.0.1:3336/9awtMD5KQgvRUh2yFbjVeT7b6hjipWcAsQHd6wEhgtDT9soosna",
            "stratum+ssl://[::1]:443",
        ] {
            assert!(check_pool_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://pool:3333",
            "stratum+tcp://pool",
            "stratum+tcp://u:p@pool:3333",
            "stratum+tcp://pool:3333/path",
            "not a url",
            "stratum+tcp://pool:3333?x=1",
        ] {
            assert!(check_pool_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn payload_has_legacy_keys_and_appends_thing_id() {
        let pools = vec![Pool {
            url: "stratum+tcp://p:3333".into(),
            worker_name: "acct".into(),
            worker_password: Some("x".into()),
        }];
        let v: Value = serde_json::from_slice(&payload(&pools, &target())).unwrap_or_default();
        assert_eq!(v["action"], "update_pool_config");
        assert_eq!(v["pool_url"], "stratum+tcp://p:3333");
        assert_eq!(v["pool_user"], "acct.m1");
        assert_eq!(v["pool_password"], "x");
        assert_eq!(v["pools"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn replies() {
        assert!(check_reply(br#"{"ok":true}"#).is_ok());
        assert_eq!(
            check_reply(br#"{"ok":false}"#).err().map(|e| e.0),
            Some("ERR_POOL_REJECTED")
        );
        assert_eq!(
            check_reply(br#"{"error":"bad url"}"#).err().map(|e| e.0),
            Some("ERR_POOL_REJECTED")
        );
        assert_eq!(
            check_reply(b"").err().map(|e| e.0),
            Some("ERR_POOL_REPLY_INVALID")
        );
        assert_eq!(
            check_reply(b"xx").err().map(|e| e.0),
            Some("ERR_POOL_REPLY_INVALID")
        );
        assert_eq!(
            check_reply(b"{}").err().map(|e| e.0),
            Some("ERR_POOL_REPLY_INVALID")
        );
    }

    #[test]
    fn resolve_rules() {
        let rack = vec![Pool {
            url: "stratum+tcp://p:3333".into(),
            worker_name: "w".into(),
            worker_password: None,
        }];
        assert_eq!(resolve(&[], &rack).map(|p| p.len()).ok(), Some(1));
        assert!(resolve(&[], &[]).is_err());
        let cfg = serde_json::json!({"config": {"id": 3, "poolUrls": [
            {"url": "stratum2+tcp://a:1", "workerName": "x", "workerPassword": "y"},
            {"url": "stratum+tcp://b:2", "worker_name": "x"}]}});
        assert_eq!(resolve(&[cfg], &[]).map(|p| p.len()).ok(), Some(2));
        let four = serde_json::json!({"config": {"poolUrls": [
            {"url": "stratum+tcp://a:1", "workerName": "x"}, {"url": "stratum+tcp://a:1", "workerName": "x"},
            {"url": "stratum+tcp://a:1", "workerName": "x"}, {"url": "stratum+tcp://a:1", "workerName": "x"}]}});
        assert!(resolve(&[four], &[]).is_err());
        assert!(resolve(&[serde_json::json!({"other": 1})], &rack).is_err());
    }
}
