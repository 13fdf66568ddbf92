//! The engine end to end (without the rack): catalogue and votes, validation codes, hook-backed
//! actions writing marker files, setupPools through a scripted NodeOps, node actions, idempotency
//! across a reopen, rack-level begin/finish, ActionExecuted publication, no secret in any log line.

mod actions_common;

use actions_common::*;
use blvm_miningos_core::actions::{
    ActionEngine, ActionsConfig, FileJournal, HistoryQuery, OpsError, Status, TargetKind,
};
use blvm_miningos_core::Coded;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

fn hooks_toml(dir: &std::path::Path) -> String {
    let rec = script(
        dir,
        "rec.sh",
        &format!(
            "echo \"$BLVM_MININGOS_ACTION $*\" >> '{}'",
            dir.join("marker").display()
        ),
    );
    let r = rec.display();
    format!(
        r#"
[actions.votes]
reboot = 2
[actions.hooks.miner_reboot]
argv = ["{r}", "reboot", "{{address}}", "{{port}}", "{{id}}"]
[actions.hooks.miner_set_power_mode]
argv = ["{r}", "mode", "{{address}}", "{{mode}}"]
[actions.hooks.miner_set_led]
argv = ["{r}", "led", "{{address}}", "{{led}}", "{{enabled}}"]
[actions.hooks.node_set_power_mode]
enabled = true
argv = ["{r}", "host", "{{mode}}"]
"#
    )
}

#[tokio::test]
async fn catalogue_whitelist_follows_config_and_capabilities() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), "");
    // Nothing configured, node not connected: only the rack-level actions.
    let wl = e.whitelist();
    assert_eq!(
        wl,
        vec![
            ("registerThing".to_string(), 1),
            ("updateThing".to_string(), 1),
            ("forgetThings".to_string(), 1),
            ("rackReboot".to_string(), 2)
        ]
    );
    let calls = e.write_calls();
    let setled = calls
        .iter()
        .find(|c| c.action == "setLED" && c.kind == TargetKind::Miner)
        .unwrap();
    assert_eq!(setled.code.as_deref(), Some("ERR_ACTION_UNSUPPORTED"));
    let hostreboot = calls
        .iter()
        .find(|c| c.action == "reboot" && c.kind == TargetKind::Node)
        .unwrap();
    assert_eq!(hostreboot.code.as_deref(), Some("ERR_ACTION_DISABLED"));

    let e = engine(dir.path(), &hooks_toml(dir.path()));
    e.set_node_ops(MockOps::rpc_only());
    let wl: Vec<String> = e.whitelist().into_iter().map(|(a, _)| a).collect();
    for a in [
        "reboot",
        "setPowerMode",
        "setLED",
        "refreshTemplate",
        "queryStats",
        "submitBlock",
    ] {
        assert!(wl.contains(&a.to_string()), "{a} missing from {wl:?}");
    }
    assert!(
        !wl.contains(&"setupPools".to_string()),
        "no call_module → no setupPools"
    );
    assert_eq!(
        e.whitelist()
            .iter()
            .find(|(a, _)| a == "reboot")
            .map(|x| x.1),
        Some(2)
    );
    e.set_node_ops(MockOps::all());
    assert!(e.whitelist().iter().any(|(a, _)| a == "setupPools"));
}

