//! `blvm-fake-node`: a test double of the BLVM node 0.1.83 for blvm-miningos tests.
//!
//! Serves the module IPC (Unix socket `<data>/modules/sockets/node.sock`, `single` or `concurrent`
//! mode) and a Bitcoin Core compatible JSON-RPC subset with cookie auth on 127.0.0.1, over one
//! scripted regtest chain with a mempool and peers; optionally spawns a module like the node.
//! Test controls are JSON-RPC methods prefixed `fake_` (see `methods.rs`). When ready it prints
//! one JSON line on stdout: `{"rpc_url", "rpc_port", "socket_path", "cookie_file", "data_dir",
//! "log_file", "pid", "ipc_mode", "module_id"?, "module_error"?}`; logs go to
//! `<data>/fake-node.log`.

mod args;
mod btc;
mod chain;
mod events;
mod ipc;
mod methods;
mod rpc;
mod spawn;
mod state;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::chain::BlockSource;
use crate::state::Node;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match args::parse(&argv) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("blvm-fake-node: {e}\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&cfg.data_dir) {
        eprintln!(
            "blvm-fake-node: cannot create {}: {e}",
            cfg.data_dir.display()
        );
        return ExitCode::from(1);
    }
    let log_path = cfg.data_dir.join("fake-node.log");
    let log_file = match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("blvm-fake-node: cannot open {}: {e}", log_path.display());
            return ExitCode::from(1);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(log_file))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FAKE_NODE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("blvm-fake-node: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(cfg, log_path)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "fatal");
            eprintln!("blvm-fake-node: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(cfg: state::Config, log_path: std::path::PathBuf) -> Result<(), String> {
    let node = Arc::new(Node::new(cfg));
    rpc::write_cookie(&node).map_err(|e| format!("cannot write the cookie: {e}"))?;
    let listener = rpc::bind(node.cfg.rpc_port)
        .await
        .map_err(|e| format!("cannot bind 127.0.0.1:{}: {e}", node.cfg.rpc_port))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    ipc::start(node.clone())
        .map_err(|e| format!("cannot listen on {}: {e}", node.cfg.socket_path().display()))?;
    tokio::spawn(rpc::serve(node.clone(), listener));
    tracing::info!(port, mode = ?node.cfg.ipc_mode, subversion = %node.cfg.subversion, "fake node ready");

    let mut ready = json!({
        "rpc_url": format!("http://127.0.0.1:{port}/"),
        "rpc_port": port,
        "socket_path": node.cfg.socket_path(),
        "cookie_file": node.cfg.data_dir.join(".cookie"),
        "data_dir": node.cfg.data_dir,
        "log_file": log_path,
        "pid": std::process::id(),
        "ipc_mode": node.cfg.ipc_mode,
    });
    if let Some(dir) = node.cfg.module_dir.clone() {
        match spawn::spawn(&node, &dir) {
            Ok((module_id, manifest)) => {
                ready["module_id"] = json!(module_id);
                tokio::spawn(ipc::watchdog(
                    node.clone(),
                    module_id,
                    manifest.name,
                    manifest.version,
                    node.cfg.watchdog_delay,
                ));
            }
            Err(e) => {
                // The node logs and skips a module it cannot load.
                tracing::error!(error = %e, "module not loaded");
                ready["module_error"] = json!(e.to_string());
            }
        }
    }
    if let Some(secs) = node.cfg.auto_mine {
        let n = node.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(secs));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = methods::own_mine(&n, 1, BlockSource::Miner).await {
                    tracing::warn!(error = %e, "auto-mine skipped");
                }
            }
        });
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{ready}").map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| e.to_string())?;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        if node.stall.is_stalled() {
            // Node 0.1.83 no longer stops on SIGINT while stalled; only SIGKILL ends it.
            tracing::warn!("signal ignored: node stalled");
            continue;
        }
        break;
    }
    tracing::info!("shutting down: unloading the module (SIGKILL)");
    spawn::kill(&node);
    let _ = std::fs::remove_file(node.cfg.socket_path());
    Ok(())
}
