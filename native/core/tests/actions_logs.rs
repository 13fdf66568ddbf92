//! No secret in any log line or journal record: setupPools with a pool password, a stratum reply
//! echoing it, a re-delivery, and a URL with credentials, all logged at TRACE level.

mod actions_common;

use actions_common::*;
use serde_json::json;
use std::sync::Arc;

/// A `tracing` writer that keeps every formatted log line.
#[derive(Clone, Default)]
struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_in_any_log_line() {
    let cap = Capture::default();
    let w = cap.clone();
    let sub = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || w.clone())
        .with_ansi(false)
        .finish();
    // The global dispatcher, in a test binary of its own: a thread-scoped one can miss events
    // whose callsite interest another test thread cached first.
    tracing::subscriber::set_global_default(sub).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), "");
    let ops = MockOps::all();
    e.set_node_ops(ops.clone());
    let secret = "hunter2-pool-secret";
    let cfg = json!({"config": {"poolUrls": [
        {"url": "stratum+tcp://pool.example:3333", "workerName": "acct", "workerPassword": secret}]}});
    e.execute(req(
        Some("80"),
        miner("m1", "10.0.0.2"),
        "setupPools",
        vec![cfg.clone()],
    ))
    .await
    .unwrap();
    *ops.module_reply.lock().unwrap() =
        Ok(format!(r#"{{"error":"bad","pool_password":"{secret}"}}"#).into_bytes());
    e.execute(req(
        Some("81"),
        miner("m1", "10.0.0.2"),
        "setupPools",
        vec![cfg.clone()],
    ))
    .await
    .unwrap();
    e.execute(req(
        Some("80"),
        miner("m1", "10.0.0.2"),
        "setupPools",
        vec![cfg],
    ))
    .await
    .unwrap();
    let bad = json!({"config": {"poolUrls": [
        {"url": format!("stratum+tcp://acct:{secret}@pool:3333"), "workerName": "acct"}]}});
    let err = e
        .execute(req(
            Some("82"),
            miner("m1", "10.0.0.2"),
            "setupPools",
            vec![bad],
        ))
        .await
        .unwrap_err();
    let logs = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("action finished"), "logs captured: {logs}");
    assert!(logs.contains("action rejected"));
    assert!(!logs.contains(secret), "secret in logs:\n{logs}");
    let journal = std::fs::read_to_string(dir.path().join("actions.jsonl")).unwrap();
    assert!(!journal.contains(secret), "secret in journal:\n{journal}");
    // The error a UI shows for a URL with credentials does not echo them either.
    assert!(!err.to_string().contains(secret), "{err}");
}