#[tokio::test]
async fn validation_codes() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), &hooks_toml(dir.path()));
    e.set_node_ops(MockOps::rpc_only());
    let m = miner("m1", "10.0.0.2");
    let code = |t: &_, a: &str, p: Vec<Value>| e.validate(t, a, &p).err().map(|e| e.code());
    assert_eq!(code(&m, "setPowerMode", vec![json!("normal")]), None);
    assert_eq!(
        code(&m, "setPowerMode", vec![json!("turbo")]),
        Some("ERR_POWER_MODE_INVALID")
    );
    assert_eq!(
        code(&m, "setPowerMode", vec![]),
        Some("ERR_POWER_MODE_INVALID")
    );
    assert_eq!(
        code(&node(), "setPowerMode", vec![json!("high")]),
        Some("ERR_POWER_MODE_INVALID")
    );
    assert_eq!(
        code(&m, "setLED", vec![json!("yes")]),
        Some("ERR_LED_INVALID")
    );
    assert_eq!(code(&m, "setLED", vec![json!(true)]), None);
    assert_eq!(
        code(&m, "reboot", vec![json!(1)]),
        Some("ERR_ACTION_PARAMS_INVALID")
    );
    assert_eq!(code(&m, "explode", vec![]), Some("ERR_ACTION_UNKNOWN"));
    assert_eq!(code(&m, "submitBlock", vec![]), Some("ERR_ACTION_UNKNOWN"));
    assert_eq!(
        code(&m, "setupPools", vec![]),
        Some("ERR_ACTION_UNAVAILABLE")
    );
    assert_eq!(code(&node(), "reboot", vec![]), Some("ERR_ACTION_DISABLED"));
    assert_eq!(
        code(&node(), "submitBlock", vec![json!("abc")]),
        Some("ERR_BLOCK_HEX_INVALID")
    );
    assert_eq!(
        code(&node(), "submitBlock", vec![json!("zz".repeat(200))]),
        Some("ERR_BLOCK_HEX_INVALID")
    );
    assert_eq!(
        code(&node(), "submitBlock", vec![json!("00".repeat(200))]),
        None
    );
    // A miner with no address cannot run a hook that needs {address}.
    let bare: blvm_miningos_core::actions::Target =
        serde_json::from_value(json!({"kind": "miner", "id": "m2"})).unwrap();
    assert_eq!(
        code(&bare, "reboot", vec![]),
        Some("ERR_HOOK_PLACEHOLDER_INVALID")
    );
    let evil: Result<blvm_miningos_core::actions::Target, _> =
        serde_json::from_value(json!({"kind": "miner", "id": "m3", "address": "-oProxy=x"}));
    assert_eq!(
        code(&evil.unwrap(), "reboot", vec![]),
        Some("ERR_ACTION_TARGET_INVALID")
    );
    // Pools.
    e.set_node_ops(MockOps::all());
    let bad_url = json!({"config": {"poolUrls": [{"url": "http://pool:80", "workerName": "w"}]}});
    assert_eq!(
        code(&m, "setupPools", vec![bad_url]),
        Some("ERR_POOL_URL_INVALID")
    );
    assert_eq!(
        code(&m, "setupPools", vec![]),
        Some("ERR_POOL_CONFIG_INVALID")
    );
    // Rack-level shapes.
    let rack: blvm_miningos_core::actions::Target =
        serde_json::from_value(json!({"kind": "rack", "id": "miner-blvm-sv2-r1"})).unwrap();
    assert_eq!(
        code(&rack, "updateThing", vec![json!({})]),
        Some("ERR_ACTION_PARAMS_INVALID")
    );
    assert_eq!(code(&rack, "updateThing", vec![json!({"id": "m1"})]), None);
    assert_eq!(code(&rack, "rackReboot", vec![]), None);
    // Master switch.
    let off = engine(dir.path(), "[actions]\nenabled = false");
    assert_eq!(
        off.validate(&rack, "rackReboot", &[])
            .err()
            .map(|e| e.code()),
        Some("ERR_ACTION_DISABLED")
    );
    assert!(off.whitelist().is_empty());
}

#[tokio::test]
async fn hook_actions_run_once_per_action_and_target_even_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let toml = hooks_toml(dir.path());
    let e = engine(dir.path(), &toml);
    let r = e
        .execute(req(Some("1700"), miner("m1", "10.0.0.2"), "reboot", vec![]))
        .await
        .unwrap();
    assert!(r.success, "{r:?}");
    assert_eq!(lines(&marker), vec!["reboot reboot 10.0.0.2 4028 m1"]);
    let r = e
        .execute(req(
            Some("1701"),
            miner("m1", "10.0.0.2"),
            "setPowerMode",
            vec![json!("sleep")],
        ))
        .await
        .unwrap();
    assert!(r.success);
    let r = e
        .execute(req(
            Some("1702"),
            miner("m1", "10.0.0.2"),
            "setLED",
            vec![json!(false)],
        ))
        .await
        .unwrap();
    assert!(r.success);
    assert_eq!(
        lines(&marker)[1..],
        [
            "setPowerMode mode 10.0.0.2 sleep",
            "setLED led 10.0.0.2 off false"
        ]
    );

    // Re-delivery: recorded result, nothing runs.
    let again = e
        .execute(req(Some("1700"), miner("m1", "10.0.0.2"), "reboot", vec![]))
        .await
        .unwrap();
    assert!(again.success);
    assert_eq!(lines(&marker).len(), 3);
    // Same action id, another target: a different call of the same MiningOS action.
    e.execute(req(Some("1700"), miner("m2", "10.0.0.3"), "reboot", vec![]))
        .await
        .unwrap();
    assert_eq!(lines(&marker).len(), 4);
    drop(e);

    // A new engine over the same journal file (a restart) still refuses to run 1700 twice.
    let e = engine(dir.path(), &toml);
    let again = e
        .execute(req(Some("1700"), miner("m1", "10.0.0.2"), "reboot", vec![]))
        .await
        .unwrap();
    assert!(again.success);
    assert_eq!(lines(&marker).len(), 4);
    let st = e.status("1700");
    assert_eq!(st.len(), 2);
    assert!(st.iter().all(|s| s.status == Status::Succeeded));
    let hist = e.history(&HistoryQuery::default());
    assert_eq!(hist.len(), 4);
    assert_eq!(hist[0].action_id, "1700", "newest first");
    assert_eq!(hist[0].user.as_deref(), Some("op@example.com"));
    assert!(hist.iter().all(|h| h.duration_ms.is_some()));
}

