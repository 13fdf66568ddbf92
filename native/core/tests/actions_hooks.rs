//! Hooks: real child processes, no shell, placeholders, timeout that kills the process group,
//! capped output, cleared environment, and the `[actions]` config's strictness.

mod actions_common;

use actions_common::*;
use blvm_miningos_core::actions::hooks::{self, render_argv};
use blvm_miningos_core::actions::{ActionError, ActionsConfig};
use blvm_miningos_core::Coded;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn vals(pairs: &[(&'static str, &str)]) -> BTreeMap<&'static str, String> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

#[test]
fn placeholders_are_substituted_inside_arguments_and_braces_escape() {
    let argv = vec![
        "prog".to_string(),
        "--host={address}:{port}".to_string(),
        "{{literal}}".to_string(),
        "{mode}".to_string(),
    ];
    let out = render_argv(
        &argv,
        &vals(&[("address", "10.0.0.7"), ("port", "4028"), ("mode", "sleep")]),
    )
    .unwrap();
    assert_eq!(
        out,
        vec!["prog", "--host=10.0.0.7:4028", "{literal}", "sleep"]
    );
}

#[test]
fn unsafe_or_missing_placeholder_values_are_refused() {
    let argv = vec!["prog".to_string(), "{id}".to_string()];
    for bad in ["a\0b", "line\nbreak", "-rf", "", &"x".repeat(2000)] {
        let e = render_argv(&argv, &vals(&[("id", bad)])).unwrap_err();
        assert_eq!(e.code(), "ERR_HOOK_PLACEHOLDER_INVALID", "{bad:?}");
    }
    let e = render_argv(&argv, &vals(&[])).unwrap_err();
    assert!(e.to_string().contains("{id}"), "{e}");
    // A shell metacharacter is just text: there is no shell.
    assert_eq!(
        render_argv(&argv, &vals(&[("id", "a;rm -rf /")])).unwrap()[1],
        "a;rm -rf /"
    );
}

#[tokio::test]
async fn hook_runs_without_shell_and_gets_exactly_its_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let s = script(
        dir.path(),
        "rec.sh",
        &format!(
            "for a in \"$@\"; do echo \"$a\" >> '{}'; done",
            marker.display()
        ),
    );
    let argv = vec![
        s.display().to_string(),
        "$(touch /tmp/nope)".to_string(),
        "two words".to_string(),
    ];
    let out = hooks::run(&argv, &[], Duration::from_secs(10), 4096)
        .await
        .unwrap();
    assert!(out.succeeded(), "{out:?}");
    assert_eq!(lines(&marker), vec!["$(touch /tmp/nope)", "two words"]);
}

#[tokio::test]
async fn failing_hook_reports_exit_code_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let s = script(
        dir.path(),
        "fail.sh",
        "echo out; echo 'miner refused' >&2; exit 3",
    );
    let out = hooks::run(
        &[s.display().to_string()],
        &[],
        Duration::from_secs(10),
        4096,
    )
    .await
    .unwrap();
    assert!(!out.succeeded());
    assert_eq!(out.exit_code, Some(3));
    assert_eq!(out.stdout.trim(), "out");
    assert_eq!(out.stderr.trim(), "miner refused");
}

#[tokio::test]
async fn hanging_hook_is_killed_with_its_process_group_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("child.pid");
    // The hook starts a background grandchild, records its pid, then hangs.
    let s = script(
        dir.path(),
        "hang.sh",
        &format!("sleep 60 & echo $! > '{}'; sleep 60", pidfile.display()),
    );
    let t = Instant::now();
    let out = hooks::run(
        &[s.display().to_string()],
        &[],
        Duration::from_millis(500),
        4096,
    )
    .await
    .unwrap();
    let took = t.elapsed();
    assert!(out.timed_out, "{out:?}");
    assert_eq!(out.signal, Some(9));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The grandchild was in the hook's group: it is gone (or a zombie awaiting its reaper).
    std::thread::sleep(Duration::from_millis(200));
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let alive = state
        .rsplit(')')
        .next()
        .map(|r| r.trim_start().starts_with(|c| c != 'Z'))
        .unwrap_or(false);
    assert!(!alive, "grandchild {pid} still running: {state}");
}

#[tokio::test]
async fn output_is_capped_and_environment_is_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let s = script(
        dir.path(),
        "big.sh",
        "head -c 100000 /dev/zero | tr '\\0' a; env >&2",
    );
    let out = hooks::run(
        &[s.display().to_string()],
        &[("BLVM_MININGOS_ACTION", "reboot".to_string())],
        Duration::from_secs(10),
        1000,
    )
    .await
    .unwrap();
    assert!(out.succeeded());
    assert_eq!(out.stdout.len(), 1000);
    assert!(out.stdout_truncated);
    let keys: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    for k in &keys {
        assert!(
            ["PATH", "LANG", "PWD", "SHLVL", "_", "BLVM_MININGOS_ACTION"].contains(k),
            "unexpected env var {k} reached the hook"
        );
    }
    assert!(keys.contains(&"BLVM_MININGOS_ACTION"));
}

