//! A worker killed mid-action: the action is reported `interrupted` after the restart, never lost
//! and never run again. The "worker" is this test binary re-executed as a child process
//! (`crash_child`), SIGKILLed while its hook is running.

mod actions_common;

use actions_common::*;
use blvm_miningos_core::actions::{ActionsConfig, FileJournal, Status};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn hook_config(dir: &Path) -> String {
    let s = script(
        dir,
        "slow.sh",
        &format!(
            "echo $$ >> '{m}'; sleep 30",
            m = dir.join("marker").display()
        ),
    );
    format!("[actions.hooks.miner_reboot]\nargv = [\"{}\"]", s.display())
}

/// Runs only as the child of `killed_worker_leaves_an_interrupted_action` (env `ACTIONS_CRASH_DIR`).
#[tokio::test]
#[ignore = "child process of killed_worker_leaves_an_interrupted_action"]
async fn crash_child() {
    let Ok(dir) = std::env::var("ACTIONS_CRASH_DIR") else {
        return;
    };
    let dir = Path::new(&dir);
    let e = engine(dir, &hook_config(dir));
    // Never returns: the parent kills this process while the hook sleeps.
    let _ = e
        .execute(req(Some("1800"), miner("m1", "10.0.0.2"), "reboot", vec![]))
        .await;
    unreachable!("the parent kills this process before the hook ends");
}

#[tokio::test]
async fn killed_worker_leaves_an_interrupted_action() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--ignored", "--nocapture"])
        .env("ACTIONS_CRASH_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while lines(&marker).is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the child never started its hook"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to write `finished`
    child.wait().unwrap();
    // The orphaned hook (its own process group) is cleaned up by the test.
    let hook_pid: i32 = lines(&marker)[0].parse().unwrap();
    unsafe {
        libc::kill(hook_pid, libc::SIGKILL);
    }

    let journal = dir.path().join("actions.jsonl");
    let raw = std::fs::read_to_string(&journal).unwrap();
    assert!(
        raw.contains("\"started\"") && !raw.contains("\"finished\""),
        "{raw}"
    );

    // Restart.
    let (j, report) = FileJournal::open(&journal).unwrap();
    assert_eq!(report.interrupted, vec!["1800|miner:m1|reboot".to_string()]);
    let e = blvm_miningos_core::actions::ActionEngine::new(
        ActionsConfig::from_toml(&hook_config(dir.path())).unwrap(),
        Arc::new(j),
    )
    .unwrap();
    let st = e.status("1800");
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].status, Status::Interrupted);
    // Re-delivery after the restart: the interrupted result, the hook is not run again.
    let r = e
        .execute(req(Some("1800"), miner("m1", "10.0.0.2"), "reboot", vec![]))
        .await
        .unwrap();
    assert!(!r.success);
    assert_eq!(r.error.as_deref(), Some("ERR_ACTION_INTERRUPTED"));
    assert_eq!(lines(&marker).len(), 1);
    // The interrupted mark is itself durable: a second reopen reports nothing new.
    drop(e);
    let (j, report) = FileJournal::open(&journal).unwrap();
    assert!(report.interrupted.is_empty());
    use blvm_miningos_core::actions::ActionJournal;
    assert_eq!(j.by_action_id("1800")[0].status, Status::Interrupted);
}