#[tokio::test]
async fn concurrent_redelivery_runs_the_hook_once() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("slow-marker");
    let s = script(
        dir.path(),
        "slow.sh",
        &format!("echo run >> '{}'; sleep 0.5", marker.display()),
    );
    let e = Arc::new(engine(
        dir.path(),
        &format!("[actions.hooks.miner_reboot]\nargv = [\"{}\"]", s.display()),
    ));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let e = e.clone();
        tasks.push(tokio::spawn(async move {
            e.execute(req(Some("42"), miner("m1", "10.0.0.2"), "reboot", vec![]))
                .await
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().unwrap().success);
    }
    assert_eq!(lines(&marker).len(), 1);
}

#[tokio::test]
async fn failing_and_hanging_hooks_are_failures_with_codes() {
    let dir = tempfile::tempdir().unwrap();
    let fail = script(
        dir.path(),
        "fail.sh",
        "echo 'no route to miner' >&2; exit 7",
    );
    let hang = script(dir.path(), "hang.sh", "sleep 30");
    let e = engine(
        dir.path(),
        &format!(
            "[actions.hooks.miner_reboot]\nargv = [\"{}\"]\n[actions.hooks.miner_set_led]\nargv = [\"{}\"]\ntimeout_seconds = 1",
            fail.display(),
            hang.display()
        ),
    );
    let r = e
        .execute(req(Some("1"), miner("m1", "10.0.0.2"), "reboot", vec![]))
        .await
        .unwrap();
    assert!(!r.success);
    assert_eq!(r.error.as_deref(), Some("ERR_HOOK_FAILED"));
    assert!(
        r.message
            .as_deref()
            .unwrap()
            .contains("code 7: no route to miner"),
        "{r:?}"
    );
    let t = std::time::Instant::now();
    let r = e
        .execute(req(
            Some("2"),
            miner("m1", "10.0.0.2"),
            "setLED",
            vec![json!(true)],
        ))
        .await
        .unwrap();
    assert_eq!(r.error.as_deref(), Some("ERR_HOOK_TIMEOUT"));
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(e.status("2")[0].status, Status::Failed);
}

#[tokio::test]
async fn rejected_actions_are_audited_but_not_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), "");
    let err = e
        .execute(req(Some("9"), miner("m1", "10.0.0.2"), "reboot", vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_ACTION_UNSUPPORTED");
    let h = e.history(&HistoryQuery::default());
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].status, Status::Rejected);
    // After the operator adds the hook, the same action id is not blocked by the rejection.
    let s = script(dir.path(), "ok.sh", "exit 0");
    let e = engine(
        dir.path(),
        &format!("[actions.hooks.miner_reboot]\nargv = [\"{}\"]", s.display()),
    );
    assert!(
        e.execute(req(Some("9"), miner("m1", "10.0.0.2"), "reboot", vec![]))
            .await
            .unwrap()
            .success
    );
}

