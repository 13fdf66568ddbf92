//! `blvm-miningos`: the BLVM module `entry_point`.
//!
//! The node spawns this binary with no argv and the env `MODULE_NAME`, `MODULE_ID`, `SOCKET_PATH`,
//! `DATA_DIR`, `MODULE_CONFIG_*` (manual runs may pass `--module-id --socket-path --data-dir`
//! instead). The launcher never touches the node's socket. It:
//! 1. opens `DATA_DIR/logs/launcher.log` and points its own stdout/stderr, and so the worker's, at
//!    `DATA_DIR/logs/worker.out.log` (the node never drains its pipes);
//! 2. raises soft resource limits to the hard limits and, when the address space stays small,
//!    picks `node` flags and thread counts that fit, naming the `[module_resource_limits]` key an
//!    operator should raise; always adds the worker's memory profile (`--max-semi-space-size=1`,
//!    `MALLOC_ARENA_MAX=2`; `BLVM_MININGOS_NODE_MEMORY=default` turns it off);
//! 3. finds `node` (`MININGOS_NODE_BIN`, `MODULE_CONFIG_NODE_BIN`, then `PATH`) and `worker.js`
//!    (next to this binary, or `../../worker.js` from `target/release|debug`);
//! 4. `exec`s `node [flags] worker.js [args after --]` with the env passed on plus
//!    `BLVM_MININGOS_LAUNCHED=1`, so signals reach the worker directly.
//!
//! `blvm-miningos --print-node-plan` prints the flags and env it would start node with (JSON) and
//! exits (benchmarks use it to start the worker exactly as the launcher does).
//!
//! Exit codes: 1 when something needed is missing (one clear line in the log), 2 on bad argv.

mod args;
mod limits;
mod locate;
mod log;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitCode};

use args::LaunchArgs;
use log::LauncherLog;

fn main() -> ExitCode {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.len() == 1 && argv[0] == "--print-node-plan" {
        // What `node` would be started with here (flags and env, as JSON); starts nothing.
        println!(
            "{}",
            limits::plan(&limits::read_and_raise(), limits::is_root(), &env).to_json()
        );
        return ExitCode::SUCCESS;
    }
    let launch = match LaunchArgs::parse(&argv, &env) {
        Ok(l) => l,
        Err(e) => {
            // Bad argv only happens on manual runs: the node never passes arguments.
            eprintln!("blvm-miningos: {e}");
            eprintln!("{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    let Some(data_dir) = launch.data_dir.clone() else {
        eprintln!("blvm-miningos: DATA_DIR is not set (env DATA_DIR or --data-dir): nowhere to log, not starting");
        return ExitCode::from(1);
    };
    let mut log = match LauncherLog::open(&data_dir) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("blvm-miningos: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = log::redirect_stdio(&data_dir) {
        log.error(&format!("{e}"));
        return ExitCode::from(1);
    }
    run(&launch, &data_dir, &env, &mut log)
}

/// Everything after the log is open: limits, locating, exec. Only returns on failure.
fn run(
    launch: &LaunchArgs,
    data_dir: &Path,
    env: &[(String, String)],
    log: &mut LauncherLog,
) -> ExitCode {
    log.info(&format!(
        "blvm-miningos launcher {} starting: module_id={} module_name={} socket_path={} data_dir={}",
        env!("CARGO_PKG_VERSION"),
        launch.module_id.as_deref().unwrap_or("(unset)"),
        launch.module_name.as_deref().unwrap_or("(unset)"),
        launch
            .socket_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(unset)".into()),
        data_dir.display()
    ));

    let plan = limits::plan(&limits::read_and_raise(), limits::is_root(), env);
    for line in &plan.info {
        log.info(line);
    }
    for line in &plan.warnings {
        log.warn(line);
    }

    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            log.error(&format!(
                "cannot find the launcher's own path (/proc/self/exe): {e}"
            ));
            return ExitCode::from(1);
        }
    };
    let worker = match locate::worker_js(&exe) {
        Ok(w) => w,
        Err(e) => {
            log.error(&e.to_string());
            return ExitCode::from(1);
        }
    };
    let node = match locate::node_bin(env) {
        Ok(n) => n,
        Err(e) => {
            log.error(&e.to_string());
            return ExitCode::from(1);
        }
    };

    let mut cmd = Command::new(&node);
    cmd.args(&plan.node_flags)
        .arg(&worker)
        .args(&launch.worker_args)
        .env("BLVM_MININGOS_LAUNCHED", "1");
    for (k, v) in launch.env_overrides() {
        cmd.env(k, v);
    }
    for (k, v) in &plan.env {
        cmd.env(k, v);
    }
    log.info(&format!(
        "exec {} {} {}{}",
        node.display(),
        plan.node_flags.join(" "),
        worker.display(),
        if launch.worker_args.is_empty() {
            String::new()
        } else {
            format!(" {}", launch.worker_args.join(" "))
        }
    ));
    let err = cmd.exec();
    log.error(&format!("cannot exec {}: {err}", node.display()));
    ExitCode::from(1)
}
