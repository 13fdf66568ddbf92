//! Finding `worker.js` (relative to the launcher binary) and the `node` executable.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Env var naming the node binary (first choice).
pub const NODE_BIN_ENV: &str = "MININGOS_NODE_BIN";
/// Module config key naming the node binary (`node_bin` in the module's `config.toml`).
pub const NODE_BIN_CONFIG_ENV: &str = "MODULE_CONFIG_NODE_BIN";

/// Something the launcher needs is missing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LocateError {
    /// No `worker.js` at any candidate path.
    #[error("worker.js not found (looked at {0}); reinstall the module with `npx blvm-miningos install`")]
    WorkerNotFound(String),
    /// The configured node binary is not an executable file.
    #[error("node binary {path} (from {source_name}) is not an executable file")]
    NodeNotExecutable {
        /// The configured path.
        path: String,
        /// Where it came from (env var name).
        source_name: &'static str,
    },
    /// No `node` on PATH.
    #[error("node (Node.js >= 20) not found on PATH ({0}); install it or set MININGOS_NODE_BIN or node_bin in the module's config.toml")]
    NodeNotFound(String),
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Candidate paths of `worker.js` for a launcher at `exe`: next to it (module dir layout), then
/// `../../worker.js` when it lives in `target/release` or `target/debug` of a checkout.
pub fn worker_candidates(exe: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = exe.parent() {
        out.push(dir.join("worker.js"));
        let profile = dir.file_name().and_then(|n| n.to_str());
        let target = dir
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str());
        if matches!(profile, Some("release" | "debug")) && target == Some("target") {
            if let Some(root) = dir.parent().and_then(|p| p.parent()) {
                out.push(root.join("worker.js"));
            }
        }
    }
    out
}

/// Finds `worker.js` for a launcher at `exe`.
pub fn worker_js(exe: &Path) -> Result<PathBuf, LocateError> {
    let cands = worker_candidates(exe);
    cands.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        LocateError::WorkerNotFound(
            cands
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        )
    })
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v)
}

/// Finds `node`: `MININGOS_NODE_BIN`, then `MODULE_CONFIG_NODE_BIN`, then `PATH`. A configured
/// path that is not executable is an error (no silent fall back to another node).
pub fn node_bin(env: &[(String, String)]) -> Result<PathBuf, LocateError> {
    let get = |k: &str| {
        env.iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| unquote(v).to_string())
            .filter(|v| !v.is_empty())
    };
    for name in [NODE_BIN_ENV, NODE_BIN_CONFIG_ENV] {
        if let Some(v) = get(name) {
            let p = PathBuf::from(&v);
            if is_executable(&p) {
                return Ok(p);
            }
            return Err(LocateError::NodeNotExecutable {
                path: v,
                source_name: name,
            });
        }
    }
    let path = get("PATH").unwrap_or_default();
    for dir in path.split(':').filter(|d| !d.is_empty()) {
        let cand = Path::new(dir).join("node");
        if is_executable(&cand) {
            return Ok(cand);
        }
    }
    Err(LocateError::NodeNotFound(if path.is_empty() {
        "PATH is empty".into()
    } else {
        format!("PATH={path}")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exe_file(p: &Path) {
        std::fs::write(p, b"#!/bin/sh\n").unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn worker_next_to_binary_then_checkout_layout() {
        let d = tempfile::tempdir().unwrap();
        let rel = d.path().join("target").join("release");
        std::fs::create_dir_all(&rel).unwrap();
        let exe = rel.join("blvm-miningos");
        assert!(matches!(
            worker_js(&exe),
            Err(LocateError::WorkerNotFound(s)) if s.contains("release/worker.js") && s.contains(", ")
        ));
        std::fs::write(d.path().join("worker.js"), b"").unwrap();
        assert_eq!(worker_js(&exe).unwrap(), d.path().join("worker.js"));
        std::fs::write(rel.join("worker.js"), b"").unwrap();
        assert_eq!(worker_js(&exe).unwrap(), rel.join("worker.js"));
        // A module dir (not target/…) only looks next to the binary.
        assert_eq!(worker_candidates(&d.path().join("blvm-miningos")).len(), 1);
    }

    #[test]
    fn node_from_env_config_then_path() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        let b = d.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        exe_file(&b.join("node"));
        let path = format!("{}:{}", a.display(), b.display());
        let env = |extra: &[(&str, String)]| {
            let mut v = vec![("PATH".to_string(), path.clone())];
            v.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
            v
        };
        assert_eq!(node_bin(&env(&[])).unwrap(), b.join("node"));
        let custom = d.path().join("mynode");
        exe_file(&custom);
        let quoted = format!("\"{}\"", custom.display());
        assert_eq!(
            node_bin(&env(&[(NODE_BIN_CONFIG_ENV, quoted)])).unwrap(),
            custom
        );
        assert_eq!(
            node_bin(&env(&[(NODE_BIN_ENV, custom.display().to_string())])).unwrap(),
            custom
        );
        assert!(matches!(
            node_bin(&env(&[(NODE_BIN_ENV, "/nope/node".into())])),
            Err(LocateError::NodeNotExecutable {
                source_name: NODE_BIN_ENV,
                ..
            })
        ));
        assert!(matches!(
            node_bin(&[("PATH".into(), a.display().to_string())]),
            Err(LocateError::NodeNotFound(_))
        ));
    }
}
