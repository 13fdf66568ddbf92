//! Spawning a module the way the node does (reference/blvm-ipc.md §14): manifest, `entry_point`
//! resolution, `[binary] hash` check, env, no argv, stdin null, stdout/stderr piped and never read,
//! resource limits.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::state::{ModuleLimits, Node};

/// Why a module could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// `module.toml` missing or unreadable.
    #[error("cannot read {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// `module.toml` / `config.toml` is not valid TOML or misses a key.
    #[error("invalid {path}: {detail}")]
    Manifest {
        /// File.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// No executable entry point.
    #[error("entry_point `{entry}` not found (looked at {looked})")]
    NoBinary {
        /// The manifest's entry point.
        entry: String,
        /// Candidates.
        looked: String,
    },
    /// `[binary] hash` does not match.
    #[error("binary hash mismatch for {path}: manifest says {expected}, file is {actual}")]
    HashMismatch {
        /// Binary.
        path: PathBuf,
        /// From the manifest.
        expected: String,
        /// Computed.
        actual: String,
    },
    /// The OS refused to start it.
    #[error("cannot spawn {path}: {source}")]
    Spawn {
        /// Binary.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
}

/// The parts of `module.toml` the loader uses.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `entry_point`.
    pub entry_point: String,
    /// `capabilities`.
    pub capabilities: Vec<String>,
    /// `[binary] hash`.
    pub binary_hash: Option<String>,
}

/// What `fake_status` shows about the spawned module.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleStatus {
    /// Manifest name.
    pub name: String,
    /// Manifest version.
    pub version: String,
    /// `MODULE_ID` given to it.
    pub module_id: String,
    /// Manifest capabilities.
    pub capabilities: Vec<String>,
    /// Resolved binary.
    pub binary: PathBuf,
    /// `DATA_DIR` given to it.
    pub data_dir: PathBuf,
    /// Process id.
    pub pid: Option<u32>,
    /// Exit description once it ended (`code 1`, `signal 9`).
    pub exit: Option<String>,
    /// Limits it was started under.
    pub limits: ModuleLimits,
}

fn valid_name(n: &str) -> bool {
    let mut b = n.bytes();
    (1..=64).contains(&n.len())
        && b.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Reads and checks `<dir>/module.toml`.
pub fn load_manifest(dir: &Path) -> Result<Manifest, SpawnError> {
    let path = dir.join("module.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| SpawnError::Read {
        path: path.clone(),
        source,
    })?;
    let bad = |detail: String| SpawnError::Manifest {
        path: path.clone(),
        detail,
    };
    let v: toml::Table = text.parse().map_err(|e| bad(format!("{e}")))?;
    let s = |k: &str| {
        v.get(k)
            .and_then(toml::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad(format!("`{k}` must be a string")))
    };
    let name = s("name")?;
    if !valid_name(&name) {
        return Err(bad(format!(
            "`name` {name:?}: 1-64 chars, alphanumeric first, then alphanumeric, '-' or '_'"
        )));
    }
    let version = s("version")?;
    let entry_point = s("entry_point")?;
    if entry_point.contains("..") || entry_point.is_empty() {
        return Err(bad("`entry_point` must not be empty or contain `..`".into()));
    }
    let capabilities = match v.get("capabilities") {
        None => vec![],
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|c| {
                c.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad("`capabilities` must be strings".into()))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("`capabilities` must be an array".into())),
    };
    let binary_hash = v
        .get("binary")
        .and_then(|b| b.get("hash"))
        .and_then(toml::Value::as_str)
        .map(str::to_string);
    Ok(Manifest {
        name,
        version,
        entry_point,
        capabilities,
        binary_hash,
    })
}