#[tokio::test]
async fn setup_pools_through_call_module() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), "");
    let ops = MockOps::all();
    e.set_node_ops(ops.clone());
    let cfg = json!({"config": {"id": 7, "poolUrls": [
        {"url": "stratum2+tcp://pool.example:3336", "workerName": "acct", "workerPassword": "s3cr3t-pw"},
        {"url": "stratum+tcp://backup.example:3333", "workerName": "acct"}]}});
    let r = e
        .execute(req(
            Some("50"),
            miner("m1", "10.0.0.2"),
            "setupPools",
            vec![cfg.clone()],
        ))
        .await
        .unwrap();
    assert!(r.success, "{r:?}");
    let data = r.data.unwrap();
    assert_eq!(
        data["poolConfig"],
        json!([{"url": "stratum2+tcp://pool.example:3336", "username": "acct.m1"},
               {"url": "stratum+tcp://backup.example:3333", "username": "acct.m1"}])
    );
    {
        let calls = ops.calls.lock().unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].0, "blvm-stratum-v2");
        assert_eq!(calls[0].1, "update_pool_config");
        let p: Value = serde_json::from_slice(&calls[0].2).unwrap();
        assert_eq!(p["action"], "update_pool_config");
        assert_eq!(p["pool_url"], "stratum2+tcp://pool.example:3336");
        assert_eq!(p["pool_user"], "acct.m1");
        assert_eq!(p["pool_password"], "s3cr3t-pw");
        assert_eq!(p["miner"]["address"], "10.0.0.2");
    }
    // The rack's pool list when no config is given.
    e.set_rack_pools(vec![serde_json::from_value(
        json!({"url": "stratum+tcp://rackpool:3333", "worker_name": "rackacct", "worker_password": "x"}),
    )
    .unwrap()])
    .unwrap();
    let r = e
        .execute(req(
            Some("51"),
            miner("m1", "10.0.0.2"),
            "setupPools",
            vec![],
        ))
        .await
        .unwrap();
    assert!(r.success);
    let p: Value = serde_json::from_slice(&ops.calls.lock().unwrap()[1].2).unwrap();
    assert_eq!(p["pool_user"], "rackacct.m1");
    // Error reply and transport error.
    *ops.module_reply.lock().unwrap() = Ok(br#"{"error":"pool unreachable"}"#.to_vec());
    let r = e
        .execute(req(
            Some("52"),
            miner("m1", "10.0.0.2"),
            "setupPools",
            vec![cfg.clone()],
        ))
        .await
        .unwrap();
    assert_eq!(r.error.as_deref(), Some("ERR_POOL_REJECTED"));
    assert!(r.message.unwrap().contains("pool unreachable"));
    *ops.module_reply.lock().unwrap() = Err(OpsError::new(
        "ERR_IPC_CLOSED",
        "node closed the connection",
    ));
    let r = e
        .execute(req(
            Some("53"),
            miner("m1", "10.0.0.2"),
            "setupPools",
            vec![cfg.clone()],
        ))
        .await
        .unwrap();
    assert_eq!(r.error.as_deref(), Some("ERR_IPC_CLOSED"));
    // No call_module: refused before anything is sent.
    e.set_node_ops(MockOps::rpc_only());
    let err = e
        .execute(req(
            Some("54"),
            miner("m1", "10.0.0.2"),
            "setupPools",
            vec![cfg],
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_ACTION_UNAVAILABLE");
    assert!(err.to_string().contains("IPC"), "{err}");
    // The password is nowhere in the journal.
    let journal = std::fs::read_to_string(dir.path().join("actions.jsonl")).unwrap();
    assert!(!journal.contains("s3cr3t-pw"));
    assert!(journal.contains("<redacted>"));
}

#[tokio::test]
async fn node_actions_and_action_executed_publication() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), &hooks_toml(dir.path()));
    let ops = MockOps::all();
    e.set_node_ops(ops.clone());
    let r = e
        .execute(req(Some("60"), node(), "refreshTemplate", vec![]))
        .await
        .unwrap();
    assert_eq!(r.data.unwrap()["height"], 101);
    let r = e
        .execute(req(Some("61"), node(), "queryStats", vec![]))
        .await
        .unwrap();
    assert_eq!(r.data.unwrap()["mempool"]["size"], 2);
    let r = e
        .execute(req(
            Some("62"),
            node(),
            "submitBlock",
            vec![json!("00".repeat(200))],
        ))
        .await
        .unwrap();
    assert!(r.success);
    *ops.submit_verdict.lock().unwrap() = json!("bad-txnmrklroot");
    let r = e
        .execute(req(
            Some("63"),
            node(),
            "submitBlock",
            vec![json!("00".repeat(200))],
        ))
        .await
        .unwrap();
    assert_eq!(r.error.as_deref(), Some("ERR_BLOCK_REJECTED"));
    assert_eq!(r.data.as_ref().unwrap()["outcome"], "rejected");
    assert_eq!(r.data.as_ref().unwrap()["reason"], "bad-txnmrklroot");
    *ops.submit_verdict.lock().unwrap() = json!("duplicate");
    let r = e
        .execute(req(
            Some("63d"),
            node(),
            "submitBlock",
            vec![json!("00".repeat(200))],
        ))
        .await
        .unwrap();
    assert!(
        r.success,
        "a block the node already has is not a failure: {r:?}"
    );
    assert_eq!(r.data.as_ref().unwrap()["outcome"], "duplicate");
    *ops.submit_verdict.lock().unwrap() = json!("inconclusive");
    let r = e
        .execute(req(
            Some("63i"),
            node(),
            "submitBlock",
            vec![json!("00".repeat(200))],
        ))
        .await
        .unwrap();
    assert_eq!(r.error.as_deref(), Some("ERR_BLOCK_INCONCLUSIVE"));
    assert_eq!(r.data.as_ref().unwrap()["outcome"], "inconclusive");
    let r = e
        .execute(req(
            Some("64"),
            node(),
            "setPowerMode",
            vec![json!("sleep")],
        ))
        .await
        .unwrap();
    assert!(r.success);
    assert_eq!(
        *ops.node_calls.lock().unwrap(),
        vec![
            "refreshTemplate",
            "queryStats",
            "submitBlock:400",
            "submitBlock:400",
            "submitBlock:400",
            "submitBlock:400"
        ]
    );
    let published = ops.published.lock().unwrap().clone();
    assert_eq!(published.len(), 7);
    assert_eq!(published[3].action_id, "63");
    assert!(!published[3].success);
    assert!(published[4].success, "duplicate");
    assert!(!published[5].success, "inconclusive");
    assert_eq!(published[6].target, "node:node-1");
    // publish_events not granted: recorded locally only.
    let ops2 = MockOps::rpc_only();
    e.set_node_ops(ops2.clone());
    e.execute(req(Some("65"), node(), "queryStats", vec![]))
        .await
        .unwrap();
    assert!(ops2.published.lock().unwrap().is_empty());
    assert_eq!(e.status("65")[0].status, Status::Succeeded);
}