#[tokio::test]
async fn missing_program_is_a_spawn_error() {
    let e = hooks::run(
        &["/nonexistent/hook".to_string()],
        &[],
        Duration::from_secs(1),
        100,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/hook"));
}

fn cfg_err(toml: &str) -> String {
    match ActionsConfig::from_toml(toml) {
        Err(e @ ActionError::Config(_)) => {
            assert_eq!(e.code(), "ERR_ACTIONS_CONFIG_INVALID");
            e.to_string()
        }
        other => panic!("expected a config error for {toml}, got {other:?}"),
    }
}

#[test]
fn config_is_strict_and_names_the_key() {
    assert!(cfg_err("[actions]\nbogus = 1").contains("bogus"));
    assert!(cfg_err("[actions.hooks.miner_explode]\nargv = [\"x\"]").contains("miner_explode"));
    assert!(cfg_err("[actions.hooks.miner_reboot]\nargv = []")
        .contains("actions.hooks.miner_reboot.argv"));
    assert!(
        cfg_err("[actions.hooks.miner_reboot]\nargv = [\"x\", \"{mode}\"]").contains("{mode}"),
        "mode is not a reboot placeholder"
    );
    assert!(cfg_err("[actions.hooks.miner_reboot]\nargv = [\"{id}\"]").contains("argv[0]"));
    assert!(
        cfg_err("[actions.hooks.miner_reboot]\nargv = [\"x\", \"{unclosed\"]").contains("argv[1]")
    );
    assert!(cfg_err("[actions.votes]\nexplode = 2").contains("actions.votes.explode"));
    assert!(cfg_err("[actions.votes]\nreboot = 0").contains("actions.votes.reboot"));
    assert!(cfg_err("[actions]\nhook_timeout_seconds = 0").contains("hook_timeout_seconds"));
    assert!(
        cfg_err("[actions.hooks.node_reboot]\nargv = [\"x\"]\ntimeout = 3").contains("timeout")
    );
    // The example file shipped with the package parses.
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/hooks.example.toml"
    ))
    .unwrap();
    ActionsConfig::from_toml(&example).unwrap();
}

#[test]
fn json_config_defaults() {
    let c = ActionsConfig::from_json(serde_json::Value::Null).unwrap();
    assert!(c.is_enabled());
    assert_eq!(c.votes_for("rackReboot"), 2);
    assert_eq!(c.votes_for("reboot"), 1);
    let c = ActionsConfig::from_json(serde_json::json!({"votes": {"reboot": 3}})).unwrap();
    assert_eq!(c.votes_for("reboot"), 3);
    assert!(ActionsConfig::from_json(serde_json::json!({"nope": 1})).is_err());
}

#[test]
fn named_params_become_miningos_params() {
    use blvm_miningos_core::actions::catalogue::params_from_named;
    let m = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        params_from_named("setPowerMode", &m(&[("mode", "sleep")])).unwrap(),
        vec![serde_json::json!("sleep")]
    );
    assert_eq!(
        params_from_named("setLED", &m(&[("enabled", "off")])).unwrap(),
        vec![serde_json::json!(false)]
    );
    assert_eq!(
        params_from_named("setLED", &m(&[("enabled", "maybe")]))
            .unwrap_err()
            .code(),
        "ERR_LED_INVALID"
    );
    assert!(params_from_named("reboot", &m(&[])).unwrap().is_empty());
    let e = params_from_named("reboot", &m(&[("force", "1")])).unwrap_err();
    assert_eq!(e.code(), "ERR_ACTION_PARAMS_INVALID");
    assert!(e.to_string().contains("force"));
    assert!(params_from_named("setupPools", &m(&[])).unwrap().is_empty());
    let p = params_from_named(
        "setupPools",
        &m(&[
            ("url", "stratum+tcp://p:1"),
            ("worker", "w"),
            ("password", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(p[0]["config"]["poolUrls"][0]["workerPassword"], "x");
    assert!(params_from_named("setupPools", &m(&[("url", "stratum+tcp://p:1")])).is_err());
    assert_eq!(
        params_from_named("explode", &m(&[])).unwrap_err().code(),
        "ERR_ACTION_UNKNOWN"
    );
    assert!(params_from_named("updateThing", &m(&[])).is_err());
}