/// Resolves `entry_point` like the node (§14.2): module dir, its `target/release`, `target/debug`,
/// then the modules dir; a regular executable file whose canonical path stays inside the modules dir.
pub fn resolve_entry(module_dir: &Path, entry: &str) -> Result<PathBuf, SpawnError> {
    let modules_dir = module_dir.parent().unwrap_or(module_dir);
    let cands = [
        module_dir.join(entry),
        module_dir.join("target").join("release").join(entry),
        module_dir.join("target").join("debug").join(entry),
        modules_dir.join(entry),
    ];
    let root = std::fs::canonicalize(modules_dir).ok();
    for c in &cands {
        let Ok(canon) = std::fs::canonicalize(c) else {
            continue;
        };
        let Ok(meta) = std::fs::metadata(&canon) else {
            continue;
        };
        let inside = root.as_ref().is_some_and(|r| canon.starts_with(r));
        if meta.is_file() && meta.permissions().mode() & 0o111 != 0 && inside {
            return Ok(canon);
        }
    }
    Err(SpawnError::NoBinary {
        entry: entry.to_string(),
        looked: cands
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn render(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// `MODULE_CONFIG_*` from `<module dir>/config.toml` (flat keys), plus `version`.
pub fn module_config_env(
    module_dir: &Path,
    version: &str,
) -> Result<Vec<(String, String)>, SpawnError> {
    let path = module_dir.join("config.toml");
    let mut out = Vec::new();
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|source| SpawnError::Read {
            path: path.clone(),
            source,
        })?;
        let t: toml::Table = text.parse().map_err(|e| SpawnError::Manifest {
            path: path.clone(),
            detail: format!("{e}"),
        })?;
        for (k, v) in &t {
            if v.is_table() {
                continue;
            }
            out.push((format!("MODULE_CONFIG_{}", k.to_uppercase()), render(v)));
        }
    }
    if !out.iter().any(|(k, _)| k == "MODULE_CONFIG_VERSION") {
        out.push(("MODULE_CONFIG_VERSION".into(), version.to_string()));
    }
    if !out
        .iter()
        .any(|(k, _)| k == "MODULE_CONFIG_DATABASE_BACKEND")
    {
        out.push(("MODULE_CONFIG_DATABASE_BACKEND".into(), "sled".into()));
    }
    Ok(out)
}

fn sha256_file(p: &Path) -> std::io::Result<String> {
    Ok(hex::encode(Sha256::digest(std::fs::read(p)?)))
}

fn set_limit(res: libc::__rlimit_resource_t, v: Option<u64>) -> std::io::Result<()> {
    if let Some(v) = v {
        let rl = libc::rlimit {
            rlim_cur: v,
            rlim_max: v,
        };
        // SAFETY: setrlimit with a valid struct; async-signal-safe.
        if unsafe { libc::setrlimit(res, &rl) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Spawns the module found in `cfg.module_dir`, records it in `node.module`, and watches it.
/// Returns the module id and the manifest.
pub fn spawn(node: &Arc<Node>, module_dir: &Path) -> Result<(String, Manifest), SpawnError> {
    let manifest = load_manifest(module_dir)?;
    let binary = resolve_entry(module_dir, &manifest.entry_point)?;
    if let Some(expected) = &manifest.binary_hash {
        let actual = sha256_file(&binary).map_err(|source| SpawnError::Read {
            path: binary.clone(),
            source,
        })?;
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(SpawnError::HashMismatch {
                path: binary,
                expected: expected.clone(),
                actual,
            });
        }
    }
    let mut rnd = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut rnd);
    let module_id = format!("{}_{}", manifest.name, hex::encode(rnd));
    let data_dir = node.cfg.data_dir.join("modules").join(&manifest.name);
    std::fs::create_dir_all(&data_dir).map_err(|source| SpawnError::Read {
        path: data_dir.clone(),
        source,
    })?;
    let limits = node.cfg.limits;
    let mut cmd = tokio::process::Command::new(&binary);
    cmd.env("MODULE_NAME", &manifest.name)
        .env("MODULE_ID", &module_id)
        .env("SOCKET_PATH", node.cfg.socket_path())
        .env("DATA_DIR", &data_dir)
        .envs(module_config_env(module_dir, &manifest.version)?)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: only async-signal-safe calls (setrlimit, prctl) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            set_limit(libc::RLIMIT_AS, limits.address_space)?;
            set_limit(libc::RLIMIT_NOFILE, limits.open_files)?;
            set_limit(libc::RLIMIT_NPROC, limits.processes)?;
            // Test hygiene (not node behaviour): the module dies with the fake node.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|source| SpawnError::Spawn {
        path: binary.clone(),
        source,
    })?;
    let pid = child.id();
    tracing::info!(module_id, pid, binary = %binary.display(), "module spawned");
    *node.lock(&node.module) = Some(ModuleStatus {
        name: manifest.name.clone(),
        version: manifest.version.clone(),
        module_id: module_id.clone(),
        capabilities: manifest.capabilities.clone(),
        binary,
        data_dir,
        pid,
        exit: None,
        limits,
    });
    // Keep the pipes open and never read them, like the node.
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let n = node.clone();
    tokio::spawn(async move {
        let _pipes = (stdout, stderr);
        let exit = match child.wait().await {
            Ok(s) => match (s.code(), std::os::unix::process::ExitStatusExt::signal(&s)) {
                (Some(c), _) => format!("code {c}"),
                (None, Some(sig)) => format!("signal {sig}"),
                _ => "unknown".into(),
            },
            Err(e) => format!("wait failed: {e}"),
        };
        tracing::info!(%exit, "module exited");
        let name = n.lock(&n.module).as_mut().map(|m| {
            m.exit = Some(exit.clone());
            m.name.clone()
        });
        // Exit code 0: the node only logs it. Anything else is a crash (§15): the node removes the
        // module and publishes these four events (it polls every 5 s; the fake node reacts at once).
        if let Some(module_name) = name.filter(|_| exit != "code 0") {
            publish_crash(&n, &module_name, &exit);
        }
    });
    Ok((module_id, manifest))
}

fn publish_crash(node: &Node, module_name: &str, exit: &str) {
    use blvm_miningos_core::ipc::EventPayload as E;
    let m = module_name.to_string();
    let evs = [
        E::ModuleStateChanged {
            module_name: m.clone(),
            old_state: "Running".into(),
            new_state: "Error".into(),
        },
        E::ModuleHealthChanged {
            module_name: m.clone(),
            old_health: "healthy".into(),
            new_health: "unhealthy".into(),
        },
        E::ModuleCrashed {
            module_name: m.clone(),
            error: format!("process exited with {exit}"),
        },
        E::ModuleUnloaded {
            module_name: m.clone(),
            version: String::new(),
        },
    ];
    for e in evs {
        let logged = serde_json::json!({"type": e.event_type().name(), "module_name": m});
        node.bus.publish_payload(e, logged);
    }
}

/// SIGKILLs the module (the node's unload).
pub fn kill(node: &Node) {
    let pid = node
        .lock(&node.module)
        .as_ref()
        .filter(|m| m.exit.is_none())
        .and_then(|m| m.pid);
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) on the pid we spawned and still track as running.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_exe(p: &Path) {
        std::fs::write(p, b"#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn manifest_validation() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("module.toml"), "name = \"m-1\"\nversion = \"0.1.0\"\nentry_point = \"m\"\ncapabilities = [\"read_mempool\"]\n[binary]\nhash = \"ab\"\n").unwrap();
        let m = load_manifest(d.path()).unwrap();
        assert_eq!(m.capabilities, ["read_mempool"]);
        assert_eq!(m.binary_hash.as_deref(), Some("ab"));
        std::fs::write(
            d.path().join("module.toml"),
            "name = \"_bad\"\nversion = \"0.1.0\"\nentry_point = \"m\"\n",
        )
        .unwrap();
        assert!(
            matches!(load_manifest(d.path()), Err(SpawnError::Manifest { detail, .. }) if detail.contains("name"))
        );
        std::fs::write(
            d.path().join("module.toml"),
            "name = \"m\"\nversion = \"0.1.0\"\nentry_point = \"../x\"\n",
        )
        .unwrap();
        assert!(load_manifest(d.path()).is_err());
        std::fs::write(d.path().join("module.toml"), "name = ").unwrap();
        assert!(load_manifest(d.path()).is_err());
    }

    #[test]
    fn entry_resolution_order_and_sandbox() {
        let root = tempfile::tempdir().unwrap();
        let modules = root.path().join("modules");
        let m = modules.join("m");
        std::fs::create_dir_all(m.join("target/release")).unwrap();
        assert!(matches!(
            resolve_entry(&m, "bin"),
            Err(SpawnError::NoBinary { .. })
        ));
        write_exe(&modules.join("bin"));
        assert_eq!(
            resolve_entry(&m, "bin").unwrap(),
            std::fs::canonicalize(modules.join("bin")).unwrap()
        );
        write_exe(&m.join("target/release/bin"));
        assert!(resolve_entry(&m, "bin")
            .unwrap()
            .ends_with("target/release/bin"));
        // Not executable: skipped.
        std::fs::write(m.join("bin"), b"x").unwrap();
        assert!(resolve_entry(&m, "bin")
            .unwrap()
            .ends_with("target/release/bin"));
        // A symlink leaving the modules dir is refused.
        let outside = root.path().join("outside");
        write_exe(&outside);
        std::os::unix::fs::symlink(&outside, m.join("evil")).unwrap();
        assert!(resolve_entry(&m, "evil").is_err());
    }

    #[test]
    fn config_env_flattening() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("config.toml"), "node_bin = \"/usr/bin/node\"\nport = 3\nflag = true\nlist = [\"a\", \"b\"]\n[t]\nx = 1\n").unwrap();
        let env = module_config_env(d.path(), "1.2.3").unwrap();
        let get = |k: &str| {
            env.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("MODULE_CONFIG_NODE_BIN"), Some("/usr/bin/node"));
        assert_eq!(get("MODULE_CONFIG_PORT"), Some("3"));
        assert_eq!(get("MODULE_CONFIG_FLAG"), Some("true"));
        assert_eq!(get("MODULE_CONFIG_LIST"), Some("\"a\",\"b\""));
        assert_eq!(get("MODULE_CONFIG_VERSION"), Some("1.2.3"));
        assert_eq!(get("MODULE_CONFIG_T"), None);
    }
}

#[cfg(test)]
mod manifest_of_this_package {
    use super::*;
    use blvm_miningos_core::ipc::Capability;

    /// The shipped `module.toml` passes the node's checks: valid name/version/entry point, and only
    /// capability names the node knows (reference §17).
    #[test]
    fn shipped_module_toml_is_valid_for_the_node() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let m = load_manifest(&root).unwrap();
        assert_eq!(m.name, "blvm-miningos");
        assert_eq!(m.entry_point, "blvm-miningos");
        let v: Vec<&str> = m.version.split('.').collect();
        assert!(
            v.len() == 3 && v.iter().all(|p| p.parse::<u64>().is_ok()),
            "{}",
            m.version
        );
        assert!(!m.capabilities.is_empty());
        for c in &m.capabilities {
            assert!(c.parse::<Capability>().is_ok(), "unknown capability {c}");
        }
    }
}