#[tokio::test]
async fn rack_level_actions_begin_and_finish() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), "");
    let rack: blvm_miningos_core::actions::Target =
        serde_json::from_value(json!({"kind": "rack", "id": "miner-blvm-sv2-r1"})).unwrap();
    let r = req(
        Some("70"),
        rack.clone(),
        "registerThing",
        vec![json!({"opts": {"address": "10.0.0.9"}})],
    );
    let (id, done) = e.begin_external(&r).await.unwrap();
    assert_eq!(id, "70");
    assert!(done.is_none(), "first delivery: perform it");
    e.finish_external(
        &r,
        blvm_miningos_core::actions::ActionResult::ok("registered", None),
    )
    .await
    .unwrap();
    let (_, done) = e.begin_external(&r).await.unwrap();
    assert!(
        done.unwrap().success,
        "re-delivery returns the recorded result"
    );
    assert!(
        e.execute(r.clone()).await.is_err(),
        "execute refuses rack-level actions"
    );
    // Without an action id: a generated one, to pass to finish.
    let mut local = req(None, rack, "rackReboot", vec![]);
    let (id, done) = e.begin_external(&local).await.unwrap();
    assert!(id.starts_with("local-") && done.is_none());
    local.action_id = Some(id.clone());
    e.finish_external(
        &local,
        blvm_miningos_core::actions::ActionResult::ok("restarting", None),
    )
    .await
    .unwrap();
    assert_eq!(e.status(&id)[0].status, Status::Succeeded);
}

#[test]
fn journal_file_is_private_and_survives_a_torn_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("j").join("actions.jsonl");
    let (_j, rep) = FileJournal::open(&p).unwrap();
    assert_eq!(rep.records, 0);
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    std::fs::write(&p, "{\"event\":\"started\",\"v\":1,\"key\":\"tor").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_j, rep) = FileJournal::open(&p).unwrap();
    assert_eq!(rep.skipped_lines, 1);
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o600,
        "an existing journal is made private on open"
    );
    let _ = ActionsConfig::default();
    let _ = ActionEngine::new(ActionsConfig::default(), Arc::new(_j)).unwrap();
}

#[test]
fn journal_is_compacted_to_the_newest_entries() {
    use blvm_miningos_core::actions::{ActionJournal, ActionResult, JournalEntry};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("actions.jsonl");
    {
        let (j, _) = FileJournal::open(&p).unwrap();
        for i in 0..25u64 {
            let e = JournalEntry {
                key: format!("{i}|miner:m|reboot"),
                action_id: i.to_string(),
                user: None,
                target: miner("m", "10.0.0.2"),
                action: "reboot".into(),
                params: json!([]),
                status: Status::Running,
                result: None,
                started_at: i,
                finished_at: None,
                duration_ms: None,
            };
            j.started(&e).unwrap();
            if i != 24 {
                j.finished(
                    &e.key,
                    Status::Succeeded,
                    &ActionResult::ok("ok", None),
                    i,
                    0,
                )
                .unwrap();
            }
        }
    }
    let (j, rep) = FileJournal::open_with_limit(&p, 10).unwrap();
    assert_eq!(rep.compacted, 15);
    assert_eq!(rep.interrupted, vec!["24|miner:m|reboot".to_string()]);
    assert!(j.get("14|miner:m|reboot").is_none());
    assert_eq!(
        j.get("15|miner:m|reboot").unwrap().status,
        Status::Succeeded
    );
    drop(j);
    // The rewritten file replays to the same state, and appends still work.
    let (j, rep) = FileJournal::open(&p).unwrap();
    assert_eq!(rep.compacted, 0);
    assert_eq!(rep.skipped_lines, 0);
    assert_eq!(j.history(&HistoryQuery::default()).len(), 10);
    assert_eq!(
        j.get("24|miner:m|reboot").unwrap().status,
        Status::Interrupted
    );
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o600
    );
    j.finished(
        "24|miner:m|reboot",
        Status::Failed,
        &ActionResult::fail("E", "x", None),
        1,
        1,
    )
    .unwrap();
}

#[tokio::test]
async fn hooks_respect_the_concurrency_limit() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("lock");
    let marker = dir.path().join("overlap");
    let s = script(
        dir.path(),
        "excl.sh",
        &format!(
            "if mkdir '{l}' 2>/dev/null; then sleep 0.2; rmdir '{l}'; echo ok >> '{m}'; else echo OVERLAP >> '{m}'; fi",
            l = lock.display(),
            m = marker.display()
        ),
    );
    let e = Arc::new(engine(
        dir.path(),
        &format!(
            "[actions]\nmax_concurrent_hooks = 1\n[actions.hooks.miner_reboot]\nargv = [\"{}\", \"{{id}}\"]",
            s.display()
        ),
    ));
    let mut tasks = Vec::new();
    for i in 0..3 {
        let e = e.clone();
        tasks.push(tokio::spawn(async move {
            e.execute(req(
                Some("c"),
                miner(&format!("m{i}"), "10.0.0.2"),
                "reboot",
                vec![],
            ))
            .await
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().unwrap().success);
    }
    // With the limit of 1 the hooks never overlap (a limit of 4 gives OVERLAP lines).
    assert_eq!(lines(&marker), vec!["ok", "ok", "ok"]);
    assert!(ActionsConfig::from_toml("[actions]\nmax_concurrent_hooks = 0").is_err());
}

#[test]
fn history_filters_and_pages() {
    use blvm_miningos_core::actions::{ActionJournal, JournalEntry};
    let dir = tempfile::tempdir().unwrap();
    let (j, _) = FileJournal::open(dir.path().join("h.jsonl")).unwrap();
    for i in 0..10u64 {
        j.started(&JournalEntry {
            key: format!("{}|miner:m{}|reboot", i / 2, i % 2),
            action_id: (i / 2).to_string(),
            user: None,
            target: miner(&format!("m{}", i % 2), "10.0.0.2"),
            action: "reboot".into(),
            params: json!([]),
            status: Status::Running,
            result: None,
            started_at: 1000 + i,
            finished_at: None,
            duration_ms: None,
        })
        .unwrap();
    }
    let q = |v: Value| -> Vec<u64> {
        j.history(&serde_json::from_value(v).unwrap())
            .iter()
            .map(|e| e.started_at)
            .collect()
    };
    assert_eq!(
        q(json!({"start": 1003, "end": 1005})),
        vec![1005, 1004, 1003]
    );
    assert_eq!(q(json!({"targetId": "m1", "limit": 2})), vec![1009, 1007]);
    assert_eq!(q(json!({"actionId": "2"})), vec![1005, 1004]);
    assert_eq!(q(json!({"offset": 8})), vec![1001, 1000]);
    assert!(serde_json::from_value::<HistoryQuery>(json!({"bogus": 1})).is_err());
}
